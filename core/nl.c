/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nl.c - the host's IPv6 addresses over rtnetlink: a pure parser for one
 * address message, a dump of the current netns and a monitor socket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"

/* Large enough for any datagram the kernel sends: it caps dump skbs at 32 KiB. */
#define NL_BUFSIZE 32768

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

/* Copy an attribute's payload when it has exactly the expected size. */
static int attr_copy(void *dst, size_t want, const unsigned char *p, size_t len, bool *have)
{
	if (len != want)
		return -EINVAL;
	memcpy(dst, p, want);
	*have = true;
	return 0;
}

static int addr_attr(struct addr_attrs *a, unsigned int type, const unsigned char *p, size_t len)
{
	switch (type) {
	case IFA_ADDRESS:
		return attr_copy(a->address, sizeof(a->address), p, len, &a->have_address);
	case IFA_LOCAL:
		return attr_copy(a->local, sizeof(a->local), p, len, &a->have_local);
	case IFA_FLAGS:
		return attr_copy(&a->flags, sizeof(a->flags), p, len, &a->have_flags);
	case IFA_CACHEINFO:
		return attr_copy(&a->cache, sizeof(a->cache), p, len, &a->have_cache);
	default:
		return 0;	/* labels, protocol, priority...: not ours */
	}
}

/*
 * Walk the rtattrs in p[0..len).  Every attribute must fit, including its
 * alignment padding except after the last one; trailing bytes that cannot
 * hold an attribute are malformed.  memcpy() instead of casts keeps this safe
 * on buffers of any alignment (a fuzzer's, for one).
 */
static int addr_attrs_parse(struct addr_attrs *a, const unsigned char *p, size_t len)
{
	struct rtattr rta;
	size_t alen;
	int err;

	while (len) {
		if (len < sizeof(rta))
			return -EINVAL;
		memcpy(&rta, p, sizeof(rta));
		if (rta.rta_len < RTA_LENGTH(0) || rta.rta_len > len)
			return -EINVAL;
		err = addr_attr(a, rta.rta_type & NLA_TYPE_MASK, p + RTA_LENGTH(0),
				rta.rta_len - RTA_LENGTH(0));
		if (err)
			return err;
		alen = RTA_ALIGN(rta.rta_len);
		if (alen >= len)
			break;
		p += alen;
		len -= alen;
	}
	return 0;
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
		err = addr_attrs_parse(&a, (const unsigned char *)msg + attr_off,
				       nlh.nlmsg_len - attr_off);
		if (err)
			return err;
	}
	if (!a.have_address && !a.have_local)
		return -EINVAL;
	kaddr_fill(out, &ifa, &a);
	return 0;
}

/* ---- sockets -------------------------------------------------------------- */

static int nl_socket(int flags, __u32 groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The port id the kernel gave our socket, which dump replies are sent to. */
static int nl_portid(int fd, __u32 *portid)
{
	struct sockaddr_nl sa;
	socklen_t slen = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &slen) < 0)
		return -errno;
	*portid = sa.nl_pid;
	return 0;
}

/*
 * Receive one datagram from the kernel into buf.  Datagrams from other
 * sockets (anyone can send to our port id) give 0 and are dropped; a
 * truncated one means we lost messages, like an overrun.
 */
