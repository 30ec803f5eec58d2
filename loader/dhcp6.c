// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dhcp6.c - odmd's DHCPv6 prefix-delegation client (loader/dhcp6.h).
 *
 * One IA_PD per acquisition, each with its own IAID and its own state:
 *
 *   SOLICIT --Advertise--> REQUEST --Reply--> BOUND --T1--> RENEW --T2--> REBIND
 *                                               ^   <--Reply--'  <--Reply--'  |
 *   any state --valid lifetime over--> LOST     '-------------------------------'
 *   BOUND/RENEW/REBIND --odm_dhcp6_release()--> RELEASE --Reply or MRC--> free
 *
 * Every transmission follows RFC 8415 section 15 with the section 7.6
 * constants of its message type; all times are CLOCK_BOOTTIME so that a
 * suspended host sees its leases expire.  Messages are built and parsed by
 * dhcp6_wire.c, retransmission is timed by dhcp6_rt.c and the lease file
 * is dhcp6_lease.c's: this file does the socket, the lease timers and the
 * state machine.
 *
 * The DUID is DUID-LL from the interface's MAC: it needs no stored state,
 * so the lease file and the server agree on who we are after any restart
 * (DUID-LLT would have to persist its time; RFC 8415 11.4 allows LL for
 * devices with a permanent link-layer address).  Interfaces without one
 * use DUID-UUID from /etc/machine-id.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "core.h"
#include "dhcp6_int.h"
#include "log.h"

#define DEFAULT_TIMEOUT_MS	8000

#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547

enum ia_state {
	IA_FREE = 0,
	IA_SOLICIT,
	IA_REQUEST,
	IA_BOUND,
	IA_RENEW,
	IA_REBIND,
	IA_RELEASE,
};

struct ia {
	enum ia_state state;
	struct dhcp6_xmit x;
	__u64 deadline_ns;		/* SOLICIT/REQUEST: the acquisition gives up */
	struct odm_lease lease;		/* iaid and type always; the rest once bound */
	struct odm_dhcp6_duid server;
	__u64 t1_ns, t2_ns, expire_ns;	/* when bound; NEVER for infinite */
	/* SOLICIT: the best usable Advertise so far (RFC 8415 18.2.9). */
	bool have_adv;
	bool saw_refusal;		/* an Advertise saying NoPrefixAvail */
	bool saw_unsafe;		/* a prefix refused: unsafe, taken or untyped */
	unsigned int nrefused;		/* how many, so a Reply knows it brought one */
	__u8 unsafe_plen;		/* the last one, for the log */
	__u32 unsafe_prefix[4];
	bool unsafe_untyped;		/* the last one was refused for carrying no type */
	__u8 adv_pref;
	__u8 adv_plen;
	__u32 adv_prefix[4];
};

struct odm_dhcp6 {
	int fd;
	unsigned int ifindex;
	__u16 code;
	unsigned int max_rt_ms;
	unsigned int timeout_ms;
	char *lease_file;
	struct odm_dhcp6_duid duid;
	odm_dhcp6_cb cb;
	void *ctx;
	void (*count)(void *ctx, enum odm_dhcp6_count what);
	bool (*accept)(void *ctx, const __u32 prefix[4], __u8 plen);
	unsigned int untyped;		/* bits 1 << type: untyped grants allowed */
	struct ia *ias;			/* grown on demand; IA_FREE slots are reused */
	size_t nias;
	__u32 next_iaid;
	__u64 rng;			/* xorshift state for xids and RAND */
};

/* ---- small helpers --------------------------------------------------------- */

static bool bound(const struct ia *ia)
{
	return ia->state == IA_BOUND || ia->state == IA_RENEW || ia->state == IA_REBIND;
}

static __u64 add_s(__u64 base, __u32 s)
{
	return s == DHCP6_INFINITY ? NEVER : base + (__u64)s * NS_PER_S;
}

