// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ra.c - odmd's router-advertisement listener (loader/ra.h).
 *
 * The kernel keeps doing SLAAC on its own; odmd only listens beside it on a
 * raw ICMPv6 socket to learn the type a router marks on each prefix, and
 * lets odm_sync_kernel() find the address the kernel made from it.  At
 * start it solicits every link once, so a host that attached before odmd
 * started learns its types now rather than at the next periodic RA (up to
 * MaxRtrAdvInterval, 600 s by default).
 */
#include <errno.h>
#include <stdint.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>

#include "ra.h"
#include "ra_wire.h"
#include "log.h"

/* RFC 4861 6.1.2: ND messages are never forwarded, so they arrive with 255. */
#define ND_HOP_LIMIT	255
/* Large enough for any RA on any link (an IPv6 payload is at most 64 KiB). */
#define RA_BUF_LEN	65536

/* RA-typed prefixes odmd follows the valid lifetime of (RFC 4861 6.3.4:
 * a prefix the router stops advertising expires); more are typed by the
 * next RA only once one expires. */
#define RA_MAX_TRACKED	256

struct ra_tracked {
	struct odm_prefix_key key;	/* prefixlen 0: free slot */
	__u64 expire_ns;		/* CLOCK_BOOTTIME; NEVER: infinite */
};

#define NEVER	UINT64_MAX

struct odm_ra {
	struct odm_maps *maps;
	int fd;
	struct ra_tracked tracked[RA_MAX_TRACKED];
	/* The prefixes already in the map when odmd started (a restart)
	 * are tracked from their stored lifetimes at the first expiry check. */
	bool adopted;
	/* When refused PIOs were last logged: a router repeating them every
	 * few seconds gets them logged once a minute (all of that second's). */
	time_t refused_logged;
	__u8 buf[RA_BUF_LEN];
};

/* Name of an interface for messages; prefixes with ifindex 0 are on "any". */
static const char *ifname(unsigned int ifindex, char *buf)
{
	if (!ifindex)
		return strcpy(buf, "any");
	return odm_ifname(ifindex, buf);
}

/* ---- applying one RA to the maps ----------------------------------------- */

/* The slot of key, or a free one (NULL when neither). */
static struct ra_tracked *tracked_slot(struct odm_ra *ra, const struct odm_prefix_key *key)
{
	struct ra_tracked *free_slot = NULL;
	size_t i;

	for (i = 0; i < RA_MAX_TRACKED; i++) {
		struct ra_tracked *t = &ra->tracked[i];

		if (t->key.prefixlen && !memcmp(&t->key, key, sizeof(*key)))
			return t;
		if (!t->key.prefixlen && !free_slot)
			free_slot = t;
	}
	return free_slot;
}

/* The prefix's type lasts valid_s seconds from now unless an RA renews it. */
static bool track(struct odm_ra *ra, const struct odm_prefix_key *key, __u32 valid_s)
{
	struct ra_tracked *t = tracked_slot(ra, key);

	if (!t)
		return false;
	t->key = *key;
	t->expire_ns = valid_s == 0xffffffff ? NEVER :
		       odm_boottime_ns() + (__u64)valid_s * 1000000000ull;
	return true;
}

static void untrack(struct odm_ra *ra, const struct odm_prefix_key *key)
{
	struct ra_tracked *t = tracked_slot(ra, key);

	if (t && t->key.prefixlen && !memcmp(&t->key, key, sizeof(*key)))
		memset(t, 0, sizeof(*t));
}

static int overlap_cb(const struct odm_prefix_key *k, const struct odm_prefix *v, void *ctx)
{
	(void)v;
	return odm_prefix_overlap(k, ctx) ? -EEXIST : 0;
}

/* Prefixes typed by the operator or leased by DHCPv6 are not the RA's to change. */
static bool ra_may_change(const struct odm_prefix *val)
{
	return val->source == ODM_SRC_RA;
}

/*
 * One PIO, with the lock held.  Returns 1 when the prefix was added,
 * retyped, moved or withdrawn (the host address must be found again), 0
 * otherwise, or -errno.
 */
