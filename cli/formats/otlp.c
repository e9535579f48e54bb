/* otlp.c - spans in OTLP/JSON; see otlp.h. */
#include "otlp.h"
#include "join.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "grpc.h"
#include "headers.h"
#include "url.h"
#include "urlscrub.h"
#include "json.h"

/* ---- attributes --------------------------------------------------------- */

/* Attributes are appended to an array; the first one has no comma. */
typedef struct attrs {
	outbuf *b;
	bool first;
} attrs;

static void attr_key(attrs *a, const char *key)
{
	outbuf_puts(a->b, a->first ? "{\"key\":\"" : ",{\"key\":\"");
	a->first = false;
	outbuf_puts(a->b, key); /* keys are our own literals */
	outbuf_puts(a->b, "\",\"value\":{");
}

static void attr_str(attrs *a, const char *key, const char *s, size_t n)
{
	attr_key(a, key);
	outbuf_puts(a->b, "\"stringValue\":");
	json_str(a->b, s, n);
	outbuf_puts(a->b, "}}");
}

static void attr_strz(attrs *a, const char *key, const char *s)
{
	attr_str(a, key, s, strlen(s));
}

/* int64 is a string in the protobuf JSON mapping. */
static void attr_int(attrs *a, const char *key, uint64_t v)
{
	attr_key(a, key);
	outbuf_puts(a->b, "\"intValue\":\"");
	json_u64(a->b, v);
	outbuf_puts(a->b, "\"}}");
}

static void attr_bool(attrs *a, const char *key, bool v)
{
	attr_key(a, key);
	outbuf_puts(a->b, v ? "\"boolValue\":true}}" : "\"boolValue\":false}}");
}

static void attr_double(attrs *a, const char *key, double v)
{
	char tmp[64];

	attr_key(a, key);
	snprintf(tmp, sizeof(tmp), "\"doubleValue\":%.6f}}", v);
	outbuf_puts(a->b, tmp);
}

/* ---- resource ----------------------------------------------------------- */

void otlp_resource_json(outbuf *b, const otlp_resource *res)
{
	attrs a = { b, true };
	const char *exe = res->exe != NULL && res->exe[0] ? res->exe : NULL;
	const char *base = NULL;

	if (exe != NULL) {
		base = strrchr(exe, '/');
		base = base != NULL ? base + 1 : exe;
		if (base[0] == '\0')
			base = NULL;
	}
	outbuf_puts(b, "{\"attributes\":[");
	if (res->service != NULL && res->service[0] != '\0')
		attr_strz(&a, "service.name", res->service);
	else if (base != NULL)
		attr_strz(&a, "service.name", base);
	else
		attr_strz(&a, "service.name", "unknown_service");
	attr_int(&a, "process.pid", res->pid);
	if (base != NULL) {
		attr_strz(&a, "process.executable.name", base);
		attr_strz(&a, "process.executable.path", exe);
	}
	if (res->host_name != NULL && res->host_name[0] != '\0')
		attr_strz(&a, "host.name", res->host_name);
	outbuf_puts(b, "]}");
}

/* ---- spans -------------------------------------------------------------- */

static void put_hex(outbuf *b, const uint8_t *id, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[34];

	tmp[0] = '"';
	for (size_t i = 0; i < n; i++) {
		tmp[1 + 2 * i] = hex[id[i] >> 4];
		tmp[2 + 2 * i] = hex[id[i] & 15];
	}
	tmp[1 + 2 * n] = '"';
	outbuf_put(b, tmp, 2 + 2 * n);
}

/* fixed64 is a string in the protobuf JSON mapping. */
static void put_time(outbuf *b, const char *key, uint64_t unix_ns)
{
	outbuf_puts(b, key);
	outbuf_put(b, "\"", 1);
	json_u64(b, unix_ns);
	outbuf_put(b, "\"", 1);
}

/* Span kinds and status codes of the OTLP protocol. */
enum { KIND_INTERNAL = 1, KIND_SERVER = 2, KIND_CLIENT = 3 };
enum { STATUS_ERROR = 2 };