static __u64 min_ns(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* ---- sending ---------------------------------------------------------------- */

static void count(const struct odm_dhcp6 *c, enum odm_dhcp6_count what)
{
	if (c->count)
		c->count(c->ctx, what);
}

/* The counter of a message type we send. */
static void count_sent(const struct odm_dhcp6 *c, __u8 msg_type)
{
	switch (msg_type) {
	case DHCP6_SOLICIT: count(c, ODM_DHCP6_N_SOLICIT); break;
	case DHCP6_REQUEST: count(c, ODM_DHCP6_N_REQUEST); break;
	case DHCP6_RENEW: count(c, ODM_DHCP6_N_RENEW); break;
	case DHCP6_REBIND: count(c, ODM_DHCP6_N_REBIND); break;
	case DHCP6_RELEASE: count(c, ODM_DHCP6_N_RELEASE); break;
	default: break;
	}
}

static void send_msg(struct odm_dhcp6 *c, struct ia *ia, __u64 now)
{
	struct sockaddr_in6 to = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(DHCP6_SERVER_PORT),
		.sin6_scope_id = c->ifindex,
	};
	__u64 elapsed = (now - ia->x.first_ns) / (10 * NS_PER_MS);
	struct odm_dhcp6_out o = {
		.msg_type = ia->x.msg_type,
		.xid = ia->x.xid,
		.client_id = &c->duid,
		.server_id = ia->server.len ? &ia->server : NULL,
		.elapsed_cs = elapsed > 0xffff ? 0xffff : elapsed,
		.iaid = ia->lease.iaid,
		.cont_code = c->code,
		.cont_type = odm_dhcp6_type_to_wire(ia->lease.type),
	};
	__u8 buf[DHCP6_MSG_MAX];
	int n;

	if (ia->state == IA_SOLICIT) {
		o.server_id = NULL;	/* a bare ::/0 hint: the type is the request */
	} else if (ia->state == IA_REQUEST) {
		memcpy(o.prefix, ia->adv_prefix, sizeof(o.prefix));
		o.plen = ia->adv_plen;
	} else {
		memcpy(o.prefix, ia->lease.prefix, sizeof(o.prefix));
		o.plen = ia->lease.plen;
		if (ia->state == IA_REBIND)
			o.server_id = NULL;	/* any server may answer */
	}
	n = odm_dhcp6_build(&o, buf, sizeof(buf));
	if (n < 0)
		return;
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	/* A failed send is a lost packet: retransmission covers it. */
	if (sendto(c->fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (errno != EAGAIN && errno != ENETUNREACH && errno != EADDRNOTAVAIL)
			logmsg("dhcpv6: cannot send on ifindex %u: %s", c->ifindex,
			       strerror(errno));
		return;
	}
	count_sent(c, ia->x.msg_type);
}

static __u32 new_xid(struct odm_dhcp6 *c)
{
	__u32 xid;
	size_t i;

again:
	xid = dhcp6_rand(&c->rng) & 0xffffff;
	for (i = 0; i < c->nias; i++)
		if (c->ias[i].state != IA_FREE && c->ias[i].x.xid == xid)
			goto again;
	return xid;
}

/* Begin a new exchange and send its first message (timers: dhcp6_rt.c). */
static void xmit_start(struct odm_dhcp6 *c, struct ia *ia, enum ia_state state, __u8 msg_type,
		       const struct dhcp6_rt_params *p, __u64 end_ns, __u64 now)
{
	struct dhcp6_xmit *x = &ia->x;

	ia->state = state;
	/* The old exchange is over: its xid may come again. */
	memset(x, 0, sizeof(*x));
	x->msg_type = msg_type;
	x->xid = new_xid(c);
	dhcp6_xmit_start(x, p, c->max_rt_ms, end_ns, now, &c->rng);
	send_msg(c, ia, now);
}

/* The next transmission.  False when MRC or MRD says the exchange failed. */
static bool xmit_again(struct odm_dhcp6 *c, struct ia *ia, __u64 now)
{
	if (!dhcp6_xmit_again(&ia->x, now, &c->rng))
		return false;
	send_msg(c, ia, now);
	return true;
}

/* ---- the lease file ------------------------------------------------------- */

/* Write every bound lease to the lease file (dhcp6_lease.c). */
static void save(const struct odm_dhcp6 *c)
{
	struct dhcp6_lease_writer w;
	size_t i;
	int err;

	if (!c->lease_file)
		return;
	err = dhcp6_lease_begin(&w, c->lease_file);
	if (!err) {
		for (i = 0; i < c->nias; i++)
			if (bound(&c->ias[i]))
				dhcp6_lease_put(&w, &c->ias[i].lease, &c->ias[i].server);
		err = dhcp6_lease_commit(&w);
	}
	if (err)
		logmsg("dhcpv6: cannot write lease file %s: %s", c->lease_file, strerror(-err));
}

static struct ia *ia_alloc(struct odm_dhcp6 *c)
{
	struct ia *n;
	size_t i;

	for (i = 0; i < c->nias; i++)
		if (c->ias[i].state == IA_FREE)
			return &c->ias[i];
	n = realloc(c->ias, (c->nias + 8) * sizeof(*n));
	if (!n)
		return NULL;
	memset(n + c->nias, 0, 8 * sizeof(*n));
	c->ias = n;
	c->nias += 8;
	return &c->ias[c->nias - 8];
}

/*
 * Timers of a bound lease.  T1/T2 of 0 leave the choice to us (RFC 8415
 * 21.21); we take 0.5 and 0.8 of the preferred lifetime, as 18.2.4 says.
 * elapsed_s > 0 for leases read back from the file.
 */
static void schedule(struct ia *ia, __u64 now, __u32 elapsed_s)
{
	const struct odm_lease *l = &ia->lease;
	__u32 pref = l->preferred_lft, t1 = l->t1, t2 = l->t2;
	__u64 base = now - (__u64)elapsed_s * NS_PER_S;

	if (!t1)
		t1 = pref == DHCP6_INFINITY ? DHCP6_INFINITY : pref / 2;
	if (!t2)
		t2 = pref == DHCP6_INFINITY ? DHCP6_INFINITY : (__u32)((__u64)pref * 8 / 10);
	if (t2 < t1)
		t2 = t1;
	ia->t1_ns = add_s(base, t1);
	ia->t2_ns = add_s(base, t2);
	ia->expire_ns = add_s(base, l->valid_lft);
	if (now < ia->expire_ns && elapsed_s)
		ia->t1_ns = ia->t1_ns < now ? now : ia->t1_ns;
}

/* Leases being read back from the file, all as of one moment. */
struct restore {
	struct odm_dhcp6 *c;
	__u64 now;
};

/*
 * A lease from the file (dhcp6_lease_fn): BOUND again, with its timers
 * where the grant left them, or given back when its type rule no longer
 * allows it.
 */
static int restore_one(void *ctx, const struct dhcp6_lease_rec *r)
{
	struct restore *rs = ctx;
	struct odm_dhcp6 *c = rs->c;
	const struct odm_lease *l = &r->lease;
	__u64 now = rs->now;
	char pfx[INET6_ADDRSTRLEN];
	struct ia *ia;

	ia = ia_alloc(c);
	if (!ia)
		return -ENOMEM;
	memset(ia, 0, sizeof(*ia));
	ia->server = r->server;
	ia->lease = *l;
	ia->lease.obtained_ns = now >= (__u64)r->elapsed_s * NS_PER_S ?
				now - (__u64)r->elapsed_s * NS_PER_S : 0;
	/*
	 * Exact type or error holds across restarts: an untyped grant
	 * the operator no longer allows is given back, not kept until
	 * it expires, and reported LOST so odmd withdraws its address.
	 */
	if (l->untyped && !(c->untyped & 1u << l->type)) {
		inet_ntop(AF_INET6, l->prefix, pfx, sizeof(pfx));
		log_warn("dhcpv6: %s: releasing %s/%u for %s instead of restoring it: no "
			 "continuity option: the network does not type it (--dhcp6-untyped "
			 "does not name %s)", c->lease_file, pfx, l->plen, odm_type_name(l->type),
			 odm_type_name(l->type));
		xmit_start(c, ia, IA_RELEASE, DHCP6_RELEASE, &dhcp6_rt_release, NEVER, now);
		return 1;
	}
	ia->state = IA_BOUND;
	schedule(ia, now, r->elapsed_s);
	if (l->iaid >= c->next_iaid)
		c->next_iaid = l->iaid + 1;
	return 0;
}

/* Read the lease file: still-valid leases become BOUND and are reported RESTORED. */
static void restore_leases(struct odm_dhcp6 *c)
{
	struct restore rs = { .c = c, .now = odm_boottime_ns() };
	__u64 now = rs.now;
	size_t i;

	if (!c->lease_file)
		return;
	if (dhcp6_lease_read(c->lease_file, restore_one, &rs) > 0)
		save(c);
	/* Report remaining lifetimes: what is left of the grant, as of now. */
	for (i = 0; i < c->nias; i++) {
		struct ia *ia = &c->ias[i];
		struct odm_lease l;
		__u32 age;

		if (ia->state == IA_RELEASE) {
			l = ia->lease;
			c->cb(c->ctx, ODM_DHCP6_LOST, ODM_DHCP6_OK, &l);
			continue;
		}
		if (!bound(ia))
			continue;
		l = ia->lease;
		age = (now - l.obtained_ns) / NS_PER_S;
		if (l.preferred_lft != DHCP6_INFINITY)
			l.preferred_lft = l.preferred_lft > age ? l.preferred_lft - age : 0;
		if (l.valid_lft != DHCP6_INFINITY)
			l.valid_lft -= age;
		l.t1 = ia->t1_ns == NEVER ? DHCP6_INFINITY : (ia->t1_ns - now) / NS_PER_S;
		l.t2 = ia->t2_ns == NEVER ? DHCP6_INFINITY :
		       ia->t2_ns > now ? (ia->t2_ns - now) / NS_PER_S : 0;
		l.obtained_ns = now;
		c->cb(c->ctx, ODM_DHCP6_RESTORED, ODM_DHCP6_OK, &l);
	}
}

/* ---- outcomes ------------------------------------------------------------- */

/* End an acquisition; the callback runs last because it may call back into us. */
static void finish(struct odm_dhcp6 *c, struct ia *ia, enum odm_dhcp6_result res)
{
	struct odm_lease l = ia->lease;

	if (res == ODM_DHCP6_OK) {
		ia->state = IA_BOUND;
		save(c);
	} else if (ia->state != IA_RELEASE) {
		ia->state = IA_FREE;	/* else freed when the Release is done */
	}
	if (res != ODM_DHCP6_OK)
		count(c, ODM_DHCP6_N_FAILED);
	if (res == ODM_DHCP6_REFUSED) {
		l.plen = ia->unsafe_plen;
		memcpy(l.prefix, ia->unsafe_prefix, sizeof(l.prefix));
		l.untyped = ia->unsafe_untyped;
	}
	c->cb(c->ctx, ODM_DHCP6_ACQUIRED, res, &l);
}

static void lost(struct odm_dhcp6 *c, struct ia *ia)
{
	struct odm_lease l = ia->lease;

	ia->state = IA_FREE;
	save(c);
	count(c, ODM_DHCP6_N_LOST);
	c->cb(c->ctx, ODM_DHCP6_LOST, ODM_DHCP6_OK, &l);
}

static void go_request(struct odm_dhcp6 *c, struct ia *ia, __u64 now)
{
	xmit_start(c, ia, IA_REQUEST, DHCP6_REQUEST, &dhcp6_rt_request, NEVER, now);
}

/* Note a refused offer; the last one is what the log names. */
static void refuse(struct ia *ia, const __u32 net[4], __u8 plen, bool untyped)
{
	ia->saw_unsafe = true;
	ia->nrefused++;
	ia->unsafe_plen = plen;
	ia->unsafe_untyped = untyped;
	memcpy(ia->unsafe_prefix, net, sizeof(ia->unsafe_prefix));
}

/*
 * A usable prefix of our IA_PD: valid lifetime left, one a host may take
 * (section 7: the network is not trusted), and (when given) the one held.
 * A new one must also carry the type asked (RFC 8653 5.1, 5.3: exact type
 * or error) unless the operator allows untyped grants of the type; a held
 * one was typed when granted, and a renewal only extends it.  Prefixes
 * are compared and kept with their host bits cleared.
 */
static const struct odm_dhcp6_prefix *usable(const struct odm_dhcp6 *c, struct ia *ia,
					     const struct odm_dhcp6_in *in,
					     const struct odm_lease *held)
{
	bool untyped_ok = c->untyped & 1u << ia->lease.type;
	int want = odm_dhcp6_type_to_wire(ia->lease.type);
	unsigned int i;

	for (i = 0; i < in->ia.nprefix; i++) {
		const struct odm_dhcp6_prefix *p = &in->ia.prefix[i];
		__u32 net[4];
		int typed;

		if (p->has_status && p->status != DHCP6_ST_SUCCESS)
			continue;
		odm_prefix_mask(net, p->prefix, p->plen);
		if (held && (p->plen != held->plen || memcmp(net, held->prefix, 16)))
			continue;
		if (!held && !p->valid_lft)
			continue;
		if (odm_prefix_unsafe(p->prefix, p->plen)) {
			refuse(ia, net, p->plen, false);
			continue;
		}
		if (held)
			return p;
		/* Before accept(): it is cheap, and needs no netlink dump. */
		typed = odm_dhcp6_prefix_typed(in, p, want, untyped_ok);
		if (typed == -ENODATA) {
			refuse(ia, net, p->plen, true);
			continue;
		}
		if (typed)
			continue;	/* another type: the parser drops those already */
		if (c->accept && !c->accept(c->ctx, net, p->plen)) {
			refuse(ia, net, p->plen, false);
			continue;
		}
		return p;
	}
	return NULL;
}

/*
 * The server does not offer the type: NoPrefixAvail at top level or in
 * our IA, or an IA whose every prefix the parser dropped (another type,
 * preferred > valid).
 */
static bool says_no_prefix(const struct odm_dhcp6_in *in)
{
	return (in->has_status && in->status == DHCP6_ST_NOPREFIXAVAIL) ||
	       (in->has_ia && in->ia.has_status && in->ia.status == DHCP6_ST_NOPREFIXAVAIL) ||
	       (in->has_ia && !in->ia.nprefix && in->ia.discarded);
}

/*
 * Why an acquisition without a usable offer ended.  An unsafe offer wins
 * over a refusal: something on the link hands out what no host should take.
 */
static enum odm_dhcp6_result no_offer(const struct ia *ia)
{
	if (ia->saw_unsafe)
		return ODM_DHCP6_REFUSED;
	return ia->saw_refusal ? ODM_DHCP6_NOT_OFFERED : ODM_DHCP6_FAILED;
}

static void grant(struct ia *ia, const struct odm_dhcp6_in *in, const struct odm_dhcp6_prefix *p,
		  __u64 now)
{
	struct odm_lease *l = &ia->lease;

	l->plen = p->plen;
	odm_prefix_mask(l->prefix, p->prefix, p->plen);
	l->preferred_lft = p->preferred_lft;
	l->valid_lft = p->valid_lft;
	l->t1 = in->ia.t1;
	l->t2 = in->ia.t2;
	l->obtained_ns = now;
	schedule(ia, now, 0);
}

static void on_advertise(struct odm_dhcp6 *c, struct ia *ia, const struct odm_dhcp6_in *in,
			 __u64 now)
{
	const struct odm_dhcp6_prefix *p = NULL;
	bool window_over = ia->x.count > 1;

	/*
	 * RFC 8415 18.2.9: an Advertise without prefixes is ignored.  Only an
	 * explicit NoPrefixAvail counts as the server's "no"; one that says
	 * nothing about our IA, or offers only unsafe prefixes, is noted so
	 * the acquisition can end early with the right result.
	 */
	if (!(in->has_status && in->status != DHCP6_ST_SUCCESS) && in->has_ia &&
	    !(in->ia.has_status && in->ia.status != DHCP6_ST_SUCCESS))
		p = usable(c, ia, in, NULL);
	if (!p) {
		if (says_no_prefix(in))
			ia->saw_refusal = true;
		if (window_over && !ia->have_adv && (ia->saw_refusal || ia->saw_unsafe))
			finish(c, ia, no_offer(ia));
		return;
	}
	if (!ia->have_adv || in->preference > ia->adv_pref) {
		ia->have_adv = true;
		ia->adv_pref = in->preference;
		ia->server = in->server_id;
		ia->adv_plen = p->plen;
		odm_prefix_mask(ia->adv_prefix, p->prefix, p->plen);
	}
	/* 255 wins at once; after the first RT the first Advertise wins. */
	if (in->preference == 255 || window_over)
		go_request(c, ia, now);
}

static void on_request_reply(struct odm_dhcp6 *c, struct ia *ia, const struct odm_dhcp6_in *in,
			     __u64 now)
{
	const struct odm_dhcp6_prefix *p;
	unsigned int refused;

	if (in->has_status && in->status != DHCP6_ST_SUCCESS) {
		/* UnspecFail may be transient: let retransmission try again. */
		if (in->status == DHCP6_ST_UNSPECFAIL || in->status == DHCP6_ST_USEMULTICAST)
			return;
		finish(c, ia, in->status == DHCP6_ST_NOPREFIXAVAIL ? ODM_DHCP6_NOT_OFFERED :
			      ODM_DHCP6_FAILED);
		return;
	}
	/*
	 * A Reply that says nothing about our IA is not an answer to our
	 * Request (a stray, or forged by someone who saw the xid): wait for
	 * the real one until retransmission gives up.
	 */
	if (!in->has_ia)
		return;
	if (in->ia.has_status && in->ia.status != DHCP6_ST_SUCCESS) {
		finish(c, ia, in->ia.status == DHCP6_ST_NOPREFIXAVAIL ? ODM_DHCP6_NOT_OFFERED :
			      ODM_DHCP6_FAILED);
		return;
	}
	refused = ia->nrefused;
	p = usable(c, ia, in, NULL);
	if (!p) {
		/*
		 * A bait and switch (a safe Advertise, an unsafe Reply) ends
		 * here too.  The server bound what we refuse to our IA: give it
		 * back rather than leave it bound, unused, until it expires.
		 */
		if (ia->nrefused != refused) {
			ia->server = in->server_id;
			ia->lease.plen = ia->unsafe_plen;
			memcpy(ia->lease.prefix, ia->unsafe_prefix, sizeof(ia->lease.prefix));
			xmit_start(c, ia, IA_RELEASE, DHCP6_RELEASE, &dhcp6_rt_release, NEVER, now);
		}
		finish(c, ia, ia->saw_unsafe ? ODM_DHCP6_REFUSED : ODM_DHCP6_NOT_OFFERED);
		return;
	}
	ia->server = in->server_id;
	ia->lease.untyped = odm_dhcp6_prefix_type(in, p) < 0;
	grant(ia, in, p, now);
	finish(c, ia, ODM_DHCP6_OK);
}

/*
 * A Renew or Rebind Reply that does not extend our prefix but binds
 * another one to our IA: RFC 8415 18.3.4/18.3.5 let a server do so (Kea
 * does, answering a Rebind on a link where our prefix is not appropriate:
 * the old prefix with lifetimes 0, a new one beside it), and 18.2.10.1 has
 * the client take the new lease.  The IA moves to the new prefix: REPLACED
 * for it, then LOST for the old one.  A new prefix we refuse (unsafe,
 * taken, untyped) is Released rather than left bound at the server, unused,
 * until it expires.  False when the Reply brings no new prefix.
 */
static bool replaced(struct odm_dhcp6 *c, struct ia *ia, const struct odm_dhcp6_in *in, __u64 now)
{
	unsigned int refused = ia->nrefused;
	const struct odm_dhcp6_prefix *p = usable(c, ia, in, NULL);
	struct odm_lease old = ia->lease, nl;

	if (!p && ia->nrefused == refused)
		return false;
	ia->server = in->server_id;
	if (!p) {
		ia->lease.plen = ia->unsafe_plen;
		memcpy(ia->lease.prefix, ia->unsafe_prefix, sizeof(ia->lease.prefix));
		xmit_start(c, ia, IA_RELEASE, DHCP6_RELEASE, &dhcp6_rt_release, NEVER, now);
		save(c);
		c->cb(c->ctx, ODM_DHCP6_LOST, ODM_DHCP6_OK, &old);
		return true;
	}
	ia->lease.untyped = odm_dhcp6_prefix_type(in, p) < 0;
	memset(ia->lease.addr, 0, sizeof(ia->lease.addr));
	grant(ia, in, p, now);
	ia->state = IA_BOUND;
	save(c);
	/* Copies: a callback may acquire, and so move c->ias. */
	nl = ia->lease;
	c->cb(c->ctx, ODM_DHCP6_REPLACED, ODM_DHCP6_OK, &nl);
	c->cb(c->ctx, ODM_DHCP6_LOST, ODM_DHCP6_OK, &old);
	return true;
}

static void on_renew_reply(struct odm_dhcp6 *c, struct ia *ia, const struct odm_dhcp6_in *in,
			   __u64 now)
{
	const struct odm_dhcp6_prefix *p;
	struct odm_lease l;

	if (in->has_status && in->status != DHCP6_ST_SUCCESS)
		return;			/* retransmit until T2 / the valid lifetime */
	if (!in->has_ia)
		return;
	/*
	 * NoBinding would call for a Request (RFC 8415 18.2.10.1); a server
	 * that forgot us or no longer offers the type is treated as having
	 * taken the prefix back, and odmd asks anew when it needs one.
	 */
	if (in->ia.has_status && (in->ia.status == DHCP6_ST_NOBINDING ||
				  in->ia.status == DHCP6_ST_NOPREFIXAVAIL)) {
		lost(c, ia);
		return;
	}
	p = usable(c, ia, in, &ia->lease);
	if ((!p || !p->valid_lft) && replaced(c, ia, in, now))
		return;
	if (!p)
		return;			/* says nothing about our prefix: keep trying */
	if (!p->valid_lft) {
		lost(c, ia);
		return;
	}
	ia->server = in->server_id;	/* after Rebind, possibly another server */
	grant(ia, in, p, now);
	ia->state = IA_BOUND;
	save(c);
	l = ia->lease;
	c->cb(c->ctx, ODM_DHCP6_RENEWED, ODM_DHCP6_OK, &l);
}

static void on_packet(struct odm_dhcp6 *c, const __u8 *buf, size_t n, __u64 now)
{
	struct odm_dhcp6_in in;
	__u32 xid;
	size_t i;

	if (n < 4)
		return;
	xid = (__u32)buf[1] << 16 | (__u32)buf[2] << 8 | buf[3];
	for (i = 0; i < c->nias; i++) {
		struct ia *ia = &c->ias[i];
		struct odm_dhcp6_expect ex = {
			.xid = xid, .client_id = &c->duid, .iaid = ia->lease.iaid,
			.cont_code = c->code,
			.cont_type = odm_dhcp6_type_to_wire(ia->lease.type),
		};

		if (ia->state == IA_FREE || ia->state == IA_BOUND || ia->x.xid != xid)
			continue;
		if (odm_dhcp6_parse(buf, n, &ex, &in))
			return;		/* not ours, or malformed: dropped */
		if (in.msg_type == DHCP6_ADVERTISE || in.msg_type == DHCP6_REPLY)
			count(c, in.msg_type == DHCP6_REPLY ? ODM_DHCP6_N_REPLY :
				 ODM_DHCP6_N_ADVERTISE);
		switch (ia->state) {
		case IA_SOLICIT:
			if (in.msg_type == DHCP6_ADVERTISE)
				on_advertise(c, ia, &in, now);
			break;
		case IA_REQUEST:
			if (in.msg_type == DHCP6_REPLY)
				on_request_reply(c, ia, &in, now);
			break;
		case IA_RENEW:
		case IA_REBIND:
			if (in.msg_type == DHCP6_REPLY)
				on_renew_reply(c, ia, &in, now);
			break;
		case IA_RELEASE:
			if (in.msg_type == DHCP6_REPLY)
				ia->state = IA_FREE;	/* whatever the status: we are done */
			break;
		default:
			break;
		}
		return;
	}
}

/* ---- timers ------------------------------------------------------------------ */

static void ia_timers(struct odm_dhcp6 *c, struct ia *ia, __u64 now)
{
	switch (ia->state) {
	case IA_SOLICIT:
		if (now >= ia->deadline_ns) {
			finish(c, ia, no_offer(ia));
		} else if (now >= ia->x.next_ns) {
			/* The first RT is over: choose among what was advertised. */
			if (ia->have_adv)
				go_request(c, ia, now);
			else if (ia->saw_refusal || ia->saw_unsafe)
				finish(c, ia, no_offer(ia));
			else
				xmit_again(c, ia, now);
		}
		break;
	case IA_REQUEST:
		if (now >= ia->deadline_ns)
			finish(c, ia, ODM_DHCP6_FAILED);
		else if (now >= ia->x.next_ns && !xmit_again(c, ia, now))
			finish(c, ia, ODM_DHCP6_FAILED);
		break;
	case IA_BOUND:
		if (now >= ia->expire_ns)
			lost(c, ia);
		else if (now >= ia->t2_ns)
			xmit_start(c, ia, IA_REBIND, DHCP6_REBIND, &dhcp6_rt_rebind, ia->expire_ns,
				   now);
		else if (now >= ia->t1_ns)
			xmit_start(c, ia, IA_RENEW, DHCP6_RENEW, &dhcp6_rt_renew, ia->t2_ns, now);
		break;
	case IA_RENEW:
		if (now >= ia->expire_ns)
			lost(c, ia);
		else if (now >= ia->t2_ns)
			xmit_start(c, ia, IA_REBIND, DHCP6_REBIND, &dhcp6_rt_rebind, ia->expire_ns,
				   now);
		else if (now >= ia->x.next_ns)
			xmit_again(c, ia, now);
		break;
	case IA_REBIND:
		if (now >= ia->expire_ns)
			lost(c, ia);
		else if (now >= ia->x.next_ns)
			xmit_again(c, ia, now);
		break;
	case IA_RELEASE:
		if (now >= ia->x.next_ns && !xmit_again(c, ia, now))
			ia->state = IA_FREE;	/* REL_MAX_RC: give up quietly */
		break;
	case IA_FREE:
		break;
	}
}

static __u64 ia_next(const struct ia *ia)
{
	switch (ia->state) {
	case IA_SOLICIT:
	case IA_REQUEST:
		return min_ns(ia->deadline_ns, ia->x.next_ns);
	case IA_BOUND:
		return min_ns(ia->expire_ns, min_ns(ia->t1_ns, ia->t2_ns));
	case IA_RENEW:
		return min_ns(ia->expire_ns, min_ns(ia->t2_ns, ia->x.next_ns));
	case IA_REBIND:
		return min_ns(ia->expire_ns, ia->x.next_ns);
	case IA_RELEASE:
		return ia->x.next_ns;
	case IA_FREE:
		break;
	}
	return NEVER;
}

/* ---- API -------------------------------------------------------------------- */

static int make_duid(struct odm_dhcp6 *c, const char *ifname)
{
	struct ifreq ifr = { 0 };
	__u8 uuid[16];
	char id[40];
	FILE *f;
	int i;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
		const __u8 *mac = (const __u8 *)ifr.ifr_hwaddr.sa_data;

		for (i = 0; i < 6; i++)
			if (mac[i])
				return odm_dhcp6_duid_ll(&c->duid, ARPHRD_ETHER, mac, 6);
	}
	f = fopen("/etc/machine-id", "re");
	if (!f)
		return -ENODEV;
	i = fscanf(f, "%32s", id);
	fclose(f);
	if (i != 1 || strlen(id) != 32)
		return -ENODEV;
	for (i = 0; i < 16; i++) {
		unsigned int b;

		if (sscanf(id + 2 * i, "%2x", &b) != 1)
			return -ENODEV;
		uuid[i] = b;
	}
	odm_dhcp6_duid_uuid(&c->duid, uuid);
	return 0;
}

