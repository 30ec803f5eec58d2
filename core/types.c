/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * types.c - names of odm's address types, prefix sources and prefix states.
 *
 * One table per enum so that parsing and printing can never disagree.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct type_spelling {
	const char *name;
	__u8 type;
};

/*
 * Every spelling accepted for a type.  Users copy names from RFC 8653
 * (section 6.1 constants, section 4.1 style socket options) as often as
 * they type the short CLI names, so all of them are accepted.
 */
static const struct type_spelling type_spellings[] = {
	{ "1",					ODM_TYPE_FIXED },
	{ "fixed",				ODM_TYPE_FIXED },
	{ "FIXED_IPV6_ADDRESS",			ODM_TYPE_FIXED },
	{ "IPV6_REQUIRE_FIXED_IP",		ODM_TYPE_FIXED },
	{ "2",					ODM_TYPE_SESSION_LASTING },
	{ "session-lasting",			ODM_TYPE_SESSION_LASTING },
	{ "session_lasting",			ODM_TYPE_SESSION_LASTING },
	{ "SESSION_LASTING_IPV6_ADDRESS",	ODM_TYPE_SESSION_LASTING },
	{ "IPV6_REQUIRE_SESSION_LASTING_IP",	ODM_TYPE_SESSION_LASTING },
	{ "3",					ODM_TYPE_NON_PERSISTENT },
	{ "non-persistent",			ODM_TYPE_NON_PERSISTENT },
	{ "non_persistent",			ODM_TYPE_NON_PERSISTENT },
	{ "NON_PERSISTENT_IPV6_ADDRESS",	ODM_TYPE_NON_PERSISTENT },
	{ "IPV6_REQUIRE_NON_PERSISTENT_IP",	ODM_TYPE_NON_PERSISTENT },
	{ "4",					ODM_TYPE_GRACEFUL },
	{ "graceful",				ODM_TYPE_GRACEFUL },
	{ "graceful-replacement",		ODM_TYPE_GRACEFUL },
	{ "graceful_replacement",		ODM_TYPE_GRACEFUL },
	{ "GRACEFUL_REPLACEMENT_IPV6_ADDRESS",	ODM_TYPE_GRACEFUL },
	{ "IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP", ODM_TYPE_GRACEFUL },
};

int odm_type_parse(const char *s, bool allow_none, __u8 *type)
{
	size_t i;

	if (!s || !type)
		return -EINVAL;
	if (allow_none && (strcmp(s, "0") == 0 || strcasecmp(s, "none") == 0)) {
		*type = ODM_TYPE_NONE;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(type_spellings); i++) {
		if (strcasecmp(s, type_spellings[i].name) == 0) {
			*type = type_spellings[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

int odm_type_list_parse(const char *s, unsigned int *mask, char *why, size_t whylen)
{
	unsigned int m = 0;
	const char *p, *comma;
	char one[64];
	size_t n;
	__u8 t;

	if (!s || !mask)
		return odm_why(why, whylen, "no type list");
	if (!strcmp(s, "all")) {
		*mask = ODM_TYPE_MASK_ALL;
		return 0;
	}
	for (p = s;; p = comma + 1) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		/* An empty item (",,", a trailing comma) is a typo, not "nothing". */
		if (!n)
			return odm_why(why, whylen, "empty type in '%s' (expected "
					  "TYPE[,TYPE...] or all)", s);
		/* Longer than any spelling: refused, not cut to fit. */
		if (n >= sizeof(one))
			return odm_why(why, whylen, "unknown type '%.*s' (expected %s, or all)",
					  (int)n, p, ODM_TYPE_LIST);
		memcpy(one, p, n);
		one[n] = '\0';
		if (odm_type_parse(one, false, &t))
			return odm_why(why, whylen, "unknown type '%s' (expected %s, or all)",
					  one, ODM_TYPE_LIST);
		/* Not a no-op: a list written with a typo in it ("fixed,fixed"
		 * for "fixed,session-lasting") must not quietly ask for less. */
		if (m & (1u << t))
			return odm_why(why, whylen, "type %s named twice in '%s'",
					  odm_type_name(t), s);
		m |= 1u << t;
		if (!comma)
			break;
	}
	*mask = m;
	return 0;
}

/* Indexed by enum odm_type; these are also the JSON values, so never rename. */
static const char *const type_names[] = {
	[ODM_TYPE_NONE]			= "none",
	[ODM_TYPE_FIXED]		= "fixed",
	[ODM_TYPE_SESSION_LASTING]	= "session-lasting",
	[ODM_TYPE_NON_PERSISTENT]	= "non-persistent",
	[ODM_TYPE_GRACEFUL]		= "graceful-replacement",
};

const char *odm_type_name(unsigned int type)
{
	if (type >= ARRAY_SIZE(type_names))
		return "reserved";
	return type_names[type];
}

static const char *const source_names[] = {
	[ODM_SRC_CONFIG]	= "config",
	[ODM_SRC_CLI]		= "cli",
	[ODM_SRC_RA]		= "ra",
	[ODM_SRC_DHCPV6]	= "dhcpv6",
};

const char *odm_source_name(unsigned int source)
{
	/* 0 is not a source: the table has a hole there. */
	if (source >= ARRAY_SIZE(source_names) || !source_names[source])
		return "unknown";
	return source_names[source];
}

static const char *const pstate_names[] = {
	[ODM_PS_NOADDR]		= "no-address",
	[ODM_PS_VALID]		= "valid",
	[ODM_PS_DEPRECATED]	= "deprecated",
};

const char *odm_pstate_name(unsigned int state)
{
	if (state >= ARRAY_SIZE(pstate_names))
		return "unknown";
	return pstate_names[state];
}

const char *odm_ifname(unsigned int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}
