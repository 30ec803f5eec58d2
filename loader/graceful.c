// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* graceful.c - see graceful.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>

#include <bpf/bpf.h>

#include "graceful.h"
#include "log.h"

#define MAX_REPLACED 64

struct superseded {
	const struct odm_choice *choice;
	struct odm_maps *m;
	bool on_request;	/* the new prefix was delegated on an application's request */
	struct odm_prefix_key keys[MAX_REPLACED];
	struct odm_prefix vals[MAX_REPLACED];
	int n;
};

/* Valid Graceful-replacement prefixes other than the one handed out. */
static int collect(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct superseded *s = arg;

	if (val->type != ODM_TYPE_GRACEFUL || val->state != ODM_PS_VALID || s->n == MAX_REPLACED)
		return 0;
	if (key->prefixlen == s->choice->plen &&
	    !memcmp(&key->prefix, &s->choice->prefix, sizeof(key->prefix)))
		return 0;
	/*
	 * A prefix one application asked the network for must not cut short
	 * the addresses other applications' sockets use: those are retired
	 * when their last socket closes.  The network replacing a prefix
	 * (configuration, CLI, router advertisement) retires them all.
	 */
	if (s->on_request) {
		struct odm_use use;

		if (odm_use_get(s->m, val->addr.w, &use) || use.sockets)
			return 0;
	}
	s->keys[s->n] = *key;
	s->vals[s->n++] = *val;
	return 0;
}

/* Deprecate the address and leave it grace_s of life, in the kernel. */
static int retire_address(const __u32 addr[4], __u32 grace_s)
{
	/* Flags the kernel would otherwise reset on a replace. */
	const __u32 keep = IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR |
			   IFA_F_HOMEADDRESS;
	struct odm_kaddr ka;
	int err = odm_nl_find_addr(addr, &ka);

	if (err)
		return err;
	return odm_nl_addr_set(true, ka.ifindex, addr, ka.plen, grace_s, 0, ka.flags & keep);
}

int odm_graceful_check(struct odm_maps *m, __u32 grace_s, odm_replaced_cb cb, void *ctx)
{
	struct odm_choice choice;
	__u32 type = ODM_TYPE_GRACEFUL;
	struct superseded *s;
	int i, err, replaced = 0;

	if (bpf_map_lookup_elem(m->select, &type, &choice))
		return 0;			/* no graceful prefix handed out */
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->choice = &choice;
	s->m = m;
	{
		struct odm_prefix_key ck = { .prefixlen = choice.plen };
		struct odm_prefix cv;

		ck.prefix = choice.prefix;
		s->on_request = odm_prefix_get(m, &ck, &cv) == 0 && cv.source == ODM_SRC_DHCPV6;
	}
	err = odm_prefix_foreach(m, collect, s);
	for (i = 0; !err && i < s->n; i++) {
		char obuf[INET6_ADDRSTRLEN], nbuf[INET6_ADDRSTRLEN];

		err = retire_address(s->vals[i].addr.w, grace_s);
		if (err) {
			logmsg("cannot retire %s: %s", odm_addr_str(s->vals[i].addr.w, obuf),
			       strerror(-err));
			err = 0;
			continue;
		}
		/* Not handed out from now on, even before the kernel's event. */
		s->vals[i].state = ODM_PS_DEPRECATED;
		s->vals[i].preferred_lft = 0;
		s->vals[i].valid_lft = grace_s;
		if (odm_maps_lock(m) == 0) {
			odm_prefix_put(m, &s->keys[i], &s->vals[i]);
			odm_maps_unlock(m);
		}
		log_info("graceful replacement: %s -> %s, %us of grace",
			 odm_addr_str(s->vals[i].addr.w, obuf), odm_addr_str(choice.addr.w, nbuf),
			 grace_s);
		if (cb)
			cb(ctx, ODM_TYPE_GRACEFUL, grace_s, s->vals[i].addr.w, choice.addr.w);
		replaced++;
	}
	free(s);
	return err ? err : replaced;
}
