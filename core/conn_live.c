/*
 * conn_live.c - a connection's requests in flight, shown in the image's
 * live page (live.h) from the moment their headers are written until
 * their record is made.  A few stores per phase; no system call.
 */
#include <string.h>

#include "conn_internal.h"
#include "live.h"

/* A server's request took a slot in page @l: its connection's write mark
 * is held for it (claimed by the first; none in a page other than the
 * one the mark is in: a reconnect's, until the older requests are over). */
static void wmark_hold(conn *c, ht_live *l)
{
	if (c->live_reqs == 0) {
		c->live_wpage = l;
		/* published before the caller's check of the writes in
		 * flight (ht_server_wmark_sync()) */
		__atomic_store_n(&c->live_wmark, ht_live_wmark_claim(l, c->id),
				 __ATOMIC_SEQ_CST);
	} else if (l != c->live_wpage) {
		return;
	}
	c->live_reqs++;
}

/* The request with a slot in page @l is over: the last one's end frees
 * the mark. */
static void wmark_drop(conn *c, const ht_live *l)
{
	if (!c->server || c->live_reqs == 0 || l != c->live_wpage)
		return;
	if (--c->live_reqs != 0)
		return;
	ht_live_wmark *w = c->live_wmark;
	__atomic_store_n(&c->live_wmark, NULL, __ATOMIC_RELAXED);
	ht_live_wmark_release(c->live_wpage, w);
	c->live_wpage = NULL;
}

/* Fill slot @s of request @r of @c (@stream: its HTTP/2 stream id). */
static inline __attribute__((always_inline)) void
slot_fill(const conn *c, const conn_request *r, uint32_t stream, ht_live_req *s)
{
	s->active = 1;
	s->side = c->server ? HT_LIVE_SERVER : HT_LIVE_CLIENT;
	s->proto = r->proto;
	s->kind = HT_LIVE_REQUEST;
	s->conn_id = c->id;
	s->req_seq = r->seq;
	s->stream = stream;
	s->flags = r->flags | (c->tls ? HT_RF_TLS : 0) |
		   (c->fork_shared ? HT_RF_SHARED : 0) |
		   (conn_in_tunnel(c, r) ? HT_RF_TUNNEL : 0);
	s->header_bytes = r->header_bytes;
	s->peer = c->peer;
	memcpy(s->t, r->t, sizeof(s->t));
	ht_live_copy(s->method, sizeof(s->method), r->method, r->method_len);
	ht_live_copy(s->target, sizeof(s->target), r->target, r->target_len);
	ht_live_copy(s->host, sizeof(s->host), r->host, r->host_len);
}

/* @r, with no slot, is counted in flight, not listed, in page @l, the one
 * a collector reads now (r->live: the page that counts it already, if one
 * does; moved after a reconnect). */
static void unlist(conn_request *r, ht_live *l)
{
	if (r->live == l)
		return;
	if (r->live != NULL)
		ht_live_unlisted_end(r->live);
	ht_live_unlist(l);
	r->live = l;
	r->live_mark = (uint8_t)ht_live_mark(l);
}

void conn_live_start(conn *c, conn_request *r, uint32_t stream)
{
	ht_live *l;
	ht_live_req *s;

	if (c->env->live == NULL)
		return;
	if (r->live_ref != 0) {
		/* shown already, its head in part: the rest of it now (its
		 * response entry and read mark stay the first fill's) */
		s = ht_live_write_begin(r->live, r->live_ref);
		slot_fill(c, r, stream, s);
		ht_live_write_end(s);
		return;
	}
	l = *c->env->live;
	if (l == NULL)
		return;
	/* with no slot, r->live is the page that counts it unlisted */
	ht_live *unlisted = r->live;

	r->live_ref = ht_live_claim(l);
	if (r->live_ref == 0) {
		/* none free: counted in flight, not listed */
		unlist(r, l);
		return;
	}
	r->live = l;
	if (c->server)
		wmark_hold(c, l);
	s = ht_live_write_begin(l, r->live_ref);
	slot_fill(c, r, stream, s);
	/* the session of the handshake the request carries (its
	 * connection's first), for its tls_handshake_done; else none (the
	 * entry may hold an earlier request's) */
	if (r->t[HT_T_TLS_DONE] != 0)
		ht_live_tls_set(ht_live_req_tls(l, r->live_ref),
				c->tls_version, c->alpn);
	else
		ht_live_tls_set(ht_live_req_tls(l, r->live_ref), NULL, NULL);
	/* its response so far: kept for HTTP/1.x and HTTP/2 streams from
	 * its start (a request shown only once its response began, the page
	 * late, is not; nor an h2c upgrade's, conn_live_resp_drop()) */
	ht_live_resp *e = ht_live_req_resp(l, r->live_ref);
	*e = (ht_live_resp){
		.kept = ((c->mode == CONN_MODE_HTTP1 && stream == 0) ||
			 (c->mode == CONN_MODE_HTTP2 && stream != 0)) &&
			r->t[HT_T_FIRST_BYTE] == 0,
	};
	/* its body bytes, once it is written whole (conn_live_sync()) */
	ht_live_req_body_set(l, r->live_ref, r->written, r->body_bytes);
	ht_live_write_end(s);
	/* shown from here: a collector that stops reads it, unless it
	 * began reading already */
	r->live_mark = (uint8_t)ht_live_mark(l);
	/* listed now: no longer counted, once its slot shows it */
	if (unlisted != NULL)
		ht_live_unlisted_end(unlisted);
}

