// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attacker.c - a local attacker against odmd and libodm: an impostor in
 * odmd's place, hints and watch events that are not what they claim,
 * connection floods, a peer whose pid is reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "netns.h"
#include "proto.h"

/*
 * An impostor odmd: listens where odmd would (odmd's path, and the abstract
 * name odm used before) as uid 65534, and answers every request ODM_R_OK
 * with addr.  Runs in the host namespace until killed.
 */
static pid_t impostor_start(struct env *e, const char *addr, bool abstract_only)
{
	struct sockaddr_un fs = { .sun_family = AF_UNIX }, ab = { .sun_family = AF_UNIX };
	pid_t pid = fork();
	int lf, la;

	if (pid != 0)
		return pid;
	if (!ns_enter(e->host_ns) || odm_proto_path(fs.sun_path, sizeof(fs.sun_path)))
		_exit(1);
	memcpy(ab.sun_path + 1, "odm/odmd", 8);
	lf = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	la = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	/* Bound as root (only root may write the directory), listening as
	 * nobody: the credentials a client sees are the listener's. */
	if (!abstract_only && (unlink(fs.sun_path), bind(lf, (struct sockaddr *)&fs, sizeof(fs)) ||
			       chmod(fs.sun_path, 0666)))
		_exit(1);
	if (setgid(65534) || setuid(65534) || (!abstract_only && listen(lf, 16)))
		_exit(1);
	if (bind(la, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 9) == 0)
		listen(la, 16);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = lf, .events = POLLIN }, { .fd = la, .events = POLLIN } };
		struct odm_msg_req req;
		struct odm_msg_resp resp;
		int k, c;

		if (poll(pfd, 2, -1) < 0)
			continue;
		for (k = 0; k < 2; k++) {
			if (!pfd[k].revents || (c = accept(pfd[k].fd, NULL, NULL)) < 0)
				continue;
			if (recv(c, &req, sizeof(req), 0) == sizeof(req)) {
				odm_msg_resp_init(&resp, &req, ODM_R_OK);
				inet_pton(AF_INET6, addr, resp.addr);
				send(c, &resp, sizeof(resp), MSG_NOSIGNAL);
			}
			close(c);
		}
	}
}

/*
 * Socket squatting and impersonation (security review, High): while odmd
 * is down, a process that is not root answers in its place.  libodm must
 * take it for "no odmd": an ON_NET request is never satisfied with an old
 * configured address, and no watch is opened.  No unprivileged process can
 * take odmd's socket, and the old abstract name squatted does not stop odmd.
 */
void test_impostor_server(void)
{
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct in6_addr addr;
	char path[sizeof(sun.sun_path)], buf[INET6_ADDRSTRLEN];
	struct env e;
	pid_t imp = -1, kid;
	int s, st = 0;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	env_stop_odmd(&e, true);	/* the programs stay attached */
	imp = impostor_start(&e, SL_ADDR, false);
	if (!ASSERT_TRUE(imp > 0, "impostor"))
		goto cleanup;
	usleep(200 * 1000);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "ON_NET: the impostor's answer is not taken");
	if (addr.s6_addr[0])
		printf("  setsc gave %s\n", in6_str(&addr, buf));
	ASSERT_TRUE(ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 && rs.ret < 0,
		    "no watch on an impostor");
	kill(imp, SIGKILL);
	waitpid(imp, NULL, 0);
	imp = -1;

	/* An unprivileged process cannot take odmd's place in the first place. */
	if (ns_enter(e.host_ns)) {
		if (odm_proto_path(path, sizeof(path)) == 0)
			unlink(path);
		ns_restore(&e);
	}
	kid = fork();
	if (kid == 0) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (!ns_enter(e.host_ns) || odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
		    setgid(65534) || setuid(65534))
			_exit(2);
		_exit(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 :
		      errno == EACCES ? 3 : 4);
	}
	waitpid(kid, &st, 0);
	ASSERT_EQ(WEXITSTATUS(st), 3, "nobody cannot create odmd's socket (EACCES)");
	/* The old abstract name squatted: odmd starts all the same. */
	imp = impostor_start(&e, SL_ADDR, true);
	usleep(200 * 1000);
	ASSERT_TRUE(env_start_odmd(&e), "odmd starts with the abstract name squatted");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "ON_NET with odmd and no network: still no old address");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "plain setsc");