static void span_head(outbuf *b, const otlp_ids *ids, const uint8_t *span,
		      const uint8_t *parent, const char *name, size_t name_len,
		      int kind, uint64_t start, uint64_t end)
{
	outbuf_puts(b, "{\"traceId\":");
	put_hex(b, ids->trace, sizeof(ids->trace));
	outbuf_puts(b, ",\"spanId\":");
	put_hex(b, span, 8);
	if (parent != NULL) {
		outbuf_puts(b, ",\"parentSpanId\":");
		put_hex(b, parent, 8);
	}
	outbuf_puts(b, ",\"name\":");
	json_str(b, name, name_len);
	outbuf_puts(b, ",\"kind\":");
	json_u64(b, (uint64_t)kind);
	put_time(b, ",\"startTimeUnixNano\":", start);
	put_time(b, ",\"endTimeUnixNano\":", end);
}

const char *otlp_error_type(const ht_rec_request *r, char *buf, size_t cap)
{
	switch (r->error) {
	case HT_ERR_NONE: break;
	case HT_ERR_CLOSED: return "connection_closed";
	case HT_ERR_RESET: return "connection_reset";
	case HT_ERR_BAD_RESPONSE: return "malformed_response";
	case HT_ERR_BAD_REQUEST: return "malformed_request";
	case HT_ERR_NO_RESPONSE: return "no_response";
	case HT_ERR_STREAM_RESET: return "stream_reset";
	case HT_ERR_TRUNCATED: return "response_truncated";
	case HT_ERR_OVERFLOW: return "not_tracked";
	case HT_ERR_GOAWAY: return "goaway";
	case HT_ERR_UNSEEN: return "not_followed";
	case HT_ERR_UNFOLLOWED: return "not_followed";
	case HT_ERR_INTERRUPTED: return "interrupted";
	case HT_ERR_KILLED: return "killed";
	case HT_ERR_CRASHED: return "crashed";
	case HT_ERR_EXITED: return "exited";
	case HT_ERR_DESYNC: return "not_followed";
	case HT_ERR_HEAD_CUT: return "request_head_cut";
	case HT_ERR_ENDED: return "ended";
	case HT_ERR_SHARED: return "not_followed";
	case HT_ERR_AFTER_CLOSE: return "not_served";
	case HT_ERR_REQ_HEAD_BIG: return "not_followed";
	case HT_ERR_RESP_HEAD_BIG: return "not_followed";
	case HT_ERR_HEAD_LOST: return "not_followed";
	default: return "_OTHER";
	}
	if (ht_grpc_side_failed(r)) {
		const char *name = grpc_status_name(r->grpc.status);

		if (name != NULL)
			return name;
		snprintf(buf, cap, "%u", (unsigned)r->grpc.status);
		return buf;
	}
	/* a server's span is an error for its 5xx only (the conventions:
	 * a 4xx is the client's) */
	if (r->status >= (r->flags & HT_RF_SERVER ? 500 : 400)) {
		snprintf(buf, cap, "%u", (unsigned)r->status);
		return buf;
	}
	return NULL;
}

/* The methods the semantic conventions know; any other is "_OTHER". */
static bool known_method(ht_str m)
{
	static const char *const known[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == m.len && memcmp(known[i], m.p, m.len) == 0)
			return true;
	return false;
}

/*
 * url.full without credentials, as the HTTP semantic conventions require
 * ("MUST NOT contain credentials"; url.query "SHOULD" hide the values of
 * AWSAccessKeyId, Signature, sig, X-Goog-Signature): the library scrubs
 * every URL before it leaves the traced process, so this only matters for
 * records from an older library (a capture, a listen peer) or one run with
 * --no-redact, which an OTLP backend must not receive either.  The one
 * scrubber, common/urlscrub.c, with its default names.
 */
static void put_url(attrs *a, const char *url, size_t len)
{
	/* a listed value of 1 byte grows by 7 in at least 6 ("&sig=v") */
	size_t cap = 3 * len + 32, n;
	char *tmp = malloc(cap);

	if (tmp == NULL) {
		outbuf_fail(a->b, ENOMEM);
		return;
	}
	memcpy(tmp, url, len);
	n = ht_url_scrub(tmp, len, cap, ht_url_default_query_names, 0, NULL);
	attr_str(a, "url.full", tmp, n);
	free(tmp);
}

