/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * core.h - odm's internal library (libodm-core.a), shared by odmd and the
 * odm CLI.  Not installed, not part of libodm's ABI.
 *
 * Conventions: functions return 0 (or a count) on success and -errno on
 * failure.  Functions that can fail because of user input take
 * (char *err, size_t errlen) and write a one-line, lower-case message
 * there that names what is wrong (never a trailing newline).
 * Addresses are __u32[4] in network byte order: the words (w) of the
 * union odm_in6 that the maps and the socket options hold (odm_uapi.h).
 */
#ifndef ODM_CORE_H
#define ODM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <net/if.h>

#include "../bpf/odm_maps.h"

/* ---- types.c: address type, source and state names ------------------- */

/*
 * Parse an address type.  Accepted, case-insensitively:
 *   numbers 1-4; the section 6.1 names FIXED_IPV6_ADDRESS,
 *   SESSION_LASTING_IPV6_ADDRESS, NON_PERSISTENT_IPV6_ADDRESS,
 *   GRACEFUL_REPLACEMENT_IPV6_ADDRESS; the section 4.1 style aliases
 *   IPV6_REQUIRE_FIXED_IP, IPV6_REQUIRE_SESSION_LASTING_IP,
 *   IPV6_REQUIRE_NON_PERSISTENT_IP, IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP;
 *   short forms fixed, session-lasting, non-persistent, graceful,
 *   graceful-replacement (also with '_' for '-').
 *   "none" (and 0) only when allow_none is true, giving ODM_TYPE_NONE.
 * Returns 0 and sets *type, or -EINVAL.
 */
int odm_type_parse(const char *s, bool allow_none, __u8 *type);
/* Every type, as bits (1 << enum odm_type). */
#define ODM_TYPE_MASK_ALL	((1u << ODM_TYPE_FIXED) | (1u << ODM_TYPE_SESSION_LASTING) | \
				 (1u << ODM_TYPE_NON_PERSISTENT) | (1u << ODM_TYPE_GRACEFUL))
/* The types as messages list them: "expected " ODM_TYPE_LIST. */
#define ODM_TYPE_LIST	"fixed, session-lasting, non-persistent or graceful-replacement"
/*
 * Parse "TYPE[,TYPE...]" (each as odm_type_parse() without none) or
 * "all" into bits (1 << enum odm_type): the one grammar of a type list,
 * for odm.conf, odmd's flags and the CLI.  Returns 0 and sets *mask, or
 * -EINVAL (an unknown type, an empty item, a type named twice) leaving
 * *mask untouched; then why (when not NULL) says so in whylen bytes:
 * "unknown type 'x' (expected ...)", "empty type in 'fixed,' (...)",
 * "type fixed named twice in 'fixed,1'".
 */
int odm_type_list_parse(const char *s, unsigned int *mask, char *why, size_t whylen);
/* Short name ("fixed", "session-lasting", "non-persistent",
 * "graceful-replacement", "none"); "reserved" for anything else. */
const char *odm_type_name(unsigned int type);
/* "config", "cli", "ra", "dhcpv6", or "unknown". */
const char *odm_source_name(unsigned int source);
/* "no-address", "valid", "deprecated", or "unknown". */
const char *odm_pstate_name(unsigned int state);
/* The name of interface ifindex into buf (IF_NAMESIZE): "ifN" for one
 * with no name (gone since).  buf. */
const char *odm_ifname(unsigned int ifindex, char *buf);

/* ---- prefix.c: address and prefix arithmetic ------------------------- */

#define ODM_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* Parse an IPv6 address (no prefix length).  0 or -EINVAL. */
int odm_addr_parse(const char *s, __u32 addr[4]);
/*
 * Parse "ADDR/LEN" with 0 <= LEN <= 128 and all host bits zero.
 * Errors (-EINVAL) say which: missing length, bad length, bad address,
 * host bits set ("2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?").
 */
