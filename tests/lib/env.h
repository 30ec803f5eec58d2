/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * env.h - a throw-away world for one integration test, in the manner of the
 * kernel's cgroup_helpers.c / network_helpers.c:
 *
 *   netns "host" (the mobile host)  <-- veth -->  netns "net" (the peer)
 *   veth-h: typed addresses             veth-s: 2001:db8:ffff::1/64,
 *           2001:db8:ffff::2/64 (untyped,       fe80::1, 192.0.2.2/24
 *           what the kernel picks), fe80::2,
 *           192.0.2.1/24
 *   a cgroup v2 directory odmd attaches to, its own pin directory, odmd.
 *
 * Applications run in an "agent": a child process inside the cgroup and the
 * host netns (optionally with an unprivileged uid) that executes socket
 * operations sent to it over a socketpair, so one test can keep sockets open
 * across steps (a hand-off, a deleted address).  The test process itself
 * plays the peer in the "net" namespace and reports what it saw.
 */
#ifndef ODM_TEST_ENV_H
#define ODM_TEST_ENV_H

#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#define ENV_NAME_MAX 64

struct env {
	char host_ns[ENV_NAME_MAX];	/* ip netns names */
	char net_ns[ENV_NAME_MAX];
	char cgroup[4200];		/* absolute cgroup v2 path */
	char pin_dir[128];
	char config[128];		/* odmd's config file */
	int orig_ns;			/* the test's own netns */
	char odmd_args[512];		/* extra odmd arguments, e.g. "--dhcp6 veth-h" */
	char tmpdir[128];		/* per-env scratch: Kea config, leases */
	pid_t odmd;
	pid_t kea;
	pid_t radvd;
	bool ready;
};

/* Peer-side addresses. */
#define NET_ADDR	"2001:db8:ffff::1"
#define HOST_UNTYPED	"2001:db8:ffff::2"	/* the kernel's choice toward NET_ADDR */
#define NET_LL		"fe80::1"
#define HOST_LL		"fe80::2"
#define NET_ADDR4	"192.0.2.2"
#define HOST_ADDR4	"192.0.2.1"

/* Run a command through sh; a message and false when it fails. */
bool sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like sys(), captures the first line of stdout into out. */
bool sys_out(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run a command and return its exit status (or -1), output into out (all of it). */
int sys_status(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Build the namespaces, veth, base addresses and the cgroup; write config
 * text to the config file.  odmd is not started. */
bool env_setup(struct env *e, const char *config);
/* Start odmd in the host netns and wait (10 s at most) for READY. */
bool env_start_odmd(struct env *e);
/* SIGKILL (hard) or SIGTERM odmd and reap it. */
void env_stop_odmd(struct env *e, bool hard);
/*
 * Start kea-dhcp6 on veth-s in the net namespace with one pd-pool per
 * class; classes match the top-level continuity option (wire numbering:
 * 1 non-persistent, 2 session-lasting, 3 fixed, 4 graceful).  pools: a
 * NULL-terminated list of "WIRETYPE PREFIX/LEN" (delegated /64s).
 */
bool env_start_kea(struct env *e, const char *const *pools);
void env_stop_kea(struct env *e);
/*
 * Start radvd on veth-s in the net namespace (forwarding on there, as radvd
 * requires), advertising every 3-4 s each prefix of the NULL-terminated
 * list ("PREFIX/LEN") with the L and A flags.  Its log is tmpdir/radvd.log.
 */
bool env_start_radvd(struct env *e, const char *const *prefixes);
void env_stop_radvd(struct env *e);
/* Lines of Kea's lease file that delegate a prefix (type 2) in state 0. */
int env_kea_leases(struct env *e);
/* Stop odmd, unload, remove cgroup, namespaces, files.  Safe to call twice. */
void env_teardown(struct env *e);
/* Run `ip netns exec HOST cmd`. */
bool env_host(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run the odm CLI on this env's pins in the host netns; status, output in out. */
int env_odm(struct env *e, char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Enter a namespace by name (setns); back with ns_restore. */
bool ns_enter(const char *name);
void ns_restore(struct env *e);
/* Read use counts of an address from the pinned maps (sockets open). */
long long env_sockets_on(struct env *e, const char *addr);

/* ---- the agent ---- */

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
			 * distinct addresses */
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
	AG_SETSC_START,	/* id, arg = timeout_ms, family = type: setsc_start(), the request
			 * kept for AG_SETSC_WAIT -> ret = rc, arg = ms it took; a
			 * setsc_start() still blocked after 5 s kills the agent */
	AG_SETSC_WAIT,	/* arg = ms: poll setsc_req_fd() and setsc_finish() until done, as
			 * an event loop would -> ret = result, addr; err = ETIMEDOUT (not
			 * done in time: ret EAI_INPROGRESS, request cancelled) or EBADFD
			 * (setsc_req_fd() changed while pending), arg = wake-ups */
	AG_EXIT,
};

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

/* Fill a sockaddr_in6 (v6 or "::ffff:a.b.c.d") with port and scope interface. */
socklen_t make_sa6(struct sockaddr_storage *ss, const char *addr, int port, const char *ifname_ns,
		   const char *ifname);
/* Text of the address in a sockaddr (v6 or v4). */
const char *sa_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