/*
 * A server's request target as url.path and, when it has one, url.query
 * (the conventions: "if and only if one was received"), scrubbed as
 * put_url() scrubs a URL (url.query "SHOULD" hide the same values).  The
 * fragment belongs to neither; an absolute-form target ("GET http://h/p",
 * a proxy's) gives its path, an authority-form one (CONNECT's) none.
 */
static void put_target(attrs *a, const char *t, size_t len)
{
	size_t cap = 3 * len + 32, n, ps = 0, pe, qe;
	char *tmp = malloc(cap);

	if (tmp == NULL) {
		outbuf_fail(a->b, ENOMEM);
		return;
	}
	memcpy(tmp, t, len);
	n = ht_url_scrub(tmp, len, cap, ht_url_default_query_names, 0, NULL);
	if (n > 0 && tmp[0] != '/' && tmp[0] != '*') {
		const char *sep = memmem(tmp, n, "://", 3);

		/* past "scheme://authority", or all of an authority */
		ps = sep != NULL ? (size_t)(sep - tmp) + 3 : 0;
		while (ps < n && tmp[ps] != '/' && tmp[ps] != '?' &&
		       tmp[ps] != '#')
			ps++;
	}
	pe = ps;
	while (pe < n && tmp[pe] != '?' && tmp[pe] != '#')
		pe++;
	attr_str(a, "url.path", tmp + ps, pe - ps);
	if (pe < n && tmp[pe] == '?') {
		qe = pe + 1;
		while (qe < n && tmp[qe] != '#')
			qe++;
		attr_str(a, "url.query", tmp + pe + 1, qe - pe - 1);
	}
	free(tmp);
}

/* A gRPC call's rpc.* attributes (the RPC semantic conventions up to
 * v1.37, whose rpc.grpc.status_code later ones name rpc.response.status_code)
 * and what they have no name for: its messages. */
static void grpc_attrs(attrs *a, const ht_rec_request *r)
{
	ht_grpc own;
	const ht_grpc *g = ht_grpc_own(r, &own); /* a SERVER span's: its own */
	ht_str svc, method;

	attr_strz(a, "rpc.system", "grpc");
	if (grpc_path_split(r->target.p, r->target.len, &svc, &method)) {
		attr_str(a, "rpc.service", svc.p, svc.len);
		attr_str(a, "rpc.method", method.p, method.len);
	}
	if (g->flags & HT_GF_STATUS)
		attr_int(a, "rpc.grpc.status_code", g->status);
	attr_int(a, "httptrace.grpc.messages_sent", g->msgs_sent);
	attr_int(a, "httptrace.grpc.messages_received", g->msgs_recv);
}

