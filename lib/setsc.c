// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * setsc.c - RFC 8653 section 6.1 setsc() on top of odm's BPF programs.
 *
 * The fast path is local and one system call: a getsockopt() of odm's own
 * level whose option name carries the request and whose value the
 * cgroup/getsockopt program fills with the answer (ODM_SO_SC in
 * odm_uapi.h).  It works for any unprivileged process in the attached
 * cgroup.  An odm older than that call answers ENOPROTOOPT: then the two
 * options it knows, a setsockopt() of a private IPPROTO_IPV6 option that
 * the cgroup/setsockopt program consumes and a getsockopt() that reads the
 * result; without odm they too answer ENOPROTOOPT, which is the legacy
 * host of section 5.1.  Nothing is remembered between calls (no global
 * state): a legacy host pays the three calls each time.
 *
 * When the programs report that no prefix of the type exists, or that the
 * socket wants a fresh one (IPV6_REQUIRE_SRC_ON_NET), the request goes to
 * odmd over its Unix socket; odmd obtains a prefix from the network and
 * answers with the address it configured, which the socket then takes as
 * a "hint" the BPF program validates.  setsc() is setsc_start() + poll() +
 * setsc_finish(): one code path for both APIs.
 *
 * Nothing here blocks, so the deadline holds for every step.  A request
 * waiting for odmd is an epoll set the caller polls (its one descriptor for
 * the request's whole life) holding a timerfd and, once connected, the
 * connection to odmd.  With odmd's backlog full, an AF_UNIX connect()
 * fails with EAGAIN at once (there is no connect in progress to wait for):
 * the timer then wakes setsc_finish() to try again shortly.  The timer is
 * armed for the deadline as well, so the descriptor becomes readable when
 * the time is up even if odmd never answers.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <linux/in6.h>		/* IPV6_PREFER_SRC_* */
#include <linux/types.h>

#include "odm.h"
#include "proto.h"
#include "../bpf/odm_uapi.h"

/* The socket options' bytes, as every libodm since ODM_SOCKOPT_VERSION 1
 * exchanges them: union odm_in6 took the place of __u32[4] without moving
 * one. */
_Static_assert(sizeof(union odm_in6) == 16 && _Alignof(union odm_in6) == 4, "odm_in6");
_Static_assert(sizeof(struct odm_sc_req) == 24 && offsetof(struct odm_sc_req, hint) == 8,
	       "odm_sc_req");
_Static_assert(sizeof(struct odm_sc_result) == 24 && offsetof(struct odm_sc_result, addr) == 8,
	       "odm_sc_result");

#define ODM_EXPORT __attribute__((visibility("default")))

/*
 * How soon to try odmd's full backlog again: short, as odmd takes a
 * connection in microseconds once it gets to it, and a try is two
 * system calls.
 */
#define CONNECT_RETRY_MS	15

struct setsc_req {
	int sockfd;
	sc_type type;
	int fd;			/* what the caller polls: the epoll set while
				 * pending, an already-readable eventfd when done */
	int timer;		/* timerfd in fd: the next connect try, the deadline */
	int conn;		/* odmd connection in fd, -1 until connected */
	bool on_net;
	unsigned int flags;	/* ODM_SCF_ON_NET when asked through setsc_opts */
	bool done;
	int result;		/* setsc() result once done */
	int err;		/* errno to report with EAI_SYSTEM */
	struct in6_addr addr;
	__u64 deadline_ms;	/* CLOCK_MONOTONIC */
};

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

static int sys_error(int err)
{
	errno = err;
	return EAI_SYSTEM;
}

/*
 * Ask the BPF programs: 0 with *res filled, or a setsc() error code.
 * hint: NULL, or the address odmd obtained for this request.
 */
static int sc_local(int sockfd, sc_type type, const __u32 *hint, struct odm_sc_result *res)
{
	struct odm_sc_req req = { .version = ODM_SOCKOPT_VERSION, .type = type };
	socklen_t len = sizeof(*res);

	if (hint)
		memcpy(&req.hint, hint, sizeof(req.hint));
	if (setsockopt(sockfd, IPPROTO_IPV6, ODM_SO_SC_TYPE, &req, sizeof(req)))
		return errno == ENOPROTOOPT ? EAI_REQUIREDIPNOTSUPPORTED : EAI_SYSTEM;
	memset(res, 0, sizeof(*res));
	if (getsockopt(sockfd, IPPROTO_IPV6, ODM_SO_SC_RESULT, res, &len))
		return errno == ENOPROTOOPT ? EAI_REQUIREDIPNOTSUPPORTED : EAI_SYSTEM;
	if (len != sizeof(*res) || res->version != ODM_SOCKOPT_VERSION)
		return sys_error(EPROTO);
	return 0;
}

/*
 * Section 6.2's flag set on the socket as an application sets it, for odm
 * programs older than the one call: they learn ON_NET only from
 * IPV6_ADDR_PREFERENCES.  The one call sets it on the socket the same way.
 * The kernel reads back PUBTMP_DEFAULT|HOME from a socket whose
 * application set no RFC 5014 flag: written back, odm would take them as
 * the application's (section 5.4: the kernel selects).  The flag alone
 * leaves the kernel's preferences as they are.
 */
static int prefs_on_net(int sockfd)
{
	const int untouched = IPV6_PREFER_SRC_PUBTMP_DEFAULT | IPV6_PREFER_SRC_HOME;
	socklen_t len = sizeof(int);
	int prefs;

	if (getsockopt(sockfd, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs, &len))
		return EAI_SYSTEM;
	if (prefs & IPV6_REQUIRE_SRC_ON_NET)
		return 0;
	if (prefs == untouched)
		prefs = 0;
	prefs |= IPV6_REQUIRE_SRC_ON_NET;
	if (setsockopt(sockfd, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs, sizeof(prefs)))
		return EAI_SYSTEM;
	return 0;
}

/*
 * setsc() in one call (ODM_SO_SC): 0 with *res filled, or a setsc() error
 * code.  flags: ODM_SCF_*.  An odm without the call answers ENOPROTOOPT:
 * then the two options, with ON_NET through IPV6_ADDR_PREFERENCES first,
 * and no answer without a hint.
 */
static int sc_call(int sockfd, sc_type type, unsigned int flags, struct odm_sc_result *res)
{
	socklen_t len = sizeof(*res);
	int rc;

	memset(res, 0, sizeof(*res));
	if (getsockopt(sockfd, ODM_SOL, ODM_SO_SC(type, flags), res, &len) == 0) {
		if (len != sizeof(*res) || res->version != ODM_SOCKOPT_VERSION)
			return sys_error(EPROTO);
		return 0;
	}
	if (errno != ENOPROTOOPT)
		return EAI_SYSTEM;
	if (flags & ODM_SCF_ANSWER)
		return EAI_REQUIREDIPFAILED;	/* no hint to give: cannot happen */
	if (flags & ODM_SCF_ON_NET) {
		rc = prefs_on_net(sockfd);
		if (rc)
			return rc;
	}
	rc = sc_local(sockfd, type, NULL, res);
	if (!rc && (flags & ODM_SCF_ON_NET) && res->status == ODM_ST_OK)
		return EAI_REQUIREDIPFAILED;	/* odm did not see ON_NET: cannot happen */
	return rc;
}

/*
 * Take the address odmd obtained for a request: a hint through the
 * setsockopt() option; on a host where odm attached no setsockopt program
 * (odmd --no-setsockopt), the one call with ODM_SCF_ANSWER, which takes
 * what odm now hands out for the type under the same rules.
 */
static int sc_hint(int sockfd, sc_type type, unsigned int flags, const __u32 *hint,
		   struct odm_sc_result *res)
{
	int rc = sc_local(sockfd, type, hint, res);

	if (rc == EAI_REQUIREDIPNOTSUPPORTED && errno == ENOPROTOOPT)
		rc = sc_call(sockfd, type, flags | ODM_SCF_ANSWER, res);
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Finish the request now.  Called before the caller has seen the request
 * (it then gets an already-readable eventfd) or from setsc_finish(), which
 * frees it: the descriptor of a pending request never changes.
 */
static void req_done(struct setsc_req *r, int result, const __u32 *addr)
{
	int err = errno;	/* why, for a failure: reported with it */

	close_fd(&r->conn);
	close_fd(&r->timer);
	close_fd(&r->fd);
	r->fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	r->done = true;
	r->result = result;
	r->err = err;
	if (addr)
		memcpy(&r->addr, addr, sizeof(r->addr));
}

/* Wake the caller at the absolute CLOCK_MONOTONIC time at_ms.  0 or -errno. */
static int arm_timer(struct setsc_req *r, __u64 at_ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(at_ms / 1000),
			      .tv_nsec = (long)(at_ms % 1000) * 1000000 },
	};

	return timerfd_settime(r->timer, TFD_TIMER_ABSTIME, &its, NULL) ? -errno : 0;
}

