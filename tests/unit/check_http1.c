/*
 * check_http1.c - unit tests of core/http1*.c: requests and responses.
 * Each fixture runs whole, at every split and byte by byte (h1_harness.h).
 */
#include <stdlib.h>
#include <string.h>

#include "h1_harness.h"
#include "suites.h"

/* ---- requests ----------------------------------------------------------- */

START_TEST(test_get_simple)
{
	struct fixture fx = FX(H1_REQUEST,
		"GET /index.html?q=1 HTTP/1.1\r\n"
		"Host: example.com\r\n"
		"User-Agent: t/1.0\r\n"
		"Accept: */*\r\n"
		"\r\n");
	struct run *r;
	const h1_message *m;

	fx.opt = &capture_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B HC");
	ck_assert_uint_eq(r->ev[0].off, 0);
	ck_assert_int_eq(r->ev[0].st, H1_ST_HEADERS);
	ck_assert_uint_eq(r->ev[1].off, fx.len - 1);
	ck_assert_int_eq(r->ev[1].st, H1_ST_IDLE);
	m = ev_msg(r, 1);
	ck_assert_str_eq(m->method, "GET");
	ck_assert_str_eq(m->target, "/index.html?q=1");
	ck_assert(!m->target_truncated);
	ck_assert_uint_eq(m->version_major, 1);
	ck_assert_uint_eq(m->version_minor, 1);
	ck_assert_uint_eq(m->status, 0);
	ck_assert_int_eq(m->content_length, -1);
	ck_assert(!m->chunked);
	ck_assert(m->keep_alive);
	ck_assert(!m->body_by_close);
	ck_assert_str_eq(m->host, "example.com");
	ck_assert_uint_eq(m->header_bytes, fx.len);
	ck_assert_uint_eq(m->body_bytes, 0);
	ck_assert_str_eq(m->hdrs, "Host: example.com\r\n"
				  "User-Agent: t/1.0\r\n"
				  "Accept: */*\r\n");
	ck_assert_uint_eq(m->hdrs_len, strlen(m->hdrs));
	ck_assert(!m->hdrs_truncated);
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	ck_assert_int_eq(r->st_final, H1_ST_IDLE);
	free(r);
}
END_TEST

START_TEST(test_pipelined_requests)
{
	const struct fixture fx = FX(H1_REQUEST,
		"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
		"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
		"\r\n\r\n"
		"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		"Connection: close\r\n\r\nxyz"
		"DELETE /d HTTP/1.1\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC B H C B HC");
	ck_assert_str_eq(ev_msg(r, 1)->target, "/a");
	ck_assert_str_eq(ev_msg(r, 3)->target, "/b");
	/* The blank lines before POST are skipped and counted nowhere. */
	ck_assert_uint_eq(ev_msg(r, 3)->header_bytes, 28);
	ck_assert_uint_eq(r->ev[4].off, offset_of(&fx, "POST"));
	ck_assert_str_eq(ev_msg(r, 5)->method, "POST");
	ck_assert_int_eq(ev_msg(r, 5)->content_length, 3);
	ck_assert(!ev_msg(r, 5)->keep_alive);
	ck_assert_int_eq(r->ev[5].st, H1_ST_BODY);
	ck_assert_uint_eq(ev_msg(r, 6)->body_bytes, 3);
	ck_assert_uint_eq(r->ev[6].off, offset_of(&fx, "xyz") + 2);
	ck_assert_str_eq(ev_msg(r, 8)->method, "DELETE");
	ck_assert_str_eq(ev_msg(r, 8)->target, "/d");
	ck_assert_str_eq(ev_msg(r, 8)->host, "");
	ck_assert(ev_msg(r, 8)->keep_alive);
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	free(r);
}
END_TEST

