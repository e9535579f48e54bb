/*
 * format_events.c - the JSON Lines format "events": one object per
 * lifecycle event of a request, in Go net/http/httptrace terms,
 * and the summary line of -f json at the end.
 *
 * Events stream as they happen: on every pass over the live pages (the
 * collector's tick, report_live()), each event of a request in flight is
 * written the first time its timestamp is seen set.  When the request's
 * record comes, the events not written yet are written from it (their
 * true timestamps, in order), nothing twice: requests seen in flight are
 * remembered by pid, connection and request number until their record.
 * A connection in its DNS, connect or TLS phase with no request yet
 * streams its events (dns_start ... tls_handshake_done, "req": null) the
 * same way, remembered by pid and connection (req 0) until its first
 * request's record, its failure or its close: those do not write them
 * again.
 * A name lookup in flight (a slot of kind HT_LIVE_LOOKUP: no connection
 * yet) streams its dns_start ("conn": 0, "req": null, "lookup": its
 * number), remembered by pid, number and start, so that each lookup
 * streams its own: its end is the dns_done of the connection its
 * addresses named (the same dns_start timestamp: that dns_start is not
 * written again), or, when its process's end cut it short, a dns_done
 * with the error.
 * A replay (read) has no live pages: every event comes from its record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format_json.h"
#include "grpc.h"
#include "headers.h"
#include "json.h"
#include "live.h"
#include "report.h"

/* Lifecycle events of a request, in the order they happen when their
 * timestamps tie. */
enum ev_kind {
	EV_DNS_START,
	EV_DNS_DONE,
	EV_CONNECT_START,
	EV_CONNECT_DONE,
	EV_TLS_START,
	EV_TLS_DONE,
	EV_GOT_CONN,
	EV_WROTE_HEADERS,
	EV_WROTE_REQUEST,
	EV_GOT_1XX,
	EV_FIRST_BYTE,
	EV_RESPONSE_DONE,
	EV_PUT_IDLE,
	EV__COUNT
};

/* The names, with their lengths: a line per event is a hot path. */
#define EV_NAME(s) { s, sizeof(s) - 1 }
static const struct ev_name {
	const char *s;
	size_t n;
} ev_names[EV__COUNT] = {
	[EV_DNS_START] = EV_NAME("dns_start"),
	[EV_DNS_DONE] = EV_NAME("dns_done"),
	[EV_CONNECT_START] = EV_NAME("connect_start"),
	[EV_CONNECT_DONE] = EV_NAME("connect_done"),
	[EV_TLS_START] = EV_NAME("tls_handshake_start"),
	[EV_TLS_DONE] = EV_NAME("tls_handshake_done"),
	[EV_GOT_CONN] = EV_NAME("got_conn"),
	[EV_WROTE_HEADERS] = EV_NAME("wrote_headers"),
	[EV_WROTE_REQUEST] = EV_NAME("wrote_request"),
	[EV_GOT_1XX] = EV_NAME("got_1xx_response"),
	[EV_FIRST_BYTE] = EV_NAME("got_first_response_byte"),
	[EV_RESPONSE_DONE] = EV_NAME("response_done"),
	[EV_PUT_IDLE] = EV_NAME("put_idle_conn"),
};

/* A server's events (wire.h, HT_RF_SERVER): the same moments, named for
 * what the server did; its connect is the accept, which has no start. */
static const struct ev_name server_ev_names[EV__COUNT] = {
	[EV_DNS_START] = EV_NAME("dns_start"),
	[EV_DNS_DONE] = EV_NAME("dns_done"),
	[EV_CONNECT_START] = EV_NAME("accepted"),
	[EV_CONNECT_DONE] = EV_NAME("accepted"),
	[EV_TLS_START] = EV_NAME("tls_handshake_start"),
	[EV_TLS_DONE] = EV_NAME("tls_handshake_done"),
	[EV_GOT_CONN] = EV_NAME("request_begin"),
	[EV_WROTE_HEADERS] = EV_NAME("read_request_headers"),
	[EV_WROTE_REQUEST] = EV_NAME("read_request"),
	[EV_GOT_1XX] = EV_NAME("wrote_1xx_response"),
	[EV_FIRST_BYTE] = EV_NAME("wrote_first_response_byte"),
	[EV_RESPONSE_DONE] = EV_NAME("response_done"),
	[EV_PUT_IDLE] = EV_NAME("conn_idle"),
};

