/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * egress.h - egress follows the source: for every typed prefix whose host
 * address the kernel has, and every default router of the interface that
 * address is on, odmd keeps the route
 *
 *	default from PREFIX/LEN via ROUTER dev IF proto 79 metric ROUTER'S
 *
 * (IPv6 subtrees), so that a packet leaves through the network that owns
 * its source.  Why, and what it does not do: egress.c.
 */
#ifndef ODM_EGRESS_H
#define ODM_EGRESS_H

#include <stdbool.h>

#include "core.h"

struct odm_egress;

/*
 * The state of the routes' upkeep.  enabled false (--no-egress-routes):
 * the first odm_egress_reconcile() withdraws the routes an earlier odmd
 * left, and no more are added.  NULL and errno on failure.
 */
struct odm_egress *odm_egress_new(bool enabled);
void odm_egress_free(struct odm_egress *eg);
/* The route monitor socket to poll, -1 when disabled. */
int odm_egress_fd(const struct odm_egress *eg);
/* Read the route events queued: true when one may change what to keep
 * (a default route of the main table came or went, or events were lost). */
bool odm_egress_process(struct odm_egress *eg);
/*
 * Make the kernel's routes of protocol RTPROT_ODM what the typed prefixes
 * of m and the kernel's addresses and default routers ask for: add the
 * missing, delete the others.  Idempotent.  The number of routes added
 * and deleted, or -errno; what fails is logged, each message once while
 * it stays true.
 */
int odm_egress_reconcile(struct odm_egress *eg, struct odm_maps *m);
/* odmd --unload: delete every route of protocol RTPROT_ODM of this netns'
 * main table.  The number deleted, or -errno. */
int odm_egress_flush(void);

#endif
