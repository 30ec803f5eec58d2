/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lifetime.h - RFC 8653 section 7: "the OS may also associate IP addresses
 * with a lifetime ... expressed in number of seconds or in number of bytes
 * sent through this IP address", and renew them.
 *
 * When the host address of a typed prefix reaches its type's lifetime,
 * odmd gives the prefix a new host address (a new random interface
 * identifier as RFC 8981 does for temporary addresses, or RFC 7217's next
 * one with --iid stable) so that new
 * sockets get it, and retires the old one: deprecated at once; for
 * Non-persistent and Graceful-replacement removed after the grace period;
 * for Session-lasting and Fixed kept until its last socket closes
 * (section 3.2: valid throughout the life-time of the socket).  A renewed
 * Graceful-replacement address is reported to watchers like a replaced
 * prefix (cb).
 *
 * Only a prefix delegated to this host alone (DHCPv6) is renewed in one
 * step with IFA_F_NODAD.  Elsewhere the link is shared: the new address
 * goes through Duplicate Address Detection (RFC 4862) and the old one stays
 * preferred until a later check finds the new one has passed, so the type
 * never lacks a usable address; a new address that fails DAD is removed
 * and the next identifier tried.
 */
#ifndef ODM_LIFETIME_H
#define ODM_LIFETIME_H

#include "core.h"
#include "graceful.h"

/* Non-persistent and Graceful-replacement addresses are renewed by default. */
#define ODM_NP_MAX_AGE_DEFAULT_S	3600

struct odm_lifetime {
	__u32 max_age_s;	/* 0: no limit in seconds */
	__u64 max_bytes;	/* 0: no limit in bytes */
};

struct odm_lifetimes {
	struct odm_lifetime type[ODM_TYPE_MAX + 1];	/* indexed by enum odm_type */
	__u32 grace_s;
	const struct odm_iid_conf *iid;			/* NULL: random identifiers */
};

/* Defaults: 1 h for Non-persistent and Graceful-replacement, none else. */
void odm_lifetimes_init(struct odm_lifetimes *lt, __u32 grace_s);
/* "TYPE:SECONDS[:BYTES]" as given to --lifetime; 0 or -EINVAL. */
int odm_lifetime_parse(const char *arg, struct odm_lifetimes *lt);

/* What odmd keeps between checks: retired addresses waiting for their
 * last socket, renewals waiting for DAD. */
struct odm_retired;

struct odm_retired *odm_retired_new(void);
void odm_retired_free(struct odm_retired *r);
/*
 * Renew what reached its lifetime, or take renewals waiting for DAD one
 * step further; remove retired Session-lasting/Fixed addresses whose last
 * socket closed.  Returns how many addresses were replaced (the old one
 * deprecated, the new one usable), or -errno.
 */
int odm_lifetime_check(struct odm_maps *m, const struct odm_lifetimes *lt,
		       struct odm_retired *r, odm_replaced_cb cb, void *ctx);

#endif
