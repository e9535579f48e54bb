/*
 * conn.c - per-connection request lifecycle state machine (see conn.h):
 * the HTTP/1.x request queue, the request side, and the dispatch of a
 * connection's bytes by mode.  A request's record is made in conn_emit.c,
 * the response side is in conn_resp.c, opening a connection (connect,
 * TLS, tunnels) in conn_open.c, its end (giving up, EOF, reset, close,
 * exit, fork) in conn_end.c.
 */
#include "conn_internal.h"
#include "copy.h"
#include "urlscrub.h"

#include <string.h>

#include "http2.h"

size_t conn_copy_cstr(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* The @n bytes at @src (no NUL among them) into @dst of @cap bytes,
 * truncated to fit and NUL-terminated, as copy_cstr() copies; returns the
 * length copied. */
static inline size_t copy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	ht_copy_short(dst, src, n); /* a method, a target, a Host */
	dst[n] = '\0';
	return n;
}

/* Is the NUL-terminated @method @want?  The first byte rules out most
 * methods with no call (a GET is neither HEAD nor CONNECT). */
static inline bool method_is(const char *method, const char *want)
{
	return method[0] == want[0] && strcmp(method, want) == 0;
}

bool conn_wants_bytes(const conn *c)
{
	if (c->mode == CONN_MODE_TLS)
		return !c->dead && !c->tlsrec.bad && !c->tlsrec.t_done;
	return !c->dead && c->mode != CONN_MODE_OPAQUE;
}

/* ---- the request queue --------------------------------------------------- */

/* The queue is full: grow it to CONN_PIPELINE_MAX, once.  Returns false
 * when it cannot grow (no memory, or grown already). */
static bool q_grow(conn *c)
{
	if (c->q_big || !c->env->alloc)
		return false;
	conn_request *big = c->env->alloc(CONN_PIPELINE_MAX * sizeof *big);
	if (!big)
		return false;
	for (unsigned i = 0; i < c->q_len; i++)
		memcpy(&big[i], q_at(c, i), sizeof *big);
	c->q_big = big;
	c->q_head = 0;
	return true;
}

void conn_queue_free(conn *c)
{
	if (c->q_big && c->env->release)
		c->env->release(c->q_big, CONN_PIPELINE_MAX * sizeof *c->q_big);
	c->q_big = NULL;
	c->q_head = c->q_len = 0;
}

/* ---- request side ------------------------------------------------------- */

static void on_request_begin(conn *c, uint64_t now)
{
	bool idle = c->q_len == 0 && c->q_untracked == 0;
	if (c->q_blind || (c->q_len == q_cap(c) && !q_grow(c))) {
		/* Deeper pipelining than we follow, or after a response we
		 * cannot frame: untracked, reported once written; its
		 * response will be skipped. */
		conn_request_begin(c, &c->spill, false, now);
		c->spill_active = true;
		c->q_untracked++;
		return;
	}
	c->spill_active = false;
	conn_request *r = q_at(c, c->q_len);
	conn_request_begin(c, r, idle, now);
	r->skip = c->q_untracked;
	c->q_untracked = 0;
	c->q_len++;
}

/* The request being written: the untracked one, else the newest queued. */
static conn_request *writing(conn *c)
{
	return c->spill_active ? &c->spill : q_newest(c);
}

void conn_request_begin(conn *c, conn_request *r, bool idle, uint64_t now)
{
	memset(r, 0, offsetof(conn_request, method));
	r->method[0] = r->target[0] = r->host[0] = '\0';
	r->hdrs_len = 0;
	c->nreq++;
	r->seq = c->nreq;
	r->t[HT_T_GOT_CONN] = now;
	if (!c->server)
		thread_client(c, r);
	if (c->nreq == c->inner_base + 1) {
		/* The connection's moments count for its first request; inside
		 * a tunnel, the connect lasts until the tunnel was up. */
		r->t[HT_T_DNS_START] = c->t_dns_start;
		r->t[HT_T_DNS_DONE] = c->t_dns_done;
		r->t[HT_T_CONNECT_START] = c->t_connect_start;
		r->t[HT_T_CONNECT_DONE] = c->tunnel[0] ? c->t_tunnel_done
							  : c->t_connect_done;
		r->t[HT_T_TLS_START] = c->t_tls_start;
		r->t[HT_T_TLS_DONE] = c->t_tls_done;
		/* the request shows the connection's moments from here */
		conn_live_conn_end(c);
	} else {
		r->flags |= HT_RF_REUSED;
		if (idle && c->t_idle_since) {
			r->flags |= HT_RF_WAS_IDLE;
			r->t[HT_T_IDLE_SINCE] = c->t_idle_since;
		}
	}
	c->t_idle_since = 0;
}

