// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odm.bpf.c - RFC 8653 On Demand Mobility: per-socket typed source
 * addresses, enforced by cgroup BPF programs.
 *
 * An application asks for an address type with setsc() (libodm), which
 * is a setsockopt(IPPROTO_IPV6, ODM_SO_SC_TYPE) that odm_setsockopt
 * consumes: it picks the address currently handed out for that type
 * (odm_select, filled by odmd), records it in the socket's storage and
 * counts the use.  getsockopt(ODM_SO_SC_RESULT) reads the result back.
 * The application then bind()s the address (RFC 8653 section 4.1); if it
 * does not, odm_connect6 / odm_sendmsg6 bind or set it for it, unless the
 * application set RFC 5014 preferences (section 5.4).  Sockets of a cgroup
 * with a default type get it at creation (odm_sock_create), so legacy
 * applications are typed with no code change (sections 3.4, 5.2).
 *
 * Every program is a thin SEC() entry that calls __always_inline workers;
 * verdicts are named; a socket odm knows nothing about costs one storage
 * lookup and leaves.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "net_defs.bpf.h"
#include "odm_maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Verdicts of cgroup sock, sock_addr and sockopt programs. */
#define VERDICT_REJECT	0	/* syscall fails: EPERM, or the errno set with bpf_set_retval() */
#define VERDICT_ALLOW	1

/* Deepest cgroup level searched for a policy (root is level 0). */
#define ODM_MAX_CGROUP_DEPTH	16

/*
 * Page size of the running kernel, set by odmd before load.  Sockopt
 * buffers larger than a page are only partly visible to BPF; programs must
 * then hand the original buffer back (Documentation/bpf/prog_cgroup_sockopt.rst).
 */
const volatile __u32 page_size = 4096;

/* Per-socket state: type, flags and the address handed out.  Written by
 * odm_sock_create, odm_setsockopt, odm_connect6/sendmsg6 and
 * odm_sock_release; read by the programs only.  Freed with the socket;
 * not cloned to accepted sockets. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct odm_sk);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_sk SEC(".maps");

/* Typed prefixes, longest match on an address.  Written by odmd and the
 * odm CLI; read by both, and here by prefix_of(): whether a socket's
 * address is still valid at connect()/sendmsg() (pick_src) and whether a
 * setsc() hint may be handed out (hint_usable). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct odm_prefix_key);
	__type(value, struct odm_prefix);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_prefixes SEC(".maps");

/* The address handed out per type, keyed by enum odm_type.  Written by
 * odm_select_recompute() in odmd and the CLI, from odm_prefixes; read here
 * on every setsc() and typed connect()/sendmsg(), by odmd (an on-demand
 * answer, graceful replacement) and by the CLI (prefix list).
 * No prealloc: an update swaps in a new element under RCU, so a reader
 * never sees half of an old and half of a new address (before about 6.4
 * a freed element could be reused at once: odm_select_recompute() writes
 * only entries that changed, see core/maps.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct odm_choice);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_select SEC(".maps");

/* Sockets per handed-out address (RFC 8653 section 3.4: an address may be
 * released when its last socket closes).  Written here (setsc(), connect6,
 * sendmsg6, sock_release); odmd deletes the keys no socket and no prefix
 * reach (odm_addr_reap).  Read by odmd (retired addresses wait for their
 * last socket) and the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct odm_addr_key);
	__type(value, struct odm_use);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_addr_use SEC(".maps");

/* Per-cgroup policy keyed by cgroup id; the deepest ancestor with an entry
 * wins.  Written by odmd (the config's default) and the CLI; read here by
 * odm_sock_create and setsc() (sk_policy), by odmd (admit()) and the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct odm_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_policy SEC(".maps");

/* Which cgroup ids have a policy (struct odm_policy_filter), so that a
 * socket with none over it costs one array read, not a walk.  Written by
 * odmd and the CLI with every odm_policy write (core/maps.c); read here by
 * policy_lookup(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct odm_policy_filter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_policy_filter SEC(".maps");

/* Event counters (enum odm_stat), per CPU.  Written here and by odmd (the
 * ODM_STAT_NET_* counters); summed by the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ODM_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_stats SEC(".maps");

/* Bytes sent per handed-out address, per CPU (RFC 8653 section 7: lifetimes
 * in bytes).  Written by odm_egress; odmd deletes the keys no socket and no
 * prefix reach (odm_addr_reap).  Read by odmd (lifetimes) and the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct odm_addr_key);
	__type(value, struct odm_tx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_tx SEC(".maps");

/* What was loaded where (struct odm_info).  Written by odmd at load; read
 * by the CLI; no program touches it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct odm_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} odm_info SEC(".maps");

static __always_inline void stat_inc(enum odm_stat idx)
{
	__u32 key = idx;
	__u64 *cnt = bpf_map_lookup_elem(&odm_stats, &key);

	if (cnt)
		*cnt += 1;	/* per-CPU slot: no atomic needed */
}

