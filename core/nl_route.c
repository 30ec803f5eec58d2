// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nl_route.c - the host's IPv6 routes over rtnetlink: a pure parser for one
 * RTM_NEWROUTE / RTM_DELROUTE message, a dump of the main table, a monitor
 * socket, and adding or deleting one route with the kernel's answer.
 * odmd's egress routes (loader/egress.c) are built on these.
 */
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "nl_int.h"

/* ---- parser --------------------------------------------------------------- */

/* What the attributes of one route message said. */
struct route_attrs {
	bool have_dst, have_src, have_gw, have_oif, have_prio, have_table, have_mp;
	__u32 dst[4];
	__u32 src[4];
	__u32 gw[4];
	__u32 oif;
	__u32 prio;
	__u32 table;
	const unsigned char *mp;	/* RTA_MULTIPATH's payload, in the message */
	size_t mp_len;
};

static int route_attr(void *ctx, unsigned int type, const unsigned char *p, size_t len)
{
	struct route_attrs *a = ctx;

	switch (type) {
	case RTA_DST:
		return odm_nl_attr_copy(a->dst, sizeof(a->dst), p, len, &a->have_dst);
	case RTA_SRC:
		return odm_nl_attr_copy(a->src, sizeof(a->src), p, len, &a->have_src);
	case RTA_GATEWAY:
		return odm_nl_attr_copy(a->gw, sizeof(a->gw), p, len, &a->have_gw);
	case RTA_OIF:
		return odm_nl_attr_copy(&a->oif, sizeof(a->oif), p, len, &a->have_oif);
	case RTA_PRIORITY:
		return odm_nl_attr_copy(&a->prio, sizeof(a->prio), p, len, &a->have_prio);
	case RTA_TABLE:
		return odm_nl_attr_copy(&a->table, sizeof(a->table), p, len, &a->have_table);
	case RTA_MULTIPATH:
		a->mp = p;
		a->mp_len = len;
		a->have_mp = true;
		return 0;
	default:
		return 0;	/* cacheinfo, pref, expires, nexthop ids...: not ours */
	}
}

/* The gateway of one nexthop: RTA_GATEWAY among its attributes. */
struct nh_attrs {
	bool have_gw;
	__u32 gw[4];
};

static int nh_attr(void *ctx, unsigned int type, const unsigned char *p, size_t len)
{
	struct nh_attrs *a = ctx;

	if (type == RTA_GATEWAY)
		return odm_nl_attr_copy(a->gw, sizeof(a->gw), p, len, &a->have_gw);
	return 0;
}

/*
 * Walk the rtnexthops of RTA_MULTIPATH: out[i] = base with nexthop i's
 * interface, gateway and flags, for i < max.  Each rtnexthop must fit,
 * padding included except after the last one, as attributes do.  The
 * number of nexthops (at least one), or -EINVAL.
 */
static int multipath_parse(const unsigned char *p, size_t len, const struct odm_kroute *base,
			   struct odm_kroute *out, size_t max)
{
	struct rtnexthop nh;
	struct nh_attrs a;
	size_t step;
	int n = 0, err;

