// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * onecall.c - setsc() in one system call (getsockopt(ODM_SOL, ODM_SO_SC)):
 * the address it hands out and the peer sees, its errors, ON_NET asked
 * either way, libodm's fallback to the two options when the programs
 * predate the call (ON_NET from setsc_opts included), libodm built before the call, and odmd
 * --no-setsockopt, where the call is the only way in.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

/* The one call in the agent: as ag_sc_req(). */
static int ag_sc_call(struct agent *a, int id, int args, int optlen, int *status,
		      struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SC_CALL, .id = id, .arg = args, .family = optlen };

	return ag_sc_req(a, &rq, status, addr);
}

/* setsc_start() (with SETSC_F_ON_NET when on_net) and its wait: the result. */
static int ag_setsc_async(struct agent *a, int id, int type, bool on_net, struct in6_addr *addr)
{
	struct agent_req rq = { .op = AG_SETSC_START, .id = id, .arg = 8000, .family = type };
	struct agent_resp rs;

	if (on_net)
		snprintf(rq.payload, sizeof(rq.payload), "on-net");
	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (rs.ret)
		return rs.ret;
	rq.op = AG_SETSC_WAIT;
	rq.arg = 12000;
	if (!agent_call(a, &rq, &rs))
		return -9999;
	if (addr)
		*addr = rs.addr;
	return rs.ret;
}

static bool pinned(struct env *e, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", e->pin_dir, name);
	return access(path, F_OK) == 0;
}

void test_setsc_one_call(void)
{
	struct agent_req rq = { .op = AG_SOCKET, .arg = SOCK_DGRAM, .family = AF_INET };
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct agent_resp rs;
	struct in6_addr addr;
	struct env e;
	int s, st;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;

	/* TCP: the address comes back from one call, and the peer sees it. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_SESSION_LASTING, 0, &st, &addr), 0, "one call, sl");
	ASSERT_EQ(st, ODM_ST_OK, "status ok");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "the session-lasting address");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 1, "counted on it");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees the session-lasting address");
	/* A connected socket's source can no longer change. */
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED, 0, &st, NULL), EISCONN, "after connect");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "released at close");

	/* UDP: an unconnected datagram leaves from the address. */
	s = ag_socket(&a, SOCK_DGRAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED, 0, &st, &addr), 0, "one call, fixed");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "the fixed address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_SENDTO, seen, sizeof(seen)),
		     FX_ADDR, "peer sees the fixed address");
	/* Re-typing the socket moves it. */
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_NON_PERSISTENT, 0, &st, &addr), 0, "again, np");
	ASSERT_STREQ(in6_str(&addr, buf), NP_ADDR, "the non-persistent address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_SENDTO, seen, sizeof(seen)),
		     NP_ADDR, "peer sees the non-persistent address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* A type with no prefix: a status, not an error (libodm asks odmd). */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_GRACEFUL, 0, &st, NULL), 0, "graceful");
	ASSERT_EQ(st, ODM_ST_NO_PREFIX, "no prefix of the type");
	/* Errors. */
	ASSERT_EQ(ag_sc_call(&a, s, 0, 0, &st, NULL), EINVAL, "type 0");
	ASSERT_EQ(ag_sc_call(&a, s, 5, 0, &st, NULL), EINVAL, "type 5");
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED, 8, &st, NULL), EINVAL, "optlen too short");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	if (ASSERT_TRUE(agent_call(&a, &rq, &rs) && rs.ret >= 0, "an AF_INET socket"))
		ASSERT_EQ(ag_sc_call(&a, rs.ret, ODM_TYPE_FIXED, 0, &st, NULL), EAFNOSUPPORT,
			  "AF_INET");

	/* ON_NET set as section 6.2 says, or asked through the call. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET pref");
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED, 0, &st, NULL), 0, "fixed, ON_NET pref");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "the preference needs the network");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED | ODM_SCF_ON_NET, 0, &st, NULL), 0,
		  "fixed, ON_NET in the call");
	ASSERT_EQ(st, ODM_ST_NEED_NET, "the flag needs the network");
	ASSERT_EQ(ag_simple(&a, AG_GETPREFS, s, 0, &rs), 0, "getprefs");
	ASSERT_TRUE(rs.arg & IPV6_REQUIRE_SRC_ON_NET, "and is set on the socket");
	/* An answer with nothing delegated since is refused. */
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED | ODM_SCF_ANSWER, 0, &st, NULL), 0, "answer");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "ON_NET: the configured prefix is no answer");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	/* Without ON_NET, an answer is what odm hands out for the type. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_FIXED | ODM_SCF_ANSWER, 0, &st, &addr), 0, "answer");
	ASSERT_EQ(st, ODM_ST_OK, "taken");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "the fixed address");
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_GRACEFUL | ODM_SCF_ANSWER, 0, &st, NULL), 0,
		  "answer for a type with no prefix");
	ASSERT_EQ(st, ODM_ST_BAD_HINT, "refused");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* libodm built before the call: its two options still work. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, NULL, &st, &addr), 0, "two options");
	ASSERT_EQ(st, ODM_ST_OK, "status ok");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "the session-lasting address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* Programs that predate the call answer it ENOPROTOOPT: libodm falls
	 * back to the two options, and an ON_NET it cannot pass fails. */
	ASSERT_EQ(ag_simple(&a, AG_NO_ONECALL, -1, 0, NULL), 0, "the call now fails");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_call(&a, s, ODM_TYPE_SESSION_LASTING, 0, &st, NULL), ENOPROTOOPT,
		  "one call: ENOPROTOOPT");
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc falls back");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "the session-lasting address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees it");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	/* ON_NET through setsc_opts: libodm sets it as IPV6_ADDR_PREFERENCES,
	 * which these programs read, and a prefix comes from the network. */
	env_stop_odmd(&e, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools) && env_start_odmd(&e), "kea and odmd"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_async(&a, s, SESSION_LASTING_IPV6_ADDRESS, true, &addr), 0,
		  "ON_NET through setsc_opts, the two options");
	ASSERT_TRUE(in_pool(&addr, 0x51), "a prefix delegated for it");
	ASSERT_EQ(env_sockets_on(&e, SL_ADDR), 0, "not the configured session-lasting address");
	ASSERT_EQ(ag_simple(&a, AG_GETPREFS, s, 0, &rs), 0, "getprefs");
	ASSERT_TRUE(rs.arg & IPV6_REQUIRE_SRC_ON_NET, "set on the socket, as the call sets it");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     in6_str(&addr, buf), "peer sees the delegated address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	/* The application's own RFC 5014 flags stay, and keep kernel
	 * selection without a bind (section 5.4), as with the call. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, 0x2 /* PUBLIC */, NULL), 0, "PUBLIC");
	ASSERT_EQ(ag_setsc_async(&a, s, SESSION_LASTING_IPV6_ADDRESS, true, &addr), 0,
		  "ON_NET through setsc_opts on a socket with RFC 5014 flags");
	ASSERT_EQ(ag_simple(&a, AG_GETPREFS, s, 0, &rs), 0, "getprefs");
	ASSERT_EQ(rs.arg & (IPV6_REQUIRE_SRC_ON_NET | 0x2), IPV6_REQUIRE_SRC_ON_NET | 0x2,
		  "PUBLIC kept, ON_NET added");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     HOST_UNTYPED, "the kernel's selection");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}

