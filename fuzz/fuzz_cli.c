// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_cli.c - cli_parse() on arbitrary command lines.
 *
 * The input is split on NUL and newline bytes into at most 32 words after
 * argv[0] = "odm"; each word gets its own exactly-sized allocation, so
 * reading past the end of any one word is caught by ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define MAX_WORDS	32
#define ERR_LEN		128

static void check_ok(const struct cli_cmd *c)
{
	__u32 masked[4];

	CHECK(c->object != OBJ_NONE);
	CHECK(c->pin_dir && c->pin_dir[0] == '/');
	CHECK(!c->has_type || c->type <= ODM_TYPE_MAX);
	CHECK(!c->dev || (c->dev[0] && strlen(c->dev) < IF_NAMESIZE));
	if (c->has_prefix) {
		CHECK(c->prefix.prefixlen <= 128);
		odm_prefix_mask(masked, c->prefix.prefix.w, c->prefix.prefixlen);
		CHECK(!memcmp(masked, &c->prefix.prefix, sizeof(masked)));
	}
	if (c->object == OBJ_POLICY && c->verb != VERB_LIST)
		CHECK(c->cgroup);
	if (c->object == OBJ_PREFIX && c->verb == VERB_ADD)
		CHECK(c->has_prefix && c->has_type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2];
	char *err;
	struct cli_cmd cmd;
	size_t start = 0, i;
	int argc = 0, ret;

	argv[argc] = strdup("odm");
	if (!argv[argc++])
		abort();
	for (i = 0; i <= size && argc <= MAX_WORDS; i++) {
		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		/* A trailing separator ends the last word; it does not add an empty one. */
		if (i == size && start == size)
			break;
		argv[argc] = malloc(i - start + 1);
		if (!argv[argc])
			abort();
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = '\0';
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;
	err = malloc(ERR_LEN);
	if (!err)
		abort();

	ret = cli_parse(argc, argv, &cmd, err, ERR_LEN);
	if (ret == CLI_OK) {
		check_ok(&cmd);
	} else {
		CHECK(ret == CLI_ERROR || ret == CLI_USAGE);
		CHECK(err[0] != '\0');
		CHECK(memchr(err, '\0', ERR_LEN));
	}

	free(err);
	for (i = 0; i < (size_t)argc; i++)
		free(argv[i]);
	return 0;
}
