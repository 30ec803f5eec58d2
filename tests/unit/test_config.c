/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_config.c - odmd's configuration file: good files, and a bad file for
 * every message, each checked for its line number and text.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "test.h"

/* Count every input fed to the parsers under test (tests/run.sh figures). */
#define odm_config_parse_string(...) (INPUTS(1), odm_config_parse_string(__VA_ARGS__))
#define odm_config_parse_file(...) (INPUTS(1), odm_config_parse_file(__VA_ARGS__))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TYPES "fixed, session-lasting, non-persistent or graceful-replacement"

/* A poisoned config, to check that a failed parse leaves it empty. */
static void poison(struct odm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->n_prefixes = 7;
	cfg->have_default = true;
	cfg->default_type = 3;
	cfg->n_networks = 2;
	strcpy(cfg->networks[0].dev, "poison");
}

static bool is_empty(const struct odm_config *cfg)
{
	return !cfg->prefixes && !cfg->n_prefixes && !cfg->have_default && !cfg->default_type &&
	       !cfg->n_networks && !cfg->networks[0].dev[0];
}

static void test_good(void)
{
	static const char text[] =
		"# odm.conf\n"
		"\n"
		"prefix 2001:db8:1::/64 type fixed\n"
		"   prefix\t2001:db8:2::/64   type session-lasting dev wlan0   # roaming\n"
		"prefix 2001:db8:3::/64 dev eth0 type NON_PERSISTENT_IPV6_ADDRESS\n"
		"prefix 2001:db8:4::/48 type 4 dev abcdefghijklmno\n"
		"default graceful\n"
		"prefix 2001:db8:1::/48 type graceful_replacement\r\n"
		"#prefix 2001:db8:9::/64 type fixed\n"
		"prefix 2001:db8:5::/64 type fixed# comment right after\n"
		"  \t  \n"
		"prefix 2001:db8:6::/64 type fixed";	/* no final newline */
	struct odm_config cfg;
	char err[256] = "", buf[ODM_PREFIX_STRLEN];
	const struct odm_config_prefix *p;

	poison(&cfg);
	if (!ASSERT_EQ(odm_config_parse_string(text, "odm.conf", &cfg, err, sizeof(err)), 0, err))
		return;
	ASSERT_STREQ(err, "", "no message");
	if (!ASSERT_EQ(cfg.n_prefixes, 7, "n_prefixes"))
		goto cleanup;
	p = cfg.prefixes;
	ASSERT_STREQ(odm_prefix_str(&p[0].key, buf), "2001:db8:1::/64", "p0");
	ASSERT_EQ(p[0].type, ODM_TYPE_FIXED, "p0 type");
	ASSERT_STREQ(p[0].dev, "", "p0 dev");
	ASSERT_EQ(p[0].line, 3, "p0 line");
	ASSERT_STREQ(odm_prefix_str(&p[1].key, buf), "2001:db8:2::/64", "p1");
	ASSERT_EQ(p[1].type, ODM_TYPE_SESSION_LASTING, "p1 type");
	ASSERT_STREQ(p[1].dev, "wlan0", "p1 dev");
	ASSERT_EQ(p[1].line, 4, "p1 line");
	ASSERT_EQ(p[2].type, ODM_TYPE_NON_PERSISTENT, "p2 type");
	ASSERT_STREQ(p[2].dev, "eth0", "p2 dev, before type");
	ASSERT_EQ(p[3].key.prefixlen, 48, "p3 plen");
	ASSERT_EQ(p[3].type, ODM_TYPE_GRACEFUL, "p3 type");
	ASSERT_STREQ(p[3].dev, "abcdefghijklmno", "p3 dev, 15 chars");
	ASSERT_STREQ(odm_prefix_str(&p[4].key, buf), "2001:db8:1::/48",
		     "same address, other length is another prefix");
	ASSERT_EQ(p[4].type, ODM_TYPE_GRACEFUL, "p4 type, CRLF");
	ASSERT_EQ(p[4].line, 8, "p4 line");
	ASSERT_EQ(p[5].line, 10, "p5 line");
	ASSERT_EQ(p[6].line, 12, "p6 line");
	ASSERT_TRUE(cfg.have_default, "have_default");
	ASSERT_EQ(cfg.default_type, ODM_TYPE_GRACEFUL, "default_type");
cleanup:
	odm_config_free(&cfg);
	ASSERT_TRUE(is_empty(&cfg), "free empties");
	odm_config_free(&cfg);	/* twice is harmless */
}

