// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * service.c - odmd as a system service: systemd's readiness protocol on
 * $NOTIFY_SOCKET, and the config file's options and policies by cgroup
 * path, which must outlive a slice that is removed and made again.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <bpf/bpf.h>

#include "netns.h"

/* Where the tests find odmd, as tests/lib/env.c does. */
#define ODMD "build/odmd"

/* A datagram socket bound where odmd's NOTIFY_SOCKET will point; -1 on error. */
static int notify_listen(const char *path, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + !abstract);
	if (abstract)
		sa.sun_path[0] = '\0';	/* "@name" */
	if (bind(fd, (struct sockaddr *)&sa, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The next datagram, as text; false when none came within 10 s. */
static bool notify_recv(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 10000) != 1)
		return false;
	n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
}

/* Start odmd with NOTIFY_SOCKET set for it alone. */
static bool start_notified(struct env *e, const char *sock)
{
	bool ok;

	setenv("NOTIFY_SOCKET", sock, 1);
	ok = env_start_odmd(e);
	unsetenv("NOTIFY_SOCKET");
	return ok;
}

/*
 * sd_notify(3) as systemd's Type=notify needs it: READY=1 only once the
 * maps are filled, RELOADING=1 with MONOTONIC_USEC then READY=1 around a
 * SIGHUP (a bad file too, which keeps what runs), STOPPING=1 at SIGTERM,
 * and STATUS lines that say where odm is attached.
 */
void test_sd_notify(void)
{
	char path[200], msg[1024], want[4400], out[8192], before[8192];
	unsigned long long t0, t1, usec;
	const char *p;
	struct env e;
	int fd = -1, round;

	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") ||
	    !ASSERT_TRUE(add_base_addrs(&e), "addresses"))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/notify", e.tmpdir);
	fd = notify_listen(path, false);
	if (!ASSERT_TRUE(fd >= 0, "notify socket") ||
	    !ASSERT_TRUE(start_notified(&e, path), "odmd"))
		goto cleanup;
	if (!ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "a datagram at start"))
		goto cleanup;
	snprintf(want, sizeof(want), "READY=1\nSTATUS=attached to %s, 3 prefixes, 0 policies "
		 "from the config", e.cgroup);
	ASSERT_STREQ(msg, want, "READY=1 and STATUS");
	/* Ready means filled: the typed prefixes and their addresses are there. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list"), 0, "prefix list");
	ASSERT_HAS(out, "\"address\":\"" SL_ADDR "\"", "session-lasting address found");
	ASSERT_HAS(out, "\"address\":\"" FX_ADDR "\"", "fixed address found");

	for (round = 0; round < 2; round++) {
		/* Round 1: a bad file, which must change nothing. */
		if (round == 1) {
			ASSERT_EQ(env_odm(&e, before, sizeof(before), "-j prefix list"), 0, "list");
			ASSERT_TRUE(sys("echo 'prefix 2001:db8:5::/64 type fixd' >> %s", e.config),
				    "break the file");
		}
		t0 = monotonic_usec();
		ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP");
		if (!ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "RELOADING"))
			goto cleanup;
		t1 = monotonic_usec();
		ASSERT_TRUE(!strncmp(msg, "RELOADING=1\nMONOTONIC_USEC=", 27), msg);
		usec = strtoull(msg + 27, NULL, 10);
		ASSERT_TRUE(usec >= t0 && usec <= t1,
			    "MONOTONIC_USEC between SIGHUP and its receipt");
		p = strchr(msg + 27, '\n');
		snprintf(want, sizeof(want), "\nSTATUS=reloading %s", e.config);
		ASSERT_STREQ(p ? p : "", want, "reloading STATUS");
		if (!ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "READY after reload"))
			goto cleanup;
		snprintf(want, sizeof(want), "READY=1\nSTATUS=attached to %s, 3 prefixes, "
			 "0 policies from the config%s", e.cgroup, round ? "; reload failed (see "
			 "the log), the running configuration kept" : "");
		ASSERT_STREQ(msg, want, round ? "READY=1, reload failed" : "READY=1 after reload");
	}
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list"), 0, "list after");
	ASSERT_STREQ(out, before, "a bad file changed nothing");

	kill(e.odmd, SIGTERM);
	if (ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "STOPPING"))
		ASSERT_STREQ(msg, "STOPPING=1\nSTATUS=stopping on signal 15; the programs stay "
			     "attached", "STOPPING=1 at SIGTERM");
	env_stop_odmd(&e, false);
	close(fd);

	/* The abstract namespace, as systemd may give it ("@..."), on a good file. */
	ASSERT_TRUE(sys("printf '%%s' '%s' > %s", base_config, e.config), "the file mended");
	snprintf(path, sizeof(path), "@odmt-notify-%d", getpid());
	/* Abstract names are per network namespace: bind in odmd's. */
	if (ns_enter(e.host_ns)) {
		fd = notify_listen(path, true);
		ns_restore(&e);
	}
	if (ASSERT_TRUE(fd >= 0, "abstract socket") &&
	    ASSERT_TRUE(start_notified(&e, path), "odmd, abstract") &&
	    ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "datagram, abstract"))
		ASSERT_HAS(msg, "READY=1\n", "READY=1 on an abstract socket");