int odm_prefix_parse(const char *s, struct odm_prefix_key *key, char *err, size_t errlen);
/* out = in with all bits past plen cleared (plen clamped to 128). */
void odm_prefix_mask(__u32 out[4], const __u32 in[4], unsigned int plen);
/* true when addr lies inside key's prefix. */
bool odm_prefix_contains(const struct odm_prefix_key *key, const __u32 addr[4]);
/* true when a and b share an address (one contains the other). */
bool odm_prefix_overlap(const struct odm_prefix_key *a, const struct odm_prefix_key *b);
/*
 * Whether a prefix from the network (DHCPv6 PD) may become a typed prefix
 * of this host.  NULL when it may; else why not, for a log line:
 * only global unicast (2000::/3) and unique local (fc00::/7) prefixes,
 * and none shorter than ODM_NET_PLEN_MIN (an RIR's allocation to an
 * operator is a /32: no single host is ever delegated more).  Multicast,
 * link-local, loopback, unspecified, v4-mapped and every other special
 * block fall outside the first rule.  Host bits are ignored.
 */
#define ODM_NET_PLEN_MIN 32
const char *odm_prefix_unsafe(const __u32 prefix[4], unsigned int plen);
/* true when the address is all zero. */
bool odm_addr_is_zero(const __u32 addr[4]);
/* Build an address from a prefix and an interface identifier: the top
 * plen bits from prefix, the rest from iid.  plen > 128 gives -EINVAL. */
int odm_addr_build(__u32 out[4], const __u32 prefix[4], unsigned int plen, const __u32 iid[4]);
/* ---- iid.c: interface identifiers of addresses odm creates ------------ */

/* How odmd makes interface identifiers: random, or RFC 7217 with a secret. */
struct odm_iid_conf {
	bool stable;
	unsigned char secret[16];
};

/*
 * A host address in key's prefix on ifindex: random bits, or (conf->stable)
 * the RFC 7217 identifier for counter; never the all-zero identifier.
 */
int odm_host_addr(__u32 out[4], const struct odm_prefix_key *key, unsigned int ifindex,
		  const struct odm_iid_conf *conf, __u32 counter);
/* SHA-256 of len bytes. */
void odm_sha256(const void *data, size_t len, unsigned char out[32]);
/*
 * RFC 7217 stable-privacy interface identifier for a prefix on an
 * interface: the same inputs give the same bits, which odm_addr_build()
 * then places after the prefix.  counter renews it (the RFC's DAD_Counter).
 */
int odm_iid_stable(__u32 iid[4], const struct odm_prefix_key *key, const char *ifname,
		   __u32 counter, const unsigned char secret[16]);
/* Format into buf (INET6_ADDRSTRLEN / ODM_PREFIX_STRLEN bytes); return buf. */
char *odm_addr_str(const __u32 addr[4], char *buf);
char *odm_prefix_str(const struct odm_prefix_key *key, char *buf);

/* ---- config.c: odmd's configuration file ---------------------------- */

/*
 * Grammar, one statement a line, '#' starts a comment, blank lines ignored:
 *   prefix PREFIX/LEN type TYPE [dev IFNAME]
 *   default TYPE|none
 *   network IFNAME types TYPE[,TYPE...]|all
 *   dhcp6 IFNAME			(network IFNAME types all)
 *   policy CGROUP [default TYPE|none] [allow TYPE[,TYPE...]|all]
 *		   [on-net allow|deny] [rate N] [max-held N] [upgrade allow|deny]
 *   and odmd's options, one keyword per long option (odm.conf(5)):
 *   cgroup PATH, pin-dir DIR, dhcp6-option CODE, dhcp6-untyped TYPES,
 *   lease-file FILE, sl-linger S, grace S, iid random|stable,
 *   secret-file FILE, lifetime TYPE:SECONDS[:BYTES], ra yes|no,
 *   egress-routes yes|no, setsockopt yes|no, net-rate N, net-max-held N, addr-map-size N,
 *   verbose yes|no.
 * Keywords as in the CLI and odmd's flags, never abbreviated.  A prefix may
 * appear once, and so may an interface as a network, a cgroup in a policy,
 * each option (lifetime: each type) and each type in its list.  At most
 * ODM_CONFIG_MAX_PREFIXES prefixes, ODM_CONFIG_MAX_NETWORKS networks and
 * ODM_CONFIG_MAX_POLICIES policies; lines at most 1023 characters, so no
 * value is longer (values have no blanks).
 */