/* The timestamp of each event (index into ht_rec_request.t). */
static const enum ht_ts ev_ts[EV__COUNT] = {
	[EV_DNS_START] = HT_T_DNS_START,
	[EV_DNS_DONE] = HT_T_DNS_DONE,
	[EV_CONNECT_START] = HT_T_CONNECT_START,
	[EV_CONNECT_DONE] = HT_T_CONNECT_DONE,
	[EV_TLS_START] = HT_T_TLS_START,
	[EV_TLS_DONE] = HT_T_TLS_DONE,
	[EV_GOT_CONN] = HT_T_GOT_CONN,
	[EV_WROTE_HEADERS] = HT_T_WROTE_HEADERS,
	[EV_WROTE_REQUEST] = HT_T_WROTE_REQUEST,
	[EV_GOT_1XX] = HT_T_GOT_1XX,
	[EV_FIRST_BYTE] = HT_T_FIRST_BYTE,
	[EV_RESPONSE_DONE] = HT_T_RESPONSE_DONE,
	[EV_PUT_IDLE] = HT_T_RESPONSE_DONE,
};

_Static_assert(EV__COUNT <= 16, "ev_seen.written has 16 bits");

/* The events of a connection's own moments (a connection slot's). */
#define EV_CONN_BITS ((1u << (EV_TLS_DONE + 1)) - (1u << EV_DNS_START))

/* A request seen in flight, and the events already written of it; or a
 * connection (req 0), or a name lookup (conn 0, req its number). */
typedef struct ev_seen {
	uint32_t pid, conn, req;
	uint16_t written;  /* bit k: ev_kind k */
	uint64_t pass;     /* the last pass over the live pages that saw it */
	uint64_t lookup_t; /* a lookup's start (its dns_start); 0: no lookup */
} ev_seen;

/* Requests remembered at most; one more in flight is not streamed (its
 * record writes all its events).  Entries are found by a linear scan: the
 * table is empty unless requests outlive a pass (50 ms, RUN_LIVE_TICK_MS),
 * and a record is looked up only when it is not. */
#define EV_SEEN_MAX 1024
/* A request not seen in flight for this many passes (30 s at 50 ms)
 * whose record never came (dropped, counted) is forgotten. */
#define EV_SEEN_PASSES 600

typedef struct ev_state {
	uint64_t pass;
	size_t n;
	ev_seen seen[EV_SEEN_MAX];
} ev_state;

static ev_seen *ev_find(ev_state *st, uint32_t pid, uint32_t conn,
			uint32_t req)
{
	for (size_t i = 0; i < st->n; i++) {
		ev_seen *e = &st->seen[i];

		if (e->req == req && e->conn == conn && e->pid == pid &&
		    e->lookup_t == 0)
			return e;
	}
	return NULL;
}

/* Forget entry @e (the last one takes its place). */
static void ev_forget(ev_state *st, ev_seen *e)
{
	*e = st->seen[--st->n];
}

/* The events of connection @conn of @pid already streamed from its
 * connection slot (EV_CONN_BITS), forgotten with @forget (the record that
 * ends the connection's streaming came). */
static unsigned ev_conn_written(report *rp, uint32_t pid, uint32_t conn,
				bool forget)
{
	ev_state *st = rp->fmt_state;
	ev_seen *e;
	unsigned bits;

	if (st == NULL || st->n == 0 || (e = ev_find(st, pid, conn, 0)) == NULL)
		return 0;
	bits = e->written;
	if (forget)
		ev_forget(st, e);
	else
		e->pass = st->pass; /* its request is in flight: kept */
	return bits;
}