static void test_empty(void)
{
	static const char *const texts[] = { "", "\n", "# nothing\n\n   \n", "\t#\n" };
	struct odm_config cfg;
	char err[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		poison(&cfg);
		ASSERT_EQ(odm_config_parse_string(texts[i], "e", &cfg, err, sizeof(err)), 0,
			  "empty");
		ASSERT_TRUE(is_empty(&cfg), "nothing configured");
		odm_config_free(&cfg);
	}
}

static void test_default(void)
{
	static const struct {
		const char *text;
		__u8 type;
	} cases[] = {
		{ "default none\n", ODM_TYPE_NONE },
		{ "default NONE\n", ODM_TYPE_NONE },
		{ "default 0\n", ODM_TYPE_NONE },
		{ "default fixed\n", ODM_TYPE_FIXED },
		{ "default 2\n", ODM_TYPE_SESSION_LASTING },
		{ "default IPV6_REQUIRE_NON_PERSISTENT_IP\n", ODM_TYPE_NON_PERSISTENT },
		{ "default graceful-replacement # the safe one\n", ODM_TYPE_GRACEFUL },
	};
	struct odm_config cfg;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!ASSERT_EQ(odm_config_parse_string(cases[i].text, "d", &cfg, err, sizeof(err)),
			       0, cases[i].text))
			continue;
		ASSERT_TRUE(cfg.have_default, cases[i].text);
		ASSERT_EQ(cfg.default_type, cases[i].type, cases[i].text);
		odm_config_free(&cfg);
	}
}