static int pio_apply(struct odm_ra *ra, const struct odm_ra_pio *pio, unsigned int ifindex)
{
	struct odm_maps *m = ra->maps;
	struct odm_prefix_key key = { .prefixlen = pio->plen };
	char pbuf[ODM_PREFIX_STRLEN], ibuf[IF_NAMESIZE], obuf[IF_NAMESIZE];
	struct odm_prefix old, nv;
	const char *why;
	bool have;
	int err;

	memcpy(&key.prefix, pio->prefix, sizeof(key.prefix));
	/* The trie answers with the longest match: only an equal key is this
	 * prefix (a covering one is the overlap rule's below). */
	have = odm_prefix_get(m, &key, &old) == 0 && old.plen == pio->plen;
	if (have && !ra_may_change(&old))
		return 0;
	/* A withdrawal need not repeat the mark: any PIO with valid 0 withdraws. */
	if (!pio->valid_lft) {
		if (!have)
			return 0;
		untrack(ra, &key);
		err = odm_prefix_del(m, &key);
		if (err)
			return err == -ENOENT ? 0 : err;
		log_info("ra: prefix %s type %s withdrawn on %s", odm_prefix_str(&key, pbuf),
			 odm_type_name(old.type), ifname(ifindex, ibuf));
		return 1;
	}
	/*
	 * Unmarked and reserved SrvTp leave the prefix untyped (or as the RA
	 * last typed it); link-local prefixes are never autoconfigured
	 * (RFC 4862 5.5.3 b).  The A flag is not required: the host may hold
	 * an address in the prefix by other means (DHCPv6 IA_NA, static).
	 */
	if (pio->type == ODM_TYPE_NONE || (pio->prefix[0] & htonl(0xffc00000)) == htonl(0xfe800000))
		return 0;
	/* Section 7: the same rule as for delegated prefixes (multicast, ::/64, ...). */
	why = odm_prefix_unsafe(pio->prefix, pio->plen);
	/*
	 * And the overlap rule: a new RA prefix may not cover or lie inside
	 * one the host types already (a /64 inside the operator's Fixed /48
	 * would hand its type to the Fixed address by longest match).
	 */
	if (!why && !have && odm_prefix_foreach(m, overlap_cb, &key) == -EEXIST)
		why = "overlaps a prefix the host types";
	if (!why && !have && !tracked_slot(ra, &key))
		why = "too many prefixes typed by router advertisements";
	if (why) {
		time_t now = time(NULL);

		if (now - ra->refused_logged >= 60)
			ra->refused_logged = now;
		if (now == ra->refused_logged)
			log_warn("ra: prefix %s on %s refused: %s", odm_prefix_str(&key, pbuf),
				 ifname(ifindex, ibuf), why);
		return 0;
	}

	memset(&nv, 0, sizeof(nv));
	if (have && old.type == pio->type && old.ifindex == ifindex)
		nv = old;	/* a refresh: keep the host address and since_ns */
	nv.type = pio->type;
	nv.source = ODM_SRC_RA;
	nv.ifindex = ifindex;
	nv.plen = pio->plen;
	/* Once the host has an address, sync.c keeps the kernel's lifetimes of
	 * it, which are what the host may rely on; until then, the router's. */
	if (nv.state == ODM_PS_NOADDR) {
		nv.valid_lft = pio->valid_lft;
		nv.preferred_lft = pio->preferred_lft;
	}
	/* Every RA renews the type's lifetime, whether the entry changes or not
	 * (a slot was checked for above). */
	track(ra, &key, pio->valid_lft);
	if (have && !memcmp(&nv, &old, sizeof(nv)))
		return 0;
	err = odm_prefix_put(m, &key, &nv);
	if (err)
		return err;
	if (!have)
		log_info("ra: prefix %s type %s on %s", odm_prefix_str(&key, pbuf),
			 odm_type_name(nv.type), ifname(ifindex, ibuf));
	else if (old.type != nv.type || old.ifindex != nv.ifindex)
		log_info("ra: prefix %s type %s on %s (was %s on %s)", odm_prefix_str(&key, pbuf),
			 odm_type_name(nv.type), ifname(ifindex, ibuf), odm_type_name(old.type),
			 ifname(old.ifindex, obuf));
	else
		return 0;	/* lifetimes only: nothing for sync to find */
	return 1;
}

