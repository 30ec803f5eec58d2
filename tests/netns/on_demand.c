// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * on_demand.c - prefixes asked of the network: DHCPv6 on demand against
 * Kea, the hand-off between access routers, a setsc() that never blocks
 * on odmd, leases odmd cannot publish, the lease file under attack,
 * DHCPv6 servers that are hostile or do not type their grants, and the
 * promises of Fixed and Session-lasting on the host.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "netns.h"
#include "rogue_dhcp6.h"
#include "proto.h"

/* =========================================================================
 * On demand (RFC 8653 sections 3.4, 6.1, 6.2): no prefix of the type is
 * configured, so setsc() makes odmd ask the network, a real Kea DHCPv6
 * server that delegates prefixes per type from class-restricted pools.
 * ========================================================================= */

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

void test_on_demand_dhcpv6(void)
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
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     in6_str(&sl1, buf), "peer sees the delegated address");
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
	ASSERT_STREQ(peer_sees(&a, &net, t, AG_CONNECT, seen, sizeof(seen)),
		     in6_str(&sl2, buf), "peer sees the fresh address");
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

void test_handoff(void)
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
	ASSERT_STREQ(peer_sees(&a, &srv, s, AG_CONNECT, seen, sizeof(seen)),
		     HO_NP2, "server sees IPnp2");
	/* Graceful-replacement is not offered; the retry with Session-lasting
	 * gets IPsl1, which still works after the move (the end of 4.2). */
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "graceful not offered");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "retry sl");
	ASSERT_STREQ(peer_sees(&a, &srv, s, AG_CONNECT, seen, sizeof(seen)),
		     HO_SL, "server sees IPsl1 after the move");
cleanup:
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&srv);
	handoff_teardown(&h);
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
void test_setsc_never_blocks(void)
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

/*
 * More requests at once than odmd has client slots (figure 11's scale): a
 * root application's 300 requests for a type the network is slow to
 * delegate.  odmd used to accept the ones past its 256 slots and close them
 * at once (the application saw odmd go away: EAI_REQUIREDIPFAILED); now
 * they wait in its backlog for the slots the answers free, and every one
 * is served, by one exchange.
 */
void test_queued_beyond_slots(void)
{
	struct agent_req rq = { .op = AG_SETSC_MANY, .id = NON_PERSISTENT_IPV6_ADDRESS,
				.arg = 300 };
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct env e;

	/* No server yet: the exchange waits for a retransmission, and the
	 * requests fill odmd's table meanwhile. */
	if (!ASSERT_TRUE(on_demand_world(&e, false), "odmd, no DHCPv6 server yet") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "a root application") ||
	    !ASSERT_TRUE(agent_send(&a, &rq), "300 setsc_start() at once"))
		goto cleanup;
	usleep(300 * 1000);
	ASSERT_TRUE(env_start_kea(&e, kea_pools), "the server answers from now on");
	if (!ASSERT_TRUE(agent_recv(&a, AG_SETSC_MANY, &rs), "every request finished"))
		goto cleanup;
	ASSERT_EQ(rs.ret, 300, "every request served");
	ASSERT_EQ(rs.arg, 1, "one address for all");
	ASSERT_EQ(env_kea_leases(&e), 1, "by one exchange");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * A delegated prefix odmd cannot put on the host (here: the prefix map is
 * full) is released at once: a lease left bound would be renewed for ever,
 * held by nobody and counted in no max-held.
 */
void test_lease_publish_fails(void)
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

		k.prefix.w[0] = htonl(0x20010db8);
		k.prefix.w[1] = htonl(0xe0000000u | (unsigned int)n);
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

		k.prefix.w[0] = htonl(0x20010db8);
		k.prefix.w[1] = htonl(0xe0000000u | (unsigned int)i);
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
 * The lease file (security review, Low): root odmd wrote FILE.tmp with
 * fopen(), so a symlink planted there overwrote any file; a directory
 * others may write is refused; restored leases are checked like fresh
 * ones (::/0 or multicast from a tampered file never becomes a typed prefix).
 */
void test_lease_file_attacks(void)
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

void test_hostile_dhcp6(void)
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
	ASSERT_STREQ(peer_sees(&a, &net, t, AG_SENDTO, seen, sizeof(seen)),
		     in6_str(&addr, buf), "the peer sees the delegated address");
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

