// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odmd - loads odm's BPF programs, pins them, attaches them to a cgroup v2
 * and keeps the typed-prefix map in step with the kernel's addresses.
 *
 *   open -> set rodata -> load (maps reused from the pins) -> fill maps ->
 *   attach (or atomically replace the programs of pinned links) -> pin ->
 *   watch rtnetlink until SIGTERM.
 *
 * This file is main, that sequence (run()) and the event loop (watch());
 * the command line is args.c's, the configuration file apply.c's, the
 * pins and attachments attach.c's (odmd.h).
 *
 * What the programs need lives in the pinned maps, not in odmd's memory:
 * it can be killed at any moment, the programs stay attached through the
 * pinned links, and a restart reconciles the maps with the kernel.  DHCPv6
 * leases survive in the lease file.  Retired addresses waiting for their
 * last socket, rate windows and held-prefix counts are in memory and start
 * again after a restart (README: odmd and its configuration).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core.h"
#include "odm.skel.h"
#include "ondemand.h"
#include "ra.h"
#include "graceful.h"
#include "lifetime.h"
#include "egress.h"
#include "log.h"
#include "notify.h"
#include "odmd.h"

static int sync_kernel(struct odm_maps *m)
{
	int n = odm_sync_kernel(m);

	if (n < 0)
		logmsg("cannot sync with the kernel's addresses: %s", strerror(-n));
	else if (n > 0)
		debug("synced: %d prefix%s changed", n, n == 1 ? "" : "es");
	return n < 0 ? n : 0;
}

static void on_replaced(void *ctx, __u8 type, __u32 grace_s, const __u32 old_addr[4],
			const __u32 new_addr[4])
{
	if (ctx)
		odm_ondemand_replaced(ctx, type, grace_s, old_addr, new_addr);
}

/*
 * Keys of addresses that are gone and that no socket counts (section 3.4):
 * after every change of the kernel's addresses and every second, so the
 * per-address maps stay as small as what is in use.
 */
static void reap(struct odm_maps *m)
{
	int n = odm_addr_reap(m);

	if (n < 0)
		logmsg("cannot reap the per-address maps: %s", strerror(-n));
	else if (n)
		debug("reaped %d per-address map keys", n);
}

/* Follow the kernel, then let a newer graceful-replacement prefix replace
 * the older ones (section 3.2). */
static void resync(const struct odmd_opts *o, struct odm_maps *m, struct odm_ondemand *od)
{
	int n;

	if (sync_kernel(m))
		return;
	n = odm_graceful_check(m, o->grace_s, on_replaced, od);
	if (n > 0)
		sync_kernel(m);		/* the deprecated addresses */
	reap(m);
}

static int on_addr_event(const struct odm_kaddr *ka, bool is_new, void *ctx)
{
	char buf[INET6_ADDRSTRLEN];

	debug("%s %s/%u ifindex %u", is_new ? "new" : "del", odm_addr_str(ka->addr, buf), ka->plen,
	      ka->ifindex);
	*(bool *)ctx = true;
	return 0;
}

static int count_prefix(const struct odm_prefix_key *key, const struct odm_prefix *val, void *ctx)
{
	(*(unsigned int *)ctx)++;
	return 0;
}

/* STATUS= for systemctl status, after what the first lines (READY=1...) say. */
static void notify_status(const char *lines, const char *cgpath, struct odm_maps *m,
			  const char *note)
{
	unsigned int n = 0;
	size_t cfg_prefixes, policies;

	odm_prefix_foreach(m, count_prefix, &n);
	config_counts(&cfg_prefixes, &policies);
	notify("%sSTATUS=attached to %s, %u prefix%s, %zu polic%s from the config%s", lines, cgpath,
	       n, n == 1 ? "" : "es", policies, policies == 1 ? "y" : "ies", note);
}

/* CLOCK_MONOTONIC in us, as MONOTONIC_USEC= wants it. */
static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
}

#define MAX_POLLFDS 300
#define LIFETIME_TICK_MS 1000

