/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_maps.c - core/maps.c and sync.c against real maps, pinned the way
 * odmd pins them in a private bpffs directory.  Needs root (CAP_BPF,
 * CAP_SYS_ADMIN for bpffs, cgroupfs and a private netns).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core.h"
#include "test.h"

#define BPFFS "/sys/fs/bpf"

/* One test's view of the pinned maps. */
struct fixture {
	char dir[64];
	struct odm_maps m;
};

static const struct map_spec {
	const char *name;
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries, flags;
} specs[] = {
	{ "odm_prefixes", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct odm_prefix_key),
	  sizeof(struct odm_prefix), 64, BPF_F_NO_PREALLOC },
	{ "odm_select", BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(struct odm_choice),
	  ODM_TYPE_MAX + 1, BPF_F_NO_PREALLOC },
	{ "odm_addr_use", BPF_MAP_TYPE_HASH, 4 * sizeof(__u32), sizeof(struct odm_use), 64, 0 },
	{ "odm_policy", BPF_MAP_TYPE_HASH, sizeof(__u64), sizeof(struct odm_policy), 64, 0 },
	{ "odm_policy_filter", BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct odm_policy_filter),
	  1, 0 },
	{ "odm_stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), ODM_STAT_MAX, 0 },
	{ "odm_info", BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct odm_info), 1, 0 },
	{ "odm_tx", BPF_MAP_TYPE_PERCPU_HASH, sizeof(struct odm_addr_key), sizeof(struct odm_tx), 64, 0 },
};

#define N_SPECS (sizeof(specs) / sizeof(specs[0]))

