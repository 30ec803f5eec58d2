// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dhcp6_wire.c - build and parse the DHCPv6 messages of prefix delegation.
 *
 * Everything reads and writes through a cursor that knows its end, so a
 * length field can never move a read past the buffer: an option that
 * claims more than its container holds is -EINVAL, at every nesting level.
 */
#include <errno.h>
#include <string.h>

#include "dhcp6_wire.h"
#include "odm_uapi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- type numbering ------------------------------------------------------ */

/*
 * Index: enum odm_type; value: the draft's number.  The draft counts from
 * "least" to "most" persistent, setsc() the other way round, so Fixed and
 * Non-persistent swap places and the rest agree.
 */
static const __u8 odm_to_wire[] = {
	[ODM_TYPE_NONE]			= DHCP6_CS_ANY,
	[ODM_TYPE_FIXED]		= DHCP6_CS_FIXED,
	[ODM_TYPE_SESSION_LASTING]	= DHCP6_CS_SESSION_LASTING,
	[ODM_TYPE_NON_PERSISTENT]	= DHCP6_CS_NON_PERSISTENT,
	[ODM_TYPE_GRACEFUL]		= DHCP6_CS_GRACEFUL,
};

int odm_dhcp6_type_to_wire(unsigned int odm_type)
{
	if (odm_type >= ARRAY_SIZE(odm_to_wire))
		return -EINVAL;
	return odm_to_wire[odm_type];
}

int odm_dhcp6_type_from_wire(unsigned int wire)
{
	unsigned int t;

	for (t = 0; t < ARRAY_SIZE(odm_to_wire); t++)
		if (odm_to_wire[t] == wire)
			return t;
	return -EINVAL;
}

