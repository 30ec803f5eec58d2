/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * odm_maps.h - the layouts of odm's pinned maps: every key and value the
 * BPF programs (bpf/odm.bpf.c) share with odmd and the odm CLI, and that
 * `bpftool map dump` prints from their BTF.  Not needed by libodm, which
 * only speaks the socket options of odm_uapi.h.
 *
 * Fields are fixed width with explicit padding so that the layout is the
 * same for clang -target bpf and for the host compiler.
 *
 * Include after vmlinux.h (BPF side) or after <linux/types.h> (user side).
 */
#ifndef ODM_MAPS_H
#define ODM_MAPS_H

#include "odm_uapi.h"

/*
 * Bumped when a map layout changes (what odmd, odm and bpftool read);
 * the socket options have their own ODM_SOCKOPT_VERSION.  4: addresses
 * and prefixes are union odm_in6, so bpftool shows their bytes.
 * 5: odm_stats has the DHCPv6 counters (ODM_STAT_DHCP6_*).
 * 6: odm_policy_filter, which policies odm_policy holds.
 */
#define ODM_MAPS_VERSION	6

/* Default bpffs directory for odm's pinned maps and links. */
#define ODM_PIN_DIR		"/sys/fs/bpf/odm"

/* Value of the odm_sk socket storage map: one per typed socket, 48 bytes. */
struct odm_sk {
	union odm_in6 addr;	/* address handed out; 0 = none */
	__u8  type;		/* enum odm_type in effect */
	__u8  req_type;		/* type the app asked for with setsc() */
	__u8  flags;		/* ODM_SKF_* */
	__u8  status;		/* enum odm_status of the last request */
	__u32 prefs;		/* IPV6_ADDR_PREFERENCES as the app set them */
	__u64 sk_cgid;		/* the socket's cgroup (its creator's), with ODM_SKF_POLICY */
	__u64 pol_cgid;		/* the cgroup whose policy applied to it then */
	__u64 net_ns;		/* CLOCK_BOOTTIME of the last ODM_ST_NEED_NET, 0 = none:
				 * an ON_NET hint's prefix must be valid since */
};

/* Key of the odm_prefixes LPM trie: prefix length in bits, then prefix. */
struct odm_prefix_key {
	__u32 prefixlen;
	union odm_in6 prefix;	/* host bits zero */
};

/* Where a typed prefix came from. */
enum odm_source {
	ODM_SRC_CONFIG	= 1,	/* odmd's configuration file */
	ODM_SRC_CLI	= 2,	/* odm prefix add */
	ODM_SRC_RA	= 3,	/* router advertisement */
	ODM_SRC_DHCPV6	= 4,	/* DHCPv6 prefix delegation */
};

/* State of a typed prefix. */
enum odm_pstate {
	ODM_PS_NOADDR	= 0,	/* known, but the host has no address in it */
	ODM_PS_VALID	= 1,	/* has a host address: may be handed out */
	ODM_PS_DEPRECATED = 2,	/* host address deprecated: existing sockets only */
};

/* Value of the odm_prefixes LPM trie. */
struct odm_prefix {
	union odm_in6 addr;	/* host address in the prefix */
	__u32 ifindex;		/* 0 = any interface */
	__u8  type;		/* enum odm_type */
	__u8  state;		/* enum odm_pstate */
	__u8  source;		/* enum odm_source */
	__u8  plen;		/* prefix length, same as the key's */
	__u64 since_ns;		/* CLOCK_BOOTTIME when it became valid */
	__u32 valid_lft;	/* seconds, 0xffffffff = forever */
	__u32 preferred_lft;	/* seconds, 0xffffffff = forever */
	__u64 addr_since_ns;	/* CLOCK_BOOTTIME when addr became its host address */
};

/* Value of odm_select: the address handed out for one type, keyed by type. */
struct odm_choice {
	union odm_in6 addr;	/* host address */
	union odm_in6 prefix;	/* its prefix */
	__u32 ifindex;
	__u8  plen;
	__u8  pad[3];
	__u64 since_ns;		/* copied from the chosen struct odm_prefix */
};

/* Key of odm_addr_use and odm_tx: one host address. */
struct odm_addr_key {
	union odm_in6 addr;
};

/* Value of odm_addr_use: sockets an address is handed out to, keyed by address. */
struct odm_use {
	__u64 sockets;		/* open sockets odm assigned this address to */
	__u64 assigned;		/* total assignments since load */
};

/* Value of odm_tx (per CPU), keyed by struct odm_addr_key: bytes sent. */
struct odm_tx {
	__u64 bytes;		/* IPv6 packet bytes sent from the address */
	__u64 packets;
};

/* Value of odm_policy, keyed by cgroup id (__u64). */
struct odm_policy {
	__u8  default_type;	/* enum odm_type for sockets that ask nothing */
	__u8  allow_mask;	/* with ODM_POLF_ALLOW: bit (1 << type) per allowed type */
	__u8  flags;		/* ODM_POLF_* */
	__u8  pad;
	__u16 net_per_min;	/* network requests per minute (odmd), 0: no limit */
	__u16 max_held;		/* Fixed + Session-lasting prefixes held (odmd), 0: no limit */
};

