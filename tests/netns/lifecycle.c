// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lifecycle.c - odmd and its addresses over time: addresses that come and
 * go, odmd killed (idle or mid-request) and restarted, bad configs, pins
 * and BTF, graceful replacement, lifetimes in bytes and seconds with DAD,
 * stable identifiers, maps under churn, faults injected.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "netns.h"

/* Addresses come and go: odmd follows RTM_NEWADDR/RTM_DELADDR. */
void test_address_sync(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[64];
	struct env e;
	int s;

	if (!ASSERT_TRUE(world(&e, NULL, false), "world without addresses") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "typed prefix without a host address");

	/* A new address in a typed prefix becomes usable. */
	ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, SL_ADDR), "add");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, SL_ADDR), "odmd picks it up");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "now it works");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "address");

	/* It disappears between setsc() and connect(): an explicit request
	 * fails rather than silently using another type. */
	FAULT();
	ASSERT_TRUE(sys("ip -n %s addr del %s/64 dev veth-h", e.host_ns, SL_ADDR), "del");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, NULL), "odmd drops it");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), EADDRNOTAVAIL,
		  "connect with no address of the type");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "never handed out again");
	/* An address in an untyped prefix is never handed out. */
	ASSERT_TRUE(sys("ip -n %s addr add 2001:db8:99::1/64 dev veth-h nodad", e.host_ns), "add");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "untyped prefix");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Killing odmd leaves the programs attached and working; a restart adopts
 * the pinned maps. */
void test_odmd_killed(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[64], seen[64];
	struct env e;
	int s, held;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	held = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, held, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc before kill");
	FAULT();
	env_stop_odmd(&e, true);

	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc after SIGKILL");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     NP_ADDR, "programs still bind after odmd died");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts on its pins");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 1, "socket state survived the restart");
	ASSERT_STREQ(peer_sees(&a, &net, held, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "held socket keeps its type across the restart");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* A bad config is refused with file:line, and changes nothing loaded. */
void test_bad_config(void)
{
	char out[4096], before[4096], after[4096], path[160];
	struct env e;
	FILE *f;
	int st;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, before, sizeof(before), "-j prefix list"), 0, "list before");
	snprintf(path, sizeof(path), "%s.bad", e.config);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f != NULL, "write bad config"))
		goto cleanup;
	fputs("prefix 2001:db8:9::/64 type fixed\nprefix 2001:db8:1::/64 type sesion-lasting\n", f);
	fclose(f);
	st = sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --once --cgroup %s "
			"--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, path, e.pin_dir);
	ASSERT_EQ(st, 1, "odmd exits 1");
	ASSERT_HAS(out, ":2: unknown type 'sesion-lasting'", "names file, line and problem");
	ASSERT_EQ(env_odm(&e, after, sizeof(after), "-j prefix list"), 0, "list after");
	ASSERT_STREQ(after, before, "nothing already loaded changed");

	st = sys_status(out, sizeof(out), "build/odmd --once --cgroup %s --config /nonexistent.conf "
			"--pin-dir %s 2>&1", e.cgroup, e.pin_dir);
	ASSERT_EQ(st, 1, "missing config");
	ASSERT_HAS(out, "/nonexistent.conf", "names the file");
	st = sys_status(out, sizeof(out), "build/odmd --cgroup /no/such/cgroup 2>&1");
	ASSERT_EQ(st, 1, "missing cgroup");
	ASSERT_HAS(out, "/no/such/cgroup", "names the cgroup");
	st = sys_status(out, sizeof(out), "build/odmd --bogus 2>&1");
	ASSERT_EQ(st, 2, "usage error");
	unlink(path);
cleanup:
	env_teardown(&e);
}

