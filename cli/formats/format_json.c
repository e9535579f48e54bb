/*
 * format_json.c - the two JSON Lines formats: "json" (one object per
 * request, connect failure, and a final summary) and "events" (one object
 * per lifecycle event, in Go net/http/httptrace terms, synthesized from each
 * record's timestamps).  Lines are written as records arrive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "headers.h"
#include "json.h"
#include "report.h"

/* Write ,"key": -- @key is a literal without quotes. */
#define KEY(f, key) json_lit((f), ",\"" key "\":")

/* ,"key":VALUE with one request for room (a line has some 40 of them). */
#define KEY_U64(f, key, v) \
	key_u64((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (v))
#define KEY_MS(f, key, ns) \
	key_ms((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (ns))
#define KEY_BOOL(f, key, b) \
	key_bool((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (b))

static inline void key_u64(outbuf *f, const char *key, size_t n, uint64_t v)
{
	char *q = outbuf_room(f, n + JSON_U64_MAX_LEN);

	memcpy(q, key, n);
	outbuf_commit(f, json_fmt_u64(q + n, v));
}

static inline void key_ms(outbuf *f, const char *key, size_t n, int64_t ns)
{
	char *q = outbuf_room(f, n + JSON_NS_MAX_LEN);

	memcpy(q, key, n);
	outbuf_commit(f, json_fmt_ns_ms(q + n, ns));
}

static inline void key_bool(outbuf *f, const char *key, size_t n, bool b)
{
	char *q = outbuf_room(f, n + 5);

	memcpy(q, key, n);
	if (b) {
		memcpy(q + n, "true", 4);
		q += n + 4;
	} else {
		memcpy(q + n, "false", 5);
		q += n + 5;
	}
	outbuf_commit(f, q);
}

static void put_ht_str(outbuf *f, ht_str s)
{
	json_str(f, s.p, s.len);
}

static void put_ht_str_or_null(outbuf *f, ht_str s)
{
	json_str_or_null(f, s.p, s.len);
}

/* ---- json --------------------------------------------------------------- */

/* A status, null when there was no response. */
static void put_status(outbuf *f, uint16_t status)
{
	if (status == 0)
		json_lit(f, "null");
	else
		json_u64(f, status);
}

/* ---- a request's line, written at a pointer ------------------------------ */

/* Append the literal @s (a string constant). */
#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static inline char *fmt_bool(char *p, bool b)
{
	return b ? LIT(p, "true") : LIT(p, "false");
}

static inline char *fmt_str_or_null(char *p, const char *s, size_t n)
{
	return n == 0 ? LIT(p, "null") : json_fmt_str(p, s, n);
}

static inline char *fmt_strz(char *p, const char *s)
{
	return s == NULL ? LIT(p, "null") : json_fmt_str(p, s, strlen(s));
}

/* The most a request's line takes besides its strings and header blocks:
 * the keys (some 700 bytes), 25 numbers of at most 27 bytes, the quotes. */
#define REQUEST_FIXED_ROOM 2048

/* The most json_request_line() writes for @q. */
static size_t request_room(const report_req *q, size_t error_len,
			   size_t target_len)
{
	const ht_rec_request *r = q->r;
	size_t strings = (size_t)r->method.len + q->url_len + q->host_len +
			 q->peer_len + q->proxy_len + error_len + target_len +
			 r->alpn.len + r->tls_version.len + r->reason.len +
			 r->content_type.len + 16 /* proto, resp_proto */;

	return REQUEST_FIXED_ROOM + 6 * strings +
	       headers_json_room(r->req_headers) +
	       headers_json_room(r->resp_headers);
}

/* The line of request @q at @p; returns its end. */
static char *json_request_line(char *p, const report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	const report_timing *t = &q->t;
	const redirect_link *l = &q->redirect;

	bool server = r->side == HT_SIDE_SERVER;

	/* A server's record says so first; a client's line is as it was
	 * before servers were followed. */
	p = server ? LIT(p, "{\"event\":\"request\",\"side\":\"server\",\"pid\":")
		   : LIT(p, "{\"event\":\"request\",\"pid\":");
	p = json_fmt_u64(p, r->pid);
	p = LIT(p, ",\"conn\":");
	p = json_fmt_u64(p, r->conn_id);
	p = LIT(p, ",\"req\":");
	p = json_fmt_u64(p, r->req_seq);
	p = LIT(p, ",\"reused\":");
	p = fmt_bool(p, r->flags & HT_RF_REUSED);
	p = LIT(p, ",\"idle_ms\":");
	p = json_fmt_ns_ms(p, t->idle);
	p = LIT(p, ",\"method\":");
	p = fmt_str_or_null(p, r->method.p, r->method.len);
	p = LIT(p, ",\"url\":");
	p = json_fmt_str(p, q->url, q->url_len);
	p = LIT(p, ",\"host\":");
	p = json_fmt_str(p, q->host, q->host_len);
	p = LIT(p, ",\"peer\":");
	p = fmt_str_or_null(p, q->peer, q->peer_len);
	p = LIT(p, ",\"proto\":");
	p = fmt_strz(p, q->proto);
	if (q->resp_proto != NULL) {
		/* only when the server answered in another version */
		p = LIT(p, ",\"response_proto\":");
		p = fmt_strz(p, q->resp_proto);
	}
	p = LIT(p, ",\"tls\":");
	p = fmt_bool(p, r->flags & HT_RF_TLS);
	p = LIT(p, ",\"status\":");
	p = r->status == 0 ? LIT(p, "null") : json_fmt_u64(p, r->status);
	p = LIT(p, ",\"error\":");
	p = fmt_strz(p, q->error);
	p = LIT(p, ",\"req_bytes\":");
	p = json_fmt_u64(p, r->req_body_bytes);
	p = LIT(p, ",\"resp_bytes\":");
	p = json_fmt_u64(p, r->resp_body_bytes);
	p = LIT(p, ",\"start\":");
	p = json_fmt_ns_secs(p, report_unix_ns(rp, t->start));
	if (server) {
		/* the server's phases (report_timing_compute()) */
		p = LIT(p, ",\"accept_ms\":");
		p = json_fmt_ns_ms(p, t->connect);
		p = LIT(p, ",\"tls_ms\":");
		p = json_fmt_ns_ms(p, t->tls);
		p = LIT(p, ",\"read_ms\":");
		p = json_fmt_ns_ms(p, t->send);
		p = LIT(p, ",\"processing_ms\":");
		p = json_fmt_ns_ms(p, t->wait);
		p = LIT(p, ",\"write_ms\":");
		p = json_fmt_ns_ms(p, t->receive);
	} else {
		p = LIT(p, ",\"dns_ms\":");
		p = json_fmt_ns_ms(p, t->dns);
		p = LIT(p, ",\"connect_ms\":");
		p = json_fmt_ns_ms(p, t->connect);
		p = LIT(p, ",\"tls_ms\":");
		p = json_fmt_ns_ms(p, t->tls);
		p = LIT(p, ",\"send_ms\":");
		p = json_fmt_ns_ms(p, t->send);
		p = LIT(p, ",\"wait_ms\":");
		p = json_fmt_ns_ms(p, t->wait);
		p = LIT(p, ",\"receive_ms\":");
		p = json_fmt_ns_ms(p, t->receive);
	}
	p = LIT(p, ",\"total_ms\":");
	p = json_fmt_ns_ms(p, t->total);
	/* Extras, after the fixed set. */
	p = LIT(p, ",\"proxy\":");
	p = q->proxy != NULL ? json_fmt_str(p, q->proxy, q->proxy_len)
			     : LIT(p, "null");
	/* The place in a redirect chain: "redirect_from" (the hop before,
	 * as pid/conn/req), "chain" (the first hop's "pid/conn/req", shared
	 * by every hop), "redirect_to" (the resolved Location when this
	 * request redirects); null where none. */
	p = LIT(p, ",\"redirect_from\":");
	if (l->followed) {
		p = LIT(p, "{\"pid\":");
		p = json_fmt_u64(p, l->from.pid);
		p = LIT(p, ",\"conn\":");
		p = json_fmt_u64(p, l->from.conn);
		p = LIT(p, ",\"req\":");
		p = json_fmt_u64(p, l->from.req);
		p = LIT(p, "}");
	} else {
		p = LIT(p, "null");
	}
	p = LIT(p, ",\"chain\":");
	if (l->in_chain) {
		p = LIT(p, "\"");
		p = json_fmt_u64(p, l->chain.pid);
		p = LIT(p, "/");
		p = json_fmt_u64(p, l->chain.conn);
		p = LIT(p, "/");
		p = json_fmt_u64(p, l->chain.req);
		p = LIT(p, "\"");
	} else {
		p = LIT(p, "null");
	}
	p = LIT(p, ",\"redirect_to\":");
	p = fmt_strz(p, l->target);
	p = LIT(p, ",\"alpn\":");
	p = fmt_str_or_null(p, r->alpn.p, r->alpn.len);
	p = LIT(p, ",\"tls_version\":");
	p = fmt_str_or_null(p, r->tls_version.p, r->tls_version.len);
	p = LIT(p, ",\"status_text\":");
	p = fmt_str_or_null(p, r->reason.p, r->reason.len);
	p = LIT(p, ",\"content_type\":");
	p = fmt_str_or_null(p, r->content_type.p, r->content_type.len);
	p = LIT(p, ",\"req_header_bytes\":");
	p = json_fmt_u64(p, r->req_header_bytes);
	p = LIT(p, ",\"resp_header_bytes\":");
	p = json_fmt_u64(p, r->resp_header_bytes);
	p = LIT(p, ",\"interim\":");
	p = json_fmt_u64(p, r->n_1xx);
	p = LIT(p, ",\"keep_alive\":");
	p = fmt_bool(p, r->flags & HT_RF_KEEPALIVE);
	p = LIT(p, ",\"headers_truncated\":");
	p = fmt_bool(p, r->flags & HT_RF_HDR_TRUNC);
	p = LIT(p, ",\"target_truncated\":");
	p = fmt_bool(p, r->flags & HT_RF_TARGET_TRUNC);
	p = LIT(p, ",\"request_headers\":");
	p = headers_fmt_json(p, r->req_headers);
	p = LIT(p, ",\"response_headers\":");
	p = headers_fmt_json(p, r->resp_headers);
	return LIT(p, "}\n");
}

/* A request's line: bounded first, then written in one piece straight
 * into the output block (a line too long for one request for room goes
 * through a buffer of its own). */
static void json_request(report *rp, const report_req *q)
{
	outbuf *f = &rp->ob;
	size_t room = request_room(q, q->error ? strlen(q->error) : 0,
				   q->redirect.target ? strlen(q->redirect.target)
						      : 0);

	if (room <= OUTBUF_MAX_ROOM) {
		outbuf_commit(f, json_request_line(outbuf_room(f, room), rp, q));
		return;
	}
	char *tmp = malloc(room);
	if (tmp == NULL) {
		outbuf_fail(f, ENOMEM);
		return;
	}
	outbuf_put(f, tmp, (size_t)(json_request_line(tmp, rp, q) - tmp));
	free(tmp);
}

/* The host of a failed connect: its DNS name, else the peer IP. */
static void put_fail_host(outbuf *f, const ht_rec_conn_fail *c)
{
	char ip[64];

	if (c->dns_name.len > 0)
		put_ht_str(f, c->dns_name);
	else
		json_str_or_null(f, ip, report_ip(ip, sizeof(ip), &c->peer));
}

static int64_t span(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0)
		return REPORT_NONE;
	return (int64_t)(end - start);
}

static void json_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	char peer[64];

	bool tls = c->flags & HT_FF_TLS;

	json_lit(f, tls ? "{\"event\":\"tls_error\",\"pid\":"
			: "{\"event\":\"connect_error\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "peer");
	json_str_or_null(f, peer, report_peer(peer, sizeof(peer), &c->peer));
	KEY(f, "host");
	put_fail_host(f, c);
	KEY(f, "error");
	json_strz(f, tls ? "TLS handshake failed" : strerror(c->err));
	KEY(f, "errno");
	if (tls)
		json_lit(f, "null");
	else
		json_i64(f, c->err);
	KEY(f, "dns_ms");
	json_ns_ms(f, span(c->t_dns_start, c->t_dns_done));
	KEY(f, "connect_ms");
	json_ns_ms(f, span(c->t_connect_start, tls ? c->t_connect_done : c->t_fail));
	KEY(f, "tls_ms");
	json_ns_ms(f, tls ? span(report_earliest(c->t_connect_done, c->t_tls_start),
				 c->t_fail)
			  : REPORT_NONE);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, report_earliest(c->t_dns_start,
							   c->t_connect_start)));
	json_lit(f, "}\n");
}