static void request_attrs(attrs *a, const report_req *q)
{
	const ht_rec_request *r = q->r;
	bool server = r->flags & HT_RF_SERVER;
	char ebuf[16], cid[32], ip[64];
	const char *etype = otlp_error_type(r, ebuf, sizeof(ebuf));
	ht_str ua;
	size_t n;

	if (r->method.len > 0 && known_method(r->method)) {
		attr_str(a, "http.request.method", r->method.p, r->method.len);
	} else {
		attr_strz(a, "http.request.method", "_OTHER");
		attr_str(a, "http.request.method_original", r->method.p,
			 r->method.len);
	}
	if (server) {
		/* a server's: the target's path and query, the client */
		put_target(a, r->target.p, r->target.len);
		n = url_ip(ip, sizeof(ip), &r->peer);
		if (n > 0) {
			attr_str(a, "client.address", ip, n);
			attr_int(a, "client.port", r->peer.port);
		}
	} else {
		put_url(a, q->url, q->url_len);
	}
	attr_strz(a, "url.scheme", (r->flags & HT_RF_TLS) ? "https" : "http");
	/* A server's server.address and server.port are the host and port
	 * the client asked for, from its Host or :authority (the port, when
	 * the value has none, the scheme's); without one, the URL's authority
	 * is the peer, which for a server is the client: then neither is set
	 * (a server's record has no local address). */
	if (!server || r->host.len > 0) {
		if (q->host_len > 0)
			attr_str(a, "server.address", q->host, q->host_len);
		attr_int(a, "server.port", url_port(q->url, q->url_len));
	}
	if (r->status != 0)
		attr_int(a, "http.response.status_code", r->status);
	if (etype != NULL)
		attr_strz(a, "error.type", etype);
	attr_strz(a, "network.protocol.name", "http");
	switch (r->proto) {
	case HT_PROTO_HTTP10: attr_strz(a, "network.protocol.version", "1.0"); break;
	case HT_PROTO_HTTP11: attr_strz(a, "network.protocol.version", "1.1"); break;
	case HT_PROTO_HTTP2: attr_strz(a, "network.protocol.version", "2"); break;
	default: break;
	}
	n = url_ip(ip, sizeof(ip), &r->peer);
	if (n > 0) {
		attr_str(a, "network.peer.address", ip, n);
		attr_int(a, "network.peer.port", r->peer.port);
	}
	if (!(r->flags & HT_RF_REQ_BODY_UNKNOWN))
		attr_int(a, "http.request.body.size", r->req_body_bytes);
	if (!(r->flags & HT_RF_RESP_BODY_UNKNOWN))
		attr_int(a, "http.response.body.size", r->resp_body_bytes);
	if (headers_find(r->req_headers, "user-agent", &ua) && ua.len > 0)
		attr_str(a, "user_agent.original", ua.p, ua.len);
	if (r->tls_version.len > 0) {
		ht_str v = r->tls_version;

		/* "TLSv1.3" is protocol "tls", version "1.3". */
		if (v.len > 4 && strncasecmp(v.p, "TLSv", 4) == 0) {
			attr_strz(a, "tls.protocol.name", "tls");
			attr_str(a, "tls.protocol.version", v.p + 4,
				 (size_t)v.len - 4);
		} else {
			attr_str(a, "tls.protocol.version", v.p, v.len);
		}
	}
	if (r->flags & HT_RF_GRPC)
		grpc_attrs(a, r);
	/* What the semantic conventions have no name for. */
	attr_bool(a, "httptrace.connection.reused", r->flags & HT_RF_REUSED);
	if (q->t.idle != REPORT_NONE)
		attr_double(a, "httptrace.connection.idle_ms",
			    (double)q->t.idle / 1e6);
	snprintf(cid, sizeof(cid), "%u:%u", (unsigned)r->pid,
		 (unsigned)r->conn_id);
	attr_strz(a, "httptrace.connection.id", cid);
	attr_int(a, "httptrace.request.sequence", r->req_seq);
	if (r->alpn.len > 0)
		attr_str(a, "httptrace.tls.alpn", r->alpn.p, r->alpn.len);
}

