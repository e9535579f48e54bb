/*
 * format_json.c - the JSON Lines format "json": one object per request,
 * connect failure, and a final summary (which -f events ends with too).
 * Lines are written as records arrive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"
#include "headers.h"
#include "join.h"
#include "format_json.h"
#include "json.h"
#include "live.h"
#include "report.h"

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
 * the keys (some 750 bytes), 28 numbers of at most 27 bytes, the quotes. */
#define REQUEST_FIXED_ROOM 2048
/* The gRPC fields' keys and numbers (json_grpc_fields()), as string bytes
 * (request_room() counts 6 per string byte). */
#define GRPC_FIELDS_ROOM 128

/* The most json_request_line() writes for @q. */
static size_t request_room(const report_req *q, size_t error_len,
			   size_t target_len)
{
	const ht_rec_request *r = q->r;
	size_t strings = (size_t)r->method.len + q->url_len + q->host_len +
			 q->peer_len + q->proxy_len + error_len + target_len +
			 r->alpn.len + r->tls_version.len + r->reason.len +
			 r->content_type.len + 16 /* proto, resp_proto */;

	if (r->flags & HT_RF_GRPC)
		strings += GRPC_FIELDS_ROOM + (size_t)r->grpc.message.len +
			   r->target.len;
	return REQUEST_FIXED_ROOM + 6 * strings +
	       headers_json_room(r->req_headers) +
	       headers_json_room(r->resp_headers);
}

/* A duration from @from to @to (monotonic ns), null when either is 0. */
static char *fmt_span_ms(char *p, uint64_t from, uint64_t to)
{
	if (from == 0 || to == 0)
		return LIT(p, "null");
	return json_fmt_ns_ms(p, (int64_t)(to - from));
}

/* A gRPC call's fields (HT_RF_GRPC only): the rpc.* of OpenTelemetry's
 * conventions, its status (null when none came) and its messages; the
 * first message each way timed from the request's first byte. */
static char *json_grpc_fields(char *p, const ht_rec_request *r)
{
	ht_grpc own;
	const ht_grpc *g = ht_grpc_own(r, &own); /* a server's: its own view */
	bool has_status = g->flags & HT_GF_STATUS;
	ht_str svc = { "", 0 }, method = { "", 0 };

	grpc_path_split(r->target.p, r->target.len, &svc, &method);
	p = LIT(p, ",\"rpc_system\":\"grpc\",\"rpc_service\":");
	p = fmt_str_or_null(p, svc.p, svc.len);
	p = LIT(p, ",\"rpc_method\":");
	p = fmt_str_or_null(p, method.p, method.len);
	p = LIT(p, ",\"grpc_status\":");
	p = has_status ? json_fmt_u64(p, g->status) : LIT(p, "null");
	p = LIT(p, ",\"grpc_status_name\":");
	p = fmt_strz(p, has_status ? grpc_status_name(g->status) : NULL);
	p = LIT(p, ",\"grpc_message\":");
	p = fmt_str_or_null(p, g->message.p, g->message.len);
	p = LIT(p, ",\"grpc_msgs_sent\":");
	p = json_fmt_u64(p, g->msgs_sent);
	p = LIT(p, ",\"grpc_msgs_recv\":");
	p = json_fmt_u64(p, g->msgs_recv);
	p = LIT(p, ",\"grpc_bytes_sent\":");
	p = json_fmt_u64(p, g->bytes_sent);
	p = LIT(p, ",\"grpc_bytes_recv\":");
	p = json_fmt_u64(p, g->bytes_recv);
	p = LIT(p, ",\"grpc_max_sent\":");
	p = json_fmt_u64(p, g->max_sent);
	p = LIT(p, ",\"grpc_max_recv\":");
	p = json_fmt_u64(p, g->max_recv);
	p = LIT(p, ",\"grpc_compressed\":");
	p = fmt_bool(p, g->flags & (HT_GF_COMPRESSED_SENT |
				    HT_GF_COMPRESSED_RECV));
	p = LIT(p, ",\"grpc_first_sent_ms\":");
	p = fmt_span_ms(p, r->t[HT_T_GOT_CONN], g->t_first_sent);
	p = LIT(p, ",\"grpc_first_recv_ms\":");
	return fmt_span_ms(p, r->t[HT_T_GOT_CONN], g->t_first_recv);
}