/* The events already streamed of the lookup of @pid that began at @t
 * (0: none; EV_DNS_START or nothing), forgotten with @forget (its end is
 * being written). */
static unsigned ev_lookup_written(report *rp, uint32_t pid, uint64_t t,
				  bool forget)
{
	ev_state *st = rp->fmt_state;
	unsigned bits;

	if (st == NULL || t == 0)
		return 0;
	for (size_t i = 0; i < st->n; i++) {
		ev_seen *e = &st->seen[i];

		if (e->lookup_t != t || e->pid != pid)
			continue;
		bits = e->written;
		if (forget)
			ev_forget(st, e);
		return bits;
	}
	return 0;
}

/* The entry of (@pid, @conn, @req) for streaming, made if new; NULL when
 * there is no room (its record then writes every event). */
static ev_seen *ev_entry(report *rp, uint32_t pid, uint32_t conn, uint32_t req)
{
	ev_state *st = rp->fmt_state;
	ev_seen *e;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return NULL;
		rp->fmt_state = st;
	}
	e = ev_find(st, pid, conn, req);
	if (e == NULL) {
		if (st->n == EV_SEEN_MAX)
			return NULL;
		e = &st->seen[st->n++];
		*e = (ev_seen){ .pid = pid, .conn = conn, .req = req };
	}
	e->pass = st->pass;
	return e;
}

/* The entry of lookup number @n of @pid, begun at @t (non-zero), made if
 * new.  A later image of the pid (exec) numbers its lookups from 1 again:
 * an entry of the same number and another start is another lookup's. */
static ev_seen *ev_lookup_entry(report *rp, uint32_t pid, uint32_t n,
				uint64_t t)
{
	ev_state *st = rp->fmt_state;
	ev_seen *e = NULL;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return NULL;
		rp->fmt_state = st;
	}
	for (size_t i = 0; i < st->n && e == NULL; i++) {
		ev_seen *x = &st->seen[i];

		if (x->lookup_t != 0 && x->req == n && x->pid == pid)
			e = x;
	}
	if (e == NULL) {
		if (st->n == EV_SEEN_MAX)
			return NULL;
		e = &st->seen[st->n++];
	}
	if (e->lookup_t != t)
		*e = (ev_seen){ .pid = pid, .conn = 0, .req = n, .lookup_t = t };
	e->pass = st->pass;
	return e;
}

/* {"event":NAME,"pid":P,"conn":C,"req":R|null,"ts":T -- no closing brace;
 * @name is @name_len bytes. */
static void ev_head_n(report *rp, const char *name, size_t name_len,
		      uint32_t pid, uint32_t conn, uint32_t req, uint64_t mono)
{
	outbuf *f = &rp->ob;

	json_lit(f, "{\"event\":\"");
	json_raw(f, name, name_len);
	json_lit(f, "\",\"pid\":");
	json_u64(f, pid);
	KEY_U64(f, "conn", conn);
	KEY(f, "req");
	if (req == 0)
		json_lit(f, "null");
	else
		json_u64(f, req);
	KEY(f, "ts");
	json_ns_secs(f, report_unix_ns(rp, mono));
}

/* ev_head_n() of a NUL-terminated @name. */
static void ev_head(report *rp, const char *name, uint32_t pid, uint32_t conn,
		    uint32_t req, uint64_t mono)
{
	ev_head_n(rp, name, strlen(name), pid, conn, req, mono);
}

/* The data of event @k of request @q.  @live: @q is what a live page
 * holds, so the values only its record carries (DNS name, TLS version
 * and ALPN, the request's headers, the count of 1xx responses) are
 * null. */