static int open_socket(struct odm_dhcp6 *c, const char *ifname)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(DHCP6_CLIENT_PORT),
	};
	int one = 1, hops = 1, zero = 0, ifi = c->ifindex;

	c->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	/*
	 * [::]:546 tied to the interface: servers answer our link-local
	 * address, and several odmd instances may serve several interfaces.
	 */
	if (setsockopt(c->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) ||
	    setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifi, sizeof(ifi)) ||
	    setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

struct odm_dhcp6 *odm_dhcp6_new(const struct odm_dhcp6_opts *opts, odm_dhcp6_cb cb, void *ctx)
{
	struct odm_dhcp6_opts o = { 0 };
	char ifname[IF_NAMESIZE];
	struct odm_dhcp6 *c;
	int err;

	if (!opts || !cb || opts->sz < offsetof(struct odm_dhcp6_opts, lease_file)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!o.ifindex) {
		errno = EINVAL;
		return NULL;
	}
	if (!if_indextoname(o.ifindex, ifname))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = -1;
	c->ifindex = o.ifindex;
	c->code = o.option_code ? o.option_code : ODM_DHCP6_OPT_CONTINUITY_DEFAULT;
	c->max_rt_ms = o.max_rt_ms;
	c->accept = o.accept;
	c->count = o.count;
	c->untyped = o.untyped;
	c->timeout_ms = o.request_timeout_ms ? o.request_timeout_ms : DEFAULT_TIMEOUT_MS;
	c->cb = cb;
	c->ctx = ctx;
	c->next_iaid = 1;
	if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng))
		c->rng = odm_boottime_ns() ^ (__u64)getpid() << 32;
	c->rng |= 1;			/* xorshift must not start at 0 */
	if (o.lease_file) {
		c->lease_file = strdup(o.lease_file);
		if (!c->lease_file) {
			err = -ENOMEM;
			goto err_free;
		}
	}
	err = open_socket(c, ifname);
	if (!err)
		err = make_duid(c, ifname);
	if (err)
		goto err_free;
	restore_leases(c);
	return c;

