// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_proto.c - the libodm <-> odmd messages: built right, and every
 * malformed one refused. */
#include <errno.h>
#include <string.h>
#include <stddef.h>
#include <linux/types.h>

#include "test.h"

#include "proto.h"
#include "../../bpf/odm_uapi.h"

/* Count every input fed to the parsers under test (tests/run.sh figures). */
#define odm_msg_req_check(...) (INPUTS(1), odm_msg_req_check(__VA_ARGS__))
#define odm_msg_resp_check(...) (INPUTS(1), odm_msg_resp_check(__VA_ARGS__))
#define odm_msg_event_check(...) (INPUTS(1), odm_msg_event_check(__VA_ARGS__))

static void test_req_roundtrip(void)
{
	struct odm_msg_req req;

	odm_msg_req_init(&req, ODM_TYPE_SESSION_LASTING, ODM_REQF_ON_NET);
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), 0, "valid request");
	ASSERT_EQ(req.magic, ODM_PROTO_MAGIC, "magic");
	ASSERT_EQ(req.op, ODM_OP_ACQUIRE, "op");
	ASSERT_EQ(req.flags, ODM_REQF_ON_NET, "flags");
}

static void test_req_rejects(void)
{
	static const struct {
		const char *what;
		size_t off;		/* byte to change, or SIZE_MAX: length */
		unsigned char val;
		size_t len;
	} cases[] = {
		{ "short", (size_t)-1, 0, sizeof(struct odm_msg_req) - 1 },
		{ "long", (size_t)-1, 0, sizeof(struct odm_msg_req) + 1 },
		{ "magic", offsetof(struct odm_msg_req, magic), 0x00, 0 },
		{ "version", offsetof(struct odm_msg_req, version), 9, 0 },
		{ "op", offsetof(struct odm_msg_req, op), 7, 0 },
		{ "type 0", offsetof(struct odm_msg_req, type), 0, 0 },
		{ "type 5", offsetof(struct odm_msg_req, type), 5, 0 },
		{ "type 255", offsetof(struct odm_msg_req, type), 255, 0 },
		{ "unknown flag", offsetof(struct odm_msg_req, flags), 0x80, 0 },
		{ "pad", offsetof(struct odm_msg_req, pad), 1, 0 },
	};
	unsigned char buf[sizeof(struct odm_msg_req) + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct odm_msg_req req;
		size_t len = sizeof(req);

		odm_msg_req_init(&req, ODM_TYPE_FIXED, 0);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &req, sizeof(req));
		if (cases[i].off == (size_t)-1)
			len = cases[i].len;
		else
			buf[cases[i].off] = cases[i].val;
		ASSERT_EQ(odm_msg_req_check(buf, len), -EINVAL, cases[i].what);
	}
	ASSERT_EQ(odm_msg_req_check(NULL, sizeof(struct odm_msg_req)), -EINVAL, "NULL");
}

static void test_resp(void)
{
	struct odm_msg_resp resp;
	struct odm_msg_req req;

	odm_msg_req_init(&req, ODM_TYPE_NON_PERSISTENT, 0);
	odm_msg_resp_init(&resp, &req, ODM_R_NOT_OFFERED);
	ASSERT_EQ(odm_msg_resp_check(&resp, sizeof(resp)), 0, "valid answer");
	ASSERT_EQ(resp.type, ODM_TYPE_NON_PERSISTENT, "type echoed");
	resp.result = ODM_R_INVALID + 1;
	ASSERT_EQ(odm_msg_resp_check(&resp, sizeof(resp)), -EINVAL, "unknown result");
	resp.result = ODM_R_OK;
	resp.plen = 129;
	ASSERT_EQ(odm_msg_resp_check(&resp, sizeof(resp)), -EINVAL, "plen 129");
	resp.plen = 64;
	ASSERT_EQ(odm_msg_resp_check(&resp, sizeof(resp) - 4), -EINVAL, "truncated");
	resp.magic ^= 1;
	ASSERT_EQ(odm_msg_resp_check(&resp, sizeof(resp)), -EINVAL, "magic");
}

static void test_watch_and_event(void)
{
	static const __u32 a[4] = { 0x20010db8, 0, 0, 1 }, b[4] = { 0x20010db8, 0, 0, 2 };
	struct odm_msg_event ev;
	struct odm_msg_req req;

	odm_msg_watch_init(&req);
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), 0, "watch request");
	req.type = ODM_TYPE_FIXED;
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), -EINVAL, "watch with a type");
	odm_msg_event_init(&ev, ODM_TYPE_GRACEFUL, 30, a, b);
	ASSERT_EQ(odm_msg_event_check(&ev, sizeof(ev)), 0, "event");
	ASSERT_EQ(ev.old_addr[3], 1, "old address");
	ASSERT_EQ(ev.new_addr[3], 2, "new address");
	ASSERT_EQ(odm_msg_event_check(&ev, sizeof(ev) - 1), -EINVAL, "short event");
	ev.type = 0;
	ASSERT_EQ(odm_msg_event_check(&ev, sizeof(ev)), -EINVAL, "event without a type");
	ev.type = ODM_TYPE_GRACEFUL;
	ev.op = ODM_OP_ACQUIRE;
	ASSERT_EQ(odm_msg_event_check(&ev, sizeof(ev)), -EINVAL, "not an event");
}

static void test_monitor_and_notice(void)
{
	struct odm_msg_notice nt;
	struct odm_msg_req req;

	odm_msg_monitor_init(&req);
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), 0, "monitor request");
	ASSERT_EQ(req.op, ODM_OP_MONITOR, "op");
	req.flags = ODM_REQF_ON_NET;
	ASSERT_EQ(odm_msg_req_check(&req, sizeof(req)), -EINVAL, "monitor with flags");
	odm_msg_notice_init(&nt, ODM_N_LEASE_OBTAINED, ODM_TYPE_FIXED);
	nt.plen = 64;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), 0, "notice");
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt) + 1), -EINVAL, "long notice");
	ASSERT_EQ(odm_msg_notice_check(NULL, sizeof(nt)), -EINVAL, "NULL");
	nt.kind = ODM_N_KIND_MAX + 1;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -ENOTSUP, "a newer kind: skip it");
	nt.kind = 0;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -ENOTSUP, "kind 0");
	nt.kind = ODM_N_DENIED;
	nt.plen = 129;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -EINVAL, "plen");
	nt.plen = 0;
	nt.reason = ODM_NR_MAX + 1;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -EINVAL, "reason");
	nt.reason = 0;
	nt.version = ODM_PROTO_VERSION + 1;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -EINVAL, "version");
	nt.version = ODM_PROTO_VERSION;
	nt.op = ODM_OP_EVENT;
	ASSERT_EQ(odm_msg_notice_check(&nt, sizeof(nt)), -EINVAL, "an event is not a notice");
}

int main(void)
{
	RUN(test_req_roundtrip);
	RUN(test_req_rejects);
	RUN(test_resp);
	RUN(test_watch_and_event);
	RUN(test_monitor_and_notice);
	return test_summary();
}