static void ev_request_data(report *rp, const report_req *q, enum ev_kind k,
			    bool live)
{
	outbuf *f = &rp->ob;
	const ht_rec_request *r = q->r;

	switch (k) {
	case EV_DNS_START:
	case EV_DNS_DONE:
		KEY(f, "host");
		put_ht_str_or_null(f, r->dns_name);
		break;
	case EV_CONNECT_START:
	case EV_CONNECT_DONE:
		KEY(f, "peer");
		json_str_or_null(f, q->peer, q->peer_len);
		if (k == EV_CONNECT_DONE)
			json_lit(f, ",\"error\":null");
		break;
	case EV_TLS_DONE:
		KEY(f, "version");
		put_ht_str_or_null(f, r->tls_version);
		KEY(f, "alpn");
		put_ht_str_or_null(f, r->alpn);
		break;
	case EV_GOT_CONN:
		KEY_BOOL(f, "reused", r->flags & HT_RF_REUSED);
		KEY_BOOL(f, "was_idle", r->flags & HT_RF_WAS_IDLE);
		KEY_MS(f, "idle_ms", q->t.idle);
		KEY(f, "peer");
		json_str_or_null(f, q->peer, q->peer_len);
		break;
	case EV_WROTE_HEADERS:
		KEY(f, "method");
		put_ht_str_or_null(f, r->method);
		KEY(f, "url");
		json_str(f, q->url, q->url_len);
		KEY(f, "headers");
		if (live)
			json_lit(f, "null");
		else
			headers_json(f, r->req_headers);
		break;
	case EV_GOT_1XX:
		KEY(f, "count");
		if (live)
			json_lit(f, "null");
		else
			json_u64(f, r->n_1xx);
		break;
	case EV_RESPONSE_DONE:
		KEY(f, "status");
		put_status(f, r->status);
		KEY(f, "error");
		json_strz(f, q->error);
		if (q->phase != NULL) {
			KEY(f, "phase");
			json_strz(f, q->phase);
			KEY(f, "signal");
			json_strz(f, q->signal);
		}
		if ((r->flags & HT_RF_GRPC) && (r->grpc.flags & HT_GF_STATUS)) {
			KEY_U64(f, "grpc_status", r->grpc.status);
			KEY(f, "grpc_status_name");
			json_strz(f, grpc_status_name(r->grpc.status));
		}
		KEY_U64(f, "resp_bytes", r->resp_body_bytes);
		KEY_MS(f, "total_ms", q->t.total);
		KEY(f, "headers");
		headers_json(f, r->resp_headers);
		break;
	default:
		break;
	}
}

/* Write the events of request @q that happened and are not in @skip (bit
 * k: ev_kind k), in time order (ties keep the lifecycle order); @live as
 * in ev_request_data(), and then response_done and put_idle_conn are left
 * for the record.  Returns the events written, as bits. */
static unsigned ev_write(report *rp, const report_req *q, unsigned skip,
			 bool live)
{
	const ht_rec_request *r = q->r;
	enum ev_kind order[EV__COUNT];
	unsigned done = 0;
	size_t n = 0;
	bool server = r->flags & HT_RF_SERVER;
	const struct ev_name *names = server ? server_ev_names : ev_names;

	/* Collect the events that happened, then insertion-sort them by
	 * timestamp; the sort is stable, so ties keep the lifecycle order. */
	for (int k = 0; k < EV__COUNT; k++) {
		if (r->t[ev_ts[k]] == 0 || (skip & (1u << k)))
			continue;
		if (live && (k == EV_RESPONSE_DONE || k == EV_PUT_IDLE))
			continue;
		if (server && k == EV_CONNECT_START)
			continue; /* one "accepted" */
		if (k == EV_PUT_IDLE &&
		    (!(r->flags & HT_RF_KEEPALIVE) || r->error != HT_ERR_NONE))
			continue;
		size_t i = n++;
		while (i > 0 && r->t[ev_ts[order[i - 1]]] > r->t[ev_ts[k]]) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = (enum ev_kind)k;
	}
	for (size_t i = 0; i < n; i++) {
		enum ev_kind k = order[i];

		ev_head_n(rp, names[k].s, names[k].n, r->pid, r->conn_id,
			  r->req_seq, r->t[ev_ts[k]]);
		if (server)
			json_lit(&rp->ob, ",\"side\":\"server\"");
		ev_request_data(rp, q, k, live);
		json_lit(&rp->ob, "}\n");
		done |= 1u << k;
	}
	return done;
}