#define ODM_CONFIG_MAX_PREFIXES 65536
#define ODM_CONFIG_MAX_NETWORKS 8
#define ODM_CONFIG_MAX_POLICIES 1024
#define ODM_CONFIG_VALUE_MAX	1024	/* with the NUL */

struct odm_config_prefix {
	struct odm_prefix_key key;
	__u8 type;
	char dev[IF_NAMESIZE];	/* "" = any interface */
	int line;
};

/* A network odmd asks for prefixes by DHCPv6, and the types it asks of it. */
struct odm_config_network {
	char dev[IF_NAMESIZE];
	unsigned int types;	/* bits 1 << enum odm_type */
	int line;
};

/*
 * The policy of a cgroup, by path: odmd resolves it to the cgroup's id when
 * it applies the file, and again when a cgroup of that path is made anew.
 */
struct odm_config_policy {
	char cgroup[ODM_CONFIG_VALUE_MAX];	/* as written: relative to the cgroup2
						 * root, or absolute */
	struct odm_policy pol;			/* the whole value of odm_policy */
	int line;
};

/* odmd's options that a file may set; bit (1 << opt) of odm_config_opts.set. */
enum odm_config_opt {
	ODM_OPT_CGROUP,
	ODM_OPT_PIN_DIR,
	ODM_OPT_DHCP6_OPTION,
	ODM_OPT_DHCP6_UNTYPED,
	ODM_OPT_LEASE_FILE,
	ODM_OPT_SL_LINGER,
	ODM_OPT_GRACE,
	ODM_OPT_IID,
	ODM_OPT_SECRET_FILE,
	ODM_OPT_RA,
	ODM_OPT_EGRESS_ROUTES,
	ODM_OPT_SETSOCKOPT,
	ODM_OPT_NET_RATE,
	ODM_OPT_NET_MAX_HELD,
	ODM_OPT_ADDR_MAP_SIZE,
	ODM_OPT_VERBOSE,
	ODM_OPT_MAX
};

/* A type's address lifetime ("lifetime TYPE:SECONDS[:BYTES]"). */
struct odm_config_lifetime {
	bool set;
	__u32 max_age_s;	/* 0: no limit */
	__u64 max_bytes;	/* 0: no limit */
	int line;
};

/* Each field counts only when its bit is in set; ranges are odmd's flags'. */
struct odm_config_opts {
	unsigned int set;			/* bits 1 << enum odm_config_opt */
	int line[ODM_OPT_MAX];			/* where each was set */
	char cgroup[ODM_CONFIG_VALUE_MAX];
	char pin_dir[ODM_CONFIG_VALUE_MAX];	/* absolute */
	char lease_file[ODM_CONFIG_VALUE_MAX];	/* absolute */
	char secret_file[ODM_CONFIG_VALUE_MAX];	/* absolute */
	unsigned int dhcp6_option;		/* 1-65535 */
	unsigned int dhcp6_untyped;		/* bits 1 << enum odm_type */
	unsigned int sl_linger_s;		/* 0-2592000 */
	unsigned int grace_s;			/* 1-2592000 */
	unsigned int net_rate;			/* 0-65535 */
	unsigned int net_max_held;		/* 0-65535 */
	unsigned int addr_map_size;		/* 16-1048576 */
	bool iid_stable;
	bool ra;
	bool egress_routes;
	bool setsockopt;	/* attach the cgroup/setsockopt program */
	bool verbose;
	struct odm_config_lifetime lifetime[ODM_TYPE_MAX + 1];	/* by enum odm_type */
};