static const struct {
	const char *text;
	const char *msg;	/* the whole message, "NAME:LINE: what" */
} bad_cases[] = {
	{ "prefix 2001:db8::/64 type fixed\n\nprefix 2001:db8::/64 type foo\n",
	  "odm.conf:3: unknown type 'foo' (expected " TYPES ")" },
	{ "# a\nprefix 2001:db8::/64 type fixed\n\n\nprefix 2001:db8::/64 type graceful\n",
	  "odm.conf:5: prefix 2001:db8::/64 already defined at line 2" },
	{ "prefix 2001:db8:0::/64 type 1\nprefix 2001:DB8::/64 type 1 dev eth0\n",
	  "odm.conf:2: prefix 2001:db8::/64 already defined at line 1" },
	{ "\n\n\n\n\n\nprefx 2001:db8::/64 type fixed\n", "odm.conf:7: unknown keyword 'prefx'" },
	{ "pre 2001:db8::/64 type fixed\n", "odm.conf:1: unknown keyword 'pre'" },
	{ "PREFIX 2001:db8::/64 type fixed\n", "odm.conf:1: unknown keyword 'PREFIX'" },
	{ "dev eth0\n", "odm.conf:1: unknown keyword 'dev'" },
	{ "prefix\n", "odm.conf:1: missing prefix after 'prefix'" },
	{ "prefix   # nothing\n", "odm.conf:1: missing prefix after 'prefix'" },
	{ "prefix 2001:db8::/64\n",
	  "odm.conf:1: prefix 2001:db8::/64 has no type (expected 'type TYPE')" },
	{ "prefix 2001:db8::/64 dev eth0\n",
	  "odm.conf:1: prefix 2001:db8::/64 has no type (expected 'type TYPE')" },
	{ "prefix 2001:db8::/64 type\n",
	  "odm.conf:1: missing type after 'type' (expected " TYPES ")" },
	{ "prefix 2001:db8::/64 type fixed dev\n",
	  "odm.conf:1: missing interface name after 'dev'" },
	{ "prefix 2001:db8::/64 type none\n",
	  "odm.conf:1: unknown type 'none' (expected " TYPES ")" },
	{ "prefix 2001:db8::/64 type 0\n", "odm.conf:1: unknown type '0' (expected " TYPES ")" },
	{ "prefix 2001:db8::/64 type 5\n", "odm.conf:1: unknown type '5' (expected " TYPES ")" },
	{ "prefix 2001:db8::/64 type fixed type fixed\n", "odm.conf:1: duplicate 'type'" },
	{ "prefix 2001:db8::/64 dev a type fixed dev b\n", "odm.conf:1: duplicate 'dev'" },
	{ "prefix 2001:db8::/64 type fixed junk\n",
	  "odm.conf:1: unexpected 'junk' (expected type or dev)" },
	{ "prefix 2001:db8::/64 type fixed dev eth0 extra\n",
	  "odm.conf:1: unexpected 'extra' (expected type or dev)" },
	{ "prefix 2001:db8::/64 typ fixed\n",
	  "odm.conf:1: unexpected 'typ' (expected type or dev)" },
	{ "prefix 2001:db8::/64 type fixed dev eth0 type fixed dev eth0 a b c d e f\n",
	  "odm.conf:1: duplicate 'type'" },
	{ "prefix 2001:db8::/64 type fixed dev abcdefghijklmnop\n",
	  "odm.conf:1: interface name 'abcdefghijklmnop' too long (at most 15 characters)" },
	{ "prefix 2001:db8::/64 type fixed dev a/b\n", "odm.conf:1: bad interface name 'a/b'" },
	{ "prefix 2001:db8::/64 type fixed dev eth0:1\n",
	  "odm.conf:1: bad interface name 'eth0:1'" },
	{ "prefix 2001:db8::/64 type fixed dev ..\n", "odm.conf:1: bad interface name '..'" },
	{ "prefix 2001:db8::1/64 type fixed\n",
	  "odm.conf:1: 2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?" },
	{ "prefix 2001:db8:: type fixed\n",
	  "odm.conf:1: missing prefix length in '2001:db8::' (expected ADDR/LEN)" },
	{ "prefix 2001:db8::/129 type fixed\n",
	  "odm.conf:1: bad prefix length '129' in '2001:db8::/129' (expected 0-128)" },
	{ "prefix zzz/64 type fixed\n", "odm.conf:1: bad IPv6 address 'zzz' in 'zzz/64'" },
	{ "prefix type fixed\n",
	  "odm.conf:1: missing prefix length in 'type' (expected ADDR/LEN)" },
	{ "default\n", "odm.conf:1: missing type after 'default' (expected " TYPES ", or none)" },
	{ "default foo\n", "odm.conf:1: unknown type 'foo' (expected " TYPES ", or none)" },
	{ "default fixedx\n", "odm.conf:1: unknown type 'fixedx' (expected " TYPES ", or none)" },
	{ "default fixed fixed\n", "odm.conf:1: unexpected 'fixed' after the default type" },
	{ "default fixed\n# x\ndefault none\n", "odm.conf:3: default already set at line 1" },
	{ "network\n", "odm.conf:1: missing interface name after 'network'" },
	{ "network eth0\n",
	  "odm.conf:1: network eth0 has no types (expected 'types TYPE[,TYPE...]')" },
	{ "network eth0 types\n",
	  "odm.conf:1: missing types after 'types' (expected TYPE[,TYPE...] or all)" },
	{ "network eth0 type fixed\n", "odm.conf:1: unexpected 'type' (expected types)" },
	{ "network eth0 types fixed extra\n", "odm.conf:1: unexpected 'extra' after the types" },
	{ "\nnetwork eth0 types fixed,session-lasting,fixed\n",
	  "odm.conf:2: type fixed named twice in 'fixed,session-lasting,fixed'" },
	{ "network eth0 types fixed,1\n", "odm.conf:1: type fixed named twice in 'fixed,1'" },
	{ "network eth0 types fixed,bogus\n",
	  "odm.conf:1: unknown type 'bogus' (expected " TYPES ", or all)" },
	{ "network eth0 types none\n",
	  "odm.conf:1: unknown type 'none' (expected " TYPES ", or all)" },
	{ "network eth0 types all,fixed\n",
	  "odm.conf:1: unknown type 'all' (expected " TYPES ", or all)" },
	{ "network eth0 types fixed,\n",
	  "odm.conf:1: empty type in 'fixed,' (expected TYPE[,TYPE...] or all)" },
	{ "network eth0 types fixed,,graceful\n",
	  "odm.conf:1: empty type in 'fixed,,graceful' (expected TYPE[,TYPE...] or all)" },
	{ "network eth0 types fixed\n# x\nnetwork eth0 types graceful\n",
	  "odm.conf:3: network eth0 already defined at line 1" },
	{ "network abcdefghijklmnop types all\n",
	  "odm.conf:1: interface name 'abcdefghijklmnop' too long (at most 15 characters)" },
	{ "network a/b types all\n", "odm.conf:1: bad interface name 'a/b'" },
	{ "network a types all\nnetwork b types all\nnetwork c types all\n"
	  "network d types all\nnetwork e types all\nnetwork f types all\n"
	  "network g types all\nnetwork h types all\nnetwork i types all\n",
	  "odm.conf:9: too many networks (at most 8)" },
	/* the first error wins, even when a later line is also bad */
	{ "prefix 2001:db8::/64 type fixed\nfoo\nprefix 2001:db8::/64 type fixed\n",
	  "odm.conf:2: unknown keyword 'foo'" },
};

