// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_dhcp6.c - the DHCPv6 prefix-delegation codec: exact bytes of what
 * odmd sends, and hand-made Advertise/Reply messages, good and hostile.
 * Hostile inputs are copied into exactly-sized heap buffers so that
 * AddressSanitizer (SANITIZE=1) catches any read past the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "test.h"
#include "../../loader/dhcp6_wire.h"	/* the Makefile has no -Iloader */
#include "odm_uapi.h"

#define CONT	65000

static const __u8 mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const __u8 srv_duid[] = { 0x00, 0x01, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd,
				 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* ---- a tiny message writer for hand-made server messages ----------------- */

struct msg {
	__u8 b[1024];
	size_t n;
	size_t stack[4];	/* offsets of open options' length fields */
	int depth;
	size_t top[16];		/* offsets where top-level options end */
	int ntop;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, __u16 v)
{
	__u8 b[2] = { v >> 8, v & 0xff };

	put(m, b, 2);
}

static void put32(struct msg *m, __u32 v)
{
	__u8 b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(m, b, 4);
}

static void open_opt(struct msg *m, __u16 code)
{
	put16(m, code);
	m->stack[m->depth++] = m->n;
	put16(m, 0);
}

static void close_opt(struct msg *m)
{
	size_t at = m->stack[--m->depth], n = m->n - at - 2;

	m->b[at] = n >> 8;
	m->b[at + 1] = n & 0xff;
	if (!m->depth)
		m->top[m->ntop++] = m->n;
}

static void opt(struct msg *m, __u16 code, const void *p, size_t n)
{
	open_opt(m, code);
	put(m, p, n);
	close_opt(m);
}

static void header(struct msg *m, __u8 type, __u32 xid)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = type;
	m->b[1] = xid >> 16;
	m->b[2] = xid >> 8;
	m->b[3] = xid;
	m->n = 4;
	m->top[m->ntop++] = 4;
}

static void status(struct msg *m, __u16 code, const char *text)
{
	open_opt(m, DHCP6_OPT_STATUS_CODE);
	put16(m, code);
	put(m, text, strlen(text));
	close_opt(m);
}

/* IAprefix with an optional continuity option (type < 0: none). */
static void iaprefix(struct msg *m, __u32 pref, __u32 valid, __u8 plen, const char *pfx,
		     int type)
{
	struct in6_addr a;
	__u8 t = type;

	inet_pton(AF_INET6, pfx, &a);
	open_opt(m, DHCP6_OPT_IAPREFIX);
	put32(m, pref);
	put32(m, valid);
	put(m, &plen, 1);
	put(m, &a, 16);
	if (type >= 0)
		opt(m, CONT, &t, 1);
	close_opt(m);
}

static struct odm_dhcp6_duid client;

static void ids(struct msg *m)
{
	opt(m, DHCP6_OPT_CLIENTID, client.data, client.len);
	opt(m, DHCP6_OPT_SERVERID, srv_duid, sizeof(srv_duid));
}

/* Advertise for xid 0xabcdef, IAID 7, one Session-lasting /64. */
static void good_advertise(struct msg *m, int type)
{
	__u8 pref = 10;

	header(m, DHCP6_ADVERTISE, 0xabcdef);
	ids(m);
	opt(m, DHCP6_OPT_PREFERENCE, &pref, 1);
	open_opt(m, DHCP6_OPT_IA_PD);
	put32(m, 7);
	put32(m, 1000);
	put32(m, 1600);
	iaprefix(m, 2000, 4000, 64, "2001:db8:5100:1::", type);
	close_opt(m);
}

static const struct odm_dhcp6_expect expect = {
	.xid = 0xabcdef, .client_id = &client, .iaid = 7, .cont_code = CONT,
	.cont_type = DHCP6_CS_SESSION_LASTING,
};

/* Parse from an exactly-sized heap copy. */
static int parse(const __u8 *b, size_t n, struct odm_dhcp6_in *in)
{
	__u8 *copy = malloc(n ? n : 1);
	int r;

	INPUTS(1);
	memcpy(copy, b, n);
	r = odm_dhcp6_parse(copy, n, &expect, in);
	free(copy);
	return r;
}

/* ---- cases ------------------------------------------------------------------ */

