#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# versions.sh - the places that name odm's version, or libodm's ABI, agree:
# VERSION, debian/changelog, odm -V, odmd --version, libodm.pc; and
# lib/libodm.map, the library's dynamic symbols, debian/libodm1.symbols.
#
#   bash tests/versions.sh   (from the repository root; no root needed;
#                             brings build/odm, odmd and libodm up to date)
#
# Prints "ok NAME" / "FAIL NAME" / "skip NAME: why" per case, then
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/lib/check.sh

unset MAKEFLAGS MAKELEVEL MFLAGS

version=$(cat VERSION 2>/dev/null)
if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	ok "VERSION: $version"
else
	fail "VERSION: '$version' is not MAJOR.MINOR.PATCH"
fi

# The package's upstream version: no epoch, no Debian revision.
if command -v dpkg-parsechangelog >/dev/null; then
	deb=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
else
	deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
fi
upstream=${deb#*:}
upstream=${upstream%-*}
if [ -n "$deb" ] && [ "$upstream" = "$version" ]; then
	ok "debian/changelog: $deb is VERSION $version"
else
	fail "debian/changelog: '$deb' is not VERSION $version (dch -v $version-1)"
fi

# Up to date with VERSION (a no-op after make).
make -s build/odm build/odmd build/libodm.so.1 build/libodm.pc >/dev/null 2>&1 ||
	fail "make build/odm build/odmd build/libodm.so.1 build/libodm.pc"

out=$(build/odm -V 2>&1)
if [[ $out =~ ^odm\ $version( |$) ]]; then
	ok "odm -V: $out"
else
	fail "odm -V: '$out', not odm $version"
fi
out=$(build/odmd --version 2>&1)
if [[ $out =~ (^|[^0-9.])$version([^0-9.]|$) ]]; then
	ok "odmd --version: $(echo "$out" | head -n 1)"
else
	fail "odmd --version: '$out' does not name $version"
fi
pc=$(sed -n 's/^Version: *//p' build/libodm.pc)
if [ "$pc" = "$version" ]; then
	ok "build/libodm.pc: Version $pc"
else
	fail "build/libodm.pc: Version '$pc', not $version"
fi

# The ABI: what the map exports is what the library exports is what the
# symbols file promises, under the same version node, for the same soname.
map=$(awk '/^[A-Z_0-9]+ *\{/ { node = $1 }
	   /global:/ { g = 1; next } /local:/ { g = 0 }
	   g && /;/ { gsub(/[ \t;]/, ""); print $0 "@" node }' lib/libodm.map | sort)
dyn=$(nm -D --defined-only build/libodm.so.1 | awk '$2 == "T" { print $3 }' |
	sed 's/@@/@/' | sort)
syms=$(sed -n 's/^ \([^ ]*\) .*/\1/p' debian/libodm1.symbols | grep -v '^\([A-Z_0-9]*\)@\1$' | sort)
nodes=$(sed -n 's/^ \([A-Z_0-9]*\)@\1 .*/\1/p' debian/libodm1.symbols | sort)
if [ -n "$map" ] && [ "$map" = "$dyn" ]; then
	ok "libodm.so.1 exports what lib/libodm.map says: $(echo $map)"
else
	fail "libodm.so.1 and lib/libodm.map differ:"
	diff <(echo "$map") <(echo "$dyn") | sed 's/^/    /'
fi
if [ "$map" = "$syms" ]; then
	ok "debian/libodm1.symbols lists exactly lib/libodm.map's symbols"
else
	fail "debian/libodm1.symbols and lib/libodm.map differ (< map, > symbols):"
	diff <(echo "$map") <(echo "$syms") | sed 's/^/    /'
fi
mapnodes=$(echo "$map" | sed 's/.*@//' | sort -u)
if [ "$mapnodes" = "$nodes" ]; then
	ok "debian/libodm1.symbols: version nodes $(echo $nodes)"
else
	fail "debian/libodm1.symbols: version nodes '$(echo $nodes)', map has '$(echo $mapnodes)'"
fi
soname=$(readelf -d build/libodm.so.1 | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
head=$(sed -n '1s/^\([^ ]*\) .*/\1/p' debian/libodm1.symbols)
if [ "$soname" = "$head" ] && [ "$soname" = "libodm.so.1" ]; then
	ok "soname $soname: debian/libodm1.symbols, package libodm1"
else
	fail "soname '$soname', debian/libodm1.symbols is for '$head'"
fi
# A symbol's minimal version cannot be newer than the package.
newer=$(sed -n 's/^ [^ ]* \([^ ]*\)$/\1/p' debian/libodm1.symbols |
	while read -r v; do
		dpkg --compare-versions "$v" le "$deb" 2>/dev/null || echo "$v"
	done)
if [ -z "$newer" ]; then
	ok "debian/libodm1.symbols: no minimal version newer than $deb"
else
	fail "debian/libodm1.symbols: versions newer than $deb: $newer"
fi

summary
