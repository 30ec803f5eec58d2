// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy.c - the operator's policy per cgroup: allowed types and ON_NET,
 * kept across reloads, following the socket, quotas and rate limits (by
 * default too), the upgrade to a stronger type.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "netns.h"

/* =========================================================================
 * Policy (RFC 8653 section 7): which types a cgroup may request, ON_NET,
 * inherited by child cgroups; enforced in the BPF program, so an app with
 * no bpf() access cannot get around it, and counted.
 * ========================================================================= */

void test_policy_allow(void)
{
	struct agent a = { .pid = -1 }, kid = { .pid = -1 };
	char out[512], child[sizeof(((struct env *)0)->cgroup) + 8];
	struct env e;
	int s, err = 0;

	child[0] = '\0';
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow non-persistent "
			  "on-net deny", e.cgroup), 0, "odm policy set allow");
	if (!ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err), 0, "allowed type");
	ASSERT_EQ(ag_setsc_err(&a, s, SESSION_LASTING_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "type not allowed");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "ON_NET refused");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(stat_of(&e, "setsc_denied"), 2, "both refusals counted");

	/* A child cgroup inherits the policy, until it gets its own. */
	snprintf(child, sizeof(child), "%s/kid", e.cgroup);
	if (!ASSERT_EQ(mkdir(child, 0755), 0, "child cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &kid, child, 0), "agent in the child"))
		goto cleanup;
	s = ag_socket(&kid, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&kid, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "inherited refusal");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow all", child), 0,
		  "child policy");
	ASSERT_EQ(ag_setsc_err(&kid, s, FIXED_IPV6_ADDRESS, &err), 0, "child's own policy wins");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "-j policy show"), 0, "policy show");
	ASSERT_HAS(out, "\"allow\":[\"non-persistent\"]", "allow list in JSON");
	ASSERT_HAS(out, "\"on_net\":false", "on-net denied in JSON");
cleanup:
	agent_stop(&kid);
	agent_stop(&a);
	if (child[0])
		rmdir(child);
	env_teardown(&e);
}

/*
 * The policy follows the socket, never the caller (security review of the
 * local interfaces): a socket created in a cgroup that may only ask for
 * non-persistent addresses, then used by a process in another cgroup (the
 * same as passing the descriptor), still may not be typed Fixed.
 */
void test_policy_follows_socket(void)
{
	struct agent a = { .pid = -1 };
	struct agent_req rq = { .op = AG_JOIN };
	struct agent_resp rs;
	char out[512], r[sizeof(((struct env *)0)->cgroup) + 8], f[sizeof(r)];
	struct env e;
	int s, t, err = 0;

	r[0] = f[0] = '\0';
	if (!ASSERT_TRUE(world(&e, NULL, true), "world"))
		goto cleanup;
	snprintf(r, sizeof(r), "%s/r", e.cgroup);
	snprintf(f, sizeof(f), "%s/f", e.cgroup);
	if (!ASSERT_EQ(mkdir(r, 0755), 0, "restricted cgroup") ||
	    !ASSERT_EQ(mkdir(f, 0755), 0, "free cgroup") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow non-persistent "
			       "on-net deny", r), 0, "policy on the restricted cgroup") ||
	    !ASSERT_TRUE(agent_start(&e, &a, r, 0), "agent in the restricted cgroup"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "fixed refused in the restricted cgroup");
	snprintf(rq.payload, sizeof(rq.payload), "%s", f);
	ASSERT_TRUE(agent_call(&a, &rq, &rs) && rs.ret == 0, "the process moves to the free cgroup");
	t = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "the restricted socket is still refused fixed");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL), 0, "ON_NET");
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err),
		  EAI_REQUIREDIPNOTSUPPORTED, "and ON_NET on it");
	ASSERT_EQ(ag_setsc_err(&a, t, FIXED_IPV6_ADDRESS, &err), 0,
		  "a socket of the free cgroup gets fixed");
	/* The policy of the socket's cgroup as it is now, not as it was. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow all", r), 0,
		  "the operator allows all in the restricted cgroup");
	ASSERT_EQ(ag_simple(&a, AG_SETPREFS, s, 0, NULL), 0, "ON_NET off");
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), 0,
		  "the restricted socket now gets fixed: its cgroup's policy changed");
cleanup:
	agent_stop(&a);
	if (r[0])
		rmdir(r);
	if (f[0])
		rmdir(f);
	env_teardown(&e);
}

/*
 * The programs look up only the cgroups odm_policy_filter names.  Pinned
 * maps of an odm before the filter (ODM_MAPS_VERSION 5) hold policies and
 * no filter: odmd must fill it at start, or those policies would stop
 * applying with the upgrade.  Same for a policy written with bpftool.
 */
