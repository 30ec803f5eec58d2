/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * config.c - odmd's configuration file.
 *
 *	# typed prefixes
 *	prefix 2001:db8:1::/64 type fixed
 *	prefix 2001:db8:2::/64 type session-lasting dev wlan0
 *	default non-persistent
 *	# networks asked for prefixes (DHCPv6), in order of preference
 *	network wwan0 types fixed,session-lasting
 *	network wlan0 types all
 *	# odmd's options (its long flags, which override them)
 *	cgroup odm.slice
 *	sl-linger 300
 *	# policies, by cgroup path: kept across reboots and recreated slices
 *	policy odm.slice/app.service default fixed allow fixed,session-lasting
 *
 * Keywords are matched in full, unlike on the command line: a file
 * outlives the keyword list, and an abbreviation that is unambiguous today
 * could silently change meaning when a keyword is added.  After the prefix,
 * "type" and "dev" may come in either order, as options do in ip(8).
 * The parser works on a private copy and hands it over only when the whole
 * text is good, so the caller never sees half a configuration.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define LINE_MAX_CHARS	1023
/* The longest statement: policy CGROUP and six keywords with their values. */
#define MAX_TOKENS	14
/* Far above any sane config, low enough that reading /dev/zero stops. */
#define FILE_MAX_BYTES	(64u << 20)

