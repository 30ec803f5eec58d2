// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * multihome.c - a mobile host on several networks at once: egress follows
 * the source (loader/egress.c).
 *
 *   "host"                        "cellular"                   "correspondent"
 *   veth-c fe80::2 ------ c-host fe80::c, c-core fe80::1 ------ k-c fe80::2
 *     2001:db8:c::10 (untyped), c:1::10 (SL), c:2::10 (fixed)
 *                                                               2001:db8:cc::1 on lo
 *   veth-w fe80::2 ------ w-host fe80::a, w-core fe80::1 ------ k-w fe80::2
 *     2001:db8:a:1::10 (NP)       "wifi"
 *
 * Each router forwards only what the host sends from its own network's
 * prefix (BCP 38) and drops the rest; the correspondent routes each
 * network's prefix back through its router.  The host's default routes:
 * cellular (metric 100), wifi (metric 200).  The env's own veth pair stays
 * unused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "netns.h"
#include "relay6.h"

#ifndef ODM_BUILD_DIR
#define ODM_BUILD_DIR "build"
#endif

#define CN_ADDR		"2001:db8:cc::1"
#define CELL_LL		"fe80::c"
#define WIFI_LL		"fe80::a"
/* Cellular: an untyped address, Session-lasting and Fixed; wifi: Non-persistent. */
#define MH_UNTYPED	"2001:db8:c::10"
#define MH_SL_ADDR	"2001:db8:c:1::10"
#define MH_FX_ADDR	"2001:db8:c:2::10"
#define MH_NP_ADDR	"2001:db8:a:1::10"

static const char mh_config[] =
	"prefix 2001:db8:c:1::/64 type session-lasting dev veth-c\n"
	"prefix 2001:db8:c:2::/64 type fixed dev veth-c\n"
	"prefix 2001:db8:a:1::/64 type non-persistent dev veth-w\n";

/* odmd's routes as `ip route` shows them: "SOURCE GATEWAY DEV METRIC", sorted. */
#define RT_NP	"2001:db8:a:1::/64 " WIFI_LL " veth-w 200\n"
#define RT_SL	"2001:db8:c:1::/64 " CELL_LL " veth-c 100\n"
#define RT_FX	"2001:db8:c:2::/64 " CELL_LL " veth-c 100\n"

/* The routers' and the correspondent's namespaces, named after the env's
 * net namespace so that netns_test's sweep finds them after a crash. */
struct uplinks {
	char cell[ENV_NAME_MAX + 8];
	char wifi[ENV_NAME_MAX + 8];
	char cn[ENV_NAME_MAX + 8];
};

/*
 * One access router in ns, named rtr ("c", "w"): its link rtr-host to the
 * host's hostif and rtr-core to the correspondent's cnif, link-locals only
 * (no DAD, no SLAAC: nothing tentative), forwarding, and the source filter
 * of a network that owns prefix: from the host, only prefix is forwarded.
 */
static bool router_setup(struct env *e, const char *ns, const char *hostif, const char *rtr,
			 const char *ll, const char *cn, const char *cnif, const char *prefix)
{
	const char *h = e->host_ns;

	return sys("ip -n %s link add %s type veth peer name %s-host netns %s",
		   h, hostif, rtr, ns) &&
	       sys("ip -n %s link add %s-core type veth peer name %s netns %s",
		   ns, rtr, cnif, cn) &&
	       sys("ip -n %s link set %s addrgenmode none up", h, hostif) &&
	       sys("ip -n %s link set %s addrgenmode none up", cn, cnif) &&
	       sys("ip -n %s link set %s-host addrgenmode none up", ns, rtr) &&
	       sys("ip -n %s link set %s-core addrgenmode none up", ns, rtr) &&
	       sys("ip -n %s link set lo up", ns) &&
	       sys("ip -n %s addr add fe80::2/64 dev %s nodad", h, hostif) &&
	       sys("ip -n %s addr add fe80::2/64 dev %s nodad", cn, cnif) &&
	       sys("ip -n %s addr add %s/64 dev %s-host nodad", ns, ll, rtr) &&
	       sys("ip -n %s addr add fe80::1/64 dev %s-core nodad", ns, rtr) &&
	       sys("nsenter --net=/run/netns/%s sysctl -qw net.ipv6.conf.all.forwarding=1", ns) &&
	       sys("ip -n %s -6 route add %s dev %s-host", ns, prefix, rtr) &&
	       sys("ip -n %s -6 route add default via fe80::2 dev %s-core", ns, rtr) &&
	       sys("ip -n %s -6 rule add iif %s-host from %s lookup main pref 100",
		   ns, rtr, prefix) &&
	       sys("ip -n %s -6 rule add iif %s-host pref 200 blackhole", ns, rtr) &&
	       sys("ip -n %s -6 route add %s via fe80::1 dev %s", cn, prefix, cnif);
}

/*
 * The namespaces and routers of the picture above, each router forwarding
 * only cell_net or wifi_net from the host, and the host's default routes;
 * no address on the host.
 */