struct odm_config {
	struct odm_config_prefix *prefixes;
	size_t n_prefixes;
	bool have_default;
	__u8 default_type;
	struct odm_config_network networks[ODM_CONFIG_MAX_NETWORKS];	/* file order */
	size_t n_networks;
	struct odm_config_policy *policies;				/* file order */
	size_t n_policies;
	struct odm_config_opts opts;
};

/*
 * Parse text (name is used in messages, e.g. the file's path).  On error
 * returns -EINVAL (or -ENOMEM), writes "NAME:LINE: what is wrong" to err and
 * leaves *cfg empty; never a partial result.
 */
int odm_config_parse_string(const char *text, const char *name, struct odm_config *cfg,
			    char *err, size_t errlen);
/* Read and parse a file; an unreadable file gives -errno and "NAME: strerror". */
int odm_config_parse_file(const char *path, struct odm_config *cfg, char *err, size_t errlen);
void odm_config_free(struct odm_config *cfg);

/* ---- print.c: one printer for text and JSON -------------------------- */

/*
 * In the style of iproute2's print_* helpers: each call names a JSON key
 * and a printf format for text, so text and JSON output never drift.
 * In JSON mode the format is ignored; in text mode the key is ignored
 * (pass NULL fmt to print nothing in text mode).  Output is always valid
 * JSON: arrays for lists ([] when empty), snake_case keys, strings escaped.
 */
struct odm_printer;
struct odm_printer *odm_printer_new(FILE *f, bool json, bool pretty);
/* Flushes; in JSON mode also checks that every object/array was closed. */
int odm_printer_free(struct odm_printer *p);
bool odm_printer_is_json(const struct odm_printer *p);
void odm_print_open_object(struct odm_printer *p, const char *key);	/* key NULL in arrays */
void odm_print_close_object(struct odm_printer *p);
void odm_print_open_array(struct odm_printer *p, const char *key);
void odm_print_close_array(struct odm_printer *p);
void odm_print_string(struct odm_printer *p, const char *key, const char *fmt, const char *val);
void odm_print_u64(struct odm_printer *p, const char *key, const char *fmt, unsigned long long val);
void odm_print_s64(struct odm_printer *p, const char *key, const char *fmt, long long val);
/* JSON: %.10g, null for NaN and infinities. */
void odm_print_double(struct odm_printer *p, const char *key, const char *fmt, double val);
void odm_print_bool(struct odm_printer *p, const char *key, const char *fmt, bool val);
void odm_print_null(struct odm_printer *p, const char *key, const char *fmt);
/* Text mode only: print literal text (e.g. "\n" or a table header). */
void odm_print_text(struct odm_printer *p, const char *text);

/* ---- policy_kw.c: a policy's keywords (odm.conf and odm policy set) --- */

enum odm_policy_kw {
	ODM_PKW_DEFAULT,	/* default TYPE|none */
	ODM_PKW_ALLOW,		/* allow TYPE[,TYPE...]|all */
	ODM_PKW_ON_NET,		/* on-net allow|deny */
	ODM_PKW_RATE,		/* rate N (network requests a minute, 0: no limit) */
	ODM_PKW_MAX_HELD,	/* max-held N (Fixed + Session-lasting held, 0: no limit) */
	ODM_PKW_UPGRADE,	/* upgrade allow|deny */
	ODM_PKW_COUNT,
};
#define ODM_POLICY_KEYWORDS "default, allow, on-net, rate, max-held or upgrade"
/* kw's enum odm_policy_kw, or -1; abbrev: a leading part names it too. */
int odm_policy_kw_find(const char *kw, bool abbrev);
const char *odm_policy_kw_name(enum odm_policy_kw k);
/*
 * Keyword k's value into the field and flag bits of pol it names ("allow
 * all" clears ODM_POLF_ALLOW: no restriction); abbrev lets "al" and "d"
 * say allow and deny.  0, or -EINVAL leaving pol's other fields as they
 * were, with why (when not NULL) saying what is wrong.
 */
