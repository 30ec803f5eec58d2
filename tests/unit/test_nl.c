/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_nl.c - odm_nl_parse_addr() and odm_nl_parse_link() on hand-built
 * messages, good and broken, and odm_kaddr_usable().  No root, no sockets.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core.h"
#include "test.h"

/* Count every input fed to the parsers under test (tests/run.sh figures). */
#define odm_nl_parse_addr(...) (INPUTS(1), odm_nl_parse_addr(__VA_ARGS__))
#define odm_nl_parse_link(...) (INPUTS(1), odm_nl_parse_link(__VA_ARGS__))

/* One message being built; aligned like the kernel's buffers. */
struct msg {
	union {
		struct nlmsghdr nlh;
		unsigned char b[512];
	};
};

static void msg_init(struct msg *m, __u16 type, __u8 family, __u8 plen, __u8 flags, __u8 scope,
		     __u32 ifindex)
{
	struct ifaddrmsg *ifa;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	m->nlh.nlmsg_type = type;
	ifa = NLMSG_DATA(&m->nlh);
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = flags;
	ifa->ifa_scope = scope;
	ifa->ifa_index = ifindex;
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

static void addr6(__u32 a[4], const char *s)
{
	inet_pton(AF_INET6, s, a);
}

/* A well-formed RTM_NEWADDR for 2001:db8::5/64 on ifindex 3. */
static void msg_good(struct msg *m)
{
	__u32 a[4];

	addr6(a, "2001:db8::5");
	msg_init(m, RTM_NEWADDR, AF_INET6, 64, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, 3);
	msg_add(m, IFA_ADDRESS, a, sizeof(a));
}

static void test_parse_good(void)
{
	struct odm_kaddr ka;
	struct msg m;
	__u32 want[4];

	msg_good(&m);
	addr6(want, "2001:db8::5");
	if (!ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "parse"))
		return;
	ASSERT_TRUE(!memcmp(ka.addr, want, sizeof(want)), "address");
	ASSERT_EQ(ka.plen, 64, "plen");
	ASSERT_EQ(ka.ifindex, 3, "ifindex");
	ASSERT_EQ(ka.flags, IFA_F_PERMANENT, "flags");
	ASSERT_EQ(ka.scope, RT_SCOPE_UNIVERSE, "scope");
	ASSERT_EQ(ka.valid_lft, 0xffffffffu, "no cacheinfo: valid forever");
	ASSERT_EQ(ka.preferred_lft, 0xffffffffu, "no cacheinfo: preferred forever");
	/* a buffer longer than the message is fine: it may hold the next one */
	ASSERT_EQ(odm_nl_parse_addr(&m, sizeof(m), &ka), 0, "longer buffer");
	m.nlh.nlmsg_type = RTM_DELADDR;
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "deladdr");
}

static void test_parse_prefers_address(void)
{
	struct odm_kaddr ka;
	struct msg m;
	__u32 local[4], want[4];

	addr6(local, "2001:db8::99");
	addr6(want, "2001:db8::5");
	msg_init(&m, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 3);
	msg_add(&m, IFA_LOCAL, local, sizeof(local));
	msg_add(&m, IFA_ADDRESS, want, sizeof(want));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "parse");
	ASSERT_TRUE(!memcmp(ka.addr, want, sizeof(want)), "IFA_ADDRESS wins over IFA_LOCAL");

	msg_init(&m, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 3);
	msg_add(&m, IFA_LOCAL, local, sizeof(local));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "parse local only");
	ASSERT_TRUE(!memcmp(ka.addr, local, sizeof(local)), "IFA_LOCAL alone is used");
}

static void test_parse_flags_override(void)
{
	__u32 flags = IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE;
	struct odm_kaddr ka;
	struct msg m;

	msg_good(&m);
	msg_add(&m, IFA_FLAGS, &flags, sizeof(flags));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "parse");
	ASSERT_EQ(ka.flags, flags, "IFA_FLAGS replaces ifa_flags");
}

static void test_parse_cacheinfo(void)
{
	struct ifa_cacheinfo ci = { .ifa_prefered = 1800, .ifa_valid = 3600 };
	struct odm_kaddr ka;
	struct msg m;

	msg_good(&m);
	msg_add(&m, IFA_CACHEINFO, &ci, sizeof(ci));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "parse");
	ASSERT_EQ(ka.valid_lft, 3600, "valid_lft");
	ASSERT_EQ(ka.preferred_lft, 1800, "preferred_lft");
}