/* The ALPN list "h2,http/1.1" as ["h2","http/1.1"]. */
static void put_alpn_list(outbuf *f, ht_str s)
{
	size_t i = 0;

	json_lit(f, "[");
	while (i < s.len) {
		const char *comma = memchr(s.p + i, ',', s.len - i);
		size_t n = comma ? (size_t)(comma - (s.p + i)) : s.len - i;

		if (i)
			json_lit(f, ",");
		json_str(f, s.p + i, n);
		i += n + 1;
	}
	json_lit(f, "]");
}

/* The fields of a TLS connection no hook decoded (HT_CF_TLS_UNDECODED)
 * after its peer: what its handshake showed, requests null (not known). */
static void put_undecoded(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;

	KEY(f, "host");
	put_ht_str_or_null(f, c->sni);
	KEY(f, "tls_library");
	json_lit(f, "\"unknown\"");
	KEY(f, "tls_version");
	put_ht_str_or_null(f, c->tls_version);
	KEY(f, "alpn_offered");
	put_alpn_list(f, c->alpn_offered);
	KEY(f, "alpn");
	put_ht_str_or_null(f, c->alpn);
	KEY(f, "connect_ms");
	json_ns_ms(f, span(c->t_connect_start, c->t_connect_done));
	KEY(f, "tls_ms");
	json_ns_ms(f, span(c->t_tls_start, c->t_tls_done));
	KEY(f, "bytes_out");
	json_u64(f, c->bytes_out);
	KEY(f, "bytes_in");
	json_u64(f, c->bytes_in);
	KEY(f, "duration_ms");
	json_ns_ms(f, span(c->t_connect_start, c->t_close));
	KEY(f, "requests");
	json_lit(f, "null");
}

