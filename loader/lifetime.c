// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lifetime.c - see lifetime.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>

#include "lifetime.h"
#include "log.h"

#define MAX_RETIRED	256
#define MAX_DUE		64
#define MAX_PENDING	64
/* Identifiers one renewal may try, those that failed DAD included. */
#define MAX_COUNTER	16
/* When every identifier failed DAD, the old address stays this long
 * before the next round, not one more round of DAD every second. */
#define DAD_RETRY_S	60

/* What a new address copies from the one it replaces. */
#define KEEP_FLAGS	(IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR)

struct retired_addr {
	bool used;
	unsigned int ifindex;
	__u8 plen;
	__u32 addr[4];
};

/*
 * A renewal waiting for Duplicate Address Detection (RFC 4862) of its new
 * address: until it passes, the old address stays preferred, so the type
 * keeps a usable address and the prefix is not renewed again meanwhile.
 */
struct pending {
	bool used;
	struct odm_prefix_key key;
	__u8 type;
	__u32 counter;		/* the new address's; a failure goes on from the next */
	__u32 old[4];
	__u32 new[4];		/* all zero: every identifier failed, wait for retry_ns */
	__u64 retry_ns;
};

struct odm_retired {
	struct retired_addr v[MAX_RETIRED];
	struct pending p[MAX_PENDING];
};

void odm_lifetimes_init(struct odm_lifetimes *lt, __u32 grace_s)
{
	memset(lt, 0, sizeof(*lt));
	lt->type[ODM_TYPE_NON_PERSISTENT].max_age_s = ODM_NP_MAX_AGE_DEFAULT_S;
	lt->type[ODM_TYPE_GRACEFUL].max_age_s = ODM_NP_MAX_AGE_DEFAULT_S;
	lt->grace_s = grace_s;
}

int odm_lifetime_parse(const char *arg, struct odm_lifetimes *lt)
{
	char buf[96], *age, *bytes, *end;
	unsigned long long v;
	__u8 type;

	if (!arg || strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	age = strchr(buf, ':');
	if (!age)
		return -EINVAL;
	*age++ = '\0';
	bytes = strchr(age, ':');
	if (bytes)
		*bytes++ = '\0';
	if (odm_type_parse(buf, false, &type))
		return -EINVAL;
	errno = 0;
	v = strtoull(age, &end, 10);
	if (errno || *end || end == age || v > 0xffffffffull)
		return -EINVAL;
	lt->type[type].max_age_s = (__u32)v;
	lt->type[type].max_bytes = 0;
	if (bytes) {
		errno = 0;
		v = strtoull(bytes, &end, 10);
		if (errno || *end || end == bytes)
			return -EINVAL;
		lt->type[type].max_bytes = v;
	}
	return 0;
}

struct odm_retired *odm_retired_new(void)
{
	return calloc(1, sizeof(struct odm_retired));
}

void odm_retired_free(struct odm_retired *r)
{
	free(r);
}

struct due {
	struct odm_prefix_key key;
	struct odm_prefix val;
};

struct scan {
	struct odm_maps *m;
	const struct odm_lifetimes *lt;
	const struct odm_retired *r;
	__u64 now;
	struct due due[MAX_DUE];
	int n;
};

static bool pending_has(const struct odm_retired *r, const struct odm_prefix_key *key)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (r->p[i].used && !memcmp(&r->p[i].key, key, sizeof(*key)))
			return true;
	return false;
}

static int scan_cb(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct scan *s = arg;
	const struct odm_lifetime *l;
	struct odm_tx tx;

	if (val->state != ODM_PS_VALID || val->type > ODM_TYPE_MAX || s->n == MAX_DUE)
		return 0;
	/* Its renewal is under way: its address is still due, and stays so
	 * until the new one has passed DAD. */
	if (pending_has(s->r, key))
		return 0;
	l = &s->lt->type[val->type];
	if (l->max_age_s && s->now - val->addr_since_ns >= (__u64)l->max_age_s * 1000000000ull)
		goto due;
	if (l->max_bytes && odm_tx_get(s->m, val->addr.w, &tx) == 0 && tx.bytes >= l->max_bytes)
		goto due;
	return 0;
due:
	s->due[s->n].key = *key;
	s->due[s->n++].val = *val;
	return 0;
}

static void retire_later(struct odm_retired *r, const struct odm_kaddr *ka)
{
	int i;

	for (i = 0; i < MAX_RETIRED; i++) {
		if (!r->v[i].used) {
			r->v[i] = (struct retired_addr){ .used = true, .ifindex = ka->ifindex,
							 .plen = ka->plen };
			memcpy(r->v[i].addr, ka->addr, sizeof(r->v[i].addr));
			return;
		}
	}
	log_warn("too many retired addresses; one stays until it expires");
}

/*
 * The first identifier from counter on that the host does not have yet
 * (with --iid stable the sequence is the same after a restart; random:
 * the first), into addr and *used.
 */