const char *odm_dhcp6_status_name(unsigned int status)
{
	static const char *const names[] = {
		[DHCP6_ST_SUCCESS]	= "Success",
		[DHCP6_ST_UNSPECFAIL]	= "UnspecFail",
		[DHCP6_ST_NOADDRSAVAIL]	= "NoAddrsAvail",
		[DHCP6_ST_NOBINDING]	= "NoBinding",
		[DHCP6_ST_NOTONLINK]	= "NotOnLink",
		[DHCP6_ST_USEMULTICAST]	= "UseMulticast",
		[DHCP6_ST_NOPREFIXAVAIL] = "NoPrefixAvail",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "unknown";
}

/* ---- DUIDs ---------------------------------------------------------------- */

int odm_dhcp6_duid_ll(struct odm_dhcp6_duid *duid, __u16 hwtype, const __u8 *lladdr, size_t len)
{
	if (!len || len > DHCP6_DUID_MAX - 4)
		return -EINVAL;
	duid->data[0] = 0;
	duid->data[1] = 3;		/* DUID-LL */
	duid->data[2] = hwtype >> 8;
	duid->data[3] = hwtype & 0xff;
	memcpy(duid->data + 4, lladdr, len);
	duid->len = 4 + len;
	return 0;
}

void odm_dhcp6_duid_uuid(struct odm_dhcp6_duid *duid, const __u8 uuid[16])
{
	duid->data[0] = 0;
	duid->data[1] = 4;		/* DUID-UUID */
	memcpy(duid->data + 2, uuid, 16);
	duid->len = 18;
}

/* ---- writing -------------------------------------------------------------- */

struct wbuf {
	__u8 *p;
	size_t len, off;
	int err;			/* sticky: the first failure wins */
};

static __u8 *wb_reserve(struct wbuf *w, size_t n)
{
	__u8 *at;

	if (w->err)
		return NULL;
	if (n > w->len - w->off) {
		w->err = -ENOSPC;
		return NULL;
	}
	at = w->p + w->off;
	w->off += n;
	return at;
}

static void wb_u8(struct wbuf *w, __u8 v)
{
	__u8 *at = wb_reserve(w, 1);

	if (at)
		at[0] = v;
}

static void wb_u16(struct wbuf *w, __u16 v)
{
	__u8 *at = wb_reserve(w, 2);

	if (at) {
		at[0] = v >> 8;
		at[1] = v;
	}
}

static void wb_u32(struct wbuf *w, __u32 v)
{
	__u8 *at = wb_reserve(w, 4);

	if (at) {
		at[0] = v >> 24;
		at[1] = v >> 16;
		at[2] = v >> 8;
		at[3] = v;
	}
}

static void wb_bytes(struct wbuf *w, const void *src, size_t n)
{
	__u8 *at = wb_reserve(w, n);

	if (at && n)
		memcpy(at, src, n);
}

/* Start an option; returns the offset of its length field for opt_end(). */
static size_t opt_begin(struct wbuf *w, __u16 code)
{
	size_t at;

	wb_u16(w, code);
	at = w->off;
	wb_u16(w, 0);
	return at;
}

static void opt_end(struct wbuf *w, size_t len_at)
{
	size_t n;

	if (w->err)
		return;
	n = w->off - len_at - 2;
	if (n > 0xffff) {
		w->err = -ENOSPC;
		return;
	}
	w->p[len_at] = n >> 8;
	w->p[len_at + 1] = n;
}

static void opt_bytes(struct wbuf *w, __u16 code, const void *data, size_t n)
{
	size_t at = opt_begin(w, code);

	wb_bytes(w, data, n);
	opt_end(w, at);
}

int odm_dhcp6_build(const struct odm_dhcp6_out *m, __u8 *buf, size_t len)
{
	struct wbuf w = { .p = buf, .len = len };
	bool need_server, want_oro;
	size_t ia, iap;

	switch (m->msg_type) {
	case DHCP6_SOLICIT:
	case DHCP6_REBIND:
		need_server = false;
		want_oro = true;
		break;
	case DHCP6_REQUEST:
	case DHCP6_RENEW:
		need_server = true;
		want_oro = true;
		break;
	case DHCP6_RELEASE:
		need_server = true;
		want_oro = false;	/* RFC 8415 appendix C: no ORO in Release */
		break;
	default:
		return -EINVAL;
	}
	if (!m->client_id || !m->client_id->len || m->client_id->len > DHCP6_DUID_MAX)
		return -EINVAL;
	if (need_server && (!m->server_id || !m->server_id->len ||
			    m->server_id->len > DHCP6_DUID_MAX))
		return -EINVAL;
	if (m->plen > 128 || !m->cont_code)
		return -EINVAL;

	wb_u8(&w, m->msg_type);
	wb_u8(&w, m->xid >> 16);
	wb_u8(&w, m->xid >> 8);
	wb_u8(&w, m->xid);

	opt_bytes(&w, DHCP6_OPT_CLIENTID, m->client_id->data, m->client_id->len);
	if (need_server)
		opt_bytes(&w, DHCP6_OPT_SERVERID, m->server_id->data, m->server_id->len);
	wb_u16(&w, DHCP6_OPT_ELAPSED_TIME);
	wb_u16(&w, 2);
	wb_u16(&w, m->elapsed_cs);
	if (want_oro) {
		wb_u16(&w, DHCP6_OPT_ORO);
		wb_u16(&w, 2);
		wb_u16(&w, DHCP6_OPT_SOL_MAX_RT);
	}
	/* The copy Kea's classification can see. */
	opt_bytes(&w, m->cont_code, &m->cont_type, 1);

	ia = opt_begin(&w, DHCP6_OPT_IA_PD);
	wb_u32(&w, m->iaid);
	wb_u32(&w, m->t1);
	wb_u32(&w, m->t2);
	iap = opt_begin(&w, DHCP6_OPT_IAPREFIX);
	wb_u32(&w, m->preferred_lft);
	wb_u32(&w, m->valid_lft);
	wb_u8(&w, m->plen);
	wb_bytes(&w, m->prefix, 16);
	/* Where the draft puts it. */
	opt_bytes(&w, m->cont_code, &m->cont_type, 1);
	opt_end(&w, iap);
	opt_end(&w, ia);

	return w.err ? w.err : (int)w.off;
}

/* ---- reading -------------------------------------------------------------- */

/* A bounded view; every accessor checks the caller already proved the length. */
static __u16 rd16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 rd32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/*
 * Step to the next option in [*p, end).  Returns 1 with code/data/dlen set,
 * 0 at the end, -EINVAL when the header or the data would cross end.
 */
static int next_opt(const __u8 **p, const __u8 *end, __u16 *code, const __u8 **data,
		    size_t *dlen)
{
	size_t left = end - *p, n;

	if (!left)
		return 0;
	if (left < 4)
		return -EINVAL;
	n = rd16(*p + 2);
	if (n > left - 4)
		return -EINVAL;
	*code = rd16(*p);
	*data = *p + 4;
	*dlen = n;
	*p += 4 + n;
	return 1;
}

static int parse_status(const __u8 *d, size_t n, bool *has, __u16 *status)
{
	if (n < 2)
		return -EINVAL;
	if (!*has) {
		*has = true;
		*status = rd16(d);
	}
	return 0;
}

static int parse_cont(const __u8 *d, size_t n, int *type)
{
	if (n != 1)
		return -EINVAL;
	if (*type < 0)
		*type = d[0];
	return 0;
}

/* Returns 1 to keep the prefix, 0 to discard it, -EINVAL when malformed. */
static int parse_iaprefix(const __u8 *d, size_t n, const struct odm_dhcp6_expect *ex,
			  struct odm_dhcp6_prefix *pf)
{
	const __u8 *p, *end = d + n, *od;
	size_t on;
	__u16 code;
	int r;

	/* Check before forming d + 25: past one-after-the-end is UB. */
	if (n < 25)
		return -EINVAL;
	p = d + 25;
	memset(pf, 0, sizeof(*pf));
	pf->cont_type = -1;
	pf->preferred_lft = rd32(d);
	pf->valid_lft = rd32(d + 4);
	pf->plen = d[8];
	memcpy(pf->prefix, d + 9, 16);
	if (pf->plen > 128)
		return -EINVAL;
	while ((r = next_opt(&p, end, &code, &od, &on)) > 0) {
		if (code == DHCP6_OPT_STATUS_CODE)
			r = parse_status(od, on, &pf->has_status, &pf->status);
		else if (code == ex->cont_code)
			r = parse_cont(od, on, &pf->cont_type);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (pf->preferred_lft > pf->valid_lft)
		return 0;
	if (pf->cont_type >= 0 && ex->cont_type >= 0 && pf->cont_type != ex->cont_type)
		return 0;
	return 1;
}

/*
 * The top-level type speaks for every IAprefix that names none (Kea can
 * only answer there), so it is held to the IAprefix's rule: another type
 * than asked drops those prefixes, counted like the ones whose own option
 * said so.  An IAprefix's own option wins over the top-level one.
 */
static void drop_mistyped(struct odm_dhcp6_ia *ia, int top, int want)
{
	unsigned int i, n = 0;

	if (top < 0 || want < 0 || top == want)
		return;
	for (i = 0; i < ia->nprefix; i++) {
		if (ia->prefix[i].cont_type < 0)
			ia->discarded++;
		else
			ia->prefix[n++] = ia->prefix[i];
	}
	ia->nprefix = n;
}

/* Parse one IA_PD into ia (when want) or only validate it. */
static int parse_ia_pd(const __u8 *d, size_t n, const struct odm_dhcp6_expect *ex,
		       struct odm_dhcp6_ia *ia, bool want)
{
	const __u8 *p, *end = d + n, *od;
	struct odm_dhcp6_prefix pf;
	size_t on;
	__u16 code;
	int r;

	if (n < 12)
		return -EINVAL;
	p = d + 12;
	if (want) {
		memset(ia, 0, sizeof(*ia));
		ia->iaid = rd32(d);
		ia->t1 = rd32(d + 4);
		ia->t2 = rd32(d + 8);
	}
	while ((r = next_opt(&p, end, &code, &od, &on)) > 0) {
		if (code == DHCP6_OPT_IAPREFIX) {
			r = parse_iaprefix(od, on, ex, &pf);
			if (r < 0)
				return r;
			if (!want)
				continue;
			if (r == 0)
				ia->discarded++;
			else if (ia->nprefix < DHCP6_IA_PREFIX_MAX)
				ia->prefix[ia->nprefix++] = pf;
		} else if (code == DHCP6_OPT_STATUS_CODE) {
			bool has = false;
			__u16 st;

			r = parse_status(od, on, want ? &ia->has_status : &has,
					 want ? &ia->status : &st);
			if (r < 0)
				return r;
		}
	}
	return r;
}

int odm_dhcp6_parse(const __u8 *buf, size_t len, const struct odm_dhcp6_expect *ex,
		    struct odm_dhcp6_in *in)
{
	const __u8 *p, *end, *d;
	bool has_client = false, client_ok = false;
	size_t n;
	__u16 code;
	int r;

	memset(in, 0, sizeof(*in));
	in->cont_type = -1;
	if (!buf || len < 4)
		return -EINVAL;
	in->msg_type = buf[0];
	in->xid = (__u32)buf[1] << 16 | (__u32)buf[2] << 8 | buf[3];
	if (in->msg_type != DHCP6_ADVERTISE && in->msg_type != DHCP6_REPLY)
		return -ENOMSG;
	if (in->xid != (ex->xid & 0xffffff))
		return -ENOMSG;

	p = buf + 4;
	end = buf + len;
	while ((r = next_opt(&p, end, &code, &d, &n)) > 0) {
		switch (code) {
		case DHCP6_OPT_CLIENTID:
			if (!n || n > DHCP6_DUID_MAX)
				return -EINVAL;
			if (has_client)
				break;
			has_client = true;
			client_ok = ex->client_id && n == ex->client_id->len &&
				    !memcmp(d, ex->client_id->data, n);
			break;
		case DHCP6_OPT_SERVERID:
			if (!n || n > DHCP6_DUID_MAX)
				return -EINVAL;
			if (!in->server_id.len) {
				memcpy(in->server_id.data, d, n);
				in->server_id.len = n;
			}
			break;
		case DHCP6_OPT_STATUS_CODE:
			r = parse_status(d, n, &in->has_status, &in->status);
			break;
		case DHCP6_OPT_PREFERENCE:
			if (n != 1)
				return -EINVAL;
			if (!in->has_preference) {
				in->has_preference = true;
				in->preference = d[0];
			}
			break;
		case DHCP6_OPT_IA_PD: {
			bool want = !in->has_ia && n >= 12 && rd32(d) == ex->iaid;

			r = parse_ia_pd(d, n, ex, &in->ia, want);
			if (r < 0)
				return r;
			/* RFC 8415 21.21: T1 > T2 (both set) means discard the IA_PD. */
			if (want && !(in->ia.t1 && in->ia.t2 && in->ia.t1 > in->ia.t2))
				in->has_ia = true;
			else if (want)
				memset(&in->ia, 0, sizeof(in->ia));
			break;
		}
		default:
			if (code == ex->cont_code)
				r = parse_cont(d, n, &in->cont_type);
			break;
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!client_ok)
		return -ENOMSG;
	if (!in->server_id.len)
		return -EINVAL;
	if (in->has_ia)
		drop_mistyped(&in->ia, in->cont_type, ex->cont_type);
	return 0;
}

int odm_dhcp6_prefix_type(const struct odm_dhcp6_in *in, const struct odm_dhcp6_prefix *p)
{
	return p->cont_type >= 0 ? p->cont_type : in->cont_type;
}

int odm_dhcp6_prefix_typed(const struct odm_dhcp6_in *in, const struct odm_dhcp6_prefix *p,
			   int want, bool untyped_ok)
{
	int t = odm_dhcp6_prefix_type(in, p);

	if (t < 0)
		return untyped_ok ? 0 : -ENODATA;
	return want < 0 || t == want ? 0 : -EPROTO;
}
