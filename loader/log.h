/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* log.h - odmd's messages: "odmd: what: why" on stderr, one line each. */
#ifndef ODMD_LOG_H
#define ODMD_LOG_H

#include <stdbool.h>

/* -v: debug lines too.  Set once at start-up, read everywhere. */
extern bool odmd_verbose;

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define debug(...) do { if (odmd_verbose) logmsg(__VA_ARGS__); } while (0)

#endif
