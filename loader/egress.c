// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * egress.c - egress follows the source (egress.h).
 *
 * A mobile host is attached to several networks at once (Wi-Fi and
 * cellular; in 5G a PDU session per continuity mode), each its own
 * interface and router, and each drops packets whose source is not its own
 * (BCP 38).  The programs bind a typed socket to an address of the right
 * prefix; the packet must also leave through the network that owns it,
 * whereas the main table sends everything to the best default router.  So
 * odmd keeps, for every typed prefix whose host address the kernel has
 * (valid or deprecated: sockets still use a deprecated one) and every
 * default router of the interface that address is on,
 *
 *	default from PREFIX/LEN via ROUTER dev IF proto RTPROT_ODM metric M
 *
 * with M the router's own default route's metric: among the routes of one
 * prefix the kernel then prefers the router the host prefers, and equal
 * metrics make a multipath route as the routers' own routes do.  A router
 * is a main-table ::/0 route with a gateway, an interface and no source
 * that is not ours; each nexthop of a multipath one counts.
 *
 * Why IPv6 subtrees (source-specific routes in the main table) and not a
 * rule and a table per uplink: one route per prefix and router and nothing
 * else; no table numbers or rule priorities to allocate that could collide
 * with another daemon's, nor a table to fill with copies of the main
 * table's routes; and the lookup is the kernel's own: destination first,
 * then source, so the more specific destinations of the main table (a
 * link's own prefix, a VPN) still win, and only what would have gone to
 * the default router is steered.
 *
 * A kernel without CONFIG_IPV6_SUBTREES refuses any route with a source
 * prefix (EINVAL, "Specifying source address requires IPV6_SUBTREES to be
 * enabled"; ENOTSUPP on old kernels).  That is logged once, clearly, and
 * odmd carries on: sockets are still bound to their type's address, the
 * packets just leave by the main table's routes.
 *
 * The protocol finds exactly our routes (RTPROT_ODM, core.h); those of
 * anyone else are never deleted.  If someone else's route from a typed
 * prefix is there already, the operator has decided that prefix's way:
 * it is left as it is, logged once, and ours for the prefix are withdrawn
 * rather than compete with it.
 *
 * When odmd exits the routes stay, as the programs and the maps do: typed
 * sockets keep being bound to these sources, and their packets must keep
 * leaving the right way.  A restarted odmd finds them by their protocol
 * and reconciles; `odmd --unload` and --no-egress-routes remove them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "egress.h"
#include "log.h"

/* Retries of a dump that a change interrupted. */
#define DUMP_TRIES 3
/* The kernel's internal ENOTSUPP, what old kernels answered a source route. */
#define KERNEL_ENOTSUPP 524
/* Longest message one reconcile logs. */
#define NOTE_MAX 256

struct route_list {
	struct odm_kroute *v;
	size_t n, cap;
};

static int route_list_add(struct route_list *l, const struct odm_kroute *rt)
{
	struct odm_kroute *v = odm_grow(l->v, &l->cap, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *rt;
	return 0;
}

/* ---- messages logged once while they stay true -------------------------------- */

struct notes {
	char (*v)[NOTE_MAX];
	size_t n, cap;
};

static bool notes_has(const struct notes *s, const char *msg)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], msg))
			return true;
	return false;
}

struct odm_egress {
	bool enabled;
	const char *off_why;	/* disabled: by what, for the log */
	int fd;			/* route monitor; -1 when disabled */
	bool no_subtrees;	/* the kernel refuses source routes: add none */
	struct notes logged;	/* what the last reconcile logged */
	struct notes now;	/* what this one did */
};

/*
 * Log a message unless the previous reconcile logged it too: a condition
 * that lasts (a foreign route, a failing add) is told once, not every
 * second, and again if it comes back after it cleared.
 */
