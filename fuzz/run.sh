#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run every built libFuzzer target for a bounded time; builds nothing
# (`make fuzz-bins` does).
#   fuzz/run.sh [--seconds N] [TARGET...]     (TARGET: cli, config, ...; default all)
# Each target fuzzes a throw-away copy of fuzz/corpus/TARGET, so the committed
# seeds never change, and writes crash-*, leak-*, timeout-* files to a fresh
# directory that is printed and kept when the target fails.  A target passes
# when libFuzzer exits 0.  The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

seconds=10
bindir=${O:-build}/fuzz
targets=()

while [ $# -gt 0 ]; do
	case $1 in
	--seconds)
		[ $# -ge 2 ] || { echo "fuzz/run.sh: --seconds needs a value" >&2; exit 2; }
		seconds=$2
		shift 2
		;;
	-h|--help)
		sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		targets+=("$1")
		shift
		;;
	esac
done
case $seconds in
''|*[!0-9]*|0) echo "fuzz/run.sh: --seconds wants a positive number, not '$seconds'" >&2; exit 2 ;;
esac

if [ ${#targets[@]} -eq 0 ]; then
	for b in "$bindir"/fuzz_*; do
		[ -x "$b" ] && targets+=("${b##*/fuzz_}")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz/run.sh: no fuzz targets in $bindir (run make fuzz-bins)"
	echo "0 passed, 1 failed"
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
total=0		# executions of all targets (a figure for tests/run.sh)
failed=0
for t in "${targets[@]}"; do
	bin=$bindir/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz_$t: FAILED: $bin not built (run make fuzz-bins)"
		failed=$((failed + 1))
		continue
	fi
	corpus=$work/corpus-$t
	log=$work/log-$t
	mkdir -p "$corpus"
	[ -d "fuzz/corpus/$t" ] && cp -p fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
	# Artefacts outlive $work: a crash must still be there to reproduce.
	artefacts=$(mktemp -d "${TMPDIR:-/tmp}/odm-fuzz-$t.XXXXXX")

	# -timeout: one input running 10 s is a hang worth a report.
	"$bin" -max_total_time="$seconds" -timeout=10 -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$artefacts/" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	seeds=$(find "fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
	found=$(find "$corpus" -type f | wc -l)
	total=$((total + ${execs:-0}))
	if [ $rc -eq 0 ]; then
		echo "fuzz_$t: ok, ${execs:-?} executions in ${seconds} s, corpus $seeds -> $found"
		passed=$((passed + 1))
		rm -rf "$artefacts"
	else
		echo "fuzz_$t: FAILED (exit $rc) after ${execs:-?} executions; libFuzzer said:"
		grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|.*Test unit written)' "$log" |
			head -n 20 | sed 's/^/    /'
		for a in "$artefacts"/*; do
			[ -e "$a" ] && echo "    reproduce: $bin $a"
		done
		failed=$((failed + 1))
	fi
done

echo "figure: fuzz_executions $total"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
