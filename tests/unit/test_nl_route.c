/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_nl_route.c - odm_nl_parse_route() on hand-built messages, good and
 * broken: plain and source-specific routes, multipath, tables past 255,
 * truncations and bad attributes.  No root, no sockets.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "test.h"

/* Count every input fed to the parser under test (tests/run.sh figures). */
#define odm_nl_parse_route(...) (INPUTS(1), odm_nl_parse_route(__VA_ARGS__))

/* One message being built; aligned like the kernel's buffers. */
struct msg {
	union {
		struct nlmsghdr nlh;
		unsigned char b[1024];
	};
};

static void msg_init(struct msg *m, __u16 type, __u8 family, __u8 dst_len, __u8 src_len,
		     __u8 protocol)
{
	struct rtmsg *rtm;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	m->nlh.nlmsg_type = type;
	rtm = NLMSG_DATA(&m->nlh);
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_src_len = src_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = protocol;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
}

static struct rtmsg *msg_rtm(struct msg *m)
{
	return NLMSG_DATA(&m->nlh);
}

/* Append an attribute with len bytes of payload; returns it for tampering. */
static struct rtattr *msg_add(struct msg *m, __u16 type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(m->b + NLMSG_ALIGN(m->nlh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void msg_add_u32(struct msg *m, __u16 type, __u32 v)
{
	msg_add(m, type, &v, sizeof(v));
}

static void addr6(__u32 a[4], const char *s)
{
	inet_pton(AF_INET6, s, a);
}

static bool addr_is(const __u32 a[4], const char *s)
{
	__u32 want[4];

	addr6(want, s);
	return !memcmp(a, want, sizeof(want));
}

/* "default via fe80::1 dev 3 proto ra metric 1024", as a dump shows it. */
static void msg_default(struct msg *m)
{
	__u32 gw[4];

	addr6(gw, "fe80::1");
	msg_init(m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_RA);
	msg_add_u32(m, RTA_TABLE, RT_TABLE_MAIN);
	msg_add_u32(m, RTA_PRIORITY, 1024);
	msg_add(m, RTA_GATEWAY, gw, sizeof(gw));
	msg_add_u32(m, RTA_OIF, 3);
}

/* "default from 2001:db8:a::/64 via fe80::1 dev 3 proto 79 metric 200". */
static void msg_from(struct msg *m)
{
	__u32 src[4], gw[4];

	addr6(src, "2001:db8:a::");
	addr6(gw, "fe80::1");
	msg_init(m, RTM_NEWROUTE, AF_INET6, 0, 64, RTPROT_ODM);
	msg_add_u32(m, RTA_TABLE, RT_TABLE_MAIN);
	msg_add(m, RTA_SRC, src, sizeof(src));
	msg_add_u32(m, RTA_PRIORITY, 200);
	msg_add(m, RTA_GATEWAY, gw, sizeof(gw));
	msg_add_u32(m, RTA_OIF, 3);
}

/*
 * "default metric 100 nexthop via fe80::1 dev 3 nexthop via fe80::2 dev 4":
 * RTA_MULTIPATH, one rtnexthop with its RTA_GATEWAY per path.
 */
static void msg_multipath(struct msg *m)
{
	unsigned char mp[2 * (RTNH_ALIGN(sizeof(struct rtnexthop)) + RTA_SPACE(16))];
	struct rtnexthop *nh;
	struct rtattr *rta;
	size_t off = 0;
	int i;

	memset(mp, 0, sizeof(mp));
	for (i = 0; i < 2; i++) {
		nh = (struct rtnexthop *)(mp + off);
		nh->rtnh_len = RTNH_LENGTH(RTA_SPACE(16));
		nh->rtnh_flags = i ? RTNH_F_LINKDOWN : 0;
		nh->rtnh_ifindex = 3 + i;
		rta = RTNH_DATA(nh);
		rta->rta_type = RTA_GATEWAY;
		rta->rta_len = RTA_LENGTH(16);
		addr6(RTA_DATA(rta), i ? "fe80::2" : "fe80::1");
		off += RTNH_ALIGN(nh->rtnh_len);
	}
	msg_init(m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_STATIC);
	msg_add_u32(m, RTA_TABLE, RT_TABLE_MAIN);
	msg_add_u32(m, RTA_PRIORITY, 100);
	msg_add(m, RTA_MULTIPATH, mp, off);
}

static void test_parse_default(void)
{
	struct odm_kroute rt[2];
	struct msg m;

	msg_default(&m);
	if (!ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), 1, "one path"))
		return;
	ASSERT_EQ(rt[0].dst_len, 0, "dst_len");
	ASSERT_EQ(rt[0].src_len, 0, "src_len");
	ASSERT_TRUE(odm_addr_is_zero(rt[0].dst) && odm_addr_is_zero(rt[0].src), "::/0 from ::/0");
	ASSERT_TRUE(addr_is(rt[0].gateway, "fe80::1"), "gateway");
	ASSERT_EQ(rt[0].oif, 3, "oif");
	ASSERT_EQ(rt[0].priority, 1024, "metric");
	ASSERT_EQ(rt[0].table, RT_TABLE_MAIN, "table");
	ASSERT_EQ(rt[0].protocol, RTPROT_RA, "protocol");
	ASSERT_EQ(rt[0].type, RTN_UNICAST, "type");
	ASSERT_EQ(rt[0].flags, 0, "flags");
	/* a buffer longer than the message is fine: it may hold the next one */
	ASSERT_EQ(odm_nl_parse_route(&m, sizeof(m), rt, 1), 1, "longer buffer");
	m.nlh.nlmsg_type = RTM_DELROUTE;
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 1), 1, "delroute");
}

