/*
 * check_http1.c - unit tests of preload/http1.c.
 *
 * Every fixture is fed three ways: whole, split in two at every split point,
 * and one byte at a time.  The events (kind and stream offset of the byte
 * that produced them), the parser state after each event and a snapshot of
 * msg at each event must be identical in every case; the fixture's own test
 * then asserts what the whole-buffer run produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"
#include "suites.h"

#define MAX_EVENTS 24

/* ck_assert*() records every passing assertion (a write per call), which
 * dominates the run time over thousands of splits: the hot loops use this,
 * which only reaches Check on failure. */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

struct ev_rec {
	unsigned ev;
	size_t off;           /* stream offset of the byte that produced it */
	h1_state_public st;   /* parser state right after it */
	h1_message msg;       /* snapshot at the event */
};

struct run {
	struct ev_rec ev[MAX_EVENTS];
	int n;
	h1_state_public st_end;   /* state after all input */
	unsigned finish_ev;       /* h1_finish() */
	h1_message final;         /* msg after h1_finish() */
	h1_state_public st_final; /* state after h1_finish() */
};

struct fixture {
	h1_kind kind;
	const char *data;
	size_t len;
	/* Response context applied at the k-th BEGIN: 'H' HEAD, 'C' CONNECT,
	 * anything else none.  NULL: never set. */
	const char *ctx;
	const h1_options *opt;
	/* 0: try every split point; n: only every n-th one plus those near a
	 * line end or either end of the data (huge fixtures). */
	size_t stride;
};

#define FX(k, lit) { .kind = (k), .data = (lit), .len = sizeof(lit) - 1 }

static const h1_options capture_opt = { .capture_headers = true };

static void apply_ctx(h1_parser *p, const struct fixture *fx, int begin)
{
	if (fx->ctx == NULL || (size_t)begin >= strlen(fx->ctx))
		return;
	h1_set_response_context(p, fx->ctx[begin] == 'H',
				fx->ctx[begin] == 'C');
}

#define GUARD 16

/* Feed @len bytes as one piece starting at stream offset @base.  The piece
 * is fed from a copy of its own between guard bytes ('9': a digit, a token
 * and a value byte), so a parser that reads outside the piece it was given
 * (a byte of the previous piece, which the fixture holds just before it)
 * sees other bytes than in the whole run, and ASan sees it too. */
static void feed_piece(h1_parser *p, const struct fixture *fx, struct run *r,
		       const uint8_t *src, size_t len, size_t base,
		       int *begins)
{
	uint8_t *copy = malloc(len + 2 * GUARD);
	const uint8_t *buf;

	REQUIRE(copy != NULL, "out of memory");
	memset(copy, '9', len + 2 * GUARD);
	if (len > 0)
		memcpy(copy + GUARD, src, len);
	buf = copy + GUARD;
	while (len > 0) {
		h1_event ev = H1_EV_NONE;
		size_t n = h1_feed(p, buf, len, &ev);

		REQUIRE(n <= len, "consumed %zu of %zu", n, len);
		if (ev == H1_EV_NONE) {
			REQUIRE(n == len, "no event, but %zu of %zu consumed",
				n, len);
		} else {
			struct ev_rec *e;

			REQUIRE(n >= 1, "event %u from no byte", ev);
			REQUIRE(r->n < MAX_EVENTS, "too many events");
			e = &r->ev[r->n++];
			e->ev = ev;
			e->off = base + n - 1;
			e->st = h1_state(p);
			e->msg = p->msg;
			if (ev & H1_EV_BEGIN)
				apply_ctx(p, fx, (*begins)++);
		}
		buf += n;
		len -= n;
		base += n;
	}
	free(copy);
}

/* Run @fx into @r, cut at @cut (0: whole) or, with @step, in pieces of
 * @step bytes. */
static void run_fixture(struct run *r, const struct fixture *fx, size_t cut,
			size_t step)
{
	const uint8_t *d = (const uint8_t *)fx->data;
	h1_parser p;
	int begins = 0;
	size_t off;

	r->n = 0;
	h1_init(&p, fx->kind, fx->opt);
	apply_ctx(&p, fx, begins);
	if (step > 0) {
		for (off = 0; off < fx->len; off += step) {
			size_t n = fx->len - off < step ? fx->len - off : step;

			feed_piece(&p, fx, r, d + off, n, off, &begins);
		}
	} else {
		feed_piece(&p, fx, r, d, cut, 0, &begins);
		feed_piece(&p, fx, r, d + cut, fx->len - cut, cut, &begins);
	}
	r->st_end = h1_state(&p);
	r->finish_ev = h1_finish(&p);
	r->final = p.msg;
	r->st_final = h1_state(&p);
}

static void same_msg(const h1_message *a, const h1_message *b,
		     const char *how, int i)
{
	REQUIRE(strcmp(a->method, b->method) == 0 &&
		      strcmp(a->target, b->target) == 0 &&
		      a->target_truncated == b->target_truncated,
		      "%s, event %d: request line differs", how, i);
	REQUIRE(a->status == b->status &&
		      strcmp(a->reason, b->reason) == 0 &&
		      a->version_major == b->version_major &&
		      a->version_minor == b->version_minor,
		      "%s, event %d: status line differs", how, i);
	REQUIRE(a->content_length == b->content_length &&
		      a->chunked == b->chunked &&
		      a->keep_alive == b->keep_alive &&
		      a->upgrade == b->upgrade &&
		      a->upgrade_h2c == b->upgrade_h2c &&
		      a->expect_continue == b->expect_continue &&
		      a->body_by_close == b->body_by_close,
		      "%s, event %d: framing differs", how, i);
	REQUIRE(strcmp(a->host, b->host) == 0 &&
		      strcmp(a->content_type, b->content_type) == 0,
		      "%s, event %d: host/content-type differ", how, i);
	REQUIRE(a->header_bytes == b->header_bytes &&
		      a->body_bytes == b->body_bytes,
		      "%s, event %d: byte counts differ (%u/%llu vs %u/%llu)",
		      how, i, a->header_bytes,
		      (unsigned long long)a->body_bytes, b->header_bytes,
		      (unsigned long long)b->body_bytes);
	REQUIRE(a->hdrs_len == b->hdrs_len &&
		      a->hdrs_truncated == b->hdrs_truncated &&
		      strcmp(a->hdrs, b->hdrs) == 0,
		      "%s, event %d: captured headers differ", how, i);
}

