// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_kw.c - the keywords of a cgroup's policy and their values, as
 * odm.conf's policy line and `odm policy set` both write them: one table,
 * one grammar, one message for each mistake.  The file wants keywords in
 * full; the CLI takes leading parts, as ip(8) does ("def", "al").
 */
#include <errno.h>
#include <string.h>

#include "core.h"

/* Indexed by enum odm_policy_kw; no two begin with the same letter. */
static const char *const kw_names[ODM_PKW_COUNT] = {
	[ODM_PKW_DEFAULT]	= "default",
	[ODM_PKW_ALLOW]		= "allow",
	[ODM_PKW_ON_NET]	= "on-net",
	[ODM_PKW_RATE]		= "rate",
	[ODM_PKW_MAX_HELD]	= "max-held",
	[ODM_PKW_UPGRADE]	= "upgrade",
};

static bool names(const char *arg, const char *word, bool abbrev)
{
	return abbrev ? odm_is_prefix(arg, word) : arg && !strcmp(arg, word);
}

int odm_policy_kw_find(const char *kw, bool abbrev)
{
	int k;

	for (k = 0; k < ODM_PKW_COUNT; k++)
		if (names(kw, kw_names[k], abbrev))
			return k;
	return -1;
}

const char *odm_policy_kw_name(enum odm_policy_kw k)
{
	return (unsigned int)k < ODM_PKW_COUNT ? kw_names[k] : "?";
}

/* Digits only, 0 to 65535: no sign, no blank, no base prefix. */
static int parse_u16(const char *val, __u16 *out)
{
	unsigned int v = 0;
	const char *p;

	for (p = val; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (p == val || *p)
		return -EINVAL;
	*out = (__u16)v;
	return 0;
}

static void set_flag(struct odm_policy *pol, __u8 flag, bool on)
{
	pol->flags = (__u8)(on ? pol->flags | flag : pol->flags & ~flag);
}

int odm_policy_kw_parse(enum odm_policy_kw k, const char *val, bool abbrev,
			struct odm_policy *pol, char *why, size_t whylen)
{
	const char *name = odm_policy_kw_name(k);
	unsigned int mask;
	bool allow;

	if (!val || !pol)
		return odm_why(why, whylen, "missing value after '%s'", name);
	switch (k) {
	case ODM_PKW_DEFAULT:
		if (odm_type_parse(val, true, &pol->default_type))
			return odm_why(why, whylen, "unknown type '%s' (expected %s, or none)", val,
					ODM_TYPE_LIST);
		return 0;
	case ODM_PKW_ALLOW:
		if (odm_type_list_parse(val, &mask, why, whylen))
			return -EINVAL;
		/* "all" is no restriction: a child's "allow all" lifts its
		 * parent's list, where no policy at all would inherit it. */
		pol->allow_mask = mask == ODM_TYPE_MASK_ALL ? 0 : (__u8)mask;
		set_flag(pol, ODM_POLF_ALLOW, mask != ODM_TYPE_MASK_ALL);
		return 0;
	case ODM_PKW_RATE:
	case ODM_PKW_MAX_HELD:
		if (parse_u16(val, k == ODM_PKW_RATE ? &pol->net_per_min : &pol->max_held))
			return odm_why(why, whylen, "invalid %s '%s' (expected 0 to 65535, "
					"0: no limit)", name, val);
		return 0;
	case ODM_PKW_ON_NET:
	case ODM_PKW_UPGRADE:
		if (!names(val, "allow", abbrev) && !names(val, "deny", abbrev))
			return odm_why(why, whylen, "invalid %s '%s' (expected allow or deny)",
					name, val);
		allow = names(val, "allow", abbrev);
		if (k == ODM_PKW_ON_NET)
			set_flag(pol, ODM_POLF_NO_ON_NET, !allow);
		else
			set_flag(pol, ODM_POLF_UPGRADE, allow);
		return 0;
	default:
		return odm_why(why, whylen, "unknown policy keyword");
	}
}

void odm_policy_kw_copy(unsigned int kws, struct odm_policy *dst, const struct odm_policy *src)
{
	static const __u8 kw_flag[ODM_PKW_COUNT] = {
		[ODM_PKW_ALLOW]		= ODM_POLF_ALLOW,
		[ODM_PKW_ON_NET]	= ODM_POLF_NO_ON_NET,
		[ODM_PKW_UPGRADE]	= ODM_POLF_UPGRADE,
	};
	int k;

	for (k = 0; k < ODM_PKW_COUNT; k++) {
		if (!(kws & (1u << k)))
			continue;
		set_flag(dst, kw_flag[k], src->flags & kw_flag[k]);
		if (k == ODM_PKW_DEFAULT)
			dst->default_type = src->default_type;
		else if (k == ODM_PKW_ALLOW)
			dst->allow_mask = src->allow_mask;
		else if (k == ODM_PKW_RATE)
			dst->net_per_min = src->net_per_min;
		else if (k == ODM_PKW_MAX_HELD)
			dst->max_held = src->max_held;
	}
}