static int bpffs_ensure(void)
{
	struct statfs sfs;

	if (statfs(BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	/* Left mounted afterwards: it is where bpffs belongs, others may use it. */
	if (mount("bpf", BPFFS, "bpf", 0, NULL) < 0)
		return -errno;
	return 0;
}

static int pin_one(const char *dir, const struct map_spec *s)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = s->flags);
	char path[128];
	int fd, err = 0;

	fd = bpf_map_create(s->type, s->name, s->key_size, s->value_size, s->max_entries, &opts);
	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	if (bpf_obj_pin(fd, path) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Unique per run, so parallel runs and leftovers never collide. */
static void pin_dir(char *dir, size_t len)
{
	snprintf(dir, len, BPFFS "/odm-unit-%d", (int)getpid());
}

static void pins_remove(const char *dir)
{
	char path[128];
	size_t i;

	for (i = 0; i < N_SPECS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, specs[i].name);
		unlink(path);
	}
	rmdir(dir);
}

static int pins_create(const char *dir)
{
	size_t i;
	int err;

	err = bpffs_ensure();
	if (err)
		return err;
	if (mkdir(dir, 0700) < 0)
		return -errno;
	for (i = 0; i < N_SPECS && !err; i++)
		err = pin_one(dir, &specs[i]);
	if (err)
		pins_remove(dir);
	return err;
}

/* Empty every map the tests write, so each case starts clean. */
static void maps_clear(struct odm_maps *m)
{
	int fds[] = { m->prefixes, m->select, m->addr_use, m->policy };
	struct odm_policy_filter none = { 0 };
	__u32 zero = 0;
	char next[64];
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		while (bpf_map_get_next_key(fds[i], NULL, next) == 0)
			if (bpf_map_delete_elem(fds[i], next) < 0)
				break;
	bpf_map_update_elem(m->policy_filter, &zero, &none, BPF_ANY);
}

static bool fixture_open(struct fixture *f)
{
	pin_dir(f->dir, sizeof(f->dir));
	if (!ASSERT_EQ(odm_maps_open(&f->m, f->dir), 0, "open the test maps"))
		return false;
	maps_clear(&f->m);
	return true;
}

static void addr6(__u32 a[4], const char *s)
{
	inet_pton(AF_INET6, s, a);
}

static struct odm_prefix_key pkey(const char *s, __u32 plen)
{
	struct odm_prefix_key k = { .prefixlen = plen };

	addr6(k.prefix.w, s);
	return k;
}

static struct odm_prefix pval(__u8 type, __u8 state, const char *addr, __u64 since)
{
	struct odm_prefix v = {
		.type = type, .state = state, .source = ODM_SRC_CLI, .plen = 64,
		.since_ns = since, .valid_lft = 0xffffffffu, .preferred_lft = 0xffffffffu,
	};

	if (addr)
		addr6(v.addr.w, addr);
	return v;
}

/* ---- open ---------------------------------------------------------------- */

static void test_open_missing(void)
{
	char dir[128];
	struct odm_maps m;

	ASSERT_EQ(odm_maps_open(&m, "/nonexistent/odm"), -ENOENT, "missing pin dir");
	ASSERT_EQ(m.prefixes, -1, "fds reset");
	ASSERT_EQ(m.lock_fd, -1, "lock fd reset");

	pin_dir(dir, sizeof(dir));
	strcat(dir, "-empty");
	if (!ASSERT_EQ(mkdir(dir, 0700), 0, "mkdir"))
		return;
	ASSERT_EQ(odm_maps_open(&m, dir), -ENOENT, "no odm_prefixes");
	ASSERT_EQ(m.prefixes, -1, "closed on error");
	ASSERT_EQ(m.lock_fd, -1, "lock fd closed on error");
	rmdir(dir);
}

/* Maps of another version: some of this odm's maps pinned, not all. */
static void test_open_other_version(void)
{
	char dir[128], path[192];
	struct odm_maps m;
	size_t i = 0;

	while (i < N_SPECS && strcmp(specs[i].name, "odm_policy_filter"))
		i++;
	if (!ASSERT_TRUE(i < N_SPECS, "odm_policy_filter in specs"))
		return;
	pin_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/odm_policy_filter", dir);
	if (!ASSERT_EQ(unlink(path), 0, "unpin odm_policy_filter (new in version 6)"))
		return;
	ASSERT_EQ(odm_maps_open(&m, dir), -EPROTO, "another version's maps");
	ASSERT_EQ(m.lock_fd, -1, "lock fd closed on error");
	ASSERT_EQ(pin_one(dir, &specs[i]), 0, "pin it again");
	ASSERT_EQ(odm_maps_open(&m, dir), 0, "this version's maps");
	odm_maps_close(&m);
}

static void test_open(void)
{
	struct odm_maps m;
	char dir[64];

	pin_dir(dir, sizeof(dir));
	if (!ASSERT_EQ(odm_maps_open(&m, dir), 0, "open"))
		return;
	ASSERT_TRUE(m.prefixes >= 0 && m.select >= 0 && m.addr_use >= 0 && m.policy >= 0 &&
		    m.stats >= 0 && m.info >= 0 && m.lock_fd >= 0, "all fds open");
	odm_maps_close(&m);
	ASSERT_EQ(m.info, -1, "closed");
}

static void test_lock(void)
{
	struct fixture fx;
	int other;

	if (!fixture_open(&fx))
		return;
	other = open(fx.dir, O_RDONLY | O_DIRECTORY);
	if (!ASSERT_EQ(odm_maps_lock(&fx.m), 0, "lock"))
		goto cleanup;
	ASSERT_EQ(flock(other, LOCK_EX | LOCK_NB), -1, "second locker blocked");
	ASSERT_EQ(errno, EWOULDBLOCK, "EWOULDBLOCK");
	odm_maps_unlock(&fx.m);
	ASSERT_EQ(flock(other, LOCK_EX | LOCK_NB), 0, "free after unlock");
cleanup:
	close(other);
	odm_maps_close(&fx.m);
}

/* ---- prefixes ------------------------------------------------------------- */

struct collect {
	struct odm_maps *m;	/* for deleting */
	int n;
	int stop_after;		/* 0: never */
	bool delete;
	struct odm_prefix_key keys[16];
};

static int collect_cb(const struct odm_prefix_key *key, const struct odm_prefix *val, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < 16)
		c->keys[c->n] = *key;
	c->n++;
	if (c->delete)
		odm_prefix_del(c->m, key);
	return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static void test_prefix_crud(void)
{
	struct odm_prefix_key k1 = pkey("2001:db8:1::", 64), k2 = pkey("2001:db8:2::", 48);
	struct odm_prefix v1 = pval(ODM_TYPE_FIXED, ODM_PS_VALID, "2001:db8:1::5", 1), got;
	struct collect c = { 0 };
	struct fixture fx;

	if (!fixture_open(&fx))
		return;
	ASSERT_EQ(odm_prefix_get(&fx.m, &k1, &got), -ENOENT, "get absent");
	ASSERT_EQ(odm_prefix_put(&fx.m, &k1, &v1), 0, "put k1");
	ASSERT_EQ(odm_prefix_put(&fx.m, &k2, &v1), 0, "put k2");
	if (ASSERT_EQ(odm_prefix_get(&fx.m, &k1, &got), 0, "get k1"))
		ASSERT_TRUE(!memcmp(&got, &v1, sizeof(got)), "same value back");
	ASSERT_EQ(odm_prefix_foreach(&fx.m, collect_cb, &c), 0, "foreach");
	ASSERT_EQ(c.n, 2, "two prefixes");

	c = (struct collect){ .stop_after = 1 };
	ASSERT_EQ(odm_prefix_foreach(&fx.m, collect_cb, &c), 7, "callback's return stops");
	ASSERT_EQ(c.n, 1, "stopped after one");

	ASSERT_EQ(odm_prefix_del(&fx.m, &k1), 0, "del");
	ASSERT_EQ(odm_prefix_del(&fx.m, &k1), -ENOENT, "del again");
	ASSERT_EQ(odm_prefix_get(&fx.m, &k2, &got), 0, "k2 still there");
	odm_maps_close(&fx.m);
}

static void test_prefix_foreach_delete(void)
{
	struct odm_prefix v = pval(ODM_TYPE_FIXED, ODM_PS_NOADDR, NULL, 0);
	struct odm_prefix_key k;
	struct fixture fx;
	struct collect c;
	char buf[INET6_ADDRSTRLEN];
	int i;

	if (!fixture_open(&fx))
		return;
	c = (struct collect){ .m = &fx.m, .delete = true };
	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:%x::", i + 1);
		k = pkey(buf, 64);
		odm_prefix_put(&fx.m, &k, &v);
	}
	ASSERT_EQ(odm_prefix_foreach(&fx.m, collect_cb, &c), 0, "foreach deleting");
	ASSERT_EQ(c.n, 10, "each visited once");
	c = (struct collect){ 0 };
	odm_prefix_foreach(&fx.m, collect_cb, &c);
	ASSERT_EQ(c.n, 0, "all gone");
	odm_maps_close(&fx.m);
}

