// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach.c - odmd's pins and cgroup attachments: bpffs where the pin
 * directory needs it, each program attached to the cgroup through a
 * pinned link (or swapped into the link already pinned), and odmd
 * --unload.  The pins are named after the BPF object; libbpf itself pins
 * the maps when the object loads (open_opts.pin_root_path).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "odmd.h"

#define BPFFS_ROOT "/sys/fs/bpf"

int ensure_bpffs(const char *pin_dir)
{
	struct statfs sfs;

	if (strncmp(pin_dir, BPFFS_ROOT "/", sizeof(BPFFS_ROOT)) != 0)
		return 0;	/* elsewhere: the operator's bpffs */
	if (statfs(BPFFS_ROOT, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
		logmsg("cannot mount bpffs on %s: %s", BPFFS_ROOT, strerror(errno));
		return -errno;
	}
	debug("mounted bpffs on %s", BPFFS_ROOT);
	return 0;
}

/*
 * Pins are named after the BPF object, never listed by hand.  libbpf pins
 * every map the object marks LIBBPF_PIN_BY_NAME under its own name in the
 * pin directory (open_opts.pin_root_path; bpf_map__pin_path() says where).
 * Each program is held by a pinned link, link_NAME, NAME the program's
 * name without its odm_ prefix (odm_connect6: link_connect6).
 */
static int link_pin_path(char *buf, size_t len, const char *dir, const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	if (!strncmp(name, "odm_", 4))
		name += 4;
	if ((size_t)snprintf(buf, len, "%s/link_%s", dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Attach one program, or swap it into the link already pinned for it (so a
 * reload never leaves a window without odm).  A pinned link must belong to
 * the same cgroup, unless that cgroup is gone: the kernel detached the
 * program when it was removed, and the link says cgroup id 0.  Until the
 * kernel has done so, which waits for the last socket made in the removed
 * cgroup to be freed (an orphaned TCP socket can take a minute), the link
 * still names the old id, which is nowhere in the cgroup2 tree (cgroup v2
 * has no rename: a live cgroup has a directory).  Such a link is unpinned
 * and the program attached anew.
 */
static bool link_cgroup_gone(__u64 link_cgid)
{
	char rel[PATH_MAX];

	return link_cgid == 0 || odm_cgroup_path(link_cgid, rel, sizeof(rel)) == -ENOENT;
}

static int attach_one(struct bpf_program *prog, const char *pin_dir, int cgfd, __u64 cgid,
		      const char *cgpath)
{
	struct bpf_link_info info;
	__u32 info_len = sizeof(info);
	struct bpf_link *link;
	char path[PATH_MAX];
	int err;

	err = link_pin_path(path, sizeof(path), pin_dir, prog);
	if (err)
		return err;
	link = access(path, F_OK) == 0 ? bpf_link__open(path) : NULL;
	if (link) {
		bool other;

		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &info_len);
		other = !err && info.type == BPF_LINK_TYPE_CGROUP && info.cgroup.cgroup_id != cgid;
		if (other && link_cgroup_gone(info.cgroup.cgroup_id)) {
			bpf_link__destroy(link);
			if (unlink(path)) {
				logmsg("cannot remove %s: %s", path, strerror(errno));
				return -errno;
			}
			debug("%s: its cgroup (id %llu) is gone, attaching anew", path,
			      (unsigned long long)info.cgroup.cgroup_id);
			link = NULL;
		} else if (other) {
			logmsg("odm is attached to another cgroup (id %llu) through %s; "
			       "run odmd --unload first", (unsigned long long)info.cgroup.cgroup_id, path);
			err = -EBUSY;
		} else if (!err) {
			err = bpf_link__update_program(link, prog);
			if (err)
				logmsg("cannot replace the program of %s: %s", path, strerror(-err));
		}
		if (link) {
			bpf_link__destroy(link);	/* the pin keeps it attached */
			return err;
		}
	}
	link = bpf_program__attach_cgroup(prog, cgfd);
	if (!link) {
		err = -errno;
		logmsg("cannot attach %s to %s: %s", bpf_program__section_name(prog), cgpath,
		       strerror(-err));
		return err;
	}
	err = bpf_link__pin(link, path);
	if (err)
		logmsg("cannot pin %s: %s", path, strerror(-err));
	bpf_link__destroy(link);		/* pinned: stays attached; else detached */
	return err;
}

/*
 * odmd --no-setsockopt: the setsockopt program stays loaded but is not
 * attached, and a link an earlier odmd pinned for it is removed (the pin
 * is the link's last reference: the program is detached).
 */
static int detach_one(struct bpf_program *prog, const char *pin_dir)
{
	char path[PATH_MAX];
	int err;

	err = link_pin_path(path, sizeof(path), pin_dir, prog);
	if (err)
		return err;
	if (unlink(path) == 0) {
		debug("removed %s: %s not attached", path, bpf_program__section_name(prog));
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	logmsg("cannot remove %s: %s", path, strerror(errno));
	return -errno;
}

int attach_all(struct bpf_object *obj, const char *pin_dir, const char *cgpath, __u64 cgid,
	       bool no_setsockopt)
{
	struct bpf_program *prog;
	int cgfd, err = 0;

	cgfd = open(cgpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		logmsg("cannot open %s: %s", cgpath, strerror(errno));
		return -errno;
	}
	bpf_object__for_each_program(prog, obj) {
		if (no_setsockopt &&
		    bpf_program__expected_attach_type(prog) == BPF_CGROUP_SETSOCKOPT)
			err = detach_one(prog, pin_dir);
		else
			err = attach_one(prog, pin_dir, cgfd, cgid, cgpath);
		if (err)
			break;
	}
	close(cgfd);
	return err;
}

int attach_follow(struct bpf_object *obj, const char *pin_dir, const char *cgpath,
		  bool no_setsockopt, struct attach_state *st)
{
	__u64 id;
	int err;

	if (odm_cgroup_id(cgpath, &id)) {
		if (!st->gone)
			log_info("cgroup %s is gone: odm attaches to it again when it is made",
				 cgpath);
		st->gone = true;
		return 0;
	}
	st->gone = false;
	if (id == st->cgid)
		return 0;
	if (id != st->failed)
		log_info("cgroup %s was made anew (id %llu, was %llu): attaching to it", cgpath,
			 (unsigned long long)id, (unsigned long long)st->cgid);
	err = attach_all(obj, pin_dir, cgpath, id, no_setsockopt);
	if (err) {
		st->failed = id;	/* tried again next tick, logged once */
		return err;
	}
	st->failed = 0;
	st->cgid = id;
	return 1;
}

int unpin_all(struct bpf_object *obj, const char *pin_dir)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[PATH_MAX];
	const char *pin;
	int err = 0;

	bpf_object__for_each_program(prog, obj) {
		if (link_pin_path(path, sizeof(path), pin_dir, prog) == 0 &&
		    unlink(path) && errno != ENOENT) {
			logmsg("cannot remove %s: %s", path, strerror(errno));
			err = -errno;
		}
	}
	bpf_object__for_each_map(map, obj) {
		pin = bpf_map__pin_path(map);
		if (pin && unlink(pin) && errno != ENOENT) {	/* NULL: not pinned (.rodata) */
			logmsg("cannot remove %s: %s", pin, strerror(errno));
			err = -errno;
		}
	}
	if (rmdir(pin_dir) && errno != ENOENT) {
		logmsg("cannot remove %s: %s", pin_dir, strerror(errno));
		err = -errno;
	}
	return err;
}
