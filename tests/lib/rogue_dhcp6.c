// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rogue_dhcp6.c - the hostile DHCPv6 server of rogue_dhcp6.h.
 *
 * The server is written against RFC 8415's wire format directly, not
 * against odm's codec, so that a mistake shared by both cannot hide.
 */
#include "rogue_dhcp6.h"
#include "env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPT_CLIENTID	1
#define OPT_SERVERID	2
#define OPT_PREFERENCE	7
#define OPT_STATUS	13
#define OPT_IA_PD	25
#define OPT_IAPREFIX	26
#define OPT_CONT	65000		/* odmd's default continuity option code */
#define MSG_SOLICIT	1
#define MSG_ADVERTISE	2
#define MSG_REQUEST	3
#define MSG_REPLY	7
#define MSG_RELEASE	8
#define MSG_RECONFIGURE	10

enum garbage_kind {
	G_TRUNCATED,		/* cut inside an option */
	G_IA_OVERRUN,		/* IA_PD length runs past the datagram */
	G_IAPREFIX_SHORT,	/* IAprefix shorter than its fixed 25 octets */
	G_PLEN_200,		/* prefix length over 128 */
	G_OTHER_XID,		/* someone else's transaction */
	G_OTHER_CLIENT,		/* someone else's Client ID */
	G_NO_CLIENTID,
	G_NO_SERVERID,
	G_RANDOM,		/* our header, random bytes after it */
	G_RECONFIGURE,		/* a message type odmd never accepts */
	G_WRONG_STATE,		/* a Reply to a Solicit, an Advertise to a Request */
	G_EMPTY,		/* zero octets */
	G_TINY,			/* three octets, shorter than a header */
	G_OPTION_FLOOD,		/* 350 empty options, then an overrunning IA_PD */
	G_OTHER_IAID,		/* a good prefix for an IA that is not ours */
	G_STATUS_SHORT,		/* Status Code with one octet */
	G_PREFERENCE_EMPTY,	/* Preference with no value */
	G_KINDS,
};

unsigned int rogue_garbage_kinds(void)
{
	return G_KINDS;
}

struct client_msg {
	uint8_t type;
	uint8_t xid[3];
	uint8_t clientid[130];
	size_t clientid_len;
	uint8_t iaid[4];
	int cont;			/* top-level continuity, -1 absent */
};

struct builder {
	uint8_t buf[2048];
	size_t len;
	size_t ia_at;			/* offset of the IA_PD option header */
	size_t iaprefix_at;		/* offset of the IAprefix option header */
};

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint8_t *opt(struct builder *b, unsigned int code, size_t len)
{
	uint8_t *p = b->buf + b->len;

	put16(p, code);
	put16(p + 2, (unsigned int)len);
	b->len += 4 + len;
	return p + 4;
}

static bool parse_client(const uint8_t *buf, size_t n, struct client_msg *m)
{
	size_t off = 4;

	if (n < 4)
		return false;
	memset(m, 0, sizeof(*m));
	m->cont = -1;
	m->type = buf[0];
	memcpy(m->xid, buf + 1, 3);
	while (off + 4 <= n) {
		unsigned int code = (unsigned int)buf[off] << 8 | buf[off + 1];
		size_t len = (size_t)buf[off + 2] << 8 | buf[off + 3];
		const uint8_t *d = buf + off + 4;

		if (off + 4 + len > n)
			return false;
		if (code == OPT_CLIENTID && len <= sizeof(m->clientid)) {
			memcpy(m->clientid, d, len);
			m->clientid_len = len;
		} else if (code == OPT_IA_PD && len >= 4) {
			memcpy(m->iaid, d, 4);
		} else if (code == OPT_CONT && len == 1) {
			m->cont = d[0];
		}
		off += 4 + len;
	}
	return m->clientid_len > 0;
}

/*
 * An answer of the given type to m: Client ID, Server ID (server n),
 * Preference 255, IA_PD { IAprefix p }.  Records where IA_PD and IAprefix
 * start so garbage can break them.
 */