struct parser {
	const char *name;
	int line;
	char *err;
	size_t errlen;
	struct odm_config cfg;
	size_t cap;
	int default_line;
	size_t policy_cap;
	/* Open-addressing set of indexes into cfg.prefixes: duplicate
	 * checks stay linear for ODM_CONFIG_MAX_PREFIXES lines. */
	size_t *slots;		/* index + 1; 0 = empty */
	size_t n_slots;		/* power of two */
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "NAME:LINE: message"; returns -EINVAL so callers can `return perr(...)`. */
static int perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->name, ps->line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static size_t key_hash(const struct odm_prefix_key *k)
{
	const unsigned char *b = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static bool key_eq(const struct odm_prefix_key *a, const struct odm_prefix_key *b)
{
	return a->prefixlen == b->prefixlen && !memcmp(&a->prefix, &b->prefix, sizeof(a->prefix));
}

/* Slot of key: where it is, or the empty slot where it would go. */
static size_t *slot_find(struct parser *ps, const struct odm_prefix_key *k)
{
	size_t mask = ps->n_slots - 1, i = key_hash(k) & mask;

	while (ps->slots[i] && !key_eq(&ps->cfg.prefixes[ps->slots[i] - 1].key, k))
		i = (i + 1) & mask;
	return &ps->slots[i];
}

/* Keep the set at most half full, so probes stay short. */
static int slots_grow(struct parser *ps)
{
	size_t *old = ps->slots, n_old = ps->n_slots, i;

	if (ps->slots && (ps->cfg.n_prefixes + 1) * 2 <= ps->n_slots)
		return 0;
	ps->n_slots = n_old ? n_old * 2 : 64;
	ps->slots = calloc(ps->n_slots, sizeof(*ps->slots));
	if (!ps->slots) {
		ps->slots = old;
		ps->n_slots = n_old;
		return -ENOMEM;
	}
	for (i = 0; i < n_old; i++)
		if (old[i])
			*slot_find(ps, &ps->cfg.prefixes[old[i] - 1].key) = old[i];
	free(old);
	return 0;
}

static int add_prefix(struct parser *ps, const struct odm_config_prefix *cp)
{
	char buf[ODM_PREFIX_STRLEN];
	struct odm_config_prefix *np;
	size_t *slot;

	if (slots_grow(ps))
		return -ENOMEM;
	slot = slot_find(ps, &cp->key);
	if (*slot)
		return perr(ps, "prefix %s already defined at line %d",
			    odm_prefix_str(&cp->key, buf), ps->cfg.prefixes[*slot - 1].line);
	if (ps->cfg.n_prefixes >= ODM_CONFIG_MAX_PREFIXES)
		return perr(ps, "too many prefixes (at most %d)", ODM_CONFIG_MAX_PREFIXES);
	np = odm_grow(ps->cfg.prefixes, &ps->cap, ps->cfg.n_prefixes, sizeof(*np));
	if (!np)
		return -ENOMEM;
	ps->cfg.prefixes = np;
	ps->cfg.prefixes[ps->cfg.n_prefixes++] = *cp;
	*slot = ps->cfg.n_prefixes;
	return 0;
}

/* The kernel's dev_valid_name(), so a name odmd stores can exist at all. */
static int check_ifname(struct parser *ps, const char *s)
{
	if (strlen(s) > IF_NAMESIZE - 1)
		return perr(ps, "interface name '%s' too long (at most %d characters)", s,
			    IF_NAMESIZE - 1);
	if (!strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/:"))
		return perr(ps, "bad interface name '%s'", s);
	return 0;
}

static int parse_prefix_line(struct parser *ps, char **tok, int ntok)
{
	struct odm_config_prefix cp;
	char msg[256];
	bool have_type = false, have_dev = false;
	int i;

	memset(&cp, 0, sizeof(cp));
	cp.line = ps->line;
	if (ntok < 2)
		return perr(ps, "missing prefix after 'prefix'");
	if (odm_prefix_parse(tok[1], &cp.key, msg, sizeof(msg)))
		return perr(ps, "%s", msg);
	for (i = 2; i < ntok; i += 2) {
		if (!strcmp(tok[i], "type")) {
			if (have_type)
				return perr(ps, "duplicate 'type'");
			if (i + 1 >= ntok)
				return perr(ps, "missing type after 'type' (expected %s)",
					    ODM_TYPE_LIST);
			if (odm_type_parse(tok[i + 1], false, &cp.type))
				return perr(ps, "unknown type '%s' (expected %s)", tok[i + 1],
					    ODM_TYPE_LIST);
			have_type = true;
		} else if (!strcmp(tok[i], "dev")) {
			if (have_dev)
				return perr(ps, "duplicate 'dev'");
			if (i + 1 >= ntok)
				return perr(ps, "missing interface name after 'dev'");
			if (check_ifname(ps, tok[i + 1]))
				return -EINVAL;
			strcpy(cp.dev, tok[i + 1]);
			have_dev = true;
		} else {
			return perr(ps, "unexpected '%s' (expected type or dev)", tok[i]);
		}
	}
	if (!have_type)
		return perr(ps, "prefix %s has no type (expected 'type TYPE')", tok[1]);
	return add_prefix(ps, &cp);
}

/* "TYPE[,TYPE...]" or "all" into bits: odm_type_list_parse(), FILE:LINE. */
static int parse_type_list(struct parser *ps, const char *list, unsigned int *mask)
{
	char why[LINE_MAX_CHARS + 128];

	if (odm_type_list_parse(list, mask, why, sizeof(why)))
		return perr(ps, "%s", why);
	return 0;
}

static int parse_network_line(struct parser *ps, char **tok, int ntok)
{
	struct odm_config_network *n;
	size_t i;

	if (ntok < 2)
		return perr(ps, "missing interface name after 'network'");
	if (check_ifname(ps, tok[1]))
		return -EINVAL;
	for (i = 0; i < ps->cfg.n_networks; i++)
		if (!strcmp(ps->cfg.networks[i].dev, tok[1]))
			return perr(ps, "network %s already defined at line %d", tok[1],
				    ps->cfg.networks[i].line);
	if (ntok < 3)
		return perr(ps, "network %s has no types (expected 'types TYPE[,TYPE...]')",
			    tok[1]);
	if (strcmp(tok[2], "types"))
		return perr(ps, "unexpected '%s' (expected types)", tok[2]);
	if (ntok < 4)
		return perr(ps, "missing types after 'types' (expected TYPE[,TYPE...] or all)");
	if (ntok > 4)
		return perr(ps, "unexpected '%s' after the types", tok[4]);
	if (ps->cfg.n_networks == ODM_CONFIG_MAX_NETWORKS)
		return perr(ps, "too many networks (at most %d)", ODM_CONFIG_MAX_NETWORKS);
	n = &ps->cfg.networks[ps->cfg.n_networks];
	if (parse_type_list(ps, tok[3], &n->types))
		return -EINVAL;
	strcpy(n->dev, tok[1]);
	n->line = ps->line;
	ps->cfg.n_networks++;
	return 0;
}

static int parse_default_line(struct parser *ps, char **tok, int ntok)
{
	__u8 type;

	if (ntok < 2)
		return perr(ps, "missing type after 'default' (expected %s, or none)", ODM_TYPE_LIST);
	if (odm_type_parse(tok[1], true, &type))
		return perr(ps, "unknown type '%s' (expected %s, or none)", tok[1], ODM_TYPE_LIST);
	if (ntok > 2)
		return perr(ps, "unexpected '%s' after the default type", tok[2]);
	if (ps->default_line)
		return perr(ps, "default already set at line %d", ps->default_line);
	ps->default_line = ps->line;
	ps->cfg.have_default = true;
	ps->cfg.default_type = type;
	return 0;
}

/* dhcp6 IFNAME: --dhcp6 IFNAME, a network asked for every type. */
static int parse_dhcp6_line(struct parser *ps, char **tok, int ntok)
{
	char *net[4] = { "network", NULL, "types", "all" };

	if (ntok < 2)
		return perr(ps, "missing interface name after 'dhcp6'");
	if (ntok > 2)
		return perr(ps, "unexpected '%s' after the interface name", tok[2]);
	net[1] = tok[1];
	return parse_network_line(ps, net, 4);
}

/* A decimal number in [min, max], nothing else: no sign, no base prefix. */
static int parse_num(struct parser *ps, const char *kw, const char *val, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	bool over = false;	/* past max, however many digits follow */
	const char *p;

	for (p = val; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (unsigned long long)(*p - '0')) / 10)
			over = true;
		else
			v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (p == val || *p || over || v < min)
		return perr(ps, "invalid %s '%s' (expected %llu to %llu)", kw, val, min, max);
	*out = v;
	return 0;
}

static int parse_yes_no(struct parser *ps, const char *kw, const char *val, bool *out)
{
	if (!strcmp(val, "yes") || !strcmp(val, "no")) {
		*out = !strcmp(val, "yes");
		return 0;
	}
	return perr(ps, "invalid %s '%s' (expected yes or no)", kw, val);
}

static int parse_abs_path(struct parser *ps, const char *kw, const char *val, char *out)
{
	if (val[0] != '/')
		return perr(ps, "%s must be an absolute path, not '%s'", kw, val);
	strcpy(out, val);	/* shorter than a line */
	return 0;
}

/*
 * A cgroup path as odm_cgroup_resolve() takes it.  ".." is refused: a path
 * that leaves the tree it names is a typo at best.
 */
static int check_cgroup(struct parser *ps, const char *kw, const char *val)
{
	const char *p = val;

	for (;;) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return perr(ps, "%s '%s' has a '..' component", kw, val);
		p = strchr(p, '/');
		if (!p)
			return 0;
		p++;
	}
}

/* "TYPE:SECONDS[:BYTES]", as --lifetime takes it. */
static int parse_lifetime(struct parser *ps, const char *val, struct odm_config_opts *o)
{
	char buf[LINE_MAX_CHARS + 1], *age, *bytes;
	unsigned long long v;
	__u8 type;

	snprintf(buf, sizeof(buf), "%s", val);
	age = strchr(buf, ':');
	if (!age)
		return perr(ps, "invalid lifetime '%s' (expected TYPE:SECONDS[:BYTES])", val);
	*age++ = '\0';
	bytes = strchr(age, ':');
	if (bytes)
		*bytes++ = '\0';
	if (odm_type_parse(buf, false, &type))
		return perr(ps, "unknown type '%s' (expected %s)", buf, ODM_TYPE_LIST);
	if (o->lifetime[type].set)
		return perr(ps, "lifetime of %s already set at line %d", odm_type_name(type),
			    o->lifetime[type].line);
	if (parse_num(ps, "lifetime seconds", age, 0, 0xffffffffull, &v))
		return -EINVAL;
	o->lifetime[type].max_age_s = (__u32)v;
	o->lifetime[type].max_bytes = 0;
	if (bytes && parse_num(ps, "lifetime bytes", bytes, 0, ~0ull, &o->lifetime[type].max_bytes))
		return -EINVAL;
	o->lifetime[type].set = true;
	o->lifetime[type].line = ps->line;
	return 0;
}

/* The options: each a keyword and one value, as odmd's long flag. */
static const char *const opt_names[ODM_OPT_MAX] = {
	[ODM_OPT_CGROUP]	= "cgroup",
	[ODM_OPT_PIN_DIR]	= "pin-dir",
	[ODM_OPT_DHCP6_OPTION]	= "dhcp6-option",
	[ODM_OPT_DHCP6_UNTYPED]	= "dhcp6-untyped",
	[ODM_OPT_LEASE_FILE]	= "lease-file",
	[ODM_OPT_SL_LINGER]	= "sl-linger",
	[ODM_OPT_GRACE]		= "grace",
	[ODM_OPT_IID]		= "iid",
	[ODM_OPT_SECRET_FILE]	= "secret-file",
	[ODM_OPT_RA]		= "ra",
	[ODM_OPT_EGRESS_ROUTES]	= "egress-routes",
	[ODM_OPT_SETSOCKOPT]	= "setsockopt",
	[ODM_OPT_NET_RATE]	= "net-rate",
	[ODM_OPT_NET_MAX_HELD]	= "net-max-held",
	[ODM_OPT_ADDR_MAP_SIZE]	= "addr-map-size",
	[ODM_OPT_VERBOSE]	= "verbose",
};

static int find_opt(const char *kw)
{
	int i;

	for (i = 0; i < ODM_OPT_MAX; i++)
		if (!strcmp(kw, opt_names[i]))
			return i;
	return -1;
}

static int parse_opt_line(struct parser *ps, int opt, char **tok, int ntok)
{
	struct odm_config_opts *o = &ps->cfg.opts;
	const char *kw = tok[0], *val = tok[1];
	unsigned long long v;
	int err = 0;

	if (ntok < 2)
		return perr(ps, "missing value after '%s'", kw);
	if (ntok > 2)
		return perr(ps, "unexpected '%s' after the value of %s", tok[2], kw);
	/* lifetime is per type: once for each. */
	if (opt >= 0 && (o->set & (1u << opt)))
		return perr(ps, "%s already set at line %d", kw, o->line[opt]);
	switch (opt) {
	case -1:
		return parse_lifetime(ps, val, o);
	case ODM_OPT_CGROUP:
		err = check_cgroup(ps, kw, val);
		if (!err)
			strcpy(o->cgroup, val);
		break;
	case ODM_OPT_PIN_DIR: err = parse_abs_path(ps, kw, val, o->pin_dir); break;
	case ODM_OPT_LEASE_FILE: err = parse_abs_path(ps, kw, val, o->lease_file); break;
	case ODM_OPT_SECRET_FILE: err = parse_abs_path(ps, kw, val, o->secret_file); break;
	case ODM_OPT_DHCP6_OPTION:
		err = parse_num(ps, kw, val, 1, 65535, &v);
		o->dhcp6_option = (unsigned int)v;
		break;
	case ODM_OPT_DHCP6_UNTYPED:
		err = parse_type_list(ps, val, &o->dhcp6_untyped);
		break;
	case ODM_OPT_SL_LINGER:
		err = parse_num(ps, kw, val, 0, 86400 * 30, &v);
		o->sl_linger_s = (unsigned int)v;
		break;
	case ODM_OPT_GRACE:
		err = parse_num(ps, kw, val, 1, 86400 * 30, &v);
		o->grace_s = (unsigned int)v;
		break;
	case ODM_OPT_NET_RATE:
		err = parse_num(ps, kw, val, 0, 65535, &v);
		o->net_rate = (unsigned int)v;
		break;
	case ODM_OPT_NET_MAX_HELD:
		err = parse_num(ps, kw, val, 0, 65535, &v);
		o->net_max_held = (unsigned int)v;
		break;
	case ODM_OPT_ADDR_MAP_SIZE:
		err = parse_num(ps, kw, val, 16, 1u << 20, &v);
		o->addr_map_size = (unsigned int)v;
		break;
	case ODM_OPT_IID:
		if (strcmp(val, "random") && strcmp(val, "stable"))
			return perr(ps, "invalid iid '%s' (expected random or stable)", val);
		o->iid_stable = !strcmp(val, "stable");
		break;
	case ODM_OPT_RA: err = parse_yes_no(ps, kw, val, &o->ra); break;
	case ODM_OPT_EGRESS_ROUTES: err = parse_yes_no(ps, kw, val, &o->egress_routes); break;
	case ODM_OPT_SETSOCKOPT: err = parse_yes_no(ps, kw, val, &o->setsockopt); break;
	case ODM_OPT_VERBOSE: err = parse_yes_no(ps, kw, val, &o->verbose); break;
	}
	if (err)
		return err;
	o->set |= 1u << opt;
	o->line[opt] = ps->line;
	return 0;
}

/* Leading and trailing slashes aside, so "/a.slice/" and "a.slice" are one cgroup. */
static bool same_cgroup(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '/')
		a++;
	while (*b == '/')
		b++;
	for (la = strlen(a); la && a[la - 1] == '/'; la--)
		;
	for (lb = strlen(b); lb && b[lb - 1] == '/'; lb--)
		;
	return la == lb && !memcmp(a, b, la);
}