static void note(struct odm_egress *eg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct odm_egress *eg, const char *fmt, ...)
{
	char msg[NOTE_MAX], (*v)[NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (notes_has(&eg->now, msg))
		return;
	if (!notes_has(&eg->logged, msg))
		logmsg("%s", msg);
	/* Out of memory: it is logged again next time, no worse. */
	v = odm_grow(eg->now.v, &eg->now.cap, eg->now.n, sizeof(*v));
	if (v) {
		eg->now.v = v;
		memcpy(eg->now.v[eg->now.n++], msg, sizeof(msg));
	}
}

static void notes_rotate(struct odm_egress *eg)
{
	struct notes t = eg->logged;

	eg->logged = eg->now;
	eg->now = t;
	eg->now.n = 0;
}

/* ---- what the kernel has ------------------------------------------------------- */

/* A typed prefix that may want routes, and the interface of its address. */
struct cand {
	struct odm_prefix_key key;
	__u32 addr[4];
	__u32 want_ifindex;	/* the prefix's own, 0 = any */
	__u32 ifindex;		/* where the kernel has the address, 0 = nowhere */
};

struct cand_list {
	struct cand *v;
	size_t n, cap;
};

static int cand_add(const struct odm_prefix_key *key, const struct odm_prefix *val, void *ctx)
{
	struct cand_list *l = ctx;
	struct cand *c, *v;

	/* Untyped prefixes are the main table's business; a prefix without
	 * its address has no packets to send; and a route from ::/0 would be
	 * a second plain default route, not a source-specific one. */
	if (val->type == ODM_TYPE_NONE || !key->prefixlen ||
	    (val->state != ODM_PS_VALID && val->state != ODM_PS_DEPRECATED))
		return 0;
	v = odm_grow(l->v, &l->cap, l->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->key = *key;
	/* &: right whether the struct's address is an array or a union. */
	memcpy(c->addr, &val->addr, sizeof(c->addr));
	c->want_ifindex = val->ifindex;
	return 0;
}

static int cand_locate(const struct odm_kaddr *ka, void *ctx)
{
	struct cand_list *l = ctx;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!memcmp(l->v[i].addr, &ka->addr, sizeof(l->v[i].addr)) &&
		    (!l->v[i].want_ifindex || l->v[i].want_ifindex == ka->ifindex))
			l->v[i].ifindex = ka->ifindex;
	return 0;
}

static int cands_locate(struct cand_list *l)
{
	int tries, err = -EAGAIN;
	size_t i;

	for (tries = 0; tries < DUMP_TRIES && err == -EAGAIN; tries++) {
		for (i = 0; i < l->n; i++)
			l->v[i].ifindex = 0;
		err = odm_nl_dump_addrs(cand_locate, l);
	}
	return err;
}

/* Main-table routes to ::/0: the routers, ours, and anyone else's from a prefix. */
static int default_add(const struct odm_kroute *rt, void *ctx)
{
	return rt->dst_len == 0 ? route_list_add(ctx, rt) : 0;
}

static int defaults_load(struct route_list *l)
{
	int tries, err = -EAGAIN;

	for (tries = 0; tries < DUMP_TRIES && err == -EAGAIN; tries++) {
		l->n = 0;
		err = odm_nl_dump_routes(default_add, l);
	}
	return err;
}

static bool is_router(const struct odm_kroute *rt)
{
	return rt->dst_len == 0 && rt->src_len == 0 && rt->type == RTN_UNICAST &&
	       rt->protocol != RTPROT_ODM && rt->oif && !odm_addr_is_zero(rt->gateway) &&
	       !(rt->flags & RTNH_F_DEAD);
}

static bool is_ours(const struct odm_kroute *rt)
{
	return rt->protocol == RTPROT_ODM && rt->dst_len == 0 && rt->src_len;
}

static bool same_src(const struct odm_kroute *rt, const struct odm_prefix_key *key)
{
	return rt->src_len == key->prefixlen && !memcmp(rt->src, &key->prefix, sizeof(rt->src));
}

/* Everything a route of ours is matched on. */
static bool same_route(const struct odm_kroute *a, const struct odm_kroute *b)
{
	return a->src_len == b->src_len && !memcmp(a->src, b->src, sizeof(a->src)) &&
	       a->oif == b->oif && !memcmp(a->gateway, b->gateway, sizeof(a->gateway)) &&
	       a->priority == b->priority;
}

static bool list_has(const struct route_list *l, const struct odm_kroute *rt,
		     bool (*which)(const struct odm_kroute *))
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (which(&l->v[i]) && same_route(&l->v[i], rt))
			return true;
	return false;
}

/* ---- what we want --------------------------------------------------------------- */

/* "default from P via GW dev IF metric M", for the log. */
static const char *route_str(const struct odm_kroute *rt, char *buf, size_t len)
{
	struct odm_prefix_key key = { .prefixlen = rt->src_len };
	char p[ODM_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];

	memcpy(&key.prefix, rt->src, sizeof(rt->src));
	if (!if_indextoname(rt->oif, dev))
		snprintf(dev, sizeof(dev), "%u", rt->oif);
	snprintf(buf, len, "default from %s via %s dev %s metric %u", odm_prefix_str(&key, p),
		 odm_addr_str(rt->gateway, gw), dev, rt->priority);
	return buf;
}

