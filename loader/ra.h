/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ra.h - odmd's router-advertisement listener.  The kernel does SLAAC on
 * its own; what it cannot know is a prefix's type.  Types come from odmd's
 * configuration and, where a router marks them, from the 3-bit SrvTp field
 * that draft-feng-dmm-ra-prefixtype-00 puts in the Prefix Information
 * Option's Reserved1 bits (same numbering as the DHCPv6 draft: 0 none/any,
 * 1 Non-persistent, 2 Session-lasting, 3 Fixed, 4 Graceful-replacement).
 *
 * For every PIO with a non-zero SrvTp this module records the prefix in
 * odm_prefixes (source ODM_SRC_RA, the RA's interface, the PIO lifetimes),
 * unless the configuration or the CLI already typed it (they win) or it
 * covers or lies inside a prefix the host types already; a PIO with valid
 * lifetime 0 withdraws an RA-sourced prefix, and so does its valid
 * lifetime running out with no RA renewing it.  It then calls
 * odm_sync_kernel() so the SLAAC address the kernel made becomes the host
 * address.  Driven by odmd's poll loop; no threads.
 */
#ifndef ODM_RA_H
#define ODM_RA_H

#include "core.h"

struct odm_ra;

/* A raw ICMPv6 socket filtered to router advertisements.  NULL with errno. */
struct odm_ra *odm_ra_new(struct odm_maps *maps);
void odm_ra_free(struct odm_ra *ra);
int odm_ra_fd(const struct odm_ra *ra);
/* Read and apply every queued RA. */
void odm_ra_process(struct odm_ra *ra);
/*
 * Untype the RA prefixes no RA renewed within their valid lifetime (a
 * router that went away, or stopped advertising one).  Called once a
 * second; the number of prefixes removed, or -errno.
 */
int odm_ra_expire(struct odm_ra *ra);

#endif