static bool uplinks_build(struct env *e, struct uplinks *u, const char *cell_net,
			  const char *wifi_net)
{
	const char *h = e->host_ns;

	snprintf(u->cell, sizeof(u->cell), "%s-cell", e->net_ns);
	snprintf(u->wifi, sizeof(u->wifi), "%s-wifi", e->net_ns);
	snprintf(u->cn, sizeof(u->cn), "%s-cn", e->net_ns);
	return sys("ip netns add %s && ip netns add %s && ip netns add %s",
		   u->cell, u->wifi, u->cn) &&
	       sys("ip -n %s link set lo up", u->cn) &&
	       sys("ip -n %s addr add %s/128 dev lo", u->cn, CN_ADDR) &&
	       router_setup(e, u->cell, "veth-c", "c", CELL_LL, u->cn, "k-c", cell_net) &&
	       router_setup(e, u->wifi, "veth-w", "w", WIFI_LL, u->cn, "k-w", wifi_net) &&
	       sys("ip -n %s -6 route add default via %s dev veth-c metric 100", h, CELL_LL) &&
	       sys("ip -n %s -6 route add default via %s dev veth-w metric 200", h, WIFI_LL);
}

/* The world of the picture above, odmd not started. */
static bool uplinks_setup(struct env *e, struct uplinks *u)
{
	const char *h = e->host_ns;

	return uplinks_build(e, u, "2001:db8:c::/48", "2001:db8:a::/48") &&
	       sys("ip -n %s addr add %s/64 dev veth-c nodad", h, MH_UNTYPED) &&
	       sys("ip -n %s addr add %s/64 dev veth-c nodad", h, MH_SL_ADDR) &&
	       sys("ip -n %s addr add %s/64 dev veth-c nodad", h, MH_FX_ADDR) &&
	       sys("ip -n %s addr add %s/64 dev veth-w nodad", h, MH_NP_ADDR);
}

static void uplinks_teardown(struct uplinks *u)
{
	if (u->cell[0])
		sys("ip netns del %s; ip netns del %s; ip netns del %s; true",
		    u->cell, u->wifi, u->cn);
}

/* The host's routes of odmd's protocol, as RT_* lines, sorted, into out. */
static void odm_routes(struct env *e, char *out, size_t len)
{
	sys_status(out, len, "ip -n %s -6 route show table main proto %d | awk "
		   "'$1 == \"default\" && $2 == \"from\" { print $3, $5, $7, $9 }' | LC_ALL=C sort",
		   e->host_ns, RTPROT_ODM);
}

/* Until odmd's routes are want (5 s at most). */
static bool routes_become(struct env *e, const char *want)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char out[1024];
	int i;

	for (i = 0; i < 100; i++) {
		odm_routes(e, out, sizeof(out));
		if (!strcmp(out, want))
			return true;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  routes of proto %d:\n%s  expected:\n%s", RTPROT_ODM, out, want);
	return false;
}

/*
 * A socket of sock_type, setsc(type) unless type is 0 (its address into
 * addr unless NULL), then connect (TCP) or sendto (UDP) the correspondent:
 * the source it saw into seen,
 * "(nothing)" when nothing arrived.
 */
static void cn_seen(struct agent *a, struct peer *cn, int sock_type, int type,
		    struct in6_addr *addr, char *seen, size_t len)
{
	int s = ag_socket(a, sock_type);

	snprintf(seen, len, "(nothing)");
	if (type && ag_setsc(a, s, type, addr)) {
		snprintf(seen, len, "(setsc failed)");
	} else if (sock_type == SOCK_STREAM) {
		if (!ag_addr_op(a, AG_CONNECT, s, CN_ADDR, PORT, NULL))
			peer_seen_tcp(cn, seen, len);
	} else if (!ag_addr_op(a, AG_SENDTO, s, CN_ADDR, PORT, NULL)) {
		peer_seen_udp(cn, seen, len);
	}
	ag_simple(a, AG_CLOSE, s, 0, NULL);
}

static const struct egress_case {
	const char *name;
	int sock_type;
	int type;		/* 0: untyped */
	const char *want;	/* NULL: the kernel's choice toward CN_ADDR, by cellular */
} egress_cases[] = {
	{ .name = "non-persistent tcp leaves by wifi", .sock_type = SOCK_STREAM,
	  .type = NON_PERSISTENT_IPV6_ADDRESS, .want = MH_NP_ADDR },
	{ .name = "non-persistent udp sendto leaves by wifi", .sock_type = SOCK_DGRAM,
	  .type = NON_PERSISTENT_IPV6_ADDRESS, .want = MH_NP_ADDR },
	{ .name = "session-lasting tcp leaves by cellular", .sock_type = SOCK_STREAM,
	  .type = SESSION_LASTING_IPV6_ADDRESS, .want = MH_SL_ADDR },
	{ .name = "fixed tcp leaves by cellular", .sock_type = SOCK_STREAM,
	  .type = FIXED_IPV6_ADDRESS, .want = MH_FX_ADDR },
	{ .name = "fixed udp sendto leaves by cellular", .sock_type = SOCK_DGRAM,
	  .type = FIXED_IPV6_ADDRESS, .want = MH_FX_ADDR },
	{ .name = "untyped tcp: the main default route, the kernel's source",
	  .sock_type = SOCK_STREAM },
};