/* Every PIO of one RA under one lock; the number of prefixes changed. */
static int ra_apply(struct odm_ra *ra, const struct odm_ra_msg *msg, unsigned int ifindex)
{
	unsigned int i;
	int err, n = 0;

	err = odm_maps_lock(ra->maps);
	if (err)
		return err;
	for (i = 0; i < msg->npio; i++) {
		err = pio_apply(ra, &msg->pio[i], ifindex);
		if (err < 0)
			break;
		n += err;
	}
	odm_maps_unlock(ra->maps);
	return err < 0 ? err : n;
}

/* A prefix typed by an earlier odmd: its stored lifetime, from now. */
static int adopt_cb(const struct odm_prefix_key *k, const struct odm_prefix *v, void *arg)
{
	struct odm_ra *ra = arg;
	struct ra_tracked *t;

	if (v->source != ODM_SRC_RA)
		return 0;
	t = tracked_slot(ra, k);
	if (t && !t->key.prefixlen)
		track(ra, k, v->valid_lft);
	return 0;
}

/* Collects the tracked prefixes whose type is over. */
struct expired {
	struct odm_prefix_key keys[RA_MAX_TRACKED];
	size_t n;
};

int odm_ra_expire(struct odm_ra *ra)
{
	char pbuf[ODM_PREFIX_STRLEN];
	__u64 now = odm_boottime_ns();
	struct odm_prefix val;
	struct expired ex;
	size_t i;
	int err, n = 0;

	if (!ra->adopted) {
		ra->adopted = true;
		odm_prefix_foreach(ra->maps, adopt_cb, ra);
	}
	ex.n = 0;
	for (i = 0; i < RA_MAX_TRACKED; i++) {
		struct ra_tracked *t = &ra->tracked[i];

		if (t->key.prefixlen && t->expire_ns != NEVER && now >= t->expire_ns) {
			ex.keys[ex.n++] = t->key;
			memset(t, 0, sizeof(*t));
		}
	}
	if (!ex.n)
		return 0;
	err = odm_maps_lock(ra->maps);
	if (err)
		return err;
	for (i = 0; i < ex.n; i++) {
		/* The operator or DHCPv6 may have taken the prefix over since. */
		if (odm_prefix_get(ra->maps, &ex.keys[i], &val) || !ra_may_change(&val) ||
		    odm_prefix_del(ra->maps, &ex.keys[i]))
			continue;
		log_info("ra: prefix %s type %s expired (no RA within its valid lifetime)",
			 odm_prefix_str(&ex.keys[i], pbuf), odm_type_name(val.type));
		n++;
	}
	odm_maps_unlock(ra->maps);
	if (n && (err = odm_sync_kernel(ra->maps)) < 0)
		logmsg("ra: cannot sync with the kernel's addresses: %s", strerror(-err));
	return n;
}

/* ---- the socket ------------------------------------------------------------ */

/* Ancillary data: the interface (pktinfo) and the hop limit the RA came with. */
static void read_cmsgs(struct msghdr *mh, unsigned int *ifindex, int *hops)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = pi.ipi6_ifindex;
		} else if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(hops, CMSG_DATA(c), sizeof(*hops));
		}
	}
}

/*
 * One queued datagram: 1 when it changed the maps, 0 when not (or ignored),
 * -EAGAIN when the queue is empty, another -errno on a read error.
 */
