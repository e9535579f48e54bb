/*
 * check_otlp.c - the pure parts of the exporters: OTLP/JSON spans,
 * resources and export requests (cli/formats/otlp.c) and the OTLP
 * configuration parsers (cli/export/otlp_export.c).  The Prometheus
 * metrics are check_metrics.c's.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "otlp.h"
#include "otlp_export.h"
#include "fixtures.h"
#include "suites.h"

#define OFF 1700000000000000000LL /* mono -> unix offset used in the tests */

static void fixed_ids(otlp_ids *ids)
{
	uint8_t *p = (uint8_t *)ids;

	for (size_t i = 0; i < sizeof(*ids); i++)
		p[i] = (uint8_t)i;
}

/* The spans of @r as a NUL-terminated string (caller frees). */
static char *spans_of(const ht_rec_request *r, size_t *n)
{
	static otlp_scratch sc;
	report_req q;
	otlp_ids ids;
	outbuf b;

	outbuf_init_grow(&b);
	fixed_ids(&ids);
	otlp_req_fill(&q, r, &sc);
	*n = otlp_spans_json(&b, &q, OFF, &ids);
	return outbuf_take(&b);
}


START_TEST(test_str_escaping)
{
	outbuf b;
	char *s;

	outbuf_init_grow(&b);
	json_str(&b, "a\"b\\c\n\x01\xc3\xa9\xff\xed\xa0\x80z", 14);
	s = outbuf_take(&b);
	/* OTLP strings go through json_str(): valid UTF-8 (é) kept; a stray
	 * byte and a surrogate's bytes escaped */
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\u00ff"
			    "\\u00ed\\u00a0\\u0080z\"");
	free(s);
}
END_TEST

START_TEST(test_request_span)
{
	ht_rec_request r;
	size_t n;
	char *s;
	char want[256];

	ua_request(&r);
	s = spans_of(&r, &n);
	ck_assert_uint_eq(n, 6); /* request + dns, connect, send, wait, receive */
	/* ids as lower-case hex; the request span first, without a parent */
	{
		static const char head[] =
			"{\"traceId\":\"000102030405060708090a0b0c0d0e0f\","
			"\"spanId\":\"1011121314151617\",\"name\":\"GET\",\"kind\":3,";

		ck_assert_msg(strncmp(s, head, sizeof(head) - 1) == 0, "%s", s);
	}
	/* times as decimal strings of Unix ns */
	snprintf(want, sizeof(want), "\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"",
		 OFF + 1000 * (long long)MS, OFF + 1015 * (long long)MS + 250000);
	HAS(s, want);
	HAS(s, "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"GET\"}}");
	HAS(s, "{\"key\":\"url.full\",\"value\":{\"stringValue\":\"http://localhost:8080/a\"}}");
	HAS(s, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"localhost\"}}");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"8080\"}}");
	HAS(s, "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}}");
	HAS(s, "{\"key\":\"network.protocol.version\",\"value\":{\"stringValue\":\"1.1\"}}");
	HAS(s, "{\"key\":\"network.peer.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}}");
	HAS(s, "{\"key\":\"user_agent.original\",\"value\":{\"stringValue\":\"ua/1\"}}");
	HAS(s, "{\"key\":\"httptrace.connection.reused\",\"value\":{\"boolValue\":false}}");
	HAS(s, "{\"key\":\"httptrace.connection.id\",\"value\":{\"stringValue\":\"42:1\"}}");
	HASNT(s, "error.type");
	HASNT(s, "\"status\"");
	HASNT(s, "idle_ms");
	/* the phases: INTERNAL children of the request span, exact times */
	snprintf(want, sizeof(want), "\"parentSpanId\":\"1011121314151617\",\"name\":\"dns\","
		 "\"kind\":1,\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"}",
		 OFF + 1000 * (long long)MS, OFF + 1001 * (long long)MS);
	HAS(s, want);
	snprintf(want, sizeof(want), "\"name\":\"wait\",\"kind\":1,\"startTimeUnixNano\":\"%lld\","
		 "\"endTimeUnixNano\":\"%lld\"}", OFF + 1004 * (long long)MS,
		 OFF + 1014 * (long long)MS);
	HAS(s, want);
	HAS(s, "\"spanId\":\"18191a1b1c1d1e1f\",\"parentSpanId\""); /* dns: the first phase id */
	HASNT(s, "\"name\":\"tls\"");
	free(s);
}
END_TEST

