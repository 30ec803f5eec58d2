/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - odmd's messages: "odmd: what: why" on stderr, one line each.
 * Every message odmd logs goes through here, libbpf's too, and one setting
 * decides which: odmd_verbose.
 *
 * Each line has a syslog priority.  Under systemd (stderr is the journal's
 * stream, $JOURNAL_STREAM) or with --syslog-prefix, it is written first as
 * "<N>", as sd-daemon(3) describes, so that journald files errors as
 * errors; elsewhere the lines stay plain, as scripts and tests read them.
 */
#ifndef ODMD_LOG_H
#define ODMD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>
#include <bpf/libbpf.h>

/* -v: debug lines too.  Set once at start-up, read everywhere. */
extern bool odmd_verbose;

/*
 * Whether lines carry "<N>": log_init() decides from $JOURNAL_STREAM (its
 * device and inode must be stderr's: a stream redirected since is not the
 * journal's any more); force makes it so (--syslog-prefix).
 */
void log_init(bool force);

void logmsg_prio(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Most of odmd's messages say what failed: that is logmsg()'s priority. */
#define logmsg(...)	logmsg_prio(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	logmsg_prio(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	logmsg_prio(LOG_INFO, __VA_ARGS__)
#define debug(...) do { if (odmd_verbose) logmsg_prio(LOG_DEBUG, __VA_ARGS__); } while (0)

/* For libbpf_set_print(): warnings always, the rest with -v. */
int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
