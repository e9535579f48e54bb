/*
 * check_http1_memo.c - unit tests of the header-line memo of core/http1.c
 * (struct h1_memo): a parser that takes remembered header lines must be
 * indistinguishable from one that parses every byte.
 *
 * Each stream (several messages of one direction of a connection) goes to
 * two parsers in lockstep, one with the memo on and one with it off
 * (h1_memo_enable()): whole, split in two at every offset, and in three
 * pieces (a second cut a few bytes after each first one), each piece from
 * a copy of its own, under three option sets.  After every h1_feed() call
 * both must have consumed the same bytes and reported the same events, and
 * hold the same msg (every byte of it, not only the strings) and the same
 * private state (all but tok and tok_len, the scratch every message writes
 * before it reads); h1_finish() must end both alike.  The whole run must
 * also have used the memo as often as the stream allows, or the test would
 * prove nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1_harness.h"
#include "http1.h"
#include "suites.h"

/* Only reaches Check on failure (the loops below run many thousands of
 * comparisons). */
#undef REQUIRE
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

struct stream {
	h1_kind kind;
	const char *data;
	size_t len;
	/* response context at the k-th BEGIN: 'H' HEAD, 'C' CONNECT */
	const char *ctx;
	/* memo uses in the whole run, with each option set: messages whose
	 * header lines were taken, and of them those whose start line was
	 * too */
	unsigned hits, head_hits;
};

#define ST(k, lit, c, h, hh) \
	{ .kind = (k), .data = (lit), .len = sizeof(lit) - 1, .ctx = (c), \
	  .hits = (h), .head_hits = (hh) }

static const char *const redact[] = { "authorization", "cookie",
				      "set-cookie", NULL };
static const char *const redact_query[] = { "token", NULL };
static const h1_options opts[] = {
	{ .capture_headers = false },
	{ .capture_headers = true },
	{ .capture_headers = true, .redact = redact,
	  .redact_query = redact_query },
};

/* Where two buffers first differ, for the message. */
static size_t first_diff(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i = 0;

	while (i < n && x[i] == y[i])
		i++;
	return i;
}

static void same_parser(const h1_parser *a, const h1_parser *b,
			const char *how, size_t off)
{
	size_t d = first_diff(&a->msg, &b->msg, sizeof(a->msg));

	REQUIRE(d == sizeof(a->msg), "%s, at %zu: msg differs at byte %zu",
		how, off, d);
	REQUIRE(a->state == b->state && a->remaining == b->remaining &&
			a->ctx_head == b->ctx_head &&
			a->ctx_connect == b->ctx_connect,
		"%s, at %zu: state %d/%d remaining %llu/%llu differ", how, off,
		a->state, b->state, (unsigned long long)a->remaining,
		(unsigned long long)b->remaining);
	REQUIRE(a->flags == b->flags && a->te_seen == b->te_seen &&
			a->cl_seen == b->cl_seen &&
			a->cur_header == b->cur_header &&
			a->cl_elem == b->cl_elem,
		"%s, at %zu: header interpretation differs (flags %x/%x)", how,
		off, a->flags, b->flags);
	REQUIRE(a->val_len == b->val_len && a->val_end == b->val_end &&
			memcmp(a->val, b->val, sizeof(a->val)) == 0,
		"%s, at %zu: val differs", how, off);
	REQUIRE(a->hdr_line_start == b->hdr_line_start &&
			a->hdr_line_dropped == b->hdr_line_dropped &&
			a->hdr_value_end == b->hdr_value_end &&
			a->hdr_value_start == b->hdr_value_start,
		"%s, at %zu: capture state differs", how, off);
}

struct pair {
	h1_parser on, off;
	const struct stream *st;
	int begins;
	size_t base;     /* stream offset of the next byte */
	const char *how;
};

static void apply_ctx(struct pair *pr)
{
	const char *c = pr->st->ctx;
	int k = pr->begins++;

	if (c == NULL || (size_t)k >= strlen(c))
		return;
	h1_set_response_context(&pr->on, c[k] == 'H', c[k] == 'C');
	h1_set_response_context(&pr->off, c[k] == 'H', c[k] == 'C');
}

