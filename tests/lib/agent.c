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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "agent.h"
#include "env.h"
#include "core.h"
#include "odm.h"

#define AGENT_MAX_SOCKS 64

static bool join_cgroup(const char *cgroup);

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

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static void agent_serve(int fd)
{
	struct setsc_req *pending = NULL;
	int socks[AGENT_MAX_SOCKS];
	struct agent_req req;
	struct agent_resp resp;
	int i;

	for (i = 0; i < AGENT_MAX_SOCKS; i++)
		socks[i] = -1;
	while (read(fd, &req, sizeof(req)) == sizeof(req)) {
		int s = (req.id >= 0 && req.id < AGENT_MAX_SOCKS) ? socks[req.id] : -1;
		socklen_t len = sizeof(resp.local);

		memset(&resp, 0, sizeof(resp));
		errno = 0;
		switch (req.op) {
		case AG_SOCKET:
			for (i = 0; i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = -1;
			if (i < AGENT_MAX_SOCKS) {
				socks[i] = socket(req.family ? req.family : AF_INET6, req.arg, 0);
				resp.ret = socks[i] >= 0 ? i : -1;
				if (socks[i] >= 0) {
					/* A broken path fails the test in 5 s, not after
					 * TCP's two minutes of SYN retries. */
					struct timeval tv = { .tv_sec = 5 };

					setsockopt(socks[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
					setsockopt(socks[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
				}
			}
			break;
		case AG_SETSC:
			/* A setsc() that never returns fails the test, not hangs it. */
			alarm(15);
			resp.ret = setsc(s, &resp.addr, (sc_type)req.arg);
			alarm(0);
			break;
		case AG_SETSC_START: {
			struct setsc_opts opts = { .sz = sizeof(opts), .timeout_ms = req.arg };
			long long t0 = mono_ms();

			setsc_cancel(pending);
			pending = NULL;
			alarm(5);
			resp.ret = setsc_start(s, (sc_type)req.family, &opts, &pending);
			alarm(0);
			resp.arg = (int)(mono_ms() - t0);
			resp.err = resp.ret ? errno : 0;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_SETSC_WAIT:
			if (pending)
				agent_setsc_wait(&pending, req.arg, &resp);
			else
				resp.err = ENOENT;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		case AG_BIND:
			resp.ret = bind(s, (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_CONNECT:
			resp.ret = connect(s, (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_SENDTO:
			resp.ret = (int)sendto(s, req.payload, strlen(req.payload), 0,
					       (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_SEND:
			resp.ret = (int)send(s, req.payload, strlen(req.payload), MSG_NOSIGNAL);
			break;
		case AG_CLOSE:
			resp.ret = close(s);
			if (req.id >= 0 && req.id < AGENT_MAX_SOCKS)
				socks[req.id] = -1;
			break;
		case AG_SETPREFS:
			resp.ret = setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &req.arg,
					      sizeof(req.arg));
			break;
		case AG_SETPREFS_BIG: {
			static char big[3 * 4096];	/* child-only scratch */

			memset(big, 0, sizeof(big));
			memcpy(big, &req.arg, sizeof(req.arg));
			resp.ret = setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, big,
					      sizeof(big));
			break;
		}
		case AG_SC_RAW: {
			/* What libodm sends, hint and all: a test can play the
			 * answer of any odmd, impostors included. */
			struct odm_sc_req sc = { .version = ODM_SOCKOPT_VERSION,
						 .type = (__u8)req.arg };
			struct odm_sc_result res = { 0 };
			socklen_t rlen = sizeof(res);

			if (req.salen)
				memcpy(sc.hint, &((struct sockaddr_in6 *)&req.sa)->sin6_addr,
				       sizeof(sc.hint));
			resp.ret = setsockopt(s, IPPROTO_IPV6, ODM_SO_SC_TYPE, &sc, sizeof(sc));
			if (!resp.ret)
				resp.ret = getsockopt(s, IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &rlen);
			resp.arg = res.status;
			memcpy(&resp.addr, res.addr, sizeof(resp.addr));
			break;
		}
		case AG_GETPREFS: {
			socklen_t olen = sizeof(resp.arg);

			resp.ret = getsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &resp.arg,
					      &olen);
			break;
		}
		case AG_LISTEN:
			resp.ret = bind(s, (struct sockaddr *)&req.sa, req.salen);
			if (!resp.ret)
				resp.ret = listen(s, 16);
			break;
		case AG_ACCEPT: {
			socklen_t plen = sizeof(resp.peer);
			int c = accept(s, (struct sockaddr *)&resp.peer, &plen);

			for (i = 0; c >= 0 && i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = -1;
			if (c >= 0 && i < AGENT_MAX_SOCKS) {
				socks[i] = c;
				resp.ret = i;
				s = c;
			}
			break;
		}
		case AG_RECV: {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			char buf[256];

			/* 3 s at most: a lost path must fail the test, not hang it */
			resp.ret = poll(&pfd, 1, 3000) == 1 ? (int)recv(s, buf, sizeof(buf), 0) : -1;
			if (resp.ret < 0 && !errno)
				errno = ETIMEDOUT;
			break;
		}
		case AG_BIGOPT: {
			static char big[3 * 4096];	/* child-only scratch */
			socklen_t olen = sizeof(big);
			int val = 65536;

			memset(big, 0, sizeof(big));
			memcpy(big, &val, sizeof(val));
			resp.ret = setsockopt(s, SOL_SOCKET, SO_RCVBUF, big, sizeof(big));
			if (!resp.ret)
				resp.ret = getsockopt(s, IPPROTO_TCP, TCP_INFO, big, &olen);
			resp.local.ss_family = (sa_family_t)olen;
			olen = sizeof(resp.arg);
			if (!resp.ret)
				resp.ret = getsockopt(s, SOL_SOCKET, SO_RCVBUF, &resp.arg, &olen);
			resp.err = resp.ret < 0 ? errno : 0;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_SETSC_MANY: {
			int fds[32], n = req.arg < 32 ? req.arg : 32, k, distinct = 0;
			struct setsc_req *rq[32];
			struct in6_addr got[32];

			resp.ret = 0;
			for (k = 0; k < n; k++) {
				fds[k] = socket(AF_INET6, SOCK_STREAM, 0);
				if (!strcmp(req.payload, "on-net"))
					setsockopt(fds[k], IPPROTO_IPV6, IPV6_ADDR_PREFERENCES,
						   &(int){ IPV6_REQUIRE_SRC_ON_NET }, sizeof(int));
				if (setsc_start(fds[k], (sc_type)req.id, NULL, &rq[k]))
					rq[k] = NULL;
			}
			for (k = 0; k < n; k++) {
				struct pollfd pfd = { .fd = setsc_req_fd(rq[k]), .events = POLLIN };
				int rc = EAI_INPROGRESS;

				while (rq[k] && rc == EAI_INPROGRESS) {
					poll(&pfd, 1, 1000);
					rc = setsc_finish(rq[k], &got[resp.ret]);
				}
				if (rc == 0) {
					int j;

					for (j = 0; j < resp.ret; j++)
						if (!memcmp(&got[j], &got[resp.ret], sizeof(got[j])))
							break;
					distinct += j == resp.ret;
					resp.ret++;
				}
				close(fds[k]);
			}
			if (resp.ret)
				resp.addr = got[0];
			resp.arg = distinct;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_JOIN:
			resp.ret = join_cgroup(req.payload) ? 0 : -1;
			break;
		case AG_STRESS: {
			pthread_t th[16];
			struct stress_arg sa[16];
			int n = req.arg > 16 ? 16 : req.arg, k;

			for (k = 0; k < n; k++) {
				sa[k] = (struct stress_arg){ .req = &req };
				pthread_create(&th[k], NULL, stress_thread, &sa[k]);
			}
			resp.ret = resp.err = 0;
			for (k = 0; k < n; k++) {
				pthread_join(th[k], NULL);
				resp.ret += sa[k].ok;
				resp.err += sa[k].failed;
			}
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_WATCH_OPEN: {
			int w = setsc_watch_open();

			for (i = 0; w >= 0 && i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = w < 0 ? w : i < AGENT_MAX_SOCKS ? i : -EMFILE;
			if (w >= 0 && i < AGENT_MAX_SOCKS)
				socks[i] = w;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_WATCH_READ: {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			struct setsc_replacement ev;
			struct sockaddr_in6 *nsa = (struct sockaddr_in6 *)&resp.local;

			resp.ret = poll(&pfd, 1, 5000) == 1 ? setsc_watch_read(s, &ev) : -ETIMEDOUT;
			resp.err = resp.ret < 0 ? -resp.ret : 0;
			if (resp.ret == 0) {
				resp.addr = ev.old_addr;
				nsa->sin6_family = AF_INET6;
				nsa->sin6_addr = ev.new_addr;
				resp.arg = (int)ev.grace_s;
			}
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_EXIT:
			_exit(0);
		default:
			resp.ret = -1;
			errno = EINVAL;
		}
		resp.err = resp.ret < 0 ? errno : 0;
		if (s >= 0)
			getsockname(s, (struct sockaddr *)&resp.local, &len);
		if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
			_exit(1);
	}
	_exit(0);
}

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
		fprintf(stderr, "  agent call %d failed\n", req->op);
		return false;
	}
	return true;
}

bool agent_recv(struct agent *a, int op, struct agent_resp *resp)
{
	if (read(a->fd, resp, sizeof(*resp)) != sizeof(*resp)) {
		fprintf(stderr, "  agent call %d failed\n", op);
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
