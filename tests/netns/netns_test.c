// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * netns_test.c - odm end to end: real BPF programs attached to a real
 * cgroup by a real odmd, real TCP/UDP sockets in a network namespace, and
 * the source address the peer actually saw.  Needs root.
 *
 *   build/tests/netns_test [-v] [NAME...]    (NAME: run only tests whose name contains it)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <grp.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "test.h"
#include "env.h"
#include "agent.h"
#include "rogue_dhcp6.h"
#include "core.h"
#include "odm.h"
#include "proto.h"

#define PORT		8080
#define LO_PORT		8081

/* The typed prefixes most tests use, and the address the host has in each. */
#define SL_ADDR		"2001:db8:1::10"
#define NP_ADDR		"2001:db8:2::10"
#define FX_ADDR		"2001:db8:3::10"
#define NP2_ADDR	"2001:db8:4::10"

static const char base_config[] =
	"# typed prefixes of the test host\n"
	"prefix 2001:db8:1::/64 type session-lasting dev veth-h\n"
	"prefix 2001:db8:2::/64 type non-persistent dev veth-h\n"
	"prefix 2001:db8:3::/64 type fixed\n";

static bool add_base_addrs(struct env *e)
{
	return sys("ip -n %s addr add %s/64 dev veth-h nodad && ip -n %s addr add %s/64 dev veth-h nodad"
		   " && ip -n %s addr add %s/64 dev veth-h nodad",
		   e->host_ns, SL_ADDR, e->host_ns, NP_ADDR, e->host_ns, FX_ADDR);
}

/* A fresh world with odmd running on base_config (plus extra lines). */
static bool world(struct env *e, const char *extra_config, bool with_addrs)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg), "%s%s", base_config, extra_config ? extra_config : "");
	if (!env_setup(e, cfg))
		return false;
	if (with_addrs && !add_base_addrs(e))
		return false;
	return env_start_odmd(e);
}

/* ---- the peer: sockets in the "net" namespace (or host, for ::1) ---- */

struct peer {
	int tcp;
	int udp;
};

static bool peer_open(struct env *e, struct peer *p, const char *ns, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sa6(&ss, addr, port, NULL, NULL);
	int zero = 0, one = 1;
	bool ok;

	p->tcp = p->udp = -1;
	if (!ns_enter(ns))
		return false;
	p->tcp = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	p->udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok = p->tcp >= 0 && p->udp >= 0 &&
	     !setsockopt(p->tcp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) &&
	     !setsockopt(p->udp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) &&
	     !setsockopt(p->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	     !bind(p->tcp, (struct sockaddr *)&ss, len) && !listen(p->tcp, 64) &&
	     !bind(p->udp, (struct sockaddr *)&ss, len);
	ns_restore(e);
	if (!ok)
		fprintf(stderr, "  peer sockets in %s: %s\n", ns, strerror(errno));
	return ok;
}

static void peer_close(struct peer *p)
{
	if (p->tcp >= 0)
		close(p->tcp);
	if (p->udp >= 0)
		close(p->udp);
}

static bool wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 3000) == 1;
}

/* Accept one connection; its peer address into seen. */
static bool peer_seen_tcp(struct peer *p, char *seen, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int c;

	snprintf(seen, len, "(nothing)");
	if (!wait_readable(p->tcp))
		return false;
	c = accept(p->tcp, (struct sockaddr *)&ss, &sl);
	if (c < 0)
		return false;
	sa_addr_str(&ss, seen, len);
	close(c);
	return true;
}

static bool peer_seen_udp(struct peer *p, char *seen, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[128];

	snprintf(seen, len, "(nothing)");
	if (!wait_readable(p->udp))
		return false;
	if (recvfrom(p->udp, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl) < 0)
		return false;
	sa_addr_str(&ss, seen, len);
	return true;
}

/* ---- agent shorthands ---- */

static int ag_socket(struct agent *a, int type)
{
	struct agent_req rq = { .op = AG_SOCKET, .arg = type };
	struct agent_resp rs;

	return agent_call(a, &rq, &rs) ? rs.ret : -1;
}

static int ag_setsc(struct agent *a, int id, int type, struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SETSC, .id = id, .arg = type };
	struct agent_resp rs;

	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (addr)
		*addr = rs.addr;
	return rs.ret;
}

/* bind/connect/sendto/listen to addr:port: 0 or the errno. */
static int ag_addr_op(struct agent *a, int op, int id, const char *addr, int port, const char *dev)
{
	struct agent_req rq = { .op = op, .id = id };
	struct agent_resp rs;

	snprintf(rq.payload, sizeof(rq.payload), "odm test payload");
	if (strncmp(addr, "::ffff:", 7) == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&rq.sa;

		/* v4-mapped destinations are written as such */
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		rq.salen = sizeof(*s6);
	} else {
		rq.salen = make_sa6(&rq.sa, addr, port, dev ? dev : NULL, dev ? "veth-h" : NULL);
	}
	if (!agent_call(a, &rq, &rs))
		return -9999;
	return rs.ret < 0 ? rs.err : 0;
}

static int ag_simple(struct agent *a, int op, int id, int arg, struct agent_resp *out)
{
	struct agent_req rq = { .op = op, .id = id, .arg = arg };
	struct agent_resp rs;

	snprintf(rq.payload, sizeof(rq.payload), "odm test payload");
	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (out)
		*out = rs;
	return rs.ret < 0 ? rs.err : 0;
}

static const char *in6_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* ---- waiting for odmd ---- */

/* Until odm_select hands out want (NULL: nothing) for type; 5 s at most. */
static bool wait_select(struct env *e, unsigned int type, const char *want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < 250; i++) {
		struct odm_choice c;
		struct odm_maps m;
		__u32 key = type;
		int err;

		if (odm_maps_open(&m, e->pin_dir) == 0) {
			err = bpf_map_lookup_elem(m.select, &key, &c);
			odm_maps_close(&m);
			if (want ? (!err && !strcmp(odm_addr_str(c.addr, buf), want)) : err != 0)
				return true;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  odm_select[%u] never became %s\n", type, want ? want : "empty");
	return false;
}

/* =========================================================================
 * Table-driven socket cases, in the manner of the kernel's sock_addr test.
 * ========================================================================= */

enum dst { DST_NET, DST_V4MAPPED, DST_LINKLOCAL, DST_LOOPBACK };

/* One socket, one sub-case; a field left out is 0, false, NULL, DST_NET. */
struct sock_case {
	const char *name;
	int type;			/* SOCK_STREAM or SOCK_DGRAM */
	int sc;				/* setsc() type, 0: no setsc() */
	unsigned int prefs;		/* IPV6_ADDR_PREFERENCES set first, 0: none */
	const char *bind_first;		/* app binds this before setsc() */
	bool bind_setsc;		/* app binds setsc()'s address (section 4.1) */
	enum dst dst;			/* where it connects or sends to */
	bool sendto;			/* UDP: unconnected sendto() */
	int want_sc;			/* setsc() result */
	const char *want_src;		/* what the peer saw */
	int want_err;			/* errno of connect()/sendto() */
};

static const struct sock_case sock_cases[] = {
	{
		.name = "tcp session-lasting, no bind",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS,
		.want_src = SL_ADDR,
	},
	{
		.name = "tcp non-persistent, no bind",
		.type = SOCK_STREAM, .sc = NON_PERSISTENT_IPV6_ADDRESS,
		.want_src = NP_ADDR,
	},
	{
		.name = "tcp fixed, no bind",
		.type = SOCK_STREAM, .sc = FIXED_IPV6_ADDRESS,
		.want_src = FX_ADDR,
	},
	{
		.name = "tcp session-lasting, bind as in 4.1",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS, .bind_setsc = true,
		.want_src = SL_ADDR,
	},
	{
		.name = "tcp untyped: kernel selection",
		.type = SOCK_STREAM,
		.want_src = HOST_UNTYPED,
	},
	{
		.name = "tcp graceful not offered: legacy",
		.type = SOCK_STREAM, .sc = GRACEFUL_REPLACEMENT_IPV6_ADDRESS,
		.want_sc = EAI_REQUIREDIPNOTSUPPORTED, .want_src = HOST_UNTYPED,
	},
	{
		.name = "tcp reserved type 5",
		.type = SOCK_STREAM, .sc = 5,
		.want_sc = EAI_REQUIREDIPNOTSUPPORTED, .want_src = HOST_UNTYPED,
	},
	{
		.name = "tcp app bound first wins",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS, .bind_first = NP_ADDR,
		.want_src = NP_ADDR,
	},
	{
		.name = "tcp rfc5014 flags, no bind: 5.4",
		.type = SOCK_STREAM,
		.sc = SESSION_LASTING_IPV6_ADDRESS,
		.prefs = 0x0002 /* PUBLIC */,
		.want_src = HOST_UNTYPED,
	},
	{
		.name = "tcp rfc5014 flags and bind: 5.4",
		.type = SOCK_STREAM,
		.sc = SESSION_LASTING_IPV6_ADDRESS,
		.prefs = 0x0002 /* PUBLIC */,
		.bind_setsc = true,
		.want_src = SL_ADDR,
	},
	{
		.name = "tcp on_net: needs the network",
		.type = SOCK_STREAM,
		.sc = SESSION_LASTING_IPV6_ADDRESS,
		.prefs = IPV6_REQUIRE_SRC_ON_NET,
		.want_sc = EAI_REQUIREDIPFAILED, .want_src = HOST_UNTYPED,
	},
	{
		.name = "tcp v4-mapped left alone",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS, .dst = DST_V4MAPPED,
		.want_src = "::ffff:" HOST_ADDR4,
	},
	{
		.name = "tcp link-local left alone",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS, .dst = DST_LINKLOCAL,
		.want_src = HOST_LL,
	},
	{
		.name = "tcp loopback left alone",
		.type = SOCK_STREAM, .sc = SESSION_LASTING_IPV6_ADDRESS, .dst = DST_LOOPBACK,
		.want_src = "::1",
	},
	{
		.name = "udp connected session-lasting",
		.type = SOCK_DGRAM, .sc = SESSION_LASTING_IPV6_ADDRESS,
		.want_src = SL_ADDR,
	},
	{
		.name = "udp connected fixed",
		.type = SOCK_DGRAM, .sc = FIXED_IPV6_ADDRESS,
		.want_src = FX_ADDR,
	},
	{
		.name = "udp sendto non-persistent",
		.type = SOCK_DGRAM, .sc = NON_PERSISTENT_IPV6_ADDRESS, .sendto = true,
		.want_src = NP_ADDR,
	},
	{
		.name = "udp sendto untyped",
		.type = SOCK_DGRAM, .sendto = true,
		.want_src = HOST_UNTYPED,
	},
	{
		.name = "udp sendto app bound first wins",
		.type = SOCK_DGRAM,
		.sc = NON_PERSISTENT_IPV6_ADDRESS,
		.bind_first = SL_ADDR,
		.sendto = true,
		.want_src = SL_ADDR,
	},
	{
		.name = "udp sendto rfc5014: 5.4",
		.type = SOCK_DGRAM,
		.sc = NON_PERSISTENT_IPV6_ADDRESS,
		.prefs = 0x0001 /* TMP */,
		.sendto = true,
		.want_src = HOST_UNTYPED,
	},
	{
		.name = "udp sendto v4-mapped left alone",
		.type = SOCK_DGRAM,
		.sc = NON_PERSISTENT_IPV6_ADDRESS,
		.dst = DST_V4MAPPED,
		.sendto = true,
		.want_src = "::ffff:" HOST_ADDR4,
	},
	{
		.name = "udp sendto link-local left alone",
		.type = SOCK_DGRAM,
		.sc = NON_PERSISTENT_IPV6_ADDRESS,
		.dst = DST_LINKLOCAL,
		.sendto = true,
		.want_src = HOST_LL,
	},
	{
		.name = "udp sendto loopback left alone",
		.type = SOCK_DGRAM,
		.sc = NON_PERSISTENT_IPV6_ADDRESS,
		.dst = DST_LOOPBACK,
		.sendto = true,
		.want_src = "::1",
	},
	{
		.name = "udp connected v4-mapped left alone",
		.type = SOCK_DGRAM, .sc = FIXED_IPV6_ADDRESS, .dst = DST_V4MAPPED,
		.want_src = "::ffff:" HOST_ADDR4,
	},
};

static const char *dst_addr(enum dst d)
{
	switch (d) {
	case DST_V4MAPPED: return "::ffff:" NET_ADDR4;
	case DST_LINKLOCAL: return NET_LL;
	case DST_LOOPBACK: return "::1";
	default: return NET_ADDR;
	}
}

static void run_sock_case(struct env *e, struct agent *a, struct peer *net, struct peer *lo,
			  const struct sock_case *c)
{
	struct peer *p = c->dst == DST_LOOPBACK ? lo : net;
	int port = c->dst == DST_LOOPBACK ? LO_PORT : PORT;
	const char *dev = c->dst == DST_LINKLOCAL ? e->host_ns : NULL;
	char seen[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN];
	struct in6_addr got = IN6ADDR_ANY_INIT;
	int id, rc;

	id = ag_socket(a, c->type);
	if (!ASSERT_TRUE(id >= 0, "socket"))
		return;
	if (c->prefs)
		ASSERT_EQ(ag_simple(a, AG_SETPREFS, id, (int)c->prefs, NULL), 0, "set prefs");
	if (c->bind_first)
		ASSERT_EQ(ag_addr_op(a, AG_BIND, id, c->bind_first, 0, NULL), 0, "bind first");
	if (c->sc) {
		rc = ag_setsc(a, id, c->sc, &got);
		ASSERT_EQ(rc, c->want_sc, "setsc() result");
		if (rc == 0 && c->want_src && strchr(c->want_src, ':') && !c->bind_first &&
		    c->dst == DST_NET && !c->prefs)
			ASSERT_STREQ(in6_str(&got, abuf), c->want_src, "setsc() address");
	}
	if (c->bind_setsc)
		ASSERT_EQ(ag_addr_op(a, AG_BIND, id, in6_str(&got, abuf), 0, NULL), 0,
			  "bind setsc address");
	rc = ag_addr_op(a, c->sendto ? AG_SENDTO : AG_CONNECT, id, dst_addr(c->dst), port, dev);
	ASSERT_EQ(rc, c->want_err, c->sendto ? "sendto" : "connect");
	if (c->type == SOCK_DGRAM && !c->sendto && rc == 0)
		rc = ag_simple(a, AG_SEND, id, 0, NULL);
	if (rc == 0 && c->want_src) {
		bool seen_ok = c->type == SOCK_STREAM ? peer_seen_tcp(p, seen, sizeof(seen))
						      : peer_seen_udp(p, seen, sizeof(seen));

		ASSERT_TRUE(seen_ok, "peer got nothing");
		ASSERT_STREQ(seen, c->want_src, "source the peer saw");
	}
	ag_simple(a, AG_CLOSE, id, 0, NULL);
}

static void test_sock_addr_table(void)
{
	struct peer net = { -1, -1 }, lo = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct env e;
	size_t i;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	if (!ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "net peer") ||
	    !ASSERT_TRUE(peer_open(&e, &lo, e.host_ns, "::", LO_PORT), "loopback peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	for (i = 0; i < sizeof(sock_cases) / sizeof(sock_cases[0]); i++) {
		SUBTEST(sock_cases[i].name);
		run_sock_case(&e, &a, &net, &lo, &sock_cases[i]);
	}
	test_subtest_end();
	printf("  %d socket cases, %d failed\n", test_subtests, test_subtests_failed);
	/* Every socket closed: no address is in use any more. */
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "SL sockets after close");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "NP sockets after close");
	ASSERT_EQ(env_sockets_on(&e, FX_ADDR), 0, "FX sockets after close");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	peer_close(&lo);
	env_teardown(&e);
}

/* =========================================================================
 * RFC 8653 section 4.2, step by step.
 * ========================================================================= */

static void test_message_flow_4_2(void)
{
	struct peer net = { -1, -1 };
	struct agent app1 = { .pid = -1 }, app2 = { .pid = -1 }, app3 = { .pid = -1 };
	struct agent app4 = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct env e;
	int s1, s2, s3, s4, s5;

	/* "The Network provides two IPv6 prefixes: PREFsl1 and PREFnp1."
	 * Fixed and Graceful-replacement are not offered. */
	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:1::/64 type session-lasting dev veth-h\n"
				      "prefix 2001:db8:2::/64 type non-persistent dev veth-h\n"
				      "prefix 2001:db8:4::/64 type non-persistent dev veth-h\n"),
			 "setup"))
		goto cleanup;
	if (!ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad && "
			     "ip -n %s addr add %s/64 dev veth-h nodad",
			     e.host_ns, SL_ADDR, e.host_ns, NP_ADDR), "attach: two prefixes") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer"))
		goto cleanup;

	/* App 1 asks for Non-persistent: IPnp1. */
	if (!ASSERT_TRUE(agent_start(&e, &app1, e.cgroup, 0), "app1"))
		goto cleanup;
	s1 = ag_socket(&app1, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&app1, s1, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "app1 setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "app1 gets IPnp1");
	ASSERT_EQ(ag_addr_op(&app1, AG_CONNECT, s1, NET_ADDR, PORT, NULL), 0, "app1 connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, NP_ADDR, "peer sees IPnp1 from app1");

	/* App 2 asks for Non-persistent: IPnp1 again. */
	if (!ASSERT_TRUE(agent_start(&e, &app2, e.cgroup, 0), "app2"))
		goto cleanup;
	s2 = ag_socket(&app2, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&app2, s2, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "app2 setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "app2 gets IPnp1 again");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 2, "two sockets share IPnp1");

	/* App 3 asks for Session-lasting: IPsl1; its TCP session stays up. */
	if (!ASSERT_TRUE(agent_start(&e, &app3, e.cgroup, 0), "app3"))
		goto cleanup;
	s3 = ag_socket(&app3, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&app3, s3, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "app3 setsc sl");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "app3 gets IPsl1");
	ASSERT_EQ(ag_addr_op(&app3, AG_BIND, s3, SL_ADDR, 0, NULL), 0, "app3 binds IPsl1");
	ASSERT_EQ(ag_addr_op(&app3, AG_CONNECT, s3, NET_ADDR, PORT, NULL), 0, "app3 connect");
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int c;

		ASSERT_TRUE(wait_readable(net.tcp), "app3 connection arrives");
		c = accept(net.tcp, (struct sockaddr *)&ss, &sl);
		ASSERT_STREQ(sa_addr_str(&ss, seen, sizeof(seen)), SL_ADDR, "peer sees IPsl1");

		/* The host moves: PREFnp1 goes away, PREFnp2 arrives. */
		FAULT();
		ASSERT_TRUE(sys("ip -n %s addr del %s/64 dev veth-h", e.host_ns, NP_ADDR),
			    "move: PREFnp1 no longer valid");
		ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, NP2_ADDR),
			    "move: network provides PREFnp2");
		ASSERT_TRUE(wait_select(&e, ODM_TYPE_NON_PERSISTENT, NP2_ADDR), "odmd follows");

		/* The applications that had IPnp1 re-establish and get IPnp2. */
		ag_simple(&app1, AG_CLOSE, s1, 0, NULL);
		s1 = ag_socket(&app1, SOCK_STREAM);
		ASSERT_EQ(ag_setsc(&app1, s1, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "app1 again");
		ASSERT_STREQ(in6_str(&addr, buf), NP2_ADDR, "app1 now gets IPnp2");
		ASSERT_EQ(ag_addr_op(&app1, AG_CONNECT, s1, NET_ADDR, PORT, NULL), 0, "app1 connect");
		peer_seen_tcp(&net, seen, sizeof(seen));
		ASSERT_STREQ(seen, NP2_ADDR, "peer sees IPnp2");
		ag_simple(&app2, AG_CLOSE, s2, 0, NULL);
		s2 = ag_socket(&app2, SOCK_DGRAM);
		ASSERT_EQ(ag_setsc(&app2, s2, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "app2 again");
		ASSERT_STREQ(in6_str(&addr, buf), NP2_ADDR, "app2 now gets IPnp2");
		ASSERT_EQ(ag_addr_op(&app2, AG_SENDTO, s2, NET_ADDR, PORT, NULL), 0, "app2 sendto");
		peer_seen_udp(&net, seen, sizeof(seen));
		ASSERT_STREQ(seen, NP2_ADDR, "peer sees IPnp2 over UDP");

		/* IPsl1 still works: the session carries data after the move. */
		ASSERT_EQ(ag_simple(&app3, AG_SEND, s3, 0, NULL), 0, "app3 sends after the move");
		if (c >= 0) {
			char data[64];

			ASSERT_TRUE(wait_readable(c), "data on the IPsl1 session");
			ASSERT_TRUE(recv(c, data, sizeof(data), 0) > 0, "peer reads the session");
			close(c);
		}
	}

	/* A new app asks for Graceful-replacement: not supported here. */
	if (!ASSERT_TRUE(agent_start(&e, &app4, e.cgroup, 0), "app4"))
		goto cleanup;
	s4 = ag_socket(&app4, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&app4, s4, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "graceful fails");
	ag_simple(&app4, AG_CLOSE, s4, 0, NULL);
	/* It re-attempts with a new socket, asking for Session-lasting: IPsl1. */
	s5 = ag_socket(&app4, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&app4, s5, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "retry sl");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "retry gets IPsl1");
	ASSERT_EQ(ag_addr_op(&app4, AG_CONNECT, s5, NET_ADDR, PORT, NULL), 0, "retry connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "peer sees IPsl1 from the retry");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 2, "IPsl1 serves two sockets");
cleanup:
	agent_stop(&app1);
	agent_stop(&app2);
	agent_stop(&app3);
	agent_stop(&app4);
	peer_close(&net);
	env_teardown(&e);
}