/* Maps carry BTF; pins are not world-writable; unload removes every pin. */
void test_pins_and_btf(void)
{
	static const char *const pins[] = {
		"odm_sk", "odm_prefixes", "odm_select", "odm_addr_use", "odm_policy",
		"odm_policy_filter", "odm_stats", "odm_info", "odm_tx", "link_sock_create",
		"link_sock_release", "link_connect6", "link_sendmsg6", "link_setsockopt",
		"link_getsockopt", "link_egress",
	};
	char out[16384], path[256], want[160];
	struct in6_addr sl;
	struct stat st;
	struct env e;
	size_t i, n;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(sys_status(out, sizeof(out), "bpftool map dump pinned %s/odm_prefixes", e.pin_dir),
		  0, "bpftool map dump");
	ASSERT_HAS(out, "\"prefixlen\": 64", "named key fields");
	ASSERT_HAS(out, "\"type\": 2", "named value fields");
	ASSERT_HAS(out, "\"state\": 1", "state field");
	/* An address dumps as its bytes in order (union odm_in6's b), not as
	 * words in host order: the Session-lasting type's in odm_select. */
	ASSERT_EQ(inet_pton(AF_INET6, SL_ADDR, &sl), 1, "parse " SL_ADDR);
	n = (size_t)snprintf(want, sizeof(want),
			     "\"formatted\":{\"key\":%d,\"value\":{\"addr\":{\"b\":[",
			     ODM_TYPE_SESSION_LASTING);
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%u", i ? "," : "",
				      sl.s6_addr[i]);
	snprintf(want + n, sizeof(want) - n, "]");
	ASSERT_EQ(sys_status(out, sizeof(out), "bpftool -j map dump pinned %s/odm_select",
			     e.pin_dir), 0, "bpftool -j map dump");
	ASSERT_HAS(out, want, "address bytes in order");
	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", e.pin_dir, pins[i]);
		if (ASSERT_EQ(stat(path, &st), 0, pins[i]))
			ASSERT_EQ(st.st_mode & 0022, 0, "not group/world-writable");
	}
	/* Reload is idempotent: same pins, programs swapped in place. */
	ASSERT_EQ(sys_status(out, sizeof(out), "nsenter --net=/run/netns/%s build/odmd --once --cgroup %s "
			     "--config %s --pin-dir %s 2>&1", e.host_ns, e.cgroup, e.config,
			     e.pin_dir), 0, "second odmd --once");
	ASSERT_EQ(sys_status(out, sizeof(out), "bpftool cgroup show %s | grep -c odm_", e.cgroup),
		  0, "bpftool cgroup show");
	ASSERT_HAS(out, "7", "seven programs attached, not fourteen");
	env_stop_odmd(&e, false);
	ASSERT_TRUE(sys("build/odmd --unload --pin-dir %s", e.pin_dir), "unload");
	ASSERT_TRUE(stat(e.pin_dir, &st) != 0, "pin directory gone");
	sys_status(out, sizeof(out), "bpftool cgroup show %s | grep -c odm_", e.cgroup);
	ASSERT_HAS(out, "0", "nothing attached after unload");
cleanup:
	env_teardown(&e);
}

/* =========================================================================
 * Graceful replacement (RFC 8653 section 3.2): the network replaces a
 * Graceful-replacement prefix; both stay valid for the grace period, new
 * sockets get the new address, old sessions keep working until the period
 * ends, and the application is told.
 * ========================================================================= */

