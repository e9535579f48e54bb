/*
 * json_main.c - the json suite again, linked with cli/json.c built without
 * SSE2 (-U__SSE2__), so that the word-at-a-time escaper that machines other
 * than x86-64 use is compiled and checked against the reference here too.
 */
#include <stdlib.h>

#include "../suites.h"

int main(void)
{
	SRunner *sr = srunner_create(json_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
