/*
 * check_http1_errors.c - unit tests of core/http1*.c: malformed input,
 * messages cut short, h1_finish(), h1_skip().
 * Each fixture runs whole, at every split and byte by byte (h1_harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1_harness.h"
#include "suites.h"

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_invalid_chunk_size)
{
	const struct fixture bad = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"zz\r\nhello\r\n0\r\n\r\n");
	const struct fixture junk = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5x\r\nhello\r\n0\r\n\r\n");
	const struct fixture huge = FX(H1_REQUEST,
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		"10000000000000000\r\n");
	const struct fixture no_crlf = FX(H1_REQUEST,
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3\r\nabcd\r\n0\r\n\r\n");
	struct run *r = run_all_ways(&bad);

	expect_events(r, "B H E");
	ck_assert_uint_eq(r->ev[2].off, offset_of(&bad, "zz"));
	ck_assert_int_eq(r->ev[2].st, H1_ST_ERROR);
	ck_assert_int_eq(r->st_end, H1_ST_ERROR);
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	free(r);

	r = run_all_ways(&junk);
	expect_events(r, "B H E");
	ck_assert_uint_eq(r->ev[2].off, offset_of(&junk, "x\r\n"));
	free(r);

	r = run_all_ways(&huge);
	expect_events(r, "B H E");
	free(r);

	r = run_all_ways(&no_crlf);
	expect_events(r, "B H E");
	ck_assert_uint_eq(r->ev[2].off, offset_of(&no_crlf, "d\r\n0"));
	free(r);
}
END_TEST

START_TEST(test_not_http)
{
	const struct fixture req = FX(H1_REQUEST, "not http at all\r\n\r\n");
	const struct fixture res = FX(H1_RESPONSE, "not http at all\r\n\r\n");
	const struct fixture tls = FX(H1_REQUEST, "\x16\x03\x01\x02\x00\x01");
	const struct fixture after_ok = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok<html>");
	const struct fixture bad_version = FX(H1_RESPONSE,
		"HTTP/x.1 200 OK\r\n\r\n");
	const struct fixture bad_status = FX(H1_RESPONSE,
		"HTTP/1.1 2000 OK\r\n\r\n");
	const struct fixture http09 = FX(H1_REQUEST, "GET /\r\n\r\n");
	const struct fixture long_method = FX(H1_REQUEST,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n\r\n");
	const struct fixture no_colon = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\nHost example.com\r\n\r\n");
	const struct fixture bad_cr = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n");
	struct run *r = run_all_ways(&req);

	/* "not" is a token and "http" a target: the version gives it away. */
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&req, "at all"));
	ck_assert_uint_eq(r->finish_ev, H1_EV_NONE);
	ck_assert_int_eq(r->st_final, H1_ST_IDLE);
	free(r);

	/* Bytes that cannot start a message are an error, not a message. */
	r = run_all_ways(&res);
	expect_events(r, "E");
	ck_assert_uint_eq(r->ev[0].off, 0);
	free(r);
	r = run_all_ways(&tls);
	expect_events(r, "E");
	free(r);
	/* ... and msg no longer describes the message before them. */
	r = run_all_ways(&after_ok);
	expect_events(r, "B H C E");
	ck_assert_uint_eq(ev_msg(r, 2)->status, 200);
	ck_assert_uint_eq(ev_msg(r, 3)->status, 0);
	ck_assert_uint_eq(ev_msg(r, 3)->body_bytes, 0);
	free(r);

	r = run_all_ways(&bad_version);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, 5);
	free(r);
	r = run_all_ways(&bad_status);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, 12);
	free(r);
	r = run_all_ways(&http09);
	expect_events(r, "B E");
	free(r);
	r = run_all_ways(&long_method);
	expect_events(r, "B E");
	free(r);
	r = run_all_ways(&no_colon);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&no_colon, "example"));
	free(r);
	r = run_all_ways(&bad_cr);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&bad_cr, "b\r\n"));
	free(r);
}
END_TEST

