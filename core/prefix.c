/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * prefix.c - IPv6 address and prefix arithmetic.
 *
 * Addresses are __u32[4] in network byte order, the layout of the BPF map
 * keys, so the words are converted to host order only where bits inside
 * a word are masked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "core.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int odm_addr_parse(const char *s, __u32 addr[4])
{
	struct in6_addr a;

	if (!s || inet_pton(AF_INET6, s, &a) != 1)
		return -EINVAL;
	memcpy(addr, &a, sizeof(a));
	return 0;
}

/* Network-order mask of the bits of word i (0..3) that lie inside plen. */
static __u32 word_mask(unsigned int i, unsigned int plen)
{
	unsigned int bits;

	if (plen >= (i + 1) * 32)
		return 0xffffffffu;
	if (plen <= i * 32)
		return 0;
	bits = plen - i * 32;
	return htonl(0xffffffffu << (32 - bits));
}

void odm_prefix_mask(__u32 out[4], const __u32 in[4], unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		out[i] = in[i] & word_mask(i, plen);
}

bool odm_prefix_contains(const struct odm_prefix_key *key, const __u32 addr[4])
{
	unsigned int i;
	__u32 m;

	for (i = 0; i < 4; i++) {
		m = word_mask(i, key->prefixlen);
		if ((addr[i] & m) != (key->prefix.w[i] & m))
			return false;
	}
	return true;
}

bool odm_prefix_overlap(const struct odm_prefix_key *a, const struct odm_prefix_key *b)
{
	/* The shorter one contains the other, or they are disjoint. */
	return a->prefixlen <= b->prefixlen ? odm_prefix_contains(a, b->prefix.w) :
					      odm_prefix_contains(b, a->prefix.w);
}

const char *odm_prefix_unsafe(const __u32 prefix[4], unsigned int plen)
{
	__u8 first = (__u8)(ntohl(prefix[0]) >> 24);

	if (plen > 128)
		return "prefix length over 128";
	if (plen < ODM_NET_PLEN_MIN)
		return "shorter than /32";
	if (first == 0xff)
		return "multicast";
	if (first == 0xfe && (ntohl(prefix[0]) & 0x00c00000) == 0x00800000)
		return "link-local";
	if ((first & 0xfe) == 0xfc)
		return NULL;		/* unique local, RFC 4193 */
	if ((first & 0xe0) != 0x20)
		return "not global unicast or unique local";
	return NULL;
}

bool odm_addr_is_zero(const __u32 addr[4])
{
	return !(addr[0] | addr[1] | addr[2] | addr[3]);
}

int odm_addr_build(__u32 out[4], const __u32 prefix[4], unsigned int plen, const __u32 iid[4])
{
	unsigned int i;
	__u32 m;

	if (plen > 128)
		return -EINVAL;
	/* Word by word, so out may alias prefix or iid. */
	for (i = 0; i < 4; i++) {
		m = word_mask(i, plen);
		out[i] = (prefix[i] & m) | (iid[i] & ~m);
	}
	return 0;
}

char *odm_addr_str(const __u32 addr[4], char *buf)
{
	if (!inet_ntop(AF_INET6, addr, buf, INET6_ADDRSTRLEN))
		buf[0] = '\0';
	return buf;
}

char *odm_prefix_str(const struct odm_prefix_key *key, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, ODM_PREFIX_STRLEN, "%s/%u", odm_addr_str(key->prefix.w, a),
		 key->prefixlen);
	return buf;
}

/* Strict decimal 0-128: strtoul would take "+64", " 64" and "0x40". */
static int parse_plen(const char *s, unsigned int *plen)
{
	unsigned int v = 0;
	size_t n;

	n = strlen(s);
	if (n == 0 || n > 3 || strspn(s, "0123456789") != n)
		return -EINVAL;
	for (; *s; s++)
		v = v * 10 + (unsigned int)(*s - '0');
	if (v > 128)
		return -EINVAL;
	*plen = v;
	return 0;
}

/* ::ffff:0:0/96, IPv4 addresses seen through an IPv6 socket. */
static bool is_v4mapped(const __u32 a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == htonl(0xffff);
}

int odm_prefix_parse(const char *s, struct odm_prefix_key *key, char *err, size_t errlen)
{
	char abuf[INET6_ADDRSTRLEN];
	char pbuf[ODM_PREFIX_STRLEN];
	struct odm_prefix_key k;
	const char *slash;
	unsigned int plen;
	size_t alen;
	__u32 addr[4];

	if (!s || !*s) {
		set_err(err, errlen, "missing prefix (expected ADDR/LEN)");
		return -EINVAL;
	}
	slash = strchr(s, '/');
	if (!slash) {
		set_err(err, errlen, "missing prefix length in '%s' (expected ADDR/LEN)", s);
		return -EINVAL;
	}
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(abuf)) {
		set_err(err, errlen, "bad IPv6 address in '%s'", s);
		return -EINVAL;
	}
	memcpy(abuf, s, alen);
	abuf[alen] = '\0';
	if (odm_addr_parse(abuf, addr)) {
		set_err(err, errlen, "bad IPv6 address '%s' in '%s'", abuf, s);
		return -EINVAL;
	}
	if (parse_plen(slash + 1, &plen)) {
		set_err(err, errlen, "bad prefix length '%s' in '%s' (expected 0-128)",
			slash + 1, s);
		return -EINVAL;
	}
	k.prefixlen = plen;
	odm_prefix_mask(k.prefix.w, addr, plen);
	if (memcmp(&k.prefix, addr, sizeof(addr)) != 0) {
		set_err(err, errlen, "%s has host bits set; did you mean %s?", s,
			odm_prefix_str(&k, pbuf));
		return -EINVAL;
	}
	/*
	 * odm hands out IPv6 source addresses; a v4-mapped "prefix" could never
	 * be a source (the connect6 hook skips v4-mapped destinations), so it
	 * is surely a mistake.  Shorter prefixes merely contain that range.
	 */
	if (plen >= 96 && is_v4mapped(addr)) {
		set_err(err, errlen, "%s is a v4-mapped prefix, not an IPv6 one", s);
		return -EINVAL;
	}
	*key = k;
	return 0;
}
