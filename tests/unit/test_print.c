/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_print.c - the text/JSON printer, checked byte for byte through
 * open_memstream.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "core.h"
#include "test.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct odm_printer *p;
};

static bool out_open(struct out *o, bool json, bool pretty)
{
	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	if (!ASSERT_TRUE(o->f != NULL, "open_memstream"))
		return false;
	o->p = odm_printer_new(o->f, json, pretty);
	if (!ASSERT_TRUE(o->p != NULL, "odm_printer_new")) {
		fclose(o->f);
		free(o->buf);
		return false;
	}
	return true;
}

/* Free the printer, check its verdict and the output, release everything. */
static void out_check(struct out *o, int want_ret, const char *want, const char *what)
{
	ASSERT_EQ(odm_printer_free(o->p), want_ret, what);
	fclose(o->f);
	ASSERT_STREQ(o->buf, want, what);
	free(o->buf);
}

/* The same calls as `odm prefix show` makes, for every mode. */
static void show_prefixes(struct odm_printer *p, int n)
{
	int i;

	odm_print_open_object(p, NULL);
	odm_print_open_array(p, "prefixes");
	for (i = 0; i < n; i++) {
		odm_print_open_object(p, NULL);
		odm_print_string(p, "prefix", "%s", i ? "2001:db8:1::/64" : "2001:db8::/64");
		odm_print_string(p, "type", " type %s", "fixed");
		odm_print_u64(p, "ifindex", " ifindex %llu", 2);
		odm_print_bool(p, "valid", " valid %s", i == 0);
		odm_print_text(p, "\n");
		odm_print_close_object(p);
	}
	odm_print_close_array(p);
	odm_print_close_object(p);
}

static void test_text(void)
{
	struct out o;

	if (out_open(&o, false, false)) {
		ASSERT_TRUE(!odm_printer_is_json(o.p), "not json");
		show_prefixes(o.p, 2);
		out_check(&o, 0,
			  "2001:db8::/64 type fixed ifindex 2 valid true\n"
			  "2001:db8:1::/64 type fixed ifindex 2 valid false\n", "text");
	}
	if (out_open(&o, false, true)) {
		show_prefixes(o.p, 0);
		out_check(&o, 0, "", "text, nothing; pretty ignored");
	}
	if (out_open(&o, false, false)) {
		odm_print_string(o.p, "k", NULL, "hidden");
		odm_print_u64(o.p, "k", NULL, 1);
		odm_print_s64(o.p, "k", NULL, -1);
		odm_print_bool(o.p, "k", NULL, true);
		odm_print_null(o.p, "k", NULL);
		odm_print_s64(o.p, NULL, "%lld", -42);
		odm_print_u64(o.p, NULL, " %llu", 18446744073709551615ull);
		odm_print_null(o.p, "k", " %s");
		odm_print_null(o.p, "k", " n/a");
		odm_print_string(o.p, "k", " %s", NULL);
		odm_print_string(o.p, "k", " 100%% %s", "raw \"\\\n");
		/* a key out of place in text mode is not an error: keys are ignored */
		odm_print_close_array(o.p);
		out_check(&o, 0, "-42 18446744073709551615 - n/a (null) 100% raw \"\\\n", "text");
	}
}