void test_untyped_grant(void)
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
	long long released;
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
	ASSERT_STREQ(peer_sees(&a, &net, t, AG_SENDTO, seen, sizeof(seen)),
		     in6_str(&addr, buf), "the peer sees the untyped grant's address");
	ag_simple(&a, AG_CLOSE, t, 0, NULL);
	ASSERT_TRUE(odmd_logged(&e, "dhcpv6: took 2001:db8:66::/64 for non-persistent untyped"),
		    "odmd says it took an untyped grant");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -c ' 2001:db8:66::/64 .* untyped -$' "
			     "%s/leases", e.tmpdir), 0, "the lease file says untyped");

	/* Restored while the switch allows it... */
	env_stop_odmd(&e, false);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd restarts with the switch"))
		goto cleanup;
	ASSERT_STREQ(prefix_row(&e, "2001:db8:66::/64", row, sizeof(row)),
		     "non-persistent dhcpv6 valid", "restored");

	/* ...released and withdrawn once it does not. */
	env_stop_odmd(&e, false);
	released = stat_of(&e, "dhcp6_release_sent");	/* the pinned count outlives odmd */
	ASSERT_TRUE(released >= 1, "Releases counted so far (the refused untyped Reply's)");
	snprintf(e.odmd_args, sizeof(e.odmd_args), "%s --lease-file %s/leases 2>>%s/odmd.log",
		 base, e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(rogue_start(&e, &r, &untyped), "rogue"))
		goto cleanup;
	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts without the switch");
	ASSERT_TRUE(wait_logged(&e, "instead of restoring it"), "odmd says it gives it back");
	/* The Release leaves just after the log line: wait for odmd to count it sent. */
	for (t = 0; t < 50 && stat_of(&e, "dhcp6_release_sent") <= released; t++)
		usleep(100 * 1000);
	ASSERT_TRUE(t < 50, "odmd counts a Release sent");
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

/* =========================================================================
 * Fixed and Session-lasting keep their promise on the host (RFC 8653
 * sections 3.3, 3.4): a Fixed address is the same after a restart, a
 * reboot and a link flap, and serves; a Session-lasting prefix no socket
 * uses any more is given back to the network after --sl-linger.
 * ========================================================================= */

/* The /64 of a delegated address, as `odm prefix list` prints it. */
static const char *prefix64(const struct in6_addr *a, char *buf, size_t len)
{
	struct in6_addr p = *a;
	char tmp[INET6_ADDRSTRLEN];

	memset(p.s6_addr + 8, 0, 8);
	snprintf(buf, len, "%s/64", inet_ntop(AF_INET6, &p, tmp, sizeof(tmp)));
	return buf;
}

/*
 * A client in the net namespace connects to addr, where the agent listens
 * (socket ls): the accepted socket is at addr, the client's peer is addr,
 * and the server's reply reaches the client.
 */
static void served_at(struct env *e, struct agent *a, int ls, const char *addr)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = make_sa6(&ss, addr, PORT, NULL, NULL), plen = sizeof(peer);
	struct agent_resp rs;
	char buf[64];
	int cs, id;

	if (!ASSERT_TRUE(ns_enter(e->net_ns), "enter net"))
		return;
	cs = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ns_restore(e);
	if (!ASSERT_EQ(connect(cs, (struct sockaddr *)&ss, len), 0, "client connects to it"))
		goto out;
	id = ag_simple(a, AG_ACCEPT, ls, 0, &rs) == 0 ? rs.ret : -1;
	if (!ASSERT_TRUE(id >= 0, "server accepts"))
		goto out;
	ASSERT_STREQ(sa_addr_str(&rs.local, buf, sizeof(buf)), addr,
		     "the accepted socket is at the fixed address");
	ASSERT_STREQ(sa_addr_str(&rs.peer, buf, sizeof(buf)), NET_ADDR, "from the client");
	ASSERT_EQ(ag_simple(a, AG_SEND, id, 0, NULL), 0, "server replies");
	ASSERT_TRUE(wait_readable(cs) && recv(cs, buf, sizeof(buf), 0) > 0, "client gets the reply");
	ASSERT_TRUE(getpeername(cs, (struct sockaddr *)&peer, &plen) == 0 &&
		    !strcmp(sa_addr_str(&peer, buf, sizeof(buf)), addr), "the reply came from it");
	ag_simple(a, AG_CLOSE, id, 0, NULL);
out:
	close(cs);
}