/* The attached cgroup was made anew (attach_follow): odm_info names it,
 * and its policy follows (config_cgroup_renewed()). */
static void cgroup_renewed(struct odm_maps *m, __u64 old, __u64 cgid)
{
	struct odm_info info;
	__u32 key = 0;

	if (bpf_map_lookup_elem(m->info, &key, &info) == 0) {
		info.cgroup_id = cgid;
		if (bpf_map_update_elem(m->info, &key, &info, BPF_ANY))
			logmsg("cannot update odm_info: %s", strerror(errno));
	}
	config_cgroup_renewed(m, old, cgid);
}

/*
 * Follow address changes and serve on-demand requests until SIGTERM/SIGINT;
 * SIGHUP re-reads the config.
 */
static int watch(const struct odmd_opts *o, struct odm_maps *m, struct bpf_object *obj,
		 const char *cgpath, __u64 cgid, struct odm_ondemand *od, struct odm_ra *ra)
{
	struct attach_state att = { .cgid = cgid };
	struct pollfd pfd[MAX_POLLFDS];
	struct signalfd_siginfo si;
	struct odm_retired *retired;
	struct odm_egress *eg;
	__u64 next_tick = 0;
	sigset_t mask;
	int nlfd, sfd, err = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		logmsg("signalfd: %s", strerror(errno));
		return -errno;
	}
	nlfd = odm_nl_monitor_open();
	if (nlfd < 0) {
		logmsg("cannot subscribe to address events: %s", strerror(-nlfd));
		close(sfd);
		return nlfd;
	}
	retired = odm_retired_new();
	/* Disabled, it still withdraws the routes an earlier odmd left. */
	eg = retired ? odm_egress_new(!o->no_egress) : NULL;
	if (!eg) {
		err = retired ? -errno : -ENOMEM;
		if (retired)
			logmsg("cannot subscribe to route events: %s", strerror(-err));
		odm_retired_free(retired);
		close(nlfd);
		close(sfd);
		return err;
	}
	/* Events between the first sync and the subscription: sync once more. */
	err = sync_kernel(m);
	resync(o, m, od);
	odm_egress_reconcile(eg, m);
	while (!err) {
		bool changed = false, egress_due;
		int n = 4, ret, timeout;
		__u64 old;

		pfd[0] = (struct pollfd){ .fd = nlfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* poll() skips a negative fd: the slot stays put without --ra. */
		pfd[2] = (struct pollfd){ .fd = ra ? odm_ra_fd(ra) : -1, .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = odm_egress_fd(eg), .events = POLLIN };
		if (od)
			n += odm_ondemand_pollfds(od, pfd + 4, MAX_POLLFDS - 4);
		timeout = od ? odm_ondemand_timeout_ms(od) : -1;
		/* Lifetimes are checked once a second. */
		if (timeout < 0 || timeout > LIFETIME_TICK_MS)
			timeout = LIFETIME_TICK_MS;
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (pfd[0].revents) {
			ret = odm_nl_monitor_read(nlfd, on_addr_event, &changed);
			if (ret == -ENOBUFS)
				changed = true;		/* lost events: full resync */
			else if (ret < 0)
				logmsg("reading address events: %s", strerror(-ret));
			if (changed)
				resync(o, m, od);
		}
		if (pfd[2].revents) {
			odm_ra_process(ra);
			resync(o, m, od);	/* a newer graceful-replacement prefix */
		}
		if (od)
			odm_ondemand_process(od, pfd + 4, n - 4);
		/* Egress routes follow every address sync, route event and tick. */
		egress_due = (pfd[3].revents && odm_egress_process(eg)) || changed ||
			     pfd[2].revents || odm_boottime_ns() >= next_tick;
		if (odm_boottime_ns() >= next_tick) {
			next_tick = odm_boottime_ns() + LIFETIME_TICK_MS * 1000000ull;
			if (odm_lifetime_check(m, &o->lifetimes, retired, on_replaced, od) > 0)
				resync(o, m, od);
			/* Graceful-replacement addresses whose last socket closed
			 * since a requested prefix superseded them. */
			if (odm_graceful_check(m, o->grace_s, on_replaced, od) > 0)
				sync_kernel(m);
			/* Sockets closed since: their retired addresses. */
			reap(m);
			if (ra && odm_ra_expire(ra) > 0)
				resync(o, m, od);
			/* Slices made anew since: their policies (apply.c). */
			policies_tick(m);
			/* Our own cgroup made anew: the programs follow it. */
			old = att.cgid;
			if (attach_follow(obj, o->pin_dir, cgpath, o->no_setsockopt, &att) > 0) {
				cgroup_renewed(m, old, att.cgid);
				log_info("attached to %s", cgpath);
			}
		}
		if (egress_due)
			odm_egress_reconcile(eg, m);
		if (pfd[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				const char *cfg = o->config ? o->config : "(no config)";

				log_info("SIGHUP: reloading %s", cfg);
				notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
				       monotonic_usec(), cfg);
				ret = apply_config(m, o->config, att.cgid);
				if (ret == 0)
					resync(o, m, od);
				/* A bad file changed nothing: odmd runs on as it was. */
				notify_status("READY=1\n", cgpath, m, ret ? "; reload failed (see "
					      "the log), the running configuration kept" : "");
				continue;
			}
			debug("signal %u: exiting, programs stay attached", si.ssi_signo);
			notify("STOPPING=1\nSTATUS=stopping on signal %u; the programs stay "
			       "attached", si.ssi_signo);
			break;
		}
	}
	close(nlfd);
	close(sfd);
	odm_retired_free(retired);
	odm_egress_free(eg);	/* its routes stay, as the programs do (egress.c) */
	return err;
}

