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

struct retired_addr {
	bool used;
	unsigned int ifindex;
	__u8 plen;
	__u32 addr[4];
};

struct odm_retired {
	struct retired_addr v[MAX_RETIRED];
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
	__u64 now;
	struct due due[MAX_DUE];
	int n;
};

static int scan_cb(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct scan *s = arg;
	const struct odm_lifetime *l;
	struct odm_tx tx;

	if (val->state != ODM_PS_VALID || val->type > ODM_TYPE_MAX || s->n == MAX_DUE)
		return 0;
	l = &s->lt->type[val->type];
	if (l->max_age_s && s->now - val->addr_since_ns >= (__u64)l->max_age_s * 1000000000ull)
		goto due;
	if (l->max_bytes && odm_tx_get(s->m, val->addr, &tx) == 0 && tx.bytes >= l->max_bytes)
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
	logmsg("too many retired addresses; one stays until it expires");
}

/* A new host address in the prefix; the old one deprecated and retired. */
static int renew(const struct odm_lifetimes *lt, struct odm_retired *r, const struct due *d,
		 odm_replaced_cb cb, void *ctx)
{
	const __u32 keep = IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR;
	struct odm_kaddr ka;
	char obuf[INET6_ADDRSTRLEN], nbuf[INET6_ADDRSTRLEN];
	__u32 addr[4], counter;
	bool keep_for_sockets;
	int err;

	err = odm_nl_find_addr(d->val.addr, &ka);
	if (err)
		return err;
	/* The next identifier the host does not have yet (with --iid stable
	 * the sequence is the same after a restart; random: the first). */
	for (counter = 1; counter <= 16; counter++) {
		struct odm_kaddr taken;

		err = odm_host_addr(addr, &d->key, ka.ifindex, lt->iid, counter);
		if (err)
			return err;
		if (memcmp(addr, d->val.addr, sizeof(addr)) &&
		    odm_nl_find_addr(addr, &taken) == -ENOENT)
			break;
	}
	if (counter > 16)
		return -EEXIST;
	/* Same length and flags as the old one: a /64 keeps its prefix route. */
	err = odm_nl_addr_set(true, ka.ifindex, addr, ka.plen, ka.valid_lft,
			      ka.preferred_lft, (ka.flags & keep) | IFA_F_NODAD);
	if (err)
		return err;
	keep_for_sockets = d->val.type == ODM_TYPE_FIXED ||
			   d->val.type == ODM_TYPE_SESSION_LASTING;
	err = odm_nl_addr_set(true, ka.ifindex, d->val.addr, ka.plen,
			      keep_for_sockets ? ka.valid_lft : lt->grace_s, 0, ka.flags & keep);
	if (err)
		return err;
	if (keep_for_sockets)
		retire_later(r, &ka);
	logmsg("lifetime: %s address %s renewed as %s", odm_type_name(d->val.type),
	       odm_addr_str(d->val.addr, obuf), odm_addr_str(addr, nbuf));
	if (cb && d->val.type == ODM_TYPE_GRACEFUL)
		cb(ctx, ODM_TYPE_GRACEFUL, lt->grace_s, d->val.addr, addr);
	return 0;
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
	int i, err, renewed = 0;

	if (!s)
		return -ENOMEM;
	s->m = m;
	s->lt = lt;
	s->now = odm_boottime_ns();
	err = odm_prefix_foreach(m, scan_cb, s);
	for (i = 0; !err && i < s->n; i++) {
		int e = renew(lt, r, &s->due[i], cb, ctx);

		if (e) {
			char buf[ODM_PREFIX_STRLEN];

			logmsg("lifetime: cannot renew the address of %s: %s",
			       odm_prefix_str(&s->due[i].key, buf), strerror(-e));
			continue;
		}
		renewed++;
	}
	free(s);
	reap(m, r);
	return err ? err : renewed;
}
