// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* notify.c - see notify.h */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "notify.h"

static int notify_fd = -1;

int notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || !path[0])
		return 0;
	len = strlen(path);
	/* systemd gives an absolute path or an abstract name; nothing else is ours to guess. */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		logmsg("ignoring NOTIFY_SOCKET '%s': not an absolute path or an @abstract name",
		       path);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		logmsg("cannot notify %s: %s", path, strerror(errno));
		return -errno;
	}
	/* An abstract address is exactly as long as its name: no NUL counted. */
	if (connect(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				(path[0] == '/'))) < 0) {
		logmsg("cannot notify %s: %s", path, strerror(errno));
		close(fd);
		return -errno;
	}
	notify_fd = fd;
	return 0;
}

void notify(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (notify_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;	/* a STATUS cut short beats none */
	/* A supervisor that is gone or slow must not stop odmd: never wait. */
	if (send(notify_fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		debug("cannot notify the service manager: %s", strerror(errno));
}

void notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