static int next_addr(const struct odm_lifetimes *lt, const struct odm_prefix_key *key,
		     const struct odm_kaddr *old, __u32 counter, __u32 addr[4], __u32 *used)
{
	int err;

	for (; counter <= MAX_COUNTER; counter++) {
		struct odm_kaddr taken;

		err = odm_host_addr(addr, key, old->ifindex, lt->iid, counter);
		if (err)
			return err;
		if (memcmp(addr, old->addr, sizeof(old->addr)) &&
		    odm_nl_find_addr(addr, &taken) == -ENOENT) {
			*used = counter;
			return 0;
		}
	}
	return -EEXIST;
}

/*
 * The new address is in place and usable: deprecate the old one and retire
 * it (section 7), and tell the watchers of a Graceful-replacement address.
 */
static int retire(const struct odm_lifetimes *lt, struct odm_retired *r, __u8 type,
		  const struct odm_kaddr *old, const __u32 new[4], odm_replaced_cb cb, void *ctx)
{
	char obuf[INET6_ADDRSTRLEN], nbuf[INET6_ADDRSTRLEN];
	bool keep_for_sockets;
	int err;

	keep_for_sockets = type == ODM_TYPE_FIXED || type == ODM_TYPE_SESSION_LASTING;
	err = odm_nl_addr_set(true, old->ifindex, old->addr, old->plen,
			      keep_for_sockets ? old->valid_lft : lt->grace_s, 0,
			      old->flags & KEEP_FLAGS);
	if (err)
		return err;
	if (keep_for_sockets)
		retire_later(r, old);
	log_info("lifetime: %s address %s renewed as %s", odm_type_name(type),
		 odm_addr_str(old->addr, obuf), odm_addr_str(new, nbuf));
	if (cb && type == ODM_TYPE_GRACEFUL)
		cb(ctx, ODM_TYPE_GRACEFUL, lt->grace_s, old->addr, new);
	return 0;
}

/*
 * Add p's next new address from counter on, with the old one's length and
 * lifetimes (a /64 keeps its prefix route) but without IFA_F_NODAD whatever
 * the old one had: a new identifier on a shared link must be checked, the
 * old one's DAD says nothing about it.  It stays tentative for a while.
 */
static int dad_begin(const struct odm_lifetimes *lt, struct pending *p,
		     const struct odm_kaddr *old, __u32 counter, __u64 now)
{
	char buf[ODM_PREFIX_STRLEN], nbuf[INET6_ADDRSTRLEN];
	int err;

	err = next_addr(lt, &p->key, old, counter, p->new, &p->counter);
	if (err == -EEXIST && counter > 1) {
		log_warn("lifetime: no new address in %s passed duplicate address detection; "
			 "trying again in %d s", odm_prefix_str(&p->key, buf), DAD_RETRY_S);
		memset(p->new, 0, sizeof(p->new));
		p->retry_ns = now + DAD_RETRY_S * 1000000000ull;
		return 0;
	}
	if (!err)
		err = odm_nl_addr_set(true, old->ifindex, p->new, old->plen, old->valid_lft,
				      old->preferred_lft, old->flags & KEEP_FLAGS & ~IFA_F_NODAD);
	if (err) {
		p->used = false;
		return err;
	}
	debug("lifetime: %s: %s in duplicate address detection", odm_prefix_str(&p->key, buf),
	      odm_addr_str(p->new, nbuf));
	return 0;
}

/*
 * One step of a renewal waiting for DAD: still tentative, wait; passed,
 * retire the old address as a one-step renewal does; failed, drop the
 * duplicate and try the next identifier.  1 when renewed, 0 or -errno.
 */
