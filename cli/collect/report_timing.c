/* report_timing.c - a request's derived timings; see report.h. */
#include "report.h"

int64_t report_span(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0)
		return REPORT_NONE;
	return (int64_t)(end - start);
}

uint64_t report_request_end(const ht_rec_request *r)
{
	uint64_t first = r->t[HT_T_FIRST_BYTE];
	uint64_t done = r->t[HT_T_RESPONSE_DONE];
	uint64_t wrote = r->t[HT_T_WROTE_REQUEST];

	/* answered early: the response began and ended before the body's
	 * last byte (not a clock gone backwards within the response) */
	return first != 0 && first <= done && wrote > done ? wrote : done;
}

int64_t report_timing_wait(const ht_rec_request *r)
{
	const uint64_t *ts = r->t;
	int64_t wait = report_span(ts[HT_T_WROTE_REQUEST], ts[HT_T_FIRST_BYTE]);

	if (wait != REPORT_NONE && wait < 0) {
		/* The response began before the body was sent (100 Continue, or
		 * an early error): server time is counted from the headers. */
		wait = report_span(ts[HT_T_WROTE_HEADERS], ts[HT_T_FIRST_BYTE]);
		if (wait == REPORT_NONE || wait < 0)
			wait = 0;
	}
	return wait;
}

/* The slots a request's start is the earliest of. */
static const enum ht_ts starts[] = {
	HT_T_DNS_START, HT_T_CONNECT_START, HT_T_TLS_START, HT_T_GOT_CONN,
};

/* The TLS phase runs from the TCP connection being up to the handshake's
 * end, as curl's time_appconnect and httpstat count it: the client's TLS
 * set-up before its first handshake call is part of it, and the waterfall
 * has no gap.  0 when TLS_START was not seen. */
static uint64_t client_tls_from(const uint64_t *ts)
{
	uint64_t from = ts[HT_T_TLS_START];

	if (ts[HT_T_CONNECT_DONE] && from && ts[HT_T_CONNECT_DONE] < from)
		from = ts[HT_T_CONNECT_DONE];
	return from;
}

/* Cut while its request was still being written after an interim
 * response (100 Continue), no final response begun (no status): the 1xx
 * set FIRST_BYTE, but nothing of the response was being received (its
 * phase is "send", ht_live_phase()).  Send runs to the cut, no receive. */
static bool cut_sending_after_1xx(const ht_rec_request *r)
{
	const uint64_t *ts = r->t;

	return r->error != HT_ERR_NONE && r->status == 0 &&
	       ts[HT_T_GOT_1XX] != 0 && ts[HT_T_GOT_CONN] != 0 &&
	       ts[HT_T_WROTE_REQUEST] == 0 &&
	       ts[HT_T_RESPONSE_DONE] >= ts[HT_T_GOT_CONN];
}

void report_timing_compute(const ht_rec_request *r, report_timing *t)
{
	const uint64_t *ts = r->t;

	t->dns = report_span(ts[HT_T_DNS_START], ts[HT_T_DNS_DONE]);
	t->connect = report_span(ts[HT_T_CONNECT_START], ts[HT_T_CONNECT_DONE]);
	uint64_t tls_from = client_tls_from(ts);
	if (r->flags & HT_RF_SERVER) {
		/* accepted at once: the phase is the wait for the client's
		 * first bytes (its handshake's, or its request's) */
		t->connect = report_span(ts[HT_T_CONNECT_DONE],
					 tls_from ? tls_from : ts[HT_T_GOT_CONN]);
		tls_from = ts[HT_T_TLS_START];
	}
	t->tls = report_span(tls_from, ts[HT_T_TLS_DONE]);
	t->send = report_span(ts[HT_T_GOT_CONN], ts[HT_T_WROTE_REQUEST]);

	t->wait = report_timing_wait(r);
	t->receive = report_span(ts[HT_T_FIRST_BYTE], ts[HT_T_RESPONSE_DONE]);
	if (cut_sending_after_1xx(r)) {
		t->send = report_span(ts[HT_T_GOT_CONN], ts[HT_T_RESPONSE_DONE]);
		t->receive = REPORT_NONE;
	}

	t->start = 0;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		uint64_t v = ts[starts[i]];

		if (v != 0 && (t->start == 0 || v < t->start))
			t->start = v;
	}
	t->total = report_span(t->start, report_request_end(r));

	t->idle = REPORT_NONE;
	if (r->flags & HT_RF_WAS_IDLE)
		t->idle = report_span(ts[HT_T_IDLE_SINCE], ts[HT_T_GOT_CONN]);
}

unsigned report_timing_cut(const ht_rec_request *r, report_timing *t)
{
	const uint64_t *ts = r->t;
	uint64_t end = ts[HT_T_RESPONSE_DONE];

	/* send already runs to the cut (report_timing_compute()) */
	if (cut_sending_after_1xx(r))
		return HT_T_WROTE_REQUEST;
	if (r->error == HT_ERR_NONE || end == 0 || ts[HT_T_FIRST_BYTE] != 0)
		return HT_T__COUNT;
	if (ts[HT_T_WROTE_REQUEST] != 0 && t->wait == REPORT_NONE &&
	    end >= ts[HT_T_WROTE_REQUEST]) {
		t->wait = report_span(ts[HT_T_WROTE_REQUEST], end);
		return HT_T_FIRST_BYTE;
	}
	if (ts[HT_T_WROTE_REQUEST] == 0 && ts[HT_T_GOT_CONN] != 0 &&
	    t->send == REPORT_NONE && end >= ts[HT_T_GOT_CONN]) {
		t->send = report_span(ts[HT_T_GOT_CONN], end);
		return HT_T_WROTE_REQUEST;
	}
	return HT_T__COUNT;
}