void conn_live_adopt_req(conn *c, conn_request *r, uint32_t stream)
{
	conn_live_start(c, r, stream);
}

/* Whether @m's target, whole, is shaped as an HTTP request's: origin
 * form ("/..."), "*", absolute form ("scheme://...") or CONNECT's
 * authority: a text protocol's argument ("GET mykey") is not. */
static bool http_target(const h1_message *m)
{
	const char *colon = strchr(m->target, ':');

	return m->target[0] == '/' || strcmp(m->target, "*") == 0 ||
	       (colon != NULL && colon[1] == '/' && colon[2] == '/') ||
	       strcmp(m->method, "CONNECT") == 0;
}

void conn_live_head_part(conn *c)
{
	conn_request *r = q_newest(c);
	const h1_message *m = &c->out.msg;
	unsigned line, shows;

	if (c->env->live == NULL || c->spill_active || r == NULL ||
	    r->headers_done)
		return;
	line = h1_request_line_read(&c->out);
	/* Inside its method ("GE"), or HTTP's method and its target not yet
	 * whole ("GET /lo", as Redis's inline "GET mykey" is too): nothing
	 * to show, but in flight; counted so, not listed (a collector counts
	 * it not seen if the process dies now). */
	if ((line == 0 && conn_http_method_start(m->method)) ||
	    (line == 1 && conn_http_method(m->method))) {
		if (r->live_ref == 0 && *c->env->live != NULL)
			unlist(r, *c->env->live);
		return;
	}
	/* as a head cut short: a whole line, or a method HTTP has and a
	 * target shaped as HTTP's (not another protocol's words) */
	if (line < 3 && !(line == 2 && conn_http_method(m->method) &&
			  http_target(m)))
		return;
	shows = line + (m->host[0] != '\0' ? 4 : 0);
	if (r->live_ref != 0 && shows == r->live_head) {
		/* nothing new but its bytes so far */
		ht_live_req *s = ht_live_write_begin(r->live, r->live_ref);

		s->header_bytes = m->header_bytes;
		ht_live_write_end(s);
		return;
	}
	r->live_head = (uint8_t)shows;
	conn_request_names(r, c->env->opt, line >= 1 ? m->method : "",
			   line >= 2 ? m->target : "",
			   line >= 2 && m->target_truncated, m->host);
	r->header_bytes = m->header_bytes;
	r->proto = line >= 3 ? proto_of(m) : HT_PROTO_UNKNOWN;
	conn_live_start(c, r, 0);
}

void conn_live_resp_head(conn_request *r, uint16_t status,
			 uint32_t header_bytes)
{
	ht_live_req *s;
	ht_live_resp *e;

	if (r->live_ref == 0)
		return;
	s = ht_live_write_begin(r->live, r->live_ref);
	e = ht_live_req_resp(r->live, r->live_ref);
	e->status = status;
	e->header_bytes = header_bytes;
	ht_live_write_end(s);
}

void conn_live_resp_1xx(conn_request *r)
{
	ht_live_req *s;

	if (r->live_ref == 0)
		return;
	s = ht_live_write_begin(r->live, r->live_ref);
	ht_live_req_resp(r->live, r->live_ref)->n_1xx =
		(uint8_t)(r->n_1xx < 255 ? r->n_1xx : 255);
	ht_live_write_end(s);
}

