// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nl_addr.c - add, refresh and delete the host addresses odmd derives from
 * delegated prefixes (RTM_NEWADDR / RTM_DELADDR), waiting for the kernel's
 * acknowledgement so that a caller knows the address exists before it
 * hands it out.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"

struct addr_msg {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[256];
};

static void put_attr(struct addr_msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and read its NLMSG_ERROR acknowledgement. */
static int nl_transact(struct addr_msg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[1024];
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, m, m->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type != NLMSG_ERROR ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		err = -EPROTO;
		goto out;
	}
	err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
out:
	close(fd);
	return err;
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
	return nl_transact(&m);
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
