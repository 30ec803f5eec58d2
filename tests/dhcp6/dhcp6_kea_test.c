// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dhcp6_kea_test.c - drives loader/dhcp6.c against a real Kea; run by
 * tests/dhcp6/kea-test.sh inside the "host" namespace, one phase per run:
 *
 *   dhcp6_kea_test acquire IFNAME LEASEFILE    typed acquisitions, renew, release
 *   dhcp6_kea_test restore IFNAME LEASEFILE N  a restart finds N leases, renews one
 *   dhcp6_kea_test timeout IFNAME LEASEFILE MS no server: FAILED within MS
 *   dhcp6_kea_test lost IFNAME LEASEFILE N     no server: N restored leases expire
 *
 * Prints "ok NAME" / "FAIL NAME" lines (the script counts them) and
 * "# key value" lines the script reads (released prefix, leases held).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "core.h"
#include "../../loader/dhcp6.h"

#define MAX_EV	64

struct ev {
	enum odm_dhcp6_event ev;
	enum odm_dhcp6_result res;
	struct odm_lease l;
};

struct rec {
	struct ev ev[MAX_EV];
	int n;
};

static int failures;

static void on_event(void *ctx, enum odm_dhcp6_event ev, enum odm_dhcp6_result res,
		     const struct odm_lease *l)
{
	static const char *const names[] = { "acquired", "renewed", "lost", "restored" };
	struct rec *r = ctx;
	char a[INET6_ADDRSTRLEN];

	/* DHCP6_TEST_VERBOSE=1 shows every event, for debugging a failure. */
	if (getenv("DHCP6_TEST_VERBOSE")) {
		inet_ntop(AF_INET6, l->prefix, a, sizeof(a));
		fprintf(stderr, "  event %s res %d iaid %u type %u %s/%u pref %u valid %u"
			" t1 %u t2 %u\n", names[ev], res, l->iaid, l->type, a, l->plen, l->preferred_lft,
			l->valid_lft, l->t1, l->t2);
	}
	if (r->n < MAX_EV)
		r->ev[r->n++] = (struct ev){ ev, res, *l };
}

static void check(bool ok, const char *name, const char *why)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, ok ? "" : ": ", ok ? "" : why);
	fflush(stdout);
	failures += !ok;
}

static const char *pfx_str(const struct odm_lease *l, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, l->prefix, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, l->plen);
	return buf;
}

/* The lease lies inside 2001:db8:XX00::/40 with a /64 delegated. */
static bool in_pool(const struct odm_lease *l, __u8 xx)
{
	const __u8 *p = (const __u8 *)l->prefix;

	return l->plen == 64 && p[0] == 0x20 && p[1] == 0x01 && p[2] == 0x0d && p[3] == 0xb8 &&
	       p[4] == xx;
}

static const struct ev *find(const struct rec *r, enum odm_dhcp6_event ev, __u32 iaid)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->ev[i].ev == ev && r->ev[i].l.iaid == iaid)
			return &r->ev[i];
	return NULL;
}

static int count(const struct rec *r, enum odm_dhcp6_event ev)
{
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->ev[i].ev == ev;
	return n;
}

/* Drive the client until want events of kind ev happened, or ms passed. */
static bool run(struct odm_dhcp6 *c, struct rec *r, enum odm_dhcp6_event ev, int want, int ms)
{
	__u64 end = odm_boottime_ns() + (__u64)ms * 1000000;

	for (;;) {
		struct pollfd pfd = { .fd = odm_dhcp6_fd(c), .events = POLLIN };
		__u64 now = odm_boottime_ns();
		int t = odm_dhcp6_timeout_ms(c), left;

		if (want && count(r, ev) >= want)
			return true;
		if (now >= end)
			return !want;
		left = (int)((end - now + 999999) / 1000000);
		if (t < 0 || t > left)
			t = left;
		poll(&pfd, 1, t);
		odm_dhcp6_process(c);
	}
}

static struct odm_dhcp6 *client(const char *ifname, const char *file, struct rec *r,
				unsigned int timeout_ms)
{
	struct odm_dhcp6_opts o = {
		.sz = sizeof(o),
		.ifindex = if_nametoindex(ifname),
		.lease_file = file,
		.max_rt_ms = 1000,
		.request_timeout_ms = timeout_ms,
	};
	struct odm_dhcp6 *c = odm_dhcp6_new(&o, on_event, r);

	if (!c)
		fprintf(stderr, "dhcp6_kea_test: cannot start the client on %s: %s\n", ifname,
			strerror(errno));
	return c;
}

