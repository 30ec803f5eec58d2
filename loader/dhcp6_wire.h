/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dhcp6_wire.h - a pure codec for the few DHCPv6 (RFC 8415) messages odmd's
 * prefix-delegation client exchanges: it builds Solicit, Request, Renew,
 * Rebind and Release, and parses Advertise and Reply.
 *
 * No I/O, no allocation, no global state: every function works on caller
 * buffers and checks every length before reading, so the parser can be fed
 * arbitrary bytes (unit tests truncate messages at every length).
 *
 * The address type travels as OPTION_IPv6_CONTINUITY_SERVICE of
 * draft-moses-dmm-dhcp-ondemand-mobility-09 (one byte of data), in the
 * draft's numbering; odm_dhcp6_type_to_wire() / odm_dhcp6_type_from_wire()
 * are the only places that translate between it and enum odm_type.
 */
#ifndef ODM_DHCP6_WIRE_H
#define ODM_DHCP6_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* RFC 8415 section 7.3 message types. */
enum {
	DHCP6_SOLICIT		= 1,
	DHCP6_ADVERTISE		= 2,
	DHCP6_REQUEST		= 3,
	DHCP6_RENEW		= 5,
	DHCP6_REBIND		= 6,
	DHCP6_REPLY		= 7,
	DHCP6_RELEASE		= 8,
};

/* RFC 8415 section 21 option codes. */
enum {
	DHCP6_OPT_CLIENTID	= 1,
	DHCP6_OPT_SERVERID	= 2,
	DHCP6_OPT_ORO		= 6,
	DHCP6_OPT_PREFERENCE	= 7,
	DHCP6_OPT_ELAPSED_TIME	= 8,
	DHCP6_OPT_STATUS_CODE	= 13,
	DHCP6_OPT_IA_PD		= 25,
	DHCP6_OPT_IAPREFIX	= 26,
	DHCP6_OPT_SOL_MAX_RT	= 82,
};

/* RFC 8415 section 21.13 status codes. */
enum {
	DHCP6_ST_SUCCESS	= 0,
	DHCP6_ST_UNSPECFAIL	= 1,
	DHCP6_ST_NOADDRSAVAIL	= 2,
	DHCP6_ST_NOBINDING	= 3,
	DHCP6_ST_NOTONLINK	= 4,
	DHCP6_ST_USEMULTICAST	= 5,
	DHCP6_ST_NOPREFIXAVAIL	= 6,
};

/* The draft's numbering of the continuity service (wire values). */
enum {
	DHCP6_CS_ANY		= 0,
	DHCP6_CS_NON_PERSISTENT	= 1,
	DHCP6_CS_SESSION_LASTING = 2,
	DHCP6_CS_FIXED		= 3,
	DHCP6_CS_GRACEFUL	= 4,
};

#define DHCP6_INFINITY		0xffffffffu	/* lifetime that never ends */
#define DHCP6_DUID_MAX		130		/* type + up to 128 octets (RFC 8415 11.1) */
#define DHCP6_MSG_MAX		1500		/* what odmd ever builds or reads */
#define DHCP6_IA_PREFIX_MAX	8		/* IAprefixes kept per IA_PD */

struct odm_dhcp6_duid {
	__u16 len;
	__u8 data[DHCP6_DUID_MAX];
};

/*
 * DUID-LL (RFC 8415 11.4) from a link-layer address: hwtype 1 (Ethernet)
 * for 6-octet addresses.  Returns 0 or -EINVAL (len 0 or too long).
 */
int odm_dhcp6_duid_ll(struct odm_dhcp6_duid *duid, __u16 hwtype, const __u8 *lladdr, size_t len);
/* DUID-UUID (RFC 6355) from 16 octets, for interfaces without a link-layer address. */
void odm_dhcp6_duid_uuid(struct odm_dhcp6_duid *duid, const __u8 uuid[16]);

/*
 * enum odm_type <-> the draft's wire value.  ODM_TYPE_NONE maps to Any (0).
 * Both return the value, or -EINVAL for a number outside 0..4.
 */
int odm_dhcp6_type_to_wire(unsigned int odm_type);
int odm_dhcp6_type_from_wire(unsigned int wire);

/* What a client message says; the builder fills in the options. */
struct odm_dhcp6_out {
	__u8 msg_type;			/* SOLICIT, REQUEST, RENEW, REBIND, RELEASE */
	__u32 xid;			/* low 24 bits used */
	const struct odm_dhcp6_duid *client_id;
	const struct odm_dhcp6_duid *server_id;	/* REQUEST, RENEW, RELEASE: required */
	__u16 elapsed_cs;		/* hundredths of a second, RFC 8415 21.9 */
	__u32 iaid;
	__u32 t1, t2;			/* 0: no preference */
	/* The IAprefix: ::/0 as a bare hint when soliciting, else the held prefix. */
	__u32 prefix[4];		/* network order */
	__u8 plen;
	__u32 preferred_lft, valid_lft;
	__u16 cont_code;		/* option code of the continuity service, nonzero */
	__u8 cont_type;			/* wire value, DHCP6_CS_* */
};