static void test_type_mapping(void)
{
	static const struct { int odm, wire; } map[] = {
		{ ODM_TYPE_NONE, 0 }, { ODM_TYPE_NON_PERSISTENT, 1 },
		{ ODM_TYPE_SESSION_LASTING, 2 }, { ODM_TYPE_FIXED, 3 }, { ODM_TYPE_GRACEFUL, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ASSERT_EQ(odm_dhcp6_type_to_wire(map[i].odm), map[i].wire, "to wire");
		ASSERT_EQ(odm_dhcp6_type_from_wire(map[i].wire), map[i].odm, "from wire");
	}
	ASSERT_EQ(odm_dhcp6_type_to_wire(5), -EINVAL, "odm 5");
	ASSERT_EQ(odm_dhcp6_type_from_wire(5), -EINVAL, "wire 5");
	ASSERT_EQ(odm_dhcp6_type_from_wire(255), -EINVAL, "wire 255");
}

static void test_duid(void)
{
	static const __u8 want[] = { 0, 3, 0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct odm_dhcp6_duid d;
	__u8 uuid[16];

	ASSERT_EQ(odm_dhcp6_duid_ll(&d, 1, mac, 6), 0, "duid-ll");
	ASSERT_EQ(d.len, sizeof(want), "duid-ll length");
	ASSERT_TRUE(!memcmp(d.data, want, sizeof(want)), "duid-ll bytes");
	ASSERT_EQ(odm_dhcp6_duid_ll(&d, 1, mac, 0), -EINVAL, "no lladdr");
	memset(uuid, 0x5a, sizeof(uuid));
	odm_dhcp6_duid_uuid(&d, uuid);
	ASSERT_EQ(d.len, 18, "duid-uuid length");
	ASSERT_EQ(d.data[1], 4, "duid-uuid type");
}

static void test_build_solicit_bytes(void)
{
	static const __u8 want[] = {
		0x01, 0xab, 0xcd, 0xef,
		0x00, 0x01, 0x00, 0x0a, 0, 3, 0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
		0x00, 0x08, 0x00, 0x02, 0x00, 0x00,
		0x00, 0x06, 0x00, 0x02, 0x00, 0x52,
		0xfd, 0xe8, 0x00, 0x01, 0x02,			/* top-level copy */
		0x00, 0x19, 0x00, 0x2e,				/* IA_PD, 46 */
		0x00, 0x00, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x1a, 0x00, 0x1e,				/* IAprefix, 30 */
		0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xfd, 0xe8, 0x00, 0x01, 0x02,			/* the draft's place */
	};
	struct odm_dhcp6_out o = {
		.msg_type = DHCP6_SOLICIT, .xid = 0x12abcdef, .client_id = &client,
		.iaid = 7, .cont_code = CONT, .cont_type = DHCP6_CS_SESSION_LASTING,
	};
	__u8 buf[DHCP6_MSG_MAX];
	int n;
	size_t i;

	n = odm_dhcp6_build(&o, buf, sizeof(buf));
	if (!ASSERT_EQ(n, sizeof(want), "solicit length"))
		return;
	for (i = 0; i < sizeof(want); i++)
		if (!ASSERT_EQ(buf[i], want[i], "solicit byte"))
			fprintf(stderr, "    at offset %zu\n", i);
	/* Every shorter buffer fails cleanly. */
	for (i = 0; i < sizeof(want); i++)
		ASSERT_EQ(odm_dhcp6_build(&o, buf, i), -ENOSPC, "short buffer");
}

static void test_build_renew_release_rebind(void)
{
	struct odm_dhcp6_duid srv = { .len = sizeof(srv_duid) };
	struct odm_dhcp6_out o = {
		.msg_type = DHCP6_RENEW, .xid = 0x010203, .client_id = &client, .server_id = &srv,
		.elapsed_cs = 0x1234, .iaid = 0x01020304, .plen = 64, .cont_code = 0x1234,
		.cont_type = DHCP6_CS_FIXED,
	};
	static const __u8 iaprefix_want[] = {
		0x00, 0x1a, 0x00, 0x1e, 0, 0, 0, 0, 0, 0, 0, 0, 64,
		0x20, 0x01, 0x0d, 0xb8, 0xf0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0x12, 0x34, 0x00, 0x01, 0x03,
	};
	__u8 buf[DHCP6_MSG_MAX];
	int n;

	memcpy(srv.data, srv_duid, sizeof(srv_duid));
	inet_pton(AF_INET6, "2001:db8:f000:1::", o.prefix);
	n = odm_dhcp6_build(&o, buf, sizeof(buf));
	ASSERT_EQ(n, 4 + 14 + 18 + 6 + 6 + 5 + 4 + 12 + 34, "renew length");
	ASSERT_EQ(buf[0], DHCP6_RENEW, "renew type");
	/* Server ID follows Client ID. */
	ASSERT_EQ(buf[18] << 8 | buf[19], DHCP6_OPT_SERVERID, "server id code");
	ASSERT_TRUE(!memcmp(buf + 22, srv_duid, sizeof(srv_duid)), "server id bytes");
	ASSERT_EQ(buf[40] << 8 | buf[41], 0x1234, "elapsed time");
	ASSERT_TRUE(!memcmp(buf + n - sizeof(iaprefix_want), iaprefix_want,
			    sizeof(iaprefix_want)), "held prefix and type in IAprefix");

	o.msg_type = DHCP6_RELEASE;
	n = odm_dhcp6_build(&o, buf, sizeof(buf));
	ASSERT_EQ(n, 4 + 14 + 18 + 6 + 5 + 4 + 12 + 34, "release has no ORO");
	ASSERT_EQ(buf[42] << 8 | buf[43], 0x1234, "release: continuity after elapsed time");

	o.msg_type = DHCP6_REBIND;
	n = odm_dhcp6_build(&o, buf, sizeof(buf));
	ASSERT_EQ(n, 4 + 14 + 6 + 6 + 5 + 4 + 12 + 34, "rebind has no server id");
	ASSERT_EQ(buf[18] << 8 | buf[19], DHCP6_OPT_ELAPSED_TIME, "rebind: elapsed after client");

	o.msg_type = DHCP6_REQUEST;
	o.server_id = NULL;
	ASSERT_EQ(odm_dhcp6_build(&o, buf, sizeof(buf)), -EINVAL, "request without server id");
	o.msg_type = DHCP6_ADVERTISE;
	ASSERT_EQ(odm_dhcp6_build(&o, buf, sizeof(buf)), -EINVAL, "clients do not advertise");
	o.msg_type = DHCP6_SOLICIT;
	o.plen = 129;
	ASSERT_EQ(odm_dhcp6_build(&o, buf, sizeof(buf)), -EINVAL, "plen 129");
}

static void test_parse_good_advertise(void)
{
	struct odm_dhcp6_in in;
	struct msg m;
	char txt[INET6_ADDRSTRLEN];

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	if (!ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse"))
		return;
	ASSERT_EQ(in.msg_type, DHCP6_ADVERTISE, "type");
	ASSERT_EQ(in.xid, 0xabcdef, "xid");
	ASSERT_EQ(in.server_id.len, sizeof(srv_duid), "server id length");
	ASSERT_TRUE(!memcmp(in.server_id.data, srv_duid, sizeof(srv_duid)), "server id");
	ASSERT_TRUE(in.has_preference, "has preference");
	ASSERT_EQ(in.preference, 10, "preference");
	ASSERT_TRUE(!in.has_status, "no top-level status");
	ASSERT_EQ(in.cont_type, -1, "no top-level continuity");
	if (!ASSERT_TRUE(in.has_ia, "has our IA_PD"))
		return;
	ASSERT_EQ(in.ia.iaid, 7, "iaid");
	ASSERT_EQ(in.ia.t1, 1000, "t1");
	ASSERT_EQ(in.ia.t2, 1600, "t2");
	if (!ASSERT_EQ(in.ia.nprefix, 1, "one prefix"))
		return;
	ASSERT_EQ(in.ia.prefix[0].preferred_lft, 2000, "preferred");
	ASSERT_EQ(in.ia.prefix[0].valid_lft, 4000, "valid");
	ASSERT_EQ(in.ia.prefix[0].plen, 64, "plen");
	ASSERT_EQ(in.ia.prefix[0].cont_type, DHCP6_CS_SESSION_LASTING, "echoed type");
	inet_ntop(AF_INET6, in.ia.prefix[0].prefix, txt, sizeof(txt));
	ASSERT_STREQ(txt, "2001:db8:5100:1::", "prefix");
}

static void test_parse_reply_without_continuity(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	good_advertise(&m, -1);
	m.b[0] = DHCP6_REPLY;
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.ia.nprefix, 1, "the parser keeps a prefix without the option");
	ASSERT_EQ(in.ia.prefix[0].cont_type, -1, "absent");
	ASSERT_EQ(in.preference, 10, "preference");
}

/* An Advertise whose IAprefix carries ia_type and whose top level carries
 * top_type (each < 0: none), the top-level copy ahead of the IA_PD. */
static void typed_advertise(struct msg *m, int ia_type, int top_type)
{
	__u8 pref = 10, t = top_type;

	header(m, DHCP6_ADVERTISE, 0xabcdef);
	ids(m);
	opt(m, DHCP6_OPT_PREFERENCE, &pref, 1);
	if (top_type >= 0)
		opt(m, CONT, &t, 1);
	open_opt(m, DHCP6_OPT_IA_PD);
	put32(m, 7);
	put32(m, 1000);
	put32(m, 1600);
	iaprefix(m, 2000, 4000, 64, "2001:db8:5100:1::", ia_type);
	close_opt(m);
}

/*
 * The top-level continuity option types the IAprefixes that carry none,
 * under the IAprefix's rule: another type than asked drops them, wherever
 * in the message it comes; an IAprefix's own option wins.
 */
static void test_parse_top_level_type(void)
{
	struct odm_dhcp6_in in;
	struct msg m;
	__u8 fixed = DHCP6_CS_FIXED;

	typed_advertise(&m, -1, DHCP6_CS_FIXED);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.cont_type, DHCP6_CS_FIXED, "top-level type");
	ASSERT_EQ(in.ia.nprefix, 0, "top level says Fixed, Session-lasting asked: dropped");
	ASSERT_EQ(in.ia.discarded, 1, "counted");

	good_advertise(&m, -1);
	opt(&m, CONT, &fixed, 1);	/* after the IA_PD */
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.ia.nprefix, 0, "a top-level type after the IA_PD counts too");

	typed_advertise(&m, DHCP6_CS_SESSION_LASTING, DHCP6_CS_FIXED);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.ia.nprefix, 1, "the IAprefix's own type wins");

	typed_advertise(&m, -1, DHCP6_CS_SESSION_LASTING);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.ia.nprefix, 1, "top level says the type asked: kept");
	ASSERT_EQ(in.ia.discarded, 0, "nothing dropped");
}