/* RFC 7217's secret: read it, or make it (0600) on first use. */
static int load_secret(const char *path, unsigned char secret[16])
{
	char dir[PATH_MAX], *slash;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, secret, 16);
		close(fd);
		if (n == 16)
			return 0;
		logmsg("%s: not a 16-byte secret", path);
		return -EINVAL;
	}
	if (errno != ENOENT) {
		logmsg("cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	if (getrandom(secret, 16, 0) != 16)
		return -EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, secret, 16) != 16) {
		logmsg("cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* The request server and, with networks (--dhcp6, the config's), their DHCPv6 clients. */
static struct odm_ondemand *start_ondemand(const struct odmd_opts *o, struct odm_maps *m,
					   const char *cgpath)
{
	struct odm_ondemand_opts oo = {
		.sz = sizeof(oo),
		.maps = m,
		.dhcp6_option = (__u16)o->dhcp6_option,
		.dhcp6_max_rt_ms = o->dhcp6_max_rt_ms,
		.dhcp6_untyped = o->dhcp6_untyped,
		.iid = &o->iid,
		.net_per_min = o->net_per_min,
		.net_max_held = o->net_max_held,
		.sl_linger_s = o->sl_linger_s,
	};
	struct odm_ondemand_net nets[ODM_MAX_NETS];
	char root[PATH_MAX];
	struct odm_ondemand *od;
	size_t n;
	int nn;

	if (odm_cgroup_id(cgpath, &oo.cgroup_id))
		oo.cgroup_id = 0;
	if (odm_cgroup2_root(root, sizeof(root)) == 0) {
		n = strlen(root);
		oo.cgroup = strncmp(cgpath, root, n) == 0 && cgpath[n] ? cgpath + n : "/";
	}
	nn = resolve_networks(o, nets, ODM_MAX_NETS);
	if (nn < 0)
		return NULL;
	if (nn) {
		char dir[PATH_MAX], *slash;

		/* The lease files' directory (/var/lib/odm) may not exist yet. */
		snprintf(dir, sizeof(dir), "%s", o->lease_file);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0700) && errno != EEXIST)
				logmsg("cannot create %s: %s", dir, strerror(errno));
		}
	}
	oo.nets = nets;
	oo.n_nets = (unsigned int)nn;
	od = odm_ondemand_new(&oo);
	if (!od)
		logmsg("cannot serve on-demand requests: %s; exiting", strerror(errno));
	return od;
}