static void test_bad(void)
{
	struct odm_config cfg;
	char err[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		poison(&cfg);
		err[0] = '\0';
		ASSERT_EQ(odm_config_parse_string(bad_cases[i].text, "odm.conf", &cfg, err,
						  sizeof(err)), -EINVAL, bad_cases[i].text);
		ASSERT_STREQ(err, bad_cases[i].msg, bad_cases[i].text);
		ASSERT_TRUE(is_empty(&cfg), "left empty");
	}
}

static void test_networks(void)
{
	static const char text[] =
		"network wwan0 types fixed,session-lasting\n"
		"prefix 2001:db8:1::/64 type fixed\n"
		"network wlan0 types all   # the rest\n"
		"network eth1 types NON_PERSISTENT_IPV6_ADDRESS,4\n";
	struct odm_config cfg;
	char err[256] = "";

	poison(&cfg);
	if (!ASSERT_EQ(odm_config_parse_string(text, "n.conf", &cfg, err, sizeof(err)), 0, err))
		return;
	ASSERT_EQ(cfg.n_prefixes, 1, "the prefix too");
	if (!ASSERT_EQ(cfg.n_networks, 3, "three networks"))
		goto cleanup;
	ASSERT_STREQ(cfg.networks[0].dev, "wwan0", "file order: first");
	ASSERT_EQ(cfg.networks[0].types, (1u << ODM_TYPE_FIXED) | (1u << ODM_TYPE_SESSION_LASTING),
		  "its types");
	ASSERT_EQ(cfg.networks[0].line, 1, "its line");
	ASSERT_STREQ(cfg.networks[1].dev, "wlan0", "second");
	ASSERT_EQ(cfg.networks[1].types, ODM_TYPE_MASK_ALL, "all");
	ASSERT_EQ(cfg.networks[1].line, 3, "its line");
	ASSERT_STREQ(cfg.networks[2].dev, "eth1", "third");
	ASSERT_EQ(cfg.networks[2].types,
		  (1u << ODM_TYPE_NON_PERSISTENT) | (1u << ODM_TYPE_GRACEFUL), "aliases and numbers");
cleanup:
	odm_config_free(&cfg);
	ASSERT_TRUE(is_empty(&cfg), "free empties");
}