void conn_live_resp_drop(conn_request *r)
{
	ht_live_req *s;

	if (r->live_ref == 0)
		return;
	s = ht_live_write_begin(r->live, r->live_ref);
	ht_live_req_resp(r->live, r->live_ref)->kept = 0;
	ht_live_write_end(s);
}

void conn_live_sync(conn_request *r, unsigned ts)
{
	ht_live_req *s;

	if (r->live_ref == 0)
		return;
	s = ht_live_write_begin(r->live, r->live_ref);
	s->t[ts] = r->t[ts];
	if (ts == HT_T_WROTE_REQUEST)
		ht_live_req_body_set(r->live, r->live_ref, true, r->body_bytes);
	if (ts == HT_T_FIRST_BYTE) {
		s->t[HT_T_GOT_CONN] = r->t[HT_T_GOT_CONN];
		s->t[HT_T_WROTE_HEADERS] = r->t[HT_T_WROTE_HEADERS];
		s->t[HT_T_WROTE_REQUEST] = r->t[HT_T_WROTE_REQUEST];
	}
	ht_live_write_end(s);
}

/* Whether a collector that stopped read request @r in flight in its page,
 * as the page shows it now, before it stops showing it. */
static bool live_taken(const conn_request *r)
{
	/* (the fence only once a collector may have read it) */
	return r->live_mark == HT_LIVE_MARK_NONE &&
	       ht_live_taken(r->live_mark, ht_live_mark(r->live));
}

struct ht_live *conn_live_end(conn *c, conn_request *r)
{
	ht_live *taken = NULL;

	if (r->live_ref == 0) {
		/* over without a slot: no longer in flight unlisted */
		if (r->live != NULL) {
			if (live_taken(r))
				taken = r->live;
			ht_live_unlisted_end(r->live);
		}
		r->live = NULL;
		return taken;
	}
	if (live_taken(r))
		taken = r->live;
	ht_live_release(r->live, r->live_ref);
	wmark_drop(c, r->live);
	r->live_ref = 0;
	r->live = NULL;
	return taken;
}

void conn_live_forget(conn *c)
{
	/* no record is made: a collector that stopped and read one in
	 * flight (the page conn_live_end() returns) has nothing to count */
	for (unsigned i = 0; i < c->q_len; i++)
		(void)conn_live_end(c, q_at(c, i));
	if (c->spill_active)
		(void)conn_live_end(c, &c->spill);
}

/* @fn on each request of @c in flight: HTTP/1.x's queue, HTTP/2's
 * streams. */
static void each_req(conn *c,
		     void (*fn)(conn *c, conn_request *r, uint32_t stream))
{
	for (unsigned i = 0; i < c->q_len; i++)
		fn(c, q_at(c, i), 0);
	conn_h2_each_req(c, fn);
}

static void adopt_req(conn *c, conn_request *r, uint32_t stream)
{
	if (r->headers_done && r->live_ref == 0)
		conn_live_adopt_req(c, r, stream);
}

void conn_live_adopt(conn *c)
{
	each_req(c, adopt_req);
}

static void shared_req(conn *c, conn_request *r, uint32_t stream)
{
	(void)c;
	(void)stream;
	if (r->live_ref == 0)
		return;
	ht_live_req *s = ht_live_write_begin(r->live, r->live_ref);
	s->flags |= HT_RF_SHARED;
	ht_live_write_end(s);
}

void conn_live_shared(conn *c)
{
	each_req(c, shared_req);
}

/* ---- WebSocket sessions ---------------------------------------------------- */

unsigned conn_live_ws_start(conn *c, const conn_request *r, uint64_t now,
			    ht_live **page)
{
	ht_live *l;
	ht_live_req *s;
	unsigned ref;

	*page = NULL;
	if (c->env->live == NULL || (l = *c->env->live) == NULL)
		return 0;
	ref = ht_live_claim(l);
	if (ref == 0)
		return 0;
	s = ht_live_write_begin(l, ref);
	if (s == NULL)
		return 0; /* (never: a claimed ref names a slot) */
	memset(s->t, 0, sizeof(s->t));
	s->active = 1;
	s->side = c->server ? HT_LIVE_SERVER : HT_LIVE_CLIENT;
	s->proto = r->proto;
	s->kind = HT_LIVE_WEBSOCKET;
	s->conn_id = c->id;
	s->req_seq = r->seq;
	s->stream = 0;
	s->flags = (r->flags & HT_RF_TARGET_TRUNC) | (c->tls ? HT_RF_TLS : 0) |
		   (conn_in_tunnel(c, r) ? HT_RF_TUNNEL : 0);
	s->header_bytes = 0;
	s->peer = c->peer;
	s->t[HT_T_GOT_CONN] = now; /* the session's start */
	ht_live_copy_str(s->method, sizeof(s->method), "WS");
	ht_live_copy_str(s->target, sizeof(s->target), r->target);
	ht_live_copy_str(s->host, sizeof(s->host), r->host);
	*ht_live_req_resp(l, ref) = (ht_live_resp){ .kept = 0 };
	ht_live_write_end(s);
	*page = l;
	return ref;
}