void test_graceful_replacement(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct agent_resp rs;
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct env e;
	int w, old, s, c = -1, c2 = -1, i;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:61::/64 type graceful-replacement\n"
				      "prefix 2001:db8:62::/64 type graceful-replacement\n"), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args),
		 "--grace 3 --lifetime graceful-replacement:0:1500");
	if (!ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR1_ADDR), "GR1") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	w = ag_simple(&a, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	ASSERT_TRUE(w >= 0, "setsc_watch_open() as an unprivileged app");
	old = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, old, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr");
	ASSERT_STREQ(in6_str(&addr, buf), GR1_ADDR, "the first graceful address");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, old, NET_ADDR, PORT, NULL), 0, "session on GR1");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "session arrives"))
		goto cleanup;
	c = accept(net.tcp, (struct sockaddr *)&ss, &sl);
	ASSERT_STREQ(sa_addr_str(&ss, seen, sizeof(seen)), GR1_ADDR, "peer sees GR1");

	/* The network provides the replacement prefix. */
	ASSERT_TRUE(sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, GR2_ADDR), "GR2");
	ASSERT_EQ(ag_simple(&a, AG_WATCH_READ, w, 0, &rs), 0, "the app is told");
	ASSERT_STREQ(in6_str(&rs.addr, buf), GR1_ADDR, "old address");
	ASSERT_STREQ(sa_addr_str(&rs.local, seen, sizeof(seen)), GR2_ADDR, "new address");
	ASSERT_EQ(rs.arg, 3, "grace period");

	/* New sockets get the new address ... */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr again");
	ASSERT_STREQ(in6_str(&addr, buf), GR2_ADDR, "new sockets get GR2");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     GR2_ADDR, "peer sees GR2");
	/* ... while the old session still works both ways during the grace. */
	ASSERT_EQ(ag_simple(&a, AG_SEND, old, 0, NULL), 0, "old session sends");
	ASSERT_TRUE(drain(c) > 0, "peer receives on the old session");
	ASSERT_EQ(send(c, "pong", 4, MSG_NOSIGNAL), 4, "peer answers");
	ASSERT_EQ(ag_simple(&a, AG_RECV, old, 0, NULL), 0, "old session receives");

	/* When the period ends the kernel removes GR1 and odm forgets it. */
	for (i = 0; i < 60; i++) {
		if (sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c %s",
			       e.host_ns, GR1_ADDR) != 0)
			break;		/* grep found nothing */
		usleep(100000);
	}
	ASSERT_TRUE(i < 60, "GR1 removed after the grace period");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list type graceful"), 0, "list");
	ASSERT_HAS(out, "\"address\":null", "odm no longer has GR1");

	/* GR2's address reaches its lifetime in bytes: it is renewed inside
	 * its prefix, and the app is told the same way. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "setsc gr2");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, s, NET_ADDR, PORT, NULL), 0, "session on GR2");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "GR2 session arrives"))
		goto cleanup;
	c2 = accept(net.tcp, NULL, NULL);
	for (i = 0; i < 120; i++)
		ag_simple(&a, AG_SEND, s, 0, NULL);
	ASSERT_EQ(ag_simple(&a, AG_WATCH_READ, w, 0, &rs), 0, "told of the renewal");
	ASSERT_STREQ(in6_str(&rs.addr, buf), GR2_ADDR, "old: GR2");
	ASSERT_HAS(sa_addr_str(&rs.local, seen, sizeof(seen)), "2001:db8:62:", "new: in GR2's prefix");
cleanup:
	if (c >= 0)
		close(c);
	if (c2 >= 0)
		close(c2);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* odmd killed in the middle of a network request: the waiting setsc()
 * fails at once, and a restarted odmd serves the next one. */
void test_odmd_killed_mid_request(void)
{
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_SETSC_MANY, .id = SESSION_LASTING_IPV6_ADDRESS, .arg = 1 };
	struct agent_resp rs;
	struct timespec t0, t1;
	struct in6_addr addr;
	struct env e;
	pid_t pid;
	int s;

	/* No Kea yet: the request waits for an answer that does not come. */
	if (!ASSERT_TRUE(on_demand_world(&e, false), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	pid = fork();
	if (pid == 0) {
		usleep(500000);		/* the request is under way by then */
		if (e.odmd > 0)		/* never kill(0) or kill(-1) */
			kill(e.odmd, SIGKILL);
		_exit(0);
	}
	FAULT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_TRUE(agent_call(&a, &rq, &rs), "setsc while odmd dies");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(rs.ret, 0, "the pending request failed");
	ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 4, "at once, not after the timeout");
	waitpid(e.odmd, NULL, 0);
	e.odmd = -1;

	ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea");
	ASSERT_TRUE(env_start_odmd(&e), "odmd restarts on its pins");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "served after restart");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Section 7: addresses with lifetimes in bytes and in seconds.  A
 * Non-persistent address that sent its quota is renewed for new sockets; a
 * Fixed one past its age too, while its open session keeps the old address
 * until it closes, and then the old address goes. */
