/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_cli.c - cli_parse(), the odm command line, without any map: every
 * command of the grammar with the fields it must fill, and every kind of
 * bad input with its exit code class (1 bad value, 2 usage) and the word
 * the message must name.
 */
#include <errno.h>

#include "../../cli/cli.h"	/* the Makefile has no -Icli */
#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 16

/* Fields not named in a case are zero: no type, no dev, no prefix... */
struct cli_case {
	const char *argv[MAX_ARGS];	/* NULL-terminated, argv[0] included */
	int want_ret;
	enum cli_object object;
	enum cli_verb verb;
	bool has_type;
	__u8 type;
	const char *dev;
	const char *prefix;		/* "ADDR/LEN", NULL: has_prefix false */
	const char *cgroup;
	bool json;
	bool pretty;
	const char *pin_dir;		/* NULL: ODM_PIN_DIR */
	const char *err;		/* substring of the message; NULL: "" (success) */
};

#define ARGV(...) .argv = { "odm", __VA_ARGS__, NULL }

static const struct cli_case ok_cases[] = {
	/* prefix list / show, filters in both orders, abbreviations */
	{ ARGV("prefix"), .object = OBJ_PREFIX, .verb = VERB_LIST },
	{ ARGV("prefix", "list"), .object = OBJ_PREFIX, .verb = VERB_LIST },
	{ ARGV("prefix", "show"), .object = OBJ_PREFIX, .verb = VERB_LIST },
	{ ARGV("p", "s"), .object = OBJ_PREFIX, .verb = VERB_LIST },
	{ ARGV("prefix", "list", "type", "fixed"), .object = OBJ_PREFIX, .verb = VERB_LIST,
	  .has_type = true, .type = ODM_TYPE_FIXED },
	{ ARGV("pre", "l", "ty", "fixed"), .object = OBJ_PREFIX, .verb = VERB_LIST,
	  .has_type = true, .type = ODM_TYPE_FIXED },
	{ ARGV("prefix", "list", "dev", "eth0"), .object = OBJ_PREFIX, .verb = VERB_LIST,
	  .dev = "eth0" },
	{ ARGV("prefix", "show", "type", "session-lasting", "dev", "eth0"), .object = OBJ_PREFIX,
	  .verb = VERB_LIST, .has_type = true, .type = ODM_TYPE_SESSION_LASTING, .dev = "eth0" },
	{ ARGV("prefix", "show", "dev", "eth0", "type", "NON_PERSISTENT_IPV6_ADDRESS"),
	  .object = OBJ_PREFIX, .verb = VERB_LIST, .has_type = true,
	  .type = ODM_TYPE_NON_PERSISTENT, .dev = "eth0" },
	{ ARGV("pr", "li", "d", "veth0", "t", "4"), .object = OBJ_PREFIX, .verb = VERB_LIST,
	  .has_type = true, .type = ODM_TYPE_GRACEFUL, .dev = "veth0" },
	/* 15 characters is the longest interface name */
	{ ARGV("prefix", "list", "dev", "abcdefghijklmno"), .object = OBJ_PREFIX,
	  .verb = VERB_LIST, .dev = "abcdefghijklmno" },

	/* prefix add / del */
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "fixed"), .object = OBJ_PREFIX,
	  .verb = VERB_ADD, .has_type = true, .type = ODM_TYPE_FIXED, .prefix = "2001:db8::/64" },
	{ ARGV("prefix", "add", "2001:db8:1::/48", "type", "graceful", "dev", "eth0"),
	  .object = OBJ_PREFIX, .verb = VERB_ADD, .has_type = true, .type = ODM_TYPE_GRACEFUL,
	  .dev = "eth0", .prefix = "2001:db8:1::/48" },
	{ ARGV("prefix", "add", "2001:db8:1::/48", "dev", "eth0", "type", "2"),
	  .object = OBJ_PREFIX, .verb = VERB_ADD, .has_type = true,
	  .type = ODM_TYPE_SESSION_LASTING, .dev = "eth0", .prefix = "2001:db8:1::/48" },
	{ ARGV("p", "a", "2001:db8::1/128", "ty", "non-persistent"), .object = OBJ_PREFIX,
	  .verb = VERB_ADD, .has_type = true, .type = ODM_TYPE_NON_PERSISTENT,
	  .prefix = "2001:db8::1/128" },
	{ ARGV("prefix", "add", "::/0", "type", "fixed"), .object = OBJ_PREFIX, .verb = VERB_ADD,
	  .has_type = true, .type = ODM_TYPE_FIXED, .prefix = "::/0" },
	{ ARGV("prefix", "del", "2001:db8::/64"), .object = OBJ_PREFIX, .verb = VERB_DEL,
	  .prefix = "2001:db8::/64" },
	{ ARGV("prefix", "delete", "2001:db8::/64"), .object = OBJ_PREFIX, .verb = VERB_DEL,
	  .prefix = "2001:db8::/64" },
	{ ARGV("prefix", "d", "2001:db8::/64"), .object = OBJ_PREFIX, .verb = VERB_DEL,
	  .prefix = "2001:db8::/64" },

	/* policy */
	{ ARGV("policy"), .object = OBJ_POLICY, .verb = VERB_LIST },
	{ ARGV("policy", "show"), .object = OBJ_POLICY, .verb = VERB_LIST },
	{ ARGV("policy", "list"), .object = OBJ_POLICY, .verb = VERB_LIST },
	{ ARGV("pol", "sh"), .object = OBJ_POLICY, .verb = VERB_LIST },
	{ ARGV("policy", "set", "cgroup", "apps", "default", "fixed"), .object = OBJ_POLICY,
	  .verb = VERB_SET, .has_type = true, .type = ODM_TYPE_FIXED, .cgroup = "apps" },
	{ ARGV("policy", "set", "cgroup", "/sys/fs/cgroup/apps", "default", "none"),
	  .object = OBJ_POLICY, .verb = VERB_SET, .has_type = true, .type = ODM_TYPE_NONE,
	  .cgroup = "/sys/fs/cgroup/apps" },
	{ ARGV("po", "se", "c", "apps", "def", "IPV6_REQUIRE_SESSION_LASTING_IP"),
	  .object = OBJ_POLICY, .verb = VERB_SET, .has_type = true,
	  .type = ODM_TYPE_SESSION_LASTING, .cgroup = "apps" },
	{ ARGV("policy", "del", "cgroup", "apps"), .object = OBJ_POLICY, .verb = VERB_DEL,
	  .cgroup = "apps" },
	{ ARGV("policy", "delete", "cg", "/apps"), .object = OBJ_POLICY, .verb = VERB_DEL,
	  .cgroup = "/apps" },

	/* stats, help, version */
	{ ARGV("stats"), .object = OBJ_STATS },
	{ ARGV("stats", "show"), .object = OBJ_STATS },
	{ ARGV("statistics"), .object = OBJ_STATS },
	{ ARGV("st"), .object = OBJ_STATS },
	{ ARGV("help"), .object = OBJ_HELP },
	{ ARGV("h"), .object = OBJ_HELP },
	{ ARGV("version"), .object = OBJ_VERSION },
	{ ARGV("v"), .object = OBJ_VERSION },
	{ ARGV("-h"), .object = OBJ_HELP },
	{ ARGV("--help"), .object = OBJ_HELP },
	{ ARGV("-V"), .object = OBJ_VERSION },
	{ ARGV("--Version"), .object = OBJ_VERSION },
	{ ARGV("--version"), .object = OBJ_VERSION },

	/* options */
	{ ARGV("-j", "prefix", "list"), .object = OBJ_PREFIX, .verb = VERB_LIST, .json = true },
	{ ARGV("--json", "prefix"), .object = OBJ_PREFIX, .verb = VERB_LIST, .json = true },
	{ ARGV("-json", "stats"), .object = OBJ_STATS, .json = true },
	{ ARGV("-j", "-p", "policy", "show"), .object = OBJ_POLICY, .verb = VERB_LIST,
	  .json = true, .pretty = true },
	{ ARGV("--json", "--pretty", "stats"), .object = OBJ_STATS, .json = true,
	  .pretty = true },
	{ ARGV("-p", "stats"), .object = OBJ_STATS, .json = true, .pretty = true },
	{ ARGV("-d", "/sys/fs/bpf/other", "stats"), .object = OBJ_STATS,
	  .pin_dir = "/sys/fs/bpf/other" },
	{ ARGV("--dir", "/run/odm", "-j", "prefix", "list"), .object = OBJ_PREFIX,
	  .verb = VERB_LIST, .json = true, .pin_dir = "/run/odm" },
	{ ARGV("-d", "/a", "-d", "/b", "stats"), .object = OBJ_STATS, .pin_dir = "/b" },
	{ ARGV("-j", "--", "stats"), .object = OBJ_STATS, .json = true },
	{ ARGV("stats", "-o", "json"), .object = OBJ_STATS, .json = true },
	{ ARGV("stats", "show", "-o", "text"), .object = OBJ_STATS },
	{ ARGV("stats", "-o", "prometheus"), .object = OBJ_STATS },
	/* exec: options, then the command untouched; monitor */
	{ ARGV("exec", "--type", "fixed", "--", "curl", "-6", "x"), .object = OBJ_EXEC,
	  .has_type = true, .type = ODM_TYPE_FIXED },
	{ ARGV("exec", "--cgroup", "apps/web", "true"), .object = OBJ_EXEC, .cgroup = "apps/web" },
	{ ARGV("exec", "--user", "nobody", "--", "--weird-cmd"), .object = OBJ_EXEC },
	{ ARGV("monitor"), .object = OBJ_MONITOR },
	{ ARGV("-j", "mon"), .object = OBJ_MONITOR, .json = true },
	{ ARGV("--", "prefix", "list", "type", "fixed"), .object = OBJ_PREFIX, .verb = VERB_LIST,
	  .has_type = true, .type = ODM_TYPE_FIXED },
};