static void count_lease(void *arg, const struct odm_lease *l)
{
	(*(int *)arg)++;
}

static int phase_acquire(const char *ifname, const char *file)
{
	static const struct { __u8 type; __u8 pool; const char *name; } want[] = {
		{ ODM_TYPE_SESSION_LASTING, 0x51, "acquire_session_lasting" },
		{ ODM_TYPE_NON_PERSISTENT, 0xa1, "acquire_non_persistent" },
		{ ODM_TYPE_FIXED, 0xf0, "acquire_fixed" },
	};
	struct rec r = { 0 };
	struct odm_dhcp6 *c = client(ifname, file, &r, 6000);
	int iaid[3], g, same[3], i, held = 0;
	const struct ev *e, *a, *s;
	char buf[64], why[160];
	__u64 t0;

	if (!c)
		return 1;
	/* All four at once: each is its own IA_PD and transaction. */
	for (i = 0; i < 3; i++)
		iaid[i] = odm_dhcp6_acquire(c, want[i].type);
	g = odm_dhcp6_acquire(c, ODM_TYPE_GRACEFUL);
	run(c, &r, ODM_DHCP6_ACQUIRED, 4, 5000);
	for (i = 0; i < 3; i++) {
		e = find(&r, ODM_DHCP6_ACQUIRED, iaid[i]);
		snprintf(why, sizeof(why), "%s %s", !e ? "no result" :
			 e->res == ODM_DHCP6_OK ? "got" : "result", !e ? "" :
			 e->res == ODM_DHCP6_OK ? pfx_str(&e->l, buf, sizeof(buf)) :
			 e->res == ODM_DHCP6_NOT_OFFERED ? "not offered" :
			 e->res == ODM_DHCP6_REFUSED && e->l.untyped ? "refused, untyped" :
			 "failed");
		/* Kea's class types the grant: the client takes only typed ones. */
		check(e && e->res == ODM_DHCP6_OK && in_pool(&e->l, want[i].pool) &&
		      e->l.type == want[i].type && !e->l.untyped && e->l.valid_lft == 8 &&
		      e->l.preferred_lft == 4, want[i].name, why);
		if (e && e->res == ODM_DHCP6_OK)
			printf("# %s %s\n", want[i].name, pfx_str(&e->l, buf, sizeof(buf)));
	}
	e = find(&r, ODM_DHCP6_ACQUIRED, g);
	check(e && e->res == ODM_DHCP6_NOT_OFFERED, "graceful_not_offered",
	      !e ? "no result" : e->res == ODM_DHCP6_OK ? "was offered" : "failed");

	/* Same type, three more times: three more, different prefixes. */
	for (i = 0; i < 3; i++)
		same[i] = odm_dhcp6_acquire(c, ODM_TYPE_SESSION_LASTING);
	run(c, &r, ODM_DHCP6_ACQUIRED, 7, 5000);
	{
		const struct ev *x[4] = { find(&r, ODM_DHCP6_ACQUIRED, iaid[0]) };
		bool ok = true;
		int j;

		for (i = 0; i < 3; i++) {
			x[i + 1] = find(&r, ODM_DHCP6_ACQUIRED, same[i]);
			ok &= x[i + 1] && x[i + 1]->res == ODM_DHCP6_OK &&
			      in_pool(&x[i + 1]->l, 0x51);
		}
		for (i = 0; ok && i < 4; i++)
			for (j = i + 1; j < 4; j++)
				ok &= !!x[i] && memcmp(x[i]->l.prefix, x[j]->l.prefix, 16) != 0;
		check(ok, "same_type_distinct_prefixes", "missing or repeated prefix");
	}

	/* Kea grants T1 = 2 s: the first lease is renewed with fresh lifetimes. */
	a = find(&r, ODM_DHCP6_ACQUIRED, iaid[0]);
	t0 = a ? a->l.obtained_ns : 0;
	run(c, &r, ODM_DHCP6_RENEWED, 3, 4000);	/* the first three were granted together */
	s = find(&r, ODM_DHCP6_RENEWED, iaid[0]);
	check(a && s && s->l.valid_lft == 8 && s->l.preferred_lft == 4 &&
	      s->l.obtained_ns > t0 + 1000000000ull && !memcmp(s->l.prefix, a->l.prefix, 16),
	      "renewed", !s ? "no RENEWED event" : "lifetimes or prefix not refreshed");

	/* Release the Non-persistent one; the script checks Kea's lease file. */
	e = find(&r, ODM_DHCP6_ACQUIRED, iaid[1]);
	if (e && e->res == ODM_DHCP6_OK) {
		int before = 0, after = 0;

		odm_dhcp6_foreach(c, count_lease, &before);
		check(odm_dhcp6_release(c, iaid[1]) == 0, "release_call", "release failed");
		check(odm_dhcp6_release(c, iaid[1]) == -ENOENT ||
		      odm_dhcp6_release(c, iaid[1]) == -EBUSY, "release_twice", "accepted");
		check(odm_dhcp6_release(c, 999999) == -ENOENT, "release_unknown", "not ENOENT");
		odm_dhcp6_foreach(c, count_lease, &after);
		check(after == before - 1, "release_forgets", "still listed");
		printf("# released %s\n", pfx_str(&e->l, buf, sizeof(buf)));
	}
	run(c, &r, 0, 0, 500);	/* let the Release go out and its Reply arrive */
	odm_dhcp6_foreach(c, count_lease, &held);
	printf("# held %d\n", held);
	odm_dhcp6_free(c);
	return failures ? 1 : 0;
}

