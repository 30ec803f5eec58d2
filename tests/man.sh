#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# man.sh - the man pages in man/: each renders without a warning under
# groff and man-db, each link page (".so man3/setsc.3") points at a page that
# exists and names it, every function lib/libodm.map exports has a page, and
# make install puts them all where man finds them (make uninstall takes them
# away again).
#
#   bash tests/man.sh        (from the repository root; no root needed;
#                             groff-base and man-db: scripts/deps.sh)
#
# Prints "ok NAME" / "FAIL NAME" per case, then "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/lib/check.sh

# Run as a suite of `make test`: no -n or -j from the outer make.
unset MAKEFLAGS MAKELEVEL MFLAGS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# A fixed width and locale: the same warnings (or none) on every terminal.
export MANWIDTH=80 LC_ALL=C.UTF-8
unset MANPAGER PAGER MANOPT

for tool in groff man; do
	command -v $tool >/dev/null || { fail "$tool is not installed (scripts/deps.sh)"; }
done

# The target of a link page ("man3/setsc.3"), or nothing for a real page.
so_target() {
	sed -n '/^\.\\"/d; /^\.so /{ s/^\.so  *//p; q }; /^[^.]/q; /^\.[A-Za-z]/q' "$1"
}

# The names a page's NAME section gives, one a line ("setsc", "setsc_start"...).
page_names() {
	sed -n '/^\.SH  *"\{0,1\}NAME/,/^\.SH/{ /^\./d; p }' "$1" |
		sed 's/ *\\- .*//; s/\\//g; s/,/\n/g' | tr -d ' ' | grep .
}

pages=(man/*.[1-9])
[ -e "${pages[0]}" ] || pages=()
if [ ${#pages[@]} -gt 0 ]; then
	ok "man/: ${#pages[@]} pages"
else
	fail "man/: no pages"
fi

links=()
for p in "${pages[@]}"; do
	name=$(basename "$p")
	target=$(so_target "$p")
	if [ -n "$target" ]; then
		links+=("$p")
		# man resolves ".so man3/setsc.3" from the top of the man tree.
		src=man/$(basename "$target")
		if [ "${target%/*}" != "man${target##*.}" ]; then
			fail "$p: .so $target is not of the form manN/PAGE.N"
		elif [ ! -f "$src" ]; then
			fail "$p: .so $target: no $src"
		elif [ -n "$(so_target "$src")" ]; then
			fail "$p: .so $target: a link to a link"
		elif ! page_names "$src" | grep -qxF "${name%.*}"; then
			fail "$p: $src's NAME does not name ${name%.*} (whatis and apropos would not find it)"
		else
			ok "$p: link to $target, which names ${name%.*}"
		fi
		continue
	fi
	# A first line '\" t asks for tbl, as man-db reads it.
	pre=()
	head -n 1 "$p" | grep -q "^'\\\\\" *t" && pre=(-t)
	out=$(groff "${pre[@]}" -man -ww -z "$p" 2>&1)
	if [ -z "$out" ]; then
		ok "$p: groff -man -ww: no warning"
	else
		fail "$p: groff -man -ww:"
		echo "$out" | head -n 5 | sed 's/^/    /'
	fi
	out=$(man -l --warnings "$p" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		ok "$p: man -l --warnings: no warning"
	else
		fail "$p: man -l --warnings:"
		echo "$out" | head -n 5 | sed 's/^/    /'
	fi
	if [ -n "$(page_names "$p")" ]; then
		ok "$p: NAME: $(page_names "$p" | tr '\n' ' ')"
	else
		fail "$p: no NAME section that lexgrog/whatis could read"
	fi
done

# The public API, page by page: libodm.map's every global has one.
for f in $(sed -n '/global:/,/local:/{ /:/d; s/[ \t;]//gp }' lib/libodm.map); do
	if [ -f "man/$f.3" ]; then
		ok "libodm.map: $f has man/$f.3"
	else
		fail "libodm.map: $f has no man/$f.3"
	fi
done

# make install: each page in MANDIR/manN, where man finds it (link pages
# resolved), and make uninstall takes them all away.
root=$tmp/root
mandir=$root/usr/share/man
if out=$(make -s install DESTDIR="$root" PREFIX=/usr 2>&1); then
	ok "make install DESTDIR=$root PREFIX=/usr"
else
	fail "make install DESTDIR=$root PREFIX=/usr:"
	echo "$out" | tail -n 5 | sed 's/^/    /'
fi
for p in "${pages[@]}"; do
	name=$(basename "$p")
	sec=${name##*.}
	dest=$mandir/man$sec/$name
	if ! cmp -s "$p" "$dest"; then
		fail "make install: $p is not $dest"
		continue
	fi
	out=$(man --warnings -M "$mandir" "$sec" "${name%.*}" 2>&1 >"$tmp/page")
	if [ -n "$out" ] || ! grep -q . "$tmp/page"; then
		fail "man -M ... $sec ${name%.*}: ${out:-empty}"
	else
		ok "installed: man $sec ${name%.*} renders without a warning"
	fi
done
make -s uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>&1
left=$(find "$mandir" -type f 2>/dev/null)
if [ -z "$left" ]; then
	ok "make uninstall: no man page left"
else
	fail "make uninstall left: $left"
fi

summary
