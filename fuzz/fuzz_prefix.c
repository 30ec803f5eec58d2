// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_prefix.c - odm_prefix_parse(), odm_addr_parse() and odm_type_parse()
 * on arbitrary strings.  What parses must print back to something that
 * parses to the same value: the CLI and odmd show users these strings and
 * users paste them back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define ERR_LEN 96

static void fuzz_prefix(const char *s)
{
	char buf[ODM_PREFIX_STRLEN], err[ERR_LEN];
	struct odm_prefix_key k, k2;
	__u32 masked[4];

	err[0] = '\0';
	if (odm_prefix_parse(s, &k, err, sizeof(err))) {
		CHECK(err[0] != '\0');
		return;
	}
	CHECK(k.prefixlen <= 128);
	odm_prefix_mask(masked, k.prefix.w, k.prefixlen);
	CHECK(!memcmp(masked, &k.prefix, sizeof(masked)));
	odm_prefix_str(&k, buf);
	CHECK(odm_prefix_parse(buf, &k2, NULL, 0) == 0);
	CHECK(k2.prefixlen == k.prefixlen && !memcmp(&k2.prefix, &k.prefix, sizeof(k.prefix)));
}

static void fuzz_addr(const char *s)
{
	char buf[INET6_ADDRSTRLEN];
	__u32 a[4], a2[4];

	if (odm_addr_parse(s, a))
		return;
	odm_addr_str(a, buf);
	CHECK(odm_addr_parse(buf, a2) == 0 && !memcmp(a, a2, sizeof(a)));
}

static void fuzz_type(const char *s)
{
	__u8 t, t2;

	if (odm_type_parse(s, false, &t) == 0) {
		CHECK(t >= ODM_TYPE_FIXED && t <= ODM_TYPE_MAX);
		CHECK(odm_type_parse(odm_type_name(t), false, &t2) == 0 && t2 == t);
	}
	if (odm_type_parse(s, true, &t) == 0) {
		CHECK(t <= ODM_TYPE_MAX);
		CHECK(odm_type_parse(odm_type_name(t), true, &t2) == 0 && t2 == t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_prefix(s);
	fuzz_addr(s);
	fuzz_type(s);

	free(s);
	return 0;
}