/* A traced server's request: a SERVER span with the server conventions
 * and its own phases; a 404 is not its error, a 503 is. */
START_TEST(test_server_span)
{
	ht_rec_request r;
	size_t n;
	char *s;
	char want[256];

	ua_request(&r);
	r.flags |= HT_RF_SERVER;
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE];
	r.t[HT_T_GOT_CONN] += 500000; /* the client's first byte 0.5 ms on */
	r.target = S("/a?q=1");
	r.peer.port = 40000;
	r.status = 404;
	s = spans_of(&r, &n);
	ck_assert_uint_eq(n, 5); /* request + accept, read, processing, write */
	HAS(s, "\"name\":\"GET\",\"kind\":2,");
	HAS(s, "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/a\"}}");
	HAS(s, "{\"key\":\"url.query\",\"value\":{\"stringValue\":\"q=1\"}}");
	HAS(s, "{\"key\":\"client.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}}");
	HAS(s, "{\"key\":\"client.port\",\"value\":{\"intValue\":\"40000\"}}");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"8080\"}}");
	HAS(s, "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"404\"}}");
	HASNT(s, "url.full");
	HASNT(s, "error.type");
	snprintf(want, sizeof(want), "\"name\":\"accept\",\"kind\":1,\"startTimeUnixNano\":\"%lld\","
		 "\"endTimeUnixNano\":\"%lld\"}", OFF + 1003 * (long long)MS,
		 OFF + 1003 * (long long)MS + 500000);
	HAS(s, want);
	HAS(s, "\"name\":\"processing\",\"kind\":1,");
	HASNT(s, "\"name\":\"dns\"");
	free(s);
	r.status = 503;
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"503\"}}");
	free(s);
}
END_TEST

/* The stable HTTP server conventions on a SERVER span: the required
 * http.request.method, url.path, url.scheme; url.query scrubbed, without
 * the fragment; server.address and server.port from the Host (:authority)
 * the client sent, the scheme's port when it has none, and neither when it
 * sent none (the record's peer is the client, not the server);
 * client.address, http.response.status_code, network.protocol.version. */
START_TEST(test_server_span_conventions)
{
	ht_rec_request r;
	size_t n;
	char *s;

	ua_request(&r);
	r.flags |= HT_RF_SERVER | HT_RF_TLS;
	r.proto = HT_PROTO_HTTP2;
	r.dns_name = S(""); /* a server looks no name up */
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.host = S("example.test");
	r.target = S("/p/q?sig=abc&x=1#frag");
	r.peer.port = 40000;
	s = spans_of(&r, &n);
	HAS(s, "\"name\":\"GET\",\"kind\":2,");
	HAS(s, "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"GET\"}}");
	HAS(s, "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/p/q\"}}");
	HAS(s, "{\"key\":\"url.query\",\"value\":{\"stringValue\":\"sig=REDACTED&x=1\"}}");
	HAS(s, "{\"key\":\"url.scheme\",\"value\":{\"stringValue\":\"https\"}}");
	HAS(s, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"example.test\"}}");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"443\"}}");
	HAS(s, "{\"key\":\"client.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}}");
	HAS(s, "{\"key\":\"client.port\",\"value\":{\"intValue\":\"40000\"}}");
	HAS(s, "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}}");
	HAS(s, "{\"key\":\"network.protocol.version\",\"value\":{\"stringValue\":\"2\"}}");
	HASNT(s, "abc");
	HASNT(s, "frag");
	HASNT(s, "url.full");
	free(s);

	/* HTTP/1.0 without a Host: no server.*, the client still there */
	r.flags &= ~HT_RF_TLS;
	r.proto = HT_PROTO_HTTP10;
	r.host = S("");
	r.target = S("/");
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/\"}}");
	HAS(s, "{\"key\":\"url.scheme\",\"value\":{\"stringValue\":\"http\"}}");
	HAS(s, "{\"key\":\"network.protocol.version\",\"value\":{\"stringValue\":\"1.0\"}}");
	HAS(s, "{\"key\":\"client.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}}");
	HASNT(s, "server.address");
	HASNT(s, "server.port");
	HASNT(s, "url.query");
	free(s);

	/* an absolute-form target (a proxy's): its path and query */
	r.proto = HT_PROTO_HTTP11;
	r.host = S("h.test:8081");
	r.target = S("http://h.test:8081/x?a=1");
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/x\"}}");
	HAS(s, "{\"key\":\"url.query\",\"value\":{\"stringValue\":\"a=1\"}}");
	HAS(s, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"h.test\"}}");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"8081\"}}");
	HAS(s, "{\"key\":\"network.protocol.version\",\"value\":{\"stringValue\":\"1.1\"}}");
	free(s);
}
END_TEST

