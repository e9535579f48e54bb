/*
 * check_http1_syntax.c - unit tests of core/http1*.c: line endings,
 * folding, capture, huge headers, the fast paths.
 * Each fixture runs whole, at every split and byte by byte (h1_harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1_harness.h"
#include "suites.h"

/* ---- line endings, folding, capture -------------------------------------- */

START_TEST(test_bare_lf)
{
	struct fixture res = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\nContent-Length: 2\nX: y\n\nhi"
		"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
		"2\nhi\n0\nT: 1\n\n");
	struct fixture req = FX(H1_REQUEST,
		"\n\nGET / HTTP/1.1\nHost: x\n\nGET /2 HTTP/1.1\r\n\n");
	struct run *r;

	res.opt = &capture_opt;
	r = run_all_ways(&res);
	expect_events(r, "B H C B H C");
	ck_assert_uint_eq(ev_msg(r, 1)->header_bytes, 40);
	ck_assert_str_eq(ev_msg(r, 1)->hdrs, "Content-Length: 2\r\nX: y\r\n");
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 2);
	ck_assert_uint_eq(ev_msg(r, 5)->body_bytes, 2);
	ck_assert_uint_eq(r->ev[5].off, res.len - 1);
	free(r);

	r = run_all_ways(&req);
	expect_events(r, "B HC B HC");
	ck_assert_uint_eq(r->ev[0].off, 2);
	ck_assert_str_eq(ev_msg(r, 1)->host, "x");
	ck_assert_uint_eq(ev_msg(r, 1)->header_bytes, 24);
	ck_assert_str_eq(ev_msg(r, 3)->target, "/2");
	free(r);
}
END_TEST

START_TEST(test_obs_fold)
{
	struct fixture fx = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\n"
		"X-Fold: first\r\n   second \r\n\tthird\r\n"
		"Host:\r\n example.com\r\n"
		"Content-Length: 2\r\n\r\nab");
	const struct fixture first_line = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\n folded\r\n\r\n");
	struct run *r;

	fx.opt = &capture_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B H C");
	ck_assert_str_eq(ev_msg(r, 1)->hdrs,
			 "X-Fold: first second third\r\n"
			 "Host: example.com\r\n"
			 "Content-Length: 2\r\n");
	ck_assert_str_eq(ev_msg(r, 1)->host, "example.com");
	free(r);

	r = run_all_ways(&first_line);
	expect_events(r, "B E");
	free(r);
}
END_TEST

START_TEST(test_capture_trim_and_names)
{
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\n"
		"X-Sp:    padded  value  \t \r\n"
		"X-Empty:\r\n"
		"x-lower-Case  : v\r\n"
		"Content-Length:0\r\n\r\n");
	const struct fixture plain = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 0\r\n\r\n");
	struct run *r;

	fx.opt = &capture_opt;
	r = run_all_ways(&fx);
	expect_events(r, "B HC");
	ck_assert_str_eq(ev_msg(r, 1)->hdrs,
			 "X-Sp: padded  value\r\n"
			 "X-Empty: \r\n"
			 "x-lower-Case: v\r\n"
			 "Content-Length: 0\r\n");
	ck_assert_int_eq(ev_msg(r, 1)->content_length, 0);
	free(r);

	/* Without capture_headers nothing is captured. */
	r = run_all_ways(&plain);
	ck_assert_uint_eq(ev_msg(r, 1)->hdrs_len, 0);
	ck_assert_str_eq(ev_msg(r, 1)->hdrs, "");
	ck_assert(!ev_msg(r, 1)->hdrs_truncated);
	free(r);
}
END_TEST

START_TEST(test_redaction)
{
	static const char *const redact[] = { "authorization", "cookie",
					      "x-api-key", NULL };
	const h1_options opt = { .capture_headers = true, .redact = redact };
	struct fixture fx = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\n"
		"AUTHORIZATION: Bearer secret-token\r\n"
		"Cookie: session=secret\r\n"
		"X-Api-Key:\r\n"
		"X-Cookie: visible\r\n"
		"Host: h\r\n\r\n");
	struct run *r;

	fx.opt = &opt;
	r = run_all_ways(&fx);
	expect_events(r, "B HC");
	ck_assert_str_eq(ev_msg(r, 1)->hdrs,
			 "AUTHORIZATION: [redacted]\r\n"
			 "Cookie: [redacted]\r\n"
			 "X-Api-Key: [redacted]\r\n"
			 "X-Cookie: visible\r\n"
			 "Host: h\r\n");
	ck_assert(strstr(ev_msg(r, 1)->hdrs, "secret") == NULL);
	free(r);
}
END_TEST