/* How many lines of odmd's log (tmpdir/odmd.log) have text. */
static int log_lines(struct env *e, const char *text)
{
	char out[32];

	sys_status(out, sizeof(out), "grep -cF -- '%s' %s/odmd.log", text, e->tmpdir);
	return atoi(out);
}

void test_egress_follows_source(void)
{
	struct agent a = { .pid = -1 };
	struct peer cn = { -1, -1 };
	struct uplinks u;
	char seen[64], kernel_src[64], routes[1024];
	const char *foreign = "egress: a route from 2001:db8:c:2::/64 exists already (proto 4)";
	struct env e;
	size_t i;

	memset(&u, 0, sizeof(u));
	if (!ASSERT_TRUE(env_setup(&e, mh_config), "setup") ||
	    !ASSERT_TRUE(uplinks_setup(&e, &u), "two uplinks"))
		goto cleanup;

	/* Without odmd's routes the source is right and the way is not: the
	 * Non-persistent packets take the cellular default and are dropped. */
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--no-egress-routes 2>>%s/odmd.log",
		 e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd --no-egress-routes") ||
	    !ASSERT_TRUE(peer_open(&e, &cn, u.cn, CN_ADDR, PORT), "correspondent") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	cn_seen(&a, &cn, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, NULL, seen, sizeof(seen));
	ASSERT_STREQ(seen, "(nothing)", "without egress routes the cellular router drops wifi's");
	odm_routes(&e, routes, sizeof(routes));
	ASSERT_STREQ(routes, "", "--no-egress-routes: none");

	/* odmd as it runs by default: one route per typed prefix and router. */
	env_stop_odmd(&e, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "2>>%s/odmd.log", e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(routes_become(&e, RT_NP RT_SL RT_FX), "a route per typed prefix"))
		goto cleanup;
	if (!ASSERT_TRUE(sys_out(kernel_src, sizeof(kernel_src), "ip -n %s -6 route get %s | "
				 "sed -n 's/.* dev veth-c .*src \\([^ ]*\\).*/\\1/p'", e.host_ns,
				 CN_ADDR) && kernel_src[0], "the main route is cellular's"))
		goto cleanup;
	for (i = 0; i < sizeof(egress_cases) / sizeof(egress_cases[0]); i++) {
		const struct egress_case *c = &egress_cases[i];

		SUBTEST(c->name);
		cn_seen(&a, &cn, c->sock_type, c->type, NULL, seen, sizeof(seen));
		ASSERT_STREQ(seen, c->want ? c->want : kernel_src, "source the correspondent saw");
	}
	test_subtest_end();
	ASSERT_TRUE(!strncmp(kernel_src, "2001:db8:c:", 11), "the kernel's source is cellular's");

	/* The wifi router goes: its routes go; it comes back: so do they. */
	ASSERT_TRUE(env_host(&e, "ip -6 route del default via %s dev veth-w metric 200", WIFI_LL),
		    "wifi router gone");
	ASSERT_TRUE(routes_become(&e, RT_SL RT_FX), "no router, no route from wifi's prefix");
	ASSERT_TRUE(env_host(&e, "ip -6 route add default via %s dev veth-w metric 200", WIFI_LL),
		    "wifi router back");
	ASSERT_TRUE(routes_become(&e, RT_NP RT_SL RT_FX), "the router back, the route back");
	cn_seen(&a, &cn, SOCK_STREAM, NON_PERSISTENT_IPV6_ADDRESS, NULL, seen, sizeof(seen));
	ASSERT_STREQ(seen, MH_NP_ADDR, "non-persistent by wifi again");

	/* Someone else's route from a typed prefix: left as it is, logged
	 * once, ours for the prefix withdrawn; gone, ours comes back. */
	ASSERT_TRUE(env_host(&e, "ip -6 route add default from 2001:db8:c:2::/64 via %s "
			     "dev veth-c metric 50 proto static", CELL_LL),
		    "a static route from fixed's prefix");
	ASSERT_TRUE(routes_become(&e, RT_NP RT_SL), "ours from that prefix withdrawn");
	sleep(2);	/* two ticks that find it again */
	ASSERT_TRUE(env_host(&e, "ip -6 route show table main proto static | grep -q "
			     "'from 2001:db8:c:2::/64 via %s'", CELL_LL),
		    "the static route untouched");
	ASSERT_EQ(log_lines(&e, foreign), 1, "logged once");
	ASSERT_TRUE(env_host(&e, "ip -6 route del default from 2001:db8:c:2::/64 proto static"),
		    "the static route removed");
	ASSERT_TRUE(routes_become(&e, RT_NP RT_SL RT_FX), "ours back");

	/* The Non-persistent address goes: so do its routes. */
	ASSERT_TRUE(env_host(&e, "ip addr del %s/64 dev veth-w", MH_NP_ADDR), "np address removed");
	ASSERT_TRUE(routes_become(&e, RT_SL RT_FX), "no address, no route");

	/* odmd exits: the routes stay, as the programs do; --unload takes them. */
	env_stop_odmd(&e, false);
	odm_routes(&e, routes, sizeof(routes));
	ASSERT_STREQ(routes, RT_SL RT_FX, "the routes outlive odmd");
	ASSERT_TRUE(env_host(&e, "%s/odmd --unload --pin-dir %s 2>>%s/odmd.log", ODM_BUILD_DIR,
			     e.pin_dir, e.tmpdir), "odmd --unload");
	odm_routes(&e, routes, sizeof(routes));
	ASSERT_STREQ(routes, "", "--unload removed them");
cleanup:
	/* odmd's log goes with tmpdir: show it while it is there. */
	if (test_case_failed && e.ready)
		sys("cat %s/odmd.log >&2; true", e.tmpdir);
	agent_stop(&a);
	peer_close(&cn);
	env_teardown(&e);
	uplinks_teardown(&u);
}

