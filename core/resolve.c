// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * resolve.c - turn what a user typed for a cgroup into a cgroup v2 path.
 * Both odmd --cgroup and odm policy ... cgroup PATH accept either the full
 * path or one relative to wherever cgroup2 is mounted (/sys/fs/cgroup on
 * unified hosts, /sys/fs/cgroup/unified on hybrid ones).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "core.h"

static int on_cgroup2(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return -errno;
	return sfs.f_type == CGROUP2_SUPER_MAGIC ? 0 : -ENOTDIR;
}

int odm_cgroup_resolve(const char *arg, char *path, size_t len)
{
	char root[PATH_MAX];
	int err;

	if (!arg || !arg[0])
		return -EINVAL;
	if (arg[0] == '/') {
		err = on_cgroup2(arg);
		if (err != -ENOENT) {
			if (!err && (size_t)snprintf(path, len, "%s", arg) >= len)
				return -ENAMETOOLONG;
			return err;
		}
	}
	err = odm_cgroup2_root(root, sizeof(root));
	if (err)
		return err;
	if ((size_t)snprintf(path, len, "%s/%s", root, arg + (arg[0] == '/')) >= len)
		return -ENAMETOOLONG;
	return on_cgroup2(path);
}