size_t otlp_spans_json(outbuf *b, const report_req *q, int64_t mono_to_unix,
		       const otlp_ids *ids)
{
	static const char *const names[OTLP_PH__COUNT] = {
		"dns", "connect", "tls", "send", "wait", "receive",
	};
	/* a server's (wire.h): no lookup; the accept to the first bytes */
	static const char *const server_names[OTLP_PH__COUNT] = {
		"dns", "accept", "tls", "read", "processing", "write",
	};
	const ht_rec_request *r = q->r;
	bool server = r->flags & HT_RF_SERVER;
	const uint64_t *ts = r->t;
	report_timing cut = q->t;
	const report_timing *t = &cut;
	/* A request that did not complete: the phase it was in (a client's
	 * send or wait, a server's read or processing) ends at the cut. */
	unsigned cut_at = report_timing_cut(r, &cut);
	/* Each phase ends at a timestamp and lasts its derived duration (so
	 * tls and wait match the other formats' definitions exactly). */
	const int64_t dur[OTLP_PH__COUNT] = {
		t->dns, t->connect, t->tls, t->send, t->wait, t->receive,
	};
	const uint64_t ends[OTLP_PH__COUNT] = {
		ts[HT_T_DNS_DONE],
		/* a server's accept phase ends at the client's first bytes */
		server ? (uint64_t)(ts[HT_T_CONNECT_DONE] + (uint64_t)t->connect)
		       : ts[HT_T_CONNECT_DONE],
		ts[HT_T_TLS_DONE],
		cut_at == HT_T_WROTE_REQUEST ? ts[HT_T_RESPONSE_DONE]
					     : ts[HT_T_WROTE_REQUEST],
		cut_at == HT_T_FIRST_BYTE ? ts[HT_T_RESPONSE_DONE]
					  : ts[HT_T_FIRST_BYTE],
		ts[HT_T_RESPONSE_DONE],
	};
	uint64_t off = (uint64_t)mono_to_unix, start = t->start, end;
	char ebuf[16];
	const char *etype = otlp_error_type(r, ebuf, sizeof(ebuf));
	attrs a = { b, true };
	size_t n = 1;
	bool other = !(r->method.len > 0 && known_method(r->method));
	const char *name = other ? "HTTP" : r->method.p;
	size_t name_len = other ? 4 : r->method.len;
	ht_str svc, method;

	/* The request ends when its response does (or it failed), or its
	 * body's last byte when that came later (an early answer); without
	 * those, at its latest timestamp. */
	end = report_request_end(r);
	if (end == 0)
		for (int i = 0; i < HT_T__COUNT; i++)
			if (i != HT_T_IDLE_SINCE && ts[i] > end)
				end = ts[i];
	if (start == 0 || start > end)
		start = end;

	/* A gRPC call's span is named as the RPC conventions name a client
	 * span: "$package.$service/$method", its path without the first '/'. */
	if ((r->flags & HT_RF_GRPC) &&
	    grpc_path_split(r->target.p, r->target.len, &svc, &method)) {
		name = svc.p;
		name_len = (size_t)(method.p + method.len - svc.p);
	}
	/* a server's span joined to its client's (join.h) is its child; a
	 * client's made inside a server request on its thread, that one's */
	const uint8_t *parent = NULL;

	if (r->join != NULL && r->join->ids) {
		if (server && r->join->pid)
			parent = r->join->span;
		else if (!server && r->join->parent_pid)
			parent = r->join->parent_span;
	}
	span_head(b, ids, ids->span, parent, name, name_len,
		  server ? KIND_SERVER : KIND_CLIENT,
		  start + off, end + off);
	outbuf_puts(b, ",\"attributes\":[");
	request_attrs(&a, q);
	outbuf_puts(b, "]");
	if (etype != NULL) {
		/* The message only for what a status code does not say. */
		outbuf_puts(b, ",\"status\":{\"code\":2");
		if (r->error != HT_ERR_NONE) {
			const char *m = ht_error_str(r->error);

			outbuf_puts(b, ",\"message\":");
			json_str(b, m, strlen(m));
		} else if (ht_grpc_failed(r) && r->grpc.message.len > 0) {
			/* what the server said of its gRPC status */
			outbuf_puts(b, ",\"message\":");
			json_str(b, r->grpc.message.p, r->grpc.message.len);
		}
		outbuf_puts(b, "}");
	}
	outbuf_puts(b, "}");

	for (int p = 0; p < OTLP_PH__COUNT; p++) {
		if (dur[p] == REPORT_NONE || dur[p] < 0 || ends[p] == 0)
			continue;
		outbuf_puts(b, ",");
		const char *pn = server ? server_names[p] : names[p];

		span_head(b, ids, ids->phase[p], ids->span, pn, strlen(pn),
			  KIND_INTERNAL,
			  ends[p] - (uint64_t)dur[p] + off, ends[p] + off);
		outbuf_puts(b, "}");
		n++;
	}
	return n;
}

/* A name lookup its process's end cut short (report_fail_lookup()): one
 * span "dns" of its own (no connection was tried), from its start to the
 * end, with the name (dns.question.name), its number in its image, and
 * what ended it: error.type "interrupted" ..., the status's message with
 * the signal ("interrupted (SIGINT)").  Returns 1, the spans written. */