static void test_long_lines(void)
{
	struct odm_config cfg;
	char *text, err[256];
	size_t pre;

	text = malloc(2100);
	if (!ASSERT_TRUE(text != NULL, "malloc"))
		return;
	/* exactly 1023 characters: a valid statement padded by a comment */
	pre = strlen("prefix 2001:db8::/64 type fixed #");
	memcpy(text, "prefix 2001:db8::/64 type fixed #", pre);
	memset(text + pre, 'x', 1023 - pre);
	strcpy(text + 1023, "\n");
	ASSERT_EQ(odm_config_parse_string(text, "l", &cfg, err, sizeof(err)), 0, "1023 chars");
	ASSERT_EQ(cfg.n_prefixes, 1, "1023 chars parsed");
	odm_config_free(&cfg);

	/* 1024 on the second line */
	strcpy(text, "default none\n");
	memset(text + 13, ' ', 1024);
	strcpy(text + 13 + 1024, "\nprefix 2001:db8::/64 type fixed\n");
	poison(&cfg);
	ASSERT_EQ(odm_config_parse_string(text, "l", &cfg, err, sizeof(err)), -EINVAL, "1024");
	ASSERT_STREQ(err, "l:2: line too long (more than 1023 characters)", "1024 message");
	ASSERT_TRUE(is_empty(&cfg), "left empty");

	/* and without a final newline */
	memset(text, '#', 2000);
	text[2000] = '\0';
	ASSERT_EQ(odm_config_parse_string(text, "l", &cfg, err, sizeof(err)), -EINVAL, "no nl");
	ASSERT_STREQ(err, "l:1: line too long (more than 1023 characters)", "no nl message");
	free(text);
}

/* Build "prefix 2001:db8:N::/64 type fixed" lines; 3 hex groups give 2^48 prefixes. */
static char *many_prefixes(size_t n)
{
	char *text, *p;
	size_t i;

	text = malloc(n * 64 + 1);
	if (!text)
		return NULL;
	p = text;
	for (i = 0; i < n; i++)
		p += sprintf(p, "prefix 2001:%zx:%zx::/64 type fixed\n", (i >> 16) + 1, i & 0xffff);
	return text;
}

static void test_limits(void)
{
	struct odm_config cfg;
	char *text, err[256];

	text = many_prefixes(ODM_CONFIG_MAX_PREFIXES);
	if (!ASSERT_TRUE(text != NULL, "malloc"))
		return;
	ASSERT_EQ(odm_config_parse_string(text, "big", &cfg, err, sizeof(err)), 0, err);
	ASSERT_EQ(cfg.n_prefixes, ODM_CONFIG_MAX_PREFIXES, "all of them");
	odm_config_free(&cfg);
	free(text);

	text = many_prefixes(ODM_CONFIG_MAX_PREFIXES + 1);
	if (!ASSERT_TRUE(text != NULL, "malloc"))
		return;
	ASSERT_EQ(odm_config_parse_string(text, "big", &cfg, err, sizeof(err)), -EINVAL,
		  "one more");
	ASSERT_STREQ(err, "big:65537: too many prefixes (at most 65536)", "message");
	ASSERT_TRUE(is_empty(&cfg), "left empty");
	free(text);
}

static void test_args(void)
{
	struct odm_config cfg;
	char err[16];

	ASSERT_EQ(odm_config_parse_string(NULL, "x", &cfg, err, sizeof(err)), -EINVAL, "NULL");
	ASSERT_EQ(odm_config_parse_string("default x\n", "x", &cfg, NULL, 0), -EINVAL, "no err");
	/* a short buffer gets a truncated, terminated message */
	ASSERT_EQ(odm_config_parse_string("default x\n", "odm.conf", &cfg, err, sizeof(err)),
		  -EINVAL, "short err");
	ASSERT_STREQ(err, "odm.conf:1: unk", "truncated");
	ASSERT_EQ(odm_config_parse_string("default x\n", NULL, &cfg, err, sizeof(err)),
		  -EINVAL, "no name");
	ASSERT_HAS(err, ":1: ", "still has a line");
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t n;

	if (!f)
		return -errno;
	n = fwrite(data, 1, len, f);
	if (fclose(f) || n != len)
		return -EIO;
	return 0;
}