static void build(struct builder *b, uint8_t type, const struct client_msg *m, unsigned int server,
		  const struct rogue_prefix *p, bool with_clientid, bool with_serverid)
{
	uint8_t *d;

	memset(b, 0, sizeof(*b));
	b->buf[0] = type;
	memcpy(b->buf + 1, m->xid, 3);
	b->len = 4;
	if (with_clientid)
		memcpy(opt(b, OPT_CLIENTID, m->clientid_len), m->clientid, m->clientid_len);
	if (with_serverid) {
		/* DUID-LL (type 3, hardware type 1), a locally administered MAC. */
		static const uint8_t duid[10] = { 0, 3, 0, 1, 0x02, 0, 0x5e, 0, 0x53, 0 };

		d = opt(b, OPT_SERVERID, sizeof(duid));
		memcpy(d, duid, sizeof(duid));
		d[9] = (uint8_t)server;
	}
	*opt(b, OPT_PREFERENCE, 1) = 255;
	if (!p || !p->prefix)
		return;
	b->ia_at = b->len;
	d = opt(b, OPT_IA_PD, 12);
	memcpy(d, m->iaid, 4);
	put32(d + 4, p->valid / 2);	/* T1 */
	put32(d + 8, p->valid / 4 * 3);	/* T2 */
	b->iaprefix_at = b->len;
	d = opt(b, OPT_IAPREFIX, 25);
	put32(d, p->preferred);
	put32(d + 4, p->valid);
	d[8] = (uint8_t)p->plen;
	if (inet_pton(AF_INET6, p->prefix, d + 9) != 1)
		memset(d + 9, 0xee, 16);
	if (p->cont != -1) {
		*opt(b, OPT_CONT, 1) = (uint8_t)(p->cont == -2 ? (m->cont < 0 ? 0 : m->cont) :
						 p->cont);
		put16(b->buf + b->iaprefix_at + 2, 25 + 5);
	}
	put16(b->buf + b->ia_at + 2, (unsigned int)(b->len - b->ia_at - 4));
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Garbage number k, made from a well-formed answer of the right type. */
static void garbage(struct builder *b, unsigned int k, uint8_t type, const struct client_msg *m,
		    uint32_t *seed)
{
	static const struct rogue_prefix good = { "2001:db8:bad::", 64, 3000, 4000, -2 };
	struct client_msg other = *m;
	size_t i;

	build(b, type, m, 200, &good, true, true);
	switch ((enum garbage_kind)(k % G_KINDS)) {
	case G_TRUNCATED:
		b->len = 4 + (k * 7) % (b->len - 4);
		break;
	case G_IA_OVERRUN:
		put16(b->buf + b->ia_at + 2, 0xffff);
		break;
	case G_IAPREFIX_SHORT:
		put16(b->buf + b->iaprefix_at + 2, 10);
		break;
	case G_PLEN_200:
		b->buf[b->iaprefix_at + 4 + 8] = 200;
		break;
	case G_OTHER_XID:
		b->buf[3] ^= 0x5a;
		break;
	case G_OTHER_CLIENT:
		other.clientid[other.clientid_len - 1] ^= 0xff;
		build(b, type, &other, 200, &good, true, true);
		break;
	case G_NO_CLIENTID:
		build(b, type, m, 200, &good, false, true);
		break;
	case G_NO_SERVERID:
		build(b, type, m, 200, &good, true, false);
		break;
	case G_RANDOM:
		b->len = 4 + xorshift(seed) % 600;
		for (i = 4; i < b->len; i++)
			b->buf[i] = (uint8_t)xorshift(seed);
		break;
	case G_RECONFIGURE:
		b->buf[0] = MSG_RECONFIGURE;
		break;
	case G_WRONG_STATE:
		b->buf[0] = type == MSG_ADVERTISE ? MSG_REPLY : MSG_ADVERTISE;
		break;
	case G_EMPTY:
		b->len = 0;
		break;
	case G_TINY:
		b->len = 3;
		break;
	case G_OPTION_FLOOD: {
		struct builder hdr;

		build(&hdr, type, m, 200, NULL, true, true);
		for (i = 0; i < 350; i++)
			opt(&hdr, 0xfff0, 0);
		memcpy(hdr.buf + hdr.len, b->buf + b->ia_at, b->len - b->ia_at);
		put16(hdr.buf + hdr.len + 2, 0xfff0);
		hdr.len += b->len - b->ia_at;
		*b = hdr;
		break;
	}
	case G_OTHER_IAID:
		b->buf[b->ia_at + 4] ^= 0x80;
		break;
	case G_STATUS_SHORT: {
		struct builder s;

		build(&s, type, m, 200, NULL, true, true);
		*opt(&s, OPT_STATUS, 1) = 0;
		memcpy(s.buf + s.len, b->buf + b->ia_at, b->len - b->ia_at);
		s.len += b->len - b->ia_at;
		*b = s;
		break;
	}
	case G_PREFERENCE_EMPTY:
		/* The Preference option sits right before IA_PD: 5 octets. */
		put16(b->buf + b->ia_at - 5 + 2, 0);
		memmove(b->buf + b->ia_at - 1, b->buf + b->ia_at, b->len - b->ia_at);
		b->len -= 1;
		break;
	case G_KINDS:
		break;
	}
}

static int open_server(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(547) };
	struct ipv6_mreq mr = { .ipv6mr_interface = if_nametoindex("veth-s") };
	int fd, one = 1;

	inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "veth-s", 7) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void serve(int fd, int ctl, int res, const struct rogue_script *s)
{
	struct rogue_stats st = { 0 };
	uint32_t seed = 0x8653u;
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = ctl, .events = POLLIN } };

	bool stopping = false;

	for (;;) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		struct client_msg m;
		struct builder b;
		uint8_t in[1500], type;
		unsigned int i;
		ssize_t n;

		if (!stopping) {
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				break;
			/* The test closed ctl: what odmd sent before that still
			 * counts, so read what is queued, then report and go. */
			stopping = p[1].revents;
			if (!stopping && !(p[0].revents & POLLIN))
				continue;
		}
		n = recvfrom(fd, in, sizeof(in), stopping ? MSG_DONTWAIT : 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0 && stopping)
			break;
		if (n < 0 || !parse_client(in, (size_t)n, &m))
			continue;
		if (m.type == MSG_SOLICIT) {
			st.solicits++;
			type = MSG_ADVERTISE;
		} else if (m.type == MSG_REQUEST) {
			st.requests++;
			type = MSG_REPLY;
		} else {
			/* Counted, so a test can see odmd give back what it refused. */
			st.releases += m.type == MSG_RELEASE;
			continue;
		}
		for (i = 0; i < s->garbage; i++) {
			garbage(&b, i, type, &m, &seed);
			if (sendto(fd, b.buf, b.len, 0, (struct sockaddr *)&from, fl) >= 0) {
				st.sent++;
				st.garbage++;
			}
			if (i % 32 == 31)
				usleep(2000);	/* let odmd's receive queue drain */
		}
		if (type == MSG_ADVERTISE) {
			for (i = 0; i < s->nadv && i < ROGUE_MAX_ADV; i++) {
				build(&b, type, &m, i + 1, &s->adv[i], true, true);
				if (sendto(fd, b.buf, b.len, 0, (struct sockaddr *)&from, fl) >= 0)
					st.sent++;
			}
		} else if (s->reply.prefix) {
			build(&b, type, &m, 1, &s->reply, true, true);
			if (sendto(fd, b.buf, b.len, 0, (struct sockaddr *)&from, fl) >= 0)
				st.sent++;
		}
	}
	if (write(res, &st, sizeof(st)) != sizeof(st))
		_exit(1);
}