/* The credentials out of @r's target (of @n bytes; an authority when
 * @method is CONNECT) and host (of @hn bytes) (urlscrub.h), with the query parameter
 * names @names.  The usual target, origin-form
 * without a query, costs one look for its '?'; one with a query has its
 * parameters scrubbed with no second look (ht_url_scrub_query()), or only
 * scanned when none can be listed (ht_url_query_plain()); a Host
 * without '@' costs one look for that. */
static void scrub_request_urls(conn_request *r, size_t n, size_t hn,
			       const char *const *names, uint32_t mask,
			       const char *method)
{
	bool lost = false;
	unsigned flags;
	const char *q = r->target[0] == '/' ? memchr(r->target, '?', n) : NULL;

	/* (the target is NUL-terminated: [1] is there when n is 1) */
	if (q && r->target[1] != '/' && !method_is(method, "CONNECT")) {
		/* origin-form: no authority, nothing of HT_URL_CUT to do;
		 * nothing at all when no parameter can be listed */
		if (!ht_url_query_plain(r->target, n, (size_t)(q - r->target),
					mask)) {
			n = ht_url_scrub_query(r->target, n,
					       sizeof r->target - 1,
					       (size_t)(q - r->target), names,
					       mask, &lost);
			r->target[n] = '\0';
			r->target_len = (uint16_t)n;
			if (lost)
				r->flags |= HT_RF_TARGET_TRUNC;
		}
	} else if (r->target[0] != '/' || q) {
		flags = method_is(method, "CONNECT") ? HT_URL_AUTHORITY : 0;
		if (r->flags & HT_RF_TARGET_TRUNC)
			flags |= HT_URL_CUT;
		n = ht_url_scrub_masked(r->target, n, sizeof r->target - 1,
					names, mask, flags, &lost);
		r->target[n] = '\0';
		r->target_len = (uint16_t)n;
		if (lost)
			r->flags |= HT_RF_TARGET_TRUNC;
	}
	n = hn;
	if (n == sizeof r->host - 1 || memchr(r->host, '@', n) != NULL) {
		/* the parser keeps a Host value to this size: it may be cut */
		flags = HT_URL_AUTHORITY;
		if (n == sizeof r->host - 1)
			flags |= HT_URL_CUT;
		n = ht_url_scrub_masked(r->host, n, sizeof r->host - 1, names,
					mask, flags, NULL);
		r->host[n] = '\0';
		r->host_len = (uint16_t)n;
	}
}

/* conn_request_names(), inlined where every request's head passes (a call
 * of its own cost ~40 instructions a request: the review of a7ba96d) */
static inline __attribute__((always_inline)) void
request_names(conn_request *r, const h1_options *opt, const char *method,
	      size_t mlen, const char *target, size_t tlen,
	      bool target_truncated, const char *host, size_t hlen)
{
	size_t n, hn;

	if (target_truncated)
		r->flags |= HT_RF_TARGET_TRUNC;
	r->method_len = (uint16_t)copy_n(r->method, sizeof r->method, method,
					 mlen);
	n = copy_n(r->target, sizeof r->target, target, tlen);
	hn = copy_n(r->host, sizeof r->host, host, hlen);
	r->target_len = (uint16_t)n;
	r->host_len = (uint16_t)hn;
	if (opt != NULL && opt->redact_query != NULL) {
		scrub_request_urls(r, n, hn, opt->redact_query,
				   opt->redact_query_mask, method);
	}
}

/* The length of the NUL-terminated @s (NULL: empty) as copy_cstr() would
 * copy it into @cap bytes. */
static inline size_t cstr_len(const char *s, size_t cap)
{
	return s ? strnlen(s, cap - 1) : 0;
}