void test_policy_filter_at_start(void)
{
	struct odm_policy pol = { .flags = ODM_POLF_ALLOW,
				  .allow_mask = 1u << ODM_TYPE_NON_PERSISTENT };
	struct odm_policy_filter f = { .id_bits = ~0ULL };
	struct agent a = { .pid = -1 };
	char path[sizeof(((struct env *)0)->pin_dir) + 32];
	bool opened = false;
	struct odm_maps m;
	struct env e;
	__u32 zero = 0;
	__u64 cgid;
	int s, err = 0;

	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_EQ(odm_cgroup_id(e.cgroup, &cgid), 0, "cgroup id") ||
	    !ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open maps"))
		goto cleanup;
	opened = true;
	/* What the old odm left: the policy, and no filter pinned. */
	ASSERT_EQ(bpf_map_update_elem(m.policy, &cgid, &pol, BPF_ANY), 0,
		  "policy written around odm_policy_set()");
	ASSERT_EQ(bpf_map_lookup_elem(m.policy_filter, &zero, &f), 0, "read the filter");
	ASSERT_EQ(f.id_bits, 0, "precondition: the filter does not name the cgroup");
	snprintf(path, sizeof(path), "%s/odm_policy_filter", e.pin_dir);
	ASSERT_EQ(unlink(path), 0, "unpin the filter, as maps of version 5 had none");
	odm_maps_close(&m);
	opened = false;

	env_stop_odmd(&e, false);
	if (!ASSERT_TRUE(env_start_odmd(&e), "odmd restarted") ||
	    !ASSERT_EQ(odm_maps_open(&m, e.pin_dir), 0, "open the maps again"))
		goto cleanup;
	opened = true;
	ASSERT_EQ(bpf_map_lookup_elem(m.policy_filter, &zero, &f), 0, "read the new filter");
	ASSERT_EQ(f.id_bits, ODM_POLICY_FILTER_BIT(cgid), "odmd named the cgroup at start");
	if (!ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc_err(&a, s, FIXED_IPV6_ADDRESS, &err), EAI_REQUIREDIPNOTSUPPORTED,
		  "the old policy still refuses fixed");
	ASSERT_EQ(err, EACCES, "errno says policy");
	ASSERT_EQ(ag_setsc_err(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &err), 0,
		  "and allows non-persistent");
cleanup:
	agent_stop(&a);
	if (opened)
		odm_maps_close(&m);
	env_teardown(&e);
}

/*
 * SIGHUP and restarts change only what the configuration names: its
 * default line used to replace the attached cgroup's whole policy (and
 * "default none" deleted it), losing what `odm policy set` had set.
 */
