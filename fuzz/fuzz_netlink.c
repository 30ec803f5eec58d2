// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_netlink.c - odm_nl_parse_addr() on arbitrary rtnetlink messages.
 *
 * The copy is exactly sized and, unlike the kernel's buffers, need not be
 * 4-byte aligned past malloc's alignment: nl.c reads through memcpy().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odm_kaddr ka;
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

	free(msg);
	return 0;
}
