// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * agent.c - the agent of agent.h: the parent's calls, and the child's loop
 * that serves them.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "agent.h"
#include "env.h"
#include "core.h"
#include "odm.h"

#define AGENT_MAX_SOCKS 64

/* What the child holds between requests. */
struct agent_ctx {
	int socks[AGENT_MAX_SOCKS];	/* descriptors by the test's ids; -1: free */
	int s;				/* the descriptor of this request's id, or -1 */
	struct setsc_req *pending;	/* AG_SETSC_START's request, for AG_SETSC_WAIT */
};

static bool join_cgroup(const char *cgroup)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%d\n", getpid());
	return fclose(f) == 0;
}

struct stress_arg {
	const struct agent_req *req;
	int ok, failed;
};

/* One stress thread: sockets opened, typed, connected and closed. */
static void *stress_thread(void *p)
{
	struct stress_arg *a = p;
	int i;

	for (i = 0; i < a->req->id; i++) {
		struct in6_addr addr;
		int s = socket(AF_INET6, SOCK_DGRAM, 0);

		if (s < 0) {
			a->failed++;
			continue;
		}
		if (setsc(s, &addr, (sc_type)(1 + i % 3)) == 0 &&
		    connect(s, (const struct sockaddr *)&a->req->sa, a->req->salen) == 0)
			a->ok++;
		else
			a->failed++;
		close(s);
	}
	return NULL;
}

/* AG_SETSC_WAIT: what an event loop does with a pending request. */
static void agent_setsc_wait(struct setsc_req **pending, int bound_ms, struct agent_resp *resp)
{
	long long end = mono_ms() + bound_ms;
	int fd = setsc_req_fd(*pending);

	resp->ret = EAI_INPROGRESS;
	while (resp->ret == EAI_INPROGRESS) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end - mono_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			resp->err = ETIMEDOUT;
			setsc_cancel(*pending);
			break;
		}
		resp->ret = setsc_finish(*pending, &resp->addr);
		if (resp->ret == EAI_INPROGRESS) {
			resp->arg++;
			/* Applications register the descriptor once. */
			if (setsc_req_fd(*pending) != fd)
				resp->err = EBADFD;
		}
	}
	*pending = NULL;
}

/* ---- the operations, one function each (see agent.h for what each does) ---- */

/* The first free id, or -1. */
static int free_slot(const struct agent_ctx *ctx)
{
	int i;

	for (i = 0; i < AGENT_MAX_SOCKS && ctx->socks[i] >= 0; i++)
		;
	return i < AGENT_MAX_SOCKS ? i : -1;
}

