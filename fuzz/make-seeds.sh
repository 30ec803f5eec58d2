#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Regenerate the committed seed corpora under fuzz/corpus/.  Seeds are real
# inputs, each valid or one step off valid, so that the fuzzer starts deep
# inside every parser instead of rediscovering its headers:
#   config   odmd config files            cli      odm command lines, one word a line
#   netlink  RTM_NEWADDR, RTM_NEWROUTE    dhcp6    Advertise/Reply as the unit tests build them
#   ra       radvd-style RAs              proto    libodm <-> odmd messages (x86 byte order)
#   prefix   prefixes, addresses, type names
set -eu
cd "$(dirname "$0")"
mkdir -p corpus && cd corpus

# hex FILE HEX...: write the bytes spelt by HEX (spaces ignored).
hex() {
	local f=$1
	shift
	printf "$(echo "$*" | tr -d ' \n' | sed 's/../\\x&/g')" >"$f"
}

# opt CODE HEXDATA: a DHCPv6 option (RFC 8415 21.1), its length computed.
opt() {
	local data=${2// /}

	printf '%04x%04x%s' "$1" $((${#data} / 2)) "$data"
}

# ---- config ---------------------------------------------------------------
mkdir -p config
cat >config/odmd.conf <<'CONF'
# /etc/odm/odmd.conf: typed prefixes of this host
prefix 2001:db8:1::/64 type fixed
prefix 2001:db8:2::/64 type session-lasting dev wlan0
prefix 2001:db8:3::/64 dev eth0 type non-persistent	# options in either order
prefix 2001:db8:4::/48 type GRACEFUL_REPLACEMENT_IPV6_ADDRESS

default non-persistent
CONF
printf 'prefix fd00::/8 type 2\r\ndefault none\r\n' >config/crlf.conf
printf 'prefix 2001:db8::/64 type fixed\nprefix 2001:db8::/64 type fixed\n' >config/duplicate.conf
printf 'prefix 2001:db8::1/64 type fixed dev eth0:1\n' >config/bad.conf

# ---- cli --------------------------------------------------------------------
mkdir -p cli
printf '%s\n' prefix add 2001:db8:1::/64 type session-lasting dev eth0 >cli/prefix-add
printf '%s\n' -j prefix list type fixed >cli/prefix-list-json
printf '%s\n' pre l ty 1 d veth0 >cli/prefix-list-abbrev
printf '%s\n' prefix del 2001:db8::/64 >cli/prefix-del
printf '%s\n' policy set cgroup /sys/fs/cgroup/app default none >cli/policy-set
printf '%s\0' policy del cgroup app >cli/policy-del
printf '%s\n' -p -d /sys/fs/bpf/odm stats show >cli/stats
printf '%s\n' request graceful-replacement on-net >cli/request
printf '%s\n' -V >cli/version
printf '%s\n' -- help >cli/dashdash-help

# ---- netlink ----------------------------------------------------------------
# Captured from RTM_GETADDR dumps (Linux 6.x, x86_64): ::1/128 on lo, and
# fd00::2/64 nodad and fe80::fc:ff:fe00:1/64 on eth0.  IFA_PROTO (5 bytes)
# leaves the message ending in attribute padding.
mkdir -p netlink
hex netlink/lo-loopback \
	500000001400020001000000623000000a8080fe01000000140001000000000000000000 \
	000000000000000114000600ffffffffffffffff16000000160000000800080080000000 \
	05000b0001000000
hex netlink/eth0-nodad \
	480000001400020001000000623000000a4082000400000014000100fd00000000000000 \
	000000000000000214000600ffffffffffffffff16000000160000000800080082000000
hex netlink/eth0-linklocal \
	500000001400020001000000623000000a4080fd0400000014000100fe80000000000000 \
	00fc00fffe00000114000600ffffffffffffffff16000000160000000800080080000000 \
	05000b0003000000
# The same address as RTM_DELADDR with finite lifetimes (3600 s valid, 1800 s preferred).
hex netlink/eth0-deladdr-finite \
	480000001500000000000000000000000a4000000400000014000100fd00000000000000 \
	000000000000000214000600080700001e0e000016000000160000000800080000000000

# RTM_NEWROUTE from an RTM_GETROUTE dump of the main table (Linux 6.18,
# x86_64): odmd's own "default from 2001:db8:a::/64 via fe80::1 dev 3 proto 79
# metric 100", a router's "default via fe80::1 proto ra metric 100", and a
# multipath "2001:db8:5::/64 metric 300 nexthop via fe80::1 nexthop via fe80::2".
hex netlink/route-from \
	880000001800020001000000153900000a004000fe4f00010000000008000f00fe000000 \
	1400020020010db8000a00000000000000000000080006006400000014000500fe800000 \
	000000000000000000000001080004000300000024000c00000000000000000000000000 \
	00000000000000000000000000000000000000000500140000000000
hex netlink/route-default-ra \
	740000001800020001000000153900000a000000fe0900010000000008000f00fe000000 \
	080006006400000014000500fe8000000000000000000000000000010800040003000000 \
	24000c000000000000000000000000000000000000000000000000000000000000000000 \
	0500140000000000
hex netlink/route-multipath \
	a80000001800020001000000153900000a400000fe0300010000000008000f00fe000000 \
	1400010020010db8000500000000000000000000080006002c0100003c0009001c000000 \
	0300000014000500fe8000000000000000000000000000011c0000000200000014000500 \
	fe80000000000000000000000000000224000c0000000000000000000000000000000000 \
	000000000000000000000000000000000500140000000000

# ---- dhcp6 ------------------------------------------------------------------
# tests/unit/test_dhcp6.c's world: xid abcdef, client DUID-LL 00:11:22:33:44:55,
# IAID 7, continuity option 65000 (fde8), Session-lasting = 2.
mkdir -p dhcp6
client=$(opt 1 00030001001122334455)
server=$(opt 2 00010001aabbccdd020000000001)
cont2=$(opt 65000 02)
cont3=$(opt 65000 03)
p1=$(opt 26 "000007d000000fa0 40 20010db8510000010000000000000000 $cont2")
p2=$(opt 26 "00000e1000001c20 38 20010db8510002000000000000000000 $cont3")
p3=$(opt 26 "0000070800000e10 40 20010db8510000030000000000000000")
hex dhcp6/advertise "02abcdef $client $server $(opt 7 0a) $cont2" \
	"$(opt 25 "00000007000003e800000640$p1")"
hex dhcp6/reply "07abcdef $client $server $(opt 13 0000537563636573)" \
	"$(opt 25 "00000007000003e800000640$p1$p2$p3")"
hex dhcp6/reply-noprefixavail "07abcdef $client $server" \
	"$(opt 25 "000000070000000000000000$(opt 13 00064e6f2070726566697865732e)")"
# An IA_PD for another IAID before ours, and T1 > T2 in a third.
hex dhcp6/advertise-two-ia "02abcdef $server $client" \
	"$(opt 25 "00000009000003e800000640$p3")" \
	"$(opt 25 "00000007000003e800000640$p1")" \
	"$(opt 25 "000000070000064000000400$p2")"

# ---- ra ---------------------------------------------------------------------
# As radvd sends them: header (hop limit 64, lifetime 1800), SLLA, MTU, PIOs
# with L|A and SrvTp in bits 4..2 (draft-feng-dmm-ra-prefixtype-00).
mkdir -p ra
hdr=86000000400007080000000000000000
slla=0101020000000001
mtu=0501000000000578
rdnss=1903000000000e1020010db8000000000000000000000053
pio() {	# pio PLEN FLAGS PREFIX
	printf '0304%s%s000151800000384000000000%s' "$1" "$2" "$3"
}
hex ra/unmarked "$hdr $slla $mtu $(pio 40 c0 20010db8510000010000000000000000)"
hex ra/typed "$hdr $slla $(pio 40 cc 20010db8510000010000000000000000)" \
	"$(pio 40 c8 20010db8510000020000000000000000) $(pio 30 c4 20010db8520000000000000000000000)" \
	"$(pio 40 d0 20010db8510000030000000000000000) $rdnss"
hex ra/host-bits "$hdr $(pio 3c c8 20010db8510000011fffffffffffffff) $mtu"

# ---- proto --------------------------------------------------------------------
# Host byte order (x86_64): magic "ODM1" is 314d444f, version 1, op.
mkdir -p proto
hex proto/req-acquire 314d444f 0100 0100 02 01 0000
hex proto/req-watch 314d444f 0100 0200 00 00 0000
hex proto/resp-ok 314d444f 0100 0100 00000000 02 40 0000 \
	20010db8510000010000000000000005 20010db8510000010000000000000000 \
	ffffffff ffffffff
hex proto/resp-not-offered 314d444f 0100 0100 01000000 04 00 0000 \
	00000000000000000000000000000000 00000000000000000000000000000000 00000000 00000000
hex proto/event 314d444f 0100 0300 04 000000 3c000000 \
	20010db8510000010000000000000005 20010db8510000020000000000000007

# ---- prefix -------------------------------------------------------------------
mkdir -p prefix
printf '2001:db8:1::/64' >prefix/prefix
printf '::/0' >prefix/default
printf 'fe80::1/128' >prefix/host
printf '2001:db8::1/64' >prefix/host-bits
printf '::ffff:192.0.2.0/120' >prefix/v4mapped
printf 'IPV6_REQUIRE_SESSION_LASTING_IP' >prefix/type-option
printf 'graceful_replacement' >prefix/type-short