cleanup:
	if (fd >= 0)
		close(fd);
	env_teardown(&e);
}

/* The policy row of a cgroup id in `odm -j policy show`, or NULL. */
static const char *policy_of(struct env *e, unsigned long long id, char *out, size_t len)
{
	char key[64];

	if (env_odm(e, out, len, "-j policy show"))
		return NULL;
	snprintf(key, sizeof(key), "\"cgroup_id\":%llu,", id);
	return strstr(out, key);
}

/* Wait (5 s at most) for odmd's tick to give cgroup id its policy. */
static bool wait_policy(struct env *e, unsigned long long id, char *out, size_t len)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (policy_of(e, id, out, len))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/*
 * Policies by cgroup path: applied at start to the cgroups that exist,
 * to one made later, and to one removed and made again (a new id); the
 * old id's key goes.  A reload applies the new lines and removes the
 * policies of lines taken out.  And the file's options: cgroup and pin-dir
 * without flags (the missing cgroup made), flags over them.
 */
void test_config_policies(void)
{
	char cfg[10000], out[8192], path[4300], sock[200], msg[4500], root[256], pin2[160];
	unsigned long long app = 0, app2 = 0, web = 0;
	const char *row, *rel;
	struct env e;
	int fd = -1, st;

	if (!ASSERT_TRUE(env_setup(&e, NULL), "setup") ||
	    !ASSERT_TRUE(odm_cgroup2_root(root, sizeof(root)) == 0, "cgroup2 root"))
		goto cleanup;
	rel = e.cgroup + strlen(root) + 1;	/* the file says it both ways */
	snprintf(path, sizeof(path), "%s/web", e.cgroup);
	ASSERT_TRUE(mkdir(path, 0755) == 0, "web exists at start");
	ASSERT_EQ(odm_cgroup_id(path, &web), 0, "web id");
	snprintf(cfg, sizeof(cfg),
		 "%s"
		 "policy %s/app default fixed rate 7 max-held 2\n"
		 "policy %s/web/ allow session-lasting on-net deny\n",
		 base_config, rel, e.cgroup);
	if (!ASSERT_TRUE(sys("printf '%%s' '%s' > %s", cfg, e.config), "config"))
		goto cleanup;
	snprintf(sock, sizeof(sock), "%s/notify", e.tmpdir);
	fd = notify_listen(sock, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "2>>%s/odmd.log", e.tmpdir);
	if (!ASSERT_TRUE(fd >= 0, "notify socket") ||
	    !ASSERT_TRUE(start_notified(&e, sock), "odmd"))
		goto cleanup;
	ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "READY");
	ASSERT_HAS(msg, "3 prefixes, 2 policies from the config", "STATUS counts the policies");
	row = policy_of(&e, web, out, sizeof(out));
	if (ASSERT_TRUE(row != NULL, "web's policy at start")) {
		ASSERT_HAS(row, "\"allow\":[\"session-lasting\"]", "allow");
		ASSERT_HAS(row, "\"on_net\":false", "on-net deny");
		ASSERT_HAS(row, "\"default_type\":\"none\",", "what the line leaves out");
	}
	ASSERT_TRUE(odmd_logged(&e, "/app yet: its policy applies when it appears"),
		    "a missing cgroup waits");

	/* It appears: the tick gives it its policy. */
	snprintf(path, sizeof(path), "%s/app", e.cgroup);
	ASSERT_TRUE(mkdir(path, 0755) == 0, "app made");
	ASSERT_EQ(odm_cgroup_id(path, &app), 0, "app id");
	if (ASSERT_TRUE(wait_policy(&e, app, out, sizeof(out)), "app's policy once it appears")) {
		row = policy_of(&e, app, out, sizeof(out));
		ASSERT_HAS(row, "\"default_type\":\"fixed\"", "default");
		ASSERT_HAS(row, "\"net_per_min\":7", "rate");
		ASSERT_HAS(row, "\"max_held\":2", "max-held");
	}
	/* Removed and made again, as systemd does with a slice: a new id. */
	FAULT();
	ASSERT_TRUE(rmdir(path) == 0 && mkdir(path, 0755) == 0, "app made anew");
	ASSERT_EQ(odm_cgroup_id(path, &app2), 0, "its new id");
	ASSERT_TRUE(app2 != app, "another cgroup to the kernel");
	ASSERT_TRUE(wait_policy(&e, app2, out, sizeof(out)), "the policy follows the path");
	ASSERT_TRUE(policy_of(&e, app, out, sizeof(out)) == NULL, "the old id's key is gone");

	/* Reload: web's line goes, app's changes. */
	snprintf(cfg, sizeof(cfg), "%spolicy %s/app rate 9\n", base_config, rel);
	ASSERT_TRUE(sys("printf '%%s' '%s' > %s", cfg, e.config), "new config");
	ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP");
	ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "RELOADING");
	ASSERT_TRUE(notify_recv(fd, msg, sizeof(msg)), "READY");
	ASSERT_HAS(msg, "3 prefixes, 1 policy from the config", "one policy now");
	row = policy_of(&e, app2, out, sizeof(out));
	if (ASSERT_TRUE(row != NULL, "app's policy after reload")) {
		ASSERT_HAS(row, "\"net_per_min\":9", "new rate");
		ASSERT_HAS(row, "\"default_type\":\"none\"", "default no longer in the line");
	}
	ASSERT_TRUE(policy_of(&e, web, out, sizeof(out)) == NULL, "web's policy removed");
	env_stop_odmd(&e, false);
	ASSERT_TRUE(sys("%s --unload --pin-dir %s", ODMD, e.pin_dir), "unload");

	/* Options from the file alone: cgroup (made when missing) and pin-dir. */
	snprintf(pin2, sizeof(pin2), "%s-2", e.pin_dir);
	snprintf(cfg, sizeof(cfg), "%scgroup %s/made\npin-dir %s\nverbose no\n", base_config, rel,
		 pin2);
	ASSERT_TRUE(sys("printf '%%s' '%s' > %s", cfg, e.config), "options config");
	st = sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s %s --once --config %s "
			"2>&1", e.host_ns, ODMD, e.config);
	ASSERT_EQ(st, 0, out);
	snprintf(path, sizeof(path), "%s/made", e.cgroup);
	ASSERT_HAS(out, "created cgroup", "says it made the cgroup");
	ASSERT_HAS(out, pin2, "pinned where the file says");
	ASSERT_TRUE(access(path, F_OK) == 0, "the cgroup was made");
	/* --unload reads pin-dir from the file too. */
	ASSERT_TRUE(sys("%s --unload --config %s", ODMD, e.config), "unload by file");
	ASSERT_TRUE(access(pin2, F_OK) != 0, "the file's pin-dir is gone");
	/* A flag overrides the file's keyword. */
	st = sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s %s --once --config %s "
			"--cgroup %s --pin-dir %s 2>&1", e.host_ns, ODMD, e.config,
			e.cgroup, e.pin_dir);
	ASSERT_EQ(st, 0, out);
	snprintf(msg, sizeof(msg), "attached to %s, maps and links pinned in %s\n", e.cgroup,
		 e.pin_dir);
	ASSERT_HAS(out, msg, "flags over the file");
	ASSERT_TRUE(access(pin2, F_OK) != 0, "the file's pin-dir unused");
	rmdir(path);
	snprintf(path, sizeof(path), "%s/app", e.cgroup);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/web", e.cgroup);
	rmdir(path);
