// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * preload_bind.c - a baseline for the benchmark, not part of odm: what a
 * user without odm would write to pin the source address of an unmodified
 * application.
 *
 *	ODM_PRELOAD_SRC=2001:db8:1::10 LD_PRELOAD=preload_bind.so app
 *
 * It wraps connect(): an AF_INET6 socket that is not bound yet is bound to
 * the configured address first.  Like odm it leaves alone sockets the
 * application bound itself and destinations where an IPv6 source makes no
 * sense (v4-mapped, loopback, link-local, multicast).  It cannot type
 * unconnected datagrams (sendto) without wrapping every send call, which is
 * one reason odm hooks the kernel instead.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static struct sockaddr_in6 src;
static bool have_src;

/* Read once at load: connect() must stay cheap and async-signal-safe. */
__attribute__((constructor)) static void preload_init(void)
{
	const char *s = getenv("ODM_PRELOAD_SRC");

	real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT,
									       "connect");
	src.sin6_family = AF_INET6;
	have_src = s && inet_pton(AF_INET6, s, &src.sin6_addr) == 1;
}

static bool exempt(const struct in6_addr *dst)
{
	return IN6_IS_ADDR_V4MAPPED(dst) || IN6_IS_ADDR_LOOPBACK(dst) ||
	       IN6_IS_ADDR_UNSPECIFIED(dst) || IN6_IS_ADDR_LINKLOCAL(dst) ||
	       IN6_IS_ADDR_MULTICAST(dst);
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in6 *dst = (const struct sockaddr_in6 *)sa;
	struct sockaddr_in6 cur;
	socklen_t curlen = sizeof(cur);
	int saved = errno;

	if (!real_connect) {
		errno = ENOSYS;
		return -1;
	}
	if (have_src && sa && len >= sizeof(*dst) && sa->sa_family == AF_INET6 &&
	    !exempt(&dst->sin6_addr) &&
	    getsockname(fd, (struct sockaddr *)&cur, &curlen) == 0 &&
	    cur.sin6_family == AF_INET6 && cur.sin6_port == 0 &&
	    IN6_IS_ADDR_UNSPECIFIED(&cur.sin6_addr)) {
		/* A failed bind leaves the kernel's choice, as odm fails open for
		 * a default type: the application never asked for this. */
		if (bind(fd, (const struct sockaddr *)&src, sizeof(src)))
			errno = saved;
	}
	return real_connect(fd, sa, len);
}