/* The next wake-up: a connect try while odmd's backlog is full, and the
 * deadline always.  0 or -errno. */
static int arm_next(struct setsc_req *r)
{
	__u64 at = r->deadline_ms;

	if (r->conn < 0 && now_ms() + CONNECT_RETRY_MS < at)
		at = now_ms() + CONNECT_RETRY_MS;
	return arm_timer(r, at);
}

/*
 * Connect to odmd without blocking and send the request: 0 when sent,
 * -EAGAIN when odmd cannot take it now (its backlog is full: try again),
 * another -errno when there is no odmd to ask (-ENOENT, -ECONNREFUSED, an
 * impostor's -EPERM) or the request could not be sent.
 */
static int ask_odmd(struct setsc_req *r)
{
	struct odm_msg_req msg;
	ssize_t n;
	int fd, err;

	fd = odm_proto_connect(SOCK_NONBLOCK);
	if (fd < 0)
		return fd;
	odm_msg_req_init(&msg, r->type, r->on_net ? ODM_REQF_ON_NET : 0);
	n = send(fd, &msg, sizeof(msg), MSG_NOSIGNAL);
	if (n != sizeof(msg)) {
		err = n < 0 ? -errno : -EPROTO;
		close(fd);
		return err;
	}
	if (r->fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		if (epoll_ctl(r->fd, EPOLL_CTL_ADD, fd, &ev)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	r->conn = fd;
	return 0;
}

/* The caller's descriptor for a request that waits for odmd.  0 or -errno. */
static int req_pollable(struct setsc_req *r)
{
	struct epoll_event ev = { .events = EPOLLIN };

	r->fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	r->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timer < 0 || epoll_ctl(r->fd, EPOLL_CTL_ADD, r->timer, &ev) ||
	    (r->conn >= 0 && epoll_ctl(r->fd, EPOLL_CTL_ADD, r->conn, &ev)))
		return -errno;
	return arm_next(r);
}

/* No prefix of the type, or a fresh one wanted: ask odmd, no waiting. */
static void req_ask(struct setsc_req *r)
{
	int err = ask_odmd(r);

	if (err && err != -EAGAIN) {
		/* Without odmd nobody can ask the network: a missing type is
		 * not supported, a fresh prefix cannot be had. */
		req_done(r, r->on_net ? EAI_REQUIREDIPFAILED : EAI_REQUIREDIPNOTSUPPORTED, NULL);
		return;
	}
	err = req_pollable(r);
	if (err) {
		errno = -err;
		req_done(r, EAI_SYSTEM, NULL);
	}
}

static int check_args(int sockfd, sc_type type)
{
	socklen_t len;
	int family;

	if (type > 7)
		return sys_error(EINVAL);
	len = sizeof(family);
	if (getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &family, &len))
		return EAI_SYSTEM;		/* EBADF, ENOTSOCK */
	if (family != AF_INET6)
		return sys_error(EAFNOSUPPORT);
	if (type == 0 || type > ODM_TYPE_MAX)
		return EAI_REQUIREDIPNOTSUPPORTED;	/* reserved values */
	return 0;
}

