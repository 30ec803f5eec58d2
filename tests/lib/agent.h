/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * agent.h - an application for the integration tests: a child process
 * inside the env's cgroup and host netns (optionally with an unprivileged
 * uid) that executes socket operations sent to it over a socketpair, so one
 * test can keep sockets open across steps (a hand-off, a deleted address).
 * Its sockets are named by ids (an index into its table), not descriptors.
 */
#ifndef ODM_TEST_AGENT_H
#define ODM_TEST_AGENT_H

#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

struct env;

/*
 * The operations.  A new one gets its value here (before AG_EXIT), its
 * function and its line in agent_ops[] in agent.c.
 */
enum agent_op {
	AG_SOCKET = 1,	/* arg = SOCK_STREAM/SOCK_DGRAM, family in family -> id */
	AG_SETSC,	/* id, arg = type -> ret = setsc() rc, addr; a setsc() still blocked
			 * after 15 s (its deadline is 10 s) kills the agent */
	AG_BIND,	/* id, sa -> ret, err */
	AG_CONNECT,	/* id, sa -> ret, err, local */
	AG_SENDTO,	/* id, sa, payload -> ret, err, local */
	AG_SEND,	/* id, payload -> ret, err */
	AG_CLOSE,	/* id */
	AG_SETPREFS,	/* id, arg = IPV6_ADDR_PREFERENCES value -> ret, err */
	AG_GETPREFS,	/* id -> ret, err, arg */
	AG_LISTEN,	/* id, sa (bind address) -> ret, err */
	AG_ACCEPT,	/* id -> ret = new id, local (address the peer reached), peer */
	AG_RECV,	/* id -> ret = bytes; waits 3 s at most (ETIMEDOUT) */
	AG_BIGOPT,	/* id (TCP): setsockopt SO_RCVBUF with a 3-page buffer, getsockopt
			 * TCP_INFO into a 3-page buffer -> ret, err, arg = SO_RCVBUF read
			 * back, local.ss_family = TCP_INFO optlen */
	AG_SETSC_MANY,	/* arg sockets, setsc_start() of type id on each (payload "on-net":
			 * each with IPV6_REQUIRE_SRC_ON_NET first), then poll and finish
			 * all; ret = number OK, addr = the first address, arg = number of
			 * distinct addresses; SETSC_MANY_MAX sockets at most */
	AG_WATCH_OPEN,	/* setsc_watch_open() -> ret = id of the watch fd, or -errno */
	AG_WATCH_READ,	/* id: wait 5 s at most, setsc_watch_read() -> ret, addr = old,
			 * local = new (sockaddr_in6), arg = grace_s */
	AG_STRESS,	/* arg threads x id rounds of socket/setsc(type 1-3)/connect(sa, UDP)/
			 * close -> ret = successful setsc() calls, err = failures */
	AG_JOIN,	/* move the agent into the cgroup named in payload */
	AG_SETPREFS_BIG, /* id, arg: IPV6_ADDR_PREFERENCES from a 3-page buffer -> ret, err */
	AG_SC_RAW,	/* id, arg = type, sa = hint (sockaddr_in6; salen 0: none): the raw
			 * ODM_SO_SC_TYPE setsockopt libodm makes, then ODM_SO_SC_RESULT
			 * -> ret, err, arg = status, addr = its address */
	AG_SETSC_START,	/* id, arg = timeout_ms, family = type, payload "on-net": with
			 * SETSC_F_ON_NET in its opts: setsc_start(), the request
			 * kept for AG_SETSC_WAIT -> ret = rc, arg = ms it took; a
			 * setsc_start() still blocked after 5 s kills the agent */
	AG_SETSC_WAIT,	/* arg = ms: poll setsc_req_fd() and setsc_finish() until done, as
			 * an event loop would -> ret = result, addr; err = ETIMEDOUT (not
			 * done in time: ret EAI_INPROGRESS, request cancelled) or EBADFD
			 * (setsc_req_fd() changed while pending), arg = wake-ups */
	AG_SC_CALL,	/* id, arg = ODM_SO_SC's type and flags bits, family = optlen (0: the
			 * result's size): setsc()'s one getsockopt(ODM_SOL) -> ret, err,
			 * arg = status, addr = its address, local.ss_family = optlen back */
	AG_NO_ONECALL,	/* from now on the agent's getsockopt(ODM_SOL) fails with
			 * ENOPROTOOPT (seccomp), as with odm programs older than the
			 * one call -> ret, err */
	AG_EXIT,
};

/* AG_SETSC_MANY's most sockets: more than odmd's 256 client slots. */
#define SETSC_MANY_MAX	1024

struct agent_req {
	int op;
	int id;
	int arg;
	int family;
	struct sockaddr_storage sa;
	socklen_t salen;
	char payload[4300];
};

struct agent_resp {
	int ret;
	int err;			/* errno of the failing call */
	int arg;
	struct in6_addr addr;		/* setsc's address */
	struct sockaddr_storage local;	/* getsockname() after the call */
	struct sockaddr_storage peer;
};

struct agent {
	pid_t pid;
	int fd;
};

/* Start an agent in the env's cgroup (or cgroup NULL: stay outside) and
 * netns, as uid (0 = root). */
bool agent_start(struct env *e, struct agent *a, const char *cgroup, uid_t uid);
bool agent_call(struct agent *a, const struct agent_req *req, struct agent_resp *resp);
/* agent_call() in two halves, for the test to act while the agent works. */
bool agent_send(struct agent *a, const struct agent_req *req);
bool agent_recv(struct agent *a, int op, struct agent_resp *resp);
void agent_stop(struct agent *a);

#endif