static int write_info(struct odm_bpf *skel, __u64 cgid)
{
	struct odm_info info = {
		.cgroup_id = cgid,
		.loaded_ns = odm_boottime_ns(),
		.maps_version = ODM_MAPS_VERSION,
	};
	__u32 key = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.odm_info), &key, &info, BPF_ANY);
}

/*
 * odm_policy_filter from the policies the pinned odm_policy holds: it is
 * new to maps an odm before it pinned (ODM_MAPS_VERSION 6), and a policy
 * written around odm_policy_set() would otherwise go unseen.
 */
static int filter_policies(struct odm_maps *m)
{
	int err;

	err = odm_maps_lock(m);
	if (!err) {
		err = odm_policy_filter_sync(m);
		odm_maps_unlock(m);
	}
	if (err)
		logmsg("cannot read the policies: %s", strerror(-err));
	return err;
}

/*
 * The cgroup to attach to.  The config file's is made when it is missing
 * but its parent is there: the shipped file names odm.slice, whose
 * directory exists only once systemd starts the slice or a unit in it,
 * and odm must be attached before the first such unit starts.  A --cgroup
 * typed by hand that names nothing is more likely a typo: refused.
 */
static int make_cgroup(const char *arg, bool create, char *path, size_t len)
{
	char root[PATH_MAX];
	size_t n;
	int err;

	err = odm_cgroup_resolve(arg, path, len);
	if (err != -ENOENT || !create || odm_cgroup2_root(root, sizeof(root)))
		return err;
	n = strlen(root);
	/* An absolute path under the mount is itself; anything else is relative to
	 * the root, where odm_cgroup_resolve() looked last. */
	if (!strncmp(arg, root, n) && arg[n] == '/' &&
	    (size_t)snprintf(path, len, "%s", arg) >= len)
		return -ENAMETOOLONG;
	if (mkdir(path, 0755))
		return errno == ENOENT ? -ENOENT : -errno;
	log_info("created cgroup %s", path);
	return 0;
}

static void notify_ready(int fd)
{
	static const char ready[] = "READY\n";

	if (fd < 0)
		return;
	if (write(fd, ready, sizeof(ready) - 1) < 0)
		logmsg("cannot notify fd %d: %s", fd, strerror(errno));
	close(fd);
}