/* =========================================================================
 * A hand-off between two networks, both on DHCPv6: cellular's Kea (on
 * c-host) delegates Session-lasting, Non-persistent and Fixed prefixes,
 * wifi's (on w-host) Non-persistent only.  Each router forwards only its
 * own network's prefixes: a source from the wrong network never arrives.
 * Wifi runs Kea rather than radvd: env_start_kea_at() serves any
 * interface, and a Rebind is something its server sees (its lease file).
 * ========================================================================= */

#define HO_CELL_NET	"2001:db8:c000::/36"	/* cellular's pools below */
#define HO_AP1_NET	"2001:db8:a100::/40"	/* the first access point's pool */
#define HO_AP2_NET	"2001:db8:a200::/40"	/* the second one's */

static const char *const ho_cell_pools[] = {
	"2 2001:db8:c100::/40",
	"1 2001:db8:c200::/40",
	"3 2001:db8:c300::/40",
	NULL,
};
static const char *const ho_ap1_pools[] = { "1 " HO_AP1_NET, NULL };
static const char *const ho_ap2_pools[] = { "1 " HO_AP2_NET, NULL };

/* Wifi first for Non-persistent: configuration order decides. */
static const char ho_config[] =
	"network veth-w types non-persistent\n"
	"network veth-c types fixed,session-lasting,non-persistent\n";

/* The host's wifi link down: the kernel flushes its addresses and routes. */
static bool wifi_down(struct env *e)
{
	return env_host(e, "ip link set veth-w down");
}

/* And up: its link-local and the wifi router's default route back, as
 * the kernel and a router advertisement would put them. */
static bool wifi_up(struct env *e)
{
	const char *h = e->host_ns;

	return sys("ip -n %s addr replace fe80::2/64 dev veth-w nodad && "
		   "ip -n %s link set veth-w up && "
		   "ip -n %s -6 route replace default via %s dev veth-w metric 200",
		   h, h, h, WIFI_LL);
}

/* The wifi router now forwards from (and routes to) net instead of old. */
static bool wifi_renumber(struct uplinks *u, const char *old, const char *net)
{
	return sys("ip -n %s -6 route del %s dev w-host && ip -n %s -6 route add %s dev w-host",
		   u->wifi, old, u->wifi, net) &&
	       sys("ip -n %s -6 rule del pref 100 && "
		   "ip -n %s -6 rule add iif w-host from %s lookup main pref 100",
		   u->wifi, u->wifi, net) &&
	       sys("ip -n %s -6 route del %s && ip -n %s -6 route add %s via fe80::1 dev k-w",
		   u->cn, old, u->cn, net);
}

/* The leases odmd keeps (its lease files) whose prefix starts with text. */
static int odmd_leases_in(struct env *e, const char *text)
{
	char out[32];

	if (sys_status(out, sizeof(out), "cat %s/leases* 2>/dev/null | grep -c '%s'", e->tmpdir,
		       text) > 1)
		return -1;
	return atoi(out);
}

/* A typed socket to the correspondent: its address into addr, what the
 * correspondent saw into seen, both printed under what. */
static void ho_seen(struct agent *a, struct peer *cn, const char *what, int sock_type,
		    int type, struct in6_addr *addr, char *seen, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	memset(addr, 0, sizeof(*addr));
	cn_seen(a, cn, sock_type, type, addr, seen, len);
	printf("  %s: setsc %s, the correspondent saw %s\n", what, in6_str(addr, buf), seen);
}

/*
 * A Session-lasting TCP session from the host to the correspondent: its
 * socket into *sess, the address setsc() handed out into *sl, printed
 * beside what the correspondent saw, which must be that address.  The
 * correspondent's end, or -1 when the session did not arrive.
 */
