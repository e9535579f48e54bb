/* check_main.c - runs every unit suite; exit status 0 when all pass. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	srunner_add_suite(sr, http1_suite());
	srunner_add_suite(sr, http1_errors_suite());
	srunner_add_suite(sr, http1_syntax_suite());
	srunner_add_suite(sr, http1_memo_suite());
	srunner_add_suite(sr, http1_lens_suite());
	srunner_add_suite(sr, conn_suite());
	srunner_add_suite(sr, conn_server_suite());
	srunner_add_suite(sr, live_suite());
	srunner_add_suite(sr, inflight_suite());
	srunner_add_suite(sr, join_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, har_suite());
	srunner_add_suite(sr, json_suite());
	srunner_add_suite(sr, http2_suite());
	srunner_add_suite(sr, http2_memo_suite());
	srunner_add_suite(sr, hpack_dec_suite());
	srunner_add_suite(sr, check_suite());
	srunner_add_suite(sr, search_path_suite());
	srunner_add_suite(sr, symbols_suite());
	srunner_add_suite(sr, sessmap_suite());
	srunner_add_suite(sr, bufpool_suite());
	srunner_add_suite(sr, redirect_suite());
	srunner_add_suite(sr, capture_suite());
	srunner_add_suite(sr, socks_suite());
	srunner_add_suite(sr, tlsrec_suite());
	srunner_add_suite(sr, html_suite());
	srunner_add_suite(sr, x86dec_suite());
	srunner_add_suite(sr, exechead_suite());
	srunner_add_suite(sr, otlp_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, elfgot_suite());
	srunner_add_suite(sr, sketch_suite());
	srunner_add_suite(sr, urlscrub_suite());
	srunner_add_suite(sr, account_suite());
	srunner_add_suite(sr, tlshello_suite());
	srunner_add_suite(sr, ioplan_suite());
	srunner_add_suite(sr, ws_suite());
	srunner_add_suite(sr, grpc_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
