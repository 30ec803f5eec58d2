/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ondemand.h - odmd's side of the request path (lib/proto.h): it accepts
 * setsc() requests that BPF could not satisfy, checks who asks, obtains a
 * prefix of the type from the network (loader/dhcp6.h), configures a host
 * address in it, publishes it in the maps and answers.  Concurrent requests
 * for one type share one network exchange.
 */
#ifndef ODM_ONDEMAND_H
#define ODM_ONDEMAND_H

#include <limits.h>
#include <poll.h>
#include <linux/types.h>

#include "core.h"

struct odm_ondemand;

/* Networks odmd may ask (--dhcp6, `network` lines). */
#define ODM_MAX_NETS	8

/* One network: a DHCPv6 client on one interface (RFC 8415). */
struct odm_ondemand_net {
	unsigned int ifindex;
	unsigned int types;		/* bits 1 << enum odm_type to ask it for */
	char lease_file[PATH_MAX];	/* "": leases not persisted */
};

struct odm_ondemand_opts {
	size_t sz;
	struct odm_maps *maps;
	const char *cgroup;		/* attached cgroup, relative to the cgroup2 root */
	const char *sock_path;		/* NULL: odm_proto_path() */
	/* The networks to ask for prefixes, in order of preference; none:
	 * a request that needs the network fails. */
	const struct odm_ondemand_net *nets;
	unsigned int n_nets;		/* at most ODM_MAX_NETS */
	__u16 dhcp6_option;		/* 0: default */
	unsigned int dhcp6_max_rt_ms;	/* 0: RFC 8415 defaults */
	unsigned int dhcp6_untyped;	/* types (1 << enum odm_type) whose prefixes may
					 * come without the continuity option; 0: none */
	const struct odm_iid_conf *iid;	/* NULL: random identifiers */
	__u64 cgroup_id;		/* of the attached cgroup: what requests with no
					 * policy over them count against */
	/* Limits for a cgroup whose policy sets none, or that has no policy
	 * (section 7: exhaustion); 0: none.  ODM_NET_*_DEFAULT in odmd. */
	unsigned int net_per_min;	/* network requests a minute */
	unsigned int net_max_held;	/* Fixed + Session-lasting prefixes held */
	/* A delegated Session-lasting prefix is released this long after its
	 * last socket closed (section 3.4 "may be released"); 0: never. */
	unsigned int sl_linger_s;
};

/* odmd's default for sl_linger_s (--sl-linger). */
#define ODM_SL_LINGER_DEFAULT_S		60

/* odmd's defaults for the limits above (--net-rate, --net-max-held). */
#define ODM_NET_RATE_DEFAULT		60
#define ODM_NET_MAX_HELD_DEFAULT	16

/* NULL with errno when the socket cannot be bound (e.g. another odmd). */
struct odm_ondemand *odm_ondemand_new(const struct odm_ondemand_opts *opts);
void odm_ondemand_free(struct odm_ondemand *d);
/* Fill up to max pollfds; returns how many. */
int odm_ondemand_pollfds(struct odm_ondemand *d, struct pollfd *pfd, int max);
/* Milliseconds until odm_ondemand_process() must run again, -1: none. */
int odm_ondemand_timeout_ms(struct odm_ondemand *d);
/* Handle what the pollfds of the last odm_ondemand_pollfds() reported and due timers. */
void odm_ondemand_process(struct odm_ondemand *d, const struct pollfd *pfd, int n);

/* Tell every watcher that old_addr is being replaced by new_addr. */
void odm_ondemand_replaced(struct odm_ondemand *d, __u8 type, __u32 grace_s,
			   const __u32 old_addr[4], const __u32 new_addr[4]);

#endif
