// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ra.c - router advertisements: radvd and SLAAC for prefixes the operator
 * typed, and types marked by the router in the PIO (odmd --ra).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "netns.h"

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

void test_ra_radvd(void)
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

void test_ra_srvtp(void)
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

/*
 * The delegated-prefix rule for RAs too: a marked PIO inside a prefix the
 * host types already is refused (the longest match would hand its type to
 * the Fixed address).  And an RA's type lasts its valid lifetime: with no
 * RA renewing it, the prefix is untyped, not kept for ever.
 */
void test_ra_overlap_expiry(void)
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
