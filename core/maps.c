/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maps.c - access to odm's maps pinned by odmd: open, lock, iterate, and
 * the typed reads and writes of each map (the cgroups odm_policy is keyed
 * by are named by cgroup.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core.h"

/* Where each pinned map's fd lives in struct odm_maps. */
static const struct {
	const char *name;
	size_t off;
} pinned_maps[] = {
	{ "odm_prefixes",	offsetof(struct odm_maps, prefixes) },
	{ "odm_select",		offsetof(struct odm_maps, select) },
	{ "odm_addr_use",	offsetof(struct odm_maps, addr_use) },
	{ "odm_policy",		offsetof(struct odm_maps, policy) },
	{ "odm_policy_filter",	offsetof(struct odm_maps, policy_filter) },
	{ "odm_stats",		offsetof(struct odm_maps, stats) },
	{ "odm_info",		offsetof(struct odm_maps, info) },
	{ "odm_tx",		offsetof(struct odm_maps, tx) },
};

#define N_PINNED (sizeof(pinned_maps) / sizeof(pinned_maps[0]))

static int *map_fd(struct odm_maps *m, size_t i)
{
	return (int *)((char *)m + pinned_maps[i].off);
}

static void maps_reset(struct odm_maps *m)
{
	size_t i;

	for (i = 0; i < N_PINNED; i++)
		*map_fd(m, i) = -1;
	m->lock_fd = -1;
}

void odm_maps_close(struct odm_maps *m)
{
	size_t i;

	for (i = 0; i < N_PINNED; i++)
		if (*map_fd(m, i) >= 0)
			close(*map_fd(m, i));
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	maps_reset(m);
}

static int pin_open(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int odm_maps_open(struct odm_maps *m, const char *pin_dir)
{
	size_t i;
	int fd;

	maps_reset(m);
	if (!pin_dir)
		pin_dir = ODM_PIN_DIR;
	/* The directory fd doubles as the writers' lock, see odm_maps_lock(). */
	m->lock_fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0)
		return -errno;
	for (i = 0; i < N_PINNED; i++) {
		fd = pin_open(pin_dir, pinned_maps[i].name);
		if (fd < 0) {
			odm_maps_close(m);
			/* Some maps and not this one: another version pinned them. */
			return fd == -ENOENT && i ? -EPROTO : fd;
		}
		*map_fd(m, i) = fd;
	}
	return 0;
}

int odm_maps_lock(struct odm_maps *m)
{
	while (flock(m->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

void odm_maps_unlock(struct odm_maps *m)
{
	flock(m->lock_fd, LOCK_UN);
}

/* ---- iteration --------------------------------------------------------- */

/* A copy of every key of a map, taken before any callback runs. */
struct key_snap {
	void *keys;
	size_t n;
	size_t key_size;
};

static int map_max_entries(int fd, __u32 *max)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	*max = info.max_entries;
	return 0;
}

/*
 * Iterating with bpf_map_get_next_key() restarts from the first key when the
 * current key disappears (both LPM tries and hashes do that), so callbacks
 * that delete, or a concurrent writer, could make a live walk visit entries
 * twice or never end.  Copying the keys first, bounded by max_entries, makes
 * every walk finite and lets callbacks change the map.
 */
static int keys_snapshot(int fd, size_t key_size, struct key_snap *s)
{
	__u32 max = 0;
	char *prev = NULL;
	int err;

	s->keys = NULL;
	s->n = 0;
	s->key_size = key_size;
	err = map_max_entries(fd, &max);
	if (err)
		return err;
	if (!max)
		return 0;
	s->keys = calloc(max, key_size);
	if (!s->keys)
		return -ENOMEM;
	while (s->n < max) {
		char *next = (char *)s->keys + s->n * key_size;

		if (bpf_map_get_next_key(fd, prev, next) < 0) {
			if (errno == ENOENT)
				break;
			err = -errno;
			free(s->keys);
			s->keys = NULL;
			s->n = 0;
			return err;
		}
		prev = next;
		s->n++;
	}
	return 0;
}

static void *snap_key(const struct key_snap *s, size_t i)
{
	return (char *)s->keys + i * s->key_size;
}

/* ---- odm_prefixes ------------------------------------------------------ */

int odm_prefix_foreach(struct odm_maps *m, odm_prefix_cb cb, void *ctx)
{
	struct key_snap s;
	struct odm_prefix val;
	size_t i;
	int err;

	err = keys_snapshot(m->prefixes, sizeof(struct odm_prefix_key), &s);
	if (err)
		return err;
	for (i = 0; i < s.n && !err; i++) {
		if (bpf_map_lookup_elem(m->prefixes, snap_key(&s, i), &val) < 0) {
			/* deleted since the snapshot: not an error */
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		err = cb(snap_key(&s, i), &val, ctx);
	}
	free(s.keys);
	return err;
}

int odm_prefix_get(struct odm_maps *m, const struct odm_prefix_key *key, struct odm_prefix *val)
{
	return bpf_map_lookup_elem(m->prefixes, key, val) < 0 ? -errno : 0;
}

int odm_prefix_put(struct odm_maps *m, const struct odm_prefix_key *key,
		   const struct odm_prefix *val)
{
	return bpf_map_update_elem(m->prefixes, key, val, BPF_ANY) < 0 ? -errno : 0;
}

int odm_prefix_del(struct odm_maps *m, const struct odm_prefix_key *key)
{
	return bpf_map_delete_elem(m->prefixes, key) < 0 ? -errno : 0;
}

/* ---- odm_select -------------------------------------------------------- */

/* The best prefix seen so far for each type, indexed by type. */
struct select_best {
	bool have[ODM_TYPE_MAX + 1];
	struct odm_prefix_key key[ODM_TYPE_MAX + 1];
	struct odm_prefix val[ODM_TYPE_MAX + 1];
};

/* Network order compares bytewise, so memcmp orders prefixes numerically. */
static int prefix_key_cmp(const struct odm_prefix_key *a, const struct odm_prefix_key *b)
{
	int c = memcmp(&a->prefix, &b->prefix, sizeof(a->prefix));

	if (c)
		return c;
	return a->prefixlen < b->prefixlen ? -1 : a->prefixlen > b->prefixlen;
}

static int select_consider(const struct odm_prefix_key *key, const struct odm_prefix *val,
			   void *ctx)
{
	struct select_best *b = ctx;
	unsigned int t = val->type;

	if (val->state != ODM_PS_VALID || t < ODM_TYPE_FIXED || t > ODM_TYPE_MAX)
		return 0;
	if (b->have[t]) {
		if (val->since_ns < b->val[t].since_ns)
			return 0;
		if (val->since_ns == b->val[t].since_ns && prefix_key_cmp(key, &b->key[t]) > 0)
			return 0;
	}
	b->have[t] = true;
	b->key[t] = *key;
	b->val[t] = *val;
	return 0;
}

/*
 * Write only what changed.  An update replaces the whole element, so on a
 * current kernel a reader never sees a mix of two addresses; but before
 * Linux 6.4 or so a NO_PREALLOC hash element freed by an update could be
 * reused at once by the next one, while a setsc() on another CPU still
 * read it (seen on 6.1: a Session-lasting request handed the
 * Non-persistent address, when every recompute rewrote every type).
 * Rewriting unchanged entries (odmd recomputes every second) only made
 * that window frequent.
 */
static int select_store(struct odm_maps *m, __u32 type, const struct odm_prefix_key *key,
			const struct odm_prefix *val)
{
	struct odm_choice c, cur;

	memset(&c, 0, sizeof(c));
	c.addr = val->addr;
	c.prefix = key->prefix;
	c.ifindex = val->ifindex;
	c.plen = key->prefixlen;
	c.since_ns = val->since_ns;
	if (bpf_map_lookup_elem(m->select, &type, &cur) == 0 && !memcmp(&cur, &c, sizeof(c)))
		return 0;
	return bpf_map_update_elem(m->select, &type, &c, BPF_ANY) < 0 ? -errno : 0;
}

static int select_clear(struct odm_maps *m, __u32 type)
{
	struct odm_choice cur;

	if (bpf_map_lookup_elem(m->select, &type, &cur))
		return 0;		/* nothing there: no update to make */
	if (bpf_map_delete_elem(m->select, &type) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int odm_select_recompute(struct odm_maps *m)
{
	struct select_best b;
	__u32 t;
	int err, first = 0;

	memset(&b, 0, sizeof(b));
	err = odm_prefix_foreach(m, select_consider, &b);
	if (err)
		return err;
	/* Carry on after a failure so that one bad type leaves no others stale. */
	for (t = ODM_TYPE_FIXED; t <= ODM_TYPE_MAX; t++) {
		if (b.have[t])
			err = select_store(m, t, &b.key[t], &b.val[t]);
		else
			err = select_clear(m, t);
		if (err && !first)
			first = err;
	}
	return first;
}

/* ---- odm_policy -------------------------------------------------------- */

static int policy_filter_get(struct odm_maps *m, struct odm_policy_filter *f)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->policy_filter, &zero, f) < 0 ? -errno : 0;
}

static int policy_filter_put(struct odm_maps *m, const struct odm_policy_filter *f)
{
	__u32 zero = 0;

	return bpf_map_update_elem(m->policy_filter, &zero, f, BPF_ANY) < 0 ? -errno : 0;
}

/*
 * The bit goes in before the policy: a program never finds the policy
 * without it.  A bit set for a policy that then failed to be written only
 * costs a lookup.
 */
int odm_policy_set(struct odm_maps *m, __u64 cgroup_id, const struct odm_policy *pol)
{
	struct odm_policy_filter f;
	int err;

	err = policy_filter_get(m, &f);
	if (err)
		return err;
	if (!(f.id_bits & ODM_POLICY_FILTER_BIT(cgroup_id))) {
		f.id_bits |= ODM_POLICY_FILTER_BIT(cgroup_id);
		err = policy_filter_put(m, &f);
		if (err)
			return err;
	}
	return bpf_map_update_elem(m->policy, &cgroup_id, pol, BPF_ANY) < 0 ? -errno : 0;
}

/* The filter needs the keys only: no policy is read. */
int odm_policy_filter_sync(struct odm_maps *m)
{
	struct odm_policy_filter f = { 0 };
	struct key_snap s;
	__u64 id;
	size_t i;
	int err;

	err = keys_snapshot(m->policy, sizeof(id), &s);
	if (err)
		return err;
	for (i = 0; i < s.n; i++) {
		memcpy(&id, snap_key(&s, i), sizeof(id));
		f.id_bits |= ODM_POLICY_FILTER_BIT(id);
	}
	free(s.keys);
	return policy_filter_put(m, &f);
}

/*
 * The bit goes after the policy.  The policy is gone whether or not the
 * filter could be recomputed: a bit left set only costs a lookup.
 */
int odm_policy_del(struct odm_maps *m, __u64 cgroup_id)
{
	if (bpf_map_delete_elem(m->policy, &cgroup_id) < 0)
		return -errno;
	(void)odm_policy_filter_sync(m);
	return 0;
}

int odm_policy_set_default(struct odm_maps *m, __u64 cgroup_id, __u8 type)
{
	struct odm_policy pol = { 0 };
	bool says_nothing;
	int err;

	if (bpf_map_lookup_elem(m->policy, &cgroup_id, &pol) && errno != ENOENT)
		return -errno;
	pol.default_type = type;
	/* allow_mask means nothing without ODM_POLF_ALLOW. */
	says_nothing = !pol.default_type && !pol.flags && !pol.net_per_min && !pol.max_held;
	err = says_nothing ? odm_policy_del(m, cgroup_id) : odm_policy_set(m, cgroup_id, &pol);
	return err == -ENOENT ? 0 : err;
}

int odm_policy_foreach(struct odm_maps *m, odm_policy_cb cb, void *ctx)
{
	struct key_snap s;
	struct odm_policy pol;
	__u64 id;
	size_t i;
	int err;

	err = keys_snapshot(m->policy, sizeof(__u64), &s);
	if (err)
		return err;
	for (i = 0; i < s.n && !err; i++) {
		memcpy(&id, snap_key(&s, i), sizeof(id));
		if (bpf_map_lookup_elem(m->policy, &id, &pol) < 0) {
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		err = cb(id, &pol, ctx);
	}
	free(s.keys);
	return err;
}

/* ---- odm_stats, odm_addr_use, odm_info --------------------------------- */

int odm_stats_read(struct odm_maps *m, __u64 out[ODM_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *percpu;
	__u32 i;
	int c, err = 0;

	if (ncpu < 0)
		return ncpu;
	/* Per-CPU values are rounded up to 8 bytes each; a __u64 already is. */
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (i = 0; i < ODM_STAT_MAX; i++) {
		if (bpf_map_lookup_elem(m->stats, &i, percpu) < 0) {
			err = -errno;
			break;
		}
		out[i] = 0;
		for (c = 0; c < ncpu; c++)
			out[i] += percpu[c];
	}
	free(percpu);
	return err;
}

/*
 * Every counter's name for output (snake_case), and one line saying what
 * it counts (Prometheus # HELP; as in bpf/odm_maps.h, for people reading a
 * metrics page): one table, so that no counter is named and not explained.
 */
static const struct {
	const char *name, *help;
} stat_desc[ODM_STAT_MAX] = {
	[ODM_STAT_SETSC_OK] = {
		"setsc_ok",
		"setsc() calls that got an address" },
	[ODM_STAT_SETSC_NO_PREFIX] = {
		"setsc_no_prefix",
		"setsc() calls for a type with no prefix" },
	[ODM_STAT_SETSC_NEED_NET] = {
		"setsc_need_net",
		"setsc() calls with IPV6_REQUIRE_SRC_ON_NET" },
	[ODM_STAT_SETSC_INVAL] = {
		"setsc_inval",
		"malformed ODM_SO_SC_TYPE requests" },
	[ODM_STAT_DEFAULT_APPLIED] = {
		"default_applied",
		"sockets given their cgroup's default type" },
	[ODM_STAT_CONNECT_BOUND] = {
		"connect_bound",
		"typed sockets bound by connect()" },
	[ODM_STAT_CONNECT_SKIP_BOUND] = {
		"connect_skip_bound",
		"connect() of sockets the application had bound" },
	[ODM_STAT_CONNECT_SKIP_DST] = {
		"connect_skip_dst",
		"connect()/sendmsg() to v4-mapped, loopback, link-local or multicast "
		"destinations" },
	[ODM_STAT_CONNECT_SKIP_RFC5014] = {
		"connect_skip_rfc5014",
		"connect()/sendmsg() left to RFC 5014 preferences" },
	[ODM_STAT_CONNECT_NO_ADDR] = {
		"connect_no_addr",
		"typed sockets with no address of their type" },
	[ODM_STAT_CONNECT_FAIL] = {
		"connect_fail",
		"binds of typed sockets that failed" },
	[ODM_STAT_SENDMSG_SET] = {
		"sendmsg_set",
		"sendmsg() calls given the typed source" },
	[ODM_STAT_ON_NET_STRIPPED] = {
		"on_net_stripped",
		"IPV6_REQUIRE_SRC_ON_NET flags taken out" },
	[ODM_STAT_RELEASE_COUNTED] = {
		"release_counted",
		"closed sockets whose use count was dropped" },
	[ODM_STAT_SETSC_HINT] = {
		"setsc_hint",
		"setsc() calls that took the address odmd obtained" },
	[ODM_STAT_SETSC_DENIED] = {
		"setsc_denied",
		"setsc() calls refused by policy" },
	[ODM_STAT_SETSC_UPGRADED] = {
		"setsc_upgraded",
		"setsc() calls served by a stronger type" },
	[ODM_STAT_NET_DENIED] = {
		"net_denied",
		"network requests refused by policy" },
	[ODM_STAT_NET_QUOTA] = {
		"net_quota_exceeded",
		"network requests refused: max-held reached" },
	[ODM_STAT_NET_RATE] = {
		"net_rate_limited",
		"network requests refused: rate limit reached" },
	[ODM_STAT_NET_REFUSED] = {
		"net_refused",
		"delegated prefixes refused as unsafe, taken or untyped" },
	[ODM_STAT_USE_FULL] = {
		"use_map_full",
		"times the address use map was full" },
	[ODM_STAT_CONNECT_AUTOBOUND] = {
		"connect_autobound",
		"typed UDP sockets the kernel had bound already" },
	[ODM_STAT_DHCP6_SOLICIT] = {
		"dhcp6_solicit_sent",
		"DHCPv6 Solicit messages sent" },
	[ODM_STAT_DHCP6_REQUEST] = {
		"dhcp6_request_sent",
		"DHCPv6 Request messages sent" },
	[ODM_STAT_DHCP6_RENEW] = {
		"dhcp6_renew_sent",
		"DHCPv6 Renew messages sent" },
	[ODM_STAT_DHCP6_REBIND] = {
		"dhcp6_rebind_sent",
		"DHCPv6 Rebind messages sent" },
	[ODM_STAT_DHCP6_RELEASE] = {
		"dhcp6_release_sent",
		"DHCPv6 Release messages sent" },
	[ODM_STAT_DHCP6_ADVERTISE] = {
		"dhcp6_advertise_received",
		"DHCPv6 Advertise messages received" },
	[ODM_STAT_DHCP6_REPLY] = {
		"dhcp6_reply_received",
		"DHCPv6 Reply messages received" },
	[ODM_STAT_DHCP6_FAILED] = {
		"dhcp6_acquire_failed",
		"DHCPv6 acquisitions that ended without a lease" },
	[ODM_STAT_DHCP6_LOST] = {
		"dhcp6_lease_lost",
		"DHCPv6 leases expired or taken back" },
};

const char *odm_stat_name(unsigned int stat)
{
	if (stat >= ODM_STAT_MAX || !stat_desc[stat].name)
		return "unknown";
	return stat_desc[stat].name;
}

const char *odm_stat_help(unsigned int stat)
{
	if (stat >= ODM_STAT_MAX || !stat_desc[stat].help)
		return "";
	return stat_desc[stat].help;
}

int odm_use_get(struct odm_maps *m, const __u32 addr[4], struct odm_use *use)
{
	__u32 key[4];

	memcpy(key, addr, sizeof(key));
	if (bpf_map_lookup_elem(m->addr_use, key, use) < 0) {
		if (errno != ENOENT)
			return -errno;
		memset(use, 0, sizeof(*use));
	}
	return 0;
}

int odm_use_in_prefix(struct odm_maps *m, const struct odm_prefix_key *key, __u64 *sockets)
{
	struct key_snap s;
	struct odm_use use;
	size_t i;
	int err;

	*sockets = 0;
	err = keys_snapshot(m->addr_use, sizeof(struct odm_addr_key), &s);
	if (err)
		return err;
	for (i = 0; i < s.n && !err; i++) {
		const __u32 *addr = snap_key(&s, i);

		if (odm_prefix_contains(key, addr) && !(err = odm_use_get(m, addr, &use)))
			*sockets += use.sockets;
	}
	free(s.keys);
	return err;
}

/* addr is the host address of a typed prefix: it may be handed out again,
 * and its bytes sent still count toward its lifetime. */
static bool addr_reachable(struct odm_maps *m, const __u32 addr[4])
{
	struct odm_prefix_key key = { .prefixlen = 128 };
	struct odm_prefix val;

	memcpy(&key.prefix, addr, sizeof(key.prefix));
	return odm_prefix_get(m, &key, &val) == 0 && val.state != ODM_PS_NOADDR &&
	       !memcmp(&val.addr, addr, sizeof(val.addr));
}

/* Delete the keys of one address-keyed map (odm_addr_use or odm_tx) that
 * no socket counts and no prefix can hand out again. */
static int reap_map(struct odm_maps *m, int fd)
{
	struct key_snap s;
	struct odm_use use;
	size_t i;
	int err, n = 0;

	err = keys_snapshot(fd, sizeof(struct odm_addr_key), &s);
	if (err)
		return err;
	for (i = 0; i < s.n; i++) {
		const __u32 *addr = snap_key(&s, i);

		if (addr_reachable(m, addr) || odm_use_get(m, addr, &use) || use.sockets)
			continue;
		if (bpf_map_delete_elem(fd, addr) == 0)
			n++;
	}
	free(s.keys);
	return n;
}

int odm_addr_reap(struct odm_maps *m)
{
	int a, t;

	a = reap_map(m, m->addr_use);
	if (a < 0)
		return a;
	t = reap_map(m, m->tx);
	if (t < 0)
		return t;
	return a + t;
}

int odm_info_get(struct odm_maps *m, struct odm_info *info)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(m->info, &key, info) < 0 ? -errno : 0;
}

int odm_stats_add(struct odm_maps *m, unsigned int stat, __u64 n)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = stat;
	__u64 *vals;
	int err;

	if (stat >= ODM_STAT_MAX)
		return -EINVAL;
	if (ncpus < 1)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	/* Counters odmd owns: no BPF program writes them, so a read-modify-
	 * write of CPU 0's slot races with nobody but another odmd. */
	err = bpf_map_lookup_elem(m->stats, &key, vals) ? -errno : 0;
	if (!err) {
		vals[0] += n;
		err = bpf_map_update_elem(m->stats, &key, vals, BPF_EXIST) ? -errno : 0;
	}
	free(vals);
	return err;
}

int odm_tx_get(struct odm_maps *m, const __u32 addr[4], struct odm_tx *tx)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	struct odm_addr_key key;
	struct odm_tx *vals;
	int err;

	memset(tx, 0, sizeof(*tx));
	if (ncpus < 1)
		return ncpus ? ncpus : -EINVAL;
	memcpy(&key.addr, addr, sizeof(key.addr));
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(m->tx, &key, vals) ? -errno : 0;
	for (i = 0; !err && i < ncpus; i++) {
		tx->bytes += vals[i].bytes;
		tx->packets += vals[i].packets;
	}
	free(vals);
	return err == -ENOENT ? 0 : err;
}