static void json_conn_close(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;
	char peer[192];

	/* Connection closes are not part of the per-request JSON, but a TLS
	 * connection no hook decoded is: its line says it was there. */
	if (!(c->flags & HT_CF_TLS_UNDECODED))
		return;
	json_lit(f, "{\"event\":\"connection\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "peer");
	json_str_or_null(f, peer, report_peer_of(peer, sizeof(peer), &c->peer,
						 c->peer_path));
	put_undecoded(rp, c);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, c->t_connect_start));
	json_lit(f, "}\n");
}

static void json_summary(report *rp)
{
	outbuf *f = &rp->ob;
	const report_stats *st = &rp->stats;
	report_host_stat **hosts;
	size_t n;

	json_lit(f, "{\"event\":\"summary\",\"processes\":");
	json_u64(f, st->processes);
	KEY(f, "requests");
	json_u64(f, st->requests);
	KEY(f, "connections");
	json_u64(f, report_connections(rp));
	/* the requests traced servers answered, apart; only when some */
	if (st->server_requests > 0) {
		KEY(f, "server_requests");
		json_u64(f, st->server_requests);
		KEY(f, "server_errors");
		json_u64(f, st->server_errors);
	}
	/* of those, TLS no hook decoded (their requests not counted); the
	 * keys only when there are some */
	if (st->tls_undecoded > 0) {
		KEY(f, "tls_undecoded");
		json_u64(f, st->tls_undecoded);
		KEY(f, "tls_undecoded_programs");
		json_lit(f, "[");
		for (size_t i = 0, k = 0; i < st->n_exes; i++) {
			if (!(st->undecoded_exes & (1u << i)))
				continue;
			if (k++)
				json_lit(f, ",");
			json_strz(f, st->exes[i]);
		}
		json_lit(f, "]");
	}
	KEY(f, "connect_errors");
	json_u64(f, st->conn_fails);
	KEY(f, "reused");
	json_u64(f, st->reused);
	KEY(f, "errors");
	json_u64(f, st->errors);
	KEY(f, "dropped");
	json_u64(f, report_dropped(rp));
	KEY(f, "malformed");
	json_u64(f, st->malformed);
	if (st->n_notes > 0) {
		KEY(f, "not_traced");
		for (size_t i = 0; i < st->n_notes; i++) {
			json_lit(f, i ? ",{\"text\":" : "[{\"text\":");
			json_strz(f, st->notes[i]);
			KEY(f, "processes");
			json_u64(f, st->note_procs[i]);
			json_lit(f, "}");
		}
		json_lit(f, "]");
	}
	KEY(f, "hosts");
	json_lit(f, "[");
	hosts = report_hosts_sorted(rp, &n);
	for (size_t i = 0; i < n; i++) {
		const report_host_stat *h = hosts[i];

		json_lit(f, i ? ",{\"host\":" : "{\"host\":");
		json_strz(f, h->name);
		KEY(f, "requests");
		json_u64(f, h->requests);
		KEY(f, "errors");
		json_u64(f, h->errors);
		KEY(f, "p50_ms");
		json_ns_ms(f, report_percentile(&h->totals, 50));
		KEY(f, "p95_ms");
		json_ns_ms(f, report_percentile(&h->totals, 95));
		json_lit(f, "}");
	}
	free(hosts);
	json_lit(f, "]");
	if (st->other_hosts.requests > 0) {
		/* The hosts past REPORT_MAX_HOSTS, together. */
		const report_host_stat *h = &st->other_hosts;

		json_lit(f, ",\"other_hosts\":{\"requests\":");
		json_u64(f, h->requests);
		KEY(f, "errors");
		json_u64(f, h->errors);
		KEY(f, "p50_ms");
		json_ns_ms(f, report_percentile(&h->totals, 50));
		KEY(f, "p95_ms");
		json_ns_ms(f, report_percentile(&h->totals, 95));
		json_lit(f, "}");
	}
	json_lit(f, "}\n");
}

