// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * parse.c - odm's grammar, in the manner of ip(8) and bpftool(8):
 *
 *   odm [OPTIONS] OBJECT COMMAND [keyword value]...
 *
 * Keywords may be abbreviated ("odm pre l ty fixed"); as in ip(8), an
 * abbreviation means the first keyword in the order of the usage text that it
 * begins ("p" is prefix, "po" policy).
 * Every failure names the offending word.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_usage(FILE *f)
{
	fputs("Usage: odm [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       odm prefix { list | show } [ type TYPE ] [ dev IFNAME ]\n"
	      "       odm prefix add PREFIX/LEN type TYPE [ dev IFNAME ]\n"
	      "       odm prefix del PREFIX/LEN\n"
	      "       odm policy show\n"
	      "       odm policy set cgroup PATH [ default { TYPE | none } ]\n"
	      "                      [ allow { TYPE[,TYPE...] | all } ] [ on-net { allow | deny } ]\n"
	      "                      [ rate N ] [ max-held N ] [ upgrade { allow | deny } ]\n"
	      "       odm policy del cgroup PATH\n"
	      "       odm stats [ -o { text | json | prometheus } ]\n"
	      "       odm request TYPE [ on-net ]\n"
	      "       odm exec [ --type TYPE ] [ --cgroup PATH ] [ --user USER ] [ -- ] CMD [ ARGS ]\n"
	      "       odm monitor\n"
	      "       odm { help | version }\n"
	      "OPTIONS := { -j[son] | -p[retty] | -d[ir] PIN_DIR | -h[elp] | -V[ersion] }\n"
	      "TYPE := { fixed | session-lasting | non-persistent | graceful-replacement | 1-4 |\n"
	      "          FIXED_IPV6_ADDRESS | SESSION_LASTING_IPV6_ADDRESS | ... }\n",
	      f);
}

struct args {
	int argc;
	char **argv;
	int i;
	char *err;
	size_t errlen;
};

static int fail(struct args *a, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct args *a, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, a->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static const char *peek(const struct args *a)
{
	return a->i < a->argc ? a->argv[a->i] : NULL;
}

static const char *next(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i++] : NULL;
}

/* Nothing may follow: a usage error naming the first extra word. */
static int no_more(struct args *a)
{
	if (peek(a))
		return fail(a, CLI_USAGE, "unexpected argument '%s'", peek(a));
	return CLI_OK;
}

/* The value after a keyword, or a usage error naming the keyword. */
static int need_value(struct args *a, const char *keyword, const char **val)
{
	*val = next(a);
	if (!*val)
		return fail(a, CLI_USAGE, "'%s' needs a value", keyword);
	return CLI_OK;
}

static int parse_type_value(struct args *a, const char *val, bool allow_none, __u8 *type)
{
	if (odm_type_parse(val, allow_none, type))
		return fail(a, CLI_ERROR, "unknown type '%s' (expected fixed, session-lasting, "
			    "non-persistent, graceful-replacement%s)", val,
			    allow_none ? " or none" : "");
	return CLI_OK;
}

static int parse_dev(struct args *a, struct cli_cmd *c)
{
	int ret = need_value(a, "dev", &c->dev);

	if (ret)
		return ret;
	if (!c->dev[0] || strlen(c->dev) >= IF_NAMESIZE || strchr(c->dev, '/'))
		return fail(a, CLI_ERROR, "invalid interface name '%s'", c->dev);
	return CLI_OK;
}

/* [type TYPE] [dev IFNAME] in any order, each at most once. */
static int parse_filters(struct args *a, struct cli_cmd *c, bool type_required)
{
	const char *kw, *val;
	int ret;

	while ((kw = next(a))) {
		if (odm_is_prefix(kw, "type")) {
			if (c->has_type)
				return fail(a, CLI_USAGE, "'type' given twice");
			ret = need_value(a, "type", &val);
			if (!ret)
				ret = parse_type_value(a, val, false, &c->type);
			if (ret)
				return ret;
			c->has_type = true;
		} else if (odm_is_prefix(kw, "dev")) {
			if (c->dev)
				return fail(a, CLI_USAGE, "'dev' given twice");
			ret = parse_dev(a, c);
			if (ret)
				return ret;
		} else {
			return fail(a, CLI_USAGE, "unknown keyword '%s' (expected type or dev)", kw);
		}
	}
	if (type_required && !c->has_type)
		return fail(a, CLI_USAGE, "'type TYPE' is required");
	return CLI_OK;
}

