/* check_inflight.c - cli/collect/inflight.c: a request in flight as the
 * live view's line, `status`'s text and the /inflight JSON show it. */
#include <check.h>
#include <string.h>
#include <arpa/inet.h>

#include "inflight.h"
#include "json.h"
#include "live.h"
#include "suites.h"

/* A GET held waiting for its first byte for 2.51 s. */
static void held(collector_inflight_req *e)
{
	memset(e, 0, sizeof(*e));
	e->pid = 42;
	e->conn_id = 3;
	e->slot.req_seq = 2;
	e->slot.proto = HT_PROTO_HTTP11;
	e->slot.peer.family = AF_INET;
	e->slot.peer.port = 8080;
	inet_pton(AF_INET, "127.0.0.1", e->slot.peer.addr);
	strcpy(e->slot.method, "GET");
	strcpy(e->slot.target, "/stuck?a=1");
	strcpy(e->slot.host, "127.0.0.1:8080");
	e->since = 1000;
	e->slot.t[HT_T_GOT_CONN] = 1000;
	e->slot.t[HT_T_WROTE_HEADERS] = 1000 + 250000;
	e->slot.t[HT_T_WROTE_REQUEST] = 1000 + 250000;
	e->phase = ht_live_phase(e->slot.t, false);
	e->elapsed = 2510000000ull;
}

START_TEST(test_line)
{
	collector_inflight_req e;
	char buf[256];
	size_t n;

	held(&e);
	n = inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_str_eq(buf, "GET http://127.0.0.1:8080/stuck?a=1  waiting "
			      "for the first byte  2.51 s");
	ck_assert_uint_eq(n, strlen(buf));
	/* cut to the width; sub-second elapsed in ms */
	n = inflight_line(buf, sizeof(buf), &e, 20);
	ck_assert_str_eq(buf, "GET http://127.0.0.1");
	e.elapsed = 120400000ull;
	inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_ptr_nonnull(strstr(buf, "  120 ms"));
	/* control bytes cannot reach the terminal */
	strcpy(e.slot.target, "/\033[2J\x9b");
	inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_ptr_null(strchr(buf, '\033'));
	ck_assert_ptr_nonnull(strstr(buf, "/?[2J? "));
	/* a buffer too small is cut, NUL-terminated */
	inflight_line(buf, 8, &e, 0);
	ck_assert_str_eq(buf, "GET htt");
}
END_TEST

START_TEST(test_text_json)
{
	collector_inflight_req e;
	inflight_list l = { .reqs = &e, .n = 1, .cap = 1, .total = 3 };
	char buf[2048];
	outbuf w;

	held(&e);
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_text(&w, &l);
	ck_assert_str_eq(outbuf_str(&w),
			 "3 requests in flight (the oldest 1 listed)\n"
			 "  pid 42 conn 3  GET http://127.0.0.1:8080/stuck?a=1"
			 "  waiting for the first byte  2.51 s\n");
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_json(&w, &l, 1000000000000000000ll);
	ck_assert_str_eq(outbuf_str(&w),
			 "{\"in_flight\":3,\"listed\":1,\"unlisted\":2,"
			 "\"requests\":[{\"pid\":42,"
			 "\"conn\":3,\"req\":2,\"side\":\"client\",\"method\":\"GET\","
			 "\"url\":\"http://127.0.0.1:8080/stuck?a=1\","
			 "\"host\":\"127.0.0.1\",\"proto\":\"HTTP/1.1\","
			 "\"phase\":\"wait_first_byte\",\"elapsed_ms\":2510.000,"
			 "\"start\":1000000000.000001,\"events\":{\"got_conn\":0.000,"
			 "\"wrote_headers\":0.250,\"wrote_request\":0.250}}],"
			 "\"connecting\":0,\"connections_listed\":0,"
			 "\"connections\":[]}\n");
}
END_TEST

/* Requests no live page slot shows (the page's `unlisted`): counted in
 * flight, said apart from the listed ones, in text and JSON. */