/* ---- select --------------------------------------------------------------- */

static bool choice_of(struct odm_maps *m, __u32 type, struct odm_choice *c)
{
	return bpf_map_lookup_elem(m->select, &type, c) == 0;
}

static void test_select_recompute(void)
{
	struct {
		const char *prefix, *addr;
		__u8 type, state;
		__u64 since;
	} rows[] = {
		/* fixed: the most recent valid one wins */
		{ "2001:db8:1::", "2001:db8:1::1", ODM_TYPE_FIXED, ODM_PS_VALID, 100 },
		{ "2001:db8:2::", "2001:db8:2::1", ODM_TYPE_FIXED, ODM_PS_VALID, 200 },
		{ "2001:db8:3::", "2001:db8:3::1", ODM_TYPE_FIXED, ODM_PS_DEPRECATED, 300 },
		/* session-lasting: a tie goes to the lowest prefix */
		{ "2001:db8:b::", "2001:db8:b::1", ODM_TYPE_SESSION_LASTING, ODM_PS_VALID, 50 },
		{ "2001:db8:a::", "2001:db8:a::1", ODM_TYPE_SESSION_LASTING, ODM_PS_VALID, 50 },
		/* non-persistent: nothing valid */
		{ "2001:db8:c::", NULL, ODM_TYPE_NON_PERSISTENT, ODM_PS_NOADDR, 900 },
		{ "2001:db8:d::", "2001:db8:d::1", ODM_TYPE_NON_PERSISTENT, ODM_PS_DEPRECATED,
		  900 },
	};
	struct odm_choice c, stale = { .plen = 64 };
	struct odm_prefix_key k;
	struct odm_prefix v;
	__u32 want[4], t = ODM_TYPE_NON_PERSISTENT;
	struct fixture fx;
	size_t i;

	if (!fixture_open(&fx))
		return;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		k = pkey(rows[i].prefix, 64);
		v = pval(rows[i].type, rows[i].state, rows[i].addr, rows[i].since);
		v.ifindex = 7;
		odm_prefix_put(&fx.m, &k, &v);
	}
	/* a leftover choice for a type that no longer has a prefix */
	bpf_map_update_elem(fx.m.select, &t, &stale, BPF_ANY);

	if (!ASSERT_EQ(odm_select_recompute(&fx.m), 0, "recompute"))
		goto cleanup;
	if (ASSERT_TRUE(choice_of(&fx.m, ODM_TYPE_FIXED, &c), "fixed chosen")) {
		addr6(want, "2001:db8:2::1");
		ASSERT_TRUE(!memcmp(&c.addr, want, sizeof(want)), "most recent fixed address");
		addr6(want, "2001:db8:2::");
		ASSERT_TRUE(!memcmp(&c.prefix, want, sizeof(want)), "its prefix");
		ASSERT_EQ(c.plen, 64, "plen");
		ASSERT_EQ(c.ifindex, 7, "ifindex");
		ASSERT_EQ(c.since_ns, 200, "since_ns");
	}
	if (ASSERT_TRUE(choice_of(&fx.m, ODM_TYPE_SESSION_LASTING, &c), "session-lasting chosen")) {
		addr6(want, "2001:db8:a::1");
		ASSERT_TRUE(!memcmp(&c.addr, want, sizeof(want)), "tie: lowest prefix");
	}
	ASSERT_TRUE(!choice_of(&fx.m, ODM_TYPE_NON_PERSISTENT, &c), "stale choice deleted");
	ASSERT_TRUE(!choice_of(&fx.m, ODM_TYPE_GRACEFUL, &c), "no graceful choice");

	/* and again with nothing left: every type goes */
	maps_clear(&fx.m);
	ASSERT_EQ(odm_select_recompute(&fx.m), 0, "recompute empty");
	ASSERT_TRUE(!choice_of(&fx.m, ODM_TYPE_FIXED, &c), "fixed deleted");