static int parse_prefix_arg(struct args *a, struct cli_cmd *c)
{
	const char *val = next(a);
	char msg[192];

	if (!val)
		return fail(a, CLI_USAGE, "missing PREFIX/LEN");
	if (odm_prefix_parse(val, &c->prefix, msg, sizeof(msg)))
		return fail(a, CLI_ERROR, "%s", msg);
	c->has_prefix = true;
	return CLI_OK;
}

static int parse_prefix(struct args *a, struct cli_cmd *c)
{
	const char *verb = next(a);
	int ret;

	if (!verb || odm_is_prefix(verb, "list") || odm_is_prefix(verb, "show")) {
		c->verb = VERB_LIST;
		return parse_filters(a, c, false);
	}
	if (odm_is_prefix(verb, "add")) {
		c->verb = VERB_ADD;
		ret = parse_prefix_arg(a, c);
		return ret ? ret : parse_filters(a, c, true);
	}
	if (odm_is_prefix(verb, "delete")) {
		c->verb = VERB_DEL;
		ret = parse_prefix_arg(a, c);
		if (ret)
			return ret;
		if (peek(a))
			return fail(a, CLI_USAGE, "unexpected argument '%s'", peek(a));
		return CLI_OK;
	}
	return fail(a, CLI_USAGE, "unknown command 'prefix %s' (expected list, add or del)", verb);
}

static int parse_cgroup_kw(struct args *a, struct cli_cmd *c)
{
	const char *kw = next(a);

	if (!kw || !odm_is_prefix(kw, "cgroup"))
		return fail(a, CLI_USAGE, "expected 'cgroup PATH'");
	return need_value(a, "cgroup", &c->cgroup);
}

#define POLICY_KEYWORDS "'default TYPE', 'allow TYPE[,TYPE...]|all', 'on-net allow|deny', " \
			"'rate N', 'max-held N' or 'upgrade allow|deny'"

/* policy set cgroup PATH followed by at least one keyword, each once
 * (core/policy_kw.c, abbreviations allowed). */
static int parse_policy_set(struct args *a, struct cli_cmd *c)
{
	const char *kw, *val;
	char why[512];
	int ret, k;

	while ((kw = next(a))) {
		k = odm_policy_kw_find(kw, true);
		if (k < 0 && c->pol_kws)
			return fail(a, CLI_USAGE, "unexpected argument '%s' (expected %s)", kw,
				    POLICY_KEYWORDS);
		if (k < 0)
			return fail(a, CLI_USAGE, "expected %s after the cgroup, not '%s'",
				    POLICY_KEYWORDS, kw);
		if (c->pol_kws & (1u << k))
			return fail(a, CLI_USAGE, "'%s' given twice", kw);
		ret = need_value(a, kw, &val);
		if (ret)
			return ret;
		if (odm_policy_kw_parse((enum odm_policy_kw)k, val, true, &c->pol, why,
					sizeof(why)))
			return fail(a, CLI_ERROR, "%s", why);
		c->pol_kws |= 1u << k;
	}
	if (!c->pol_kws)
		return fail(a, CLI_USAGE, "expected %s after the cgroup", POLICY_KEYWORDS);
	return CLI_OK;
}