static size_t lookup_cut_span(outbuf *b, const ht_rec_conn_fail *f,
			      int64_t mono_to_unix, const otlp_ids *ids)
{
	uint64_t off = (uint64_t)mono_to_unix;
	uint64_t start = f->t_dns_start ? f->t_dns_start : f->t_fail;
	uint64_t end = f->t_fail > start ? f->t_fail : start;
	const char *what = ht_error_str(f->error);
	const char *abbr = f->signal ? sigabbrev_np(f->signal) : NULL;
	attrs a = { b, true };
	char msg[64];

	if (what == NULL)
		what = "interrupted";
	if (abbr != NULL)
		snprintf(msg, sizeof(msg), "%s (SIG%s)", what, abbr);
	else
		snprintf(msg, sizeof(msg), "%s", what);
	span_head(b, ids, ids->span, NULL, "dns", 3, KIND_CLIENT,
		  start + off, end + off);
	outbuf_puts(b, ",\"attributes\":[");
	attr_str(&a, "dns.question.name", f->dns_name.p, f->dns_name.len);
	attr_int(&a, "httptrace.lookup", f->conn_id);
	attr_strz(&a, "error.type", what);
	outbuf_puts(b, "],\"status\":{\"code\":2,\"message\":");
	json_str(b, msg, strlen(msg));
	outbuf_puts(b, "}}");
	return 1;
}

size_t otlp_fail_spans_json(outbuf *b, const ht_rec_conn_fail *f,
			    int64_t mono_to_unix, const otlp_ids *ids)
{
	static const char *const names[] = { "dns", "connect", "tls" };
	bool tls = (f->flags & HT_FF_TLS) != 0;
	/* As the json format counts them: connect ends when TCP is up (or
	 * failed), tls runs from then to the failure. */
	const uint64_t from[3] = {
		f->t_dns_start, f->t_connect_start,
		tls ? report_earliest(f->t_connect_done, f->t_tls_start) : 0,
	};
	const uint64_t to[3] = {
		f->t_dns_done, tls ? f->t_connect_done : f->t_fail,
		tls ? f->t_fail : 0,
	};
	uint64_t off = (uint64_t)mono_to_unix;
	uint64_t start = report_earliest(
		report_earliest(f->t_dns_start, f->t_connect_start), f->t_fail);
	uint64_t end = f->t_fail ? f->t_fail : start;
	const char *etype = tls ? "tls_handshake_failed" : strerrorname_np(f->err);
	const char *msg = tls ? "TLS handshake failed" : strerror(f->err);
	char detail[80], tls_msg[112];
	const char *d = report_tls_fail_detail(f, detail, sizeof(detail));
	if (d != NULL) {
		/* a handshake no hook decoded: what its records showed */
		snprintf(tls_msg, sizeof(tls_msg), "TLS handshake failed: %s", d);
		msg = tls_msg;
	}

	if (report_fail_lookup(f))
		return lookup_cut_span(b, f, mono_to_unix, ids);
	if (f->flags & HT_FF_FROM_PAGE) /* its process's end cut it short */
		etype = msg = ht_error_str(f->error);
	attrs a = { b, true };
	char ip[64];
	size_t n = 1, iplen = url_ip(ip, sizeof(ip), &f->peer);

	if (end < start)
		end = start;
	span_head(b, ids, ids->span, NULL, "connect", 7, KIND_CLIENT,
		  start + off, end + off);
	outbuf_puts(b, ",\"attributes\":[");
	if (f->dns_name.len > 0)
		attr_str(&a, "server.address", f->dns_name.p, f->dns_name.len);
	else if (iplen > 0)
		attr_str(&a, "server.address", ip, iplen);
	if (f->peer.family != 0)
		attr_int(&a, "server.port", f->peer.port);
	if (iplen > 0) {
		attr_str(&a, "network.peer.address", ip, iplen);
		attr_int(&a, "network.peer.port", f->peer.port);
	}
	attr_strz(&a, "error.type", etype != NULL ? etype : "_OTHER");
	outbuf_puts(b, "],\"status\":{\"code\":2,\"message\":");
	json_str(b, msg, strlen(msg));
	outbuf_puts(b, "}}");
	for (int p = 0; p < 3; p++) {
		if (from[p] == 0 || to[p] == 0 || to[p] < from[p])
			continue;
		outbuf_puts(b, ",");
		span_head(b, ids, ids->phase[p], ids->span, names[p],
			  strlen(names[p]), KIND_INTERNAL, from[p] + off,
			  to[p] + off);
		outbuf_puts(b, "}");
		n++;
	}
	return n;
}

