/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * odm.h - libodm, the application API of RFC 8653 "On Demand Mobility
 * Management" (section 6).
 *
 * An application asks, per socket, for the kind of source IPv6 address it
 * needs, then binds it (section 4.1):
 *
 *	struct in6_addr src;
 *	int s = socket(AF_INET6, SOCK_STREAM, 0);
 *	if (setsc(s, &src, IPV6_REQUIRE_SESSION_LASTING_IP) == 0) {
 *		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = src };
 *		bind(s, (struct sockaddr *)&sa, sizeof(sa));
 *	}
 *	connect(s, ...);
 *
 * If the application does not bind, odm binds the address at connect() (or
 * sets it on each unconnected UDP datagram), unless it set RFC 5014
 * preferences with IPV6_ADDR_PREFERENCES (section 5.4).
 *
 * The library has no global state: every function is thread-safe.  The
 * calling process needs no privileges; it must run in a cgroup that odmd
 * attached odm to.  Link with -lodm (pkg-config libodm).
 *
 * Errors, one rule for the whole library:
 *   - The address requests, setsc() and its non-blocking form
 *     setsc_start()/setsc_finish(), answer as RFC 8653 section 6.1 and
 *     getaddrinfo() do: 0, or a negative EAI_* code; EAI_SYSTEM means
 *     "see errno" (a positive errno value, as getaddrinfo() leaves it).
 *   - Every other function works on a descriptor and answers as libbpf and
 *     the kernel do: a descriptor or 0, or a negative errno value (-EPERM,
 *     -EAGAIN, ...); errno is not used.
 *   - setsc_req_fd() returns a descriptor, or -1 for a NULL request;
 *     setsc_strerror() and setsc_cancel() cannot fail.
 * The EAI_* values below collide with no errno and with none of glibc's.
 */
#ifndef ODM_H
#define ODM_H

#include <stdint.h>
#include <netdb.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The requested type of session continuity service: a 3-bit field. */
typedef uint8_t sc_type;

/* Section 6.1 names.  0 and 5-7 are reserved. */
#define FIXED_IPV6_ADDRESS			1
#define SESSION_LASTING_IPV6_ADDRESS		2
#define NON_PERSISTENT_IPV6_ADDRESS		3
#define GRACEFUL_REPLACEMENT_IPV6_ADDRESS	4

/* Section 4.1 spelling of the same values. */
#define IPV6_REQUIRE_FIXED_IP			FIXED_IPV6_ADDRESS
#define IPV6_REQUIRE_SESSION_LASTING_IP		SESSION_LASTING_IPV6_ADDRESS
#define IPV6_REQUIRE_NON_PERSISTENT_IP		NON_PERSISTENT_IPV6_ADDRESS
#define IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP	GRACEFUL_REPLACEMENT_IPV6_ADDRESS

/*
 * Section 6.2: a flag for setsockopt(fd, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES),
 * OR-ed with the RFC 5014 IPV6_PREFER_SRC_* flags.  Set, the next setsc() on
 * the socket must get a new prefix from the network even when one of the
 * type is configured.  odm takes the bit out before the kernel sees the
 * option, and getsockopt(IPV6_ADDR_PREFERENCES) reports it back.  Without
 * odm the kernel ignores it.
 */
#define IPV6_REQUIRE_SRC_ON_NET			0x10000

/*
 * setsc() results besides 0.  Like getaddrinfo()'s EAI_* codes they are
 * negative; the values collide with none of glibc's.
 */
/* The type is not offered: reserved type, no prefix of the type, the
 * cgroup's policy does not allow it (errno EACCES), or odm is not active
 * for this socket's cgroup (legacy host, section 5.1). */
#define EAI_REQUIREDIPNOTSUPPORTED	(-200)
/* The type is offered but the request could not be fulfilled now (no
 * answer from the network or from odmd in time, pool exhausted, or
 * IPV6_REQUIRE_SRC_ON_NET set and no fresh prefix could be had). */
#define EAI_REQUIREDIPFAILED		(-201)

/*
 * setsc - request a source address of type addressType for sockfd
 * (RFC 8653 section 6.1).
 *
 * On success writes the address into *sourceAddress and returns 0; the
 * socket is then typed: connect()/sendto() use that address unless the
 * application binds another one.  Calling it again re-types the socket.
 * A failed request leaves the socket as it was.
 *
 * Returns:
 *   0                           success
 *   EAI_REQUIREDIPNOTSUPPORTED  see above
 *   EAI_REQUIREDIPFAILED        see above
 *   EAI_SYSTEM                  a bad argument or a system error; errno is:
 *       EINVAL        sourceAddress is NULL, or addressType > 7
 *       EBADF         sockfd is not an open descriptor
 *       ENOTSOCK      sockfd is not a socket
 *       EAFNOSUPPORT  the socket is not AF_INET6
 *       EISCONN       the socket is already connected or listening
 *       ENOMEM        no memory for the socket's state
 *       ENOSPC        odm's per-address socket counter map is full (the
 *                     address could not be protected while in use)
 *       EPROTO        odm answered in a format this library does not know
 *
 * When no prefix of the type is configured, or IPV6_REQUIRE_SRC_ON_NET is
 * set, setsc() asks odmd to obtain one from the network (DHCPv6 prefix
 * delegation) and blocks until it answers: at most 10 s, every step
 * included (a busy odmd that cannot take the connection yet counts against
 * it too; odmd itself gives up on the network after 8 s).  Then
 * EAI_REQUIREDIPNOTSUPPORTED means the network does not offer the type,
 * EAI_REQUIREDIPFAILED that it could not grant it now (no answer in time,
 * pool exhausted, refused).  Safe from any thread.
 */