cleanup:
	if (imp > 0) {
		kill(imp, SIGKILL);
		waitpid(imp, NULL, 0);
	}
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * ON_NET and the hint (security review): an impostor odmd, or anything else
 * that feeds libodm its answer, could satisfy an ON_NET request with an
 * address the host had long before, because the BPF program took any valid
 * address of the type as the hint.  On an ON_NET socket the hint must now be
 * the address of a prefix DHCPv6 delegated after the socket's request was
 * refused locally.  The agent sends the socket options libodm sends with
 * such an answer; the real on-demand path, coalesced requests too, still
 * works.
 */
void test_on_net_hint_fresh(void)
{
	struct agent_req many = { .op = AG_SETSC_MANY, .id = SESSION_LASTING_IPV6_ADDRESS,
				  .arg = 8, .payload = "on-net" };
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr, fresh;
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct agent_resp rs;
	struct env e;
	int s, st;

	if (!ASSERT_TRUE(env_setup(&e, base_config) && add_base_addrs(&e), "world"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools) && env_start_odmd(&e), "kea and odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* As libodm does: the local request needs the network, then the
	 * answer's address as the hint; the answer is the configured Fixed one. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, NULL, &st, NULL), 0, "fixed, no hint");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "ON_NET needs the network");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, &addr), 0, "fixed, hint");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: a configured address is refused as the hint");
	ASSERT_EQ(env_sockets_on(&e, FX_ADDR), 0, "no socket counted on it");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     HOST_UNTYPED, "the socket stays as it was: the kernel's choice");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* A hint with no local request before it is no fresher. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, NULL), 0, "hint at once");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: refused without a request first");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Without ON_NET the same hint is the address of a valid prefix of the
	 * type, which the application could bind() anyway: taken. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_FIXED, FX_ADDR, &st, &addr), 0, "no ON_NET, hint");
	ASSERT_EQ(st, ODM_ST_OK, "without ON_NET the hint is taken");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "its address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     FX_ADDR, "peer sees the fixed address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* The real path: ON_NET gets a prefix delegated for it. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &fresh), 0, "setsc sl on-net");
	ASSERT_TRUE(in_pool(&fresh, 0x51), "from the session-lasting pool");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     in6_str(&fresh, buf), "peer sees the delegated address");

	/* A delegated prefix, but one the host had before this request. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, NULL, &st, NULL), 0, "sl, no hint");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "ON_NET needs the network");
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, in6_str(&fresh, buf), &st, NULL), 0,
		  "sl, the earlier delegated address as hint");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: a prefix delegated before the request is refused");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Concurrent ON_NET requests share their exchange: all are served. */
	ASSERT_TRUE(agent_call(&a, &many, &rs), "setsc_start x8, ON_NET");
	ASSERT_EQ(rs.ret, 8, "all eight succeeded");
	ASSERT_TRUE(in_pool(&rs.addr, 0x51) && memcmp(&rs.addr, &fresh, 8) != 0,
		    "in a new prefix");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * A watch event is checked against the maps before the application hears
 * of it (security review, High: a forged graceful-replacement event told
 * watchers to move to a Fixed address).  The test plays a root odmd, the
 * one peer libodm trusts, and sends a forged event, then a true one.
 */