void test_policy_reload(void)
{
	static const char *const want[] = {
		"\"allow\":[\"session-lasting\",\"non-persistent\"]", "\"on_net\":false",
		"\"net_per_min\":5", "\"max_held\":3", "\"upgrade\":true",
	};
	char out[4096], what[64];
	struct env e;
	size_t i;
	int round;

	if (!ASSERT_TRUE(world(&e, "default non-persistent\n", true), "world"))
		goto cleanup;
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow "
			  "session-lasting,non-persistent on-net deny rate 5 max-held 3 upgrade allow",
			  e.cgroup), 0, "odm policy set");
	/*
	 * Each round changes or restarts what it must and waits until the
	 * file's default is in the map, so a reload is known to have
	 * happened before the other fields are checked.
	 */
	for (round = 0; round < 3; round++) {
		const char *def = round < 2 ? "session-lasting" : "none";
		char dflt[64];
		int tries;

		if (round == 0) {
			ASSERT_TRUE(sys("sed -i 's/^default .*/default session-lasting/' %s",
					e.config), "config says default session-lasting");
			ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP");
		} else if (round == 1) {
			env_stop_odmd(&e, false);
			ASSERT_TRUE(env_start_odmd(&e), "odmd restarted");
		} else {
			ASSERT_TRUE(sys("sed -i 's/^default .*/default none/' %s", e.config),
				    "config says default none");
			ASSERT_EQ(kill(e.odmd, SIGHUP), 0, "SIGHUP with default none");
		}
		snprintf(dflt, sizeof(dflt), "\"default_type\":\"%s\"", def);
		/* odmd reloads from its event loop: 5 s at most */
		for (tries = 0; tries < 50; tries++) {
			if (env_odm(&e, out, sizeof(out), "-j policy show") == 0 &&
			    strstr(out, dflt))
				break;
			usleep(100 * 1000);
		}
		snprintf(what, sizeof(what), "round %d: the file's default, %s", round, def);
		ASSERT_HAS(out, dflt, what);
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			snprintf(what, sizeof(what), "round %d keeps %s", round, want[i]);
			ASSERT_HAS(out, want[i], what);
		}
	}
cleanup:
	env_teardown(&e);
}

/* Quotas and rate limits on network requests (section 7: exhaustion,
 * billing), enforced by odmd for the requester's cgroup; root is exempt. */
void test_policy_quotas(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char out[4096];
	struct env e;
	int s, i;
	static const struct {
		int type;
		bool on_net;
		int want;
		const char *what;
	} steps[] = {
		{ SESSION_LASTING_IPV6_ADDRESS, false, 0, "first session-lasting prefix" },
		{ SESSION_LASTING_IPV6_ADDRESS, true, EAI_REQUIREDIPFAILED, "max-held 1 reached" },
		{ NON_PERSISTENT_IPV6_ADDRESS, false, 0, "second network request" },
		{ NON_PERSISTENT_IPV6_ADDRESS, true, 0, "third network request" },
		{ NON_PERSISTENT_IPV6_ADDRESS, true, EAI_REQUIREDIPFAILED, "rate 3/min reached" },
		{ NON_PERSISTENT_IPV6_ADDRESS, false, 0, "a configured prefix needs no request" },
	};

	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s max-held 1 rate 3",
			       e.cgroup), 0, "odm policy set quotas") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
		s = ag_socket(&a, SOCK_STREAM);
		if (steps[i].on_net)
			ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		ASSERT_EQ(ag_setsc(&a, s, steps[i].type, &addr), steps[i].want, steps[i].what);
		ag_simple(&a, AG_CLOSE, s, 0, NULL);
	}
	ASSERT_EQ(stat_of(&e, "net_quota_exceeded"), 1, "quota refusal counted");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 1, "rate refusal counted");
	/* The operator is not limited. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "request fixed"), 0, "root's odm request");
	ASSERT_EQ(env_kea_leases(&e), 4, "refused requests never reached the network");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/*
 * Rate and max-held count against the cgroup whose policy matched, not the
 * requester's leaf cgroup: with delegation a fresh child cgroup per request
 * got a fresh budget (4 of 4 ON_NET prefixes under rate 2).
 */
void test_policy_quota_children(void)
{
	char out[512], kid[4][sizeof(((struct env *)0)->cgroup) + 8];
	struct in6_addr addr;
	struct env e;
	int i, s, ok = 0, limited = 0;

	memset(kid, 0, sizeof(kid));
	if (!ASSERT_TRUE(on_demand_world(&e, true), "kea and odmd") ||
	    !ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s rate 2 max-held 1",
			       e.cgroup), 0, "odm policy set rate 2 max-held 1"))
		goto cleanup;
	for (i = 0; i < 4; i++) {
		struct agent a = { .pid = -1 };
		int rc;

		snprintf(kid[i], sizeof(kid[i]), "%s/k%d", e.cgroup, i);
		if (!ASSERT_EQ(mkdir(kid[i], 0755), 0, "a fresh child cgroup") ||
		    !ASSERT_TRUE(agent_start(&e, &a, kid[i], 65534), "agent in it"))
			break;
		s = ag_socket(&a, SOCK_STREAM);
		ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		rc = ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr);
		ok += rc == 0;
		limited += rc == EAI_REQUIREDIPFAILED;
		agent_stop(&a);
	}
	ASSERT_EQ(ok, 2, "two ON_NET requests under rate 2");
	ASSERT_EQ(limited, 2, "the other two refused");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 2, "counted as rate limited");
