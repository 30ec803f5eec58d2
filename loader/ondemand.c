// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ondemand.c - RFC 8653 section 3.4 in odmd: "when an application requires
 * a specific type of IP address and such an address is not already
 * configured on the host, the IP stack SHALL attempt to configure one ...
 * by issuing a request to the network".
 *
 *   setsc() --(AF_UNIX, /run/odm)--> odmd: who asks?  (SO_PEERCRED, cgroup)
 *     type configured and no ON_NET  -> answer with it at once
 *     otherwise                      -> DHCPv6 PD for the type on the first
 *                                       network offering it whose link is up
 *                                       (shared by all concurrent requests of
 *                                       the type)
 *   lease -> host address (random or RFC 7217 interface identifier, /128, no
 *            DAD: the prefix is delegated to this host alone) -> odm_prefixes ->
 *            odm_select -> answer every waiting request.
 *
 * Every second (tick()): a Fixed or Session-lasting lease keeps its host
 * address, recorded in the lease file, and gets it back when it vanished
 * (a link flap flushes it); a Session-lasting one no socket used for
 * --sl-linger seconds is released.
 *
 * Networks (struct net): one DHCPv6 client per interface, each asked for
 * the types configured for it.  Link events (RTM_NEWLINK, RTM_DELLINK) are
 * followed on a socket of our own: a link back up rebinds its leases
 * (RFC 8415 18.2.12), a link gone has its leases withdrawn and its waiting
 * requests sent to another network.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <linux/if_addr.h>

#include <bpf/bpf.h>

#include "ondemand.h"
#include "log.h"
#include "dhcp6.h"
#include "proto.h"

/*
 * Client slots.  A peer is checked when odmd accepts it, before it takes a
 * slot: one that may not ask is dropped at once, so connections from
 * outside odm's cgroup cost odmd a moment and hold nothing.  Of the rest
 * no uid may hold more than CLIENTS_PER_UID slots (WATCHERS_PER_UID of them
 * watchers), and ROOT_RESERVE slots are root's alone (the operator's `odm
 * request` works while applications fill the table).  A connection that
 * has not sent its request CLIENT_IDLE_MS after it was accepted is closed:
 * libodm sends its request right after connect(), so only a slow or
 * hostile client is that late.
 */
#define MAX_CLIENTS		256
#define ROOT_RESERVE		16
#define CLIENTS_PER_UID		32
#define WATCHERS_PER_UID	8
#define CLIENT_IDLE_MS		1000
/* How long a request waits on a Rebind under way before it solicits
 * (RFC 8415 SOL_TIMEOUT: what a Solicit of its own would wait first). */
#define JOIN_MS			1000
/* Connections accepted in one pass of the event loop: a connect flood must
 * not keep odmd from answering the requests it already has. */
#define ACCEPT_BATCH		64
/* A request odmd has not answered this long after DHCPv6 should have
 * given up is answered FAILED anyway: no caller waits forever. */
#define CLIENT_GRACE_MS	1000

struct client {
	int fd;			/* -1: free slot */
	uid_t uid;		/* SO_PEERCRED at accept */
	char *cg;		/* its cgroup v2 path at accept (NULL: root) */
	__u64 pol_cgid;		/* the cgroup whose policy it answers to: what its
				 * requests and prefixes count against */
	bool waiting;		/* for a network exchange of req.type */
	int net;		/* waiting: on that network (index in nets) */
	bool watcher;		/* receives odm_msg_event until it hangs up */
	bool monitor;		/* a watcher that gets odm_msg_notice instead */
	struct odm_msg_req req;
	__u64 deadline_ms;	/* answer by then (waiting), or send a request by
				 * then (neither waiting nor a watcher) */
};

/* Network requests of one cgroup in the current minute (policy net_per_min). */
struct rate {
	__u64 cgid;		/* 0: free */
	__u64 window_ms;	/* start of the minute */
	unsigned int count;
	bool logged;		/* "rate limited" said once per minute */
};

/* A Fixed or Session-lasting prefix obtained for a cgroup (policy max_held). */
struct held {
	__u64 cgid;		/* 0: free */
	struct odm_prefix_key key;
};

#define MAX_RATED	64
#define MAX_HELD	256
#define MAX_KEPT	1024
#define TICK_MS		1000

/* What odmd follows of one delegated prefix between ticks. */
struct kept {
	struct odm_prefix_key key;	/* prefixlen 0: free */
	__u64 idle_since_ms;		/* Session-lasting: no socket since; 0: in use */
	bool readd_failed;		/* re-adding its address failed: said once */
	bool seen;			/* its lease was bound at this tick */
};

/* A network odmd asks for prefixes: one DHCPv6 client on one interface. */
struct net {
	struct odm_ondemand *d;
	unsigned int ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int types;		/* bits 1 << type it is asked for */
	struct odm_dhcp6 *dhcp6;	/* NULL: its interface is gone */
	bool up;			/* IFF_UP and IFF_RUNNING */
	__u32 carrier_ups;		/* the link's IFLA_CARRIER_UP_COUNT when last told */
	bool carrier_known;		/* carrier_ups was told */
	/* Where the type's waiting requests stand: an exchange of their own
	 * under way (SOLICITING), or waiting on a lease of the type that is
	 * being rebound, until join_until_ms (JOINED). */
	enum { EX_IDLE, EX_JOINED, EX_SOLICITING } ex[ODM_TYPE_MAX + 1];
	__u64 join_until_ms[ODM_TYPE_MAX + 1];
	/* It granted the type before (this run or a restored lease):
	 * NoPrefixAvail now means exhausted, not "not offered". */
	bool granted[ODM_TYPE_MAX + 1];
};

struct odm_ondemand {
	struct odm_ondemand_opts o;
	char cgroup[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* the socket */
	int lfd;
	int link_fd;			/* link events; -1 without networks */
	struct net nets[ODM_MAX_NETS];	/* in order of preference */
	unsigned int nnets;
	struct client clients[MAX_CLIENTS];
	struct rate rates[MAX_RATED];
	struct held held[MAX_HELD];
	struct kept kept[MAX_KEPT];
	__u64 next_tick_ms;
	unsigned int refused_peers;	/* connections refused since the last log */
	__u64 refused_log_ms;
	bool no_pidfd_logged;
};


static __u64 now_ms(void)
{
	return odm_boottime_ns() / 1000000;
}

/* ---- answering ---- */

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->cg);
	*c = (struct client){ .fd = -1, .net = -1 };
}

static void answer(struct client *c, __u32 result, const struct odm_prefix_key *key,
		   const struct odm_prefix *val)
{
	struct odm_msg_resp resp;

	odm_msg_resp_init(&resp, &c->req, result);
	if (result == ODM_R_OK && key && val) {
		memcpy(resp.addr, &val->addr, sizeof(resp.addr));
		memcpy(resp.prefix, &key->prefix, sizeof(resp.prefix));
		resp.plen = (__u8)key->prefixlen;
		resp.valid_lft = val->valid_lft;
		resp.preferred_lft = val->preferred_lft;
	}
	/* The peer may be gone; SEQPACKET: all or nothing. */
	send(c->fd, &resp, sizeof(resp), MSG_NOSIGNAL | MSG_DONTWAIT);
	client_close(c);
}

/*
 * One message to every subscriber of a kind: the monitors (odm monitor),
 * or the other watchers (setsc_watch).  A subscriber too slow to read
 * loses its subscription, never odmd's time.
 */
static void broadcast(struct odm_ondemand *d, bool monitors, const void *msg, size_t len)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->clients[i];

		if (c->fd >= 0 && c->watcher && c->monitor == monitors &&
		    send(c->fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
			client_close(c);
	}
}

/* Tell every monitor what only odmd saw. */
static void notify(struct odm_ondemand *d, const struct odm_msg_notice *nt)
{
	broadcast(d, true, nt, sizeof(*nt));
}

/* A notice about one lease on network n (ifindex, prefix, lifetimes);
 * addr: the host address configured in it (NULL: the lease's record). */