static int parse_policy(struct args *a, struct cli_cmd *c)
{
	const char *verb = next(a);
	int ret;

	if (!verb || odm_is_prefix(verb, "show") || odm_is_prefix(verb, "list")) {
		c->verb = VERB_LIST;
		if (peek(a))
			return fail(a, CLI_USAGE, "unexpected argument '%s'", peek(a));
		return CLI_OK;
	}
	if (odm_is_prefix(verb, "set")) {
		c->verb = VERB_SET;
		ret = parse_cgroup_kw(a, c);
		return ret ? ret : parse_policy_set(a, c);
	} else if (odm_is_prefix(verb, "delete")) {
		c->verb = VERB_DEL;
		ret = parse_cgroup_kw(a, c);
		if (ret)
			return ret;
	} else {
		return fail(a, CLI_USAGE, "unknown command 'policy %s' (expected show, set or del)",
			    verb);
	}
	if (peek(a))
		return fail(a, CLI_USAGE, "unexpected argument '%s'", peek(a));
	return CLI_OK;
}

/* request TYPE [on-net]: what setsc() asks odmd, by hand. */
static int parse_request(struct args *a, struct cli_cmd *c)
{
	const char *val = next(a);
	int ret;

	if (!val)
		return fail(a, CLI_USAGE, "missing TYPE");
	ret = parse_type_value(a, val, false, &c->type);
	if (ret)
		return ret;
	c->has_type = true;
	if (peek(a) && odm_is_prefix(peek(a), "on-net")) {
		c->on_net = true;
		a->i++;
	}
	return no_more(a);
}

/* stats [show] [-o text|json|prometheus]: "-o json" is -j. */
static int parse_stats(struct args *a, struct cli_cmd *c)
{
	const char *kw, *val;

	if (peek(a) && odm_is_prefix(peek(a), "show"))
		a->i++;
	while ((kw = next(a))) {
		if (strcmp(kw, "-o") && strcmp(kw, "--output") && !odm_is_prefix(kw, "output"))
			return fail(a, CLI_USAGE, "unexpected argument '%s'", kw);
		if (need_value(a, "-o", &val))
			return CLI_USAGE;
		if (odm_is_prefix(val, "prometheus")) {
			c->prometheus = true;
		} else if (odm_is_prefix(val, "json")) {
			c->json = true;
		} else if (odm_is_prefix(val, "text")) {
			c->json = false;
			c->pretty = false;
		} else {
			return fail(a, CLI_USAGE, "unknown output format '%s' (expected text, json "
				    "or prometheus)", val);
		}
	}
	if (c->prometheus && c->json)
		return fail(a, CLI_USAGE, "-j and -o prometheus are two different formats");
	return CLI_OK;
}

/*
 * exec [--type TYPE] [--cgroup PATH] [--user USER] [--] CMD [ARGS]: the
 * options as systemd-run and env spell them; the first word that is not
 * one (or the one after "--") begins the command, left untouched.  Every
 * bad word is a usage error (2): odm exec runs nothing on doubt.
 */
static int parse_exec(struct args *a, struct cli_cmd *c)
{
	const char *kw, *val;

	while ((kw = peek(a)) && kw[0] == '-') {
		a->i++;
		if (!strcmp(kw, "--"))
			break;
		if (!strcmp(kw, "--type") || !strcmp(kw, "-t")) {
			if (c->has_type)
				return fail(a, CLI_USAGE, "'--type' given twice");
			if (need_value(a, kw, &val))
				return CLI_USAGE;
			if (parse_type_value(a, val, false, &c->type))
				return CLI_USAGE;
			c->has_type = true;
		} else if (!strcmp(kw, "--cgroup") || !strcmp(kw, "-c")) {
			if (c->cgroup)
				return fail(a, CLI_USAGE, "'--cgroup' given twice");
			if (need_value(a, kw, &c->cgroup))
				return CLI_USAGE;
			if (!c->cgroup[0] || strstr(c->cgroup, ".."))
				return fail(a, CLI_USAGE, "invalid cgroup '%s' (a path below odm's "
					    "cgroup, without '..')", c->cgroup);
		} else if (!strcmp(kw, "--user") || !strcmp(kw, "-u")) {
			if (c->user)
				return fail(a, CLI_USAGE, "'--user' given twice");
			if (need_value(a, kw, &c->user))
				return CLI_USAGE;
			if (!c->user[0])
				return fail(a, CLI_USAGE, "empty user name");
		} else {
			return fail(a, CLI_USAGE, "unknown exec option '%s' (expected --type, "
				    "--cgroup, --user or --)", kw);
		}
	}
	if (a->i >= a->argc || !a->argv[a->i][0])
		return fail(a, CLI_USAGE, "exec needs a command (odm exec [OPTIONS] -- CMD)");
	c->argv = a->argv + a->i;
	a->i = a->argc;
	return CLI_OK;
}

