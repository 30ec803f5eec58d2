/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test.h - a tiny test harness for odm's unit tests, in the style of the
 * kernel's selftests: ASSERT_* log "actual X != expected Y" and return a
 * bool, so a case can `goto cleanup` or carry on; every binary ends with
 * the line "N passed, N failed" and exits non-zero on any failure.
 *
 *	static void test_parse(void)
 *	{
 *		ASSERT_EQ(odm_type_parse("fixed", false, &t), 0, "parse fixed");
 *	}
 *	int main(void) { RUN(test_parse); return test_summary(); }
 */
#ifndef ODM_TEST_H
#define ODM_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_case_failed;
static const char *test_case_name = "";

#define ASSERT_TRUE(cond, what) ({						\
	bool ___ok = (cond);							\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: %s: assertion failed\n",	\
			__FILE__, __LINE__, test_case_name, (what));		\
		test_case_failed = 1;						\
	}									\
	___ok;									\
})

#define ASSERT_EQ(actual, expected, what) ({					\
	long long ___a = (long long)(actual), ___e = (long long)(expected);	\
	bool ___ok = ___a == ___e;						\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: %s: actual %lld != expected %lld\n", \
			__FILE__, __LINE__, test_case_name, (what), ___a, ___e); \
		test_case_failed = 1;						\
	}									\
	___ok;									\
})

#define ASSERT_STREQ(actual, expected, what) ({				\
	const char *___a = (actual), *___e = (expected);			\
	bool ___ok = ___a && ___e && strcmp(___a, ___e) == 0;			\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: %s: actual \"%s\" != expected \"%s\"\n", \
			__FILE__, __LINE__, test_case_name, (what),		\
			___a ? ___a : "(null)", ___e ? ___e : "(null)");	\
		test_case_failed = 1;						\
	}									\
	___ok;									\
})

/* substring check, for error messages */
#define ASSERT_HAS(haystack, needle, what) ({					\
	const char *___h = (haystack), *___n = (needle);			\
	bool ___ok = ___h && strstr(___h, ___n) != NULL;			\
	if (!___ok) {								\
		fprintf(stderr, "  %s:%d: %s: %s: \"%s\" does not contain \"%s\"\n", \
			__FILE__, __LINE__, test_case_name, (what),		\
			___h ? ___h : "(null)", ___n);				\
		test_case_failed = 1;						\
	}									\
	___ok;									\
})

#define RUN(fn) do {								\
	test_case_name = #fn;							\
	test_case_failed = 0;							\
	fn();									\
	if (test_case_failed) {							\
		test_failed++;							\
		printf("FAIL %s\n", #fn);					\
	} else {								\
		test_passed++;							\
		printf("ok   %s\n", #fn);					\
	}									\
} while (0)

/*
 * Robustness figures, for the summary tests/run.sh prints: a test counts
 * each input it feeds a parser or an interface under test (INPUTS, good
 * and bad alike) and each fault it injects and checks odm survived
 * (FAULT).  test_summary() prints "figure: NAME N" lines.
 */
static unsigned long long test_fig_inputs, test_fig_faults;
#define INPUTS(n)	(test_fig_inputs += (unsigned long long)(n))
#define FAULT()		(test_fig_faults++)

static inline int test_summary(void)
{
	if (test_fig_inputs)
		printf("figure: inputs %llu\n", test_fig_inputs);
	if (test_fig_faults)
		printf("figure: faults %llu\n", test_fig_faults);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