static void notify_lease(struct net *n, __u16 kind, const struct odm_lease *l, __u32 reason,
			 const __u32 *addr)
{
	struct odm_msg_notice nt;

	odm_msg_notice_init(&nt, kind, l->type);
	nt.ifindex = n->ifindex;
	nt.reason = reason;
	if (kind != ODM_N_LEASE_FAILED) {
		nt.plen = l->plen;
		memcpy(nt.prefix, l->prefix, sizeof(nt.prefix));
		memcpy(nt.addr, addr ? addr : l->addr, sizeof(nt.addr));
		nt.valid_lft = l->valid_lft;
		nt.preferred_lft = l->preferred_lft;
	}
	notify(n->d, &nt);
}

/* Give a lease back to the server, and say so to the monitors. */
static void give_back(struct net *n, const struct odm_lease *l)
{
	if (odm_dhcp6_release(n->dhcp6, l->iaid) == 0)
		notify_lease(n, ODM_N_LEASE_RELEASED, l, ODM_NR_NONE, NULL);
}

static bool waits_on(const struct client *c, const struct net *n, __u8 type)
{
	return c->fd >= 0 && c->waiting && c->req.type == type && c->net == n - n->d->nets;
}

/* Answer everyone waiting for type on network n. */
static void answer_waiting(struct net *n, __u8 type, __u32 result,
			   const struct odm_prefix_key *key, const struct odm_prefix *val)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (waits_on(&n->d->clients[i], n, type))
			answer(&n->d->clients[i], result, key, val);
}

/* Start acquiring a prefix of type for the requests waiting on n. */
static void solicit(struct net *n, __u8 type)
{
	int iaid = odm_dhcp6_acquire(n->dhcp6, type);

	if (iaid < 0) {
		logmsg("dhcpv6: %s: cannot start an exchange: %s", n->ifname, strerror(-iaid));
		n->ex[type] = EX_IDLE;
		answer_waiting(n, type, ODM_R_FAILED, NULL, NULL);
		return;
	}
	n->ex[type] = EX_SOLICITING;
}

static bool anyone_waits(struct net *n, __u8 type)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (waits_on(&n->d->clients[i], n, type))
			return true;
	return false;
}

/*
 * The Rebind the requests of type joined has ended without a prefix for
 * them, or is taking too long: they solicit one.
 */
static void join_over(struct net *n, __u8 type)
{
	n->ex[type] = EX_IDLE;
	if (anyone_waits(n, type))
		solicit(n, type);
}

/* Whom a prefix obtained for coalesced requests counts against: the first. */
static __u64 first_waiting_cgroup(struct net *n, __u8 type)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (waits_on(&n->d->clients[i], n, type) && n->d->clients[i].pol_cgid)
			return n->d->clients[i].pol_cgid;
	return 0;
}

/* The address currently handed out for type, as a prefix entry. */
static bool current_choice(struct odm_ondemand *d, __u8 type, struct odm_prefix_key *key,
			   struct odm_prefix *val)
{
	struct odm_choice ch;
	__u32 t = type;

	if (bpf_map_lookup_elem(d->o.maps->select, &t, &ch))
		return false;
	key->prefixlen = ch.plen;
	key->prefix = ch.prefix;
	return odm_prefix_get(d->o.maps, key, val) == 0 && val->state == ODM_PS_VALID;
}

/* ---- who may ask ---- */

/* The cgroup v2 path of pid ("0::/a/b" in /proc/PID/cgroup). */
static int pid_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], line[PATH_MAX];
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			if ((size_t)snprintf(buf, len, "%s", line + 3) < len)
				err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* A pidfd of the peer process itself, whoever holds its pid now (Linux
 * 6.5); -ENOPROTOOPT where the kernel has none to give. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

static int peer_pidfd(int fd)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		return -errno;
	return pidfd;
}

static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

/*
 * Who asks: root may always ask (the operator's `odm request`); anyone else
 * must be in odm's cgroup or below it, where the BPF programs apply: an app
 * that odm does not serve must not make the host acquire prefixes (RFC 8653
 * section 7: costly types, exhaustion).  Fills c->cg (NULL for root) from
 * uc, the peer's SO_PEERCRED.
 *
 * The cgroup comes from /proc/PID, and a pid outlives nothing: once the
 * peer exits, its pid may be another process's, one inside the cgroup.  So
 * the pidfd of the peer itself is taken first, /proc/PID read, and the
 * pidfd's process checked alive after: then PID was the peer's all along.
 * A peer already gone is refused.  Kernels before 6.5 have no
 * SO_PEERPIDFD; there the check is as good as /proc/PID alone (logged once).
 */
static bool peer_allowed(struct odm_ondemand *d, int fd, const struct ucred *uc,
			 struct client *c)
{
	char cg[PATH_MAX];
	size_t n = strlen(d->cgroup);
	int pidfd;
	bool ok;

	if (uc->uid == 0)
		return true;
	pidfd = peer_pidfd(fd);
	if (pidfd == -ENOPROTOOPT) {
		if (!d->no_pidfd_logged)
			log_warn("this kernel has no SO_PEERPIDFD: a requester's cgroup is read "
				 "by pid, which a process that exits hands on");
		d->no_pidfd_logged = true;
	} else if (pidfd < 0) {
		return false;		/* the peer is gone, its pid anyone's */
	}
	ok = pid_cgroup(uc->pid, cg, sizeof(cg)) == 0 &&
	     (!strcmp(d->cgroup, "/") ||
	      (strncmp(cg, d->cgroup, n) == 0 && (cg[n] == '\0' || cg[n] == '/')));
	if (pidfd >= 0) {
		ok = ok && pidfd_alive(pidfd);
		close(pidfd);
	}
	if (!ok)
		return false;
	c->cg = strdup(cg);
	return c->cg != NULL;
}

/* A free slot for a peer of uid, or NULL: the table is full for it. */
static struct client *free_slot(struct odm_ondemand *d, uid_t uid)
{
	struct client *slot = NULL;
	int i, used = 0, mine = 0;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->clients[i];

		if (c->fd < 0) {
			if (!slot)
				slot = c;
			continue;
		}
		used++;
		mine += c->uid == uid;
	}
	if (uid && (mine >= CLIENTS_PER_UID || used >= MAX_CLIENTS - ROOT_RESERVE))
		return NULL;
	return slot;
}

/* Whether every slot is taken (root has none left): odmd then leaves new
 * peers in its backlog. */
static bool table_full(struct odm_ondemand *d)
{
	return !free_slot(d, 0);
}

static int watchers_of(struct odm_ondemand *d, uid_t uid)
{
	int i, n = 0;

	for (i = 0; i < MAX_CLIENTS; i++)
		n += d->clients[i].fd >= 0 && d->clients[i].watcher && d->clients[i].uid == uid;
	return n;
}

/* The policy of the deepest ancestor of cg (a cgroup2 path) that has one,
 * as the BPF programs find it; *pol_cgid gets that ancestor's id. */
static bool peer_policy(struct odm_ondemand *d, const char *cg, struct odm_policy *pol,
			__u64 *pol_cgid)
{
	char root[PATH_MAX], path[PATH_MAX * 2], *slash;
	size_t rl;
	__u64 id;

	if (odm_cgroup2_root(root, sizeof(root)))
		return false;
	rl = strlen(root);
	snprintf(path, sizeof(path), "%s%s", root, cg);
	for (;;) {
		if (odm_cgroup_id(path, &id) == 0 &&
		    bpf_map_lookup_elem(d->o.maps->policy, &id, pol) == 0) {
			*pol_cgid = id;
			return true;
		}
		slash = strrchr(path + rl, '/');
		if (!slash)
			return false;
		if (slash == path + rl) {
			if (path[rl + 1] == '\0')
				return false;	/* the root itself was just tried */
			path[rl + 1] = '\0';	/* try the root */
		} else {
			*slash = '\0';
		}
	}
}

static bool rate_exceeded(struct odm_ondemand *d, __u64 cgid, unsigned int per_min)
{
	__u64 now = now_ms();
	struct rate *r = NULL, *free_slot = NULL;
	int i;

	for (i = 0; i < MAX_RATED; i++) {
		if (d->rates[i].cgid == cgid)
			r = &d->rates[i];
		else if (!free_slot && (!d->rates[i].cgid || now - d->rates[i].window_ms >= 60000))
			free_slot = &d->rates[i];
	}
	if (!r) {
		r = free_slot ? free_slot : &d->rates[0];
		*r = (struct rate){ .cgid = cgid, .window_ms = now };
	}
	if (now - r->window_ms >= 60000)
		*r = (struct rate){ .cgid = cgid, .window_ms = now };
	if (r->count >= per_min) {
		if (!r->logged)
			log_warn("cgroup %llu: more than %u network requests a minute, refused "
				 "until the minute is over", (unsigned long long)cgid, per_min);
		r->logged = true;
		return true;
	}
	r->count++;
	return false;
}