/* Leading options; returns the index of the object or an error. */
static int parse_options(struct args *a, struct cli_cmd *c)
{
	const char *opt;

	while ((opt = peek(a)) && opt[0] == '-' && opt[1]) {
		a->i++;
		if (opt[1] == '-' && !opt[2])
			break;				/* "--" ends the options */
		if (opt[1] == '-')
			opt++;				/* --json as -json */
		if (odm_is_prefix(opt + 1, "json")) {
			c->json = true;
		} else if (odm_is_prefix(opt + 1, "pretty")) {
			c->pretty = true;	/* as in bpftool: -p implies -j */
			c->json = true;
		} else if (odm_is_prefix(opt + 1, "dir")) {
			if (need_value(a, "-d", &c->pin_dir))
				return CLI_USAGE;
			if (c->pin_dir[0] != '/')
				return fail(a, CLI_ERROR, "pin directory must be absolute, not '%s'",
					    c->pin_dir);
		} else if (odm_is_prefix(opt + 1, "help")) {
			c->object = OBJ_HELP;
			return CLI_OK;
		} else if (odm_is_prefix(opt + 1, "Version") || !strcmp(opt + 1, "V") ||
			   !strcmp(opt + 1, "version")) {	/* GNU --version, in full */
			c->object = OBJ_VERSION;
			return CLI_OK;
		} else {
			return fail(a, CLI_USAGE, "unknown option '%s'", a->argv[a->i - 1]);
		}
	}
	return CLI_OK;
}

int cli_parse(int argc, char **argv, struct cli_cmd *c, char *err, size_t errlen)
{
	struct args a = { .argc = argc, .argv = argv, .i = 1, .err = err, .errlen = errlen };
	const char *obj;
	int ret;

	memset(c, 0, sizeof(*c));
	c->pin_dir = ODM_PIN_DIR;
	if (errlen)
		err[0] = '\0';
	ret = parse_options(&a, c);
	if (ret)
		return ret;
	if (c->object != OBJ_NONE)		/* -h, -V */
		return no_more(&a);
	obj = next(&a);
	if (!obj)
		return fail(&a, CLI_USAGE, "missing OBJECT (try odm help)");
	if (odm_is_prefix(obj, "prefix")) {
		c->object = OBJ_PREFIX;
		return parse_prefix(&a, c);
	}
	if (odm_is_prefix(obj, "policy")) {
		c->object = OBJ_POLICY;
		return parse_policy(&a, c);
	}
	if (odm_is_prefix(obj, "stats") || odm_is_prefix(obj, "statistics")) {
		c->object = OBJ_STATS;
		return parse_stats(&a, c);
	}
	if (odm_is_prefix(obj, "request")) {
		c->object = OBJ_REQUEST;
		return parse_request(&a, c);
	}
	if (odm_is_prefix(obj, "exec")) {
		c->object = OBJ_EXEC;
		return parse_exec(&a, c);
	}
	if (odm_is_prefix(obj, "monitor")) {
		c->object = OBJ_MONITOR;
		return no_more(&a);
	}
	if (odm_is_prefix(obj, "help")) {
		c->object = OBJ_HELP;
		return no_more(&a);
	}
	if (odm_is_prefix(obj, "version")) {
		c->object = OBJ_VERSION;
		return no_more(&a);
	}
	return fail(&a, CLI_USAGE, "unknown object '%s' (expected prefix, policy, stats, request, "
		    "exec or monitor)", obj);
}