static void test_parse_from(void)
{
	struct odm_kroute rt;
	struct msg m;

	msg_from(&m);
	if (!ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "parse"))
		return;
	ASSERT_EQ(rt.src_len, 64, "src_len");
	ASSERT_TRUE(addr_is(rt.src, "2001:db8:a::"), "source prefix");
	ASSERT_EQ(rt.protocol, RTPROT_ODM, "odm's protocol");
	ASSERT_EQ(rt.priority, 200, "metric");
}

static void test_parse_prefix_route(void)
{
	__u32 dst[4];
	struct odm_kroute rt;
	struct msg m;

	/* host bits in RTA_DST are not the kernel's habit, but never ours */
	addr6(dst, "2001:db8:1::ffff");
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 64, 0, RTPROT_KERNEL);
	msg_rtm(&m)->rtm_flags = RTNH_F_LINKDOWN | RTM_F_NOTIFY;
	msg_add(&m, RTA_DST, dst, sizeof(dst));
	msg_add_u32(&m, RTA_OIF, 7);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "parse");
	ASSERT_EQ(rt.dst_len, 64, "dst_len");
	ASSERT_TRUE(addr_is(rt.dst, "2001:db8:1::"), "destination, host bits cleared");
	ASSERT_TRUE(odm_addr_is_zero(rt.gateway), "on-link: no gateway");
	ASSERT_EQ(rt.priority, 0, "no RTA_PRIORITY: 0");
	ASSERT_EQ(rt.table, RT_TABLE_MAIN, "no RTA_TABLE: rtm_table");
	ASSERT_EQ(rt.flags, RTNH_F_LINKDOWN, "the path's flags, not RTM_F_*");
}

static void test_parse_table(void)
{
	struct odm_kroute rt;
	struct msg m;

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_rtm(&m)->rtm_table = RT_TABLE_COMPAT;
	msg_add_u32(&m, RTA_TABLE, 1000);
	msg_add_u32(&m, RTA_OIF, 2);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "parse");
	ASSERT_EQ(rt.table, 1000, "RTA_TABLE wins over rtm_table");
	msg_rtm(&m)->rtm_type = RTN_BLACKHOLE;
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "blackhole");
	ASSERT_EQ(rt.type, RTN_BLACKHOLE, "type");
}