/* Feed bytes [@from, @to) of the stream to both, as one piece of its own. */
static void feed_piece(struct pair *pr, size_t from, size_t to)
{
	size_t len = to - from;
	uint8_t *copy = malloc(len + 1);
	const uint8_t *buf = copy;

	REQUIRE(copy != NULL, "out of memory");
	memcpy(copy, pr->st->data + from, len);
	while (len > 0) {
		h1_event ea = H1_EV_NONE, eb = H1_EV_NONE;
		size_t na = h1_feed(&pr->on, buf, len, &ea);
		size_t nb = h1_feed(&pr->off, buf, len, &eb);

		REQUIRE(na == nb && ea == eb,
			"%s, at %zu: memo on took %zu bytes, event %u; off %zu, %u",
			pr->how, pr->base, na, ea, nb, eb);
		REQUIRE(na > 0, "%s, at %zu: no progress", pr->how, pr->base);
		same_parser(&pr->on, &pr->off, pr->how, pr->base + na - 1);
		if (ea & H1_EV_BEGIN)
			apply_ctx(pr);
		buf += na;
		len -= na;
		pr->base += na;
	}
	free(copy);
}

/* One run of @st cut at @cut1 and @cut2 (0: no cut; cut1 <= cut2). */
static unsigned run_cut(const struct stream *st, const h1_options *opt,
			size_t cut1, size_t cut2, const char *how,
			unsigned *head_hits)
{
	struct pair *pr = calloc(1, sizeof(*pr));
	unsigned hits;
	h1_event fa, fb;

	REQUIRE(pr != NULL, "out of memory");
	h1_init(&pr->on, st->kind, opt);
	h1_init(&pr->off, st->kind, opt);
	h1_memo_enable(&pr->off, false);
	pr->st = st;
	pr->how = how;
	apply_ctx(pr);
	pr->begins = 0; /* the context before the first BEGIN is the first's */
	feed_piece(pr, 0, cut1);
	feed_piece(pr, cut1, cut2);
	feed_piece(pr, cut2, st->len);
	fa = h1_finish(&pr->on);
	fb = h1_finish(&pr->off);
	REQUIRE(fa == fb, "%s: h1_finish() %u vs %u", how, fa, fb);
	same_parser(&pr->on, &pr->off, how, st->len);
	REQUIRE(pr->off.memo.hits == 0, "%s: the memo was off", how);
	hits = pr->on.memo.hits;
	*head_hits = pr->on.memo.head_hits;
	free(pr);
	return hits;
}

static void check_stream(const struct stream *st)
{
	char how[96];
	size_t o, k;

	for (o = 0; o < sizeof(opts) / sizeof(opts[0]); o++) {
		unsigned hits, head_hits;

		snprintf(how, sizeof(how), "options %zu, whole", o);
		hits = run_cut(st, &opts[o], 0, 0, how, &head_hits);
		ck_assert_msg(hits == st->hits && head_hits == st->head_hits,
			      "options %zu: the memo was used %u times (%u "
			      "with the start line), want %u (%u)",
			      o, hits, head_hits, st->hits, st->head_hits);
		for (k = 1; k < st->len; k++) {
			static const size_t second[] = { 1, 7, 40 };

			snprintf(how, sizeof(how), "options %zu, split at %zu",
				 o, k);
			run_cut(st, &opts[o], k, k, how, &head_hits);
			for (size_t j = 0; j < 3 && k + second[j] < st->len;
			     j++) {
				snprintf(how, sizeof(how),
					 "options %zu, cut at %zu and %zu", o,
					 k, k + second[j]);
				run_cut(st, &opts[o], k, k + second[j], how,
					&head_hits);
			}
		}
	}
}

/* ---- requests ----------------------------------------------------------- */

#define GET_LINES "Host: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\n" \
		  "Accept: */*\r\n\r\n"

START_TEST(test_same_request)
{
	/* wrk: the same request again and again, pipelined here */
	static const struct stream st = ST(H1_REQUEST,
		"GET / HTTP/1.1\r\n" GET_LINES
		"GET / HTTP/1.1\r\n" GET_LINES
		"\r\n"
		"GET / HTTP/1.1\r\n" GET_LINES, NULL, 2, 2);

	check_stream(&st);
}
END_TEST