START_TEST(test_truncation_flags)
{
	/* A 3000-byte target; five 1000-byte headers, of which four fit in
	 * msg.hdrs; a short header after them still fits. */
	static char buf[16384];
	struct fixture fx = { .kind = H1_REQUEST, .data = buf,
			      .opt = &capture_opt };
	size_t len = 0;
	struct run *r;
	const h1_message *m;
	int i;

	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "GET /");
	memset(buf + len, 't', 3000);
	len += 3000;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, " HTTP/1.1\r\n");
	for (i = 1; i <= 5; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"X-%d: ", i);
		memset(buf + len, 'v', 1000);
		len += 1000;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\r\n");
	}
	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
				"Y: z\r\nHost: h\r\n\r\n");
	fx.len = len;
	r = run_all_ways(&fx);
	expect_events(r, "B HC");
	m = ev_msg(r, 1);
	ck_assert(m->target_truncated);
	ck_assert_uint_eq(strlen(m->target), H1_TARGET_MAX - 1);
	ck_assert(m->hdrs_truncated);
	ck_assert_uint_eq(m->hdrs_len, 4 * 1007 + 6 + 9);
	ck_assert_uint_eq(strlen(m->hdrs), m->hdrs_len);
	ck_assert(strstr(m->hdrs, "X-4: vvv") != NULL);
	ck_assert(strstr(m->hdrs, "X-5") == NULL);
	ck_assert_str_eq(m->hdrs + 4 * 1007, "Y: z\r\nHost: h\r\n");
	ck_assert_str_eq(m->host, "h");
	ck_assert_uint_eq(m->header_bytes, len);
	free(r);
}
END_TEST

/* ---- huge headers ------------------------------------------------------- */

#define BIG_VALUE (200 * 1024)

/* Append @s to @buf at *@len. */
static void put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *len, s, n);
	*len += n;
}

static void put_fill(char *buf, size_t *len, char c, size_t n)
{
	memset(buf + *len, c, n);
	*len += n;
}

START_TEST(test_huge_header_request)
{
	char *buf = malloc(2 * BIG_VALUE + 1024);
	struct fixture fx = { .kind = H1_REQUEST, .data = buf,
			      .opt = &capture_opt, .stride = 4099 };
	size_t len = 0;
	struct run *r;
	const h1_message *m;

	ck_assert_ptr_nonnull(buf);
	put(buf, &len, "GET /big HTTP/1.1\r\nX-Big: ");
	put_fill(buf, &len, 'A', BIG_VALUE);
	put(buf, &len, "\r\nHost: example.com\r\n"
		       "Content-Type: text/plain\r\n"
		       "Content-Length: 4\r\n"
		       "Connection: close\r\n"
		       "Cookie: ");
	put_fill(buf, &len, 'c', BIG_VALUE);
	put(buf, &len, "\r\nExpect: 100-continue\r\n\r\nbody");
	fx.len = len;
	r = run_all_ways(&fx);
	expect_events(r, "B H C");
	m = ev_msg(r, 1);
	ck_assert_str_eq(m->host, "example.com");
	ck_assert_str_eq(m->content_type, "text/plain");
	ck_assert_int_eq(m->content_length, 4);
	ck_assert(!m->keep_alive);
	ck_assert(m->expect_continue);
	ck_assert(m->hdrs_truncated);
	ck_assert_str_eq(m->hdrs, "Host: example.com\r\n"
				  "Content-Type: text/plain\r\n"
				  "Content-Length: 4\r\n"
				  "Connection: close\r\n"
				  "Expect: 100-continue\r\n");
	ck_assert_uint_eq(m->header_bytes, len - 4);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 4);
	free(r);
	free(buf);
}
END_TEST