START_TEST(test_bad_content_length)
{
	static const char *const values[] = {
		"abc", "5, 6", "-1", "+5", "1 2", "", "  ", "0x10",
		"99999999999999999999", "5;x",
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct fixture fx = { .kind = H1_RESPONSE, .data = buf };
		struct run *r;
		int n = snprintf(buf, sizeof(buf),
				 "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n"
				 "Server: x\r\n\r\nbody",
				 values[i]);

		fx.len = (size_t)n;
		r = run_all_ways(&fx);
		ck_assert_msg(r->n == 2 && r->ev[1].ev == H1_EV_ERROR,
			      "Content-Length \"%s\" accepted", values[i]);
		free(r);
	}
}
END_TEST

START_TEST(test_content_length_lists)
{
	const struct fixture same = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n"
		"Content-Length: 005\r\n\r\nhello");
	const struct fixture differ = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Content-Length: 6\r\n\r\nhello!");
	struct run *r = run_all_ways(&same);

	expect_events(r, "B H C");
	ck_assert_int_eq(ev_msg(r, 2)->content_length, 5);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 5);
	free(r);

	r = run_all_ways(&differ);
	expect_events(r, "B E");
	free(r);
}
END_TEST

/* A message cut short (an error, or h1_finish() inside the header
 * section) keeps what it has in a form the caller can report: a status
 * only when all its digits came, header lines only whole.  Found by
 * tests/fuzz/fuzz_http1.c and fuzz_conn.c (regressions/). */
START_TEST(test_cut_short_keeps_whole_fields)
{
	static const struct fixture status = FX(H1_RESPONSE,
		"HTTP/1.1 2\x05");
	static const char bad_name[] =
		"HTTP/1.1 200 OK\r\nA: b\r\nContent-Leng\xb6h: 5\r\n";
	static const char mid_value[] =
		"HTTP/1.1 200 OK\r\nA: b\r\nAuthorization: x\r\nX-Long: par";
	static const char line_done[] = "HTTP/1.1 200 OK\r\nA: b  \r\n";
	static const char mid_name[] = "HTTP/1.1 200 OK\r\nA: b\r\nX-Na";
	static const char *const redact[] = { "authorization", NULL };
	static const h1_options redact_opt = { .capture_headers = true,
					       .redact = redact };
	struct fixture fx = { .kind = H1_RESPONSE, .opt = &capture_opt };
	struct run *r;

	r = run_all_ways(&status);
	expect_events(r, "B E");
	ck_assert_uint_eq(ev_msg(r, 1)->status, 0);
	free(r);

	fx.data = bad_name;
	fx.len = sizeof(bad_name) - 1;
	r = run_all_ways(&fx);
	expect_events(r, "B E");
	ck_assert_str_eq(ev_msg(r, 1)->hdrs, "A: b\r\n");
	free(r);

	fx.data = mid_value;
	fx.len = sizeof(mid_value) - 1;
	fx.opt = &redact_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B");
	ck_assert_uint_eq(r->finish_ev, H1_EV_ERROR);
	ck_assert_str_eq(r->final.hdrs, "A: b\r\nAuthorization: [redacted]\r\n"
			 "X-Long: par\r\n");
	free(r);

	fx.data = line_done;
	fx.len = sizeof(line_done) - 1;
	r = run_all_ways(&fx);
	ck_assert_str_eq(r->final.hdrs, "A: b\r\n");
	free(r);

	fx.data = mid_name;
	fx.len = sizeof(mid_name) - 1;
	r = run_all_ways(&fx);
	ck_assert_str_eq(r->final.hdrs, "A: b\r\n");
	ck_assert_uint_eq(r->final.hdrs_len, 6);
	free(r);
}
END_TEST