static unsigned int held_by(struct odm_ondemand *d, __u64 cgid)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < MAX_HELD; i++)
		n += d->held[i].cgid == cgid;
	return n;
}

static void held_add(struct odm_ondemand *d, __u64 cgid, const struct odm_prefix_key *key)
{
	int i;

	for (i = 0; cgid && i < MAX_HELD; i++) {
		if (!d->held[i].cgid) {
			d->held[i] = (struct held){ .cgid = cgid, .key = *key };
			return;
		}
	}
}

static void held_drop(struct odm_ondemand *d, const struct odm_prefix_key *key)
{
	int i;

	for (i = 0; i < MAX_HELD; i++)
		if (d->held[i].cgid && !memcmp(&d->held[i].key, key, sizeof(*key)))
			d->held[i].cgid = 0;
}

/* A network request refused by policy or quota: counted, and told to
 * monitors; result is the answer. */
static __u32 deny(struct odm_ondemand *d, struct client *c, unsigned int stat, __u32 reason,
		  __u32 result)
{
	struct odm_msg_notice nt;

	odm_stats_add(d->o.maps, stat, 1);
	odm_msg_notice_init(&nt, ODM_N_DENIED, c->req.type);
	nt.reason = reason;
	nt.cgroup_id = c->pol_cgid;
	notify(d, &nt);
	return result;
}

/*
 * Policy and quotas for a request that needs the network, checked again
 * here because a process can talk to odmd without going through BPF.
 * ODM_R_OK to go on, else the answer.
 */
static __u32 admit(struct odm_ondemand *d, struct client *c, bool on_net)
{
	struct odm_policy pol = { 0 };
	__u8 type = c->req.type;
	unsigned int max_held, per_min;

	if (c->uid == 0)
		return ODM_R_OK;		/* root: the operator is not limited */
	/*
	 * Quotas count against the cgroup whose policy matched, not the
	 * requester's own: else every child cgroup (systemd's Delegate=yes
	 * makes them at will) would get a fresh budget.  With no policy over
	 * it, against odm's cgroup, under odmd's default limits.
	 */
	if (!peer_policy(d, c->cg, &pol, &c->pol_cgid))
		c->pol_cgid = d->o.cgroup_id;
	if (((pol.flags & ODM_POLF_ALLOW) && !(pol.allow_mask & (1u << type))) ||
	    (on_net && (pol.flags & ODM_POLF_NO_ON_NET)))
		return deny(d, c, ODM_STAT_NET_DENIED, ODM_NR_POLICY, ODM_R_DENIED);
	/* Section 7 (exhaustion): a safe default the operator may raise. */
	max_held = pol.max_held ? pol.max_held : d->o.net_max_held;
	per_min = pol.net_per_min ? pol.net_per_min : d->o.net_per_min;
	if ((type == ODM_TYPE_FIXED || type == ODM_TYPE_SESSION_LASTING) && max_held &&
	    held_by(d, c->pol_cgid) >= max_held)
		return deny(d, c, ODM_STAT_NET_QUOTA, ODM_NR_QUOTA, ODM_R_FAILED);
	if (per_min && rate_exceeded(d, c->pol_cgid, per_min))
		return deny(d, c, ODM_STAT_NET_RATE, ODM_NR_RATE, ODM_R_FAILED);
	return ODM_R_OK;
}

/* ---- leases -> addresses -> maps ---- */

struct find_ctx {
	const struct odm_prefix_key *key;
	unsigned int ifindex;
	const __u32 *want;	/* this one if the interface has it usable; NULL: any */
	bool found;
	__u32 addr[4];
};

static int find_addr_cb(const struct odm_kaddr *ka, void *arg)
{
	struct find_ctx *f = arg;

	if (ka->ifindex != f->ifindex || !odm_kaddr_usable(ka) ||
	    !odm_prefix_contains(f->key, ka->addr))
		return 0;
	if (!f->found || (f->want && !memcmp(ka->addr, f->want, sizeof(f->addr)))) {
		memcpy(f->addr, ka->addr, sizeof(f->addr));
		f->found = true;
	}
	return 0;
}

/*
 * Fixed and Session-lasting promise an address that lasts (RFC 8653
 * sections 3.3, 3.4): across odmd restarts, reboots and link flaps the
 * host address of such a lease is the one recorded with it, not a new
 * identifier.  The other types take whatever address the prefix has.
 */
static bool keeps_addr(__u8 type)
{
	return type == ODM_TYPE_FIXED || type == ODM_TYPE_SESSION_LASTING;
}

static int overlap_cb(const struct odm_prefix_key *k, const struct odm_prefix *v, void *ctx)
{
	(void)v;
	return odm_prefix_overlap(k, ctx) ? -EEXIST : 0;
}

#define TAKEN_WHY "overlaps a prefix or address the host has"
/* RFC 8653 5.1, 5.3: a network that does not know the option must not
 * have its prefixes passed off as typed ones. */
#define UNTYPED_WHY "no continuity option: the network does not type it"

/*
 * Section 7: may a prefix from the network become a new typed prefix?
 * Not when it equals, covers or lies inside one already typed, whatever
 * its source, nor when the interface already has an address in it: else
 * a server could retype the operator's Fixed prefix, or take one over and
 * later withdraw it.  f (key and ifindex set) gets the interface's address
 * search.  0, -EEXIST (TAKEN_WHY), or another -errno.
 */
static int taken(struct odm_ondemand *d, const struct odm_prefix_key *key, struct find_ctx *f)
{
	int err;

	err = odm_prefix_foreach(d->o.maps, overlap_cb, (void *)key);
	if (err)
		return err;
	err = odm_nl_dump_addrs(find_addr_cb, f);
	if (err)
		return err;
	return f->found ? -EEXIST : 0;
}

/* odm_dhcp6_opts.accept: skip offers taken() refuses (errors refuse too). */
static bool accept_offer(void *ctx, const __u32 prefix[4], __u8 plen)
{
	struct net *n = ctx;
	struct odm_prefix_key key = { .prefixlen = plen };
	struct find_ctx f = { .key = &key, .ifindex = n->ifindex };

	memcpy(&key.prefix, prefix, sizeof(key.prefix));
	return taken(n->d, &key, &f) == 0;
}

/*
 * Put a lease on the host: find or create its address, record the prefix
 * (source DHCPv6), re-sync, and return the published entry.  A fresh
 * lease that taken() refuses gives -EEXIST, and nothing is changed: the
 * check at Advertise time may be stale by the Reply.
 */
static int publish_lease(struct net *n, const struct odm_lease *l,
			 struct odm_prefix_key *key, struct odm_prefix *val, bool fresh)
{
	bool kept = keeps_addr(l->type) && !odm_addr_is_zero(l->addr);
	struct find_ctx f = { .key = key, .ifindex = n->ifindex,
			      .want = kept ? l->addr : NULL };
	struct odm_ondemand *d = n->d;
	struct odm_prefix nv = { 0 };
	int err;

	memset(key, 0, sizeof(*key));
	key->prefixlen = l->plen;
	odm_prefix_mask(key->prefix.w, l->prefix, l->plen);
	/* One address search either way: taken() leaves its result in f.
	 * The recorded address first; another usable one in the prefix
	 * (a lifetime renewal made it) is kept too, and recorded below. */
	err = fresh ? taken(d, key, &f) : odm_nl_dump_addrs(find_addr_cb, &f);
	if (err)
		return err;
	if (!f.found && kept) {
		/* Gone with a reboot or a link flap: the same address again. */
		memcpy(f.addr, l->addr, sizeof(f.addr));
	} else if (!f.found) {
		/* RFC 7217's first identifier, or a random one (--iid). */
		err = odm_host_addr(f.addr, key, n->ifindex, d->o.iid, 0);
		if (err)
			return err;
	}
	/* Adds, or refreshes the lifetimes of the one already there. */
	err = odm_nl_addr_set(true, n->ifindex, f.addr, 128, l->valid_lft,
			      l->preferred_lft, IFA_F_NODAD);
	if (err)
		return err;

