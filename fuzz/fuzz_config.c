// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_config.c - odm_config_parse_string() on arbitrary text.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * what config.c promises: a failure leaves the config empty and says why in
 * one line, a success holds only well-formed, distinct prefixes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* abort() makes libFuzzer report the input with a stack trace naming the line. */
#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Small enough that long messages are truncated, which must stay safe too. */
#define ERR_LEN 160

static void check_ok(const struct odm_config *cfg)
{
	__u32 masked[4];
	size_t i, j;

	CHECK(!cfg->n_prefixes || cfg->prefixes);
	CHECK(cfg->n_prefixes <= ODM_CONFIG_MAX_PREFIXES);
	CHECK(!cfg->have_default || cfg->default_type <= ODM_TYPE_MAX);
	for (i = 0; i < cfg->n_prefixes; i++) {
		const struct odm_config_prefix *p = &cfg->prefixes[i];

		CHECK(p->key.prefixlen <= 128);
		odm_prefix_mask(masked, p->key.prefix.w, p->key.prefixlen);
		CHECK(!memcmp(masked, &p->key.prefix, sizeof(masked)));
		CHECK(p->type >= ODM_TYPE_FIXED && p->type <= ODM_TYPE_MAX);
		CHECK(memchr(p->dev, '\0', sizeof(p->dev)));
		CHECK(p->line > 0);
		/* Quadratic, but the fuzzer's inputs hold few lines. */
		for (j = 0; j < i; j++)
			CHECK(p->key.prefixlen != cfg->prefixes[j].key.prefixlen ||
			      memcmp(&p->key.prefix, &cfg->prefixes[j].key.prefix,
				     sizeof(p->key.prefix)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odm_config cfg;
	char *text, *err;
	int ret;

	/* Exactly sized: one byte for the NUL the parser needs, none to spare. */
	text = malloc(size + 1);
	err = malloc(ERR_LEN);
	if (!text || !err)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	ret = odm_config_parse_string(text, "fuzz.conf", &cfg, err, ERR_LEN);
	if (ret == 0) {
		check_ok(&cfg);
		CHECK(err[0] == '\0');
	} else {
		CHECK(ret == -EINVAL || ret == -ENOMEM);
		CHECK(!cfg.prefixes && !cfg.n_prefixes && !cfg.have_default);
		CHECK(err[0] != '\0');
		CHECK(memchr(err, '\0', ERR_LEN));
		CHECK(!strchr(err, '\n'));
	}
	odm_config_free(&cfg);
	free(err);
	free(text);
	return 0;
}
