/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * nl_int.h - the rtnetlink plumbing that nl.c (addresses), nl_addr.c
 * (address changes) and nl_route.c (routes) share, in nl_base.c: the
 * attribute walk of the parsers, sockets, dumps, monitors and requests
 * that wait for the kernel's acknowledgement.  Internal to core/; what
 * odmd and odm use is declared in core.h.
 */
#ifndef ODM_NL_INT_H
#define ODM_NL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/netlink.h>
#include <linux/types.h>

/* Large enough for any datagram the kernel sends: it caps dump skbs at 32 KiB. */
#define ODM_NL_BUFSIZE 32768

/* ---- parsing (pure) -------------------------------------------------------- */

typedef int (*odm_nl_attr_cb)(void *ctx, unsigned int type, const unsigned char *p, size_t len);

/*
 * Walk the rtattrs in p[0..len) and call cb(ctx, type, payload, payload
 * length) for each (type without NLA_F_* bits); a non-zero cb return
 * stops and is returned.  Every attribute must fit, including its
 * alignment padding except after the last one; trailing bytes that cannot
 * hold an attribute are malformed (-EINVAL).  memcpy() instead of casts
 * keeps this safe on buffers of any alignment (a fuzzer's, for one).
 */
int odm_nl_attr_walk(const unsigned char *p, size_t len, odm_nl_attr_cb cb, void *ctx);
/* Copy an attribute's payload when it has exactly the expected size; -EINVAL if not. */
int odm_nl_attr_copy(void *dst, size_t want, const unsigned char *p, size_t len, bool *have);

/* ---- building requests ----------------------------------------------------- */

/*
 * Append an attribute to the message nh, which lives in a buffer of cap
 * bytes.  -ENOSPC (nothing written) when it does not fit.
 */
int odm_nl_put_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data,
		    size_t len);
/*
 * Send one request (NLM_F_ACK is added) on a fresh socket and wait for the
 * kernel's answer: 0 or its -errno.  why (whylen bytes, may be NULL) gets
 * the kernel's extended ack message ("" when it gave none), which says
 * which of several reasons an -EINVAL had.
 */
int odm_nl_request(struct nlmsghdr *nh, char *why, size_t whylen);

/* ---- dumps and monitors ------------------------------------------------------ */

/* One message of a dump or of a monitor socket; a non-zero return stops. */
typedef int (*odm_nl_msg_cb)(const struct nlmsghdr *nlh, void *ctx);

/*
 * Send a dump request of this type whose body (ifaddrmsg, ifinfomsg,
 * rtmsg: at most 64 bytes) is body, on a fresh socket, and call cb for
 * every message of the answer but the final NLMSG_DONE / NLMSG_ERROR,
 * whose error is returned.  -EAGAIN when the dump was interrupted by a
 * change (NLM_F_DUMP_INTR): the caller may retry.
 */
int odm_nl_dump(__u16 type, const void *body, size_t len, odm_nl_msg_cb cb, void *ctx);
/* A non-blocking NETLINK_ROUTE socket subscribed to the RTMGRP_* groups. */
int odm_nl_monitor_socket(__u32 groups);
/*
 * Read what is queued on a monitor socket, cb for each message, until it
 * is empty (0).  -ENOBUFS when the kernel dropped events: the queue is
 * drained then, so that the caller's resync dump is not followed by
 * replays of older events.
 */
int odm_nl_monitor_drain(int fd, odm_nl_msg_cb cb, void *ctx);

#endif /* ODM_NL_INT_H */