/* =========================================================================
 * Default type from policy (sections 3.4, 5.2): legacy apps, no code change.
 * ========================================================================= */

/* A legacy TCP client in the agent: connect, and return what the peer saw. */
static const char *legacy_connect_seen(struct agent *a, struct peer *net, char *seen, size_t len)
{
	int s = ag_socket(a, SOCK_STREAM);

	ASSERT_EQ(ag_addr_op(a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "legacy connect");
	peer_seen_tcp(net, seen, len);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return seen;
}

static void test_default_policy(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char seen[64], out[512];
	struct env e;
	int s;

	if (!ASSERT_TRUE(world(&e, "default non-persistent\n", true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;

	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "legacy connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, NP_ADDR, "legacy app gets the default type");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 1, "counted");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "released");

	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL), 0, "legacy sendto");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, NP_ADDR, "legacy datagram gets the default type");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* An explicit request beats the default. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, NULL), 0, "setsc fixed");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, FX_ADDR, "setsc wins over the default");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* The operator changes the default with the CLI: new sockets follow. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s default fixed", e.cgroup), 0,
		  "odm policy set");
	ASSERT_STREQ(legacy_connect_seen(&a, &net, seen, sizeof(seen)), FX_ADDR,
		     "new default applies");
	/* A default with no prefix of its type fails open to the kernel. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s default graceful", e.cgroup),
		  0, "odm policy set graceful");
	ASSERT_STREQ(legacy_connect_seen(&a, &net, seen, sizeof(seen)), HOST_UNTYPED,
		     "no prefix of the default: kernel selection");
	/* And "none" makes the cgroup legacy again. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s default none", e.cgroup), 0,
		  "odm policy set none");
	ASSERT_STREQ(legacy_connect_seen(&a, &net, seen, sizeof(seen)), HOST_UNTYPED,
		     "no default: kernel selection");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* Accepted sockets of a typed server keep the address the client reached. */
static void test_accepted_server(void)
{
	struct agent srv = { .pid = -1 };
	struct agent_resp rs;
	char buf[64];
	struct env e;
	int ls, cs = -1, id;

	if (!ASSERT_TRUE(world(&e, "default session-lasting\n", true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &srv, e.cgroup, 0), "server agent"))
		goto cleanup;
	ls = ag_socket(&srv, SOCK_STREAM);
	ASSERT_EQ(ag_addr_op(&srv, AG_LISTEN, ls, "::", PORT, NULL), 0, "listen on [::]");

	/* The client lives in the net namespace, outside odm's cgroup. */
	if (!ASSERT_TRUE(ns_enter(e.net_ns), "enter net"))
		goto cleanup;
	cs = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ns_restore(&e);
	{
		struct sockaddr_storage ss;
		socklen_t len = make_sa6(&ss, NP_ADDR, PORT, NULL, NULL);

		ASSERT_EQ(connect(cs, (struct sockaddr *)&ss, len), 0, "client connects to IPnp");
	}
	id = ag_simple(&srv, AG_ACCEPT, ls, 0, &rs) == 0 ? rs.ret : -1;
	ASSERT_TRUE(id >= 0, "accept");
	ASSERT_STREQ(sa_addr_str(&rs.local, buf, sizeof(buf)), NP_ADDR,
		     "accepted socket answers from the address the client reached");
	ASSERT_STREQ(sa_addr_str(&rs.peer, buf, sizeof(buf)), NET_ADDR, "client address");
	ASSERT_EQ(ag_simple(&srv, AG_SEND, id, 0, NULL), 0, "server replies");
	ASSERT_TRUE(wait_readable(cs) && recv(cs, buf, sizeof(buf), 0) > 0, "client gets reply");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "accepted sockets take no typed address");
	ag_simple(&srv, AG_CLOSE, id, 0, NULL);
cleanup:
	if (cs >= 0)
		close(cs);
	agent_stop(&srv);
	env_teardown(&e);
}

/* setsc() from an unprivileged process: no bpf(), no capability. */
static void test_unprivileged_app(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[64], seen[64];
	struct env e;
	int s;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent as nobody"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc as nobody");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "address");
	ASSERT_EQ(ag_addr_op(&a, AG_BIND, s, SL_ADDR, 0, NULL), 0, "bind");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "peer sees the session-lasting address");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* Section 5.1: a legacy host (no odm for the socket) answers NOTSUPPORTED. */
static void test_setsc_without_odm(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	struct env e;
	int s;

	/* Not loaded at all. */
	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") || !ASSERT_TRUE(add_base_addrs(&e), "addrs") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "no odm loaded");
	agent_stop(&a);

	/* Loaded, but for another cgroup. */
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, NULL, 0), "agent outside the cgroup"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "socket outside odm's cgroup");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Bad setsc() arguments: documented errors, nothing crashes. */
static void test_setsc_bad_args(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	struct env e;
	int s, s4, fd;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, 0, &addr), EAI_REQUIREDIPNOTSUPPORTED, "type 0 is reserved");
	ASSERT_EQ(ag_setsc(&a, s, 7, &addr), EAI_REQUIREDIPNOTSUPPORTED, "type 7 is reserved");
	ASSERT_EQ(ag_setsc(&a, s, 8, &addr), EAI_SYSTEM, "type 8 is not a 3-bit value");
	{
		struct agent_req rq = { .op = AG_SOCKET, .arg = SOCK_DGRAM, .family = AF_INET };
		struct agent_resp rs;

		s4 = agent_call(&a, &rq, &rs) ? rs.ret : -1;
	}
	ASSERT_EQ(ag_setsc(&a, s4, 2, &addr), EAI_SYSTEM, "AF_INET socket");
	ASSERT_EQ(ag_setsc(&a, 60, 2, &addr), EAI_SYSTEM, "closed fd");
	/* In-process checks of the same rules, outside any cgroup. */
	ASSERT_EQ(setsc(-1, &addr, 2), EAI_SYSTEM, "fd -1");
	ASSERT_EQ(errno, EBADF, "fd -1 errno");
	fd = open("/dev/null", O_RDONLY);
	ASSERT_EQ(setsc(fd, &addr, 2), EAI_SYSTEM, "not a socket");
	ASSERT_EQ(errno, ENOTSOCK, "not a socket errno");
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(setsc(fd, &addr, 2), EAI_SYSTEM, "AF_UNIX");
	ASSERT_EQ(errno, EAFNOSUPPORT, "AF_UNIX errno");
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ASSERT_EQ(setsc(fd, NULL, 2), EAI_SYSTEM, "NULL address");
	ASSERT_EQ(errno, EINVAL, "NULL address errno");
	close(fd);
	ASSERT_STREQ(setsc_strerror(EAI_REQUIREDIPNOTSUPPORTED),
		     "Required source address type not supported", "strerror");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Addresses come and go: odmd follows RTM_NEWADDR/RTM_DELADDR. */
static void test_address_sync(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[64];
	struct env e;
	int s;

	if (!ASSERT_TRUE(world(&e, NULL, false), "world without addresses") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "typed prefix without a host address");

	/* A new address in a typed prefix becomes usable. */
	ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, SL_ADDR), "add");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, SL_ADDR), "odmd picks it up");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "now it works");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "address");

	/* It disappears between setsc() and connect(): an explicit request
	 * fails rather than silently using another type. */
	FAULT();
	ASSERT_TRUE(sys("ip -n %s addr del %s/64 dev veth-h", e.host_ns, SL_ADDR), "del");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, NULL), "odmd drops it");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), EADDRNOTAVAIL,
		  "connect with no address of the type");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "never handed out again");
	/* An address in an untyped prefix is never handed out. */
	ASSERT_TRUE(sys("ip -n %s addr add 2001:db8:99::1/64 dev veth-h nodad", e.host_ns), "add");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "untyped prefix");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Killing odmd leaves the programs attached and working; a restart adopts
 * the pinned maps. */
static void test_odmd_killed(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[64], seen[64];
	struct env e;
	int s, held;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	held = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, held, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc before kill");
	FAULT();
	env_stop_odmd(&e, true);

	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc after SIGKILL");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, NP_ADDR, "programs still bind after odmd died");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts on its pins");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 1, "socket state survived the restart");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, held, NET_ADDR, PORT, NULL), 0, "held socket connects");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "held socket keeps its type across the restart");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* A bad config is refused with file:line, and changes nothing loaded. */
static void test_bad_config(void)
{
	char out[4096], before[4096], after[4096], path[160];
	struct env e;
	FILE *f;
	int st;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, before, sizeof(before), "-j prefix list"), 0, "list before");
	snprintf(path, sizeof(path), "%s.bad", e.config);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f != NULL, "write bad config"))
		goto cleanup;
	fputs("prefix 2001:db8:9::/64 type fixed\nprefix 2001:db8:1::/64 type sesion-lasting\n", f);
	fclose(f);
	st = sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --once --cgroup %s "
			"--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, path, e.pin_dir);
	ASSERT_EQ(st, 1, "odmd exits 1");
	ASSERT_HAS(out, ":2: unknown type 'sesion-lasting'", "names file, line and problem");
	ASSERT_EQ(env_odm(&e, after, sizeof(after), "-j prefix list"), 0, "list after");
	ASSERT_STREQ(after, before, "nothing already loaded changed");

	st = sys_status(out, sizeof(out), "build/odmd --once --cgroup %s --config /nonexistent.conf "
			"--pin-dir %s 2>&1", e.cgroup, e.pin_dir);
	ASSERT_EQ(st, 1, "missing config");
	ASSERT_HAS(out, "/nonexistent.conf", "names the file");
	st = sys_status(out, sizeof(out), "build/odmd --cgroup /no/such/cgroup 2>&1");
	ASSERT_EQ(st, 1, "missing cgroup");
	ASSERT_HAS(out, "/no/such/cgroup", "names the cgroup");
	st = sys_status(out, sizeof(out), "build/odmd --bogus 2>&1");
	ASSERT_EQ(st, 2, "usage error");
	unlink(path);
cleanup:
	env_teardown(&e);
}

/* Maps carry BTF; pins are not world-writable; unload removes every pin. */
static void test_pins_and_btf(void)
{
	static const char *const pins[] = {
		"odm_sk", "odm_prefixes", "odm_select", "odm_addr_use", "odm_policy",
		"odm_stats", "odm_info", "odm_tx", "link_sock_create", "link_sock_release",
		"link_connect6", "link_sendmsg6", "link_setsockopt", "link_getsockopt",
		"link_egress",
	};
	char out[16384], path[256];
	struct stat st;
	struct env e;
	size_t i;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(sys_status(out, sizeof(out), "bpftool map dump pinned %s/odm_prefixes", e.pin_dir),
		  0, "bpftool map dump");
	ASSERT_HAS(out, "\"prefixlen\": 64", "named key fields");
	ASSERT_HAS(out, "\"type\": 2", "named value fields");
	ASSERT_HAS(out, "\"state\": 1", "state field");
	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e.pin_dir, pins[i]);
		if (ASSERT_EQ(stat(path, &st), 0, pins[i]))
			ASSERT_EQ(st.st_mode & 0022, 0, "not group/world-writable");
	}
	/* Reload is idempotent: same pins, programs swapped in place. */
	ASSERT_EQ(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --once --cgroup %s "
			     "--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, e.config,
			     e.pin_dir), 0, "second odmd --once");
	ASSERT_EQ(sys_status(out, sizeof(out), "bpftool cgroup show %s | grep -c odm_", e.cgroup),
		  0, "bpftool cgroup show");
	ASSERT_HAS(out, "7", "seven programs attached, not fourteen");
	env_stop_odmd(&e, false);
	ASSERT_TRUE(sys("build/odmd --unload --pin-dir %s", e.pin_dir), "unload");
	ASSERT_TRUE(stat(e.pin_dir, &st) != 0, "pin directory gone");
	sys_status(out, sizeof(out), "bpftool cgroup show %s | grep -c odm_", e.cgroup);
	ASSERT_HAS(out, "0", "nothing attached after unload");
cleanup:
	env_teardown(&e);
}

/* Options odm does not own pass through, also past a page; ON_NET is
 * taken out before the kernel sees IPV6_ADDR_PREFERENCES. */
static void test_sockopt_passthrough(void)
{
	struct agent in = { .pid = -1 }, out = { .pid = -1 };
	struct agent_resp r_in, r_out;
	struct env e;
	int s_in, s_out;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &in, e.cgroup, 0), "agent in cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &out, NULL, 0), "agent outside"))
		goto cleanup;
	s_in = ag_socket(&in, SOCK_STREAM);
	s_out = ag_socket(&out, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&in, AG_BIGOPT, s_in, 0, &r_in), 0, "3-page options inside odm");
	ASSERT_EQ(ag_simple(&out, AG_BIGOPT, s_out, 0, &r_out), 0, "3-page options outside");
	ASSERT_EQ(r_in.arg, r_out.arg, "SO_RCVBUF set through a 3-page buffer");
	ASSERT_EQ(r_in.local.ss_family, r_out.local.ss_family, "TCP_INFO length");

	/* Without odm the kernel drops the unknown bit; with odm it is kept
	 * aside and reported, and the RFC 5014 bits reach the kernel. */
	ASSERT_EQ(ag_simple(&out, AG_SETPREFS, s_out, IPV6_REQUIRE_SRC_ON_NET | 0x2, NULL), 0,
		  "set outside");
	ASSERT_EQ(ag_simple(&out, AG_GETPREFS, s_out, 0, &r_out), 0, "get outside");
	ASSERT_EQ(r_out.arg & IPV6_REQUIRE_SRC_ON_NET, 0, "kernel alone drops ON_NET");
	ASSERT_EQ(r_out.arg & 0x2, 0x2, "kernel keeps PUBLIC");
	ASSERT_EQ(ag_simple(&in, AG_SETPREFS, s_in, IPV6_REQUIRE_SRC_ON_NET | 0x2, NULL), 0,
		  "set inside");
	ASSERT_EQ(ag_simple(&in, AG_GETPREFS, s_in, 0, &r_in), 0, "get inside");
	ASSERT_EQ(r_in.arg, r_out.arg | IPV6_REQUIRE_SRC_ON_NET,
		  "odm reports ON_NET back, the kernel has the same RFC 5014 bits");
	ASSERT_EQ(ag_simple(&in, AG_SETPREFS, s_in, 0x3, NULL), EINVAL,
		  "TMP|PUBLIC still rejected by the kernel");
	ASSERT_EQ(ag_simple(&in, AG_SETPREFS, s_in, 0, NULL), 0, "clear");
	ASSERT_EQ(ag_simple(&in, AG_GETPREFS, s_in, 0, &r_in), 0, "get cleared");
	ASSERT_EQ(r_in.arg & IPV6_REQUIRE_SRC_ON_NET, 0, "ON_NET cleared");

	/* IPV6_ADDR_PREFERENCES past a page: BPF sees a truncated copy and
	 * must hand the kernel the original (6.1 failed it with EFAULT). */
	ASSERT_EQ(ag_simple(&out, AG_SETPREFS_BIG, s_out, IPV6_REQUIRE_SRC_ON_NET | 0x2, NULL), 0,
		  "3-page set outside");
	ASSERT_EQ(ag_simple(&in, AG_SETPREFS_BIG, s_in, IPV6_REQUIRE_SRC_ON_NET | 0x2, NULL), 0,
		  "3-page set inside");
	ASSERT_EQ(ag_simple(&in, AG_GETPREFS, s_in, 0, &r_in), 0, "get after 3-page set");
	ASSERT_EQ(r_in.arg, r_out.arg | IPV6_REQUIRE_SRC_ON_NET,
		  "3-page set: ON_NET remembered, the kernel has PUBLIC");
	ASSERT_EQ(ag_simple(&in, AG_SETPREFS_BIG, s_in, 0x3, NULL), EINVAL,
		  "3-page TMP|PUBLIC rejected by the kernel");
cleanup:
	agent_stop(&in);
	agent_stop(&out);
	env_teardown(&e);
}

/* Many sockets opened and closed: use counts come back to exactly zero. */
static void test_use_counts(void)
{
	enum { N = 200 };
	struct agent a = { .pid = -1 };
	struct env e;
	int ids[N], i, ok = 0;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	for (i = 0; i < N; i++) {
		ids[i] = ag_socket(&a, i % 2 ? SOCK_DGRAM : SOCK_STREAM);
		if (ids[i] < 0)
			break;
		ok += ag_setsc(&a, ids[i], (i % 3) + 1, NULL) == 0;
		if (i % 2 == 0)		/* re-typing moves the count */
			ag_setsc(&a, ids[i], 2, NULL);
		if (i >= 60 - 1) {
			/* the agent holds at most 64 sockets: close as we go */
			ag_simple(&a, AG_CLOSE, ids[i - 59], 0, NULL);
		}
	}
	ASSERT_EQ(ok, N, "every setsc() succeeded");
	for (i = N - 59; i < N; i++)
		ag_simple(&a, AG_CLOSE, ids[i], 0, NULL);
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "SL back to zero");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "NP back to zero");
	ASSERT_EQ(env_sockets_on(&e, FX_ADDR), 0, "FX back to zero");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* =========================================================================
 * On demand (RFC 8653 sections 3.4, 6.1, 6.2): no prefix of the type is
 * configured, so setsc() makes odmd ask the network, a real Kea DHCPv6
 * server that delegates prefixes per type from class-restricted pools.
 * ========================================================================= */

/* Session-lasting and Non-persistent pools, a Fixed pool of two /64s,
 * no Graceful-replacement pool. */
static const char *const kea_pools[] = {
	"2 2001:db8:5100::/40",
	"1 2001:db8:a100::/40",
	"3 2001:db8:f000::/63",
	NULL,
};

/* Inside the pool 2001:db8:XX00::/40, i.e. the first five bytes. */
/*
 * A host with nothing configured: every type comes from the network.  odmd
 * runs DHCPv6 on veth-h; Kea (with kea_pools) only when with_kea.
 */