static void test_parse_ignores_unknown(void)
{
	struct odm_kaddr ka;
	struct msg m;

	msg_good(&m);
	msg_add(&m, IFA_LABEL, "eth0", 5);
	msg_add(&m, 200, "", 0);
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), 0, "unknown attributes skipped");
}

static void test_parse_inet_rejected(void)
{
	__u32 a4 = htonl(0xc0000201);
	struct odm_kaddr ka;
	struct msg m;

	msg_init(&m, RTM_NEWADDR, AF_INET, 24, 0, RT_SCOPE_UNIVERSE, 3);
	msg_add(&m, IFA_ADDRESS, &a4, sizeof(a4));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EAFNOSUPPORT, "AF_INET");
}

static void test_parse_truncated(void)
{
	struct odm_kaddr ka;
	struct msg m;

	msg_good(&m);
	ASSERT_EQ(odm_nl_parse_addr(NULL, 100, &ka), -EINVAL, "NULL");
	ASSERT_EQ(odm_nl_parse_addr(&m, NLMSG_HDRLEN - 1, &ka), -EINVAL, "short nlmsghdr");
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len - 1, &ka), -EINVAL,
		  "nlmsg_len past the buffer");
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)) - 1;
	ASSERT_EQ(odm_nl_parse_addr(&m, sizeof(m), &ka), -EINVAL, "short ifaddrmsg");
	msg_good(&m);
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	ASSERT_EQ(odm_nl_parse_addr(&m, sizeof(m), &ka), -EINVAL, "no address attribute");
	msg_good(&m);
	m.nlh.nlmsg_len += 2;
	ASSERT_EQ(odm_nl_parse_addr(&m, sizeof(m), &ka), -EINVAL, "trailing bytes");
	msg_good(&m);
	m.nlh.nlmsg_type = RTM_NEWROUTE;
	ASSERT_EQ(odm_nl_parse_addr(&m, sizeof(m), &ka), -EINVAL, "not an address message");
}

static void test_parse_bad_attrs(void)
{
	struct odm_kaddr ka;
	struct rtattr *rta;
	struct msg m;
	__u32 a[4] = { 0 }, flags = 0;

	msg_good(&m);
	rta = msg_add(&m, IFA_FLAGS, &flags, sizeof(flags));
	rta->rta_len = 64;
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "attribute past the end");

	msg_good(&m);
	rta = msg_add(&m, IFA_FLAGS, &flags, sizeof(flags));
	rta->rta_len = 0;
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "zero-length attribute");

	msg_init(&m, RTM_NEWADDR, AF_INET6, 64, 0, RT_SCOPE_UNIVERSE, 3);
	msg_add(&m, IFA_ADDRESS, a, 4);
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "4-byte IFA_ADDRESS");

	msg_good(&m);
	msg_add(&m, IFA_FLAGS, &flags, 2);
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "2-byte IFA_FLAGS");

	msg_good(&m);
	msg_add(&m, IFA_CACHEINFO, a, 8);
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "short IFA_CACHEINFO");

	msg_init(&m, RTM_NEWADDR, AF_INET6, 129, 0, RT_SCOPE_UNIVERSE, 3);
	msg_add(&m, IFA_ADDRESS, a, sizeof(a));
	ASSERT_EQ(odm_nl_parse_addr(&m, m.nlh.nlmsg_len, &ka), -EINVAL, "prefix length 129");
}

/*
 * Every prefix of a good message is rejected, whether nlmsg_len still says
 * the full length or was cut to match; ASan checks that nothing past the
 * cut is read.
 */
static void test_parse_every_truncation(void)
{
	struct odm_kaddr ka;
	struct msg m;
	size_t len, full;
	int bad = 0;

	msg_good(&m);
	full = m.nlh.nlmsg_len;
	for (len = 0; len < full; len++) {
		unsigned char *copy = malloc(len ? len : 1);

		memcpy(copy, m.b, len);
		if (odm_nl_parse_addr(copy, len, &ka) != -EINVAL)
			bad++;
		if (len >= sizeof(__u32)) {
			__u32 cut = len;

			memcpy(copy, &cut, sizeof(cut));
			if (odm_nl_parse_addr(copy, len, &ka) != -EINVAL)
				bad++;
		}
		free(copy);
	}
	ASSERT_EQ(bad, 0, "truncations not rejected");
}

/* RTM_NEWLINK / RTM_DELLINK: index, flags, carrier count, gone; bridges and
 * breakage refused. */