void conn_request_names(conn_request *r, const h1_options *opt,
			const char *method, const char *target,
			bool target_truncated, const char *host)
{
	request_names(r, opt, method, cstr_len(method, sizeof r->method),
		      target, cstr_len(target, sizeof r->target),
		      target_truncated, host, cstr_len(host, sizeof r->host));
}

/* conn_request_headers(), inlined for HTTP/1.x's requests. */
static inline __attribute__((always_inline)) void
request_head(conn_request *r, const h1_options *opt, uint64_t now,
	     const char *method, size_t mlen, const char *target, size_t tlen,
	     bool target_truncated, const char *host, size_t hlen,
	     const char *hdrs, uint32_t hdrs_len, bool hdrs_truncated,
	     uint32_t header_bytes)
{
	r->headers_done = true;
	r->t[HT_T_WROTE_HEADERS] = now;
	r->header_bytes = header_bytes;
	r->head = method_is(method, "HEAD");
	if (hdrs_truncated)
		r->flags |= HT_RF_HDR_TRUNC;
	request_names(r, opt, method, mlen, target, tlen, target_truncated,
		      host, hlen);
	r->hdrs_len = hdrs_len < sizeof r->hdrs ? hdrs_len : sizeof r->hdrs;
	memcpy(r->hdrs, hdrs, r->hdrs_len);
}

void conn_request_headers(conn_request *r, const h1_options *opt,
			  uint64_t now, const char *method, size_t mlen,
			  const char *target, size_t tlen,
			  bool target_truncated, const char *host, size_t hlen,
			  const char *hdrs, uint32_t hdrs_len,
			  bool hdrs_truncated, uint32_t header_bytes)
{
	request_head(r, opt, now, method, mlen, target, tlen, target_truncated,
		     host, hlen, hdrs, hdrs_len, hdrs_truncated, header_bytes);
}

static void on_request_headers(conn *c, uint64_t now)
{
	conn_request *r = writing(c);
	if (!r)
		return;
	const h1_message *m = &c->out.msg;
	request_head(r, c->env->opt, now, m->method, m->method_len, m->target,
		     m->target_len, m->target_truncated, m->host, m->host_len,
		     m->hdrs, m->hdrs_len, m->hdrs_truncated, m->header_bytes);
	r->proto = proto_of(m);
	r->keep_alive = m->keep_alive;
	r->closes = m->closes;
	r->connect = method_is(m->method, "CONNECT");
	r->h2c = m->upgrade_h2c;
	r->websocket = m->upgrade_websocket;
	/* The response to an untracked HEAD or CONNECT cannot be framed
	 * without it: nothing after it can be paired. */
	if (c->spill_active && (r->head || r->connect))
		c->q_blind = true;
	conn_live_start(c, r, 0);
}

/* The request being written is whole: written at @wrote, at @now. */
static void request_complete_at(conn *c, uint64_t wrote, uint64_t now)
{
	conn_request *r = writing(c);
	if (!r)
		return;
	r->written = true;
	r->t[HT_T_WROTE_REQUEST] = wrote;
	if (c->server)
		conn_thread_served(c, r, !c->spill_active);
	r->body_bytes = c->out.msg.body_bytes;
	conn_live_sync(r, HT_T_WROTE_REQUEST);
	if (c->spill_active) {
		c->spill_active = false;
		conn_emit_request(c, r, HT_ERR_OVERFLOW, NULL, now);
		return;
	}
	/* answered before it was all written: its record now */
	if (r->answered)
		conn_emit_early(c, now);
	/* Its response will not be followed (conn_on_unseen()): say so now
	 * (it is the only request in flight, the others were emitted). */
	if (c->unseen)
		fail_all(c, c->unseen_error, now);
}

void on_request_complete(conn *c, uint64_t now)
{ request_complete_at(c, now, now); }

/* Whether @len bytes of @buf, written after an answered "Expect:
 * 100-continue", hold a whole request line (METHOD SP target SP HTTP/1.x):
 * else they are the body the client sends anyway. */
static bool request_line_whole(const uint8_t *buf, size_t len)
{
	static const char v[] = " HTTP/1.";
	const uint8_t *nl = memchr(buf, '\n', len);
	size_t n;

	if (nl == NULL || !conn_looks_like_http(buf, len))
		return false;
	n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return n >= sizeof v && memcmp(buf + n - sizeof v, v, sizeof v - 1) == 0;
}