/* Exact type or error (RFC 8653 5.1, 5.3): untyped only when allowed. */
static void test_prefix_typed(void)
{
	static const struct { int ia, top, type; } cases[] = {
		{ -1, -1, -1 },					/* a legacy server */
		{ DHCP6_CS_SESSION_LASTING, -1, DHCP6_CS_SESSION_LASTING },	/* the draft */
		{ -1, DHCP6_CS_SESSION_LASTING, DHCP6_CS_SESSION_LASTING },	/* Kea */
		{ DHCP6_CS_SESSION_LASTING, DHCP6_CS_SESSION_LASTING, DHCP6_CS_SESSION_LASTING },
	};
	const int sl = DHCP6_CS_SESSION_LASTING;
	struct odm_dhcp6_in in;
	struct odm_dhcp6_prefix p = { .cont_type = DHCP6_CS_FIXED };
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool typed = cases[i].type >= 0;

		typed_advertise(&m, cases[i].ia, cases[i].top);
		if (!ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse") ||
		    !ASSERT_EQ(in.ia.nprefix, 1, "one prefix"))
			continue;
		ASSERT_EQ(odm_dhcp6_prefix_type(&in, &in.ia.prefix[0]), cases[i].type, "type");
		ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &in.ia.prefix[0], sl, false),
			  typed ? 0 : -ENODATA, typed ? "typed: taken" : "untyped: refused");
		ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &in.ia.prefix[0], sl, true), 0,
			  "taken when untyped grants are allowed");
	}
	/* Another type is never taken, allowed or not; -1 asks for any. */
	in.cont_type = -1;
	ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &p, sl, false), -EPROTO, "another type");
	ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &p, sl, true), -EPROTO, "another type, allowed");
	ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &p, -1, false), 0, "any type asked");
	p.cont_type = -1;
	in.cont_type = DHCP6_CS_FIXED;
	ASSERT_EQ(odm_dhcp6_prefix_type(&in, &p), DHCP6_CS_FIXED, "inherits the top level");
	ASSERT_EQ(odm_dhcp6_prefix_typed(&in, &p, sl, true), -EPROTO, "inherited other type");
}

