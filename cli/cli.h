/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli.h - the odm command line, parsed into a struct before anything runs,
 * so that parsing is unit-tested and fuzzed apart from the maps.
 */
#ifndef ODM_CLI_H
#define ODM_CLI_H

#include "core.h"

/* Exit codes, as every odm tool uses them. */
enum {
	CLI_OK		= 0,
	CLI_ERROR	= 1,	/* runtime error or a wrong argument value */
	CLI_USAGE	= 2,	/* unknown object, command or keyword; missing argument */
};

enum cli_object { OBJ_NONE, OBJ_PREFIX, OBJ_POLICY, OBJ_STATS, OBJ_REQUEST, OBJ_HELP, OBJ_VERSION,
		  OBJ_EXEC, OBJ_MONITOR };
enum cli_verb { VERB_LIST, VERB_ADD, VERB_DEL, VERB_SET };

struct cli_cmd {
	bool json;
	bool pretty;
	const char *pin_dir;		/* ODM_PIN_DIR unless -d */
	enum cli_object object;
	enum cli_verb verb;
	bool has_type;
	__u8 type;			/* prefix list/add filter or type; policy default */
	const char *dev;		/* NULL: any */
	bool has_prefix;
	struct odm_prefix_key prefix;
	const char *cgroup;		/* policy set/del */
	bool on_net;			/* request ... on-net */
	/* policy set: the fields of pol the keywords in pol_kws name change */
	unsigned int pol_kws;		/* bits 1 << enum odm_policy_kw */
	struct odm_policy pol;
	bool prometheus;		/* stats -o prometheus */
	/* exec: has_type/type and cgroup as above (cgroup NULL: one per type) */
	const char *user;		/* NULL: stay who we are */
	char **argv;			/* the command, NULL-terminated (argv[argc]) */
};

/*
 * Parse argv (argv[0] is the program).  Returns CLI_OK, or CLI_ERROR /
 * CLI_USAGE with a one-line message in err (no "odm: " prefix, no newline).
 */
int cli_parse(int argc, char **argv, struct cli_cmd *cmd, char *err, size_t errlen);

/* The usage text, identical to the README's and odm(8)'s synopsis. */
void cli_usage(FILE *f);

/* ---- odm.c, for the commands in their own files ---- */

struct odm_printer;
/*
 * Report an error (err: errno, either sign): "odm: MESSAGE" on stderr, or
 * with -j the first one kept for {"error": MESSAGE, "errno": N} on stdout
 * when the command ends.
 */
void cli_errmsg(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* odm_maps_open() with the error said; 0 or -errno. */
int cli_open_maps(const struct cli_cmd *c, struct odm_maps *m);
/* A lifetime in seconds: text "Ns" or "forever", JSON a number (forever 4294967295). */
void cli_print_lifetime(struct odm_printer *p, const char *key, const char *fmt, __u32 lft);

/* exec.c: odm exec; the command's exit status, or CLI_ERROR / CLI_USAGE. */
int cli_exec(const struct cli_cmd *c);
/* monitor.c: odm monitor, until SIGINT or SIGTERM; CLI_OK or CLI_ERROR. */
int cli_monitor(const struct cli_cmd *c);

#endif
