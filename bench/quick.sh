#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# CI's run of the benchmark (tests/run.sh, suite "bench"): 3 rounds, and it
# passes when every figure was measured and the JSON is valid.  Timings are
# not asserted: a shared CI machine cannot hold a target, a broken
# benchmark or a broken odm fast path still shows here.
set -u
cd "$(dirname "$0")/.."
json=build/bench-quick.json
rm -f "$json"
build/bench/odm-bench --quick --json "$json" --dat build/bench-quick.dat
if ! jq -e '.figures | length > 0' "$json" >/dev/null 2>&1; then
	echo "bench: $json is missing or not valid JSON"
	echo "0 passed, 1 failed"
	exit 1
fi
