/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_types.c - address type parsing and the type/source/state names.
 */
#include <errno.h>

#include "core.h"
#include "test.h"

/* Count every input fed to the parsers under test (tests/run.sh figures). */
#define odm_type_parse(...) (INPUTS(1), odm_type_parse(__VA_ARGS__))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in;
	bool allow_none;
	int want_ret;
	__u8 want_type;
} parse_cases[] = {
	{ "1",					false, 0, ODM_TYPE_FIXED },
	{ "fixed",				false, 0, ODM_TYPE_FIXED },
	{ "FIXED",				false, 0, ODM_TYPE_FIXED },
	{ "FiXeD",				false, 0, ODM_TYPE_FIXED },
	{ "FIXED_IPV6_ADDRESS",			false, 0, ODM_TYPE_FIXED },
	{ "fixed_ipv6_address",			false, 0, ODM_TYPE_FIXED },
	{ "IPV6_REQUIRE_FIXED_IP",		false, 0, ODM_TYPE_FIXED },
	{ "ipv6_require_fixed_ip",		false, 0, ODM_TYPE_FIXED },
	{ "2",					false, 0, ODM_TYPE_SESSION_LASTING },
	{ "session-lasting",			false, 0, ODM_TYPE_SESSION_LASTING },
	{ "session_lasting",			false, 0, ODM_TYPE_SESSION_LASTING },
	{ "Session-Lasting",			false, 0, ODM_TYPE_SESSION_LASTING },
	{ "SESSION_LASTING_IPV6_ADDRESS",	false, 0, ODM_TYPE_SESSION_LASTING },
	{ "IPV6_REQUIRE_SESSION_LASTING_IP",	false, 0, ODM_TYPE_SESSION_LASTING },
	{ "3",					false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "non-persistent",			false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "non_persistent",			false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "NON-PERSISTENT",			false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "NON_PERSISTENT_IPV6_ADDRESS",	false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "IPV6_REQUIRE_NON_PERSISTENT_IP",	false, 0, ODM_TYPE_NON_PERSISTENT },
	{ "4",					false, 0, ODM_TYPE_GRACEFUL },
	{ "graceful",				false, 0, ODM_TYPE_GRACEFUL },
	{ "GRACEFUL",				false, 0, ODM_TYPE_GRACEFUL },
	{ "graceful-replacement",		false, 0, ODM_TYPE_GRACEFUL },
	{ "graceful_replacement",		false, 0, ODM_TYPE_GRACEFUL },
	{ "Graceful-Replacement",		false, 0, ODM_TYPE_GRACEFUL },
	{ "GRACEFUL_REPLACEMENT_IPV6_ADDRESS",	false, 0, ODM_TYPE_GRACEFUL },
	{ "IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP", false, 0, ODM_TYPE_GRACEFUL },
	/* every spelling above works with allow_none too */
	{ "fixed",				true,  0, ODM_TYPE_FIXED },
	{ "4",					true,  0, ODM_TYPE_GRACEFUL },
	/* none only when allowed */
	{ "none",				true,  0, ODM_TYPE_NONE },
	{ "NONE",				true,  0, ODM_TYPE_NONE },
	{ "None",				true,  0, ODM_TYPE_NONE },
	{ "0",					true,  0, ODM_TYPE_NONE },
	{ "none",				false, -EINVAL, 0 },
	{ "0",					false, -EINVAL, 0 },
	/* reserved numbers and garbage */
	{ "5",					false, -EINVAL, 0 },
	{ "5",					true,  -EINVAL, 0 },
	{ "7",					false, -EINVAL, 0 },
	{ "8",					false, -EINVAL, 0 },
	{ "-1",					false, -EINVAL, 0 },
	{ "01",					false, -EINVAL, 0 },
	{ "1 ",					false, -EINVAL, 0 },
	{ " fixed",				false, -EINVAL, 0 },
	{ "",					false, -EINVAL, 0 },
	{ "",					true,  -EINVAL, 0 },
	{ "fixedx",				false, -EINVAL, 0 },
	{ "fix",				false, -EINVAL, 0 },
	{ "session",				false, -EINVAL, 0 },
	{ "session lasting",			false, -EINVAL, 0 },
	{ "non-persistentx",			false, -EINVAL, 0 },
	{ "graceful-",				false, -EINVAL, 0 },
	{ "nonex",				true,  -EINVAL, 0 },
	{ "FIXED_IPV6",				false, -EINVAL, 0 },
	{ "IPV6_REQUIRE_SRC_ON_NET",		false, -EINVAL, 0 },
};