START_TEST(test_post_content_length)
{
	struct fixture fx = FX(H1_REQUEST,
		"POST /submit HTTP/1.1\r\n"
		"Host: api.example.com:8080\r\n"
		"Content-Type:  application/json \r\n"
		"Content-Length: 13\r\n"
		"Expect: 100-continue\r\n"
		"\r\n"
		"{\"a\":\"hello\"}");
	struct run *r;
	const h1_message *m;
	size_t head = fx.len - 13;

	fx.opt = &capture_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B H C");
	ck_assert_uint_eq(r->ev[1].off, head - 1);
	m = ev_msg(r, 1);
	ck_assert_uint_eq(m->header_bytes, head);
	ck_assert_uint_eq(m->body_bytes, 0);
	ck_assert_int_eq(m->content_length, 13);
	ck_assert_str_eq(m->content_type, "application/json");
	ck_assert_str_eq(m->host, "api.example.com:8080");
	ck_assert(m->expect_continue);
	ck_assert_str_eq(m->hdrs, "Host: api.example.com:8080\r\n"
				  "Content-Type: application/json\r\n"
				  "Content-Length: 13\r\n"
				  "Expect: 100-continue\r\n");
	ck_assert_uint_eq(r->ev[2].off, fx.len - 1);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 13);
	ck_assert_uint_eq(ev_msg(r, 2)->header_bytes, head);
	free(r);
}
END_TEST

START_TEST(test_chunked_request)
{
	const struct fixture fx = FX(H1_REQUEST,
		"POST /up HTTP/1.1\r\n"
		"Host: h\r\n"
		"Transfer-Encoding: chunked\r\n"
		"\r\n"
		"5;name=val\r\nhello\r\n"
		"6 ; x=\"y\"\r\n world\r\n"
		"0\r\n"
		"X-Trailer: t\r\n"
		"\r\n"
		"GET /next HTTP/1.1\r\n\r\n");
	struct run *r = run_all_ways(&fx);
	const h1_message *m;

	expect_events(r, "B H C B HC");
	m = ev_msg(r, 1);
	ck_assert(m->chunked);
	ck_assert_int_eq(m->content_length, -1);
	ck_assert_uint_eq(m->header_bytes, offset_of(&fx, "5;"));
	m = ev_msg(r, 2);
	ck_assert_uint_eq(m->body_bytes, 11);
	ck_assert_uint_eq(r->ev[2].off, offset_of(&fx, "GET") - 1);
	ck_assert_str_eq(ev_msg(r, 4)->target, "/next");
	free(r);
}
END_TEST

START_TEST(test_request_without_length_has_no_body)
{
	const struct fixture fx = FX(H1_REQUEST,
		"POST /x HTTP/1.1\r\nHost: h\r\n\r\n"
		"GET /y HTTP/1.0\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC");
	ck_assert(ev_msg(r, 1)->keep_alive);
	ck_assert(!ev_msg(r, 1)->body_by_close);
	ck_assert_uint_eq(ev_msg(r, 3)->version_minor, 0);
	ck_assert(!ev_msg(r, 3)->keep_alive);
	free(r);
}
END_TEST

START_TEST(test_request_connection_tokens)
{
	const struct fixture fx = FX(H1_REQUEST,
		"GET /ws HTTP/1.1\r\nHost: h\r\n"
		"Connection: Upgrade, CLOSE\r\nUpgrade: websocket\r\n\r\n"
		"GET /ka HTTP/1.0\r\nconnection:keep-ALIVE\r\n\r\n"
		"GET /kc HTTP/1.1\r\nConnection: keep-alive ,  close\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC B HC");
	ck_assert(!ev_msg(r, 1)->keep_alive);
	ck_assert(ev_msg(r, 1)->upgrade);
	ck_assert(ev_msg(r, 3)->keep_alive);
	ck_assert(!ev_msg(r, 3)->upgrade);
	ck_assert(!ev_msg(r, 5)->keep_alive);
	ck_assert(!ev_msg(r, 1)->upgrade_h2c);
	free(r);
}
END_TEST

START_TEST(test_upgrade_h2c)
{
	const struct fixture fx = FX(H1_REQUEST,
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
		"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
		"GET /b HTTP/1.1\r\nUpgrade: websocket, H2C \r\n\r\n"
		"GET /c HTTP/1.1\r\nUpgrade: h2c-x\r\nX-Upgrade: h2c\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC B HC");
	ck_assert(ev_msg(r, 1)->upgrade_h2c);
	ck_assert(ev_msg(r, 3)->upgrade_h2c);
	ck_assert(!ev_msg(r, 5)->upgrade_h2c);
	free(r);
}
END_TEST

/* ---- responses ---------------------------------------------------------- */

