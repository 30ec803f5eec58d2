/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * odmd.h - what odmd's own files share; internal to odmd.
 *
 *   args.c    the command line: struct odmd_opts, --help
 *   apply.c   the configuration file, into the maps
 *   attach.c  bpffs, the programs attached through pinned links, --unload
 *   odmd.c    main: open -> load -> fill maps -> attach -> the event loop
 */
#ifndef ODMD_H
#define ODMD_H

#include <stdbool.h>
#include <linux/types.h>

#include "core.h"
#include "lifetime.h"
#include "ondemand.h"

struct bpf_object;

/* The configuration file read when --config names none. */
#define ODM_CONFIG_FILE "/etc/odm/odm.conf"

/* What the command line and the config file ask for; parse_args() fills it. */
struct odmd_opts {
	const char *cgroup;	/* as given */
	const char *config;	/* NULL: none (the default file is missing) */
	bool config_given;	/* --config: a missing file is an error */
	unsigned int given;	/* options the flags set, bits 1 << enum odm_config_opt */
	unsigned int lifetime_given;	/* --lifetime types, bits 1 << enum odm_type */
	struct odm_config file;	/* the file's options; its strings back those above */
	bool syslog_prefix;	/* --syslog-prefix */
	const char *pin_dir;
	const char *dhcp6_devs[ODM_MAX_NETS];	/* --dhcp6, in order */
	unsigned int n_dhcp6;
	const char *lease_file;
	unsigned int dhcp6_option;
	unsigned int dhcp6_max_rt_ms;
	unsigned int dhcp6_untyped;	/* --dhcp6-untyped: bits 1 << type */
	unsigned int grace_s;	/* graceful replacement period */
	struct odm_lifetimes lifetimes;	/* per type; --lifetime */
	struct odm_iid_conf iid;	/* --iid, --secret-file */
	const char *iid_arg;
	const char *secret_file;
	int notify_fd;		/* -1: none */
	unsigned int addr_map_size;	/* odm_addr_use, odm_tx entries; 0: as built */
	unsigned int net_per_min;	/* --net-rate */
	unsigned int net_max_held;	/* --net-max-held */
	unsigned int sl_linger_s;	/* --sl-linger */
	bool once;
	bool ra;		/* type prefixes from router advertisements */
	bool no_egress;		/* --no-egress-routes: no source routes (egress.c) */
	bool no_setsockopt;	/* --no-setsockopt: no cgroup/setsockopt program */
	bool unload;
	bool verbose;
};

/* ---- args.c ---------------------------------------------------------------- */

/*
 * Parse odmd's arguments into *o, with every default filled in, then the
 * config file's options under them: a flag overrides the file's keyword
 * (--dhcp6 adds to the file's networks, as before).  0, or what main
 * returns: 2 for a usage error, 1 for a bad or missing config file, with
 * one line saying what is wrong (FILE:LINE for the file).  --help and
 * --version print and exit.  odm_config_free(&o->file) when done.
 */
int parse_args(int argc, char **argv, struct odmd_opts *o);

/* ---- apply.c --------------------------------------------------------------- */

/* Check a configuration file only (NULL: none), so that a bad one is
 * refused before anything loads.  0 or -errno; what is wrong is logged. */
int check_config(const char *path);
/* Every --dhcp6 interface exists: 0, or -ENODEV with a line naming it. */
int check_dhcp6_devs(const struct odmd_opts *o);
/*
 * The networks to ask for prefixes, in order of preference: the config's
 * `network` lines in file order, then the --dhcp6 interfaces the config
 * does not name (every type), in command-line order.  The first keeps its
 * leases in --lease-file FILE, the others in FILE.IFNAME.  Read at start
 * only.  How many (at most max), or -errno with what is wrong logged (a
 * config interface that does not exist: FILE:LINE).
 */
int resolve_networks(const struct odmd_opts *o, struct odm_ondemand_net *nets, unsigned int max);
/*
 * Load and apply a configuration (NULL: none): the config-sourced prefixes
 * of odm_prefixes become the file's (CLI-added ones stay), and its default
 * type, if any, that of cgroup cgid.  Nothing changes on a bad file.
 * 0 or -errno; what is wrong with the file or a map update is logged.
 */
int apply_config(struct odm_maps *m, const char *path, __u64 cgid);
/*
 * Once a second: a cgroup the applied file names by path that was made
 * anew (another id), or that appeared, gets its policy; the key of the
 * one that went is deleted.
 */
void policies_tick(struct odm_maps *m);
/*
 * odm's own cgroup was made anew (attach_follow): the old id's policy
 * goes, and the default line of the configuration applied last goes to the
 * new id, as apply_config() would, without reading the file again.
 */
void config_cgroup_renewed(struct odm_maps *m, __u64 old, __u64 cgid);
/* Prefixes and policies of the configuration applied last (STATUS=). */
void config_counts(size_t *prefixes, size_t *policies);
/* Free what apply_config() remembers. */
void config_release(void);

/* ---- attach.c -------------------------------------------------------------- */

/* Mount bpffs at /sys/fs/bpf when pin_dir is under it and it is missing. */
int ensure_bpffs(const char *pin_dir);
/*
 * Attach every program of the loaded object to the cgroup at cgpath (id
 * cgid) and pin its link in pin_dir; where the link is pinned already,
 * swap the program in (a reload leaves no window without odm).  A link
 * whose cgroup is gone (the kernel says id 0, or names one found nowhere
 * in the cgroup2 tree) is replaced.  -EBUSY when those links belong to
 * another, living cgroup; 0 or -errno.
 */
int attach_all(struct bpf_object *obj, const char *pin_dir, const char *cgpath, __u64 cgid,
	       bool no_setsockopt);

/* What attach_follow() knows of the cgroup odmd attached to. */
struct attach_state {
	__u64 cgid;	/* the cgroup the programs are attached to */
	__u64 failed;	/* a new cgroup at the path that attaching failed to (logged) */
	bool gone;	/* the path was missing at the last look (logged) */
};
/*
 * The 1 s tick: the cgroup at cgpath was removed and made again (a slice
 * stopped and started, an administrator's rmdir and mkdir).  The kernel
 * detached the programs from the old one when it went; attach them to the
 * new one and set st->cgid.  1 when it did, 0 when nothing changed or the
 * path is missing (said once), -errno when attaching failed (said once,
 * tried again on the next call).
 */
int attach_follow(struct bpf_object *obj, const char *pin_dir, const char *cgpath,
		  bool no_setsockopt, struct attach_state *st);
/* Remove every pin obj makes from pin_dir (the links first: that detaches
 * the programs), then pin_dir itself.  0 or -errno. */
int unpin_all(struct bpf_object *obj, const char *pin_dir);

#endif
