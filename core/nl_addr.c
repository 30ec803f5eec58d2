// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nl_addr.c - add, refresh and delete the host addresses odmd derives from
 * delegated prefixes (RTM_NEWADDR / RTM_DELADDR), waiting for the kernel's
 * acknowledgement so that a caller knows the address exists before it
 * hands it out.
 */
#include <errno.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "nl_int.h"

struct addr_msg {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[256];
};

/* Four attributes of at most 16 bytes: they always fit in attrs[]. */
static void put_attr(struct addr_msg *m, unsigned short type, const void *data, size_t len)
{
	odm_nl_put_attr(&m->nh, sizeof(*m), type, data, len);
}

int odm_nl_addr_set(bool add, unsigned int ifindex, const __u32 addr[4], unsigned int plen,
		    __u32 valid_lft, __u32 preferred_lft, __u32 flags)
{
	struct ifa_cacheinfo ci = { .ifa_valid = valid_lft, .ifa_prefered = preferred_lft };
	struct addr_msg m;

	if (!ifindex || plen > 128)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	m.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	m.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	m.nh.nlmsg_seq = 1;
	m.ifa.ifa_family = AF_INET6;
	m.ifa.ifa_prefixlen = (unsigned char)plen;
	m.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	m.ifa.ifa_index = ifindex;
	put_attr(&m, IFA_LOCAL, addr, 16);
	put_attr(&m, IFA_ADDRESS, addr, 16);
	if (add) {
		put_attr(&m, IFA_FLAGS, &flags, sizeof(flags));
		put_attr(&m, IFA_CACHEINFO, &ci, sizeof(ci));
	}
	return odm_nl_request(&m.nh, NULL, 0);
}

struct find_ctx {
	const __u32 *addr;
	struct odm_kaddr *out;
	bool found;
};

static int find_cb(const struct odm_kaddr *ka, void *arg)
{
	struct find_ctx *f = arg;

	if (!f->found && !memcmp(ka->addr, f->addr, sizeof(ka->addr))) {
		*f->out = *ka;
		f->found = true;
	}
	return 0;
}

int odm_nl_find_addr(const __u32 addr[4], struct odm_kaddr *out)
{
	struct find_ctx f = { .addr = addr, .out = out };
	int err = odm_nl_dump_addrs(find_cb, &f);

	if (err)
		return err;
	return f.found ? 0 : -ENOENT;
}
