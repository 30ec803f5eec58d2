#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run every test suite and add up their "N passed, N failed" lines.
#   tests/run.sh [--unit-only]
# A suite that dies without its summary line counts as one failure.
set -u
cd "$(dirname "$0")/.."

unit_only=0
[ "${1:-}" = "--unit-only" ] && unit_only=1

passed=0
failed=0
log=$(mktemp)
figs=$(mktemp)
trap 'rm -f "$log" "$figs"' EXIT

suite() {
	local name=$1
	shift
	printf '\n=== %s\n' "$name"
	"$@" 2>&1 | tee "$log"
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no summary line: counted as failed"
		failed=$((failed + 1))
		return
	fi
	# "figure: NAME N" lines: robustness figures, summed over the suites.
	sed -n 's/^figure: \([a-z_]*\) \([0-9]*\)$/\1 \2/p' "$log" >>"$figs"
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

# The fresh-machine promise: packages before compilers (no root needed).
suite "build: deps before compilers" bash tests/build.sh
suite "man pages" bash tests/man.sh
suite "versions: VERSION, changelog, binaries, ABI" bash tests/versions.sh

suite "bash completion" bash tests/completion.sh

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	suite "unit: $(basename "$t")" "$t"
done

if [ $unit_only -eq 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "tests/run.sh: the namespace tests need root" >&2
		failed=$((failed + 1))
	else
		suite "netns: end to end" build/tests/netns_test
		suite "cli" bash tests/cli.sh
		suite "bindings: examples against the installed libodm" bash tests/bindings.sh
		suite "debian packages: build, install in a throw-away root" bash tests/package.sh
		suite "service: odmd --version, journald, man pages, unit" bash tests/service.sh
		suite "dhcpv6 client against Kea" bash tests/dhcp6/kea-test.sh
		suite "bench (quick, timings not asserted)" bash bench/quick.sh
		suite "fuzz (bounded)" bash fuzz/run.sh --seconds 10
	fi
fi

fig() { awk -v k="$1" '$1 == k { n += $2 } END { printf "%d", n }' "$figs"; }
printf '\n=== robustness figures\n'
printf '  %-16s %12s  %s\n' inputs "$(fig inputs)" \
	"fed to parsers, the CLI and odmd (hostile DHCPv6 datagrams included)"
printf '  %-16s %12s  %s\n' fuzz_executions "$(fig fuzz_executions)" \
	"libFuzzer runs over every parser, no crash"
printf '  %-16s %12s  %s\n' faults "$(fig faults)" \
	"injected and survived (SIGKILL, link down, address or cgroup gone, map full, server gone or hostile)"

printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
