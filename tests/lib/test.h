/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test.h - a tiny test harness for odm's tests (unit and namespace), in
 * the style of the kernel's selftests: ASSERT_* log "actual X != expected
 * Y" and return a bool, so a case can `goto cleanup` or carry on; every
 * binary ends with the line "N passed, N failed" and exits non-zero on any
 * failure.
 *
 *	static void test_parse(void)
 *	{
 *		ASSERT_EQ(odm_type_parse("fixed", false, &t), 0, "parse fixed");
 *	}
 *	int main(void) { RUN(test_parse); return test_summary(); }
 *
 * The state lives in test.c, so a suite may spread over several files.
 */
#ifndef ODM_TEST_H
#define ODM_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

extern int test_passed, test_failed;
/* The running test (or sub-case): its name, and whether it failed yet. */
extern const char *test_case_name;
extern int test_case_failed;

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

/* Run one test: its "ok   NAME" or "FAIL NAME" line, counted. */
void test_run(const char *name, void (*fn)(void));
#define RUN(fn) test_run(#fn, fn)

/*
 * Sub-cases of one test, as the kernel's test__start_subtest(): SUBTEST()
 * ends the sub-case before it, if any, and starts NAME, which the ASSERT_*
 * messages name while it runs; test_subtest_end() ends the last one (so
 * does test_run(), after a `goto cleanup` out of the loop) and gives the
 * test its name back.  A sub-case that failed prints "  FAIL case: NAME"
 * and fails its test; with test_verbose, one that passed prints
 * "  ok   case: NAME".  test_subtests and test_subtests_failed count the
 * running test's.
 *
 *	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
 *		SUBTEST(cases[i].name);
 *		run_case(&cases[i]);
 *	}
 *	test_subtest_end();
 */
extern bool test_verbose;
extern int test_subtests, test_subtests_failed;
void test_subtest_start(const char *name);
void test_subtest_end(void);
#define SUBTEST(name) test_subtest_start(name)

/*
 * Robustness figures, for the summary tests/run.sh prints: a test counts
 * each input it feeds a parser or an interface under test (INPUTS, good
 * and bad alike) and each fault it injects and checks odm survived
 * (FAULT).  test_summary() prints "figure: NAME N" lines.
 */
extern unsigned long long test_fig_inputs, test_fig_faults;
#define INPUTS(n)	(test_fig_inputs += (unsigned long long)(n))
#define FAULT()		(test_fig_faults++)

/* The figures and "N passed, N failed"; the exit status for main. */
int test_summary(void);

#endif
