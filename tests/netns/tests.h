/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tests.h - every namespace test, in the order netns_test runs them, as in
 * the kernel's test_progs (prog_tests/tests.h): included with DEFINE_TEST(fn)
 * defined, by netns.h to declare each, by main.c to list them.  A new test
 * is a function void test_NAME(void) in its area's file and a line here.
 *
 * The order is the one the suite always had; a few tests are sensitive to
 * it, by time only (odmd's ticks, Kea's lease file), but it is kept.
 * No include guard: included once per DEFINE_TEST.
 */
DEFINE_TEST(test_sock_addr_table)		/* sockets.c */
DEFINE_TEST(test_message_flow_4_2)		/* sockets.c */
DEFINE_TEST(test_default_policy)		/* sockets.c */
DEFINE_TEST(test_accepted_server)		/* sockets.c */
DEFINE_TEST(test_unprivileged_app)		/* sockets.c */
DEFINE_TEST(test_setsc_without_odm)		/* sockets.c */
DEFINE_TEST(test_setsc_bad_args)		/* sockets.c */
DEFINE_TEST(test_address_sync)			/* lifecycle.c */
DEFINE_TEST(test_odmd_killed)			/* lifecycle.c */
DEFINE_TEST(test_bad_config)			/* lifecycle.c */
DEFINE_TEST(test_pins_and_btf)			/* lifecycle.c */
DEFINE_TEST(test_sockopt_passthrough)		/* sockets.c */
DEFINE_TEST(test_use_counts)			/* sockets.c */
DEFINE_TEST(test_map_churn)			/* lifecycle.c */
DEFINE_TEST(test_on_demand_dhcpv6)		/* on_demand.c */
DEFINE_TEST(test_handoff)			/* on_demand.c */
DEFINE_TEST(test_graceful_replacement)		/* lifecycle.c */
DEFINE_TEST(test_policy_allow)			/* policy.c */
DEFINE_TEST(test_policy_reload)			/* policy.c */
DEFINE_TEST(test_policy_filter_at_start)	/* policy.c */
DEFINE_TEST(test_policy_follows_socket)		/* policy.c */
DEFINE_TEST(test_policy_quotas)			/* policy.c */
DEFINE_TEST(test_policy_quota_children)		/* policy.c */
DEFINE_TEST(test_default_net_limits)		/* policy.c */
DEFINE_TEST(test_policy_upgrade)		/* policy.c */
DEFINE_TEST(test_edge_cases)			/* sockets.c */
DEFINE_TEST(test_sendto_then_connect)		/* sockets.c */
DEFINE_TEST(test_lifetimes)			/* lifecycle.c */
DEFINE_TEST(test_lifetime_dad)			/* lifecycle.c */
DEFINE_TEST(test_lifetime_dad_delegated)	/* lifecycle.c */
DEFINE_TEST(test_iid_stable)			/* lifecycle.c */
DEFINE_TEST(test_stress_threads)		/* sockets.c */
DEFINE_TEST(test_odmd_killed_mid_request)	/* lifecycle.c */
DEFINE_TEST(test_setsc_never_blocks)		/* on_demand.c */
DEFINE_TEST(test_queued_beyond_slots)		/* on_demand.c */
DEFINE_TEST(test_impostor_server)		/* attacker.c */
DEFINE_TEST(test_on_net_hint_fresh)		/* attacker.c */
DEFINE_TEST(test_watch_event_checked)		/* attacker.c */
DEFINE_TEST(test_odmd_connection_attacks)	/* attacker.c */
DEFINE_TEST(test_peer_pid_reuse)		/* attacker.c */
DEFINE_TEST(test_faults)			/* lifecycle.c */
DEFINE_TEST(test_lease_publish_fails)		/* on_demand.c */
DEFINE_TEST(test_lease_file_attacks)		/* on_demand.c */
DEFINE_TEST(test_graceful_superseded_lease)	/* lifecycle.c */
DEFINE_TEST(test_graceful_other_app)		/* lifecycle.c */
DEFINE_TEST(test_hostile_dhcp6)			/* on_demand.c */
DEFINE_TEST(test_untyped_grant)			/* on_demand.c */
DEFINE_TEST(test_fixed_kept)			/* on_demand.c */
DEFINE_TEST(test_sl_linger)			/* on_demand.c */
DEFINE_TEST(test_rebind_on_link_up)		/* on_demand.c */
DEFINE_TEST(test_networks)			/* on_demand.c */
DEFINE_TEST(test_ra_radvd)			/* ra.c */
DEFINE_TEST(test_ra_srvtp)			/* ra.c */
DEFINE_TEST(test_ra_overlap_expiry)		/* ra.c */
DEFINE_TEST(test_egress_follows_source)		/* multihome.c */
DEFINE_TEST(test_handoff_two_networks)		/* multihome.c */
DEFINE_TEST(test_routed_anchor)			/* multihome.c */
DEFINE_TEST(test_sd_notify)			/* service.c */
DEFINE_TEST(test_config_policies)		/* service.c */
DEFINE_TEST(test_cgroup_made_anew)		/* service.c */
DEFINE_TEST(test_monitor_dhcpv6)		/* monitor.c */
DEFINE_TEST(test_setsc_one_call)		/* onecall.c */
DEFINE_TEST(test_no_setsockopt_mode)		/* onecall.c */