START_TEST(test_chunked_response)
{
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\n"
		"Transfer-Encoding: gzip, Chunked\r\n"
		"Trailer: Trailer-A\r\n"
		"\r\n"
		"A\r\n0123456789\r\n"
		"1a;ext=1;other\r\nabcdefghijklmnopqrstuvwxyz\r\n"
		"000;last\r\n"
		"Trailer-A: 1\r\n"
		"Trailer-B: 2\r\n"
		"\r\n"
		"HTTP/1.1 204 No Content\r\n\r\n");
	struct run *r;
	const h1_message *m;

	fx.opt = &capture_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B H C B HC");
	m = ev_msg(r, 1);
	ck_assert_uint_eq(m->status, 200);
	ck_assert_str_eq(m->reason, "OK");
	ck_assert(m->chunked);
	ck_assert(m->keep_alive);
	ck_assert_int_eq(r->ev[1].st, H1_ST_BODY);
	/* Trailers are skipped: not in hdrs. */
	ck_assert_str_eq(ev_msg(r, 2)->hdrs,
			 "Transfer-Encoding: gzip, Chunked\r\n"
			 "Trailer: Trailer-A\r\n");
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 36);
	ck_assert_uint_eq(ev_msg(r, 2)->header_bytes,
			  offset_of(&fx, "A\r\n0123"));
	ck_assert_uint_eq(r->ev[2].off, offset_of(&fx, "HTTP/1.1 204") - 1);
	ck_assert_uint_eq(ev_msg(r, 4)->status, 204);
	free(r);
}
END_TEST

START_TEST(test_head_response)
{
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n"
		"Content-Type: text/html\r\n\r\n"
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	struct run *r;

	fx.ctx = "HH";
	r = run_all_ways(&fx);
	expect_events(r, "B HC B HC");
	ck_assert_int_eq(ev_msg(r, 1)->content_length, 1234);
	ck_assert_uint_eq(ev_msg(r, 1)->body_bytes, 0);
	ck_assert_str_eq(ev_msg(r, 1)->content_type, "text/html");
	ck_assert(ev_msg(r, 1)->keep_alive);
	ck_assert(ev_msg(r, 3)->chunked);
	ck_assert_uint_eq(r->ev[3].off, fx.len - 1);
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	free(r);
}
END_TEST

START_TEST(test_head_context_is_per_message)
{
	/* HEAD for the first response only: the second has a body. */
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	struct run *r;

	fx.ctx = "H";
	r = run_all_ways(&fx);
	expect_events(r, "B HC B H C");
	ck_assert_uint_eq(ev_msg(r, 4)->body_bytes, 2);
	free(r);
}
END_TEST

START_TEST(test_204_and_304_have_no_body)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
		"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
		"Content-Length: 5000\r\nTransfer-Encoding: chunked\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC B H C");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 204);
	ck_assert_int_eq(ev_msg(r, 1)->content_length, 10);
	ck_assert_uint_eq(ev_msg(r, 1)->body_bytes, 0);
	ck_assert_uint_eq(ev_msg(r, 3)->status, 304);
	ck_assert_uint_eq(ev_msg(r, 3)->body_bytes, 0);
	ck_assert_uint_eq(ev_msg(r, 6)->body_bytes, 2);
	ck_assert_uint_eq(r->ev[6].off, fx.len - 1);
	free(r);
}
END_TEST

START_TEST(test_100_continue)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B H C");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 100);
	ck_assert_str_eq(ev_msg(r, 1)->reason, "Continue");
	ck_assert_uint_eq(ev_msg(r, 1)->header_bytes, 25);
	ck_assert_int_eq(r->ev[1].st, H1_ST_IDLE);
	ck_assert_uint_eq(r->ev[2].off, 25);
	ck_assert_uint_eq(ev_msg(r, 3)->status, 200);
	ck_assert_str_eq(ev_msg(r, 3)->reason, "OK");
	ck_assert_uint_eq(ev_msg(r, 4)->body_bytes, 2);
	free(r);
}
END_TEST