/* Nothing configured, Kea with pools (NULL: no Kea), odmd with --dhcp6 and extra. */
static bool on_demand_world_with(struct env *e, const char *const *pools, const char *extra)
{
	if (!env_setup(e, "# nothing configured: everything on demand\n"))
		return false;
	snprintf(e->odmd_args, sizeof(e->odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases %s", e->tmpdir, extra);
	return (!pools || env_start_kea(e, pools)) && env_start_odmd(e);
}

static bool on_demand_world(struct env *e, bool with_kea)
{
	return on_demand_world_with(e, with_kea ? kea_pools : NULL, "");
}

static bool in_pool(const struct in6_addr *a, unsigned int xx)
{
	static const unsigned char db8[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	return !memcmp(a->s6_addr, db8, 4) && a->s6_addr[4] == xx;
}

static int prefixes_of(struct env *e, const char *type)
{
	char out[8192];
	int n = 0;
	const char *p = out;

	if (env_odm(e, out, sizeof(out), "-j prefix list type %s", type))
		return -1;
	while ((p = strstr(p, "\"source\":\"dhcpv6\""))) {
		n++;
		p++;
	}
	return n;
}

static void test_on_demand_dhcpv6(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 }, other = { .pid = -1 };
	struct in6_addr sl1, sl2, np, addr;
	char buf[INET6_ADDRSTRLEN], buf2[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct agent_resp rs;
	struct env e;
	int s, t, i;

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* Session-lasting is not configured: setsc() blocks while odmd gets
	 * a prefix from Kea's session-lasting pool, then the peer sees it. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &sl1), 0, "setsc sl on demand");
	ASSERT_TRUE(in_pool(&sl1, 0x51), "address from the session-lasting pool");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&sl1, buf), "peer sees the delegated address");
	ASSERT_EQ(env_kea_leases(&e), 1, "Kea delegated one prefix");
	ASSERT_EQ(prefixes_of(&e, "session-lasting"), 1, "odm lists it, source dhcpv6");

	/* Now it is configured: the next request is served locally. */
	t = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, t, SESSION_LASTING_IPV6_ADDRESS, &sl2), 0, "setsc sl again");
	ASSERT_STREQ(in6_str(&sl2, buf2), in6_str(&sl1, buf), "same address, no new exchange");
	ASSERT_EQ(env_kea_leases(&e), 1, "still one lease");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);

	/* Section 6.2: with ON_NET a fresh prefix, even though one exists. */
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "set ON_NET");
	ASSERT_EQ(ag_setsc(&a, t, SESSION_LASTING_IPV6_ADDRESS, &sl2), 0, "setsc sl on-net");
	ASSERT_TRUE(in_pool(&sl2, 0x51), "fresh address from the pool");
	ASSERT_TRUE(memcmp(&sl1, &sl2, 8) != 0, "in a new prefix");
	ASSERT_EQ(env_kea_leases(&e), 2, "Kea delegated a second prefix");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, t, NET_ADDR, PORT, NULL), 0, "connect on-net socket");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&sl2, buf), "peer sees the fresh address");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);

	/* Kea has no Graceful-replacement pool: NoPrefixAvail -> not supported. */
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, t, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "graceful not offered by the network");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);
	/* The Fixed pool holds two prefixes: once both are granted, a third
	 * (ON_NET) request is offered but cannot be granted now. */
	for (i = 0; i < 3; i++) {
		t = ag_socket(&a, SOCK_STREAM);
		if (i)
			ag_simple(&a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL);
		ASSERT_EQ(ag_setsc(&a, t, FIXED_IPV6_ADDRESS, &addr),
			  i < 2 ? 0 : EAI_REQUIREDIPFAILED,
			  i < 2 ? "fixed granted from the small pool" : "fixed pool exhausted");
		ag_simple(&a, AG_CLOSE, t, 0, NULL);
	}
	ASSERT_EQ(env_kea_leases(&e), 4, "two session-lasting and two fixed leases");

	/* Twenty concurrent non-blocking requests for a missing type: one
	 * network exchange, one prefix, everyone gets its address. */
	if (ASSERT_TRUE(agent_start(&e, &other, e.cgroup, 0), "second agent")) {
		struct agent_req rq = { .op = AG_SETSC_MANY, .id = NON_PERSISTENT_IPV6_ADDRESS,
					.arg = 20 };

		ASSERT_TRUE(agent_call(&other, &rq, &rs), "setsc_start x20");
		ASSERT_EQ(rs.ret, 20, "all twenty succeeded");
		ASSERT_EQ(rs.arg, 1, "one address for all");
		np = rs.addr;
		ASSERT_TRUE(in_pool(&np, 0xa1), "from the non-persistent pool");
		ASSERT_EQ(prefixes_of(&e, "non-persistent"), 1, "one prefix delegated");
		ASSERT_EQ(env_kea_leases(&e), 5, "five leases in all");
	}

	/* odm request by hand, as an operator. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j request non-persistent"), 0, "odm request");
	ASSERT_HAS(out, "\"result\":\"ok\"", "odm request answers ok");
	ASSERT_HAS(out, in6_str(&np, buf), "with the configured address");

	/* odmd restarts: its leases come back from the lease file, the
	 * prefixes stay, nothing is asked from the network again. */
	env_stop_odmd(&e, false);
	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts");
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np after restart");
	ASSERT_STREQ(in6_str(&addr, buf), in6_str(&np, buf2), "same delegated address");
	ASSERT_EQ(env_kea_leases(&e), 5, "no new lease after the restart");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);

	/* The network goes silent: a request that needs it fails in bounded time. */
	FAULT();
	env_stop_kea(&e);
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "set ON_NET");
	{
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_EQ(ag_setsc(&a, t, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
			  "no answer from the network");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ASSERT_TRUE(t1.tv_sec - t0.tv_sec <= 11, "within setsc()'s documented bound");
	}
	/* The session opened first still works. */
	ASSERT_EQ(ag_simple(&a, AG_SEND, s, 0, NULL), 0, "first session still sends");
cleanup:
	agent_stop(&a);
	agent_stop(&other);
	peer_close(&net);
	env_teardown(&e);
}

/* =========================================================================
 * Hand-off (RFC 8653 sections 3.2, 4.2) on a routed topology:
 *
 *   host ==h1== ar1 --\
 *        ==h2== ar2 ---+-- anchor -- server (2001:db8:ffff::1)
 *
 * The anchor keeps the session-lasting prefix routed to whichever access
 * router serves the host; each access router has its own non-persistent
 * prefix.  The move: h1 goes down, PREFnp1 goes away, h2 comes up with
 * PREFnp2, the anchor reroutes PREFsl1.
 * ========================================================================= */

struct handoff {
	char ns[4][ENV_NAME_MAX + 8];	/* ar1, ar2, anchor, server */
};

#define HO_SL	"2001:db8:51::10"
#define HO_NP1	"2001:db8:a1::10"
#define HO_NP2	"2001:db8:a2::10"

static bool handoff_setup(struct env *e, struct handoff *h)
{
	static const char *const names[4] = { "ar1", "ar2", "anc", "srv" };
	const char *H = e->host_ns, *A1 = h->ns[0], *A2 = h->ns[1], *X = h->ns[2], *S = h->ns[3];
	int i;

	/* This world reaches the server through the access routers only. */
	if (!sys("ip -n %s link del veth-h", H))
		return false;
	for (i = 0; i < 4; i++) {
		snprintf(h->ns[i], sizeof(h->ns[i]), "%s-%s", e->host_ns, names[i]);
		if (!sys("ip netns add %s && ip -n %s link set lo up && "
			 "ip netns exec %s sysctl -qw net.ipv6.conf.all.forwarding=1",
			 h->ns[i], h->ns[i], h->ns[i]))
			return false;
	}
	return sys("ip -n %s link add h1 type veth peer name lan netns %s", H, A1) &&
	       sys("ip -n %s link add h2 type veth peer name lan netns %s", H, A2) &&
	       sys("ip -n %s link add wan type veth peer name x1 netns %s", A1, X) &&
	       sys("ip -n %s link add wan type veth peer name x2 netns %s", A2, X) &&
	       sys("ip -n %s link add xs type veth peer name s netns %s", X, S) &&
	       /* link-locals we can route through */
	       sys("ip -n %s addr add fe80::1/64 dev h1 nodad && ip -n %s addr add fe80::1/64 dev h2 nodad"
		   " && ip -n %s addr add fe80::2/64 dev lan nodad && ip -n %s addr add fe80::2/64 dev lan nodad"
		   " && ip -n %s addr add fe80::3/64 dev wan nodad && ip -n %s addr add fe80::3/64 dev wan nodad"
		   " && ip -n %s addr add fe80::4/64 dev x1 nodad && ip -n %s addr add fe80::4/64 dev x2 nodad"
		   " && ip -n %s addr add fe80::4/64 dev xs nodad && ip -n %s addr add fe80::5/64 dev s nodad",
		   H, H, A1, A2, A1, A2, X, X, X, S) &&
	       sys("ip -n %s link set lan up && ip -n %s link set wan up && ip -n %s link set lan up"
		   " && ip -n %s link set wan up && ip -n %s link set x1 up && ip -n %s link set x2 up"
		   " && ip -n %s link set xs up && ip -n %s link set s up && ip -n %s link set h1 up",
		   A1, A1, A2, A2, X, X, X, S, H) &&
	       sys("ip -n %s addr add %s/64 dev s nodad && ip -n %s -6 route add default via fe80::4 dev s",
		   S, NET_ADDR, S) &&
	       /* the anchor: server side, and each AR's own prefix */
	       sys("ip -n %s -6 route add 2001:db8:a1::/64 via fe80::3 dev x1"
		   " && ip -n %s -6 route add 2001:db8:a2::/64 via fe80::3 dev x2"
		   " && ip -n %s -6 route add 2001:db8:51::/64 via fe80::3 dev x1"
		   " && ip -n %s -6 route add 2001:db8:ffff::/64 dev xs", X, X, X, X) &&
	       /* access routers: default up to the anchor, host prefixes down */
	       sys("ip -n %s -6 route add default via fe80::4 dev wan"
		   " && ip -n %s -6 route add 2001:db8:a1::/64 via fe80::1 dev lan"
		   " && ip -n %s -6 route add 2001:db8:51::/64 via fe80::1 dev lan", A1, A1, A1) &&
	       sys("ip -n %s -6 route add default via fe80::4 dev wan"
		   " && ip -n %s -6 route add 2001:db8:a2::/64 via fe80::1 dev lan"
		   " && ip -n %s -6 route add 2001:db8:51::/64 via fe80::1 dev lan", A2, A2, A2) &&
	       /* the host: attached to ar1; the session-lasting address stays on lo */
	       sys("ip -n %s addr add %s/128 dev lo nodad && ip -n %s addr add %s/64 dev h1 nodad"
		   " && ip -n %s -6 route add default via fe80::2 dev h1",
		   H, HO_SL, H, HO_NP1, H);
}

static bool handoff_move(struct env *e, struct handoff *h)
{
	const char *H = e->host_ns;

	FAULT();
	return sys("ip -n %s link set h1 down && ip -n %s addr flush dev h1 scope global", H, H) &&
	       sys("ip -n %s link set h2 up && ip -n %s addr add %s/64 dev h2 nodad"
		   " && ip -n %s -6 route replace default via fe80::2 dev h2", H, H, HO_NP2, H) &&
	       sys("ip -n %s -6 route replace 2001:db8:51::/64 via fe80::3 dev x2", h->ns[2]);
}

static void handoff_teardown(struct handoff *h)
{
	int i;

	for (i = 0; i < 4; i++)
		if (h->ns[i][0])
			sys("ip netns del %s 2>/dev/null; true", h->ns[i]);
}

/* Reads what arrived on c until quiet; bytes read. */
static long drain(int c)
{
	char buf[4096];
	long total = 0;
	ssize_t n;

	while (wait_readable(c) && (n = recv(c, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	return total;
}

static void test_handoff(void)
{
	struct handoff h = { 0 };
	struct agent a = { .pid = -1 };
	struct peer srv = { -1, -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct env e;
	int sess, s, c = -1, i;
	long before, after;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:51::/64 type session-lasting\n"
				      "prefix 2001:db8:a1::/64 type non-persistent dev h1\n"
				      "prefix 2001:db8:a2::/64 type non-persistent dev h2\n"), "setup") ||
	    !ASSERT_TRUE(handoff_setup(&e, &h), "topology") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &srv, h.ns[3], "::", PORT), "server") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;

	/* A long session on a Session-lasting address, through ar1. */
	sess = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, sess, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl");
	ASSERT_STREQ(in6_str(&addr, buf), HO_SL, "IPsl1");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, sess, NET_ADDR, PORT, NULL), 0, "connect via ar1");
	if (!ASSERT_TRUE(wait_readable(srv.tcp), "session arrives"))
		goto cleanup;
	c = accept(srv.tcp, (struct sockaddr *)&ss, &sl);
	ASSERT_STREQ(sa_addr_str(&ss, seen, sizeof(seen)), HO_SL, "server sees IPsl1");
	for (i = 0; i < 5; i++)
		ag_simple(&a, AG_SEND, sess, 0, NULL);
	before = drain(c);
	ASSERT_TRUE(before > 0, "bytes before the move");

	/* Two Non-persistent sockets share ar1's prefix (4.2: IPnp1 again). */
	s = ag_socket(&a, SOCK_STREAM);
	i = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np before");
	ASSERT_STREQ(in6_str(&addr, buf), HO_NP1, "IPnp1 from ar1");
	ASSERT_EQ(ag_setsc(&a, i, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "second np socket");
	ASSERT_STREQ(in6_str(&addr, buf), HO_NP1, "IPnp1 again");
	ASSERT_EQ(env_sockets_on(&e, HO_NP1), 2, "two sockets on IPnp1");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ag_simple(&a, AG_CLOSE, i, 0, NULL);

	/* Move. */
	ASSERT_TRUE(handoff_move(&e, &h), "move to ar2");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_NON_PERSISTENT, HO_NP2), "odmd follows the move");

	/* The session keeps flowing: no reset, bytes keep arriving. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(ag_simple(&a, AG_SEND, sess, 0, NULL), 0, "send after the move");
	after = drain(c);
	ASSERT_TRUE(after > 0, "bytes after the move, over ar2");
	/* ... and back: the anchor now routes IPsl1 through ar2. */
	ASSERT_EQ(send(c, "pong", 4, MSG_NOSIGNAL), 4, "server answers");
	ASSERT_EQ(ag_simple(&a, AG_RECV, sess, 0, NULL), 0, "host receives over the new path");

	/* PREFnp1 is no longer handed out; a new request gets ar2's prefix,
	 * and the server sees it arrive over the new path. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np after");
	ASSERT_STREQ(in6_str(&addr, buf), HO_NP2, "IPnp2 from ar2");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect via ar2");
	peer_seen_tcp(&srv, seen, sizeof(seen));
	ASSERT_STREQ(seen, HO_NP2, "server sees IPnp2");
	/* Graceful-replacement is not offered; the retry with Session-lasting
	 * gets IPsl1, which still works after the move (the end of 4.2). */
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "graceful not offered");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "retry sl");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect sl via ar2");
	peer_seen_tcp(&srv, seen, sizeof(seen));
	ASSERT_STREQ(seen, HO_SL, "server sees IPsl1 after the move");
cleanup:
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&srv);
	handoff_teardown(&h);
	env_teardown(&e);
}

/* =========================================================================
 * Graceful replacement (RFC 8653 section 3.2): the network replaces a
 * Graceful-replacement prefix; both stay valid for the grace period, new
 * sockets get the new address, old sessions keep working until the period
 * ends, and the application is told.
 * ========================================================================= */

#define GR1_ADDR "2001:db8:61::10"
#define GR2_ADDR "2001:db8:62::10"

static void test_graceful_replacement(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct env e;
	int w, old, s, c = -1, c2 = -1, i;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:61::/64 type graceful-replacement\n"
				      "prefix 2001:db8:62::/64 type graceful-replacement\n"), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args),
		 "--grace 3 --lifetime graceful-replacement:0:1500");
	if (!ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR1_ADDR), "GR1") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	w = ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	ASSERT_TRUE(w >= 0, "setsc_watch_open() as an unprivileged app");
	old = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, old, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr");
	ASSERT_STREQ(in6_str(&addr, buf), GR1_ADDR, "the first graceful address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, old, NET_ADDR, PORT, NULL), 0, "session on GR1");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "session arrives"))
		goto cleanup;
	c = accept(net.tcp, (struct sockaddr *)&ss, &sl);
	ASSERT_STREQ(sa_addr_str(&ss, seen, sizeof(seen)), GR1_ADDR, "peer sees GR1");

	/* The network provides the replacement prefix. */
	ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR2_ADDR), "GR2");
	ASSERT_EQ(ag_simple(&a, AG_WATCH_READ, w, 0, &rs), 0, "the app is told");
	ASSERT_STREQ(in6_str(&rs.addr, buf), GR1_ADDR, "old address");
	ASSERT_STREQ(sa_addr_str(&rs.local, seen, sizeof(seen)), GR2_ADDR, "new address");
	ASSERT_EQ(rs.arg, 3, "grace period");

	/* New sockets get the new address ... */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr again");
	ASSERT_STREQ(in6_str(&addr, buf), GR2_ADDR, "new sockets get GR2");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, GR2_ADDR, "peer sees GR2");
	/* ... while the old session still works both ways during the grace. */
	ASSERT_EQ(ag_simple(&a, AG_SEND, old, 0, NULL), 0, "old session sends");
	ASSERT_TRUE(drain(c) > 0, "peer receives on the old session");
	ASSERT_EQ(send(c, "pong", 4, MSG_NOSIGNAL), 4, "peer answers");
	ASSERT_EQ(ag_simple(&a, AG_RECV, old, 0, NULL), 0, "old session receives");

	/* When the period ends the kernel removes GR1 and odm forgets it. */
	for (i = 0; i < 60; i++) {
		if (sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c %s",
			       e.host_ns, GR1_ADDR) != 0)
			break;		/* grep found nothing */
		usleep(100000);
	}
	ASSERT_TRUE(i < 60, "GR1 removed after the grace period");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list type graceful"), 0, "list");
	ASSERT_HAS(out, "\"address\":null", "odm no longer has GR1");

	/* GR2's address reaches its lifetime in bytes: it is renewed inside
	 * its prefix, and the app is told the same way. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr2");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "session on GR2");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "GR2 session arrives"))
		goto cleanup;
	c2 = accept(net.tcp, NULL, NULL);
	for (i = 0; i < 120; i++)
		ag_simple(&a, AG_SEND, s, 0, NULL);
	ASSERT_EQ(ag_simple(&a, AG_WATCH_READ, w, 0, &rs), 0, "told of the renewal");
	ASSERT_STREQ(in6_str(&rs.addr, buf), GR2_ADDR, "old: GR2");
	ASSERT_HAS(sa_addr_str(&rs.local, seen, sizeof(seen)), "2001:db8:62:", "new: in GR2's prefix");
cleanup:
	if (c >= 0)
		close(c);
	if (c2 >= 0)
		close(c2);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* =========================================================================
 * Router advertisements: the §4.2 "network provides two prefixes upon
 * attachment" with a real radvd and SLAAC, and types marked by the router
 * in the PIO's SrvTp bits (draft-feng-dmm-ra-prefixtype-00, odmd --ra).
 * ========================================================================= */

#define RA_SL_PREFIX	"2001:db8:51::/64"
#define RA_NP_PREFIX	"2001:db8:a1::/64"

/* Fast SLAAC on veth-h: no DAD delay, RAs accepted whatever forwarding says. */
static bool host_slaac_on(struct env *e)
{
	return sys("nsenter --net=/run/netns/%s sysctl -qw net.ipv6.conf.veth-h.dad_transmits=0 "
		   "net.ipv6.conf.veth-h.accept_ra=2 net.ipv6.conf.veth-h.autoconf=1", e->host_ns);
}

/* The usable address the kernel has in prefix on veth-h, into buf; 10 s at most. */
static bool host_addr_in(struct env *e, const char *prefix, char *buf, size_t len)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 100; i++) {
		if (sys_out(buf, len, "ip -n %s -6 -o addr show dev veth-h to %s -tentative "
			    "-deprecated | awk '{ sub(\"/.*\", \"\", $4); print $4; exit }'",
			    e->host_ns, prefix) && buf[0])
			return true;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  no usable address in %s on veth-h\n", prefix);
	return false;
}

/* "TYPE SOURCE STATE" of a prefix as `odm -j prefix list` shows it, "" if absent. */
static const char *prefix_row(struct env *e, const char *prefix, char *out, size_t len)
{
	char *nl;

	env_odm(e, out, len, "-j prefix list | jq -r '.[] | select(.prefix == \"%s\") | "
		"\"\\(.type) \\(.source) \\(.state)\"'", prefix);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return out;
}