/* The HTTP/2 client connection preface (RFC 9113, 3.4). */
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

bool conn_looks_like_http(const uint8_t *buf, size_t len)
{
	size_t n = len < sizeof h2_preface - 1 ? len : sizeof h2_preface - 1;
	if (n > 0 && memcmp(buf, h2_preface, n) == 0)
		return true;
	/* METHOD SP TARGET: methods are upper-case letters (GET, M-SEARCH,
	 * PROPFIND...), the target starts with '/', '*' or a letter
	 * (absolute or authority form). */
	size_t i = 0;
	while (i < len && i < H1_METHOD_MAX &&
	       ((buf[i] >= 'A' && buf[i] <= 'Z') || buf[i] == '-' || buf[i] == '_'))
		i++;
	if (i == len)
		return i > 0 && i < H1_METHOD_MAX; /* the method so far */
	if (i == 0 || buf[i] != ' ')
		return false;
	if (++i == len)
		return true;
	uint8_t t = buf[i];
	if (!(t == '/' || t == '*' || (t >= 'a' && t <= 'z') ||
	      (t >= 'A' && t <= 'Z') || (t >= '0' && t <= '9') || t == '['))
		return false;
	/* A whole request line ends with " HTTP/d.d" (a Redis inline
	 * "GET key" does not). */
	const uint8_t *nl = memchr(buf + i, '\n', len - i);
	if (!nl)
		return true;
	size_t end = (size_t)(nl - buf);
	if (end > 0 && buf[end - 1] == '\r')
		end--;
	return end >= i + 9 && memcmp(buf + end - 9, " HTTP/", 6) == 0 &&
	       buf[end - 3] >= '0' && buf[end - 3] <= '9' && buf[end - 2] == '.' &&
	       buf[end - 1] >= '0' && buf[end - 1] <= '9';
}

/* Which protocol the first bytes a client writes speak. */
static conn_mode detect_mode(const uint8_t *buf, size_t len)
{
	size_t n = len < sizeof h2_preface - 1 ? len : sizeof h2_preface - 1;
	if (n >= 4 && memcmp(buf, h2_preface, n) == 0)
		return CONN_MODE_HTTP2;
	return CONN_MODE_HTTP1;
}

/* The server spoke first with @len bytes of @buf: keep them while they can
 * begin an HTTP/2 server preface and fit.  Returns false when they cannot
 * (then the connection is not one we follow). */
static bool keep_early(conn *c, const uint8_t *buf, size_t len)
{
	if (len > sizeof c->early - c->early_len)
		return false;
	memcpy(c->early + c->early_len, buf, len);
	c->early_len += (uint32_t)len;
	return h2_server_preface_start(c->early, c->early_len);
}

/* An HTTP/1.x client's server spoke first at @now, with bytes no response
 * begins with (or an HTTP/2 preface): its requests are followed as written,
 * each reported as not followed, never paired with bytes that may be
 * anything. */
static void server_spoke_first(conn *c, uint64_t now)
{
	conn_give_up(c, HT_ERR_DESYNC,
		     "the server spoke first: a connection not followed", now);
}

/* The client's first write chose the mode while the server's first bytes
 * were kept: they are HTTP/2's server preface, read first (they came
 * first, and their SETTINGS bind the client's header encoder), or the
 * connection is not one we follow. */
static void replay_early(conn *c, uint64_t now)
{
	uint32_t n = c->early_len;
	c->early_len = 0;
	if (c->mode == CONN_MODE_HTTP1) {
		server_spoke_first(c, now);
		return;
	}
	if (c->mode != CONN_MODE_HTTP2) {
		c->mode = CONN_MODE_OPAQUE;
		return;
	}
	conn_h2_read(c, c->early, n, now);
}

/* TLS no hook decodes (CONN_MODE_TLS): @len bytes @buf of its records
 * moved at @now (@out: written).  What the live slot shows of them (the
 * ClientHello's name and start, the handshake's end, or that the records
 * are not followed any more) goes there when it changed. */