bool rogue_start(struct env *e, struct rogue *r, const struct rogue_script *s)
{
	int ctl[2], res[2], ready[2];
	char ok = 0;

	r->pid = -1;
	r->ctl = r->res = -1;
	if (pipe2(ctl, O_CLOEXEC) || pipe2(res, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return false;
	r->pid = fork();
	if (r->pid < 0)
		return false;
	if (r->pid == 0) {
		int fd;

		close(ctl[1]);
		close(res[0]);
		close(ready[0]);
		if (!ns_enter(e->net_ns))
			_exit(127);
		fd = open_server();
		ok = fd >= 0;
		if (write(ready[1], &ok, 1) != 1 || !ok)
			_exit(1);
		close(ready[1]);
		serve(fd, ctl[0], res[1], s);
		_exit(0);
	}
	close(ctl[0]);
	close(res[1]);
	close(ready[1]);
	r->ctl = ctl[1];
	r->res = res[0];
	if (read(ready[0], &ok, 1) != 1)
		ok = 0;
	close(ready[0]);
	if (!ok) {
		fprintf(stderr, "rogue dhcpv6 server: cannot listen on veth-s port 547\n");
		rogue_stop(r, NULL);
	}
	return ok;
}

void rogue_stop(struct rogue *r, struct rogue_stats *st)
{
	struct rogue_stats got = { 0 };

	if (r->ctl >= 0)
		close(r->ctl);
	if (r->res >= 0) {
		if (read(r->res, &got, sizeof(got)) != sizeof(got))
			memset(&got, 0, sizeof(got));
		close(r->res);
	}
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = -1;
	r->ctl = r->res = -1;
	if (st)
		*st = got;
}