int odm_policy_kw_parse(enum odm_policy_kw k, const char *val, bool abbrev,
			struct odm_policy *pol, char *why, size_t whylen);
/* What the keywords in kws (bits 1 << enum odm_policy_kw) set in src, into dst. */
void odm_policy_kw_copy(unsigned int kws, struct odm_policy *dst, const struct odm_policy *src);

/* ---- mem.c ------------------------------------------------------------------ */

/*
 * Room for element n of an array v of *cap elements of size bytes: v
 * itself while n < *cap, else v moved to twice the room (16 at first),
 * *cap updated.  NULL when out of memory: then v and *cap are as they were.
 */
void *odm_grow(void *v, size_t *cap, size_t n, size_t size);

/* ---- args.c: ip/bpftool-style argument helpers ------------------------ */

/* true when arg is a non-empty prefix of keyword ("pre" matches "prefix"). */
bool odm_is_prefix(const char *arg, const char *keyword);
/* A parser's refusal: the message into why (when not NULL), -EINVAL. */
int odm_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- maps.c: odm's pinned maps ---------------------------------------- */

/* File descriptors of the pinned maps; -1 when not open. */
struct odm_maps {
	int prefixes;	/* odm_prefixes: LPM trie odm_prefix_key -> odm_prefix */
	int select;	/* odm_select: hash __u32 type -> odm_choice */
	int addr_use;	/* odm_addr_use: hash odm_addr_key -> odm_use */
	int policy;	/* odm_policy: hash __u64 cgroup id -> odm_policy */
	int policy_filter; /* odm_policy_filter: array, one struct odm_policy_filter */
	int stats;	/* odm_stats: per-CPU array of __u64, ODM_STAT_MAX entries */
	int info;	/* odm_info: array, one struct odm_info */
	int tx;		/* odm_tx: per-CPU hash odm_addr_key -> odm_tx */
	int lock_fd;	/* the pin directory, flock()ed around updates */
};

/* Open every map pinned under pin_dir (ODM_PIN_DIR when NULL).
 * -ENOENT when odm is not loaded there, -EPROTO when some of the maps this
 * odm knows are missing: an odm of another ODM_MAPS_VERSION pinned them. */
int odm_maps_open(struct odm_maps *m, const char *pin_dir);
void odm_maps_close(struct odm_maps *m);
/*
 * Keep odm_addr_use and odm_tx bounded: delete the keys of addresses that
 * no open socket counts and that are no typed prefix's host address any
 * more (retired, lost, renewed).  Without it every address ever handed out
 * kept a key until the maps were full.  The number of keys deleted, or
 * -errno.  A setsc() racing the removal of the address's prefix can lose
 * that one count; the address is being retired then anyway.
 */
int odm_addr_reap(struct odm_maps *m);
/* Serialise writers (odmd and concurrent CLIs): flock on the pin directory. */
int odm_maps_lock(struct odm_maps *m);
void odm_maps_unlock(struct odm_maps *m);

typedef int (*odm_prefix_cb)(const struct odm_prefix_key *key, const struct odm_prefix *val,
			     void *ctx);
/* Call cb for every prefix; a non-zero return from cb stops and is returned. */
int odm_prefix_foreach(struct odm_maps *m, odm_prefix_cb cb, void *ctx);
int odm_prefix_get(struct odm_maps *m, const struct odm_prefix_key *key, struct odm_prefix *val);
int odm_prefix_put(struct odm_maps *m, const struct odm_prefix_key *key,
		   const struct odm_prefix *val);
/* -ENOENT when absent. */
int odm_prefix_del(struct odm_maps *m, const struct odm_prefix_key *key);

/*
 * Recompute odm_select from odm_prefixes: for each type, among prefixes in
 * state ODM_PS_VALID, the one with the largest since_ns (the most recent
 * attachment; ties broken by the lowest prefix) becomes the choice; a type
 * with none is deleted from odm_select.  Each element is replaced with one
 * update (odm_select is a no-prealloc hash, so readers never see a torn
 * value).  Call with the lock held.
 */