/* The line of request @q at @p; returns its end. */
static char *json_request_line(char *p, const report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	const redirect_link *l = &q->redirect;
	/* cut short by its process's end: the phase it was in (its
	 * "phase") lasted to the end, not null */
	report_timing cut = q->t;
	const report_timing *t = &cut;

	if (q->phase != NULL)
		(void)report_timing_cut(r, &cut);

	bool server = r->flags & HT_RF_SERVER;

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
	if (q->phase != NULL) {
		/* a request its process's end cut short */
		p = LIT(p, ",\"phase\":");
		p = fmt_strz(p, q->phase);
		p = LIT(p, ",\"signal\":");
		p = fmt_strz(p, q->signal);
		if (q->no_goodbye)
			p = LIT(p, ",\"ended\":\"the process ended without a goodbye\"");
		if (q->tracing_ended)
			p = LIT(p, ",\"ended\":\"tracing stopped while the process ran\"");
	}
	p = LIT(p, ",\"req_bytes\":");
	p = (r->flags & HT_RF_REQ_BODY_UNKNOWN) ? LIT(p, "null") :
		json_fmt_u64(p, r->req_body_bytes);
	p = LIT(p, ",\"resp_bytes\":");
	p = (r->flags & HT_RF_RESP_BODY_UNKNOWN) ? LIT(p, "null") :
		json_fmt_u64(p, r->resp_body_bytes);
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
	if (r->join != NULL && r->join->pid != 0) {
		/* joined to the other end's record (join.h) */
		if (!server) {
			p = LIT(p, ",\"server_processing_ms\":");
			p = json_fmt_ns_ms(p, r->join->server_processing);
		}
		p = LIT(p, ",\"peer_record\":{\"pid\":");
		p = json_fmt_u64(p, r->join->pid);
		p = LIT(p, ",\"conn\":");
		p = json_fmt_u64(p, r->join->conn_id);
		p = LIT(p, ",\"req\":");
		p = json_fmt_u64(p, r->join->req_seq);
		p = LIT(p, "}");
	}
	if (r->join != NULL && r->join->parent_pid != 0) {
		/* made inside this server request on its thread (join.h) */
		p = LIT(p, ",\"parent_record\":{\"pid\":");
		p = json_fmt_u64(p, r->join->parent_pid);
		p = LIT(p, ",\"conn\":");
		p = json_fmt_u64(p, r->join->parent_conn);
		p = LIT(p, ",\"req\":");
		p = json_fmt_u64(p, r->join->parent_req);
		p = LIT(p, "}");
	}
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
	p = (r->flags & HT_RF_RESP_HDR_UNKNOWN) ? LIT(p, "null") :
		json_fmt_u64(p, r->resp_header_bytes);
	p = LIT(p, ",\"interim\":");
	p = json_fmt_u64(p, r->n_1xx);
	p = LIT(p, ",\"keep_alive\":");
	p = fmt_bool(p, r->flags & HT_RF_KEEPALIVE);
	p = LIT(p, ",\"headers_truncated\":");
	p = fmt_bool(p, r->flags & HT_RF_HDR_TRUNC);
	p = LIT(p, ",\"target_truncated\":");
	p = fmt_bool(p, r->flags & HT_RF_TARGET_TRUNC);
	if (r->flags & HT_RF_GRPC)
		p = json_grpc_fields(p, r);
	/* null: not kept (a request its process's end cut short) */
	p = LIT(p, ",\"request_headers\":");
	if (report_req_headers_kept(r))
		p = headers_fmt_json(p, r->req_headers);
	else
		p = LIT(p, "null");
	p = LIT(p, ",\"response_headers\":");
	if (report_resp_headers_kept(r))
		p = headers_fmt_json(p, r->resp_headers);
	else
		p = LIT(p, "null");
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
		json_str_or_null(f, ip, url_ip(ip, sizeof(ip), &c->peer));
}

/* What the two lines of a failed lookup begin with: {"event":"dns_error",
 * "pid", "lookup", "host", "error". */
static void put_dns_error_head(outbuf *f, uint64_t pid, uint64_t lookup,
			       ht_str host, const char *error)
{
	json_lit(f, "{\"event\":\"dns_error\",\"pid\":");
	json_u64(f, pid);
	KEY_U64(f, "lookup", lookup);
	KEY(f, "host");
	put_ht_str_or_null(f, host);
	KEY(f, "error");
	json_strz(f, error);
}

/* ... and end with: "dns_ms" (from @t0 to @t1), "start" (@t0)}. */
static void put_dns_error_tail(report *rp, uint64_t t0, uint64_t t1)
{
	outbuf *f = &rp->ob;

	KEY_MS(f, "dns_ms", report_span(t0, t1));
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, t0));
	json_lit(f, "}\n");
}