static int dad_step(const struct odm_lifetimes *lt, struct odm_retired *r, struct pending *p,
		    __u64 now, odm_replaced_cb cb, void *ctx)
{
	char obuf[INET6_ADDRSTRLEN], nbuf[INET6_ADDRSTRLEN];
	struct odm_kaddr nka, oka;
	int nerr, oerr, err;

	if (odm_addr_is_zero(p->new)) {
		if (now >= p->retry_ns)
			p->used = false;	/* the next check starts over */
		return 0;
	}
	nerr = odm_nl_find_addr(p->new, &nka);
	oerr = odm_nl_find_addr(p->old, &oka);
	/* Netlink trouble: the next check tries again. */
	if (nerr && nerr != -ENOENT)
		return nerr;
	if (oerr && oerr != -ENOENT)
		return oerr;
	if (oerr || !odm_kaddr_usable(&oka)) {
		/* Deleted or retired meanwhile (a newer Graceful-replacement
		 * prefix, its preferred lifetime over): there is nothing left
		 * to renew, and the new address would bring the prefix back. */
		log_warn("lifetime: %s went before %s passed duplicate address detection; "
			 "dropping the renewal", odm_addr_str(p->old, obuf),
			 odm_addr_str(p->new, nbuf));
		if (!nerr)
			odm_nl_addr_set(false, nka.ifindex, p->new, nka.plen, 0, 0, 0);
		p->used = false;
		return 0;
	}
	if (!nerr && (nka.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == IFA_F_TENTATIVE)
		return 0;
	/* The kernel keeps a failed address that does not expire, marked,
	 * and deletes one that does (addrconf_dad_stop()): gone is failed. */
	if (nerr || (nka.flags & IFA_F_DADFAILED)) {
		logmsg("lifetime: %s failed duplicate address detection; trying the next "
		       "identifier", odm_addr_str(p->new, nbuf));
		if (!nerr)
			odm_nl_addr_set(false, nka.ifindex, p->new, nka.plen, 0, 0, 0);
		return dad_begin(lt, p, &oka, p->counter + 1, now);
	}
	/* Kept on failure: the next check retires it, rather than renewing
	 * the prefix once more beside a new address that is ready. */
	err = retire(lt, r, p->type, &oka, p->new, cb, ctx);
	if (err)
		return err;
	p->used = false;
	return 1;
}

/*
 * A new host address in the prefix; the old one deprecated and retired.
 * A prefix delegated to this host alone has no other node's addresses in
 * it, so its new address skips DAD and replaces the old one at once (1);
 * in any other prefix the link is shared, so the new one goes through
 * DAD first and the old one is retired by a later dad_step() (0).
 */
static int renew(const struct odm_lifetimes *lt, struct odm_retired *r, const struct due *d,
		 __u64 now, odm_replaced_cb cb, void *ctx)
{
	struct odm_kaddr ka;
	struct pending *p;
	__u32 addr[4], counter;
	int err, i;

	err = odm_nl_find_addr(d->val.addr.w, &ka);
	if (err)
		return err;
	if (d->val.source == ODM_SRC_DHCPV6) {
		err = next_addr(lt, &d->key, &ka, 1, addr, &counter);
		/* Same length and flags as the old one: a /64 keeps its prefix route. */
		if (!err)
			err = odm_nl_addr_set(true, ka.ifindex, addr, ka.plen, ka.valid_lft,
					      ka.preferred_lft,
					      (ka.flags & KEEP_FLAGS) | IFA_F_NODAD);
		if (!err)
			err = retire(lt, r, d->val.type, &ka, addr, cb, ctx);
		return err ? err : 1;
	}
	for (i = 0; i < MAX_PENDING && r->p[i].used; i++)
		;
	if (i == MAX_PENDING)
		return -EBUSY;
	p = &r->p[i];
	*p = (struct pending){ .used = true, .key = d->key, .type = d->val.type };
	memcpy(p->old, ka.addr, sizeof(p->old));
	return dad_begin(lt, p, &ka, 1, now);
}

/* Retired Session-lasting/Fixed addresses go when their last socket does. */
static void reap(struct odm_maps *m, struct odm_retired *r)
{
	struct odm_use use;
	int i;

	for (i = 0; i < MAX_RETIRED; i++) {
		if (!r->v[i].used || odm_use_get(m, r->v[i].addr, &use) || use.sockets)
			continue;
		odm_nl_addr_set(false, r->v[i].ifindex, r->v[i].addr, r->v[i].plen, 0, 0, 0);
		r->v[i].used = false;
	}
}

int odm_lifetime_check(struct odm_maps *m, const struct odm_lifetimes *lt,
		       struct odm_retired *r, odm_replaced_cb cb, void *ctx)
{
	struct scan *s = calloc(1, sizeof(*s));
	char buf[ODM_PREFIX_STRLEN];
	int i, e, err, renewed = 0;

	if (!s)
		return -ENOMEM;
	s->m = m;
	s->lt = lt;
	s->r = r;
	s->now = odm_boottime_ns();
	/* Due prefixes first, so that a renewal settled below is not
	 * taken for due again before the sync moves its prefix. */
	err = odm_prefix_foreach(m, scan_cb, s);
	for (i = 0; i < MAX_PENDING; i++) {
		if (!r->p[i].used)
			continue;
		e = dad_step(lt, r, &r->p[i], s->now, cb, ctx);
		if (e < 0)
			logmsg("lifetime: cannot renew the address of %s: %s",
			       odm_prefix_str(&r->p[i].key, buf), strerror(-e));
		else
			renewed += e;
	}
	for (i = 0; !err && i < s->n; i++) {
		e = renew(lt, r, &s->due[i], s->now, cb, ctx);
		if (e < 0)
			logmsg("lifetime: cannot renew the address of %s: %s",
			       odm_prefix_str(&s->due[i].key, buf), strerror(-e));
		else
			renewed += e;
	}
	free(s);
	reap(m, r);
	return err ? err : renewed;
}