/* setsc(FIXED) on a new socket of the agent: the address, or "" on failure. */
static const char *fixed_now(struct agent *a, char *buf)
{
	struct in6_addr addr;
	int s = ag_socket(a, SOCK_DGRAM), rc;

	rc = ag_setsc(a, s, FIXED_IPV6_ADDRESS, &addr);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	if (rc) {
		snprintf(buf, INET6_ADDRSTRLEN, "(setsc %d)", rc);
		return buf;
	}
	return in6_str(&addr, buf);
}

/*
 * Kea and odmd asking it on veth-h, odmd's log in tmpdir, and an agent of
 * uid in the cgroup.  The operator's static addresses survive a flap;
 * odm's, with lifetimes, do not (keep_addr_on_down keeps permanent ones
 * only): what the two tests below show odmd puts back.
 */
static bool flap_world(struct env *e, struct agent *a, uid_t uid)
{
	if (!ASSERT_TRUE(env_setup(e, "# on demand\n"), "setup"))
		return false;
	snprintf(e->odmd_args, sizeof(e->odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases 2>>%s/odmd.log", e->tmpdir, e->tmpdir);
	return ASSERT_TRUE(sys("ip netns exec %s sysctl -qw net.ipv6.conf.veth-h.keep_addr_on_down=1",
			       e->host_ns), "keep_addr_on_down") &&
	       ASSERT_TRUE(env_start_kea(e, kea_pools), "kea") &&
	       ASSERT_TRUE(env_start_odmd(e), "odmd") &&
	       ASSERT_TRUE(agent_start(e, a, e->cgroup, uid), "agent");
}

/*
 * A Fixed address from the network is the host's for the lease's life:
 * odmd killed and restarted, a reboot (the address gone, the lease file
 * left: it records the address) and a link flap (the kernel flushes it)
 * give the same address back, not a new identifier in the prefix, and a
 * server listening on it is reached there each time.
 */
void test_fixed_kept(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr fx;
	char fxs[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], out[256];
	struct env e;
	int ls, i;

	if (!flap_world(&e, &a, 65534))
		goto cleanup;

	/* A server on the Fixed address: setsc(), bind to it, listen. */
	ls = ag_socket(&a, SOCK_STREAM);
	if (!ASSERT_EQ(ag_setsc(&a, ls, FIXED_IPV6_ADDRESS, &fx), 0, "setsc fixed on demand"))
		goto cleanup;
	ASSERT_TRUE(in_pool(&fx, 0xf0), "from the fixed pool");
	in6_str(&fx, fxs);
	if (!ASSERT_EQ(ag_addr_op(&a, AG_LISTEN, ls, fxs, PORT, NULL), 0, "listen on it"))
		goto cleanup;
	served_at(&e, &a, ls, fxs);
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -c ' %s$' %s/leases", fxs, e.tmpdir), 0,
		  "the lease file records the address");

	/* odmd killed and restarted, its lease file as an older odmd wrote it
	 * (no address field): the address on the interface is kept, and
	 * recorded again. */
	env_stop_odmd(&e, true);
	if (!ASSERT_TRUE(sys("sed -i 's/ [^ ]*$//' %s/leases", e.tmpdir), "an older lease file") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd restarts"))
		goto cleanup;
	ASSERT_STREQ(fixed_now(&a, buf), fxs, "same fixed address after a restart");
	for (i = 0; i < 30 && sys_status(out, sizeof(out), "grep -q ' typed %s$' %s/leases",
					 fxs, e.tmpdir); i++)
		usleep(100 * 1000);
	ASSERT_TRUE(i < 30, "the address recorded again");

	/* A reboot: odmd gone, the address with it, the lease file kept. */
	FAULT();
	env_stop_odmd(&e, true);
	if (!ASSERT_TRUE(sys("ip -n %s addr del %s/128 dev veth-h", e.host_ns, fxs), "reboot") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd starts again"))
		goto cleanup;
	ASSERT_STREQ(fixed_now(&a, buf), fxs, "same fixed address after a reboot");
	ASSERT_EQ(addrs_in(&e, fxs), 1, "back on the interface");
	served_at(&e, &a, ls, fxs);

	/* A link flap flushes it (the kernel says so); odmd puts the same one back. */
	FAULT();
	if (!ASSERT_TRUE(sys("(timeout 5 ip -n %s -6 monitor address > %s/mon 2>&1 &) && "
			     "sleep 0.3", e.host_ns, e.tmpdir), "address monitor") ||
	    !ASSERT_TRUE(sys("ip -n %s link set veth-h down && sleep 0.3 && "
			     "ip -n %s link set veth-h up", e.host_ns, e.host_ns), "link flap"))
		goto cleanup;
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_FIXED, fxs), "handed out again");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -q 'Deleted.* %s/128' %s/mon", fxs, e.tmpdir),
		  0, "the flap flushed it");
	ASSERT_STREQ(fixed_now(&a, buf), fxs, "same fixed address after a link flap");
	served_at(&e, &a, ls, fxs);
	ASSERT_EQ(env_kea_leases(&e), 1, "and nothing more asked of the network");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Until Kea holds n prefixes; 12 s at most.  Milliseconds it took, or -1. */
static long kea_leases_become(struct env *e, int n)
{
	struct timespec t0, t1;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 120; i++) {
		if (env_kea_leases(e) == n) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		}
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * Session-lasting prefixes asked with ON_NET piled up for ever: nothing
 * gave one back.  Now a delegated Session-lasting prefix goes --sl-linger
 * seconds after its last socket closed: DHCPv6 Release (Kea no longer
 * holds it), its address removed, its map entry gone; while a socket holds
 * one it stays, however long.
 */
void test_sl_linger(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr sl1, sl2, addr;
	char p1[64], p2[64], buf[INET6_ADDRSTRLEN], row[128], out[512];
	struct env e;
	long ms;
	int s1, s2;

	/* A bad value is a usage error, as for odmd's other options. */
	ASSERT_EQ(sys_status(out, sizeof(out), "build/odmd --cgroup / --sl-linger soon 2>&1"), 2,
		  "--sl-linger soon exits 2");
	ASSERT_HAS(out, "invalid --sl-linger 'soon'", "names the value");
	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--sl-linger 2"), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	s1 = ag_socket(&a, SOCK_STREAM);
	s2 = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s1, SESSION_LASTING_IPV6_ADDRESS, &sl1), 0, "setsc sl");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s2, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "set ON_NET");
	ASSERT_EQ(ag_setsc(&a, s2, SESSION_LASTING_IPV6_ADDRESS, &sl2), 0, "setsc sl on-net");
	prefix64(&sl1, p1, sizeof(p1));
	prefix64(&sl2, p2, sizeof(p2));
	if (!ASSERT_TRUE(strcmp(p1, p2) != 0, "two prefixes") ||
	    !ASSERT_EQ(env_kea_leases(&e), 2, "Kea delegated both"))
		goto cleanup;

	/* The on-net socket closes: its prefix goes after the linger. */
	ag_simple(&a, AG_CLOSE, s2, 0, NULL);
	ms = kea_leases_become(&e, 1);
	ASSERT_TRUE(ms >= 1500, "not before the linger");
	ASSERT_TRUE(ms >= 0 && ms < 6000, "released after it (Kea holds one prefix)");
	ASSERT_EQ(addrs_in(&e, in6_str(&sl2, buf)), 0, "its address removed");
	ASSERT_STREQ(prefix_row(&e, p2, row, sizeof(row)), "", "odm prefix list no longer shows it");
	ASSERT_STREQ(prefix_row(&e, p1, row, sizeof(row)), "session-lasting dhcpv6 valid",
		     "the other prefix stays");

	/* Held by a socket: kept well past the linger. */
	sleep(4);
	ASSERT_EQ(env_kea_leases(&e), 1, "a prefix a socket holds is not released");
	ASSERT_EQ(addrs_in(&e, in6_str(&sl1, buf)), 1, "nor its address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s1, NET_ADDR, PORT, NULL), ECONNREFUSED,
		  "its socket still reaches the network (refused: no listener)");

	/* Its last socket closes: released too; a later setsc() asks anew. */
	ag_simple(&a, AG_CLOSE, s1, 0, NULL);
	ASSERT_TRUE(kea_leases_become(&e, 0) >= 0, "released after its last socket");
	ASSERT_EQ(addrs_in(&e, in6_str(&sl1, buf)), 0, "its address removed");
	ASSERT_STREQ(prefix_row(&e, p1, row, sizeof(row)), "", "and its entry");
	s1 = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s1, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl again");
	ASSERT_TRUE(in_pool(&addr, 0x51), "a prefix from the network again");
	ASSERT_EQ(env_kea_leases(&e), 1, "one lease");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* =========================================================================
 * A host on several networks at once (RFC 8415 on each): the types each
 * network is asked for, Rebind when a link comes back, a network whose
 * interface goes away.
 * ========================================================================= */

