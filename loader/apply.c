// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * apply.c - odmd's configuration file: read it, resolve its interface
 * names and cgroup paths, and make the maps say what it says (its typed
 * prefixes, its policies, the default type of odm's cgroup).  Every error
 * is found before a map is touched, so a bad file at start or at SIGHUP
 * changes nothing.
 *
 * Policies are keyed by cgroup id in the map but by path in the file: a
 * slice that is removed and made again (systemctl stop, a reboot's new
 * ids) is another cgroup to the kernel.  odmd remembers each path with the
 * id it applied the policy to and looks again on its 1 s tick
 * (policies_tick()).  A tick, rather than inotify: cgroupfs reports a
 * mkdir only to a watch on the parent, which for a nested path that does
 * not exist yet means watching every ancestor and re-arming as they come
 * and go; a stat per policy a second is cheaper than that code, and a
 * second is well within how long a unit takes to start its first socket.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include <bpf/bpf.h>

#include "log.h"
#include "odmd.h"

/* A configuration, parsed and resolved against the running system. */
struct resolved {
	struct odm_config cfg;
	unsigned int *ifindex;	/* per prefix; 0 = any interface */
	__u64 *cgid;		/* per policy; 0 = no such cgroup (yet) */
};

static void resolved_free(struct resolved *r)
{
	free(r->ifindex);
	r->ifindex = NULL;
	free(r->cgid);
	r->cgid = NULL;
	odm_config_free(&r->cfg);
}

/* The policies as last applied, their paths looked at again every tick. */
static struct {
	struct odm_config_policy *pol;
	__u64 *cgid;
	size_t n;
	size_t n_prefixes;	/* for config_counts() */
	bool have_default;	/* the file's default line, for config_cgroup_renewed() */
	__u8 default_type;
} applied;

/* The id of the cgroup at a path of the file; 0 when there is none. */
static __u64 policy_cgid(const char *cgroup)
{
	char path[PATH_MAX];
	__u64 id;

	if (odm_cgroup_resolve(cgroup, path, sizeof(path)) || odm_cgroup_id(path, &id))
		return 0;
	return id;
}

/* Parse the file and resolve its interface names: every error is found
 * here, before any map is touched. */
static int load_config(const char *path, struct resolved *r)
{
	char err_msg[512];
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	err = odm_config_parse_file(path, &r->cfg, err_msg, sizeof(err_msg));
	if (err) {
		logmsg("%s", err_msg);
		return err;
	}
	r->ifindex = calloc(r->cfg.n_prefixes + 1, sizeof(*r->ifindex));
	if (!r->ifindex) {
		resolved_free(r);
		return -ENOMEM;
	}
	for (i = 0; i < r->cfg.n_prefixes; i++) {
		const struct odm_config_prefix *cp = &r->cfg.prefixes[i];

		if (!cp->dev[0])
			continue;
		r->ifindex[i] = if_nametoindex(cp->dev);
		if (!r->ifindex[i]) {
			logmsg("%s:%d: no interface '%s'", path, cp->line, cp->dev);
			resolved_free(r);
			return -ENODEV;
		}
	}
	r->cgid = calloc(r->cfg.n_policies + 1, sizeof(*r->cgid));
	if (!r->cgid) {
		resolved_free(r);
		return -ENOMEM;
	}
	/* A cgroup that does not exist yet is no error: its policy waits for it. */
	for (i = 0; i < r->cfg.n_policies; i++) {
		const struct odm_config_policy *cp = &r->cfg.policies[i];
		size_t j;

		r->cgid[i] = policy_cgid(cp->cgroup);
		for (j = 0; r->cgid[i] && j < i; j++) {
			if (r->cgid[j] != r->cgid[i])
				continue;
			logmsg("%s:%d: %s is the cgroup of the policy at line %d", path, cp->line,
			       cp->cgroup, r->cfg.policies[j].line);
			resolved_free(r);
			return -EINVAL;
		}
	}
	return 0;
}

struct stale_ctx {
	const struct odm_config *cfg;
	struct odm_prefix_key *stale;
	size_t n_stale, cap;
};

static bool config_has(const struct odm_config *cfg, const struct odm_prefix_key *key)
{
	size_t i;

	for (i = 0; i < cfg->n_prefixes; i++)
		if (!memcmp(&cfg->prefixes[i].key, key, sizeof(*key)))
			return true;
	return false;
}

static int collect_stale(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct stale_ctx *c = arg;
	struct odm_prefix_key *grown;

	if (val->source != ODM_SRC_CONFIG || config_has(c->cfg, key))
		return 0;
	grown = odm_grow(c->stale, &c->cap, c->n_stale, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	c->stale = grown;
	c->stale[c->n_stale++] = *key;
	return 0;
}

/*
 * Make the map's config-sourced prefixes equal the configuration: add or
 * update every configured prefix (keeping the host address already found),
 * delete config prefixes no longer configured.  CLI-added prefixes stay.
 */
static int apply_prefixes(struct odm_maps *m, const struct resolved *r, const char *path)
{
	struct stale_ctx sc = { .cfg = &r->cfg };
	size_t i;
	int err;

	for (i = 0; i < r->cfg.n_prefixes; i++) {
		const struct odm_config_prefix *cp = &r->cfg.prefixes[i];
		struct odm_prefix val;
		char buf[ODM_PREFIX_STRLEN];

		if (odm_prefix_get(m, &cp->key, &val)) {
			memset(&val, 0, sizeof(val));
			val.state = ODM_PS_NOADDR;
			val.valid_lft = val.preferred_lft = 0xffffffff;
		}
		if (val.type != cp->type || val.ifindex != r->ifindex[i]) {
			/* Retyped or moved: its host address must be found again. */
			memset(&val.addr, 0, sizeof(val.addr));
			val.state = ODM_PS_NOADDR;
		}
		val.type = cp->type;
		val.ifindex = r->ifindex[i];
		val.source = ODM_SRC_CONFIG;
		val.plen = (__u8)cp->key.prefixlen;
		err = odm_prefix_put(m, &cp->key, &val);
		if (err) {
			logmsg("%s:%d: cannot add prefix %s: %s", path, cp->line,
			       odm_prefix_str(&cp->key, buf), strerror(-err));
			return err;
		}
		debug("prefix %s type %s", odm_prefix_str(&cp->key, buf), odm_type_name(cp->type));
	}
	err = odm_prefix_foreach(m, collect_stale, &sc);
	for (i = 0; !err && i < sc.n_stale; i++) {
		err = odm_prefix_del(m, &sc.stale[i]);
		if (err == -ENOENT)
			err = 0;
	}
	free(sc.stale);
	return err;
}

static bool resolved_has(const struct resolved *r, __u64 cgid)
{
	size_t i;

	for (i = 0; i < r->cfg.n_policies; i++)
		if (r->cgid[i] == cgid)
			return true;
	return false;
}

/*
 * The file's policies into the map, each the whole value for its cgroup;
 * the policies of cgroups the file named last time and names no more go.
 * Called with the lock held.
 */
static int apply_policies(struct odm_maps *m, const struct resolved *r, const char *path)
{
	size_t i;
	int err;

	for (i = 0; i < applied.n; i++) {
		if (!applied.cgid[i] || resolved_has(r, applied.cgid[i]))
			continue;
		err = odm_policy_del(m, applied.cgid[i]);
		if (err && err != -ENOENT) {
			logmsg("%s: cannot remove the policy of %s: %s", path,
			       applied.pol[i].cgroup, strerror(-err));
			return err;
		}
		debug("policy of %s removed", applied.pol[i].cgroup);
	}
	for (i = 0; i < r->cfg.n_policies; i++) {
		const struct odm_config_policy *cp = &r->cfg.policies[i];

		if (!r->cgid[i]) {
			log_info("%s:%d: no cgroup %s yet: its policy applies when it appears",
				 path, cp->line, cp->cgroup);
			continue;
		}
		err = odm_policy_set(m, r->cgid[i], &cp->pol);
		if (err) {
			logmsg("%s:%d: cannot set the policy of %s: %s", path, cp->line, cp->cgroup,
			       strerror(-err));
			return err;
		}
		debug("policy of %s (id %llu) set", cp->cgroup, (unsigned long long)r->cgid[i]);
	}
	return 0;
}

/* What was applied becomes what the tick follows; r keeps the rest. */
static void remember(struct resolved *r)
{
	free(applied.pol);
	free(applied.cgid);
	applied.pol = r->cfg.policies;
	applied.cgid = r->cgid;
	applied.n = r->cfg.n_policies;
	applied.n_prefixes = r->cfg.n_prefixes;
	applied.have_default = r->cfg.have_default;
	applied.default_type = r->cfg.default_type;
	r->cfg.policies = NULL;
	r->cfg.n_policies = 0;
	r->cgid = NULL;
}

void policies_tick(struct odm_maps *m)
{
	size_t i;
	__u64 id;
	int err;

	for (i = 0; i < applied.n; i++) {
		id = policy_cgid(applied.pol[i].cgroup);
		if (id == applied.cgid[i])
			continue;
		if (odm_maps_lock(m))
			return;
		err = id ? odm_policy_set(m, id, &applied.pol[i].pol) : 0;
		/* The old cgroup is gone: its key would only take a slot. */
		if (!err && applied.cgid[i])
			odm_policy_del(m, applied.cgid[i]);
		odm_maps_unlock(m);
		if (err) {
			logmsg("cannot set the policy of %s: %s", applied.pol[i].cgroup,
			       strerror(-err));
			continue;	/* tried again next tick */
		}
		if (id)
			log_info("cgroup %s appeared (id %llu): policy of line %d applied",
				 applied.pol[i].cgroup, (unsigned long long)id,
				 applied.pol[i].line);
		else
			debug("cgroup %s is gone", applied.pol[i].cgroup);
		applied.cgid[i] = id;
	}
}

void config_cgroup_renewed(struct odm_maps *m, __u64 old, __u64 cgid)
{
	int err;

	if (odm_maps_lock(m))
		return;
	/* The old cgroup is gone: its key would only take a slot. */
	err = odm_policy_del(m, old);
	if (err && err != -ENOENT)
		logmsg("cannot remove the policy of the old cgroup (id %llu): %s",
		       (unsigned long long)old, strerror(-err));
	err = applied.have_default ? odm_policy_set_default(m, cgid, applied.default_type) : 0;
	odm_maps_unlock(m);
	if (err)
		logmsg("cannot set the default type of the new cgroup: %s", strerror(-err));
}

void config_counts(size_t *prefixes, size_t *policies)
{
	*prefixes = applied.n_prefixes;
	*policies = applied.n;
}

void config_release(void)
{
	free(applied.pol);
	free(applied.cgid);
	memset(&applied, 0, sizeof(applied));
}

int apply_config(struct odm_maps *m, const char *path, __u64 cgid)
{
	struct resolved r;
	int err;

	if (!path)
		return 0;
	err = load_config(path, &r);
	if (err)
		return err;
	err = odm_maps_lock(m);
	if (err)
		goto out;
	err = apply_prefixes(m, &r, path);
	/* Before the default: that of odm's own cgroup is merged over its line. */
	if (!err)
		err = apply_policies(m, &r, path);
	if (!err && r.cfg.have_default) {
		/* Only what the file names changes: allow, on-net, rate,
		 * max-held and upgrade set with `odm policy set` stay. */
		err = odm_policy_set_default(m, cgid, r.cfg.default_type);
		if (err)
			logmsg("%s: cannot set the default type: %s", path, strerror(-err));
	}
	odm_maps_unlock(m);
	if (!err)
		remember(&r);
out:
	resolved_free(&r);
	return err;
}

int check_dhcp6_devs(const struct odmd_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->n_dhcp6; i++) {
		if (!if_nametoindex(o->dhcp6_devs[i])) {
			logmsg("--dhcp6: no interface '%s'", o->dhcp6_devs[i]);
			return -ENODEV;
		}
	}
	return 0;
}

/* Append a network; its lease file is FILE for the first, FILE.IFNAME after. */
static int add_network(const struct odmd_opts *o, struct odm_ondemand_net *nets, unsigned int max,
		       unsigned int *n, const char *dev, unsigned int ifindex, unsigned int types)
{
	struct odm_ondemand_net *net = &nets[*n];
	int len;

	if (*n == max) {
		logmsg("more than %u networks (--dhcp6 and the config's network lines)", max);
		return -E2BIG;
	}
	net->ifindex = ifindex;
	net->types = types;
	len = *n ? snprintf(net->lease_file, sizeof(net->lease_file), "%s.%s", o->lease_file, dev) :
		   snprintf(net->lease_file, sizeof(net->lease_file), "%s", o->lease_file);
	if (len < 0 || (size_t)len >= sizeof(net->lease_file)) {
		logmsg("the lease file of %s: %s.%s: %s", dev, o->lease_file, dev,
		       strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	(*n)++;
	return 0;
}

int resolve_networks(const struct odmd_opts *o, struct odm_ondemand_net *nets, unsigned int max)
{
	struct odm_config cfg = { 0 };
	char msg[512];
	unsigned int i, j, n = 0, ifindex;
	int err = 0;

	if (o->config) {
		err = odm_config_parse_file(o->config, &cfg, msg, sizeof(msg));
		if (err) {
			logmsg("%s", msg);
			return err;
		}
	}
	for (i = 0; !err && i < cfg.n_networks; i++) {
		const struct odm_config_network *cn = &cfg.networks[i];

		ifindex = if_nametoindex(cn->dev);
		if (!ifindex) {
			logmsg("%s:%d: no interface '%s'", o->config, cn->line, cn->dev);
			err = -ENODEV;
			break;
		}
		err = add_network(o, nets, max, &n, cn->dev, ifindex, cn->types);
	}
	/* A bare --dhcp6 asks for every type; the config says otherwise. */
	for (i = 0; !err && i < o->n_dhcp6; i++) {
		for (j = 0; j < cfg.n_networks; j++)
			if (!strcmp(cfg.networks[j].dev, o->dhcp6_devs[i]))
				break;
		if (j < cfg.n_networks)
			continue;
		ifindex = if_nametoindex(o->dhcp6_devs[i]);
		if (!ifindex) {
			logmsg("--dhcp6: no interface '%s'", o->dhcp6_devs[i]);
			err = -ENODEV;
			break;
		}
		err = add_network(o, nets, max, &n, o->dhcp6_devs[i], ifindex, ODM_TYPE_MASK_ALL);
	}
	odm_config_free(&cfg);
	return err ? err : (int)n;
}

int check_config(const char *path)
{
	struct resolved r;
	size_t i;
	int err;

	if (!path)
		return 0;
	err = load_config(path, &r);
	if (err)
		return err;
	/* Networks are read at start only (resolve_networks()): a SIGHUP must
	 * not fail for a network interface that went away meanwhile. */
	for (i = 0; !err && i < r.cfg.n_networks; i++) {
		if (!if_nametoindex(r.cfg.networks[i].dev)) {
			logmsg("%s:%d: no interface '%s'", path, r.cfg.networks[i].line,
			       r.cfg.networks[i].dev);
			err = -ENODEV;
		}
	}
	resolved_free(&r);
	return err;
}