START_TEST(test_reused_idle_tls_h2)
{
	ht_rec_request r;
	size_t n;
	char *s;

	ua_request(&r);
	r.flags |= HT_RF_REUSED | HT_RF_WAS_IDLE | HT_RF_TLS;
	r.proto = HT_PROTO_HTTP2;
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE] = 0;
	r.t[HT_T_IDLE_SINCE] = r.t[HT_T_GOT_CONN] - 2 * MS;
	r.tls_version = S("TLSv1.3");
	r.host = S("example.test");
	r.peer.port = 443;
	s = spans_of(&r, &n);
	ck_assert_uint_eq(n, 4); /* send, wait, receive */
	HAS(s, "\"stringValue\":\"https://example.test/a\"");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"443\"}}");
	HAS(s, "{\"key\":\"network.protocol.version\",\"value\":{\"stringValue\":\"2\"}}");
	HAS(s, "{\"key\":\"tls.protocol.version\",\"value\":{\"stringValue\":\"1.3\"}}");
	HAS(s, "{\"key\":\"httptrace.connection.reused\",\"value\":{\"boolValue\":true}}");
	HAS(s, "{\"key\":\"httptrace.connection.idle_ms\",\"value\":{\"doubleValue\":2.000000}}");
	HASNT(s, "\"name\":\"dns\"");
	HASNT(s, "\"name\":\"connect\"");
	free(s);
}
END_TEST

START_TEST(test_errors)
{
	ht_rec_request r;
	char buf[16];
	size_t n;
	char *s;

	ua_request(&r);
	r.status = 503;
	ck_assert_str_eq(otlp_error_type(&r, buf, sizeof(buf)), "503");
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"503\"}}");
	HAS(s, ",\"status\":{\"code\":2}}"); /* no message for a status code */
	free(s);

	r.status = 0;
	r.error = HT_ERR_RESET;
	r.t[HT_T_FIRST_BYTE] = r.t[HT_T_RESPONSE_DONE] = 0;
	r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_WROTE_REQUEST] + MS;
	ck_assert_str_eq(otlp_error_type(&r, buf, sizeof(buf)), "connection_reset");
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"connection_reset\"}}");
	HAS(s, ",\"status\":{\"code\":2,\"message\":\"connection reset\"}");
	HASNT(s, "http.response.status_code");
	/* the wait for the first byte ran to the reset: a child to its end */
	HAS(s, "\"name\":\"wait\",\"kind\":1,\"startTimeUnixNano\":\"1700000001004000000\","
	       "\"endTimeUnixNano\":\"1700000001005000000\"}");
	HASNT(s, "\"name\":\"receive\"");
	free(s);

	/* A client error is an error too; a redirect is not. */
	ua_request(&r);
	r.status = 404;
	ck_assert_str_eq(otlp_error_type(&r, buf, sizeof(buf)), "404");
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"404\"}}");
	HAS(s, "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"404\"}}");
	HAS(s, ",\"status\":{\"code\":2}}");
	free(s);

	ua_request(&r);
	r.status = 302;
	ck_assert_ptr_null(otlp_error_type(&r, buf, sizeof(buf)));
	s = spans_of(&r, &n);
	HAS(s, "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"302\"}}");
	HASNT(s, "error.type");
	HASNT(s, "\"status\"");
	free(s);
}
END_TEST

