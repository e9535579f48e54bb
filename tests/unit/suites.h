/* suites.h - every Check suite of the unit test binary. */
#ifndef HT_TEST_SUITES_H
#define HT_TEST_SUITES_H
#include <check.h>

Suite *wire_suite(void);   /* check_wire.c: core/wire.c */
Suite *http1_suite(void);  /* check_http1.c: core/http1*.c, requests, responses */
Suite *http1_errors_suite(void); /* check_http1_errors.c: core/http1*.c */
Suite *http1_syntax_suite(void); /* check_http1_syntax.c: core/http1*.c */
Suite *http1_memo_suite(void); /* check_http1_memo.c: core/http1.c, the memo */
Suite *http1_lens_suite(void); /* check_http1_lens.c: review of cost22d */
Suite *conn_suite(void);   /* check_conn.c: core/conn.c */
Suite *conn_server_suite(void); /* check_conn_server.c: core/conn_server.c */
Suite *report_suite(void); /* check_report.c: cli/ formatting */
Suite *har_suite(void);    /* check_report.c: cli/formats/format_har.c, cli/collect/headers.c */
Suite *json_suite(void);   /* check_json.c: cli/out/json.c, outbuf.c */
Suite *http2_memo_suite(void); /* check_http2_memo.c: core/http2.c, the memo */
Suite *http2_suite(void);  /* check_http2.c: core/http2.c, preload/hpack.c */
Suite *hpack_dec_suite(void); /* check_hpack_dec.c: core/hpack_dec.c, against libnghttp2 */
Suite *check_suite(void);  /* check_check.c: cli/check/ (check_elf.h) */
Suite *search_path_suite(void); /* check_search_path.c: cli/check/search_path.c */
Suite *sessmap_suite(void); /* check_sessmap.c: core/sessmap.c */
Suite *bufpool_suite(void); /* check_bufpool.c: preload/bufpool.c */
Suite *redirect_suite(void); /* check_redirect.c: cli/collect/redirect.c */
Suite *capture_suite(void); /* check_capture.c: cli/collect/capture.c, collector replay */
Suite *socks_suite(void);   /* check_socks.c: core/socks.c */
Suite *html_suite(void);   /* check_html.c: cli/formats/format_html.c */
Suite *x86dec_suite(void);  /* check_x86dec.c: core/x86dec.c */
Suite *otlp_suite(void);   /* check_otlp.c: cli/formats/otlp.c, cli/export/otlp_export.c */
Suite *metrics_suite(void); /* check_metrics.c: cli/export/metrics.c */
Suite *elfgot_suite(void);  /* check_elfgot.c: core/elfgot.c */
Suite *sketch_suite(void);  /* check_sketch.c: cli/collect/sketch.c */
Suite *urlscrub_suite(void); /* check_urlscrub.c: core/urlscrub.c and its uses */
Suite *account_suite(void); /* check_account.c: cli/collect/account.c */
Suite *tlshello_suite(void); /* check_tlshello.c: core/tlshello.c */
Suite *tlsrec_suite(void);  /* check_tlsrec.c: core/tlsrec.c */
Suite *symbols_suite(void); /* check_symbols.c: preload/symbols.h, core/elfsym.c */
Suite *ioplan_suite(void);  /* check_ioplan.c: core/ioplan.c */
Suite *ws_suite(void);      /* check_ws.c: core/ws.c, core/conn_ws.c */
Suite *grpc_suite(void);    /* check_grpc.c: core/grpc.c, its record fields */
Suite *live_suite(void);    /* check_live.c: core/live.c, core/conn_live.c */
Suite *inflight_suite(void); /* check_inflight.c: cli/collect/inflight.c */
Suite *join_suite(void);    /* check_join.c: cli/collect/join.c */
Suite *exechead_suite(void); /* check_exechead.c: core/exechead.c */
#endif