static int sl_session(struct agent *a, struct peer *cn, int *sess, struct in6_addr *sl)
{
	char seen[64], buf[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c;

	*sess = ag_socket(a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(a, *sess, SESSION_LASTING_IPV6_ADDRESS, sl), 0, "setsc sl");
	if (!ASSERT_EQ(ag_addr_op(a, AG_CONNECT, *sess, CN_ADDR, PORT, NULL), 0, "sl connect") ||
	    !ASSERT_TRUE(wait_readable(cn->tcp), "the session arrives"))
		return -1;
	c = accept(cn->tcp, (struct sockaddr *)&ss, &len);
	sa_addr_str(&ss, seen, sizeof(seen));
	printf("  1 sl session: setsc %s, the correspondent saw %s\n", in6_str(sl, buf), seen);
	ASSERT_STREQ(seen, in6_str(sl, buf), "the session comes from the session-lasting address");
	return c;
}

/* The session sess carries data both ways: the host sends, the
 * correspondent reads on c and answers, the host reads the answer. */
static void session_talks(struct agent *a, int sess, int c, const char *when)
{
	char what[96];
	long got;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "session sends %s", when);
		ASSERT_EQ(ag_simple(a, AG_SEND, sess, 0, NULL), 0, what);
	}
	got = drain(c);
	printf("  session %s: correspondent got %ld bytes\n", when, got);
	snprintf(what, sizeof(what), "correspondent reads %s", when);
	ASSERT_TRUE(got > 0, what);
	snprintf(what, sizeof(what), "correspondent answers %s", when);
	ASSERT_EQ(send(c, "pong", 4, MSG_NOSIGNAL), 4, what);
	snprintf(what, sizeof(what), "host reads the answer %s", when);
	ASSERT_EQ(ag_simple(a, AG_RECV, sess, 0, NULL), 0, what);
}

