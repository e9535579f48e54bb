/*
 * h1_harness.c - runs the HTTP/1.x parser's unit test fixtures every way
 * (see h1_harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"
#include "h1_harness.h"

/* ck_assert*() records every passing assertion (a write per call), which
 * dominates the run time over thousands of splits: the hot loops use this,
 * which only reaches Check on failure. */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

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
 * @step bytes; the header-line memo on or off (@memo). */
static void run_fixture(struct run *r, const struct fixture *fx, size_t cut,
			size_t step, bool memo)
{
	const uint8_t *d = (const uint8_t *)fx->data;
	h1_parser p;
	int begins = 0;
	size_t off;

	r->n = 0;
	h1_init(&p, fx->kind, fx->opt);
	h1_memo_enable(&p, memo);
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

struct run *run_all_ways(const struct fixture *fx)
{
	struct run *whole = calloc(1, sizeof(*whole));
	struct run *r = calloc(1, sizeof(*r));
	char how[64];
	size_t k;

	REQUIRE(whole != NULL && r != NULL, "out of memory");
	run_fixture(whole, fx, 0, 0, true);
	run_fixture(r, fx, 0, 0, false);
	same_run(whole, r, "whole, memo off");
	for (k = 1; k < fx->len; k++) {
		if (fx->stride && k % fx->stride != 0 && k > 64 &&
		    k + 64 < fx->len && !near_line_end(fx, k))
			continue;
		run_fixture(r, fx, k, 0, true);
		snprintf(how, sizeof(how), "split at %zu", k);
		same_run(whole, r, how);
	}
	run_fixture(r, fx, 0, 1, true);
	same_run(whole, r, "byte by byte");
	free(r);
	return whole;
}

void expect_events(const struct run *r, const char *want)
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

const h1_message *ev_msg(const struct run *r, int i)
{
	return &r->ev[i].msg;
}

size_t offset_of(const struct fixture *fx, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= fx->len; i++) {
		if (memcmp(fx->data + i, needle, n) == 0)
			return i;
	}
	ck_abort_msg("\"%s\" not in fixture", needle);
	return 0;
}

unsigned feed_str(h1_parser *p, const char *s)
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