/* Someone else's route from the prefix: which protocol, or -1 when none. */
static int foreign_proto(const struct route_list *defaults, const struct odm_prefix_key *key)
{
	size_t i;

	for (i = 0; i < defaults->n; i++)
		if (!is_ours(&defaults->v[i]) && same_src(&defaults->v[i], key))
			return defaults->v[i].protocol;
	return -1;
}

/* The routes of one typed prefix: one per router of its address's interface. */
static int want_prefix(struct odm_egress *eg, const struct cand *c,
		       const struct route_list *defaults, struct route_list *want)
{
	char p[ODM_PREFIX_STRLEN];
	struct odm_kroute rt;
	size_t i;
	int proto, err;

	if (!c->ifindex)
		return 0;
	proto = foreign_proto(defaults, &c->key);
	if (proto >= 0) {
		note(eg, "egress: a route from %s exists already (proto %d): left as it is",
		     odm_prefix_str(&c->key, p), proto);
		return 0;
	}
	for (i = 0; i < defaults->n; i++) {
		if (!is_router(&defaults->v[i]) || defaults->v[i].oif != c->ifindex)
			continue;
		memset(&rt, 0, sizeof(rt));
		memcpy(rt.src, &c->key.prefix, sizeof(rt.src));
		rt.src_len = (__u8)c->key.prefixlen;
		memcpy(rt.gateway, defaults->v[i].gateway, sizeof(rt.gateway));
		rt.oif = c->ifindex;
		rt.priority = defaults->v[i].priority;
		rt.table = RT_TABLE_MAIN;
		rt.protocol = RTPROT_ODM;
		rt.type = RTN_UNICAST;
		/* Two default routes via one router with one metric: one of ours. */
		if (list_has(want, &rt, is_ours))
			continue;
		err = route_list_add(want, &rt);
		if (err)
			return err;
	}
	return 0;
}

/* ---- changing the kernel's routes -------------------------------------------------- */

static bool subtrees_missing(int err, const char *why)
{
	return err == -KERNEL_ENOTSUPP || err == -EOPNOTSUPP ||
	       (err == -EINVAL && strstr(why, "SUBTREES"));
}

static int route_add(struct odm_egress *eg, const struct odm_kroute *rt)
{
	char buf[160], why[160];
	int err;

	if (eg->no_subtrees)
		return 0;
	err = odm_nl_route_set(true, rt, why, sizeof(why));
	if (!err) {
		log_info("egress: %s: added", route_str(rt, buf, sizeof(buf)));
		return 1;
	}
	if (err == -EEXIST)	/* raced with our own event: it is there */
		return 0;
	if (subtrees_missing(err, why)) {
		eg->no_subtrees = true;
		log_warn("egress: the kernel refuses source-specific routes (%s%s%s): it was "
			 "built without CONFIG_IPV6_SUBTREES; typed sockets keep their sources, "
			 "but their packets leave by the main table's default route, where a "
			 "network that filters sources (BCP 38) drops those not its own",
			 strerror(-err), why[0] ? ": " : "", why);
		return 0;
	}
	note(eg, "egress: cannot add %s: %s%s%s", route_str(rt, buf, sizeof(buf)), strerror(-err),
	     why[0] ? ": " : "", why);
	return 0;
}

static int route_del(struct odm_egress *eg, const struct odm_kroute *rt, const char *reason)
{
	char buf[160], why[160];
	struct odm_kroute del = *rt;
	int err;

	/* Exactly this route: table, protocol, router and metric. */
	del.table = RT_TABLE_MAIN;
	del.protocol = RTPROT_ODM;
	err = odm_nl_route_set(false, &del, why, sizeof(why));
	if (!err) {
		log_info("egress: %s: removed (%s)", route_str(rt, buf, sizeof(buf)), reason);
		return 1;
	}
	if (err == -ESRCH)	/* gone already */
		return 0;
	note(eg, "egress: cannot remove %s: %s%s%s", route_str(rt, buf, sizeof(buf)),
	     strerror(-err), why[0] ? ": " : "", why);
	return 0;
}

/* ---- reconcile -------------------------------------------------------------------- */

/* The routes to keep, and the prefixes they are for: none when disabled. */
static int want_all(struct odm_egress *eg, struct odm_maps *m, const struct route_list *defaults,
		    struct cand_list *cands, struct route_list *want)
{
	size_t i;
	int err;

