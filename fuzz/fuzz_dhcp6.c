// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_dhcp6.c - odm_dhcp6_parse() on arbitrary Advertise/Reply messages.
 *
 * The expectation is the unit tests' (tests/unit/test_dhcp6.c): xid
 * 0xabcdef, the DUID-LL of 00:11:22:33:44:55, IAID 7, continuity option
 * 65000, so the seed messages built like theirs reach the IA_PD code.  Each
 * input is parsed twice, once asking for a type and once accepting any,
 * because the two take different paths through the IAprefix checks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6_wire.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define CONT	65000

static void check_ok(const struct odm_dhcp6_in *in, int want)
{
	unsigned int i;

	CHECK(in->msg_type == DHCP6_ADVERTISE || in->msg_type == DHCP6_REPLY);
	CHECK(in->xid == 0xabcdef);
	CHECK(in->server_id.len > 0 && in->server_id.len <= DHCP6_DUID_MAX);
	CHECK(in->cont_type >= -1 && in->cont_type <= 0xff);
	if (!in->has_ia)
		return;
	CHECK(in->ia.iaid == 7);
	CHECK(in->ia.nprefix <= DHCP6_IA_PREFIX_MAX);
	CHECK(!(in->ia.t1 && in->ia.t2 && in->ia.t1 > in->ia.t2));
	for (i = 0; i < in->ia.nprefix; i++) {
		const struct odm_dhcp6_prefix *p = &in->ia.prefix[i];

		CHECK(p->plen <= 128);
		CHECK(p->preferred_lft <= p->valid_lft);
		CHECK(p->cont_type >= -1 && p->cont_type <= 0xff);
		/* Kept means typed as asked or untyped, never another type. */
		CHECK(odm_dhcp6_prefix_typed(in, p, want, true) == 0);
		CHECK(odm_dhcp6_prefix_typed(in, p, want, false) == 0 ||
		      odm_dhcp6_prefix_type(in, p) == -1);
	}
}

static void parse(const uint8_t *buf, size_t len, const struct odm_dhcp6_duid *client,
		  int cont_type)
{
	const struct odm_dhcp6_expect ex = {
		.xid = 0xabcdef, .client_id = client, .iaid = 7, .cont_code = CONT,
		.cont_type = cont_type,
	};
	struct odm_dhcp6_in in;
	int ret;

	ret = odm_dhcp6_parse(buf, len, &ex, &in);
	if (ret == 0)
		check_ok(&in, cont_type);
	else
		CHECK(ret == -EINVAL || ret == -ENOMSG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const __u8 mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct odm_dhcp6_duid client;
	uint8_t *buf;

	if (odm_dhcp6_duid_ll(&client, 1, mac, sizeof(mac)))
		abort();
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	parse(buf, size, &client, DHCP6_CS_SESSION_LASTING);
	parse(buf, size, &client, -1);

	free(buf);
	return 0;
}