/* setsc() of type on a new socket, connect or sendto the peer: what the peer saw. */
static int setsc_seen(struct agent *a, struct peer *net, int sock_type, int type,
		      struct in6_addr *addr, char *seen, size_t len)
{
	int s = ag_socket(a, sock_type), rc;

	snprintf(seen, len, "(nothing)");
	rc = ag_setsc(a, s, type, addr);
	if (!rc && sock_type == SOCK_STREAM &&
	    !ag_addr_op(a, AG_CONNECT, s, NET_ADDR, PORT, NULL))
		peer_seen_tcp(net, seen, len);
	else if (!rc && sock_type == SOCK_DGRAM &&
		 !ag_addr_op(a, AG_SENDTO, s, NET_ADDR, PORT, NULL))
		peer_seen_udp(net, seen, len);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return rc;
}

static void test_ra_radvd(void)
{
	static const char *const prefixes[] = { RA_SL_PREFIX, RA_NP_PREFIX, NULL };
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char sl[INET6_ADDRSTRLEN], np[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], seen[64];
	char row[256];
	struct in6_addr addr;
	struct env e;

	/* The operator knows the types; the network only hands out prefixes. */
	if (!ASSERT_TRUE(env_setup(&e, "prefix " RA_SL_PREFIX " type session-lasting dev veth-h\n"
				      "prefix " RA_NP_PREFIX " type non-persistent dev veth-h\n"),
			 "setup"))
		goto cleanup;
	if (!ASSERT_TRUE(host_slaac_on(&e), "host sysctls") ||
	    !ASSERT_TRUE(env_start_radvd(&e, prefixes), "radvd"))
		goto cleanup;
	/* Attachment: SLAAC makes one address in each advertised prefix. */
	if (!ASSERT_TRUE(host_addr_in(&e, RA_SL_PREFIX, sl, sizeof(sl)), "SLAAC sl address") ||
	    !ASSERT_TRUE(host_addr_in(&e, RA_NP_PREFIX, np, sizeof(np)), "SLAAC np address"))
		goto cleanup;
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	ASSERT_STREQ(prefix_row(&e, RA_SL_PREFIX, row, sizeof(row)),
		     "session-lasting config valid", "sl prefix has its SLAAC address");
	ASSERT_STREQ(prefix_row(&e, RA_NP_PREFIX, row, sizeof(row)),
		     "non-persistent config valid", "np prefix has its SLAAC address");

	ASSERT_EQ(setsc_seen(&a, &net, SOCK_STREAM, SESSION_LASTING_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc sl");
	ASSERT_STREQ(in6_str(&addr, buf), sl, "sl: the SLAAC address");
	ASSERT_STREQ(seen, sl, "peer sees the sl SLAAC address over TCP");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), np, "np: the SLAAC address");
	ASSERT_STREQ(seen, np, "peer sees the np SLAAC address over UDP");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_STREAM, FIXED_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), EAI_REQUIREDIPNOTSUPPORTED, "fixed not provided");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

struct ra_pio {
	const char *prefix;	/* the /64 */
	unsigned int srvtp;	/* wire value */
	__u32 valid, preferred;
	__u8 plen;		/* 0: 64 */
};

/*
 * Send one RA from fe80::1 on veth-s to all-nodes, as a router in the net
 * namespace would: router lifetime 0 (not a default router), one PIO (L, A,
 * SrvTp) per entry.  hops other than 255 makes it one every host must drop.
 */
static bool send_ra(struct env *e, int hops, const struct ra_pio *pios, size_t n)
{
	__u8 msg[16 + 8 * 32] = { 134, 0 };	/* cur hop limit, flags, lifetimes 0 */
	struct sockaddr_in6 src = { .sin6_family = AF_INET6 }, dst = src;
	size_t i, len = 16;
	unsigned int ifindex;
	bool ok = false;
	int fd = -1;

	for (i = 0; i < n && i < 8; i++, len += 32) {
		__u8 *p = msg + len;
		__u32 v = htonl(pios[i].valid), pr = htonl(pios[i].preferred);

		p[0] = 3;
		p[1] = 4;
		p[2] = pios[i].plen ? pios[i].plen : 64;
		p[3] = (__u8)(0x80 | 0x40 | pios[i].srvtp << 2);
		memcpy(p + 4, &v, 4);
		memcpy(p + 8, &pr, 4);
		inet_pton(AF_INET6, pios[i].prefix, p + 16);
	}
	if (!ns_enter(e->net_ns))
		return false;
	ifindex = if_nametoindex("veth-s");
	src.sin6_scope_id = dst.sin6_scope_id = ifindex;
	inet_pton(AF_INET6, NET_LL, &src.sin6_addr);
	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	/* The kernel fills in the ICMPv6 checksum of raw ICMPv6 sockets. */
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	ok = fd >= 0 && ifindex &&
	     !bind(fd, (struct sockaddr *)&src, sizeof(src)) &&
	     !setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) &&
	     !setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) &&
	     sendto(fd, msg, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)len;
	if (!ok)
		fprintf(stderr, "  sending the RA: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
	ns_restore(e);
	return ok;
}

/* Until prefix_row() of prefix is want ("" for absent); 5 s at most. */
static bool wait_row(struct env *e, const char *prefix, const char *want)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char row[256];
	int i;

	for (i = 0; i < 100; i++) {
		if (!strcmp(prefix_row(e, prefix, row, sizeof(row)), want))
			return true;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  %s is \"%s\", never \"%s\"\n", prefix, row, want);
	return false;
}

static void test_ra_srvtp(void)
{
	static const struct ra_pio attach[] = {
		{ "2001:db8:77::", 2, 3600, 1800, 0 },	/* session-lasting */
		{ "2001:db8:78::", 1, 3600, 1800, 0 },	/* non-persistent */
		{ "2001:db8:79::", 5, 3600, 1800, 0 },	/* reserved: untyped */
		{ "2001:db8:7a::", 0, 3600, 1800, 0 },	/* unmarked: untyped */
		{ "2001:db8:7c::", 1, 3600, 1800, 0 },	/* typed fixed by the CLI: stays */
		{ "ff0e::", 3, 3600, 1800, 0 },		/* multicast: never typed */
		{ "::", 3, 3600, 1800, 0 },		/* ::/64, not global unicast */
	};
	static const struct ra_pio forged[] = { { "2001:db8:7b::", 2, 3600, 1800, 0 } };
	static const struct ra_pio withdraw[] = {
		{ "2001:db8:78::", 1, 0, 0, 0 },
		{ "2001:db8:7c::", 1, 0, 0, 0 },
	};
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char sl[INET6_ADDRSTRLEN], np[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], seen[64];
	char row[256], out[64];
	struct in6_addr addr;
	struct env e;

	if (!ASSERT_TRUE(env_setup(&e, "# no prefixes: the router marks their types\n"),
			 "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--ra");
	if (!ASSERT_TRUE(host_slaac_on(&e), "host sysctls") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd --ra") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "prefix add 2001:db8:7c::/64 type fixed"), 0,
		  "odm prefix add");

	/* Attachment: one RA types two prefixes; the kernel autoconfigures. */
	if (!ASSERT_TRUE(send_ra(&e, 255, attach, 7), "send the RA") ||
	    !ASSERT_TRUE(host_addr_in(&e, "2001:db8:77::/64", sl, sizeof(sl)), "SLAAC sl") ||
	    !ASSERT_TRUE(host_addr_in(&e, "2001:db8:78::/64", np, sizeof(np)), "SLAAC np"))
		goto cleanup;
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, sl), "sl selected");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_NON_PERSISTENT, np), "np selected");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:77::/64", row, sizeof(row)),
		     "session-lasting ra valid", "SrvTp 2: session-lasting, source ra");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:78::/64", row, sizeof(row)),
		     "non-persistent ra valid", "SrvTp 1: non-persistent, source ra");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:79::/64", row, sizeof(row)), "",
		     "reserved SrvTp ignored");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:7a::/64", row, sizeof(row)), "",
		     "unmarked PIO ignored");
	ASSERT_HAS(prefix_row(&e, "2001:db8:7c::/64", row, sizeof(row)), "fixed cli",
		   "the CLI's type wins over the RA's");
	ASSERT_STREQ(prefix_row(&e, "ff0e::/64", row, sizeof(row)), "", "multicast PIO refused");
	ASSERT_STREQ(prefix_row(&e, "::/64", row, sizeof(row)), "", "::/64 PIO refused");

	ASSERT_EQ(setsc_seen(&a, &net, SOCK_STREAM, SESSION_LASTING_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc sl");
	ASSERT_STREQ(in6_str(&addr, buf), sl, "sl: the SLAAC address in 2001:db8:77::/64");
	ASSERT_STREQ(seen, sl, "peer sees it");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), np, "np: the SLAAC address in 2001:db8:78::/64");
	ASSERT_STREQ(seen, np, "peer sees it");

	/* A forged RA (hop limit 64: not from the link), then the withdrawal;
	 * once the second is applied, the first has been read and dropped. */
	ASSERT_TRUE(send_ra(&e, 64, forged, 1), "send the forged RA");
	ASSERT_TRUE(send_ra(&e, 255, withdraw, 2), "send the withdrawal");
	ASSERT_TRUE(wait_row(&e, "2001:db8:78::/64", ""), "np prefix withdrawn");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_NON_PERSISTENT, NULL), "nothing non-persistent");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:7b::/64", row, sizeof(row)), "",
		     "hop limit 64: ignored");
	ASSERT_HAS(prefix_row(&e, "2001:db8:7c::/64", row, sizeof(row)), "fixed cli",
		   "an RA does not withdraw the CLI's prefix");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), EAI_REQUIREDIPNOTSUPPORTED, "np no longer offered");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_STREAM, SESSION_LASTING_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "sl still offered");
	ASSERT_STREQ(seen, sl, "peer still sees the sl address");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* =========================================================================
 * Policy (RFC 8653 section 7): which types a cgroup may request, ON_NET,
 * inherited by child cgroups; enforced in the BPF program, so an app with
 * no bpf() access cannot get around it, and counted.
 * ========================================================================= */

/* setsc() in the agent: result, errno in *err. */
static int ag_setsc_err(struct agent *a, int id, int type, int *err)
{
	struct agent_req rq = { .op = AG_SETSC, .id = id, .arg = type };
	struct agent_resp rs;

	if (!agent_call(a, &rq, &rs))
		return -9999;
	*err = rs.err;
	return rs.ret;
}

static long long stat_of(struct env *e, const char *name)
{
	char out[4096], key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\":", name);
	if (env_odm(e, out, sizeof(out), "-j stats") || !(p = strstr(out, key)))
		return -1;
	return atoll(p + strlen(key));
}

static void test_policy_allow(void)
{
	struct agent a = { .pid = -1 }, kid = { .pid = -1 };
	char out[512], child[sizeof(((struct env *)0)->cgroup) + 8];
	struct env e;
	int s, err = 0;

	child[0] = '\0';
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow non-persistent "
			  "on-net deny", e.cgroup), 0, "odm policy set allow");
	if (!ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err), 0, "allowed type");
	ASSERT_EQ(ag_setsc_err(&a, s, SESSION_LASTING_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "type not allowed");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "ON_NET refused");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(stat_of(&e, "setsc_denied"), 2, "both refusals counted");

	/* A child cgroup inherits the policy, until it gets its own. */
	snprintf(child, sizeof(child), "%s/kid", e.cgroup);
	if (!ASSERT_EQ(mkdir(child, 0755), 0, "child cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &kid, child, 0), "agent in the child"))
		goto cleanup;
	s = ag_socket(&kid, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&kid, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "inherited refusal");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow all", child), 0,
		  "child policy");
	ASSERT_EQ(ag_setsc_err(&kid, s, FIXED_IPV6_ADDRESS, &err), 0, "child's own policy wins");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j policy show"), 0, "policy show");
	ASSERT_HAS(out, "\"allow\":[\"non-persistent\"]", "allow list in JSON");
	ASSERT_HAS(out, "\"on_net\":false", "on-net denied in JSON");
cleanup:
	agent_stop(&kid);
	agent_stop(&a);
	if (child[0])
		rmdir(child);
	env_teardown(&e);
}

/*
 * The policy follows the socket, never the caller (security review of the
 * local interfaces): a socket created in a cgroup that may only ask for
 * non-persistent addresses, then used by a process in another cgroup (the
 * same as passing the descriptor), still may not be typed Fixed.
 */
static void test_policy_follows_socket(void)
{
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_JOIN };
	struct agent_resp rs;
	char out[512], r[sizeof(((struct env *)0)->cgroup) + 8], f[sizeof(r)];
	struct env e;
	int s, t, err = 0;

	r[0] = f[0] = '\0';
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	snprintf(r, sizeof(r), "%s/r", e.cgroup);
	snprintf(f, sizeof(f), "%s/f", e.cgroup);
	if (!ASSERT_EQ(mkdir(r, 0755), 0, "restricted cgroup") ||
	    !ASSERT_EQ(mkdir(f, 0755), 0, "free cgroup") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow non-persistent "
			       "on-net deny", r), 0, "policy on the restricted cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &a, r, 0), "agent in the restricted cgroup"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "fixed refused in the restricted cgroup");
	snprintf(rq.payload, sizeof(rq.payload), "%s", f);
	ASSERT_TRUE(agent_call(&a, &rq, &rs) && rs.ret == 0, "the process moves to the free cgroup");
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "the restricted socket is still refused fixed");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "and ON_NET on it");
	ASSERT_EQ(ag_setsc_err(&a, t, FIXED_IPV6_ADDRESS, &err), 0,
		  "a socket of the free cgroup gets fixed");
	/* The policy of the socket's cgroup as it is now, not as it was. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow all", r), 0,
		  "the operator allows all in the restricted cgroup");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, 0, NULL), 0, "ON_NET off");
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), 0,
		  "the restricted socket now gets fixed: its cgroup's policy changed");
cleanup:
	agent_stop(&a);
	if (r[0])
		rmdir(r);
	if (f[0])
		rmdir(f);
	env_teardown(&e);
}

/*
 * A typed UDP socket that sends before it connects: the kernel bound it to
 * a port at the first sendto(), so odm cannot bind its address at connect()
 * any more; the connection used to get the kernel's source silently.  An
 * explicit setsc() now makes that connect() fail; a cgroup default still
 * fails open.
 */
static void test_sendto_then_connect(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char seen[64];
	struct in6_addr addr;
	struct env e;
	int s;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL), 0, "sendto first");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "the datagram is from the sl address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), EADDRNOTAVAIL,
		  "connect after sendto fails instead of taking the kernel's source");
	ASSERT_TRUE(stat_of(&e, "connect_autobound") == 1, "counted");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Bound first, as section 4.1 has it: both work. */
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl again");
	ASSERT_EQ(ag_addr_op(&a, AG_BIND, s, SL_ADDR, 0, NULL), 0, "bind the address");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL), 0, "sendto");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	ASSERT_EQ(ag_simple(&a, AG_SEND, s, 0, NULL), 0, "send");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "connected datagram from the sl address");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * SIGHUP and restarts change only what the configuration names: its
 * default line used to replace the attached cgroup's whole policy (and
 * "default none" deleted it), losing what `odm policy set` had set.
 */
static void test_policy_reload(void)
{
	static const char *const want[] = {
		"\"allow\":[\"session-lasting\",\"non-persistent\"]", "\"on_net\":false",
		"\"net_per_min\":5", "\"max_held\":3", "\"upgrade\":true",
	};
	char out[4096], what[64];
	struct env e;
	size_t i;
	int round;

	if (!ASSERT_TRUE(world(&e, "default non-persistent\n", true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow "
			  "session-lasting,non-persistent on-net deny rate 5 max-held 3 upgrade allow",
			  e.cgroup), 0, "odm policy set");
	for (round = 0; round < 3; round++) {
		if (round == 0) {
			ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP");
		} else if (round == 1) {
			env_stop_odmd(&e, false);
			ASSERT_TRUE(env_start_odmd(&e), "odmd restarted");
		} else {
			ASSERT_TRUE(sys("sed -i 's/^default .*/default none/' %s", e.config),
				    "config says default none");
			ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP with default none");
		}
		usleep(300 * 1000);	/* odmd reloads from its event loop */
		ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j policy show"), 0, "policy show");
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			snprintf(what, sizeof(what), "round %d keeps %s", round, want[i]);
			ASSERT_HAS(out, want[i], what);
		}
		ASSERT_HAS(out, round < 2 ? "\"default_type\":\"non-persistent\"" :
			   "\"default_type\":\"none\"", "the file's default");
	}
cleanup:
	env_teardown(&e);
}

/* Quotas and rate limits on network requests (section 7: exhaustion,
 * billing), enforced by odmd for the requester's cgroup; root is exempt. */
static void test_policy_quotas(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char out[4096];
	struct env e;
	int s, i;
	static const struct {
		int type;
		bool on_net;
		int want;
		const char *what;
	} steps[] = {
		{ SESSION_LASTING_IPV6_ADDRESS, false, 0, "first session-lasting prefix" },
		{ SESSION_LASTING_IPV6_ADDRESS, true, EAI_REQUIREDIPFAILED, "max-held 1 reached" },
		{ NON_PERSISTENT_IPV6_ADDRESS, false, 0, "second network request" },
		{ NON_PERSISTENT_IPV6_ADDRESS, true, 0, "third network request" },
		{ NON_PERSISTENT_IPV6_ADDRESS, true, EAI_REQUIREDIPFAILED, "rate 3/min reached" },
		{ NON_PERSISTENT_IPV6_ADDRESS, false, 0, "a configured prefix needs no request" },
	};

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s max-held 1 rate 3",
			       e.cgroup), 0, "odm policy set quotas") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
		s = ag_socket(&a, SOCK_STREAM);
		if (steps[i].on_net)
			ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		ASSERT_EQ(ag_setsc(&a, s, steps[i].type, &addr), steps[i].want, steps[i].what);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
	}
	ASSERT_EQ(stat_of(&e, "net_quota_exceeded"), 1, "quota refusal counted");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 1, "rate refusal counted");
	/* The operator is not limited. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "request fixed"), 0, "root's odm request");
	ASSERT_EQ(env_kea_leases(&e), 4, "refused requests never reached the network");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * Rate and max-held count against the cgroup whose policy matched, not the
 * requester's leaf cgroup: with delegation a fresh child cgroup per request
 * got a fresh budget (4 of 4 ON_NET prefixes under rate 2).
 */
static void test_policy_quota_children(void)
{
	char out[512], kid[4][sizeof(((struct env *)0)->cgroup) + 8];
	struct in6_addr addr;
	struct env e;
	int i, s, ok = 0, limited = 0;

	memset(kid, 0, sizeof(kid));
	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s rate 2 max-held 1",
			       e.cgroup), 0, "odm policy set rate 2 max-held 1"))
		goto cleanup;
	for (i = 0; i < 4; i++) {
		struct agent a = { .pid = -1 };
		int rc;

		snprintf(kid[i], sizeof(kid[i]), "%s/k%d", e.cgroup, i);
		if (!ASSERT_EQ(mkdir(kid[i], 0755), 0, "a fresh child cgroup") ||
		    !ASSERT_TRUE(agent_start(&e, &a, kid[i], 65534), "agent in it"))
			break;
		s = ag_socket(&a, SOCK_STREAM);
		ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		rc = ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
		ok += rc == 0;
		limited += rc == EAI_REQUIREDIPFAILED;
		agent_stop(&a);
	}
	ASSERT_EQ(ok, 2, "two ON_NET requests under rate 2");
	ASSERT_EQ(limited, 2, "the other two refused");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 2, "counted as rate limited");
cleanup:
	for (i = 0; i < 4; i++)
		if (kid[i][0])
			rmdir(kid[i]);
	env_teardown(&e);
}

/*
 * ON_NET is limited by default (section 7, exhaustion): an application in
 * a cgroup with no policy used to acquire hundreds of delegated prefixes.
 * odmd's default rate and held-prefix cap apply where no policy sets them;
 * a policy raises them; root is not limited.
 */
