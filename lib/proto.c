// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proto.c - building and checking libodm <-> odmd messages.  Pure: fuzzed
 * and unit-tested apart from the sockets.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "proto.h"
#include "../bpf/odm_uapi.h"

/* Every message begins with the same eight bytes: magic, version, op. */
struct msg_head {
	__u32 magic;
	__u16 version;
	__u16 op;
};

#define HEAD_AT_START(t)							\
	_Static_assert(offsetof(struct t, magic) == offsetof(struct msg_head, magic) &&	\
		       offsetof(struct t, version) == offsetof(struct msg_head, version) && \
		       offsetof(struct t, op) == offsetof(struct msg_head, op),	\
		       #t " begins with the message head")
HEAD_AT_START(odm_msg_req);
HEAD_AT_START(odm_msg_resp);
HEAD_AT_START(odm_msg_event);
HEAD_AT_START(odm_msg_notice);

/* A message of size bytes, all zero but its head. */
static void msg_begin(void *msg, size_t size, __u16 op)
{
	const struct msg_head head = {
		.magic = ODM_PROTO_MAGIC, .version = ODM_PROTO_VERSION, .op = op,
	};

	memset(msg, 0, size);
	memcpy(msg, &head, sizeof(head));
}

void odm_msg_req_init(struct odm_msg_req *req, __u8 type, __u8 flags)
{
	msg_begin(req, sizeof(*req), ODM_OP_ACQUIRE);
	req->type = type;
	req->flags = flags;
}

void odm_msg_watch_init(struct odm_msg_req *req)
{
	odm_msg_req_init(req, 0, 0);
	req->op = ODM_OP_WATCH;
}

/* Fixed sizes on every ABI: a monitor and odmd agree byte for byte. */
_Static_assert(sizeof(struct odm_msg_notice) == 88, "odm_msg_notice has no padding");

void odm_msg_monitor_init(struct odm_msg_req *req)
{
	odm_msg_req_init(req, 0, 0);
	req->op = ODM_OP_MONITOR;
}

void odm_msg_notice_init(struct odm_msg_notice *nt, __u16 kind, __u8 type)
{
	msg_begin(nt, sizeof(*nt), ODM_OP_NOTICE);
	nt->kind = kind;
	nt->type = type;
}

void odm_msg_event_init(struct odm_msg_event *ev, __u8 type, __u32 grace_s,
			const __u32 old_addr[4], const __u32 new_addr[4])
{
	msg_begin(ev, sizeof(*ev), ODM_OP_EVENT);
	ev->type = type;
	ev->grace_s = grace_s;
	memcpy(ev->old_addr, old_addr, sizeof(ev->old_addr));
	memcpy(ev->new_addr, new_addr, sizeof(ev->new_addr));
}

void odm_msg_resp_init(struct odm_msg_resp *resp, const struct odm_msg_req *req, __u32 result)
{
	msg_begin(resp, sizeof(*resp), req ? req->op : ODM_OP_ACQUIRE);
	resp->type = req ? req->type : 0;
	resp->result = result;
}

/* Magic, version and the operation expected: what every message carries. */
static bool header_ok(__u32 magic, __u16 version, __u16 op, __u16 want_op)
{
	return magic == ODM_PROTO_MAGIC && version == ODM_PROTO_VERSION && op == want_op;
}

static bool type_ok(__u8 type)
{
	return type != ODM_TYPE_NONE && type <= ODM_TYPE_MAX;
}

int odm_msg_req_check(const void *buf, size_t len)
{
	struct odm_msg_req req;

	if (!buf || len != sizeof(req))
		return -EINVAL;
	memcpy(&req, buf, sizeof(req));
	if (req.pad)
		return -EINVAL;
	if (header_ok(req.magic, req.version, req.op, ODM_OP_WATCH) ||
	    header_ok(req.magic, req.version, req.op, ODM_OP_MONITOR))
		return req.type || req.flags ? -EINVAL : 0;
	if (!header_ok(req.magic, req.version, req.op, ODM_OP_ACQUIRE) || !type_ok(req.type) ||
	    (req.flags & ~ODM_REQF_ON_NET))
		return -EINVAL;
	return 0;
}

int odm_msg_event_check(const void *buf, size_t len)
{
	struct odm_msg_event ev;

	if (!buf || len != sizeof(ev))
		return -EINVAL;
	memcpy(&ev, buf, sizeof(ev));
	if (!header_ok(ev.magic, ev.version, ev.op, ODM_OP_EVENT) || !type_ok(ev.type))
		return -EINVAL;
	return 0;
}

int odm_msg_notice_check(const void *buf, size_t len)
{
	struct odm_msg_notice nt;

	if (!buf || len != sizeof(nt))
		return -EINVAL;
	memcpy(&nt, buf, sizeof(nt));
	if (!header_ok(nt.magic, nt.version, nt.op, ODM_OP_NOTICE) ||
	    nt.type > ODM_TYPE_MAX || nt.plen > 128 || nt.reason > ODM_NR_MAX)
		return -EINVAL;
	if (!nt.kind || nt.kind > ODM_N_KIND_MAX)
		return -ENOTSUP;
	return 0;
}

int odm_msg_resp_check(const void *buf, size_t len)
{
	struct odm_msg_resp resp;

	if (!buf || len != sizeof(resp))
		return -EINVAL;
	memcpy(&resp, buf, sizeof(resp));
	if (!header_ok(resp.magic, resp.version, resp.op, ODM_OP_ACQUIRE) ||
	    resp.result > ODM_R_INVALID || resp.plen > 128)
		return -EINVAL;
	return 0;
}

int odm_proto_path(char *buf, size_t len)
{
	struct stat st;
	int n;

	/* One odmd per network namespace, as the host stack is per netns. */
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	n = snprintf(buf, len, "%s/odmd.%llu.sock", ODM_RUN_DIR, (unsigned long long)st.st_ino);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int odm_proto_connect(int sock_flags)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ucred uc;
	socklen_t ulen = sizeof(uc);
	int fd, err;

	err = odm_proto_path(sun.sun_path, sizeof(sun.sun_path));
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | sock_flags, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		close(fd);
		return err;
	}
	/*
	 * Only root's odmd is odmd: the directory is root's, and the peer's
	 * credentials (taken when it listened) say so too.  Anything else is
	 * an impostor, and its answers would steer the application: "no odmd".
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ulen) || uc.uid != 0) {
		close(fd);
		return -EPERM;
	}
	return fd;
}