START_TEST(test_huge_values_of_interesting_headers)
{
	/* Huge Host, Connection and Transfer-Encoding values: the host is
	 * truncated, the token lists still read to their last element. */
	char *buf = malloc(3 * BIG_VALUE + 1024);
	struct fixture fx = { .kind = H1_RESPONSE, .data = buf,
			      .opt = &capture_opt, .stride = 4099 };
	size_t len = 0;
	struct run *r;
	const h1_message *m;

	ck_assert_ptr_nonnull(buf);
	put(buf, &len, "HTTP/1.1 200 OK\r\nSet-Cookie: ");
	put_fill(buf, &len, 's', BIG_VALUE);
	put(buf, &len, "\r\nHost: ");
	put_fill(buf, &len, 'h', BIG_VALUE);
	put(buf, &len, "\r\nConnection: ");
	put_fill(buf, &len, 'x', BIG_VALUE);
	put(buf, &len, ", close\r\nTransfer-Encoding: gzip  ,   chunked  \r\n"
		       "\r\n4\r\nbody\r\n0\r\n\r\n");
	fx.len = len;
	r = run_all_ways(&fx);
	expect_events(r, "B H C");
	m = ev_msg(r, 2);
	ck_assert_uint_eq(strlen(m->host), H1_HOST_MAX - 1);
	ck_assert(m->host[0] == 'h' && m->host[H1_HOST_MAX - 2] == 'h');
	ck_assert(!m->keep_alive);
	ck_assert(m->chunked);
	ck_assert_uint_eq(m->body_bytes, 4);
	ck_assert(m->hdrs_truncated);
	ck_assert_str_eq(m->hdrs, "Transfer-Encoding: gzip  ,   chunked\r\n");
	free(r);
	free(buf);
}
END_TEST

/* The fast paths take runs of ordinary bytes 8 at a time and the usual
 * header line whole; every byte they leave to the byte machine must come
 * out the same.  These lines put HTAB, DEL, bytes above 0x7f, "_" and "."
 * in names, blanks in every position and the end of a run at every offset
 * within a word (every split is tried, each piece from its own copy). */
START_TEST(test_fast_path_lines)
{
	static const char *const redact[] = { "cookie", NULL };
	const h1_options opt = { .capture_headers = true, .redact = redact };
	struct fixture fx = FX(H1_RESPONSE,
		"HTTP/1.1 200 \xc3\x89t\xc3\xa9\tfine\r\n"
		"A: 1\r\n"
		"Ab: 12\r\n"
		"Abc: 1234567\r\n"
		"Abcd: 12345678\r\n"
		"Abcdefgh: 123456789\r\n"
		"X_Y.Z~1: a\tb  c\xe2\x82\xac\r\n"
		"Two-Spaces:  v\r\n"
		"Tab:\tv\r\n"
		"Trailing: v \t\r\n"
		"Cookie: secret=1\r\n"
		"Host: h.example:8080\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Connection: keep-alive, Upgrade\r\n"
		"Upgrade: h2c\r\n"
		"Bare-LF: v\n"
		"Folded: a\r\n"
		" b\r\n"
		"Content-Length: 3\r\n"
		"\r\n"
		"xyz");
	struct run *r;
	const h1_message *m;

	fx.opt = &opt;
	r = run_all_ways(&fx);
	expect_events(r, "B H C");
	m = ev_msg(r, 1);
	ck_assert_str_eq(m->reason, "\xc3\x89t\xc3\xa9\tfine");
	ck_assert_str_eq(m->hdrs,
			 "A: 1\r\n"
			 "Ab: 12\r\n"
			 "Abc: 1234567\r\n"
			 "Abcd: 12345678\r\n"
			 "Abcdefgh: 123456789\r\n"
			 "X_Y.Z~1: a\tb  c\xe2\x82\xac\r\n"
			 "Two-Spaces: v\r\n"
			 "Tab: v\r\n"
			 "Trailing: v\r\n"
			 "Cookie: [redacted]\r\n"
			 "Host: h.example:8080\r\n"
			 "Content-Type: text/plain; charset=utf-8\r\n"
			 "Connection: keep-alive, Upgrade\r\n"
			 "Upgrade: h2c\r\n"
			 "Bare-LF: v\r\n"
			 "Folded: a b\r\n"
			 "Content-Length: 3\r\n");
	ck_assert_str_eq(m->host, "h.example:8080");
	ck_assert_str_eq(m->content_type, "text/plain; charset=utf-8");
	ck_assert(m->keep_alive);
	ck_assert(m->upgrade);
	ck_assert(m->upgrade_h2c);
	ck_assert_int_eq(m->content_length, 3);
	ck_assert_uint_eq(m->header_bytes, fx.len - 3);
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 3);
	free(r);
}
END_TEST

/* Malformed bytes inside a run the fast paths take in bulk: the error is
 * at the same byte as byte by byte, and the line captured so far is the
 * same. */