START_TEST(test_same_lines_other_targets)
{
	/* curl URL?n=[1-3]: only the target changes; HTTP/1.0 recomputes
	 * keep_alive from the same lines */
	static const struct stream st = ST(H1_REQUEST,
		"GET /index.html?n=1 HTTP/1.1\r\n" GET_LINES
		"GET /index.html?n=2 HTTP/1.1\r\n" GET_LINES
		"HEAD /index.html?n=3 HTTP/1.0\r\n" GET_LINES
		"GET /index.html?n=4 HTTP/1.1\n" GET_LINES, NULL, 3, 0);

	check_stream(&st);
}
END_TEST

#define POST_LINES "Host: api\r\nContent-Type: application/json\r\n" \
		   "Content-Length: 7\r\n\r\n"

START_TEST(test_requests_with_bodies)
{
	static const struct stream st = ST(H1_REQUEST,
		"POST /a HTTP/1.1\r\n" POST_LINES "{\"a\":1}"
		"POST /a HTTP/1.1\r\n" POST_LINES "{\"b\":2}"
		"PUT /c HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n"
		"Content-Type: text/plain\r\n\r\n"
		"3;x=y\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n"
		"PUT /d HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n"
		"Content-Type: text/plain\r\n\r\n"
		"2\r\nde\r\n0\r\n\r\n"
		"POST /e HTTP/1.1\r\n" POST_LINES "{\"e\":5}", NULL, 2, 1);

	check_stream(&st);
}
END_TEST

/* Lines with everything the header code interprets or rewrites: redacted
 * values, a URL scrubbed, an obs-fold, blanks before a colon, a tab, token
 * lists, a Content-Length list. */
#define ODD_LINES "Host:  example.com \r\n" \
		  "Authorization: Bearer secret\r\n" \
		  "Cookie: a=b\r\n" \
		  "Referer: https://u:p@example.com/x?token=t&k=v\r\n" \
		  "X-Folded: one\r\n  two\r\n" \
		  "X-Space : v\r\n" \
		  "X-Tab:\tv\tw\t\r\n" \
		  "Connection: keep-alive, Upgrade\r\n" \
		  "Upgrade: h2c, websocket\r\n" \
		  "Expect: 100-continue\r\n" \
		  "Content-Length: 2, 2\r\n" \
		  "content-type: text/x\r\n\r\n"

START_TEST(test_odd_lines)
{
	static const struct stream st = ST(H1_REQUEST,
		"POST /1 HTTP/1.1\r\n" ODD_LINES "ok"
		"POST /1 HTTP/1.1\r\n" ODD_LINES "ok"
		"POST /3 HTTP/1.0\r\n" ODD_LINES "ok", NULL, 2, 1);

	check_stream(&st);
}
END_TEST

START_TEST(test_lines_change)
{
	/* A A B A A: B and the A after it are parsed (each forgets the memo
	 * and is remembered in turn); a Connection: close and a framing with
	 * both Transfer-Encoding and Content-Length among them; the same
	 * heads and the same lines under another target */
	static const struct stream st = ST(H1_REQUEST,
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /3 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"
		"GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /6 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 9\r\n\r\n0\r\n\r\n"
		"POST /7 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 9\r\n\r\n0\r\n\r\n"
		"GET /8 HTTP/1.1\r\n\r\n"
		"GET /8 HTTP/1.1\r\n\r\n", NULL, 4, 3);

	check_stream(&st);
}
END_TEST

#define LONG_VALUE "0123456789abcdef0123456789abcdef0123456789abcdef" \
		   "0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(test_lines_too_long_to_remember)
{
	/* 600 bytes of lines: parsed every time; a 384-byte target: the
	 * lines alone are remembered */
	static const struct stream st = ST(H1_REQUEST,
		"GET /1 HTTP/1.1\r\nA: " LONG_VALUE "\r\nB: " LONG_VALUE
		"\r\nC: " LONG_VALUE "\r\nD: " LONG_VALUE "\r\nE: " LONG_VALUE
		"\r\nF: " LONG_VALUE "\r\n\r\n"
		"GET /2 HTTP/1.1\r\nA: " LONG_VALUE "\r\nB: " LONG_VALUE
		"\r\nC: " LONG_VALUE "\r\nD: " LONG_VALUE "\r\nE: " LONG_VALUE
		"\r\nF: " LONG_VALUE "\r\n\r\n"
		/* a head too long, its lines not */
		"GET /" LONG_VALUE LONG_VALUE LONG_VALUE LONG_VALUE " HTTP/1.1\r\n"
		"Host: a\r\n\r\n"
		"GET /" LONG_VALUE LONG_VALUE LONG_VALUE LONG_VALUE " HTTP/1.1\r\n"
		"Host: a\r\n\r\n", NULL, 1, 0);

	check_stream(&st);
}
END_TEST