/*
 * Addresses are compared and copied as the four words of union odm_in6
 * (its w[]), with 4-byte loads and stores: the same instructions as when
 * the maps held __u32[4].  Passing the union itself instead makes clang
 * spill the words' addresses in sk_assign().
 */
static __always_inline bool addr_is_zero(const __be32 a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static __always_inline bool addr_eq(const __be32 a[4], const __be32 b[4])
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static __always_inline void addr_copy(__be32 dst[4], const __be32 src[4])
{
	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
}

/*
 * Destinations odm never picks a source for: the kernel's choice is the
 * only right one.  v4-mapped (::ffff:0:0/96): binding an IPv6 source breaks
 * the IPv4 connection; loopback and :: (which means loopback); link-local
 * fe80::/10, where a mobility type means nothing; multicast ff00::/8.
 * Reads the words one by one: sock_addr context fields allow 4-byte loads.
 */
static __always_inline bool dst_is_exempt(__u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	if (w0 == 0 && w1 == 0) {
		if (w2 == bpf_htonl(0x0000ffff))
			return true;				/* v4-mapped */
		if (w2 == 0 && (w3 == 0 || w3 == bpf_htonl(1)))
			return true;				/* :: and ::1 */
	}
	if ((w0 & bpf_htonl(0xffc00000)) == bpf_htonl(0xfe800000))
		return true;					/* link-local */
	if ((w0 & bpf_htonl(0xff000000)) == bpf_htonl(0xff000000))
		return true;					/* multicast */
	return false;
}

/* Count one more socket on addr.  false when the counter map is full. */
static __always_inline bool use_get(const __be32 addr[4])
{
	struct odm_addr_key key = {};
	struct odm_use zero = {}, *use;

	addr_copy(key.addr.w, addr);
	use = bpf_map_lookup_elem(&odm_addr_use, &key);
	if (!use) {
		/* NOEXIST: a concurrent first user may have created it. */
		bpf_map_update_elem(&odm_addr_use, &key, &zero, BPF_NOEXIST);
		use = bpf_map_lookup_elem(&odm_addr_use, &key);
		if (!use)
			return false;
	}
	__sync_fetch_and_add(&use->sockets, 1);
	__sync_fetch_and_add(&use->assigned, 1);
	return true;
}

static __always_inline void use_put(const __be32 addr[4])
{
	struct odm_addr_key key = {};
	struct odm_use *use;

	addr_copy(key.addr.w, addr);
	use = bpf_map_lookup_elem(&odm_addr_use, &key);
	if (use)
		__sync_fetch_and_sub(&use->sockets, 1);
}

/*
 * Hand addr to the socket: move its use count from the old address.  When
 * odm_addr_use is full the socket is left as it was and false returned:
 * an uncounted address could be retired under the socket (section 3.4).
 */
static __always_inline bool sk_assign(struct odm_sk *st, const __be32 addr[4])
{
	if ((st->flags & ODM_SKF_COUNTED) && addr_eq(st->addr.w, addr))
		return true;
	if (!use_get(addr)) {
		stat_inc(ODM_STAT_USE_FULL);
		return false;
	}
	if (st->flags & ODM_SKF_COUNTED)
		use_put(st->addr.w);
	addr_copy(st->addr.w, addr);
	st->flags |= ODM_SKF_COUNTED;
	return true;
}

/* The typed prefix whose host address is addr, of this type, else NULL. */
static __always_inline struct odm_prefix *prefix_of(const __be32 addr[4], __u8 type)
{
	struct odm_prefix_key key = { .prefixlen = 128 };
	struct odm_prefix *p;

	addr_copy(key.prefix.w, addr);
	p = bpf_map_lookup_elem(&odm_prefixes, &key);
	if (!p || p->type != type || p->state == ODM_PS_NOADDR || !addr_eq(p->addr.w, addr))
		return NULL;
	return p;
}

/* addr may stay in use by a socket that already has it (even deprecated). */
static __always_inline bool addr_still_valid(const __be32 addr[4], __u8 type)
{
	return prefix_of(addr, type) != NULL;
}

/*
 * May the hint of a setsc() request be handed out?  The address of a valid
 * prefix of the type, which the application could bind() anyway; on an
 * ON_NET socket (section 6.2) only that of a prefix DHCPv6 delegated after
 * the socket's request was answered ODM_ST_NEED_NET at net_ns: else whoever
 * answers libodm in odmd's place could pass off an address the host had
 * before.  Both are CLOCK_BOOTTIME; odmd stamps since_ns when its sync sees
 * the delegated address, after the request that asked for it.
 */
static __always_inline bool hint_usable(const struct odm_sk *st, const __be32 hint[4], __u8 type,
					bool on_net)
{
	struct odm_prefix *p = prefix_of(hint, type);

	if (!p || p->state != ODM_PS_VALID)
		return false;
	if (!on_net)
		return true;
	return st->net_ns && p->source == ODM_SRC_DHCPV6 && p->since_ns >= st->net_ns;
}

/*
 * The source for a typed socket about to send: the address setsc() handed
 * out while it is still valid (the application was told that address),
 * otherwise the one currently handed out for the type.  NULL when the type
 * has no address.
 */
static __always_inline const __be32 *pick_src(struct odm_sk *st)
{
	__u32 type = st->type;
	struct odm_choice *c = bpf_map_lookup_elem(&odm_select, &type);

	if (!addr_is_zero(st->addr.w)) {
		if (c && addr_eq(c->addr.w, st->addr.w))
			return st->addr.w;		/* fast path: nothing moved */
		if (addr_still_valid(st->addr.w, st->type))
			return st->addr.w;
	}
	if (!c)
		return NULL;
	/* Counter map full: send from the type's address all the same
	 * (counted in use_map_full); setsc() is where that is refused. */
	if (!sk_assign(st, c->addr.w))
		return c->addr.w;
	return st->addr.w;
}

static __always_inline int reject(int err)
{
	bpf_set_retval(-err);
	return VERDICT_REJECT;
}

/* ---- socket creation and release --------------------------------------- */

/* The policy of the deepest ancestor of the current cgroup that has one;
 * *found_id (when not NULL) gets that ancestor's id, 0 for none.  Only the
 * ancestors odm_policy_filter names are looked up; with no policy at all,
 * none is asked for. */
static __always_inline struct odm_policy *policy_lookup(__u64 *found_id)
{
	struct odm_policy *found = NULL, *p;
	struct odm_policy_filter *f;
	__u32 zero = 0;
	__u64 bits;
	int level;

	if (found_id)
		*found_id = 0;
	f = bpf_map_lookup_elem(&odm_policy_filter, &zero);
	bits = f ? f->id_bits : ~0ULL;
	if (!bits)
		return NULL;
	for (level = 0; level < ODM_MAX_CGROUP_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id)
			break;			/* past the current cgroup */
		if (!(bits & ODM_POLICY_FILTER_BIT(id)))
			continue;
		p = bpf_map_lookup_elem(&odm_policy, &id);
		if (p) {
			found = p;
			if (found_id)
				*found_id = id;
		}
	}
	return found;
}

