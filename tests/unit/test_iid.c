// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_iid.c - SHA-256 against FIPS 180-4 vectors; RFC 7217 identifiers
 * stable for the same inputs and different when any input changes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "test.h"

static const char *hex(const unsigned char *md, char *buf)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(buf + 2 * i, "%02x", md[i]);
	return buf;
}

static void test_sha256(void)
{
	static const struct {
		const char *msg;
		const char *digest;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		  "klmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	unsigned char md[32], big[1000];
	char buf[65];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		odm_sha256(v[i].msg, strlen(v[i].msg), md);
		ASSERT_STREQ(hex(md, buf), v[i].digest, v[i].msg);
	}
	/* 1000 x 'a' crosses block boundaries with a two-block tail. */
	memset(big, 'a', sizeof(big));
	odm_sha256(big, sizeof(big), md);
	ASSERT_STREQ(hex(md, buf), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3",
		     "1000 a");
}

static void test_iid_stable(void)
{
	static const unsigned char secret[16] = "0123456789abcde", other[16] = "fedcba987654321";
	struct odm_prefix_key k1, k2;
	__u32 a[4], b[4];
	char err[128];

	odm_prefix_parse("2001:db8:1::/64", &k1, err, sizeof(err));
	odm_prefix_parse("2001:db8:2::/64", &k2, err, sizeof(err));
	ASSERT_EQ(odm_iid_stable(a, &k1, "eth0", 0, secret), 0, "iid");
	ASSERT_EQ(odm_iid_stable(b, &k1, "eth0", 0, secret), 0, "again");
	ASSERT_TRUE(!memcmp(a, b, sizeof(a)), "stable for the same inputs");
	odm_iid_stable(b, &k2, "eth0", 0, secret);
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) != 0, "another prefix, another identifier");
	odm_iid_stable(b, &k1, "eth1", 0, secret);
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) != 0, "another interface");
	odm_iid_stable(b, &k1, "eth0", 1, secret);
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) != 0, "another counter: renewed");
	odm_iid_stable(b, &k1, "eth0", 0, other);
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) != 0, "another secret");
	k1.prefixlen = 129;
	ASSERT_EQ(odm_iid_stable(a, &k1, "eth0", 0, secret), -EINVAL, "bad prefix length");
}

int main(void)
{
	RUN(test_sha256);
	RUN(test_iid_stable);
	return test_summary();
}