START_TEST(test_request_error_after_memo)
{
	/* the same lines, then a Transfer-Encoding a request cannot be
	 * framed by, then bytes the stopped parser ignores */
	static const struct stream st = ST(H1_REQUEST,
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /3 HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"
		"GET /4 HTTP/1.1\r\nHost: a\r\n\r\n", NULL, 1, 1);

	check_stream(&st);
}
END_TEST

START_TEST(test_bad_start_line_after_memo)
{
	static const struct stream st = ST(H1_REQUEST,
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /1 HTTP/9\r\nHost: a\r\n\r\n", NULL, 1, 1);

	check_stream(&st);
}
END_TEST

START_TEST(test_first_byte_differs)
{
	/* the rest of the head is the same, its first byte (taken in the call
	 * before) is not: taken, the method is still what was sent */
	static const struct stream st = ST(H1_REQUEST,
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
		"SET /a HTTP/1.1\r\nHost: a\r\n\r\n"
		"LET /a HTTP/1.1\r\nHost: a\r\n\r\n", NULL, 3, 3);

	check_stream(&st);
}
END_TEST

/* ---- responses ---------------------------------------------------------- */

#define NGINX_LINES "Server: nginx/1.22.1\r\n" \
		    "Date: Sun, 06 Dec 2026 14:38:42 GMT\r\n" \
		    "Content-Type: text/html\r\n" \
		    "Content-Length: 12\r\n" \
		    "Last-Modified: Sun, 06 Dec 2026 14:00:00 GMT\r\n" \
		    "Connection: keep-alive\r\n" \
		    "ETag: \"6751c1a0-c\"\r\n" \
		    "Accept-Ranges: bytes\r\n\r\n"

START_TEST(test_same_response)
{
	/* nginx: the same response, a HEAD among them (no body for it),
	 * another status with the same lines */
	static const struct stream st = ST(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\n" NGINX_LINES "hello world\n"
		"HTTP/1.1 200 OK\r\n" NGINX_LINES "hello world\n"
		"HTTP/1.1 200 OK\r\n" NGINX_LINES
		"HTTP/1.1 404 Not Found\r\n" NGINX_LINES "not found!!\n"
		"HTTP/1.1 304 Not Modified\r\n" NGINX_LINES
		"HTTP/1.0 204 No Content\r\n" NGINX_LINES
		"HTTP/1.1 200 OK\r\n" NGINX_LINES "hello world\n",
		"--H", 6, 2);

	check_stream(&st);
}
END_TEST

START_TEST(test_interim_and_tunnel_responses)
{
	/* 100 Continue and 101 with lines seen before take the normal path,
	 * and are not remembered */
	static const struct stream st = ST(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n"
		"tunnel bytes", NULL, 1, 1);

	check_stream(&st);
}
END_TEST

START_TEST(test_connect_response)
{
	/* the answer to a CONNECT takes the normal path, and opens a tunnel */
	static const struct stream st = ST(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		"HTTP/1.1 200 Connection established\r\nContent-Length: 0\r\n\r\n"
		"tunnel", "--C", 1, 1);

	check_stream(&st);
}
END_TEST

START_TEST(test_chunked_and_close_responses)
{
	static const struct stream st = ST(H1_RESPONSE,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		"Set-Cookie: s=1\r\nLocation: /x?token=abc\r\n\r\n"
		"5\r\nhello\r\n0\r\nTrailer-A: x\r\n\r\n"
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		"Set-Cookie: s=1\r\nLocation: /x?token=abc\r\n\r\n"
		"0\r\n\r\n"
		"HTTP/1.1 304 Not Modified\r\nServer: x\r\n\r\n"
		"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"
		"the body runs to the close", NULL, 2, 1);

	check_stream(&st);
}
END_TEST

/* ---- the parser's other calls ------------------------------------------- */

START_TEST(test_finish_forgets)
{
	/* after h1_finish() the lines are parsed again */
	static const char a[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	h1_parser on, off;
	h1_event ev;
	int i;

	h1_init(&on, H1_REQUEST, &opts[1]);
	h1_init(&off, H1_REQUEST, &opts[1]);
	h1_memo_enable(&off, false);
	for (i = 0; i < 4; i++) {
		const uint8_t *b = (const uint8_t *)a;
		size_t len = sizeof(a) - 1;

		while (len > 0) {
			h1_event eb;
			size_t n = h1_feed(&on, b, len, &ev);

			ck_assert_uint_eq(h1_feed(&off, b, len, &eb), n);
			ck_assert_int_eq(ev, eb);
			b += n;
			len -= n;
		}
		same_parser(&on, &off, "finish", (size_t)i);
		if (i == 1) {
			ck_assert_uint_eq(on.memo.hits, 1);
			ck_assert_int_eq(h1_finish(&on), h1_finish(&off));
		}
	}
	/* messages 0 and 2 parsed, 1 and 3 from the memo */
	ck_assert_uint_eq(on.memo.hits, 2);
	/* off, the memo stays off and empty */
	ck_assert_uint_eq(off.memo.hits, 0);
	ck_assert_uint_eq(off.memo.len, 0);
}
END_TEST

START_TEST(test_lines_in_pieces_are_parsed)
{
	/* the second message's lines arrive in two pieces: parsed (and the
	 * third, whole, parsed too: the memo was forgotten), the fourth taken */
	static const char m[] = "GET / HTTP/1.1\r\nHost: a\r\nAccept: b\r\n\r\n";
	h1_parser p;
	size_t cut = sizeof(m) - 6;

	h1_init(&p, H1_REQUEST, NULL);
	ck_assert_int_eq(feed_str(&p, m), H1_EV_BEGIN | H1_EV_HEADERS |
						  H1_EV_COMPLETE);
	char head[sizeof(m)];
	memcpy(head, m, cut);
	head[cut] = '\0';
	ck_assert_int_eq(feed_str(&p, head), H1_EV_BEGIN);
	ck_assert_int_eq(feed_str(&p, m + cut), H1_EV_HEADERS | H1_EV_COMPLETE);
	ck_assert_uint_eq(p.memo.hits, 0);
	feed_str(&p, m);
	ck_assert_uint_eq(p.memo.hits, 0);
	feed_str(&p, m);
	ck_assert_uint_eq(p.memo.hits, 1);
	ck_assert_str_eq(p.msg.method, "GET");
	ck_assert_uint_eq(p.msg.header_bytes, sizeof(m) - 1);
}
END_TEST

Suite *http1_memo_suite(void)
{
	Suite *s = suite_create("http1_memo");
	TCase *tc = tcase_create("core");

	/* Each test feeds every stream cut at every offset, twice (with the
	 * memo and without): under ASan on a busy machine one took 37 s of
	 * the default 40 (4 s times CK_TIMEOUT_MULTIPLIER=10) and another
	 * timed out; http2_memo's tests have 120 s too. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_request);
	tcase_add_test(tc, test_same_lines_other_targets);
	tcase_add_test(tc, test_requests_with_bodies);
	tcase_add_test(tc, test_odd_lines);
	tcase_add_test(tc, test_lines_change);
	tcase_add_test(tc, test_lines_too_long_to_remember);
	tcase_add_test(tc, test_request_error_after_memo);
	tcase_add_test(tc, test_bad_start_line_after_memo);
	tcase_add_test(tc, test_first_byte_differs);
	tcase_add_test(tc, test_same_response);
	tcase_add_test(tc, test_interim_and_tunnel_responses);
	tcase_add_test(tc, test_connect_response);
	tcase_add_test(tc, test_chunked_and_close_responses);
	tcase_add_test(tc, test_finish_forgets);
	tcase_add_test(tc, test_lines_in_pieces_are_parsed);
	suite_add_tcase(s, tc);
	return s;
}
