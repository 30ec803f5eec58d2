// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * relay6.c - a DHCPv6 relay agent with RFC 8987 route installation, for
 * the namespace tests (relay6.h).  Written against RFC 8415's wire format,
 * not odm's codec: a mistake the two shared could hide nowhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "env.h"
#include "relay6.h"

#define PORT_CLIENT	546
#define PORT_SERVER	547

enum {
	D6_SOLICIT = 1, D6_REQUEST = 3, D6_CONFIRM = 4, D6_RENEW = 5, D6_REBIND = 6,
	D6_REPLY = 7, D6_RELEASE = 8, D6_DECLINE = 9, D6_INFO_REQ = 11,
	D6_RELAY_FORW = 12, D6_RELAY_REPL = 13,
};
enum { OPT_RELAY_MSG = 9, OPT_INTERFACE_ID = 18, OPT_IA_PD = 25, OPT_IAPREFIX = 26 };

#define RELAY_HDR	34	/* msg-type, hop-count, link-address, peer-address */
#define D6_MAX		1500

struct relay_cfg {
	unsigned int down, up;
	char down_name[IF_NAMESIZE];
	struct in6_addr server, link;
};

static unsigned int get16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static size_t put_opt(unsigned char *b, unsigned int code, const void *data, size_t len)
{
	b[0] = code >> 8;
	b[1] = code & 0xff;
	b[2] = len >> 8;
	b[3] = len & 0xff;
	memcpy(b + 4, data, len);
	return 4 + len;
}

/*
 * The option at *p of a list ending at end: its code, value and length,
 * and *p moved past it.  false at the end of the list, or at an option
 * that would run past it.
 */
static bool next_opt(const unsigned char **p, const unsigned char *end, unsigned int *code,
		     const unsigned char **val, size_t *len)
{
	size_t l;

	if (end - *p < 4)
		return false;
	l = get16(*p + 2);
	if ((size_t)(end - *p - 4) < l)
		return false;
	*code = get16(*p);
	*val = *p + 4;
	*len = l;
	*p += 4 + l;
	return true;
}

/* The value of option code in the list [p, end), or NULL. */
static const unsigned char *find_opt(const unsigned char *p, const unsigned char *end,
				     unsigned int code, size_t *len)
{
	const unsigned char *val;
	unsigned int c;

	while (next_opt(&p, end, &c, &val, len))
		if (c == code)
			return val;
	return NULL;
}

/* Route (valid lifetime > 0) or unroute the IAPREFIX value pv via the client. */
static void route_prefix(const struct relay_cfg *c, const unsigned char *pv, const char *via)
{
	unsigned long valid = get32(pv + 4);	/* after the preferred lifetime */
	unsigned int plen = pv[8];
	char pfx[INET6_ADDRSTRLEN], cmd[512];

	inet_ntop(AF_INET6, pv + 9, pfx, sizeof(pfx));
	if (valid)
		snprintf(cmd, sizeof(cmd),
			 "ip -6 route replace %s/%u via %s dev %s proto dhcp;"
			 " ip -6 rule del iif %s from %s/%u pref 100 2>/dev/null;"
			 " ip -6 rule add iif %s from %s/%u lookup main pref 100",
			 pfx, plen, via, c->down_name, c->down_name, pfx, plen, c->down_name, pfx,
			 plen);
	else
		snprintf(cmd, sizeof(cmd),
			 "ip -6 route del %s/%u dev %s 2>/dev/null;"
			 " ip -6 rule del iif %s from %s/%u pref 100 2>/dev/null",
			 pfx, plen, c->down_name, c->down_name, pfx, plen);
	if (system(cmd) != 0)
		fprintf(stderr, "relay6: %s failed\n", cmd);
}

/*
 * RFC 8987 section 4: the relay installs a route for each prefix a Reply
 * delegates, via the client, and removes it when the lease ends; the
 * source filter follows the route (what the router forwards from the
 * access link is what it delegated there).
 */
static void snoop_reply(const struct relay_cfg *c, const unsigned char *msg, size_t n,
			const struct in6_addr *peer)
{
	const unsigned char *p = msg + 4, *end = msg + n, *ia, *q, *pv;
	unsigned int code, qcode;
	char via[INET6_ADDRSTRLEN];
	size_t l, ql;

	inet_ntop(AF_INET6, peer, via, sizeof(via));
	while (next_opt(&p, end, &code, &ia, &l)) {
		if (code != OPT_IA_PD || l < 12)
			continue;
		/* IAID, T1, T2, then the IA_PD's own options */
		for (q = ia + 12; next_opt(&q, ia + l, &qcode, &pv, &ql);)
			if (qcode == OPT_IAPREFIX && ql >= 25)
				route_prefix(c, pv, via);
	}
}