/*
 * odmd --no-setsockopt: no cgroup/setsockopt program, so nothing more on
 * other setsockopt() calls; setsc() is the one call, ON_NET comes through
 * setsc_opts and odmd's answer through ODM_SCF_ANSWER.  A restart with the
 * option detaches the program an earlier odmd attached.
 */
void test_no_setsockopt_mode(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	char buf[INET6_ADDRSTRLEN], seen[64];
	struct in6_addr addr, fresh;
	struct agent_resp rs;
	struct env e;
	int s, st;

	if (!ASSERT_TRUE(env_setup(&e, base_config) && add_base_addrs(&e), "world"))
		goto cleanup;
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--dhcp6 veth-h --dhcp6-max-rt 1000 "
		 "--lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_kea(&e, kea_pools) && env_start_odmd(&e), "kea and odmd"))
		goto cleanup;
	ASSERT_TRUE(pinned(&e, "link_setsockopt"), "by default the setsockopt program is attached");
	env_stop_odmd(&e, false);
	snprintf(e.odmd_args, sizeof(e.odmd_args), "--no-setsockopt --dhcp6 veth-h "
		 "--dhcp6-max-rt 1000 --lease-file %s/leases", e.tmpdir);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd --no-setsockopt") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "unprivileged agent"))
		goto cleanup;
	ASSERT_TRUE(!pinned(&e, "link_setsockopt"), "its link is gone");
	ASSERT_TRUE(pinned(&e, "link_getsockopt"), "the getsockopt program stays");

	/* setsc(): the one call. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, SESSION_LASTING_IPV6_ADDRESS, &addr), 0, "setsc sl");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "the session-lasting address");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees it");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* What the mode gives up: the options odm no longer sees. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_sc_raw(&a, s, ODM_TYPE_SESSION_LASTING, NULL, &st, NULL), ENOPROTOOPT,
		  "libodm before the call: a legacy host");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0,
		  "ON_NET preference: the kernel ignores the bit");
	ASSERT_EQ(ag_simple(&a, AG_GETPREFS, s, 0, &rs), 0, "getprefs");
	ASSERT_TRUE(!(rs.arg & IPV6_REQUIRE_SRC_ON_NET), "odm did not see it");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

	/* ON_NET through setsc_opts: a prefix delegated for this request,
	 * taken through ODM_SCF_ANSWER. */
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_async(&a, s, SESSION_LASTING_IPV6_ADDRESS, true, &fresh), 0,
		  "setsc_start sl, SETSC_F_ON_NET");
	ASSERT_TRUE(in_pool(&fresh, 0x51), "from the session-lasting pool");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     in6_str(&fresh, buf), "peer sees the delegated address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);

cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}
