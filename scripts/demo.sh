#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# odm demo: the whole flow in throw-away namespaces (run as root, after make).
#
#   netns odm-demo-host (mobile host)  <-- veth -->  netns odm-demo-net (network:
#                                                   correspondent + Kea DHCPv6)
#
# odmd attaches odm to a cgroup; apps in that cgroup ask for address types
# with setsc(); the correspondent prints the source address it saw.  A type
# the host lacks is obtained on demand from Kea (DHCPv6 prefix delegation,
# RFC 8653 3.4); IPV6_REQUIRE_SRC_ON_NET forces a fresh prefix (6.2).  Then
# the host "moves" (its non-persistent prefix is replaced, 4.2).
# Everything is removed on exit (ODM_DEMO_KEEP=1 keeps the temporary files,
# Kea's log among them, for a look afterwards).
set -u
cd "$(dirname "$0")/.."

B=build
HOST=odm-demo-host
NET=odm-demo-net
PIN=/sys/fs/bpf/odm-demo
CONF=
KEADIR=
KEA_PID=
PEERLOG=
CG_ROOT=$(sh scripts/cgroup2-root.sh)
CG=$CG_ROOT/odm-demo
ODMD_PID=
PEER_PID=

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root" >&2; exit 1; }
[ -n "$CG_ROOT" ] || { echo "demo: no cgroup v2 mount in /proc/self/mountinfo" >&2; exit 1; }
for f in odmd odm examples/odm-client examples/odm-peer; do
	[ -x $B/$f ] || { echo "demo: $B/$f missing: run make first" >&2; exit 1; }
done

cleanup() {
	[ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null
	[ -n "$KEA_PID" ] && kill "$KEA_PID" 2>/dev/null && wait "$KEA_PID" 2>/dev/null
	[ -n "$ODMD_PID" ] && kill "$ODMD_PID" 2>/dev/null && wait "$ODMD_PID" 2>/dev/null
	$B/odmd --unload --pin-dir $PIN 2>/dev/null
	ip netns del $HOST 2>/dev/null
	ip netns del $NET 2>/dev/null
	rmdir "$CG" 2>/dev/null
	[ -n "${ODM_DEMO_KEEP:-}" ] || rm -rf "$CONF" "$PEERLOG" "$KEADIR"
}
trap cleanup EXIT
cleanup 2>/dev/null	# leftovers of an interrupted run
# Made after that cleanup, which would otherwise remove them again.
CONF=$(mktemp /tmp/odm-demo.XXXXXX.conf)
KEADIR=$(mktemp -d /tmp/odm-demo.XXXXXX.kea)
PEERLOG=$(mktemp /tmp/odm-demo.XXXXXX.log)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Run in the host netns.  nsenter, not "ip netns exec": the latter remounts
# /sys and would hide bpffs and the cgroup2 mount.
inhost() { nsenter --net=/run/netns/$HOST "$@"; }
odm() { inhost $B/odm -d $PIN "$@"; }
# An application: a process inside odm's cgroup, in the host netns.
app() { sh -c 'echo $$ > "$0/cgroup.procs" && shift && exec "$@"' "$CG" -- \
	nsenter --net=/run/netns/$HOST $B/examples/odm-client "$@"; }

step "network: the mobile host and a correspondent (2001:db8:ffff::1)"
ip netns add $HOST && ip netns add $NET
ip -n $HOST link add veth0 type veth peer name veth1 netns $NET
ip -n $HOST link set lo up && ip -n $NET link set lo up
# The network side gets only the link-local added below, without DAD: Kea
# binds its DHCPv6 socket to the link-local it finds at start, and a
# tentative one makes that fail.
ip -n $NET link set veth1 addrgenmode none
ip -n $HOST link set veth0 up && ip -n $NET link set veth1 up
ip -n $NET addr add 2001:db8:ffff::1/64 dev veth1 nodad
ip -n $NET -6 route add 2001:db8::/32 dev veth1
ip -n $HOST addr add 2001:db8:ffff::2/64 dev veth0 nodad	# untyped
# link-locals without DAD delay: DHCPv6 talks from them at once
ip -n $HOST addr add fe80::2/64 dev veth0 nodad && ip -n $NET addr add fe80::1/64 dev veth1 nodad
# Attachment: the network gives a Session-lasting and a Non-persistent prefix.
ip -n $HOST addr add 2001:db8:51::10/64 dev veth0 nodad
ip -n $HOST addr add 2001:db8:a1::10/64 dev veth0 nodad
ip -n $HOST -6 addr show dev veth0 scope global | sed -n 's/^ *inet6 /  /p'

step "the network: Kea delegates /64s per type (fixed, non-persistent; no graceful)"
cat > "$KEADIR/kea.json" <<JSON
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "veth1" ] },
  "server-id": { "type": "LL", "persist": false },
  "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
                      "name": "$KEADIR/leases6.csv" },
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
  "option-data": [ { "name": "preference", "data": "255", "always-send": true } ],
  "client-classes": [
    { "name": "non-persistent", "test": "option[65000].hex == 0x01",
      "option-data": [ { "code": 65000, "space": "dhcp6", "csv-format": false,
                         "data": "01", "always-send": true } ] },
    { "name": "fixed",          "test": "option[65000].hex == 0x03",
      "option-data": [ { "code": 65000, "space": "dhcp6", "csv-format": false,
                         "data": "03", "always-send": true } ] } ],
  "subnet6": [ { "id": 1, "subnet": "2001:db8::/32", "interface": "veth1",
    "pd-pools": [
      { "prefix": "2001:db8:f000::", "prefix-len": 40, "delegated-len": 64,
        "client-class": "fixed" },
      { "prefix": "2001:db8:a100::", "prefix-len": 40, "delegated-len": 64,
        "client-class": "non-persistent" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "WARN",
                 "output_options": [ { "output": "$KEADIR/kea.log" } ] } ] } }