/* A gRPC call's span is named "$package.$service/$method", as the RPC
 * conventions name a client span, and carries rpc.grpc.status_code; a
 * status other than OK is an error whose message is the server's. */
START_TEST(test_grpc_span)
{
	ht_rec_request r;
	char buf[16];
	size_t n;
	char *s;

	ua_request(&r);
	r.method = S("POST");
	r.target = S("/pkg.v1.Service/Echo");
	r.proto = HT_PROTO_HTTP2;
	r.flags |= HT_RF_GRPC;
	r.grpc.flags = HT_GF_STATUS;
	r.grpc.status = 14;
	r.grpc.message = S("down");
	ck_assert_str_eq(otlp_error_type(&r, buf, sizeof(buf)), "UNAVAILABLE");
	s = spans_of(&r, &n);
	HAS(s, "\"name\":\"pkg.v1.Service/Echo\",\"kind\":3");
	HAS(s, "{\"key\":\"rpc.system\",\"value\":{\"stringValue\":\"grpc\"}}");
	HAS(s, "{\"key\":\"rpc.service\",\"value\":{\"stringValue\":\"pkg.v1.Service\"}}");
	HAS(s, "{\"key\":\"rpc.method\",\"value\":{\"stringValue\":\"Echo\"}}");
	HAS(s, "{\"key\":\"rpc.grpc.status_code\",\"value\":{\"intValue\":\"14\"}}");
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"UNAVAILABLE\"}}");
	HAS(s, ",\"status\":{\"code\":2,\"message\":\"down\"}");
	free(s);

	/* A path that names no service and method keeps the HTTP name. */
	r.target = S("/Echo");
	s = spans_of(&r, &n);
	HAS(s, "\"name\":\"POST\",\"kind\":3");
	HASNT(s, "rpc.service");
	free(s);

	/* Not a gRPC call: the method, whatever the path. */
	ua_request(&r);
	r.target = S("/pkg.Service/Echo");
	s = spans_of(&r, &n);
	HAS(s, "\"name\":\"GET\",\"kind\":3");
	HASNT(s, "rpc.system");
	free(s);
}
END_TEST

START_TEST(test_other_method_and_credentials)
{
	ht_rec_request r;
	size_t n;
	char *s;

	ua_request(&r);
	r.method = S("FROB");
	r.target = S("http://joe:secret@proxy.test:3128/x?y");
	s = spans_of(&r, &n);
	HAS(s, "\"name\":\"HTTP\",\"kind\":3");
	HAS(s, "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"_OTHER\"}}");
	HAS(s, "{\"key\":\"http.request.method_original\",\"value\":{\"stringValue\":\"FROB\"}}");
	HAS(s, "\"stringValue\":\"http://REDACTED:REDACTED@proxy.test:3128/x?y\"");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"3128\"}}");
	HASNT(s, "secret");
	free(s);
}
END_TEST

