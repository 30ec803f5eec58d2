// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mem.c - the one way odm's growing arrays grow.
 */
#include <stdlib.h>

#include "core.h"

void *odm_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? 2 * *cap : 16;
	if (ncap > ((size_t)-1) / size)
		return NULL;
	nv = realloc(v, ncap * size);
	if (nv)
		*cap = ncap;
	return nv;
}
