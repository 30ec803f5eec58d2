// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odm - show and change odm's typed prefixes, policies and counters.
 *
 * Talks to the maps odmd pinned (ODM_PIN_DIR) through libodm-core; every
 * listing goes through one printer, so `-j` JSON and the text tables can
 * never disagree.  Exit codes: 0 ok, 1 runtime error or bad value, 2 usage
 * (odm exec: the command's own status once it runs).
 *
 * Errors: one "odm: what went wrong" line on stderr; with -j instead one
 * JSON object on stdout, {"error": "what went wrong", "errno": N}, in place
 * of the document (stdout stays one JSON value for the script reading it,
 * as bpftool -j does).  A document is built in memory and written only
 * when the command succeeded, so a failure half-way never leaves half a
 * document before the error.
 *
 * JSON null means one thing: "there is none" (no address, no interface,
 * no allow list, no such cgroup any more).  It never stands for a special
 * value: an infinite lifetime is 4294967295, as ip -j writes it.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "proto.h"

/* The Makefile passes the VERSION file's as -DODM_VERSION; this is for other builds. */
#ifndef ODM_VERSION
#define ODM_VERSION "0.1.0"
#endif

/* The first error of a -j run, printed as JSON when the command ends. */
static struct {
	bool json;
	bool set;
	int err;		/* positive errno */
	char msg[512];
} failure;

void cli_errmsg(int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	if (!failure.json) {
		fputs("odm: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		return;
	}
	if (failure.set)
		return;			/* the first error is the one that matters */
	va_start(ap, fmt);
	vsnprintf(failure.msg, sizeof(failure.msg), fmt, ap);
	va_end(ap);
	failure.err = err ? err : EIO;
	failure.set = true;
}

/* {"error": "...", "errno": N} on stdout, when -j and something failed. */
static void print_failure(void)
{
	struct odm_printer *p;

	if (!failure.json || !failure.set)
		return;
	p = odm_printer_new(stdout, true, false);
	if (!p)
		return;
	odm_print_open_object(p, NULL);
	odm_print_string(p, "error", NULL, failure.msg);
	odm_print_u64(p, "errno", NULL, (unsigned int)failure.err);
	odm_print_close_object(p);
	odm_printer_free(p);
	failure.set = false;
}

int cli_open_maps(const struct cli_cmd *c, struct odm_maps *m)
{
	int err = odm_maps_open(m, c->pin_dir);

	if (err == -ENOENT)
		cli_errmsg(err, "odm is not loaded (nothing pinned in %s); start odmd first",
		       c->pin_dir);
	else if (err == -EPROTO)
		cli_errmsg(err, "the maps pinned in %s are another odm version's (this odm: %d); "
			   "restart odmd", c->pin_dir, ODM_MAPS_VERSION);
	else if (err)
		cli_errmsg(err, "cannot open the maps in %s: %s", c->pin_dir, strerror(-err));
	return err;
}

/* ---- prefix ------------------------------------------------------------------ */

struct list_ctx {
	const struct cli_cmd *cmd;
	struct odm_maps *maps;
	struct odm_printer *p;
	__u64 now;
};

static bool is_selected(struct odm_maps *m, const struct odm_prefix_key *key,
			const struct odm_prefix *val)
{
	struct odm_choice choice;
	__u32 type = val->type;

	if (bpf_map_lookup_elem(m->select, &type, &choice))
		return false;
	return choice.plen == key->prefixlen && !memcmp(&choice.prefix, &key->prefix, 16);
}

void cli_print_lifetime(struct odm_printer *p, const char *key, const char *fmt, __u32 lft)
{
	if (lft == 0xffffffff) {
		/* Not null: the lifetime exists, it is infinite (ip -j: 4294967295). */
		if (odm_printer_is_json(p))
			odm_print_u64(p, key, NULL, lft);
		else
			odm_print_string(p, key, fmt, "forever");
	} else {
		char buf[24];

		if (odm_printer_is_json(p)) {
			odm_print_u64(p, key, NULL, lft);
		} else {
			snprintf(buf, sizeof(buf), "%us", lft);
			odm_print_string(p, key, fmt, buf);
		}
	}
}

static int print_prefix(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct list_ctx *c = arg;
	char pbuf[ODM_PREFIX_STRLEN], abuf[INET6_ADDRSTRLEN], dev[IF_NAMESIZE] = "*";
	struct odm_use use;
	struct odm_tx tx;
	__u64 age_s = 0, addr_age_s = 0;

	if (c->cmd->has_type && val->type != c->cmd->type)
		return 0;
	if (val->ifindex)
		odm_ifname(val->ifindex, dev);
	if (c->cmd->dev && strcmp(c->cmd->dev, dev))
		return 0;
	odm_use_get(c->maps, val->addr.w, &use);
	odm_tx_get(c->maps, val->addr.w, &tx);
	if (val->state != ODM_PS_NOADDR && val->addr_since_ns && c->now > val->addr_since_ns)
		addr_age_s = (c->now - val->addr_since_ns) / 1000000000ull;
	if (val->state != ODM_PS_NOADDR && val->since_ns && c->now > val->since_ns)
		age_s = (c->now - val->since_ns) / 1000000000ull;

	odm_print_open_object(c->p, NULL);
	odm_print_string(c->p, "prefix", "%-28s ", odm_prefix_str(key, pbuf));
	odm_print_string(c->p, "type", "%-21s ", odm_type_name(val->type));
	odm_print_u64(c->p, "type_id", NULL, val->type);
	if (val->ifindex)
		odm_print_string(c->p, "dev", "%-10s ", dev);
	else
		odm_print_null(c->p, "dev", "%-10s ");	/* any interface */
	if (val->state == ODM_PS_NOADDR)
		odm_print_null(c->p, "address", "%-39s ");
	else
		odm_print_string(c->p, "address", "%-39s ", odm_addr_str(val->addr.w, abuf));
	odm_print_string(c->p, "state", "%-11s ", odm_pstate_name(val->state));
	odm_print_bool(c->p, "selected", "%-4s ", is_selected(c->maps, key, val));
	odm_print_string(c->p, "source", "%-7s ", odm_source_name(val->source));
	odm_print_u64(c->p, "sockets", "%7llu ", use.sockets);
	odm_print_u64(c->p, "assigned", NULL, use.assigned);
	odm_print_u64(c->p, "tx_bytes", "%10llu ", tx.bytes);
	odm_print_u64(c->p, "tx_packets", NULL, tx.packets);
	odm_print_u64(c->p, "addr_age_s", NULL, addr_age_s);
	odm_print_u64(c->p, "age_s", "%6llus ", age_s);
	if (val->state == ODM_PS_NOADDR) {
		odm_print_null(c->p, "valid_lft", "%s");
		odm_print_null(c->p, "preferred_lft", NULL);
	} else {
		cli_print_lifetime(c->p, "valid_lft", "%s", val->valid_lft);
		cli_print_lifetime(c->p, "preferred_lft", NULL, val->preferred_lft);
	}
	odm_print_close_object(c->p);
	odm_print_text(c->p, "\n");
	return 0;
}

static int prefix_list(const struct cli_cmd *cmd, struct odm_maps *m, struct odm_printer *p)
{
	struct list_ctx c = { .cmd = cmd, .maps = m, .p = p, .now = odm_boottime_ns() };
	int err;

	odm_print_text(p, "PREFIX                       TYPE                  DEV        "
		       "ADDRESS                                 STATE       SEL  SOURCE  SOCKETS   TX BYTES    AGE VALID\n");
	odm_print_open_array(p, NULL);
	err = odm_prefix_foreach(m, print_prefix, &c);
	odm_print_close_array(p);
	if (err)
		cli_errmsg(err, "cannot list prefixes: %s", strerror(-err));
	return err;
}

static int prefix_add(const struct cli_cmd *cmd, struct odm_maps *m)
{
	char buf[ODM_PREFIX_STRLEN];
	struct odm_prefix val = {
		.type = cmd->type,
		.state = ODM_PS_NOADDR,
		.source = ODM_SRC_CLI,
		.plen = (__u8)cmd->prefix.prefixlen,
		.valid_lft = 0xffffffff,
		.preferred_lft = 0xffffffff,
	};
	int err;

	if (cmd->dev) {
		val.ifindex = if_nametoindex(cmd->dev);
		if (!val.ifindex) {
			cli_errmsg(ENODEV, "no interface '%s'", cmd->dev);
			return -ENODEV;
		}
	}
	err = odm_maps_lock(m);
	if (err)
		return err;
	if (odm_prefix_get(m, &cmd->prefix, &(struct odm_prefix){ 0 }) == 0) {
		odm_maps_unlock(m);
		cli_errmsg(EEXIST, "prefix %s already exists (odm prefix del it first)",
		       odm_prefix_str(&cmd->prefix, buf));
		return -EEXIST;
	}
	err = odm_prefix_put(m, &cmd->prefix, &val);
	odm_maps_unlock(m);
	if (err) {
		cli_errmsg(err, "cannot add prefix %s: %s", odm_prefix_str(&cmd->prefix, buf),
		       err == -ENOSPC || err == -E2BIG ? "the prefix map is full" : strerror(-err));
		return err;
	}
	/* Finds the host's address in the new prefix and re-selects. */
	err = odm_sync_kernel(m);
	if (err < 0)
		cli_errmsg(err, "prefix added, but syncing with the kernel's addresses failed: %s",
		       strerror(-err));
	return err < 0 ? err : 0;
}

static int prefix_del(const struct cli_cmd *cmd, struct odm_maps *m)
{
	char buf[ODM_PREFIX_STRLEN];
	int err;

	err = odm_maps_lock(m);
	if (err)
		return err;
	err = odm_prefix_del(m, &cmd->prefix);
	if (!err)
		err = odm_select_recompute(m);
	odm_maps_unlock(m);
	if (err == -ENOENT)
		cli_errmsg(err, "no prefix %s", odm_prefix_str(&cmd->prefix, buf));
	else if (err)
		cli_errmsg(err, "cannot delete prefix %s: %s", odm_prefix_str(&cmd->prefix, buf),
		       strerror(-err));
	return err;
}

/* ---- policy ------------------------------------------------------------------ */

struct policy_ctx {
	struct odm_printer *p;
	__u64 attached;
};

/* "fixed,session-lasting" from an allow mask. */
static void allow_str(__u8 mask, char *buf, size_t len)
{
	unsigned int t;
	size_t used = 0;

	buf[0] = '\0';
	for (t = 1; t <= ODM_TYPE_MAX; t++)
		if (mask & (1u << t))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
						 used ? "," : "", odm_type_name(t));
}

static int print_policy(__u64 cgid, const struct odm_policy *pol, void *arg)
{
	struct policy_ctx *c = arg;
	char path[PATH_MAX], allow[128];
	unsigned int t;

	odm_print_open_object(c->p, NULL);
	if (odm_cgroup_path(cgid, path, sizeof(path)) == 0) {
		odm_print_string(c->p, "cgroup", "%-32s ", path);
	} else {
		odm_print_null(c->p, "cgroup", NULL);	/* the cgroup is gone: no path */
		odm_print_text(c->p, "(removed)                        ");
	}
	odm_print_u64(c->p, "cgroup_id", "%-10llu ", cgid);
	odm_print_string(c->p, "default_type", "%-21s ", odm_type_name(pol->default_type));
	if (!(pol->flags & ODM_POLF_ALLOW)) {
		odm_print_null(c->p, "allow", NULL);	/* every type */
		odm_print_text(c->p, "all                  ");
	} else if (odm_printer_is_json(c->p)) {
		odm_print_open_array(c->p, "allow");
		for (t = 1; t <= ODM_TYPE_MAX; t++)
			if (pol->allow_mask & (1u << t))
				odm_print_string(c->p, NULL, NULL, odm_type_name(t));
		odm_print_close_array(c->p);
	} else {
		allow_str(pol->allow_mask, allow, sizeof(allow));
		odm_print_string(c->p, "allow", "%-20s ", allow);
	}
	odm_print_bool(c->p, "on_net", "%-6s ", !(pol->flags & ODM_POLF_NO_ON_NET));
	odm_print_u64(c->p, "net_per_min", "%-6llu ", pol->net_per_min);
	odm_print_u64(c->p, "max_held", "%-8llu ", pol->max_held);
	odm_print_bool(c->p, "upgrade", "%s", pol->flags & ODM_POLF_UPGRADE);
	odm_print_close_object(c->p);
	odm_print_text(c->p, "\n");
	return 0;
}

static void print_attached(struct odm_printer *p, struct odm_maps *m)
{
	struct odm_info info;
	char path[PATH_MAX];

	if (odm_info_get(m, &info) || !info.cgroup_id) {
		odm_print_null(p, "attached_cgroup", "attached to: (unknown)\n");
		return;
	}
	if (odm_cgroup_path(info.cgroup_id, path, sizeof(path)) == 0) {
		odm_print_string(p, "attached_cgroup", "attached to: %s\n", path);
		return;
	}
	odm_print_null(p, "attached_cgroup", NULL);	/* removed since: no path */
	odm_print_u64(p, "attached_cgroup_id", "attached to: (removed, id %llu)\n",
		      info.cgroup_id);
}

static int policy_show(struct odm_maps *m, struct odm_printer *p)
{
	struct policy_ctx c = { .p = p };

	odm_print_open_object(p, NULL);
	print_attached(p, m);
	odm_print_text(p, "CGROUP                           ID         DEFAULT               "
		       "ALLOW                ON-NET RATE   MAX-HELD UPGRADE\n");
	odm_print_open_array(p, "policies");
	odm_policy_foreach(m, print_policy, &c);
	odm_print_close_array(p);
	odm_print_close_object(p);
	return 0;
}

static int policy_change(const struct cli_cmd *cmd, struct odm_maps *m)
{
	struct odm_policy pol = { 0 };
	char path[PATH_MAX];
	__u64 cgid;
	int err;

	err = odm_cgroup_resolve(cmd->cgroup, path, sizeof(path));
	if (!err)
		err = odm_cgroup_id(path, &cgid);
	if (err) {
		cli_errmsg(err, "no cgroup v2 directory '%s': %s", cmd->cgroup,
		       err == -ENOTDIR ? "not on a cgroup v2 mount" : strerror(-err));
		return err;
	}
	err = odm_maps_lock(m);
	if (err)
		return err;
	if (cmd->verb == VERB_SET && cmd->pol_kws == 1u << ODM_PKW_DEFAULT) {
		/* "default none" alone may leave nothing to say: no policy. */
		err = odm_policy_set_default(m, cgid, cmd->pol.default_type);
	} else if (cmd->verb == VERB_SET) {
		/*
		 * The fields the command names, over what the cgroup had.  Kept
		 * even if it equals "no restriction": a child's "allow all"
		 * must override its parent.
		 */
		bpf_map_lookup_elem(m->policy, &cgid, &pol);	/* absent: all zero */
		odm_policy_kw_copy(cmd->pol_kws, &pol, &cmd->pol);
		err = odm_policy_set(m, cgid, &pol);
	} else {
		err = odm_policy_del(m, cgid);
	}
	odm_maps_unlock(m);
	if (err == -ENOENT)
		cli_errmsg(err, "cgroup %s has no policy", cmd->cgroup);
	else if (err)
		cli_errmsg(err, "cannot change the policy of %s: %s", cmd->cgroup, strerror(-err));
	return err;
}

/* ---- stats -------------------------------------------------------------------- */

static int stats_show(struct odm_maps *m, struct odm_printer *p)
{
	__u64 cnt[ODM_STAT_MAX];
	char fmt[32];
	unsigned int i;
	int err;

	err = odm_stats_read(m, cnt);
	if (err) {
		cli_errmsg(err, "cannot read the counters: %s", strerror(-err));
		return err;
	}
	odm_print_open_object(p, NULL);
	print_attached(p, m);
	odm_print_open_object(p, "counters");
	for (i = 0; i < ODM_STAT_MAX; i++) {
		snprintf(fmt, sizeof(fmt), "%-24s %%llu\n", odm_stat_name(i));
		odm_print_u64(p, odm_stat_name(i), fmt, cnt[i]);
	}
	odm_print_close_object(p);
	odm_print_close_object(p);
	return 0;
}

/* Prefixes by type and state, for the odm_prefixes gauge. */
struct prefix_count {
	unsigned int n[ODM_TYPE_MAX + 1][ODM_PS_DEPRECATED + 1];
};

static int count_prefix(const struct odm_prefix_key *key, const struct odm_prefix *val, void *arg)
{
	struct prefix_count *pc = arg;

	if (val->type <= ODM_TYPE_MAX && val->state <= ODM_PS_DEPRECATED)
		pc->n[val->type][val->state]++;
	return 0;
}

/*
 * The Prometheus text exposition format, for node_exporter's textfile
 * collector (odm stats -o prometheus > /var/lib/prometheus/node-exporter/
 * odm.prom.$$ && mv ...): every counter as odm_NAME_total, with # HELP and
 * # TYPE lines; the prefixes odm holds as a gauge by type and state.
 */
static int stats_prometheus(struct odm_maps *m)
{
	struct prefix_count pc = { 0 };
	__u64 cnt[ODM_STAT_MAX];
	unsigned int i, t, st;
	int err;

	err = odm_stats_read(m, cnt);
	if (!err)
		err = odm_prefix_foreach(m, count_prefix, &pc);
	if (err) {
		cli_errmsg(err, "cannot read the counters: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < ODM_STAT_MAX; i++) {
		printf("# HELP odm_%s_total %s\n", odm_stat_name(i), odm_stat_help(i));
		printf("# TYPE odm_%s_total counter\n", odm_stat_name(i));
		printf("odm_%s_total %llu\n", odm_stat_name(i), (unsigned long long)cnt[i]);
	}
	printf("# HELP odm_prefixes Typed prefixes in odm_prefixes, by type and state\n");
	printf("# TYPE odm_prefixes gauge\n");
	for (t = ODM_TYPE_FIXED; t <= ODM_TYPE_MAX; t++)
		for (st = 0; st <= ODM_PS_DEPRECATED; st++)
			printf("odm_prefixes{type=\"%s\",state=\"%s\"} %u\n", odm_type_name(t),
			       odm_pstate_name(st), pc.n[t][st]);
	return 0;
}

/* ---- request ----------------------------------------------------------------- */

static const char *result_name(__u32 r)
{
	switch (r) {
	case ODM_R_OK: return "ok";
	case ODM_R_NOT_OFFERED: return "not-offered";
	case ODM_R_FAILED: return "failed";
	case ODM_R_DENIED: return "denied";
	default: return "invalid";
	}
}

/* Ask odmd for a prefix of a type, as setsc() does when none is configured. */
static int request(const struct cli_cmd *cmd, struct odm_printer *p)
{
	struct pollfd pfd = { .events = POLLIN };
	char abuf[INET6_ADDRSTRLEN], pbuf[ODM_PREFIX_STRLEN];
	struct odm_prefix_key key = { 0 };
	struct odm_msg_resp resp;
	struct odm_msg_req req;
	int tries;
	ssize_t n;

	/* odmd's backlog full: try again for as long as setsc() would, never
	 * block in connect() (odmd may be stopped). */
	for (tries = 0; (pfd.fd = odm_proto_connect(SOCK_NONBLOCK)) == -EAGAIN &&
			tries < ODM_SETSC_TIMEOUT_MS / 10; tries++)
		usleep(10 * 1000);
	if (pfd.fd < 0) {
		cli_errmsg(pfd.fd, "odmd is not serving requests in this network namespace: %s",
		       strerror(-pfd.fd));
		return pfd.fd;
	}
	odm_msg_req_init(&req, cmd->type, cmd->on_net ? ODM_REQF_ON_NET : 0);
	if (send(pfd.fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) ||
	    poll(&pfd, 1, ODM_SETSC_TIMEOUT_MS) != 1 ||
	    (n = recv(pfd.fd, &resp, sizeof(resp), 0)) <= 0 ||
	    odm_msg_resp_check(&resp, (size_t)n)) {
		cli_errmsg(EIO, "no valid answer from odmd");
		close(pfd.fd);
		return -EIO;
	}
	close(pfd.fd);
	if (resp.result != ODM_R_OK) {
		cli_errmsg(ENOENT, "%s%s: %s", odm_type_name(cmd->type), cmd->on_net ? " on-net" : "",
		       resp.result == ODM_R_NOT_OFFERED ? "the network does not offer this type" :
		       resp.result == ODM_R_DENIED ? "not allowed" :
		       "the network could not grant it now");
		return -ENOENT;
	}
	key.prefixlen = resp.plen;
	memcpy(&key.prefix, resp.prefix, sizeof(key.prefix));
	odm_print_open_object(p, NULL);
	odm_print_string(p, "type", "%s ", odm_type_name(resp.type));
	odm_print_string(p, "result", NULL, result_name(resp.result));
	odm_print_string(p, "address", "%s ", odm_addr_str(resp.addr, abuf));
	odm_print_string(p, "prefix", "from %s ", odm_prefix_str(&key, pbuf));
	cli_print_lifetime(p, "valid_lft", "valid %s ", resp.valid_lft);
	cli_print_lifetime(p, "preferred_lft", "preferred %s", resp.preferred_lft);
	odm_print_close_object(p);
	odm_print_text(p, "\n");
	return 0;
}

/* ---- main ---------------------------------------------------------------------- */

static int run_maps(const struct cli_cmd *cmd, struct odm_printer *p)
{
	struct odm_maps m;
	int err;

	err = cli_open_maps(cmd, &m);
	if (err)
		return err;
	switch (cmd->object) {
	case OBJ_PREFIX:
		if (cmd->verb == VERB_LIST)
			err = prefix_list(cmd, &m, p);
		else if (cmd->verb == VERB_ADD)
			err = prefix_add(cmd, &m);
		else
			err = prefix_del(cmd, &m);
		break;
	case OBJ_POLICY:
		err = cmd->verb == VERB_LIST ? policy_show(&m, p) : policy_change(cmd, &m);
		break;
	case OBJ_STATS:
		err = cmd->prometheus ? stats_prometheus(&m) : stats_show(&m, p);
		break;
	default:
		err = -EINVAL;
		break;
	}
	odm_maps_close(&m);
	return err;
}

/*
 * Run a command that prints one document.  With -j the document goes to
 * memory first and reaches stdout only when the command succeeded: a
 * failure prints the error object instead, never both.
 */
static int run(const struct cli_cmd *cmd)
{
	struct odm_printer *p;
	char *doc = NULL;
	size_t len = 0;
	FILE *out = stdout;
	int err;

	if (cmd->json) {
		out = open_memstream(&doc, &len);
		if (!out) {
			cli_errmsg(errno, "out of memory");
			return CLI_ERROR;
		}
	}
	p = odm_printer_new(out, cmd->json, cmd->pretty);
	if (!p) {
		cli_errmsg(ENOMEM, "out of memory");
		if (out != stdout)
			fclose(out);
		free(doc);
		return CLI_ERROR;
	}
	err = cmd->object == OBJ_REQUEST ? request(cmd, p) : run_maps(cmd, p);
	if (odm_printer_free(p) && !err) {
		err = -EIO;
		cli_errmsg(err, "cannot write the output: %s", strerror(EIO));
	}
	if (out != stdout) {
		if (fclose(out) && !err) {
			err = -ENOMEM;
			cli_errmsg(err, "out of memory");
		}
		if (!err)
			fwrite(doc, 1, len, stdout);
		free(doc);
	}
	if (fflush(stdout) && !err)
		err = -EIO;
	return err ? CLI_ERROR : CLI_OK;
}

int main(int argc, char **argv)
{
	struct cli_cmd cmd;
	char err[256];
	int ret;

	ret = cli_parse(argc, argv, &cmd, err, sizeof(err));
	failure.json = cmd.json;	/* as far as the options were read */
	if (ret) {
		cli_errmsg(EINVAL, "%s", err);
		print_failure();
		return ret;
	}
	switch (cmd.object) {
	case OBJ_HELP:
		cli_usage(stdout);
		return CLI_OK;
	case OBJ_VERSION:
		printf("odm %s (abi %d)\n", ODM_VERSION, ODM_MAPS_VERSION);
		return CLI_OK;
	case OBJ_EXEC:
		ret = cli_exec(&cmd);
		break;
	case OBJ_MONITOR:
		ret = cli_monitor(&cmd);
		break;
	default:
		ret = run(&cmd);
		break;
	}
	print_failure();
	return ret;
}