const report_format_ops report_json_ops = {
	.request = json_request,
	.conn_fail = json_conn_fail,
	.conn_close = json_conn_close,
	.summary = json_summary,
};

/* ---- events ------------------------------------------------------------- */

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

/* A server's events (wire.h, ht_side): the same moments, named for what
 * the server did; its connect is the accept, which has no start. */
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

static void ev_request_data(report *rp, const report_req *q, enum ev_kind k)
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
		headers_json(f, r->req_headers);
		break;
	case EV_GOT_1XX:
		KEY_U64(f, "count", r->n_1xx);
		break;
	case EV_RESPONSE_DONE:
		KEY(f, "status");
		put_status(f, r->status);
		KEY(f, "error");
		json_strz(f, q->error);
		KEY_U64(f, "resp_bytes", r->resp_body_bytes);
		KEY_MS(f, "total_ms", q->t.total);
		KEY(f, "headers");
		headers_json(f, r->resp_headers);
		break;
	default:
		break;
	}
}

static void events_request(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	enum ev_kind order[EV__COUNT];
	size_t n = 0;
	bool server = r->side == HT_SIDE_SERVER;
	const struct ev_name *names = server ? server_ev_names : ev_names;

	/* Collect the events that happened, then insertion-sort them by
	 * timestamp; the sort is stable, so ties keep the lifecycle order. */
	for (int k = 0; k < EV__COUNT; k++) {
		if (r->t[ev_ts[k]] == 0)
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
		ev_request_data(rp, q, k);
		json_lit(&rp->ob, "}\n");
	}
}