cleanup:
	odm_maps_close(&fx.m);
}

/* ---- policy, stats, use, info --------------------------------------------- */

static int policy_cb(__u64 id, const struct odm_policy *pol, void *ctx)
{
	__u64 *sum = ctx;

	*sum += id * 10 + pol->default_type;
	return 0;
}

static void test_policy(void)
{
	struct odm_policy p1 = { .default_type = ODM_TYPE_FIXED };
	struct odm_policy p2 = { .default_type = ODM_TYPE_GRACEFUL };
	struct fixture fx;
	__u64 sum = 0;

	if (!fixture_open(&fx))
		return;
	ASSERT_EQ(odm_policy_set(&fx.m, 5, &p1), 0, "set 5");
	ASSERT_EQ(odm_policy_set(&fx.m, 9, &p2), 0, "set 9");
	ASSERT_EQ(odm_policy_set(&fx.m, 9, &p2), 0, "set 9 again");
	ASSERT_EQ(odm_policy_foreach(&fx.m, policy_cb, &sum), 0, "foreach");
	ASSERT_EQ(sum, 51 + 94, "both seen once");
	ASSERT_EQ(odm_policy_del(&fx.m, 5), 0, "del 5");
	ASSERT_EQ(odm_policy_del(&fx.m, 5), -ENOENT, "del 5 again");
	sum = 0;
	odm_policy_foreach(&fx.m, policy_cb, &sum);
	ASSERT_EQ(sum, 94, "one left");
	odm_maps_close(&fx.m);
}

static __u64 filter_bits(struct odm_maps *m)
{
	struct odm_policy_filter f = { .id_bits = ~0ULL };
	__u32 zero = 0;

	bpf_map_lookup_elem(m->policy_filter, &zero, &f);
	return f.id_bits;
}

/* odm_policy_filter names every cgroup with a policy, and no more than the
 * policies that share its bit keep. */