static const struct cli_case bad_cases[] = {
	/* no object, unknown object / command / keyword / option */
	{ .argv = { "odm", NULL }, CLI_USAGE, .err = "missing OBJECT" },
	{ ARGV("-j"), CLI_USAGE, .err = "missing OBJECT" },
	{ ARGV("--"), CLI_USAGE, .err = "missing OBJECT" },
	{ ARGV("route"), CLI_USAGE, .err = "unknown object 'route'" },
	{ ARGV("prefixes"), CLI_USAGE, .err = "unknown object 'prefixes'" },
	{ ARGV(""), CLI_USAGE, .err = "unknown object ''" },
	{ ARGV("-"), CLI_USAGE, .err = "unknown object '-'" },
	{ ARGV("--", "-j", "stats"), CLI_USAGE, .err = "unknown object '-j'" },
	{ ARGV("prefix", "flush"), CLI_USAGE, .err = "unknown command 'prefix flush'" },
	{ ARGV("prefix", ""), CLI_USAGE, .err = "unknown command 'prefix '" },
	{ ARGV("policy", "add"), CLI_USAGE, .err = "unknown command 'policy add'" },
	{ ARGV("prefix", "list", "fixed"), CLI_USAGE, .err = "unknown keyword 'fixed'" },
	{ ARGV("prefix", "list", "-j"), CLI_USAGE, .err = "unknown keyword '-j'" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "fixed", "via", "x"), CLI_USAGE,
	  .err = "unknown keyword 'via'" },
	{ ARGV("-x", "stats"), CLI_USAGE, .err = "unknown option '-x'" },
	{ ARGV("--verbose", "stats"), CLI_USAGE, .err = "unknown option '--verbose'" },
	{ ARGV("-jp", "stats"), CLI_USAGE, .err = "unknown option '-jp'" },
	{ ARGV("---json", "stats"), CLI_USAGE, .err = "unknown option '---json'" },

	/* missing values */
	{ ARGV("prefix", "add"), CLI_USAGE, .err = "missing PREFIX/LEN" },
	{ ARGV("prefix", "del"), CLI_USAGE, .err = "missing PREFIX/LEN" },
	{ ARGV("prefix", "add", "2001:db8::/64"), CLI_USAGE, .err = "'type TYPE' is required" },
	{ ARGV("prefix", "add", "2001:db8::/64", "dev", "eth0"), CLI_USAGE,
	  .err = "'type TYPE' is required" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type"), CLI_USAGE,
	  .err = "'type' needs a value" },
	{ ARGV("prefix", "list", "type"), CLI_USAGE, .err = "'type' needs a value" },
	{ ARGV("prefix", "list", "dev"), CLI_USAGE, .err = "'dev' needs a value" },
	{ ARGV("policy", "set"), CLI_USAGE, .err = "expected 'cgroup PATH'" },
	{ ARGV("policy", "set", "cgroup"), CLI_USAGE, .err = "'cgroup' needs a value" },
	{ ARGV("policy", "set", "apps", "default", "fixed"), CLI_USAGE,
	  .err = "expected 'cgroup PATH'" },
	{ ARGV("policy", "set", "cgroup", "apps"), CLI_USAGE, .err = "expected 'default TYPE'" },
	{ ARGV("policy", "set", "cgroup", "apps", "type", "fixed"), CLI_USAGE,
	  .err = "expected 'default TYPE'" },
	{ ARGV("policy", "set", "cgroup", "apps", "default"), CLI_USAGE,
	  .err = "'default' needs a value" },
	{ ARGV("policy", "del"), CLI_USAGE, .err = "expected 'cgroup PATH'" },
	{ ARGV("policy", "del", "cgroup"), CLI_USAGE, .err = "'cgroup' needs a value" },
	{ ARGV("-d"), CLI_USAGE, .err = "'-d' needs a value" },
	{ ARGV("-j", "--dir"), CLI_USAGE, .err = "'-d' needs a value" },

	/* repeated keywords */
	{ ARGV("prefix", "list", "type", "fixed", "type", "fixed"), CLI_USAGE,
	  .err = "'type' given twice" },
	{ ARGV("prefix", "list", "dev", "eth0", "d", "eth1"), CLI_USAGE,
	  .err = "'dev' given twice" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "fixed", "ty", "4"), CLI_USAGE,
	  .err = "'type' given twice" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "fixed", "dev", "a", "dev", "b"),
	  CLI_USAGE, .err = "'dev' given twice" },

	/* bad prefixes: a wrong value, so exit code 1 */
	{ ARGV("prefix", "add", "2001:db8::1/64", "type", "fixed"), CLI_ERROR,
	  .err = "host bits set" },
	{ ARGV("prefix", "add", "2001:db8::/129", "type", "fixed"), CLI_ERROR,
	  .err = "bad prefix length '129'" },
	{ ARGV("prefix", "add", "2001:db8::/", "type", "fixed"), CLI_ERROR,
	  .err = "bad prefix length" },
	{ ARGV("prefix", "add", "2001:db8::/+64", "type", "fixed"), CLI_ERROR,
	  .err = "bad prefix length" },
	{ ARGV("prefix", "add", "2001:db8::", "type", "fixed"), CLI_ERROR,
	  .err = "missing prefix length" },
	{ ARGV("prefix", "add", "garbage/64", "type", "fixed"), CLI_ERROR,
	  .err = "bad IPv6 address 'garbage'" },
	{ ARGV("prefix", "add", "10.0.0.0/8", "type", "fixed"), CLI_ERROR,
	  .err = "bad IPv6 address" },
	{ ARGV("prefix", "add", "", "type", "fixed"), CLI_ERROR, .err = "missing prefix" },
	{ ARGV("prefix", "del", "2001:db8::1/64"), CLI_ERROR, .err = "host bits set" },
	{ ARGV("prefix", "del", "2001:db8::/200"), CLI_ERROR, .err = "bad prefix length" },

	/* bad types */
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "bogus"), CLI_ERROR,
	  .err = "unknown type 'bogus'" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "5"), CLI_ERROR,
	  .err = "unknown type '5'" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "none"), CLI_ERROR,
	  .err = "unknown type 'none'" },
	{ ARGV("prefix", "list", "type", "fix"), CLI_ERROR, .err = "unknown type 'fix'" },
	{ ARGV("policy", "set", "cgroup", "apps", "default", "bogus"), CLI_ERROR,
	  .err = "unknown type 'bogus'" },

	/* bad interface names */
	{ ARGV("prefix", "list", "dev", "abcdefghijklmnop"), CLI_ERROR,
	  .err = "invalid interface name 'abcdefghijklmnop'" },
	{ ARGV("prefix", "list", "dev", "a/b"), CLI_ERROR, .err = "invalid interface name 'a/b'" },
	{ ARGV("prefix", "list", "dev", ""), CLI_ERROR, .err = "invalid interface name ''" },
	{ ARGV("prefix", "add", "2001:db8::/64", "type", "fixed", "dev", "../eth0"), CLI_ERROR,
	  .err = "invalid interface name '../eth0'" },

	/* relative pin directory */
	{ ARGV("-d", "odm", "stats"), CLI_ERROR, .err = "must be absolute, not 'odm'" },
	{ ARGV("-d", "", "stats"), CLI_ERROR, .err = "must be absolute" },

	/* trailing arguments */
	{ ARGV("prefix", "del", "2001:db8::/64", "type", "fixed"), CLI_USAGE,
	  .err = "unexpected argument 'type'" },
	{ ARGV("policy", "show", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("policy", "set", "cgroup", "apps", "default", "fixed", "x"), CLI_USAGE,
	  .err = "unexpected argument 'x'" },
	{ ARGV("policy", "del", "cgroup", "apps", "default"), CLI_USAGE,
	  .err = "unexpected argument 'default'" },
	{ ARGV("stats", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("stats", "show", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("stats", "-o", "yaml"), CLI_USAGE, .err = "unknown output format 'yaml'" },
	{ ARGV("stats", "-o"), CLI_USAGE, .err = "'-o' needs a value" },
	{ ARGV("-j", "stats", "-o", "prometheus"), CLI_USAGE, .err = "two different formats" },
	{ ARGV("exec"), CLI_USAGE, .err = "exec needs a command" },
	{ ARGV("exec", "--type", "bogus", "--", "true"), CLI_USAGE, .err = "unknown type 'bogus'" },
	{ ARGV("exec", "--type", "fixed", "--type", "fixed", "true"), CLI_USAGE,
	  .err = "given twice" },
	{ ARGV("exec", "--cgroup", "../up", "true"), CLI_USAGE, .err = "invalid cgroup '../up'" },
	{ ARGV("exec", "--user", "", "true"), CLI_USAGE, .err = "empty user name" },
	{ ARGV("exec", "--frob", "true"), CLI_USAGE, .err = "unknown exec option '--frob'" },
	{ ARGV("exec", "--type", "fixed", "--"), CLI_USAGE, .err = "exec needs a command" },
	{ ARGV("monitor", "all"), CLI_USAGE, .err = "unexpected argument 'all'" },
	{ ARGV("help", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("version", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("-h", "extra"), CLI_USAGE, .err = "unexpected argument 'extra'" },
	{ ARGV("policy", "set", "cgroup", "apps", "allow"), CLI_USAGE,
	  .err = "'allow' needs a value" },
	{ ARGV("policy", "set", "cgroup", "apps", "allow", "fixed,bogus"), CLI_ERROR,
	  .err = "unknown type 'bogus'" },
	{ ARGV("policy", "set", "cgroup", "apps", "allow", ","), CLI_ERROR,
	  .err = "empty type in ','" },
	{ ARGV("policy", "set", "cgroup", "apps", "allow", ",fixed"), CLI_ERROR,
	  .err = "empty type in ',fixed'" },
	{ ARGV("policy", "set", "cgroup", "apps", "allow", "fixed,fixed"), CLI_ERROR,
	  .err = "type fixed named twice in 'fixed,fixed'" },
	{ ARGV("policy", "set", "cgroup", "apps", "on-net", "maybe"), CLI_ERROR,
	  .err = "invalid on-net 'maybe'" },
	{ ARGV("policy", "set", "cgroup", "apps", "rate", "-1"), CLI_ERROR,
	  .err = "invalid rate '-1'" },
	{ ARGV("policy", "set", "cgroup", "apps", "max-held", "65536"), CLI_ERROR,
	  .err = "invalid max-held '65536'" },
	{ ARGV("policy", "set", "cgroup", "apps", "rate", "5", "rate", "6"), CLI_USAGE,
	  .err = "'rate' given twice" },
};

static int argc_of(const char *const *argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static void describe(char *buf, size_t len, const char *const *argv)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s'%s'", i ? " " : "", argv[i]);
}

static void check_case(const struct cli_case *t)
{
	char what[256], err[256], *argv[MAX_ARGS];
	struct odm_prefix_key want_key;
	struct cli_cmd c;
	int argc, ret, i;

	INPUTS(1);
	argc = argc_of(t->argv);
	for (i = 0; i <= argc; i++)
		argv[i] = (char *)t->argv[i];
	describe(what, sizeof(what), t->argv);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';

	ret = cli_parse(argc, argv, &c, err, sizeof(err));
	if (!ASSERT_EQ(ret, t->want_ret, what)) {
		fprintf(stderr, "    message: \"%s\"\n", err);
		return;
	}
	if (ret != CLI_OK) {
		ASSERT_HAS(err, t->err, what);
		ASSERT_TRUE(err[0] != '\0', "a failure has a message");
		ASSERT_TRUE(!strchr(err, '\n'), "no newline in the message");
		ASSERT_TRUE(strncmp(err, "odm:", 4) != 0, "no 'odm:' prefix in the message");
		return;
	}
	ASSERT_STREQ(err, "", what);
	ASSERT_EQ(c.object, t->object, what);
	if (t->object == OBJ_PREFIX || t->object == OBJ_POLICY)
		ASSERT_EQ(c.verb, t->verb, what);
	if (t->object == OBJ_POLICY && t->verb == VERB_SET) {
		/* policy set's default is a keyword of the policy's */
		ASSERT_EQ(!!(c.pol_kws & (1u << ODM_PKW_DEFAULT)), t->has_type, what);
		if (t->has_type)
			ASSERT_EQ(c.pol.default_type, t->type, what);
	} else {
		ASSERT_EQ(c.has_type, t->has_type, what);
		if (t->has_type)
			ASSERT_EQ(c.type, t->type, what);
	}
	if (t->dev)
		ASSERT_STREQ(c.dev, t->dev, what);
	else
		ASSERT_TRUE(c.dev == NULL, what);
	ASSERT_EQ(c.has_prefix, t->prefix != NULL, what);
	if (t->prefix && c.has_prefix) {
		if (ASSERT_EQ(odm_prefix_parse(t->prefix, &want_key, NULL, 0), 0, t->prefix)) {
			ASSERT_EQ(c.prefix.prefixlen, want_key.prefixlen, what);
			ASSERT_TRUE(!memcmp(&c.prefix.prefix, &want_key.prefix,
					    sizeof(want_key.prefix)), what);
		}
	}
	if (t->cgroup)
		ASSERT_STREQ(c.cgroup, t->cgroup, what);
	else
		ASSERT_TRUE(c.cgroup == NULL, what);
	ASSERT_EQ(c.json, t->json, what);
	ASSERT_EQ(c.pretty, t->pretty, what);
	ASSERT_STREQ(c.pin_dir, t->pin_dir ? t->pin_dir : ODM_PIN_DIR, what);
}

static void test_parse_ok(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok_cases); i++)
		check_case(&ok_cases[i]);
}

static void test_parse_bad(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
		check_case(&bad_cases[i]);
}

/* A second parse starts from a clean struct, whatever the first left. */
static void test_parse_resets(void)
{
	char *first[] = { "odm", "-j", "-p", "-d", "/x", "prefix", "add", "2001:db8::/64",
			  "type", "fixed", "dev", "eth0", NULL };
	char *second[] = { "odm", "stats", NULL };
	char err[256];
	struct cli_cmd c;

	ASSERT_EQ(cli_parse(12, first, &c, err, sizeof(err)), CLI_OK, "first");
	ASSERT_EQ(cli_parse(2, second, &c, err, sizeof(err)), CLI_OK, "second");
	ASSERT_EQ(c.object, OBJ_STATS, "object");
	ASSERT_TRUE(!c.json && !c.pretty && !c.has_type && !c.has_prefix && !c.dev,
		    "fields cleared");
	ASSERT_STREQ(c.pin_dir, ODM_PIN_DIR, "pin_dir reset");
}

/* A small error buffer truncates the message but never overflows. */
static void test_small_err_buffer(void)
{
	char *argv[] = { "odm", "unknown-object-with-a-long-name", NULL };
	char buf[12];
	struct cli_cmd c;

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(cli_parse(2, argv, &c, buf, 8), CLI_USAGE, "usage");
	ASSERT_EQ(strlen(buf), 7, "truncated to the buffer");
	ASSERT_EQ(buf[8], 'x', "nothing written past errlen");
}

/* The policy fields the table does not compare. */
static void test_policy_set_fields(void)
{
	char *argv[] = { "odm", "policy", "set", "cgroup", "apps", "allow",
			 "fixed,session-lasting", "on-net", "deny", "rate", "10", "max-held", "2",
			 NULL };
	char *argv2[] = { "odm", "policy", "set", "cgroup", "apps", "allow", "all", NULL };
	struct cli_cmd c;
	char err[256];

	ASSERT_EQ(cli_parse(13, argv, &c, err, sizeof(err)), CLI_OK, "parse");
	ASSERT_EQ(c.pol_kws, 1u << ODM_PKW_ALLOW | 1u << ODM_PKW_ON_NET | 1u << ODM_PKW_RATE |
		  1u << ODM_PKW_MAX_HELD, "all given, default not");
	ASSERT_EQ(c.pol.allow_mask, (1 << ODM_TYPE_FIXED) | (1 << ODM_TYPE_SESSION_LASTING), "mask");
	ASSERT_EQ(c.pol.flags, ODM_POLF_ALLOW | ODM_POLF_NO_ON_NET, "allow list, on-net deny");
	ASSERT_EQ(c.pol.net_per_min, 10, "rate");
	ASSERT_EQ(c.pol.max_held, 2, "max-held");
	ASSERT_EQ(cli_parse(7, argv2, &c, err, sizeof(err)), CLI_OK, "allow all");
	ASSERT_TRUE(c.pol_kws == 1u << ODM_PKW_ALLOW && c.pol.allow_mask == 0 &&
		    !(c.pol.flags & ODM_POLF_ALLOW), "all is no restriction");
}

/*
 * The keywords as odm.conf and odm policy set both read them, and the merge
 * `odm policy set` makes: only the fields the keywords name change.
 */
static void test_policy_keywords(void)
{
	struct odm_policy pol = { 0 }, set = { 0 }, had = {
		.default_type = ODM_TYPE_FIXED, .allow_mask = 1 << ODM_TYPE_FIXED,
		.flags = ODM_POLF_ALLOW | ODM_POLF_NO_ON_NET, .net_per_min = 7, .max_held = 3,
	};
	char why[128];

	ASSERT_EQ(odm_policy_kw_find("default", false), ODM_PKW_DEFAULT, "in full");
	ASSERT_EQ(odm_policy_kw_find("def", false), -1, "the file wants it in full");
	ASSERT_EQ(odm_policy_kw_find("def", true), ODM_PKW_DEFAULT, "the CLI takes a leading part");
	ASSERT_EQ(odm_policy_kw_find("m", true), ODM_PKW_MAX_HELD, "m");
	ASSERT_EQ(odm_policy_kw_find("", true), -1, "empty");
	ASSERT_EQ(odm_policy_kw_find(NULL, false), -1, "NULL");
	ASSERT_EQ(odm_policy_kw_find("rates", true), -1, "longer than the keyword");
	ASSERT_STREQ(odm_policy_kw_name(ODM_PKW_ON_NET), "on-net", "name");

	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_ON_NET, "d", false, &pol, why, sizeof(why)),
		  -EINVAL, "the file wants deny in full");
	ASSERT_STREQ(why, "invalid on-net 'd' (expected allow or deny)", "why");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_ON_NET, "d", true, &pol, why, sizeof(why)), 0,
		  "the CLI takes d");
	ASSERT_EQ(pol.flags, ODM_POLF_NO_ON_NET, "on-net deny");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_RATE, "+5", true, &pol, why, sizeof(why)), -EINVAL,
		  "digits only");
	ASSERT_STREQ(why, "invalid rate '+5' (expected 0 to 65535, 0: no limit)", "why");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_MAX_HELD, "99999999999999999999", true, &pol, why,
				      sizeof(why)), -EINVAL, "no wrap-around");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_MAX_HELD, "65535", true, &pol, NULL, 0), 0, "max");
	ASSERT_EQ(pol.max_held, 65535, "65535");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_DEFAULT, "none", false, &pol, NULL, 0), 0, "none");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_DEFAULT, "nope", false, &pol, why, sizeof(why)),
		  -EINVAL, "unknown type");
	ASSERT_STREQ(why, "unknown type 'nope' (expected " ODM_TYPE_LIST ", or none)", "why");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_ALLOW, "fixed,fixed", false, &pol, why, sizeof(why)),
		  -EINVAL, "a type twice");
	ASSERT_STREQ(why, "type fixed named twice in 'fixed,fixed'", "the list's reason");

	/* odm policy set ... upgrade allow rate 0 over what the cgroup had. */
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_UPGRADE, "allow", true, &set, NULL, 0), 0, "upgrade");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_RATE, "0", true, &set, NULL, 0), 0, "rate");
	odm_policy_kw_copy(1u << ODM_PKW_UPGRADE | 1u << ODM_PKW_RATE, &had, &set);
	ASSERT_EQ(had.flags, ODM_POLF_ALLOW | ODM_POLF_NO_ON_NET | ODM_POLF_UPGRADE,
		  "upgrade added, the other flags kept");
	ASSERT_EQ(had.net_per_min, 0, "rate lifted");
	ASSERT_EQ(had.default_type, ODM_TYPE_FIXED, "default kept");
	ASSERT_EQ(had.allow_mask, 1 << ODM_TYPE_FIXED, "allow list kept");
	ASSERT_EQ(had.max_held, 3, "max-held kept");
	/* allow all and on-net allow clear their bits. */
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_ALLOW, "all", true, &set, NULL, 0), 0, "allow all");
	ASSERT_EQ(odm_policy_kw_parse(ODM_PKW_ON_NET, "al", true, &set, NULL, 0), 0, "on-net al");
	odm_policy_kw_copy(1u << ODM_PKW_ALLOW | 1u << ODM_PKW_ON_NET, &had, &set);
	ASSERT_EQ(had.flags, ODM_POLF_UPGRADE, "only upgrade left");
	ASSERT_EQ(had.allow_mask, 0, "no list");
}

int main(void)
{
	RUN(test_parse_ok);
	RUN(test_policy_set_fields);
	RUN(test_policy_keywords);
	RUN(test_parse_bad);
	RUN(test_parse_resets);
	RUN(test_small_err_buffer);
	return test_summary();
}
