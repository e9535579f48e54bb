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
 * A connection in its DNS, connect or TLS phase with no request yet, or
 * a client's whose handshake is over (its tls_handshake_done, with the
 * session the page holds), streams its events (dns_start ...
 * tls_handshake_done, "req": null) the same way, remembered by pid and
 * connection (req 0) until its first request's record, its failure or its
 * close: those do not write them again.  A client's connection events
 * have "req" null whichever path writes them (ev_req_of()): the request
 * record's, a request slot's, the connection slot's or its failure's.
 * The page keeps no headers: a wrote_headers written from it has "headers"
 * null, and the request's response_done, from its record, then carries
 * them as "request_headers" (null too when the record came from the page,
 * its process's end having cut it short).
 * A name lookup streams its own dns_start and dns_done ("conn": 0,
 * "req": null, "lookup": its number): its dns_start from its live slot
 * while it runs (a slot of kind HT_LIVE_LOOKUP), or from its end; its
 * dns_done from its end, the HT_REC_DNS record (its addresses, or its
 * error in getaddrinfo's words), or, when its process's end cut it
 * short, from that (the error "interrupted" ...).  The connection its
 * addresses then named carries the same lookup (its dns_start timestamp
 * is the lookup's start): the lookup's events written are remembered by
 * pid and start (a ring of EV_LOOKUPS), so that whichever of the two
 * comes first writes each event and the other does not write it again
 * (a connection alone, from a library older than the records, still
 * writes both).
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
 * connection (req 0). */
typedef struct ev_seen {
	uint32_t pid, conn, req;
	uint16_t written;  /* bit k: ev_kind k */
	uint64_t pass;     /* the last pass over the live pages that saw it */
} ev_seen;

/* A name lookup whose dns_start or dns_done was written, by its own
 * slot or record or by the connection it named. */
typedef struct ev_lookup {
	uint32_t pid;
	uint16_t written;  /* EV_DNS_START, EV_DNS_DONE bits */
	uint64_t t;        /* its start; 0: a free entry */
} ev_lookup;

#define EV_DNS_BITS ((1u << EV_DNS_START) | (1u << EV_DNS_DONE))

/* Lookups remembered, the oldest written over: the library remembers a
 * process's last 32 lookups for its connections (hook_dns.c), so a
 * connection comes within the last few lookups of all processes.  One
 * forgotten before its connection comes has its events written twice
 * (never none). */
#define EV_LOOKUPS 256

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
	unsigned lookup_next;  /* the entry written over next */
	ev_lookup lookups[EV_LOOKUPS];
} ev_state;

/* The format's state, made at its first use; NULL when memory ran out. */
static ev_state *ev_state_of(report *rp)
{
	if (rp->fmt_state == NULL)
		rp->fmt_state = calloc(1, sizeof(ev_state));
	return rp->fmt_state;
}

static ev_seen *ev_find(ev_state *st, uint32_t pid, uint32_t conn,
			uint32_t req)
{
	for (size_t i = 0; i < st->n; i++) {
		ev_seen *e = &st->seen[i];

		if (e->req == req && e->conn == conn && e->pid == pid)
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

/* The entry of (@pid, @conn, @req) for streaming, made if new; NULL when
 * there is no room (its record then writes every event). */
static ev_seen *ev_entry(report *rp, uint32_t pid, uint32_t conn, uint32_t req)
{
	ev_state *st = ev_state_of(rp);
	ev_seen *e;

	if (st == NULL)
		return NULL;
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

/* The lookup of @pid begun at @t (0: none, NULL), made if new (over the
 * oldest); NULL when there is no state. */
static ev_lookup *ev_lookup_at(report *rp, uint32_t pid, uint64_t t)
{
	ev_state *st;
	ev_lookup *l;

	if (t == 0 || (st = ev_state_of(rp)) == NULL)
		return NULL;
	for (unsigned i = 0; i < EV_LOOKUPS; i++) {
		l = &st->lookups[i];
		if (l->t == t && l->pid == pid)
			return l;
	}
	l = &st->lookups[st->lookup_next];
	st->lookup_next = (st->lookup_next + 1) % EV_LOOKUPS;
	*l = (ev_lookup){ .pid = pid, .t = t };
	return l;
}

/* The dns events of the lookup of @pid begun at @t already written (by
 * the lookup or by another connection's record: not to be written again). */
static unsigned ev_lookup_bits(report *rp, uint32_t pid, uint64_t t)
{
	ev_lookup *l = ev_lookup_at(rp, pid, t);

	return l != NULL ? l->written : 0;
}

/* Of @bits (events just written), the dns ones belong to the lookup of
 * @pid begun at @t too. */
static void ev_lookup_mark(report *rp, uint32_t pid, uint64_t t,
			   unsigned bits)
{
	ev_lookup *l;

	if ((bits & EV_DNS_BITS) == 0 || (l = ev_lookup_at(rp, pid, t)) == NULL)
		return;
	l->written |= (uint16_t)(bits & EV_DNS_BITS);
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

/* Write header section @block, or null when @kept is false (not known). */
static void ev_headers(outbuf *f, bool kept, ht_str block)
{
	if (kept)
		headers_json(f, block);
	else
		json_lit(f, "null");
}

/* The data of event @k of request @q.  @live: @q is what a live page
 * holds, so the values only its record carries (DNS name, the request's
 * headers, the count of 1xx responses) are null (the TLS version and ALPN
 * are the page's).  @req_hdrs: response_done carries the request's
 * headers (its wrote_headers went out live, without them). */
static void ev_request_data(report *rp, const report_req *q, enum ev_kind k,
			    bool live, bool req_hdrs)
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
		ev_headers(f, !live && report_req_headers_kept(r),
			   r->req_headers);
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
		if (r->flags & HT_RF_RESP_BODY_UNKNOWN) {
			KEY(f, "resp_bytes");
			json_lit(f, "null");
		} else {
			KEY_U64(f, "resp_bytes", r->resp_body_bytes);
		}
		KEY_MS(f, "total_ms", q->t.total);
		KEY(f, "headers");
		ev_headers(f, report_resp_headers_kept(r), r->resp_headers);
		if (req_hdrs) {
			KEY(f, "request_headers");
			ev_headers(f, report_req_headers_kept(r),
				   r->req_headers);
		}
		break;
	default:
		break;
	}
}

/* When event @k of @r happened (0: it did not): its timestamp, and for
 * put_idle_conn the request's end (report_request_end(): after an early
 * answer, the body's last byte, not the response's end). */
static uint64_t ev_time(const ht_rec_request *r, enum ev_kind k)
{
	if (k == EV_PUT_IDLE)
		return report_request_end(r);
	return r->t[ev_ts[k]];
}

/* Whether client request @r is the first one inside a CONNECT tunnel,
 * after the CONNECT: not its connection's first request, yet not reused
 * (conn_request_begin(): only a tunnel starts a new inner connection).
 * Its connection events are the inner connection's (connect_done when the
 * tunnel was up, the TLS handshake with the target), not the ones the
 * CONNECT's record or the connection's slot told.  Read the same from a
 * record and from the page (whose slot has the flags and number). */
static bool ev_tunnel_first(const ht_rec_request *r)
{
	return !(r->flags & (HT_RF_SERVER | HT_RF_REUSED)) && r->req_seq > 1;
}

/* The "req" of event @k of request @r: null (0) for a client's
 * connection events (dns_start ... tls_handshake_done: its connection's,
 * which its record carries as the connection's first request's), as when
 * they stream from the connection's own slot before any request begins
 * (events_live_conn()) and in a failed connection's record: every path
 * gives a connection event the same "req", whenever the page was read.
 * A server's have its request's (no slot streams them before it), and so
 * do those of the first request inside a CONNECT tunnel: the CONNECT told
 * the connection's with req null, these are the tunnel's, told once. */
static uint32_t ev_req_of(const ht_rec_request *r, enum ev_kind k)
{
	if (!(r->flags & HT_RF_SERVER) && (1u << k) & EV_CONN_BITS &&
	    !ev_tunnel_first(r))
		return 0;
	return r->req_seq;
}

/* Write the events of request @q that happened and are not in @skip (bit
 * k: ev_kind k), in time order (ties keep the lifecycle order); @live as
 * in ev_request_data(), and then response_done and put_idle_conn are left
 * for the record, which carries the request's headers in its
 * response_done when wrote_headers is in @skip (written live, without
 * them).  Returns the events written, as bits. */
static unsigned ev_write(report *rp, const report_req *q, unsigned skip,
			 bool live)
{
	const ht_rec_request *r = q->r;
	enum ev_kind order[EV__COUNT];
	unsigned done = 0;
	size_t n = 0;
	bool server = r->flags & HT_RF_SERVER;
	const struct ev_name *names = server ? server_ev_names : ev_names;
	bool req_hdrs = !live && (skip & (1u << EV_WROTE_HEADERS));

	/* Collect the events that happened, then insertion-sort them by
	 * timestamp; the sort is stable, so ties keep the lifecycle order. */
	for (int k = 0; k < EV__COUNT; k++) {
		if (ev_time(r, k) == 0 || (skip & (1u << k)))
			continue;
		if (live && (k == EV_RESPONSE_DONE || k == EV_PUT_IDLE))
			continue;
		if (server && k == EV_CONNECT_START)
			continue; /* one "accepted" */
		if (k == EV_PUT_IDLE &&
		    (!(r->flags & HT_RF_KEEPALIVE) || r->error != HT_ERR_NONE))
			continue;
		size_t i = n++;
		while (i > 0 && ev_time(r, order[i - 1]) > ev_time(r, k)) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = (enum ev_kind)k;
	}
	for (size_t i = 0; i < n; i++) {
		enum ev_kind k = order[i];

		ev_head_n(rp, names[k].s, names[k].n, r->pid, r->conn_id,
			  ev_req_of(r, k), ev_time(r, k));
		if (server)
			json_lit(&rp->ob, ",\"side\":\"server\"");
		ev_request_data(rp, q, k, live, req_hdrs);
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
		/* the connection's first request carries its moments (not
		 * a tunnel's first: those are the tunnel's own) */
		if (!ev_tunnel_first(r))
			skip |= ev_conn_written(rp, r->pid, r->conn_id,
						!(r->flags & HT_RF_REUSED)) &
				EV_CONN_BITS;
	}
	/* and those of the lookup that named its peer */
	skip |= ev_lookup_bits(rp, r->pid, r->t[HT_T_DNS_START]);
	ev_lookup_mark(rp, r->pid, r->t[HT_T_DNS_START],
		       ev_write(rp, q, skip, false));
}

/* A request in flight (report_live()): the events first seen set. */
static void events_live(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	/* those streamed from the connection's slot (a tunnel's first
	 * request has its own) */
	unsigned conn_bits =
		ev_tunnel_first(r)
			? 0
			: ev_conn_written(rp, r->pid, r->conn_id, false) &
				  EV_CONN_BITS;
	/* the events of the lookup that named its peer, written */
	unsigned dns_bits = ev_lookup_bits(rp, r->pid, r->t[HT_T_DNS_START]);
	ev_seen *e = ev_entry(rp, r->pid, r->conn_id, r->req_seq);
	unsigned done;

	if (e == NULL)
		return; /* the record writes them all */
	done = ev_write(rp, q, e->written | conn_bits | dns_bits, true);
	e->written |= (uint16_t)done;
	ev_lookup_mark(rp, r->pid, r->t[HT_T_DNS_START], done);
}

/* A connection in its DNS, connect or TLS phase, or its handshake over
 * (report_live_conn()): its events first seen set, in their order, with
 * what the page knows (the session @tls: null when empty). */
static void events_live_conn(report *rp, uint32_t pid, uint32_t conn,
			     const ht_live_conn *s, const ht_live_tls *tls)
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
	/* the lookup's own events, written by whichever came first */
	ev_lookup *l = ev_lookup_at(rp, pid, s->t_dns_start);
	uint16_t none = 0, *written;
	ev_seen *e = NULL;

	if (lookup && l == NULL)
		return; /* not a lookup's slot as written */
	if (!lookup && (e = ev_entry(rp, pid, conn, 0)) == NULL)
		return;
	written = e != NULL ? &e->written : &none;
	for (unsigned k = EV_DNS_START; k <= EV_TLS_DONE; k++) {
		unsigned bit = 1u << k;

		if (t[k] == 0 || (*written & bit) ||
		    (l != NULL && (l->written & bit)))
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
			KEY(f, "version");
			json_str_or_null(f, tls->version,
					 strlen(tls->version));
			KEY(f, "alpn");
			json_str_or_null(f, tls->alpn, strlen(tls->alpn));
			break;
		default:
			break;
		}
		json_lit(f, "}\n");
		*written |= (uint16_t)bit;
		if (l != NULL && (bit & EV_DNS_BITS))
			l->written |= (uint16_t)bit;
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
		json_strz(f, report_fail_error(rp, c));
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
	unsigned skip = ev_lookup_bits(rp, c->pid, c->t_dns_start);

	ev_lookup_mark(rp, c->pid, c->t_dns_start, EV_DNS_BITS);
	if (c->t_dns_start != 0 && !(skip & (1u << EV_DNS_START))) {
		ev_head(rp, "dns_start", c->pid, 0, 0, c->t_dns_start);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		KEY_U64(f, "lookup", c->conn_id);
		json_lit(f, "}\n");
	}
	if (skip & (1u << EV_DNS_DONE))
		return;
	ev_head(rp, "dns_done", c->pid, 0, 0, c->t_fail);
	KEY(f, "host");
	put_ht_str_or_null(f, c->dns_name);
	KEY_U64(f, "lookup", c->conn_id);
	events_fail_error(rp, c);
	KEY_MS(f, "dns_ms", report_span(c->t_dns_start, c->t_fail));
	json_lit(f, "}\n");
}

/* A name lookup ended (HT_REC_DNS): its dns_start unless written, and
 * its dns_done, unless the connection its addresses named wrote them
 * first: the addresses, the error (null when resolved; else in
 * getaddrinfo's words, and "code", its EAI_ or h_errno name), dns_ms. */
static void events_dns(report *rp, const ht_rec_dns *d)
{
	outbuf *f = &rp->ob;
	unsigned skip = ev_lookup_bits(rp, d->pid, d->t_start);
	char ip[64], err[160];
	const char *code = report_dns_code(d);

	ev_lookup_mark(rp, d->pid, d->t_start, EV_DNS_BITS);
	if (d->t_start != 0 && !(skip & (1u << EV_DNS_START))) {
		ev_head(rp, "dns_start", d->pid, 0, 0, d->t_start);
		KEY(f, "host");
		put_ht_str_or_null(f, d->name);
		KEY_U64(f, "lookup", d->lookup);
		json_lit(f, "}\n");
	}
	if (skip & (1u << EV_DNS_DONE))
		return;
	ev_head(rp, "dns_done", d->pid, 0, 0, d->t_done);
	KEY(f, "host");
	put_ht_str_or_null(f, d->name);
	KEY_U64(f, "lookup", d->lookup);
	KEY(f, "addrs");
	json_lit(f, "[");
	for (unsigned i = 0; i < d->n_addrs && i < HT_DNS_ADDRS; i++) {
		if (i > 0)
			json_lit(f, ",");
		json_str_or_null(f, ip, url_ip(ip, sizeof(ip), &d->addrs[i]));
	}
	json_lit(f, "]");
	KEY(f, "error");
	json_strz(f, report_dns_error(d, err, sizeof(err)));
	if (code != NULL) {
		KEY(f, "code");
		json_strz(f, code);
	}
	KEY(f, "dns_ms");
	json_ns_ms(f, report_span(d->t_start, d->t_done));
	json_lit(f, "}\n");
}

/* The "tunnel" of a handshake that failed inside a CONNECT tunnel
 * (HT_FF_TUNNEL): its target's host. */
static void ev_fail_tunnel(report *rp, const ht_rec_conn_fail *c)
{
	KEY(&rp->ob, "tunnel");
	put_ht_str_or_null(&rp->ob, c->dns_name);
}

static void events_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	char peer[64];
	size_t peer_len = url_peer(peer, sizeof(peer), &c->peer);
	unsigned skip;
	bool tunnel = (c->flags & (HT_FF_TLS | HT_FF_TUNNEL)) ==
		      (HT_FF_TLS | HT_FF_TUNNEL);

	if (report_fail_lookup(c)) {
		events_lookup_cut(rp, c);
		return;
	}
	skip = ev_conn_written(rp, c->pid, c->conn_id, true) |
	       ev_lookup_bits(rp, c->pid, c->t_dns_start);
	/* A handshake inside a CONNECT tunnel: the connection to the proxy
	 * (its lookup, connect_start and connect_done) was told with the
	 * CONNECT, req null; this tells the tunnel's handshake only, once,
	 * naming the target. */
	if (tunnel)
		skip |= EV_DNS_BITS | (1u << EV_CONNECT_START) |
			(1u << EV_CONNECT_DONE);
	/* what this writes of the lookup below */
	ev_lookup_mark(rp, c->pid, c->t_dns_start,
		       (c->t_dns_start != 0 ? 1u << EV_DNS_START : 0) |
		       (c->t_dns_done != 0 ? 1u << EV_DNS_DONE : 0));

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
			if (tunnel)
				ev_fail_tunnel(rp, c);
			json_lit(f, "}\n");
		}
		ev_head(rp, "tls_handshake_done", c->pid, c->conn_id, 0, c->t_fail);
		if (tunnel)
			ev_fail_tunnel(rp, c);
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
	/* the key only with it: older output stays as it was */
	if (report_close_no_request(c)) {
		KEY(f, "no_request");
		json_bool(f, true);
	}
	KEY(f, "idle_ms");
	json_ns_ms(f, report_span(c->t_idle_since, c->t_close));
	if (c->flags & HT_CF_PROCESS_END) {
		/* its process ended with it open: that was its end, its
		 * bytes are not known (the key only with it) */
		json_lit(f, ",\"process_ended\":true,\"bytes_out\":null,"
			    "\"bytes_in\":null}\n");
		return;
	}
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
 * dropped, malformed or refused must be said in every format. */
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
	.dns = events_dns,
};