static void test_parse_multipath(void)
{
	struct odm_kroute rt[4];
	struct msg m;

	msg_multipath(&m);
	memset(rt, 0xaa, sizeof(rt));
	if (!ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 4), 2, "two paths"))
		return;
	ASSERT_TRUE(addr_is(rt[0].gateway, "fe80::1"), "path 0 gateway");
	ASSERT_EQ(rt[0].oif, 3, "path 0 oif");
	ASSERT_EQ(rt[0].flags, 0, "path 0 flags");
	ASSERT_TRUE(addr_is(rt[1].gateway, "fe80::2"), "path 1 gateway");
	ASSERT_EQ(rt[1].oif, 4, "path 1 oif");
	ASSERT_EQ(rt[1].flags, RTNH_F_LINKDOWN, "path 1 flags");
	ASSERT_EQ(rt[1].priority, 100, "shared metric");
	ASSERT_EQ(rt[1].protocol, RTPROT_STATIC, "shared protocol");
	ASSERT_EQ(rt[2].oif, 0xaaaaaaaa, "nothing written past the paths");

	memset(rt, 0xaa, sizeof(rt));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 1), 2, "max 1: still says two");
	ASSERT_EQ(rt[0].oif, 3, "the first is written");
	ASSERT_EQ(rt[1].oif, 0xaaaaaaaa, "the second is not");
}

static void test_parse_ignores_unknown(void)
{
	__u8 pref = 0;
	struct odm_kroute rt;
	struct msg m;

	msg_default(&m);
	msg_add(&m, RTA_PREF, &pref, sizeof(pref));
	msg_add(&m, RTA_CACHEINFO, "0123456789abcdef0123456789abcdef", 32);
	msg_add(&m, 200, "", 0);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "unknown attributes skipped");
}

static void test_parse_inet_rejected(void)
{
	__u32 gw4 = htonl(0xc0000201);
	struct odm_kroute rt;
	struct msg m;

	msg_init(&m, RTM_NEWROUTE, AF_INET, 0, 0, RTPROT_DHCP);
	msg_add(&m, RTA_GATEWAY, &gw4, sizeof(gw4));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EAFNOSUPPORT, "AF_INET");
}

static void test_parse_truncated(void)
{
	struct odm_kroute rt;
	struct msg m;

	msg_default(&m);
	ASSERT_EQ(odm_nl_parse_route(NULL, 100, &rt, 1), -EINVAL, "NULL");
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, NULL, 1), -EINVAL, "no output");
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 0), -EINVAL, "max 0");
	ASSERT_EQ(odm_nl_parse_route(&m, NLMSG_HDRLEN - 1, &rt, 1), -EINVAL, "short nlmsghdr");
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len - 1, &rt, 1), -EINVAL,
		  "nlmsg_len past the buffer");
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)) - 1;
	ASSERT_EQ(odm_nl_parse_route(&m, sizeof(m), &rt, 1), -EINVAL, "short rtmsg");
	msg_default(&m);
	m.nlh.nlmsg_len += 2;
	ASSERT_EQ(odm_nl_parse_route(&m, sizeof(m), &rt, 1), -EINVAL, "trailing bytes");
	msg_default(&m);
	m.nlh.nlmsg_type = RTM_NEWADDR;
	ASSERT_EQ(odm_nl_parse_route(&m, sizeof(m), &rt, 1), -EINVAL, "not a route message");
	/* no attributes at all: a route to ::/0 with nothing else is well formed */
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), 1, "bare rtmsg");
}

static void test_parse_bad_attrs(void)
{
	__u32 a[4] = { 0 }, oif = 3;
	struct odm_kroute rt;
	struct rtattr *rta;
	struct msg m;

	msg_default(&m);
	rta = msg_add(&m, RTA_OIF, &oif, sizeof(oif));
	rta->rta_len = 64;
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL,
		  "attribute past the end");

	msg_default(&m);
	rta = msg_add(&m, RTA_OIF, &oif, sizeof(oif));
	rta->rta_len = 0;
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL,
		  "zero-length attribute");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_GATEWAY, a, 4);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "4-byte RTA_GATEWAY");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_OIF, a, 2);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "2-byte RTA_OIF");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_PRIORITY, a, 8);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL,
		  "8-byte RTA_PRIORITY");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_TABLE, a, 1);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "1-byte RTA_TABLE");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 64, RTPROT_BOOT);
	msg_add(&m, RTA_SRC, a, 8);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "8-byte RTA_SRC");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 129, 0, RTPROT_BOOT);
	msg_add(&m, RTA_DST, a, sizeof(a));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "dst_len 129");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 200, RTPROT_BOOT);
	msg_add(&m, RTA_SRC, a, sizeof(a));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL, "src_len 200");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 64, 0, RTPROT_BOOT);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL,
		  "dst_len 64 without RTA_DST");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 48, RTPROT_BOOT);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, &rt, 1), -EINVAL,
		  "src_len 48 without RTA_SRC");
}

