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
	cfg->n_policies = 3;
	cfg->opts.set = 5;
	strcpy(cfg->opts.cgroup, "poison");
}

static bool is_empty(const struct odm_config *cfg)
{
	return !cfg->prefixes && !cfg->n_prefixes && !cfg->have_default && !cfg->default_type &&
	       !cfg->n_networks && !cfg->networks[0].dev[0] && !cfg->policies &&
	       !cfg->n_policies && !cfg->opts.set && !cfg->opts.cgroup[0] &&
	       !cfg->opts.lifetime[ODM_TYPE_FIXED].set;
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
	/* dhcp6: a network of every type */
	{ "dhcp6\n", "odm.conf:1: missing interface name after 'dhcp6'" },
	{ "dhcp6 eth0 types all\n", "odm.conf:1: unexpected 'types' after the interface name" },
	{ "network eth0 types fixed\ndhcp6 eth0\n",
	  "odm.conf:2: network eth0 already defined at line 1" },
	{ "dhcp6 a/b\n", "odm.conf:1: bad interface name 'a/b'" },
	/* odmd's options */
	{ "cgroup\n", "odm.conf:1: missing value after 'cgroup'" },
	{ "cgroup a b\n", "odm.conf:1: unexpected 'b' after the value of cgroup" },
	{ "cgroup odm.slice\n\ncgroup odm.slice\n", "odm.conf:3: cgroup already set at line 1" },
	{ "cgroup ../x\n", "odm.conf:1: cgroup '../x' has a '..' component" },
	{ "cgroup a/../../x\n", "odm.conf:1: cgroup 'a/../../x' has a '..' component" },
	{ "cgroup a/..\n", "odm.conf:1: cgroup 'a/..' has a '..' component" },
	{ "pin-dir sys/fs/bpf/odm\n",
	  "odm.conf:1: pin-dir must be an absolute path, not 'sys/fs/bpf/odm'" },
	{ "lease-file leases\n", "odm.conf:1: lease-file must be an absolute path, not 'leases'" },
	{ "secret-file ./s\n", "odm.conf:1: secret-file must be an absolute path, not './s'" },
	{ "dhcp6-option 0\n", "odm.conf:1: invalid dhcp6-option '0' (expected 1 to 65535)" },
	{ "dhcp6-option 65536\n",
	  "odm.conf:1: invalid dhcp6-option '65536' (expected 1 to 65535)" },
	{ "dhcp6-option 0x10\n", "odm.conf:1: invalid dhcp6-option '0x10' (expected 1 to 65535)" },
	{ "dhcp6-option -1\n", "odm.conf:1: invalid dhcp6-option '-1' (expected 1 to 65535)" },
	{ "dhcp6-untyped fixed,foo\n",
	  "odm.conf:1: unknown type 'foo' (expected " TYPES ", or all)" },
	{ "dhcp6-untyped fixed\ndhcp6-untyped all\n",
	  "odm.conf:2: dhcp6-untyped already set at line 1" },
	{ "sl-linger 2592001\n",
	  "odm.conf:1: invalid sl-linger '2592001' (expected 0 to 2592000)" },
	{ "sl-linger 99999999999999999999999999\n",
	  "odm.conf:1: invalid sl-linger '99999999999999999999999999' (expected 0 to 2592000)" },
	{ "sl-linger 5s\n", "odm.conf:1: invalid sl-linger '5s' (expected 0 to 2592000)" },
	{ "grace 0\n", "odm.conf:1: invalid grace '0' (expected 1 to 2592000)" },
	{ "grace +5\n", "odm.conf:1: invalid grace '+5' (expected 1 to 2592000)" },
	{ "iid secret\n", "odm.conf:1: invalid iid 'secret' (expected random or stable)" },
	{ "ra 1\n", "odm.conf:1: invalid ra '1' (expected yes or no)" },
	{ "egress-routes off\n", "odm.conf:1: invalid egress-routes 'off' (expected yes or no)" },
	{ "setsockopt 0\n", "odm.conf:1: invalid setsockopt '0' (expected yes or no)" },
	{ "verbose YES\n", "odm.conf:1: invalid verbose 'YES' (expected yes or no)" },
	{ "ra yes\nra no\n", "odm.conf:2: ra already set at line 1" },
	{ "net-rate 65536\n", "odm.conf:1: invalid net-rate '65536' (expected 0 to 65535)" },
	{ "net-max-held x\n", "odm.conf:1: invalid net-max-held 'x' (expected 0 to 65535)" },
	{ "addr-map-size 15\n", "odm.conf:1: invalid addr-map-size '15' (expected 16 to 1048576)" },
	{ "addr-map-size 1048577\n",
	  "odm.conf:1: invalid addr-map-size '1048577' (expected 16 to 1048576)" },
	{ "lifetime\n", "odm.conf:1: missing value after 'lifetime'" },
	{ "lifetime fixed\n",
	  "odm.conf:1: invalid lifetime 'fixed' (expected TYPE:SECONDS[:BYTES])" },
	{ "lifetime fixd:60\n", "odm.conf:1: unknown type 'fixd' (expected " TYPES ")" },
	{ "lifetime fixed:\n",
	  "odm.conf:1: invalid lifetime seconds '' (expected 0 to 4294967295)" },
	{ "lifetime fixed:4294967296\n",
	  "odm.conf:1: invalid lifetime seconds '4294967296' (expected 0 to 4294967295)" },
	{ "lifetime fixed:60:1k\n",
	  "odm.conf:1: invalid lifetime bytes '1k' (expected 0 to 18446744073709551615)" },
	{ "lifetime fixed:60:18446744073709551616\n",
	  "odm.conf:1: invalid lifetime bytes '18446744073709551616' "
	  "(expected 0 to 18446744073709551615)" },
	{ "lifetime fixed:60\nlifetime 1:70\n",
	  "odm.conf:2: lifetime of fixed already set at line 1" },
	{ "lifetime fixed:60 3\n", "odm.conf:1: unexpected '3' after the value of lifetime" },
	{ "notify-fd 3\n", "odm.conf:1: unknown keyword 'notify-fd'" },
	{ "config /etc/odm/odm.conf\n", "odm.conf:1: unknown keyword 'config'" },
	{ "pin_dir /sys/fs/bpf/odm\n", "odm.conf:1: unknown keyword 'pin_dir'" },
	/* policies */
	{ "policy\n", "odm.conf:1: missing cgroup after 'policy'" },
	{ "policy a.slice\n",
	  "odm.conf:1: policy a.slice says nothing (expected default, allow, on-net, rate, "
	  "max-held or upgrade)" },
	{ "policy a.slice default\n", "odm.conf:1: missing value after 'default'" },
	{ "policy a.slice default foo\n",
	  "odm.conf:1: unknown type 'foo' (expected " TYPES ", or none)" },
	{ "policy a.slice allow none\n",
	  "odm.conf:1: unknown type 'none' (expected " TYPES ", or all)" },
	{ "policy a.slice allow fixed,fixed\n",
	  "odm.conf:1: type fixed named twice in 'fixed,fixed'" },
	{ "policy a.slice on-net maybe\n",
	  "odm.conf:1: invalid on-net 'maybe' (expected allow or deny)" },
	{ "policy a.slice upgrade yes\n",
	  "odm.conf:1: invalid upgrade 'yes' (expected allow or deny)" },
	{ "policy a.slice rate 65536\n",
	  "odm.conf:1: invalid rate '65536' (expected 0 to 65535, 0: no limit)" },
	{ "policy a.slice max-held -1\n",
	  "odm.conf:1: invalid max-held '-1' (expected 0 to 65535, 0: no limit)" },
	{ "policy a.slice def fixed\n",
	  "odm.conf:1: unexpected 'def' (expected default, allow, on-net, rate, max-held or "
	  "upgrade)" },
	{ "policy a.slice rate 1 rate 2\n", "odm.conf:1: duplicate 'rate'" },
	{ "policy a.slice/../b default fixed\n",
	  "odm.conf:1: cgroup 'a.slice/../b' has a '..' component" },
	{ "policy /a.slice/b/ default fixed\n\npolicy a.slice/b rate 3\n",
	  "odm.conf:3: policy of a.slice/b already defined at line 1" },
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

/* Every option keyword, with the value it gives. */
static void test_options(void)
{
	static const char text[] =
		"cgroup odm.slice\n"
		"pin-dir /sys/fs/bpf/odm2\n"
		"dhcp6 wwan0\n"
		"dhcp6-option 65000\n"
		"dhcp6-untyped non-persistent,graceful-replacement\n"
		"lease-file /var/lib/odm/x.leases\n"
		"sl-linger 0\n"
		"grace 2592000\n"
		"iid stable\n"
		"secret-file /var/lib/odm/s\n"
		"lifetime non-persistent:600\n"
		"lifetime FIXED_IPV6_ADDRESS:0:1000000   # bytes only\n"
		"ra yes\n"
		"egress-routes no\n"
		"setsockopt yes\n"
		"net-rate 65535\n"
		"net-max-held 0\n"
		"addr-map-size 16\n"
		"verbose no\n";
	struct odm_config cfg;
	const struct odm_config_opts *o = &cfg.opts;
	char err[256] = "";
	unsigned int all = (1u << ODM_OPT_MAX) - 1;

	poison(&cfg);
	if (!ASSERT_EQ(odm_config_parse_string(text, "o.conf", &cfg, err, sizeof(err)), 0, err))
		return;
	ASSERT_EQ(o->set, all, "every option set");
	ASSERT_STREQ(o->cgroup, "odm.slice", "cgroup");
	ASSERT_EQ(o->line[ODM_OPT_CGROUP], 1, "cgroup line");
	ASSERT_STREQ(o->pin_dir, "/sys/fs/bpf/odm2", "pin-dir");
	ASSERT_EQ(cfg.n_networks, 1, "dhcp6 is a network");
	ASSERT_STREQ(cfg.networks[0].dev, "wwan0", "its interface");
	ASSERT_EQ(cfg.networks[0].types, ODM_TYPE_MASK_ALL, "of every type");
	ASSERT_EQ(cfg.networks[0].line, 3, "its line");
	ASSERT_EQ(o->dhcp6_option, 65000, "dhcp6-option");
	ASSERT_EQ(o->dhcp6_untyped, (1u << ODM_TYPE_NON_PERSISTENT) | (1u << ODM_TYPE_GRACEFUL),
		  "dhcp6-untyped");
	ASSERT_STREQ(o->lease_file, "/var/lib/odm/x.leases", "lease-file");
	ASSERT_EQ(o->sl_linger_s, 0, "sl-linger");
	ASSERT_EQ(o->grace_s, 2592000, "grace");
	ASSERT_TRUE(o->iid_stable, "iid");
	ASSERT_STREQ(o->secret_file, "/var/lib/odm/s", "secret-file");
	ASSERT_TRUE(o->lifetime[ODM_TYPE_NON_PERSISTENT].set, "np lifetime");
	ASSERT_EQ(o->lifetime[ODM_TYPE_NON_PERSISTENT].max_age_s, 600, "np seconds");
	ASSERT_EQ(o->lifetime[ODM_TYPE_NON_PERSISTENT].max_bytes, 0, "np bytes");
	ASSERT_EQ(o->lifetime[ODM_TYPE_NON_PERSISTENT].line, 11, "np line");
	ASSERT_EQ(o->lifetime[ODM_TYPE_FIXED].max_age_s, 0, "fixed seconds");
	ASSERT_EQ(o->lifetime[ODM_TYPE_FIXED].max_bytes, 1000000, "fixed bytes");
	ASSERT_TRUE(!o->lifetime[ODM_TYPE_GRACEFUL].set, "graceful lifetime untouched");
	ASSERT_TRUE(o->ra, "ra");
	ASSERT_TRUE(!o->egress_routes, "egress-routes");
	ASSERT_EQ(o->net_rate, 65535, "net-rate");
	ASSERT_EQ(o->net_max_held, 0, "net-max-held");
	ASSERT_EQ(o->addr_map_size, 16, "addr-map-size");
	ASSERT_TRUE(!o->verbose, "verbose");
	ASSERT_EQ(o->line[ODM_OPT_VERBOSE], 19, "verbose line");
	odm_config_free(&cfg);

	/* The other values of each choice, and the other end of each range. */
	poison(&cfg);
	ASSERT_EQ(odm_config_parse_string("iid random\nra no\negress-routes yes\nverbose yes\n"
					  "setsockopt no\n"
					  "dhcp6-untyped all\naddr-map-size 1048576\n"
					  "cgroup /sys/fs/cgroup/a/b\nlifetime 4:1:2\n",
					  "o", &cfg, err, sizeof(err)), 0, err);
	ASSERT_TRUE(!o->iid_stable && !o->ra && o->egress_routes && o->verbose, "choices");
	ASSERT_TRUE(!o->setsockopt && (o->set & 1u << ODM_OPT_SETSOCKOPT), "setsockopt no");
	ASSERT_EQ(o->dhcp6_untyped, ODM_TYPE_MASK_ALL, "all");
	ASSERT_EQ(o->addr_map_size, 1048576, "addr-map-size max");
	ASSERT_STREQ(o->cgroup, "/sys/fs/cgroup/a/b", "absolute cgroup kept as written");
	ASSERT_EQ(o->lifetime[ODM_TYPE_GRACEFUL].max_bytes, 2, "lifetime bytes");
	ASSERT_EQ(o->set & (1u << ODM_OPT_PIN_DIR), 0, "pin-dir not set");
	odm_config_free(&cfg);
	ASSERT_TRUE(is_empty(&cfg), "free empties");
}

/* Policies by cgroup path: every keyword, and what a line leaves out. */
static void test_policies(void)
{
	static const char text[] =
		"policy odm.slice default fixed\n"
		"policy odm.slice/app.service allow fixed,session-lasting on-net deny rate 10 "
		"max-held 2 upgrade allow default session-lasting\n"
		"policy /sys/fs/cgroup/other.slice allow all upgrade deny on-net allow\n"
		"\n"
		"policy odm.slice/b default none\n";
	struct odm_config cfg;
	const struct odm_config_policy *p;
	char err[256] = "";

	poison(&cfg);
	if (!ASSERT_EQ(odm_config_parse_string(text, "p.conf", &cfg, err, sizeof(err)), 0, err))
		return;
	if (!ASSERT_EQ(cfg.n_policies, 4, "four policies"))
		goto cleanup;
	p = cfg.policies;
	ASSERT_STREQ(p[0].cgroup, "odm.slice", "p0 cgroup");
	ASSERT_EQ(p[0].pol.default_type, ODM_TYPE_FIXED, "p0 default");
	ASSERT_EQ(p[0].pol.flags, 0, "p0 no flags: what the line leaves out is unrestricted");
	ASSERT_EQ(p[0].pol.allow_mask, 0, "p0 allow");
	ASSERT_EQ(p[0].pol.net_per_min + p[0].pol.max_held, 0, "p0 no limits");
	ASSERT_EQ(p[0].line, 1, "p0 line");
	ASSERT_STREQ(p[1].cgroup, "odm.slice/app.service", "p1 cgroup");
	ASSERT_EQ(p[1].pol.default_type, ODM_TYPE_SESSION_LASTING, "p1 default, last keyword");
	ASSERT_EQ(p[1].pol.allow_mask, (1u << ODM_TYPE_FIXED) | (1u << ODM_TYPE_SESSION_LASTING),
		  "p1 allow");
	ASSERT_EQ(p[1].pol.flags, ODM_POLF_ALLOW | ODM_POLF_NO_ON_NET | ODM_POLF_UPGRADE,
		  "p1 flags");
	ASSERT_EQ(p[1].pol.net_per_min, 10, "p1 rate");
	ASSERT_EQ(p[1].pol.max_held, 2, "p1 max-held");
	ASSERT_STREQ(p[2].cgroup, "/sys/fs/cgroup/other.slice", "p2 absolute");
	ASSERT_EQ(p[2].pol.flags, 0, "p2: allow all, upgrade deny, on-net allow: no flags");
	ASSERT_EQ(p[2].pol.default_type, ODM_TYPE_NONE, "p2 default none");
	ASSERT_EQ(p[3].line, 5, "p3 line");
	ASSERT_EQ(p[3].pol.default_type, ODM_TYPE_NONE, "p3 default none");
cleanup:
	odm_config_free(&cfg);
	ASSERT_TRUE(is_empty(&cfg), "free empties");
}

static void test_policy_limit(void)
{
	struct odm_config cfg;
	char *text, err[256];
	size_t i, n = 0;

	text = malloc((ODM_CONFIG_MAX_POLICIES + 1) * 48);
	if (!ASSERT_TRUE(text != NULL, "malloc"))
		return;
	for (i = 0; i < ODM_CONFIG_MAX_POLICIES; i++)
		n += (size_t)sprintf(text + n, "policy s%zu.slice rate 1\n", i);
	ASSERT_EQ(odm_config_parse_string(text, "big", &cfg, err, sizeof(err)), 0, err);
	ASSERT_EQ(cfg.n_policies, ODM_CONFIG_MAX_POLICIES, "all of them");
	odm_config_free(&cfg);
	sprintf(text + n, "policy one-more.slice rate 1\n");
	ASSERT_EQ(odm_config_parse_string(text, "big", &cfg, err, sizeof(err)), -EINVAL,
		  "one more");
	ASSERT_STREQ(err, "big:1025: too many policies (at most 1024)", "message");
	ASSERT_TRUE(is_empty(&cfg), "left empty");
	free(text);
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
	RUN(test_options);
	RUN(test_policies);
	RUN(test_policy_limit);
	RUN(test_long_lines);
	RUN(test_limits);
	RUN(test_args);
	RUN(test_file);
	return test_summary();
}