/* A request's record: the events not streamed yet. */
static void events_request(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	ev_state *st = rp->fmt_state;
	unsigned skip = 0;

	if (st != NULL && st->n > 0) {
		ev_seen *e = ev_find(st, r->pid, r->conn_id, r->req_seq);

		if (e != NULL) {
			skip = e->written;
			ev_forget(st, e);
		}
		/* the connection's first request carries its moments */
		skip |= ev_conn_written(rp, r->pid, r->conn_id,
					!(r->flags & HT_RF_REUSED)) &
			EV_CONN_BITS;
		/* and the end of the lookup that named its peer */
		skip |= ev_lookup_written(rp, r->pid, r->t[HT_T_DNS_START],
					  true) &
			EV_CONN_BITS;
	}
	ev_write(rp, q, skip, false);
}

/* A request in flight (report_live()): the events first seen set. */
static void events_live(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	unsigned conn_bits = ev_conn_written(rp, r->pid, r->conn_id, false) &
			     EV_CONN_BITS;
	/* a lookup streamed in flight named its peer: its dns_start is
	 * written (asked before the entry is taken: forgetting moves
	 * entries) */
	unsigned from_lookup = ev_lookup_written(rp, r->pid,
						 r->t[HT_T_DNS_START],
						 r->t[HT_T_DNS_DONE] != 0) &
			       (1u << EV_DNS_START);
	ev_seen *e = ev_entry(rp, r->pid, r->conn_id, r->req_seq);

	if (e == NULL)
		return; /* the record writes them all */
	e->written |= (uint16_t)from_lookup;
	e->written |= (uint16_t)ev_write(rp, q, e->written | conn_bits, true);
}

/* A connection in its DNS, connect or TLS phase (report_live_conn()): its
 * events first seen set, in their order, with what the page knows (the
 * TLS version and ALPN only the record carries: null). */
static void events_live_conn(report *rp, uint32_t pid, uint32_t conn,
			     const ht_live_conn *s)
{
	const uint64_t t[] = {
		[EV_DNS_START] = s->t_dns_start,
		[EV_DNS_DONE] = s->t_dns_done,
		[EV_CONNECT_START] = s->t_connect_start,
		[EV_CONNECT_DONE] = s->t_connect_done,
		[EV_TLS_START] = s->t_tls_start,
		[EV_TLS_DONE] = s->t_tls_done,
	};
	outbuf *f = &rp->ob;
	char peer[64];
	size_t peer_len = url_peer(peer, sizeof(peer), &s->peer);
	bool lookup = s->kind == HT_LIVE_LOOKUP;
	unsigned from_lookup = 0;
	ev_seen *e;

	if (lookup && s->t_dns_start == 0)
		return; /* not a lookup's slot as written */
	/* the lookup that named the peer, streamed in flight: its
	 * dns_start was written; this connection writes its end (asked
	 * before the entry is taken: forgetting moves entries) */
	if (!lookup)
		from_lookup = ev_lookup_written(rp, pid, s->t_dns_start,
						s->t_dns_done != 0) &
			      (1u << EV_DNS_START);
	e = lookup ? ev_lookup_entry(rp, pid, s->conn_id, s->t_dns_start)
		   : ev_entry(rp, pid, conn, 0);
	if (e == NULL)
		return;
	e->written |= (uint16_t)from_lookup;
	for (unsigned k = EV_DNS_START; k <= EV_TLS_DONE; k++) {
		if (t[k] == 0 || (e->written & (1u << k)))
			continue;
		ev_head_n(rp, ev_names[k].s, ev_names[k].n, pid, conn, 0, t[k]);
		switch (k) {
		case EV_DNS_START:
		case EV_DNS_DONE:
			KEY(f, "host");
			if (s->name[0] != '\0')
				json_strz(f, s->name);
			else
				json_lit(f, "null");
			if (lookup)
				KEY_U64(f, "lookup", s->conn_id);
			break;
		case EV_CONNECT_START:
		case EV_CONNECT_DONE:
			KEY(f, "peer");
			json_str_or_null(f, peer, peer_len);
			if (k == EV_CONNECT_DONE)
				json_lit(f, ",\"error\":null");
			break;
		case EV_TLS_DONE:
			json_lit(f, ",\"version\":null,\"alpn\":null");
			break;
		default:
			break;
		}
		json_lit(f, "}\n");
		e->written |= (uint16_t)(1u << k);
	}
}