static ssize_t nl_recv(int fd, void *buf, size_t len, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	do
		n = recvmsg(fd, &mh, flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -ENOBUFS;
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
		return 0;
	return n;
}

/*
 * The next message of a received datagram, or NULL at its end (or where a
 * length is bad).  Our buffers are malloc()ed and messages 4-byte aligned,
 * so the cast is safe here, unlike in the parser.
 */
static const struct nlmsghdr *nl_next(const void *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *nlh;

	if (*off >= len || len - *off < NLMSG_HDRLEN)
		return NULL;
	nlh = (const struct nlmsghdr *)((const char *)buf + *off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - *off)
		return NULL;
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

/* ---- dump ------------------------------------------------------------------ */

struct dump_state {
	__u32 seq;
	__u32 portid;
	bool done;
	odm_kaddr_cb cb;
	void *ctx;
};

static int dump_request(int fd, __u32 seq)
{
	struct {
		struct nlmsghdr nlh;
		struct ifaddrmsg ifa;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nlh.nlmsg_type = RTM_GETADDR;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	req.ifa.ifa_family = AF_INET6;
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* NLMSG_DONE of a dump may carry the dump's error as an int. */
static int dump_done(const struct nlmsghdr *nlh)
{
	int err = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	return err < 0 ? err : 0;
}

static int dump_error(const struct nlmsghdr *nlh)
{
	struct nlmsgerr e;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return -EINVAL;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	return e.error;
}

/* Handle one message of our dump.  Sets st->done on the last one. */
static int dump_msg(struct dump_state *st, const struct nlmsghdr *nlh)
{
	struct odm_kaddr ka;
	int err;

	/* An address changed mid-dump: the result may miss or repeat one. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		return -EAGAIN;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		st->done = true;
		return dump_done(nlh);
	case NLMSG_ERROR:
		st->done = true;
		return dump_error(nlh);
	case RTM_NEWADDR:
		err = odm_nl_parse_addr(nlh, nlh->nlmsg_len, &ka);
		if (err == -EAFNOSUPPORT)
			return 0;
		return err ? err : st->cb(&ka, st->ctx);
	default:
		return 0;
	}
}

static int dump_datagram(struct dump_state *st, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int err;

	while ((nlh = nl_next(buf, len, &off))) {
		/* Not a reply to our request: a stale or foreign message. */
		if (nlh->nlmsg_seq != st->seq || nlh->nlmsg_pid != st->portid)
			continue;
		err = dump_msg(st, nlh);
		if (err || st->done)
			return err;
	}
	return 0;
}

static int dump_run(int fd, struct dump_state *st)
{
	void *buf;
	ssize_t n;
	int err;

	buf = malloc(NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	err = dump_request(fd, st->seq);
	while (!err && !st->done) {
		n = nl_recv(fd, buf, NL_BUFSIZE, 0);
		if (n < 0)
			err = n;
		else
			err = dump_datagram(st, buf, n);
	}
	free(buf);
	return err;
}

int odm_nl_dump_addrs(odm_kaddr_cb cb, void *ctx)
{
	/* A fresh socket sees no earlier replies, so any fixed seq will do. */
	struct dump_state st = { .seq = 1, .cb = cb, .ctx = ctx };
	int fd, err;

	fd = nl_socket(0, 0);
	if (fd < 0)
		return fd;
	err = nl_portid(fd, &st.portid);
	if (!err)
		err = dump_run(fd, &st);
	close(fd);
	return err;
}

/* ---- monitor --------------------------------------------------------------- */

int odm_nl_monitor_open(void)
{
	return nl_socket(SOCK_NONBLOCK, RTMGRP_IPV6_IFADDR);
}

typedef int (*monitor_cb)(const struct odm_kaddr *ka, bool is_new, void *ctx);

/* Deliver the address events of one datagram; a non-zero cb return stops. */
static int monitor_datagram(const void *buf, size_t len, monitor_cb cb, void *ctx)
{
	const struct nlmsghdr *nlh;
	struct odm_kaddr ka;
	size_t off = 0;
	int err;

	while ((nlh = nl_next(buf, len, &off))) {
		if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
			continue;
		err = odm_nl_parse_addr(nlh, nlh->nlmsg_len, &ka);
		if (err == -EAFNOSUPPORT)
			continue;
		if (!err)
			err = cb(&ka, nlh->nlmsg_type == RTM_NEWADDR, ctx);
		if (err)
			return err;
	}
	return 0;
}

/*
 * After an overrun the queue still holds events older than the resync dump
 * the caller is about to do; draining them now keeps them from being
 * replayed over the fresher state.
 */
static void monitor_discard(int fd, void *buf)
{
	ssize_t n;

	do
		n = nl_recv(fd, buf, NL_BUFSIZE, MSG_DONTWAIT);
	while (n >= 0 || n == -ENOBUFS);
}

int odm_nl_monitor_read(int fd, int (*cb)(const struct odm_kaddr *ka, bool is_new, void *ctx),
			void *ctx)
{
	void *buf;
	ssize_t n;
	int err = 0;

	buf = malloc(NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	while (!err) {
		n = nl_recv(fd, buf, NL_BUFSIZE, MSG_DONTWAIT);
		err = n < 0 ? n : monitor_datagram(buf, n, cb, ctx);
	}
	if (err == -ENOBUFS)
		monitor_discard(fd, buf);
	free(buf);
	/* EAGAIN: the queue is empty, which is what we read until. */
	return err == -EAGAIN ? 0 : err;
}
