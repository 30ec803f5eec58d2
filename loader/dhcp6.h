/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dhcp6.h - odmd's DHCPv6 prefix-delegation client (RFC 8415), the way odm
 * asks "the network" for a prefix of a given type (RFC 8653 sections 3.4,
 * 3.5).  The type travels as OPTION_IPv6_CONTINUITY_SERVICE of
 * draft-moses-dmm-dhcp-ondemand-mobility-09, inside the IAprefix options
 * of IA_PD and, because Kea 2.2 classifies on one sub-option level only,
 * also as a top-level copy (see the README).
 *
 * The client is driven by odmd's single-threaded poll loop: no threads, no
 * blocking calls.  Each acquisition is its own IA_PD (own IAID), so the
 * host can hold several prefixes of several types at once; leases are
 * renewed at T1, rebound at T2, released on request, and persisted in a
 * lease file so a restart of odmd keeps them.
 *
 * Types in this API are odm's (setsc()) numbering, enum odm_type; the
 * translation to the draft's numbering (0 Any, 1 Non-persistent,
 * 2 Session-lasting, 3 Fixed, 4 Graceful-replacement) happens only on the
 * wire, in dhcp6 message code.
 */
#ifndef ODM_DHCP6_H
#define ODM_DHCP6_H

#include <stdbool.h>
#include <linux/types.h>

/* Unassigned by IANA; the draft has no code.  Configurable (--dhcp6-option). */
#define ODM_DHCP6_OPT_CONTINUITY_DEFAULT	65000

struct odm_dhcp6;

/* What odm_dhcp6_opts.count counts. */
enum odm_dhcp6_count {
	ODM_DHCP6_N_SOLICIT,		/* sent, retransmissions included */
	ODM_DHCP6_N_REQUEST,
	ODM_DHCP6_N_RENEW,
	ODM_DHCP6_N_REBIND,
	ODM_DHCP6_N_RELEASE,
	ODM_DHCP6_N_ADVERTISE,		/* received: an Advertise for one of our exchanges */
	ODM_DHCP6_N_REPLY,		/* received: a Reply for one of our exchanges */
	ODM_DHCP6_N_FAILED,		/* an acquisition ended without a lease */
	ODM_DHCP6_N_LOST,		/* a lease ended before we released it */
};

struct odm_dhcp6_opts {
	size_t sz;			/* sizeof(struct odm_dhcp6_opts) */
	unsigned int ifindex;		/* interface to talk on (its link-local address) */
	__u16 option_code;		/* 0: ODM_DHCP6_OPT_CONTINUITY_DEFAULT */
	const char *lease_file;		/* NULL: no persistence */
	unsigned int max_rt_ms;		/* 0: RFC 8415 defaults; tests may cap retransmission */
	unsigned int request_timeout_ms;/* give up an acquisition after this; 0: 8000 */
	/*
	 * May a new acquisition take this prefix (host bits clear)?  NULL:
	 * any that odm_prefix_unsafe() allows.  Offers it rejects count as
	 * unsafe ones, so the exchange can prefer another server's.
	 */
	bool (*accept)(void *ctx, const __u32 prefix[4], __u8 plen);
	/*
	 * Types (bits 1 << enum odm_type) whose prefixes may come without the
	 * continuity option (odmd --dhcp6-untyped).  0: none, the default:
	 * an untyped offer is refused like an unsafe one, and a restored
	 * lease that was granted untyped is released.
	 */
	unsigned int untyped;
	/*
	 * Called (with the callback's ctx) for each message sent (every
	 * retransmission too), each Advertise or Reply taken as an answer to
	 * us, each acquisition that ends without a lease and each lease lost.
	 * NULL: nothing counted.  odmd adds them to odm_stats.
	 */
	void (*count)(void *ctx, enum odm_dhcp6_count what);
};

/* One delegated prefix. */
struct odm_lease {
	__u32 iaid;
	__u8 type;			/* enum odm_type */
	__u8 plen;
	__u32 prefix[4];		/* network order */
	__u32 preferred_lft;		/* seconds */
	__u32 valid_lft;
	__u32 t1, t2;			/* seconds, as granted (0 = client's choice) */
	__u64 obtained_ns;		/* CLOCK_BOOTTIME when granted or last renewed */
	bool untyped;			/* granted without the continuity option; with
					 * ODM_DHCP6_REFUSED: refused for that */
	__u32 addr[4];			/* the host address odmd keeps in it (Fixed,
					 * Session-lasting: odm_dhcp6_set_addr()); all
					 * zero: none recorded */
};

