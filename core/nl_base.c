// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nl_base.c - rtnetlink plumbing shared by addresses (nl.c, nl_addr.c) and
 * routes (nl_route.c): the attribute walk, sockets, dumps, monitors and
 * acknowledged requests (nl_int.h).  One copy, so that a fix to how a
 * datagram is received or a dump is ended reaches every caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nl_int.h"

/* SOL_NETLINK is not in every libc's headers. */
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* ---- parsing ----------------------------------------------------------------- */

int odm_nl_attr_copy(void *dst, size_t want, const unsigned char *p, size_t len, bool *have)
{
	if (len != want)
		return -EINVAL;
	memcpy(dst, p, want);
	*have = true;
	return 0;
}

int odm_nl_attr_walk(const unsigned char *p, size_t len, odm_nl_attr_cb cb, void *ctx)
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
		err = cb(ctx, rta.rta_type & NLA_TYPE_MASK, p + RTA_LENGTH(0),
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

/* ---- building requests --------------------------------------------------------- */

int odm_nl_put_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data,
		    size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr *rta;

	if (RTA_LENGTH(len) > 0xffff || off > cap || cap - off < RTA_SPACE(len))
		return -ENOSPC;
	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (__u32)(off + RTA_ALIGN(rta->rta_len));
	return 0;
}

/* ---- sockets -------------------------------------------------------------------- */

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

/* The port id the kernel gave our socket, which replies are sent to. */
static int nl_portid(int fd, __u32 *portid)
{
	struct sockaddr_nl sa;
	socklen_t slen = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &slen) < 0)
		return -errno;
	*portid = sa.nl_pid;
	return 0;
}

static int nl_send(int fd, const struct nlmsghdr *nh)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
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
 * so the cast is safe here, unlike in the parsers.
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

/* The error of an NLMSG_ERROR message (0 for an acknowledgement). */
static int nl_error(const struct nlmsghdr *nlh)
{
	struct nlmsgerr e;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return -EINVAL;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	return e.error > 0 ? -EPROTO : e.error;
}

/* ---- acknowledged requests -------------------------------------------------------- */

struct ack_why {
	char *buf;
	size_t len;
};

static int ack_tlv(void *ctx, unsigned int type, const unsigned char *p, size_t len)
{
	struct ack_why *w = ctx;

	if (type != NLMSGERR_ATTR_MSG)
		return 0;
	/* A NUL-terminated string; no more than it and our buffer hold. */
	len = strnlen((const char *)p, len);
	if (len > w->len - 1)
		len = w->len - 1;
	memcpy(w->buf, p, len);
	w->buf[len] = '\0';
	return 0;
}

/* The extended ack's message, when the kernel added one (NETLINK_EXT_ACK). */
static void ack_message(const struct nlmsghdr *nlh, char *why, size_t whylen)
{
	struct ack_why w = { .buf = why, .len = whylen };
	struct nlmsgerr e;
	size_t off;

	if (!why || !whylen || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	if (e.msg.nlmsg_len < NLMSG_HDRLEN)
		return;
	/* The TLVs follow the error and what it echoes of our request: its
	 * header alone when capped (NETLINK_CAP_ACK), else all of it. */
	off = NLMSG_HDRLEN + sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e.msg.nlmsg_len) - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return;
	odm_nl_attr_walk((const unsigned char *)nlh + off, nlh->nlmsg_len - off, ack_tlv, &w);
}

/* The NLMSG_ERROR of a datagram that answers our request seq, or NULL. */
static const struct nlmsghdr *answer_in(const void *buf, size_t len, __u32 portid, __u32 seq)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;

	while ((nlh = nl_next(buf, len, &off)))
		if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == seq &&
		    nlh->nlmsg_pid == portid)
			return nlh;
	return NULL;
}

