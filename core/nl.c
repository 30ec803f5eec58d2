/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nl.c - the host's IPv6 addresses over rtnetlink: a pure parser for one
 * address message, a dump of the current netns and a monitor socket; and
 * link events (an interface up, down or gone), for the networks odmd asks.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "nl_int.h"

/* Lifetime the kernel reports for addresses that never expire. */
#define NL_LFT_FOREVER 0xffffffffu

/* ---- parser --------------------------------------------------------------- */

/* What the attributes of one address message said. */
struct addr_attrs {
	bool have_address, have_local, have_flags, have_cache;
	__u32 address[4];
	__u32 local[4];
	__u32 flags;
	struct ifa_cacheinfo cache;
};

static int addr_attr(void *ctx, unsigned int type, const unsigned char *p, size_t len)
{
	struct addr_attrs *a = ctx;

	switch (type) {
	case IFA_ADDRESS:
		return odm_nl_attr_copy(a->address, sizeof(a->address), p, len, &a->have_address);
	case IFA_LOCAL:
		return odm_nl_attr_copy(a->local, sizeof(a->local), p, len, &a->have_local);
	case IFA_FLAGS:
		return odm_nl_attr_copy(&a->flags, sizeof(a->flags), p, len, &a->have_flags);
	case IFA_CACHEINFO:
		return odm_nl_attr_copy(&a->cache, sizeof(a->cache), p, len, &a->have_cache);
	default:
		return 0;	/* labels, protocol, priority...: not ours */
	}
}

/* The message's header and ifaddrmsg, checked against the buffer. */
static int addr_header(const unsigned char *msg, size_t len, struct nlmsghdr *nlh,
		       struct ifaddrmsg *ifa)
{
	if (!msg || len < NLMSG_HDRLEN)
		return -EINVAL;
	memcpy(nlh, msg, sizeof(*nlh));
	if (nlh->nlmsg_len > len || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -EINVAL;
	memcpy(ifa, msg + NLMSG_HDRLEN, sizeof(*ifa));
	return 0;
}

static void kaddr_fill(struct odm_kaddr *ka, const struct ifaddrmsg *ifa,
		       const struct addr_attrs *a)
{
	memset(ka, 0, sizeof(*ka));
	/* For IPv6 IFA_ADDRESS is the address; IFA_LOCAL only on peer setups. */
	memcpy(ka->addr, a->have_address ? a->address : a->local, sizeof(ka->addr));
	ka->ifindex = ifa->ifa_index;
	/* ifa_flags has 8 bits; IFA_FLAGS carries all of them (e.g. MANAGETEMPADDR). */
	ka->flags = a->have_flags ? a->flags : ifa->ifa_flags;
	/* Without cacheinfo the kernel would be telling us of a permanent address. */
	ka->valid_lft = a->have_cache ? a->cache.ifa_valid : NL_LFT_FOREVER;
	ka->preferred_lft = a->have_cache ? a->cache.ifa_prefered : NL_LFT_FOREVER;
	ka->plen = ifa->ifa_prefixlen;
	ka->scope = ifa->ifa_scope;
}

int odm_nl_parse_addr(const void *msg, size_t len, struct odm_kaddr *out)
{
	const size_t attr_off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct ifaddrmsg)));
	struct addr_attrs a;
	struct nlmsghdr nlh;
	struct ifaddrmsg ifa;
	int err;

	err = addr_header(msg, len, &nlh, &ifa);
	if (err)
		return err;
	if (ifa.ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (ifa.ifa_prefixlen > 128)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (nlh.nlmsg_len > attr_off) {
		err = odm_nl_attr_walk((const unsigned char *)msg + attr_off,
				       nlh.nlmsg_len - attr_off, addr_attr, &a);
		if (err)
			return err;
	}
	if (!a.have_address && !a.have_local)
		return -EINVAL;
	kaddr_fill(out, &ifa, &a);
	return 0;
}

static int link_attr(void *ctx, unsigned int type, const unsigned char *p, size_t len)
{
	struct odm_klink *kl = ctx;

	if (type == IFLA_CARRIER_UP_COUNT)
		return odm_nl_attr_copy(&kl->carrier_ups, sizeof(kl->carrier_ups), p, len,
					&kl->have_carrier_ups);
	return 0;		/* name, MTU, statistics...: not ours */
}