/* A name lookup its process's end cut short: {"event":"dns_error","pid",
 * "lookup" (its number in its image), "host", "error", "phase" ("dns"),
 * "signal", "dns_ms" (from its start to its end), "start"}. */
static void json_lookup_cut(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;

	put_dns_error_head(f, c->pid, c->conn_id, c->dns_name,
			   report_fail_error(rp, c));
	KEY(f, "phase");
	json_strz(f, ht_live_phase_name(c->phase));
	KEY(f, "signal");
	json_strz(f, report_signal_name(rp, c->signal));
	put_dns_error_tail(rp, c->t_dns_start, c->t_fail);
}

/* A name lookup that failed (HT_REC_DNS, err not 0; a resolved one's
 * times are its connection's): {"event":"dns_error","pid","lookup",
 * "host", "error" (in getaddrinfo's words), "code" (EAI_NONAME ...),
 * "dns_ms", "start"}, as a lookup cut short reads. */
static void json_dns(report *rp, const ht_rec_dns *d)
{
	outbuf *f = &rp->ob;
	char err[160];
	const char *code = report_dns_code(d);

	if (d->err == 0)
		return;
	put_dns_error_head(f, d->pid, d->lookup, d->name,
			   report_dns_error(d, err, sizeof(err)));
	KEY(f, "code");
	json_strz(f, code);
	put_dns_error_tail(rp, d->t_start, d->t_done);
}