/*
 * The policy a request on this socket answers to: the socket's, not the
 * caller's.  A socket passed to a process in another cgroup (or whose
 * process moved) keeps the policy its creator's cgroup had (recorded by
 * odm_sock_create); in its own cgroup the live lookup sees policy changes.
 * A socket created with no policy over it has no record: the caller's.
 */
static __always_inline struct odm_policy *sk_policy(const struct odm_sk *st)
{
	if ((st->flags & ODM_SKF_POLICY) && bpf_get_current_cgroup_id() != st->sk_cgid)
		return bpf_map_lookup_elem(&odm_policy, &st->pol_cgid);
	return policy_lookup(NULL);
}

/* May a cgroup with this policy request type (with ON_NET)?  No policy: yes. */
static __always_inline bool policy_allows(const struct odm_policy *pol, __u32 type, bool on_net)
{
	if (!pol)
		return true;
	if ((pol->flags & ODM_POLF_ALLOW) && !(pol->allow_mask & (1u << type)))
		return false;
	return !(on_net && (pol->flags & ODM_POLF_NO_ON_NET));
}

/*
 * Review point 12, behind the operator's switch: a type with no prefix may
 * be served by a stronger one, the least strong first.  Strength: a Fixed
 * address also lasts the session and survives moves; Session-lasting also
 * outlives any grace period; Graceful-replacement at least warns before it
 * goes, which Non-persistent does not.
 */