int setsc(int sockfd, struct in6_addr *sourceAddress, sc_type addressType);

/* A static, English description of a setsc() result (never NULL). */
const char *setsc_strerror(int err);

/*
 * Non-blocking setsc(), for event loops (in the manner of getaddrinfo_a):
 *
 *	struct setsc_req *req;
 *	int rc = setsc_start(fd, SESSION_LASTING_IPV6_ADDRESS, NULL, &req);
 *	if (rc == 0) {
 *		... poll(setsc_req_fd(req), POLLIN) in the loop, then:
 *		rc = setsc_finish(req, &addr);	// EAI_INPROGRESS: not yet
 *	}
 *
 * setsc_start() never blocks, not even on a busy odmd: it returns 0 and a
 * request, or an error code as setsc() would (then *req is NULL).
 *
 * setsc_req_fd() is one descriptor for the whole life of the request:
 * register it once (poll, epoll, select) and do not read or close it.  It
 * becomes readable when setsc_finish() has something to say: at once when
 * no network exchange is needed, when the answer is there, and at the
 * latest at the deadline (opts->timeout_ms after setsc_start()).  It may
 * also wake up in between, for the library's own retries: setsc_finish()
 * then does that work without blocking and returns EAI_INPROGRESS (the
 * request stays valid; poll again).  Otherwise setsc_finish() returns the
 * setsc() result (EAI_REQUIREDIPFAILED when the deadline passed without an
 * answer) and frees the request, closing the descriptor.  setsc_cancel()
 * frees a request that will not be finished.  A request belongs to one
 * thread at a time; different requests are independent.
 */
#ifndef EAI_INPROGRESS
#define EAI_INPROGRESS		(-100)		/* glibc's value (netdb.h, _GNU_SOURCE) */
#endif

struct setsc_req;

struct setsc_opts {
	size_t sz;		/* sizeof(struct setsc_opts), for extension */
	int timeout_ms;		/* how long to wait for the network; 0: 10000 */
	unsigned int flags;	/* SETSC_F_*, read only when sz covers it (added
				 * after timeout_ms); an unknown flag: EINVAL */
};

/*
 * Section 6.2 asked through the request itself: as IPV6_REQUIRE_SRC_ON_NET
 * in IPV6_ADDR_PREFERENCES (and set on the socket as that would set it),
 * for hosts where odm does not see that option (odmd --no-setsockopt).
 * With odm programs older than setsc()'s one-call path, libodm sets it
 * with IPV6_ADDR_PREFERENCES itself before asking.
 */
#define SETSC_F_ON_NET		0x1

int setsc_start(int sockfd, sc_type addressType, const struct setsc_opts *opts,
		struct setsc_req **req);
int setsc_req_fd(const struct setsc_req *req);
int setsc_finish(struct setsc_req *req, struct in6_addr *sourceAddress);
void setsc_cancel(struct setsc_req *req);

/*
 * Graceful replacement (RFC 8653 section 3.2): when the network replaces a
 * Graceful-replacement prefix, the old address stays valid for a grace
 * period while new sockets get the new one.  An application learns of it
 * through a watch descriptor, to move its traffic in time:
 *
 *	int w = setsc_watch_open();
 *	... poll(w, POLLIN) ...
 *	struct setsc_replacement ev;
 *	while (setsc_watch_read(w, &ev) == 0)
 *		if (IN6_ARE_ADDR_EQUAL(&ev.old_addr, &my_src)) reconnect from ev.new_addr;
 *	close(w);
 */
struct setsc_replacement {
	sc_type type;			/* GRACEFUL_REPLACEMENT_IPV6_ADDRESS */
	unsigned int grace_s;		/* old_addr stays valid this long */
	struct in6_addr old_addr;
	struct in6_addr new_addr;
};

/* A descriptor that becomes readable on each replacement (close() it when
 * done), or -errno: -ECONNREFUSED or -ENOENT when no odmd serves this host,
 * -EPERM when what listens in odmd's place is not root's (an impostor, never
 * trusted; setsc() likewise treats it as no odmd), -EAGAIN when odmd is too
 * busy to take the connection now (try again later).  Never blocks. */
int setsc_watch_open(void);
/* Read one event without blocking: 0, -EAGAIN when none is queued,
 * -ECONNRESET when odmd went away, -EPROTO for a malformed event or one
 * whose new_addr odm's programs would not hand out for the type now (the
 * event is dropped; read on). */
int setsc_watch_read(int fd, struct setsc_replacement *ev);

#ifdef __cplusplus
}
#endif

#endif /* ODM_H */