	err = odm_maps_lock(d->o.maps);
	if (err)
		return err;
	if (odm_prefix_get(d->o.maps, key, &nv) || nv.type != l->type) {
		memset(&nv, 0, sizeof(nv));
		nv.state = ODM_PS_NOADDR;	/* odm_sync_kernel() finds the address */
	}
	nv.type = l->type;
	nv.source = ODM_SRC_DHCPV6;
	nv.ifindex = n->ifindex;
	nv.plen = l->plen;
	nv.valid_lft = l->valid_lft;
	nv.preferred_lft = l->preferred_lft;
	err = odm_prefix_put(d->o.maps, key, &nv);
	odm_maps_unlock(d->o.maps);
	if (err) {
		/* An address no map knows of would never be handed out, nor
		 * removed with its lease: take back the one just made. */
		if (!f.found)
			odm_nl_addr_set(false, n->ifindex, f.addr, 128, 0, 0, 0);
		return err;
	}
	err = odm_sync_kernel(d->o.maps);
	if (err < 0)
		return err;
	err = odm_prefix_get(d->o.maps, key, val);
	if (err)
		return err;
	if (val->state != ODM_PS_VALID)
		return -EADDRNOTAVAIL;
	/* The lease file keeps it: the same address after a reboot.  While
	 * odm_dhcp6_new() restores leases there is no client yet: tick()
	 * records those a second later. */
	if (n->dhcp6 && keeps_addr(l->type) && memcmp(l->addr, val->addr.w, sizeof(l->addr)))
		odm_dhcp6_set_addr(n->dhcp6, l->iaid, val->addr.w);
	return 0;
}

/* A lease's key in odm_prefixes. */
static void lease_key(const struct odm_lease *l, struct odm_prefix_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = l->plen;
	odm_prefix_mask(key->prefix.w, l->prefix, l->plen);
}

/* Remove a lease's host addresses: the map's (val, NULL when it has none)
 * and the recorded one, when they differ (`odm prefix del`, a renewal). */
static void drop_addrs(struct net *n, const struct odm_lease *l, const struct odm_prefix *val)
{
	bool map_addr = val && val->state != ODM_PS_NOADDR;

	if (map_addr)
		odm_nl_addr_set(false, val->ifindex, val->addr.w, 128, 0, 0, 0);
	if (!odm_addr_is_zero(l->addr) &&
	    (!map_addr || memcmp(val->addr.w, l->addr, sizeof(l->addr))))
		odm_nl_addr_set(false, n->ifindex, l->addr, 128, 0, 0, 0);
}

/* The network took a prefix back: no new socket may get its address. */
static void withdraw_lease(struct net *n, const struct odm_lease *l)
{
	struct odm_ondemand *d = n->d;
	struct odm_prefix_key key;
	struct odm_prefix val;
	bool had;

	lease_key(l, &key);
	had = odm_prefix_get(d->o.maps, &key, &val) == 0;
	drop_addrs(n, l, had ? &val : NULL);
	if (had && odm_maps_lock(d->o.maps) == 0) {
		odm_prefix_del(d->o.maps, &key);
		odm_maps_unlock(d->o.maps);
	}
	odm_sync_kernel(d->o.maps);
}

static const char *event_name(enum odm_dhcp6_event ev)
{
	switch (ev) {
	case ODM_DHCP6_ACQUIRED: return "acquired";
	case ODM_DHCP6_RENEWED: return "renewed";
	case ODM_DHCP6_LOST: return "lost";
	case ODM_DHCP6_RESTORED: return "restored";
	case ODM_DHCP6_REPLACED: return "replaced by";
	}
	return "?";
}

/* A prefix from the network that odmd will not configure: logged, counted. */
static void refused(struct net *n, const struct odm_lease *l, const char *why)
{
	struct odm_prefix_key k = { .prefixlen = l->plen };
	struct odm_ondemand *d = n->d;
	char buf[ODM_PREFIX_STRLEN];
	struct odm_lease shown = *l;

	memcpy(&k.prefix, l->prefix, sizeof(k.prefix));
	log_warn("dhcpv6: refused %s for %s: %s", odm_prefix_str(&k, buf), odm_type_name(l->type),
		 why);
	odm_stats_add(d->o.maps, ODM_STAT_NET_REFUSED, 1);
	memset(shown.addr, 0, sizeof(shown.addr));	/* none was configured */
	notify_lease(n, ODM_N_REFUSED, &shown, ODM_NR_UNSAFE, NULL);
}

/*
 * A new lease whose address could not be configured: refused when its
 * prefix is one the host has already (-EEXIST), else said; given back
 * either way (the server may reuse it).  Not on the host, so not ours to
 * keep: a lease left bound would be renewed for ever and counted nowhere.
 */
static void unpublished(struct net *n, const struct odm_lease *l, int err)
{
	if (err == -EEXIST)
		refused(n, l, TAKEN_WHY);
	else
		logmsg("cannot configure an address in the delegated prefix: %s; releasing it",
		       strerror(-err));
	give_back(n, l);
}

static void on_dhcp6(void *ctx, enum odm_dhcp6_event ev, enum odm_dhcp6_result res,
		     const struct odm_lease *l)
{
	struct net *n = ctx;
	struct odm_ondemand *d = n->d;
	struct odm_prefix_key key;
	struct odm_prefix val;
	char buf[ODM_PREFIX_STRLEN];
	int err;

	if (!l || l->type == ODM_TYPE_NONE || l->type > ODM_TYPE_MAX)
		return;
	if (odmd_verbose || ev != ODM_DHCP6_ACQUIRED ||
	    (res != ODM_DHCP6_OK && res != ODM_DHCP6_REFUSED)) {
		struct odm_prefix_key k = { .prefixlen = l->plen };

		memcpy(&k.prefix, l->prefix, sizeof(k.prefix));
		log_info("dhcpv6: %s: %s %s %s (%s)", n->ifname, odm_type_name(l->type),
			 event_name(ev), res == ODM_DHCP6_OK ? odm_prefix_str(&k, buf) : "-",
			 res == ODM_DHCP6_OK ? "ok" :
			 res == ODM_DHCP6_NOT_OFFERED ? "not offered" :
			 res == ODM_DHCP6_REFUSED ? "refused" : "failed");
	}
	switch (ev) {
	case ODM_DHCP6_ACQUIRED:
		n->ex[l->type] = EX_IDLE;
		if (res == ODM_DHCP6_NOT_OFFERED) {
			/* DHCPv6 says NoPrefixAvail both for a type without a
			 * pool and for an exhausted pool; a type granted before
			 * is offered, so this is a failure to grant it now. */
			notify_lease(n, ODM_N_LEASE_FAILED, l, n->granted[l->type] ?
				     ODM_NR_FAILED : ODM_NR_NOT_OFFERED, NULL);
			answer_waiting(n, l->type, n->granted[l->type] ? ODM_R_FAILED :
				       ODM_R_NOT_OFFERED, NULL, NULL);
			return;
		}
		if (res == ODM_DHCP6_REFUSED) {
			/* The last offer refused: the others are alike. */
			const char *why = odm_prefix_unsafe(l->prefix, l->plen);

			refused(n, l, l->untyped ? UNTYPED_WHY : why ? why : TAKEN_WHY);
			answer_waiting(n, l->type, ODM_R_FAILED, NULL, NULL);
			return;
		}
		if (res != ODM_DHCP6_OK) {
			notify_lease(n, ODM_N_LEASE_FAILED, l, ODM_NR_FAILED, NULL);
			answer_waiting(n, l->type, ODM_R_FAILED, NULL, NULL);
			return;
		}
		err = publish_lease(n, l, &key, &val, true);
		if (err) {
			unpublished(n, l, err);
			answer_waiting(n, l->type, ODM_R_FAILED, NULL, NULL);
			return;
		}
		notify_lease(n, ODM_N_LEASE_OBTAINED, l, ODM_NR_NONE, val.addr.w);
		if (l->untyped) {
			/* The operator allowed it; say so, as it is not what 5.3 asks. */
			struct odm_prefix_key k = { .prefixlen = l->plen };

			memcpy(&k.prefix, l->prefix, sizeof(k.prefix));
			log_warn("dhcpv6: took %s for %s untyped (--dhcp6-untyped): %s",
				 odm_prefix_str(&k, buf), odm_type_name(l->type), UNTYPED_WHY);
		}
		n->granted[l->type] = true;
		if (l->type == ODM_TYPE_FIXED || l->type == ODM_TYPE_SESSION_LASTING)
			held_add(d, first_waiting_cgroup(n, l->type), &key);
		answer_waiting(n, l->type, ODM_R_OK, &key, &val);
		return;
	case ODM_DHCP6_REPLACED:
		err = publish_lease(n, l, &key, &val, true);
		if (err) {
			unpublished(n, l, err);
			return;		/* the LOST that follows ends a join */
		}
		notify_lease(n, ODM_N_LEASE_OBTAINED, l, ODM_NR_NONE, val.addr.w);
		if (n->ex[l->type] == EX_JOINED) {
			n->ex[l->type] = EX_IDLE;
			answer_waiting(n, l->type, ODM_R_OK, &key, &val);
		}
		return;
	case ODM_DHCP6_RESTORED:
		n->granted[l->type] = true;
		/* fall through */
	case ODM_DHCP6_RENEWED:
		err = publish_lease(n, l, &key, &val, false);
		if (err)
			logmsg("cannot (re)configure the address of a lease: %s", strerror(-err));
		else
			notify_lease(n, ev == ODM_DHCP6_RESTORED ? ODM_N_LEASE_RESTORED :
				     ODM_N_LEASE_RENEWED, l, ODM_NR_NONE, val.addr.w);
		if (n->ex[l->type] == EX_JOINED) {
			if (err)
				join_over(n, l->type);
			else {
				n->ex[l->type] = EX_IDLE;
				answer_waiting(n, l->type, ODM_R_OK, &key, &val);
			}
		}
		return;
	case ODM_DHCP6_LOST:
		notify_lease(n, ODM_N_LEASE_LOST, l, ODM_NR_NONE, NULL);
		lease_key(l, &key);
		held_drop(d, &key);
		withdraw_lease(n, l);
		if (n->ex[l->type] == EX_JOINED && !odm_dhcp6_rebinding(n->dhcp6, l->type))
			join_over(n, l->type);
		return;
	}
}