static void test_parse_link(void)
{
	struct msg m;
	struct ifinfomsg *ifi;
	struct odm_klink kl;
	__u32 up, mtu = 1500;
	size_t n, with_attrs;
	int bad = 0;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.nlh.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(&m.nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = 7;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	if (ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), 0, "newlink"))
		ASSERT_TRUE(kl.ifindex == 7 && kl.flags == (IFF_UP | IFF_RUNNING) && !kl.gone &&
			    !kl.have_carrier_ups, "index, flags, not gone, no carrier count");
	/* The carrier count among the attributes a kernel sends, in any order. */
	msg_add(&m, IFLA_IFNAME, "wlan0", 6);
	up = 0xfffffffe;
	msg_add(&m, IFLA_CARRIER_UP_COUNT, &up, sizeof(up));
	msg_add(&m, IFLA_MTU, &mtu, sizeof(mtu));
	if (ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), 0, "newlink with attributes"))
		ASSERT_TRUE(kl.have_carrier_ups && kl.carrier_ups == 0xfffffffe && kl.ifindex == 7,
			    "the carrier count");
	with_attrs = m.nlh.nlmsg_len;
	/* A count of the wrong size is a broken message, not a count. */
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	msg_add(&m, IFLA_CARRIER_UP_COUNT, &up, sizeof(up) - 1);
	ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), -EINVAL, "a 3-byte count");
	m.nlh.nlmsg_len = with_attrs;
	for (n = NLMSG_LENGTH(sizeof(*ifi)) + 1; n < with_attrs; n++) {
		struct nlmsghdr cut = m.nlh;

		cut.nlmsg_len = (__u32)n;
		memcpy(m.b, &cut, sizeof(cut));
		if (odm_nl_parse_link(&m, n, &kl) == 0 && kl.have_carrier_ups &&
		    kl.carrier_ups != 0xfffffffe)
			bad++;
	}
	ASSERT_EQ(bad, 0, "a cut message never yields another count");
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.nlh.nlmsg_type = RTM_DELLINK;
	if (ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), 0, "dellink"))
		ASSERT_TRUE(kl.gone, "gone");
	ifi->ifi_family = AF_BRIDGE;
	ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), -EAFNOSUPPORT,
		  "a bridge's notice of a port is not the link's");
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = 0;
	ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), -EINVAL, "index 0");
	ifi->ifi_index = 7;
	m.nlh.nlmsg_type = RTM_NEWADDR;
	ASSERT_EQ(odm_nl_parse_link(&m, m.nlh.nlmsg_len, &kl), -EINVAL, "not a link message");
	m.nlh.nlmsg_type = RTM_NEWLINK;
	for (n = 0; n < m.nlh.nlmsg_len; n++)
		ASSERT_EQ(odm_nl_parse_link(&m, n, &kl), -EINVAL, "every truncation");
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi)) - 1;
	ASSERT_EQ(odm_nl_parse_link(&m, sizeof(m), &kl), -EINVAL, "header shorter than ifinfomsg");
	ASSERT_EQ(odm_nl_parse_link(NULL, 64, &kl), -EINVAL, "NULL");
}

static void test_kaddr_usable(void)
{
	struct odm_kaddr ka = {
		.scope = RT_SCOPE_UNIVERSE, .valid_lft = 3600, .preferred_lft = 1800,
	};
	struct odm_kaddr k;

	ASSERT_TRUE(odm_kaddr_usable(&ka), "global, preferred");
	k = ka;
	k.scope = RT_SCOPE_LINK;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "link scope");
	k = ka;
	k.scope = RT_SCOPE_HOST;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "host scope");
	k = ka;
	k.flags = IFA_F_TENTATIVE;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "tentative");
	k = ka;
	k.flags = IFA_F_DADFAILED;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "dadfailed");
	k = ka;
	k.flags = IFA_F_DEPRECATED;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "deprecated");
	k = ka;
	k.preferred_lft = 0;
	ASSERT_TRUE(!odm_kaddr_usable(&k), "preferred lifetime over");
	k = ka;
	k.flags = IFA_F_TEMPORARY | IFA_F_OPTIMISTIC | IFA_F_PERMANENT;
	ASSERT_TRUE(odm_kaddr_usable(&k), "temporary, optimistic, permanent are fine");
}

int main(void)
{
	RUN(test_parse_good);
	RUN(test_parse_prefers_address);
	RUN(test_parse_flags_override);
	RUN(test_parse_cacheinfo);
	RUN(test_parse_ignores_unknown);
	RUN(test_parse_inet_rejected);
	RUN(test_parse_truncated);
	RUN(test_parse_bad_attrs);
	RUN(test_parse_every_truncation);
	RUN(test_parse_link);
	RUN(test_kaddr_usable);
	return test_summary();
}