cleanup:
	for (i = 0; i < 4; i++)
		if (kid[i][0])
			rmdir(kid[i]);
	env_teardown(&e);
}

/*
 * ON_NET is limited by default (section 7, exhaustion): an application in
 * a cgroup with no policy used to acquire hundreds of delegated prefixes.
 * odmd's default rate and held-prefix cap apply where no policy sets them;
 * a policy raises them; root is not limited.
 */
void test_default_net_limits(void)
{
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char out[512];
	struct env e;
	int i, s, ok = 0;

	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--net-rate 3 --net-max-held 1"),
			 "kea and odmd") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), 0, "a first fixed prefix");
	s = ag_socket(&a, SOCK_STREAM);
	ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	ASSERT_EQ(ag_setsc(&a, s, FIXED_IPV6_ADDRESS, &addr), EAI_REQUIREDIPFAILED,
		  "a second one: the default cap of 1 held");
	for (i = 0; i < 3; i++) {
		s = ag_socket(&a, SOCK_STREAM);
		ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
		ok += ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr) == 0;
	}
	/* The refused one never counted as a request. */
	ASSERT_EQ(ok, 2, "then the default rate of 3 a minute (1 used) allows two more");
	ASSERT_EQ(stat_of(&e, "net_rate_limited"), 1, "the rate refusal counted");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "request non-persistent on-net"), 0,
		  "root's odm request is not limited");
	/* The operator raises the limit for the cgroup. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s rate 100", e.cgroup), 0,
		  "policy rate 100");
	s = ag_socket(&a, SOCK_STREAM);
	ag_simple(&a, AG_SETPREFS, s, IPV6_REQUIRE_SRC_ON_NET, NULL);
	ASSERT_EQ(ag_setsc(&a, s, NON_PERSISTENT_IPV6_ADDRESS, &addr), 0, "served again");
cleanup:
	agent_stop(&a);
	env_teardown(&e);
}

/* Review point 12: with the operator's switch, a type with no prefix is
 * served by the least strong stronger type the cgroup may use. */
void test_policy_upgrade(void)
{
	struct peer net = { -1, -1 };
	struct agent a = { .pid = -1 };
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN], seen[64], out[512];
	struct env e;
	int s;

	/* Base world: Fixed, Session-lasting, Non-persistent; no Graceful. */
	if (!ASSERT_TRUE(world(&e, NULL, true), "world") ||
	    !ASSERT_TRUE(peer_open(&e, &net, e.net_ns, "::", PORT), "peer") ||
	    !ASSERT_TRUE(agent_start(&e, &a, e.cgroup, 65534), "agent"))
		goto cleanup;
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "default: exact type or error");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s upgrade allow", e.cgroup), 0,
		  "switch on");
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "upgraded");
	ASSERT_STREQ(in6_str(&addr, buf), SL_ADDR, "served by session-lasting, not fixed");
	ASSERT_STREQ(peer_sees(&a, &net, s, AG_CONNECT, seen, sizeof(seen)),
		     SL_ADDR, "peer sees the session-lasting address");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(stat_of(&e, "setsc_upgraded"), 1, "counted");
	/* Only to types the cgroup may use. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow graceful,fixed",
			  e.cgroup), 0, "allow graceful and fixed");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr), 0, "upgraded again");
	ASSERT_STREQ(in6_str(&addr, buf), FX_ADDR, "to fixed, session-lasting not allowed");
	ag_simple(&a, AG_CLOSE, s, 0, NULL);
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s allow graceful", e.cgroup),
		  0, "allow graceful only");
	s = ag_socket(&a, SOCK_STREAM);
	ASSERT_EQ(ag_setsc(&a, s, GRACEFUL_REPLACEMENT_IPV6_ADDRESS, &addr),
		  EAI_REQUIREDIPNOTSUPPORTED, "nothing stronger allowed");
cleanup:
	agent_stop(&a);
	peer_close(&net);
	env_teardown(&e);
}
