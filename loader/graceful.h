/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * graceful.h - RFC 8653 section 3.2 graceful replacement.  When a newer
 * Graceful-replacement prefix becomes valid, every older valid one is
 * replaced: its host address is deprecated (new sockets no longer get it)
 * and given grace_s seconds of validity, after which the kernel itself
 * removes it.  The kernel holds the deadline, not odmd, so a restart
 * changes nothing; existing sockets keep working until then, and watchers
 * (setsc_watch_open()) are told old -> new.
 */
#ifndef ODM_GRACEFUL_H
#define ODM_GRACEFUL_H

#include "core.h"

#define ODM_GRACE_DEFAULT_S	60

typedef void (*odm_replaced_cb)(void *ctx, __u8 type, __u32 grace_s, const __u32 old_addr[4],
				const __u32 new_addr[4]);

/* Replace what the newest Graceful-replacement prefix supersedes; returns
 * how many were replaced, or -errno. */
int odm_graceful_check(struct odm_maps *m, __u32 grace_s, odm_replaced_cb cb, void *ctx);

#endif
