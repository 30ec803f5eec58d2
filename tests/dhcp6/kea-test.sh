#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# kea-test.sh - odmd's DHCPv6 prefix-delegation client (loader/dhcp6.c)
# against a real kea-dhcp6 in two throw-away network namespaces:
#
#   [host ns] vh<pid> fe80::2 ---- veth ---- fe80::1 vn<pid> [net ns: kea-dhcp6]
#
# Kea classifies on the top-level continuity option (option 65000) and has
# a pd-pool per class, none for Graceful-replacement.  Lifetimes are short
# (preferred 4 s, valid 8 s, T1 2 s, T2 3 s) so a renewal happens in the
# test.  Needs root, kea-dhcp6 and build/libodm-core.a (make all).
# Prints "ok NAME"/"FAIL NAME" lines and ends with "N passed, N failed".
set -u

cd "$(dirname "$0")/../.." || exit 1
KEA=${KEA:-/usr/sbin/kea-dhcp6}
CC=${CC:-cc}
NETNS=odm6n-$$
HOSTNS=odm6h-$$
VN=vn$$
VH=vh$$
TMP=
KEA_PID=
passed=0
failed=0

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
in_net() { nsenter --net=/run/netns/$NETNS "$@"; }
in_host() { nsenter --net=/run/netns/$HOSTNS "$@"; }

cleanup() {
	stop_kea
	ip netns del $NETNS 2>/dev/null
	ip netns del $HOSTNS 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}

stop_kea() {
	if [ -n "$KEA_PID" ]; then
		kill "$KEA_PID" 2>/dev/null
		wait "$KEA_PID" 2>/dev/null
		KEA_PID=
	fi
}

# Counts the driver's ok/FAIL lines; keeps its "# key value" lines in $TMP/out.
tally() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) echo "$line"; passed=$((passed + 1)) ;;
		"FAIL "*) echo "$line"; failed=$((failed + 1)) ;;
		"# "*) echo "$line" >>"$TMP/out" ;;
		esac
	done
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}

if [ "$(id -u)" != 0 ] || [ ! -x "$KEA" ]; then
	echo "kea-test: needs root and $KEA" >&2
	fail setup "not root or no kea-dhcp6"
	finish
fi
trap cleanup EXIT
trap 'exit 1' INT TERM

TMP=$(mktemp -d /tmp/odm-kea-test.XXXXXX) || exit 1
mkdir -p "$TMP/run" /run/kea

# ---- the driver -----------------------------------------------------------------
CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2"
if [ ! -f build/libodm-core.a ]; then
	make -s build/libodm-core.a >/dev/null || { fail build "libodm-core.a"; finish; }
fi
# A library built with make SANITIZE=1 needs the same runtime in the driver.
if nm build/libodm-core.a 2>/dev/null | grep -q __asan_init; then
	CFLAGS="$CFLAGS -fsanitize=address,undefined -fno-omit-frame-pointer"
fi
if $CC $CFLAGS -O2 -g -Ilib -Icore -Ibpf -o "$TMP/driver" tests/dhcp6/dhcp6_kea_test.c \
	loader/dhcp6*.c loader/log.c build/libodm-core.a -lbpf -lelf -lz; then
	ok build_driver
else
	fail build_driver
	finish
fi

# ---- namespaces ------------------------------------------------------------------
setup_ns() {
	ip netns add $NETNS && ip netns add $HOSTNS &&
	ip link add $VN netns $NETNS type veth peer name $VH netns $HOSTNS || return 1
	# Fixed link-local addresses without DAD: nothing waits for tentative addresses.
	in_net sh -ec "ip link set lo up
		ip link set $VN addrgenmode none address 02:00:00:00:6e:01 up
		ip addr add fe80::1/64 dev $VN nodad" &&
	in_host sh -ec "ip link set lo up
		ip link set $VH addrgenmode none address 02:00:00:00:68:01 up
		ip addr add fe80::2/64 dev $VH nodad"
}
if setup_ns; then ok namespaces; else fail namespaces; finish; fi