/*
 * RFC 8415 18.2.12: a link that comes back may be another link; the client
 * Rebinds every delegated prefix at once (Confirm is for addresses).  Kea
 * sees it (a new line for each lease in its lease file, long before T1),
 * and the leases come back with the same prefixes and, for the types that
 * keep one, the same address.
 */
void test_rebind_on_link_up(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr sl, fx, addr;
	char slp[64], fxp[64], buf[INET6_ADDRSTRLEN], buf2[INET6_ADDRSTRLEN], out[256];
	struct env e;
	int s, t, sl_lines, fx_lines, i;

	if (!flap_world(&e, &a, 0))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	t = ag_socket(&a, SOCK_STREAM);
	if (!ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &sl), 0, "setsc sl") ||
	    !ASSERT_EQ(ag_setsc(&a, t, FIXED_IPV6_ADDRESS, &fx), 0, "setsc fixed"))
		goto cleanup;
	kea_prefix(&sl, slp, sizeof(slp));
	kea_prefix(&fx, fxp, sizeof(fxp));
	sl_lines = kea_lines(e.tmpdir, slp);
	fx_lines = kea_lines(e.tmpdir, fxp);
	ASSERT_TRUE(sl_lines >= 1 && fx_lines >= 1, "Kea has both leases");

	FAULT();
	if (!ASSERT_TRUE(sys("ip -n %s link set veth-h down && sleep 0.3 && "
			     "ip -n %s link set veth-h up", e.host_ns, e.host_ns), "link flap"))
		goto cleanup;
	ASSERT_TRUE(wait_logged(&e, "veth-h is up again: rebinding its 2 lease(s)"),
		    "odmd rebinds when the link is back");
	for (i = 0; i < 80 && (kea_lines(e.tmpdir, slp) <= sl_lines ||
			       kea_lines(e.tmpdir, fxp) <= fx_lines); i++)
		usleep(100 * 1000);
	ASSERT_TRUE(kea_lines(e.tmpdir, slp) > sl_lines, "Kea answered a Rebind for the sl lease");
	ASSERT_TRUE(kea_lines(e.tmpdir, fxp) > fx_lines, "and for the fixed one");
	ASSERT_EQ(env_kea_leases(&e), 2, "both leases survive, no new one");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, in6_str(&sl, buf)), "sl back");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_FIXED, in6_str(&fx, buf)), "fixed back");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl after");
	ASSERT_STREQ(in6_str(&addr, buf), in6_str(&sl, buf2), "same prefix and address");

	/*
	 * The carrier lost and found from the other end, as when a radio
	 * re-attaches.  veth-h is its own link in its namespace (its peer
	 * has the same index in the server's), so the kernel reports its
	 * carrier at most once a second: right after one report, a second
	 * flap reaches odmd as one message that says "up", and only the
	 * carrier count says the link was away.
	 */
	SUBTEST("a carrier flap the kernel reports as one 'up'");
	ASSERT_EQ(sys_status(out, sizeof(out), "ip -n %s -j link show veth-h | "
			     "jq -e '.[0].ifindex == .[0].link_index'", e.host_ns), 0,
		  "veth-h's peer has its index (the kernel's slow path for its carrier)");
	ASSERT_EQ(wait_logged_n(&e, "veth-h is up again", 1), 1, "one rebind so far");
	if (!ASSERT_TRUE(sys("ip -n %s link set veth-s down && ip -n %s link set veth-s up",
			     e.net_ns, e.net_ns), "the peer's flap"))
		goto cleanup;
	ASSERT_EQ(wait_logged_n(&e, "veth-h is up again", 2), 2, "a rebind for it");
	if (!ASSERT_TRUE(sys("ip -n %s link set veth-s down && ip -n %s link set veth-s up",
			     e.net_ns, e.net_ns), "a second flap inside the kernel's second"))
		goto cleanup;
	ASSERT_EQ(wait_logged_n(&e, "veth-h is up again", 3), 3, "a rebind for that one too");
	ASSERT_EQ(env_kea_leases(&e), 2, "still the two leases");
	test_subtest_end();
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* The second network's pools: in 2001:db8:XX00::/40 with XX 0x52, 0xa2, 0xf2. */
static const char *const kea2_pools[] = {
	"2 2001:db8:5200::/40",
	"1 2001:db8:a200::/40",
	"3 2001:db8:f200::/40",
	NULL,
};