static void json_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = &rp->ob;
	char peer[64];

	bool tls = c->flags & HT_FF_TLS;

	if (report_fail_lookup(c)) {
		json_lookup_cut(rp, c);
		return;
	}

	json_lit(f, tls ? "{\"event\":\"tls_error\",\"pid\":"
			: "{\"event\":\"connect_error\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "peer");
	json_str_or_null(f, peer, url_peer(peer, sizeof(peer), &c->peer));
	KEY(f, "host");
	if (c->peer.family == 0 && c->dns_name.len > 0) {
		/* no peer known (a connect cut short inside its call): the
		 * name is its thread's last lookup's, a guess, not its host */
		json_lit(f, "null");
		KEY(f, "host_guess");
		put_ht_str(f, c->dns_name);
	} else {
		put_fail_host(f, c);
	}
	KEY(f, "error");
	json_strz(f, report_fail_error(rp, c));
	KEY(f, "errno");
	if (tls || (c->flags & HT_FF_FROM_PAGE))
		json_lit(f, "null");
	else
		json_i64(f, c->err);
	if (c->flags & HT_FF_FROM_PAGE) {
		/* its process's end cut it short: how, and in which phase */
		KEY(f, "phase");
		json_strz(f, ht_live_phase_name(c->phase));
		KEY(f, "signal");
		json_strz(f, report_signal_name(rp, c->signal));
	}
	KEY(f, "dns_ms");
	json_ns_ms(f, report_span(c->t_dns_start, c->t_dns_done));
	KEY(f, "connect_ms");
	json_ns_ms(f, report_span(c->t_connect_start, tls ? c->t_connect_done : c->t_fail));
	KEY(f, "tls_ms");
	json_ns_ms(f, tls ? report_span(report_earliest(c->t_connect_done, c->t_tls_start),
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

/* A closed connection's phases and bytes, in the order both connection
 * records give them: connect_ms, tls_ms, bytes_out, bytes_in,
 * duration_ms. */
static void put_conn_spans(outbuf *f, const ht_rec_conn_close *c)
{
	KEY(f, "connect_ms");
	json_ns_ms(f, report_span(c->t_connect_start, c->t_connect_done));
	KEY(f, "tls_ms");
	json_ns_ms(f, report_span(c->t_tls_start, c->t_tls_done));
	KEY(f, "bytes_out");
	json_u64(f, c->bytes_out);
	KEY(f, "bytes_in");
	json_u64(f, c->bytes_in);
	KEY(f, "duration_ms");
	json_ns_ms(f, report_span(c->t_connect_start, c->t_close));
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
	put_conn_spans(f, c);
	KEY(f, "requests");
	json_lit(f, "null");
}

/* The fields of a client connection closed with no request
 * (report_close_no_request()) after its peer: who closed it, what its
 * handshake showed, requests 0. */
static void put_no_request(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;

	KEY(f, "closed_by");
	json_lit(f, c->flags & HT_CF_PEER_EOF ? "\"peer\"" : "\"program\"");
	KEY(f, "tls");
	json_bool(f, c->flags & HT_CF_TLS);
	KEY(f, "tls_version");
	put_ht_str_or_null(f, c->tls_version);
	KEY(f, "alpn");
	put_ht_str_or_null(f, c->alpn);
	put_conn_spans(f, c);
	KEY(f, "requests");
	json_u64(f, 0);
}

static void json_conn_close(report *rp, const ht_rec_conn_close *c)
{
	outbuf *f = &rp->ob;
	char peer[192];
	bool unused = report_close_no_request(c);

	/* Connection closes are not part of the per-request JSON, but a TLS
	 * connection no hook decoded is, and one that carried no request:
	 * its line says it was there. */
	if (!(c->flags & HT_CF_TLS_UNDECODED) && !unused)
		return;
	json_lit(f, "{\"event\":\"connection\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "peer");
	json_str_or_null(f, peer, url_peer_of(peer, sizeof(peer), &c->peer,
						 c->peer_path));
	if (unused)
		put_no_request(rp, c);
	else
		put_undecoded(rp, c);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, c->t_connect_start));
	json_lit(f, "}\n");
}

/* One direction of a WebSocket session: {"frames":...} */
static void put_ws_dir(outbuf *f, const ht_ws_dir *d)
{
	json_lit(f, "{\"frames\":");
	json_u64(f, d->frames);
	KEY_U64(f, "messages", d->messages);
	KEY_U64(f, "text", d->text);
	KEY_U64(f, "binary", d->binary);
	KEY_U64(f, "bytes", d->bytes);
	KEY_U64(f, "compressed", d->compressed);
	KEY_U64(f, "pings", d->pings);
	KEY_U64(f, "pongs", d->pongs);
	KEY_U64(f, "errors", d->errors);
	KEY(f, "close_code");
	if (d->t_close != 0 && d->close_code != 0)
		json_u64(f, d->close_code);
	else
		json_lit(f, "null");
	KEY(f, "close_reason");
	if (d->t_close != 0)
		put_ht_str(f, d->close_reason);
	else
		json_lit(f, "null");
	json_lit(f, "}");
}

/* Round trips of one side's pings: {"count":n,"avg":ms,...}, avg, min
 * and max null when none was answered. */
static void put_ws_rtt(outbuf *f, const ht_ws_rtt *r)
{
	bool any = r->n > 0;

	json_lit(f, "{\"count\":");
	json_u64(f, r->n);
	KEY_MS(f, "avg", any ? (int64_t)(r->sum / r->n) : REPORT_NONE);
	KEY_MS(f, "min", any ? (int64_t)r->min : REPORT_NONE);
	KEY_MS(f, "max", any ? (int64_t)r->max : REPORT_NONE);
	json_lit(f, "}");
}

const char *ws_end_word(uint32_t flags)
{
	if (flags & HT_WF_LOST)
		return "lost";
	if (flags & HT_WF_RESET)
		return "reset";
	if (flags & HT_WF_PEER_EOF)
		return "eof";
	if (flags & (HT_WF_CLOSED_SENT | HT_WF_CLOSED_RECV))
		return "close";
	return "closed_by_program";
}

/* The fields of a WebSocket session after the head: url, peer, tls,
 * duration and the "websocket" object. */
void put_ws_session(report *rp, const report_ws *s)
{
	outbuf *f = &rp->ob;
	const ht_rec_ws *w = s->w;

	KEY(f, "url");
	json_str(f, s->url, s->url_len);
	KEY(f, "peer");
	json_str_or_null(f, s->peer, s->peer_len);
	KEY_BOOL(f, "tls", w->flags & HT_WF_TLS);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, w->t_start));
	KEY_MS(f, "duration_ms", s->duration);
	json_lit(f, ",\"websocket\":{\"sent\":");
	put_ws_dir(f, &w->dir[0]);
	KEY(f, "received");
	put_ws_dir(f, &w->dir[1]);
	KEY(f, "ping_rtt_ms");
	put_ws_rtt(f, &w->rtt[0]);
	KEY(f, "peer_ping_rtt_ms");
	put_ws_rtt(f, &w->rtt[1]);
	KEY(f, "closed_by");
	json_strz(f, s->closed_by);
	KEY(f, "end");
	json_strz(f, ws_end_word(w->flags));
	json_lit(f, "}}\n");
}

