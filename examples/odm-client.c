// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odm-client - the RFC 8653 section 4.1 example made real: ask for a
 * source address type with setsc(), bind it, connect, say hello.
 *
 *   odm-client [-u] [-n] [-o] TYPE DST PORT
 *     -u   UDP instead of TCP
 *     -n   do not bind(): let odm's connect hook bind the address
 *     -o   set IPV6_REQUIRE_SRC_ON_NET first: a fresh prefix from the network
 *
 * Prints one line: what was asked, what setsc() answered, the local
 * address the socket ended up with.  Exit 0 when the message was sent.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <odm.h>

/*
 * The spellings odm(8) accepts for a type (as core/types.c): the number,
 * the short name, the section 6.1 constant, the section 4.1 option.  The
 * first one of each type after the number is its name.  Only <odm.h> here,
 * so that this file builds against an installed libodm.
 */
static const struct {
	const char *name;
	sc_type type;
} spellings[] = {
	{ "1",					FIXED_IPV6_ADDRESS },
	{ "fixed",				FIXED_IPV6_ADDRESS },
	{ "FIXED_IPV6_ADDRESS",			FIXED_IPV6_ADDRESS },
	{ "IPV6_REQUIRE_FIXED_IP",		FIXED_IPV6_ADDRESS },
	{ "2",					SESSION_LASTING_IPV6_ADDRESS },
	{ "session-lasting",			SESSION_LASTING_IPV6_ADDRESS },
	{ "session_lasting",			SESSION_LASTING_IPV6_ADDRESS },
	{ "SESSION_LASTING_IPV6_ADDRESS",	SESSION_LASTING_IPV6_ADDRESS },
	{ "IPV6_REQUIRE_SESSION_LASTING_IP",	SESSION_LASTING_IPV6_ADDRESS },
	{ "3",					NON_PERSISTENT_IPV6_ADDRESS },
	{ "non-persistent",			NON_PERSISTENT_IPV6_ADDRESS },
	{ "non_persistent",			NON_PERSISTENT_IPV6_ADDRESS },
	{ "NON_PERSISTENT_IPV6_ADDRESS",	NON_PERSISTENT_IPV6_ADDRESS },
	{ "IPV6_REQUIRE_NON_PERSISTENT_IP",	NON_PERSISTENT_IPV6_ADDRESS },
	{ "4",					GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
	{ "graceful-replacement",		GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
	{ "graceful",				GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
	{ "graceful_replacement",		GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
	{ "GRACEFUL_REPLACEMENT_IPV6_ADDRESS",	GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
	{ "IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP", GRACEFUL_REPLACEMENT_IPV6_ADDRESS },
};
#define NSPELLINGS (sizeof(spellings) / sizeof(spellings[0]))

static int type_parse(const char *s, sc_type *type)
{
	size_t i;

	for (i = 0; i < NSPELLINGS; i++) {
		if (!strcasecmp(s, spellings[i].name)) {
			*type = spellings[i].type;
			return 0;
		}
	}
	return -1;
}

/* The short name: the spelling right after the type's number. */
static const char *type_name(sc_type type)
{
	size_t i;

	for (i = 0; i + 1 < NSPELLINGS; i++)
		if (spellings[i].type == type && spellings[i].name[0] >= '0' &&
		    spellings[i].name[0] <= '9')
			return spellings[i + 1].name;
	return "reserved";
}

static int usage(void)
{
	fprintf(stderr, "usage: odm-client [-u] [-n] [-o] TYPE DST PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 }, src = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 local;
	socklen_t len = sizeof(local);
	char abuf[INET6_ADDRSTRLEN], lbuf[INET6_ADDRSTRLEN], msg[160];
	struct in6_addr addr;
	bool udp = false, bind_it = true, on_net = false;
	sc_type type;
	int opt, s, rc;
	long port;

	while ((opt = getopt(argc, argv, "uno")) != -1) {
		if (opt == 'u')
			udp = true;
		else if (opt == 'n')
			bind_it = false;
		else if (opt == 'o')
			on_net = true;
		else
			return usage();
	}
	if (argc - optind != 3)
		return usage();
	if (type_parse(argv[optind], &type)) {
		fprintf(stderr, "odm-client: unknown type '%s'\n", argv[optind]);
		return 2;
	}
	port = strtol(argv[optind + 2], NULL, 10);
	if (inet_pton(AF_INET6, argv[optind + 1], &dst.sin6_addr) != 1 || port <= 0 || port > 65535) {
		fprintf(stderr, "odm-client: bad destination %s port %s\n", argv[optind + 1],
			argv[optind + 2]);
		return 2;
	}
	dst.sin6_port = htons((unsigned short)port);

	s = socket(AF_INET6, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (s < 0) {
		perror("odm-client: socket");
		return 1;
	}
	if (on_net) {
		int prefs = IPV6_REQUIRE_SRC_ON_NET;

		if (setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs, sizeof(prefs)))
			perror("odm-client: IPV6_ADDR_PREFERENCES");
	}
	rc = setsc(s, &addr, type);
	if (rc == 0 && bind_it) {
		src.sin6_addr = addr;		/* section 4.1: bind what setsc() gave */
		if (bind(s, (struct sockaddr *)&src, sizeof(src))) {
			perror("odm-client: bind");
			return 1;
		}
	}
	if (connect(s, (struct sockaddr *)&dst, sizeof(dst))) {
		fprintf(stderr, "odm-client: connect: %s\n", strerror(errno));
		return 1;
	}
	getsockname(s, (struct sockaddr *)&local, &len);
	inet_ntop(AF_INET6, &local.sin6_addr, lbuf, sizeof(lbuf));
	snprintf(msg, sizeof(msg), "%s", rc == 0 ? inet_ntop(AF_INET6, &addr, abuf, sizeof(abuf)) : "-");
	printf("asked %-21s%s setsc: %-44s handed out %-24s local %s\n", type_name(type),
	       on_net ? " on-net" : "       ", setsc_strerror(rc), msg, lbuf);
	snprintf(msg, sizeof(msg), "asked=%s handed=%s", type_name(type),
		 rc == 0 ? abuf : "-");
	if (send(s, msg, strlen(msg), 0) < 0) {
		perror("odm-client: send");
		return 1;
	}
	close(s);
	return 0;
}