static void test_json(void)
{
	struct out o;

	if (out_open(&o, true, false)) {
		ASSERT_TRUE(odm_printer_is_json(o.p), "json");
		show_prefixes(o.p, 2);
		out_check(&o, 0,
			  "{\"prefixes\":["
			  "{\"prefix\":\"2001:db8::/64\",\"type\":\"fixed\",\"ifindex\":2,"
			  "\"valid\":true},"
			  "{\"prefix\":\"2001:db8:1::/64\",\"type\":\"fixed\",\"ifindex\":2,"
			  "\"valid\":false}]}\n", "compact");
	}
	if (out_open(&o, true, false)) {
		show_prefixes(o.p, 0);
		out_check(&o, 0, "{\"prefixes\":[]}\n", "empty array");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_array(o.p, NULL);
		odm_print_close_array(o.p);
		out_check(&o, 0, "[]\n", "top-level empty array");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_open_object(o.p, "a");
		odm_print_close_object(o.p);
		odm_print_open_array(o.p, "b");
		odm_print_open_array(o.p, NULL);
		odm_print_close_array(o.p);
		odm_print_open_object(o.p, NULL);
		odm_print_close_object(o.p);
		odm_print_close_array(o.p);
		odm_print_close_object(o.p);
		out_check(&o, 0, "{\"a\":{},\"b\":[[],{}]}\n", "nested empties");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_u64(o.p, "u0", "%llu", 0);
		odm_print_u64(o.p, "umax", "%llu", 18446744073709551615ull);
		odm_print_s64(o.p, "s", "%lld", -9223372036854775807ll - 1);
		odm_print_s64(o.p, "s0", "%lld", 0);
		odm_print_bool(o.p, "t", "%s", true);
		odm_print_bool(o.p, "f", NULL, false);
		odm_print_null(o.p, "n", "-");
		odm_print_string(o.p, "snull", "%s", NULL);
		odm_print_string(o.p, "fmt_ignored", "%d", "x");
		odm_print_text(o.p, "text is not json\n");
		odm_print_close_object(o.p);
		out_check(&o, 0,
			  "{\"u0\":0,\"umax\":18446744073709551615,\"s\":-9223372036854775808,"
			  "\"s0\":0,\"t\":true,\"f\":false,\"n\":null,\"snull\":null,"
			  "\"fmt_ignored\":\"x\"}\n", "scalars");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_array(o.p, NULL);
		odm_print_u64(o.p, NULL, NULL, 1);
		odm_print_string(o.p, "ignored_in_array", NULL, "two");
		odm_print_null(o.p, NULL, NULL);
		odm_print_close_array(o.p);
		out_check(&o, 0, "[1,\"two\",null]\n", "array members");
	}
	if (out_open(&o, true, false)) {
		odm_print_u64(o.p, NULL, NULL, 7);
		out_check(&o, 0, "7\n", "top-level scalar");
	}
}

static void test_escape(void)
{
	struct out o;

	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_string(o.p, "q", NULL, "say \"hi\"");
		odm_print_string(o.p, "bs", NULL, "C:\\dir\\");
		odm_print_string(o.p, "ctl", NULL, "a\nb\tc\rd\be\ff\x01g\x1fh\x7f");
		odm_print_string(o.p, "slash", NULL, "/sys/fs/cgroup/a b");
		odm_print_string(o.p, "utf8", NULL, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
		odm_print_string(o.p, "bad_utf8", NULL,
				 "\xff|\xc0\xaf|\xe0\x80\xaf|\xed\xa0\x80|"
				 "\xf4\x90\x80\x80|\xc3|\x80");
		odm_print_string(o.p, "empty", NULL, "");
		odm_print_string(o.p, "key \"with\"\n\\", NULL, "v");
		odm_print_close_object(o.p);
		out_check(&o, 0,
			  "{\"q\":\"say \\\"hi\\\"\","
			  "\"bs\":\"C:\\\\dir\\\\\","
			  "\"ctl\":\"a\\u000ab\\u0009c\\u000dd\\u0008e\\u000cf"
			  "\\u0001g\\u001fh\x7f\","
			  "\"slash\":\"/sys/fs/cgroup/a b\","
			  "\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
			  "\"bad_utf8\":\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
			  "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd|\\ufffd\","
			  "\"empty\":\"\","
			  "\"key \\\"with\\\"\\u000a\\\\\":\"v\"}\n", "escaping");
	}
}

static void test_pretty(void)
{
	struct out o;

	if (out_open(&o, true, true)) {
		show_prefixes(o.p, 2);
		out_check(&o, 0,
			  "{\n"
			  "  \"prefixes\": [\n"
			  "    {\n"
			  "      \"prefix\": \"2001:db8::/64\",\n"
			  "      \"type\": \"fixed\",\n"
			  "      \"ifindex\": 2,\n"
			  "      \"valid\": true\n"
			  "    },\n"
			  "    {\n"
			  "      \"prefix\": \"2001:db8:1::/64\",\n"
			  "      \"type\": \"fixed\",\n"
			  "      \"ifindex\": 2,\n"
			  "      \"valid\": false\n"
			  "    }\n"
			  "  ]\n"
			  "}\n", "pretty");
	}
	if (out_open(&o, true, true)) {
		show_prefixes(o.p, 0);
		out_check(&o, 0, "{\n  \"prefixes\": []\n}\n", "pretty empty array");
	}
	if (out_open(&o, true, true)) {
		odm_print_open_object(o.p, NULL);
		odm_print_close_object(o.p);
		out_check(&o, 0, "{}\n", "pretty empty object");
	}
	if (out_open(&o, true, true)) {
		odm_print_open_array(o.p, NULL);
		odm_print_u64(o.p, NULL, NULL, 1);
		odm_print_open_object(o.p, NULL);
		odm_print_close_object(o.p);
		odm_print_open_array(o.p, NULL);
		odm_print_bool(o.p, NULL, NULL, true);
		odm_print_close_array(o.p);
		odm_print_close_array(o.p);
		out_check(&o, 0, "[\n  1,\n  {},\n  [\n    true\n  ]\n]\n", "pretty array");
	}
}