void test_watch_event_checked(void)
{
	struct agent a = { .pid = -1 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in6 *nsa;
	struct odm_msg_event ev;
	struct odm_msg_req req;
	struct agent_resp rs;
	__u32 gr[4], fx[4];
	char buf[INET6_ADDRSTRLEN];
	struct env e;
	int lfd = -1, c = -1, w;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:61::/64 type graceful-replacement\n"
				      "prefix 2001:db8:3::/64 type fixed\n"), "setup") ||
	    !ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad && "
			     "ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR1_ADDR,
			     e.host_ns, FX_ADDR), "addresses") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	/* odmd in the maps: GR1 is the graceful-replacement address. */
	w = ag_socket(&a, SOCK_DGRAM);
	if (!ASSERT_EQ(ag_setsc(&a, w, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &rs.addr), 0, "gr setsc"))
		goto cleanup;
	env_stop_odmd(&e, true);	/* the programs and maps stay */
	if (!ns_enter(e.host_ns))
		goto cleanup;
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) == 0)
		unlink(sun.sun_path);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(sun.sun_path, 0666) ||
	    listen(lfd, 4)) {
		close(lfd);
		lfd = -1;
	}
	ns_restore(&e);
	if (!ASSERT_TRUE(lfd >= 0, "root listener in odmd's place"))
		goto cleanup;
	w = ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	if (!ASSERT_TRUE(w >= 0, "setsc_watch_open()") ||
	    !ASSERT_TRUE((c = accept(lfd, NULL, NULL)) >= 0 &&
			 recv(c, &req, sizeof(req), 0) == sizeof(req) && req.op == ODM_OP_WATCH,
			 "the watch request arrives"))
		goto cleanup;
	inet_pton(AF_INET6, GR1_ADDR, gr);
	inet_pton(AF_INET6, FX_ADDR, fx);
	odm_msg_event_init(&ev, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, 60, gr, fx);
	send(c, &ev, sizeof(ev), 0);
	ag_simple(&a, AG_WATCH_READ, w, 0, &rs);
	ASSERT_EQ(rs.ret, -EPROTO, "an event toward the Fixed address is not passed on");
	odm_msg_event_init(&ev, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, 60, fx, gr);
	send(c, &ev, sizeof(ev), 0);
	ag_simple(&a, AG_WATCH_READ, w, 0, &rs);
	nsa = (struct sockaddr_in6 *)&rs.local;
	ASSERT_EQ(rs.ret, 0, "an event toward the graceful-replacement address is");
	ASSERT_STREQ(in6_str(&nsa->sin6_addr, buf), GR1_ADDR, "its new address");
cleanup:
	if (c >= 0)
		close(c);
	if (lfd >= 0)
		close(lfd);
	agent_stop(&a);
	env_teardown(&e);
}

/* =========================================================================
 * odmd's connection table against local attackers (security review, High
 * and Low): every peer is checked when odmd accepts it, before it holds a
 * slot; each uid has a share; a request must come in time; the cgroup of a
 * peer is read for the peer itself, not for whoever has its pid now.
 * ========================================================================= */

enum attack {
	ATK_IDLE,	/* n connections that never send anything */
	ATK_WATCH,	/* n setsc_watch_open() subscriptions */
	ATK_FLOOD,	/* connect/close as fast as it can, until killed */
};

/* Move the calling process into cgroup (a child of the test's). */
static bool join_self(const char *cgroup)
{
	char procs[sizeof(((struct env *)0)->cgroup) + 16];
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	f = fopen(procs, "w");
	return f && fprintf(f, "0\n") > 0 && fclose(f) == 0;
}

/*
 * A hostile process in the host namespace as uid 65534, in cgroup (NULL:
 * outside odm's).  Returns its pid once its connections are made (*made:
 * how many), or -1.
 */