/* ---- every second: addresses that last, prefixes no socket uses ---- */

#define LFT_INFINITE	0xffffffffu

/* The entry of a delegated prefix, made on first sight; NULL when full
 * (the prefix is then only followed once another one goes). */
static struct kept *kept_get(struct odm_ondemand *d, const struct odm_prefix_key *key)
{
	struct kept *slot = NULL;
	int i;

	for (i = 0; i < MAX_KEPT; i++) {
		if (!d->kept[i].key.prefixlen) {
			if (!slot)
				slot = &d->kept[i];
		} else if (!memcmp(&d->kept[i].key, key, sizeof(*key))) {
			return &d->kept[i];
		}
	}
	if (slot)
		*slot = (struct kept){ .key = *key };
	return slot;
}

static void kept_forget(struct odm_ondemand *d, const struct odm_prefix_key *key)
{
	int i;

	for (i = 0; i < MAX_KEPT; i++)
		if (d->kept[i].key.prefixlen && !memcmp(&d->kept[i].key, key, sizeof(*key)))
			d->kept[i] = (struct kept){ 0 };
}

/* A lease's lifetimes as they are left now (the client keeps them as granted). */
static void lease_left(struct odm_lease *l, __u64 now_ns)
{
	__u64 age = now_ns > l->obtained_ns ? (now_ns - l->obtained_ns) / 1000000000ull : 0;

	if (l->valid_lft != LFT_INFINITE)
		l->valid_lft = l->valid_lft > age ? l->valid_lft - (__u32)age : 0;
	if (l->preferred_lft != LFT_INFINITE)
		l->preferred_lft = l->preferred_lft > age ? l->preferred_lft - (__u32)age : 0;
}

/*
 * A Fixed or Session-lasting lease whose host address vanished gets the
 * recorded one back: a link going down flushes every IPv6 address with a
 * lifetime (keep_addr_on_down keeps only permanent ones), and the RTM_DELADDR
 * made its prefix NOADDR.  One whose address is not recorded yet (restored
 * from an older odmd's line) or that a lifetime renewal (--lifetime)
 * replaced records the map's.  Only while its prefix is in the map: `odm
 * prefix del` took it out of odmd's hands until the lease's next renewal.
 */
static void keep_addr(struct net *n, const struct odm_lease *l, struct kept *k)
{
	struct odm_ondemand *d = n->d;
	struct odm_lease left = *l;
	struct odm_prefix_key key = k->key;
	struct odm_prefix val;
	struct odm_kaddr ka;
	char buf[INET6_ADDRSTRLEN];
	int err;

	if (!keeps_addr(l->type) || odm_prefix_get(d->o.maps, &key, &val) ||
	    val.source != ODM_SRC_DHCPV6)
		return;
	if (val.state == ODM_PS_VALID && memcmp(val.addr.w, l->addr, sizeof(l->addr))) {
		odm_dhcp6_set_addr(n->dhcp6, l->iaid, val.addr.w);
		return;
	}
	if (val.state != ODM_PS_NOADDR || odm_addr_is_zero(l->addr) ||
	    odm_nl_find_addr(l->addr, &ka) != -ENOENT)
		return;
	lease_left(&left, odm_boottime_ns());
	if (!left.valid_lft)
		return;			/* LOST at the client's next timer */
	err = publish_lease(n, &left, &key, &val, false);
	if (err) {
		if (!k->readd_failed)
			logmsg("dhcpv6: cannot add the %s address %s again: %s",
			       odm_type_name(l->type), odm_addr_str(l->addr, buf), strerror(-err));
		k->readd_failed = true;
		return;
	}
	k->readd_failed = false;
	log_info("dhcpv6: the %s address %s had gone from its interface (link down?): added again",
		 odm_type_name(l->type), odm_addr_str(l->addr, buf));
}

/*
 * Give an idle Session-lasting prefix back to the network (RFC 8653
 * section 3.4: once no application uses it, it "may be released").  The
 * map entry goes first, so that no new socket is handed its address; a
 * socket that got it meanwhile (counted again) puts it back.  Only a
 * setsc() caught between its odm_select lookup and its count, a moment
 * inside one system call, can still end up with a released address.
 */
static void release_idle(struct net *n, const struct odm_lease *l, struct kept *k)
{
	struct odm_ondemand *d = n->d;
	char buf[ODM_PREFIX_STRLEN];
	struct odm_prefix val;
	__u64 sockets = 0;
	bool had;

	if (odm_maps_lock(d->o.maps))
		return;
	had = odm_prefix_get(d->o.maps, &k->key, &val) == 0;
	if (had)
		odm_prefix_del(d->o.maps, &k->key);
	odm_select_recompute(d->o.maps);
	odm_maps_unlock(d->o.maps);
	if (odm_use_in_prefix(d->o.maps, &k->key, &sockets) || sockets) {
		if (had && odm_maps_lock(d->o.maps) == 0) {
			odm_prefix_put(d->o.maps, &k->key, &val);
			odm_select_recompute(d->o.maps);
			odm_maps_unlock(d->o.maps);
		}
		k->idle_since_ms = 0;
		return;
	}
	log_info("dhcpv6: releasing %s (session-lasting): no socket used it for %u s (--sl-linger)",
		 odm_prefix_str(&k->key, buf), d->o.sl_linger_s);
	held_drop(d, &k->key);
	drop_addrs(n, l, had ? &val : NULL);
	give_back(n, l);
	kept_forget(d, &k->key);
	odm_sync_kernel(d->o.maps);
}

/*
 * Session-lasting: sockets are counted per address in odm_addr_use; a
 * prefix none of whose addresses any socket has had for sl_linger_s is
 * released, so prefixes asked with ON_NET do not pile up for ever.  The
 * rule is that alone: a later setsc() asks the network anew.
 */