/*
 * Value of odm_policy_filter[0]: which cgroup ids odm_policy may hold.
 * Bit ODM_POLICY_FILTER_BIT(id) is set for every key of odm_policy (other
 * ids share a bit: a set bit means "look it up", a clear one "no policy").
 * The programs look a cgroup up only when its bit is set, so a socket with
 * no policy over it costs no walk up the cgroups.  odm_policy_set() sets
 * the bit before it writes the policy, odm_policy_del() recomputes the
 * filter after it deleted one, both with the maps' lock held; odmd
 * recomputes it at start (policies written by an odm that predates it).
 */
struct odm_policy_filter {
	__u64 id_bits;
};

#define ODM_POLICY_FILTER_BIT(id)	(1ULL << ((id) & 63))

/* struct odm_policy.flags */
#define ODM_POLF_ALLOW		0x01	/* only the types in allow_mask may be requested */
#define ODM_POLF_NO_ON_NET	0x02	/* IPV6_REQUIRE_SRC_ON_NET is refused */
#define ODM_POLF_UPGRADE	0x04	/* a type with no prefix may be served by a
					 * stronger one (review point 12) */

/* Indexes of the odm_stats per-CPU counters. */
enum odm_stat {
	ODM_STAT_SETSC_OK,		/* setsc() got an address */
	ODM_STAT_SETSC_NO_PREFIX,	/* setsc() for a type with no prefix */
	ODM_STAT_SETSC_NEED_NET,	/* setsc() with ON_NET set */
	ODM_STAT_SETSC_INVAL,		/* malformed ODM_SO_SC_TYPE */
	ODM_STAT_DEFAULT_APPLIED,	/* sock_create gave a socket the cgroup default */
	ODM_STAT_CONNECT_BOUND,		/* connect6 bound a typed socket */
	ODM_STAT_CONNECT_SKIP_BOUND,	/* connect6: app had bound already */
	ODM_STAT_CONNECT_SKIP_DST,	/* connect6/sendmsg6: v4-mapped, loopback, link-local, mc */
	ODM_STAT_CONNECT_SKIP_RFC5014,	/* connect6/sendmsg6: RFC 5014 flags, no bind (sec. 5.4) */
	ODM_STAT_CONNECT_NO_ADDR,	/* typed socket, no address of the type */
	ODM_STAT_CONNECT_FAIL,		/* bpf_bind() failed */
	ODM_STAT_SENDMSG_SET,		/* sendmsg6 set the source */
	ODM_STAT_ON_NET_STRIPPED,	/* IPV6_REQUIRE_SRC_ON_NET taken out */
	ODM_STAT_RELEASE_COUNTED,	/* sock_release dropped a use count */
	ODM_STAT_SETSC_HINT,		/* setsc() took the address odmd obtained */
	ODM_STAT_SETSC_DENIED,		/* setsc() refused by the cgroup's policy */
	ODM_STAT_SETSC_UPGRADED,	/* setsc() served by a stronger type (policy) */
	ODM_STAT_NET_DENIED,		/* odmd: network request refused by policy */
	ODM_STAT_NET_QUOTA,		/* odmd: refused, max-held prefixes reached */
	ODM_STAT_NET_RATE,		/* odmd: refused, network requests a minute reached */
	ODM_STAT_NET_REFUSED,		/* odmd: a delegated prefix refused as unsafe or
					 * overlapping one the host has (section 7) */
	ODM_STAT_USE_FULL,		/* odm_addr_use full: setsc() refused (ENOSPC), or
					 * connect()/sendmsg() used an uncounted address */
	ODM_STAT_CONNECT_AUTOBOUND,	/* connect6: a typed UDP socket that sent before it
					 * connected has a port the kernel bound, and
					 * odm can no longer bind its address */
	/* odmd's DHCPv6 client, all networks (loader/dhcp6.c counts). */
	ODM_STAT_DHCP6_SOLICIT,		/* Solicit sent, retransmissions included */
	ODM_STAT_DHCP6_REQUEST,		/* Request sent */
	ODM_STAT_DHCP6_RENEW,		/* Renew sent */
	ODM_STAT_DHCP6_REBIND,		/* Rebind sent */
	ODM_STAT_DHCP6_RELEASE,		/* Release sent */
	ODM_STAT_DHCP6_ADVERTISE,	/* Advertise received for an exchange of ours */
	ODM_STAT_DHCP6_REPLY,		/* Reply received for an exchange of ours */
	ODM_STAT_DHCP6_FAILED,		/* acquisitions that ended without a lease */
	ODM_STAT_DHCP6_LOST,		/* leases that expired or the server took back */
	ODM_STAT_MAX,
};

/* Value of odm_info[0]: what odmd loaded, for the CLI. */
struct odm_info {
	__u64 cgroup_id;	/* cgroup the programs are attached to */
	__u64 loaded_ns;	/* CLOCK_BOOTTIME at load */
	__u32 maps_version;	/* ODM_MAPS_VERSION */
	__u32 pad;
};

#endif /* ODM_MAPS_H */
