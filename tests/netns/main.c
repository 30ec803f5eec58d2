// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - odm end to end: real BPF programs attached to a real cgroup by
 * a real odmd, real TCP/UDP sockets in a network namespace, and the source
 * address the peer actually saw.  Needs root.
 *
 *   build/tests/netns_test [-v] [NAME...]
 *
 * NAME: run only the tests whose name contains it.  -v (or ODM_TEST_VERBOSE
 * in the environment): print the sub-cases that passed too.
 *
 * The tests are in the area files (see netns.h), run in the order of tests.h.
 */
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
#define DEFINE_TEST(fn) { #fn, fn },
#include "tests.h"
#undef DEFINE_TEST
};

/* Whether a test is run: no NAME given, or one its name contains. */
static bool selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 1)
		return true;
	for (i = 0; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

/*
 * A run killed midway (a timeout, ^C) leaves its odmd, Kea and radvd
 * running, and its namespaces, cgroup and pins behind; all are named after
 * its pid (the daemons in their command lines).  Stop and remove those of
 * dead pids; a zombie (a run killed, not yet reaped) is dead too.
 */
static void sweep_stale(void)
{
	char root[PATH_MAX];

	if (odm_cgroup2_root(root, sizeof(root)))
		root[0] = '\0';	/* no cgroup v2: no odmt cgroups either */
	sys("alive() { [ -d /proc/$1 ] && ! grep -qs '^State:[[:space:]]*Z' /proc/$1/status; }; "
	    "for p in $(pgrep -f 'odmt-[0-9]+-'); do "
	    "  pid=$(tr '\\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -o 'odmt-[0-9]*-' | "
	    "        head -n 1 | tr -dc 0-9); "
	    "  [ -n \"$pid\" ] && ! alive $pid && kill $p; done; "
	    "for ns in $(ip netns list | awk '/^odmt-[hn]-/ {print $1}'); do "
	    "  pid=${ns#odmt-?-}; pid=${pid%%%%-*}; "
	    "  alive $pid || ip netns del $ns; done; "
	    "for d in /sys/fs/bpf/odmt-*; do [ -d \"$d\" ] || continue; "
	    "  pid=${d#/sys/fs/bpf/odmt-}; pid=${pid%%%%-*}; "
	    "  alive $pid || build/odmd --unload --pin-dir $d; done; "
	    "root='%s'; [ -n \"$root\" ] && for d in \"$root\"/odmt-*; do "
	    "  [ -d \"$d\" ] || continue; "
	    "  pid=${d##*/odmt-}; pid=${pid%%%%-*}; "
	    "  alive $pid || rmdir \"$d\"; done; true", root);
}

int main(int argc, char **argv)
{
	size_t i;

	if (geteuid() != 0) {
		fprintf(stderr, "netns_test: needs root (network namespaces, cgroups, BPF)\n");
		return 1;
	}
	test_verbose = getenv("ODM_TEST_VERBOSE") != NULL;
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		test_verbose = true;
		argc--;
		argv++;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sweep_stale();
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(argc - 1, argv + 1, tests[i].name))
			continue;
		test_run(tests[i].name, tests[i].fn);
	}
	return test_summary();
}
