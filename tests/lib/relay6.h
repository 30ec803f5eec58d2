/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * relay6.h - a DHCPv6 relay agent for the namespace tests: an access
 * router between a host and the server of its network's anchor.
 *
 * It relays what clients send on its access link to the server (RFC 8415
 * section 19: Relay-forward with the client's link-local as peer-address,
 * the operator's link-address and an Interface-Id) and the server's
 * Relay-reply back to the client.  And it does what RFC 8987 asks of a
 * relay in front of prefix delegation: for every prefix a Reply it relays
 * delegates, a route to it via the client on the access link and the
 * source filter that lets the client's packets from it through (and both
 * removed for a prefix whose valid lifetime is 0).  The router forwards
 * from the access link only what it has delegated that way.
 */
#ifndef ODM_TEST_RELAY6_H
#define ODM_TEST_RELAY6_H

#include <stdbool.h>
#include <sys/types.h>

struct relay6 {
	pid_t pid;
};

/*
 * Fork a relay into network namespace ns: clients on down_if, the server
 * at server_ll (a link-local address) on up_if, link_addr the address the
 * server selects its subnet by.  False when it cannot listen.
 */
bool relay6_start(struct relay6 *r, const char *ns, const char *down_if, const char *up_if,
		  const char *server_ll, const char *link_addr);
void relay6_stop(struct relay6 *r);

#endif