/*
 * Turn the programs' first answer (rc, res) into a request: finished at
 * once, or waiting for odmd.  0 and *out, or a setsc() error code.
 */
static int req_begin(int sockfd, sc_type type, int timeout, int rc,
		     const struct odm_sc_result *res, struct setsc_req **out)
{
	struct setsc_req *r = calloc(1, sizeof(*r));

	if (!r)
		return sys_error(ENOMEM);
	r->sockfd = sockfd;
	r->type = type;
	r->fd = -1;
	r->timer = -1;
	r->conn = -1;
	r->deadline_ms = now_ms() + (__u64)timeout;
	if (rc) {
		req_done(r, rc, NULL);
	} else if (res->status == ODM_ST_OK) {
		req_done(r, 0, res->addr.w);
	} else if (res->status == ODM_ST_DENIED) {
		/* The cgroup's policy: not for this application. */
		errno = EACCES;
		req_done(r, EAI_REQUIREDIPNOTSUPPORTED, NULL);
	} else if (res->status == ODM_ST_NO_PREFIX || res->status == ODM_ST_NEED_NET) {
		r->on_net = res->status == ODM_ST_NEED_NET;
		req_ask(r);
	} else {
		errno = EPROTO;
		req_done(r, EAI_SYSTEM, NULL);
	}
	if (r->fd < 0) {
		rc = r->done && r->result ? r->result : sys_error(errno ? errno : ENOMEM);
		if (r->done)
			errno = r->err;
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

ODM_EXPORT int setsc_start(int sockfd, sc_type addressType, const struct setsc_opts *opts,
			   struct setsc_req **out)
{
	int timeout = ODM_SETSC_TIMEOUT_MS;
	struct odm_sc_result res;
	unsigned int flags = 0;
	int rc;

	if (!out)
		return sys_error(EINVAL);
	*out = NULL;
	rc = check_args(sockfd, addressType);
	if (rc)
		return rc;
	/* Read only the fields the caller's struct has (opts->sz). */
	if (opts && opts->sz >= offsetof(struct setsc_opts, timeout_ms) + sizeof(int) &&
	    opts->timeout_ms > 0)
		timeout = opts->timeout_ms;
	if (opts && opts->sz >= offsetof(struct setsc_opts, flags) + sizeof(unsigned int)) {
		if (opts->flags & ~SETSC_F_ON_NET)
			return sys_error(EINVAL);
		if (opts->flags & SETSC_F_ON_NET)
			flags |= ODM_SCF_ON_NET;
	}
	rc = sc_call(sockfd, addressType, flags, &res);
	rc = req_begin(sockfd, addressType, timeout, rc, &res, out);
	if (!rc)
		(*out)->flags = flags;
	return rc;
}

ODM_EXPORT int setsc_req_fd(const struct setsc_req *r)
{
	return r ? r->fd : -1;
}

/* odmd answered: take its address on the socket. */
static void take_answer(struct setsc_req *r, const struct odm_msg_resp *resp)
{
	struct odm_sc_result res;
	int rc;

	switch (resp->result) {
	case ODM_R_OK:
		rc = sc_hint(r->sockfd, r->type, r->flags, resp->addr, &res);
		if (rc)
			req_done(r, rc, NULL);
		else if (res.status == ODM_ST_OK)
			req_done(r, 0, res.addr.w);
		else
			req_done(r, EAI_REQUIREDIPFAILED, NULL);	/* gone again */
		return;
	case ODM_R_NOT_OFFERED:
		req_done(r, EAI_REQUIREDIPNOTSUPPORTED, NULL);
		return;
	case ODM_R_FAILED:
		req_done(r, EAI_REQUIREDIPFAILED, NULL);
		return;
	case ODM_R_DENIED:
		errno = EACCES;		/* as when BPF refuses it */
		req_done(r, EAI_REQUIREDIPNOTSUPPORTED, NULL);
		return;
	default:
		errno = EPROTO;
		req_done(r, EAI_SYSTEM, NULL);
	}
}

/*
 * Not connected yet: when the timer says so, try odmd again.  0 while the
 * request goes on, or 1 when it is done.
 */
static int req_retry(struct setsc_req *r, bool fired)
{
	int err;

	if (!fired)
		return 0;		/* not due yet: a spurious setsc_finish() */
	err = ask_odmd(r);
	if (err && err != -EAGAIN) {
		/* odmd went away while its backlog was full */
		req_done(r, r->on_net ? EAI_REQUIREDIPFAILED : EAI_REQUIREDIPNOTSUPPORTED, NULL);
		return 1;
	}
	return 0;
}

/* Read odmd's answer, if there is one: 0 while pending, 1 when done. */
static int req_read(struct setsc_req *r)
{
	struct odm_msg_resp resp;
	ssize_t n;

	n = recv(r->conn, &resp, sizeof(resp), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		req_done(r, EAI_REQUIREDIPFAILED, NULL);	/* odmd went away */
	} else if (odm_msg_resp_check(&resp, (size_t)n) || resp.type != r->type) {
		errno = EPROTO;
		req_done(r, EAI_SYSTEM, NULL);
	} else {
		take_answer(r, &resp);
	}
	return 1;
}

/* Move a pending request on; it is done (r->done) or still pending. */
static void req_step(struct setsc_req *r)
{
	__u64 expirations;
	bool fired;
	int err;

	/* Consume the wake-up, or the descriptor stays readable. */
	fired = read(r->timer, &expirations, sizeof(expirations)) == sizeof(expirations);
	/* An answer there at the deadline is still taken. */
	if (r->conn >= 0 && req_read(r))
		return;
	if (now_ms() >= r->deadline_ms) {
		req_done(r, EAI_REQUIREDIPFAILED, NULL);	/* no answer in time */
		return;
	}
	if (r->conn < 0 && req_retry(r, fired))
		return;
	/* Fired: the next connect try is due, or (connected) the deadline. */
	if (fired) {
		err = arm_next(r);
		if (err) {
			errno = -err;
			req_done(r, EAI_SYSTEM, NULL);
		}
	}
}

ODM_EXPORT int setsc_finish(struct setsc_req *r, struct in6_addr *sourceAddress)
{
	int rc;

	if (!r)
		return sys_error(EINVAL);
	if (!r->done) {
		req_step(r);
		if (!r->done)
			return EAI_INPROGRESS;
	}
	rc = r->result;
	if (rc == 0 && sourceAddress)
		*sourceAddress = r->addr;
	close_fd(&r->fd);
	if (rc)
		errno = r->err;
	free(r);
	return rc;
}

ODM_EXPORT void setsc_cancel(struct setsc_req *r)
{
	if (!r)
		return;
	close_fd(&r->conn);
	close_fd(&r->timer);
	close_fd(&r->fd);
	free(r);
}

ODM_EXPORT int setsc(int sockfd, struct in6_addr *sourceAddress, sc_type addressType)
{
	struct odm_sc_result res;
	struct setsc_req *r;
	int rc, bad;

	if (!sourceAddress || addressType > 7)
		return sys_error(EINVAL);
	if (addressType == 0 || addressType > ODM_TYPE_MAX)
		return check_args(sockfd, addressType);		/* reserved types */
	/* The common case costs one system call and nothing else. */
	rc = sc_call(sockfd, addressType, 0, &res);
	if (!rc && res.status == ODM_ST_OK) {
		memcpy(sourceAddress, &res.addr, sizeof(*sourceAddress));
		return 0;
	}
	/* A failure may be a bad descriptor or family: say which. */
	if (rc) {
		int saved = errno;

		bad = check_args(sockfd, addressType);
		if (bad)
			return bad;
		errno = saved;
	}
	rc = req_begin(sockfd, addressType, ODM_SETSC_TIMEOUT_MS, rc, &res, &r);
	if (rc)
		return rc;
	for (;;) {
		struct pollfd pfd = { .fd = setsc_req_fd(r), .events = POLLIN };
		__u64 now = now_ms();
		int wait = now < r->deadline_ms ? (int)(r->deadline_ms - now) : 0;

		if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
			rc = errno;
			setsc_cancel(r);
			return sys_error(rc);
		}
		rc = setsc_finish(r, sourceAddress);
		if (rc != EAI_INPROGRESS)
			return rc;
	}
}

ODM_EXPORT const char *setsc_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case EAI_REQUIREDIPNOTSUPPORTED:
		return "Required source address type not supported";
	case EAI_REQUIREDIPFAILED:
		return "Required source address type could not be provided";
	case EAI_INPROGRESS:
		return "Request in progress";
	case EAI_SYSTEM:
		return "System error (see errno)";
	default:
		return "Unknown setsc() error";
	}
}