int odm_select_recompute(struct odm_maps *m);

/*
 * Write and delete one cgroup's policy, keeping odm_policy_filter true
 * (see struct odm_policy_filter): every writer of odm_policy goes through
 * these, with the lock held.  odm_policy_del() is -ENOENT when absent.
 */
int odm_policy_set(struct odm_maps *m, __u64 cgroup_id, const struct odm_policy *pol);
int odm_policy_del(struct odm_maps *m, __u64 cgroup_id);
/* Recompute odm_policy_filter from odm_policy's keys.  Lock held. */
int odm_policy_filter_sync(struct odm_maps *m);
/*
 * The cgroup's default type, its policy's other fields as they were; a
 * policy left saying nothing (ODM_TYPE_NONE and no other field) is
 * removed, so the cgroup inherits again.  Call with the lock held.
 */
int odm_policy_set_default(struct odm_maps *m, __u64 cgroup_id, __u8 type);
typedef int (*odm_policy_cb)(__u64 cgroup_id, const struct odm_policy *pol, void *ctx);
int odm_policy_foreach(struct odm_maps *m, odm_policy_cb cb, void *ctx);

/* Sum the per-CPU counters into out[ODM_STAT_MAX]. */
int odm_stats_read(struct odm_maps *m, __u64 out[ODM_STAT_MAX]);
/* Add n to a counter only user space writes (ODM_STAT_NET_*). */
int odm_stats_add(struct odm_maps *m, unsigned int stat, __u64 n);
/* Name of a counter for output ("setsc_ok", ...), snake_case. */
const char *odm_stat_name(unsigned int stat);
/* One line saying what a counter counts (Prometheus # HELP), "" if unknown. */
const char *odm_stat_help(unsigned int stat);
/* Use counts of one address; zeros when absent. */
int odm_use_get(struct odm_maps *m, const __u32 addr[4], struct odm_use *use);
/*
 * Sockets counted on every address inside key's prefix, into *sockets: a
 * prefix whose host address was renewed still has the old address's
 * sockets, retired but open.  0 or -errno.
 */
int odm_use_in_prefix(struct odm_maps *m, const struct odm_prefix_key *key, __u64 *sockets);
int odm_info_get(struct odm_maps *m, struct odm_info *info);
/* Bytes and packets sent from an address, summed over CPUs; zeros when none. */
int odm_tx_get(struct odm_maps *m, const __u32 addr[4], struct odm_tx *tx);

/* ---- cgroup.c: cgroup v2 ----------------------------------------------- */

/* Mount point of the cgroup v2 hierarchy from /proc/self/mountinfo into buf. */
int odm_cgroup2_root(char *buf, size_t len);
/* The same from a mountinfo stream: 0, -ENOENT (none), -ENAMETOOLONG. */
int odm_cgroup2_root_in(FILE *mountinfo, char *buf, size_t len);
/* cgroup id (the inode number / file handle) of a cgroup v2 directory. */
int odm_cgroup_id(const char *path, __u64 *id);
/*
 * Resolve a user-given cgroup (absolute path on a cgroup v2 mount, or a path
 * relative to the cgroup2 root, with or without a leading '/') to an
 * absolute directory path.  -ENOENT when neither exists, -ENOTDIR when the
 * path is not on cgroup v2.
 */
int odm_cgroup_resolve(const char *arg, char *path, size_t len);
/* Path (under the cgroup2 root) of a cgroup id, by walking the tree; -ENOENT. */
int odm_cgroup_path(__u64 id, char *buf, size_t len);

/* ---- nl.c: rtnetlink addresses ------------------------------------------ */

