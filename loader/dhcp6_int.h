/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dhcp6_int.h - what the DHCPv6 client's files share, internal to it:
 * dhcp6.c (the state machine, behind dhcp6.h) uses dhcp6_rt.c (when to
 * send) and dhcp6_lease.c (the lease file).  Nothing else includes this
 * header.
 */
#ifndef ODM_DHCP6_INT_H
#define ODM_DHCP6_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

#include "dhcp6.h"
#include "dhcp6_wire.h"

#define NS_PER_MS		1000000ull
#define NS_PER_S		1000000000ull
#define NEVER			UINT64_MAX

/* ---- dhcp6_rt.c: retransmission (RFC 8415 section 15) --------------------- */

/* RFC 8415 section 7.6, in ms; 0 = no limit. */
struct dhcp6_rt_params {
	unsigned int irt, mrt, mrc;
};

extern const struct dhcp6_rt_params dhcp6_rt_solicit, dhcp6_rt_request, dhcp6_rt_renew,
	dhcp6_rt_rebind, dhcp6_rt_release;

/* One message being (re)transmitted. */
struct dhcp6_xmit {
	__u8 msg_type;
	__u32 xid;
	__u64 first_ns;			/* first transmission, where Elapsed Time starts */
	__u64 next_ns;			/* next transmission */
	__u64 end_ns;			/* MRD reached; NEVER: no MRD */
	struct dhcp6_rt_params p;
	unsigned int rt_ms;
	unsigned int count;		/* transmissions so far */
};

/* xorshift: the client's xids and RFC 8415's RAND.  state must not be 0. */
__u64 dhcp6_rand(__u64 *state);
/*
 * The first transmission is now: set x's timers from p, each capped at
 * max_rt_ms (0: no cap), the exchange ending at end_ns.  x->msg_type and
 * x->xid are the caller's, set before.
 */
void dhcp6_xmit_start(struct dhcp6_xmit *x, const struct dhcp6_rt_params *p,
		      unsigned int max_rt_ms, __u64 end_ns, __u64 now, __u64 *rng);
/* Time for the next transmission: false when MRC or MRD says the exchange failed. */
bool dhcp6_xmit_again(struct dhcp6_xmit *x, __u64 now, __u64 *rng);

/* ---- dhcp6_lease.c: the lease file ---------------------------------------- */

/* One lease as the file keeps it. */
struct dhcp6_lease_rec {
	struct odm_lease lease;		/* obtained_ns: see elapsed_s */
	struct odm_dhcp6_duid server;
	__u32 elapsed_s;		/* since the grant, by the wall clock */
};

/*
 * Writing replaces the whole file: begin, put every lease, commit.  A
 * crash leaves the old list or the new one, never half.
 */
struct dhcp6_lease_writer {
	const char *file;
	char tmp[PATH_MAX];
	FILE *f;
	__u64 now_boot;			/* to turn obtained_ns into wall-clock time */
	time_t now_real;
};

/* 0, or -errno (with a message when the file's directory is not safe). */
int dhcp6_lease_begin(struct dhcp6_lease_writer *w, const char *file);
/* One lease; obtained_ns is CLOCK_BOOTTIME, server the DUID it came from. */
void dhcp6_lease_put(struct dhcp6_lease_writer *w, const struct odm_lease *l,
		     const struct odm_dhcp6_duid *server);
/* Put the new file in place of the old; 0 or -errno (then the old stays). */
int dhcp6_lease_commit(struct dhcp6_lease_writer *w);

/*
 * fn for each lease dhcp6_lease_read() finds: 0 when the client keeps it,
 * 1 when it gives it up, < 0 to stop reading (out of memory).
 */
typedef int (*dhcp6_lease_fn)(void *ctx, const struct dhcp6_lease_rec *rec);

/*
 * Read the lease file back: fn for every well-formed lease that is still
 * valid and that odm_prefix_unsafe() allows, in file order; others are
 * logged (malformed, unsafe) or dropped quietly (expired).  Returns how
 * many were dropped or given up, so the caller writes the file again;
 * no file (a first start) or an unsafe directory reads as empty.
 */
int dhcp6_lease_read(const char *file, dhcp6_lease_fn fn, void *ctx);

#endif