static void json_websocket(report *rp, const report_ws *s)
{
	outbuf *f = &rp->ob;

	json_lit(f, "{\"event\":\"websocket\",\"pid\":");
	json_u64(f, s->w->pid);
	KEY_U64(f, "conn", s->w->conn_id);
	KEY_U64(f, "req", s->w->req_seq);
	put_ws_session(rp, s);
}

/* ,"key":@v, only when @v is not 0: a count most runs never have, whose
 * key older output did not have either. */
#define KEY_U64_SOME(f, key, v)                  \
	do {                                     \
		uint64_t some_ = (v);            \
		if (some_ > 0)                   \
			KEY_U64(f, key, some_);  \
	} while (0)

/* The rest of a host's object after its "requests": key (and of the other
 * hosts'): N,"errors":N,"p50_ms":T,"p95_ms":T}. */
static void put_host_stat(outbuf *f, const report_host_stat *h)
{
	json_u64(f, h->requests);
	KEY_U64(f, "errors", h->errors);
	KEY_MS(f, "p50_ms", report_percentile(&h->totals, 50));
	KEY_MS(f, "p95_ms", report_percentile(&h->totals, 95));
	json_lit(f, "}");
}

void json_summary(report *rp)
{
	outbuf *f = &rp->ob;
	const report_stats *st = &rp->stats;
	report_host_stat **hosts;
	size_t n;

	/* processes: the ones that made requests; processes_traced: the
	 * ones that connected to the collector (report.h) */
	json_lit(f, "{\"event\":\"summary\",\"processes\":");
	json_u64(f, st->req_processes);
	KEY_U64(f, "processes_traced", st->processes);
	KEY_U64(f, "requests", st->requests);
	KEY_U64(f, "connections", report_connections(rp));
	/* of those, closed with no request */
	KEY_U64_SOME(f, "connections_no_request", st->conns_no_request);
	/* the requests traced servers answered, apart; only when some */
	if (st->server_requests > 0) {
		KEY_U64(f, "server_requests", st->server_requests);
		KEY_U64(f, "server_errors", st->server_errors);
		/* of those, sent after a request that asked to close and
		 * not answered (no error of the server's) */
		KEY_U64_SOME(f, "server_not_served", st->server_not_served);
	}
	/* of those, TLS no hook decoded (their requests not counted); the
	 * keys only when there are some */
	if (st->tls_undecoded > 0) {
		KEY_U64(f, "tls_undecoded", st->tls_undecoded);
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
	KEY_U64_SOME(f, "websocket_sessions", st->ws_sessions);
	KEY_U64(f, "connect_errors", st->conn_fails);
	KEY_U64_SOME(f, "not_followed", st->not_followed);
	KEY_U64_SOME(f, "lookups_cut_short", st->lookups_cut);
	KEY_U64_SOME(f, "lookups_failed", st->lookups_failed);
	KEY_U64(f, "reused", st->reused);
	KEY_U64(f, "errors", st->errors);
	KEY_U64(f, "dropped", report_dropped(rp));
	KEY_U64(f, "dropped_requests", report_dropped_requests(rp));
	KEY_U64(f, "malformed", st->malformed);
	KEY_U64(f, "refused", st->refused);
	if (st->n_notes > 0) {
		KEY(f, "not_traced");
		for (size_t i = 0; i < st->n_notes; i++) {
			json_lit(f, i ? ",{\"text\":" : "[{\"text\":");
			json_strz(f, st->notes[i]);
			KEY_U64(f, "processes", st->note_procs[i]);
			json_lit(f, "}");
		}
		json_lit(f, "]");
	}
	KEY(f, "hosts");
	json_lit(f, "[");
	hosts = report_hosts_sorted(rp, &n);
	for (size_t i = 0; i < n; i++) {
		json_lit(f, i ? ",{\"host\":" : "{\"host\":");
		json_strz(f, hosts[i]->name);
		KEY(f, "requests");
		put_host_stat(f, hosts[i]);
	}
	free(hosts);
	json_lit(f, "]");
	if (st->other_hosts.requests > 0) {
		/* The hosts past REPORT_MAX_HOSTS, together. */
		json_lit(f, ",\"other_hosts\":{\"requests\":");
		put_host_stat(f, &st->other_hosts);
	}
	json_lit(f, "}\n");
}

const report_format_ops report_json_ops = {
	.request = json_request,
	.conn_fail = json_conn_fail,
	.conn_close = json_conn_close,
	.summary = json_summary,
	.websocket = json_websocket,
	.dns = json_dns,
};