static void linger(struct net *n, const struct odm_lease *l, struct kept *k, __u64 now)
{
	struct odm_ondemand *d = n->d;
	struct odm_use use = { 0 };
	struct odm_prefix val;
	const __u32 *addr = l->addr;
	__u64 sockets;

	if (l->type != ODM_TYPE_SESSION_LASTING || !d->o.sl_linger_s)
		return;
	if (odm_prefix_get(d->o.maps, &k->key, &val) == 0 && val.state != ODM_PS_NOADDR)
		addr = val.addr.w;
	if (!odm_addr_is_zero(addr) && odm_use_get(d->o.maps, addr, &use))
		return;			/* cannot tell: keep it */
	if (use.sockets) {
		k->idle_since_ms = 0;
		return;
	}
	if (!k->idle_since_ms) {
		k->idle_since_ms = now;
		return;
	}
	if (now - k->idle_since_ms < (__u64)d->o.sl_linger_s * 1000)
		return;
	/* Every address in it, retired ones too, before it goes. */
	if (odm_use_in_prefix(d->o.maps, &k->key, &sockets) || sockets) {
		k->idle_since_ms = 0;
		return;
	}
	release_idle(n, l, k);
}

struct lease_list {
	struct odm_lease *v;
	size_t n, cap;
	bool nomem;
};

static void collect_lease(void *arg, const struct odm_lease *l)
{
	struct lease_list *ll = arg;
	struct odm_lease *v;

	v = odm_grow(ll->v, &ll->cap, ll->n, sizeof(*v));
	if (!v) {
		ll->nomem = true;
		return;
	}
	ll->v = v;
	ll->v[ll->n++] = *l;
}

/* A copy of n's leases: what is done with them rewrites and releases leases. */
static int net_leases(struct net *n, struct lease_list *ll)
{
	*ll = (struct lease_list){ 0 };
	if (n->dhcp6)
		odm_dhcp6_foreach(n->dhcp6, collect_lease, ll);
	if (ll->nomem) {
		free(ll->v);
		*ll = (struct lease_list){ 0 };
		return -ENOMEM;
	}
	return 0;
}

static void tick(struct odm_ondemand *d, __u64 now)
{
	struct odm_prefix_key key;
	struct lease_list ll;
	struct kept *k;
	unsigned int j;
	size_t i;

	for (i = 0; i < MAX_KEPT; i++)
		d->kept[i].seen = false;
	for (j = 0; j < d->nnets; j++) {
		struct net *n = &d->nets[j];

		if (net_leases(n, &ll))
			return;		/* forget nothing for want of memory */
		for (i = 0; i < ll.n; i++) {
			lease_key(&ll.v[i], &key);
			k = kept_get(d, &key);
			if (!k)
				continue;
			k->seen = true;
			keep_addr(n, &ll.v[i], k);
			linger(n, &ll.v[i], k, now);
		}
		free(ll.v);
	}
	/* Leases gone since the last tick. */
	for (i = 0; i < MAX_KEPT; i++)
		if (d->kept[i].key.prefixlen && !d->kept[i].seen)
			d->kept[i] = (struct kept){ 0 };
}

/* ---- networks: which one to ask, links up, down and gone ---- */

static bool link_up(unsigned int flags)
{
	return (flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

/* The first network that offers type and whose link is up. */
static struct net *net_for(struct odm_ondemand *d, __u8 type)
{
	unsigned int i;

	for (i = 0; i < d->nnets; i++)
		if (d->nets[i].dhcp6 && d->nets[i].up && (d->nets[i].types & (1u << type)))
			return &d->nets[i];
	return NULL;
}

/* Some network still there offers type, its link up or not. */
static bool offered(struct odm_ondemand *d, __u8 type)
{
	unsigned int i;

	for (i = 0; i < d->nnets; i++)
		if (d->nets[i].dhcp6 && (d->nets[i].types & (1u << type)))
			return true;
	return false;
}

/*
 * Send c's request (c->waiting) to the network that serves its type now,
 * joining the exchange under way there.  No such network: FAILED, since
 * one that offers the type exists (handle_request() checked), only down.
 *
 * A lease of the type being rebound (its link just came back) is what a
 * request without ON_NET will most likely get: it waits for that Rebind's
 * Reply, for as long as a Solicit's first wait (SOL_TIMEOUT, 1 s), before
 * it solicits a prefix of its own.  Asking at once would have the server
 * bind a second prefix beside the one the Rebind brings.  ON_NET wants a
 * prefix the network hands out now: it never joins a Rebind.
 */
static void ask(struct odm_ondemand *d, struct client *c)
{
	__u8 type = c->req.type;
	struct net *n = net_for(d, type);
	bool on_net = c->req.flags & ODM_REQF_ON_NET;

	if (!n) {
		answer(c, ODM_R_FAILED, NULL, NULL);
		return;
	}
	c->net = (int)(n - d->nets);
	if (n->ex[type] == EX_SOLICITING || (n->ex[type] == EX_JOINED && !on_net))
		return;			/* coalesced into the exchange under way */
	if (n->ex[type] == EX_IDLE && !on_net && odm_dhcp6_rebinding(n->dhcp6, type)) {
		n->ex[type] = EX_JOINED;
		n->join_until_ms[type] = now_ms() + JOIN_MS;
		return;
	}
	solicit(n, type);
}

/*
 * The interface is gone for good (deleted, or moved to another network
 * namespace): nothing can be sent on it, so its leases are withdrawn here
 * without a Release (the server keeps them until they expire) and
 * forgotten, lease file included; its waiting requests go to another
 * network that offers their type.  The network stays gone until odmd
 * restarts.
 */
static void net_gone(struct net *n)
{
	struct odm_ondemand *d = n->d;
	struct odm_prefix_key key;
	struct lease_list ll;
	size_t i;

	net_leases(n, &ll);
	log_warn("dhcpv6: %s is gone: withdrawing its %zu lease(s) (nothing can be sent on it)",
		 n->ifname, ll.n);
	for (i = 0; i < ll.n; i++) {
		lease_key(&ll.v[i], &key);
		held_drop(d, &key);
		withdraw_lease(n, &ll.v[i]);
	}
	free(ll.v);
	odm_dhcp6_forget(n->dhcp6);
	odm_dhcp6_free(n->dhcp6);
	n->dhcp6 = NULL;
	n->up = false;
	memset(n->ex, 0, sizeof(n->ex));
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->clients[i];

		if (c->fd >= 0 && c->waiting && c->net == n - d->nets) {
			if (offered(d, c->req.type))
				ask(d, c);
			else
				answer(c, ODM_R_FAILED, NULL, NULL);
		}
	}
}

/* The link is up again after it was down: RFC 8415 18.2.12. */
static void net_back(struct net *n)
{
	int k = odm_dhcp6_rebind(n->dhcp6);

	if (k > 0)
		log_info("dhcpv6: %s is up again: rebinding its %d lease(s)", n->ifname, k);
}

/*
 * What a link message says of a network's link.  It is back when it is
 * up after it was down, or when its carrier came back since the last
 * message (struct odm_klink: a flap inside the kernel's second shows
 * only as "up", with the count moved on).
 */
static void net_link(struct net *n, const struct odm_klink *kl, bool start)
{
	bool was = n->up, up = link_up(kl->flags), flapped = false;

	if (kl->have_carrier_ups && n->carrier_known) {
		__s32 ahead = (__s32)(kl->carrier_ups - n->carrier_ups);

		if (ahead < 0)
			return;		/* queued before the dump that told us more */
		flapped = ahead > 0;
	}
	n->up = up;
	if (kl->have_carrier_ups) {
		n->carrier_ups = kl->carrier_ups;
		n->carrier_known = true;
	}
	if (up && (!was || flapped) && !start)
		net_back(n);
}

static int on_link(const struct odm_klink *kl, void *ctx)
{
	struct odm_ondemand *d = ctx;
	unsigned int i;

	for (i = 0; i < d->nnets; i++) {
		struct net *n = &d->nets[i];

		if (!n->dhcp6 || n->ifindex != kl->ifindex)
			continue;
		if (kl->gone)
			net_gone(n);
		else
			net_link(n, kl, false);
	}
	return 0;
}

/* What a dump of the links says of the networks' (nets_refresh()). */
struct refresh {
	const struct odm_ondemand *d;
	struct odm_klink link[ODM_MAX_NETS];
	bool seen[ODM_MAX_NETS];
};

static int refresh_link(const struct odm_klink *kl, void *ctx)
{
	struct refresh *r = ctx;
	unsigned int i;

	for (i = 0; i < r->d->nnets; i++) {
		if (r->d->nets[i].ifindex == kl->ifindex) {
			r->link[i] = *kl;
			r->seen[i] = true;
		}
	}
	return 0;
}

/*
 * The networks' links as the kernel has them now: at start (restored
 * leases keep their own timers), and after lost events (a link found up
 * again, or with its carrier back, rebinds; one not in the dump is gone).
 * Acted on only once a whole dump is in: one a change interrupted is
 * asked again, and one that fails changes nothing.
 */
static void nets_refresh(struct odm_ondemand *d, bool start)
{
	struct refresh r = { .d = d };
	unsigned int i;
	int tries, err = -EAGAIN;

	for (tries = 0; tries < 3 && err == -EAGAIN; tries++) {
		memset(r.seen, 0, sizeof(r.seen));
		err = odm_nl_dump_links(refresh_link, &r);
	}
	if (err) {
		logmsg("reading the links: %s", strerror(-err));
		return;
	}
	for (i = 0; i < d->nnets; i++) {
		if (!d->nets[i].dhcp6)
			continue;
		if (r.seen[i])
			net_link(&d->nets[i], &r.link[i], start);
		else
			net_gone(&d->nets[i]);
	}
}

static void read_links(struct odm_ondemand *d)
{
	int err;

	err = odm_nl_link_monitor_read(d->link_fd, on_link, d);
	if (err == -ENOBUFS) {
		nets_refresh(d, false);
	} else if (err) {
		logmsg("reading link events: %s", strerror(-err));
	}
}

/* ---- requests ---- */

static void handle_request(struct odm_ondemand *d, struct client *c)
{
	struct odm_prefix_key key;
	struct odm_prefix val;
	__u8 type = c->req.type;
	bool on_net = c->req.flags & ODM_REQF_ON_NET;
	__u32 verdict;

	/* Section 6.2: without ON_NET, a configured prefix is used. */
	if (!on_net && current_choice(d, type, &key, &val)) {
		answer(c, ODM_R_OK, &key, &val);
		return;
	}
	if (!d->nnets) {
		answer(c, on_net ? ODM_R_FAILED : ODM_R_NOT_OFFERED, NULL, NULL);
		return;
	}
	/* No network is asked for the type (or the only ones are gone). */
	if (!offered(d, type)) {
		answer(c, ODM_R_NOT_OFFERED, NULL, NULL);
		return;
	}
	verdict = admit(d, c, on_net);
	if (verdict != ODM_R_OK) {
		answer(c, verdict, NULL, NULL);
		return;
	}
	c->waiting = true;
	c->deadline_ms = now_ms() + ODM_REQUEST_TIMEOUT_MS + CLIENT_GRACE_MS;
	ask(d, c);
}

static void client_readable(struct odm_ondemand *d, struct client *c)
{
	char buf[sizeof(struct odm_msg_req) + 1];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);	/* gone: a waiting request is simply dropped */
		return;
	}
	if (c->waiting || c->watcher)
		return;			/* one request per connection */
	if (odm_msg_req_check(buf, (size_t)n)) {
		memset(&c->req, 0, sizeof(c->req));
		answer(c, ODM_R_INVALID, NULL, NULL);
		return;
	}
	memcpy(&c->req, buf, sizeof(c->req));
	if (c->req.op == ODM_OP_WATCH || c->req.op == ODM_OP_MONITOR) {
		if (c->uid && watchers_of(d, c->uid) >= WATCHERS_PER_UID) {
			answer(c, ODM_R_DENIED, NULL, NULL);
		} else {
			c->watcher = true;
			c->monitor = c->req.op == ODM_OP_MONITOR;
		}
		return;
	}
	handle_request(d, c);
}

