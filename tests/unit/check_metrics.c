/* check_metrics.c - the Prometheus metrics of cli/export/metrics.c: the
 * histogram buckets, the exposition text, label escaping and caps. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "metrics.h"
#include "outbuf.h"
#include "suites.h"

START_TEST(test_buckets)
{
	ck_assert_uint_eq(metrics_bucket(0), 0);
	ck_assert_uint_eq(metrics_bucket(0.005), 0); /* le: bound included */
	ck_assert_uint_eq(metrics_bucket(0.0051), 1);
	ck_assert_uint_eq(metrics_bucket(0.75), 8);
	ck_assert_uint_eq(metrics_bucket(10), 13);
	ck_assert_uint_eq(metrics_bucket(10.5), METRICS_BUCKETS);
}
END_TEST

static char *render(metrics *m)
{
	outbuf b;

	outbuf_init_grow(&b);
	metrics_render(m, &b);
	return outbuf_take(&b);
}

static void feed(metrics *m, const ht_rec_request *r)
{
	ht_record rec = { .type = HT_REC_REQUEST };

	rec.u.req = *r;
	metrics_record(m, &rec);
}

START_TEST(test_exposition)
{
	static metrics m;
	ht_rec_request r;
	char *s;

	metrics_init(&m);
	ua_request(&r); /* total 15.25 ms: bucket le=0.025 */
	feed(&m, &r);
	r.flags |= HT_RF_REUSED;
	r.status = 404;
	r.method = S("BREW");
	feed(&m, &r);
	r.status = 0;
	r.error = HT_ERR_CLOSED;
	feed(&m, &r);
	s = render(&m);
#define L(x) "\nhttp_client_request_duration_seconds" x
#define G "{server_address=\"localhost\",http_request_method=\"GET\",status_class=\"2xx\""
	HAS(s, "# TYPE http_client_request_duration_seconds histogram\n");
	HAS(s, L("_bucket" G ",le=\"0.01\"} 0\n"));
	HAS(s, L("_bucket" G ",le=\"0.025\"} 1\n"));
	HAS(s, L("_bucket" G ",le=\"10\"} 1\n"));
	HAS(s, L("_bucket" G ",le=\"+Inf\"} 1\n"));
	HAS(s, L("_sum" G "} 0.01525\n"));
	HAS(s, L("_count" G "} 1\n"));
	HAS(s, L("_count{server_address=\"localhost\",http_request_method=\"_OTHER\",status_class=\"4xx\"} 1\n"));
	HAS(s, L("_count{server_address=\"localhost\",http_request_method=\"_OTHER\",status_class=\"none\"} 1\n"));
	HAS(s, "\nhttptrace_requests_total{server_address=\"localhost\"} 3\n");
	HAS(s, "\nhttptrace_request_errors_total{server_address=\"localhost\"} 1\n");
	HAS(s, "\nhttptrace_connections_opened_total{server_address=\"localhost\"} 1\n");
	HAS(s, "\nhttptrace_requests_reused_total{server_address=\"localhost\"} 2\n");
	HAS(s, "\nhttptrace_dns_lookup_duration_seconds_count{server_address=\"localhost\"} 3\n");
	HAS(s, "\nhttptrace_tcp_connect_duration_seconds_bucket{server_address=\"localhost\",le=\"0.005\"} 3\n");
	HASNT(s, "httptrace_tls_handshake_duration_seconds_count"); /* none */
	ck_assert(s[strlen(s) - 1] == '\n');
	free(s);
	metrics_free(&m);
#undef G
#undef L
}
END_TEST

/* A traced server's requests: their own histogram, by method and status
 * class, from the first request byte read to the last response byte
 * written; no client series, no per-host counts. */
START_TEST(test_server_histogram)
{
	static metrics m;
	ht_rec_request r;
	char *s;

	metrics_init(&m);
	s = render(&m);
	HASNT(s, "http_server_request_duration_seconds"); /* none yet */
	free(s);
	make_request(&r);
	r.flags |= HT_RF_SERVER;
	r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_GOT_CONN] + 30000000; /* 30 ms */
	feed(&m, &r);
	r.method = S("PROPFIND");
	r.status = 500;
	feed(&m, &r);
	s = render(&m);
