// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ra_wire.c - parse a Router Advertisement and its Prefix Information Options
 * (ra_wire.h).
 *
 * The PIO's flags byte, as draft-feng-dmm-ra-prefixtype-00 lays it out:
 *
 *     7   6   5   4   3   2   1   0
 *   +---+---+---+---+---+---+---+---+
 *   | L | A | R |   SrvTp   | rsvd  |
 *   +---+---+---+---+---+---+---+---+
 *
 * SrvTp = (flags >> 2) & 7.  Caveat: RFC 9762 has since given bit 0x10 to
 * the P flag (prefer DHCPv6-PD), which is SrvTp's top bit here, so a
 * router that sets P would read as SrvTp 4..7.  odm follows the draft
 * because that is what marks types; routers that set P must not be
 * trusted for SrvTp (docs/ra.md).
 */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "dhcp6_wire.h"
#include "ra_wire.h"

/* Offsets inside a PIO (RFC 4861 4.6.2). */
#define PIO_PLEN	2
#define PIO_FLAGS	3
#define PIO_VALID	4
#define PIO_PREFERRED	8
#define PIO_PREFIX	16
#define PIO_BYTES	32

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/* SrvTp on the wire -> enum odm_type; unmarked and reserved (5-7) give NONE. */
static __u8 srvtp_type(unsigned int srvtp)
{
	int t = odm_dhcp6_type_from_wire(srvtp);

	return t < 0 ? ODM_TYPE_NONE : (__u8)t;
}

/* One PIO of optlen bytes (>= 8, checked by the caller).  false: skip it. */
static bool parse_pio(const __u8 *p, size_t optlen, struct odm_ra_pio *pio)
{
	__u32 prefix[4];

	/*
	 * Longer than 32 bytes is accepted, as Linux accepts it, reading
	 * only the defined part; shorter has no room for the prefix.
	 */
	if (optlen < PIO_BYTES || p[PIO_PLEN] > 128)
		return false;
	pio->valid_lft = get32(p + PIO_VALID);
	pio->preferred_lft = get32(p + PIO_PREFERRED);
	/* RFC 4862 5.5.3 c): silently ignore such a prefix. */
	if (pio->preferred_lft > pio->valid_lft)
		return false;
	pio->plen = p[PIO_PLEN];
	pio->flags = p[PIO_FLAGS];
	pio->srvtp = (pio->flags >> ODM_RA_SRVTP_SHIFT) & ODM_RA_SRVTP_MASK;
	pio->type = srvtp_type(pio->srvtp);
	memcpy(prefix, p + PIO_PREFIX, sizeof(prefix));
	/* Routers may leave junk past the length; the map key must not have it. */
	odm_prefix_mask(pio->prefix, prefix, pio->plen);
	return true;
}

int odm_ra_parse(const __u8 *buf, size_t len, struct odm_ra_msg *ra)
{
	size_t off, optlen;

	memset(ra, 0, sizeof(*ra));
	if (len < 1)
		return -EINVAL;
	if (buf[0] != ODM_RA_TYPE)
		return -ENOMSG;
	if (len < ODM_RA_HDR_LEN || buf[1] != 0)
		return -EINVAL;
	ra->cur_hop_limit = buf[4];
	ra->flags = buf[5];
	ra->router_lifetime = (__u16)(buf[6] << 8 | buf[7]);
	ra->reachable_ms = get32(buf + 8);
	ra->retrans_ms = get32(buf + 12);

	for (off = ODM_RA_HDR_LEN; off < len; off += optlen) {
		/* An option needs its type and length bytes. */
		if (len - off < 2)
			goto invalid;
		optlen = (size_t)buf[off + 1] * 8;
		/* Length 0 would loop forever; RFC 4861 6.1.2 drops the RA. */
		if (!optlen || optlen > len - off)
			goto invalid;
		if (buf[off] != ODM_RA_OPT_PIO)
			continue;
		if (ra->npio == ODM_RA_PIO_MAX || !parse_pio(buf + off, optlen, &ra->pio[ra->npio]))
			ra->skipped++;
		else
			ra->npio++;
	}
	return 0;

invalid:
	memset(ra, 0, sizeof(*ra));
	return -EINVAL;
}