static void test_default_net_limits(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char out[512];
	struct env e;
	int i, s, ok = 0;

	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--net-rate 3 --net-max-held 1"),
			 "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "a first fixed prefix");
	s = ag_socket(&a, SOCK_STREAM);
	ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "a second one: the default cap of 1 held");
	for (i = 0; i < 3; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		ok += ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr) == 0;
	}
	/* The refused one never counted as a request. */
	ASSERT_EQ(ok, 2, "then the default rate of 3 a minute (1 used) allows two more");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 1, "the rate refusal counted");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "request non-persistent on-net"), 0,
		  "root's odm request is not limited");
	/* The operator raises the limit for the cgroup. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s rate 100", e.cgroup), 0,
		  "policy rate 100");
	s = ag_socket(&a, SOCK_STREAM);
	ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "served again");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Many threads opening, typing, connecting and closing sockets at once:
 * every setsc() succeeds and the use counts come back to exactly zero. */
static void test_stress_threads(void)
{
	/* make stress: ODM_STRESS_ROUNDS per thread (16 threads at most). */
	const char *env_rounds = getenv("ODM_STRESS_ROUNDS");
	int ROUNDS = env_rounds && atoi(env_rounds) > 0 ? atoi(env_rounds) : 500;
	int THREADS = env_rounds ? 16 : 8;
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_STRESS, .id = ROUNDS, .arg = THREADS };
	struct agent_resp rs;
	struct env e;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	rq.salen = make_sa6(&rq.sa, NET_ADDR, PORT, NULL, NULL);
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "stress"))
		goto cleanup;
	printf("  %d threads x %d sockets: %d ok, %d failed\n", THREADS, ROUNDS, rs.ret, rs.err);
	ASSERT_EQ(rs.ret, THREADS * ROUNDS, "every setsc() + connect() succeeded");
	ASSERT_EQ(rs.err, 0, "no failures");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "SL count back to zero");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "NP count back to zero");
	ASSERT_EQ(env_sockets_on(&e, FX_ADDR), 0, "FX count back to zero");
	ASSERT_EQ(stat_of(&e, "setsc_ok"), THREADS * ROUNDS, "setsc_ok counts every one");
	ASSERT_EQ(stat_of(&e, "release_counted"), THREADS * ROUNDS, "every release counted");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* odmd killed in the middle of a network request: the waiting setsc()
 * fails at once, and a restarted odmd serves the next one. */
static void test_odmd_killed_mid_request(void)
{
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_SETSC_MANY, .id = SESSION_LASTING_IPV6_ADDRESS, .arg = 1 };
	struct agent_resp rs;
	struct timespec t0, t1;
	struct in6_addr addr;
	struct env e;
	pid_t pid;
	int s;

	/* No Kea yet: the request waits for an answer that does not come. */
	if (!ASSERT_TRUE(on_demand_world(&e, false), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	pid = fork();
	if (pid == 0) {
		usleep(500000);		/* the request is under way by then */
		if (e.odmd > 0)		/* never kill(0) or kill(-1) */
			kill(e.odmd, SIGKILL);
		_exit(0);
	}
	FAULT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc while odmd dies");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(rs.ret, 0, "the pending request failed");
	ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 4, "at once, not after the timeout");
	waitpid(e.odmd, NULL, 0);
	e.odmd = -1;

	ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea");
	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts on its pins");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "served after restart");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * A listener in odmd's place that never accepts, its backlog full: odmd
 * overwhelmed, as far as a client can tell.  Root's, so libodm trusts it.
 * Returns the listener and the fill connections, or -1.
 */
static int busy_listener(struct env *e, struct sockaddr_un *sun, int *fill, int max, int *nfill)
{
	int lst, err = 0;

	*nfill = 0;
	if (!ns_enter(e->host_ns))
		return -1;
	lst = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lst < 0 || odm_proto_path(sun->sun_path, sizeof(sun->sun_path)) ||
	    (unlink(sun->sun_path), bind(lst, (struct sockaddr *)sun, sizeof(*sun))) ||
	    chmod(sun->sun_path, 0666) || listen(lst, 0))
		goto fail;
	/* Backlog 0 still queues one: connect until the kernel says full. */
	while (*nfill < max) {
		int f = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (f < 0)
			goto fail;
		if (connect(f, (struct sockaddr *)sun, sizeof(*sun))) {
			err = errno;
			close(f);
			break;
		}
		fill[(*nfill)++] = f;
	}
	if (err != EAGAIN)
		goto fail;
	ns_restore(e);
	return lst;
fail:
	fprintf(stderr, "  busy listener: %s\n", strerror(err ? err : errno));
	if (lst >= 0)
		close(lst);
	ns_restore(e);
	return -1;
}

/* Open descriptors of a process (an agent), or -1. */
static int fd_count(pid_t pid)
{
	char cmd[64], out[32];

	snprintf(cmd, sizeof(cmd), "ls /proc/%d/fd | wc -l", (int)pid);
	return sys_out(out, sizeof(out), "%s", cmd) ? atoi(out) : -1;
}

/*
 * "Non-blocking API that blocks": with odmd's backlog full, setsc_start()
 * waited in connect() (the caller's event loop stalled) and setsc() blocked
 * past its deadline, forever.  Now setsc_start() returns at once, its
 * descriptor becomes readable at the deadline (EAI_REQUIREDIPFAILED),
 * setsc() gives up at its own deadline, and once the listener makes room a
 * retry gets in and sends its request; the answer comes back through the
 * same descriptor.
 */
static void test_setsc_never_blocks(void)
{
	struct agent_req rq = { .family = GRACEFUL_REPLACEMENT_IPV6_ADDRESS };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct agent a = { .pid = -1 };
	struct odm_msg_resp resp;
	struct odm_msg_req req;
	struct agent_resp rs;
	struct in6_addr addr;
	struct ucred uc;
	socklen_t ulen = sizeof(uc);
	int fill[8], nfill = 0, lst = -1, c = -1, i, s, fds;
	struct env e;

	/* base_config has no Graceful-replacement prefix: setsc() asks odmd. */
	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	env_stop_odmd(&e, true);	/* the programs stay attached */
	lst = busy_listener(&e, &sun, fill, 8, &nfill);
	if (!ASSERT_TRUE(lst >= 0, "odmd's place taken, backlog full"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	fds = fd_count(a.pid);

	/* The agent's alarm kills a setsc_start() that blocks: the call fails. */
	rq.op = AG_SETSC_START;
	rq.id = s;
	rq.arg = 2000;
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc_start returns with the backlog full"))
		goto cleanup;
	/* Another one: the agent cancels the first, still pending. */
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc_start returns with the backlog full"))
		goto cleanup;
	ASSERT_EQ(rs.ret, 0, "setsc_start: a pending request");
	ASSERT_TRUE(rs.arg < rq.arg / 2, "setsc_start does not wait for the deadline");
	i = rs.arg;
	rq.op = AG_SETSC_WAIT;
	rq.arg = 2000 + 3000;
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "wait"))
		goto cleanup;
	printf("  setsc_start took %d ms, %d wake-ups (connect tries) until the deadline\n", i,
	       rs.arg);
	ASSERT_EQ(rs.err, 0, "the same descriptor became readable by the deadline");
	ASSERT_EQ(rs.ret, EAI_REQUIREDIPFAILED, "setsc_finish at the deadline: no answer in time");

	/* setsc(): its 10 s deadline holds for the connect too (alarm: 15 s). */
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "setsc returns at its deadline");

	/* Room in the backlog: a retry gets in and sends its request.  The
	 * agent drives the request (setsc_finish) while the test makes room. */
	rq.op = AG_SETSC_START;
	rq.arg = 5000;
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc_start") ||
	    !ASSERT_EQ(rs.ret, 0, "setsc_start: a pending request"))
		goto cleanup;
	rq.op = AG_SETSC_WAIT;
	rq.arg = 5000 + 3000;
	if (!ASSERT_TRUE(agent_send(&a, &rq), "wait"))
		goto cleanup;
	c = accept4(lst, NULL, NULL, SOCK_CLOEXEC);	/* a fill connection */
	if (!ASSERT_TRUE(c >= 0, "accept a queued connection"))
		goto cleanup;
	close(c);
	c = -1;
	if (!ASSERT_TRUE(wait_readable(lst), "the retry connects"))
		goto cleanup;
	c = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	if (!ASSERT_TRUE(c >= 0, "accept the retry") ||
	    !ASSERT_TRUE(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &ulen) == 0 &&
			 uc.uid == 65534, "from the agent") ||
	    !ASSERT_TRUE(wait_readable(c), "a request follows"))
		goto cleanup;
	ASSERT_EQ(recv(c, &req, sizeof(req), MSG_DONTWAIT), sizeof(req), "request size");
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), 0, "well-formed request");
	ASSERT_TRUE(req.op == ODM_OP_ACQUIRE && req.type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS &&
		    req.flags == 0, "acquire graceful-replacement");
	odm_msg_resp_init(&resp, &req, ODM_R_NOT_OFFERED);
	ASSERT_EQ(send(c, &resp, sizeof(resp), MSG_NOSIGNAL), sizeof(resp), "answer");
	if (ASSERT_TRUE(agent_recv(&a, rq.op, &rs), "wait")) {
		ASSERT_EQ(rs.err, 0, "readable at the answer, same descriptor");
		ASSERT_EQ(rs.ret, EAI_REQUIREDIPNOTSUPPORTED, "the answer taken");
	}
	ASSERT_EQ(fd_count(a.pid), fds, "no descriptor left behind (finish, cancel)");
cleanup:
	if (c >= 0)
		close(c);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	if (lst >= 0)
		close(lst);
	if (sun.sun_path[0])
		unlink(sun.sun_path);	/* odmd is gone: no one else's */
	agent_stop(&a);
	env_teardown(&e);
}

/* Review point 12: with the operator's switch, a type with no prefix is
 * served by the least strong stronger type the cgroup may use. */
static void test_policy_upgrade(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[512];
	struct env e;
	int s;

	/* Base world: Fixed, Session-lasting, Non-persistent; no Graceful. */
	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "default: exact type or error");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s upgrade allow", e.cgroup), 0,
		  "switch on");
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "upgraded");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "served by session-lasting, not fixed");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, SL_ADDR, "peer sees the session-lasting address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(stat_of(&e, "setsc_upgraded"), 1, "counted");
	/* Only to types the cgroup may use. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow graceful,fixed",
			  e.cgroup), 0, "allow graceful and fixed");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "upgraded again");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "to fixed, session-lasting not allowed");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow graceful", e.cgroup),
		  0, "allow graceful only");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "nothing stronger allowed");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* Edge cases: setsc() after connect(); a process moved to another cgroup
 * after socket(); the cgroup removed while the links are pinned. */
static void test_edge_cases(void)
{
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_JOIN };
	struct agent_resp rs;
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], root[512], out[1024];
	struct env e;
	int s, t, err = 0;
	struct stat st;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect first");
	ASSERT_EQ(ag_setsc_err(&a, s, SESSION_LASTING_IPV6_ADDRESS, &err), EAI_SYSTEM,
		  "setsc() after connect()");
	ASSERT_EQ(err, EISCONN, "errno EISCONN");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* A socket belongs to the cgroup of its creator: moving the process
	 * changes its new sockets only. */
	s = ag_socket(&a, SOCK_STREAM);
	if (!ASSERT_EQ(odm_cgroup2_root(root, sizeof(root)), 0, "cgroup2 root"))
		goto cleanup;
	snprintf(rq.payload, sizeof(rq.payload), "%s", root);
	ASSERT_TRUE(agent_call(&a, &rq, &rs) && rs.ret == 0, "agent moves to the root cgroup");
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "old socket still odm's");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "address");
	ASSERT_EQ(ag_setsc(&a, t, FIXED_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "new socket outside odm's cgroup");
	agent_stop(&a);

	/* The cgroup goes away under pinned links: unload still cleans up,
	 * and odmd refuses the missing cgroup clearly. */
	env_stop_odmd(&e, false);
	FAULT();
	ASSERT_EQ(rmdir(e.cgroup), 0, "cgroup removed with programs attached");
	ASSERT_EQ(sys_status(out, sizeof(out), "build/odmd --unload --pin-dir %s 2>&1", e.pin_dir),
		  0, "unload after the cgroup is gone");
	ASSERT_TRUE(stat(e.pin_dir, &st) != 0, "no pins left");
	ASSERT_EQ(sys_status(out, sizeof(out), "build/odmd --once --cgroup %s --pin-dir %s 2>&1",
			     e.cgroup, e.pin_dir), 1, "odmd on a missing cgroup");
	ASSERT_HAS(out, "cannot use cgroup", "says which");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Section 7: addresses with lifetimes in bytes and in seconds.  A
 * Non-persistent address that sent its quota is renewed for new sockets; a
 * Fixed one past its age too, while its open session keeps the old address
 * until it closes, and then the old address goes. */
static void test_lifetimes(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct odm_prefix_key np_key, fx_key;
	struct env e;
	int u, t, s, c = -1, i;
	__u32 a32[4];

	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") || !ASSERT_TRUE(add_base_addrs(&e), "addrs"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args),
		 "--lifetime non-persistent:0:3000 --lifetime fixed:3 --grace 30");
	odm_prefix_parse("2001:db8:2::/64", &np_key, out, sizeof(out));
	odm_prefix_parse("2001:db8:3::/64", &fx_key, out, sizeof(out));
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	/* A Fixed session opens first; its address will age out under it. */
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, t, FIXED_IPV6_ADDRESS, &addr), 0, "setsc fixed");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, t, NET_ADDR, PORT, NULL), 0, "fixed session");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "session arrives"))
		goto cleanup;
	c = accept(net.tcp, (struct sockaddr *)&ss, &sl);

	/* Non-persistent: 3000 bytes, then a new address for new sockets. */
	u = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, u, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "the first np address");
	for (i = 0; i < 80; i++)
		ag_addr_op(&a, AG_SENDTO, u, NET_ADDR, PORT, NULL);
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list type non-persistent"), 0, "list");
	ASSERT_HAS(out, "\"tx_bytes\":", "bytes sent are shown");
	for (i = 0; i < 50; i++) {
		s = ag_socket(&a, SOCK_DGRAM);
		ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), NP_ADDR))
			break;
		usleep(100000);
	}
	memcpy(a32, &addr, sizeof(a32));
	ASSERT_TRUE(strcmp(buf, NP_ADDR) != 0, "renewed after 3000 bytes");
	ASSERT_TRUE(odm_prefix_contains(&np_key, a32), "in the same prefix");
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np again");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL), 0, "sendto");
	while (peer_seen_udp(&net, seen, sizeof(seen)) && strcmp(seen, in6_str(&addr, buf)))
		;	/* the earlier datagrams first */
	ASSERT_STREQ(seen, in6_str(&addr, buf), "the peer sees the renewed address");

	/* Fixed: 3 s old, renewed for new sockets; the session keeps working. */
	for (i = 0; i < 60; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), FX_ADDR))
			break;
		usleep(100000);
	}
	memcpy(a32, &addr, sizeof(a32));
	ASSERT_TRUE(strcmp(buf, FX_ADDR) != 0, "fixed renewed after 3 s");
	ASSERT_TRUE(odm_prefix_contains(&fx_key, a32), "in the same prefix");
	ASSERT_EQ(ag_simple(&a, AG_SEND, t, 0, NULL), 0, "old session sends");
	ASSERT_TRUE(drain(c) > 0, "peer receives on the old address");
	/* When its last socket closes, the old Fixed address goes. */
	ag_simple(&a, AG_CLOSE, t, 0, NULL);
	for (i = 0; i < 50; i++) {
		if (sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c '%s/'",
			       e.host_ns, FX_ADDR) != 0)
			break;
		usleep(100000);
	}
	ASSERT_TRUE(i < 50, "the retired address is removed after its last socket");
cleanup:
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* The `ip -o` line of addr on veth-h into line; false when the host lacks it. */
static bool host_addr_line(struct env *e, const char *addr, char *line, size_t len)
{
	char out[4096], pat[INET6_ADDRSTRLEN + 3], *p, *nl;

	line[0] = '\0';
	if (sys_status(out, sizeof(out), "ip -n %s -6 -o addr show dev veth-h", e->host_ns))
		return false;
	snprintf(pat, sizeof(pat), " %s/", addr);
	p = strstr(out, pat);
	if (!p)
		return false;
	while (p > out && p[-1] != '\n')
		p--;
	nl = strchr(p, '\n');
	snprintf(line, len, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	return true;
}

/* Until the host has addr (want) or lacks it (!want); 10 s at most. */
static bool wait_host_addr(struct env *e, const char *addr, bool want, char *line, size_t len)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (host_addr_line(e, addr, line, len) == want)
			return true;
		usleep(50 * 1000);
	}
	fprintf(stderr, "  veth-h %s %s\n", want ? "never got" : "kept", addr);
	return false;
}

/* The address RFC 7217 gives key on veth-h for counter, as odmd makes it. */
static const char *stable_addr(const struct odm_prefix_key *key, const unsigned char secret[16],
			       __u32 counter, char *buf)
{
	__u32 iid[4], a32[4];

	odm_iid_stable(iid, key, "veth-h", counter, secret);
	iid[3] |= htonl(1);
	odm_addr_build(a32, key->prefix, key->prefixlen, iid);
	return odm_addr_str(a32, buf);
}

/*
 * Renewal on a configured prefix (RFC 8653 section 7): the link is shared,
 * so the new address goes through Duplicate Address Detection (RFC 4862)
 * even though the old one was added nodad, and the old one stays preferred
 * meanwhile, so the type never lacks an address.  The first identifier is
 * held by the peer: DAD fails, odmd drops it and takes the next.
 */
static void test_lifetime_dad(void)
{
	static const unsigned char secret[16] = "odm-dad-secret!";
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct odm_prefix_key key;
	struct in6_addr addr;
	char x1[INET6_ADDRSTRLEN], x2[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], seen[64];
	char line[512], path[256], out[4096];
	struct env e;
	FILE *f;
	int i;

	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") ||
	    !ASSERT_TRUE(add_base_addrs(&e), "addrs"))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/secret", e.tmpdir);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f && fwrite(secret, 1, 16, f) == 16 && !fclose(f), "secret"))
		goto cleanup;
	odm_prefix_parse("2001:db8:2::/64", &key, out, sizeof(out));
	stable_addr(&key, secret, 1, x1);
	stable_addr(&key, secret, 2, x2);
	/* DAD of 4 s on veth-h, and a peer that already has the first pick. */
	if (!ASSERT_TRUE(sys("nsenter --net=/run/netns/%s sysctl -qw "
			     "net.ipv6.conf.veth-h.dad_transmits=1 "
			     "net.ipv6.neigh.veth-h.retrans_time_ms=4000", e.host_ns), "sysctl") ||
	    !ASSERT_TRUE(sys("ip -n %s addr add %s/128 dev veth-s nodad", e.net_ns, x1), "peer x1"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--lifetime non-persistent:3 --grace 60 "
		 "--iid stable --secret-file %s", path);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	/* After 3 s the first identifier is tried, with DAD; it fails. */
	if (!ASSERT_TRUE(wait_host_addr(&e, x1, true, line, sizeof(line)), "x1 tried"))
		goto cleanup;
	ASSERT_TRUE(!strstr(line, "nodad"), "x1 goes through DAD");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np while x1 is tried");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "the old address meanwhile");
	ASSERT_STREQ(seen, NP_ADDR, "the peer sees the old address");
	ASSERT_TRUE(wait_host_addr(&e, x1, false, line, sizeof(line)), "the duplicate x1 removed");

	/* The next identifier: tentative for about 4 s, the old one still preferred. */
	if (!ASSERT_TRUE(wait_host_addr(&e, x2, true, line, sizeof(line)), "x2 tried"))
		goto cleanup;
	ASSERT_HAS(line, "tentative", "x2 is tentative");
	ASSERT_TRUE(!strstr(line, "nodad"), "x2 goes through DAD");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np while x2 is tentative");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "still the old address");
	ASSERT_STREQ(seen, NP_ADDR, "the peer sees the old address");
	ASSERT_TRUE(host_addr_line(&e, NP_ADDR, line, sizeof(line)) && !strstr(line, "deprecated"),
		    "the old address is not deprecated yet");
	ASSERT_TRUE(host_addr_line(&e, x2, line, sizeof(line)) && strstr(line, "tentative"),
		    "all that while x2 was tentative");
	sleep(1);	/* one more of odmd's ticks: no third address */
	ASSERT_EQ(sys_status(out, sizeof(out), "test $(ip -n %s -6 -o addr show dev veth-h "
			     "to 2001:db8:2::/64 | wc -l) -eq 2", e.host_ns), 0,
		  "one new address at a time");

	/* DAD done: new sockets get x2, the old address is deprecated. */
	for (i = 0; i < 200; i++) {
		if (host_addr_line(&e, x2, line, sizeof(line)) && !strstr(line, "tentative"))
			break;
		usleep(50 * 1000);
	}
	ASSERT_TRUE(i < 200, "x2 passes DAD");
	ASSERT_TRUE(wait_select(&e, NON_PERSISTENT_IPV6_ADDRESS, x2), "odm hands out x2");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np after DAD");
	ASSERT_STREQ(in6_str(&addr, buf), x2, "the new address");
	ASSERT_STREQ(seen, x2, "the peer sees the new address");
	ASSERT_TRUE(host_addr_line(&e, NP_ADDR, line, sizeof(line)), "the old address stays");
	ASSERT_HAS(line, "deprecated", "deprecated");
	ASSERT_TRUE(host_addr_line(&e, x2, line, sizeof(line)) && !strstr(line, "nodad"),
		    "x2 without nodad");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* A prefix delegated to this host alone: renewal skips DAD, in one step. */
static void test_lifetime_dad_delegated(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char first[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], line[512];
	struct env e;
	int s, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--lifetime session-lasting:2"),
			 "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "on demand");
	in6_str(&addr, first);
	for (i = 0; i < 60; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), first))
			break;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(strcmp(buf, first) != 0, "renewed after 2 s");
	ASSERT_TRUE(host_addr_line(&e, buf, line, sizeof(line)), "the host has it");
	ASSERT_HAS(line, "nodad", "no DAD on a delegated prefix");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Faults: the interface goes down and up; the prefix map fills up. */
