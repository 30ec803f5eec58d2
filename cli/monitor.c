// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * monitor.c - odm monitor: one line per event, as `ip monitor` prints, or
 * with -j one JSON object per line (JSON Lines), until SIGINT or SIGTERM.
 *
 * Two sources, because odm's state has two kinds of writers:
 *
 *  - The maps are changed by odmd, by every `odm prefix`/`odm policy`, by
 *    odm exec, and by anyone with bpftool.  No writer can be trusted to
 *    announce its change, so the monitor samples the maps every
 *    POLL_MS and prints the difference: prefix_added, prefix_removed,
 *    prefix_changed (state, address, interface, type, source), selected
 *    (odm_select: the address handed out for a type changed, or it has
 *    none any more), policy_set, policy_removed.  A change undone within
 *    one period is not seen, and the first sample is the baseline: the
 *    monitor reports changes, `odm prefix list` the state.
 *  - What leaves no trace in the maps (a Renew that keeps the prefix, a
 *    request refused by policy, an exchange that failed) only odmd knows:
 *    it sends odm_msg_notice to monitors on its socket (lib/proto.h),
 *    printed as lease_obtained, lease_renewed, lease_released, lease_lost,
 *    lease_restored, lease_failed, replaced, refused, denied.  Without an
 *    odmd in this network namespace (odmd --once) only the map events are
 *    shown; a note on stderr says so, and another when odmd comes back.
 *
 * In JSON every event is an object with "event" first; null means "there
 * is none" as everywhere in odm (selected with no address, a prefix on no
 * particular interface).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "proto.h"

/* How often the maps are sampled. */
#define POLL_MS		250

struct pfx {
	struct odm_prefix_key key;
	struct odm_prefix val;
};

struct pol {
	__u64 id;
	struct odm_policy pol;
};

struct snap {
	struct pfx *p;
	size_t np, capp;
	struct pol *q;
	size_t nq, capq;
	bool has_sel[ODM_TYPE_MAX + 1];
	struct odm_choice sel[ODM_TYPE_MAX + 1];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void snap_free(struct snap *s)
{
	free(s->p);
	free(s->q);
	memset(s, 0, sizeof(*s));
}

static int add_pfx(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct snap *s = arg;
	struct pfx *n = odm_grow(s->p, &s->capp, s->np, sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->p = n;
	s->p[s->np].key = *key;
	s->p[s->np++].val = *val;
	return 0;
}

static int add_pol(__u64 id, const struct odm_policy *pol, void *arg)
{
	struct snap *s = arg;
	struct pol *n = odm_grow(s->q, &s->capq, s->nq, sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->q = n;
	s->q[s->nq].id = id;
	s->q[s->nq++].pol = *pol;
	return 0;
}

static int pfx_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct pfx *)a)->key, &((const struct pfx *)b)->key,
		      sizeof(struct odm_prefix_key));
}

static int pol_cmp(const void *a, const void *b)
{
	__u64 x = ((const struct pol *)a)->id, y = ((const struct pol *)b)->id;

	return x < y ? -1 : x > y;
}

/* The three maps as they are now, sorted by key for a merge walk. */
static int snap_take(struct odm_maps *m, struct snap *s)
{
	__u32 t;
	int err;

	memset(s, 0, sizeof(*s));
	err = odm_prefix_foreach(m, add_pfx, s);
	if (!err)
		err = odm_policy_foreach(m, add_pol, s);
	if (err) {
		snap_free(s);
		return err;
	}
	for (t = ODM_TYPE_FIXED; t <= ODM_TYPE_MAX; t++)
		s->has_sel[t] = bpf_map_lookup_elem(m->select, &t, &s->sel[t]) == 0;
	if (s->np)
		qsort(s->p, s->np, sizeof(*s->p), pfx_cmp);
	if (s->nq)
		qsort(s->q, s->nq, sizeof(*s->q), pol_cmp);
	return 0;
}

/* ---- printing ---- */

struct mon {
	const struct cli_cmd *cmd;
	struct odm_printer *p;
};

/* Every event is its own document: one line of JSON, or one of text. */
static bool ev_begin(struct mon *mo, const char *json_name, const char *text)
{
	mo->p = odm_printer_new(stdout, mo->cmd->json, false);
	if (!mo->p)
		return false;
	odm_print_open_object(mo->p, NULL);
	odm_print_string(mo->p, "event", NULL, json_name);
	odm_print_text(mo->p, text);
	return true;
}

