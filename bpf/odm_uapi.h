/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * odm_uapi.h - the socket-option ABI: what libodm, and every binding built
 * like it, exchanges with the BPF programs (bpf/odm.bpf.c) through
 * getsockopt(ODM_SOL, ODM_SO_SC(type, flags)) on the fast path, and
 * setsockopt(ODM_SO_SC_TYPE) + getsockopt(ODM_SO_SC_RESULT) for a hint.
 *
 * This header is all libodm needs.  The map layouts that odmd, odm and
 * bpftool read live in odm_maps.h and change on their own version.
 * Fields are fixed width with explicit padding so that the layout is the
 * same for clang -target bpf and for the host compiler.
 *
 * Include after vmlinux.h (BPF side) or after <linux/types.h> (user side).
 */
#ifndef ODM_UAPI_H
#define ODM_UAPI_H

/*
 * Bumped when struct odm_sc_req or struct odm_sc_result changes, and only
 * then: a new map layout must not make every installed libodm fail with
 * EPROTO.  Still 1 since union odm_in6 took the place of __u32[4] in both
 * structs: same bytes, size and alignment, so libodm built before and
 * after exchange the same 24 bytes.
 */
#define ODM_SOCKOPT_VERSION	1

/*
 * An IPv6 address or prefix: 16 bytes in network order, aligned on 4,
 * the size and alignment of the __u32[4] it replaced.  Every address in
 * the socket options and in the maps is one.  Both members are in the
 * BTF, so `bpftool map dump` prints b, the bytes in order (2001:db8::
 * starts "b": [32,1,13,184,...]), beside w, which it prints as decimal
 * words in host order.  Code uses w: the programs compare and copy four
 * 32-bit words, as they load addresses from the kernel's contexts.
 * __be32 comes from vmlinux.h (BPF) or <linux/types.h> (user space).
 */
union odm_in6 {
	__u8	b[16];
	__be32	w[4];
};

/*
 * Address types, numbered as setsc() numbers them (RFC 8653 section 6.1).
 * 0 and 5-7 are reserved; the field is 3 bits wide.
 */
enum odm_type {
	ODM_TYPE_NONE			= 0,
	ODM_TYPE_FIXED			= 1,
	ODM_TYPE_SESSION_LASTING	= 2,
	ODM_TYPE_NON_PERSISTENT		= 3,
	ODM_TYPE_GRACEFUL		= 4,
	ODM_TYPE_MAX			= 4,
};

/*
 * Private IPPROTO_IPV6 socket options intercepted by the cgroup sockopt
 * programs.  The kernel never sees them while odm is attached; without odm
 * the kernel answers ENOPROTOOPT, which is how libodm detects a legacy
 * host (RFC 8653 section 5.1).  The values sit far above every IPV6_*
 * option Linux defines (< 100) and spell "OD".
 */
#define ODM_SO_SC_TYPE		0x4f44	/* setsockopt: struct odm_sc_req */
#define ODM_SO_SC_RESULT	0x4f45	/* getsockopt: struct odm_sc_result */

/*
 * The fast path, one system call: a request in the option's name and the
 * answer (struct odm_sc_result) in its value,
 *
 *	getsockopt(fd, ODM_SOL, ODM_SO_SC(type, flags), &res, &len)
 *
 * The cgroup/getsockopt program runs after the kernel has answered
 * ENOPROTOOPT, which it does without copying the caller's buffer in, so the
 * request cannot ride in optval: it is in optname.  ODM_SOL is a level of
 * odm's own, not IPPROTO_IPV6: Linux answers an unknown level of an IPv6
 * TCP or UDP socket at once, where an unknown IPPROTO_IPV6 option is first
 * offered to netfilter under a global mutex.  Without odm (or with an odm
 * older than this call) the answer is ENOPROTOOPT: libodm then falls back
 * to ODM_SO_SC_TYPE + ODM_SO_SC_RESULT, and failing those too, it is a
 * legacy host.  The slow path's hint still travels by ODM_SO_SC_TYPE.
 */
#define ODM_SOL			0x4f44	/* "OD", far above every SOL_* */
#define ODM_SO_SC_CALL		0x4f00	/* | type | ODM_SCF_* */
#define ODM_SO_SC_TYPES		0x0007	/* the bits of optname that carry the type */
#define ODM_SO_SC_FLAGS		0x0018	/* those that carry ODM_SCF_* */
#define ODM_SO_SC_ARGS		(ODM_SO_SC_TYPES | ODM_SO_SC_FLAGS)
#define ODM_SO_SC(type, flags)	\
	(ODM_SO_SC_CALL | ((flags) & ODM_SO_SC_FLAGS) | ((type) & ODM_SO_SC_TYPES))