static bool from_client(unsigned char type)
{
	return type == D6_SOLICIT || type == D6_REQUEST || type == D6_CONFIRM ||
	       type == D6_RENEW || type == D6_REBIND || type == D6_RELEASE ||
	       type == D6_DECLINE || type == D6_INFO_REQ;
}

static void forward(int fd, const struct relay_cfg *c, const unsigned char *msg, size_t n,
		    const struct in6_addr *peer)
{
	unsigned char out[D6_MAX + 64];
	struct sockaddr_in6 to = {
		.sin6_family = AF_INET6, .sin6_port = htons(PORT_SERVER),
		.sin6_addr = c->server, .sin6_scope_id = c->up,
	};
	size_t len = RELAY_HDR;

	if (n > D6_MAX)
		return;
	out[0] = D6_RELAY_FORW;
	out[1] = 0;			/* hop-count: the first relay */
	memcpy(out + 2, &c->link, 16);
	memcpy(out + 18, peer, 16);
	len += put_opt(out + len, OPT_INTERFACE_ID, c->down_name, strlen(c->down_name));
	len += put_opt(out + len, OPT_RELAY_MSG, msg, n);
	sendto(fd, out, len, 0, (struct sockaddr *)&to, sizeof(to));
}

static void reply(int fd, const struct relay_cfg *c, const unsigned char *msg, size_t n)
{
	struct sockaddr_in6 to = {
		.sin6_family = AF_INET6, .sin6_port = htons(PORT_CLIENT), .sin6_scope_id = c->down,
	};
	const unsigned char *inner;
	size_t len;

	if (n < RELAY_HDR || msg[1] != 0)
		return;			/* not for the first relay: us */
	inner = find_opt(msg + RELAY_HDR, msg + n, OPT_RELAY_MSG, &len);
	if (!inner || len < 4)
		return;
	memcpy(&to.sin6_addr, msg + 18, 16);
	if (inner[0] == D6_REPLY)
		snoop_reply(c, inner, len, &to.sin6_addr);
	sendto(fd, inner, len, 0, (struct sockaddr *)&to, sizeof(to));
}

static int open_socket(const struct relay_cfg *c)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(PORT_SERVER) };
	struct ipv6_mreq mr = { .ipv6mr_interface = c->down };
	int one = 1, fd;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void serve(int fd, const struct relay_cfg *c)
{
	unsigned char buf[D6_MAX + 64];
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;

	for (;;) {
		struct sockaddr_in6 from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
		};
		struct cmsghdr *cm;
		unsigned int ifindex = 0;
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 4)
			continue;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO)
				ifindex = ((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex;
		if (ifindex == c->down && ntohs(from.sin6_port) == PORT_CLIENT && from_client(buf[0]))
			forward(fd, c, buf, (size_t)n, &from.sin6_addr);
		else if (ifindex == c->up && buf[0] == D6_RELAY_REPL)
			reply(fd, c, buf, (size_t)n);
	}
}

bool relay6_start(struct relay6 *r, const char *ns, const char *down_if, const char *up_if,
		  const char *server_ll, const char *link_addr)
{
	struct relay_cfg c = { 0 };
	int ready[2];
	char ok = 0;

	r->pid = -1;
	snprintf(c.down_name, sizeof(c.down_name), "%s", down_if);
	if (inet_pton(AF_INET6, server_ll, &c.server) != 1 ||
	    inet_pton(AF_INET6, link_addr, &c.link) != 1 || pipe2(ready, O_CLOEXEC))
		return false;
	r->pid = fork();
	if (r->pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return false;
	}
	if (r->pid == 0) {
		int fd = -1;

		close(ready[0]);
		if (ns_enter(ns)) {
			c.down = if_nametoindex(down_if);
			c.up = if_nametoindex(up_if);
			if (c.down && c.up)
				fd = open_socket(&c);
		}
		ok = fd >= 0;
		if (write(ready[1], &ok, 1) != 1 || !ok)
			_exit(1);
		close(ready[1]);
		serve(fd, &c);
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &ok, 1) != 1)
		ok = 0;
	close(ready[0]);
	if (!ok) {
		fprintf(stderr, "  relay6: cannot listen on %s port 547 in %s\n", down_if, ns);
		relay6_stop(r);
	}
	return ok;
}

void relay6_stop(struct relay6 *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = -1;
}