static void ev_end(struct mon *mo)
{
	odm_print_close_object(mo->p);
	odm_print_text(mo->p, "\n");
	odm_printer_free(mo->p);
	mo->p = NULL;
}

static void print_dev(struct odm_printer *p, __u32 ifindex)
{
	char dev[IF_NAMESIZE];

	if (!ifindex) {
		odm_print_null(p, "dev", NULL);		/* any interface */
		return;
	}
	odm_print_string(p, "dev", " dev %s", odm_ifname(ifindex, dev));
}

static void print_addr(struct odm_printer *p, const char *key, const char *fmt,
		       const __u32 addr[4])
{
	char buf[INET6_ADDRSTRLEN];

	if (odm_addr_is_zero(addr))
		odm_print_null(p, key, NULL);
	else
		odm_print_string(p, key, fmt, odm_addr_str(addr, buf));
}

static void prefix_event(struct mon *mo, const char *name, const char *text, const struct pfx *x)
{
	char buf[ODM_PREFIX_STRLEN];

	if (!ev_begin(mo, name, text))
		return;
	odm_print_string(mo->p, "prefix", "%s", odm_prefix_str(&x->key, buf));
	odm_print_string(mo->p, "type", " type %s", odm_type_name(x->val.type));
	print_dev(mo->p, x->val.ifindex);
	if (x->val.state == ODM_PS_NOADDR)
		odm_print_null(mo->p, "address", NULL);
	else
		print_addr(mo->p, "address", " address %s", x->val.addr.w);
	odm_print_string(mo->p, "state", " state %s", odm_pstate_name(x->val.state));
	odm_print_string(mo->p, "source", " source %s", odm_source_name(x->val.source));
	ev_end(mo);
}

static void selected_event(struct mon *mo, unsigned int type, bool has, const struct odm_choice *c)
{
	struct odm_prefix_key key = { 0 };
	char buf[ODM_PREFIX_STRLEN];

	if (!ev_begin(mo, "selected", "selected "))
		return;
	odm_print_string(mo->p, "type", "%s", odm_type_name(type));
	if (!has) {
		odm_print_null(mo->p, "address", " none");
		odm_print_null(mo->p, "prefix", NULL);
		odm_print_null(mo->p, "dev", NULL);
	} else {
		key.prefixlen = c->plen;
		key.prefix = c->prefix;
		print_addr(mo->p, "address", " %s", c->addr.w);
		odm_print_string(mo->p, "prefix", " prefix %s", odm_prefix_str(&key, buf));
		print_dev(mo->p, c->ifindex);
	}
	ev_end(mo);
}

static void print_cgroup(struct odm_printer *p, const char *key, const char *fmt, __u64 id)
{
	char path[PATH_MAX];

	if (id && odm_cgroup_path(id, path, sizeof(path)) == 0)
		odm_print_string(p, key, fmt, path);
	else
		odm_print_null(p, key, NULL);	/* gone since, or none */
	odm_print_u64(p, "cgroup_id", " id %llu", id);
}

static void policy_event(struct mon *mo, bool removed, const struct pol *x)
{
	unsigned int t;

	if (!ev_begin(mo, removed ? "policy_removed" : "policy_set",
		      removed ? "policy removed" : "policy set"))
		return;
	print_cgroup(mo->p, "cgroup", " cgroup %s", x->id);
	if (!removed) {
		odm_print_string(mo->p, "default_type", " default %s",
				 odm_type_name(x->pol.default_type));
		if (!(x->pol.flags & ODM_POLF_ALLOW)) {
			odm_print_null(mo->p, "allow", NULL);	/* no allow list: every type */
			odm_print_text(mo->p, " allow all");
		} else {
			odm_print_open_array(mo->p, "allow");
			odm_print_text(mo->p, " allow");
			for (t = ODM_TYPE_FIXED; t <= ODM_TYPE_MAX; t++)
				if (x->pol.allow_mask & (1u << t))
					odm_print_string(mo->p, NULL, " %s", odm_type_name(t));
			odm_print_close_array(mo->p);
		}
		odm_print_bool(mo->p, "on_net", " on-net %s",
			       !(x->pol.flags & ODM_POLF_NO_ON_NET));
		odm_print_u64(mo->p, "net_per_min", " rate %llu", x->pol.net_per_min);
		odm_print_u64(mo->p, "max_held", " max-held %llu", x->pol.max_held);
		odm_print_bool(mo->p, "upgrade", " upgrade %s", x->pol.flags & ODM_POLF_UPGRADE);
	}
	ev_end(mo);
}