/* The attributes of one direction of a WebSocket session, under
 * httptrace.websocket.@dir. */
static void ws_dir_attrs(attrs *a, const char *dir, const ht_ws_dir *d)
{
	static const char *const names[] = {
		"messages", "text", "binary", "bytes", "pings", "pongs",
	};
	const uint64_t v[] = {
		d->messages, d->text, d->binary, d->bytes, d->pings, d->pongs,
	};
	char key[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(key, sizeof(key), "httptrace.websocket.%s.%s", dir,
			 names[i]);
		attr_int(a, key, v[i]);
	}
	if (d->t_close == 0)
		return;
	snprintf(key, sizeof(key), "httptrace.websocket.%s.close_code", dir);
	attr_int(a, key, d->close_code);
	snprintf(key, sizeof(key), "httptrace.websocket.%s.close_reason", dir);
	attr_str(a, key, d->close_reason.p, d->close_reason.len);
}

size_t otlp_ws_spans_json(outbuf *b, const report_ws *s,
			  int64_t mono_to_unix, const otlp_ids *ids)
{
	const ht_rec_ws *w = s->w;
	uint64_t off = (uint64_t)mono_to_unix;
	uint64_t end = w->t_end >= w->t_start ? w->t_end : w->t_start;
	attrs a = { b, true };
	char ip[64];
	size_t iplen = url_ip(ip, sizeof(ip), &w->peer);
	uint32_t errors = w->dir[0].errors + w->dir[1].errors;
	const char *etype = NULL;

	if (w->flags & HT_WF_LOST)
		etype = "not_followed";
	else if (w->flags & HT_WF_RESET)
		etype = "connection_reset";
	else if (errors > 0)
		etype = "protocol_error";
	span_head(b, ids, ids->span, NULL, "websocket", 9, KIND_CLIENT,
		  w->t_start + off, end + off);
	outbuf_puts(b, ",\"attributes\":[");
	attr_str(&a, "url.full", s->url, s->url_len);
	attr_strz(&a, "network.protocol.name", "websocket");
	if (w->dns_name.len > 0)
		attr_str(&a, "server.address", w->dns_name.p, w->dns_name.len);
	else if (iplen > 0)
		attr_str(&a, "server.address", ip, iplen);
	if (w->peer.family != 0 && w->peer.family != HT_AF_UNIX)
		attr_int(&a, "server.port", w->peer.port);
	if (iplen > 0) {
		attr_str(&a, "network.peer.address", ip, iplen);
		attr_int(&a, "network.peer.port", w->peer.port);
	}
	ws_dir_attrs(&a, "sent", &w->dir[0]);
	ws_dir_attrs(&a, "received", &w->dir[1]);
	if (s->closed_by != NULL)
		attr_strz(&a, "httptrace.websocket.closed_by", s->closed_by);
	if (w->rtt[0].n > 0) {
		attr_int(&a, "httptrace.websocket.ping_rtt_count", w->rtt[0].n);
		attr_double(&a, "httptrace.websocket.ping_rtt_avg_ms",
			    (double)(w->rtt[0].sum / w->rtt[0].n) / 1e6);
		attr_double(&a, "httptrace.websocket.ping_rtt_max_ms",
			    (double)w->rtt[0].max / 1e6);
	}
	if (etype != NULL)
		attr_strz(&a, "error.type", etype);
	outbuf_puts(b, "]");
	if (etype != NULL) {
		outbuf_puts(b, ",\"status\":{\"code\":2,\"message\":");
		json_str(b, etype, strlen(etype));
		outbuf_puts(b, "}");
	}
	outbuf_puts(b, "}");
	return 1;
}

int otlp_random_ids(otlp_ids *ids)
{
	uint8_t *p = (uint8_t *)ids;
	size_t got = 0;

	while (got < sizeof(*ids)) {
		ssize_t r = getrandom(p + got, sizeof(*ids) - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	/* An all-zero id is invalid: one bit set rules it out for good. */
	ids->trace[15] |= 1;
	ids->span[7] |= 1;
	for (int i = 0; i < OTLP_PH__COUNT; i++)
		ids->phase[i][7] |= 1;
	return 0;
}
