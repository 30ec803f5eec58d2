/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * proto.h - the request path from libodm (and odm request) to odmd.
 *
 * BPF cannot block, so when no address of the type is configured, or the
 * socket has IPV6_REQUIRE_SRC_ON_NET, setsc() asks odmd, which asks the
 * network (DHCPv6 prefix delegation), configures the host address and
 * fills the maps, then answers.  The transport is an AF_UNIX SOCK_SEQPACKET
 * socket under /run/odm named after the network namespace, so each host
 * stack has its own odmd; odmd checks every peer's credentials
 * (SO_PEERCRED: the peer must be in odm's cgroup, or root) and every client
 * checks that odmd is root's.
 *
 * One request and one answer per connection, fixed-size messages with a
 * magic and a version.  Internal to odm: not installed.
 */
#ifndef ODM_PROTO_H
#define ODM_PROTO_H

#include <stddef.h>
#include <linux/types.h>

/*
 * odmd's socket: ODM_RUN_DIR/odmd.NETNS.sock, NETNS the inode of the
 * network namespace (one odmd per host stack).  A filesystem socket in a
 * directory only root may write: unlike an abstract name, no unprivileged
 * process can take it before odmd (or after odmd died) and answer in its
 * place; clients also check that the peer is root.
 */
#define ODM_RUN_DIR		"/run/odm"
#define ODM_PROTO_MAGIC		0x4f444d31u	/* "ODM1" */
#define ODM_PROTO_VERSION	1

/* Longest odmd takes to answer an acquisition, and setsc()'s default wait. */
#define ODM_REQUEST_TIMEOUT_MS	8000
#define ODM_SETSC_TIMEOUT_MS	10000

enum odm_op {
	ODM_OP_ACQUIRE = 1,	/* an address of a type, fresh if ON_NET */
	ODM_OP_WATCH = 2,	/* keep the connection: odmd sends odm_msg_event */
	ODM_OP_EVENT = 3,	/* odmd -> watcher: an address is being replaced */
	ODM_OP_MONITOR = 4,	/* keep the connection: odmd sends odm_msg_notice */
	ODM_OP_NOTICE = 5,	/* odmd -> monitor: something only odmd saw */
};

#define ODM_REQF_ON_NET		0x01	/* RFC 8653 6.2: a new prefix, always */

enum odm_result {
	ODM_R_OK		= 0,	/* addr holds the address */
	ODM_R_NOT_OFFERED	= 1,	/* the network does not offer the type */
	ODM_R_FAILED		= 2,	/* offered, not granted now (timeout, exhausted) */
	ODM_R_DENIED		= 3,	/* the peer may not ask (credentials, policy) */
	ODM_R_INVALID		= 4,	/* malformed request */
};

struct odm_msg_req {
	__u32 magic;
	__u16 version;
	__u16 op;		/* enum odm_op */
	__u8  type;		/* enum odm_type */
	__u8  flags;		/* ODM_REQF_* */
	__u16 pad;
};

struct odm_msg_resp {
	__u32 magic;
	__u16 version;
	__u16 op;
	__u32 result;		/* enum odm_result */
	__u8  type;
	__u8  plen;		/* of prefix */
	__u16 pad;
	__u32 addr[4];		/* network order */
	__u32 prefix[4];
	__u32 valid_lft;	/* seconds, 0xffffffff forever */
	__u32 preferred_lft;
};

/*
 * Section 3.2 graceful replacement: old stays valid for grace_s seconds,
 * new sockets of the type get new.  Sent to every watcher.
 */
struct odm_msg_event {
	__u32 magic;
	__u16 version;
	__u16 op;		/* ODM_OP_EVENT */
	__u8  type;		/* enum odm_type of both addresses */
	__u8  pad[3];
	__u32 grace_s;
	__u32 old_addr[4];	/* network order */
	__u32 new_addr[4];
};

/*
 * What `odm monitor` hears from odmd: the events no map shows (a lease
 * renewed with the same prefix, a request refused, an exchange that
 * failed).  Changes of the maps themselves (prefixes, odm_select, policies)
 * are seen by diffing the maps, whoever made them, and are not sent.
 * Monitors are not libodm's watchers: those get odm_msg_event only, so a
 * new kind here never reaches an application that cannot parse it.
 * A monitor skips kinds it does not know (a newer odmd); a change of
 * layout is a new ODM_PROTO_VERSION.
 */
enum odm_notice_kind {
	ODM_N_LEASE_OBTAINED	= 1,	/* a prefix delegated (prefix, lifetimes) */
	ODM_N_LEASE_RENEWED	= 2,	/* Renew/Rebind extended it */
	ODM_N_LEASE_RELEASED	= 3,	/* odmd gave it back (idle, superseded, refused) */
	ODM_N_LEASE_LOST	= 4,	/* expired, or the server took it back */
	ODM_N_LEASE_RESTORED	= 5,	/* read back from the lease file at start */
	ODM_N_LEASE_FAILED	= 6,	/* an acquisition ended without one (reason) */
	ODM_N_REPLACED		= 7,	/* graceful replacement: addr -> new_addr, grace_s */
	ODM_N_REFUSED		= 8,	/* a delegated prefix odmd will not use (reason) */
	ODM_N_DENIED		= 9,	/* a network request refused by policy (reason) */
	ODM_N_KIND_MAX		= ODM_N_DENIED,
};

/* odm_msg_notice.reason */
enum odm_notice_reason {
	ODM_NR_NONE		= 0,
	ODM_NR_NOT_OFFERED	= 1,	/* FAILED: the network does not offer the type */
	ODM_NR_FAILED		= 2,	/* FAILED: offered, not granted (timeout, exhausted) */
	ODM_NR_UNSAFE		= 3,	/* REFUSED: unsafe, taken, or untyped */
	ODM_NR_POLICY		= 4,	/* DENIED: the type or on-net is not allowed */
	ODM_NR_QUOTA		= 5,	/* DENIED: max-held prefixes reached */
	ODM_NR_RATE		= 6,	/* DENIED: network requests a minute reached */
	ODM_NR_MAX		= ODM_NR_RATE,
};

/* 88 bytes, no implicit padding (proto.c checks). */
struct odm_msg_notice {
	__u32 magic;
	__u16 version;
	__u16 op;		/* ODM_OP_NOTICE */
	__u16 kind;		/* enum odm_notice_kind */
	__u8  type;		/* enum odm_type; 0: none (DENIED of a bad request) */
	__u8  plen;		/* of prefix; 0: no prefix */
	__u32 ifindex;		/* the network's interface; 0: none */
	__u32 reason;		/* enum odm_notice_reason */
	__u32 prefix[4];	/* network order */
	__u32 addr[4];		/* host address (REPLACED: the old one); zero: none */
	__u32 new_addr[4];	/* REPLACED: the new one */
	__u32 valid_lft;	/* seconds, 0xffffffff forever */
	__u32 preferred_lft;
	__u32 grace_s;		/* REPLACED */
	__u64 cgroup_id;	/* DENIED: the cgroup whose policy refused */
};

/* Fill a message's header fields. */
void odm_msg_req_init(struct odm_msg_req *req, __u8 type, __u8 flags);
/* A watch request (type and flags zero). */
void odm_msg_watch_init(struct odm_msg_req *req);
/* A monitor request (type and flags zero). */
void odm_msg_monitor_init(struct odm_msg_req *req);
/* A notice of kind, everything else zero. */
void odm_msg_notice_init(struct odm_msg_notice *nt, __u16 kind, __u8 type);
void odm_msg_event_init(struct odm_msg_event *ev, __u8 type, __u32 grace_s,
			const __u32 old_addr[4], const __u32 new_addr[4]);
void odm_msg_resp_init(struct odm_msg_resp *resp, const struct odm_msg_req *req, __u32 result);
/* Validate a received message: 0, or -EINVAL (size, magic, version, op,
 * type, flags, result out of range). */
int odm_msg_req_check(const void *buf, size_t len);
int odm_msg_resp_check(const void *buf, size_t len);
int odm_msg_event_check(const void *buf, size_t len);
/* 0, -EINVAL (size, magic, version, op, type, plen, reason out of range),
 * or -ENOTSUP for a kind this build does not know (skip it). */
int odm_msg_notice_check(const void *buf, size_t len);

/* odmd's socket path for the caller's network namespace.  0 or -errno. */
int odm_proto_path(char *buf, size_t len);
/* Connect to odmd (sock_flags: e.g. SOCK_NONBLOCK).  fd, or -errno:
 * -ECONNREFUSED or -ENOENT when no odmd serves this network namespace,
 * -EPERM when whoever listens there is not root (not odmd).  With odmd's
 * backlog full, connect() waits for room, without bound; with SOCK_NONBLOCK
 * it fails at once with -EAGAIN (AF_UNIX has no connect in progress: a 0
 * is a connected socket). */
int odm_proto_connect(int sock_flags);

#endif