struct odm_kaddr {
	__u32 addr[4];
	__u32 ifindex;
	__u32 flags;		/* IFA_F_* (from IFA_FLAGS when present) */
	__u32 valid_lft;	/* seconds, 0xffffffff = forever */
	__u32 preferred_lft;
	__u8  plen;
	__u8  scope;		/* RT_SCOPE_* */
};

/*
 * Parse one RTM_NEWADDR/RTM_DELADDR message of family AF_INET6 (pure,
 * bounds-checked, fuzzable).  Returns 0, -EAFNOSUPPORT for other
 * families, -EINVAL for malformed messages.
 */
int odm_nl_parse_addr(const void *msg, size_t len, struct odm_kaddr *out);
typedef int (*odm_kaddr_cb)(const struct odm_kaddr *ka, void *ctx);
/* Dump the IPv6 addresses of the current netns (RTM_GETADDR). */
int odm_nl_dump_addrs(odm_kaddr_cb cb, void *ctx);
/* A non-blocking NETLINK_ROUTE socket subscribed to IPv6 address events. */
int odm_nl_monitor_open(void);
/*
 * Read what is queued on a monitor socket; cb(ka, is_new, ctx) for each
 * address event.  -ENOBUFS when the kernel dropped events (then resync
 * with a dump).
 */
int odm_nl_monitor_read(int fd, int (*cb)(const struct odm_kaddr *ka, bool is_new, void *ctx),
			void *ctx);

/* A link event: an interface's state (RTM_NEWLINK) or its end (RTM_DELLINK). */
struct odm_klink {
	__u32 ifindex;
	__u32 flags;		/* IFF_* */
	/*
	 * IFLA_CARRIER_UP_COUNT: how often the link has gained its carrier.
	 * The kernel tells of carrier changes from its linkwatch work, at
	 * most once a second for a device that is its own link (Ethernet,
	 * Wi-Fi, a modem; a veth whose peer has the same index in its
	 * namespace): a carrier lost and found within that second reaches
	 * listeners as one message that says "up".  The count still moves.
	 */
	__u32 carrier_ups;
	bool have_carrier_ups;	/* the message carried the count (Linux 4.16+) */
	bool gone;		/* RTM_DELLINK: deleted, or moved to another netns */
};

/*
 * Parse one RTM_NEWLINK/RTM_DELLINK message (pure, bounds-checked,
 * fuzzable).  0, -EAFNOSUPPORT for another family than AF_UNSPEC (a
 * bridge's notices about its ports, which are not the link's), -EINVAL
 * for malformed messages.
 */
int odm_nl_parse_link(const void *msg, size_t len, struct odm_klink *out);
/* Every link of the current netns, cb(kl, ctx) for each: 0, cb's non-zero
 * return, or -errno. */
int odm_nl_dump_links(int (*cb)(const struct odm_klink *kl, void *ctx), void *ctx);
/* A non-blocking NETLINK_ROUTE socket subscribed to link events. */
int odm_nl_link_monitor_open(void);
/*
 * Read what is queued on a link monitor socket; cb(kl, ctx) for each link
 * event.  -ENOBUFS when the kernel dropped events (then ask each link's
 * state anew).
 */
int odm_nl_link_monitor_read(int fd, int (*cb)(const struct odm_klink *kl, void *ctx), void *ctx);

/*
 * Add (or refresh the lifetimes of) an IPv6 address, or delete it
 * (nl_addr.c).  flags: IFA_F_* for an add (e.g. IFA_F_NODAD).  Waits for
 * the kernel's answer: 0 or -errno.
 */
int odm_nl_addr_set(bool add, unsigned int ifindex, const __u32 addr[4], unsigned int plen,
		    __u32 valid_lft, __u32 preferred_lft, __u32 flags);
/* The kernel's view of one address (interface, length, flags, lifetimes);
 * -ENOENT when the host does not have it. */
int odm_nl_find_addr(const __u32 addr[4], struct odm_kaddr *out);

/* ---- nl_route.c: rtnetlink routes ---------------------------------------- */

