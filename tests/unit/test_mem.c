/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_mem.c - odm_grow(), the growing arrays of odmd and odm.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core.h"
#include "test.h"

static void test_grow(void)
{
	size_t cap = 0, n;
	int *v = NULL, *w;

	for (n = 0; n < 100; n++) {
		w = odm_grow(v, &cap, n, sizeof(*v));
		if (!ASSERT_TRUE(w != NULL, "room"))
			break;
		v = w;
		v[n] = (int)n;	/* ASan: room for element n */
	}
	ASSERT_EQ(cap, 128, "16, 32, 64, 128");
	for (n = 0; n < 100; n++)
		if (v[n] != (int)n)
			break;
	ASSERT_EQ(n, 100, "what was there moved with it");
	ASSERT_TRUE(odm_grow(v, &cap, 127, sizeof(*v)) == v, "room left: the same array");
	ASSERT_EQ(cap, 128, "and the same room");
	free(v);
}

static void test_grow_too_big(void)
{
	size_t cap = 16;
	char one = 'x', *v = malloc(16);

	if (!ASSERT_TRUE(v != NULL, "malloc"))
		return;
	v[0] = one;
	/* Twice the room would overflow size_t: refused, nothing lost. */
	ASSERT_TRUE(odm_grow(v, &cap, 16, SIZE_MAX / 16) == NULL, "overflow refused");
	ASSERT_EQ(cap, 16, "room as it was");
	ASSERT_EQ(v[0], 'x', "the array as it was");
	free(v);
}

int main(void)
{
	RUN(test_grow);
	RUN(test_grow_too_big);
	return test_summary();
}