static pid_t attacker_start(struct env *e, enum attack kind, const char *cgroup, int n, int *made)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int pfd[2], i, fd, ok = 0;
	pid_t pid;

	*made = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (cgroup && !join_self(cgroup))
			_exit(1);
		if (!ns_enter(e->host_ns) || odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
		    setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(1);
		for (i = 0; kind != ATK_FLOOD && i < n; i++) {
			if (kind == ATK_WATCH) {
				fd = setsc_watch_open();
			} else {
				fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
				if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
					close(fd);
					fd = -1;
				}
			}
			ok += fd >= 0;
		}
		if (write(pfd[1], &ok, sizeof(ok)) != sizeof(ok))
			_exit(1);
		while (kind == ATK_FLOOD) {
			fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
			connect(fd, (struct sockaddr *)&sun, sizeof(sun));
			close(fd);
		}
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], made, sizeof(*made)) != sizeof(*made)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

static void attacker_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* One legitimate ON_NET request for a non-persistent prefix; its latency
 * printed (figures, never asserted).  The setsc() result. */
static int legit_on_net(struct agent *a, const char *during)
{
	struct timespec t0, t1;
	struct in6_addr addr;
	int s = ag_socket(a, SOCK_DGRAM), rc;

	ag_simple(a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ag_setsc(a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  %s: ON_NET setsc() %s in %.1f ms\n", during, setsc_strerror(rc),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return rc;
}

/*
 * 256 idle connections from outside the cgroup, 256 watchers from inside
 * it, a connect/close flood: each used to make every legitimate ON_NET
 * setsc() fail (odmd seated every peer before it looked at it, and kept
 * idle ones for ever).  A legitimate application of another uid is served
 * during each; a connection that sends nothing is closed.
 */
void test_odmd_connection_attacks(void)
{
	static const struct attack_case {
		const char *name;
		enum attack kind;
		bool inside;		/* in odm's cgroup, or outside it */
		int n;
	} attacks[] = {
		{ "300 idle connections from outside the cgroup", ATK_IDLE, false, 300 },
		{ "300 idle connections from inside the cgroup", ATK_IDLE, true, 300 },
		{ "256 watchers from inside the cgroup", ATK_WATCH, true, 256 },
		{ "a connect/close flood from outside the cgroup", ATK_FLOOD, false, 0 },
	};
	struct agent a = { .pid = -1 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	struct env e;
	pid_t atk = -1;
	int i, made, fd = -1;
	char c;

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65533), "legitimate app, uid 65533"))
		goto cleanup;
	ASSERT_EQ(legit_on_net(&a, "no attack"), 0, "served with no attack");

	/* A connection that never asks is closed (root's too). */
	if (!ns_enter(e.host_ns))
		goto cleanup;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (odm_proto_path(sun.sun_path, sizeof(sun.sun_path)) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		fd = -1;
	ns_restore(&e);
	if (!ASSERT_TRUE(fd >= 0, "connect to odmd"))
		goto cleanup;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ASSERT_TRUE(poll(&pfd, 1, 5000) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) == 0,
		    "odmd closes a connection that sends no request");

	for (i = 0; i < (int)(sizeof(attacks) / sizeof(attacks[0])); i++) {
		const struct attack_case *k = &attacks[i];

		atk = attacker_start(&e, k->kind, k->inside ? e.cgroup : NULL, k->n, &made);
		if (!ASSERT_TRUE(atk > 0, k->name))
			goto cleanup;
		if (k->kind != ATK_FLOOD)
			printf("  %s: %d of %d connected\n", k->name, made, k->n);
		usleep(300 * 1000);
		ASSERT_EQ(legit_on_net(&a, k->name), 0, k->name);
		attacker_stop(atk);
		atk = -1;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	attacker_stop(atk);
	agent_stop(&a);
	env_teardown(&e);
}

/* Whether this kernel hands out SO_PEERPIDFD (Linux 6.5). */
static bool have_peerpidfd(void)
{
	int sv[2], pidfd = -1;
	socklen_t len = sizeof(pidfd);
	bool ok;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return false;
	ok = getsockopt(sv[0], SOL_SOCKET, 77 /* SO_PEERPIDFD */, &pidfd, &len) == 0;
	if (pidfd >= 0)
		close(pidfd);
	close(sv[0]);
	close(sv[1]);
	return ok;
}

/* Send one acquire request on fd: the result odmd answers, or -1 for none. */
static int raw_request(int fd, __u8 type)
{
	struct odm_msg_req req;
	struct odm_msg_resp resp;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	odm_msg_req_init(&req, type, 0);
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) || poll(&pfd, 1, 3000) != 1 ||
	    recv(fd, &resp, sizeof(resp), 0) != sizeof(resp))
		return -1;
	return (int)resp.result;
}