/* Why an acquisition ended. */
enum odm_dhcp6_result {
	ODM_DHCP6_OK = 0,		/* lease granted */
	ODM_DHCP6_NOT_OFFERED,		/* NoPrefixAvail / no server offers the type */
	ODM_DHCP6_FAILED,		/* timeout, no server, refused, malformed replies */
	ODM_DHCP6_REFUSED,		/* offered only prefixes odm_prefix_unsafe(), accept
					 * or the type rule (opts.untyped) rejects; the lease
					 * carries the last one, for the log.  One a Reply
					 * bound is released. */
};

/* Events about leases, for odmd to (un)configure addresses and maps. */
enum odm_dhcp6_event {
	ODM_DHCP6_ACQUIRED,		/* result of odm_dhcp6_acquire() */
	ODM_DHCP6_RENEWED,		/* lifetimes updated by Renew/Rebind */
	ODM_DHCP6_LOST,			/* expired, or the server took it back, or (at
					 * start) an untyped lease opts.untyped no longer
					 * allows was released instead of restored */
	ODM_DHCP6_RESTORED,		/* read from the lease file at start */
	ODM_DHCP6_REPLACED,		/* a Renew/Rebind Reply bound a new prefix to
					 * the IA instead of extending its own (the
					 * lease is the new one, its address not yet
					 * recorded); LOST for the old one follows */
};

typedef void (*odm_dhcp6_cb)(void *ctx, enum odm_dhcp6_event ev, enum odm_dhcp6_result res,
			     const struct odm_lease *lease);

/* Create a client; cb receives every event.  NULL with errno on failure. */
struct odm_dhcp6 *odm_dhcp6_new(const struct odm_dhcp6_opts *opts, odm_dhcp6_cb cb, void *ctx);
void odm_dhcp6_free(struct odm_dhcp6 *c);
/* The UDP socket to poll for POLLIN. */
int odm_dhcp6_fd(const struct odm_dhcp6 *c);
/* Milliseconds until odm_dhcp6_process() must run again; -1: no timer. */
int odm_dhcp6_timeout_ms(const struct odm_dhcp6 *c);
/* Read what arrived and run due timers; calls cb. */
void odm_dhcp6_process(struct odm_dhcp6 *c);
/*
 * Start acquiring a new prefix of type (enum odm_type).  Ends with one
 * ODM_DHCP6_ACQUIRED callback.  Returns the IAID used, or -errno.
 */
int odm_dhcp6_acquire(struct odm_dhcp6 *c, __u8 type);
/*
 * The link came back (RFC 8415 section 18.2.12): Rebind every bound lease
 * at once, each until its valid lifetime ends; the Reply reports it
 * RENEWED, LOST, or REPLACED then LOST.  The number of leases rebinding.
 */
int odm_dhcp6_rebind(struct odm_dhcp6 *c);
/* A lease of type is being rebound (odm_dhcp6_rebind(), or past T2). */
bool odm_dhcp6_rebinding(const struct odm_dhcp6 *c, __u8 type);
/*
 * The link is gone: forget every lease and exchange without a message (no
 * Release can be sent on it) or a callback, and rewrite the lease file
 * empty.  The caller withdraws what it had configured.
 */
void odm_dhcp6_forget(struct odm_dhcp6 *c);
/* Release a lease (sends Release, forgets it).  -ENOENT when unknown. */
int odm_dhcp6_release(struct odm_dhcp6 *c, __u32 iaid);
/*
 * Record the host address odmd made in a bound lease's prefix, so that it
 * is the same address after a restart or a reboot (the lease file keeps
 * it); all zero forgets it.  Rewrites the lease file when it changed.
 * -ENOENT when no bound lease has iaid.
 */
int odm_dhcp6_set_addr(struct odm_dhcp6 *c, __u32 iaid, const __u32 addr[4]);
/* Call cb(ctx, ev, ..) for every current lease (e.g. for the CLI). */
void odm_dhcp6_foreach(const struct odm_dhcp6 *c,
		       void (*fn)(void *arg, const struct odm_lease *lease), void *arg);

#endif