/*
 * A delegated prefix odmd cannot put on the host (here: the prefix map is
 * full) is released at once: a lease left bound would be renewed for ever,
 * held by nobody and counted in no max-held.
 */
static void test_lease_publish_fails(void)
{
	struct agent a = { .pid = -1 };
	struct odm_maps m = { .prefixes = -1 };
	struct in6_addr addr;
	char out[4096], leases[256];
	struct env e;
	int s, i, n, err = 0;
	bool opened = false;

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent") ||
	    !ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	FAULT();
	for (n = 0; !err; n++) {
		struct odm_prefix_key k = { .prefixlen = 64 };
		struct odm_prefix v = { .type = ODM_TYPE_NON_PERSISTENT, .plen = 64 };

		k.prefix[0] = htonl(0x20010db8);
		k.prefix[1] = htonl(0xe0000000u | (unsigned int)n);
		err = odm_prefix_put(&m, &k, &v);
	}
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "setsc fixed with the prefix map full");
	snprintf(leases, sizeof(leases), "%s/leases", e.tmpdir);
	/* The Release goes out at once; give Kea a moment to write it. */
	for (i = 0; i < 30; i++) {
		if (sys_status(out, sizeof(out), "awk -F, '$7 == 2 { last[$1] = $3 } END { "
			       "for (a in last) if (last[a] != 0) n++; print n + 0 }' "
			       "%s/kea-leases6.csv", e.tmpdir) == 0 && atoi(out) == 0)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(atoi(out), 0, "Kea holds no lease for us: odmd released it");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -c fixed %s", leases), 1,
		  "odmd's lease file keeps no fixed lease");
	ASSERT_EQ(sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | "
			     "grep -c 'inet6 2001:db8:f0'", e.host_ns), 1,
		  "and no address in it is left on the interface");

	/* Room again: the next request is served. */
	for (i = 0; i < n; i++) {
		struct odm_prefix_key k = { .prefixlen = 64 };

		k.prefix[0] = htonl(0x20010db8);
		k.prefix[1] = htonl(0xe0000000u | (unsigned int)i);
		odm_prefix_del(&m, &k);
	}
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "setsc fixed with room");
	ASSERT_TRUE(in_pool(&addr, 0xf0), "from the fixed pool");
cleanup:
	if (opened)
		odm_maps_close(&m);
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * A superseded Graceful-replacement prefix from the network is released:
 * kept bound, its next Renew made it the newest again and retired the
 * current one, at every T1.
 */
static void test_graceful_superseded_lease(void)
{
	static const char *const pools[] = { "4 2001:db8:4400::/40", NULL };
	struct agent a = { .pid = -1 };
	struct in6_addr g1, g2, p2;
	char out[4096], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	struct env e;
	int s, t, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, pools, "--grace 30"), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g1), 0, "first gr prefix");
	/* No socket uses it any more (see test_graceful_other_app for one that does). */
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, t, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g2), 0, "second gr prefix");
	ASSERT_TRUE(memcmp(&g1, &g2, 8) != 0, "a new prefix");
	p2 = g2;
	for (i = 0; i < 30; i++) {
		if (sys_status(out, sizeof(out), "grep -c graceful %s/leases", e.tmpdir) == 0 &&
		    atoi(out) == 1)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(atoi(out), 1, "odmd keeps one graceful lease, the new one");
	memset(&p2.s6_addr[8], 0, 8);
	ASSERT_EQ(sys_status(out, sizeof(out), "grep graceful %s/leases | grep -c ' %s/64 '",
			     e.tmpdir, in6_str(&p2, b2)), 0, "the kept one is the new prefix");
	for (i = 0; i < 30; i++) {
		if (sys_status(out, sizeof(out), "awk -F, '$7 == 2 { last[$1] = $3 } END { "
			       "for (a in last) if (last[a] != 0) n++; print n + 0 }' "
			       "%s/kea-leases6.csv", e.tmpdir) == 0 && atoi(out) == 1)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(atoi(out), 1, "Kea saw the old prefix released");
	/* The old address keeps its grace period for the old socket. */
	ASSERT_EQ(sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c %s",
			     e.host_ns, in6_str(&g1, b1)), 0, "old address still there (grace)");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * The delegated-prefix rule for RAs too: a marked PIO inside a prefix the
 * host types already is refused (the longest match would hand its type to
 * the Fixed address).  And an RA's type lasts its valid lifetime: with no
 * RA renewing it, the prefix is untyped, not kept for ever.
 */
static void test_ra_overlap_expiry(void)
{
	static const struct ra_pio inside[] = {
		{ "2001:db8:f00:1::", 1, 3600, 1800, 0 },	/* inside the Fixed /48 */
		{ "2001:db8:f1::", 1, 3600, 1800, 48 },	/* covers the Fixed f1:1::/64 */
		{ "2001:db8:f2::", 1, 3600, 1800, 48 },	/* an RA /48 ... */
		{ "2001:db8:f2:1::", 2, 3600, 1800, 0 },	/* ... and a /64 inside it */
		{ "2001:db8:7d::", 1, 6, 3, 0 },		/* expires in 6 s */
		{ "2001:db8:7e::", 2, 3600, 1800, 0 },	/* renewed below */
	};
	static const struct ra_pio renew[] = { { "2001:db8:7e::", 2, 3600, 1800, 0 } };
	char row[256];
	struct env e;
	int i;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:f00::/48 type fixed\n"
				      "prefix 2001:db8:f1:1::/64 type fixed\n"), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--ra");
	if (!ASSERT_TRUE(host_slaac_on(&e), "host sysctls") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd --ra") ||
	    !ASSERT_TRUE(send_ra(&e, 255, inside, 6), "send the RA"))
		goto cleanup;
	for (i = 0; i < 100 && !strstr(prefix_row(&e, "2001:db8:7d::/64", row, sizeof(row)),
					"non-persistent ra"); i++)
		usleep(50 * 1000);
	ASSERT_HAS(row, "non-persistent ra", "a prefix of its own is typed");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:f00:1::/64", row, sizeof(row)), "",
		     "a PIO inside the Fixed /48 is refused");
	ASSERT_HAS(prefix_row(&e, "2001:db8:f00::/48", row, sizeof(row)), "fixed config",
		   "the Fixed /48 is as it was");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:f1::/48", row, sizeof(row)), "",
		     "a PIO covering a Fixed /64 is refused");
	ASSERT_HAS(prefix_row(&e, "2001:db8:f2::/48", row, sizeof(row)), "non-persistent ra",
		   "an RA /48 of its own is typed");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:f2:1::/64", row, sizeof(row)), "",
		     "a PIO inside an RA-typed prefix is refused too");
	/* Past the 6 s valid lifetime, with 7e renewed meanwhile. */
	for (i = 0; i < 9; i++) {
		sleep(1);
		send_ra(&e, 255, renew, 1);
	}
	ASSERT_TRUE(wait_row(&e, "2001:db8:7d::/64", ""), "no RA renewed it: untyped");
	ASSERT_HAS(prefix_row(&e, "2001:db8:7e::/64", row, sizeof(row)), "session-lasting ra",
		   "the renewed prefix keeps its type");
cleanup:
	env_teardown(&e);
}

static int count_keys(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	while (n < 1 << 20 && key_size <= sizeof(key) && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/*
 * Maps that only grew: odm_addr_use and odm_tx got a key for every address
 * ever handed out, and nothing deleted them; once full, every setsc()
 * failed ENOSPC.  Churn 160 addresses (2.5 times the 64 keys odmd is given
 * here) through the non-persistent prefix, each handed out, sent from and
 * closed: the maps stay small and setsc() keeps working.
 */
static void test_map_churn(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct odm_maps m = { .prefixes = -1 };
	char want[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN];
	struct in6_addr addr;
	struct env e;
	int i, s, max_use = 0, max_tx = 0, ok = 0;
	bool opened = false;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:c0::/64 type non-persistent dev veth-h\n"),
			 "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--addr-map-size 64");
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent") ||
	    !ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	for (i = 1; i <= 160; i++) {
		int u, t;

		snprintf(want, sizeof(want), "2001:db8:c0::%x", i);
		if (!sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, want) ||
		    (i > 1 && !sys("ip -n %s addr del 2001:db8:c0::%x/64 dev veth-h", e.host_ns,
				   i - 1)) ||
		    !wait_select(&e, ODM_TYPE_NON_PERSISTENT, want))
			break;
		s = ag_socket(&a, SOCK_DGRAM);
		if (ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr) ||
		    strcmp(in6_str(&addr, buf), want) ||
		    ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL)) {
			printf("  churn %d: setsc or sendto failed (%s)\n", i, buf);
			ag_simple(&a, AG_CLOSE, s, 0, NULL);
			break;
		}
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		ok++;
		u = count_keys(m.addr_use, sizeof(struct odm_addr_key));
		t = count_keys(m.tx, sizeof(struct odm_addr_key));
		max_use = u > max_use ? u : max_use;
		max_tx = t > max_tx ? t : max_tx;
	}
	printf("  %d addresses churned; most keys at once: odm_addr_use %d, odm_tx %d (of 64)\n",
	       ok, max_use, max_tx);
	ASSERT_EQ(ok, 160, "every churned address was handed out and sent from");
	/* odmd reaps once a second; a few addresses go by in a second. */
	ASSERT_TRUE(max_use <= 32, "odm_addr_use stays bounded");
	ASSERT_TRUE(max_tx <= 32, "odm_tx stays bounded");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc at the end");
cleanup:
	if (opened)
		odm_maps_close(&m);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * One application's ON_NET request for a graceful-replacement prefix must
 * not retire the address another application's socket uses: that one is
 * retired when its last socket closes.
 */
static void test_graceful_other_app(void)
{
	static const char *const pools[] = { "4 2001:db8:4400::/40", NULL };
	struct agent victim = { .pid = -1 }, other = { .pid = -1 };
	struct agent_resp rs;
	struct in6_addr g1, g2;
	char b1[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 8], row[256];
	struct env e;
	int s, t, w, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, pools, "--grace 30"), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &victim, e.cgroup, 65534), "victim") ||
	    !ASSERT_TRUE(agent_start(&e, &other, e.cgroup, 65534), "other app"))
		goto cleanup;
	w = ag_simple(&victim, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	s = ag_socket(&victim, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&victim, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g1), 0, "victim's gr");
	t = ag_socket(&other, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&other, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&other, t, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g2), 0, "other's gr");
	ASSERT_TRUE(memcmp(&g1, &g2, 8) != 0, "a new prefix");
	memset(&g1.s6_addr[8], 0, 8);
	snprintf(pfx, sizeof(pfx), "%s/64", in6_str(&g1, b1));
	sleep(2);	/* two of odmd's ticks */
	ASSERT_STREQ(prefix_row(&e, pfx, row, sizeof(row)), "graceful-replacement dhcpv6 valid",
		     "the victim's prefix is not retired");
	ASSERT_TRUE(ag_simple(&victim, AG_WATCH_READ, w, 0, &rs) != 0, "the victim is told nothing");
	/* Its last socket closes: now it is retired. */
	ag_simple(&victim, AG_CLOSE, s, 0, NULL);
	for (i = 0; i < 50; i++) {
		if (strstr(prefix_row(&e, pfx, row, sizeof(row)), "deprecated") ||
		    !row[0] || strstr(row, "no-address"))
			break;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(i < 50, "retired once its last socket closed");
cleanup:
	agent_stop(&victim);
	agent_stop(&other);
	env_teardown(&e);
}

/*
 * An impostor odmd: listens where odmd would (odmd's path, and the abstract
 * name odm used before) as uid 65534, and answers every request ODM_R_OK
 * with addr.  Runs in the host namespace until killed.
 */
static pid_t impostor_start(struct env *e, const char *addr, bool abstract_only)
{
	struct sockaddr_un fs = { .sun_family = AF_UNIX }, ab = { .sun_family = AF_UNIX };
	pid_t pid = fork();
	int lf, la;

	if (pid != 0)
		return pid;
	if (!ns_enter(e->host_ns) || odm_proto_path(fs.sun_path, sizeof(fs.sun_path)))
		_exit(1);
	memcpy(ab.sun_path + 1, "odm/odmd", 8);
	lf = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	la = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	/* Bound as root (only root may write the directory), listening as
	 * nobody: the credentials a client sees are the listener's. */
	if (!abstract_only && (unlink(fs.sun_path), bind(lf, (struct sockaddr *)&fs, sizeof(fs)) ||
			       chmod(fs.sun_path, 0666)))
		_exit(1);
	if (setgid(65534) || setuid(65534) || (!abstract_only && listen(lf, 16)))
		_exit(1);
	if (bind(la, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 9) == 0)
		listen(la, 16);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = lf, .events = POLLIN }, { .fd = la, .events = POLLIN } };
		struct odm_msg_req req;
		struct odm_msg_resp resp;
		int k, c;

		if (poll(pfd, 2, -1) < 0)
			continue;
		for (k = 0; k < 2; k++) {
			if (!pfd[k].revents || (c = accept(pfd[k].fd, NULL, NULL)) < 0)
				continue;
			if (recv(c, &req, sizeof(req), 0) == sizeof(req)) {
				odm_msg_resp_init(&resp, &req, ODM_R_OK);
				inet_pton(AF_INET6, addr, resp.addr);
				send(c, &resp, sizeof(resp), MSG_NOSIGNAL);
			}
			close(c);
		}
	}
}

/*
 * Socket squatting and impersonation (security review, High): while odmd
 * is down, a process that is not root answers in its place.  libodm must
 * take it for "no odmd": an ON_NET request is never satisfied with an old
 * configured address, and no watch is opened.  No unprivileged process can
 * take odmd's socket, and the old abstract name squatted does not stop odmd.
 */
static void test_impostor_server(void)
{
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct in6_addr addr;
	char path[sizeof(sun.sun_path)], buf[INET6_ADDRSTRLEN];
	struct env e;
	pid_t imp = -1, kid;
	int s, st = 0;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	env_stop_odmd(&e, true);	/* the programs stay attached */
	imp = impostor_start(&e, SL_ADDR, false);
	if (!ASSERT_TRUE(imp > 0, "impostor"))
		goto cleanup;
	usleep(200 * 1000);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "ON_NET: the impostor's answer is not taken");
	if (addr.s6_addr[0])
		printf("  setsc gave %s\n", in6_str(&addr, buf));
	ASSERT_TRUE(ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 && rs.ret < 0,
		    "no watch on an impostor");
	kill(imp, SIGKILL);
	waitpid(imp, NULL, 0);
	imp = -1;

	/* An unprivileged process cannot take odmd's place in the first place. */
	if (ns_enter(e.host_ns)) {
		if (odm_proto_path(path, sizeof(path)) == 0)
			unlink(path);
		ns_restore(&e);
	}
	kid = fork();
	if (kid == 0) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (!ns_enter(e.host_ns) || odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
		    setgid(65534) || setuid(65534))
			_exit(2);
		_exit(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 :
		      errno == EACCES ? 3 : 4);
	}
	waitpid(kid, &st, 0);
	ASSERT_EQ(WEXITSTATUS(st), 3, "nobody cannot create odmd's socket (EACCES)");
	/* The old abstract name squatted: odmd starts all the same. */
	imp = impostor_start(&e, SL_ADDR, true);
	usleep(200 * 1000);
	ASSERT_TRUE(env_start_odmd(&e), "odmd starts with the abstract name squatted");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "ON_NET with odmd and no network: still no old address");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "plain setsc");
cleanup:
	if (imp > 0) {
		kill(imp, SIGKILL);
		waitpid(imp, NULL, 0);
	}
	agent_stop(&a);
	env_teardown(&e);
}

/* The raw setsc() socket option with a hint (NULL: none), as libodm sends
 * it with odmd's answer: 0 or the errno; *status and *addr as
 * ODM_SO_SC_RESULT reads them back. */
static int ag_sc_raw(struct agent *a, int id, int type, const char *hint, int *status,
		     struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SC_RAW, .id = id, .arg = type };
	struct agent_resp rs;

	if (hint)
		rq.salen = make_sa6(&rq.sa, hint, 0, NULL, NULL);
	*status = -1;
	if (!agent_call(a, &rq, &rs))
		return -9999;
	*status = rs.arg;
	if (addr)
		*addr = rs.addr;
	return rs.ret < 0 ? rs.err : 0;
}

/*
 * ON_NET and the hint (security review): an impostor odmd, or anything else
 * that feeds libodm its answer, could satisfy an ON_NET request with an
 * address the host had long before, because the BPF program took any valid
 * address of the type as the hint.  On an ON_NET socket the hint must now be
 * the address of a prefix DHCPv6 delegated after the socket's request was
 * refused locally.  The agent sends the socket options libodm sends with
 * such an answer; the real on-demand path, coalesced requests too, still
 * works.
 */
