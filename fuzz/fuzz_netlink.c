// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_netlink.c - odm_nl_parse_addr(), odm_nl_parse_route() and
 * odm_nl_parse_link() on arbitrary rtnetlink messages.  Each parser rejects
 * the others' messages by their type, so one input feeds all three.
 *
 * The copy is exactly sized and, unlike the kernel's buffers, need not be
 * 4-byte aligned past malloc's alignment: the parsers read through memcpy().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Paths asked for: fewer than a multipath seed has, so the cap is fuzzed too. */
#define ROUTE_PATHS 2

static void check_route(const uint8_t *msg, size_t size)
{
	struct odm_kroute rt[ROUTE_PATHS + 1];
	__u32 masked[4];
	int i, ret;

	memset(&rt[ROUTE_PATHS], 0x5a, sizeof(rt[ROUTE_PATHS]));
	ret = odm_nl_parse_route(msg, size, rt, ROUTE_PATHS);
	if (ret < 0) {
		CHECK(ret == -EINVAL || ret == -EAFNOSUPPORT);
		return;
	}
	CHECK(ret >= 1);
	for (i = 0; i < ret && i < ROUTE_PATHS; i++) {
		CHECK(rt[i].dst_len <= 128 && rt[i].src_len <= 128);
		/* Prefixes come out masked, as odmd compares them. */
		odm_prefix_mask(masked, rt[i].dst, rt[i].dst_len);
		CHECK(!memcmp(masked, rt[i].dst, sizeof(masked)));
		odm_prefix_mask(masked, rt[i].src, rt[i].src_len);
		CHECK(!memcmp(masked, rt[i].src, sizeof(masked)));
	}
	/* Nothing written past max. */
	for (i = 0; i < (int)sizeof(rt[ROUTE_PATHS]); i++)
		CHECK(((const uint8_t *)&rt[ROUTE_PATHS])[i] == 0x5a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odm_kaddr ka;
	struct odm_klink kl;
	uint8_t *msg;
	int ret;

	msg = malloc(size ? size : 1);
	if (!msg)
		abort();
	memcpy(msg, data, size);

	ret = odm_nl_parse_addr(msg, size, &ka);
	if (ret == 0)
		CHECK(ka.plen <= 128);
	else
		CHECK(ret == -EINVAL || ret == -EAFNOSUPPORT);
	check_route(msg, size);
	ret = odm_nl_parse_link(msg, size, &kl);
	if (ret == 0)
		CHECK(kl.ifindex > 0);
	else
		CHECK(ret == -EINVAL || ret == -EAFNOSUPPORT);

	free(msg);
	return 0;
}
