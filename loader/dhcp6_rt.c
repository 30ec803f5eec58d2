// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dhcp6_rt.c - when the DHCPv6 client sends (dhcp6_int.h): RFC 8415
 * section 15 retransmission with the section 7.6 parameters of each
 * message type.  The first RT comes from IRT, every next one doubles with
 * RAND up to MRT, and MRC or MRD ends the exchange.  Arithmetic on struct
 * dhcp6_xmit only: what is sent, and to whom, is the state machine's
 * (dhcp6.c).
 */
#include <limits.h>
#include <stdbool.h>

#include "dhcp6_int.h"

const struct dhcp6_rt_params dhcp6_rt_solicit = { 1000, 3600000, 0 };
const struct dhcp6_rt_params dhcp6_rt_request = { 1000, 30000, 10 };
const struct dhcp6_rt_params dhcp6_rt_renew = { 10000, 600000, 0 };	/* MRD: until T2 */
const struct dhcp6_rt_params dhcp6_rt_rebind = { 10000, 600000, 0 };	/* MRD: until valid ends */
const struct dhcp6_rt_params dhcp6_rt_release = { 1000, 0, 4 };	/* REL_MAX_RC */

__u64 dhcp6_rand(__u64 *state)
{
	__u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static unsigned int cap(unsigned int v, unsigned int limit)
{
	return limit && (!v || v > limit) ? limit : v;
}

/*
 * base + RAND * of (RFC 8415 section 15), RAND uniform in [-0.1, 0.1], or in
 * (0, 0.1] for the first Solicit, whose RT must exceed IRT.  Saturates.
 */
static unsigned int jitter(__u64 *rng, __u64 base, unsigned int of, bool positive)
{
	long long r = positive ? 1 + (long long)(dhcp6_rand(rng) % 1000) :
			(long long)(dhcp6_rand(rng) % 2001) - 1000;
	long long v = (long long)base + (long long)of * r / 10000;

	return v > UINT_MAX ? UINT_MAX : (unsigned int)v;
}

void dhcp6_xmit_start(struct dhcp6_xmit *x, const struct dhcp6_rt_params *p,
		      unsigned int max_rt_ms, __u64 end_ns, __u64 now, __u64 *rng)
{
	x->first_ns = now;
	x->end_ns = end_ns;
	x->p = *p;
	/* odmd's tests cap every wait, including the long Renew IRT. */
	x->p.irt = cap(x->p.irt, max_rt_ms);
	x->p.mrt = cap(x->p.mrt, max_rt_ms);
	/* RFC 8415 18.2.1 SOL_MAX_DELAY is skipped: an application is waiting. */
	x->rt_ms = jitter(rng, x->p.irt, x->p.irt, x->msg_type == DHCP6_SOLICIT);
	x->count = 1;
	x->next_ns = now + x->rt_ms * NS_PER_MS;
}

bool dhcp6_xmit_again(struct dhcp6_xmit *x, __u64 now, __u64 *rng)
{
	unsigned int rt;

	if (x->p.mrc && x->count >= x->p.mrc)
		return false;
	if (now >= x->end_ns)
		return false;
	rt = jitter(rng, 2ull * x->rt_ms, x->rt_ms, false);
	if (x->p.mrt && rt > x->p.mrt)
		rt = jitter(rng, x->p.mrt, x->p.mrt, false);
	x->rt_ms = rt;
	x->count++;
	x->next_ns = now + rt * NS_PER_MS;
	return true;
}