static void test_on_net_hint_fresh(void)
{
	struct agent_req many = { .op = AG_SETSC_MANY, .id = SESSION_LASTING_IPV6_ADDRESS,
				  .arg = 8, .payload = "on-net" };
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr, fresh;
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct agent_resp rs;
	struct env e;
	int s, st;

	if (!ASSERT_TRUE(env_setup(&e, base_config) && add_base_addrs(&e), "world"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools) && env_start_odmd(&e), "kea and odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* As libodm does: the local request needs the network, then the
	 * answer's address as the hint; the answer is the configured Fixed one. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, NULL, &st, NULL), 0, "fixed, no hint");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "ON_NET needs the network");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, &addr), 0, "fixed, hint");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: a configured address is refused as the hint");
	ASSERT_EQ(env_sockets_on(&e, FX_ADDR), 0, "no socket counted on it");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, HOST_UNTYPED, "the socket stays as it was: the kernel's choice");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* A hint with no local request before it is no fresher. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, NULL), 0, "hint at once");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: refused without a request first");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Without ON_NET the same hint is the address of a valid prefix of the
	 * type, which the application could bind() anyway: taken. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, &addr), 0, "no ON_NET, hint");
	ASSERT_EQ(st, ODM_ST_OK, "without ON_NET the hint is taken");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "its address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, FX_ADDR, "peer sees the fixed address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* The real path: ON_NET gets a prefix delegated for it. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &fresh), 0, "setsc sl on-net");
	ASSERT_TRUE(in_pool(&fresh, 0x51), "from the session-lasting pool");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "connect");
	peer_seen_tcp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&fresh, buf), "peer sees the delegated address");

	/* A delegated prefix, but one the host had before this request. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, NULL, &st, NULL), 0, "sl, no hint");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "ON_NET needs the network");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, in6_str(&fresh, buf), &st, NULL), 0,
		  "sl, the earlier delegated address as hint");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: a prefix delegated before the request is refused");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Concurrent ON_NET requests share their exchange: all are served. */
	ASSERT_TRUE(agent_call(&a, &many, &rs), "setsc_start x8, ON_NET");
	ASSERT_EQ(rs.ret, 8, "all eight succeeded");
	ASSERT_TRUE(in_pool(&rs.addr, 0x51) && memcmp(&rs.addr, &fresh, 8) != 0,
		    "in a new prefix");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * A watch event is checked against the maps before the application hears
 * of it (security review, High: a forged graceful-replacement event told
 * watchers to move to a Fixed address).  The test plays a root odmd, the
 * one peer libodm trusts, and sends a forged event, then a true one.
 */
static void test_watch_event_checked(void)
{
	struct agent a = { .pid = -1 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in6 *nsa;
	struct odm_msg_event ev;
	struct odm_msg_req req;
	struct agent_resp rs;
	__u32 gr[4], fx[4];
	char buf[INET6_ADDRSTRLEN];
	struct env e;
	int lfd = -1, c = -1, w;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:61::/64 type graceful-replacement\n"
				      "prefix 2001:db8:3::/64 type fixed\n"), "setup") ||
	    !ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad && "
			     "ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR1_ADDR,
			     e.host_ns, FX_ADDR), "addresses") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	/* odmd in the maps: GR1 is the graceful-replacement address. */
	w = ag_socket(&a, SOCK_DGRAM);
	if (!ASSERT_EQ(ag_setsc(&a, w, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &rs.addr), 0, "gr setsc"))
		goto cleanup;
	env_stop_odmd(&e, true);	/* the programs and maps stay */
	if (!ns_enter(e.host_ns))
		goto cleanup;
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) == 0)
		unlink(sun.sun_path);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(sun.sun_path, 0666) ||
	    listen(lfd, 4)) {
		close(lfd);
		lfd = -1;
	}
	ns_restore(&e);
	if (!ASSERT_TRUE(lfd >= 0, "root listener in odmd's place"))
		goto cleanup;
	w = ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	if (!ASSERT_TRUE(w >= 0, "setsc_watch_open()") ||
	    !ASSERT_TRUE((c = accept(lfd, NULL, NULL)) >= 0 &&
			 recv(c, &req, sizeof(req), 0) == sizeof(req) && req.op == ODM_OP_WATCH,
			 "the watch request arrives"))
		goto cleanup;
	inet_pton(AF_INET6, GR1_ADDR, gr);
	inet_pton(AF_INET6, FX_ADDR, fx);
	odm_msg_event_init(&ev, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, 60, gr, fx);
	send(c, &ev, sizeof(ev), 0);
	ag_simple(&a, AG_WATCH_READ, w, 0, &rs);
	ASSERT_EQ(rs.ret, -EPROTO, "an event toward the Fixed address is not passed on");
	odm_msg_event_init(&ev, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, 60, fx, gr);
	send(c, &ev, sizeof(ev), 0);
	ag_simple(&a, AG_WATCH_READ, w, 0, &rs);
	nsa = (struct sockaddr_in6 *)&rs.local;
	ASSERT_EQ(rs.ret, 0, "an event toward the graceful-replacement address is");
	ASSERT_STREQ(in6_str(&nsa->sin6_addr, buf), GR1_ADDR, "its new address");
cleanup:
	if (c >= 0)
		close(c);
	if (lfd >= 0)
		close(lfd);
	agent_stop(&a);
	env_teardown(&e);
}

/* =========================================================================
 * odmd's connection table against local attackers (security review, High
 * and Low): every peer is checked when odmd accepts it, before it holds a
 * slot; each uid has a share; a request must come in time; the cgroup of a
 * peer is read for the peer itself, not for whoever has its pid now.
 * ========================================================================= */

enum attack {
	ATK_IDLE,	/* n connections that never send anything */
	ATK_WATCH,	/* n setsc_watch_open() subscriptions */
	ATK_FLOOD,	/* connect/close as fast as it can, until killed */
};

/* Move the calling process into cgroup (a child of the test's). */
static bool join_self(const char *cgroup)
{
	char procs[sizeof(((struct env *)0)->cgroup) + 16];
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	f = fopen(procs, "w");
	return f && fprintf(f, "0\n") > 0 && fclose(f) == 0;
}

/*
 * A hostile process in the host namespace as uid 65534, in cgroup (NULL:
 * outside odm's).  Returns its pid once its connections are made (*made:
 * how many), or -1.
 */
static pid_t attacker_start(struct env *e, enum attack kind, const char *cgroup, int n, int *made)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int pfd[2], i, fd, ok = 0;
	pid_t pid;

	*made = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (cgroup && !join_self(cgroup))
			_exit(1);
		if (!ns_enter(e->host_ns) || odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
		    setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(1);
		for (i = 0; kind != ATK_FLOOD && i < n; i++) {
			if (kind == ATK_WATCH) {
				fd = setsc_watch_open();
			} else {
				fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
				if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
					close(fd);
					fd = -1;
				}
			}
			ok += fd >= 0;
		}
		if (write(pfd[1], &ok, sizeof(ok)) != sizeof(ok))
			_exit(1);
		while (kind == ATK_FLOOD) {
			fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
			connect(fd, (struct sockaddr *)&sun, sizeof(sun));
			close(fd);
		}
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], made, sizeof(*made)) != sizeof(*made)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

static void attacker_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* One legitimate ON_NET request for a non-persistent prefix; its latency
 * printed (figures, never asserted).  The setsc() result. */
static int legit_on_net(struct agent *a, const char *during)
{
	struct timespec t0, t1;
	struct in6_addr addr;
	int s = ag_socket(a, SOCK_DGRAM), rc;

	ag_simple(a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ag_setsc(a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  %s: ON_NET setsc() %s in %.1f ms\n", during, setsc_strerror(rc),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return rc;
}

/*
 * 256 idle connections from outside the cgroup, 256 watchers from inside
 * it, a connect/close flood: each used to make every legitimate ON_NET
 * setsc() fail (odmd seated every peer before it looked at it, and kept
 * idle ones for ever).  A legitimate application of another uid is served
 * during each; a connection that sends nothing is closed.
 */
static void test_odmd_connection_attacks(void)
{
	static const struct attack_case {
		const char *name;
		enum attack kind;
		bool inside;		/* in odm's cgroup, or outside it */
		int n;
	} attacks[] = {
		{ "300 idle connections from outside the cgroup", ATK_IDLE, false, 300 },
		{ "300 idle connections from inside the cgroup", ATK_IDLE, true, 300 },
		{ "256 watchers from inside the cgroup", ATK_WATCH, true, 256 },
		{ "a connect/close flood from outside the cgroup", ATK_FLOOD, false, 0 },
	};
	struct agent a = { .pid = -1 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	struct env e;
	pid_t atk = -1;
	int i, made, fd = -1;
	char c;

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65533), "legitimate app, uid 65533"))
		goto cleanup;
	ASSERT_EQ(legit_on_net(&a, "no attack"), 0, "served with no attack");

	/* A connection that never asks is closed (root's too). */
	if (!ns_enter(e.host_ns))
		goto cleanup;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		fd = -1;
	ns_restore(&e);
	if (!ASSERT_TRUE(fd >= 0, "connect to odmd"))
		goto cleanup;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ASSERT_TRUE(poll(&pfd, 1, 5000) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) == 0,
		    "odmd closes a connection that sends no request");

	for (i = 0; i < (int)(sizeof(attacks) / sizeof(attacks[0])); i++) {
		const struct attack_case *k = &attacks[i];

		atk = attacker_start(&e, k->kind, k->inside ? e.cgroup : NULL, k->n, &made);
		if (!ASSERT_TRUE(atk > 0, k->name))
			goto cleanup;
		if (k->kind != ATK_FLOOD)
			printf("  %s: %d of %d connected\n", k->name, made, k->n);
		usleep(300 * 1000);
		ASSERT_EQ(legit_on_net(&a, k->name), 0, k->name);
		attacker_stop(atk);
		atk = -1;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	attacker_stop(atk);
	agent_stop(&a);
	env_teardown(&e);
}

/* Whether this kernel hands out SO_PEERPIDFD (Linux 6.5). */
static bool have_peerpidfd(void)
{
	int sv[2], pidfd = -1;
	socklen_t len = sizeof(pidfd);
	bool ok;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return false;
	ok = getsockopt(sv[0], SOL_SOCKET, 77 /* SO_PEERPIDFD */, &pidfd, &len) == 0;
	if (pidfd >= 0)
		close(pidfd);
	close(sv[0]);
	close(sv[1]);
	return ok;
}

/* Send one acquire request on fd: the result odmd answers, or -1 for none. */
static int raw_request(int fd, __u8 type)
{
	struct odm_msg_req req;
	struct odm_msg_resp resp;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	odm_msg_req_init(&req, type, 0);
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) || poll(&pfd, 1, 3000) != 1 ||
	    recv(fd, &resp, sizeof(resp), 0) != sizeof(resp))
		return -1;
	return (int)resp.result;
}

/* fork() until the child has pid want (ns_last_pid); it joins cgroup and
 * waits.  Its pid once it is in the cgroup, or -1. */
static pid_t fork_as_pid(pid_t want, const char *cgroup)
{
	int try, pfd[2];
	char ok = 0;

	for (try = 0; try < 50; try++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		pid_t pid;

		if (!f || fprintf(f, "%d", (int)want - 1) < 0 || fclose(f) || pipe2(pfd, O_CLOEXEC))
			return -1;
		pid = fork();
		if (pid == 0) {
			ok = join_self(cgroup);
			if (write(pfd[1], &ok, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(pfd[1]);
		if (pid == want && read(pfd[0], &ok, 1) == 1 && ok) {
			close(pfd[0]);
			return pid;
		}
		close(pfd[0]);
		attacker_stop(pid);
	}
	return -1;
}

/*
 * Pid reuse (security review, Low): a process outside the cgroup connects
 * and exits; its pid goes to a process inside the cgroup; its connection,
 * kept by another process, asks.  odmd used to read /proc/PID/cgroup of the
 * SO_PEERCRED pid and so served it.  Now the peer itself is checked
 * (SO_PEERPIDFD) and, gone, refused.  A live peer inside the cgroup is
 * served as before.
 */
static void test_peer_pid_reuse(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct env e;
	pid_t x, y = -1, z;
	int fd = -1, st = 0, rc;

	if (!have_peerpidfd()) {
		printf("  skipped: this kernel has no SO_PEERPIDFD (before 6.5): odmd reads the "
		       "cgroup by pid there\n");
		return;
	}
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	if (!ns_enter(e.host_ns))
		goto cleanup;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	odm_proto_path(sun.sun_path, sizeof(sun.sun_path));
	ns_restore(&e);
	/* odmd must not look at the peer before its pid is someone else's. */
	kill(e.odmd, SIGSTOP);
	x = fork();
	if (x == 0)
		_exit(setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		      connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ? 1 : 0);
	waitpid(x, &st, 0);
	if (!ASSERT_EQ(WEXITSTATUS(st), 0, "nobody outside the cgroup connects, then exits"))
		goto cleanup;
	y = fork_as_pid(x, e.cgroup);
	if (!ASSERT_EQ(y, x, "its pid now a process's inside the cgroup"))
		goto cleanup;
	kill(e.odmd, SIGCONT);
	rc = raw_request(fd, SESSION_LASTING_IPV6_ADDRESS);
	printf("  the gone peer's request: %d (%s)\n", rc, rc == ODM_R_OK ? "served" : "not served");
	ASSERT_TRUE(rc != ODM_R_OK,
		    "the gone peer's connection is not served on the strength of a reused pid");

	/* The same request from a live nobody inside the cgroup is. */
	z = fork();
	if (z == 0) {
		int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		if (!join_self(e.cgroup) || setgroups(0, NULL) ||
		    setgid(65534) || setuid(65534) ||
		    connect(c, (struct sockaddr *)&sun, sizeof(sun)))
			_exit(2);
		_exit(raw_request(c, SESSION_LASTING_IPV6_ADDRESS) == ODM_R_OK ? 0 : 1);
	}
	waitpid(z, &st, 0);
	ASSERT_EQ(WEXITSTATUS(st), 0, "a live peer inside the cgroup is served");
cleanup:
	if (e.odmd > 0)
		kill(e.odmd, SIGCONT);
	if (fd >= 0)
		close(fd);
	attacker_stop(y);
	env_teardown(&e);
}

/*
 * The lease file (security review, Low): root odmd wrote FILE.tmp with
 * fopen(), so a symlink planted there overwrote any file; a directory
 * others may write is refused; restored leases are checked like fresh
 * ones (::/0 or multicast from a tampered file never becomes a typed prefix).
 */
static void test_lease_file_attacks(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char out[4096], dir[256], victim[300], row[256];
	struct env e;
	int s;
	FILE *f;

	if (!ASSERT_TRUE(env_setup(&e, "# on demand\n"), "setup"))
		goto cleanup;
	snprintf(dir, sizeof(dir), "%s/state", e.tmpdir);
	snprintf(victim, sizeof(victim), "%s/victim", e.tmpdir);
	if (!ASSERT_TRUE(sys("mkdir -m 0700 %s && echo precious > %s && ln -s %s %s/leases.tmp",
			     dir, victim, victim, dir), "a symlink at leases.tmp"))
		goto cleanup;
	/* A tampered file: unsafe prefixes must not be restored. */
	snprintf(out, sizeof(out), "%s/leases", dir);
	f = fopen(out, "w");
	if (!ASSERT_TRUE(f != NULL, "lease file"))
		goto cleanup;
	fprintf(f, "# odmd DHCPv6 leases\n7 fixed ::/0 3600 7200 1800 2880 %lld 0001\n"
		"8 fixed ff00::/8 3600 7200 1800 2880 %lld 0001\n"
		/* an older odmd's line (no typed field): kept as granted */
		"9 session-lasting 2001:db8:5100:77::/64 3600 7200 1800 2880 %lld "
		"000100011c2b3d4e001122334455\n",
		(long long)time(NULL), (long long)time(NULL), (long long)time(NULL));
	fclose(f);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", dir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	ASSERT_STREQ(prefix_row(&e, "::/0", row, sizeof(row)), "", "::/0 not restored");
	ASSERT_STREQ(prefix_row(&e, "ff00::/8", row, sizeof(row)), "", "ff00::/8 not restored");
	ASSERT_HAS(prefix_row(&e, "2001:db8:5100:77::/64", row, sizeof(row)), "session-lasting",
		   "an older odmd's lease (no typed field) is restored as granted");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "a lease to save");
	ASSERT_EQ(sys_status(out, sizeof(out), "cat %s", victim), 0, "victim readable");
	ASSERT_STREQ(out, "precious\n", "the symlink's target is untouched");

	/* A directory others may write: no lease file is written there. */
	env_stop_odmd(&e, false);
	ASSERT_TRUE(sys("rm -f %s/leases.tmp %s/leases && chmod 1777 %s", dir, dir, dir),
		    "world-writable directory");
	ASSERT_TRUE(env_start_odmd(&e), "odmd again");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "still served");
	ASSERT_EQ(sys_status(out, sizeof(out), "test -e %s/leases", dir), 1,
		  "no lease file in a directory others may write");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

static void test_faults(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], out[4096];
	struct odm_maps m = { .prefixes = -1 };
	struct env e;
	int s, i, err = 0;
	bool opened = false;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	/* Link down: the kernel drops the addresses, odm stops handing them out. */
	FAULT();
	ASSERT_TRUE(sys("ip -n %s link set veth-h down", e.host_ns), "link down");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, NULL), "odmd follows");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "no address while the link is down");
	/* Up again, addresses back (as SLAAC or the operator would): usable. */
	ASSERT_TRUE(sys("ip -n %s link set veth-h up", e.host_ns) && add_base_addrs(&e), "link up");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, SL_ADDR), "odmd follows");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "usable again");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "address");

	/* The prefix map full: a clear error, nothing already there lost. */
	if (!ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	for (i = 0; !err; i++) {
		struct odm_prefix_key k = { .prefixlen = 64 };
		struct odm_prefix v = { .type = ODM_TYPE_FIXED, .plen = 64 };

		k.prefix[0] = htonl(0x20010db8);
		k.prefix[1] = htonl(0xf0000000u | (unsigned int)i);
		err = odm_prefix_put(&m, &k, &v);
	}
	printf("  prefix map full after %d prefixes (%s)\n", i - 1, strerror(-err));
	FAULT();
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "prefix add 2001:db8:eeee::/64 type fixed"), 1,
		  "odm prefix add on a full map");
	ASSERT_HAS(out, "full", "says the map is full");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "still served");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "same address");

	/*
	 * The use-count map full: an uncounted address could be retired under
	 * its socket, so setsc() refuses clearly (ENOSPC, counted); the socket
	 * already counted keeps its count; with room again, all is as before.
	 */
	{
		struct odm_addr_key k = { .addr = { htonl(0x20010db8), htonl(0xfe000000) } };
		struct odm_use zero = { 0 };
		int n, t, e2 = 0;

		FAULT();
		for (n = 0; n < 1 << 20; n++) {
			k.addr[3] = htonl((__u32)n + 1);
			if (bpf_map_update_elem(m.addr_use, &k, &zero, BPF_NOEXIST))
				break;
		}
		printf("  use map full after %d fillers (%s)\n", n, strerror(errno));
		t = ag_socket(&a, SOCK_DGRAM);
		ASSERT_EQ(ag_setsc_err(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &e2), EAI_SYSTEM,
			  "setsc with the use map full");
		ASSERT_EQ(e2, ENOSPC, "ENOSPC");
		ASSERT_TRUE(stat_of(&e, "use_map_full") >= 1, "counted");
		ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0,
			  "a counted socket asks again: served");
		ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 1, "its count is exact");
		for (i = 0; i < n; i++) {
			k.addr[3] = htonl((__u32)i + 1);
			bpf_map_delete_elem(m.addr_use, &k);
		}
		ASSERT_EQ(ag_setsc(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "room again");
		ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "np address");
		ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 1, "counted");
		ag_simple(&a, AG_CLOSE, t, 0, NULL);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "closed: np count back to zero");
		ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "closed: sl count back to zero");
	}
cleanup:
	if (opened)
		odm_maps_close(&m);
	agent_stop(&a);
	env_teardown(&e);
}

/* =========================================================================
 * A hostile DHCPv6 server (section 7; the fault list of the security
 * issue).  The network is not trusted: whatever it sends, odmd neither
 * crashes nor configures an address no host should have, nor lets a
 * delegated prefix shadow or retype what the operator configured.
 * ========================================================================= */

/* One ON_NET request for a non-persistent address while the rogue serves s. */
static int rogue_round(struct env *e, struct agent *a, const struct rogue_script *s,
		       struct rogue_stats *st, struct in6_addr *addr)
{
	struct rogue r;
	int t, rc;

	memset(st, 0, sizeof(*st));
	if (!rogue_start(e, &r, s))
		return -9999;
	t = ag_socket(a, SOCK_DGRAM);
	rc = ag_simple(a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL);
	if (rc == 0)
		rc = ag_setsc(a, t, NON_PERSISTENT_IPV6_ADDRESS, addr);
	ag_simple(a, AG_CLOSE, t, 0, NULL);
	rogue_stop(&r, st);
	FAULT();
	INPUTS(st->sent);
	printf("  rogue: %u solicits, %u requests, %u datagrams sent (%u malformed) -> setsc %d\n",
	       st->solicits, st->requests, st->sent, st->garbage, rc);
	return rc;
}