/* The bound lease whose prefix holds old but not new (a lease renewing an
 * address inside its own prefix is not superseded). */
struct superseded_ctx {
	const __u32 *old_addr, *new_addr;
	struct odm_lease lease;
	bool found;
};

static void superseded_cb(void *arg, const struct odm_lease *l)
{
	struct superseded_ctx *s = arg;
	struct odm_prefix_key k = { .prefixlen = l->plen };

	memcpy(&k.prefix, l->prefix, sizeof(k.prefix));
	if (!s->found && odm_prefix_contains(&k, s->old_addr) &&
	    !odm_prefix_contains(&k, s->new_addr)) {
		s->lease = *l;
		s->found = true;
	}
}

void odm_ondemand_replaced(struct odm_ondemand *d, __u8 type, __u32 grace_s,
			   const __u32 old_addr[4], const __u32 new_addr[4])
{
	struct superseded_ctx sup = { .old_addr = old_addr, .new_addr = new_addr };
	struct odm_msg_notice nt;
	struct odm_msg_event ev;
	unsigned int j;

	/*
	 * A superseded delegated prefix is given back: kept bound, its next
	 * Renew would configure a fresh address in it, make it the newest of
	 * its type again and retire the current one, at every T1.  Its address
	 * keeps the grace period the kernel counts down; Release does not
	 * withdraw it.
	 */
	for (j = 0; j < d->nnets && type == ODM_TYPE_GRACEFUL && !sup.found; j++) {
		if (!d->nets[j].dhcp6)
			continue;
		odm_dhcp6_foreach(d->nets[j].dhcp6, superseded_cb, &sup);
		if (sup.found)
			give_back(&d->nets[j], &sup.lease);
	}

	/* libodm checks new_addr against the maps before it tells the
	 * application: they must show it already. */
	odm_sync_kernel(d->o.maps);
	odm_msg_notice_init(&nt, ODM_N_REPLACED, type);
	nt.grace_s = grace_s;
	memcpy(nt.addr, old_addr, sizeof(nt.addr));
	memcpy(nt.new_addr, new_addr, sizeof(nt.new_addr));
	notify(d, &nt);
	odm_msg_event_init(&ev, type, grace_s, old_addr, new_addr);
	broadcast(d, false, &ev, sizeof(ev));
}

/*
 * Accept, check and seat up to ACCEPT_BATCH peers; the refused are closed
 * at once (they see the connection reset: no odmd for them).  Nobody is
 * accepted while every slot is taken: the peers wait in the backlog for
 * the slots that answers free, rather than be refused (figure 11 lost one
 * root request of 1000 that way).  Only root can fill the table, as the
 * others stop at MAX_CLIENTS - ROOT_RESERVE.
 */
static void accept_clients(struct odm_ondemand *d)
{
	struct client *slot;
	struct ucred uc;
	socklen_t len;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH && !table_full(d); i++) {
		struct client c = { .fd = -1, .net = -1 };

		fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		len = sizeof(uc);
		/* The cheap checks first: a flood costs no /proc read. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) ||
		    !(slot = free_slot(d, uc.uid)) || !peer_allowed(d, fd, &uc, &c)) {
			close(fd);
			d->refused_peers++;
			continue;
		}
		c.fd = fd;
		c.uid = uc.uid;
		c.deadline_ms = now_ms() + CLIENT_IDLE_MS;
		*slot = c;
	}
}

static void expire_clients(struct odm_ondemand *d)
{
	__u64 now = now_ms();
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->clients[i];

		if (c->fd < 0 || c->watcher || now < c->deadline_ms)
			continue;
		if (c->waiting) {
			answer(c, ODM_R_FAILED, NULL, NULL);
			continue;
		}
		/* A request that came while odmd was busy is not late. */
		client_readable(d, c);
		if (c->fd >= 0 && !c->waiting && !c->watcher)
			client_close(c);	/* connected, never asked */
	}
	if (d->refused_peers && now - d->refused_log_ms >= 60000) {
		log_warn("refused %u connection(s) in the last minute: peers outside %s, "
			 "over their uid's share, or gone before they were seen",
			 d->refused_peers, d->cgroup);
		d->refused_peers = 0;
		d->refused_log_ms = now;
	}
}

/* ---- lifecycle ---- */

