// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_proto.c - odm_msg_{req,resp,event,notice}_check() on arbitrary datagrams.
 *
 * Every check sees every input; the sizes differ, so at most one accepts
 * it, and what it accepts must be a message odmd or libodm can act on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "odm_uapi.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odm_msg_event ev;
	struct odm_msg_resp resp;
	struct odm_msg_req req;
	uint8_t *buf;
	int ok = 0;

	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	if (odm_msg_req_check(buf, size) == 0) {
		ok++;
		memcpy(&req, buf, sizeof(req));
		CHECK(req.magic == ODM_PROTO_MAGIC && req.version == ODM_PROTO_VERSION);
		if (req.op == ODM_OP_ACQUIRE)
			CHECK(req.type >= ODM_TYPE_FIXED && req.type <= ODM_TYPE_MAX);
		else
			CHECK((req.op == ODM_OP_WATCH || req.op == ODM_OP_MONITOR) && !req.type &&
			      !req.flags);
	}
	if (odm_msg_resp_check(buf, size) == 0) {
		ok++;
		memcpy(&resp, buf, sizeof(resp));
		CHECK(resp.op == ODM_OP_ACQUIRE && resp.result <= ODM_R_INVALID);
		CHECK(resp.plen <= 128);
	}
	if (odm_msg_event_check(buf, size) == 0) {
		ok++;
		memcpy(&ev, buf, sizeof(ev));
		CHECK(ev.op == ODM_OP_EVENT);
		CHECK(ev.type >= ODM_TYPE_FIXED && ev.type <= ODM_TYPE_MAX);
	}
	if (odm_msg_notice_check(buf, size) == 0) {
		struct odm_msg_notice nt;

		ok++;
		memcpy(&nt, buf, sizeof(nt));
		CHECK(nt.op == ODM_OP_NOTICE && nt.kind >= 1 && nt.kind <= ODM_N_KIND_MAX);
		CHECK(nt.type <= ODM_TYPE_MAX && nt.plen <= 128 && nt.reason <= ODM_NR_MAX);
	}
	CHECK(ok <= 1);

	free(buf);
	return 0;
}
