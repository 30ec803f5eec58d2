// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iid.c - interface identifiers of the host addresses odmd creates:
 * random, or RFC 7217 stable-privacy (SHA-256, FIPS 180-4, written here:
 * small, one-shot, no dependency on a crypto library).  Never derived from
 * the MAC (RFC 8653 section 7).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <arpa/inet.h>

#include "core.h"

static const __u32 K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static __u32 ror(__u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(__u32 h[8], const unsigned char *p)
{
	__u32 w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (__u32)p[4 * i] << 24 | (__u32)p[4 * i + 1] << 16 |
		       (__u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void odm_sha256(const void *data, size_t len, unsigned char out[32])
{
	__u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128];
	size_t rest = len % 64, n, i;
	__u64 bits = (__u64)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		block(h, p + i);
	/* Padding: 0x80, zeros, the length in bits, big-endian. */
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + len - rest, rest);
	tail[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	block(h, tail);
	if (n == 128)
		block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

int odm_iid_stable(__u32 iid[4], const struct odm_prefix_key *key, const char *ifname,
		   __u32 counter, const unsigned char secret[16])
{
	/* RFC 7217 section 5: F(Prefix, Net_Iface, Network_ID, DAD_Counter,
	 * secret_key), Network_ID left out; odm uses the counter to renew. */
	unsigned char buf[16 + IF_NAMESIZE + 4 + 16], md[32];
	size_t n = 0, l = strnlen(ifname ? ifname : "", IF_NAMESIZE);
	__u32 c = htonl(counter);

	if (!key || key->prefixlen > 128)
		return -EINVAL;
	memcpy(buf, key->prefix.b, 16);
	n += 16;
	memcpy(buf + n, ifname ? ifname : "", l);
	n += l;
	memcpy(buf + n, &c, 4);
	n += 4;
	memcpy(buf + n, secret, 16);
	n += 16;
	odm_sha256(buf, n, md);
	memcpy(iid, md + 16, 16);	/* the host bits come from the low half */
	return 0;
}

int odm_host_addr(__u32 out[4], const struct odm_prefix_key *key, unsigned int ifindex,
		  const struct odm_iid_conf *conf, __u32 counter)
{
	char ifname[IF_NAMESIZE] = "";
	__u32 iid[4];
	int err;

	if (conf && conf->stable) {
		if (ifindex && !if_indextoname(ifindex, ifname))
			ifname[0] = '\0';
		err = odm_iid_stable(iid, key, ifname, counter, conf->secret);
		if (err)
			return err;
	} else if (getrandom(iid, sizeof(iid), 0) != sizeof(iid)) {
		return -EIO;
	}
	if (key->prefixlen < 128)
		iid[3] |= htonl(1);	/* never the subnet-router anycast address */
	return odm_addr_build(out, key->prefix.w, key->prefixlen, iid);
}