static void raw_tls_feed(conn *c, bool out, const uint8_t *buf, size_t len,
			 uint64_t now)
{
	const tlsrec *t = &c->tlsrec;
	bool hello = t->client_hello, done = t->t_done != 0, bad = t->bad;

	tlsrec_feed(&c->tlsrec, out, buf, len, now);
	if (hello != t->client_hello || done != (t->t_done != 0) ||
	    bad != t->bad)
		conn_live_conn_sync(c);
}

/* Bytes came after a malformed request, whose end is not known: the
 * requests among them cannot be framed, nor counted one by one.  A note
 * says so, once. */
static void requests_lost_note(conn *c)
{
	c->requests_lost = false;
	conn_note(c, c->server ?
		     "bytes read after a malformed request: a server "
		     "connection not followed from there on" :
		     "bytes written after a malformed request: a "
		     "connection not followed from there on");
}

void conn_unserved_note(conn *c)
{
	if (c->unserved_noted)
		return;
	c->unserved_noted = true;
	conn_note(c, "bytes a server read that it did not serve (read after "
		     "its response that closed the connection, or after "
		     "it shut its writing side): not reported as requests");
}

void conn_drop_unserved(conn *c, unsigned keep)
{
	bool dropped = false;

	if (c->mode != CONN_MODE_HTTP1)
		return;
	if (c->spill_active) {
		/* the newest: untracked, being read */
		c->spill_active = false;
		conn_live_end(c, &c->spill);
		thread_end(c, &c->spill);
		c->nreq--;
		dropped = true;
	}
	while (c->q_len > keep && !q_newest(c)->t[HT_T_FIRST_BYTE]) {
		conn_request *r = q_newest(c);

		conn_live_end(c, r);
		thread_end(c, r);
		c->q_len--;
		c->nreq--;
		dropped = true;
	}
	if (dropped)
		conn_unserved_note(c);
}

void conn_request_cut(conn *c, unsigned error, uint64_t now)
{
	conn_request *r = q_newest(c);
	const h1_message *m = &c->out.msg;
	uint64_t t = c->t_out_last ? c->t_out_last : now;

	if (!r->headers_done) {
		/* as far as its request line was read whole */
		unsigned line = h1_request_line_read(&c->out);

		if (error == HT_ERR_HEAD_CUT)
			h1_finish_head(&c->out);
		const char *mt = line >= 1 ? m->method : "";
		const char *tg = line >= 2 ? m->target : "";
		request_head(r, c->env->opt, t, mt,
			     cstr_len(mt, sizeof r->method), tg,
			     cstr_len(tg, sizeof r->target),
			     line >= 2 && m->target_truncated, m->host,
			     cstr_len(m->host, sizeof r->host), m->hdrs,
			     m->hdrs_len, m->hdrs_truncated, m->header_bytes);
		r->proto = line >= 3 ? proto_of(m) : HT_PROTO_UNKNOWN;
		conn_live_start(c, r, 0);
	}
	r->req_error = (uint8_t)error;
	r->written = true;
	r->t[HT_T_WROTE_REQUEST] = t;
	r->body_bytes = m->body_bytes;
	conn_thread_served(c, r, true);
	conn_live_sync(r, HT_T_WROTE_REQUEST);
	/* answered before it ended: its record now */
	if (r->answered)
		conn_emit_early(c, now);
}

void conn_request_head_cut(conn *c, uint64_t now)
{
	conn_request *r = q_newest(c);
	unsigned line = h1_request_line_read(&c->out);

	if (c->mode != CONN_MODE_HTTP1 || c->dead || c->spill_active ||
	    c->srv_closing || r == NULL || r->headers_done ||
	    h1_state(&c->out) != H1_ST_HEADERS)
		return;
	/* a line cut before its version with a method none of HTTP's may
	 * be another protocol's (conn_never_http()): left as it was */
	if (line < 3 && !(line >= 1 && conn_http_method(c->out.msg.method)))
		return;
	conn_request_cut(c, HT_ERR_HEAD_CUT, now);
}

/* A server's request parser failed at @now: the request it was reading
 * ends there, as a malformed request, and waits for the response the
 * server may write anyway (a 400, a 505).  False when no request began
 * with these bytes (or it is untracked): as a client's then. */