static void test_type_parse(void)
{
	char what[128];
	size_t i;
	__u8 t;
	int ret;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		t = 0xee;
		ret = odm_type_parse(parse_cases[i].in, parse_cases[i].allow_none, &t);
		snprintf(what, sizeof(what), "parse \"%s\" allow_none=%d", parse_cases[i].in,
			 parse_cases[i].allow_none);
		if (!ASSERT_EQ(ret, parse_cases[i].want_ret, what))
			continue;
		if (ret == 0)
			ASSERT_EQ(t, parse_cases[i].want_type, what);
		else
			ASSERT_EQ(t, 0xee, "type untouched on error");
	}
	ASSERT_EQ(odm_type_parse(NULL, true, &t), -EINVAL, "NULL string");
}

/* The short name of every type parses back to the same type. */
static void test_type_roundtrip(void)
{
	unsigned int i;
	__u8 t;

	for (i = ODM_TYPE_FIXED; i <= ODM_TYPE_MAX; i++) {
		ASSERT_EQ(odm_type_parse(odm_type_name(i), false, &t), 0, odm_type_name(i));
		ASSERT_EQ(t, i, odm_type_name(i));
	}
	ASSERT_EQ(odm_type_parse(odm_type_name(ODM_TYPE_NONE), true, &t), 0, "none");
	ASSERT_EQ(t, ODM_TYPE_NONE, "none");
}

static void test_names(void)
{
	ASSERT_STREQ(odm_type_name(ODM_TYPE_NONE), "none", "type 0");
	ASSERT_STREQ(odm_type_name(ODM_TYPE_FIXED), "fixed", "type 1");
	ASSERT_STREQ(odm_type_name(ODM_TYPE_SESSION_LASTING), "session-lasting", "type 2");
	ASSERT_STREQ(odm_type_name(ODM_TYPE_NON_PERSISTENT), "non-persistent", "type 3");
	ASSERT_STREQ(odm_type_name(ODM_TYPE_GRACEFUL), "graceful-replacement", "type 4");
	ASSERT_STREQ(odm_type_name(5), "reserved", "type 5");
	ASSERT_STREQ(odm_type_name(7), "reserved", "type 7");
	ASSERT_STREQ(odm_type_name(0xffffffffu), "reserved", "type max");

	ASSERT_STREQ(odm_source_name(0), "unknown", "source 0");
	ASSERT_STREQ(odm_source_name(ODM_SRC_CONFIG), "config", "source config");
	ASSERT_STREQ(odm_source_name(ODM_SRC_CLI), "cli", "source cli");
	ASSERT_STREQ(odm_source_name(ODM_SRC_RA), "ra", "source ra");
	ASSERT_STREQ(odm_source_name(ODM_SRC_DHCPV6), "dhcpv6", "source dhcpv6");
	ASSERT_STREQ(odm_source_name(5), "unknown", "source 5");
	ASSERT_STREQ(odm_source_name(0xffffffffu), "unknown", "source max");

	ASSERT_STREQ(odm_pstate_name(ODM_PS_NOADDR), "no-address", "state noaddr");
	ASSERT_STREQ(odm_pstate_name(ODM_PS_VALID), "valid", "state valid");
	ASSERT_STREQ(odm_pstate_name(ODM_PS_DEPRECATED), "deprecated", "state deprecated");
	ASSERT_STREQ(odm_pstate_name(3), "unknown", "state 3");
	ASSERT_STREQ(odm_pstate_name(0xffffffffu), "unknown", "state max");
}