/*
 * policy CGROUP KEYWORD VALUE...: the keywords of `odm policy set`, in
 * full (core/policy_kw.c).  The line is the cgroup's whole policy: what it
 * does not name is unrestricted, as a cgroup with no policy at all would
 * be, so that taking a keyword out of the file and reloading takes its
 * effect out too.
 */
static int parse_policy_line(struct parser *ps, char **tok, int ntok)
{
	struct odm_config_policy cp, *np;
	char why[LINE_MAX_CHARS + 128];
	unsigned int seen = 0;
	size_t i;
	int t, k;

	memset(&cp, 0, sizeof(cp));
	cp.line = ps->line;
	if (ntok < 2)
		return perr(ps, "missing cgroup after 'policy'");
	if (check_cgroup(ps, "cgroup", tok[1]))
		return -EINVAL;
	for (i = 0; i < ps->cfg.n_policies; i++)
		if (same_cgroup(ps->cfg.policies[i].cgroup, tok[1]))
			return perr(ps, "policy of %s already defined at line %d", tok[1],
				    ps->cfg.policies[i].line);
	if (ntok < 3)
		return perr(ps, "policy %s says nothing (expected %s)", tok[1],
			    ODM_POLICY_KEYWORDS);
	strcpy(cp.cgroup, tok[1]);
	for (t = 2; t < ntok; t += 2) {
		k = odm_policy_kw_find(tok[t], false);
		if (k < 0)
			return perr(ps, "unexpected '%s' (expected %s)", tok[t], ODM_POLICY_KEYWORDS);
		if (seen & (1u << k))
			return perr(ps, "duplicate '%s'", tok[t]);
		seen |= 1u << k;
		if (t + 1 >= ntok)
			return perr(ps, "missing value after '%s'", tok[t]);
		if (odm_policy_kw_parse((enum odm_policy_kw)k, tok[t + 1], false, &cp.pol, why,
					sizeof(why)))
			return perr(ps, "%s", why);
	}
	if (ps->cfg.n_policies == ODM_CONFIG_MAX_POLICIES)
		return perr(ps, "too many policies (at most %d)", ODM_CONFIG_MAX_POLICIES);
	np = odm_grow(ps->cfg.policies, &ps->policy_cap, ps->cfg.n_policies, sizeof(*np));
	if (!np)
		return -ENOMEM;
	ps->cfg.policies = np;
	ps->cfg.policies[ps->cfg.n_policies++] = cp;
	return 0;
}