err_free:
	odm_dhcp6_free(c);
	errno = -err;
	return NULL;
}

void odm_dhcp6_free(struct odm_dhcp6 *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->lease_file);
	free(c->ias);
	free(c);
}

int odm_dhcp6_fd(const struct odm_dhcp6 *c)
{
	return c->fd;
}

int odm_dhcp6_timeout_ms(const struct odm_dhcp6 *c)
{
	__u64 next = NEVER, now;
	size_t i;

	for (i = 0; i < c->nias; i++)
		next = min_ns(next, ia_next(&c->ias[i]));
	if (next == NEVER)
		return -1;
	now = odm_boottime_ns();
	if (next <= now)
		return 0;
	/* Round up: waking a little late is harmless, early means a busy loop. */
	next = (next - now + NS_PER_MS - 1) / NS_PER_MS;
	return next > INT_MAX ? INT_MAX : (int)next;
}

void odm_dhcp6_process(struct odm_dhcp6 *c)
{
	__u8 buf[DHCP6_MSG_MAX + 1];
	struct sockaddr_in6 from;
	socklen_t flen;
	ssize_t n;
	size_t i;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(c->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			break;
		/* Servers answer from port 547; anything else is not a server. */
		if (flen < sizeof(from) || from.sin6_port != htons(DHCP6_SERVER_PORT) ||
		    (size_t)n > DHCP6_MSG_MAX)
			continue;
		on_packet(c, buf, n, odm_boottime_ns());
	}
	/* By index: a callback may acquire and so move c->ias. */
	for (i = 0; i < c->nias; i++)
		ia_timers(c, &c->ias[i], odm_boottime_ns());
}

