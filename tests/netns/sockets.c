// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockets.c - the socket path end to end: the sock_addr table of typed,
 * untyped and left-alone sockets, RFC 8653 section 4.2 step by step, the
 * default type from policy, accepted sockets, unprivileged apps, bad
 * setsc() arguments, socket options odm passes through, use counts, a
 * datagram before connect(), edge cases, threads under stress.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"

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

void test_sock_addr_table(void)
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

void test_message_flow_4_2(void)
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
	ASSERT_STREQ(peer_sees(&app1, &net, s1, AG_CONNECT, seen, sizeof(seen)),
		     NP_ADDR, "peer sees IPnp1 from app1");

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
		ASSERT_STREQ(peer_sees(&app1, &net, s1, AG_CONNECT, seen, sizeof(seen)),
			     NP2_ADDR, "peer sees IPnp2");
		ag_simple(&app2, AG_CLOSE, s2, 0, NULL);
		s2 = ag_socket(&app2, SOCK_DGRAM);
		ASSERT_EQ(ag_setsc(&app2, s2, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "app2 again");
		ASSERT_STREQ(in6_str(&addr, buf), NP2_ADDR, "app2 now gets IPnp2");
		ASSERT_STREQ(peer_sees(&app2, &net, s2, AG_SENDTO, seen, sizeof(seen)),
			     NP2_ADDR, "peer sees IPnp2 over UDP");

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
	ASSERT_STREQ(peer_sees(&app4, &net, s5, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees IPsl1 from the retry");
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

void test_default_policy(void)
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
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     NP_ADDR, "legacy app gets the default type");
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 1, "counted");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "released");

	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_SENDTO, seen, sizeof(seen)),
		     NP_ADDR, "legacy datagram gets the default type");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* An explicit request beats the default. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, NULL), 0, "setsc fixed");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     FX_ADDR, "setsc wins over the default");
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
void test_accepted_server(void)
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
void test_unprivileged_app(void)
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
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees the session-lasting address");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* Section 5.1: a legacy host (no odm for the socket) answers NOTSUPPORTED. */
void test_setsc_without_odm(void)
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
void test_setsc_bad_args(void)
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

/* Options odm does not own pass through, also past a page; ON_NET is
 * taken out before the kernel sees IPV6_ADDR_PREFERENCES. */
void test_sockopt_passthrough(void)
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
void test_use_counts(void)
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

/*
 * A typed UDP socket that sends before it connects: the kernel bound it to
 * a port at the first sendto(), so odm cannot bind its address at connect()
 * any more; the connection used to get the kernel's source silently.  An
 * explicit setsc() now makes that connect() fail; a cgroup default still
 * fails open.
 */
void test_sendto_then_connect(void)
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
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_SENDTO, seen, sizeof(seen)),
		     SL_ADDR, "the datagram is from the sl address");
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

/* Many threads opening, typing, connecting and closing sockets at once:
 * every setsc() succeeds and the use counts come back to exactly zero. */
void test_stress_threads(void)
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

/* Edge cases: setsc() after connect(); a process moved to another cgroup
 * after socket(); the cgroup removed while the links are pinned. */
void test_edge_cases(void)
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