static void events_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	char peer[64];
	size_t peer_len = report_peer(peer, sizeof(peer), &c->peer);

	if (c->t_dns_start != 0) {
		ev_head(rp, "dns_start", c->pid, c->conn_id, 0, c->t_dns_start);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		json_lit(f, "}\n");
	}
	if (c->t_dns_done != 0) {
		ev_head(rp, "dns_done", c->pid, c->conn_id, 0, c->t_dns_done);
		KEY(f, "host");
		put_ht_str_or_null(f, c->dns_name);
		json_lit(f, "}\n");
	}
	if (c->t_connect_start != 0) {
		ev_head(rp, "connect_start", c->pid, c->conn_id, 0,
			c->t_connect_start);
		KEY(f, "peer");
		json_str_or_null(f, peer, peer_len);
		json_lit(f, "}\n");
	}
	if (c->flags & HT_FF_TLS) {
		/* TCP was up; the handshake failed */
		if (c->t_connect_done != 0) {
			ev_head(rp, "connect_done", c->pid, c->conn_id, 0,
				c->t_connect_done);
			KEY(f, "peer");
			json_str_or_null(f, peer, peer_len);
			json_lit(f, ",\"error\":null}\n");
		}
		if (c->t_tls_start != 0) {
			ev_head(rp, "tls_handshake_start", c->pid, c->conn_id, 0,
				c->t_tls_start);
			json_lit(f, "}\n");
		}
		ev_head(rp, "tls_handshake_done", c->pid, c->conn_id, 0, c->t_fail);
		json_lit(f, ",\"version\":null,\"alpn\":null,"
			    "\"error\":\"TLS handshake failed\"}\n");
		return;
	}
	ev_head(rp, "connect_done", c->pid, c->conn_id, 0, c->t_fail);
	KEY(f, "peer");
	json_str_or_null(f, peer, peer_len);
	KEY(f, "error");
	json_strz(f, strerror(c->err));
	KEY(f, "errno");
	json_i64(f, c->err);
	json_lit(f, "}\n");
}

static void events_conn_close(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;
	char peer[192];

	ev_head(rp, "conn_closed", c->pid, c->conn_id, 0, c->t_close);
	KEY(f, "peer");
	json_str_or_null(f, peer, report_peer_of(peer, sizeof(peer), &c->peer,
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
		json_ns_ms(f, span(c->t_tls_start, c->t_tls_done));
	}
	KEY(f, "idle_ms");
	json_ns_ms(f, span(c->t_idle_since, c->t_close));
	KEY(f, "bytes_out");
	json_u64(f, c->bytes_out);
	KEY(f, "bytes_in");
	json_u64(f, c->bytes_in);
	json_lit(f, "}\n");
}

/* The events stream ends with the same summary line as -f json: what was
 * dropped or malformed must be said in every format. */
const report_format_ops report_events_ops = {
	.request = events_request,
	.conn_fail = events_conn_fail,
	.conn_close = events_conn_close,
	.summary = json_summary,
};
