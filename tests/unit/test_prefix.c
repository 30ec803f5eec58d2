/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_prefix.c - IPv6 address and prefix parsing, masking and formatting.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "core.h"
#include "test.h"

/* Count every input fed to the parsers under test (tests/run.sh figures). */
#define odm_prefix_parse(...) (INPUTS(1), odm_prefix_parse(__VA_ARGS__))
#define odm_addr_parse(...) (INPUTS(1), odm_addr_parse(__VA_ARGS__))
#define odm_prefix_unsafe(...) (INPUTS(1), odm_prefix_unsafe(__VA_ARGS__))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parse a known-good address for a test's input; logs when it is not. */
static bool addr(const char *s, __u32 out[4])
{
	return ASSERT_EQ(odm_addr_parse(s, out), 0, s);
}

static void test_addr_parse(void)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
		{ "::", 0 },
		{ "::1", 0 },
		{ "2001:db8::1", 0 },
		{ "2001:DB8::A", 0 },
		{ "fe80::1", 0 },
		{ "::ffff:192.0.2.1", 0 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0 },
		{ "", -EINVAL },
		{ "2001:db8::/64", -EINVAL },
		{ "2001:db8:::1", -EINVAL },
		{ "2001:db8::g", -EINVAL },
		{ "192.0.2.1", -EINVAL },
		{ "fe80::1%eth0", -EINVAL },
		{ " ::1", -EINVAL },
		{ "::1 ", -EINVAL },
		{ "1:2:3:4:5:6:7:8:9", -EINVAL },
	};
	char buf[INET6_ADDRSTRLEN];
	__u32 a[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ASSERT_EQ(odm_addr_parse(cases[i].in, a), cases[i].want, cases[i].in);
	ASSERT_EQ(odm_addr_parse(NULL, a), -EINVAL, "NULL");

	/* network byte order, as the BPF maps hold it */
	if (addr("2001:db8::1", a)) {
		ASSERT_EQ(a[0], htonl(0x20010db8), "word 0");
		ASSERT_EQ(a[1], 0, "word 1");
		ASSERT_EQ(a[3], htonl(1), "word 3");
		ASSERT_STREQ(odm_addr_str(a, buf), "2001:db8::1", "round trip");
	}
	if (addr("2001:DB8:0:0:0:0:0:A", a))
		ASSERT_STREQ(odm_addr_str(a, buf), "2001:db8::a", "canonical form");
	if (addr("::", a)) {
		ASSERT_TRUE(odm_addr_is_zero(a), "::");
		ASSERT_STREQ(odm_addr_str(a, buf), "::", ":: str");
	}
	if (addr("::1", a))
		ASSERT_TRUE(!odm_addr_is_zero(a), "::1");
	if (addr("8000::", a))
		ASSERT_TRUE(!odm_addr_is_zero(a), "8000::");
}

static void test_prefix_parse_good(void)
{
	static const struct {
		const char *in;
		unsigned int plen;
		const char *str;
	} cases[] = {
		{ "2001:db8::/64", 64, "2001:db8::/64" },
		{ "2001:DB8:0::/48", 48, "2001:db8::/48" },
		{ "::/0", 0, "::/0" },
		{ "2001:db8::1/128", 128, "2001:db8::1/128" },
		{ "::1/128", 128, "::1/128" },
		{ "fe80::/10", 10, "fe80::/10" },
		{ "2001:db8:8000::/33", 33, "2001:db8:8000::/33" },
		{ "2001:db8::/032", 32, "2001:db8::/32" },
		{ "::/96", 96, "::/96" },
		/* contains the v4-mapped range, but is not inside it */
		{ "::fffe:0:0/95", 95, "::fffe:0:0/95" },
	};
	char buf[ODM_PREFIX_STRLEN], err[256];
	struct odm_prefix_key k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		if (!ASSERT_EQ(odm_prefix_parse(cases[i].in, &k, err, sizeof(err)), 0,
			       cases[i].in))
			continue;
		ASSERT_EQ(k.prefixlen, cases[i].plen, cases[i].in);
		ASSERT_STREQ(odm_prefix_str(&k, buf), cases[i].str, cases[i].in);
		ASSERT_STREQ(err, "", "no message on success");
	}
}