/* Whole microseconds from @from to @ts, rounded half up; 0 when @ts is
 * before @from. */
static int64_t us_from(uint64_t from, uint64_t ts)
{
	uint64_t ns = ts > from ? ts - from : 0;

	return (int64_t)(ns / 1000 + (ns % 1000 >= 500));
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void report_timing_har(const ht_rec_request *r, report_har_timing *h)
{
	const uint64_t *ts = r->t;
	/* The connection's phases, in the order they happen. */
	const uint64_t pre[3][2] = {
		{ ts[HT_T_DNS_START], ts[HT_T_DNS_DONE] },
		{ ts[HT_T_CONNECT_START], ts[HT_T_CONNECT_DONE] },
		{ client_tls_from(ts), ts[HT_T_TLS_DONE] },
	};
	int64_t *pre_out[3] = { &h->dns, &h->connect, &h->ssl };
	int64_t *post_out[3] = { &h->send, &h->wait, &h->receive };
	uint64_t post[3];
	uint64_t start = 0, pre_end = ts[HT_T_GOT_CONN], end = 0;
	int64_t cursor = 0, p, e, sum = 0;
	bool opened = false;

	/* The ends of send, wait and receive.  A response that began
	 * before the request was all written (100 Continue, an early
	 * answer): send ends with the headers, as report_timing_wait()
	 * counts the wait from them, and the body's writing overlaps the
	 * response (in receive). */
	post[0] = ts[HT_T_WROTE_REQUEST];
	if (post[0] != 0 && ts[HT_T_FIRST_BYTE] != 0 &&
	    post[0] > ts[HT_T_FIRST_BYTE])
		post[0] = ts[HT_T_WROTE_HEADERS] <= ts[HT_T_FIRST_BYTE] ?
			  ts[HT_T_WROTE_HEADERS] : 0;
	post[1] = ts[HT_T_FIRST_BYTE];
	/* cut while sending after a 1xx: send runs to the end (post[2]) */
	if (cut_sending_after_1xx(r))
		post[1] = 0;
	/* receive to the request's end: after an early answer, the body's
	 * last byte written (report_request_end(), json's total) */
	post[2] = ts[HT_T_RESPONSE_DONE] != 0 ? report_request_end(r) : 0;

	/* The start as report_timing_compute() has it. */
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		uint64_t v = ts[starts[i]];

		if (v != 0 && (start == 0 || v < start))
			start = v;
		if (v != 0 && starts[i] != HT_T_GOT_CONN)
			opened = true;
	}
	for (size_t i = 0; i < 3; i++)
		if (pre[i][1] > end)
			end = pre[i][1];
	for (size_t i = 0; i < 3 && pre_end == 0; i++)
		pre_end = post[i];
	if (pre_end == 0)
		pre_end = end;
	if (start == 0)
		start = pre_end;
	/* The end: the response's, else the last moment seen. */
	if (pre_end > end)
		end = pre_end;
	for (size_t i = 0; i < 3; i++)
		if (post[i] > end)
			end = post[i];
	if (post[2] != 0)
		end = post[2];

	p = us_from(start, pre_end);
	h->time = start != 0 ? us_from(start, end) : 0;
	if (h->time < p)
		h->time = p;

	/* dns, connect, ssl: each its own span, cut where an earlier one
	 * ended and where the request began, so none overlaps. */
	for (size_t i = 0; i < 3; i++) {
		int64_t a, b;

		*pre_out[i] = -1;
		if (pre[i][0] == 0 || pre[i][1] == 0 || pre[i][1] < pre[i][0])
			continue;
		a = clamp64(us_from(start, pre[i][0]), cursor, p);
		b = clamp64(us_from(start, pre[i][1]), a, p);
		*pre_out[i] = b - a;
		sum += b - a;
		cursor = b;
	}
	/* The rest of the time before the request's first byte was the
	 * client's own (its set-up between the phases, its queue). */
	h->blocked = opened ? p - sum : -1;

	/* send, wait, receive: back to back from the first request byte to
	 * the end; a phase whose end was not seen runs to the next end
	 * seen (the phase a request was cut in runs to its end), and the
	 * ones after it last 0. */
	cursor = p;
	for (size_t i = 0; i < 3; i++) {
		size_t j = i;

		while (j < 2 && post[j] == 0)
			j++;
		e = post[j] != 0 ? us_from(start, post[j]) : h->time;
		e = clamp64(e, cursor, h->time);
		*post_out[i] = e - cursor;
		cursor = e;
	}

	/* HAR 1.2: connect includes ssl (kept for backward compatibility). */
	if (h->ssl >= 0)
		h->connect = h->connect >= 0 ? h->connect + h->ssl : h->ssl;
}

const char *report_proto_str(unsigned proto)
{
	switch (proto) {
	case HT_PROTO_HTTP10: return "HTTP/1.0";
	case HT_PROTO_HTTP11: return "HTTP/1.1";
	case HT_PROTO_HTTP2: return "HTTP/2";
	default: return NULL;
	}
}

int64_t report_percentile(const sketch *s, unsigned pct)
{
	int64_t v;

	return sketch_percentile(s, pct, &v) ? v : REPORT_NONE;
}

