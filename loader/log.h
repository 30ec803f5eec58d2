/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - odmd's messages: "odmd: what: why" on stderr, one line each.
 * Every message odmd logs goes through here, libbpf's too, and one setting
 * decides which: odmd_verbose.
 */
#ifndef ODMD_LOG_H
#define ODMD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

/* -v: debug lines too.  Set once at start-up, read everywhere. */
extern bool odmd_verbose;

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define debug(...) do { if (odmd_verbose) logmsg(__VA_ARGS__); } while (0)

/* For libbpf_set_print(): warnings always, the rest with -v. */
int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
