/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * args.c - argument helpers in the style of ip(8) and bpftool, whose
 * keywords may be abbreviated to any non-empty prefix.
 */
#include <string.h>

#include "core.h"

bool odm_is_prefix(const char *arg, const char *keyword)
{
	size_t len;

	if (!arg || !keyword)
		return false;
	len = strlen(arg);
	/* An empty argument would match every keyword. */
	if (len == 0 || len > strlen(keyword))
		return false;
	return memcmp(arg, keyword, len) == 0;
}