START_TEST(test_unlisted)
{
	collector_inflight_req e;
	inflight_list l = { .reqs = &e, .n = 1, .cap = 1, .total = 1,
			    .unlisted = 16 };
	char buf[2048];
	outbuf w;

	held(&e);
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_text(&w, &l);
	ck_assert_ptr_nonnull(strstr(outbuf_str(&w),
		"17 requests in flight (1 listed, 16 more in flight not "
		"listed)\n  pid 42 conn 3  GET "));
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_json(&w, &l, 0);
	ck_assert_ptr_nonnull(strstr(outbuf_str(&w),
		"{\"in_flight\":17,\"listed\":1,\"unlisted\":16,"));
	/* over the list's own cap too: both in the count not listed */
	l.total = 3;
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_text(&w, &l);
	ck_assert_ptr_nonnull(strstr(outbuf_str(&w),
		"19 requests in flight (1 listed, 18 more in flight not "
		"listed)\n"));
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_json(&w, &l, 0);
	ck_assert_ptr_nonnull(strstr(outbuf_str(&w),
		"{\"in_flight\":19,\"listed\":1,\"unlisted\":18,"));
}
END_TEST

/* A server's request in flight, in its own terms: processing (the
 * request read, no response byte written), its events as the events
 * format names a server's. */
START_TEST(test_server)
{
	collector_inflight_req e;
	inflight_list l = { .reqs = &e, .n = 1, .cap = 1, .total = 1 };
	char buf[2048];
	outbuf w;

	held(&e);
	e.slot.side = HT_LIVE_SERVER;
	e.slot.t[HT_T_CONNECT_START] = e.slot.t[HT_T_CONNECT_DONE] = 1000;
	inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_str_eq(buf, "GET http://127.0.0.1:8080/stuck?a=1  processing "
			      "the request  2.51 s");
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_json(&w, &l, 1000000000000000000ll);
	ck_assert_str_eq(outbuf_str(&w),
			 "{\"in_flight\":1,\"listed\":1,\"unlisted\":0,"
			 "\"requests\":[{\"pid\":42,"
			 "\"conn\":3,\"req\":2,\"side\":\"server\",\"method\":\"GET\","
			 "\"url\":\"http://127.0.0.1:8080/stuck?a=1\","
			 "\"host\":\"127.0.0.1\",\"proto\":\"HTTP/1.1\","
			 "\"phase\":\"processing\",\"elapsed_ms\":2510.000,"
			 "\"start\":1000000000.000001,\"events\":{\"accepted\":0.000,"
			 "\"request_begin\":0.000,\"read_request_headers\":0.250,"
			 "\"read_request\":0.250}}],"
			 "\"connecting\":0,\"connections_listed\":0,"
			 "\"connections\":[]}\n");
	/* reading the request; writing the response */
	e.slot.t[HT_T_WROTE_REQUEST] = 0;
	e.phase = ht_live_phase(e.slot.t, false);
	inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_ptr_nonnull(strstr(buf, "  reading the request  "));
	e.slot.t[HT_T_WROTE_REQUEST] = e.slot.t[HT_T_FIRST_BYTE] = 2000;
	e.phase = ht_live_phase(e.slot.t, false);
	inflight_line(buf, sizeof(buf), &e, 0);
	ck_assert_ptr_nonnull(strstr(buf, "  writing the response  "));
}
END_TEST

/* A lookup held 2.3 s, and a connection 1.2 s in its TLS handshake. */
static void lookup_held(collector_inflight_conn *e)
{
	memset(e, 0, sizeof(*e));
	e->pid = 42;
	e->slot.kind = HT_LIVE_LOOKUP;
	e->slot.conn_id = 2;
	strcpy(e->slot.name, "stuck.example.test");
	e->slot.t_dns_start = 500;
	e->since = 500;
	e->phase = ht_live_conn_phase(&e->slot);
	e->elapsed = 2300000000ull;
}

static void tls_held(collector_inflight_conn *e)
{
	memset(e, 0, sizeof(*e));
	e->pid = 43;
	e->conn_id = 5;
	e->slot.conn_id = 5;
	e->slot.tls = 1;
	e->slot.peer.family = AF_INET;
	e->slot.peer.port = 443;
	inet_pton(AF_INET, "127.0.0.1", e->slot.peer.addr);
	e->slot.t_connect_start = 2000;
	e->slot.t_connect_done = 2000 + 1000000;
	e->slot.t_tls_start = 2000 + 1000000;
	e->since = 2000;
	e->phase = ht_live_conn_phase(&e->slot);
	e->elapsed = 1200000000ull;
}

