/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_cgroup.c - where cgroup v2 is mounted, read from mountinfo lines as
 * hosts write them: hybrid hierarchies with v1 mounts first, no optional
 * fields or several before the " - ", mount points with escaped spaces.
 * scripts/cgroup2-root.sh, which the shell suites and the demo use, is
 * given the same lines and must say the same (run from the tree's top, as
 * tests/run.sh runs the unit tests).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A Debian 12 host with the hybrid hierarchy (cgroup2 in unified). */
#define HYBRID \
	"22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n" \
	"25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n" \
	"26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - " \
	"cgroup2 cgroup2 rw,nsdelegate\n" \
	"27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,name=systemd\n"

static const struct {
	const char *name;
	const char *mountinfo;
	size_t len;
	int want_ret;
	const char *want;
} cases[] = {
	{ "hybrid", HYBRID, 64, 0, "/sys/fs/cgroup/unified" },
	{ "unified, no optional field",
	  "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n", 64, 0,
	  "/sys/fs/cgroup" },
	{ "two optional fields (a container's)",
	  "41 40 0:26 /odm.slice /sys/fs/cgroup rw shared:5 master:3 - cgroup2 cgroup2 rw\n",
	  64, 0, "/sys/fs/cgroup" },
	{ "v1 named cgroup2-like in the optional place",
	  "50 25 0:27 / /mnt/x rw shared:2 - cgroup cgroup2 rw\n", 64, -ENOENT, NULL },
	{ "escaped space and backslash",
	  "60 25 0:28 / /mnt/my\\040cg\\134x rw - cgroup2 none rw\n", 64, 0,
	  "/mnt/my cg\\x" },
	{ "no cgroup2", "22 28 0:21 / /sys rw - sysfs sysfs rw\n", 64, -ENOENT, NULL },
	{ "empty", "", 64, -ENOENT, NULL },
	{ "a line cut short", "70 25 0:29 / /mnt/cut rw -\n", 64, -ENOENT, NULL },
	{ "no dash at all", "70 25 0:29 / /mnt/cut rw cgroup2 cgroup2\n", 64, -ENOENT, NULL },
	{ "buffer too small", HYBRID, 10, -ENAMETOOLONG, NULL },
	{ "buffer just big enough", HYBRID, sizeof("/sys/fs/cgroup/unified"), 0,
	  "/sys/fs/cgroup/unified" },
};

static void test_mountinfo(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = strlen(cases[i].mountinfo);
		FILE *f = fmemopen((void *)cases[i].mountinfo, n ? n : 1, "r");
		int ret;

		if (!ASSERT_TRUE(f != NULL, cases[i].name))
			continue;
		INPUTS(1);
		memset(buf, 'X', sizeof(buf));
		ret = odm_cgroup2_root_in(f, buf, cases[i].len);
		fclose(f);
		ASSERT_EQ(ret, cases[i].want_ret, cases[i].name);
		if (cases[i].want)
			ASSERT_STREQ(buf, cases[i].want, cases[i].name);
	}
}

/* The script's answer for the same lines: the mount point or nothing. */
static void test_script(void)
{
	char path[] = "/tmp/odm-mountinfo-XXXXXX", out[256];
	size_t i, n;
	FILE *p;
	int fd;

	fd = mkstemp(path);
	if (!ASSERT_TRUE(fd >= 0, "a temporary file"))
		return;
	close(fd);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		FILE *f = fopen(path, "w");
		char cmd[512];

		if (cases[i].want_ret == -ENAMETOOLONG || !ASSERT_TRUE(f != NULL, "write it"))
			continue;	/* a C buffer's limit, not the script's */
		fputs(cases[i].mountinfo, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "sh scripts/cgroup2-root.sh %s", path);
		p = popen(cmd, "r");
		if (!ASSERT_TRUE(p != NULL, cases[i].name))
			continue;
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		ASSERT_EQ(pclose(p), 0, cases[i].name);
		if (n && out[n - 1] == '\n')
			out[n - 1] = '\0';
		ASSERT_STREQ(out, cases[i].want ? cases[i].want : "", cases[i].name);
	}
	unlink(path);
}

/* The host's own answer is a directory on cgroup v2 (the tests need one). */
static void test_this_host(void)
{
	char root[4096];
	__u64 id;

	if (!ASSERT_EQ(odm_cgroup2_root(root, sizeof(root)), 0, "this host has cgroup v2"))
		return;
	ASSERT_EQ(odm_cgroup_id(root, &id), 0, "its root has a cgroup id");
}

int main(void)
{
	RUN(test_mountinfo);
	RUN(test_script);
	RUN(test_this_host);
	return test_summary();
}