static void test_policy_filter(void)
{
	struct odm_policy p = { .default_type = ODM_TYPE_FIXED };
	const __u64 b5 = 1ULL << 5, b9 = 1ULL << 9, b12 = 1ULL << 12;
	struct fixture fx;

	if (!fixture_open(&fx))
		return;
	ASSERT_EQ(filter_bits(&fx.m), 0, "no policy, no bit");
	ASSERT_EQ(odm_policy_set(&fx.m, 5, &p), 0, "set 5");
	ASSERT_EQ(filter_bits(&fx.m), b5, "bit of 5");
	ASSERT_EQ(odm_policy_set(&fx.m, 69, &p), 0, "set 69 (5 + 64)");
	ASSERT_EQ(odm_policy_set(&fx.m, 9, &p), 0, "set 9");
	ASSERT_EQ(filter_bits(&fx.m), b5 | b9, "69 shares the bit of 5");
	ASSERT_EQ(odm_policy_del(&fx.m, 5), 0, "del 5");
	ASSERT_EQ(filter_bits(&fx.m), b5 | b9, "69 keeps the bit");
	ASSERT_EQ(odm_policy_del(&fx.m, 69), 0, "del 69");
	ASSERT_EQ(filter_bits(&fx.m), b9, "bit of 5 cleared with its last policy");
	ASSERT_EQ(odm_policy_del(&fx.m, 69), -ENOENT, "del 69 again");

	/* A policy written around odm_policy_set() (bpftool, an older odm) is
	 * not in the filter until it is recomputed, as odmd does at start. */
	ASSERT_EQ(bpf_map_update_elem(fx.m.policy, &(__u64){ 12 }, &p, BPF_ANY), 0, "raw write");
	ASSERT_EQ(filter_bits(&fx.m), b9, "raw write: no bit");
	ASSERT_EQ(odm_policy_filter_sync(&fx.m), 0, "sync");
	ASSERT_EQ(filter_bits(&fx.m), b9 | b12, "sync sets it");
	ASSERT_EQ(odm_policy_del(&fx.m, 9), 0, "del 9");
	ASSERT_EQ(odm_policy_del(&fx.m, 12), 0, "del 12");
	ASSERT_EQ(filter_bits(&fx.m), 0, "no policy left, no bit");
	odm_maps_close(&fx.m);
}

static void test_stats(void)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 out[ODM_STAT_MAX], *vals;
	__u32 key = ODM_STAT_CONNECT_BOUND;
	struct fixture fx;
	unsigned int i, j;
	int c;

	if (!ASSERT_TRUE(ncpu > 0, "possible cpus") || !fixture_open(&fx))
		return;
	vals = calloc(ncpu, sizeof(*vals));
	for (c = 0; c < ncpu; c++)
		vals[c] = c + 1;
	ASSERT_EQ(bpf_map_update_elem(fx.m.stats, &key, vals, BPF_ANY), 0, "seed per-CPU");
	free(vals);
	if (ASSERT_EQ(odm_stats_read(&fx.m, out), 0, "read")) {
		ASSERT_EQ(out[ODM_STAT_CONNECT_BOUND], (__u64)ncpu * (ncpu + 1) / 2,
			  "sum over cpus");
		ASSERT_EQ(out[ODM_STAT_SETSC_OK], 0, "others zero");
	}
	odm_maps_close(&fx.m);

	ASSERT_STREQ(odm_stat_name(ODM_STAT_SETSC_OK), "setsc_ok", "first name");
	ASSERT_STREQ(odm_stat_name(ODM_STAT_RELEASE_COUNTED), "release_counted", "last name");
	ASSERT_STREQ(odm_stat_name(ODM_STAT_MAX), "unknown", "out of range");
	for (i = 0; i < ODM_STAT_MAX; i++) {
		ASSERT_TRUE(strcmp(odm_stat_name(i), "unknown") != 0, "every counter named");
		ASSERT_EQ(strspn(odm_stat_name(i), "abcdefghijklmnopqrstuvwxyz0123456789_"),
			  strlen(odm_stat_name(i)), "snake_case");
		for (j = 0; j < i; j++)
			ASSERT_TRUE(strcmp(odm_stat_name(i), odm_stat_name(j)) != 0, "distinct");
	}
}