int odm_dhcp6_acquire(struct odm_dhcp6 *c, __u8 type)
{
	__u64 now = odm_boottime_ns();
	struct ia *ia;
	size_t i;
	__u32 iaid;

	if (type == ODM_TYPE_NONE || type > ODM_TYPE_MAX)
		return -EINVAL;
	/* IAIDs are unique among everything we hold; INT_MAX keeps the return positive. */
again:
	iaid = c->next_iaid++;
	if (!iaid || iaid > INT_MAX) {
		c->next_iaid = 1;
		goto again;
	}
	for (i = 0; i < c->nias; i++)
		if (c->ias[i].state != IA_FREE && c->ias[i].lease.iaid == iaid)
			goto again;
	ia = ia_alloc(c);
	if (!ia)
		return -ENOMEM;
	memset(ia, 0, sizeof(*ia));
	ia->lease.iaid = iaid;
	ia->lease.type = type;
	ia->deadline_ns = now + (__u64)c->timeout_ms * NS_PER_MS;
	xmit_start(c, ia, IA_SOLICIT, DHCP6_SOLICIT, &dhcp6_rt_solicit, NEVER, now);
	return (int)iaid;
}

/*
 * Rebind, not Confirm: Confirm (18.2.3) asks whether addresses are still
 * appropriate to the link and says nothing of delegated prefixes; for an
 * IA_PD, 18.2.12 has the client Rebind, which any server on the link may
 * answer, and which extends the lease where Confirm would only judge it.
 */