/* '\r' counts as blank so that files saved with CRLF line ends still parse. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int parse_line(struct parser *ps, char *s)
{
	char *tok[MAX_TOKENS + 1];
	char *hash;
	int ntok = 0, opt;

	hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		/* One over the longest statement is enough to report it. */
		if (ntok == MAX_TOKENS + 1)
			break;
		tok[ntok++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (ntok == 0)
		return 0;
	if (!strcmp(tok[0], "prefix"))
		return parse_prefix_line(ps, tok, ntok);
	if (!strcmp(tok[0], "default"))
		return parse_default_line(ps, tok, ntok);
	if (!strcmp(tok[0], "network"))
		return parse_network_line(ps, tok, ntok);
	if (!strcmp(tok[0], "dhcp6"))
		return parse_dhcp6_line(ps, tok, ntok);
	if (!strcmp(tok[0], "policy"))
		return parse_policy_line(ps, tok, ntok);
	if (!strcmp(tok[0], "lifetime"))
		return parse_opt_line(ps, -1, tok, ntok);
	opt = find_opt(tok[0]);
	if (opt >= 0)
		return parse_opt_line(ps, opt, tok, ntok);
	return perr(ps, "unknown keyword '%s'", tok[0]);
}

int odm_config_parse_string(const char *text, const char *name, struct odm_config *cfg,
			    char *err, size_t errlen)
{
	char line[LINE_MAX_CHARS + 2];
	struct parser ps;
	const char *p, *nl;
	size_t len;
	int ret = 0;

	if (!cfg)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	memset(&ps, 0, sizeof(ps));
	ps.name = name ? name : "(config)";
	ps.err = err;
	ps.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (!text)
		return -EINVAL;

	for (p = text; *p; p = nl ? nl + 1 : p + len) {
		ps.line++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > LINE_MAX_CHARS) {
			ret = perr(&ps, "line too long (more than %d characters)", LINE_MAX_CHARS);
			break;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		ret = parse_line(&ps, line);
		if (ret)
			break;
	}
	free(ps.slots);
	if (ret) {
		if (ret == -ENOMEM && err && errlen)
			snprintf(err, errlen, "%s:%d: %s", ps.name, ps.line, strerror(ENOMEM));
		odm_config_free(&ps.cfg);
		return ret;
	}
	*cfg = ps.cfg;
	return 0;
}