static int request_answer(int fd, __u32 portid, __u32 seq, char *why, size_t whylen)
{
	const struct nlmsghdr *nlh = NULL;
	ssize_t n;
	void *buf;
	int err;

	buf = malloc(ODM_NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	do {
		n = nl_recv(fd, buf, ODM_NL_BUFSIZE, 0);
		if (n > 0)
			nlh = answer_in(buf, n, portid, seq);
	} while (n >= 0 && !nlh);
	err = n < 0 ? (int)n : nl_error(nlh);
	if (nlh && err)
		ack_message(nlh, why, whylen);
	free(buf);
	return err;
}

int odm_nl_request(struct nlmsghdr *nh, char *why, size_t whylen)
{
	int one = 1, fd, err;
	__u32 portid = 0;

	if (why && whylen)
		why[0] = '\0';
	fd = nl_socket(0, 0);
	if (fd < 0)
		return fd;
	/* Why the kernel refused, in words, and no copy of our request. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	/* A fresh socket sees no earlier answers, so any fixed seq will do. */
	nh->nlmsg_seq = 1;
	err = nl_portid(fd, &portid);
	if (!err)
		err = nl_send(fd, nh);
	if (!err)
		err = request_answer(fd, portid, nh->nlmsg_seq, why, whylen);
	close(fd);
	return err;
}

/* ---- dumps --------------------------------------------------------------------------- */

struct dump_state {
	__u32 seq;
	__u32 portid;
	bool done;
	odm_nl_msg_cb cb;
	void *ctx;
};

/* NLMSG_DONE of a dump may carry the dump's error as an int. */
static int dump_done(const struct nlmsghdr *nlh)
{
	int err = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	return err < 0 ? err : 0;
}

/* Handle one message of our dump.  Sets st->done on the last one. */
static int dump_msg(struct dump_state *st, const struct nlmsghdr *nlh)
{
	/* A change mid-dump: the result may miss or repeat an object. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		return -EAGAIN;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		st->done = true;
		return dump_done(nlh);
	case NLMSG_ERROR:
		st->done = true;
		return nl_error(nlh);
	default:
		return st->cb(nlh, st->ctx);
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

static int dump_run(int fd, struct nlmsghdr *req, struct dump_state *st)
{
	void *buf;
	ssize_t n;
	int err;

	buf = malloc(ODM_NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	err = nl_send(fd, req);
	while (!err && !st->done) {
		n = nl_recv(fd, buf, ODM_NL_BUFSIZE, 0);
		if (n < 0)
			err = n;
		else
			err = dump_datagram(st, buf, n);
	}
	free(buf);
	return err;
}

int odm_nl_dump(__u16 type, const void *body, size_t len, odm_nl_msg_cb cb, void *ctx)
{
	/* A fresh socket sees no earlier replies, so any fixed seq will do. */
	struct dump_state st = { .seq = 1, .cb = cb, .ctx = ctx };
	struct {
		struct nlmsghdr nlh;
		unsigned char body[64];
	} req;
	int fd, err;

	if (len > sizeof(req.body))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = st.seq;
	memcpy(req.body, body, len);
	fd = nl_socket(0, 0);
	if (fd < 0)
		return fd;
	err = nl_portid(fd, &st.portid);
	if (!err)
		err = dump_run(fd, &req.nlh, &st);
	close(fd);
	return err;
}

/* ---- monitors ------------------------------------------------------------------------- */

int odm_nl_monitor_socket(__u32 groups)
{
	return nl_socket(SOCK_NONBLOCK, groups);
}

/* Deliver the messages of one datagram; a non-zero cb return stops. */
static int monitor_datagram(const void *buf, size_t len, odm_nl_msg_cb cb, void *ctx)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int err;

	while ((nlh = nl_next(buf, len, &off))) {
		err = cb(nlh, ctx);
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
		n = nl_recv(fd, buf, ODM_NL_BUFSIZE, MSG_DONTWAIT);
	while (n >= 0 || n == -ENOBUFS);
}

int odm_nl_monitor_drain(int fd, odm_nl_msg_cb cb, void *ctx)
{
	void *buf;
	ssize_t n;
	int err = 0;

	buf = malloc(ODM_NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	while (!err) {
		n = nl_recv(fd, buf, ODM_NL_BUFSIZE, MSG_DONTWAIT);
		err = n < 0 ? n : monitor_datagram(buf, n, cb, ctx);
	}
	if (err == -ENOBUFS)
		monitor_discard(fd, buf);
	free(buf);
	/* EAGAIN: the queue is empty, which is what we read until. */
	return err == -EAGAIN ? 0 : err;
}