static void test_use_info(void)
{
	struct odm_use u = { .sockets = 3, .assigned = 40 }, got;
	struct odm_info info = { .cgroup_id = 77, .maps_version = ODM_MAPS_VERSION }, gi;
	__u32 a[4], b[4], zero = 0;
	struct fixture fx;

	if (!fixture_open(&fx))
		return;
	addr6(a, "2001:db8::1");
	addr6(b, "2001:db8::2");
	bpf_map_update_elem(fx.m.addr_use, a, &u, BPF_ANY);
	ASSERT_EQ(odm_use_get(&fx.m, a, &got), 0, "present");
	ASSERT_EQ(got.sockets, 3, "sockets");
	ASSERT_EQ(got.assigned, 40, "assigned");
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(odm_use_get(&fx.m, b, &got), 0, "absent");
	ASSERT_EQ(got.sockets | got.assigned, 0, "zeros when absent");

	bpf_map_update_elem(fx.m.info, &zero, &info, BPF_ANY);
	ASSERT_EQ(odm_info_get(&fx.m, &gi), 0, "info");
	ASSERT_EQ(gi.cgroup_id, 77, "cgroup_id");
	ASSERT_EQ(gi.maps_version, ODM_MAPS_VERSION, "maps_version");
	odm_maps_close(&fx.m);
}

/* ---- cgroups --------------------------------------------------------------- */

