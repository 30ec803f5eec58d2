// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_ra.c - the Router Advertisement parser: hand-made RAs, good and
 * hostile.  Inputs are copied into exactly-sized heap buffers so that
 * AddressSanitizer (SANITIZE=1) catches any read past the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "test.h"
#include "core.h"
#include "../../loader/ra_wire.h"	/* the Makefile has no -Iloader */

#define FOREVER 0xffffffffu

struct ra_buf {
	__u8 b[2048];
	size_t n;
};

static void put(struct ra_buf *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void put32(struct ra_buf *r, __u32 v)
{
	__u8 b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(r, b, 4);
}

/* Header: hop limit 64, M=0 O=0, router lifetime 1800, reachable 30000, retrans 1000. */
static void ra_header(struct ra_buf *r)
{
	static const __u8 hdr[8] = { 134, 0, 0, 0, 64, 0x00, 0x07, 0x08 };

	memset(r, 0, sizeof(*r));
	put(r, hdr, sizeof(hdr));
	put32(r, 30000);
	put32(r, 1000);
}

/* A PIO: flags L|A plus SrvTp in bits 4..2. */
static void ra_pio(struct ra_buf *r, const char *prefix, __u8 plen, __u8 flags, __u32 valid,
		   __u32 preferred)
{
	__u8 head[4] = { 3, 4, plen, flags };
	struct in6_addr a;

	inet_pton(AF_INET6, prefix, &a);
	put(r, head, sizeof(head));
	put32(r, valid);
	put32(r, preferred);
	put32(r, 0);			/* Reserved2 */
	put(r, &a, sizeof(a));
}

static __u8 la(unsigned int srvtp)
{
	return ODM_RA_PIO_F_ONLINK | ODM_RA_PIO_F_AUTO | (__u8)(srvtp << ODM_RA_SRVTP_SHIFT);
}

/* Source link-layer address option: 8 bytes. */
static void ra_slla(struct ra_buf *r)
{
	static const __u8 o[8] = { 1, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	put(r, o, sizeof(o));
}

/* Parse an exactly-sized heap copy of the first len bytes. */
static int parse(const struct ra_buf *r, size_t len, struct odm_ra_msg *out)
{
	__u8 *copy = malloc(len ? len : 1);
	int ret;

	INPUTS(1);
	memcpy(copy, r->b, len);
	ret = odm_ra_parse(copy, len, out);
	free(copy);
	return ret;
}

static const char *pfx(const struct odm_ra_pio *p, char *buf)
{
	struct odm_prefix_key k = { .prefixlen = p->plen };

	memcpy(&k.prefix, p->prefix, sizeof(k.prefix));
	return odm_prefix_str(&k, buf);
}

static void test_good_ra(void)
{
	char buf[ODM_PREFIX_STRLEN];
	struct odm_ra_msg ra;
	struct ra_buf r;

	ra_header(&r);
	ra_slla(&r);
	ra_pio(&r, "2001:db8:51::", 64, la(2), 7200, 3600);		/* session-lasting */
	ra_pio(&r, "2001:db8:a1::", 64, la(1), 600, 300);		/* non-persistent */
	ra_pio(&r, "2001:db8:f::", 48, la(3), FOREVER, FOREVER);	/* fixed */
	ra_pio(&r, "2001:db8:99::", 64, la(4), 100, 100);		/* graceful */
	ra_pio(&r, "2001:db8:1::", 64, la(0), 100, 50);		/* unmarked */
	if (!ASSERT_EQ(parse(&r, r.n, &ra), 0, "parse"))
		return;
	ASSERT_EQ(ra.cur_hop_limit, 64, "cur hop limit");
	ASSERT_EQ(ra.router_lifetime, 1800, "router lifetime");
	ASSERT_EQ(ra.reachable_ms, 30000, "reachable");
	ASSERT_EQ(ra.retrans_ms, 1000, "retrans");
	ASSERT_EQ(ra.skipped, 0, "nothing skipped");
	if (!ASSERT_EQ(ra.npio, 5, "five PIOs"))
		return;
	ASSERT_STREQ(pfx(&ra.pio[0], buf), "2001:db8:51::/64", "pio 0 prefix");
	ASSERT_EQ(ra.pio[0].srvtp, 2, "pio 0 srvtp");
	ASSERT_EQ(ra.pio[0].type, ODM_TYPE_SESSION_LASTING, "wire 2 -> session-lasting");
	ASSERT_EQ(ra.pio[0].valid_lft, 7200, "pio 0 valid");
	ASSERT_EQ(ra.pio[0].preferred_lft, 3600, "pio 0 preferred");
	ASSERT_TRUE(ra.pio[0].flags & ODM_RA_PIO_F_ONLINK, "L flag");
	ASSERT_TRUE(ra.pio[0].flags & ODM_RA_PIO_F_AUTO, "A flag");
	ASSERT_EQ(ra.pio[1].type, ODM_TYPE_NON_PERSISTENT, "wire 1 -> non-persistent");
	ASSERT_STREQ(pfx(&ra.pio[2], buf), "2001:db8:f::/48", "pio 2 prefix");
	ASSERT_EQ(ra.pio[2].type, ODM_TYPE_FIXED, "wire 3 -> fixed");
	ASSERT_EQ(ra.pio[2].valid_lft, FOREVER, "forever");
	ASSERT_EQ(ra.pio[3].type, ODM_TYPE_GRACEFUL, "wire 4 -> graceful");
	ASSERT_EQ(ra.pio[4].srvtp, 0, "unmarked srvtp");
	ASSERT_EQ(ra.pio[4].type, ODM_TYPE_NONE, "unmarked -> none");
}

/* Host bits are cleared; the flags byte's other bits do not leak into SrvTp. */
static void test_mask_and_bits(void)
{
	char buf[ODM_PREFIX_STRLEN];
	struct odm_ra_msg ra;
	struct ra_buf r;

	ra_header(&r);
	/* R flag and both reserved bits set around SrvTp 3. */
	ra_pio(&r, "2001:db8:1:2:3:4:5:6", 56, la(3) | ODM_RA_PIO_F_ROUTER | 0x03, 10, 5);
	if (!ASSERT_EQ(parse(&r, r.n, &ra), 0, "parse") || !ASSERT_EQ(ra.npio, 1, "one PIO"))
		return;
	ASSERT_STREQ(pfx(&ra.pio[0], buf), "2001:db8:1::/56", "host bits cleared");
	ASSERT_EQ(ra.pio[0].srvtp, 3, "srvtp only");
	ASSERT_EQ(ra.pio[0].type, ODM_TYPE_FIXED, "fixed");
}

static void test_reserved_srvtp(void)
{
	struct odm_ra_msg ra;
	struct ra_buf r;
	unsigned int v;

	ra_header(&r);
	for (v = 5; v <= 7; v++)
		ra_pio(&r, "2001:db8:5::", 64, la(v), 100, 100);
	if (!ASSERT_EQ(parse(&r, r.n, &ra), 0, "parse") || !ASSERT_EQ(ra.npio, 3, "kept"))
		return;
	for (v = 0; v < 3; v++) {
		ASSERT_EQ(ra.pio[v].srvtp, v + 5, "raw srvtp kept");
		ASSERT_EQ(ra.pio[v].type, ODM_TYPE_NONE, "reserved -> none");
	}
}

/* A bad PIO is skipped; the PIOs around it survive. */
static void test_bad_pio_skipped(void)
{
	char buf[ODM_PREFIX_STRLEN];
	struct odm_ra_msg ra;
	struct ra_buf r;
	static const __u8 short_pio[8] = { 3, 1, 64, 0xc8, 0, 0, 0, 1 };

	ra_header(&r);
	ra_pio(&r, "2001:db8:1::", 129, la(2), 100, 100);	/* plen > 128 */
	ra_pio(&r, "2001:db8:2::", 64, la(2), 100, 200);	/* preferred > valid */
	put(&r, short_pio, sizeof(short_pio));			/* no room for a prefix */
	ra_pio(&r, "2001:db8:3::", 64, la(1), 0, 0);		/* withdrawal: kept */
	ra_pio(&r, "2001:db8:4::", 128, la(2), 100, 100);	/* plen 128: fine */
	if (!ASSERT_EQ(parse(&r, r.n, &ra), 0, "parse"))
		return;
	ASSERT_EQ(ra.skipped, 3, "three skipped");
	if (!ASSERT_EQ(ra.npio, 2, "two kept"))
		return;
	ASSERT_STREQ(pfx(&ra.pio[0], buf), "2001:db8:3::/64", "withdrawal kept");
	ASSERT_EQ(ra.pio[0].valid_lft, 0, "valid 0");
	ASSERT_STREQ(pfx(&ra.pio[1], buf), "2001:db8:4::/128", "plen 128 kept");
}

static void test_too_many_pios(void)
{
	struct odm_ra_msg ra;
	struct ra_buf r;
	int i;

	ra_header(&r);
	for (i = 0; i < ODM_RA_PIO_MAX + 2 && r.n + 32 <= sizeof(r.b); i++)
		ra_pio(&r, "2001:db8:6::", 64, la(1), 10, 10);
	if (!ASSERT_EQ(parse(&r, r.n, &ra), 0, "parse"))
		return;
	ASSERT_EQ(ra.npio + ra.skipped, (unsigned int)i, "every PIO counted");
	ASSERT_TRUE(ra.npio <= ODM_RA_PIO_MAX, "at most ODM_RA_PIO_MAX kept");
}

static void test_invalid_ra(void)
{
	static const __u8 zero_opt[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	static const __u8 long_opt[8] = { 1, 2, 0, 0, 0, 0, 0, 0 };	/* claims 16 bytes */
	struct odm_ra_msg ra;
	struct ra_buf r;

	/* A zero-length option invalidates the whole RA, good PIOs included. */
	ra_header(&r);
	ra_pio(&r, "2001:db8:1::", 64, la(2), 100, 100);
	put(&r, zero_opt, sizeof(zero_opt));
	ASSERT_EQ(parse(&r, r.n, &ra), -EINVAL, "zero-length option");
	ASSERT_EQ(ra.npio, 0, "nothing from a rejected RA");

	ra_header(&r);
	ra_pio(&r, "2001:db8:1::", 64, la(2), 100, 100);
	put(&r, long_opt, sizeof(long_opt));
	ASSERT_EQ(parse(&r, r.n, &ra), -EINVAL, "option past the end");
	ASSERT_EQ(ra.npio, 0, "nothing from a rejected RA");

	/* A lone byte where an option should start. */
	ra_header(&r);
	r.b[r.n++] = 3;
	ASSERT_EQ(parse(&r, r.n, &ra), -EINVAL, "half an option header");

	ra_header(&r);
	r.b[0] = 133;				/* Router Solicitation */
	ASSERT_EQ(parse(&r, r.n, &ra), -ENOMSG, "wrong type");
	ra_header(&r);
	r.b[1] = 1;
	ASSERT_EQ(parse(&r, r.n, &ra), -EINVAL, "wrong code");
	ASSERT_EQ(parse(&r, 0, &ra), -EINVAL, "empty");
}

/* Every truncation of a good RA is rejected or parsed, never read past. */
static void test_truncated(void)
{
	struct odm_ra_msg ra;
	struct ra_buf r;
	size_t len;
	int ret, bad = 0;

	ra_header(&r);
	ra_slla(&r);
	ra_pio(&r, "2001:db8:51::", 64, la(2), 7200, 3600);
	ra_pio(&r, "2001:db8:a1::", 64, la(1), 600, 300);
	for (len = 0; len < r.n; len++) {
		ret = parse(&r, len, &ra);
		/* Only the cuts at option boundaries are whole RAs. */
		if (len == 16 || len == 24 || len == 56)
			bad += ret != 0 || ra.npio != (len == 56 ? 1u : 0u);
		else
			bad += ret != -EINVAL;
	}
	ASSERT_EQ(bad, 0, "every truncation handled");
	ASSERT_EQ(parse(&r, 15, &ra), -EINVAL, "truncated header");
	ASSERT_EQ(parse(&r, r.n, &ra), 0, "whole");
	ASSERT_EQ(ra.npio, 2, "both PIOs");
}

int main(void)
{
	RUN(test_good_ra);
	RUN(test_mask_and_bits);
	RUN(test_reserved_srvtp);
	RUN(test_bad_pio_skipped);
	RUN(test_too_many_pios);
	RUN(test_invalid_ra);
	RUN(test_truncated);
	return test_summary();
}