/* A pass over the live pages ended: forget the requests long gone from
 * them whose record never came. */
static void events_live_end(report *rp)
{
	ev_state *st = rp->fmt_state;

	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n;) {
		if (st->pass - st->seen[i].pass > EV_SEEN_PASSES)
			ev_forget(st, &st->seen[i]);
		else
			i++;
	}
	st->pass++;
}

static void events_free(report *rp)
{
	free(rp->fmt_state);
}

/* The error of failed connection @c: "error" and "errno", or for one its
 * process's end cut short, "error" (interrupted, killed, crashed, exited),
 * "phase" and "signal". */
static void events_fail_error(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;

	KEY(f, "error");
	if (c->flags & HT_FF_FROM_PAGE) {
		json_strz(f, ht_error_str(c->error));
		KEY(f, "phase");
		json_strz(f, ht_live_phase_name(c->phase));
		KEY(f, "signal");
		json_strz(f, report_signal_name(rp, c->signal));
		return;
	}
	if (c->flags & HT_FF_TLS) {
		json_strz(f, "TLS handshake failed");
		return;
	}
	json_strz(f, strerror(c->err));
	KEY(f, "errno");
	json_i64(f, c->err);
}

/* A name lookup its process's end cut short (HT_FF_LOOKUP): its
 * dns_start unless streamed, and its end, a dns_done with the error. */
static void events_lookup_cut(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	unsigned skip = ev_lookup_written(rp, c->pid, c->t_dns_start, true);

	if (c->t_dns_start != 0 && !(skip & (1u << EV_DNS_START))) {
		ev_head(rp, "dns_start", c->pid, 0, 0, c->t_dns_start);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		KEY_U64(f, "lookup", c->conn_id);
		json_lit(f, "}\n");
	}
	ev_head(rp, "dns_done", c->pid, 0, 0, c->t_fail);
	KEY(f, "host");
	put_ht_str_or_null(f, c->dns_name);
	KEY_U64(f, "lookup", c->conn_id);
	events_fail_error(rp, c);
	KEY_MS(f, "dns_ms", report_span(c->t_dns_start, c->t_fail));
	json_lit(f, "}\n");
}