/*
 * Build a client message into buf.  Returns its length, -EINVAL for a bad
 * request (unknown type, missing Server ID, plen > 128, option code 0) or
 * -ENOSPC when buf is too small.
 *
 * Options, in order: Client ID, Server ID (if required), Elapsed Time,
 * ORO (SOL_MAX_RT, RFC 8415 18.2 makes it mandatory; not in Release), the
 * continuity option at top level, and IA_PD { IAprefix { continuity } }.
 * The top-level copy exists because Kea 2.2 classifies on option[X] and
 * option[X].option[Y] only, one level short of the IAprefix.
 */
int odm_dhcp6_build(const struct odm_dhcp6_out *m, __u8 *buf, size_t len);

struct odm_dhcp6_prefix {
	__u32 preferred_lft, valid_lft;
	__u8 plen;
	__u32 prefix[4];		/* network order, host bits as received */
	int cont_type;			/* wire value, -1 when the option is absent */
	bool has_status;
	__u16 status;
};

struct odm_dhcp6_ia {
	__u32 iaid, t1, t2;
	bool has_status;
	__u16 status;
	unsigned int nprefix;
	struct odm_dhcp6_prefix prefix[DHCP6_IA_PREFIX_MAX];
	unsigned int discarded;		/* IAprefixes dropped by RFC 8415 or type rules */
};

/* What an Advertise or Reply says about us. */
struct odm_dhcp6_in {
	__u8 msg_type;			/* ADVERTISE or REPLY */
	__u32 xid;
	struct odm_dhcp6_duid server_id;
	bool has_status;		/* top-level Status Code */
	__u16 status;
	bool has_preference;
	__u8 preference;		/* 0 when absent (RFC 8415 18.2.9) */
	int cont_type;			/* top-level continuity option, -1 absent */
	bool has_ia;			/* an IA_PD with our IAID (first one wins) */
	struct odm_dhcp6_ia ia;
};

/* What a message must match to be ours. */
struct odm_dhcp6_expect {
	__u32 xid;
	const struct odm_dhcp6_duid *client_id;
	__u32 iaid;
	__u16 cont_code;
	int cont_type;			/* wire value asked for; -1 accepts any */
};

/*
 * Parse an Advertise or Reply.  Returns 0 and fills *in, or
 *   -ENOMSG  not for us: another message type, transaction id or Client ID
 *            (also a missing Client ID);
 *   -EINVAL  malformed: an option running past its container, a bad fixed
 *            length, plen > 128, a missing Server ID.
 * Never reads outside buf[0..len).  IAprefixes with preferred > valid
 * (RFC 8415 21.22) or of a continuity type other than expect->cont_type
 * are dropped and counted in ia.discarded; an IAprefix's type is its own
 * option, or the top-level one when it carries none.  A prefix typed in
 * neither place is kept: whether it may be taken is
 * odm_dhcp6_prefix_typed()'s decision.  An IA_PD with T1 > T2 > 0 is
 * ignored (RFC 8415 21.21).
 */
int odm_dhcp6_parse(const __u8 *buf, size_t len, const struct odm_dhcp6_expect *expect,
		    struct odm_dhcp6_in *in);

/*
 * The continuity type the network gave prefix p of message in: the option
 * inside its IAprefix (the draft's place) or, when that has none, the
 * top-level one (Kea 2.2 can only answer there).  The wire value, or -1
 * when neither carries it.
 */
int odm_dhcp6_prefix_type(const struct odm_dhcp6_in *in, const struct odm_dhcp6_prefix *p);

/*
 * May prefix p of message in be taken for the type asked, want (wire
 * value; -1: any)?  RFC 8653 sections 5.1 and 5.3 ask for the exact type
 * or an error, and a network that does not know the option types nothing:
 * an untyped prefix is taken only when untyped_ok (the operator's
 * odmd --dhcp6-untyped for the type).  Returns 0, -ENODATA for an untyped
 * prefix that is not allowed, -EPROTO for one of another type
 * (odm_dhcp6_parse() already drops those for its expect->cont_type).
 */
int odm_dhcp6_prefix_typed(const struct odm_dhcp6_in *in, const struct odm_dhcp6_prefix *p,
			   int want, bool untyped_ok);

/* "Success", "NoPrefixAvail", ... for logs; "unknown" otherwise. */
const char *odm_dhcp6_status_name(unsigned int status);

#endif
