// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * monitor.c - odm monitor against a running odmd and a real Kea: the
 * events only odmd sees (lease obtained, released, failed) arrive as JSON
 * lines beside the map events they cause (prefix added and removed, the
 * selected address), and odm stats counts the DHCPv6 exchange.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "netns.h"

#ifndef ODM_BUILD_DIR
#define ODM_BUILD_DIR "build"
#endif

/* `odm -j monitor` in the host namespace, its lines into tmpdir/mon.json. */
static pid_t monitor_start(struct env *e)
{
	char out[256], ns[128];
	pid_t pid;
	int fd;

	snprintf(out, sizeof(out), "%s/mon.json", e->tmpdir);
	snprintf(ns, sizeof(ns), "--net=/run/netns/%s", e->host_ns);
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(127);
	execlp("nsenter", "nsenter", ns, ODM_BUILD_DIR "/odm", "-d", e->pin_dir, "-j",
	       "monitor", (char *)NULL);
	_exit(127);
}

/* A line of the monitor's output matches the jq filter (tries tenths of a second at most). */
static bool saw_within(struct env *e, const char *filter, int tries)
{
	char out[64];
	int i;

	for (i = 0; i < tries; i++) {
		if (sys_status(out, sizeof(out), "jq -e 'select(%s)' %s/mon.json | grep -q .",
			       filter, e->tmpdir) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* A line of the monitor's output matches the jq filter (20 s at most). */
static bool saw(struct env *e, const char *filter)
{
	return saw_within(e, filter, 200);
}

/* A counter of odm stats -j is at least min. */
static bool counted(struct env *e, const char *name, int min)
{
	char out[4096], cmd[128];

	snprintf(cmd, sizeof(cmd), "-j stats | jq -e '.counters.%s >= %d' >/dev/null", name, min);
	return env_odm(e, out, sizeof(out), "%s", cmd) == 0;
}

void test_monitor_dhcpv6(void)
{
	char out[4096], filter[512];
	pid_t mon = -1;
	struct env e;
	int status, i;

	/* --sl-linger 1: the session-lasting prefix no socket uses is given back. */
	if (!ASSERT_TRUE(on_demand_world_with(&e, kea_pools, "--sl-linger 1"), "kea and odmd"))
		goto cleanup;
	mon = monitor_start(&e);
	if (!ASSERT_TRUE(mon > 0, "monitor started"))
		goto cleanup;
	/*
	 * A map event seen proves the monitor past its connection to odmd.
	 * It diffs the maps against its first look at them, which may come
	 * after a change made at once, and it looks every 250 ms: a change
	 * undone within that is no change.  So the default type goes to one
	 * value and stays there a second, waiting for the monitor to report
	 * that value, then to the other, until one is reported.
	 */
	for (i = 0; i < 20; i++) {
		const char *type = i % 2 ? "non-persistent" : "fixed";

		ASSERT_EQ(env_odm(&e, out, sizeof(out), "policy set cgroup %s default %s", e.cgroup,
				  type), 0, "policy set");
		snprintf(filter, sizeof(filter),
			 ".event == \"policy_set\" and .default_type == \"%s\"", type);
		if (saw_within(&e, filter, 10))
			break;
	}
	ASSERT_TRUE(i < 20, "monitor: policy_set");

	/* Nothing configured: odmd asks Kea's session-lasting pool. */
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "request session-lasting"), 0,
		  "odm request session-lasting");
	ASSERT_TRUE(saw(&e, ".event == \"lease_obtained\" and .type == \"session-lasting\" and "
			"(.prefix | startswith(\"2001:db8:51\")) and .dev == \"veth-h\" and "
			"(.address | type == \"string\") and (.valid_lft | type == \"number\")"),
		    "monitor: lease_obtained, from odmd");
	ASSERT_TRUE(saw(&e, ".event == \"prefix_added\" and .type == \"session-lasting\" and "
			".source == \"dhcpv6\" and .state == \"valid\""),
		    "monitor: prefix_added, from the maps");
	ASSERT_TRUE(saw(&e, ".event == \"selected\" and .type == \"session-lasting\" and "
			"(.address | startswith(\"2001:db8:51\"))"),
		    "monitor: selected session-lasting");
	/* The address odmd announced is the one it selected. */
	snprintf(filter, sizeof(filter), "-s '(map(select(.event == \"lease_obtained\"))[0].address) "
		 "== (map(select(.event == \"selected\"))[0].address)' %s/mon.json", e.tmpdir);
	ASSERT_EQ(sys_status(out, sizeof(out), "jq -e %s >/dev/null", filter), 0,
		  "lease_obtained and selected name the same address");

	/* No socket uses it: released after --sl-linger, and gone from the maps. */
	ASSERT_TRUE(saw(&e, ".event == \"lease_released\" and .type == \"session-lasting\""),
		    "monitor: lease_released");
	ASSERT_TRUE(saw(&e, ".event == \"prefix_removed\" and .type == \"session-lasting\""),
		    "monitor: prefix_removed");
	ASSERT_TRUE(saw(&e, ".event == \"selected\" and .type == \"session-lasting\" and "
			".address == null"), "monitor: selected session-lasting none");

	/* Kea has no graceful-replacement pool: the exchange fails, and says why. */
	env_odm(&e, out, sizeof(out), "request graceful-replacement");
	ASSERT_TRUE(saw(&e, ".event == \"lease_failed\" and .type == \"graceful-replacement\" and "
			".reason == \"not-offered\" and .prefix == null"),
		    "monitor: lease_failed not-offered");

	/* The exchange, counted. */
	ASSERT_TRUE(counted(&e, "dhcp6_solicit_sent", 2), "stats: solicits sent");
	ASSERT_TRUE(counted(&e, "dhcp6_advertise_received", 1), "stats: advertise received");
	ASSERT_TRUE(counted(&e, "dhcp6_request_sent", 1), "stats: request sent");
	ASSERT_TRUE(counted(&e, "dhcp6_reply_received", 1), "stats: reply received");
	ASSERT_TRUE(counted(&e, "dhcp6_release_sent", 1), "stats: release sent");
	ASSERT_TRUE(counted(&e, "dhcp6_acquire_failed", 1), "stats: acquisition failed");
	ASSERT_EQ(env_odm(&e, out, sizeof(out), "stats -o prometheus | grep -Eq "
			  "'^odm_dhcp6_reply_received_total [1-9][0-9]*$'"), 0,
		  "prometheus: replies");

	kill(mon, SIGTERM);
	ASSERT_EQ(waitpid(mon, &status, 0), mon, "monitor reaped");
	mon = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "monitor: SIGTERM, exit 0");
	ASSERT_EQ(sys_status(out, sizeof(out), "jq -s -e 'all(.[]; .event | type == \"string\")' "
			     "%s/mon.json >/dev/null", e.tmpdir), 0,
		  "every line a JSON object with an event");
cleanup:
	if (mon > 0) {
		kill(mon, SIGTERM);
		waitpid(mon, NULL, 0);
	}
	env_teardown(&e);
}
