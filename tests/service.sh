#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# service.sh - odmd as a system tool, without loading anything: --version,
# the syslog priorities journald reads, the config file's errors, the man
# pages (no groff warnings) and systemd/odmd.service (systemd-analyze
# verify).  A check whose tool is missing is skipped with the reason.
#
#   bash tests/service.sh    (from the repository root, after make)
#
# Prints "ok NAME" / "FAIL NAME" / "skip NAME: why", then "N passed, N failed".
set -u

ODMD=build/odmd
. "$(dirname "$0")/lib/check.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# expect NAME WANT_RC PATTERN CMD...: CMD exits WANT_RC and its output
# (stdout and stderr) has the fixed string PATTERN.
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qF -- "$pat" "$TMP/out"; then
		ok "$name"
	else
		fail "$name" "rc=$rc (want $want), want '$pat' in:" "$(head -c 600 "$TMP/out")"
	fi
}

version=$(cat VERSION)		# the one version (Makefile, debian/changelog)
expect "--version prints the Makefile's version" 0 "odmd $version" $ODMD --version
expect "-V too" 0 "odmd $version" $ODMD -V

printf 'cgroup odm.slice\nsl-linger soon\n' >"$TMP/bad.conf"
expect "a bad option value: FILE:LINE, exit 1" 1 \
	"odmd: $TMP/bad.conf:2: invalid sl-linger 'soon' (expected 0 to 2592000)" \
	$ODMD --once --config "$TMP/bad.conf"
expect "a missing named file is an error" 1 "$TMP/none.conf: No such file or directory" \
	$ODMD --once --config "$TMP/none.conf"
if [ -e /etc/odm/odm.conf ]; then
	skip "a missing default file is no error: /etc/odm/odm.conf exists here"
else
	expect "a missing default file is no error" 2 \
		"--cgroup PATH is required, or a cgroup line in /etc/odm/odm.conf" $ODMD --once
fi

# The priorities: <3> on an error, with --syslog-prefix or when stderr is
# the stream $JOURNAL_STREAM names; plain otherwise.
expect "--syslog-prefix: <3> on an error" 1 "<3>odmd: $TMP/bad.conf:2:" \
	$ODMD --syslog-prefix --once --config "$TMP/bad.conf"
: >"$TMP/journal"
stream=$(stat -c '%d:%i' "$TMP/journal")
JOURNAL_STREAM=$stream $ODMD --once --config "$TMP/bad.conf" 2>>"$TMP/journal"
if grep -q "^<3>odmd: $TMP/bad.conf:2:" "$TMP/journal"; then
	ok "\$JOURNAL_STREAM naming stderr: <3>"
else
	fail "\$JOURNAL_STREAM naming stderr: <3>" "$(cat "$TMP/journal")"
fi
expect "\$JOURNAL_STREAM naming another file: an error still" 1 "$TMP/bad.conf:2:" \
	env JOURNAL_STREAM=1:1 $ODMD --once --config "$TMP/bad.conf"
if grep -q '^odmd: ' "$TMP/out" && ! grep -q '^<' "$TMP/out"; then
	ok "\$JOURNAL_STREAM naming another file: plain lines"
else
	fail "\$JOURNAL_STREAM naming another file: plain lines" "$(cat "$TMP/out")"
fi

# The man pages: no warnings from groff or man.
for page in man/odmd.8 man/odm.conf.5; do
	if ! command -v groff >/dev/null; then
		skip "$page: groff is not installed"
		continue
	fi
	if groff -man -ww -z "$page" >"$TMP/out" 2>&1 && [ ! -s "$TMP/out" ]; then
		ok "$page: groff -man -ww -z has no warnings"
	else
		fail "$page: groff warnings" "$(head -c 600 "$TMP/out")"
	fi
	if command -v man >/dev/null; then
		man -l --warnings "$page" 2>"$TMP/out" >/dev/null
		if [ ! -s "$TMP/out" ]; then
			ok "$page: man --warnings is quiet"
		else
			fail "$page: man warnings" "$(head -c 600 "$TMP/out")"
		fi
	fi
done

# The unit: systemd-analyze verify checks that ExecStart exists and that
# the Documentation= man pages do, so it reads a copy that runs the built
# odmd, with this tree's man pages on MANPATH.
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd/odmd.service: systemd-analyze is not installed"
else
	mkdir -p "$TMP/unit" "$TMP/man/man5" "$TMP/man/man8"
	cp man/odmd.8 "$TMP/man/man8/"
	cp man/odm.conf.5 "$TMP/man/man5/"
	sed "s|^ExecStart=/usr/sbin/odmd|ExecStart=$PWD/$ODMD|" systemd/odmd.service \
		>"$TMP/unit/odmd.service"
	if ! grep -q "^ExecStart=$PWD/$ODMD\$" "$TMP/unit/odmd.service"; then
		fail "systemd/odmd.service: ExecStart is /usr/sbin/odmd" \
			"$(grep ExecStart systemd/odmd.service)"
	elif MANPATH=$TMP/man SYSTEMD_LOG_LEVEL=notice \
		systemd-analyze verify "$TMP/unit/odmd.service" >"$TMP/out" 2>&1 &&
		[ ! -s "$TMP/out" ]; then
		ok "systemd/odmd.service: systemd-analyze verify"
	else
		fail "systemd/odmd.service: systemd-analyze verify" "$(head -c 1200 "$TMP/out")"
	fi
fi

summary