static bool server_bad_request(conn *c, uint64_t now)
{
	conn_request *r = q_newest(c);

	if (!c->server || c->spill_active || r == NULL || r->written)
		return false;
	conn_request_cut(c, HT_ERR_BAD_REQUEST, now);
	if (c->unseen)
		fail_all(c, c->unseen_error, now);
	/* what it reads next cannot be framed: said at its next read */
	c->requests_lost = true;
	return true;
}

/* Whether a server connection's bytes read at this point are no request
 * it serves: after a malformed request (its parser failed), or once it
 * is closing (srv_closing), unless they continue the request it still
 * owes an answer to. */
static bool server_reads_unserved(conn *c)
{
	conn_request *r = q_newest(c);

	if (h1_state(&c->out) == H1_ST_ERROR)
		return true;
	return c->srv_closing && (r == NULL || r->written || c->spill_active);
}

void conn_on_write(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	if (!c->tls)
		c->bytes_out += len;
	if (!conn_wants_bytes(c) || len == 0) {
		if (c->requests_lost && len > 0)
			requests_lost_note(c);
		return;
	}
	if (!c->connected && !c->failed)
		conn_connected(c, now); /* a write succeeded: connected */
	if (c->mode == CONN_MODE_DETECT && c->early_len &&
	    !h2_server_preface_start(c->early, c->early_len)) {
		/* kept as the start of a response (conn_on_read()): the
		 * server spoke first, with no HTTP/2 preface */
		c->early_len = 0;
		c->early_foreign = true;
	}
	if (c->mode == CONN_MODE_DETECT && c->early_foreign) {
		/* The server spoke first, with no HTTP/2 preface: HTTP/1.x
		 * requests are still counted, anything else is not ours. */
		c->early_foreign = false;
		if (!conn_looks_like_http(buf, len)) {
			c->mode = CONN_MODE_OPAQUE;
			conn_live_conn_end(c);
			return;
		}
		if (detect_mode(buf, len) == CONN_MODE_HTTP2) {
			/* its streams cannot be followed: a note says so */
			conn_live_conn_end(c);
			conn_give_up(c, HT_ERR_DESYNC, "an HTTP/2 client whose "
				     "server spoke first with no HTTP/2 "
				     "preface: a connection not followed", now);
			return;
		}
		c->mode = CONN_MODE_HTTP1;
		server_spoke_first(c, now);
	}
	if (c->mode == CONN_MODE_DETECT) {
		if (!c->tls && tlsrec_starts(buf, len)) {
			/* TLS no hook claimed (yet): follow its records */
			c->mode = CONN_MODE_TLS;
			tlsrec_init(&c->tlsrec);
		} else if (!c->tls && !c->tunnel[0] && c->nreq == 0 &&
			   socks_starts(buf[0])) {
			/* a SOCKS proxy: its handshake, then the tunnel */
			c->mode = CONN_MODE_SOCKS;
			socks_init(&c->socks);
		} else {
			c->mode = detect_mode(buf, len);
			if (c->mode == CONN_MODE_HTTP2 && conn_h2_start(c) != 0)
				c->mode = CONN_MODE_OPAQUE;
		}
		if (c->mode == CONN_MODE_OPAQUE)
			conn_live_conn_end(c); /* no request will come */
		if (c->early_len)
			replay_early(c, now);
	}
	if (c->mode == CONN_MODE_TLS) {
		raw_tls_feed(c, true, buf, len, now);
		return;
	}
	if (c->mode == CONN_MODE_SOCKS) {
		socks_write(c, buf, len);
		return;
	}
	if (c->mode == CONN_MODE_HTTP2) {
		conn_h2_write(c, buf, len, now);
		return;
	}
	if (c->mode == CONN_MODE_WS) {
		conn_ws_feed(c, true, buf, len, now);
		return;
	}
	if (c->mode != CONN_MODE_HTTP1)
		return;

	if (c->server && server_reads_unserved(c)) {
		if (h1_state(&c->out) != H1_ST_ERROR)
			conn_unserved_note(c);
		else if (c->requests_lost)
			requests_lost_note(c);
		return;
	}
	c->t_out_last = now;
	if (c->expect_refused) { /* a request next: it ended at its head */
		c->expect_refused = false;
		conn_request *r = writing(c);
		if (r != NULL && request_line_whole(buf, len) &&
		    h1_request_unsent_body(&c->out))
			request_complete_at(c, r->t[HT_T_WROTE_HEADERS], now);
	}
	while (len > 0) {
		h1_event ev;
		size_t n = h1_feed(&c->out, buf, len, &ev);
		buf += n;
		len -= n;
		if (ev & H1_EV_ERROR) {
			if (conn_never_http(c)) {
				/* Not HTTP/1.x (a protocol we do not follow):
				 * stop looking at this connection's bytes. */
				c->mode = CONN_MODE_OPAQUE;
				conn_live_conn_end(c);
				conn_forget_first(c);
			} else if (server_bad_request(c, now)) {
				/* the rest of these bytes are likely its own */
			} else {
				c->mode = CONN_MODE_OPAQUE;
				conn_live_conn_end(c);
				fail_all(c, HT_ERR_BAD_REQUEST, now);
				/* later writes may be requests: said at the
				 * next one (the rest of this one is likely
				 * the malformed request's own) */
				c->requests_lost = true;
			}
			return;
		}
		if ((ev & H1_EV_BEGIN) && c->srv_closing) {
			/* a server closing the connection reads a request it
			 * will not serve (it answered the last one it does
			 * before it read the first byte of this one) */
			conn_unserved_note(c);
			return;
		}
		if (ev & H1_EV_BEGIN)
			on_request_begin(c, now);
		if (ev & H1_EV_HEADERS)
			on_request_headers(c, now);
		if (ev & H1_EV_COMPLETE)
			on_request_complete(c, now);
		if (h1_state(&c->out) == H1_ST_TUNNEL)
			return;
	}
	/* a request head still being written: its slot shows what it told */
	if (h1_state(&c->out) == H1_ST_HEADERS)
		conn_live_head_part(c);
}