/* ODM_RUN_DIR exists, is root's and only root may write to it. */
static int run_dir(void)
{
	struct stat st;

	if (mkdir(ODM_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (lstat(ODM_RUN_DIR, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		logmsg("%s must be a directory of root's that no one else may write to",
		       ODM_RUN_DIR);
		return -EPERM;
	}
	return 0;
}

/*
 * Listen on path: a socket left by an odmd that died is replaced; one a
 * live odmd answers on is not (-EADDRINUSE), nor is anything else there.
 */
static int listen_path(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, probe, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			return -EADDRINUSE;	/* another odmd serves this netns */
		}
		if (probe >= 0)
			close(probe);
		if (unlink(path) && errno != ENOENT)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Any local application may connect; odmd checks who at accept. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0666) ||
	    listen(fd, SOMAXCONN)) {	/* bursts of setsc() must not see EAGAIN */
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* odm_dhcp6_opts.count: the client's exchanges into odm_stats, for `odm stats`. */
static void count_dhcp6(void *ctx, enum odm_dhcp6_count what)
{
	static const unsigned int stat[] = {
		[ODM_DHCP6_N_SOLICIT]	= ODM_STAT_DHCP6_SOLICIT,
		[ODM_DHCP6_N_REQUEST]	= ODM_STAT_DHCP6_REQUEST,
		[ODM_DHCP6_N_RENEW]	= ODM_STAT_DHCP6_RENEW,
		[ODM_DHCP6_N_REBIND]	= ODM_STAT_DHCP6_REBIND,
		[ODM_DHCP6_N_RELEASE]	= ODM_STAT_DHCP6_RELEASE,
		[ODM_DHCP6_N_ADVERTISE]	= ODM_STAT_DHCP6_ADVERTISE,
		[ODM_DHCP6_N_REPLY]	= ODM_STAT_DHCP6_REPLY,
		[ODM_DHCP6_N_FAILED]	= ODM_STAT_DHCP6_FAILED,
		[ODM_DHCP6_N_LOST]	= ODM_STAT_DHCP6_LOST,
	};
	struct net *n = ctx;

	if ((unsigned int)what < sizeof(stat) / sizeof(stat[0]))
		odm_stats_add(n->d->o.maps, stat[what], 1);
}

/* Start a network's DHCPv6 client (its leases restored and published). */
static int net_start(struct odm_ondemand *d, struct net *n, const struct odm_ondemand_net *on)
{
	struct odm_dhcp6_opts dopts = {
		.sz = sizeof(dopts),
		.ifindex = on->ifindex,
		.option_code = d->o.dhcp6_option,
		.lease_file = on->lease_file[0] ? on->lease_file : NULL,
		.max_rt_ms = d->o.dhcp6_max_rt_ms,
		.request_timeout_ms = ODM_REQUEST_TIMEOUT_MS,
		.accept = accept_offer,
		.untyped = d->o.dhcp6_untyped,
		.count = count_dhcp6,
	};

	n->d = d;
	n->ifindex = on->ifindex;
	n->types = on->types;
	if (!if_indextoname(on->ifindex, n->ifname))
		return -errno;
	n->dhcp6 = odm_dhcp6_new(&dopts, on_dhcp6, n);
	return n->dhcp6 ? 0 : -errno;
}

struct odm_ondemand *odm_ondemand_new(const struct odm_ondemand_opts *opts)
{
	struct odm_ondemand *d = calloc(1, sizeof(*d));
	unsigned int j;
	int i, err;

	if (!d)
		return NULL;
	d->o = *opts;
	d->link_fd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		d->clients[i] = (struct client){ .fd = -1, .net = -1 };
	snprintf(d->cgroup, sizeof(d->cgroup), "%s", opts->cgroup ? opts->cgroup : "/");
	err = run_dir();
	if (!err && opts->sock_path)
		snprintf(d->path, sizeof(d->path), "%s", opts->sock_path);
	else if (!err)
		err = odm_proto_path(d->path, sizeof(d->path));
	d->lfd = err ? err : listen_path(d->path);
	if (d->lfd < 0) {
		err = d->lfd;
		logmsg("cannot serve on-demand requests on %s: %s", d->path[0] ? d->path : ODM_RUN_DIR,
		       err == -EADDRINUSE ? "another odmd serves this network namespace" :
		       err == -EEXIST ? "something else is there" : strerror(-err));
		free(d);
		errno = -err;
		return NULL;
	}
	if (opts->n_nets > ODM_MAX_NETS) {
		err = -E2BIG;
		goto err_close;
	}
	/* Subscribed before the links are read: no change falls in between. */
	if (opts->n_nets) {
		d->link_fd = odm_nl_link_monitor_open();
		if (d->link_fd < 0) {
			err = d->link_fd;
			logmsg("cannot subscribe to link events: %s", strerror(-err));
			goto err_close;
		}
	}
	for (j = 0; j < opts->n_nets; j++) {
		err = net_start(d, &d->nets[j], &opts->nets[j]);
		if (err) {
			logmsg("dhcpv6: cannot start on ifindex %u: %s", opts->nets[j].ifindex,
			       strerror(-err));
			goto err_close;
		}
		d->nnets++;
	}
	if (d->nnets)
		nets_refresh(d, true);
	return d;

err_close:
	odm_ondemand_free(d);	/* no client yet: it only closes and frees */
	errno = -err;
	return NULL;
}

void odm_ondemand_free(struct odm_ondemand *d)
{
	unsigned int j;
	int i;

	if (!d)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0)
			answer(&d->clients[i], ODM_R_FAILED, NULL, NULL);
	for (j = 0; j < d->nnets; j++)
		odm_dhcp6_free(d->nets[j].dhcp6);
	if (d->link_fd >= 0)
		close(d->link_fd);
	close(d->lfd);
	unlink(d->path);
	free(d);
}

int odm_ondemand_pollfds(struct odm_ondemand *d, struct pollfd *pfd, int max)
{
	unsigned int j;
	int i, n = 0;

	if (n < max && !table_full(d))		/* full: peers wait in the backlog */
		pfd[n++] = (struct pollfd){ .fd = d->lfd, .events = POLLIN };
	if (d->link_fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = d->link_fd, .events = POLLIN };
	for (j = 0; j < d->nnets && n < max; j++)
		if (d->nets[j].dhcp6)
			pfd[n++] = (struct pollfd){ .fd = odm_dhcp6_fd(d->nets[j].dhcp6),
						    .events = POLLIN };
	for (i = 0; i < MAX_CLIENTS && n < max; i++)
		if (d->clients[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = d->clients[i].fd, .events = POLLIN };
	return n;
}

static void min_timeout(int *t, int left)
{
	if (left >= 0 && (*t < 0 || left < *t))
		*t = left;
}

int odm_ondemand_timeout_ms(struct odm_ondemand *d)
{
	__u64 now = now_ms();
	unsigned int j;
	int i, t = -1;

	for (j = 0; j < d->nnets; j++)
		if (d->nets[j].dhcp6)
			min_timeout(&t, odm_dhcp6_timeout_ms(d->nets[j].dhcp6));
	if (d->nnets)
		min_timeout(&t, d->next_tick_ms > now ? (int)(d->next_tick_ms - now) : 0);
	for (j = 0; j < d->nnets; j++)
		for (i = 0; i <= ODM_TYPE_MAX; i++)
			if (d->nets[j].ex[i] == EX_JOINED)
				min_timeout(&t, d->nets[j].join_until_ms[i] > now ?
					    (int)(d->nets[j].join_until_ms[i] - now) : 0);
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &d->clients[i];

		if (c->fd < 0 || c->watcher)
			continue;
		min_timeout(&t, c->deadline_ms > now ? (int)(c->deadline_ms - now) : 0);
	}
	return t;
}

void odm_ondemand_process(struct odm_ondemand *d, const struct pollfd *pfd, int n)
{
	unsigned int k;
	__u64 now;
	int i, j;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->lfd) {
			accept_clients(d);
			continue;
		}
		if (pfd[i].fd == d->link_fd) {
			read_links(d);
			continue;
		}
		for (j = 0; j < MAX_CLIENTS; j++) {
			if (d->clients[j].fd == pfd[i].fd) {
				client_readable(d, &d->clients[j]);
				break;
			}
		}
	}
	/* DHCPv6 reads its sockets and runs its timers whenever we come by. */
	for (k = 0; k < d->nnets; k++)
		if (d->nets[k].dhcp6)
			odm_dhcp6_process(d->nets[k].dhcp6);
	now = now_ms();
	for (k = 0; k < d->nnets; k++)
		for (i = 0; i <= ODM_TYPE_MAX; i++)
			if (d->nets[k].ex[i] == EX_JOINED && now >= d->nets[k].join_until_ms[i])
				join_over(&d->nets[k], (__u8)i);
	expire_clients(d);
	now = now_ms();
	if (d->nnets && now >= d->next_tick_ms) {
		d->next_tick_ms = now + TICK_MS;
		tick(d, now);
	}
}
