/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dhcp6_int.h - what the DHCPv6 client's files share, internal to it:
 * dhcp6.c (the state machine, behind dhcp6.h) uses dhcp6_lease.c (the
 * lease file).  Nothing else includes this header.
 */
#ifndef ODM_DHCP6_INT_H
#define ODM_DHCP6_INT_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

#include "dhcp6.h"
#include "dhcp6_wire.h"

#define NS_PER_MS		1000000ull
#define NS_PER_S		1000000000ull
#define NEVER			UINT64_MAX

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