static void op_socket(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	int i = free_slot(ctx);

	resp->ret = -1;
	if (i < 0)
		return;
	ctx->socks[i] = socket(req->family ? req->family : AF_INET6, req->arg, 0);
	resp->ret = ctx->socks[i] >= 0 ? i : -1;
	if (ctx->socks[i] >= 0) {
		/* A broken path fails the test in 5 s, not after TCP's two
		 * minutes of SYN retries. */
		struct timeval tv = { .tv_sec = 5 };

		setsockopt(ctx->socks[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(ctx->socks[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
}

static void op_setsc(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	/* A setsc() that never returns fails the test, not hangs it. */
	alarm(15);
	resp->ret = setsc(ctx->s, &resp->addr, (sc_type)req->arg);
	alarm(0);
}

static void op_bind(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = bind(ctx->s, (const struct sockaddr *)&req->sa, req->salen);
}

static void op_connect(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = connect(ctx->s, (const struct sockaddr *)&req->sa, req->salen);
}

static void op_sendto(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = (int)sendto(ctx->s, req->payload, strlen(req->payload), 0,
				(const struct sockaddr *)&req->sa, req->salen);
}

static void op_send(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = (int)send(ctx->s, req->payload, strlen(req->payload), MSG_NOSIGNAL);
}

static void op_close(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = close(ctx->s);
	if (req->id >= 0 && req->id < AGENT_MAX_SOCKS)
		ctx->socks[req->id] = -1;
}

static void op_setprefs(struct agent_ctx *ctx, const struct agent_req *req,
			struct agent_resp *resp)
{
	resp->ret = setsockopt(ctx->s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &req->arg,
			       sizeof(req->arg));
}

static void op_getprefs(struct agent_ctx *ctx, const struct agent_req *req,
			struct agent_resp *resp)
{
	socklen_t olen = sizeof(resp->arg);

	resp->ret = getsockopt(ctx->s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &resp->arg, &olen);
}

static void op_listen(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = bind(ctx->s, (const struct sockaddr *)&req->sa, req->salen);
	if (!resp->ret)
		resp->ret = listen(ctx->s, 16);
}

static void op_accept(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	socklen_t plen = sizeof(resp->peer);
	int c = accept(ctx->s, (struct sockaddr *)&resp->peer, &plen);
	int i = c >= 0 ? free_slot(ctx) : -1;

	resp->ret = -1;
	if (i >= 0) {
		ctx->socks[i] = c;
		resp->ret = i;
		/* local: the address the peer reached, the accepted socket's */
		ctx->s = c;
	}
}

static void op_recv(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	struct pollfd pfd = { .fd = ctx->s, .events = POLLIN };
	char buf[256];

	/* 3 s at most: a lost path must fail the test, not hang it */
	resp->ret = poll(&pfd, 1, 3000) == 1 ? (int)recv(ctx->s, buf, sizeof(buf), 0) : -1;
	if (resp->ret < 0 && !errno)
		errno = ETIMEDOUT;
}

static void op_bigopt(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	static char big[3 * 4096];	/* child-only scratch */
	socklen_t olen = sizeof(big);
	int val = 65536;

	memset(big, 0, sizeof(big));
	memcpy(big, &val, sizeof(val));
	resp->ret = setsockopt(ctx->s, SOL_SOCKET, SO_RCVBUF, big, sizeof(big));
	if (!resp->ret)
		resp->ret = getsockopt(ctx->s, IPPROTO_TCP, TCP_INFO, big, &olen);
	resp->local.ss_family = (sa_family_t)olen;
	olen = sizeof(resp->arg);
	if (!resp->ret)
		resp->ret = getsockopt(ctx->s, SOL_SOCKET, SO_RCVBUF, &resp->arg, &olen);
	resp->err = resp->ret < 0 ? errno : 0;
}

static void op_setsc_many(struct agent_ctx *ctx, const struct agent_req *req,
			  struct agent_resp *resp)
{
	int n = req->arg < 0 ? 0 : req->arg < SETSC_MANY_MAX ? req->arg : SETSC_MANY_MAX;
	int k, distinct = 0;
	struct rlimit rl;
	struct setsc_req **rq = calloc((size_t)n + 1, sizeof(*rq));
	struct in6_addr *got = calloc((size_t)n + 1, sizeof(*got));
	int *fds = calloc((size_t)n + 1, sizeof(*fds));

	resp->ret = 0;
	if (!rq || !got || !fds)
		goto out;
	/* A pending request holds four descriptors: its socket, the epoll
	 * set, its timer and the connection to odmd. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (k = 0; k < n; k++) {
		fds[k] = socket(AF_INET6, SOCK_STREAM, 0);
		if (!strcmp(req->payload, "on-net"))
			setsockopt(fds[k], IPPROTO_IPV6, IPV6_ADDR_PREFERENCES,
				   &(int){ IPV6_REQUIRE_SRC_ON_NET }, sizeof(int));
		if (setsc_start(fds[k], (sc_type)req->id, NULL, &rq[k]))
			rq[k] = NULL;
	}
	for (k = 0; k < n; k++) {
		struct pollfd pfd = { .fd = setsc_req_fd(rq[k]), .events = POLLIN };
		int rc = EAI_INPROGRESS;

		while (rq[k] && rc == EAI_INPROGRESS) {
			poll(&pfd, 1, 1000);
			rc = setsc_finish(rq[k], &got[resp->ret]);
		}
		if (rc == 0) {
			int j;

			for (j = 0; j < resp->ret; j++)
				if (!memcmp(&got[j], &got[resp->ret], sizeof(got[j])))
					break;
			distinct += j == resp->ret;
			resp->ret++;
		}
		close(fds[k]);
	}
	if (resp->ret)
		resp->addr = got[0];
	resp->arg = distinct;
out:
	free(rq);
	free(got);
	free(fds);
}

static void op_watch_open(struct agent_ctx *ctx, const struct agent_req *req,
			  struct agent_resp *resp)
{
	int w = setsc_watch_open();
	int i = w >= 0 ? free_slot(ctx) : -1;

	resp->ret = w < 0 ? w : i >= 0 ? i : -EMFILE;
	if (i >= 0)
		ctx->socks[i] = w;
}

static void op_watch_read(struct agent_ctx *ctx, const struct agent_req *req,
			  struct agent_resp *resp)
{
	struct pollfd pfd = { .fd = ctx->s, .events = POLLIN };
	struct setsc_replacement ev;
	struct sockaddr_in6 *nsa = (struct sockaddr_in6 *)&resp->local;

	resp->ret = poll(&pfd, 1, 5000) == 1 ? setsc_watch_read(ctx->s, &ev) : -ETIMEDOUT;
	resp->err = resp->ret < 0 ? -resp->ret : 0;
	if (resp->ret == 0) {
		resp->addr = ev.old_addr;
		nsa->sin6_family = AF_INET6;
		nsa->sin6_addr = ev.new_addr;
		resp->arg = (int)ev.grace_s;
	}
}

static void op_stress(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	pthread_t th[16];
	struct stress_arg sa[16];
	int n = req->arg > 16 ? 16 : req->arg, k;

	for (k = 0; k < n; k++) {
		sa[k] = (struct stress_arg){ .req = req };
		pthread_create(&th[k], NULL, stress_thread, &sa[k]);
	}
	resp->ret = resp->err = 0;
	for (k = 0; k < n; k++) {
		pthread_join(th[k], NULL);
		resp->ret += sa[k].ok;
		resp->err += sa[k].failed;
	}
}

static void op_join(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	resp->ret = join_cgroup(req->payload) ? 0 : -1;
}

static void op_setprefs_big(struct agent_ctx *ctx, const struct agent_req *req,
			    struct agent_resp *resp)
{
	static char big[3 * 4096];	/* child-only scratch */

	memset(big, 0, sizeof(big));
	memcpy(big, &req->arg, sizeof(req->arg));
	resp->ret = setsockopt(ctx->s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, big, sizeof(big));
}

static void op_sc_raw(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	/* What libodm sends, hint and all: a test can play the answer of
	 * any odmd, impostors included. */
	struct odm_sc_req sc = { .version = ODM_SOCKOPT_VERSION, .type = (__u8)req->arg };
	struct odm_sc_result res = { 0 };
	socklen_t rlen = sizeof(res);

	if (req->salen)
		memcpy(&sc.hint, &((const struct sockaddr_in6 *)&req->sa)->sin6_addr,
		       sizeof(sc.hint));
	resp->ret = setsockopt(ctx->s, IPPROTO_IPV6, ODM_SO_SC_TYPE, &sc, sizeof(sc));
	if (!resp->ret)
		resp->ret = getsockopt(ctx->s, IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &rlen);
	resp->arg = res.status;
	memcpy(&resp->addr, &res.addr, sizeof(resp->addr));
}

static void op_sc_call(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	struct odm_sc_result res[2];	/* room for a test's larger optlen */
	socklen_t rlen = req->family ? (socklen_t)req->family : sizeof(res[0]);

	memset(res, 0, sizeof(res));
	if (rlen > sizeof(res))
		rlen = sizeof(res);
	resp->ret = getsockopt(ctx->s, ODM_SOL, ODM_SO_SC_CALL | (req->arg & ODM_SO_SC_ARGS),
			       res, &rlen);
	resp->arg = res[0].status;
	memcpy(&resp->addr, &res[0].addr, sizeof(resp->addr));
	resp->local.ss_family = (sa_family_t)rlen;
}

/*
 * The answer of odm programs that predate setsc()'s one call, without
 * building them: getsockopt(ODM_SOL, ...) fails with ENOPROTOOPT before it
 * reaches the kernel.  For this process only, and for good.
 */
static void op_no_onecall(struct agent_ctx *ctx, const struct agent_req *req,
			  struct agent_resp *resp)
{
#if defined(__x86_64__)
#define AGENT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AGENT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif
#ifdef AGENT_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AGENT_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getsockopt, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* args[1], the level: its low 32 bits (little endian) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ODM_SOL, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOPROTOOPT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	resp->ret = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (!resp->ret)
		resp->ret = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
	errno = ENOSYS;
	resp->ret = -1;
#endif
}

static void op_setsc_start(struct agent_ctx *ctx, const struct agent_req *req,
			   struct agent_resp *resp)
{
	struct setsc_opts opts = { .sz = sizeof(opts), .timeout_ms = req->arg,
				   .flags = strcmp(req->payload, "on-net") ? 0 : SETSC_F_ON_NET };
	long long t0 = mono_ms();

	setsc_cancel(ctx->pending);
	ctx->pending = NULL;
	alarm(5);
	resp->ret = setsc_start(ctx->s, (sc_type)req->family, &opts, &ctx->pending);
	alarm(0);
	resp->arg = (int)(mono_ms() - t0);
	resp->err = resp->ret ? errno : 0;
}

static void op_setsc_wait(struct agent_ctx *ctx, const struct agent_req *req,
			  struct agent_resp *resp)
{
	if (ctx->pending)
		agent_setsc_wait(&ctx->pending, req->arg, resp);
	else
		resp->err = ENOENT;
}

static void op_exit(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp)
{
	_exit(0);
}

/*
 * Indexed by enum agent_op.  The loop writes back what run() left in the
 * response, after two touches of its own (as a socket call leaves them):
 * err = errno when ret < 0, and local = getsockname() of the request's
 * socket.  An op marked as_is sets err itself (or leaves it 0) and has
 * local mean something else, or nothing: the loop leaves both alone.
 */
static const struct agent_op_def {
	const char *name;
	void (*run)(struct agent_ctx *ctx, const struct agent_req *req, struct agent_resp *resp);
	bool as_is;
} agent_ops[] = {
	[AG_SOCKET]	  = { .name = "socket",		.run = op_socket },
	[AG_SETSC]	  = { .name = "setsc",		.run = op_setsc },
	[AG_BIND]	  = { .name = "bind",		.run = op_bind },
	[AG_CONNECT]	  = { .name = "connect",	.run = op_connect },
	[AG_SENDTO]	  = { .name = "sendto",		.run = op_sendto },
	[AG_SEND]	  = { .name = "send",		.run = op_send },
	[AG_CLOSE]	  = { .name = "close",		.run = op_close },
	[AG_SETPREFS]	  = { .name = "setprefs",	.run = op_setprefs },
	[AG_GETPREFS]	  = { .name = "getprefs",	.run = op_getprefs },
	[AG_LISTEN]	  = { .name = "listen",		.run = op_listen },
	[AG_ACCEPT]	  = { .name = "accept",		.run = op_accept },
	[AG_RECV]	  = { .name = "recv",		.run = op_recv },
	[AG_BIGOPT]	  = { .name = "bigopt",		.run = op_bigopt, .as_is = true },
	[AG_SETSC_MANY]	  = { .name = "setsc_many",	.run = op_setsc_many, .as_is = true },
	[AG_WATCH_OPEN]	  = { .name = "watch_open",	.run = op_watch_open, .as_is = true },
	[AG_WATCH_READ]	  = { .name = "watch_read",	.run = op_watch_read, .as_is = true },
	[AG_STRESS]	  = { .name = "stress",		.run = op_stress, .as_is = true },
	[AG_JOIN]	  = { .name = "join",		.run = op_join },
	[AG_SETPREFS_BIG] = { .name = "setprefs_big",	.run = op_setprefs_big },
	[AG_SC_RAW]	  = { .name = "sc_raw",		.run = op_sc_raw },
	[AG_SETSC_START]  = { .name = "setsc_start",	.run = op_setsc_start, .as_is = true },
	[AG_SETSC_WAIT]	  = { .name = "setsc_wait",	.run = op_setsc_wait, .as_is = true },
	[AG_SC_CALL]	  = { .name = "sc_call",	.run = op_sc_call },
	[AG_NO_ONECALL]	  = { .name = "no_onecall",	.run = op_no_onecall },
	[AG_EXIT]	  = { .name = "exit",		.run = op_exit },
};

_Static_assert(sizeof(agent_ops) / sizeof(agent_ops[0]) == AG_EXIT + 1,
	       "every agent op has its entry in agent_ops[]");

static const struct agent_op_def *agent_op_def(int op)
{
	if (op <= 0 || op >= (int)(sizeof(agent_ops) / sizeof(agent_ops[0])) || !agent_ops[op].run)
		return NULL;
	return &agent_ops[op];
}

static const char *agent_op_name(int op)
{
	const struct agent_op_def *d = agent_op_def(op);

	return d ? d->name : "(unknown)";
}

static void agent_serve(int fd)
{
	struct agent_ctx ctx = { .pending = NULL };
	struct agent_req req;
	struct agent_resp resp;
	int i;

	for (i = 0; i < AGENT_MAX_SOCKS; i++)
		ctx.socks[i] = -1;
	while (read(fd, &req, sizeof(req)) == sizeof(req)) {
		const struct agent_op_def *op = agent_op_def(req.op);
		socklen_t len = sizeof(resp.local);

		ctx.s = (req.id >= 0 && req.id < AGENT_MAX_SOCKS) ? ctx.socks[req.id] : -1;
		memset(&resp, 0, sizeof(resp));
		errno = 0;
		if (op) {
			op->run(&ctx, &req, &resp);
		} else {
			resp.ret = -1;
			errno = EINVAL;
		}
		if (!op || !op->as_is) {
			resp.err = resp.ret < 0 ? errno : 0;
			if (ctx.s >= 0)
				getsockname(ctx.s, (struct sockaddr *)&resp.local, &len);
		}
		if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
			_exit(1);
	}
	_exit(0);
}

/* ---- the test's side ---- */

bool agent_start(struct env *e, struct agent *a, const char *cgroup, uid_t uid)
{
	int sv[2];
	char ok;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		close(sv[0]);
		if ((cgroup && !join_cgroup(cgroup)) || !ns_enter(e->host_ns))
			_exit(127);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(127);
		ok = 1;
		if (write(sv[1], &ok, 1) != 1)
			_exit(127);
		agent_serve(sv[1]);
	}
	close(sv[1]);
	a->pid = pid;
	a->fd = sv[0];
	if (read(a->fd, &ok, 1) != 1) {
		fprintf(stderr, "  agent failed to start\n");
		agent_stop(a);
		return false;
	}
	return true;
}

bool agent_send(struct agent *a, const struct agent_req *req)
{
	if (write(a->fd, req, sizeof(*req)) != sizeof(*req)) {
		fprintf(stderr, "  agent call %s failed\n", agent_op_name(req->op));
		return false;
	}
	return true;
}

bool agent_recv(struct agent *a, int op, struct agent_resp *resp)
{
	if (read(a->fd, resp, sizeof(*resp)) != sizeof(*resp)) {
		fprintf(stderr, "  agent call %s failed\n", agent_op_name(op));
		return false;
	}
	return true;
}

bool agent_call(struct agent *a, const struct agent_req *req, struct agent_resp *resp)
{
	return agent_send(a, req) && agent_recv(a, req->op, resp);
}

void agent_stop(struct agent *a)
{
	if (a->pid <= 0)
		return;
	close(a->fd);
	kill(a->pid, SIGKILL);
	waitpid(a->pid, NULL, 0);
	a->pid = -1;
}