static void test_prefix_parse_bad(void)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "2001:db8::", "missing prefix length in '2001:db8::' (expected ADDR/LEN)" },
		{ "", "missing prefix (expected ADDR/LEN)" },
		{ "garbage", "missing prefix length in 'garbage' (expected ADDR/LEN)" },
		{ "2001:db8::/", "bad prefix length '' in '2001:db8::/' (expected 0-128)" },
		{ "2001:db8::/129",
		  "bad prefix length '129' in '2001:db8::/129' (expected 0-128)" },
		{ "2001:db8::/-1", "bad prefix length '-1' in '2001:db8::/-1' (expected 0-128)" },
		{ "2001:db8::/+64",
		  "bad prefix length '+64' in '2001:db8::/+64' (expected 0-128)" },
		{ "2001:db8::/ 64",
		  "bad prefix length ' 64' in '2001:db8::/ 64' (expected 0-128)" },
		{ "2001:db8::/64junk",
		  "bad prefix length '64junk' in '2001:db8::/64junk' (expected 0-128)" },
		{ "2001:db8::/64 ",
		  "bad prefix length '64 ' in '2001:db8::/64 ' (expected 0-128)" },
		{ "2001:db8::/0x40",
		  "bad prefix length '0x40' in '2001:db8::/0x40' (expected 0-128)" },
		{ "2001:db8::/1000",
		  "bad prefix length '1000' in '2001:db8::/1000' (expected 0-128)" },
		{ "2001:db8::/4294967360",
		  "bad prefix length '4294967360' in '2001:db8::/4294967360' (expected 0-128)" },
		{ "2001:db8::/64/64",
		  "bad prefix length '64/64' in '2001:db8::/64/64' (expected 0-128)" },
		{ "/64", "bad IPv6 address in '/64'" },
		{ "2001:db8::g/64", "bad IPv6 address '2001:db8::g' in '2001:db8::g/64'" },
		{ "192.0.2.0/24", "bad IPv6 address '192.0.2.0' in '192.0.2.0/24'" },
		{ "fe80::%eth0/64", "bad IPv6 address 'fe80::%eth0' in 'fe80::%eth0/64'" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1/64",
		  "bad IPv6 address in 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1/64'" },
		{ "2001:db8::1/64",
		  "2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?" },
		{ "2001:db8::/16", "2001:db8::/16 has host bits set; did you mean 2001::/16?" },
		{ "::1/0", "::1/0 has host bits set; did you mean ::/0?" },
		{ "2001:db8:8000::/32",
		  "2001:db8:8000::/32 has host bits set; did you mean 2001:db8::/32?" },
		{ "2001:db8:c000::/33",
		  "2001:db8:c000::/33 has host bits set; did you mean 2001:db8:8000::/33?" },
		{ "::ffff:192.0.2.0/120",
		  "::ffff:192.0.2.0/120 is a v4-mapped prefix, not an IPv6 one" },
		{ "::ffff:0:0/96", "::ffff:0:0/96 is a v4-mapped prefix, not an IPv6 one" },
		{ "::ffff:192.0.2.1/128",
		  "::ffff:192.0.2.1/128 is a v4-mapped prefix, not an IPv6 one" },
	};
	struct odm_prefix_key k, untouched;
	char err[256];
	size_t i;

	memset(&untouched, 0xab, sizeof(untouched));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		k = untouched;
		err[0] = '\0';
		ASSERT_EQ(odm_prefix_parse(cases[i].in, &k, err, sizeof(err)), -EINVAL,
			  cases[i].in);
		ASSERT_STREQ(err, cases[i].msg, cases[i].in);
		ASSERT_TRUE(!memcmp(&k, &untouched, sizeof(k)), "key untouched on error");
	}
	/* no message buffer, and a tiny one: no crash, still terminated */
	ASSERT_EQ(odm_prefix_parse("2001:db8::1/64", &k, NULL, 0), -EINVAL, "NULL err");
	ASSERT_EQ(odm_prefix_parse("2001:db8::1/64", &k, err, 5), -EINVAL, "short err");
	ASSERT_STREQ(err, "2001", "truncated message");
	ASSERT_EQ(odm_prefix_parse(NULL, &k, err, sizeof(err)), -EINVAL, "NULL prefix");
}