static __always_inline struct odm_choice *stronger_choice(const struct odm_policy *pol,
							  __u32 type, __u32 *served)
{
	/* types from the weakest to the strongest */
	static const __u32 by_strength[4] = {
		ODM_TYPE_NON_PERSISTENT, ODM_TYPE_GRACEFUL, ODM_TYPE_SESSION_LASTING,
		ODM_TYPE_FIXED,
	};
	struct odm_choice *c;
	bool above = false;
	int i;

	if (!pol || !(pol->flags & ODM_POLF_UPGRADE))
		return NULL;
	for (i = 0; i < 4; i++) {
		__u32 t = by_strength[i];

		if (!above) {
			above = t == type;
			continue;
		}
		if (!policy_allows(pol, t, false))
			continue;
		c = bpf_map_lookup_elem(&odm_select, &t);
		if (c) {
			*served = t;
			return c;
		}
	}
	return NULL;
}

/*
 * Gives new IPv6 TCP/UDP sockets of a cgroup with a policy the default type
 * and records whose policy they answer to (sk_policy).  Sockets with no
 * policy over them cost one array read (no policy anywhere) or a walk up
 * the cgroups, and get no storage.  Fails open: without storage the socket
 * simply stays untyped.
 */
SEC("cgroup/sock_create")
int odm_sock_create(struct bpf_sock *sk)
{
	struct odm_policy *pol;
	struct odm_sk *st;
	__u64 pol_cgid;

	if (sk->family != AF_INET6 || (sk->type != SOCK_STREAM && sk->type != SOCK_DGRAM))
		return VERDICT_ALLOW;
	pol = policy_lookup(&pol_cgid);
	if (!pol)
		return VERDICT_ALLOW;
	st = bpf_sk_storage_get(&odm_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return VERDICT_ALLOW;
	st->sk_cgid = bpf_get_current_cgroup_id();
	st->pol_cgid = pol_cgid;
	st->flags |= ODM_SKF_POLICY;
	if (pol->default_type == ODM_TYPE_NONE || pol->default_type > ODM_TYPE_MAX)
		return VERDICT_ALLOW;
	st->type = pol->default_type;
	stat_inc(ODM_STAT_DEFAULT_APPLIED);
	return VERDICT_ALLOW;
}

/* Drops the socket's use count (RFC 8653 section 3.4, last socket closed). */
SEC("cgroup/sock_release")
int odm_sock_release(struct bpf_sock *sk)
{
	struct odm_sk *st = bpf_sk_storage_get(&odm_sk, sk, 0, 0);

	if (st && (st->flags & ODM_SKF_COUNTED)) {
		use_put(st->addr.w);
		st->flags &= ~ODM_SKF_COUNTED;
		stat_inc(ODM_STAT_RELEASE_COUNTED);
	}
	return VERDICT_ALLOW;
}

/* ---- connect and sendmsg --------------------------------------------------- */

/*
 * The typed socket's state when odm should choose its source for this
 * destination, else NULL.  Counts why it declined.
 */
static __always_inline struct odm_sk *typed_unbound(struct bpf_sock_addr *ctx, bool check_port,
						    bool *autobound)
{
	struct bpf_sock *sk = ctx->sk;
	struct odm_sk *st;

	if (!sk)
		return NULL;
	st = bpf_sk_storage_get(&odm_sk, sk, 0, 0);
	if (!st || st->type == ODM_TYPE_NONE)
		return NULL;			/* untyped: the common case */
	if (ctx->user_family != AF_INET6 ||
	    dst_is_exempt(ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3])) {
		stat_inc(ODM_STAT_CONNECT_SKIP_DST);
		return NULL;
	}
	/* The application bound (or connect() follows an earlier autobind):
	 * its address wins. */
	if (sk->src_ip6[0] | sk->src_ip6[1] | sk->src_ip6[2] | sk->src_ip6[3]) {
		stat_inc(ODM_STAT_CONNECT_SKIP_BOUND);
		return NULL;
	}
	if (check_port && sk->src_port) {
		/*
		 * A port alone: a UDP socket odm set the source of datagrams
		 * for (sendto() before connect()) was bound to a port by the
		 * kernel, and a bound socket cannot be bound again, so the
		 * kernel would pick the source of the connection.  An explicit
		 * request fails rather than silently get another type (section
		 * 3.4); a cgroup default fails open.
		 */
		if ((st->flags & (ODM_SKF_BOUND | ODM_SKF_EXPLICIT)) ==
		    (ODM_SKF_BOUND | ODM_SKF_EXPLICIT) && sk->type == SOCK_DGRAM) {
			stat_inc(ODM_STAT_CONNECT_AUTOBOUND);
			*autobound = true;
		} else {
			stat_inc(ODM_STAT_CONNECT_SKIP_BOUND);
		}
		return NULL;
	}
	/* Section 5.4: RFC 5014 flags and no bind() keep kernel selection. */
	if (st->flags & ODM_SKF_RFC5014) {
		stat_inc(ODM_STAT_CONNECT_SKIP_RFC5014);
		return NULL;
	}
	return st;
}