int odm_dhcp6_rebind(struct odm_dhcp6 *c)
{
	__u64 now = odm_boottime_ns();
	size_t i;
	int n = 0;

	for (i = 0; i < c->nias; i++) {
		struct ia *ia = &c->ias[i];

		if (!bound(ia) || now >= ia->expire_ns)
			continue;
		xmit_start(c, ia, IA_REBIND, DHCP6_REBIND, &dhcp6_rt_rebind, ia->expire_ns, now);
		n++;
	}
	return n;
}

bool odm_dhcp6_rebinding(const struct odm_dhcp6 *c, __u8 type)
{
	size_t i;

	for (i = 0; i < c->nias; i++)
		if (c->ias[i].state == IA_REBIND && c->ias[i].lease.type == type)
			return true;
	return false;
}

void odm_dhcp6_forget(struct odm_dhcp6 *c)
{
	size_t i;

	for (i = 0; i < c->nias; i++)
		c->ias[i].state = IA_FREE;
	save(c);
}

int odm_dhcp6_release(struct odm_dhcp6 *c, __u32 iaid)
{
	size_t i;

	for (i = 0; i < c->nias; i++) {
		struct ia *ia = &c->ias[i];

		if (ia->state == IA_FREE || ia->lease.iaid != iaid)
			continue;
		if (!bound(ia))
			return -EBUSY;	/* still being acquired, or already released */
		xmit_start(c, ia, IA_RELEASE, DHCP6_RELEASE, &dhcp6_rt_release, NEVER,
			   odm_boottime_ns());
		save(c);		/* forgotten now, whatever the server says */
		return 0;
	}
	return -ENOENT;
}

int odm_dhcp6_set_addr(struct odm_dhcp6 *c, __u32 iaid, const __u32 addr[4])
{
	size_t i;

	for (i = 0; i < c->nias; i++) {
		struct ia *ia = &c->ias[i];

		if (!bound(ia) || ia->lease.iaid != iaid)
			continue;
		if (memcmp(ia->lease.addr, addr, sizeof(ia->lease.addr))) {
			memcpy(ia->lease.addr, addr, sizeof(ia->lease.addr));
			save(c);
		}
		return 0;
	}
	return -ENOENT;
}

void odm_dhcp6_foreach(const struct odm_dhcp6 *c,
		       void (*fn)(void *arg, const struct odm_lease *lease), void *arg)
{
	size_t i;

	for (i = 0; i < c->nias; i++)
		if (bound(&c->ias[i]))
			fn(arg, &c->ias[i].lease);
}
