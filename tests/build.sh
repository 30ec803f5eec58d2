#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# build.sh - the README's promise about a fresh machine, checked without
# one: every target that needs packages (test, demo, bench, test-kernels)
# must run scripts/deps.sh before it runs any compiler.  `make -n` into an
# empty build directory lists exactly what a clean clone would run, in order.
#
#   bash tests/build.sh      (from the repository root; no root needed)
#
# Prints "ok NAME" / "FAIL NAME" per case, then "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

# Run as a suite of `make test` itself: a make inside make would print its
# "Entering directory" lines and inherit -n or -j from MAKEFLAGS.
unset MAKEFLAGS MAKELEVEL MFLAGS

passed=0
failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The line numbers of the first deps.sh and the first compiler run.
order() {
	make -n "$1" O="$out/$1" 2>&1 |
		awk '/scripts\/deps\.sh/ && !d { d = NR }
		     /(^| )(cc|gcc|clang|\$\(CC\)) / && !c { c = NR }
		     END { printf "%d %d\n", d, c }'
}

for target in test demo bench test-kernels; do
	read -r deps compiler < <(order "$target")
	if [ "$deps" -gt 0 ] && [ "$compiler" -gt 0 ] && [ "$deps" -lt "$compiler" ]; then
		passed=$((passed + 1))
		echo "ok   make $target: deps.sh (line $deps) before the first compiler (line $compiler)"
	else
		failed=$((failed + 1))
		echo "FAIL make $target: deps.sh at line $deps, first compiler at line $compiler (0: none)"
	fi
done

# deps-check must not be an intermediate target that make skips.
if make -n test O="$out/phony" 2>&1 | head -n 1 | grep -q 'scripts/deps.sh'; then
	passed=$((passed + 1))
	echo "ok   make test: deps.sh is the first thing it runs"
else
	failed=$((failed + 1))
	echo "FAIL make test: deps.sh is not the first thing it runs"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
