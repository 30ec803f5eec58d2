#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# completion.sh - completion/odm and completion/odmd in bash: what each
# offers for a command line, as bash would ask it (COMP_WORDS, COMP_CWORD,
# then the function `complete -p` names), and that the words they offer
# are the ones the built odm and odmd take.
#
#   bash tests/completion.sh     (from the repository root, after make; no root)
#
# Prints "ok NAME" / "FAIL NAME" per case, then "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1

. tests/lib/check.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# complete_line LINE: COMPREPLY, one per line, for the cursor at the end of
# LINE, in a fresh bash that sourced both files (as bash-completion loads
# them).  COMP_WORDS as bash makes them: split at blanks and around '=' and
# ':' (COMP_WORDBREAKS), so "--dhcp6=lo" is --dhcp6 = lo.
complete_line() {
	bash --norc --noprofile -c '
		source completion/odm && source completion/odmd || exit 1
		COMP_LINE=$1
		COMP_POINT=${#COMP_LINE}
		COMP_WORDS=()
		for w in $(sed "s/\([=:]\+\)/ \1 /g" <<<"$COMP_LINE"); do
			COMP_WORDS+=("$w")
		done
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		fn=$(complete -p "${COMP_WORDS[0]##*/}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 1
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' completion.sh "$1" | sed '/^$/d' | sort
}

# expect LINE WORD...: the completions of LINE are exactly WORD... (any order).
expect() {
	local line=$1 got want
	shift
	got=$(complete_line "$line" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "'$line<TAB>' -> ${want:-nothing}"
	else
		fail "'$line<TAB>'" "got:  ${got:-nothing}" "want: ${want:-nothing}"
	fi
}

# expect_has LINE WORD...: the completions of LINE include each WORD.
expect_has() {
	local line=$1 got w missing=
	shift
	got=$(complete_line "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" || missing+=" $w"
	done
	if [ -z "$missing" ]; then
		ok "'$line<TAB>' offers $*"
	else
		fail "'$line<TAB>' lacks$missing" "got: $(tr '\n' ' ' <<<"$got")"
	fi
}

types=(fixed session-lasting non-persistent graceful-replacement)

# ---- odm ---------------------------------------------------------------------

expect "odm " prefix policy stats request exec monitor help version
expect "odm pr" prefix
expect "odm p" prefix policy
expect "odm -" -json -pretty -dir -help -Version
expect "odm -j s" stats
expect "odm -d /sys/fs/bpf/odm po" policy
expect "odm prefix " list show add del
expect "odm prefix a" add
expect "odm prefix list " type dev
expect "odm prefix list type " "${types[@]}"
expect "odm prefix list type F" FIXED_IPV6_ADDRESS
expect "odm prefix list type fixed " dev
expect "odm pre l ty non-persistent d" dev
expect_has "odm prefix list dev l" lo
expect "odm prefix add " ""
expect "odm prefix add 2001:db8:1::/64 " type dev
expect "odm prefix add 2001:db8:1::/64 type s" session-lasting
expect "odm prefix add 2001:db8:1::/64 type fixed dev lo " ""
# "prefix del" asks odm for its prefixes; readline replaces only what
# follows the last ':' of 2001:db8:1::/6, so that is what is offered.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/odm" <<'ODM'
#!/bin/sh
[ "$*" = "-j prefix list" ] &&
	echo '[{"prefix":"2001:db8:1::/64","type":"fixed"},{"prefix":"2001:db8:a1::/64"}]'
ODM
chmod +x "$tmp/bin/odm"
expect "$tmp/bin/odm prefix del " 2001:db8:1::/64 2001:db8:a1::/64
expect "$tmp/bin/odm prefix del 2001:db8:1::/6" /64
expect "odm policy " show set del
expect "odm policy set " cgroup
expect "odm policy del " cgroup
mkdir -p "$tmp/cg/app"
expect "odm policy set cgroup $tmp/cg/a" "$tmp/cg/app"
expect "odm policy set cgroup apps " default allow on-net rate max-held upgrade
expect "odm policy set cgroup apps default " "${types[@]}" none
expect "odm policy set cgroup apps allow fixed,n" fixed,non-persistent
expect "odm policy set cgroup apps allow a" all
expect "odm policy set cgroup apps on-net " allow deny
expect "odm policy set cgroup apps on-net allow " default allow rate max-held upgrade
expect "odm policy set cgroup apps rate 10 up" upgrade
expect "odm stats " show -o
expect "odm stats -o " text json prometheus
expect "odm exec -" --type --cgroup --user --
expect "odm exec --type " fixed session-lasting non-persistent graceful-replacement
expect_has "odm exec --user " root
expect_has "odm exec --type fixed -- " bash
expect "odm request " "${types[@]}"
expect "odm request fixed " on-net
expect "odm request fixed on-net " ""

# ---- odmd --------------------------------------------------------------------

expect "odmd --dh" --dhcp6 --dhcp6-option --dhcp6-untyped --dhcp6-max-rt
expect_has "odmd --dhcp6 l" lo
expect_has "odmd --dhcp6=l" lo
expect "odmd --iid " random stable
expect "odmd --dhcp6-untyped " all "${types[@]}"
expect "odmd --dhcp6-untyped fixed,s" fixed,session-lasting
expect "odmd --lifetime n" non-persistent:
expect "odmd --grace " ""
touch "$tmp/odm.conf"
expect "odmd --config $tmp/odm.c" "$tmp/odm.conf"
expect "odmd --pin-dir $tmp/c" "$tmp/cg"
expect "odmd --cgroup $tmp/cg/" "$tmp/cg/app"
expect "odmd -c $tmp/cg/" "$tmp/cg/app"

# ---- the binaries' own words -------------------------------------------------

# Every long option odmd --help names, completion offers.
if [ -x build/odmd ]; then
	offered=$(complete_line "odmd --")
	missing=
	for o in $(build/odmd --help | grep -o -- '--[a-z0-9-]*' | sort -u); do
		grep -qxF -- "$o" <<<"$offered" || missing+=" $o"
	done
	if [ -z "$missing" ]; then
		ok "odmd: every option of odmd --help is offered"
	else
		fail "odmd: options of odmd --help not offered:$missing"
	fi
else
	fail "odmd: build/odmd missing (make)"
fi

# Every keyword of `odm help` is offered somewhere above: objects,
# commands, policy and prefix keywords.
if [ -x build/odm ]; then
	offered=$( { complete_line "odm "; complete_line "odm prefix ";
		     complete_line "odm prefix list "; complete_line "odm policy ";
		     complete_line "odm policy set ";
		     complete_line "odm policy set cgroup x "; complete_line "odm request x ";
		     complete_line "odm stats -o "; complete_line "odm exec -"; } |
		   sort -u)
	missing=
	for k in $(build/odm help | sed -n 's/^ *\(Usage: \)\?odm //p' |
		   grep -o '\b[a-z][a-z-]*[a-z]\b' | sort -u); do
		case $k in
		allow | deny | none | all) ;;	# values, checked above
		user) ;;			# "--user USER": the option is offered
		*) grep -qxF -- "$k" <<<"$offered" || missing+=" $k" ;;
		esac
	done
	if [ -z "$missing" ]; then
		ok "odm: every keyword of odm help is offered"
	else
		fail "odm: keywords of odm help not offered:$missing"
	fi
else
	fail "odm: build/odm missing (make)"
fi

summary
