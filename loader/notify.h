/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * notify.h - systemd's readiness protocol (sd_notify(3)), spoken without
 * libsystemd: one datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET.
 *
 *   READY=1                          once the maps are filled and attached
 *   RELOADING=1 MONOTONIC_USEC=N     at SIGHUP, then READY=1 when applied
 *   STOPPING=1                       when odmd is about to exit
 *   STATUS=...                       what odmd is doing, for systemctl status
 *   ERRNO=N                          why it failed, with its STATUS
 *
 * Without $NOTIFY_SOCKET every call does nothing: odmd runs the same under
 * any supervisor and by hand.
 */
#ifndef ODMD_NOTIFY_H
#define ODMD_NOTIFY_H

/* Read $NOTIFY_SOCKET (a path, or '@' for the abstract namespace) and
 * connect to it.  0 (also without one), or -errno, logged. */
int notify_init(void);
/* Send one datagram; fmt gives its lines, without a final newline. */
void notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notify_close(void);

#endif