static void test_type_list_parse(void)
{
	static const struct {
		const char *in;
		int want_ret;
		unsigned int want_mask;
	} cases[] = {
		{ "fixed",			0, 1u << ODM_TYPE_FIXED },
		{ "non-persistent,fixed",	0,
		  1u << ODM_TYPE_NON_PERSISTENT | 1u << ODM_TYPE_FIXED },
		{ "2,GRACEFUL_REPLACEMENT_IPV6_ADDRESS", 0,
		  1u << ODM_TYPE_SESSION_LASTING | 1u << ODM_TYPE_GRACEFUL },
		{ "fixed,fixed",		-EINVAL, 0 },
		{ "fixed,1",			-EINVAL, 0 },
		{ "all",			0, ODM_TYPE_MASK_ALL },
		{ "1,2,3,4",			0, ODM_TYPE_MASK_ALL },
		{ "",				-EINVAL, 0 },
		{ ",",				-EINVAL, 0 },
		{ "fixed,",			-EINVAL, 0 },
		{ ",fixed",			-EINVAL, 0 },
		{ "fixed,,session-lasting",	-EINVAL, 0 },
		{ "fixed, session-lasting",	-EINVAL, 0 },
		{ "none",			-EINVAL, 0 },
		{ "0",				-EINVAL, 0 },
		{ "fixed,5",			-EINVAL, 0 },
		{ "all,fixed",			-EINVAL, 0 },
		{ "ALL",			-EINVAL, 0 },
		/* Longer than any spelling: refused, not cut to fit. */
		{ "fixedxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", -EINVAL, 0 },
	};
	unsigned int mask;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		mask = 0xee;
		if (!ASSERT_EQ(odm_type_list_parse(cases[i].in, &mask, NULL, 0), cases[i].want_ret,
			       cases[i].in))
			continue;
		ASSERT_EQ(mask, cases[i].want_ret ? 0xee : cases[i].want_mask, cases[i].in);
	}
	ASSERT_EQ(odm_type_list_parse(NULL, &mask, NULL, 0), -EINVAL, "NULL");
}

/* What a refused list is told, whoever parses it (odm.conf, odmd, odm). */
static void test_type_list_why(void)
{
	static const struct {
		const char *in;
		const char *why;
	} cases[] = {
		{ "fixed,bogus", "unknown type 'bogus' (expected " ODM_TYPE_LIST ", or all)" },
		{ "fixed,", "empty type in 'fixed,' (expected TYPE[,TYPE...] or all)" },
		{ ",", "empty type in ',' (expected TYPE[,TYPE...] or all)" },
		{ "fixed,1", "type fixed named twice in 'fixed,1'" },
		{ "all,fixed", "unknown type 'all' (expected " ODM_TYPE_LIST ", or all)" },
	};
	unsigned int mask;
	char why[256], tiny[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why[0] = '\0';
		INPUTS(1);
		ASSERT_EQ(odm_type_list_parse(cases[i].in, &mask, why, sizeof(why)), -EINVAL,
			  cases[i].in);
		ASSERT_STREQ(why, cases[i].why, cases[i].in);
	}
	/* A short buffer gets a cut message, never an overrun. */
	ASSERT_EQ(odm_type_list_parse("bogus", &mask, tiny, sizeof(tiny)), -EINVAL, "tiny");
	ASSERT_STREQ(tiny, "unknown", "cut to the buffer");
}

/* An interface's name for messages and lists; a gone one's index. */
static void test_ifname(void)
{
	char buf[IF_NAMESIZE];

	ASSERT_STREQ(odm_ifname(1, buf), "lo", "ifindex 1 is the loopback");
	ASSERT_STREQ(odm_ifname(4000000000u, buf), "if4000000000", "no such interface");
}

static void test_is_prefix(void)
{
	ASSERT_TRUE(odm_is_prefix("p", "prefix"), "p");
	ASSERT_TRUE(odm_is_prefix("pre", "prefix"), "pre");
	ASSERT_TRUE(odm_is_prefix("prefix", "prefix"), "prefix");
	ASSERT_TRUE(!odm_is_prefix("prefixes", "prefix"), "longer");
	ASSERT_TRUE(!odm_is_prefix("prx", "prefix"), "mismatch");
	ASSERT_TRUE(!odm_is_prefix("", "prefix"), "empty");
	ASSERT_TRUE(!odm_is_prefix("Pre", "prefix"), "case matters");
	ASSERT_TRUE(!odm_is_prefix(NULL, "prefix"), "NULL arg");
	ASSERT_TRUE(!odm_is_prefix("p", NULL), "NULL keyword");
}

int main(void)
{
	RUN(test_type_parse);
	RUN(test_type_roundtrip);
	RUN(test_names);
	RUN(test_type_list_parse);
	RUN(test_type_list_why);
	RUN(test_ifname);
	RUN(test_is_prefix);
	return test_summary();
}