/*
 * ODM_SCF_ON_NET: section 6.2 asked through the call itself (setsc_opts),
 * for a socket whose IPV6_ADDR_PREFERENCES odm cannot see (odmd
 * --no-setsockopt attaches no cgroup/setsockopt program); the same as the
 * IPV6_REQUIRE_SRC_ON_NET preference, which still counts when set.
 * ODM_SCF_ANSWER: odmd has answered this socket's request, take the
 * address odm now hands out for the type, under the rules of a hint (with
 * ON_NET: of a prefix delegated since the request was answered
 * ODM_ST_NEED_NET).  For a host with no setsockopt program, where
 * ODM_SO_SC_TYPE's hint cannot be given.
 */
#define ODM_SCF_ON_NET		0x08
#define ODM_SCF_ANSWER		0x10

/*
 * RFC 8653 section 6.2: IPV6_REQUIRE_SRC_ON_NET in IPV6_ADDR_PREFERENCES.
 * Linux uses bits 0x0001-0x0fff for RFC 5014; this bit is stripped by the
 * setsockopt program before the kernel sees the option.
 */
#define ODM_PREFER_SRC_ON_NET	0x10000u
/* The RFC 5014 bits the kernel knows (IPV6_PREFER_SRC_*). */
#define ODM_PREFER_SRC_RFC5014	0x0f0fu

/*
 * setsockopt(fd, IPPROTO_IPV6, ODM_SO_SC_TYPE, &req, sizeof(req))
 *
 * hint: zero, or an address odmd just configured for this request (the
 * on-demand path).  It is taken only if it is the host address of a valid
 * prefix of the type, so an application can name no address it could not
 * bind() anyway.  On a socket with IPV6_REQUIRE_SRC_ON_NET the prefix must
 * also come from DHCPv6 and have become valid after this socket's request
 * was answered ODM_ST_NEED_NET (section 6.2): whoever answers libodm in
 * odmd's place cannot pass off an address the host had before.
 */
struct odm_sc_req {
	__u32 version;		/* ODM_SOCKOPT_VERSION */
	__u8  type;		/* enum odm_type, 1..4 */
	__u8  pad[3];
	union odm_in6 hint;
};

/* Status reported in struct odm_sc_result and struct odm_sk.status. */
enum odm_status {
	ODM_ST_NONE		= 0,	/* no request on this socket */
	ODM_ST_OK		= 1,	/* an address of the type was assigned */
	ODM_ST_NO_PREFIX	= 2,	/* no usable prefix of that type */
	ODM_ST_NEED_NET		= 3,	/* ON_NET set: a fresh prefix is needed */
	ODM_ST_BAD_HINT		= 4,	/* hint is not a valid address of the type, or with
					 * ON_NET not of a prefix delegated since NEED_NET */
	ODM_ST_DENIED		= 5,	/* the cgroup's policy does not allow the request */
};

/* getsockopt(fd, IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &len), and the
 * answer of getsockopt(fd, ODM_SOL, ODM_SO_SC(type, flags), &res, &len). */
struct odm_sc_result {
	__u32 version;		/* ODM_SOCKOPT_VERSION */
	__u8  status;		/* enum odm_status */
	__u8  type;		/* type in effect on the socket (may be a default) */
	__u8  req_type;		/* type asked by the last setsc(), 0 if none */
	__u8  flags;		/* ODM_SKF_* */
	union odm_in6 addr;	/* address handed out */
};

/* Per-socket flags (struct odm_sk.flags, struct odm_sc_result.flags). */
#define ODM_SKF_EXPLICIT	0x01	/* type came from setsc(), not a default */
#define ODM_SKF_ON_NET		0x02	/* IPV6_REQUIRE_SRC_ON_NET is set */
#define ODM_SKF_RFC5014		0x04	/* app set RFC 5014 preferences (sec. 5.4) */
#define ODM_SKF_COUNTED		0x08	/* addr is counted in odm_addr_use */
#define ODM_SKF_BOUND		0x10	/* odm bound or rewrote the source */
#define ODM_SKF_POLICY		0x20	/* sk_cgid and pol_cgid were recorded at creation */

#endif /* ODM_UAPI_H */