JSON
mkdir -p /run/kea
# Kea opens its sockets once, at start, and skips for good an interface that
# is not running yet: wait for veth1's carrier to show in its operstate.
for _ in $(seq 100); do
	ip -n $NET -o link show dev veth1 | grep -q 'state UP' && break
	sleep 0.1
done
# nsenter and env exec in place, so $! is kea itself
nsenter --net=/run/netns/$NET env KEA_PIDFILE_DIR="$KEADIR" KEA_LOCKFILE_DIR="$KEADIR" \
	kea-dhcp6 -c "$KEADIR/kea.json" > "$KEADIR/kea.out" 2>&1 &
KEA_PID=$!
kea_up=
for _ in $(seq 300); do
	nsenter --net=/run/netns/$NET ss -Hlun 'sport = :547' | grep -q 547 && kea_up=1 && break
	kill -0 $KEA_PID 2>/dev/null || break
	sleep 0.1
done
[ -n "$kea_up" ] || { echo "demo: kea-dhcp6 did not start:" >&2; cat "$KEADIR/kea.out" "$KEADIR/kea.log" >&2; exit 1; }
echo "  kea-dhcp6 (pid $KEA_PID) classifies on option 65000 (draft-moses-dmm-dhcp-ondemand-mobility)"

step "odmd: typed prefixes from the config, host addresses from the kernel"
cat > "$CONF" <<EOF
# prefix PREFIX/LEN type TYPE [dev IFNAME]
prefix 2001:db8:51::/64 type session-lasting dev veth0
prefix 2001:db8:a1::/64 type non-persistent dev veth0
prefix 2001:db8:a2::/64 type non-persistent dev veth0
EOF
sed 's/^/  /' "$CONF"
mkdir -p "$CG"
FIFO=$(mktemp -u /tmp/odm-demo.XXXXXX.fifo)
mkfifo "$FIFO"
# Not through inhost(): a backgrounded function is a subshell, and $! must be odmd.
nsenter --net=/run/netns/$HOST $B/odmd --cgroup "$CG" --config "$CONF" --pin-dir $PIN \
	--notify-fd 4 --dhcp6 veth0 --lease-file "$KEADIR/odm.leases" ${ODM_DEMO_ODMD_ARGS:-} 4>"$FIFO" &
ODMD_PID=$!
read -r -t 10 ready < "$FIFO" || { echo "demo: odmd did not start" >&2; exit 1; }
rm -f "$FIFO"
echo "  odmd is $ready (pid $ODMD_PID), attached to $CG"
odm prefix list

step "correspondent listening on [2001:db8:ffff::1]:7000"
nsenter --net=/run/netns/$NET $B/examples/odm-peer 7000 >> "$PEERLOG" &	# append: truncatable
PEER_PID=$!
sleep 0.2

step "apps ask for address types with setsc() (RFC 8653 6.1)"
app session-lasting 2001:db8:ffff::1 7000
app -u non-persistent 2001:db8:ffff::1 7000
app -n non-persistent 2001:db8:ffff::1 7000	# no bind(): odm binds at connect
sleep 0.2
echo "  -- what the correspondent saw:"
sed 's/^/  /' "$PEERLOG"
: > "$PEERLOG"

step "on demand: types the host lacks are asked from the network (RFC 8653 3.4, 6.2)"
app fixed 2001:db8:ffff::1 7000			# DHCPv6: a prefix from Kea's fixed pool
app -o non-persistent 2001:db8:ffff::1 7000	# ON_NET: a fresh prefix though one exists
app graceful-replacement 2001:db8:ffff::1 7000	# no pool: not supported, legacy address
sleep 0.2
echo "  -- what the correspondent saw:"
sed 's/^/  /' "$PEERLOG"
: > "$PEERLOG"

odm prefix list

step "the host moves: PREFnp1 (2001:db8:a1::/64) goes, PREFnp2 (2001:db8:a2::/64) comes"
ip -n $HOST addr del 2001:db8:a1::10/64 dev veth0
ip -n $HOST addr add 2001:db8:a2::10/64 dev veth0 nodad
sleep 0.3
odm prefix list
app non-persistent 2001:db8:ffff::1 7000
app session-lasting 2001:db8:ffff::1 7000
sleep 0.2
echo "  -- what the correspondent saw:"
sed 's/^/  /' "$PEERLOG"

step "counters (odm stats) and the raw map (bpftool, BTF-named fields)"
odm stats | grep -v ' 0$'
# One entry of odm_select as bpftool prints it: every field named, an
# address as its 16 bytes in order ("b") and as network-order words ("w").
bpftool -j map dump pinned $PIN/odm_select | jq -c '.[0].formatted | .key, .value.addr, .value.prefix, .value.plen'

step "done: everything is torn down on exit"