static void test_cgroup(void)
{
	char root[PATH_MAX], child[PATH_MAX], rel[PATH_MAX], want[64];
	struct statfs sfs;
	struct stat st;
	__u64 id, cid;

	if (!ASSERT_EQ(odm_cgroup2_root(root, sizeof(root)), 0, "cgroup2 root"))
		return;
	ASSERT_TRUE(statfs(root, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC, "is cgroup2");
	ASSERT_EQ(odm_cgroup2_root(root, 3), -ENAMETOOLONG, "short buffer");
	odm_cgroup2_root(root, sizeof(root));
	if (!ASSERT_EQ(odm_cgroup_id(root, &id), 0, "root id"))
		return;
	ASSERT_EQ(stat(root, &st), 0, "stat root");
	ASSERT_EQ(id, st.st_ino, "id is the inode number");
	ASSERT_EQ(odm_cgroup_id("/tmp", &id), -ENOTDIR, "not cgroupfs");
	ASSERT_EQ(odm_cgroup_id("/nonexistent", &id), -ENOENT, "missing");

	odm_cgroup_id(root, &id);
	ASSERT_EQ(odm_cgroup_path(id, rel, sizeof(rel)), 0, "path of root");
	ASSERT_STREQ(rel, "/", "root is /");

	snprintf(want, sizeof(want), "/odm-unit-%d", (int)getpid());
	if (!ASSERT_TRUE(strlen(root) + strlen(want) < sizeof(child), "child path fits"))
		return;
	strcpy(child, root);
	strcat(child, want);
	if (!ASSERT_EQ(mkdir(child, 0755), 0, "mkdir child cgroup"))
		return;
	if (ASSERT_EQ(odm_cgroup_id(child, &cid), 0, "child id")) {
		ASSERT_EQ(odm_cgroup_path(cid, rel, sizeof(rel)), 0, "path of child");
		ASSERT_STREQ(rel, want, "child path");
		ASSERT_EQ(odm_cgroup_path(cid, rel, 4), -ENAMETOOLONG, "short buffer");
	}
	rmdir(child);
	ASSERT_EQ(odm_cgroup_path(cid, rel, sizeof(rel)), -ENOENT, "removed cgroup");
}

/* ---- sync, in a private netns ---------------------------------------------- */

struct dump_find {
	__u32 want[4];
	struct odm_kaddr found;
	int n;
};

static int dump_cb(const struct odm_kaddr *ka, void *ctx)
{
	struct dump_find *d = ctx;

	if (!memcmp(ka->addr, d->want, sizeof(d->want))) {
		d->found = *ka;
		d->n++;
	}
	return 0;
}

static int monitor_cb(const struct odm_kaddr *ka, bool is_new, void *ctx)
{
	int *news = ctx;

	*news += is_new;
	return 0;
}

static int sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

static void test_sync_kernel(void)
{
	struct odm_prefix_key kv = pkey("2001:db8:1::", 64), kn = pkey("2001:db8:9::", 64);
	struct odm_prefix_key kd = pkey("2001:db8:2::", 64);
	struct odm_prefix v, got;
	struct dump_find d = { 0 };
	struct odm_choice c;
	__u32 want[4];
	struct fixture fx;
	int mon, news = 0;

	/* the addresses the test adds must not touch the host's */
	if (!ASSERT_EQ(unshare(CLONE_NEWNET), 0, "unshare netns") || !fixture_open(&fx))
		return;
	mon = odm_nl_monitor_open();
	ASSERT_TRUE(mon >= 0, "monitor open");
	ASSERT_EQ(sh("ip link set lo up && "
		     "ip -6 addr add 2001:db8:1::5/64 dev lo nodad && "
		     "ip -6 addr add 2001:db8:2::5/64 dev lo nodad preferred_lft 0 valid_lft 600"),
		  0, "add addresses");

	addr6(d.want, "2001:db8:1::5");
	ASSERT_EQ(odm_nl_dump_addrs(dump_cb, &d), 0, "dump");
	ASSERT_EQ(d.n, 1, "dumped once");
	ASSERT_TRUE(odm_kaddr_usable(&d.found), "usable");
	ASSERT_EQ(d.found.plen, 64, "plen");
	ASSERT_EQ(odm_nl_monitor_read(mon, monitor_cb, &news), 0, "monitor read");
	ASSERT_TRUE(news >= 2, "saw the new addresses");
	ASSERT_EQ(odm_nl_monitor_read(mon, monitor_cb, &news), 0, "empty queue");
	close(mon);

	v = pval(ODM_TYPE_FIXED, ODM_PS_NOADDR, NULL, 0);
	odm_prefix_put(&fx.m, &kv, &v);
	v = pval(ODM_TYPE_FIXED, ODM_PS_VALID, "2001:db8:9::5", 5);
	odm_prefix_put(&fx.m, &kn, &v);
	v = pval(ODM_TYPE_GRACEFUL, ODM_PS_VALID, "2001:db8:2::5", 5);
	odm_prefix_put(&fx.m, &kd, &v);

	ASSERT_EQ(odm_sync_kernel(&fx.m), 3, "three prefixes changed");
	odm_prefix_get(&fx.m, &kv, &got);
	ASSERT_EQ(got.state, ODM_PS_VALID, "noaddr -> valid");
	addr6(want, "2001:db8:1::5");
	ASSERT_TRUE(!memcmp(&got.addr, want, sizeof(want)), "took the kernel's address");
	ASSERT_TRUE(got.since_ns > 5, "since_ns is now");
	odm_prefix_get(&fx.m, &kn, &got);
	ASSERT_EQ(got.state, ODM_PS_NOADDR, "address gone -> noaddr");
	odm_prefix_get(&fx.m, &kd, &got);
	ASSERT_EQ(got.state, ODM_PS_DEPRECATED, "deprecated host address");
	ASSERT_TRUE(got.valid_lft <= 600 && got.valid_lft > 0, "valid_lft from the kernel");
	ASSERT_EQ(got.preferred_lft, 0, "preferred_lft from the kernel");
	if (ASSERT_TRUE(choice_of(&fx.m, ODM_TYPE_FIXED, &c), "fixed chosen"))
		ASSERT_TRUE(!memcmp(&c.addr, want, sizeof(want)), "select follows");
	ASSERT_TRUE(!choice_of(&fx.m, ODM_TYPE_GRACEFUL, &c), "deprecated not chosen");

	ASSERT_EQ(odm_sync_kernel(&fx.m), 0, "second sync changes nothing");
	odm_maps_close(&fx.m);
}

int main(void)
{
	char dir[64];
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "test_maps: needs root\n");
		return 1;
	}
	pin_dir(dir, sizeof(dir));
	err = pins_create(dir);
	if (err) {
		fprintf(stderr, "test_maps: cannot pin maps under %s: %s\n", dir, strerror(-err));
		return 1;
	}
	RUN(test_open_missing);
	RUN(test_open);
	RUN(test_open_other_version);
	RUN(test_lock);
	RUN(test_prefix_crud);
	RUN(test_prefix_foreach_delete);
	RUN(test_select_recompute);
	RUN(test_policy);
	RUN(test_policy_filter);
	RUN(test_stats);
	RUN(test_use_info);
	RUN(test_cgroup);
	RUN(test_sync_kernel);
	pins_remove(dir);
	return test_summary();
}