	while (len) {
		if (len < sizeof(nh))
			return -EINVAL;
		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len)
			return -EINVAL;
		memset(&a, 0, sizeof(a));
		err = odm_nl_attr_walk(p + RTNH_LENGTH(0), nh.rtnh_len - RTNH_LENGTH(0), nh_attr,
				       &a);
		if (err)
			return err;
		if ((size_t)n < max) {
			out[n] = *base;
			out[n].oif = (__u32)nh.rtnh_ifindex;
			out[n].flags = nh.rtnh_flags;
			if (a.have_gw)
				memcpy(out[n].gateway, a.gw, sizeof(out[n].gateway));
		}
		if (n == 0x7fff)	/* more than any kernel sends; keeps n an int */
			return -EINVAL;
		n++;
		step = RTNH_ALIGN(nh.rtnh_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n ? n : -EINVAL;
}

/* The message's header and rtmsg, checked against the buffer. */
static int route_header(const unsigned char *msg, size_t len, struct nlmsghdr *nlh,
			struct rtmsg *rtm)
{
	if (!msg || len < NLMSG_HDRLEN)
		return -EINVAL;
	memcpy(nlh, msg, sizeof(*nlh));
	if (nlh->nlmsg_len > len || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -EINVAL;
	memcpy(rtm, msg + NLMSG_HDRLEN, sizeof(*rtm));
	return 0;
}

/* The fields every path of the route shares. */
static int route_base(const struct rtmsg *rtm, const struct route_attrs *a,
		      struct odm_kroute *rt)
{
	/* A prefix length says the attribute is there: the kernel sends
	 * RTA_DST and RTA_SRC exactly when it is not zero. */
	if ((rtm->rtm_dst_len && !a->have_dst) || (rtm->rtm_src_len && !a->have_src))
		return -EINVAL;
	memset(rt, 0, sizeof(*rt));
	if (rtm->rtm_dst_len)
		odm_prefix_mask(rt->dst, a->dst, rtm->rtm_dst_len);
	if (rtm->rtm_src_len)
		odm_prefix_mask(rt->src, a->src, rtm->rtm_src_len);
	rt->dst_len = rtm->rtm_dst_len;
	rt->src_len = rtm->rtm_src_len;
	/* rtm_table has 8 bits; RTA_TABLE carries tables past 255. */
	rt->table = a->have_table ? a->table : rtm->rtm_table;
	rt->priority = a->have_prio ? a->prio : 0;
	rt->protocol = rtm->rtm_protocol;
	rt->type = rtm->rtm_type;
	return 0;
}

int odm_nl_parse_route(const void *msg, size_t len, struct odm_kroute *out, size_t max)
{
	const size_t attr_off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtmsg)));
	struct route_attrs a;
	struct odm_kroute base;
	struct nlmsghdr nlh;
	struct rtmsg rtm;
	int err;

	if (!out || !max)
		return -EINVAL;
	err = route_header(msg, len, &nlh, &rtm);
	if (err)
		return err;
	if (rtm.rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (rtm.rtm_dst_len > 128 || rtm.rtm_src_len > 128)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (nlh.nlmsg_len > attr_off) {
		err = odm_nl_attr_walk((const unsigned char *)msg + attr_off,
				       nlh.nlmsg_len - attr_off, route_attr, &a);
		if (err)
			return err;
	}
	err = route_base(&rtm, &a, &base);
	if (err)
		return err;
	if (a.have_mp)
		return multipath_parse(a.mp, a.mp_len, &base, out, max);
	out[0] = base;
	out[0].oif = a.have_oif ? a.oif : 0;
	out[0].flags = rtm.rtm_flags & 0xff;	/* the RTNH_F_* bits; RTM_F_* are the dump's */
	if (a.have_gw)
		memcpy(out[0].gateway, a.gw, sizeof(out[0].gateway));
	return 1;
}

/* ---- dump ------------------------------------------------------------------ */

/* Paths of one multipath route that a dump delivers; the rest are dropped. */
#define ROUTE_PATHS_MAX 16

struct dump_ctx {
	odm_kroute_cb cb;
	void *ctx;
};

static int dump_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct odm_kroute paths[ROUTE_PATHS_MAX];
	struct dump_ctx *d = arg;
	int i, n, err;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	n = odm_nl_parse_route(nlh, nlh->nlmsg_len, paths, ROUTE_PATHS_MAX);
	if (n == -EAFNOSUPPORT)
		return 0;
	if (n < 0)
		return n;
	/* The kernel filters by table only for strict requests: do it here. */
	if (paths[0].table != RT_TABLE_MAIN)
		return 0;
	for (i = 0; i < n && i < ROUTE_PATHS_MAX; i++) {
		err = d->cb(&paths[i], d->ctx);
		if (err)
			return err;
	}
	return 0;
}

int odm_nl_dump_routes(odm_kroute_cb cb, void *ctx)
{
	struct rtmsg rtm = { .rtm_family = AF_INET6, .rtm_table = RT_TABLE_MAIN };
	struct dump_ctx d = { .cb = cb, .ctx = ctx };

	return odm_nl_dump(RTM_GETROUTE, &rtm, sizeof(rtm), dump_msg, &d);
}

