// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgroup.c - cgroup v2 helpers: where the hierarchy is mounted, a cgroup's
 * id (what odm_policy is keyed by and what bpf_get_current_cgroup_id()
 * returns) and the path of an id, so odmd and the CLI can name the cgroups
 * the maps speak of.
 *
 * What a user types for a cgroup, odmd --cgroup or odm policy ... cgroup
 * PATH, is either the full path or one relative to wherever cgroup2 is
 * mounted (/sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on
 * hybrid ones): odm_cgroup_resolve() accepts both.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "core.h"

/* mountinfo escapes ' ', '\t', '\n' and '\\' as three octal digits. */
static int unescape_octal(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	if (!len)
		return -ENAMETOOLONG;
	while (*src) {
		char c = *src++;

		if (c == '\\' && src[0] >= '0' && src[0] <= '3' && src[1] >= '0' &&
		    src[1] <= '7' && src[2] >= '0' && src[2] <= '7') {
			c = (char)((src[0] - '0') << 6 | (src[1] - '0') << 3 | (src[2] - '0'));
			src += 3;
		}
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return 0;
}

/*
 * A mountinfo line is "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTS"; the optional fields make the fstype's position
 * vary, so find the lone "-" first.  Sets *mnt to the (still escaped) mount
 * point when the fstype is cgroup2.
 */
static bool mountinfo_is_cgroup2(char *line, char **mnt)
{
	char *save = NULL, *tok;
	bool dash = false;
	int field = 0;

	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (field == 4)
			*mnt = tok;
		if (dash)
			return strcmp(tok, "cgroup2") == 0;
		if (field >= 6 && strcmp(tok, "-") == 0)
			dash = true;
		field++;
	}
	return false;
}

int odm_cgroup2_root_in(FILE *mountinfo, char *buf, size_t len)
{
	char *line = NULL, *mnt = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	while (getline(&line, &cap, mountinfo) > 0) {
		if (mountinfo_is_cgroup2(line, &mnt)) {
			err = unescape_octal(buf, len, mnt);
			break;
		}
	}
	free(line);
	return err;
}

int odm_cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int err;

	if (!f)
		return -errno;
	err = odm_cgroup2_root_in(f, buf, len);
	fclose(f);
	return err;
}

/*
 * cgroupfs (kernfs) encodes a directory's 64-bit id as its file handle; this
 * is the value bpf_get_current_cgroup_id() returns, and on 64-bit hosts also
 * the inode number.
 */
static int cgroup_handle_id(const char *path, __u64 *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(__u64)];
	} h;
	int mount_id;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(__u64);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(__u64))
		return -EINVAL;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int odm_cgroup_id(const char *path, __u64 *id)
{
	struct statfs sfs;

	/* Other filesystems have file handles too; their ids would mean nothing. */
	if (statfs(path, &sfs) < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;	/* as odm_cgroup_resolve() says it */
	return cgroup_handle_id(path, id);
}

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

/* Deeper than any real hierarchy; only bounds the recursion. */
#define CGROUP_MAX_DEPTH 64

/*
 * Depth-first search for the directory with the given id.  path (of size
 * cap) holds the current directory and, on success, the match.  Returns 1
 * when found, 0 when not.  Directories that vanish or cannot be read while
 * we walk are skipped: the tree changes under us and that is not an error.
 */
static int cgroup_find(char *path, size_t cap, __u64 id, int depth)
{
	size_t plen = strlen(path);
	struct dirent *de;
	__u64 cur;
	DIR *d;
	int found = 0;

	if (cgroup_handle_id(path, &cur) == 0 && cur == id)
		return 1;
	if (depth >= CGROUP_MAX_DEPTH)
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path + plen, cap - plen, "/%s", de->d_name) >= (int)(cap - plen))
			continue;
		found = cgroup_find(path, cap, id, depth + 1);
	}
	if (!found)
		path[plen] = '\0';
	closedir(d);
	return found;
}

int odm_cgroup_path(__u64 id, char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *rel;
	size_t rootlen;
	int err;

	err = odm_cgroup2_root(path, sizeof(path));
	if (err)
		return err;
	rootlen = strlen(path);
	if (!cgroup_find(path, sizeof(path), id, 0))
		return -ENOENT;
	rel = path[rootlen] ? path + rootlen : "/";
	if (strlen(rel) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	return 0;
}