/* fork() until the child has pid want (ns_last_pid); it joins cgroup and
 * waits.  Its pid once it is in the cgroup, or -1. */
static pid_t fork_as_pid(pid_t want, const char *cgroup)
{
	int try, pfd[2];
	char ok = 0;

	for (try = 0; try < 50; try++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		pid_t pid;

		if (!f || fprintf(f, "%d", (int)want - 1) < 0 || fclose(f) || pipe2(pfd, O_CLOEXEC))
			return -1;
		pid = fork();
		if (pid == 0) {
			ok = join_self(cgroup);
			if (write(pfd[1], &ok, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(pfd[1]);
		if (pid == want && read(pfd[0], &ok, 1) == 1 && ok) {
			close(pfd[0]);
			return pid;
		}
		close(pfd[0]);
		attacker_stop(pid);
	}
	return -1;
}

/*
 * Pid reuse (security review, Low): a process outside the cgroup connects
 * and exits; its pid goes to a process inside the cgroup; its connection,
 * kept by another process, asks.  odmd used to read /proc/PID/cgroup of the
 * SO_PEERCRED pid and so served it.  Now the peer itself is checked
 * (SO_PEERPIDFD) and, gone, refused.  A live peer inside the cgroup is
 * served as before.
 */
void test_peer_pid_reuse(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct env e;
	pid_t x, y = -1, z;
	int fd = -1, st = 0, rc;

	if (!have_peerpidfd()) {
		printf("  skipped: this kernel has no SO_PEERPIDFD (before 6.5): odmd reads the "
		       "cgroup by pid there\n");
		return;
	}
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	if (!ns_enter(e.host_ns))
		goto cleanup;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	odm_proto_path(sun.sun_path, sizeof(sun.sun_path));
	ns_restore(&e);
	/* odmd must not look at the peer before its pid is someone else's. */
	kill(e.odmd, SIGSTOP);
	x = fork();
	if (x == 0)
		_exit(setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		      connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ? 1 : 0);
	waitpid(x, &st, 0);
	if (!ASSERT_EQ(WEXITSTATUS(st), 0, "nobody outside the cgroup connects, then exits"))
		goto cleanup;
	y = fork_as_pid(x, e.cgroup);
	if (!ASSERT_EQ(y, x, "its pid now a process's inside the cgroup"))
		goto cleanup;
	kill(e.odmd, SIGCONT);
	rc = raw_request(fd, SESSION_LASTING_IPV6_ADDRESS);
	printf("  the gone peer's request: %d (%s)\n", rc, rc == ODM_R_OK ? "served" : "not served");
	ASSERT_TRUE(rc != ODM_R_OK,
		    "the gone peer's connection is not served on the strength of a reused pid");

	/* The same request from a live nobody inside the cgroup is. */
	z = fork();
	if (z == 0) {
		int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		if (!join_self(e.cgroup) || setgroups(0, NULL) ||
		    setgid(65534) || setuid(65534) ||
		    connect(c, (struct sockaddr *)&sun, sizeof(sun)))
			_exit(2);
		_exit(raw_request(c, SESSION_LASTING_IPV6_ADDRESS) == ODM_R_OK ? 0 : 1);
	}
	waitpid(z, &st, 0);
	ASSERT_EQ(WEXITSTATUS(st), 0, "a live peer inside the cgroup is served");
cleanup:
	if (e.odmd > 0)
		kill(e.odmd, SIGCONT);
	if (fd >= 0)
		close(fd);
	attacker_stop(y);
	env_teardown(&e);
}