/*
 * Two networks, two Kea servers.  The config names which types each one is
 * asked for: veth-h2 first for Session-lasting and Non-persistent, veth-h
 * for Fixed and Session-lasting (and --dhcp6 veth-h, which the config
 * types).  Each type comes from its network's pool; a type none offers is
 * refused at once.  veth-h2 flaps: Rebind.  veth-h2 is deleted while a
 * request waits on it: its prefixes are withdrawn, the request is served
 * by veth-h, which also offers the type; Non-persistent, which only
 * veth-h2 offered, is no longer offered.
 */
void test_networks(void)
{
	static const char config[] =
		"network veth-h2 types session-lasting,non-persistent\n"
		"network veth-h types fixed,session-lasting\n";
	struct agent_req rq = { .family = SESSION_LASTING_IPV6_ADDRESS };
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct in6_addr sl, np, fx, addr;
	char slp[64], npp[64], row[128], out[512], bad[256], net2[160];
	char buf[INET6_ADDRSTRLEN], buf2[80];
	struct timespec t0, t1;
	struct env e;
	int s_sl, s_fx, s, lines, i;
	FILE *f;

	if (!ASSERT_TRUE(env_setup(&e, config), "setup") ||
	    !ASSERT_TRUE(env_add_net2(&e), "second network"))
		goto cleanup;
	snprintf(net2, sizeof(net2), "%s/net2", e.tmpdir);

	/* Bad input: a type named twice, an unknown --dhcp6 interface or a
	 * network interface that does not exist; nothing is loaded. */
	snprintf(bad, sizeof(bad), "%s/bad.conf", e.tmpdir);
	f = fopen(bad, "w");
	if (!ASSERT_TRUE(f != NULL, "bad config"))
		goto cleanup;
	fprintf(f, "# twice\nnetwork veth-h types fixed,session-lasting,fixed\n");
	fclose(f);
	ASSERT_EQ(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --cgroup %s "
			     "--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, bad, e.pin_dir),
		  1, "a type named twice: config error");
	ASSERT_HAS(out, ":2: type fixed named twice in 'fixed,session-lasting,fixed'",
		   "FILE:LINE and what");
	ASSERT_EQ(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --cgroup %s "
			     "--dhcp6 veth-h --dhcp6 nosuch0 --pin-dir %s 2>&1", e.host_ns,
			     e.cgroup, e.pin_dir), 2, "--dhcp6 with no such interface exits 2");
	ASSERT_HAS(out, "--dhcp6: no interface 'nosuch0'", "and says so");
	ASSERT_EQ(sys_status(out, sizeof(out), "build/odmd --cgroup %s --dhcp6 veth-h "
			     "--dhcp6 veth-h2 --dhcp6 veth-h 2>&1", e.cgroup), 2,
		  "--dhcp6 twice for one interface exits 2");
	ASSERT_HAS(out, "--dhcp6 veth-h given twice", "and says so");
	f = fopen(bad, "w");
	if (!ASSERT_TRUE(f != NULL, "bad config"))
		goto cleanup;
	fprintf(f, "network veth-h types all\nnetwork nosuch0 types fixed\n");
	fclose(f);
	ASSERT_EQ(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --cgroup %s "
			     "--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, bad, e.pin_dir),
		  1, "a network with no such interface");
	ASSERT_HAS(out, ":2: no interface 'nosuch0'", "FILE:LINE");
	ASSERT_EQ(sys_status(out, sizeof(out), "test -e %s", e.pin_dir), 1, "nothing loaded");

	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases 2>>%s/odmd.log", e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea on veth-s") ||
	    !ASSERT_TRUE(env_start_kea2(&e, kea2_pools), "kea on veth-s2") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;

	/* Each type from the first network asked for it. */
	s_sl = ag_socket(&a, SOCK_STREAM);
	s_fx = ag_socket(&a, SOCK_STREAM);
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s_sl, SESSION_LASTING_IPV6_ADDRESS, &sl), 0, "setsc sl");
	ASSERT_TRUE(in_pool(&sl, 0x52), "session-lasting from veth-h2, the first to offer it");
	ASSERT_EQ(ag_setsc(&a, s_fx, FIXED_IPV6_ADDRESS, &fx), 0, "setsc fixed");
	ASSERT_TRUE(in_pool(&fx, 0xf0), "fixed from veth-h, the only one asked for it");
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &np), 0, "setsc np");
	ASSERT_TRUE(in_pool(&np, 0xa2), "non-persistent from veth-h2");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "graceful-replacement: no network is asked for it");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_TRUE((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500,
		    "at once, without a DHCPv6 exchange");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_kea_leases(&e), 1, "veth-h's Kea: the fixed prefix");
	ASSERT_EQ(env_kea2_leases(&e), 2, "veth-h2's Kea: session-lasting and non-persistent");
	kea_prefix(&sl, slp, sizeof(slp));
	kea_prefix(&np, npp, sizeof(npp));
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -q ' session-lasting %s/64 ' %s/leases", slp,
			     e.tmpdir), 0, "the first network's leases in --lease-file");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -q ' fixed %s/64 ' %s/leases.veth-h",
			     kea_prefix(&fx, buf, sizeof(buf)), e.tmpdir), 0,
		  "the second's in FILE.IFNAME");

	/* veth-h2 flaps: Rebind, the leases and the sl address stay. */
	FAULT();
	lines = kea_lines(net2, slp);
	if (!ASSERT_TRUE(sys("ip -n %s link set veth-h2 down && sleep 0.3 && "
			     "ip -n %s link set veth-h2 up", e.host_ns, e.host_ns), "flap veth-h2"))
		goto cleanup;
	ASSERT_TRUE(wait_logged(&e, "veth-h2 is up again: rebinding its 2 lease(s)"),
		    "odmd rebinds on veth-h2");
	for (i = 0; i < 80 && kea_lines(net2, slp) <= lines; i++)
		usleep(100 * 1000);
	ASSERT_TRUE(kea_lines(net2, slp) > lines, "veth-h2's Kea answered the Rebind");
	ASSERT_EQ(env_kea2_leases(&e), 2, "its leases survive");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, in6_str(&sl, buf)),
		    "same session-lasting prefix and address");
	ASSERT_TRUE(!odmd_logged(&e, "veth-h is up again"), "veth-h was not disturbed");

	/* veth-h2's server falls silent; a request waits on it; veth-h2 goes. */
	FAULT();
	env_stop_kea2(&e);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "set ON_NET");
	rq.op = AG_SETSC_START;
	rq.id = s;
	rq.arg = 9000;
	if (!ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc_start sl on-net") ||
	    !ASSERT_EQ(rs.ret, 0, "pending"))
		goto cleanup;
	usleep(500 * 1000);	/* its Solicit goes out on veth-h2 */
	if (!ASSERT_TRUE(sys("ip -n %s link del veth-h2", e.host_ns), "veth-h2 deleted"))
		goto cleanup;
	rq.op = AG_SETSC_WAIT;
	rq.arg = 9000;
	if (ASSERT_TRUE(agent_call(&a, &rq, &rs), "wait")) {
		ASSERT_EQ(rs.ret, 0, "the waiting request is served by veth-h");
		ASSERT_TRUE(in_pool(&rs.addr, 0x51), "from veth-h's session-lasting pool");
	}
	ASSERT_TRUE(odmd_logged(&e, "veth-h2 is gone: withdrawing its 2 lease(s)"), "logged");
	snprintf(buf2, sizeof(buf2), "%s/64", slp);
	ASSERT_STREQ(prefix_row(&e, buf2, row, sizeof(row)), "", "veth-h2's sl prefix withdrawn");
	snprintf(buf2, sizeof(buf2), "%s/64", npp);
	ASSERT_STREQ(prefix_row(&e, buf2, row, sizeof(row)), "", "and its np prefix");
	ASSERT_EQ(sys_status(out, sizeof(out), "grep -vc '^#' %s/leases", e.tmpdir), 1,
		  "its lease file holds nothing");
	ASSERT_EQ(env_kea_leases(&e), 2, "veth-h's Kea: fixed and the new session-lasting");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "non-persistent: no network left offers it");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "fixed, as before");
	ASSERT_STREQ(in6_str(&addr, buf), in6_str(&fx, buf2), "the same fixed address");
	ASSERT_TRUE(kill(e.odmd, 0) == 0, "odmd still running");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}