START_TEST(test_error_is_sticky)
{
	static const char bad[] = "HTTP/1.1 200 OK\r\nContent-Length: x\r\n";
	static const char more[] = "\r\nHTTP/1.1 200 OK\r\n\r\n";
	h1_parser p;
	h1_event ev;
	size_t off = 0, n;

	h1_init(&p, H1_RESPONSE, NULL);
	n = h1_feed(&p, (const uint8_t *)bad, sizeof(bad) - 1, &ev);
	ck_assert_uint_eq(ev, H1_EV_BEGIN);
	off += n;
	n = h1_feed(&p, (const uint8_t *)bad + off, sizeof(bad) - 1 - off,
		    &ev);
	ck_assert_uint_eq(ev, H1_EV_ERROR);
	off += n;
	ck_assert_uint_eq(off, strlen("HTTP/1.1 200 OK\r\nContent-Length: x"));
	n = h1_feed(&p, (const uint8_t *)bad + off, sizeof(bad) - 1 - off,
		    &ev);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(n, sizeof(bad) - 1 - off);
	n = h1_feed(&p, (const uint8_t *)more, sizeof(more) - 1, &ev);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(n, sizeof(more) - 1);
	ck_assert_int_eq(h1_state(&p), H1_ST_ERROR);
	ck_assert_uint_eq(h1_finish(&p), H1_EV_NONE);
	ck_assert_int_eq(h1_state(&p), H1_ST_IDLE);
}
END_TEST

START_TEST(test_finish)
{
	/* Cut short in the headers, in a Content-Length body, in a chunked
	 * body; and a reuse after finish. */
	const struct fixture in_head = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\nHost: h");
	const struct fixture in_body = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
	const struct fixture in_chunks = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n");
	static const char again[] = "GET /again HTTP/1.1\r\n\r\n";
	struct run *r = run_all_ways(&in_head);
	h1_parser p;
	h1_event ev;
	size_t n;

	expect_events(r, "B");
	ck_assert_int_eq(r->st_end, H1_ST_HEADERS);
	ck_assert_uint_eq(r->finish_ev, H1_EV_ERROR);
	ck_assert_int_eq(r->st_final, H1_ST_IDLE);
	free(r);

	r = run_all_ways(&in_body);
	expect_events(r, "B H");
	ck_assert_uint_eq(r->finish_ev, H1_EV_ERROR);
	ck_assert_uint_eq(r->final.body_bytes, 3);
	free(r);

	r = run_all_ways(&in_chunks);
	expect_events(r, "B H");
	ck_assert_int_eq(r->st_end, H1_ST_BODY);
	ck_assert_uint_eq(r->finish_ev, H1_EV_ERROR);
	free(r);

	h1_init(&p, H1_REQUEST, NULL);
	ck_assert_uint_eq(h1_finish(&p), H1_EV_NONE);
	n = h1_feed(&p, (const uint8_t *)in_head.data, in_head.len, &ev);
	ck_assert_uint_eq(ev, H1_EV_BEGIN);
	ck_assert_uint_eq(n, 1);
	n = h1_feed(&p, (const uint8_t *)in_head.data + 1, in_head.len - 1,
		    &ev);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(h1_finish(&p), H1_EV_ERROR);
	n = h1_feed(&p, (const uint8_t *)again, sizeof(again) - 1, &ev);
	ck_assert_uint_eq(ev, H1_EV_BEGIN);
	n = h1_feed(&p, (const uint8_t *)again + n, sizeof(again) - 1 - n,
		    &ev);
	ck_assert_uint_eq(ev, H1_EV_HEADERS | H1_EV_COMPLETE);
	ck_assert_str_eq(p.msg.target, "/again");
	ck_assert_uint_eq(n, sizeof(again) - 2);
}
END_TEST