void test_handoff_two_networks(void)
{
	struct agent a = { .pid = -1 };
	struct peer cn = { -1, -1 };
	struct uplinks u;
	struct in6_addr sl, fx, np, addr;
	char seen[64], buf[INET6_ADDRSTRLEN], buf2[INET6_ADDRSTRLEN], npp[64];
	char cell_dir[160], ap1_dir[160], ap2_dir[160], what[128];
	pid_t kea_cell = -1, kea_wifi = -1;
	struct env e;
	int sess, c = -1, lines, held, i;

	memset(&u, 0, sizeof(u));
	if (!ASSERT_TRUE(env_setup(&e, ho_config), "setup") ||
	    !ASSERT_TRUE(uplinks_build(&e, &u, HO_CELL_NET, HO_AP1_NET), "two uplinks"))
		goto cleanup;
	snprintf(cell_dir, sizeof(cell_dir), "%s/cell", e.tmpdir);
	snprintf(ap1_dir, sizeof(ap1_dir), "%s/ap1", e.tmpdir);
	snprintf(ap2_dir, sizeof(ap2_dir), "%s/ap2", e.tmpdir);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-c --dhcp6 veth-w "
		 "--dhcp6-max-rt 1000 --lease-file %s/leases 2>>%s/odmd.log", e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea_at(u.cell, "c-host", cell_dir, ho_cell_pools, &kea_cell),
			 "cellular's kea") ||
	    !ASSERT_TRUE(env_start_kea_at(u.wifi, "w-host", ap1_dir, ho_ap1_pools, &kea_wifi),
			 "wifi's kea") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &cn, u.cn, CN_ADDR, PORT), "correspondent") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;

	/* 1. Each type from its network, out through it. */
	SUBTEST("each type leaves by its own network");
	ho_seen(&a, &cn, "1 np tcp", SOCK_STREAM, NON_PERSISTENT_IPV6_ADDRESS, &np, seen,
		sizeof(seen));
	ASSERT_TRUE(in_pool(&np, 0xa1), "non-persistent from wifi's pool");
	ASSERT_STREQ(seen, in6_str(&np, buf), "arrives from it, through wifi");
	ho_seen(&a, &cn, "1 np udp", SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
		sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&np, buf), "udp too");
	ho_seen(&a, &cn, "1 fixed tcp", SOCK_STREAM, FIXED_IPV6_ADDRESS, &fx, seen, sizeof(seen));
	ASSERT_TRUE(in_pool(&fx, 0xc3), "fixed from cellular's pool");
	ASSERT_STREQ(seen, in6_str(&fx, buf), "arrives from it, through cellular");
	ho_seen(&a, &cn, "1 fixed udp", SOCK_DGRAM, FIXED_IPV6_ADDRESS, &addr, seen, sizeof(seen));
	ASSERT_STREQ(seen, in6_str(&fx, buf), "udp too");

	/* The long session: Session-lasting, by cellular. */
	c = sl_session(&a, &cn, &sess, &sl);
	if (c < 0)
		goto cleanup;
	ASSERT_TRUE(in_pool(&sl, 0xc1), "session-lasting from cellular's pool");
	session_talks(&a, sess, c, "before the wifi change");
	test_subtest_end();

	/* 2. Another access point: wifi's link goes and comes back on a
	 * network with another prefix and another server. */
	SUBTEST("wifi changes under a session-lasting session");
	FAULT();
	if (!ASSERT_TRUE(wifi_down(&e), "wifi down"))
		goto cleanup;
	env_stop_kea_at(&kea_wifi);
	/* Kea binds only to a running interface: it starts once the link is
	 * up; odmd's Rebind retransmits meanwhile. */
	if (!ASSERT_TRUE(wifi_renumber(&u, HO_AP1_NET, HO_AP2_NET), "wifi renumbered") ||
	    !ASSERT_TRUE(wifi_up(&e), "wifi up") ||
	    !ASSERT_TRUE(env_start_kea_at(u.wifi, "w-host", ap2_dir, ho_ap2_pools, &kea_wifi),
			 "the new access point's kea"))
		goto cleanup;
	ASSERT_TRUE(wait_logged(&e, "veth-w is up again: rebinding its 1 lease(s)"),
		    "odmd rebinds on the new wifi");
	ho_seen(&a, &cn, "2 np tcp", SOCK_STREAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
		sizeof(seen));
	ASSERT_TRUE(in_pool(&addr, 0xa2), "non-persistent from the new access point's pool");
	ASSERT_STREQ(seen, in6_str(&addr, buf), "arrives through the new wifi");
	session_talks(&a, sess, c, "after the wifi change");
	np = addr;
	/* The Rebind of the first access point's lease reached the new
	 * server, which may bind a new prefix to it (Kea does); the request
	 * may have solicited one too.  Whatever the server bound, odmd keeps. */
	for (i = 0; i < 50 && env_kea_leases_at(ap2_dir) != odmd_leases_in(&e, "2001:db8:a2"); i++)
		usleep(100 * 1000);
	printf("  2 the new access point's server holds %d prefix(es), odmd's lease files %d\n",
	       env_kea_leases_at(ap2_dir), odmd_leases_in(&e, "2001:db8:a2"));
	ASSERT_EQ(env_kea_leases_at(ap2_dir), odmd_leases_in(&e, "2001:db8:a2"),
		  "nothing bound at the server that odmd does not keep");
	test_subtest_end();

	/* 3. Wifi goes: Non-persistent from cellular. */
	SUBTEST("wifi gone: non-persistent by cellular");
	FAULT();
	if (!ASSERT_TRUE(wifi_down(&e), "wifi down"))
		goto cleanup;
	/* Until odmd has seen the address go (RTM_DELADDR): the programs
	 * answer from the maps, which hand it out until then. */
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_NON_PERSISTENT, NULL), "wifi's np no longer handed out");
	ho_seen(&a, &cn, "3 np tcp", SOCK_STREAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
		sizeof(seen));
	ASSERT_TRUE(in_pool(&addr, 0xc2), "non-persistent from cellular's pool");
	ASSERT_STREQ(seen, in6_str(&addr, buf), "arrives through cellular");
	session_talks(&a, sess, c, "with wifi gone");
	test_subtest_end();

	/* 4. Wifi back: its lease Rebound at its server, the same prefix. */
	SUBTEST("wifi back: rebound");
	kea_prefix(&np, npp, sizeof(npp));
	lines = kea_lines(ap2_dir, npp);
	held = env_kea_leases_at(ap2_dir);
	if (!ASSERT_TRUE(wifi_up(&e), "wifi up again"))
		goto cleanup;
	ASSERT_TRUE(wait_logged(&e, "veth-w is up again: rebinding its"), "odmd rebinds");
	for (i = 0; i < 80 && kea_lines(ap2_dir, npp) <= lines; i++)
		usleep(100 * 1000);
	printf("  4 wifi's kea: %d line(s) for %s before, %d after\n", lines, npp,
	       kea_lines(ap2_dir, npp));
	ASSERT_TRUE(kea_lines(ap2_dir, npp) > lines, "the wifi server answered a Rebind");
	ASSERT_EQ(env_kea_leases_at(ap2_dir), held, "the server holds no new lease");
	snprintf(what, sizeof(what), "non-persistent renewed %s/64", npp);
	ASSERT_TRUE(wait_logged(&e, what), "odmd has the Reply");
	ho_seen(&a, &cn, "4 np tcp", SOCK_STREAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
		sizeof(seen));
	ASSERT_STREQ(kea_prefix(&addr, buf, sizeof(buf)), npp,
		     "non-persistent by wifi again, from the rebound prefix");
	ASSERT_STREQ(seen, in6_str(&addr, buf2), "arrives through wifi");
	test_subtest_end();
cleanup:
	if (test_case_failed && e.ready)
		sys("cat %s/odmd.log >&2; true", e.tmpdir);
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&cn);
	env_stop_kea_at(&kea_wifi);
	env_stop_kea_at(&kea_cell);
	env_teardown(&e);
	uplinks_teardown(&u);
}

/* =========================================================================
 * A routed anchor: the Session-lasting prefix belongs to an anchor behind
 * two access routers, and it follows the host from one to the other
 * because of what the host itself does.
 *
 *   "host" veth-m ---- "air": bridge, the host's radio ---- r1-air "ar1" r1-core ---- anc-1
 *                              (one access router's port        (relay)                 "anchor":
 *                               on it at a time)                                  Kea, the correspondent
 *                                                     ---- r2-air "ar2" r2-core ---- anc-2
 *
 * Both access routers show the host the same router (fe80::1, one MAC),
 * as PMIPv6's access gateways do (RFC 5213 section 6.8): a move is a
 * carrier loss and nothing else.  Each relays DHCPv6 to the anchor's Kea
 * and, as RFC 8987 asks of a relay in front of prefix delegation, routes
 * (and forwards from) only what it saw delegated.  Kea's run_script hook
 * points the anchor's route for a prefix at the relay its last request
 * came through.  After the move the test changes no route: odmd's Rebind
 * on the new link (RFC 8415 18.2.12) is what moves the prefix.
 * ========================================================================= */