/* The operator's three prefixes, exactly as configured, and nothing else. */
static bool only_operator_prefixes(struct env *e)
{
	char out[8192];
	int n = 0;
	const char *p = out;

	if (env_odm(e, out, sizeof(out), "-j prefix list"))
		return false;
	while ((p = strstr(p, "\"prefix\":"))) {
		n++;
		p++;
	}
	return n == 3 && strstr(out, "\"prefix\":\"2001:db8:1::/64\",\"type\":\"session-lasting\"") &&
	       strstr(out, "\"prefix\":\"2001:db8:2::/64\",\"type\":\"non-persistent\"") &&
	       strstr(out, "\"prefix\":\"2001:db8:3::/64\",\"type\":\"fixed\"") &&
	       !strstr(out, "dhcpv6");
}

/* Global addresses on veth-h other than the base ones and the untyped one. */
static int foreign_addrs(struct env *e)
{
	char out[64];

	if (!sys_out(out, sizeof(out), "ip -n %s -6 -o addr show dev veth-h scope global | "
		     "awk '{print $4}' | grep -v -e '^%s/' -e '^%s/' -e '^%s/' -e '^%s/' | wc -l",
		     e->host_ns, SL_ADDR, NP_ADDR, FX_ADDR, HOST_UNTYPED))
		return -1;
	return atoi(out);
}

static void test_hostile_dhcp6(void)
{
	/* Offers no host should take, each well-formed, each from its own server. */
	static const struct rogue_script unsafe = {
		.adv = {
			{ "ff0e::", 64, 3000, 4000, -2 },		/* multicast */
			{ "fe80::", 64, 3000, 4000, -2 },		/* link-local */
			{ "::1", 128, 3000, 4000, -2 },			/* loopback */
			{ "::", 128, 3000, 4000, -2 },			/* unspecified */
			{ "::ffff:192.0.2.0", 120, 3000, 4000, -2 },	/* v4-mapped */
			{ "::", 0, 3000, 4000, -2 },			/* everything */
			{ "2000::", 3, 3000, 4000, -2 },		/* all of global unicast */
			{ "2001:db8::", 32, 3000, 4000, -2 },		/* covers the operator's */
			{ "2001:db8:1::", 64, 3000, 4000, -2 },		/* retypes session-lasting */
			{ "2001:db8:2::", 64, 3000, 4000, -2 },		/* takes over a config prefix */
			{ "2001:db8:3:0:8000::", 65, 3000, 4000, -2 },	/* inside fixed */
			{ "2001:db8:ffff::", 64, 3000, 4000, -2 },	/* the link's own prefix */
			{ "2001:db8:99::", 64, 3000, 4000, 3 },		/* labelled fixed, asked np */
			{ "2001:db8:98::", 64, 5000, 4000, -2 },	/* preferred > valid */
			{ "2001:db8:97::", 64, 0, 0, -2 },		/* valid 0 */
		},
		.nadv = 15,
	};
	/* Good Advertise, unsafe Reply. */
	static const struct rogue_script bait = {
		.adv = { { "2001:db8:77::", 64, 3000, 4000, -2 } },
		.nadv = 1,
		.reply = { "2001:db8:2::", 64, 3000, 4000, -2 },
	};
	/* Only malformed datagrams, two of each kind per message. */
	struct rogue_script broken = { .garbage = 2 * rogue_garbage_kinds() };
	/* A flood, then a good answer with host bits set. */
	static const struct rogue_script flood_then_good = {
		.adv = { { "2001:db8:77::abcd", 64, 3000, 4000, -2 } },
		.nadv = 1,
		.reply = { "2001:db8:77::abcd", 64, 3000, 4000, -2 },
		.garbage = 96,
	};
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct rogue_stats st;
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct env e;
	int t;

	if (!ASSERT_TRUE(env_setup(&e, base_config) && add_base_addrs(&e), "world"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* Malformed only: nothing usable arrives, the request times out cleanly. */
	ASSERT_EQ(rogue_round(&e, &a, &broken, &st, &addr), EAI_REQUIREDIPFAILED,
		  "malformed answers: failed");
	ASSERT_TRUE(st.solicits >= 2 && st.garbage >= st.solicits * rogue_garbage_kinds(),
		    "the malformed datagrams were sent, to retransmitted Solicits");
	ASSERT_TRUE(kill(e.odmd, 0) == 0, "odmd survived");

	/* Unsafe prefixes: refused, counted, nothing configured or retyped. */
	ASSERT_EQ(rogue_round(&e, &a, &unsafe, &st, &addr), EAI_REQUIREDIPFAILED,
		  "unsafe offers: failed");
	ASSERT_TRUE(st.solicits >= 1 && st.sent >= unsafe.nadv, "all fifteen offers were sent");
	ASSERT_EQ(st.requests, 0, "none was requested");
	ASSERT_TRUE(only_operator_prefixes(&e), "the operator's prefixes, untouched");
	ASSERT_EQ(foreign_addrs(&e), 0, "no address configured from an offer");

	/* Bait and switch: the Reply shadows a configured prefix. */
	ASSERT_EQ(rogue_round(&e, &a, &bait, &st, &addr), EAI_REQUIREDIPFAILED,
		  "unsafe Reply: failed");
	ASSERT_TRUE(st.requests >= 1, "the Request was answered");
	ASSERT_TRUE(only_operator_prefixes(&e), "the operator's prefixes, untouched");
	ASSERT_EQ(foreign_addrs(&e), 0, "no address configured from the Reply");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j stats"), 0, "odm stats");
	ASSERT_HAS(out, "\"net_refused\":", "refusals are counted");
	ASSERT_TRUE(!strstr(out, "\"net_refused\":0,") && !strstr(out, "\"net_refused\":0}"),
		    "and the count is not zero");

	/* After all that, a good answer behind a flood still works. */
	ASSERT_EQ(rogue_round(&e, &a, &flood_then_good, &st, &addr), 0, "good answer: ok");
	{
		static const unsigned char want[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0 };

		ASSERT_TRUE(!memcmp(addr.s6_addr, want, sizeof(want)),
			    "an address in the delegated prefix");
	}
	ASSERT_TRUE(prefixes_of(&e, "non-persistent") == 1, "listed as a dhcpv6 prefix");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list type non-persistent"), 0, "list");
	ASSERT_HAS(out, "\"prefix\":\"2001:db8:77::/64\"", "host bits cleared in the key");
	t = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, t, 0, NULL), 0, "no ON_NET");
	ASSERT_EQ(ag_setsc(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, t, NET_ADDR, PORT, NULL), 0, "sendto");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&addr, buf), "the peer sees the delegated address");
	ASSERT_TRUE(kill(e.odmd, 0) == 0, "odmd still running");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * An untyped grant is not a typed prefix (RFC 8653 5.1, 5.3: exact type or
 * error).  A server that answers without the continuity option, as one
 * that does not know it would, gets its offer refused: EAI_REQUIREDIPFAILED,
 * logged, counted, nothing configured, and a prefix its Reply bound is
 * released; a typed offer from another server still wins.  With
 * --dhcp6-untyped for the type the same grant is taken; the lease file
 * remembers it was untyped, and a restart without the switch releases it
 * and withdraws its address instead of restoring it.
 */

/* One ON_NET non-persistent request while the rogue serves s; the socket
 * stays open in *sock when sock is given. */
static int untyped_round(struct env *e, struct agent *a, const struct rogue_script *s,
			 struct rogue_stats *st, struct in6_addr *addr, int *sock)
{
	struct rogue r;
	int t, rc;

	memset(st, 0, sizeof(*st));
	memset(addr, 0, sizeof(*addr));
	if (!rogue_start(e, &r, s))
		return -9999;
	t = ag_socket(a, SOCK_DGRAM);
	rc = ag_simple(a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL);
	if (rc == 0)
		rc = ag_setsc(a, t, NON_PERSISTENT_IPV6_ADDRESS, addr);
	/* A Release goes out before the answer: give the server time to read it. */
	usleep(300 * 1000);
	rogue_stop(&r, st);
	if (sock)
		*sock = t;
	else
		ag_simple(a, AG_CLOSE, t, 0, NULL);
	printf("  rogue: %u solicits, %u requests, %u releases -> setsc %d\n", st->solicits,
	       st->requests, st->releases, rc);
	return rc;
}

/* Addresses on veth-h that start with text (e.g. "2001:db8:66:"). */
static int addrs_in(struct env *e, const char *text)
{
	char out[64];

	if (!sys_out(out, sizeof(out), "ip -n %s -6 -o addr show dev veth-h | awk '{print $4}' | "
		     "grep -c '^%s' || true", e->host_ns, text))
		return -1;
	return atoi(out);
}

/* odmd's log (its stderr, redirected by odmd_args) has a line with text. */
static bool odmd_logged(struct env *e, const char *text)
{
	char out[512];

	return sys_status(out, sizeof(out), "grep -F -- '%s' %s/odmd.log", text, e->tmpdir) == 0;
}

static void test_untyped_grant(void)
{
	static const struct rogue_script untyped = {
		.adv = { { "2001:db8:66::", 64, 3000, 4000, -1 } },
		.nadv = 1,
		.reply = { "2001:db8:66::", 64, 3000, 4000, -1 },
	};
	/* A typed Advertise, then a Reply without the option. */
	static const struct rogue_script typed_then_untyped = {
		.adv = { { "2001:db8:67::", 64, 3000, 4000, -2 } },
		.nadv = 1,
		.reply = { "2001:db8:67::", 64, 3000, 4000, -1 },
	};
	/* Two servers: the untyped offer first, then a typed one. */
	static const struct rogue_script untyped_and_typed = {
		.adv = { { "2001:db8:66::", 64, 3000, 4000, -1 },
			 { "2001:db8:68::", 64, 3000, 4000, -2 } },
		.nadv = 2,
		.reply = { "2001:db8:68::", 64, 3000, 4000, -2 },
	};
	static const unsigned char p66[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x66, 0, 0 };
	static const unsigned char p68[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x68, 0, 0 };
	const char *base = "--dhcp6 veth-h --dhcp6-max-rt 1000";
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct rogue_stats st;
	struct rogue r;
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096], row[256];
	struct env e;
	int t, rc;

	if (!ASSERT_TRUE(env_setup(&e, "# nothing configured: everything on demand\n"), "setup"))
		goto cleanup;
	/* A bad list is a usage error, as for odmd's other options. */
	rc = sys_status(out, sizeof(out), "build/odmd --cgroup %s --dhcp6-untyped "
			"non-persistent,bogus 2>&1", e.cgroup);
	ASSERT_EQ(rc, 2, "--dhcp6-untyped with an unknown type exits 2");
	ASSERT_HAS(out, "invalid --dhcp6-untyped 'non-persistent,bogus'", "names the value");

	snprintf(e.odmd_args, sizeof(e.odmd_args), "%s --lease-file %s/leases 2>>%s/odmd.log",
		 base, e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* By default: refused, counted, logged, nothing configured. */
	ASSERT_EQ(untyped_round(&e, &a, &untyped, &st, &addr, NULL), EAI_REQUIREDIPFAILED,
		  "untyped offer: failed");
	ASSERT_TRUE(st.solicits >= 1, "the offer was made");
	ASSERT_EQ(st.requests, 0, "the untyped offer was not requested");
	ASSERT_EQ(addrs_in(&e, "2001:db8:66:"), 0, "no address in the untyped prefix");
	ASSERT_EQ(prefixes_of(&e, "non-persistent"), 0, "no delegated prefix");
	ASSERT_EQ(stat_of(&e, "net_refused"), 1, "the refusal is counted");
	ASSERT_TRUE(odmd_logged(&e, "dhcpv6: refused 2001:db8:66::/64 for non-persistent: "
				"no continuity option: the network does not type it"),
		    "odmd names the prefix and why");

	/* The Reply bound an untyped prefix: refused, and given back. */
	ASSERT_EQ(untyped_round(&e, &a, &typed_then_untyped, &st, &addr, NULL),
		  EAI_REQUIREDIPFAILED, "untyped Reply: failed");
	ASSERT_TRUE(st.requests >= 1, "the typed Advertise was requested");
	ASSERT_TRUE(st.releases >= 1, "the bound untyped prefix was released");
	ASSERT_EQ(addrs_in(&e, "2001:db8:67:"), 0, "no address from the Reply");
	ASSERT_EQ(stat_of(&e, "net_refused"), 2, "counted too");

	/* Another server's typed offer wins over the untyped one. */
	ASSERT_EQ(untyped_round(&e, &a, &untyped_and_typed, &st, &addr, &t), 0,
		  "typed offer beside an untyped one: ok");
	ASSERT_TRUE(!memcmp(addr.s6_addr, p68, sizeof(p68)), "an address in the typed prefix");
	ASSERT_EQ(addrs_in(&e, "2001:db8:66:"), 0, "still none in the untyped prefix");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);

	/* The operator's switch: the same untyped offer is taken, and used. */
	env_stop_odmd(&e, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "%s --lease-file %s/leases "
		 "--dhcp6-untyped non-persistent 2>>%s/odmd.log", base, e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd --dhcp6-untyped non-persistent"))
		goto cleanup;
	rc = untyped_round(&e, &a, &untyped, &st, &addr, &t);
	ASSERT_EQ(rc, 0, "untyped offer, allowed: ok");
	ASSERT_TRUE(!memcmp(addr.s6_addr, p66, sizeof(p66)), "an address in the untyped prefix");
	ASSERT_EQ(addrs_in(&e, "2001:db8:66:"), 1, "configured on veth-h");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, t, NET_ADDR, PORT, NULL), 0, "sendto");
	peer_seen_udp(&net, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&addr, buf), "the peer sees the untyped grant's address");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);
	ASSERT_TRUE(odmd_logged(&e, "dhcpv6: took 2001:db8:66::/64 for non-persistent untyped"),
		    "odmd says it took an untyped grant");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -c ' 2001:db8:66::/64 .* untyped$' "
			     "%s/leases", e.tmpdir), 0, "the lease file says untyped");

	/* Restored while the switch allows it... */
	env_stop_odmd(&e, false);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd restarts with the switch"))
		goto cleanup;
	ASSERT_STREQ(prefix_row(&e, "2001:db8:66::/64", row, sizeof(row)),
		     "non-persistent dhcpv6 valid", "restored");

	/* ...released and withdrawn once it does not. */
	env_stop_odmd(&e, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "%s --lease-file %s/leases 2>>%s/odmd.log",
		 base, e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(rogue_start(&e, &r, &untyped), "rogue"))
		goto cleanup;
	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts without the switch");
	usleep(300 * 1000);
	rogue_stop(&r, &st);
	ASSERT_TRUE(st.releases >= 1, "the untyped lease was released");
	ASSERT_STREQ(prefix_row(&e, "2001:db8:66::/64", row, sizeof(row)), "",
		     "not restored");
	ASSERT_EQ(addrs_in(&e, "2001:db8:66:"), 0, "its address withdrawn");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -c '2001:db8:66::/64' %s/leases",
			     e.tmpdir), 1, "gone from the lease file");
	ASSERT_TRUE(odmd_logged(&e, "releasing 2001:db8:66::/64 for non-persistent instead of "
				"restoring it"), "odmd says why");
	ASSERT_TRUE(kill(e.odmd, 0) == 0, "odmd still running");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* Section 7 privacy: with --iid stable, odmd's addresses are RFC 7217
 * stable-privacy identifiers (SHA-256 of prefix, interface, counter and a
 * secret), not random and never the MAC. */
static void test_iid_stable(void)
{
	struct agent a = { .pid = -1 };
	struct odm_iid_conf conf = { .stable = true };
	struct odm_prefix_key key = { .prefixlen = 64 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN], path[256];
	__u32 a32[4], iid[4], exp[4];
	struct env e;
	FILE *f;
	int s;

	if (!ASSERT_TRUE(env_setup(&e, "# on demand only\n"), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases --iid stable --secret-file %s/secret", e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "on demand");
	snprintf(path, sizeof(path), "%s/secret", e.tmpdir);
	f = fopen(path, "r");
	if (!ASSERT_TRUE(f && fread(conf.secret, 1, 16, f) == 16, "the secret was made"))
		goto cleanup;
	fclose(f);
	/* What RFC 7217 gives for this prefix on veth-h, counter 0. */
	memcpy(a32, &addr, sizeof(a32));
	odm_prefix_mask(key.prefix, a32, 64);
	odm_iid_stable(iid, &key, "veth-h", 0, conf.secret);
	iid[3] |= htonl(1);
	odm_addr_build(exp, key.prefix, 64, iid);
	ASSERT_STREQ(in6_str(&addr, buf), odm_addr_str(exp, want), "the RFC 7217 address");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

struct test {
	const char *name;
	void (*fn)(void);
};

#define T(fn) { #fn, fn }
static const struct test tests[] = {
	T(test_sock_addr_table),
	T(test_message_flow_4_2),
	T(test_default_policy),
	T(test_accepted_server),
	T(test_unprivileged_app),
	T(test_setsc_without_odm),
	T(test_setsc_bad_args),
	T(test_address_sync),
	T(test_odmd_killed),
	T(test_bad_config),
	T(test_pins_and_btf),
	T(test_sockopt_passthrough),
	T(test_use_counts),
	T(test_map_churn),
	T(test_on_demand_dhcpv6),
	T(test_handoff),
	T(test_graceful_replacement),
	T(test_policy_allow),
	T(test_policy_reload),
	T(test_policy_follows_socket),
	T(test_policy_quotas),
	T(test_policy_quota_children),
	T(test_default_net_limits),
	T(test_policy_upgrade),
	T(test_edge_cases),
	T(test_sendto_then_connect),
	T(test_lifetimes),
	T(test_lifetime_dad),
	T(test_lifetime_dad_delegated),
	T(test_iid_stable),
	T(test_stress_threads),
	T(test_odmd_killed_mid_request),
	T(test_setsc_never_blocks),
	T(test_impostor_server),
	T(test_on_net_hint_fresh),
	T(test_watch_event_checked),
	T(test_odmd_connection_attacks),
	T(test_peer_pid_reuse),
	T(test_faults),
	T(test_lease_publish_fails),
	T(test_lease_file_attacks),
	T(test_graceful_superseded_lease),
	T(test_graceful_other_app),
	T(test_hostile_dhcp6),
	T(test_untyped_grant),
	T(test_ra_radvd),
	T(test_ra_srvtp),
	T(test_ra_overlap_expiry),
};

static bool selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

/*
 * A run killed midway (a timeout, ^C) leaves its namespaces, cgroup and
 * pins behind; they are named after its pid.  Remove those of dead pids.
 */
static void sweep_stale(void)
{
	sys("for ns in $(ip netns list | awk '/^odmt-[hn]-/ {print $1}'); do "
	    "  pid=${ns#odmt-?-}; pid=${pid%%%%-*}; "
	    "  [ -d /proc/$pid ] || ip netns del $ns; done; "
	    "for d in /sys/fs/bpf/odmt-*; do [ -d \"$d\" ] || continue; "
	    "  pid=${d#/sys/fs/bpf/odmt-}; pid=${pid%%%%-*}; "
	    "  [ -d /proc/$pid ] || build/odmd --unload --pin-dir $d; done; "
	    "root=$(awk '$9 == \"cgroup2\" {print $5; exit}' /proc/self/mountinfo); "
	    "for d in $root/odmt-*; do [ -d \"$d\" ] || continue; "
	    "  pid=${d##*/odmt-}; pid=${pid%%%%-*}; "
	    "  [ -d /proc/$pid ] || rmdir $d; done; true");
}

int main(int argc, char **argv)
{
	size_t i;

	if (geteuid() != 0) {
		fprintf(stderr, "netns_test: needs root (network namespaces, cgroups, BPF)\n");
		return 1;
	}
	test_verbose = getenv("ODM_TEST_VERBOSE") != NULL;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sweep_stale();
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(argc, argv, tests[i].name))
			continue;
		test_run(tests[i].name, tests[i].fn);
	}
	return test_summary();
}