#define L(x) "\nhttp_server_request_duration_seconds" x
	HAS(s, "# TYPE http_server_request_duration_seconds histogram\n");
	HAS(s, L("_bucket{http_request_method=\"GET\",status_class=\"2xx\",le=\"0.025\"} 0\n"));
	HAS(s, L("_bucket{http_request_method=\"GET\",status_class=\"2xx\",le=\"0.05\"} 1\n"));
	HAS(s, L("_sum{http_request_method=\"GET\",status_class=\"2xx\"} 0.03\n"));
	HAS(s, L("_count{http_request_method=\"_OTHER\",status_class=\"5xx\"} 1\n"));
	HASNT(s, "http_client_request_duration_seconds_count");
	HASNT(s, "httptrace_requests_total{");
	free(s);
	metrics_free(&m);
#undef L
}
END_TEST

START_TEST(test_labels_escaped_and_capped)
{
	static metrics m;
	ht_rec_request r;
	char name[32];
	char *s;

	metrics_init(&m);
	ua_request(&r);
	r.dns_name = S("a\"b\\c\nd");
	feed(&m, &r);
	s = render(&m);
	HAS(s, "\nhttptrace_requests_total{server_address=\"a\\\"b\\\\c\\nd\"} 1\n");
	free(s);
	for (int i = 0; i < METRICS_MAX_HOSTS + 5; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		r.dns_name = S(name);
		feed(&m, &r);
	}
	ck_assert_uint_eq(m.n_hosts, METRICS_MAX_HOSTS + 1);
	s = render(&m);
	HAS(s, "\nhttptrace_requests_total{server_address=\"_other\"} 6\n");
	free(s);
	metrics_free(&m);
}
END_TEST

/* A gRPC call whose status is not OK is an error; one that is OK, or has
 * no status, is not. */
START_TEST(test_grpc_status_is_error)
{
	static metrics m;
	ht_rec_request r;
	char *s;

	metrics_init(&m);
	ua_request(&r);
	r.flags |= HT_RF_GRPC;
	r.grpc.flags = HT_GF_STATUS;
	r.grpc.status = 0;
	feed(&m, &r);
	r.grpc.flags = 0;
	r.grpc.status = 14;
	feed(&m, &r);
	r.grpc.flags = HT_GF_STATUS;
	feed(&m, &r);
	s = render(&m);
	HAS(s, "\nhttptrace_requests_total{server_address=\"localhost\"} 3\n");
	HAS(s, "\nhttptrace_request_errors_total{server_address=\"localhost\"} 1\n");
	free(s);
	metrics_free(&m);
}
END_TEST

START_TEST(test_drops_and_processes)
{
	static metrics m;
	ht_record rec = { .type = HT_REC_DROPS };
	ht_record hello = { .type = HT_REC_HELLO };
	char *s;

	metrics_init(&m);
	metrics_record(&m, &hello);
	rec.u.drops.pid = 1;
	rec.u.drops.dropped = 3;
	metrics_record(&m, &rec);
	rec.u.drops.dropped = 2; /* increments (account.h): 3 + 2 */
	metrics_record(&m, &rec);
	rec.u.drops.pid = 2;
	rec.u.drops.dropped = 2;
	metrics_record(&m, &rec);
	s = render(&m);
	HAS(s, "\nhttptrace_records_dropped_total 7\n");
	HAS(s, "\nhttptrace_processes_total 1\n");
	free(s);
	metrics_free(&m);
}
END_TEST

/* WebSocket sessions: counted when they end, with their messages each
 * way; none yet shows zeros. */
START_TEST(test_websocket_sessions)
{
	static metrics m;
	ht_record rec = { .type = HT_REC_WS };
	char *s;

	metrics_init(&m);
	s = render(&m);
	HAS(s, "\nhttptrace_websocket_sessions_total 0\n");
	free(s);
	rec.u.ws.dir[0].messages = 8;
	rec.u.ws.dir[1].messages = 6;
	metrics_record(&m, &rec);
	rec.u.ws.dir[0].messages = 1;
	rec.u.ws.dir[1].messages = 0;
	metrics_record(&m, &rec);
	s = render(&m);
	HAS(s, "# TYPE httptrace_websocket_sessions_total counter\n");
	HAS(s, "\nhttptrace_websocket_sessions_total 2\n");
	HAS(s, "\nhttptrace_websocket_messages_total{direction=\"sent\"} 9\n");
	HAS(s, "\nhttptrace_websocket_messages_total{direction=\"received\"} 6\n");
	free(s);
	metrics_free(&m);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buckets);
	tcase_add_test(tc, test_exposition);
	tcase_add_test(tc, test_server_histogram);
	tcase_add_test(tc, test_labels_escaped_and_capped);
	tcase_add_test(tc, test_drops_and_processes);
	tcase_add_test(tc, test_grpc_status_is_error);
	tcase_add_test(tc, test_websocket_sessions);
	suite_add_tcase(s, tc);
	return s;
}