int odm_config_parse_file(const char *path, struct odm_config *cfg, char *err, size_t errlen)
{
	char *buf = NULL, *nb, *nul;
	size_t len = 0, cap = 0, n, i;
	int ret, line;
	FILE *f;

	if (!cfg || !path)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		goto err_msg;
	}
	for (;;) {
		if (cap - len < 4096) {
			if (cap >= FILE_MAX_BYTES) {
				ret = -EFBIG;
				goto err_close;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				ret = -ENOMEM;
				goto err_close;
			}
			buf = nb;
		}
		errno = 0;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		/* fread sets errno (EISDIR for a directory, EIO...). */
		ret = errno ? -errno : -EIO;
		goto err_close;
	}
	fclose(f);
	buf[len] = '\0';

	/* The parser sees a C string: a NUL would silently end the file early. */
	nul = memchr(buf, '\0', len);
	if (nul) {
		for (line = 1, i = 0; buf + i < nul; i++)
			if (buf[i] == '\n')
				line++;
		if (err && errlen)
			snprintf(err, errlen, "%s:%d: NUL byte in file (not a text file?)", path,
				 line);
		free(buf);
		return -EINVAL;
	}
	ret = odm_config_parse_string(buf, path, cfg, err, errlen);
	free(buf);
	return ret;

err_close:
	fclose(f);
	free(buf);
err_msg:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

void odm_config_free(struct odm_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->prefixes);
	free(cfg->policies);
	memset(cfg, 0, sizeof(*cfg));
}
