// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * helpers.c - what the namespace tests share (netns.h): the base world,
 * the peer, shorthands for the agent's operations, waiting for odmd.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>

#include "netns.h"

/* ---- the base world ---- */

const char base_config[] =
	"# typed prefixes of the test host\n"
	"prefix 2001:db8:1::/64 type session-lasting dev veth-h\n"
	"prefix 2001:db8:2::/64 type non-persistent dev veth-h\n"
	"prefix 2001:db8:3::/64 type fixed\n";

bool add_base_addrs(struct env *e)
{
	return sys("ip -n %s addr add %s/64 dev veth-h nodad && ip -n %s addr add %s/64 dev veth-h nodad"
		   " && ip -n %s addr add %s/64 dev veth-h nodad",
		   e->host_ns, SL_ADDR, e->host_ns, NP_ADDR, e->host_ns, FX_ADDR);
}

/* A fresh world with odmd running on base_config (plus extra lines). */
bool world(struct env *e, const char *extra_config, bool with_addrs)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg), "%s%s", base_config, extra_config ? extra_config : "");
	if (!env_setup(e, cfg))
		return false;
	if (with_addrs && !add_base_addrs(e))
		return false;
	return env_start_odmd(e);
}

/* ---- the peer: sockets in the "net" namespace (or host, for ::1) ---- */

bool peer_open(struct env *e, struct peer *p, const char *ns, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sa6(&ss, addr, port, NULL, NULL);
	int zero = 0, one = 1;
	bool ok;

	p->tcp = p->udp = -1;
	if (!ns_enter(ns))
		return false;
	p->tcp = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	p->udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok = p->tcp >= 0 && p->udp >= 0 &&
	     !setsockopt(p->tcp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) &&
	     !setsockopt(p->udp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) &&
	     !setsockopt(p->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	     !bind(p->tcp, (struct sockaddr *)&ss, len) && !listen(p->tcp, 64) &&
	     !bind(p->udp, (struct sockaddr *)&ss, len);
	ns_restore(e);
	if (!ok)
		fprintf(stderr, "  peer sockets in %s: %s\n", ns, strerror(errno));
	return ok;
}

void peer_close(struct peer *p)
{
	if (p->tcp >= 0)
		close(p->tcp);
	if (p->udp >= 0)
		close(p->udp);
}

bool wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 3000) == 1;
}

/* Accept one connection; its peer address into seen. */
bool peer_seen_tcp(struct peer *p, char *seen, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int c;

	snprintf(seen, len, "(nothing)");
	if (!wait_readable(p->tcp))
		return false;
	c = accept(p->tcp, (struct sockaddr *)&ss, &sl);
	if (c < 0)
		return false;
	sa_addr_str(&ss, seen, len);
	close(c);
	return true;
}

bool peer_seen_udp(struct peer *p, char *seen, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[128];

	snprintf(seen, len, "(nothing)");
	if (!wait_readable(p->udp))
		return false;
	if (recvfrom(p->udp, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl) < 0)
		return false;
	sa_addr_str(&ss, seen, len);
	return true;
}

/* Reads what arrives on c: up to 3 s for the first bytes, then until
 * 200 ms pass without more; bytes read.  Quiet is short on purpose: a
 * test that reads inside a deadline (a grace period) must not spend it
 * waiting for bytes nobody sends. */