void test_lifetimes(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[4096];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct odm_prefix_key np_key, fx_key;
	struct env e;
	int u, t, s, c = -1, i;
	__u32 a32[4];

	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") || !ASSERT_TRUE(add_base_addrs(&e), "addrs"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args),
		 "--lifetime non-persistent:0:3000 --lifetime fixed:3 --grace 30");
	odm_prefix_parse("2001:db8:2::/64", &np_key, out, sizeof(out));
	odm_prefix_parse("2001:db8:3::/64", &fx_key, out, sizeof(out));
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	/* A Fixed session opens first; its address will age out under it. */
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, t, FIXED_IPV6_ADDRESS, &addr), 0, "setsc fixed");
	ASSERT_EQ(ag_addr_op(&a, AG_CONNECT, t, NET_ADDR, PORT, NULL), 0, "fixed session");
	if (!ASSERT_TRUE(wait_readable(net.tcp), "session arrives"))
		goto cleanup;
	c = accept(net.tcp, (struct sockaddr *)&ss, &sl);

	/* Non-persistent: 3000 bytes, then a new address for new sockets. */
	u = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, u, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "the first np address");
	for (i = 0; i < 80; i++)
		ag_addr_op(&a, AG_SENDTO, u, NET_ADDR, PORT, NULL);
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j prefix list type non-persistent"), 0, "list");
	ASSERT_HAS(out, "\"tx_bytes\":", "bytes sent are shown");
	for (i = 0; i < 50; i++) {
		s = ag_socket(&a, SOCK_DGRAM);
		ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), NP_ADDR))
			break;
		usleep(100000);
	}
	memcpy(a32, &addr, sizeof(a32));
	ASSERT_TRUE(strcmp(buf, NP_ADDR) != 0, "renewed after 3000 bytes");
	ASSERT_TRUE(odm_prefix_contains(&np_key, a32), "in the same prefix");
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc np again");
	ASSERT_EQ(ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL), 0, "sendto");
	while (peer_seen_udp(&net, seen, sizeof(seen)) && strcmp(seen, in6_str(&addr, buf)))
		;	/* the earlier datagrams first */
	ASSERT_STREQ(seen, in6_str(&addr, buf), "the peer sees the renewed address");

	/* Fixed: 3 s old, renewed for new sockets; the session keeps working. */
	for (i = 0; i < 60; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), FX_ADDR))
			break;
		usleep(100000);
	}
	memcpy(a32, &addr, sizeof(a32));
	ASSERT_TRUE(strcmp(buf, FX_ADDR) != 0, "fixed renewed after 3 s");
	ASSERT_TRUE(odm_prefix_contains(&fx_key, a32), "in the same prefix");
	ASSERT_EQ(ag_simple(&a, AG_SEND, t, 0, NULL), 0, "old session sends");
	ASSERT_TRUE(drain(c) > 0, "peer receives on the old address");
	/* When its last socket closes, the old Fixed address goes. */
	ag_simple(&a, AG_CLOSE, t, 0, NULL);
	for (i = 0; i < 50; i++) {
		if (sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c '%s/'",
			       e.host_ns, FX_ADDR) != 0)
			break;
		usleep(100000);
	}
	ASSERT_TRUE(i < 50, "the retired address is removed after its last socket");
cleanup:
	if (c >= 0)
		close(c);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* The `ip -o` line of addr on veth-h into line; false when the host lacks it. */
static bool host_addr_line(struct env *e, const char *addr, char *line, size_t len)
{
	char out[4096], pat[INET6_ADDRSTRLEN + 3], *p, *nl;

	line[0] = '\0';
	if (sys_status(out, sizeof(out), "ip -n %s -6 -o addr show dev veth-h", e->host_ns))
		return false;
	snprintf(pat, sizeof(pat), " %s/", addr);
	p = strstr(out, pat);
	if (!p)
		return false;
	while (p > out && p[-1] != '\n')
		p--;
	nl = strchr(p, '\n');
	snprintf(line, len, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	return true;
}

/* Until the host has addr (want) or lacks it (!want); 10 s at most. */
static bool wait_host_addr(struct env *e, const char *addr, bool want, char *line, size_t len)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (host_addr_line(e, addr, line, len) == want)
			return true;
		usleep(50 * 1000);
	}
	fprintf(stderr, "  veth-h %s %s\n", want ? "never got" : "kept", addr);
	return false;
}

/* The address RFC 7217 gives key on veth-h for counter, as odmd makes it. */
static const char *stable_addr(const struct odm_prefix_key *key, const unsigned char secret[16],
			       __u32 counter, char *buf)
{
	__u32 iid[4], a32[4];

	odm_iid_stable(iid, key, "veth-h", counter, secret);
	iid[3] |= htonl(1);
	odm_addr_build(a32, key->prefix.w, key->prefixlen, iid);
	return odm_addr_str(a32, buf);
}

/*
 * Renewal on a configured prefix (RFC 8653 section 7): the link is shared,
 * so the new address goes through Duplicate Address Detection (RFC 4862)
 * even though the old one was added nodad, and the old one stays preferred
 * meanwhile, so the type never lacks an address.  The first identifier is
 * held by the peer: DAD fails, odmd drops it and takes the next.
 */