/* What changed between two samples of the maps. */
static void diff(struct mon *mo, const struct snap *a, const struct snap *b)
{
	size_t i = 0, j = 0;
	unsigned int t;

	while (i < a->np || j < b->np) {
		int c = i == a->np ? 1 : j == b->np ? -1 : pfx_cmp(&a->p[i], &b->p[j]);

		if (c < 0) {
			prefix_event(mo, "prefix_removed", "prefix removed ", &a->p[i++]);
		} else if (c > 0) {
			prefix_event(mo, "prefix_added", "prefix added ", &b->p[j++]);
		} else {
			const struct odm_prefix *x = &a->p[i].val, *y = &b->p[j].val;

			/* Lifetimes and ages move on their own: not events. */
			if (x->type != y->type || x->state != y->state || x->source != y->source ||
			    x->ifindex != y->ifindex || memcmp(&x->addr, &y->addr, sizeof(x->addr)))
				prefix_event(mo, "prefix_changed", "prefix changed ", &b->p[j]);
			i++;
			j++;
		}
	}
	for (t = ODM_TYPE_FIXED; t <= ODM_TYPE_MAX; t++) {
		if (a->has_sel[t] != b->has_sel[t] ||
		    (b->has_sel[t] && (memcmp(&a->sel[t].addr, &b->sel[t].addr, 16) ||
				       memcmp(&a->sel[t].prefix, &b->sel[t].prefix, 16) ||
				       a->sel[t].plen != b->sel[t].plen ||
				       a->sel[t].ifindex != b->sel[t].ifindex)))
			selected_event(mo, t, b->has_sel[t], &b->sel[t]);
	}
	i = j = 0;
	while (i < a->nq || j < b->nq) {
		int c = i == a->nq ? 1 : j == b->nq ? -1 : pol_cmp(&a->q[i], &b->q[j]);

		if (c < 0) {
			policy_event(mo, true, &a->q[i++]);
		} else if (c > 0) {
			policy_event(mo, false, &b->q[j++]);
		} else {
			if (memcmp(&a->q[i].pol, &b->q[j].pol, sizeof(a->q[i].pol)))
				policy_event(mo, false, &b->q[j]);
			i++;
			j++;
		}
	}
}

/* ---- odmd's notices ---- */

static const char *notice_name(unsigned int kind, const char **text)
{
	static const struct { const char *json, *text; } names[] = {
		[ODM_N_LEASE_OBTAINED]	= { "lease_obtained", "lease obtained " },
		[ODM_N_LEASE_RENEWED]	= { "lease_renewed", "lease renewed " },
		[ODM_N_LEASE_RELEASED]	= { "lease_released", "lease released " },
		[ODM_N_LEASE_LOST]	= { "lease_lost", "lease lost " },
		[ODM_N_LEASE_RESTORED]	= { "lease_restored", "lease restored " },
		[ODM_N_LEASE_FAILED]	= { "lease_failed", "lease failed " },
		[ODM_N_REPLACED]	= { "replaced", "replaced " },
		[ODM_N_REFUSED]		= { "refused", "refused " },
		[ODM_N_DENIED]		= { "denied", "denied " },
	};

	*text = names[kind].text;
	return names[kind].json;
}

static const char *reason_name(unsigned int r)
{
	switch (r) {
	case ODM_NR_NOT_OFFERED: return "not-offered";
	case ODM_NR_FAILED: return "failed";
	case ODM_NR_UNSAFE: return "unsafe";
	case ODM_NR_POLICY: return "policy";
	case ODM_NR_QUOTA: return "quota";
	case ODM_NR_RATE: return "rate";
	default: return "none";
	}
}

