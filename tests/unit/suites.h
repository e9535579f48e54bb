/* suites.h - every Check suite of the unit test binary. */
#ifndef HT_TEST_SUITES_H
#define HT_TEST_SUITES_H
#include <check.h>

Suite *wire_suite(void);   /* check_wire.c: common/wire.c */
Suite *http1_suite(void);  /* check_http1.c: preload/http1.c */
Suite *conn_suite(void);   /* check_conn.c: preload/conn.c */
Suite *conn_server_suite(void); /* check_conn_server.c: core/conn_server.c */
Suite *report_suite(void); /* check_report.c: cli/ formatting */
Suite *har_suite(void);    /* check_report.c: cli/format_har.c, headers.c */
Suite *json_suite(void);   /* check_json.c: cli/json.c, outbuf.c */
Suite *http2_suite(void);  /* check_http2.c: preload/http2.c, hpack.c */
Suite *check_suite(void);  /* check_check.c: cli/check_elf.c */
Suite *sessmap_suite(void); /* check_sessmap.c: preload/sessmap.c */
Suite *bufpool_suite(void); /* check_bufpool.c: preload/bufpool.c */
Suite *redirect_suite(void); /* check_redirect.c: cli/redirect.c */
Suite *capture_suite(void); /* check_capture.c: cli/capture.c, collector replay */
Suite *socks_suite(void);   /* check_socks.c: preload/socks.c */
Suite *html_suite(void);   /* check_html.c: cli/format_html.c */
Suite *x86dec_suite(void);  /* check_x86dec.c: preload/x86dec.c */
Suite *otlp_suite(void);   /* check_otlp.c: cli/otlp.c, otlp_export.c */
Suite *metrics_suite(void); /* check_otlp.c: cli/metrics.c */
Suite *elfgot_suite(void);  /* check_elfgot.c: preload/elfgot.c */
Suite *sketch_suite(void);  /* check_sketch.c: cli/sketch.c */
Suite *urlscrub_suite(void); /* check_urlscrub.c: common/urlscrub.c and its uses */
Suite *account_suite(void); /* check_account.c: cli/account.c */
Suite *tlshello_suite(void); /* check_tlshello.c: preload/tlshello.c */
Suite *tlsrec_suite(void);  /* check_tlsrec.c: preload/tlsrec.c */
#endif
