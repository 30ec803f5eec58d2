// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test.c - the state of test.h's harness, shared by every file of a suite.
 */
#include "test.h"

int test_passed, test_failed;
const char *test_case_name = "";
int test_case_failed;
unsigned long long test_fig_inputs, test_fig_faults;

void test_run(const char *name, void (*fn)(void))
{
	test_case_name = name;
	test_case_failed = 0;
	fn();
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