	if (!eg->enabled || !m)
		return 0;
	err = odm_prefix_foreach(m, cand_add, cands);
	if (!err && cands->n)
		err = cands_locate(cands);
	for (i = 0; !err && i < cands->n; i++)
		err = want_prefix(eg, &cands->v[i], defaults, want);
	return err;
}

/* Why a route of ours is not wanted any more, for the log. */
static const char *unwanted_why(const struct odm_egress *eg, const struct odm_kroute *rt,
				const struct cand_list *cands, const struct route_list *defaults)
{
	const struct cand *c = NULL;
	size_t i;

	if (!eg->enabled)
		return eg->off_why;
	for (i = 0; i < cands->n && !c; i++)
		if (cands->v[i].ifindex && same_src(rt, &cands->v[i].key))
			c = &cands->v[i];
	if (!c)
		return "no typed prefix with a host address";
	if (foreign_proto(defaults, &c->key) >= 0)
		return "someone else's route from the prefix";
	if (c->ifindex != rt->oif)
		return "the host address moved to another interface";
	for (i = 0; i < defaults->n; i++)
		if (is_router(&defaults->v[i]) && defaults->v[i].oif == rt->oif &&
		    !memcmp(defaults->v[i].gateway, rt->gateway, sizeof(rt->gateway)))
			return "the router's metric changed";
	return "no such router any more";
}

int odm_egress_reconcile(struct odm_egress *eg, struct odm_maps *m)
{
	struct route_list defaults = { 0 }, want = { 0 };
	struct cand_list cands = { 0 };
	int changed = 0, err;
	size_t i;

	err = defaults_load(&defaults);
	if (err) {
		note(eg, "egress: cannot read the main table's routes: %s", strerror(-err));
		goto out;
	}
	err = want_all(eg, m, &defaults, &cands, &want);
	if (err) {
		note(eg, "egress: cannot read the typed prefixes and their addresses: %s",
		     strerror(-err));
		goto out;
	}
	/* New routes first: a router's metric that changed is never without one. */
	for (i = 0; i < want.n; i++)
		if (!list_has(&defaults, &want.v[i], is_ours))
			changed += route_add(eg, &want.v[i]);
	for (i = 0; i < defaults.n; i++)
		if (is_ours(&defaults.v[i]) && !list_has(&want, &defaults.v[i], is_ours))
			changed += route_del(eg, &defaults.v[i],
					     unwanted_why(eg, &defaults.v[i], &cands, &defaults));
out:
	notes_rotate(eg);
	free(defaults.v);
	free(want.v);
	free(cands.v);
	return err ? err : changed;
}

/* ---- events and life cycle --------------------------------------------------------- */

static int on_route_event(const struct odm_kroute *rt, bool is_new, void *ctx)
{
	/* Only a main-table default route (a router's, ours, anyone's from a
	 * prefix) changes what to keep; a full table's churn does not. */
	if (rt->dst_len == 0 && rt->table == RT_TABLE_MAIN)
		*(bool *)ctx = true;
	return 0;
}

bool odm_egress_process(struct odm_egress *eg)
{
	bool due = false;
	int err;

	if (!eg || eg->fd < 0)
		return false;
	err = odm_nl_route_monitor_read(eg->fd, on_route_event, &due);
	if (err == -ENOBUFS)
		return true;		/* lost events: reconcile from a dump */
	if (err < 0)
		note(eg, "egress: reading route events: %s", strerror(-err));
	return due;
}

int odm_egress_fd(const struct odm_egress *eg)
{
	return eg ? eg->fd : -1;
}

struct odm_egress *odm_egress_new(bool enabled)
{
	struct odm_egress *eg = calloc(1, sizeof(*eg));
	int fd;

	if (!eg)
		return NULL;
	eg->enabled = enabled;
	eg->off_why = "--no-egress-routes";
	eg->fd = -1;
	if (!enabled)
		return eg;
	fd = odm_nl_route_monitor_open();
	if (fd < 0) {
		free(eg);
		errno = -fd;
		return NULL;
	}
	eg->fd = fd;
	return eg;
}

void odm_egress_free(struct odm_egress *eg)
{
	if (!eg)
		return;
	if (eg->fd >= 0)
		close(eg->fd);
	free(eg->logged.v);
	free(eg->now.v);
	free(eg);
}

int odm_egress_flush(void)
{
	struct odm_egress *eg = odm_egress_new(false);
	int n;

	if (!eg)
		return -errno;
	eg->off_why = "odmd --unload";
	n = odm_egress_reconcile(eg, NULL);
	odm_egress_free(eg);
	return n;
}