/*
 * No address of the socket's type.  An explicit setsc() request must not
 * silently get another type (section 3.4: fail the socket request); a
 * cgroup default fails open to the kernel's selection.
 */
static __always_inline int no_address(struct odm_sk *st)
{
	stat_inc(ODM_STAT_CONNECT_NO_ADDR);
	if (st->flags & ODM_SKF_EXPLICIT)
		return reject(EADDRNOTAVAIL);
	return VERDICT_ALLOW;
}

/* Binds a typed, unbound socket to its address before connect(). */
SEC("cgroup/connect6")
int odm_connect6(struct bpf_sock_addr *ctx)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	bool autobound = false;
	struct odm_sk *st = typed_unbound(ctx, true, &autobound);
	const __be32 *src;
	int err;

	if (!st)
		return autobound ? reject(EADDRNOTAVAIL) : VERDICT_ALLOW;
	src = pick_src(st);
	if (!src)
		return no_address(st);
	sa.sin6_addr.in6_u.u6_addr32[0] = src[0];
	sa.sin6_addr.in6_u.u6_addr32[1] = src[1];
	sa.sin6_addr.in6_u.u6_addr32[2] = src[2];
	sa.sin6_addr.in6_u.u6_addr32[3] = src[3];
	/* Port 0: the kernel picks the port at connect time, as with
	 * IP_BIND_ADDRESS_NO_PORT. */
	err = bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa));
	if (err) {
		stat_inc(ODM_STAT_CONNECT_FAIL);
		return (st->flags & ODM_SKF_EXPLICIT) ? reject(-err) : VERDICT_ALLOW;
	}
	st->flags |= ODM_SKF_BOUND;
	stat_inc(ODM_STAT_CONNECT_BOUND);
	return VERDICT_ALLOW;
}

/* Sets the source of each unconnected UDP datagram of a typed socket. */
SEC("cgroup/sendmsg6")
int odm_sendmsg6(struct bpf_sock_addr *ctx)
{
	bool autobound = false;
	struct odm_sk *st = typed_unbound(ctx, false, &autobound);
	const __be32 *src;

	if (!st)
		return VERDICT_ALLOW;
	/* IPV6_PKTINFO in the message: the application chose the source. */
	if (ctx->msg_src_ip6[0] | ctx->msg_src_ip6[1] | ctx->msg_src_ip6[2] | ctx->msg_src_ip6[3])
		return VERDICT_ALLOW;
	src = pick_src(st);
	if (!src)
		return no_address(st);
	ctx->msg_src_ip6[0] = src[0];
	ctx->msg_src_ip6[1] = src[1];
	ctx->msg_src_ip6[2] = src[2];
	ctx->msg_src_ip6[3] = src[3];
	st->flags |= ODM_SKF_BOUND;
	stat_inc(ODM_STAT_SENDMSG_SET);
	return VERDICT_ALLOW;
}

/* ---- socket options ---------------------------------------------------------- */

/* The socket is now of type and uses addr. */
static __always_inline bool sc_granted(struct odm_sk *st, const __be32 addr[4], __u8 type)
{
	if (!sk_assign(st, addr))
		return false;
	st->type = type;
	st->flags |= ODM_SKF_EXPLICIT;
	st->status = ODM_ST_OK;
	return true;
}

/*
 * One setsc() request on the socket's storage: record the requested type
 * and hand out the type's address, or say why not in st->status.  With
 * has_hint, hint is the address odmd obtained for the request (the
 * on-demand path).  A flag and not a NULL pointer: the verifier loses a
 * pointer that may be NULL when clang spills it across the branches.
 * on_net: section 6.2, from IPV6_ADDR_PREFERENCES or from the call.  0, or
 * the errno to fail the call with.
 */