/* ---- connections before their first request ---------------------------- */

void conn_live_conn_start(conn *c)
{
	ht_live *l;

	if (c->env->live == NULL || c->live_conn_ref != 0)
		return;
	l = *c->env->live;
	if (l == NULL)
		return;
	c->live_conn_ref = ht_live_conn_claim(l);
	if (c->live_conn_ref == 0)
		return;
	c->live_conn = l;
	conn_live_conn_sync(c);
}

void conn_live_conn_take(conn *c, ht_live *l, unsigned ref)
{
	if (ref == 0)
		return;
	if (c->live_conn_ref != 0) {
		ht_live_conn_release(l, ref); /* one slot a connection */
		return;
	}
	c->live_conn = l;
	c->live_conn_ref = ref;
	conn_live_conn_sync(c);
}

/* The TLS handshake's start and end @c's slot shows: the hook's (from the
 * call's first write on the socket, conn_tls_call_wrote()); before any is
 * known (a ClientHello written outside a hooked call), the first byte of
 * the ClientHello read whole (conn_tls_hello_out()); for TLS no
 * hook decodes, what its records show (tlsrec.h), none once they are not
 * followed (its end would never be seen). */
static void slot_tls(const conn *c, uint64_t *start, uint64_t *done)
{
	const tlsrec *t = &c->tlsrec;
	bool raw = c->mode == CONN_MODE_TLS && !c->tls;

	*start = c->t_tls_start;
	*done = c->t_tls_done;
	if (*start != 0 || c->server || c->nreq != 0 || !t->client_hello ||
	    (raw && t->bad))
		return;
	*start = t->t_start;
	if (raw)
		*done = t->t_done;
}

void conn_live_conn_sync(conn *c)
{
	ht_live_conn *s;

	if (c->live_conn_ref == 0)
		return;
	s = ht_live_conn_write_begin(c->live_conn, c->live_conn_ref);
	s->active = 1;
	s->tls = c->tls;
	s->kind = HT_LIVE_CONNECTION;
	s->side = c->server ? HT_LIVE_SERVER : HT_LIVE_CLIENT;
	s->conn_id = c->id;
	s->peer = c->peer;
	s->t_dns_start = c->t_dns_start;
	s->t_dns_done = c->t_dns_done;
	s->t_connect_start = c->t_connect_start;
	s->t_connect_done = c->connected ? c->t_connect_done : 0;
	slot_tls(c, &s->t_tls_start, &s->t_tls_done);
	/* the DNS name, else the server name its ClientHello asked for */
	ht_live_copy_str(s->name, sizeof(s->name), conn_host_name(c));
	/* the session, once the handshake is over (conn_tls_done()) */
	ht_live_tls_set(ht_live_conn_tls(c->live_conn, c->live_conn_ref),
			c->t_tls_done ? c->tls_version : NULL,
			c->t_tls_done ? c->alpn : NULL);
	ht_live_conn_write_end(s);
	/* A collector that stops reports a connection in its DNS, connect
	 * or TLS phase only: what it reads from here on is this write (unless
	 * it began reading already) */
	c->live_conn_mark = ht_live_conn_phase(s) != HT_PH_NONE
				    ? (uint8_t)ht_live_mark(c->live_conn)
				    : (uint8_t)HT_LIVE_MARK_READING;
}

struct ht_live *conn_live_conn_end(conn *c)
{
	ht_live *taken = NULL;

	if (c->live_conn_ref == 0)
		return NULL;
	if (c->live_conn_mark == HT_LIVE_MARK_NONE &&
	    ht_live_taken(c->live_conn_mark, ht_live_mark(c->live_conn)))
		taken = c->live_conn;
	ht_live_conn_release(c->live_conn, c->live_conn_ref);
	c->live_conn_ref = 0;
	c->live_conn = NULL;
	return taken;
}

void conn_fork_in_open(conn *c)
{
	conn_live_conn_end(c);
}