ODM_EXPORT int setsc_watch_open(void)
{
	struct odm_msg_req msg;
	int fd = odm_proto_connect(SOCK_NONBLOCK);

	if (fd < 0)
		return fd;
	odm_msg_watch_init(&msg);
	if (send(fd, &msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * An event moves the application to new_addr: it is taken only if the BPF
 * programs, which read the maps odmd keeps, would hand that address out for
 * the type now (a hint on a throw-away socket).  A message that did not
 * come from the maps (an impostor's, should one ever get past the peer
 * check) cannot steer the application to an address of another type.
 */
static bool event_confirmed(const struct odm_msg_event *msg)
{
	struct odm_sc_result res;
	int s, rc;

	if (msg->type != ODM_TYPE_GRACEFUL)
		return false;
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	rc = sc_hint(s, msg->type, 0, msg->new_addr, &res);
	close(s);
	return rc == 0 && res.status == ODM_ST_OK &&
	       !memcmp(&res.addr, msg->new_addr, sizeof(res.addr));
}

ODM_EXPORT int setsc_watch_read(int fd, struct setsc_replacement *ev)
{
	struct odm_msg_event msg;
	ssize_t n;

	if (!ev)
		return -EINVAL;
	n = recv(fd, &msg, sizeof(msg), MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if (odm_msg_event_check(&msg, (size_t)n) || !event_confirmed(&msg))
		return -EPROTO;
	memset(ev, 0, sizeof(*ev));
	ev->type = msg.type;
	ev->grace_s = msg.grace_s;
	memcpy(&ev->old_addr, msg.old_addr, sizeof(ev->old_addr));
	memcpy(&ev->new_addr, msg.new_addr, sizeof(ev->new_addr));
	return 0;
}