static void test_parse_noprefixavail_top(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	header(&m, DHCP6_ADVERTISE, 0xabcdef);
	ids(&m);
	status(&m, DHCP6_ST_NOPREFIXAVAIL, "no prefixes");
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_TRUE(in.has_status, "has status");
	ASSERT_EQ(in.status, DHCP6_ST_NOPREFIXAVAIL, "status");
	ASSERT_TRUE(!in.has_ia, "no IA_PD");
	ASSERT_STREQ(odm_dhcp6_status_name(in.status), "NoPrefixAvail", "name");
}

static void test_parse_noprefixavail_in_ia(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	open_opt(&m, DHCP6_OPT_IA_PD);
	put32(&m, 7);
	put32(&m, 0);
	put32(&m, 0);
	status(&m, DHCP6_ST_NOPREFIXAVAIL, "Sorry, no prefixes could be allocated.");
	close_opt(&m);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_TRUE(!in.has_status, "no top-level status");
	ASSERT_TRUE(in.has_ia, "has IA_PD");
	ASSERT_TRUE(in.ia.has_status, "IA status");
	ASSERT_EQ(in.ia.status, DHCP6_ST_NOPREFIXAVAIL, "IA status value");
	ASSERT_EQ(in.ia.nprefix, 0, "no prefix");
}