START_TEST(test_103_early_hints)
{
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 103 Early Hints\r\n"
		"Link: </style.css>; rel=preload; as=style\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Link: </style.css>; rel=preload; as=style\r\n\r\n");
	struct run *r;

	fx.opt = &capture_opt;
	/* HEAD, set once: the interim answer does not use it up, so the
	 * final one has no body. */
	fx.ctx = "H";
	r = run_all_ways(&fx);
	expect_events(r, "B HC B HC");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 103);
	ck_assert_str_eq(ev_msg(r, 1)->hdrs,
			 "Link: </style.css>; rel=preload; as=style\r\n");
	ck_assert_uint_eq(ev_msg(r, 3)->status, 200);
	ck_assert_int_eq(ev_msg(r, 3)->content_length, 5);
	ck_assert_uint_eq(r->ev[3].off, fx.len - 1);
	free(r);
}
END_TEST

START_TEST(test_body_by_close)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
		"hello world");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B H");
	ck_assert(ev_msg(r, 1)->body_by_close);
	ck_assert(!ev_msg(r, 1)->keep_alive);
	ck_assert_int_eq(r->st_end, H1_ST_BODY);
	ck_assert_uint_eq(r->finish_ev, H1_EV_COMPLETE);
	ck_assert_uint_eq(r->final.body_bytes, 11);
	ck_assert_int_eq(r->st_final, H1_ST_IDLE);
	free(r);
}
END_TEST

START_TEST(test_http10_keep_alive)
{
	const struct fixture plain = FX(H1_RESPONSE,
		"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc");
	const struct fixture ka = FX(H1_RESPONSE,
		"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
		"Content-Length: 3\r\n\r\nabc"
		"HTTP/1.0 200 OK\r\n\r\nto the end");
	struct run *r = run_all_ways(&plain);

	expect_events(r, "B H C");
	ck_assert_uint_eq(ev_msg(r, 2)->version_major, 1);
	ck_assert_uint_eq(ev_msg(r, 2)->version_minor, 0);
	ck_assert(!ev_msg(r, 2)->keep_alive);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 3);
	free(r);

	r = run_all_ways(&ka);
	expect_events(r, "B H C B H");
	ck_assert(ev_msg(r, 2)->keep_alive);
	ck_assert(!ev_msg(r, 4)->keep_alive);
	ck_assert(ev_msg(r, 4)->body_by_close);
	ck_assert_uint_eq(r->finish_ev, H1_EV_COMPLETE);
	ck_assert_uint_eq(r->final.body_bytes, 10);
	free(r);
}
END_TEST

START_TEST(test_connection_close_response)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nconnection:keep-alive ,  Close\r\n"
		"Content-Length: 0\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC");
	ck_assert(!ev_msg(r, 1)->keep_alive);
	ck_assert(!ev_msg(r, 1)->says_keep_alive); /* close wins */
	ck_assert(!ev_msg(r, 1)->body_by_close);
	free(r);
}
END_TEST

/* closes is what the sender says (Connection: close, HTTP/1.0 without
 * keep-alive, a body to close); keep_alive is also false after a response
 * with Transfer-Encoding and Content-Length, which a server may follow on
 * the same connection (Python's http.client reuses it).  says_keep_alive:
 * an explicit "Connection: keep-alive" alone, not the HTTP/1.1 default. */
START_TEST(test_closes_what_the_sender_says)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n"
		"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
		"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
		"Content-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
		"Content-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\n\r\nto the end");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B H C B H C B HC B HC B HC B HC B H");
	ck_assert(!ev_msg(r, 2)->keep_alive);
	ck_assert(!ev_msg(r, 2)->closes);
	ck_assert(ev_msg(r, 5)->closes);
	ck_assert(ev_msg(r, 7)->closes);
	ck_assert(!ev_msg(r, 9)->closes);
	ck_assert(!ev_msg(r, 11)->closes);
	ck_assert(!ev_msg(r, 13)->closes);
	ck_assert(ev_msg(r, 15)->body_by_close);
	ck_assert(ev_msg(r, 15)->closes);
	/* said only by the HTTP/1.0 and HTTP/1.1 responses that write it */
	ck_assert(!ev_msg(r, 2)->says_keep_alive);
	ck_assert(!ev_msg(r, 7)->says_keep_alive);
	ck_assert(ev_msg(r, 9)->says_keep_alive);
	ck_assert(!ev_msg(r, 11)->says_keep_alive);
	ck_assert(ev_msg(r, 13)->says_keep_alive);
	ck_assert(!ev_msg(r, 15)->says_keep_alive);
	free(r);
}
END_TEST

