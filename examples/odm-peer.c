// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odm-peer - the correspondent: listens on [::]:PORT for TCP and UDP and
 * prints, for each message, the source address it actually saw.
 *
 *   odm-peer PORT [COUNT]     exits after COUNT messages (default: never)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static int listen_on(int type, int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((unsigned short)port) };
	int s = socket(AF_INET6, type, 0), one = 1;

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || (type == SOCK_STREAM && listen(s, 16))) {
		close(s);
		return -1;
	}
	return s;
}

static void report(const char *proto, const struct sockaddr_in6 *from, const char *buf, ssize_t n)
{
	char abuf[INET6_ADDRSTRLEN];

	printf("peer saw %s from %-20s  \"%.*s\"\n", proto,
	       inet_ntop(AF_INET6, &from->sin6_addr, abuf, sizeof(abuf)), (int)(n > 0 ? n : 0), buf);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long port = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
	struct pollfd pfd[2];
	char buf[256];

	if (argc < 2 || port <= 0 || port > 65535) {
		fprintf(stderr, "usage: odm-peer PORT [COUNT]\n");
		return 2;
	}
	pfd[0] = (struct pollfd){ .fd = listen_on(SOCK_STREAM, (int)port), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = listen_on(SOCK_DGRAM, (int)port), .events = POLLIN };
	if (pfd[0].fd < 0 || pfd[1].fd < 0) {
		fprintf(stderr, "odm-peer: cannot listen on port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	while (count != 0 && poll(pfd, 2, -1) > 0) {
		struct sockaddr_in6 from;
		socklen_t len = sizeof(from);
		ssize_t n;

		if (pfd[0].revents) {
			int c = accept(pfd[0].fd, (struct sockaddr *)&from, &len);

			if (c >= 0) {
				n = recv(c, buf, sizeof(buf), 0);
				report("TCP", &from, buf, n);
				close(c);
				count--;
			}
		}
		if (pfd[1].revents) {
			len = sizeof(from);
			n = recvfrom(pfd[1].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
			if (n >= 0) {
				report("UDP", &from, buf, n);
				count--;
			}
		}
	}
	return 0;
}
