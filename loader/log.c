// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* log.c - see log.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

bool odmd_verbose;
static bool prio_prefix;

void log_init(bool force)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	prio_prefix = force;
	if (force || !js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return;
	prio_prefix = fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
		      (unsigned long long)st.st_ino == ino;
}

void logmsg_prio(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio_prefix)
		fprintf(stderr, "<%d>", prio);
	fputs("odmd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN && !odmd_verbose)
		return 0;
	if (prio_prefix)
		fprintf(stderr, "<%d>", level == LIBBPF_WARN ? LOG_WARNING :
					level == LIBBPF_INFO ? LOG_INFO : LOG_DEBUG);
	return vfprintf(stderr, fmt, ap);
}