START_TEST(test_connect_failures)
{
	ht_rec_conn_fail f = { .pid = 3, .conn_id = 1, .err = 111 /* ECONNREFUSED */ };
	outbuf b;
	otlp_ids ids;
	char want[256];
	size_t n;
	char *s;

	outbuf_init_grow(&b);
	fixed_ids(&ids);
	f.peer.family = AF_INET;
	f.peer.port = 9;
	inet_pton(AF_INET, "127.0.0.2", f.peer.addr);
	f.t_connect_start = 10 * MS;
	f.t_fail = 11 * MS;
	n = otlp_fail_spans_json(&b, &f, OFF, &ids);
	s = outbuf_take(&b);
	ck_assert_uint_eq(n, 2); /* the span and its connect phase */
	HAS(s, "\"name\":\"connect\",\"kind\":3");
	HAS(s, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"127.0.0.2\"}}");
	HAS(s, "{\"key\":\"server.port\",\"value\":{\"intValue\":\"9\"}}");
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"ECONNREFUSED\"}}");
	HAS(s, "\"status\":{\"code\":2,\"message\":\"Connection refused\"}");
	snprintf(want, sizeof(want), "\"name\":\"connect\",\"kind\":1,\"startTimeUnixNano\":"
		 "\"%lld\",\"endTimeUnixNano\":\"%lld\"}", OFF + 10 * (long long)MS,
		 OFF + 11 * (long long)MS);
	HAS(s, want);
	free(s);

	/* a TLS handshake that failed: TCP was up, tls runs to the failure */
	f.flags = HT_FF_TLS;
	f.err = 0;
	f.dns_name = S("example.test");
	f.t_connect_done = 11 * MS;
	f.t_tls_start = 12 * MS;
	f.t_fail = 20 * MS;
	n = otlp_fail_spans_json(&b, &f, OFF, &ids);
	s = outbuf_take(&b);
	ck_assert_uint_eq(n, 3);
	HAS(s, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"example.test\"}}");
	HAS(s, "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"tls_handshake_failed\"}}");
	snprintf(want, sizeof(want), "\"name\":\"tls\",\"kind\":1,\"startTimeUnixNano\":"
		 "\"%lld\",\"endTimeUnixNano\":\"%lld\"}", OFF + 11 * (long long)MS,
		 OFF + 20 * (long long)MS);
	HAS(s, want);
	free(s);
}
END_TEST

START_TEST(test_resource)
{
	outbuf b;
	otlp_resource res = { .pid = 7, .exe = "/usr/bin/curl", .host_name = "h1" };
	char *s;

	outbuf_init_grow(&b);
	otlp_resource_json(&b, &res);
	s = outbuf_take(&b);
	ck_assert_str_eq(s, "{\"attributes\":["
		"{\"key\":\"service.name\",\"value\":{\"stringValue\":\"curl\"}},"
		"{\"key\":\"process.pid\",\"value\":{\"intValue\":\"7\"}},"
		"{\"key\":\"process.executable.name\",\"value\":{\"stringValue\":\"curl\"}},"
		"{\"key\":\"process.executable.path\",\"value\":{\"stringValue\":\"/usr/bin/curl\"}},"
		"{\"key\":\"host.name\",\"value\":{\"stringValue\":\"h1\"}}]}");
	free(s);

	res.service = "shop";
	res.exe = NULL;
	res.host_name = NULL;
	otlp_resource_json(&b, &res);
	s = outbuf_take(&b);
	ck_assert_str_eq(s, "{\"attributes\":["
		"{\"key\":\"service.name\",\"value\":{\"stringValue\":\"shop\"}},"
		"{\"key\":\"process.pid\",\"value\":{\"intValue\":\"7\"}}]}");
	free(s);

	res.service = NULL;
	otlp_resource_json(&b, &res);
	s = outbuf_take(&b);
	HAS(s, "\"stringValue\":\"unknown_service\"");
	free(s);
}
END_TEST

START_TEST(test_export_groups_resources)
{
	otlp_item it[3] = {
		{ .resource = "{\"r\":\"A\"}", .spans = "{\"s\":1}" },
		{ .resource = "{\"r\":\"B\"}", .spans = "{\"s\":2}" },
		{ .resource = "{\"r\":\"A\"}", .spans = "{\"s\":3},{\"s\":4}" },
	};
	outbuf b;
	char *s;

	outbuf_init_grow(&b);
	otlp_export_json(&b, it, 3);
	s = outbuf_take(&b);
	ck_assert_str_eq(s, "{\"resourceSpans\":["
		"{\"resource\":{\"r\":\"A\"},\"scopeSpans\":[{\"scope\":{\"name\":\"httptrace\","
		"\"version\":\"" HTTPTRACE_VERSION "\"},\"spans\":[{\"s\":1},{\"s\":3},{\"s\":4}]}]},"
		"{\"resource\":{\"r\":\"B\"},\"scopeSpans\":[{\"scope\":{\"name\":\"httptrace\","
		"\"version\":\"" HTTPTRACE_VERSION "\"},\"spans\":[{\"s\":2}]}]}]}");
	free(s);
}
END_TEST

