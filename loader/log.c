// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* log.c - see log.h */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

bool odmd_verbose;

void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("odmd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !odmd_verbose)
		return 0;
	if (level == LIBBPF_INFO && !odmd_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}