void test_lifetime_dad(void)
{
	static const unsigned char secret[16] = "odm-dad-secret!";
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct odm_prefix_key key;
	struct in6_addr addr;
	char x1[INET6_ADDRSTRLEN], x2[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], seen[64];
	char line[512], path[256], out[4096];
	struct env e;
	FILE *f;
	int i;

	if (!ASSERT_TRUE(env_setup(&e, base_config), "setup") ||
	    !ASSERT_TRUE(add_base_addrs(&e), "addrs"))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/secret", e.tmpdir);
	f = fopen(path, "w");
	if (!ASSERT_TRUE(f && fwrite(secret, 1, 16, f) == 16 && !fclose(f), "secret"))
		goto cleanup;
	odm_prefix_parse("2001:db8:2::/64", &key, out, sizeof(out));
	stable_addr(&key, secret, 1, x1);
	stable_addr(&key, secret, 2, x2);
	/* DAD of 4 s on veth-h, and a peer that already has the first pick. */
	if (!ASSERT_TRUE(sys("nsenter --net=/run/netns/%s sysctl -qw "
			     "net.ipv6.conf.veth-h.dad_transmits=1 "
			     "net.ipv6.neigh.veth-h.retrans_time_ms=4000", e.host_ns), "sysctl") ||
	    !ASSERT_TRUE(sys("ip -n %s addr add %s/128 dev veth-s nodad", e.net_ns, x1), "peer x1"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--lifetime non-persistent:3 --grace 60 "
		 "--iid stable --secret-file %s", path);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;

	/* After 3 s the first identifier is tried, with DAD; it fails. */
	if (!ASSERT_TRUE(wait_host_addr(&e, x1, true, line, sizeof(line)), "x1 tried"))
		goto cleanup;
	ASSERT_TRUE(!strstr(line, "nodad"), "x1 goes through DAD");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np while x1 is tried");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "the old address meanwhile");
	ASSERT_STREQ(seen, NP_ADDR, "the peer sees the old address");
	ASSERT_TRUE(wait_host_addr(&e, x1, false, line, sizeof(line)), "the duplicate x1 removed");

	/* The next identifier: tentative for about 4 s, the old one still preferred. */
	if (!ASSERT_TRUE(wait_host_addr(&e, x2, true, line, sizeof(line)), "x2 tried"))
		goto cleanup;
	ASSERT_HAS(line, "tentative", "x2 is tentative");
	ASSERT_TRUE(!strstr(line, "nodad"), "x2 goes through DAD");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np while x2 is tentative");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "still the old address");
	ASSERT_STREQ(seen, NP_ADDR, "the peer sees the old address");
	ASSERT_TRUE(host_addr_line(&e, NP_ADDR, line, sizeof(line)) && !strstr(line, "deprecated"),
		    "the old address is not deprecated yet");
	ASSERT_TRUE(host_addr_line(&e, x2, line, sizeof(line)) && strstr(line, "tentative"),
		    "all that while x2 was tentative");
	sleep(1);	/* one more of odmd's ticks: no third address */
	ASSERT_EQ(sys_status(out, sizeof(out), "test $(ip -n %s -6 -o addr show dev veth-h "
			     "to 2001:db8:2::/64 | wc -l) -eq 2", e.host_ns), 0,
		  "one new address at a time");

	/* DAD done: new sockets get x2, the old address is deprecated. */
	for (i = 0; i < 200; i++) {
		if (host_addr_line(&e, x2, line, sizeof(line)) && !strstr(line, "tentative"))
			break;
		usleep(50 * 1000);
	}
	ASSERT_TRUE(i < 200, "x2 passes DAD");
	ASSERT_TRUE(wait_select(&e, NON_PERSISTENT_IPV6_ADDRESS, x2), "odm hands out x2");
	ASSERT_EQ(setsc_seen(&a, &net, SOCK_DGRAM, NON_PERSISTENT_IPV6_ADDRESS, &addr, seen,
			     sizeof(seen)), 0, "setsc np after DAD");
	ASSERT_STREQ(in6_str(&addr, buf), x2, "the new address");
	ASSERT_STREQ(seen, x2, "the peer sees the new address");
	ASSERT_TRUE(host_addr_line(&e, NP_ADDR, line, sizeof(line)), "the old address stays");
	ASSERT_HAS(line, "deprecated", "deprecated");
	ASSERT_TRUE(host_addr_line(&e, x2, line, sizeof(line)) && !strstr(line, "nodad"),
		    "x2 without nodad");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/* A prefix delegated to this host alone: renewal skips DAD, in one step. */
void test_lifetime_dad_delegated(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char first[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN], line[512];
	struct env e;
	int s, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--lifetime session-lasting:2"),
			 "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "on demand");
	in6_str(&addr, first);
	for (i = 0; i < 60; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		if (strcmp(in6_str(&addr, buf), first))
			break;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(strcmp(buf, first) != 0, "renewed after 2 s");
	ASSERT_TRUE(host_addr_line(&e, buf, line, sizeof(line)), "the host has it");
	ASSERT_HAS(line, "nodad", "no DAD on a delegated prefix");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * A superseded Graceful-replacement prefix from the network is released:
 * kept bound, its next Renew made it the newest again and retired the
 * current one, at every T1.
 */
void test_graceful_superseded_lease(void)
{
	static const char *const pools[] = { "4 2001:db8:4400::/40", NULL };
	struct agent a = { .pid = -1 };
	struct in6_addr g1, g2, p2;
	char out[4096], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	struct env e;
	int s, t, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, pools, "--grace 30"), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g1), 0, "first gr prefix");
	/* No socket uses it any more (see test_graceful_other_app for one that does). */
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&a, t, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g2), 0, "second gr prefix");
	ASSERT_TRUE(memcmp(&g1, &g2, 8) != 0, "a new prefix");
	p2 = g2;
	for (i = 0; i < 30; i++) {
		if (sys_status(out, sizeof(out), "grep -c graceful %s/leases", e.tmpdir) == 0 &&
		    atoi(out) == 1)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(atoi(out), 1, "odmd keeps one graceful lease, the new one");
	memset(&p2.s6_addr[8], 0, 8);
	ASSERT_EQ(sys_status(out, sizeof(out), "grep graceful %s/leases | grep -c ' %s/64 '",
			     e.tmpdir, in6_str(&p2, b2)), 0, "the kept one is the new prefix");
	for (i = 0; i < 30; i++) {
		if (sys_status(out, sizeof(out), "awk -F, '$7 == 2 { last[$1] = $3 } END { "
			       "for (a in last) if (last[a] != 0) n++; print n + 0 }' "
			       "%s/kea-leases6.csv", e.tmpdir) == 0 && atoi(out) == 1)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(atoi(out), 1, "Kea saw the old prefix released");
	/* The old address keeps its grace period for the old socket. */
	ASSERT_EQ(sys_status(out, sizeof(out), "ip -n %s -6 addr show dev veth-h | grep -c %s",
			     e.host_ns, in6_str(&g1, b1)), 0, "old address still there (grace)");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

static int count_keys(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	while (n < 1 << 20 && key_size <= sizeof(key) && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/*
 * Maps that only grew: odm_addr_use and odm_tx got a key for every address
 * ever handed out, and nothing deleted them; once full, every setsc()
 * failed ENOSPC.  Churn 160 addresses (2.5 times the 64 keys odmd is given
 * here) through the non-persistent prefix, each handed out, sent from and
 * closed: the maps stay small and setsc() keeps working.
 */
void test_map_churn(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct odm_maps m = { .prefixes = -1 };
	char want[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN];
	struct in6_addr addr;
	struct env e;
	int i, s, max_use = 0, max_tx = 0, ok = 0;
	bool opened = false;

	if (!ASSERT_TRUE(env_setup(&e, "prefix 2001:db8:c0::/64 type non-persistent dev veth-h\n"),
			 "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--addr-map-size 64");
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent") ||
	    !ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	for (i = 1; i <= 160; i++) {
		int u, t;

		snprintf(want, sizeof(want), "2001:db8:c0::%x", i);
		if (!sys("ip -n %s addr add %s/64 dev veth-h nodad", e.host_ns, want) ||
		    (i > 1 && !sys("ip -n %s addr del 2001:db8:c0::%x/64 dev veth-h", e.host_ns,
				   i - 1)) ||
		    !wait_select(&e, ODM_TYPE_NON_PERSISTENT, want))
			break;
		s = ag_socket(&a, SOCK_DGRAM);
		if (ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr) ||
		    strcmp(in6_str(&addr, buf), want) ||
		    ag_addr_op(&a, AG_SENDTO, s, NET_ADDR, PORT, NULL)) {
			printf("  churn %d: setsc or sendto failed (%s)\n", i, buf);
			ag_simple(&a, AG_CLOSE, s, 0, NULL);
			break;
		}
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		ok++;
		u = count_keys(m.addr_use, sizeof(struct odm_addr_key));
		t = count_keys(m.tx, sizeof(struct odm_addr_key));
		max_use = u > max_use ? u : max_use;
		max_tx = t > max_tx ? t : max_tx;
	}
	printf("  %d addresses churned; most keys at once: odm_addr_use %d, odm_tx %d (of 64)\n",
	       ok, max_use, max_tx);
	ASSERT_EQ(ok, 160, "every churned address was handed out and sent from");
	/* odmd reaps once a second; a few addresses go by in a second. */
	ASSERT_TRUE(max_use <= 32, "odm_addr_use stays bounded");
	ASSERT_TRUE(max_tx <= 32, "odm_tx stays bounded");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "setsc at the end");
cleanup:
	if (opened)
		odm_maps_close(&m);
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * One application's ON_NET request for a graceful-replacement prefix must
 * not retire the address another application's socket uses: that one is
 * retired when its last socket closes.
 */
void test_graceful_other_app(void)
{
	static const char *const pools[] = { "4 2001:db8:4400::/40", NULL };
	struct agent victim = { .pid = -1 }, other = { .pid = -1 };
	struct agent_resp rs;
	struct in6_addr g1, g2;
	char b1[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 8], row[256];
	struct env e;
	int s, t, w, i;

	if (!ASSERT_TRUE(on_demand_world_with(&e, pools, "--grace 30"), "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &victim, e.cgroup, 65534), "victim") ||
	    !ASSERT_TRUE(agent_start(&e, &other, e.cgroup, 65534), "other app"))
		goto cleanup;
	w = ag_simple(&victim, AG_WATCH_OPEN, 0, 0, &rs) == 0 ? rs.ret : -1;
	s = ag_socket(&victim, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&victim, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g1), 0, "victim's gr");
	t = ag_socket(&other, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&other, AG_SETPREFS, t, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc(&other, t, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &g2), 0, "other's gr");
	ASSERT_TRUE(memcmp(&g1, &g2, 8) != 0, "a new prefix");
	memset(&g1.s6_addr[8], 0, 8);
	snprintf(pfx, sizeof(pfx), "%s/64", in6_str(&g1, b1));
	sleep(2);	/* two of odmd's ticks */
	ASSERT_STREQ(prefix_row(&e, pfx, row, sizeof(row)), "graceful-replacement dhcpv6 valid",
		     "the victim's prefix is not retired");
	ASSERT_TRUE(ag_simple(&victim, AG_WATCH_READ, w, 0, &rs) != 0, "the victim is told nothing");
	/* Its last socket closes: now it is retired. */
	ag_simple(&victim, AG_CLOSE, s, 0, NULL);
	for (i = 0; i < 50; i++) {
		if (strstr(prefix_row(&e, pfx, row, sizeof(row)), "deprecated") ||
		    !row[0] || strstr(row, "no-address"))
			break;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(i < 50, "retired once its last socket closed");
cleanup:
	agent_stop(&victim);
	agent_stop(&other);
	env_teardown(&e);
}

/* Faults: the interface goes down and up; the prefix map fills up. */
void test_faults(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], out[4096];
	struct odm_maps m = { .prefixes = -1 };
	struct env e;
	int s, i, err = 0;
	bool opened = false;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	/* Link down: the kernel drops the addresses, odm stops handing them out. */
	FAULT();
	ASSERT_TRUE(sys("ip -n %s link set veth-h down", e.host_ns), "link down");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, NULL), "odmd follows");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), EAI_REQUIREDIPNOTSUPPORTED,
		  "no address while the link is down");
	/* Up again, addresses back (as SLAAC or the operator would): usable. */
	ASSERT_TRUE(sys("ip -n %s link set veth-h up", e.host_ns) && add_base_addrs(&e), "link up");
	ASSERT_TRUE(wait_select(&e, ODM_TYPE_SESSION_LASTING, SL_ADDR), "odmd follows");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "usable again");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "address");

	/* The prefix map full: a clear error, nothing already there lost. */
	if (!ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	for (i = 0; !err; i++) {
		struct odm_prefix_key k = { .prefixlen = 64 };
		struct odm_prefix v = { .type = ODM_TYPE_FIXED, .plen = 64 };

		k.prefix.w[0] = htonl(0x20010db8);
		k.prefix.w[1] = htonl(0xf0000000u | (unsigned int)i);
		err = odm_prefix_put(&m, &k, &v);
	}
	printf("  prefix map full after %d prefixes (%s)\n", i - 1, strerror(-err));
	FAULT();
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "prefix add 2001:db8:eeee::/64 type fixed"), 1,
		  "odm prefix add on a full map");
	ASSERT_HAS(out, "full", "says the map is full");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "still served");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "same address");

	/*
	 * The use-count map full: an uncounted address could be retired under
	 * its socket, so setsc() refuses clearly (ENOSPC, counted); the socket
	 * already counted keeps its count; with room again, all is as before.
	 */
	{
		struct odm_addr_key k = { .addr.w = { htonl(0x20010db8), htonl(0xfe000000) } };
		struct odm_use zero = { 0 };
		int n, t, e2 = 0;

		FAULT();
		for (n = 0; n < 1 << 20; n++) {
			k.addr.w[3] = htonl((__u32)n + 1);
			if (bpf_map_update_elem(m.addr_use, &k, &zero, BPF_NOEXIST))
				break;
		}
		printf("  use map full after %d fillers (%s)\n", n, strerror(errno));
		t = ag_socket(&a, SOCK_DGRAM);
		ASSERT_EQ(ag_setsc_err(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &e2), EAI_SYSTEM,
			  "setsc with the use map full");
		ASSERT_EQ(e2, ENOSPC, "ENOSPC");
		ASSERT_TRUE(stat_of(&e, "use_map_full") >= 1, "counted");
		ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0,
			  "a counted socket asks again: served");
		ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 1, "its count is exact");
		for (i = 0; i < n; i++) {
			k.addr.w[3] = htonl((__u32)i + 1);
			bpf_map_delete_elem(m.addr_use, &k);
		}
		ASSERT_EQ(ag_setsc(&a, t, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "room again");
		ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "np address");
		ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 1, "counted");
		ag_simple(&a, AG_CLOSE, t, 0, NULL);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
		ASSERT_EQ(env_sockets_on(&e, NP_ADDR), 0, "closed: np count back to zero");
		ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "closed: sl count back to zero");
	}