START_TEST(test_procs)
{
	otlp_procs ps = { .host_name = "h" };
	ht_rec_hello h = { .pid = 9, .exe = S("/bin/wget") };
	char *r;

	r = otlp_procs_resource(&ps, 9); /* no HELLO yet */
	HASNT(r, "wget");
	HAS(r, "{\"key\":\"process.pid\",\"value\":{\"intValue\":\"9\"}}");
	free(r);
	otlp_procs_hello(&ps, &h);
	r = otlp_procs_resource(&ps, 9);
	HAS(r, "{\"key\":\"process.executable.name\",\"value\":{\"stringValue\":\"wget\"}}");
	free(r);
	/* many processes of one executable: the name is kept once */
	for (uint32_t pid = 100; pid < 400; pid++) {
		h.pid = pid;
		otlp_procs_hello(&ps, &h);
	}
	ck_assert_uint_eq(ps.n_exes, 1);
	ck_assert_uint_eq(ps.n, 301);
	r = otlp_procs_resource(&ps, 9);
	HAS(r, "wget");
	free(r);
	/* exec: the same pid, another executable */
	h.exe = S("/usr/bin/curl");
	otlp_procs_hello(&ps, &h);
	r = otlp_procs_resource(&ps, 399);
	HAS(r, "\"process.executable.path\",\"value\":{\"stringValue\":\"/usr/bin/curl\"}");
	free(r);
	otlp_procs_free(&ps);
}
END_TEST

START_TEST(test_random_ids)
{
	otlp_ids a, b;
	static const uint8_t zero[16];

	ck_assert_int_eq(otlp_random_ids(&a), 0);
	ck_assert_int_eq(otlp_random_ids(&b), 0);
	ck_assert(memcmp(a.trace, zero, 16) != 0);
	ck_assert(memcmp(a.span, zero, 8) != 0);
	ck_assert(memcmp(a.trace, b.trace, 16) != 0);
}
END_TEST

START_TEST(test_traces_url)
{
	char *u;

	u = otlp_traces_url("http://c:4318");
	ck_assert_str_eq(u, "http://c:4318/v1/traces");
	free(u);
	u = otlp_traces_url("http://c:4318/base//");
	ck_assert_str_eq(u, "http://c:4318/base/v1/traces");
	free(u);
	u = otlp_traces_url("https://c/v1/traces");
	ck_assert_str_eq(u, "https://c/v1/traces");
	free(u);
}
END_TEST

START_TEST(test_parse_headers)
{
	char **v = NULL;
	size_t n = 0;
	int skipped;

	skipped = otlp_parse_headers(" api-key = a%20b ,X-T=1=2,,bad,=x,"
				     "k=v%0D%0Ainjected,sp ace=1,e=", &v, &n);
	ck_assert_int_eq(skipped, 4);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "api-key: a b");
	ck_assert_str_eq(v[1], "X-T: 1=2");
	ck_assert_str_eq(v[2], "e: ");
	ck_assert_int_eq(otlp_parse_headers(NULL, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
END_TEST

Suite *otlp_suite(void)
{
	Suite *s = suite_create("otlp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_str_escaping);
	tcase_add_test(tc, test_request_span);
	tcase_add_test(tc, test_server_span);
	tcase_add_test(tc, test_server_span_conventions);
	tcase_add_test(tc, test_reused_idle_tls_h2);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_grpc_span);
	tcase_add_test(tc, test_other_method_and_credentials);
	tcase_add_test(tc, test_connect_failures);
	tcase_add_test(tc, test_resource);
	tcase_add_test(tc, test_export_groups_resources);
	tcase_add_test(tc, test_procs);
	tcase_add_test(tc, test_random_ids);
	tcase_add_test(tc, test_traces_url);
	tcase_add_test(tc, test_parse_headers);
	suite_add_tcase(s, tc);
	return s;
}
