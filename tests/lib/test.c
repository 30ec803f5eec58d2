// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test.c - the state of test.h's harness, shared by every file of a suite.
 */
#include "test.h"

int test_passed, test_failed;
const char *test_case_name = "";
int test_case_failed;
unsigned long long test_fig_inputs, test_fig_faults;
bool test_verbose;
int test_subtests, test_subtests_failed;

/* While a sub-case runs: its test's name and failure so far. */
static const char *subtest_parent;
static int subtest_parent_failed;

void test_subtest_end(void)
{
	if (!subtest_parent)
		return;
	if (test_case_failed) {
		test_subtests_failed++;
		printf("  FAIL case: %s\n", test_case_name);
	} else if (test_verbose) {
		printf("  ok   case: %s\n", test_case_name);
	}
	test_case_failed |= subtest_parent_failed;
	test_case_name = subtest_parent;
	subtest_parent = NULL;
}

void test_subtest_start(const char *name)
{
	test_subtest_end();
	subtest_parent = test_case_name;
	subtest_parent_failed = test_case_failed;
	test_case_name = name;
	test_case_failed = 0;
	test_subtests++;
}

void test_run(const char *name, void (*fn)(void))
{
	test_case_name = name;
	test_case_failed = 0;
	test_subtests = test_subtests_failed = 0;
	fn();
	test_subtest_end();
	if (test_case_failed) {
		test_failed++;
		printf("FAIL %s\n", name);
	} else {
		test_passed++;
		printf("ok   %s\n", name);
	}
}

int test_summary(void)
{
	if (test_fig_inputs)
		printf("figure: inputs %llu\n", test_fig_inputs);
	if (test_fig_faults)
		printf("figure: faults %llu\n", test_fig_faults);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