static __always_inline int sc_decide(struct odm_sk *st, __u32 type, const __be32 hint[4],
				     bool has_hint, bool on_net)
{
	struct odm_policy *pol;
	struct odm_choice *c;
	__u32 served;

	st->req_type = type;
	pol = sk_policy(st);
	if (!policy_allows(pol, type, on_net)) {
		/* Section 7: costly types only for authorized applications;
		 * a refused request never reaches the network. */
		st->status = ODM_ST_DENIED;
		stat_inc(ODM_STAT_SETSC_DENIED);
	} else if (has_hint) {
		/* The on-demand path: odmd configured this address for us. */
		if (hint_usable(st, hint, type, on_net)) {
			if (!sc_granted(st, hint, type))
				return ENOSPC;
			stat_inc(ODM_STAT_SETSC_HINT);
		} else {
			st->status = ODM_ST_BAD_HINT;
		}
	} else if (on_net) {
		/* Section 6.2: a fresh prefix from the network is required;
		 * only odmd can get one (the request path), BPF cannot block.
		 * The hint that answers it must be newer (hint_usable). */
		st->net_ns = bpf_ktime_get_boot_ns();
		st->status = ODM_ST_NEED_NET;
		stat_inc(ODM_STAT_SETSC_NEED_NET);
	} else if ((c = bpf_map_lookup_elem(&odm_select, &type))) {
		if (!sc_granted(st, c->addr.w, type))
			return ENOSPC;	/* odm_addr_use full */
		stat_inc(ODM_STAT_SETSC_OK);
	} else if ((c = stronger_choice(pol, type, &served))) {
		/* The socket is of the type it got: connect() keeps it. */
		if (!sc_granted(st, c->addr.w, served))
			return ENOSPC;
		stat_inc(ODM_STAT_SETSC_UPGRADED);
	} else {
		/* A failed request leaves the socket as it was (a default
		 * type stays): the application may go on without the type. */
		st->status = ODM_ST_NO_PREFIX;
		stat_inc(ODM_STAT_SETSC_NO_PREFIX);
	}
	return 0;
}

/*
 * The storage of a socket a setsc() request may still type, made when it
 * has none; NULL with *err set when it may not: EISCONN once connected or
 * listening (its source can no longer change), ENOMEM.
 */