cleanup:
	if (fd >= 0)
		close(fd);
	env_teardown(&e);
}

/* The cgroup id the pinned link of program odm_NAME is attached to. */
static bool link_cgroup_id(const struct env *e, const char *name, unsigned long long *id)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	char path[4400];
	int fd, err;

	snprintf(path, sizeof(path), "%s/link_%s", e->pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err || info.type != BPF_LINK_TYPE_CGROUP)
		return false;
	*id = info.cgroup.cgroup_id;
	return true;
}

/*
 * odmd's own cgroup removed and made again, as systemd does when a slice
 * is stopped and started: the kernel detached the programs with the old
 * cgroup.  The tick attaches them to the new one, with the file's default;
 * and an odmd started on links whose cgroup is gone takes them over,
 * where it used to refuse ("attached to another cgroup, id 0").
 */
void test_cgroup_made_anew(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 }, held = { .pid = -1 };
	struct agent_req rq = { .op = AG_JOIN };
	unsigned long long id, id2, id3, lid;
	char seen[64], out[4096], cfg[1024], hold[sizeof(((struct env *)0)->cgroup) + 8] = "";
	struct agent_resp rs;
	struct env e;

	snprintf(cfg, sizeof(cfg), "%sdefault non-persistent\n", base_config);
	if (!ASSERT_TRUE(env_setup(&e, cfg) && add_base_addrs(&e), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "2>>%s/odmd.log", e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_EQ(odm_cgroup_id(e.cgroup, &id), 0, "its id"))
		goto cleanup;

	SUBTEST("made anew under a running odmd");
	FAULT();
	if (!ASSERT_TRUE(rmdir(e.cgroup) == 0 && mkdir(e.cgroup, 0755) == 0, "made anew") ||
	    !ASSERT_EQ(odm_cgroup_id(e.cgroup, &id2), 0, "its new id"))
		goto cleanup;
	ASSERT_TRUE(id2 != id, "another cgroup to the kernel");
	if (ASSERT_TRUE(wait_policy(&e, id2, out, sizeof(out)), "the file's default on the new one"))
		ASSERT_HAS(policy_of(&e, id2, out, sizeof(out)),
			   "\"default_type\":\"non-persistent\"", "the default");
	ASSERT_TRUE(policy_of(&e, id, out, sizeof(out)) == NULL, "the old id's key is gone");
	ASSERT_TRUE(odmd_logged(&e, "was made anew"), "odmd says so");
	if (!ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "an app in the new cgroup"))
		goto cleanup;
	ASSERT_STREQ(legacy_connect_seen(&a, &net, seen, sizeof(seen)), NP_ADDR,
		     "its socket gets the default type");
	agent_stop(&a);
	test_subtest_end();

	/*
	 * The kernel detaches the links of a removed cgroup only once the
	 * last socket made in it is freed (an orphaned TCP socket can take a
	 * minute); until then they still name the old id.  A socket held
	 * open by a process that moved out makes that window certain.
	 */
	SUBTEST("made anew while odmd is stopped, a socket of the old one still open");
	snprintf(hold, sizeof(hold), "%s-hold", e.cgroup);
	snprintf(rq.payload, sizeof(rq.payload), "%s", hold);
	if (!ASSERT_EQ(mkdir(hold, 0755), 0, "a cgroup to move to") ||
	    !ASSERT_TRUE(agent_start(&e, &held, e.cgroup, 0), "an app in the cgroup") ||
	    !ASSERT_TRUE(ag_socket(&held, SOCK_DGRAM) >= 0, "its socket") ||
	    !ASSERT_TRUE(agent_call(&held, &rq, &rs) && rs.ret == 0, "the app moves out"))
		goto cleanup;
	env_stop_odmd(&e, false);
	FAULT();
	if (!ASSERT_TRUE(rmdir(e.cgroup) == 0 && mkdir(e.cgroup, 0755) == 0, "made anew") ||
	    !ASSERT_EQ(odm_cgroup_id(e.cgroup, &id3), 0, "its new id"))
		goto cleanup;
	ASSERT_TRUE(link_cgroup_id(&e, "sock_create", &lid) && lid == id2,
		    "the pinned link still names the removed cgroup");
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd starts on the pinned links of a gone cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "an app in it"))
		goto cleanup;
	ASSERT_TRUE(link_cgroup_id(&e, "sock_create", &lid) && lid == id3,
		    "the link is the new cgroup's");
	ASSERT_STREQ(legacy_connect_seen(&a, &net, seen, sizeof(seen)), NP_ADDR,
		     "its socket gets the default type");
	test_subtest_end();

	SUBTEST("a link whose cgroup is alive is still refused");
	env_stop_odmd(&e, false);
	ASSERT_TRUE(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s %s --once "
			       "--config %s --cgroup %s --pin-dir %s 2>&1", e.host_ns, ODMD,
			       e.config, hold, e.pin_dir) != 0, "odmd on another live cgroup, same pins");
	ASSERT_HAS(out, "run odmd --unload first", "odmd says why");
	ASSERT_TRUE(link_cgroup_id(&e, "sock_create", &lid) && lid == id3,
		    "the link stays with its cgroup");
	test_subtest_end();
cleanup:
	agent_stop(&a);
	agent_stop(&held);
	if (hold[0])
		rmdir(hold);
	peer_close(&net);
	env_teardown(&e);
}
