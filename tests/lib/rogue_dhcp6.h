/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rogue_dhcp6.h - a hostile DHCPv6 server for the namespace tests.
 *
 * It listens where Kea would (port 547 on veth-s in the env's "net"
 * namespace) and answers odmd's Solicits and Requests the way a broken or
 * malicious server might: malformed datagrams of every kind the codec's
 * rules name, floods, answers for someone else, prefixes no host should
 * configure (multicast, link-local, loopback, v4-mapped, too short), a
 * prefix that shadows the operator's, a type other than the one asked,
 * a bait-and-switch between Advertise and Reply.  It counts what it
 * received and sent, so a test can tell "odmd refused it" from "it never
 * arrived".
 */
#ifndef ODM_TEST_ROGUE_DHCP6_H
#define ODM_TEST_ROGUE_DHCP6_H

#include <stdbool.h>
#include <sys/types.h>

struct env;

/* One IAprefix the server hands out. */
struct rogue_prefix {
	const char *prefix;		/* text, host bits allowed; NULL: no IAprefix */
	int plen;
	unsigned int preferred, valid;	/* lifetimes, seconds */
	int cont;			/* continuity wire type: -1 none, -2 echo the client's */
};

#define ROGUE_MAX_ADV	16

struct rogue_script {
	/* One Advertise (preference 255) per entry, each from its own server id. */
	struct rogue_prefix adv[ROGUE_MAX_ADV];
	unsigned int nadv;
	/* What a Request gets in its Reply. */
	struct rogue_prefix reply;
	/* Malformed datagrams sent ahead of every answer (0: none). */
	unsigned int garbage;
};

struct rogue_stats {
	unsigned int solicits;		/* Solicits received */
	unsigned int requests;		/* Requests received */
	unsigned int releases;		/* Releases received (never answered) */
	unsigned int sent;		/* datagrams sent, garbage included */
	unsigned int garbage;		/* of which malformed */
};

struct rogue {
	pid_t pid;
	int ctl;			/* closed by rogue_stop: the server reports and exits */
	int res;			/* the server writes its struct rogue_stats here */
};

/* The kinds of malformed datagram garbage cycles through, for the report. */
unsigned int rogue_garbage_kinds(void);

/* Fork the server into the env's net namespace; false when it cannot start. */
bool rogue_start(struct env *e, struct rogue *r, const struct rogue_script *s);
/* Stop it and read its counters (zeros when it died). */
void rogue_stop(struct rogue *r, struct rogue_stats *st);

#endif