static void same_run(const struct run *a, const struct run *b, const char *how)
{
	int i;

	REQUIRE(a->n == b->n, "%s: %d events, whole: %d", how, b->n,
		      a->n);
	for (i = 0; i < a->n; i++) {
		REQUIRE(a->ev[i].ev == b->ev[i].ev &&
			      a->ev[i].off == b->ev[i].off &&
			      a->ev[i].st == b->ev[i].st,
			      "%s, event %d: %u at %zu, whole: %u at %zu", how,
			      i, b->ev[i].ev, b->ev[i].off, a->ev[i].ev,
			      a->ev[i].off);
		same_msg(&a->ev[i].msg, &b->ev[i].msg, how, i);
	}
	REQUIRE(a->st_end == b->st_end && a->finish_ev == b->finish_ev &&
		      a->st_final == b->st_final,
		      "%s: end state or finish differs", how);
	same_msg(&a->final, &b->final, how, -1);
}

static bool near_line_end(const struct fixture *fx, size_t k)
{
	size_t i = k > 3 ? k - 3 : 0;

	for (; i < k + 3 && i < fx->len; i++) {
		if (fx->data[i] == '\r' || fx->data[i] == '\n')
			return true;
	}
	return false;
}

/* Run @fx whole, split at every point and byte by byte; all must agree.
 * Returns the whole-buffer run (free() it). */
static struct run *run_all_ways(const struct fixture *fx)
{
	struct run *whole = calloc(1, sizeof(*whole));
	struct run *r = calloc(1, sizeof(*r));
	char how[64];
	size_t k;

	REQUIRE(whole != NULL && r != NULL, "out of memory");
	run_fixture(whole, fx, 0, 0);
	for (k = 1; k < fx->len; k++) {
		if (fx->stride && k % fx->stride != 0 && k > 64 &&
		    k + 64 < fx->len && !near_line_end(fx, k))
			continue;
		run_fixture(r, fx, k, 0);
		snprintf(how, sizeof(how), "split at %zu", k);
		same_run(whole, r, how);
	}
	run_fixture(r, fx, 0, 1);
	same_run(whole, r, "byte by byte");
	free(r);
	return whole;
}

/* Assert the event sequence, written as space-separated groups of
 * B(egin) H(eaders) C(omplete) E(rror): "B HC B H C". */
static void expect_events(const struct run *r, const char *want)
{
	int n = 0;
	const char *s = want;

	while (*s != '\0') {
		unsigned ev = 0;

		for (; *s != '\0' && *s != ' '; s++) {
			if (*s == 'B')
				ev |= H1_EV_BEGIN;
			else if (*s == 'H')
				ev |= H1_EV_HEADERS;
			else if (*s == 'C')
				ev |= H1_EV_COMPLETE;
			else if (*s == 'E')
				ev |= H1_EV_ERROR;
		}
		while (*s == ' ')
			s++;
		ck_assert_msg(n < r->n, "fewer events than \"%s\"", want);
		ck_assert_msg(r->ev[n].ev == ev, "event %d is %u, want \"%s\"",
			      n, r->ev[n].ev, want);
		n++;
	}
	ck_assert_msg(n == r->n, "%d events, want \"%s\"", r->n, want);
}

static const h1_message *ev_msg(const struct run *r, int i)
{
	return &r->ev[i].msg;
}

/* Offset of the first occurrence of @needle in the fixture. */
static size_t offset_of(const struct fixture *fx, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= fx->len; i++) {
		if (memcmp(fx->data + i, needle, n) == 0)
			return i;
	}
	ck_abort_msg("\"%s\" not in fixture", needle);
	return 0;
}

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
	ck_assert(!ev_msg(r, 1)->body_by_close);
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

/* Feed all of @s to @p, events ignored; returns the last events seen. */
static unsigned feed_str(h1_parser *p, const char *s)
{
	unsigned all = 0;
	size_t len = strlen(s);
	while (len > 0) {
		h1_event ev;
		size_t n = h1_feed(p, (const uint8_t *)s, len, &ev);
		all |= ev;
		s += n;
		len -= n;
	}
	return all;
}

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
	tcase_add_test(tc, test_101_switching_protocols);
	tcase_add_test(tc, test_connect_tunnel);
	tcase_add_test(tc, test_status_line_variants);
	tcase_add_test(tc, test_transfer_encoding_framing);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_invalid_chunk_size);
	tcase_add_test(tc, test_not_http);
	tcase_add_test(tc, test_bad_content_length);
	tcase_add_test(tc, test_content_length_lists);
	tcase_add_test(tc, test_error_is_sticky);
	tcase_add_test(tc, test_cut_short_keeps_whole_fields);
	tcase_add_test(tc, test_finish);
	tcase_add_test(tc, test_skip);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
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