START_TEST(test_skip)
{
	h1_parser p;
	h1_event ev;

	/* a Content-Length body: skipped up to its end, which completes it;
	 * then nothing more (the next message's bytes are not known) */
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
	ck_assert_uint_eq(h1_skip(&p, 3, &ev), 3);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(h1_skip(&p, 100, &ev), 5);
	ck_assert_uint_eq(ev, H1_EV_COMPLETE);
	ck_assert_uint_eq(p.msg.body_bytes, 10);
	ck_assert_int_eq(h1_state(&p), H1_ST_IDLE);
	ck_assert_uint_eq(h1_skip(&p, 1, &ev), 0);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(feed_str(&p, "HTTP/1.1 204 No\r\n\r\n"),
			  H1_EV_BEGIN | H1_EV_HEADERS | H1_EV_COMPLETE);

	/* chunk data: up to the chunk's end, then its CRLF is framing */
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "5\r\nh");
	ck_assert_uint_eq(h1_skip(&p, 9, &ev), 4);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(h1_skip(&p, 5, &ev), 0);
	ck_assert_uint_eq(feed_str(&p, "\r\n2\r\nxy\r\n0\r\n\r\n"),
			  H1_EV_COMPLETE);
	ck_assert_uint_eq(p.msg.body_bytes, 7);

	/* a body delimited by close takes any number */
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "HTTP/1.0 200 OK\r\n\r\nabc");
	ck_assert_uint_eq(h1_skip(&p, 1u << 20, &ev), 1u << 20);
	ck_assert_uint_eq(ev, H1_EV_NONE);
	ck_assert_uint_eq(h1_finish(&p), H1_EV_COMPLETE);
	ck_assert_uint_eq(p.msg.body_bytes, 3 + (1u << 20));

	/* headers, chunk sizes, a tunnel, an error: nothing taken */
	h1_init(&p, H1_RESPONSE, NULL);
	ck_assert_uint_eq(h1_skip(&p, 4, &ev), 0);
	feed_str(&p, "HTTP/1.1 200 OK\r\nContent-");
	ck_assert_uint_eq(h1_skip(&p, 4, &ev), 0);
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	ck_assert_uint_eq(h1_skip(&p, 4, &ev), 0);
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n");
	ck_assert_int_eq(h1_state(&p), H1_ST_TUNNEL);
	ck_assert_uint_eq(h1_skip(&p, 4, &ev), 0);
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "SSH-2.0");
	ck_assert_uint_eq(h1_skip(&p, 4, &ev), 0);
	ck_assert_uint_eq(ev, H1_EV_NONE);
}
END_TEST

/* h1_failed_in_request_line() on @s, fed whole and byte by byte: the same
 * answer, @want. */
static void check_line_failed(const char *s, bool want)
{
	h1_parser p;
	size_t len = strlen(s);

	h1_init(&p, H1_REQUEST, NULL);
	feed_str(&p, s);
	ck_assert_msg(h1_failed_in_request_line(&p) == want, "whole: %s", s);
	h1_init(&p, H1_REQUEST, NULL);
	for (size_t i = 0; i < len; i++) {
		h1_event ev;

		h1_feed(&p, (const uint8_t *)s + i, 1, &ev);
	}
	ck_assert_msg(h1_failed_in_request_line(&p) == want, "bytes: %s", s);
}

START_TEST(test_failed_in_request_line)
{
	h1_parser p;

	check_line_failed("PING\r\n", true);
	check_line_failed("*1\r\n$4\r\nPING\r\n", true);
	check_line_failed("get key\r\n", true);
	check_line_failed("EHLO x\r\n", true);
	check_line_failed("GET /a b HTTP/1.1\r\n", true);
	check_line_failed("X / HTTP/1.x\r\n", true);
	/* the last digit of the version is the one that failed */
	check_line_failed("X / HTTP/0.", false); /* not in error yet */
	check_line_failed("X / HTTP/0.x", true);
	/* read through the version, then failed: 0.0 too */
	check_line_failed("X / HTTP/0.0x", false);
	check_line_failed("X / HTTP/1.1\r\nbad header\r\n", false);
	check_line_failed("PROPFIND /d HTTP/1.1\r\n: x\r\n", false);
	/* not in error */
	check_line_failed("GET / HTTP/1.1\r\n\r\n", false);
	check_line_failed("GET / HT", false);
	/* a response parser never says so */
	h1_init(&p, H1_RESPONSE, NULL);
	feed_str(&p, "PING\r\n");
	ck_assert_int_eq(h1_state(&p), H1_ST_ERROR);
	ck_assert(!h1_failed_in_request_line(&p));
}
END_TEST

Suite *http1_errors_suite(void)
{
	Suite *s = suite_create("http1 errors");
	TCase *tc = tcase_create("errors");

	tcase_add_test(tc, test_invalid_chunk_size);
	tcase_add_test(tc, test_not_http);
	tcase_add_test(tc, test_bad_content_length);
	tcase_add_test(tc, test_content_length_lists);
	tcase_add_test(tc, test_error_is_sticky);
	tcase_add_test(tc, test_cut_short_keeps_whole_fields);
	tcase_add_test(tc, test_finish);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_failed_in_request_line);
	suite_add_tcase(s, tc);
	return s;
}