#define AN_POOL		"2001:db8:5100::/40"	/* the anchor's Session-lasting pool */
#define AN_LINK		"2001:db8:5000::1"	/* the relays' link-address: its subnet */
#define AN_MAC		"02:00:5e:00:53:01"	/* both access routers' */

static const char *const an_pools[] = { "2 " AN_POOL, NULL };
static const char an_config[] = "network veth-m types session-lasting\n";

struct anchor_world {
	char ar[2][ENV_NAME_MAX + 8];
	char anc[ENV_NAME_MAX + 8];
	char air[ENV_NAME_MAX + 8];
};

/* Access router i (1, 2): its port on the air, its link to the anchor. */
static bool access_router(struct env *e, struct anchor_world *w, int i)
{
	const char *ar = w->ar[i - 1], *anc = w->anc, *air = w->air;

	return sys("ip netns add %s && ip -n %s link set lo up", ar, ar) &&
	       sys("ip -n %s link add r%d-air type veth peer name p%d netns %s", ar, i, i, air) &&
	       sys("ip -n %s link set r%d-air addrgenmode none address %s up", ar, i, AN_MAC) &&
	       sys("ip -n %s addr add fe80::1/64 dev r%d-air nodad", ar, i) &&
	       sys("ip -n %s link set p%d addrgenmode none up", air, i) &&
	       sys("ip -n %s link add r%d-core type veth peer name anc-%d netns %s", ar, i, i, anc) &&
	       sys("ip -n %s link set r%d-core addrgenmode none up", ar, i) &&
	       sys("ip -n %s addr add fe80::1%d/64 dev r%d-core nodad", ar, i, i) &&
	       sys("ip -n %s link set anc-%d addrgenmode none up", anc, i) &&
	       sys("ip -n %s addr add fe80::5/64 dev anc-%d nodad", anc, i) &&
	       sys("nsenter --net=/run/netns/%s sysctl -qw net.ipv6.conf.all.forwarding=1", ar) &&
	       sys("ip -n %s -6 route add default via fe80::5 dev r%d-core", ar, i) &&
	       /* From the host, only what the relay delegated (its pref 100 rules). */
	       sys("ip -n %s -6 rule add iif r%d-air pref 200 blackhole", ar, i);
}

static bool anchor_build(struct env *e, struct anchor_world *w)
{
	const char *h = e->host_ns;

	snprintf(w->ar[0], sizeof(w->ar[0]), "%s-ar1", e->net_ns);
	snprintf(w->ar[1], sizeof(w->ar[1]), "%s-ar2", e->net_ns);
	snprintf(w->anc, sizeof(w->anc), "%s-anc", e->net_ns);
	snprintf(w->air, sizeof(w->air), "%s-air", e->net_ns);
	return sys("ip netns add %s && ip netns add %s", w->anc, w->air) &&
	       sys("ip -n %s link set lo up && ip -n %s addr add %s/128 dev lo", w->anc, w->anc,
		   CN_ADDR) &&
	       sys("nsenter --net=/run/netns/%s sysctl -qw net.ipv6.conf.all.forwarding=1",
		   w->anc) &&
	       sys("ip -n %s link add br0 type bridge mcast_snooping 0 && "
		   "ip -n %s link set br0 addrgenmode none up", w->air, w->air) &&
	       sys("ip -n %s link add veth-m type veth peer name pm netns %s", h, w->air) &&
	       sys("ip -n %s link set veth-m addrgenmode none up", h) &&
	       sys("ip -n %s addr add fe80::2/64 dev veth-m nodad", h) &&
	       sys("ip -n %s link set pm addrgenmode none master br0 up", w->air) &&
	       access_router(e, w, 1) && access_router(e, w, 2) &&
	       sys("ip -n %s link set p1 master br0", w->air) &&
	       sys("ip -n %s -6 route add default via fe80::1 dev veth-m metric 100", h);
}

static void anchor_teardown(struct anchor_world *w)
{
	if (w->anc[0])
		sys("ip netns del %s; ip netns del %s; ip netns del %s; ip netns del %s; true",
		    w->ar[0], w->ar[1], w->anc, w->air);
}

/* The anchor's route to prefix (text, "P/64") leaves by dev, within 8 s. */
static bool anchor_routes_via(struct anchor_world *w, const char *prefix, const char *dev)
{
	char out[256];
	int i;

	for (i = 0; i < 80; i++) {
		if (sys_out(out, sizeof(out), "ip -n %s -6 route show %s", w->anc, prefix) &&
		    strstr(out, dev))
			return true;
		usleep(100 * 1000);
	}
	fprintf(stderr, "  the anchor's route to %s: '%s', not via %s\n", prefix, out, dev);
	return false;
}