/* Misuse is reported by odm_printer_free, and the output stays valid JSON. */
/* Measurements: text through the caller's format, JSON with enough digits,
 * null where JSON has no number (the benchmark's NaN for a failed figure). */
static void test_double(void)
{
	struct out o;

	if (out_open(&o, false, false)) {
		odm_print_double(o.p, "ratio", "ratio %.3f", 1.23456);
		out_check(&o, 0, "ratio 1.235", "text");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_double(o.p, "ratio", NULL, 1.23456);
		odm_print_double(o.p, "ns", NULL, 2566.6);
		odm_print_double(o.p, "zero", NULL, 0);
		odm_print_double(o.p, "nan", NULL, NAN);
		odm_print_double(o.p, "inf", NULL, -INFINITY);
		odm_print_close_object(o.p);
		out_check(&o, 0, "{\"ratio\":1.23456,\"ns\":2566.6,\"zero\":0,\"nan\":null,"
			  "\"inf\":null}\n", "json");
	}
}

static void test_misuse(void)
{
	struct out o;
	int i;

	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_open_array(o.p, "a");
		odm_print_u64(o.p, NULL, NULL, 1);
		out_check(&o, -EINVAL, "{\"a\":[1]}\n", "left open");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_u64(o.p, NULL, NULL, 1);
		odm_print_u64(o.p, "b", NULL, 2);
		odm_print_close_object(o.p);
		out_check(&o, -EINVAL, "{\"b\":2}\n", "member without key dropped");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_object(o.p, NULL);
		odm_print_open_object(o.p, NULL);
		odm_print_u64(o.p, "inner", NULL, 1);
		odm_print_close_object(o.p);
		odm_print_u64(o.p, "b", NULL, 2);
		odm_print_close_object(o.p);
		out_check(&o, -EINVAL, "{\"b\":2}\n", "object without key dropped, with contents");
	}
	if (out_open(&o, true, false)) {
		odm_print_open_array(o.p, NULL);
		odm_print_close_object(o.p);
		out_check(&o, -EINVAL, "[]\n", "mismatched close still closes right");
	}
	if (out_open(&o, true, false)) {
		odm_print_close_object(o.p);
		odm_print_open_object(o.p, NULL);
		odm_print_close_object(o.p);
		odm_print_open_object(o.p, NULL);
		odm_print_close_object(o.p);
		odm_print_u64(o.p, NULL, NULL, 1);
		out_check(&o, -EINVAL, "{}\n", "one top-level value only");
	}
	if (out_open(&o, true, false)) {
		for (i = 0; i < 40; i++)
			odm_print_open_array(o.p, NULL);
		odm_print_u64(o.p, NULL, NULL, 1);
		for (i = 0; i < 40; i++)
			odm_print_close_array(o.p);
		ASSERT_EQ(odm_printer_free(o.p), -E2BIG, "too deep");
		fclose(o.f);
		ASSERT_EQ(o.len, 32 * 2 + 1, "32 levels, the rest dropped");
		ASSERT_EQ(o.buf[0], '[', "starts");
		ASSERT_EQ(strspn(o.buf, "["), 32, "32 opened");
		ASSERT_EQ(strspn(o.buf + 32, "]"), 32, "32 closed");
		ASSERT_EQ(o.buf[64], '\n', "then the newline");
		free(o.buf);
	}
	ASSERT_EQ(odm_printer_free(NULL), 0, "free NULL");
	ASSERT_TRUE(odm_printer_new(NULL, true, false) == NULL, "NULL file");
	ASSERT_TRUE(!odm_printer_is_json(NULL), "is_json NULL");
}

int main(void)
{
	RUN(test_text);
	RUN(test_json);
	RUN(test_escape);
	RUN(test_pretty);
	RUN(test_double);
	RUN(test_misuse);
	return test_summary();
}