static void test_parse_truncated(void)
{
	struct odm_dhcp6_in in;
	struct msg m;
	size_t len;
	int i, r;

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	for (len = 0; len < m.n; len++) {
		bool boundary = false;

		for (i = 0; i < m.ntop; i++)
			boundary |= m.top[i] == len;
		r = parse(m.b, len, &in);
		if (!boundary) {
			if (!ASSERT_EQ(r, -EINVAL, "truncated inside an option"))
				fprintf(stderr, "    at length %zu\n", len);
		} else if (len < m.top[2]) {
			/* Before both IDs are complete the message is not ours or not whole. */
			ASSERT_TRUE(r == -ENOMSG || r == -EINVAL, "truncated before the IDs");
		} else {
			ASSERT_EQ(r, 0, "truncated at an option boundary");
			ASSERT_TRUE(!in.has_ia, "the IA_PD was cut away");
		}
	}
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "whole message");
}

static void test_parse_option_past_end(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	/* The last top-level option (IA_PD) claims one octet more than there is. */
	m.b[m.top[m.ntop - 2] + 3]++;
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "IA_PD past the end");

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[4 + 2] = 0xff;		/* Client ID length 0xff0a */
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "client id past the end");

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	put16(&m, DHCP6_OPT_PREFERENCE);	/* a lone header half */
	put(&m, "\0", 1);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "3 octets of option header");
}

static void test_parse_nested_overflow(void)
{
	struct odm_dhcp6_in in;
	struct msg m;
	size_t ia_at;

	/* IAprefix claims more than its IA_PD holds (the IA_PD itself fits). */
	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	ia_at = m.top[m.ntop - 2];
	m.b[ia_at + 4 + 12 + 3] += 2;
	opt(&m, 99, "xx", 2);		/* bytes after the IA_PD the IAprefix could run into */
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "IAprefix past IA_PD");

	/* The continuity option inside the IAprefix runs past the IAprefix. */
	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[m.n - 3] = 2;
	opt(&m, 99, "xx", 2);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "sub-option past IAprefix");

	/* IAprefix shorter than its fixed part. */
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	open_opt(&m, DHCP6_OPT_IA_PD);
	put32(&m, 7);
	put32(&m, 0);
	put32(&m, 0);
	opt(&m, DHCP6_OPT_IAPREFIX, "0123456789", 10);
	close_opt(&m);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "IAprefix of 10 octets");

	/* IA_PD shorter than IAID+T1+T2, and with another IAID. */
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	opt(&m, DHCP6_OPT_IA_PD, "\0\0\0\7\0\0\0", 7);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "IA_PD of 7 octets");
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	opt(&m, DHCP6_OPT_IA_PD, "\0\0\0\x9\0\0\0\0\0\0\0\0\0\x1a\0\x30", 16);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "another IAID's IA_PD is checked too");

	/* Bad fixed lengths. */
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	opt(&m, DHCP6_OPT_STATUS_CODE, "\0", 1);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "1-octet status");
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	opt(&m, DHCP6_OPT_PREFERENCE, "\0\0", 2);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "2-octet preference");
	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	opt(&m, CONT, "\2\2", 2);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "2-octet continuity");
}

static void test_parse_plen_over_128(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[m.top[m.ntop - 2] + 4 + 12 + 4 + 8] = 129;
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "plen 129");
}

