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

void report_timing_compute(const ht_rec_request *r, report_timing *t)
{
	const uint64_t *ts = r->t;
	static const enum ht_ts starts[] = {
		HT_T_DNS_START, HT_T_CONNECT_START, HT_T_TLS_START, HT_T_GOT_CONN,
	};

	t->dns = report_span(ts[HT_T_DNS_START], ts[HT_T_DNS_DONE]);
	t->connect = report_span(ts[HT_T_CONNECT_START], ts[HT_T_CONNECT_DONE]);
	/* The TLS phase runs from the TCP connection being up to the
	 * handshake's end, as curl's time_appconnect and httpstat count it:
	 * the client's TLS set-up before its first handshake call is part
	 * of it, and the waterfall has no gap. */
	uint64_t tls_from = ts[HT_T_TLS_START];
	if (ts[HT_T_CONNECT_DONE] && tls_from && ts[HT_T_CONNECT_DONE] < tls_from)
		tls_from = ts[HT_T_CONNECT_DONE];
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

