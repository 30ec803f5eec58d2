/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sync.c - keep odm_prefixes in step with the addresses the kernel has:
 * a typed prefix is only worth handing out while the host holds a usable
 * address inside it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "core.h"

/* Addresses that may not be handed out to new sockets, whatever their scope. */
#define KADDR_UNUSABLE (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)

/* Retries of a dump that an address change interrupted. */
#define SYNC_DUMP_TRIES 3

bool odm_kaddr_usable(const struct odm_kaddr *ka)
{
	return ka->scope == RT_SCOPE_UNIVERSE && !(ka->flags & KADDR_UNUSABLE) &&
	       ka->preferred_lft != 0;
}

/* Still there and global, but only good for the sockets that have it already. */
static bool kaddr_deprecated(const struct odm_kaddr *ka)
{
	return ka->scope == RT_SCOPE_UNIVERSE &&
	       !(ka->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) &&
	       ((ka->flags & IFA_F_DEPRECATED) || ka->preferred_lft == 0);
}

/* ---- the kernel's addresses, in a growing array ------------------------ */

struct kaddr_list {
	struct odm_kaddr *v;
	size_t n, cap;
};

static int kaddr_list_add(const struct odm_kaddr *ka, void *ctx)
{
	struct kaddr_list *l = ctx;
	struct odm_kaddr *v = odm_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *ka;
	return 0;
}

static int kaddr_list_load(struct kaddr_list *l)
{
	int tries, err = -EAGAIN;

	for (tries = 0; tries < SYNC_DUMP_TRIES && err == -EAGAIN; tries++) {
		l->n = 0;
		err = odm_nl_dump_addrs(kaddr_list_add, l);
	}
	return err;
}

/* ---- deciding one prefix ------------------------------------------------ */

/* A kernel address that may stand for prefix key (on its interface, if set). */
static bool kaddr_fits(const struct odm_kaddr *ka, const struct odm_prefix_key *key,
		       const struct odm_prefix *val)
{
	return (!val->ifindex || ka->ifindex == val->ifindex) &&
	       odm_prefix_contains(key, ka->addr);
}

static const struct odm_kaddr *kaddr_find(const struct kaddr_list *l, const __u32 addr[4],
					  const struct odm_prefix_key *key,
					  const struct odm_prefix *val)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!memcmp(l->v[i].addr, addr, sizeof(l->v[i].addr)) &&
		    kaddr_fits(&l->v[i], key, val))
			return &l->v[i];
	return NULL;
}

/*
 * RFC 4941 temporary addresses suit non-persistent use and nothing else, so
 * prefer them for that type and avoid them for the others.
 */
static bool kaddr_better(const struct odm_kaddr *a, const struct odm_kaddr *b, __u8 type)
{
	bool want_tmp = type == ODM_TYPE_NON_PERSISTENT;
	bool a_tmp = a->flags & IFA_F_TEMPORARY, b_tmp = b->flags & IFA_F_TEMPORARY;

	return a_tmp != b_tmp && a_tmp == want_tmp;
}

static const struct odm_kaddr *kaddr_pick(const struct kaddr_list *l,
					  const struct odm_prefix_key *key,
					  const struct odm_prefix *val)
{
	const struct odm_kaddr *best = NULL;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!odm_kaddr_usable(&l->v[i]) || !kaddr_fits(&l->v[i], key, val))
			continue;
		if (!best || kaddr_better(&l->v[i], best, val->type))
			best = &l->v[i];
	}
	return best;
}

static void prefix_attach(struct odm_prefix *val, const struct odm_kaddr *ka, __u8 state,
			  __u64 now)
{
	/* since_ns marks when the prefix became usable, not address changes
	 * (odm_select prefers the latest attachment); addr_since_ns is the
	 * age of the host address, for lifetimes (RFC 8653 section 7). */
	if (state == ODM_PS_VALID && val->state != ODM_PS_VALID)
		val->since_ns = now;
	if (val->state == ODM_PS_NOADDR || memcmp(&val->addr, ka->addr, sizeof(val->addr)))
		val->addr_since_ns = now;
	val->state = state;
	memcpy(&val->addr, ka->addr, sizeof(val->addr));
	val->valid_lft = ka->valid_lft;
	val->preferred_lft = ka->preferred_lft;
}

static void prefix_detach(struct odm_prefix *val)
{
	val->state = ODM_PS_NOADDR;
	memset(&val->addr, 0, sizeof(val->addr));
	val->valid_lft = 0;
	val->preferred_lft = 0;
}

/*
 * The new value of one prefix: keep its host address while usable, else take
 * another usable one inside it, else keep a deprecated host address for the
 * sockets that use it, else no address.
 */
static void prefix_decide(const struct kaddr_list *l, const struct odm_prefix_key *key,
			  struct odm_prefix *val, __u64 now)
{
	const struct odm_kaddr *cur = NULL, *ka;

	if (!odm_addr_is_zero(val->addr.w))
		cur = kaddr_find(l, val->addr.w, key, val);
	if (cur && odm_kaddr_usable(cur))
		prefix_attach(val, cur, ODM_PS_VALID, now);
	else if ((ka = kaddr_pick(l, key, val)))
		prefix_attach(val, ka, ODM_PS_VALID, now);
	else if (cur && kaddr_deprecated(cur))
		prefix_attach(val, cur, ODM_PS_DEPRECATED, now);
	else
		prefix_detach(val);
}

/* ---- the walk ------------------------------------------------------------ */

struct sync_ctx {
	struct odm_maps *m;
	const struct kaddr_list *kaddrs;
	__u64 now;
	int changed;
};

/* Lifetimes count down in every dump; only state and address are changes. */
static bool prefix_changed(const struct odm_prefix *a, const struct odm_prefix *b)
{
	return a->state != b->state || memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static int sync_one(const struct odm_prefix_key *key, const struct odm_prefix *val, void *ctx)
{
	struct sync_ctx *s = ctx;
	struct odm_prefix nv = *val;
	int err;

	prefix_decide(s->kaddrs, key, &nv, s->now);
	if (!memcmp(&nv, val, sizeof(nv)))
		return 0;
	err = odm_prefix_put(s->m, key, &nv);
	if (!err && prefix_changed(&nv, val))
		s->changed++;
	return err;
}

__u64 odm_boottime_ns(void)
{
	struct timespec ts;

	/* CLOCK_BOOTTIME is what bpf_ktime_get_boot_ns() reads on the BPF
	 * side; it cannot fail for a valid clock id. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

int odm_sync_kernel(struct odm_maps *m)
{
	struct kaddr_list l = { 0 };
	struct sync_ctx s = { .m = m, .kaddrs = &l };
	int err;

	err = kaddr_list_load(&l);
	s.now = odm_boottime_ns();
	if (err)
		goto out_free;
	err = odm_maps_lock(m);
	if (err)
		goto out_free;
	err = odm_prefix_foreach(m, sync_one, &s);
	if (!err)
		err = odm_select_recompute(m);
	odm_maps_unlock(m);
out_free:
	free(l.v);
	return err ? err : s.changed;
}
