/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * netns.h - what the namespace tests share: the base world's addresses and
 * config, the peer, shorthands for the agent's operations, waiting for
 * odmd (helpers.c); and every test, declared from tests.h.
 *
 * The tests live by area, each file with the helpers only it uses:
 * sockets.c, on_demand.c, policy.c, ra.c, lifecycle.c, attacker.c,
 * multihome.c, service.c.  main.c runs them in the order of tests.h.
 */
#ifndef ODM_NETNS_H
#define ODM_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "test.h"
#include "env.h"
#include "agent.h"
#include "core.h"
#include "odm.h"

#define PORT		8080	/* the peer's TCP and UDP port in the net namespace */
#define LO_PORT		8081	/* the peer's port on the host's loopback */

/* The typed prefixes most tests use, and the address the host has in each. */
#define SL_ADDR		"2001:db8:1::10"
#define NP_ADDR		"2001:db8:2::10"
#define FX_ADDR		"2001:db8:3::10"
#define NP2_ADDR	"2001:db8:4::10"

/* Graceful-replacement addresses, in 2001:db8:61::/64 and 2001:db8:62::/64. */
#define GR1_ADDR "2001:db8:61::10"
#define GR2_ADDR "2001:db8:62::10"

/* ---- the base world (SL_ADDR, NP_ADDR, FX_ADDR and their prefixes) ---- */

extern const char base_config[];
/* SL_ADDR, NP_ADDR and FX_ADDR on veth-h. */
bool add_base_addrs(struct env *e);
/* A fresh world with odmd running on base_config (plus extra lines). */
bool world(struct env *e, const char *extra_config, bool with_addrs);

/* ---- the peer: sockets in the "net" namespace (or host, for ::1) ---- */

struct peer {
	int tcp;
	int udp;
};

/* A listening TCP socket and a UDP socket on addr:port in netns ns. */
bool peer_open(struct env *e, struct peer *p, const char *ns, const char *addr, int port);
void peer_close(struct peer *p);
/* Readable within 3 s. */
bool wait_readable(int fd);
/* Accept one connection; its peer address into seen. */
bool peer_seen_tcp(struct peer *p, char *seen, size_t len);
/* Receive one datagram; its source address into seen. */
bool peer_seen_udp(struct peer *p, char *seen, size_t len);
/* Reads what arrived on c until quiet; bytes read. */
long drain(int c);

/* ---- agent shorthands ---- */

/* A new socket of type (SOCK_STREAM, SOCK_DGRAM): its id, or -1. */
int ag_socket(struct agent *a, int type);
/* setsc() on socket id: its result, the address into addr (may be NULL). */
int ag_setsc(struct agent *a, int id, int type, struct in6_addr *addr);
/* setsc() in the agent: result, errno in *err. */
int ag_setsc_err(struct agent *a, int id, int type, int *err);
/* bind/connect/sendto/listen to addr:port: 0 or the errno. */
int ag_addr_op(struct agent *a, int op, int id, const char *addr, int port, const char *dev);
/* Any other operation with id and arg: 0 or the errno; the response into out. */
int ag_simple(struct agent *a, int op, int id, int arg, struct agent_resp *out);
/*
 * An odm socket option request rq (op AG_SC_RAW or AG_SC_CALL): 0 or the
 * errno; *status and *addr (may be NULL) as odm answered.
 */
int ag_sc_req(struct agent *a, const struct agent_req *rq, int *status, struct in6_addr *addr);
/* The setsc() socket option with a hint (NULL: none), as libodm sends it
 * with odmd's answer, and before the one call without: as ag_sc_req(). */
int ag_sc_raw(struct agent *a, int id, int type, const char *hint, int *status,
	      struct in6_addr *addr);
/*
 * op from the agent's socket id to the peer (NET_ADDR, PORT): AG_CONNECT
 * (TCP) or AG_SENDTO (UDP), asserted to succeed; the source the peer saw,
 * "(nothing)" when the op failed or nothing came.
 */
const char *peer_sees(struct agent *a, struct peer *p, int id, int op, char *seen, size_t len);
/* A legacy TCP client in the agent: connect to the peer; what it saw. */
const char *legacy_connect_seen(struct agent *a, struct peer *net, char *seen, size_t len);
/* setsc() of type on a new socket, connect or sendto the peer: what the peer saw. */
int setsc_seen(struct agent *a, struct peer *net, int sock_type, int type,
	       struct in6_addr *addr, char *seen, size_t len);
/* Text of a, in buf (INET6_ADDRSTRLEN). */
const char *in6_str(const struct in6_addr *a, char *buf);

/* ---- odmd ---- */

/* Until odm_select hands out want (NULL: nothing) for type; 5 s at most. */
bool wait_select(struct env *e, unsigned int type, const char *want);
/* A counter of `odm -j stats`, or -1. */
long long stat_of(struct env *e, const char *name);
/* "TYPE SOURCE STATE" of a prefix as `odm -j prefix list` shows it, "" if absent. */
const char *prefix_row(struct env *e, const char *prefix, char *out, size_t len);

/* ---- odmd's log and Kea's lease file ---- */

/* odmd's log (its stderr, redirected by odmd_args to tmpdir/odmd.log) has a line with text. */
bool odmd_logged(struct env *e, const char *text);
/* Until odmd's log has text; 8 s at most. */
bool wait_logged(struct env *e, const char *text);
/* Until odmd's log has n lines with text; 8 s at most.  The lines it has. */
int wait_logged_n(struct env *e, const char *text, int n);
/* Lines Kea's lease file (in dir) has about a delegated prefix ("PREFIX::"). */
int kea_lines(const char *dir, const char *prefix);
/* The network part of a delegated address, "2001:db8:5100:0::" style, as Kea writes it. */
const char *kea_prefix(const struct in6_addr *a, char *buf, size_t len);

/* ---- on demand: nothing configured, prefixes from Kea ---- */

/* Session-lasting, Non-persistent and Fixed pools for env_start_kea(). */
extern const char *const kea_pools[];
/* Nothing configured, Kea with pools (NULL: no Kea), odmd with --dhcp6 and extra. */
bool on_demand_world_with(struct env *e, const char *const *pools, const char *extra);
/* The same with kea_pools (or no Kea) and nothing extra. */
bool on_demand_world(struct env *e, bool with_kea);
/* Inside the pool 2001:db8:XX00::/40, i.e. the first five bytes. */
bool in_pool(const struct in6_addr *a, unsigned int xx);

/* ---- the tests ---- */

#define DEFINE_TEST(fn) void fn(void);
#include "tests.h"
#undef DEFINE_TEST

#endif