/* What a client connection's server said first, with nothing written seen
 * yet: the kept bytes then @len of @buf begin "HTTP/1." (RESP_IS), may
 * still (RESP_MAYBE: fewer than 7 bytes so far), or do not (RESP_NOT). */
enum { RESP_NOT, RESP_MAYBE, RESP_IS };
static int response_first(const conn *c, const uint8_t *buf, size_t len)
{
	static const char start[] = "HTTP/1.";
	const size_t want = sizeof start - 1;
	uint8_t head[sizeof start - 1];
	size_t n = 0;

	for (size_t i = 0; i < c->early_len && n < want; i++)
		head[n++] = c->early[i];
	for (size_t i = 0; i < len && n < want; i++)
		head[n++] = buf[i];
	if (n == 0 || memcmp(head, start, n) != 0)
		return RESP_NOT;
	return n == want ? RESP_IS : RESP_MAYBE;
}

/* Whether @len bytes of @buf the peer wrote begin, or go on with, an
 * answer that is HTTP's as far as they reach ("HTTP/" across reads). */
static bool answer_continues_http(const conn *c, const uint8_t *buf,
				  size_t len)
{
	unsigned held = h1_response_prefix_read(&c->in);

	switch (h1_state(&c->in)) {
	case H1_ST_IDLE:
		return status_line_start(0, buf, len);
	case H1_ST_ERROR:
		return false;
	default:
		return !held || status_line_start(held, buf, len);
	}
}

