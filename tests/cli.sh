#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# cli.sh - the built odm CLI against a real, loaded odm: exit codes, the one
# "odm: " line on stderr, text and -j output, and that a failed command
# never changes a map.  Everything lives in its own network namespace,
# cgroup and pin directory, and is removed on exit.
#
#   bash tests/cli.sh        (root, from the repository root, after make)
#
# Prints "ok NAME" / "FAIL NAME" per case, then "N passed, N failed".
#
# odmd and odm run under `nsenter --net`, not `ip netns exec`: the latter
# remounts /sys, which hides bpffs and the cgroup2 mount.
#
# Compound checks are `check NAME eval '...'`: the single quotes are on
# purpose, so that the words expand when the check runs.
# shellcheck disable=SC2016,SC2034
set -u

ODM=build/odm
ODMD=build/odmd
NS=odmcli-$$
NSPATH=/run/netns/$NS
PEERNS=odmclipeer-$$
MON=
PIN=/sys/fs/bpf/odmcli-$$
CGNAME=odmcli-$$
CGROOT=
CG=
TMP=
. "$(dirname "$0")/lib/check.sh"
inputs=0	# commands run, bad ones included (a figure for tests/run.sh)

# ---- reporting ---------------------------------------------------------------

# check NAME COMMAND...: ok when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		fail "$name" "rc=$rc" "stdout: $(head -c 600 "$TMP/out")" \
			"stderr: $(head -c 600 "$TMP/err")"
	fi
}

# The suite's figure for tests/run.sh, then check.sh's totals.
cli_summary() {
	echo "figure: inputs $inputs"
	summary
}

# ---- set-up and clean-up -----------------------------------------------------