static int run(struct odmd_opts *o)
{
	struct odm_maps m = { .prefixes = -1 };
	struct odm_bpf *skel = NULL;
	struct odm_ondemand *od = NULL;
	struct odm_ra *ra = NULL;
	char cgpath[PATH_MAX];
	__u64 cgid;
	int err;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o->pin_dir);

	err = check_config(o->config);
	if (err)
		return err;
	if (o->iid.stable && !o->once) {
		err = load_secret(o->secret_file, o->iid.secret);
		if (err)
			return err;
	}
	err = make_cgroup(o->cgroup, !(o->given & (1u << ODM_OPT_CGROUP)), cgpath, sizeof(cgpath));
	if (err) {
		logmsg("cannot use cgroup %s: %s", o->cgroup,
		       err == -ENOTDIR ? "not a cgroup v2 directory" : strerror(-err));
		return err;
	}
	err = odm_cgroup_id(cgpath, &cgid);
	if (err) {
		logmsg("cannot get the id of cgroup %s: %s", cgpath, strerror(-err));
		return err;
	}
	err = ensure_bpffs(o->pin_dir);
	if (err)
		return err;
	if (mkdir(o->pin_dir, 0750) && errno != EEXIST) {
		logmsg("cannot create %s: %s", o->pin_dir, strerror(errno));
		return -errno;
	}

	skel = odm_bpf__open_opts(&open_opts);
	if (!skel) {
		err = -errno;
		logmsg("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	skel->rodata->page_size = (__u32)sysconf(_SC_PAGESIZE);
	/* Pinned maps are reused as they are: the size counts at first load. */
	if (o->addr_map_size &&
	    (bpf_map__set_max_entries(skel->maps.odm_addr_use, o->addr_map_size) ||
	     bpf_map__set_max_entries(skel->maps.odm_tx, o->addr_map_size))) {
		err = -EINVAL;
		logmsg("cannot size the per-address maps");
		goto cleanup_skel;
	}
	err = odm_bpf__load(skel);
	if (err) {
		logmsg("cannot load the BPF programs: %s%s", strerror(-err),
		       err == -EINVAL ? " (pinned maps of another odm version? run odmd --unload)" : "");
		goto cleanup_skel;
	}
	err = write_info(skel, cgid);
	if (err)
		goto cleanup_skel;

	err = odm_maps_open(&m, o->pin_dir);
	if (err) {
		logmsg("cannot open the maps pinned in %s: %s", o->pin_dir, strerror(-err));
		goto cleanup_skel;
	}
	err = filter_policies(&m);
	if (err)
		goto cleanup_maps;
	err = apply_config(&m, o->config, cgid);
	if (err)
		goto cleanup_maps;
	err = sync_kernel(&m);
	if (err)
		goto cleanup_maps;
	err = attach_all(skel->obj, o->pin_dir, cgpath, cgid, o->no_setsockopt);
	if (err)
		goto cleanup_maps;
	log_info("attached to %s, maps and links pinned in %s", cgpath, o->pin_dir);

	if (!o->once) {
		od = start_ondemand(o, &m, cgpath);
		if (!od) {
			err = -EINVAL;
			goto cleanup_maps;
		}
		ra = o->ra ? odm_ra_new(&m) : NULL;
		if (o->ra && !ra) {
			err = -errno;
			logmsg("cannot listen for router advertisements: %s", strerror(-err));
			goto cleanup_od;
		}
	}
	notify_ready(o->notify_fd);
	notify_status("READY=1\n", cgpath, &m, "");
	if (!o->once)
		err = watch(o, &m, skel->obj, cgpath, cgid, od, ra);
	else
		notify("STOPPING=1");
	odm_ra_free(ra);
cleanup_od:
	odm_ondemand_free(od);

cleanup_maps:
	odm_maps_close(&m);
cleanup_skel:
	odm_bpf__destroy(skel);		/* links are pinned: programs stay attached */
	return err;
}

/* odmd --unload: the object, opened but not loaded, names the pins. */
static int unload(const struct odmd_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o->pin_dir);
	struct odm_bpf *skel;
	int err, n;

	skel = odm_bpf__open_opts(&open_opts);
	if (!skel) {
		err = -errno;
		logmsg("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = unpin_all(skel->obj, o->pin_dir);
	odm_bpf__destroy(skel);
	/* The routes outlive odmd as the programs do; they go with them. */
	n = odm_egress_flush();
	if (n < 0)
		logmsg("cannot remove the egress routes (proto %d): %s", RTPROT_ODM, strerror(-n));
	return err ? err : n < 0 ? n : 0;
}

int main(int argc, char **argv)
{
	struct odmd_opts o;
	int ret;

	log_init(false);
	ret = parse_args(argc, argv, &o);
	if (ret)
		goto out;
	log_init(o.syslog_prefix);
	odmd_verbose = o.verbose;
	libbpf_set_print(log_libbpf);
	if (o.unload)
		ret = unload(&o) ? 1 : 0;
	else if (!o.once && check_dhcp6_devs(&o))
		ret = 2;	/* an interface named on the command line does not exist */
	else {
		/* Without the socket odmd still runs: the manager then sees no READY. */
		notify_init();
		ret = run(&o);
		if (ret)
			notify("STATUS=failed: %s (see the log)\nERRNO=%d", strerror(-ret), -ret);
		ret = ret ? 1 : 0;
		notify_close();
		config_release();
	}
out:
	odm_config_free(&o.file);
	return ret;
}