static int ra_read_one(struct odm_ra *ra)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { .iov_base = ra->buf, .iov_len = sizeof(ra->buf) };
	struct sockaddr_in6 src;
	struct msghdr mh = {
		.msg_name = &src, .msg_namelen = sizeof(src),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	char abuf[INET6_ADDRSTRLEN], ibuf[IF_NAMESIZE];
	struct odm_ra_msg msg;
	unsigned int ifindex = 0;
	int hops = -1, err;
	ssize_t n;

	n = recvmsg(ra->fd, &mh, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || mh.msg_namelen < sizeof(src))
		return 0;
	read_cmsgs(&mh, &ifindex, &hops);
	inet_ntop(AF_INET6, &src.sin6_addr, abuf, sizeof(abuf));
	/* RFC 4861 6.1.2: only a neighbour on the link may send an RA. */
	if (hops != ND_HOP_LIMIT || !IN6_IS_ADDR_LINKLOCAL(&src.sin6_addr) || !ifindex) {
		debug("ra: ignored RA from %s (hop limit %d, ifindex %u)", abuf, hops, ifindex);
		return 0;
	}
	err = odm_ra_parse(ra->buf, (size_t)n, &msg);
	if (err) {
		debug("ra: invalid RA from %s on %s: %s", abuf, ifname(ifindex, ibuf),
		      strerror(-err));
		return 0;
	}
	if (msg.skipped)
		debug("ra: %u bad prefix option%s from %s skipped", msg.skipped,
		      msg.skipped == 1 ? "" : "s", abuf);
	err = ra_apply(ra, &msg, ifindex);
	if (err < 0) {
		logmsg("ra: cannot apply the RA from %s on %s: %s", abuf, ifname(ifindex, ibuf),
		       strerror(-err));
		return 0;
	}
	return err > 0;
}

void odm_ra_process(struct odm_ra *ra)
{
	bool changed = false;
	int ret, n;

	while ((ret = ra_read_one(ra)) >= 0)
		changed |= ret > 0;
	if (ret != -EAGAIN)
		logmsg("ra: reading router advertisements: %s", strerror(-ret));
	if (!changed)
		return;
	n = odm_sync_kernel(ra->maps);
	if (n < 0)
		logmsg("ra: cannot sync with the kernel's addresses: %s", strerror(-n));
}

/*
 * One Router Solicitation (RFC 4861 4.1) to all-routers on every link that
 * is up and can multicast.  Failure only delays learning until the next
 * periodic RA, so it is logged at debug level and not returned.
 */
static void solicit_all(int fd)
{
	struct nd_router_solicit rs = { .nd_rs_type = ND_ROUTER_SOLICIT };
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	struct ifaddrs *ifa, *i;
	int hops = ND_HOP_LIMIT;

	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    getifaddrs(&ifa))
		return;
	inet_pton(AF_INET6, "ff02::2", &dst.sin6_addr);
	for (i = ifa; i; i = i->ifa_next) {
		/* getifaddrs lists each link once with AF_PACKET. */
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET ||
		    (i->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_MULTICAST)) !=
		    (IFF_UP | IFF_MULTICAST))
			continue;
		dst.sin6_scope_id = if_nametoindex(i->ifa_name);
		if (dst.sin6_scope_id &&
		    sendto(fd, &rs, sizeof(rs), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			debug("ra: cannot solicit routers on %s: %s", i->ifa_name, strerror(errno));
	}
	freeifaddrs(ifa);
}

struct odm_ra *odm_ra_new(struct odm_maps *maps)
{
	struct icmp6_filter filt;
	struct odm_ra *ra;
	int one = 1, err;

	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return NULL;
	ra->maps = maps;
	ra->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (ra->fd < 0)
		goto err_free;
	/* Only RAs are queued: every other ICMPv6 message would be copied to us too. */
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filt);
	if (setsockopt(ra->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) ||
	    setsockopt(ra->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
	    setsockopt(ra->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)))
		goto err_close;
	solicit_all(ra->fd);
	return ra;

err_close:
	err = errno;
	close(ra->fd);
	errno = err;
err_free:
	err = errno;
	free(ra);
	errno = err;
	return NULL;
}

void odm_ra_free(struct odm_ra *ra)
{
	if (!ra)
		return;
	close(ra->fd);
	free(ra);
}

int odm_ra_fd(const struct odm_ra *ra)
{
	return ra->fd;
}
