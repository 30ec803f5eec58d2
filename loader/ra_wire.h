/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ra_wire.h - a pure parser of ICMPv6 Router Advertisements (RFC 4861 4.2) that
 * keeps what odm needs: the Prefix Information Options (RFC 4861 4.6.2)
 * and the address type a router marks in them with the SrvTp field of
 * draft-feng-dmm-ra-prefixtype-00.
 *
 * No I/O, no allocation, no global state; every length is checked before
 * a read, so it can be fed arbitrary bytes (the unit tests truncate RAs
 * at every length).  The type numbering is translated by
 * odm_dhcp6_type_from_wire() (dhcp6_wire.h): the RA draft numbers SrvTp as
 * the DHCPv6 draft numbers its continuity service.
 */
#ifndef ODM_RA_WIRE_H
#define ODM_RA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define ODM_RA_TYPE		134	/* ND_ROUTER_ADVERT */
#define ODM_RA_HDR_LEN		16	/* type .. retrans timer */
#define ODM_RA_OPT_PIO		3	/* Prefix Information */
#define ODM_RA_PIO_LEN		4	/* in 8-octet units */
#define ODM_RA_PIO_MAX		32	/* PIOs kept per RA; more are counted as skipped */

/* PIO flags byte: L A R SrvTp(3) reserved(2), see ra.c. */
#define ODM_RA_PIO_F_ONLINK	0x80
#define ODM_RA_PIO_F_AUTO	0x40
#define ODM_RA_PIO_F_ROUTER	0x20	/* RFC 6275 */
#define ODM_RA_SRVTP_SHIFT	2
#define ODM_RA_SRVTP_MASK	0x7

struct odm_ra_pio {
	__u32 prefix[4];	/* network order, host bits cleared */
	__u8 plen;		/* 0..128 */
	__u8 flags;		/* the PIO flags byte as received */
	__u8 srvtp;		/* wire value 0..7, 0 = unmarked */
	__u8 type;		/* enum odm_type; ODM_TYPE_NONE when unmarked or reserved */
	__u32 valid_lft;	/* seconds, 0xffffffff = forever */
	__u32 preferred_lft;
};

struct odm_ra_msg {
	__u8 cur_hop_limit;
	__u8 flags;		/* M, O, ... */
	__u16 router_lifetime;	/* seconds */
	__u32 reachable_ms;
	__u32 retrans_ms;
	unsigned int npio;
	struct odm_ra_pio pio[ODM_RA_PIO_MAX];
	unsigned int skipped;	/* PIOs dropped: too short, plen > 128,
				 * preferred > valid, or beyond ODM_RA_PIO_MAX */
};

/*
 * Parse an ICMPv6 message (from its type byte on, as a raw ICMPv6 socket
 * delivers it).  Returns 0 and fills *ra, or
 *   -ENOMSG  not a Router Advertisement (type != 134);
 *   -EINVAL  invalid (RFC 4861 6.1.2): code != 0, shorter than the
 *            16-byte header, an option of length 0 or running past the end.
 * An invalid RA is rejected whole; a bad PIO only skips that PIO.
 */
int odm_ra_parse(const __u8 *buf, size_t len, struct odm_ra_msg *ra);

#endif