static int phase_restore(const char *ifname, const char *file, int want)
{
	struct rec r = { 0 };
	struct odm_dhcp6 *c = client(ifname, file, &r, 6000);
	bool ok = true;
	char why[96];
	int i, n;

	if (!c)
		return 1;
	n = count(&r, ODM_DHCP6_RESTORED);
	for (i = 0; i < r.n; i++)
		ok &= r.ev[i].l.valid_lft > 0 && r.ev[i].l.valid_lft <= 8 &&
		      r.ev[i].l.preferred_lft <= 4 && r.ev[i].l.plen == 64;
	snprintf(why, sizeof(why), "%d restored, %d expected%s", n, want,
		 ok ? "" : ", bad remaining lifetimes");
	check(n == want && ok, "restored_after_restart", why);
	/* The restored leases carry the server's DUID: they can be renewed. */
	check(run(c, &r, ODM_DHCP6_RENEWED, want, 6000) && count(&r, ODM_DHCP6_LOST) == 0,
	      "restored_leases_renew", "no renewal of every restored lease");
	odm_dhcp6_free(c);
	return failures ? 1 : 0;
}

static int phase_timeout(const char *ifname, const char *file, int ms)
{
	struct rec r = { 0 };
	struct odm_dhcp6 *c = client(ifname, file, &r, ms);
	__u64 t0 = odm_boottime_ns(), took;
	const struct ev *e;
	char why[96];
	int iaid;

	if (!c)
		return 1;
	iaid = odm_dhcp6_acquire(c, ODM_TYPE_SESSION_LASTING);
	run(c, &r, ODM_DHCP6_ACQUIRED, 1, ms + 3000);
	took = (odm_boottime_ns() - t0) / 1000000;
	e = find(&r, ODM_DHCP6_ACQUIRED, iaid);
	snprintf(why, sizeof(why), "%s after %llu ms", !e ? "nothing" :
		 e->res == ODM_DHCP6_FAILED ? "FAILED" : "not FAILED", (unsigned long long)took);
	check(e && e->res == ODM_DHCP6_FAILED && took >= (__u64)ms - 50 && took <= (__u64)ms + 250,
	      "no_server_fails_in_time", why);
	odm_dhcp6_free(c);
	return failures ? 1 : 0;
}

/* Kea is gone: Renew, then Rebind, go unanswered and every lease expires. */
static int phase_lost(const char *ifname, const char *file, int want)
{
	struct rec r = { 0 };
	struct odm_dhcp6 *c = client(ifname, file, &r, 2000);
	int held = 0;
	char why[96];

	if (!c)
		return 1;
	run(c, &r, ODM_DHCP6_LOST, want, 9000);
	odm_dhcp6_foreach(c, count_lease, &held);
	snprintf(why, sizeof(why), "%d restored, %d lost, %d still held", count(&r,
		 ODM_DHCP6_RESTORED), count(&r, ODM_DHCP6_LOST), held);
	check(want > 0 && count(&r, ODM_DHCP6_RESTORED) == want &&
	      count(&r, ODM_DHCP6_LOST) == want && !held, "lost_at_valid_expiry", why);
	odm_dhcp6_free(c);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "acquire"))
		return phase_acquire(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "restore"))
		return phase_restore(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "lost"))
		return phase_lost(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "timeout"))
		return phase_timeout(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: dhcp6_kea_test acquire IFNAME FILE | restore IFNAME FILE N |"
		" timeout IFNAME FILE MS | lost IFNAME FILE N\n");
	return 2;
}