static void test_file(void)
{
	static const char good[] = "prefix 2001:db8::/64 type fixed dev eth0\ndefault none\n";
	static const char nul[] = "default none\n# ok\nprefix 2001:db8::/64\0 type fixed\n";
	static const char bad[] = "\nprefix 2001:db8::/64 type fixed\n"
				  "prefix 2001:db8::/64 type 2\n";
	char dir[] = "/tmp/odm-test-config.XXXXXX";
	char path[512], msg[1024], err[1024];
	struct odm_config cfg;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;

	snprintf(path, sizeof(path), "%s/good.conf", dir);
	if (ASSERT_EQ(write_file(path, good, sizeof(good) - 1), 0, "write good") &&
	    ASSERT_EQ(odm_config_parse_file(path, &cfg, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(cfg.n_prefixes, 1, "one prefix");
		ASSERT_STREQ(cfg.prefixes[0].dev, "eth0", "dev");
		ASSERT_TRUE(cfg.have_default && cfg.default_type == ODM_TYPE_NONE, "default none");
		odm_config_free(&cfg);
	}
	unlink(path);

	/* messages name the file by its path */
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	if (ASSERT_EQ(write_file(path, bad, sizeof(bad) - 1), 0, "write bad")) {
		poison(&cfg);
		ASSERT_EQ(odm_config_parse_file(path, &cfg, err, sizeof(err)), -EINVAL, "bad");
		snprintf(msg, sizeof(msg), "%s:3: prefix 2001:db8::/64 already defined at line 2",
			 path);
		ASSERT_STREQ(err, msg, "bad message");
		ASSERT_TRUE(is_empty(&cfg), "left empty");
	}
	unlink(path);

	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	if (ASSERT_EQ(write_file(path, nul, sizeof(nul) - 1), 0, "write nul")) {
		poison(&cfg);
		ASSERT_EQ(odm_config_parse_file(path, &cfg, err, sizeof(err)), -EINVAL, "nul");
		snprintf(msg, sizeof(msg), "%s:3: NUL byte in file (not a text file?)", path);
		ASSERT_STREQ(err, msg, "nul message");
		ASSERT_TRUE(is_empty(&cfg), "left empty");
	}
	unlink(path);

	snprintf(path, sizeof(path), "%s/empty.conf", dir);
	if (ASSERT_EQ(write_file(path, "", 0), 0, "write empty")) {
		ASSERT_EQ(odm_config_parse_file(path, &cfg, err, sizeof(err)), 0, "empty file");
		ASSERT_TRUE(is_empty(&cfg), "empty config");
	}
	unlink(path);

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	poison(&cfg);
	ASSERT_EQ(odm_config_parse_file(path, &cfg, err, sizeof(err)), -ENOENT, "missing");
	snprintf(msg, sizeof(msg), "%s: No such file or directory", path);
	ASSERT_STREQ(err, msg, "missing message");
	ASSERT_TRUE(is_empty(&cfg), "left empty");

	poison(&cfg);
	ASSERT_EQ(odm_config_parse_file(dir, &cfg, err, sizeof(err)), -EISDIR, "directory");
	snprintf(msg, sizeof(msg), "%s: Is a directory", dir);
	ASSERT_STREQ(err, msg, "directory message");
	ASSERT_TRUE(is_empty(&cfg), "left empty");

	rmdir(dir);
}

int main(void)
{
	RUN(test_good);
	RUN(test_empty);
	RUN(test_default);
	RUN(test_bad);
	RUN(test_networks);
	RUN(test_long_lines);
	RUN(test_limits);
	RUN(test_args);
	RUN(test_file);
	return test_summary();
}