cleanup() {
	if [ -e "$PIN" ]; then
		"$ODMD" --unload --pin-dir "$PIN" >/dev/null 2>&1 ||
			echo "cli.sh: cannot unload $PIN" >&2
	fi
	if [ -n "$CG" ]; then
		[ -d "$CG/app" ] && rmdir "$CG/app"
		[ -d "$CG" ] && rmdir "$CG"
	fi
	if [ -n "$MON" ]; then
		kill "$MON" 2>/dev/null
		wait "$MON" 2>/dev/null
	fi
	ip netns del "$NS" >/dev/null 2>&1
	ip netns del "$PEERNS" >/dev/null 2>&1
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup() {
	[ "$(id -u)" -eq 0 ] || setup_fail "needs root"
	if [ ! -x "$ODM" ] || [ ! -x "$ODMD" ]; then
		setup_fail "build $ODM and $ODMD first (make)"
	fi
	command -v jq >/dev/null ||
		setup_fail "jq is missing: apt-get install -y jq (or scripts/deps.sh)"
	command -v nsenter >/dev/null || setup_fail "nsenter is missing (util-linux)"
	TMP=$(mktemp -d /tmp/odmcli.XXXXXX) || setup_fail "mktemp"

	CGROOT=$(cgroup2_root)
	if [ -z "$CGROOT" ] || [ ! -d "$CGROOT" ]; then
		setup_fail "no cgroup2 mount in /proc/self/mountinfo"
	fi
	mkdir "$CGROOT/$CGNAME" || setup_fail "cannot create $CGROOT/$CGNAME"
	CG=$CGROOT/$CGNAME
	mkdir "$CG/app" || setup_fail "cannot create $CG/app"

	ip netns add "$NS" || setup_fail "ip netns add $NS"
	if ! { ip -n "$NS" link set lo up &&
	       ip -n "$NS" link add veth0 type veth peer name veth1 &&
	       ip -n "$NS" link set veth0 up &&
	       ip -n "$NS" link set veth1 up &&
	       ip -n "$NS" addr add 2001:db8:1::10/64 dev veth0 nodad; }; then
		setup_fail "cannot set up the links in $NS"
	fi

	# No graceful-replacement prefix, so that listing one gives [].
	cat >"$TMP/odm.conf" <<-EOF
	# odm configuration for tests/cli.sh
	prefix 2001:db8:1::/64 type fixed dev veth0
	prefix 2001:db8:5::/64 type session-lasting
	default non-persistent
	EOF
	nsenter --net="$NSPATH" "$ODMD" --once --cgroup "$CG" --config "$TMP/odm.conf" \
		--pin-dir "$PIN" >"$TMP/odmd.log" 2>&1 ||
		setup_fail "odmd did not load:" "$(cat "$TMP/odmd.log")"
}

# ---- running the CLI ---------------------------------------------------------

rc=0
seen=

# odm ARGS...: run the CLI in the namespace on our pins; sets rc, leaves
# stdout and stderr in $TMP/out and $TMP/err.
odm() {
	inputs=$((inputs + 1))
	nsenter --net="$NSPATH" "$ODM" -d "$PIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# odm_nopin ARGS...: the same without our -d.
odm_nopin() {
	inputs=$((inputs + 1))
	nsenter --net="$NSPATH" "$ODM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

out() { cat "$TMP/out"; }
err() { cat "$TMP/err"; }

# A failure as the CLI must report it: exit code, exactly one line on
# stderr that starts with "odm: ", nothing on stdout.
is_failure() {
	local want=$1

	[ "$rc" -eq "$want" ] &&
		[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		[ "$(head -c 5 "$TMP/err")" = "odm: " ] &&
		[ ! -s "$TMP/out" ]
}

is_success() {
	[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]
}

err_has() {
	grep -qF -- "$1" "$TMP/err"
}

out_json() {
	jq -e "$@" "$TMP/out" >/dev/null 2>&1
}

# The prefix map as JSON, without what changes on its own (ages, lifetimes).
snapshot() {
	nsenter --net="$NSPATH" "$ODM" -d "$PIN" -j prefix list |
		jq -S 'map(del(.age_s, .addr_age_s, .valid_lft, .preferred_lft))' 2>/dev/null
}

# bad CODE ARGS...: a command that must fail before touching anything.
bad() {
	local want=$1
	shift
	odm "$@"
	local words=
	[ $# -gt 0 ] && words=$(printf ' %q' "$@")
	check "bad input ($want): odm$words" is_failure "$want"
}

# ---- cases -------------------------------------------------------------------

test_bad_input() {
	local before after

	before=$(snapshot)
	# unknown object, command, keyword, option
	bad 2
	bad 2 --
	bad 2 route
	bad 2 prefixes
	bad 2 ""
	bad 2 -- -j stats
	bad 2 prefix flush
	bad 2 policy add
	bad 2 prefix list fixed
	bad 2 prefix list -j
	bad 2 prefix add 2001:db8:9::/64 type fixed via x
	bad 2 -x stats
	bad 2 --verbose stats
	bad 2 -jp stats
	# missing values
	bad 2 prefix add
	bad 2 prefix del
	bad 2 prefix add 2001:db8:9::/64
	bad 2 prefix add 2001:db8:9::/64 dev veth0
	bad 2 prefix add 2001:db8:9::/64 type
	bad 2 prefix list type
	bad 2 prefix list dev
	bad 2 policy set
	bad 2 policy set cgroup
	bad 2 policy set cgroup "$CGNAME/app"
	bad 2 policy set cgroup "$CGNAME/app" default
	bad 2 policy del cgroup
	bad 2 -d
	# repeated keywords
	bad 2 prefix list type fixed type fixed
	bad 2 prefix list dev veth0 dev veth1
	bad 2 prefix add 2001:db8:9::/64 type fixed type fixed
	# bad prefixes
	bad 1 prefix add 2001:db8:9::1/64 type fixed
	bad 1 prefix add 2001:db8:9::/129 type fixed
	bad 1 prefix add garbage/64 type fixed
	bad 1 prefix add 2001:db8:9:: type fixed
	bad 1 prefix add "" type fixed
	bad 1 prefix del 2001:db8:1::1/64
	# bad types
	bad 1 prefix add 2001:db8:9::/64 type bogus
	bad 1 prefix add 2001:db8:9::/64 type none
	bad 1 prefix list type 5
	bad 1 policy set cgroup "$CGNAME/app" default bogus
	# bad interface names
	bad 1 prefix list dev abcdefghijklmnop
	bad 1 prefix list dev a/b
	bad 1 prefix list dev ""
	bad 1 prefix add 2001:db8:9::/64 type fixed dev ../veth0
	# relative pin directory
	bad 1 -d odm stats
	# trailing arguments
	bad 2 prefix del 2001:db8:1::/64 type fixed
	bad 2 policy show extra
	bad 2 policy set cgroup "$CGNAME/app" default fixed extra
	bad 2 policy del cgroup "$CGNAME/app" default
	bad 2 stats extra
	bad 2 stats show extra
	after=$(snapshot)
	check "bad input leaves the prefix map unchanged" eval \
		'[ -n "$before" ] && [ "$before" = "$after" ]'
}

test_not_loaded() {
	odm_nopin -d /sys/fs/bpf/does-not-exist prefix list
	check "not loaded: exit 1, one line" is_failure 1
	check "not loaded: message says so" err_has "odm is not loaded"
}

# With -j a failure is one JSON object on stdout, {"error", "errno"},
# nothing on stderr, and the exit code is the same as without -j.
is_json_failure() {
	local want_rc=$1 want_errno=$2

	[ "$rc" -eq "$want_rc" ] && [ ! -s "$TMP/err" ] &&
		[ "$(wc -l <"$TMP/out")" -eq 1 ] &&
		jq -e --argjson n "$want_errno" \
			'keys == ["errno", "error"] and (.error | type == "string" and
			 length > 0) and .errno == $n' "$TMP/out" >/dev/null 2>&1
}

test_json_errors() {
	odm -j
	check "-j usage error: JSON on stdout, errno EINVAL, exit 2" is_json_failure 2 22
	odm -j prefix flush
	check "-j unknown command: JSON, exit 2" is_json_failure 2 22
	odm_nopin -d /sys/fs/bpf/does-not-exist -j stats
	check "-j not loaded: JSON, errno ENOENT, exit 1" is_json_failure 1 2
	check "-j not loaded: the message says so" out_json '.error | contains("odm is not loaded")'
	odm -j prefix del 2001:db8:4::/64
	check "-j prefix del missing: JSON, errno ENOENT" is_json_failure 1 2
	odm -j prefix add 2001:db8:1::/64 type fixed
	check "-j prefix add existing: JSON, errno EEXIST" is_json_failure 1 17
	odm -j -p prefix del 2001:db8:4::/64
	check "-j -p failure: still one JSON object" is_json_failure 1 2
	odm -j prefix list
	check "-j success: no error key" eval 'is_success && out_json "type == \"array\""'
}

# JSON null means "there is none", never "forever".
test_null_rule() {
	odm -j prefix list
	check "null rule: a fixed prefix's infinite lifetime is 4294967295" out_json \
		'.[] | select(.prefix == "2001:db8:1::/64") | .valid_lft == 4294967295 and
		 .preferred_lft == 4294967295'
	check "null rule: a prefix without an address has null address and lifetimes" out_json \
		'.[] | select(.prefix == "2001:db8:5::/64") | .address == null and
		 .valid_lft == null and .preferred_lft == null and .dev == null'
	odm -j policy show
	check "null rule: a policy without an allow list has allow null" out_json \
		".policies[] | select(.cgroup == \"/$CGNAME\") | .allow == null"
}

test_prometheus() {
	local bad_lines names

	odm stats -o prometheus
	check "stats -o prometheus: exit 0" is_success
	bad_lines=$(grep -Ev '^# (HELP|TYPE) odm_[a-z0-9_]+ .+$|^odm_[a-z0-9_]+(\{[a-z_]+="[a-z-]+"(,[a-z_]+="[a-z-]+")*\})? [0-9]+$' "$TMP/out")
	check "stats -o prometheus: every line is exposition format" [ -z "$bad_lines" ]
	check "stats -o prometheus: counters end in _total and are typed counter" eval \
		'grep -q "^# TYPE odm_setsc_ok_total counter$" "$TMP/out" &&
		 ! grep "^# TYPE" "$TMP/out" | grep " counter$" | grep -vq "_total counter$"'
	for names in dhcp6_solicit_sent dhcp6_request_sent dhcp6_renew_sent dhcp6_rebind_sent \
		     dhcp6_release_sent dhcp6_reply_received dhcp6_acquire_failed; do
		check "stats -o prometheus: odm_${names}_total with HELP" eval \
			"grep -q '^# HELP odm_${names}_total .' \"\$TMP/out\" &&
			 grep -q '^odm_${names}_total [0-9]*$' \"\$TMP/out\""
	done
	check "stats -o prometheus: prefixes gauge, the valid fixed one" \
		grep -q '^odm_prefixes{type="fixed",state="valid"} 1$' "$TMP/out"
	odm -j stats
	check "stats -j has the DHCPv6 counters" out_json \
		'.counters | has("dhcp6_solicit_sent") and has("dhcp6_reply_received")'
	odm stats -o json
	check "stats -o json is -j" eval 'is_success && out_json ".counters.setsc_ok | type == \"number\""'
	bad 2 stats -o bogus
	bad 2 stats -o
	odm -j stats -o prometheus
	check "-j stats -o prometheus: two formats, a JSON usage error" is_json_failure 2 22
}

# A peer in a namespace of its own, reached over veth2 <-> veth3; the host
# side's own address 2001:db8:f::2 is what the kernel picks without odm.
peer_setup() {
	ip netns add "$PEERNS" &&
		ip -n "$NS" link add veth2 type veth peer name veth3 netns "$PEERNS" &&
		ip -n "$NS" link set veth2 up &&
		ip -n "$PEERNS" link set lo up &&
		ip -n "$PEERNS" link set veth3 up &&
		ip -n "$NS" addr add 2001:db8:f::2/64 dev veth2 nodad &&
		ip -n "$PEERNS" addr add 2001:db8:f::1/64 dev veth3 nodad &&
		ip -n "$PEERNS" -6 route add 2001:db8::/32 via 2001:db8:f::2
}

# seen_by_peer CMD...: run a TCP server in the peer namespace, CMD (which
# connects to [2001:db8:f::1]:7000) in ours; sets rc and seen, the address
# the peer saw.
PEER_SERVER='
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:f::1", 7000)); s.listen(1)
print("ready", flush=True)
s.settimeout(20)
c, a = s.accept(); print(a[0], flush=True)'
CLIENT='import socket; socket.create_connection(("2001:db8:f::1", 7000), timeout=10).close()'

seen_by_peer() {
	local i

	nsenter --net="/run/netns/$PEERNS" /usr/bin/python3 -c "$PEER_SERVER" >"$TMP/peer" 2>&1 &
	local server=$!
	for i in $(seq 100); do
		grep -q ready "$TMP/peer" && break
		sleep 0.1
	done
	nsenter --net="$NSPATH" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	wait "$server"
	seen=$(sed -n 2p "$TMP/peer")
}

test_exec() {
	local cgdir=$CG/odm-exec.fixed

	if ! peer_setup; then
		fail "exec: peer namespace"
		return
	fi
	seen_by_peer /usr/bin/python3 -c "$CLIENT"
	check "exec: without odm the peer sees the kernel's choice" [ "$seen" = 2001:db8:f::2 ]
	inputs=$((inputs + 1))
	seen_by_peer "$ODM" -d "$PIN" exec --type fixed -- /usr/bin/python3 -c "$CLIENT"
	check "exec --type fixed: exit 0" is_success
	check "exec --type fixed: an unmodified client's peer sees the fixed address" \
		[ "$seen" = 2001:db8:1::10 ]
	check "exec: the empty cgroup is removed afterwards" [ ! -e "$cgdir" ]
	check "exec: and its policy" [ "$(policy_of "/$CGNAME/odm-exec.fixed")" = absent ]

	inputs=$((inputs + 1))
	seen_by_peer "$ODM" -d "$PIN" exec --type fixed --user nobody -- \
		/usr/bin/python3 -c "import os; assert os.getuid() == 65534; $CLIENT"
	check "exec --user nobody: runs as nobody, typed" eval \
		'is_success && [ "$seen" = 2001:db8:1::10 ]'

	# The command's own cgroup and exit status; a cgroup in use is left.
	odm exec --type fixed --cgroup app/sub -- sh -c 'cat /proc/self/cgroup; exit 7'
	check "exec: the command's exit status (7)" [ "$rc" -eq 7 ]
	check "exec --cgroup app/sub: the command ran below odm's cgroup" \
		grep -qx "0::/$CGNAME/app/sub" "$TMP/out"
	check "exec --cgroup app/sub: removed when empty" [ ! -e "$CG/app/sub" ]
	odm exec --type non-persistent --cgroup app -- sh -c 'sleep 30 & echo $! > '"$TMP/bg"
	check "exec: exit 0 with a process left behind" is_success
	check "exec: a cgroup still holding processes is left" [ -d "$CG/app" ]
	check "exec: with its default type" [ "$(policy_of "/$CGNAME/app")" = non-persistent ]
	kill "$(cat "$TMP/bg")" 2>/dev/null
	odm policy del cgroup "$CGNAME/app"
	odm exec -- sh -c 'kill -TERM $$'
	check "exec: killed by SIGTERM exits 143" [ "$rc" -eq 143 ]
	odm exec -- /nonexistent/cmd
	check "exec: a missing command exits 127, one line" eval \
		'[ "$rc" -eq 127 ] && err_has "/nonexistent/cmd"'

	bad 2 exec --type bogus -- true
	bad 2 exec --user no-such-user-odm -- true
	bad 2 exec --cgroup /elsewhere/x -- true
	bad 2 exec --cgroup ../x -- true
	bad 2 exec --bogus -- true
	bad 2 exec --type fixed
	bad 2 exec --type fixed --
	check "exec: failures left no cgroup" eval \
		'[ ! -e "$CG/odm-exec.fixed" ] && [ ! -e "$CG/x" ]'
	odm -j exec --user no-such-user-odm -- true
	check "-j exec with a bad user: JSON error, exit 2" is_json_failure 2 3
}

# wait_for FILE JQ: until a line of FILE (JSON Lines) matches (20 s at most).
wait_for() {
	local i

	for i in $(seq 200); do
		jq -e "select($2)" "$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

test_monitor() {
	local mon=$TMP/mon.json i

	nsenter --net="$NSPATH" "$ODM" -d "$PIN" -j monitor >"$mon" 2>"$TMP/mon.err" &
	MON=$!
	# The note comes after the first sample: from then on changes count.
	for i in $(seq 200); do
		grep -q "map changes only" "$TMP/mon.err" && break
		sleep 0.1
	done
	check "monitor: says odmd is not running (odmd --once)" \
		grep -q "no odmd serves" "$TMP/mon.err"
	ip -n "$NS" addr add 2001:db8:2::20/64 dev veth0 nodad
	odm prefix add 2001:db8:2::/64 type non-persistent dev veth0
	check "monitor: prefix_added" wait_for "$mon" \
		'.event == "prefix_added" and .prefix == "2001:db8:2::/64" and
		 .type == "non-persistent" and .address == "2001:db8:2::20" and .dev == "veth0" and
		 .state == "valid" and .source == "cli"'
	check "monitor: selected non-persistent" wait_for "$mon" \
		'.event == "selected" and .type == "non-persistent" and
		 .address == "2001:db8:2::20" and .prefix == "2001:db8:2::/64"'
	odm policy set cgroup "$CGNAME/app" default fixed allow fixed,session-lasting
	check "monitor: policy_set" wait_for "$mon" \
		".event == \"policy_set\" and .cgroup == \"/$CGNAME/app\" and
		 .default_type == \"fixed\" and .allow == [\"fixed\", \"session-lasting\"]"
	odm policy del cgroup "$CGNAME/app"
	check "monitor: policy_removed" wait_for "$mon" \
		".event == \"policy_removed\" and .cgroup == \"/$CGNAME/app\""
	odm prefix del 2001:db8:2::/64
	check "monitor: prefix_removed" wait_for "$mon" \
		'.event == "prefix_removed" and .prefix == "2001:db8:2::/64"'
	check "monitor: selected non-persistent none (null)" wait_for "$mon" \
		'.event == "selected" and .type == "non-persistent" and .address == null'
	ip -n "$NS" addr del 2001:db8:2::20/64 dev veth0
	kill -TERM "$MON"
	wait "$MON"
	rc=$?
	MON=
	check "monitor: SIGTERM ends it with 0" [ "$rc" -eq 0 ]
	check "monitor -j: every line is one JSON object with an event" eval \
		'[ -s "$mon" ] && jq -s -e "all(.[]; type == \"object\" and (.event | type == \"string\"))" \
			"$mon" >/dev/null && [ "$(wc -l <"$mon")" -eq "$(jq -c . "$mon" | wc -l)" ]'

	# Text: one line per event, in ip monitor's manner.
	nsenter --net="$NSPATH" "$ODM" -d "$PIN" monitor >"$TMP/mon.txt" 2>"$TMP/mon.err" &
	MON=$!
	for i in $(seq 200); do
		grep -q "map changes only" "$TMP/mon.err" && break
		sleep 0.1
	done
	odm policy set cgroup "$CGNAME/app" default session-lasting
	for i in $(seq 200); do
		grep -q "^policy set" "$TMP/mon.txt" && break
		sleep 0.1
	done
	odm policy del cgroup "$CGNAME/app"
	kill -TERM "$MON"
	wait "$MON"
	MON=
	check "monitor (text): policy set line" \
		grep -Eq "^policy set cgroup /$CGNAME/app id [0-9]+ default session-lasting " \
		"$TMP/mon.txt"
	bad 2 monitor extra
}

test_help_version() {
	odm help
	check "help: exit 0, usage on stdout" eval 'is_success && grep -q "^Usage: odm" "$TMP/out"'
	odm -V
	check "version: exit 0" eval 'is_success && grep -q "^odm [0-9]" "$TMP/out"'
}

test_config_loaded() {
	odm -j prefix list
	check "config: prefix list -j is an array of 2" eval \
		'is_success && out_json "type == \"array\" and length == 2"'
	check "config: 2001:db8:1::/64 fixed, veth0, valid, 2001:db8:1::10" out_json \
		'.[] | select(.prefix == "2001:db8:1::/64") | .type == "fixed" and
		 .dev == "veth0" and .state == "valid" and .address == "2001:db8:1::10" and
		 .source == "config"'
	check "config: 2001:db8:5::/64 any dev, no address" out_json \
		'.[] | select(.prefix == "2001:db8:5::/64") | .dev == null and
		 .address == null and .state == "no-address"'
}

test_prefix_roundtrip() {
	local p=2001:db8:2::/64 before after entry

	ip -n "$NS" addr add 2001:db8:2::20/64 dev veth0 nodad
	odm prefix add "$p" type non-persistent dev veth0
	check "prefix add $p: exit 0, silent" eval 'is_success && [ ! -s "$TMP/out" ]'

	odm prefix list
	# columns: prefix type dev address state selected source
	check "prefix list (text) shows $p" eval 'is_success &&
		grep -E "^$p +non-persistent +veth0 +2001:db8:2::20 +valid +true +cli" \
		     "$TMP/out" >/dev/null'
	check "prefix list (text) has a header" eval 'head -n 1 "$TMP/out" | grep -q "^PREFIX"'

	odm -j prefix list
	check "prefix list -j is valid JSON" eval 'is_success && out_json .'
	check "prefix list -j: $p non-persistent, cli, veth0" out_json \
		'.[] | select(.prefix == "2001:db8:2::/64") | .type == "non-persistent" and
		 .type_id == 3 and .source == "cli" and .dev == "veth0"'
	check "prefix list -j: $p found 2001:db8:2::20, valid" out_json \
		'.[] | select(.prefix == "2001:db8:2::/64") | .state == "valid" and
		 .address == "2001:db8:2::20"'
	check "prefix list -j: $p selected (only non-persistent)" out_json \
		'.[] | select(.prefix == "2001:db8:2::/64") | .selected == true'
	check "prefix list -j without -p is one line" [ "$(wc -l <"$TMP/out")" -le 1 ]

	before=$(snapshot)
	entry=$(echo "$before" | jq -c '.[] | select(.prefix == "2001:db8:2::/64")')
	odm prefix add "$p" type fixed
	check "prefix add existing: exit 1, one line" is_failure 1
	check "prefix add existing: message names it" err_has "$p already exists"
	after=$(snapshot)
	check "prefix add existing: entry unchanged" eval \
		'[ -n "$entry" ] && [ "$before" = "$after" ]'

	odm prefix add 2001:db8:3::/64 type fixed dev nosuch0
	check "prefix add on a missing interface: exit 1" is_failure 1
	check "prefix add on a missing interface: names it" err_has "nosuch0"
	after=$(snapshot)
	check "prefix add on a missing interface: map unchanged" [ "$before" = "$after" ]

	odm prefix del 2001:db8:4::/64
	check "prefix del missing: exit 1, one line" is_failure 1
	check "prefix del missing: message names it" err_has "2001:db8:4::/64"
	after=$(snapshot)
	check "prefix del missing: map unchanged" [ "$before" = "$after" ]

	odm prefix del "$p"
	check "prefix del $p: exit 0, silent" eval 'is_success && [ ! -s "$TMP/out" ]'
	odm -j prefix list
	check "prefix del $p: gone" eval 'is_success &&
		out_json "length == 2 and all(.[]; .prefix != \"2001:db8:2::/64\")"'
	odm prefix del "$p"
	check "prefix del $p again: exit 1" is_failure 1
	ip -n "$NS" addr del 2001:db8:2::20/64 dev veth0
}

test_filters() {
	odm -j prefix list type fixed
	check "prefix list type fixed: only fixed" eval 'is_success &&
		out_json "length == 1 and .[0].prefix == \"2001:db8:1::/64\" and
			  all(.[]; .type == \"fixed\")"'
	odm -j prefix list dev veth0
	check "prefix list dev veth0: only veth0" eval 'is_success &&
		out_json "length == 1 and all(.[]; .dev == \"veth0\")"'
	odm -j prefix list dev veth1
	check "prefix list dev veth1: []" eval 'is_success && out_json ". == []"'
	odm -j prefix list dev veth0 type session-lasting
	check "prefix list dev veth0 type session-lasting: []" eval \
		'is_success && out_json ". == []"'
	odm -j prefix list type graceful-replacement
	check "prefix list type graceful-replacement: []" eval 'is_success && out_json ". == []"'
	odm prefix list type graceful-replacement
	check "prefix list type graceful-replacement (text): header only" eval \
		'is_success && [ "$(wc -l <"$TMP/out")" -eq 1 ]'
	odm pre l ty fixed
	check "odm pre l ty fixed (text)" eval 'is_success &&
		grep -q "^2001:db8:1::/64 " "$TMP/out" && ! grep -q "^2001:db8:5::" "$TMP/out"'
	odm prefix show d veth0 t 1
	check "odm prefix show d veth0 t 1 (text)" eval 'is_success &&
		grep -q "^2001:db8:1::/64 " "$TMP/out" && ! grep -q "^2001:db8:5::" "$TMP/out"'
}

test_json() {
	local what

	for what in "prefix list" "policy show" "stats"; do
		# shellcheck disable=SC2086 # split the command on purpose
		odm -j $what
		check "-j $what: valid JSON" eval 'is_success && out_json .'
		# shellcheck disable=SC2086
		odm --json $what
		check "--json $what: valid JSON" eval 'is_success && out_json .'
		# shellcheck disable=SC2086
		odm -j -p $what
		check "-j -p $what: valid, pretty JSON" eval \
			'is_success && out_json . && [ "$(wc -l <"$TMP/out")" -gt 1 ]'
	done
	odm -j policy show
	check "policy show -j: policies is an array" out_json '.policies | type == "array"'
	check "policy show -j: attached to our cgroup" out_json \
		".attached_cgroup == \"/$CGNAME\""
	odm -j stats
	check "stats -j: counters has setsc_ok" out_json \
		'.counters | type == "object" and has("setsc_ok") and
		 (.setsc_ok | type == "number")'
	odm stats
	check "stats (text): setsc_ok line" eval 'is_success && grep -q "^setsc_ok " "$TMP/out"'
}

# policy_of CGPATH: the default_type odm shows for a cgroup, or "absent".
policy_of() {
	nsenter --net="$NSPATH" "$ODM" -d "$PIN" -j policy show |
		jq -r --arg cg "$1" \
			'[.policies[] | select(.cgroup == $cg) | .default_type] |
			 if length == 0 then "absent" else join(",") end'
}

test_policy() {
	local app=/$CGNAME/app before after

	check "config default: non-persistent on /$CGNAME" \
		[ "$(policy_of "/$CGNAME")" = "non-persistent" ]

	odm policy set cgroup "$CGNAME/app" default fixed
	check "policy set (relative path): exit 0" is_success
	check "policy show lists it as fixed" [ "$(policy_of "$app")" = "fixed" ]
	odm policy show
	check "policy show (text) lists it" eval 'is_success &&
		grep -E "^$app +[0-9]+ +fixed" "$TMP/out" >/dev/null'

	odm policy set cgroup "$CG/app" default session-lasting
	check "policy set (absolute path): exit 0" is_success
	check "policy show: replaced by session-lasting" \
		[ "$(policy_of "$app")" = "session-lasting" ]

	odm policy set cgroup "$app" default graceful
	check "policy set (relative with /): exit 0" is_success
	check "policy show: graceful-replacement" \
		[ "$(policy_of "$app")" = "graceful-replacement" ]

	odm policy set cgroup "$CGNAME/app" default none
	check "policy set default none: exit 0" is_success
	check "policy set default none: removed" [ "$(policy_of "$app")" = "absent" ]
	odm policy set cgroup "$CGNAME/app" default none
	check "policy set default none without a policy: exit 0" is_success

	odm policy set cgroup "$CGNAME/app" default 3
	odm policy del cgroup "$CG/app"
	check "policy del: exit 0" is_success
	check "policy del: removed" [ "$(policy_of "$app")" = "absent" ]
	odm policy del cgroup "$CG/app"
	check "policy del without a policy: exit 1, one line" is_failure 1

	before=$(nsenter --net="$NSPATH" "$ODM" -d "$PIN" -j policy show)
	odm policy set cgroup "$CGNAME/nope" default fixed
	check "policy set on a missing cgroup: exit 1, one line" is_failure 1
	check "policy set on a missing cgroup: names the path" err_has "$CGNAME/nope"
	odm policy set cgroup "$CG/nope" default fixed
	check "policy set on a missing absolute cgroup: exit 1" is_failure 1
	check "policy set on a missing absolute cgroup: names the path" err_has "$CG/nope"
	odm policy set cgroup /proc default fixed
	check "policy set on a non-cgroup directory: exit 1" is_failure 1
	after=$(nsenter --net="$NSPATH" "$ODM" -d "$PIN" -j policy show)
	check "failed policy commands leave the policies unchanged" [ "$before" = "$after" ]
}

setup
test_bad_input
test_not_loaded
test_help_version
test_config_loaded
test_prefix_roundtrip
test_filters
test_json
test_policy
test_json_errors
test_null_rule
test_prometheus
test_exec
test_monitor
cli_summary
