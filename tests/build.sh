#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# build.sh - the README's promise about a fresh machine, checked without
# one: every target that needs packages (test, demo, bench, test-kernels)
# must run scripts/deps.sh before it runs any compiler.  `make -n` into an
# empty build directory lists exactly what a clean clone would run, in order.
#
# It also checks what a packager relies on: the builder's CPPFLAGS, CFLAGS
# and LDFLAGS reach every compile and link, WERROR=0, one VERSION, and that
# `make all` builds no test or benchmark binary.
#
#   bash tests/build.sh      (from the repository root; no root needed)
#
# Prints "ok NAME" / "FAIL NAME" per case, then "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/lib/check.sh

# Run as a suite of `make test` itself: a make inside make would print its
# "Entering directory" lines and inherit -n or -j from MAKEFLAGS.
unset MAKEFLAGS MAKELEVEL MFLAGS

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


# The builder's flags, as dpkg-buildflags exports them: each compile takes
# CPPFLAGS and CFLAGS, each link LDFLAGS, after odm's own (-std, warnings),
# which stay.  Markers that no other flag contains.
lines=$(env -u CPPFLAGS -u CFLAGS -u LDFLAGS make -n all O="$out/flags" \
	CPPFLAGS=-DODM_T_CPPFLAGS CFLAGS=-DODM_T_CFLAGS LDFLAGS=-Lodm-t-ldflags 2>&1 |
	sed -e ':a;/\\$/N;s/\\\n//;ta')	# one line per command
compiles=$(echo "$lines" | grep -E '^cc .* -c ')
links=$(echo "$lines" | grep -E '^cc ' | grep -v -- ' -c ')
n=$(echo "$compiles" | grep -c .)
if [ "$n" -gt 0 ] && ! echo "$compiles" | grep -v -- '-std=c11 .*-Wall .*-DODM_T_CPPFLAGS .*-DODM_T_CFLAGS' |
		grep -q .; then
	ok "make all: CPPFLAGS and CFLAGS after -std and the warnings in all $n compiles"
else
	fail "make all: a compile without CPPFLAGS or CFLAGS, or without odm's flags before them:"
	echo "$compiles" | grep -v -- '-DODM_T_CPPFLAGS .*-DODM_T_CFLAGS' | head -n 3
fi
n=$(echo "$links" | grep -c .)
if [ "$n" -gt 0 ] && ! echo "$links" | grep -v -- '-Lodm-t-ldflags' | grep -q .; then
	ok "make all: LDFLAGS in all $n links"
else
	fail "make all: a link without LDFLAGS:"
	echo "$links" | grep -v -- '-Lodm-t-ldflags' | head -n 3
fi
# The bench's preload library is built outside the pattern rules.
if make -n bench-bins O="$out/flags" CPPFLAGS=-DODM_T_CPPFLAGS LDFLAGS=-Lodm-t-ldflags 2>&1 |
		grep -- '-shared' | grep -q -- '-DODM_T_CPPFLAGS .*-Lodm-t-ldflags'; then
	ok "make bench-bins: the preload library takes CPPFLAGS and LDFLAGS"
else
	fail "make bench-bins: the preload library ignores CPPFLAGS or LDFLAGS"
fi

# -Werror by default (C and BPF), none with WERROR=0.
werr=$(env -u CFLAGS make -n all O="$out/werror" 2>&1 | grep -E '^(cc|clang) .* -c ')
if ! echo "$werr" | grep -v -- '-Werror' | grep -q .; then
	ok "make all: -Werror in every compile by default"
else
	fail "make all: a compile without -Werror by default"
fi
if ! env -u CFLAGS make -n all O="$out/werror" WERROR=0 2>&1 | grep -E '^(cc|clang) ' |
		grep -q -- '-Werror\( \|$\)'; then
	ok "make all WERROR=0: no -Werror"
else
	fail "make all WERROR=0: -Werror is still there"
fi

# One version: the VERSION file's, in every compile (odm and odmd print it).
version=$(cat VERSION)
if ! echo "$compiles" | grep -vF -- "-DODM_VERSION='\"$version\"'" | grep -q .; then
	ok "make all: -DODM_VERSION=\"$version\" (VERSION) in every compile"
else
	fail "make all: a compile without -DODM_VERSION=\"$version\""
fi

# all is what gets installed and the demo; tests and the benchmark are
# built by the targets that run them.
if ! echo "$lines" | grep -E -- '-o [^ ]*/(tests|bench|fuzz)/' | grep -q .; then
	ok "make all: no test, fuzz or benchmark binary"
else
	fail "make all builds: $(echo "$lines" | grep -oE -- '-o [^ ]*/(tests|bench|fuzz)/[^ ]*' | head -n 3)"
fi
tb=$(make -n test-bins O="$out/tb" 2>&1)
for b in bench/odm-bench bench/preload_bind.so tests/netns_test odmd examples/odm-client; do
	if echo "$tb" | grep -qE -- "-o [^ ]*/$b( |$)"; then
		ok "make test-bins: builds $b"
	else
		fail "make test-bins: does not build $b"
	fi
done

summary