static void notice_event(struct mon *mo, const struct odm_msg_notice *nt)
{
	struct odm_prefix_key key = { .prefixlen = nt->plen };
	char buf[ODM_PREFIX_STRLEN];
	const char *text, *name = notice_name(nt->kind, &text);

	if (!ev_begin(mo, name, text))
		return;
	if (nt->type)
		odm_print_string(mo->p, "type", "%s", odm_type_name(nt->type));
	else
		odm_print_null(mo->p, "type", "%s");
	switch (nt->kind) {
	case ODM_N_REPLACED:
		print_addr(mo->p, "old_address", " %s", nt->addr);
		print_addr(mo->p, "new_address", " -> %s", nt->new_addr);
		odm_print_u64(mo->p, "grace_s", " grace %llus", nt->grace_s);
		break;
	case ODM_N_DENIED:
		print_cgroup(mo->p, "cgroup", " cgroup %s", nt->cgroup_id);
		odm_print_string(mo->p, "reason", " reason %s", reason_name(nt->reason));
		break;
	default:
		if (nt->plen) {
			memcpy(&key.prefix, nt->prefix, sizeof(key.prefix));
			odm_print_string(mo->p, "prefix", " %s", odm_prefix_str(&key, buf));
		} else {
			odm_print_null(mo->p, "prefix", NULL);
		}
		print_dev(mo->p, nt->ifindex);
		if (nt->kind == ODM_N_LEASE_FAILED || nt->kind == ODM_N_REFUSED) {
			odm_print_string(mo->p, "reason", " reason %s", reason_name(nt->reason));
			break;
		}
		print_addr(mo->p, "address", " address %s", nt->addr);
		cli_print_lifetime(mo->p, "valid_lft", " valid %s", nt->valid_lft);
		cli_print_lifetime(mo->p, "preferred_lft", " preferred %s", nt->preferred_lft);
		break;
	}
	ev_end(mo);
}

/* A monitor connection to odmd, or -errno (no odmd here). */
static int odmd_connect(void)
{
	struct odm_msg_req req;
	int fd = odm_proto_connect(SOCK_NONBLOCK);

	if (fd < 0)
		return fd;
	odm_msg_monitor_init(&req);
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Read what odmd sent; false when the connection is over. */
static bool odmd_read(struct mon *mo, int fd)
{
	struct odm_msg_notice nt;
	ssize_t n;

	for (;;) {
		n = recv(fd, &nt, sizeof(nt), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0)
			return false;
		switch (odm_msg_notice_check(&nt, (size_t)n)) {
		case 0:
			notice_event(mo, &nt);
			break;
		case -ENOTSUP:
			break;		/* a newer odmd's kind: skipped */
		default:
			/* An answer, not a notice: odmd refused the monitor. */
			return false;
		}
	}
}

static void note(const char *text)
{
	fprintf(stderr, "odm: %s\n", text);
}

int cli_monitor(const struct cli_cmd *cmd)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct mon mo = { .cmd = cmd };
	struct snap prev, cur;
	struct odm_maps m;
	int fd, err, ret = CLI_OK;
	bool had_odmd;

	if (cli_open_maps(cmd, &m))
		return CLI_ERROR;
	/* No SA_RESTART: the signal ends poll() at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* each event as it happens */
	err = snap_take(&m, &prev);
	if (err) {
		cli_errmsg(err, "cannot read the maps: %s", strerror(-err));
		odm_maps_close(&m);
		return CLI_ERROR;
	}
	fd = odmd_connect();
	had_odmd = fd >= 0;
	if (!had_odmd)
		note("no odmd serves this network namespace: showing map changes only");
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR) {
			cli_errmsg(errno, "poll: %s", strerror(errno));
			ret = CLI_ERROR;
			break;
		}
		if (fd >= 0 && pfd.revents && !odmd_read(&mo, fd)) {
			close(fd);
			fd = -1;
			note("odmd went away: showing map changes only");
		}
		if (fd < 0 && (fd = odmd_connect()) >= 0 && !had_odmd)
			note("odmd is back: showing its events again");
		had_odmd = fd >= 0 || had_odmd;
		err = snap_take(&m, &cur);
		if (err) {
			cli_errmsg(err, "cannot read the maps: %s", strerror(-err));
			ret = CLI_ERROR;
			break;
		}
		diff(&mo, &prev, &cur);
		snap_free(&prev);
		prev = cur;
		if (ferror(stdout))
			break;		/* the reader is gone (odm monitor | head) */
	}
	snap_free(&prev);
	if (fd >= 0)
		close(fd);
	odm_maps_close(&m);
	return ret;
}