START_TEST(test_101_switching_protocols)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 101 Switching Protocols\r\n"
		"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
		"\x81\x05hello\x00\xff\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 101);
	ck_assert(ev_msg(r, 1)->upgrade);
	ck_assert_int_eq(r->ev[1].st, H1_ST_TUNNEL);
	ck_assert_uint_eq(r->ev[1].off, offset_of(&fx, "\x81") - 1);
	ck_assert_int_eq(r->st_end, H1_ST_TUNNEL);
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	ck_assert_uint_eq(r->final.body_bytes, 0);
	free(r);
}
END_TEST

START_TEST(test_connect_tunnel)
{
	struct fixture ok = FX(H1_RESPONSE,
		"HTTP/1.1 200 Connection established\r\n\r\n"
		"\x16\x03\x01\x02\x00\x01");
	struct fixture denied = FX(H1_RESPONSE,
		"HTTP/1.1 407 Proxy Authentication Required\r\n"
		"Content-Length: 4\r\n\r\nnope"
		"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03");
	struct run *r;

	ok.ctx = "C";
	r = run_all_ways(&ok);
	expect_events(r, "B HC");
	ck_assert_int_eq(r->st_end, H1_ST_TUNNEL);
	free(r);

	denied.ctx = "CC";
	r = run_all_ways(&denied);
	expect_events(r, "B H C B HC");
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 4);
	ck_assert_int_eq(r->st_end, H1_ST_TUNNEL);
	free(r);
}
END_TEST

START_TEST(test_status_line_variants)
{
	const struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 500 A very long reason phrase that goes on and on "
		"well beyond sixty-four bytes\r\nContent-Length: 0\r\n\r\n");
	struct run *r = run_all_ways(&fx);

	expect_events(r, "B HC B HC B HC");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 200);
	ck_assert_str_eq(ev_msg(r, 1)->reason, "");
	ck_assert_uint_eq(ev_msg(r, 3)->status, 404);
	ck_assert_uint_eq(ev_msg(r, 5)->status, 500);
	ck_assert_uint_eq(strlen(ev_msg(r, 5)->reason), H1_REASON_MAX - 1);
	ck_assert(strncmp(ev_msg(r, 5)->reason, "A very long", 11) == 0);
	free(r);
}
END_TEST

START_TEST(test_transfer_encoding_framing)
{
	/* Chunked wins over Content-Length, and the connection must close. */
	const struct fixture both = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n\r\n");
	/* A response whose last coding is not chunked runs to close. */
	const struct fixture gzip = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		"Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n"
		"abcdef");
	/* A request whose last coding is not chunked cannot be framed. */
	const struct fixture req = FX(H1_REQUEST,
		"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc");
	struct run *r = run_all_ways(&both);

	expect_events(r, "B H C");
	ck_assert(ev_msg(r, 2)->chunked);
	ck_assert_int_eq(ev_msg(r, 2)->content_length, 100);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 3);
	ck_assert(!ev_msg(r, 2)->keep_alive);
	free(r);

	r = run_all_ways(&gzip);
	expect_events(r, "B H");
	ck_assert(!ev_msg(r, 1)->chunked);
	ck_assert(ev_msg(r, 1)->body_by_close);
	ck_assert_uint_eq(r->finish_ev, H1_EV_COMPLETE);
	ck_assert_uint_eq(r->final.body_bytes, 6);
	free(r);

	r = run_all_ways(&req);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&req, "abc") - 1);
	free(r);
}
END_TEST

/* A blank before the colon: curl and Python's http.client do not take
 * "Content-Length :" or "Transfer-Encoding :" for those headers, so they
 * frame nothing (the response runs to close; the request has no body);
 * Connection and Upgrade so written change nothing either.  Before, the
 * response ended after 5 bytes of the 11 curl read. */
