/*
 * h1_harness.h - how the HTTP/1.x parser's unit tests (check_http1*.c) run
 * a fixture.
 *
 * Every fixture is fed three ways: whole, split in two at every split point,
 * and one byte at a time; and whole with the header-line memo off
 * (h1_memo_enable(): check_http1_memo.c tests it in depth).  The events (kind and stream offset of the byte
 * that produced them), the parser state after each event and a snapshot of
 * msg at each event must be identical in every case; the fixture's own test
 * then asserts what the whole-buffer run produced.
 */
#ifndef HT_TEST_H1_HARNESS_H
#define HT_TEST_H1_HARNESS_H

#include <check.h>
#include <stddef.h>

#include "http1.h"

#define MAX_EVENTS 24

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

/* run_all_ways() - run @fx whole, split at every point and byte by byte,
 * and whole with the memo off; all must agree.  Returns the whole-buffer run (free() it). */
struct run *run_all_ways(const struct fixture *fx);

/* expect_events() - assert the event sequence, written as space-separated
 * groups of B(egin) H(eaders) C(omplete) E(rror): "B HC B H C". */
void expect_events(const struct run *r, const char *want);

/* ev_msg() - the snapshot of msg at the @i-th event of @r. */
const h1_message *ev_msg(const struct run *r, int i);

/* offset_of() - offset of the first occurrence of @needle in the fixture
 * (the test fails when there is none). */
size_t offset_of(const struct fixture *fx, const char *needle);

/* feed_str() - feed all of @s to @p, events ignored; returns the events
 * seen, OR-ed. */
unsigned feed_str(h1_parser *p, const char *s);

#endif
