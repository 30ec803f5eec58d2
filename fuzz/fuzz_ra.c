// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_ra.c - odm_ra_parse() on arbitrary ICMPv6 messages, checking what
 * ra_wire.h promises of every PIO it keeps.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ra_wire.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_ok(const struct odm_ra_msg *ra)
{
	__u32 masked[4];
	unsigned int i;

	CHECK(ra->npio <= ODM_RA_PIO_MAX);
	for (i = 0; i < ra->npio; i++) {
		const struct odm_ra_pio *p = &ra->pio[i];

		CHECK(p->plen <= 128);
		odm_prefix_mask(masked, p->prefix, p->plen);
		CHECK(!memcmp(masked, p->prefix, sizeof(masked)));
		CHECK(p->srvtp <= ODM_RA_SRVTP_MASK);
		CHECK(p->type <= ODM_TYPE_MAX);
		CHECK(p->preferred_lft <= p->valid_lft);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odm_ra_msg ra;
	uint8_t *buf;
	int ret;

	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	ret = odm_ra_parse(buf, size, &ra);
	if (ret == 0) {
		check_ok(&ra);
	} else {
		CHECK(ret == -EINVAL || ret == -ENOMSG);
		CHECK(ra.npio == 0);
	}

	free(buf);
	return 0;
}