/* ---- monitor ----------------------------------------------------------------- */

int odm_nl_route_monitor_open(void)
{
	return odm_nl_monitor_socket(RTMGRP_IPV6_ROUTE);
}

struct monitor_ctx {
	int (*cb)(const struct odm_kroute *rt, bool is_new, void *ctx);
	void *ctx;
};

static int monitor_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct odm_kroute paths[ROUTE_PATHS_MAX];
	struct monitor_ctx *mc = arg;
	int i, n, err;

	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return 0;
	n = odm_nl_parse_route(nlh, nlh->nlmsg_len, paths, ROUTE_PATHS_MAX);
	/* Not IPv6, or a message we cannot read: neither is a reason to stop
	 * reading the events after it. */
	if (n < 0)
		return 0;
	for (i = 0; i < n && i < ROUTE_PATHS_MAX; i++) {
		err = mc->cb(&paths[i], nlh->nlmsg_type == RTM_NEWROUTE, mc->ctx);
		if (err)
			return err;
	}
	return 0;
}

int odm_nl_route_monitor_read(int fd, int (*cb)(const struct odm_kroute *rt, bool is_new,
						 void *ctx), void *ctx)
{
	struct monitor_ctx mc = { .cb = cb, .ctx = ctx };

	return odm_nl_monitor_drain(fd, monitor_msg, &mc);
}

/* ---- add and delete ------------------------------------------------------------ */

struct route_msg {
	struct nlmsghdr nh;
	struct rtmsg rtm;
	char attrs[128];
};

static int route_msg_build(struct route_msg *m, bool add, const struct odm_kroute *rt)
{
	const size_t cap = sizeof(*m);
	int err = 0;

	if (rt->dst_len > 128 || rt->src_len > 128 || !rt->oif)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(sizeof(m->rtm));
	m->nh.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/*
	 * No NLM_F_EXCL: a second route with the same destination, source
	 * and metric but another router joins the first as a multipath
	 * sibling, as the routers' own default routes may; the same route
	 * twice is still -EEXIST.
	 */
	m->nh.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_APPEND : 0;
	m->rtm.rtm_family = AF_INET6;
	m->rtm.rtm_dst_len = rt->dst_len;
	m->rtm.rtm_src_len = rt->src_len;
	m->rtm.rtm_table = rt->table < 256 ? (unsigned char)rt->table : RT_TABLE_UNSPEC;
	/* On a delete the protocol, like every field given, must match:
	 * no one else's route goes by mistake. */
	m->rtm.rtm_protocol = rt->protocol;
	m->rtm.rtm_scope = RT_SCOPE_UNIVERSE;
	m->rtm.rtm_type = add ? RTN_UNICAST : RTN_UNSPEC;
	if (rt->dst_len)
		err = odm_nl_put_attr(&m->nh, cap, RTA_DST, rt->dst, 16);
	if (!err && rt->src_len)
		err = odm_nl_put_attr(&m->nh, cap, RTA_SRC, rt->src, 16);
	if (!err && !odm_addr_is_zero(rt->gateway))
		err = odm_nl_put_attr(&m->nh, cap, RTA_GATEWAY, rt->gateway, 16);
	if (!err)
		err = odm_nl_put_attr(&m->nh, cap, RTA_OIF, &rt->oif, sizeof(rt->oif));
	if (!err && rt->priority)
		err = odm_nl_put_attr(&m->nh, cap, RTA_PRIORITY, &rt->priority,
				      sizeof(rt->priority));
	if (!err && rt->table)
		err = odm_nl_put_attr(&m->nh, cap, RTA_TABLE, &rt->table, sizeof(rt->table));
	return err;
}

int odm_nl_route_set(bool add, const struct odm_kroute *rt, char *why, size_t whylen)
{
	struct route_msg m;
	int err;

	if (why && whylen)
		why[0] = '\0';
	err = route_msg_build(&m, add, rt);
	if (err)
		return err;
	return odm_nl_request(&m.nh, why, whylen);
}