int odm_nl_parse_link(const void *msg, size_t len, struct odm_klink *out)
{
	const size_t attr_off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	struct odm_klink kl;
	struct nlmsghdr nlh;
	struct ifinfomsg ifi;
	int err;

	if (!msg || len < NLMSG_HDRLEN)
		return -EINVAL;
	memcpy(&nlh, msg, sizeof(nlh));
	if (nlh.nlmsg_len > len || nlh.nlmsg_len < NLMSG_LENGTH(sizeof(ifi)))
		return -EINVAL;
	if (nlh.nlmsg_type != RTM_NEWLINK && nlh.nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	memcpy(&ifi, (const unsigned char *)msg + NLMSG_HDRLEN, sizeof(ifi));
	if (ifi.ifi_family != AF_UNSPEC)
		return -EAFNOSUPPORT;
	if (ifi.ifi_index <= 0)
		return -EINVAL;
	memset(&kl, 0, sizeof(kl));
	kl.ifindex = (__u32)ifi.ifi_index;
	kl.flags = ifi.ifi_flags;
	kl.gone = nlh.nlmsg_type == RTM_DELLINK;
	if (nlh.nlmsg_len > attr_off) {
		err = odm_nl_attr_walk((const unsigned char *)msg + attr_off,
				       nlh.nlmsg_len - attr_off, link_attr, &kl);
		if (err)
			return err;
	}
	*out = kl;
	return 0;
}

/* ---- dump ------------------------------------------------------------------ */

struct dump_ctx {
	odm_kaddr_cb cb;
	void *ctx;
};

static int dump_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	struct odm_kaddr ka;
	int err;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	err = odm_nl_parse_addr(nlh, nlh->nlmsg_len, &ka);
	if (err == -EAFNOSUPPORT)
		return 0;
	return err ? err : d->cb(&ka, d->ctx);
}

int odm_nl_dump_addrs(odm_kaddr_cb cb, void *ctx)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6 };
	struct dump_ctx d = { .cb = cb, .ctx = ctx };

	return odm_nl_dump(RTM_GETADDR, &ifa, sizeof(ifa), dump_msg, &d);
}

/* ---- monitor --------------------------------------------------------------- */

int odm_nl_monitor_open(void)
{
	return odm_nl_monitor_socket(RTMGRP_IPV6_IFADDR);
}

struct monitor_ctx {
	int (*cb)(const struct odm_kaddr *ka, bool is_new, void *ctx);
	void *ctx;
};

/* One message of the monitor socket: address events only. */
static int monitor_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct monitor_ctx *mc = arg;
	struct odm_kaddr ka;
	int err;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return 0;
	err = odm_nl_parse_addr(nlh, nlh->nlmsg_len, &ka);
	if (err == -EAFNOSUPPORT)
		return 0;
	return err ? err : mc->cb(&ka, nlh->nlmsg_type == RTM_NEWADDR, mc->ctx);
}

struct link_ctx {
	int (*cb)(const struct odm_klink *kl, void *ctx);
	void *ctx;
};

/* One message of the link monitor socket: link events only. */
static int link_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct link_ctx *lc = arg;
	struct odm_klink kl;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	err = odm_nl_parse_link(nlh, nlh->nlmsg_len, &kl);
	if (err == -EAFNOSUPPORT || err == -EINVAL)
		return 0;
	return lc->cb(&kl, lc->ctx);
}

int odm_nl_dump_links(int (*cb)(const struct odm_klink *kl, void *ctx), void *ctx)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_ctx lc = { .cb = cb, .ctx = ctx };

	return odm_nl_dump(RTM_GETLINK, &ifi, sizeof(ifi), link_msg, &lc);
}

int odm_nl_link_monitor_open(void)
{
	return odm_nl_monitor_socket(RTMGRP_LINK);
}

int odm_nl_link_monitor_read(int fd, int (*cb)(const struct odm_klink *kl, void *ctx), void *ctx)
{
	struct link_ctx lc = { .cb = cb, .ctx = ctx };

	return odm_nl_monitor_drain(fd, link_msg, &lc);
}

int odm_nl_monitor_read(int fd, int (*cb)(const struct odm_kaddr *ka, bool is_new, void *ctx),
			void *ctx)
{
	struct monitor_ctx mc = { .cb = cb, .ctx = ctx };

	return odm_nl_monitor_drain(fd, monitor_msg, &mc);
}