/* Kea's run_script hook: the anchor routes each prefix it delegates (or
 * extends) via the relay the request came through. */
static bool anchor_hook(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fprintf(f, "#!/bin/sh\n"
		"# odm test: the anchor follows the relay of a prefix's last request.\n"
		"env | grep -E '^(QUERY6|LEASES6)' | sort > \"$0.$1.env\"\n"
		"[ \"$1\" = leases6_committed ] && [ -n \"$QUERY6_REMOTE_ADDR\" ] || exit 0\n"
		"i=0\n"
		"while [ \"$i\" -lt \"${LEASES6_SIZE:-0}\" ]; do\n"
		"\teval \"t=\\$LEASES6_AT${i}_TYPE a=\\$LEASES6_AT${i}_ADDRESS "
		"l=\\$LEASES6_AT${i}_PREFIX_LEN\"\n"
		"\t[ \"$t\" = IA_PD ] && ip -6 route replace \"$a/$l\" via \"$QUERY6_REMOTE_ADDR\" "
		"dev \"$QUERY6_IFACE_NAME\" proto dhcp\n"
		"\ti=$((i + 1))\n"
		"done\n"
		"exit 0\n");
	return fclose(f) == 0 && chmod(path, 0755) == 0;
}

void test_routed_anchor(void)
{
	struct agent a = { .pid = -1 };
	struct peer cn = { -1, -1 };
	struct relay6 r1 = { -1 }, r2 = { -1 };
	struct anchor_world w;
	struct in6_addr sl, again;
	char seen[64], buf[INET6_ADDRSTRLEN], pfx[80], dir[160], hook[200];
	pid_t kea = -1;
	struct env e;
	int sess, c = -1;

	memset(&w, 0, sizeof(w));
	if (!ASSERT_TRUE(env_setup(&e, an_config), "setup") ||
	    !ASSERT_TRUE(anchor_build(&e, &w), "anchor, two access routers, the air"))
		goto cleanup;
	snprintf(dir, sizeof(dir), "%s/anchor", e.tmpdir);
	snprintf(hook, sizeof(hook), "%s/anchor/route.sh", e.tmpdir);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-m --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases 2>>%s/odmd.log", e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(mkdir(dir, 0700) == 0 && anchor_hook(hook), "the anchor's hook") ||
	    !ASSERT_TRUE(env_start_kea_relayed(w.anc, "\"anc-1\", \"anc-2\"", dir, an_pools, hook,
					       &kea), "the anchor's kea") ||
	    !ASSERT_TRUE(relay6_start(&r1, w.ar[0], "r1-air", "r1-core", "fe80::5", AN_LINK),
			 "relay on the first access router") ||
	    !ASSERT_TRUE(relay6_start(&r2, w.ar[1], "r2-air", "r2-core", "fe80::5", AN_LINK),
			 "relay on the second") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &cn, w.anc, CN_ADDR, PORT), "correspondent") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;

	/* 1. A session-lasting session through the first access router. */
	SUBTEST("a session through the first access router");
	c = sl_session(&a, &cn, &sess, &sl);
	if (c < 0)
		goto cleanup;
	ASSERT_TRUE(in_pool(&sl, 0x51), "session-lasting from the anchor's pool");
	snprintf(pfx, sizeof(pfx), "%s/64", kea_prefix(&sl, buf, sizeof(buf)));
	ASSERT_TRUE(anchor_routes_via(&w, pfx, "anc-1"), "the anchor routes it via ar1");
	session_talks(&a, sess, c, "through ar1");
	test_subtest_end();

	/* 2. The move: the radio leaves ar1 for ar2.  No route is touched. */
	SUBTEST("the host moves to the second access router");
	FAULT();
	if (!ASSERT_TRUE(sys("ip -n %s link set pm down && ip -n %s link set p1 nomaster && "
			     "ip -n %s link set p2 master br0 && ip -n %s link set pm up",
			     w.air, w.air, w.air, w.air), "the radio moves"))
		goto cleanup;
	ASSERT_TRUE(wait_logged(&e, "veth-m is up again: rebinding its 1 lease(s)"),
		    "odmd rebinds on the new link");
	ASSERT_TRUE(anchor_routes_via(&w, pfx, "anc-2"),
		    "the anchor learned the new path from the host's Rebind");
	session_talks(&a, sess, c, "through ar2");
	ASSERT_EQ(ag_setsc(&a, ag_socket(&a, SOCK_STREAM), SESSION_LASTING_IPV6_ADDRESS, &again),
		  0, "a new session-lasting socket");
	ASSERT_STREQ(in6_str(&again, buf), in6_str(&sl, seen), "the same address after the move");
	test_subtest_end();
cleanup:
	if (test_case_failed && e.ready)
		sys("cat %s/odmd.log %s/anchor/kea.log %s/anchor/route.sh.*.env >&2; true", e.tmpdir,
		    e.tmpdir, e.tmpdir);
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&cn);
	relay6_stop(&r1);
	relay6_stop(&r2);
	env_stop_kea_at(&kea);
	env_teardown(&e);
	anchor_teardown(&w);
}