long drain(int c)
{
	struct pollfd pfd = { .fd = c, .events = POLLIN };
	char buf[4096];
	long total = 0;
	ssize_t n;

	while (poll(&pfd, 1, total ? 200 : 3000) == 1 &&
	       (n = recv(c, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	return total;
}

/* ---- agent shorthands ---- */

int ag_socket(struct agent *a, int type)
{
	struct agent_req rq = { .op = AG_SOCKET, .arg = type };
	struct agent_resp rs;

	return agent_call(a, &rq, &rs) ? rs.ret : -1;
}

int ag_setsc(struct agent *a, int id, int type, struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SETSC, .id = id, .arg = type };
	struct agent_resp rs;

	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (addr)
		*addr = rs.addr;
	return rs.ret;
}

/* bind/connect/sendto/listen to addr:port: 0 or the errno. */
int ag_addr_op(struct agent *a, int op, int id, const char *addr, int port, const char *dev)
{
	struct agent_req rq = { .op = op, .id = id };
	struct agent_resp rs;

	snprintf(rq.payload, sizeof(rq.payload), "odm test payload");
	if (strncmp(addr, "::ffff:", 7) == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&rq.sa;

		/* v4-mapped destinations are written as such */
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		rq.salen = sizeof(*s6);
	} else {
		rq.salen = make_sa6(&rq.sa, addr, port, dev ? dev : NULL, dev ? "veth-h" : NULL);
	}
	if (!agent_call(a, &rq, &rs))
		return -9999;
	return rs.ret < 0 ? rs.err : 0;
}

int ag_simple(struct agent *a, int op, int id, int arg, struct agent_resp *out)
{
	struct agent_req rq = { .op = op, .id = id, .arg = arg };
	struct agent_resp rs;

	snprintf(rq.payload, sizeof(rq.payload), "odm test payload");
	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (out)
		*out = rs;
	return rs.ret < 0 ? rs.err : 0;
}

/* setsc() in the agent: result, errno in *err. */
int ag_setsc_err(struct agent *a, int id, int type, int *err)
{
	struct agent_req rq = { .op = AG_SETSC, .id = id, .arg = type };
	struct agent_resp rs;

	if (!agent_call(a, &rq, &rs))
		return -9999;
	*err = rs.err;
	return rs.ret;
}

int ag_sc_req(struct agent *a, const struct agent_req *rq, int *status, struct in6_addr *addr)
{
	struct agent_resp rs;

	*status = -1;
	if (!agent_call(a, rq, &rs))
		return -9999;
	*status = rs.arg;
	if (addr)
		*addr = rs.addr;
	return rs.ret < 0 ? rs.err : 0;
}

int ag_sc_raw(struct agent *a, int id, int type, const char *hint, int *status,
	      struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SC_RAW, .id = id, .arg = type };

	if (hint)
		rq.salen = make_sa6(&rq.sa, hint, 0, NULL, NULL);
	return ag_sc_req(a, &rq, status, addr);
}

const char *peer_sees(struct agent *a, struct peer *p, int id, int op, char *seen, size_t len)
{
	bool tcp = op == AG_CONNECT;

	snprintf(seen, len, "(nothing)");
	if (ASSERT_EQ(ag_addr_op(a, op, id, NET_ADDR, PORT, NULL), 0, tcp ? "connect" : "sendto")) {
		if (tcp)
			peer_seen_tcp(p, seen, len);
		else
			peer_seen_udp(p, seen, len);
	}
	return seen;
}

const char *legacy_connect_seen(struct agent *a, struct peer *net, char *seen, size_t len)
{
	int s = ag_socket(a, SOCK_STREAM);

	peer_sees(a, net, s, AG_CONNECT, seen, len);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return seen;
}

const char *in6_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* setsc() of type on a new socket, connect or sendto the peer: what the peer saw. */
int setsc_seen(struct agent *a, struct peer *net, int sock_type, int type,
		      struct in6_addr *addr, char *seen, size_t len)
{
	int s = ag_socket(a, sock_type), rc;

	snprintf(seen, len, "(nothing)");
	rc = ag_setsc(a, s, type, addr);
	if (!rc && sock_type == SOCK_STREAM &&
	    !ag_addr_op(a, AG_CONNECT, s, NET_ADDR, PORT, NULL))
		peer_seen_tcp(net, seen, len);
	else if (!rc && sock_type == SOCK_DGRAM &&
		 !ag_addr_op(a, AG_SENDTO, s, NET_ADDR, PORT, NULL))
		peer_seen_udp(net, seen, len);
	ag_simple(a, AG_CLOSE, s, 0, NULL);
	return rc;
}

/* ---- waiting for odmd ---- */

/* Until odm_select hands out want (NULL: nothing) for type; 5 s at most. */
bool wait_select(struct env *e, unsigned int type, const char *want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < 250; i++) {
		struct odm_choice c;
		struct odm_maps m;
		__u32 key = type;
		int err;

		if (odm_maps_open(&m, e->pin_dir) == 0) {
			err = bpf_map_lookup_elem(m.select, &key, &c);
			odm_maps_close(&m);
			if (want ? (!err && !strcmp(odm_addr_str(c.addr.w, buf), want)) : err != 0)
				return true;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  odm_select[%u] never became %s\n", type, want ? want : "empty");
	return false;
}

long long stat_of(struct env *e, const char *name)
{
	char out[4096], key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\":", name);
	if (env_odm(e, out, sizeof(out), "-j stats") || !(p = strstr(out, key)))
		return -1;
	return atoll(p + strlen(key));
}

/* "TYPE SOURCE STATE" of a prefix as `odm -j prefix list` shows it, "" if absent. */
const char *prefix_row(struct env *e, const char *prefix, char *out, size_t len)
{
	char *nl;

	env_odm(e, out, len, "-j prefix list | jq -r '.[] | select(.prefix == \"%s\") | "
		"\"\\(.type) \\(.source) \\(.state)\"'", prefix);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return out;
}

/* ---- on demand ---- */

/* Session-lasting and Non-persistent pools, a Fixed pool of two /64s,
 * no Graceful-replacement pool. */
const char *const kea_pools[] = {
	"2 2001:db8:5100::/40",
	"1 2001:db8:a100::/40",
	"3 2001:db8:f000::/63",
	NULL,
};

/* Nothing configured, Kea with pools (NULL: no Kea), odmd with --dhcp6 and extra. */
bool on_demand_world_with(struct env *e, const char *const *pools, const char *extra)
{
	if (!env_setup(e, "# nothing configured: everything on demand\n"))
		return false;
	snprintf(e->odmd_args, sizeof(e->odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases %s", e->tmpdir, extra);
	return (!pools || env_start_kea(e, pools)) && env_start_odmd(e);
}

/*
 * A host with nothing configured: every type comes from the network.  odmd
 * runs DHCPv6 on veth-h; Kea (with kea_pools) only when with_kea.
 */
bool on_demand_world(struct env *e, bool with_kea)
{
	return on_demand_world_with(e, with_kea ? kea_pools : NULL, "");
}

/* Inside the pool 2001:db8:XX00::/40, i.e. the first five bytes. */
bool in_pool(const struct in6_addr *a, unsigned int xx)
{
	static const unsigned char db8[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	return !memcmp(a->s6_addr, db8, 4) && a->s6_addr[4] == xx;
}

/* ---- odmd's log and Kea's lease file ---- */

bool odmd_logged(struct env *e, const char *text)
{
	char out[512];

	return sys_status(out, sizeof(out), "grep -F -- '%s' %s/odmd.log", text, e->tmpdir) == 0;
}

int wait_logged_n(struct env *e, const char *text, int n)
{
	char out[64];
	int i, got = 0;

	for (i = 0; i < 80; i++) {
		sys_status(out, sizeof(out), "grep -c -F -- '%s' %s/odmd.log", text, e->tmpdir);
		got = atoi(out);
		if (got >= n)
			break;
		usleep(100 * 1000);
	}
	return got;
}

bool wait_logged(struct env *e, const char *text)
{
	if (wait_logged_n(e, text, 1) >= 1)
		return true;
	fprintf(stderr, "  odmd never logged '%s'\n", text);
	return false;
}

int kea_lines(const char *dir, const char *prefix)
{
	char out[64];

	if (sys_status(out, sizeof(out), "grep -c '^%s,' %s/kea-leases6.csv", prefix, dir) > 1)
		return -1;
	return atoi(out);
}

const char *kea_prefix(const struct in6_addr *a, char *buf, size_t len)
{
	struct in6_addr p = *a;

	memset(p.s6_addr + 8, 0, 8);
	inet_ntop(AF_INET6, &p, buf, (socklen_t)len);
	return buf;
}
