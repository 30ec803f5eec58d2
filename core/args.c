/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * args.c - argument helpers in the style of ip(8) and bpftool, whose
 * keywords may be abbreviated to any non-empty prefix, and odm_why(), the
 * message a parser gives for what it refuses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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

int odm_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