START_TEST(test_blank_before_colon_frames_nothing)
{
	const struct fixture cl = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n"
		"hello world");
	const struct fixture te = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n\r\n");
	const struct fixture req = FX(H1_REQUEST,
		"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n"
		"Connection : close\r\nUpgrade : h2c\r\n\r\n"
		"GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
	struct run *r = run_all_ways(&cl);

	expect_events(r, "B H");
	ck_assert_int_eq(ev_msg(r, 1)->content_length, -1);
	ck_assert(ev_msg(r, 1)->body_by_close);
	ck_assert_uint_eq(r->finish_ev, H1_EV_COMPLETE);
	ck_assert_uint_eq(r->final.body_bytes, 11);
	free(r);

	r = run_all_ways(&te);
	expect_events(r, "B H");
	ck_assert(!ev_msg(r, 1)->chunked);
	ck_assert(ev_msg(r, 1)->body_by_close);
	ck_assert_uint_eq(r->final.body_bytes, 13);
	free(r);

	r = run_all_ways(&req);
	expect_events(r, "B HC B HC");
	ck_assert_int_eq(ev_msg(r, 1)->content_length, -1);
	ck_assert(ev_msg(r, 1)->keep_alive);
	ck_assert(!ev_msg(r, 1)->upgrade);
	ck_assert_str_eq(ev_msg(r, 3)->target, "/b");
	free(r);
}
END_TEST

/* h1_request_unsent_body(): a request at the first byte of its body ends
 * there (an "Expect: 100-continue" answered with a final status), the
 * next bytes a new request; not once a body byte was read, nor for a
 * response. */
START_TEST(test_request_unsent_body)
{
	static const char head[] = "POST /a HTTP/1.1\r\nHost: h\r\n"
				   "Expect: 100-continue\r\n"
				   "Content-Length: 5\r\n\r\n";
	h1_parser *p = malloc(sizeof(*p));

	h1_init(p, H1_REQUEST, NULL);
	ck_assert_uint_eq(feed_str(p, head), H1_EV_BEGIN | H1_EV_HEADERS);
	ck_assert(p->msg.expect_continue);
	ck_assert(h1_request_unsent_body(p));
	ck_assert_int_eq(h1_state(p), H1_ST_IDLE);
	ck_assert_uint_eq(feed_str(p, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"),
			  H1_EV_BEGIN | H1_EV_HEADERS | H1_EV_COMPLETE);
	ck_assert_str_eq(p->msg.target, "/b");
	ck_assert(!h1_request_unsent_body(p));

	/* chunked, nothing of its first chunk line yet */
	h1_init(p, H1_REQUEST, NULL);
	feed_str(p, "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	ck_assert(h1_request_unsent_body(p));
	ck_assert_int_eq(h1_state(p), H1_ST_IDLE);

	/* a body byte read: the body is being sent */
	h1_init(p, H1_REQUEST, NULL);
	feed_str(p, head);
	feed_str(p, "x");
	ck_assert(!h1_request_unsent_body(p));
	ck_assert_uint_eq(feed_str(p, "yzab"), H1_EV_COMPLETE);

	h1_init(p, H1_RESPONSE, NULL);
	feed_str(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
	ck_assert(!h1_request_unsent_body(p));
	free(p);
}
END_TEST

Suite *http1_suite(void)
{
	Suite *s = suite_create("http1");
	TCase *tc = tcase_create("requests");

	tcase_add_test(tc, test_get_simple);
	tcase_add_test(tc, test_pipelined_requests);
	tcase_add_test(tc, test_post_content_length);
	tcase_add_test(tc, test_chunked_request);
	tcase_add_test(tc, test_request_without_length_has_no_body);
	tcase_add_test(tc, test_request_connection_tokens);
	tcase_add_test(tc, test_upgrade_h2c);
	suite_add_tcase(s, tc);

	tc = tcase_create("responses");
	tcase_add_test(tc, test_chunked_response);
	tcase_add_test(tc, test_head_response);
	tcase_add_test(tc, test_head_context_is_per_message);
	tcase_add_test(tc, test_204_and_304_have_no_body);
	tcase_add_test(tc, test_100_continue);
	tcase_add_test(tc, test_103_early_hints);
	tcase_add_test(tc, test_body_by_close);
	tcase_add_test(tc, test_http10_keep_alive);
	tcase_add_test(tc, test_connection_close_response);
	tcase_add_test(tc, test_closes_what_the_sender_says);
	tcase_add_test(tc, test_101_switching_protocols);
	tcase_add_test(tc, test_connect_tunnel);
	tcase_add_test(tc, test_status_line_variants);
	tcase_add_test(tc, test_transfer_encoding_framing);
	tcase_add_test(tc, test_blank_before_colon_frames_nothing);
	tcase_add_test(tc, test_request_unsent_body);
	suite_add_tcase(s, tc);
	return s;
}
