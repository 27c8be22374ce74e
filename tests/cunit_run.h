/* SPDX-License-Identifier: BSD-3-Clause
 * One CUnit runner for every test program: register a table of tests as
 * one suite (with optional suite init/cleanup), run it verbosely, exit
 * non-zero on any failure, a failed suite init included.
 */
#ifndef SBC_CUNIT_RUN_H
#define SBC_CUNIT_RUN_H

#include <stddef.h>

#include <CUnit/Basic.h>

struct sbc_test {
	const char *name;
	CU_TestFunc fn;
};

/* Returns the exit status for main(): 0 when every test passed, 2 when the
 * registry could not be set up. */
static inline int sbc_test_run_suite(const char *suite_name, CU_InitializeFunc init,
				     CU_CleanupFunc clean, const struct sbc_test *tests,
				     size_t n)
{
	unsigned int failures;
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite(suite_name, init, clean);
	for (size_t i = 0; suite != NULL && i < n; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			suite = NULL;
	if (suite == NULL) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

#define SBC_TEST_RUN(name, tests) \
	sbc_test_run_suite(name, NULL, NULL, tests, sizeof(tests) / sizeof((tests)[0]))
#define SBC_TEST_RUN_SUITE(name, init, clean, tests) \
	sbc_test_run_suite(name, init, clean, tests, sizeof(tests) / sizeof((tests)[0]))

#endif /* SBC_CUNIT_RUN_H */