static void test_parse_not_ours(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[3] ^= 1;
	ASSERT_EQ(parse(m.b, m.n, &in), -ENOMSG, "wrong transaction id");

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[4 + 4 + 9] ^= 1;		/* last octet of the MAC in our Client ID */
	ASSERT_EQ(parse(m.b, m.n, &in), -ENOMSG, "wrong client id");

	header(&m, DHCP6_ADVERTISE, 0xabcdef);
	opt(&m, DHCP6_OPT_SERVERID, srv_duid, sizeof(srv_duid));
	ASSERT_EQ(parse(m.b, m.n, &in), -ENOMSG, "no client id");

	header(&m, DHCP6_ADVERTISE, 0xabcdef);
	opt(&m, DHCP6_OPT_CLIENTID, client.data, client.len);
	ASSERT_EQ(parse(m.b, m.n, &in), -EINVAL, "no server id");

	good_advertise(&m, DHCP6_CS_SESSION_LASTING);
	m.b[0] = DHCP6_SOLICIT;
	ASSERT_EQ(parse(m.b, m.n, &in), -ENOMSG, "a client message");
}

static void test_parse_other_type_discarded(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	good_advertise(&m, DHCP6_CS_FIXED);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_TRUE(in.has_ia, "IA_PD");
	ASSERT_EQ(in.ia.nprefix, 0, "Fixed prefix dropped when Session-lasting was asked");
	ASSERT_EQ(in.ia.discarded, 1, "counted");
}

static void test_parse_preferred_over_valid(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	open_opt(&m, DHCP6_OPT_IA_PD);
	put32(&m, 7);
	put32(&m, 0);
	put32(&m, 0);
	iaprefix(&m, 5000, 4000, 64, "2001:db8:5100:1::", -1);
	iaprefix(&m, 3000, 4000, 64, "2001:db8:5100:2::", DHCP6_CS_SESSION_LASTING);
	close_opt(&m);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_EQ(in.ia.discarded, 1, "preferred > valid discarded");
	if (ASSERT_EQ(in.ia.nprefix, 1, "the other is kept"))
		ASSERT_EQ(in.ia.prefix[0].preferred_lft, 3000, "kept the right one");
}

static void test_parse_t1_over_t2_and_other_iaid(void)
{
	struct odm_dhcp6_in in;
	struct msg m;

	header(&m, DHCP6_REPLY, 0xabcdef);
	ids(&m);
	open_opt(&m, DHCP6_OPT_IA_PD);
	put32(&m, 8);			/* not ours */
	put32(&m, 10);
	put32(&m, 20);
	iaprefix(&m, 30, 40, 64, "2001:db8:5100:8::", -1);
	close_opt(&m);
	open_opt(&m, DHCP6_OPT_IA_PD);
	put32(&m, 7);
	put32(&m, 30);			/* T1 > T2: discard the IA_PD */
	put32(&m, 20);
	iaprefix(&m, 30, 40, 64, "2001:db8:5100:7::", -1);
	close_opt(&m);
	ASSERT_EQ(parse(m.b, m.n, &in), 0, "parse");
	ASSERT_TRUE(!in.has_ia, "neither IA_PD is taken");
}

/* Random corruption of a good message: only checks that nothing is read out of bounds. */
static void test_parse_corrupted(void)
{
	struct odm_dhcp6_in in;
	struct msg m, good;
	unsigned int seed = 12345, i, k;
	int ok = 0;

	good_advertise(&good, DHCP6_CS_SESSION_LASTING);
	for (i = 0; i < 20000; i++) {
		m = good;
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			m.b[(seed >> 8) % m.n] = seed >> 20;
		}
		ok += parse(m.b, m.n, &in) == 0;
	}
	ASSERT_TRUE(ok > 0, "some survive");
}

int main(void)
{
	odm_dhcp6_duid_ll(&client, 1, mac, sizeof(mac));

	RUN(test_type_mapping);
	RUN(test_duid);
	RUN(test_build_solicit_bytes);
	RUN(test_build_renew_release_rebind);
	RUN(test_parse_good_advertise);
	RUN(test_parse_reply_without_continuity);
	RUN(test_parse_top_level_type);
	RUN(test_prefix_typed);
	RUN(test_parse_noprefixavail_top);
	RUN(test_parse_noprefixavail_in_ia);
	RUN(test_parse_truncated);
	RUN(test_parse_option_past_end);
	RUN(test_parse_nested_overflow);
	RUN(test_parse_plen_over_128);
	RUN(test_parse_not_ours);
	RUN(test_parse_other_type_discarded);
	RUN(test_parse_preferred_over_valid);
	RUN(test_parse_t1_over_t2_and_other_iaid);
	RUN(test_parse_corrupted);
	return test_summary();
}