/*
 * rtm_protocol of the routes odmd adds (loader/egress.c), so that it finds
 * exactly its own and never touches anyone else's.  79 is 'O', as
 * ODM_SO_SC_TYPE spells "OD"; it is in neither the kernel's RTPROT_* list
 * nor iproute2's rt_protos (/etc/iproute2 or /usr/share/iproute2), whose
 * protocols are 0-18, 42, 99 and 186-198 (FRR's included).
 */
#define RTPROT_ODM 79

/* One path of an IPv6 route: a multipath route gives one per nexthop. */
struct odm_kroute {
	__u32 dst[4];		/* network order, bits past dst_len zero */
	__u32 src[4];		/* source prefix (RTA_SRC, IPv6 subtrees), likewise */
	__u32 gateway[4];	/* zero: none (on-link, blackhole...) */
	__u32 oif;		/* ifindex, 0: none */
	__u32 table;		/* RTA_TABLE, else rtm_table */
	__u32 priority;		/* the metric (RTA_PRIORITY), 0 when absent */
	__u32 flags;		/* RTNH_F_* of this path */
	__u8  dst_len;
	__u8  src_len;
	__u8  protocol;		/* RTPROT_* */
	__u8  type;		/* RTN_* */
};

/*
 * Parse one RTM_NEWROUTE/RTM_DELROUTE message of family AF_INET6 (pure,
 * bounds-checked, fuzzable) into its paths: out[0] for a plain route,
 * out[0..n) for the nexthops of RTA_MULTIPATH, each with the shared fields.
 * Returns the number of paths n (at least 1; only the first max, max >= 1,
 * are written), -EAFNOSUPPORT for other families, -EINVAL for malformed
 * messages.
 */
int odm_nl_parse_route(const void *msg, size_t len, struct odm_kroute *out, size_t max);
typedef int (*odm_kroute_cb)(const struct odm_kroute *rt, void *ctx);
/*
 * Dump the IPv6 routes of the main table, cb once per path (16 at most of
 * one multipath route).  -EAGAIN when a change interrupted it: retry.
 */
int odm_nl_dump_routes(odm_kroute_cb cb, void *ctx);
/* A non-blocking NETLINK_ROUTE socket subscribed to IPv6 route events. */
int odm_nl_route_monitor_open(void);
/*
 * Read what is queued on a route monitor socket; cb(rt, is_new, ctx) for
 * each path of each event, of every table.  -ENOBUFS when the kernel
 * dropped events (then resync with a dump).
 */
int odm_nl_route_monitor_read(int fd, int (*cb)(const struct odm_kroute *rt, bool is_new,
						 void *ctx), void *ctx);
/*
 * Add or delete one route, its fields as in struct odm_kroute (oif
 * required; gateway, priority and table when not zero), waiting for the
 * kernel's answer: 0 or -errno (-EEXIST: it is there; -ESRCH: no such
 * route).  A delete matches every field given, the protocol included.
 * why (may be NULL) gets the kernel's reason for a refusal, or "".
 */
int odm_nl_route_set(bool add, const struct odm_kroute *rt, char *why, size_t whylen);

/* ---- sync.c: kernel addresses -> typed prefixes ----------------------- */

/* CLOCK_BOOTTIME in ns: the clock of struct odm_prefix.since_ns. */
__u64 odm_boottime_ns(void);

/* true when a kernel address may be handed out (global scope, not
 * tentative, dadfailed or deprecated). */
bool odm_kaddr_usable(const struct odm_kaddr *ka);
/*
 * Reconcile odm_prefixes with the kernel's addresses: every prefix whose
 * host address is gone gets another usable kernel address inside it (on its
 * ifindex when non-zero) or becomes ODM_PS_NOADDR; every prefix in NOADDR
 * state with a usable address inside it becomes VALID with since_ns = now.
 * Then recomputes odm_select.  Takes the lock.  Returns the number of
 * prefixes changed.
 */
int odm_sync_kernel(struct odm_maps *m);

#endif /* ODM_CORE_H */