static void test_mask(void)
{
	static const struct {
		const char *in;
		unsigned int plen;
		const char *want;
	} cases[] = {
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, "::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "8000::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 31, "ffff:fffe::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 32, "ffff:ffff::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 33, "ffff:ffff:8000::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 64, "ffff:ffff:ffff:ffff::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 127,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 129,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1000,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "2001:db8:1234:5678:9abc:def0:1234:5678", 52, "2001:db8:1234:5000::" },
	};
	char buf[INET6_ADDRSTRLEN];
	__u32 in[4], out[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!addr(cases[i].in, in))
			continue;
		odm_prefix_mask(out, in, cases[i].plen);
		ASSERT_STREQ(odm_addr_str(out, buf), cases[i].want, cases[i].want);
		/* in place */
		odm_prefix_mask(in, in, cases[i].plen);
		ASSERT_STREQ(odm_addr_str(in, buf), cases[i].want, "in place");
	}
}

static void test_contains(void)
{
	static const struct {
		const char *prefix;
		const char *addr;
		bool want;
	} cases[] = {
		{ "2001:db8::/64", "2001:db8::1", true },
		{ "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true },
		{ "2001:db8::/64", "2001:db8::", true },
		{ "2001:db8::/64", "2001:db8:0:1::1", false },
		{ "2001:db8::/64", "2001:db9::1", false },
		{ "2001:db8::/64", "::", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "::", true },
		{ "2001:db8::1/128", "2001:db8::1", true },
		{ "2001:db8::1/128", "2001:db8::2", false },
		{ "2001:db8:8000::/33", "2001:db8:ffff::1", true },
		{ "2001:db8:8000::/33", "2001:db8:7fff::1", false },
		{ "8000::/1", "ffff::", true },
		{ "8000::/1", "7fff::", false },
	};
	struct odm_prefix_key k;
	char what[128], err[256];
	__u32 a[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(what, sizeof(what), "%s in %s", cases[i].addr, cases[i].prefix);
		if (!ASSERT_EQ(odm_prefix_parse(cases[i].prefix, &k, err, sizeof(err)), 0, what) ||
		    !addr(cases[i].addr, a))
			continue;
		ASSERT_EQ(odm_prefix_contains(&k, a), cases[i].want, what);
	}
}

static void test_addr_build(void)
{
	static const struct {
		const char *prefix;
		unsigned int plen;
		const char *iid;
		int ret;
		const char *want;
	} cases[] = {
		{ "2001:db8::", 64, "::1", 0, "2001:db8::1" },
		{ "2001:db8:1:2:3:4:5:6", 64, "ffff:ffff:ffff:ffff:a:b:c:d", 0,
		  "2001:db8:1:2:a:b:c:d" },
		{ "2001:db8::", 0, "1:2:3:4:5:6:7:8", 0, "1:2:3:4:5:6:7:8" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, "::", 0, "::" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 127, "::1", 0,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 127, "::", 0,
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe" },
		{ "2001:db8::5", 128, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, "2001:db8::5" },
		{ "2001:db8::", 48, "::ff:0:0:0:1", 0, "2001:db8:0:ff::1" },
		{ "2001:db8::", 129, "::1", -EINVAL, NULL },
		{ "2001:db8::", 0xffffffffu, "::1", -EINVAL, NULL },
	};
	char buf[INET6_ADDRSTRLEN];
	__u32 p[4], iid[4], out[4], before[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!addr(cases[i].prefix, p) || !addr(cases[i].iid, iid))
			continue;
		memset(out, 0x5a, sizeof(out));
		memcpy(before, out, sizeof(out));
		if (!ASSERT_EQ(odm_addr_build(out, p, cases[i].plen, iid), cases[i].ret,
			       cases[i].prefix))
			continue;
		if (cases[i].ret)
			ASSERT_TRUE(!memcmp(out, before, sizeof(out)), "out untouched on error");
		else
			ASSERT_STREQ(odm_addr_str(out, buf), cases[i].want, cases[i].want);
	}
	/* out may alias the prefix */
	if (addr("2001:db8::", p) && addr("::42", iid)) {
		ASSERT_EQ(odm_addr_build(p, p, 64, iid), 0, "aliased build");
		ASSERT_STREQ(odm_addr_str(p, buf), "2001:db8::42", "aliased result");
	}
}

static void test_prefix_overlap(void)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{ "2001:db8:1::/64", "2001:db8:1::/64", true },		/* equal */
		{ "2001:db8::/32", "2001:db8:1::/64", true },		/* a covers b */
		{ "2001:db8:1::/64", "2001:db8::/32", true },		/* b covers a */
		{ "2001:db8:3:0:8000::/65", "2001:db8:3::/64", true },	/* inside */
		{ "2001:db8:3:0:8000::/65", "2001:db8:3::/65", false },	/* halves */
		{ "2001:db8:1::/64", "2001:db8:2::/64", false },
		{ "::/0", "ff02::1/128", true },
		{ "2001:db8::1/128", "2001:db8::2/128", false },
	};
	struct odm_prefix_key a, b;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!ASSERT_EQ(odm_prefix_parse(cases[i].a, &a, err, sizeof(err)), 0, cases[i].a) ||
		    !ASSERT_EQ(odm_prefix_parse(cases[i].b, &b, err, sizeof(err)), 0, cases[i].b))
			continue;
		ASSERT_EQ(odm_prefix_overlap(&a, &b), cases[i].want, cases[i].a);
		ASSERT_EQ(odm_prefix_overlap(&b, &a), cases[i].want, "symmetric");
	}
}