static void events_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	char peer[64];
	size_t peer_len = url_peer(peer, sizeof(peer), &c->peer);
	unsigned skip;

	if (report_fail_lookup(c)) {
		events_lookup_cut(rp, c);
		return;
	}
	skip = ev_conn_written(rp, c->pid, c->conn_id, true) |
	       ev_lookup_written(rp, c->pid, c->t_dns_start, true);

	if (c->t_dns_start != 0 && !(skip & (1u << EV_DNS_START))) {
		ev_head(rp, "dns_start", c->pid, c->conn_id, 0, c->t_dns_start);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		json_lit(f, "}\n");
	}
	if (c->t_dns_done != 0 && !(skip & (1u << EV_DNS_DONE))) {
		ev_head(rp, "dns_done", c->pid, c->conn_id, 0, c->t_dns_done);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		json_lit(f, "}\n");
	}
	if (c->t_connect_start != 0 && !(skip & (1u << EV_CONNECT_START))) {
		ev_head(rp, "connect_start", c->pid, c->conn_id, 0,
			c->t_connect_start);
		KEY(f, "peer");
		json_str_or_null(f, peer, peer_len);
		json_lit(f, "}\n");
	}
	if (c->flags & HT_FF_TLS) {
		/* TCP was up; the handshake failed */
		if (c->t_connect_done != 0 &&
		    !(skip & (1u << EV_CONNECT_DONE))) {
			ev_head(rp, "connect_done", c->pid, c->conn_id, 0,
				c->t_connect_done);
			KEY(f, "peer");
			json_str_or_null(f, peer, peer_len);
			json_lit(f, ",\"error\":null}\n");
		}
		if (c->t_tls_start != 0 && !(skip & (1u << EV_TLS_START))) {
			ev_head(rp, "tls_handshake_start", c->pid, c->conn_id, 0,
				c->t_tls_start);
			json_lit(f, "}\n");
		}
		ev_head(rp, "tls_handshake_done", c->pid, c->conn_id, 0, c->t_fail);
		json_lit(f, ",\"version\":null,\"alpn\":null");
		events_fail_error(rp, c);
		json_lit(f, "}\n");
		return;
	}
	ev_head(rp, "connect_done", c->pid, c->conn_id, 0, c->t_fail);
	KEY(f, "peer");
	json_str_or_null(f, peer, peer_len);
	events_fail_error(rp, c);
	json_lit(f, "}\n");
}

static void events_conn_close(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;
	char peer[192];

	ev_conn_written(rp, c->pid, c->conn_id, true);
	ev_head(rp, "conn_closed", c->pid, c->conn_id, 0, c->t_close);
	KEY(f, "peer");
	json_str_or_null(f, peer, url_peer_of(peer, sizeof(peer), &c->peer,
						 c->peer_path));
	KEY(f, "requests");
	json_u64(f, c->requests);
	KEY(f, "peer_closed");
	json_bool(f, c->flags & HT_CF_PEER_EOF);
	KEY(f, "tls");
	json_bool(f, c->flags & HT_CF_TLS);
	if (c->flags & HT_CF_TLS_UNDECODED) {
		KEY(f, "tls_undecoded");
		json_bool(f, true);
		KEY(f, "host");
		put_ht_str_or_null(f, c->sni);
		KEY(f, "tls_version");
		put_ht_str_or_null(f, c->tls_version);
		KEY(f, "tls_ms");
		json_ns_ms(f, report_span(c->t_tls_start, c->t_tls_done));
	}
	KEY(f, "idle_ms");
	json_ns_ms(f, report_span(c->t_idle_since, c->t_close));
	KEY(f, "bytes_out");
	json_u64(f, c->bytes_out);
	KEY(f, "bytes_in");
	json_u64(f, c->bytes_in);
	json_lit(f, "}\n");
}

/* A WebSocket session ended: its line, at its end. */
static void events_websocket(report *rp, const report_ws *s)
{
	ev_head(rp, "websocket_done", s->w->pid, s->w->conn_id, s->w->req_seq,
		s->w->t_end);
	put_ws_session(rp, s);
}

/* The events stream ends with the same summary line as -f json: what was
 * dropped or malformed must be said in every format. */
const report_format_ops report_events_ops = {
	.request = events_request,
	.conn_fail = events_conn_fail,
	.conn_close = events_conn_close,
	.summary = json_summary,
	.free = events_free,
	.websocket = events_websocket,
	.live = events_live,
	.live_end = events_live_end,
	.live_conn = events_live_conn,
};