void conn_on_read(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	if (!c->tls)
		c->bytes_in += len;
	if (!conn_wants_bytes(c) || len == 0 ||
	    (c->mode == CONN_MODE_HTTP1 && !h1_responses_followed(c)))
		return;
	if (!c->connected && !c->failed)
		conn_connected(c, now);
	if (c->mode == CONN_MODE_DETECT && c->early_foreign)
		return; /* more of what the server said first */
	if (c->mode == CONN_MODE_DETECT && !c->tls && c->early_len == 0 &&
	    tlsrec_starts(buf, len)) {
		/* A TLS server's flight seen before the ClientHello it
		 * answers: the hooks of two threads (a reader and a writer)
		 * reported out of order.  Each direction's records are
		 * followed on their own: the ClientHello still counts.  Only
		 * the server's first bytes: later ones continue what is
		 * kept (an HTTP/2 preface split anywhere). */
		c->mode = CONN_MODE_TLS;
		tlsrec_init(&c->tlsrec);
	}
	if (c->mode == CONN_MODE_DETECT && !c->server) {
		/* An HTTP/1.x response with no request seen: the request
		 * went out by a write no hook sees (stdio's own, inside libc:
		 * bash's printf to a /dev/tcp fd; a raw system call).  Said
		 * once, never paired; the bytes are kept until they say
		 * (a reader of one byte at a time). */
		int r = response_first(c, buf, len);
		if (r == RESP_MAYBE &&
		    len <= sizeof c->early - c->early_len) {
			memcpy(c->early + c->early_len, buf, len);
			c->early_len += (uint32_t)len;
			return;
		}
		if (r == RESP_IS) {
			conn_note(c, "an HTTP/1.x response read on a "
				     "connection where no request was seen "
				     "written (a write the tracer cannot "
				     "see: stdio's inside libc, a raw system "
				     "call): its request not followed");
			c->early_len = 0;
			c->early_foreign = true;
			return;
		}
	}
	if (c->mode == CONN_MODE_DETECT) {
		/* The server spoke first: an HTTP/2 server's preface, kept
		 * until the client writes, or not a protocol we follow. */
		if (!keep_early(c, buf, len)) {
			c->early_len = 0;
			/* a client's first write still says whether it is
			 * HTTP (a server's never does: hook_io.c) */
			if (c->server)
				c->mode = CONN_MODE_OPAQUE;
			else
				c->early_foreign = true;
		}
		return;
	}
	if (c->mode == CONN_MODE_TLS) {
		raw_tls_feed(c, false, buf, len, now);
		return;
	}
	if (c->mode == CONN_MODE_SOCKS) {
		size_t n = socks_read(c, buf, len, now);
		if (c->mode == CONN_MODE_DETECT && n < len)
			conn_on_read(c, buf + n, len - n, now);
		return;
	}
	if (c->mode == CONN_MODE_HTTP2) {
		conn_h2_read(c, buf, len, now);
		return;
	}
	if (c->mode == CONN_MODE_WS) {
		conn_ws_feed(c, false, buf, len, now);
		return;
	}

	/* The peer answered bytes that never formed a method and its SP
	 * (an echo of "foo"): they were no request.  An answer that begins
	 * as HTTP's ("HTTP/1.1 400") says they were one. */
	if (!answer_continues_http(c, buf, len) && conn_drop_unformed(c, true))
		return;
	/* Bytes after an early answer while its request is still being
	 * written: no response of it (a second one, unasked for); its
	 * record goes out before they are parsed. */
	if (c->early_answer)
		conn_emit_early(c, now);
	c->t_in_last = now;
	while (len > 0) {
		h1_event ev;
		if (c->server && h1_state(&c->in) == H1_ST_IDLE) {
			server_answer_09(c, 0, buf, len, now);
		} else if (c->server) {
			unsigned held = h1_response_prefix_read(&c->in);

			if (held)
				server_answer_09(c, held, buf, len, now);
		}
		size_t n = h1_feed(&c->in, buf, len, &ev);
		buf += n;
		len -= n;
		if (ev & H1_EV_ERROR) {
			conn_responses_lost(c, now);
			return;
		}
		if (ev & H1_EV_BEGIN)
			conn_on_response_begin(c, now);
		if (ev & H1_EV_HEADERS)
			conn_on_response_headers(c, now);
		if (ev & H1_EV_COMPLETE)
			on_response_complete(c, now);
		if (c->mode == CONN_MODE_HTTP1 && !h1_responses_followed(c))
			return;
		if (c->mode != CONN_MODE_HTTP1) {
			/* A tunnel opened (the rest is the inner connection's,
			 * which the server never speaks first on), h2c (the
			 * rest is HTTP/2: the server's SETTINGS...), or a
			 * WebSocket (the rest is the server's frames). */
			if (len > 0)
				conn_on_read(c, buf, len, now);
			return;
		}
		if (h1_state(&c->in) == H1_ST_TUNNEL) {
			/* Another protocol (Upgrade: websocket...): what
			 * follows is not HTTP. */
			c->mode = CONN_MODE_OPAQUE;
			return;
		}
	}
	conn_resp_live_body(c);
}