cleanup:
	if (opened)
		odm_maps_close(&m);
	agent_stop(&a);
	env_teardown(&e);
}

/* Section 7 privacy: with --iid stable, odmd's addresses are RFC 7217
 * stable-privacy identifiers (SHA-256 of prefix, interface, counter and a
 * secret), not random and never the MAC. */
void test_iid_stable(void)
{
	struct agent a = { .pid = -1 };
	struct odm_iid_conf conf = { .stable = true };
	struct odm_prefix_key key = { .prefixlen = 64 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN], path[256];
	__u32 a32[4], iid[4], exp[4];
	struct env e;
	FILE *f;
	int s;

	if (!ASSERT_TRUE(env_setup(&e, "# on demand only\n"), "setup"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases --iid stable --secret-file %s/secret", e.tmpdir, e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools), "kea") ||
	    !ASSERT_TRUE(env_start_odmd(&e), "odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 0), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "on demand");
	snprintf(path, sizeof(path), "%s/secret", e.tmpdir);
	f = fopen(path, "r");
	if (!ASSERT_TRUE(f && fread(conf.secret, 1, 16, f) == 16, "the secret was made"))
		goto cleanup;
	fclose(f);
	/* What RFC 7217 gives for this prefix on veth-h, counter 0. */
	memcpy(a32, &addr, sizeof(a32));
	odm_prefix_mask(key.prefix.w, a32, 64);
	odm_iid_stable(iid, &key, "veth-h", 0, conf.secret);
	iid[3] |= htonl(1);
	odm_addr_build(exp, key.prefix.w, 64, iid);
	ASSERT_STREQ(in6_str(&addr, buf), odm_addr_str(exp, want), "the RFC 7217 address");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}