START_TEST(test_conn_line)
{
	collector_inflight_conn e;
	char buf[256];

	lookup_held(&e);
	ck_assert_uint_eq(e.phase, HT_PH_DNS);
	inflight_conn_line(buf, sizeof(buf), &e, 0);
	ck_assert_str_eq(buf, "dns stuck.example.test  resolving the name  2.30 s");
	/* a name that would drive the terminal cannot */
	strcpy(e.slot.name, "a\033[2J");
	inflight_conn_line(buf, sizeof(buf), &e, 0);
	ck_assert_ptr_null(strchr(buf, '\033'));
	tls_held(&e);
	ck_assert_uint_eq(e.phase, HT_PH_TLS);
	inflight_conn_line(buf, sizeof(buf), &e, 0);
	ck_assert_str_eq(buf, "connect 127.0.0.1:443  in the TLS handshake  1.20 s");
	strcpy(e.slot.name, "example.test");
	inflight_conn_line(buf, sizeof(buf), &e, 12);
	ck_assert_str_eq(buf, "connect exam");
}
END_TEST

START_TEST(test_conn_text_json)
{
	collector_inflight_req r;
	collector_inflight_conn c[2];
	inflight_list l = { .reqs = &r, .n = 1, .cap = 1, .total = 1,
			    .conns = c, .n_conns = 2, .cap_conns = 2,
			    .conn_total = 2, .lookup_total = 1 };
	char buf[4096];
	outbuf w;

	held(&r);         /* since 1000 */
	lookup_held(&c[0]); /* since 500: first */
	tls_held(&c[1]);  /* since 2000: last */
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_text(&w, &l);
	ck_assert_str_eq(outbuf_str(&w),
			 "1 request in flight, 1 name lookup, 1 connection opening\n"
			 "  pid 42 lookup 2  dns stuck.example.test  resolving the "
			 "name  2.30 s\n"
			 "  pid 42 conn 3  GET http://127.0.0.1:8080/stuck?a=1"
			 "  waiting for the first byte  2.51 s\n"
			 "  pid 43 conn 5  connect 127.0.0.1:443  in the TLS "
			 "handshake  1.20 s\n");
	l.n = 0;
	l.total = 0;
	outbuf_init_fixed(&w, buf, sizeof(buf));
	inflight_json(&w, &l, 1000000000000000000ll);
	ck_assert_str_eq(outbuf_str(&w),
			 "{\"in_flight\":0,\"listed\":0,\"unlisted\":0,\"requests\":[],"
			 "\"connecting\":2,\"connections_listed\":2,\"connections\":["
			 "{\"kind\":\"dns\",\"pid\":42,\"lookup\":2,"
			 "\"host\":\"stuck.example.test\",\"phase\":\"dns\","
			 "\"elapsed_ms\":2300.000,\"start\":1000000000.000000,"
			 "\"events\":{\"dns_start\":0.000}},"
			 "{\"kind\":\"connection\",\"pid\":43,\"conn\":5,"
			 "\"peer\":\"127.0.0.1:443\",\"tls\":true,\"host\":null,"
			 "\"phase\":\"tls\",\"elapsed_ms\":1200.000,"
			 "\"start\":1000000000.000002,\"events\":{"
			 "\"connect_start\":0.000,\"connect_done\":1.000,"
			 "\"tls_handshake_start\":1.000}}]}\n");
}
END_TEST

/* Review of audit4 (bdd0b63): a server's request in flight whose Host
 * names no port (wget2, the project's httpc) must not take its peer's
 * port: the peer of a server is the client, its port an ephemeral one.
 * slot_record() copies the slot's flags, which have no HT_RF_SERVER (only
 * conn_emit.c adds it to a record; report.c adds it for the live page's
 * records, inflight.c does not), so url_request() appends it. */
START_TEST(test_rev_server_host_no_port)
{
	collector_inflight_req e;
	char buf[256];

	held(&e);
	e.slot.side = HT_LIVE_SERVER;
	e.slot.peer.port = 54321; /* the client's ephemeral port */
	strcpy(e.slot.host, "localhost");
	inflight_url(buf, sizeof(buf), &e);
	ck_assert_str_eq(buf, "http://localhost/stuck?a=1");
}
END_TEST

Suite *inflight_suite(void)
{
	Suite *s = suite_create("inflight");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_rev_server_host_no_port);
	tcase_add_test(tc, test_text_json);
	tcase_add_test(tc, test_unlisted);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_conn_line);
	tcase_add_test(tc, test_conn_text_json);
	suite_add_tcase(s, tc);
	return s;
}