START_TEST(test_fast_path_errors)
{
	struct fixture del_value = FX(H1_REQUEST,
		"GET / HTTP/1.1\r\nX-Long-Name: abcdefgh\x7fijk\r\n\r\n");
	const struct fixture del_target = FX(H1_REQUEST,
		"GET /abcdefghij\x7fk HTTP/1.1\r\n\r\n");
	const struct fixture ctl_reason = FX(H1_RESPONSE,
		"HTTP/1.1 200 Fine but\x01 not\r\n\r\n");
	struct fixture bad_cl = FX(H1_REQUEST,
		"POST / HTTP/1.1\r\nContent-Length: 12a45\r\nX: y\r\n\r\n");
	const struct fixture method_23 = FX(H1_REQUEST,
		"ABCDEFGHIJKLMNOPQRSTUVW / HTTP/1.1\r\n\r\n");
	const struct fixture method_24 = FX(H1_REQUEST,
		"ABCDEFGHIJKLMNOPQRSTUVWX / HTTP/1.1\r\n\r\n");
	const struct fixture tab_target = FX(H1_REQUEST,
		"GET /a\tb HTTP/1.1\r\n\r\n");
	const struct fixture chunks = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"1F;a=b\r\n0123456789abcdef0123456789abcde\r\n"
		"0000000000000000000000000A\r\n0123456789\r\n"
		"0\r\nT: 1\r\nU: 2\r\n\r\n");
	const struct fixture chunk_overflow = FX(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"10000000000000000\r\n");
	struct run *r;

	del_value.opt = &capture_opt;
	r = run_all_ways(&del_value);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&del_value, "\x7f"));
	ck_assert_str_eq(ev_msg(r, 1)->hdrs, "X-Long-Name: abcdefgh\r\n");
	free(r);
	r = run_all_ways(&del_target);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&del_target, "\x7f"));
	ck_assert_str_eq(ev_msg(r, 1)->target, "/abcdefghij");
	free(r);
	r = run_all_ways(&ctl_reason);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&ctl_reason, "\x01"));
	ck_assert_str_eq(ev_msg(r, 1)->reason, "Fine but");
	free(r);
	bad_cl.opt = &capture_opt;
	r = run_all_ways(&bad_cl);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, offset_of(&bad_cl, "a45"));
	ck_assert_str_eq(ev_msg(r, 1)->hdrs, "Content-Length: 12a\r\n");
	free(r);
	r = run_all_ways(&method_23);
	expect_events(r, "B HC");
	ck_assert_str_eq(ev_msg(r, 1)->method, "ABCDEFGHIJKLMNOPQRSTUVW");
	free(r);
	r = run_all_ways(&method_24);
	expect_events(r, "B E");
	ck_assert_uint_eq(r->ev[1].off, 23);
	ck_assert_str_eq(ev_msg(r, 1)->method, "ABCDEFGHIJKLMNOPQRSTUVW");
	free(r);
	r = run_all_ways(&tab_target);
	expect_events(r, "B HC");
	ck_assert_str_eq(ev_msg(r, 1)->target, "/a\tb");
	free(r);
	r = run_all_ways(&chunks);
	expect_events(r, "B H C");
	ck_assert_uint_eq(ev_msg(r, 2)->body_bytes, 41);
	ck_assert_uint_eq(r->ev[2].off, chunks.len - 1);
	free(r);
	r = run_all_ways(&chunk_overflow);
	expect_events(r, "B H E");
	ck_assert_uint_eq(r->ev[2].off,
			  offset_of(&chunk_overflow, "10000000000000000") + 16);
	free(r);
}
END_TEST

Suite *http1_syntax_suite(void)
{
	Suite *s = suite_create("http1 syntax");
	TCase *tc = tcase_create("syntax");

	tcase_add_test(tc, test_bare_lf);
	tcase_add_test(tc, test_obs_fold);
	tcase_add_test(tc, test_capture_trim_and_names);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_truncation_flags);
	tcase_add_test(tc, test_fast_path_lines);
	tcase_add_test(tc, test_fast_path_errors);
	suite_add_tcase(s, tc);

	/* Every split of a 400 KB message is too many: these use a stride,
	 * and need more than the default 4 s under sanitizers. */
	tc = tcase_create("huge");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_huge_header_request);
	tcase_add_test(tc, test_huge_values_of_interesting_headers);
	suite_add_tcase(s, tc);
	return s;
}