static void test_parse_bad_multipath(void)
{
	struct rtnexthop nh = { .rtnh_len = sizeof(nh), .rtnh_ifindex = 3 };
	unsigned char buf[64];
	struct odm_kroute rt[2];
	struct msg m;

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, "", 0);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL, "empty multipath");

	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, &nh, 4);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL, "short rtnexthop");

	nh.rtnh_len = 4;
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, &nh, sizeof(nh));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL, "rtnh_len 4");

	nh.rtnh_len = 40;
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, &nh, sizeof(nh));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL,
		  "rtnexthop past the attribute");

	/* A nexthop without a gateway is on-link; one with a 4-byte gateway is broken. */
	nh.rtnh_len = sizeof(nh);
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, &nh, sizeof(nh));
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), 1, "on-link nexthop");
	ASSERT_TRUE(odm_addr_is_zero(rt[0].gateway), "its gateway is zero");

	memset(buf, 0, sizeof(buf));
	nh.rtnh_len = RTNH_LENGTH(RTA_SPACE(4));
	memcpy(buf, &nh, sizeof(nh));
	((struct rtattr *)(buf + sizeof(nh)))->rta_type = RTA_GATEWAY;
	((struct rtattr *)(buf + sizeof(nh)))->rta_len = RTA_LENGTH(4);
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, buf, nh.rtnh_len);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL,
		  "4-byte gateway in a nexthop");

	/* trailing bytes after the last nexthop that cannot hold another */
	nh.rtnh_len = sizeof(nh);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &nh, sizeof(nh));
	msg_init(&m, RTM_NEWROUTE, AF_INET6, 0, 0, RTPROT_BOOT);
	msg_add(&m, RTA_MULTIPATH, buf, sizeof(nh) + 4);
	ASSERT_EQ(odm_nl_parse_route(&m, m.nlh.nlmsg_len, rt, 2), -EINVAL,
		  "trailing bytes in RTA_MULTIPATH");
}

/* Whether a message cut to len ends right after one of its attributes. */
static bool at_attr_end(const struct msg *m, size_t len)
{
	size_t off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtmsg)));
	const struct rtattr *rta;

	while (off < m->nlh.nlmsg_len) {
		if (off == len)
			return true;
		rta = (const struct rtattr *)(m->b + off);
		off += RTA_ALIGN(rta->rta_len);
	}
	return off == len;
}

/*
 * Every prefix of a good message is rejected, whether nlmsg_len still says
 * the full length or was cut to match (then, cut at the end of an
 * attribute, it is a shorter route, which may be good); ASan checks that
 * nothing past the cut is read.  Cuts inside RTA_MULTIPATH's nexthops
 * included.
 */
static void check_truncations(void (*build)(struct msg *m), const char *what)
{
	struct odm_kroute rt[4];
	struct msg m;
	size_t len, full;
	int bad = 0, ret;

	build(&m);
	full = m.nlh.nlmsg_len;
	for (len = 0; len < full; len++) {
		unsigned char *copy = malloc(len ? len : 1);

		memcpy(copy, m.b, len);
		if (odm_nl_parse_route(copy, len, rt, 4) != -EINVAL)
			bad++;
		if (len >= sizeof(__u32)) {
			__u32 cut = len;

			memcpy(copy, &cut, sizeof(cut));
			ret = odm_nl_parse_route(copy, len, rt, 4);
			if (ret != -EINVAL && !(ret >= 1 && at_attr_end(&m, len)))
				bad++;
		}
		free(copy);
	}
	ASSERT_EQ(bad, 0, what);
}

static void test_parse_every_truncation(void)
{
	check_truncations(msg_default, "default route: truncations not rejected");
	check_truncations(msg_from, "source-specific route: truncations not rejected");
	check_truncations(msg_multipath, "multipath route: truncations not rejected");
}

int main(void)
{
	RUN(test_parse_default);
	RUN(test_parse_from);
	RUN(test_parse_prefix_route);
	RUN(test_parse_table);
	RUN(test_parse_multipath);
	RUN(test_parse_ignores_unknown);
	RUN(test_parse_inet_rejected);
	RUN(test_parse_truncated);
	RUN(test_parse_bad_attrs);
	RUN(test_parse_bad_multipath);
	RUN(test_parse_every_truncation);
	return test_summary();
}