/* What a DHCPv6 server may delegate (section 7: the network is not trusted). */
static void test_prefix_unsafe(void)
{
	static const struct {
		const char *prefix;
		unsigned int plen;
		const char *want;		/* NULL: acceptable */
	} cases[] = {
		{ "2001:db8:77::", 64, NULL },
		{ "2001:db8:77::abcd", 64, NULL },	/* host bits are not its business */
		{ "2001:db8::", 32, NULL },
		{ "2001:db8::1", 128, NULL },
		{ "2a00::", 48, NULL },
		{ "3fff:ffff::", 48, NULL },		/* top of 2000::/3 */
		{ "fd12:3456:789a::", 48, NULL },	/* ULA */
		{ "fc00::", 48, NULL },
		{ "2001:db8::", 31, "shorter than /32" },
		{ "2000::", 3, "shorter than /32" },
		{ "::", 0, "shorter than /32" },
		{ "2001:db8::", 129, "prefix length over 128" },
		{ "ff0e::", 64, "multicast" },
		{ "ff02::1:2", 128, "multicast" },
		{ "fe80::", 64, "link-local" },
		{ "febf:ffff::", 64, "link-local" },
		{ "fec0::", 64, "not global unicast or unique local" },	/* site-local */
		{ "::1", 128, "not global unicast or unique local" },
		{ "::", 128, "not global unicast or unique local" },
		{ "::ffff:192.0.2.0", 120, "not global unicast or unique local" },
		{ "64:ff9b::", 96, "not global unicast or unique local" },
		{ "100::", 64, "not global unicast or unique local" },	/* discard-only */
		{ "1fff:ffff::", 64, "not global unicast or unique local" },
		{ "4000::", 64, "not global unicast or unique local" },
		{ "fb00::", 64, "not global unicast or unique local" },
		{ "fe00::", 64, "not global unicast or unique local" },
	};
	const char *got;
	__u32 p[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!addr(cases[i].prefix, p))
			continue;
		got = odm_prefix_unsafe(p, cases[i].plen);
		if (!cases[i].want)
			ASSERT_TRUE(got == NULL, cases[i].prefix);
		else if (ASSERT_TRUE(got != NULL, cases[i].prefix))
			ASSERT_STREQ(got, cases[i].want, cases[i].prefix);
	}
}

static void test_prefix_str(void)
{
	struct odm_prefix_key k = { .prefixlen = 128 };
	char buf[ODM_PREFIX_STRLEN];

	/* the longest text form must fit ODM_PREFIX_STRLEN */
	if (addr("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", k.prefix.w))
		ASSERT_STREQ(odm_prefix_str(&k, buf),
			     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "longest");
	if (addr("::ffff:255.255.255.255", k.prefix.w))
		ASSERT_STREQ(odm_prefix_str(&k, buf), "::ffff:255.255.255.255/128", "v4-mapped");
	memset(&k.prefix, 0, sizeof(k.prefix));
	k.prefixlen = 0;
	ASSERT_STREQ(odm_prefix_str(&k, buf), "::/0", "::/0");
}

int main(void)
{
	RUN(test_addr_parse);
	RUN(test_prefix_parse_good);
	RUN(test_prefix_parse_bad);
	RUN(test_mask);
	RUN(test_contains);
	RUN(test_addr_build);
	RUN(test_prefix_str);
	RUN(test_prefix_overlap);
	RUN(test_prefix_unsafe);
	return test_summary();
}