# ---- kea ---------------------------------------------------------------------------
cat >"$TMP/kea.json" <<EOF
{
"Dhcp6": {
	"interfaces-config": { "interfaces": [ "$VN" ] },
	"server-id": { "type": "LL", "persist": false },
	"lease-database": {
		"type": "memfile", "persist": true, "lfc-interval": 0,
		"name": "$TMP/kea-leases6.csv"
	},
	"preferred-lifetime": 4,
	"valid-lifetime": 8,
	"renew-timer": 2,
	"rebind-timer": 3,
	"client-classes": [
		{ "name": "odm-non-persistent", "test": "option[65000].hex == 0x01",
		  "option-data": [ { "code": 65000, "space": "dhcp6", "csv-format": false,
				"data": "01", "always-send": true } ] },
		{ "name": "odm-session-lasting", "test": "option[65000].hex == 0x02",
		  "option-data": [ { "code": 65000, "space": "dhcp6", "csv-format": false,
				"data": "02", "always-send": true } ] },
		{ "name": "odm-fixed", "test": "option[65000].hex == 0x03",
		  "option-data": [ { "code": 65000, "space": "dhcp6", "csv-format": false,
				"data": "03", "always-send": true } ] }
	],
	"subnet6": [ {
		"id": 1,
		"subnet": "2001:db8::/32",
		"interface": "$VN",
		"pd-pools": [
			{ "prefix": "2001:db8:a100::", "prefix-len": 40, "delegated-len": 64,
			  "client-class": "odm-non-persistent" },
			{ "prefix": "2001:db8:5100::", "prefix-len": 40, "delegated-len": 64,
			  "client-class": "odm-session-lasting" },
			{ "prefix": "2001:db8:f000::", "prefix-len": 40, "delegated-len": 64,
			  "client-class": "odm-fixed" }
		]
	} ],
	"loggers": [ {
		"name": "kea-dhcp6",
		"output_options": [ { "output": "$TMP/kea.log" } ],
		"severity": "INFO"
	} ]
}
}
EOF

start_kea() {
	local i
	# Kea opens its sockets once, at start, and skips for good an interface
	# that is not running yet; a veth's operstate follows its carrier through
	# the kernel's linkwatch, up to a second later (more on a slow machine).
	for i in $(seq 100); do
		ip -n $NETNS -o link show dev $VN | grep -q 'state UP' && break
		sleep 0.1
	done
	# nsenter and env exec, so $! is kea itself (a function would add a subshell).
	nsenter --net=/run/netns/$NETNS env KEA_PIDFILE_DIR="$TMP/run" \
		KEA_LOCKFILE_DIR="$TMP/run" "$KEA" -c "$TMP/kea.json" >>"$TMP/kea.out" 2>&1 &
	KEA_PID=$!
	# DHCP6_STARTED comes even when no socket could be opened: wait for 547.
	for i in $(seq 300); do
		nsenter --net=/run/netns/$NETNS ss -Hlun 'sport = :547' | grep -q 547 && return 0
		kill -0 "$KEA_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/kea.out" "$TMP/kea.log" >&2 2>/dev/null
	return 1
}
if start_kea; then ok kea_started; else fail kea_started; finish; fi

LEASES=$TMP/odm.leases
DRIVER="in_host $TMP/driver"

# ---- acquire, renew, release -----------------------------------------------------
tally < <($DRIVER acquire $VH "$LEASES")

# Kea records a release as the lease again with valid lifetime 0 (memfile
# deletion) or in state 2 (expired-reclaimed): the last line for it must say so.
released=$(sed -n 's/^# released //p' "$TMP/out")
if [ -n "$released" ]; then
	addr=${released%/*}
	last=$(grep "^$addr," "$TMP/kea-leases6.csv" | tail -n 1)
	valid=$(echo "$last" | cut -d, -f3)
	state=$(echo "$last" | cut -d, -f14)
	if [ -n "$last" ] && { [ "$valid" = 0 ] || [ "$state" = 2 ]; }; then
		ok kea_saw_release
	else
		fail kea_saw_release "kea's last line for $addr: ${last:-none}"
	fi
else
	fail kea_saw_release "nothing was released"
fi

# ---- the lease file survives a restart of the client -----------------------------
held=$(sed -n 's/^# held //p' "$TMP/out")
if [ -s "$LEASES" ] && [ "$(grep -vc '^#' "$LEASES")" = "${held:-x}" ] &&
	! grep -q "${released:-none}" "$LEASES"; then
	ok lease_file_written
else
	fail lease_file_written "$(cat "$LEASES" 2>/dev/null)"
fi
tally < <($DRIVER restore $VH "$LEASES" "${held:-0}")

# ---- no server --------------------------------------------------------------------
stop_kea
echo "figure: faults 1"	# Kea gone with leases out: timeout and expiry follow
tally < <($DRIVER timeout $VH "$TMP/none.leases" 2000)
tally < <($DRIVER lost $VH "$LEASES" "${held:-0}")
if [ -f "$LEASES" ] && [ "$(grep -vc '^#' "$LEASES")" = 0 ]; then
	ok lease_file_emptied
else
	fail lease_file_emptied "$(cat "$LEASES" 2>/dev/null)"
fi

finish