static __always_inline struct odm_sk *sc_storage(struct bpf_sock *sk, int *err)
{
	struct odm_sk *st;

	if (sk->state != BPF_TCP_CLOSE) {
		*err = EISCONN;
		return NULL;
	}
	st = bpf_sk_storage_get(&odm_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		*err = ENOMEM;
	return st;
}

/* setsockopt(ODM_SO_SC_TYPE): a request with a hint, or from a libodm
 * older than the one-call path. */
static __always_inline int sc_request(struct bpf_sockopt *ctx)
{
	struct odm_sc_req *req = ctx->optval;
	struct bpf_sock *sk = ctx->sk;
	struct odm_sk *st;
	int err;

	if (!sk || sk->family != AF_INET6)
		return reject(EAFNOSUPPORT);
	if (ctx->optlen != sizeof(*req) || (void *)(req + 1) > ctx->optval_end ||
	    req->version != ODM_SOCKOPT_VERSION || req->type == ODM_TYPE_NONE ||
	    req->type > ODM_TYPE_MAX) {
		stat_inc(ODM_STAT_SETSC_INVAL);
		return reject(EINVAL);
	}
	st = sc_storage(sk, &err);
	if (!st)
		return reject(err);
	err = sc_decide(st, req->type, req->hint.w, !addr_is_zero(req->hint.w),
			st->flags & ODM_SKF_ON_NET);
	if (err)
		return reject(err);
	ctx->optlen = -1;	/* consumed: the kernel never sees odm's option */
	return VERDICT_ALLOW;
}

/* RFC 5014 conflicting pairs, as the kernel rejects them with EINVAL. */
static __always_inline bool prefs_conflict(__u32 p)
{
	__u32 pub = p & (IPV6_PREFER_SRC_TMP | IPV6_PREFER_SRC_PUBLIC |
			 IPV6_PREFER_SRC_PUBTMP_DEFAULT);
	__u32 home = p & (IPV6_PREFER_SRC_HOME | IPV6_PREFER_SRC_COA);
	__u32 cga = p & (IPV6_PREFER_SRC_CGA | IPV6_PREFER_SRC_NONCGA);

	return (pub & (pub - 1)) || (home & (home - 1)) || (cga & (cga - 1));
}

/*
 * Options odm does not own go to the kernel as the application wrote them.
 * optlen 0 says "nothing changed": setsockopt() then reads the caller's own
 * buffer (with optlen kept the kernel copies BPF's copy into a buffer it
 * allocates and frees, for every call: figure 6), getsockopt() copies
 * nothing back over what the kernel already wrote.  Past a page, where BPF
 * sees a truncated copy, it is also what keeps 6.1 kernels from failing the
 * call with EFAULT.
 */
static __always_inline int sockopt_pass(struct bpf_sockopt *ctx)
{
	ctx->optlen = 0;
	return VERDICT_ALLOW;
}

/*
 * IPV6_ADDR_PREFERENCES: remember the RFC 5014 flags (section 5.4) and take
 * IPV6_REQUIRE_SRC_ON_NET out, so the kernel only ever sees its own bits.
 */
static __always_inline int addr_prefs_set(struct bpf_sockopt *ctx)
{
	__u32 *val = ctx->optval;
	struct odm_sk *st;
	__u32 prefs;

	if (ctx->optlen < (int)sizeof(__u32) || (void *)(val + 1) > ctx->optval_end)
		return sockopt_pass(ctx);	/* the kernel answers EINVAL */
	prefs = *val;
	if (prefs_conflict(prefs))
		return sockopt_pass(ctx);	/* ditto, nothing to remember */
	if (ctx->optlen > (int)page_size || !(prefs & ODM_PREFER_SRC_ON_NET)) {
		/* Nothing to take out: the kernel reads the caller's buffer
		 * (sockopt_pass).  Past a page the kernel ignores this copy
		 * (6.1: fails the call with EFAULT unless optlen is 0), so
		 * ON_NET cannot be taken out of the application's buffer: the
		 * kernel gets it and drops the bit it does not know.  The flags
		 * are remembered all the same. */
		ctx->optlen = 0;
	} else {
		*val = prefs & ~ODM_PREFER_SRC_ON_NET;
		stat_inc(ODM_STAT_ON_NET_STRIPPED);
	}
	st = bpf_sk_storage_get(&odm_sk, ctx->sk, 0,
				prefs ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	if (!st)
		return VERDICT_ALLOW;
	st->prefs = prefs;
	st->flags &= ~(ODM_SKF_ON_NET | ODM_SKF_RFC5014);
	if (prefs & ODM_PREFER_SRC_ON_NET)
		st->flags |= ODM_SKF_ON_NET;
	if (prefs & ODM_PREFER_SRC_RFC5014)
		st->flags |= ODM_SKF_RFC5014;
	return VERDICT_ALLOW;
}

/* Consumes setsc() requests, filters IPV6_ADDR_PREFERENCES, passes the rest. */
SEC("cgroup/setsockopt")
int odm_setsockopt(struct bpf_sockopt *ctx)
{
	if (ctx->level == SOL_IPV6) {
		if (ctx->optname == ODM_SO_SC_TYPE)
			return sc_request(ctx);
		if (ctx->optname == IPV6_ADDR_PREFERENCES && ctx->sk)
			return addr_prefs_set(ctx);
	}
	return sockopt_pass(ctx);
}

/* The answer of both result options: the socket's type, status and address. */
static __always_inline void result_fill(struct odm_sc_result *res, const struct odm_sk *st)
{
	__builtin_memset(res, 0, sizeof(*res));
	res->version = ODM_SOCKOPT_VERSION;
	if (st) {
		res->status = st->status;
		res->type = st->type;
		res->req_type = st->req_type;
		res->flags = st->flags;
		addr_copy(res->addr.w, st->addr.w);
	}
}

/* A getsockopt of odm's fails with err (the kernel had said ENOPROTOOPT). */
static __always_inline int get_fail(struct bpf_sockopt *ctx, int err)
{
	ctx->retval = -err;
	return VERDICT_ALLOW;
}

/*
 * getsockopt(ODM_SOL, ODM_SO_SC(type, flags)): setsc() in one system call,
 * the request in optname, the answer in optval.  The kernel answered
 * ENOPROTOOPT before this runs and copied nothing in: optval is zeroed.
 */
static __always_inline int sc_call(struct bpf_sockopt *ctx)
{
	struct odm_sc_result *res = ctx->optval;
	struct bpf_sock *sk = ctx->sk;
	__u32 opt = ctx->optname, type = opt & ODM_SO_SC_TYPES;
	__be32 hint[4] = {};
	struct odm_choice *c;
	struct odm_sk *st;
	bool on_net;
	int err;

	if ((opt & ~ODM_SO_SC_ARGS) != ODM_SO_SC_CALL)
		return sockopt_pass(ctx);	/* not odm's: ENOPROTOOPT stands */
	if (!sk || sk->family != AF_INET6)
		return get_fail(ctx, EAFNOSUPPORT);
	if (ctx->optlen < (int)sizeof(*res) || (void *)(res + 1) > ctx->optval_end)
		return get_fail(ctx, EINVAL);
	if (type == ODM_TYPE_NONE || type > ODM_TYPE_MAX) {
		stat_inc(ODM_STAT_SETSC_INVAL);
		return get_fail(ctx, EINVAL);
	}
	st = sc_storage(sk, &err);
	if (!st)
		return get_fail(ctx, err);
	/* ON_NET asked through the call is set on the socket as the
	 * preference would be: the hint or answer that follows is held to it. */
	if (opt & ODM_SCF_ON_NET)
		st->flags |= ODM_SKF_ON_NET;
	on_net = st->flags & ODM_SKF_ON_NET;
	if (opt & ODM_SCF_ANSWER) {
		/* odmd answered: what it configured is what odm_select now
		 * hands out (the newest valid prefix of the type), checked as
		 * a hint would be. */
		c = bpf_map_lookup_elem(&odm_select, &type);
		if (!c) {
			st->req_type = type;
			st->status = ODM_ST_BAD_HINT;
			goto answer;
		}
		addr_copy(hint, c->addr.w);
	}
	err = sc_decide(st, type, hint, opt & ODM_SCF_ANSWER, on_net);
	if (err)
		return get_fail(ctx, err);
answer:
	result_fill(res, st);
	ctx->optlen = sizeof(*res);
	ctx->retval = 0;	/* the kernel said ENOPROTOOPT: the option is odm's */
	return VERDICT_ALLOW;
}

/* getsockopt(ODM_SO_SC_RESULT): the socket's type, status and address. */
static __always_inline int sc_result(struct bpf_sockopt *ctx)
{
	struct odm_sc_result *res = ctx->optval;
	struct bpf_sock *sk = ctx->sk;

	if (!sk || sk->family != AF_INET6) {
		ctx->retval = -EAFNOSUPPORT;
		return VERDICT_ALLOW;
	}
	if ((void *)(res + 1) > ctx->optval_end) {
		ctx->retval = -EINVAL;
		return VERDICT_ALLOW;
	}
	result_fill(res, bpf_sk_storage_get(&odm_sk, sk, 0, 0));
	ctx->optlen = sizeof(*res);
	ctx->retval = 0;	/* the kernel said ENOPROTOOPT: the option is odm's */
	return VERDICT_ALLOW;
}

/* IPV6_ADDR_PREFERENCES read back with the ON_NET bit the kernel never saw. */
static __always_inline int addr_prefs_get(struct bpf_sockopt *ctx)
{
	__u32 *val = ctx->optval;
	struct odm_sk *st;

	if (ctx->retval || ctx->optlen < (int)sizeof(__u32) || (void *)(val + 1) > ctx->optval_end)
		return sockopt_pass(ctx);
	st = bpf_sk_storage_get(&odm_sk, ctx->sk, 0, 0);
	if (!st || !(st->flags & ODM_SKF_ON_NET))
		return sockopt_pass(ctx);
	*val |= ODM_PREFER_SRC_ON_NET;
	return VERDICT_ALLOW;
}

/* Answers setsc()'s one call and odm's result option, completes
 * IPV6_ADDR_PREFERENCES. */
SEC("cgroup/getsockopt")
int odm_getsockopt(struct bpf_sockopt *ctx)
{
	if (ctx->level == ODM_SOL)
		return sc_call(ctx);
	if (ctx->level == SOL_IPV6) {
		if (ctx->optname == ODM_SO_SC_RESULT)
			return sc_result(ctx);
		if (ctx->optname == IPV6_ADDR_PREFERENCES && ctx->sk)
			return addr_prefs_get(ctx);
	}
	return sockopt_pass(ctx);
}

/* ---- egress ------------------------------------------------------------------------- */

/*
 * Counts what typed sockets send from the address odm handed them, so odmd
 * can give addresses lifetimes in bytes (section 7).  Untyped traffic costs
 * one socket-storage lookup.  Never drops anything.
 */
SEC("cgroup_skb/egress")
int odm_egress(struct __sk_buff *skb)
{
	struct odm_addr_key key = {};
	struct bpf_sock *sk = skb->sk;
	struct odm_tx *tx, init = {};
	struct odm_sk *st;

	if (!sk || skb->protocol != bpf_htons(0x86dd))
		return VERDICT_ALLOW;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return VERDICT_ALLOW;
	st = bpf_sk_storage_get(&odm_sk, sk, 0, 0);
	if (!st || !(st->flags & ODM_SKF_COUNTED))
		return VERDICT_ALLOW;
	/* The source as sent: the app may have bound another address. */
	if (bpf_skb_load_bytes(skb, 8, key.addr.b, sizeof(key.addr)) ||
	    !addr_eq(key.addr.w, st->addr.w))
		return VERDICT_ALLOW;
	tx = bpf_map_lookup_elem(&odm_tx, &key);
	if (!tx) {
		bpf_map_update_elem(&odm_tx, &key, &init, BPF_NOEXIST);
		tx = bpf_map_lookup_elem(&odm_tx, &key);
		if (!tx)
			return VERDICT_ALLOW;
	}
	tx->bytes += skb->len;		/* per-CPU slot: no atomic needed */
	tx->packets++;
	return VERDICT_ALLOW;
}
