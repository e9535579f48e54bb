/*
 * conn_server.c - a server's connection, read the other way round (see
 * conn_server.h).
 */
#include "conn_server.h"
#include "conn_internal.h"
#include "http2.h"

#include <string.h>

void conn_server_init(conn *c, const conn_env *env, uint32_t pid, uint32_t id,
		      const ht_addr *peer, uint64_t now)
{
	conn_init(c, env, pid, id, peer, now);
	c->server = true;
	/* accepted: the connection is up from the accept's return */
	conn_connected(c, now);
}

/* An RFC 9110 token byte (tchar), as a method is made of. */
static bool token_byte(uint8_t b)
{
	if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	    (b >= '0' && b <= '9'))
		return true;
	return b != '\0' && strchr("!#$%&'*+-.^_`|~", b) != NULL;
}

/* A method of the usual shape (upper-case letters, '-', '_': GET,
 * M-SEARCH, PROPFIND), which conn_looks_like_http() takes for HTTP as soon
 * as a target begins after it. */
static bool usual_method(const char *m)
{
	if (*m == '\0')
		return false;
	for (; *m; m++)
		if (!((*m >= 'A' && *m <= 'Z') || *m == '-' || *m == '_'))
			return false;
	return true;
}

/* What @len bytes of @buf, after a request line's method and its SP,
 * say of the rest of RFC 9112's request line: request-target (no SP, no
 * CTL) SP "HTTP/" DIGIT "." DIGIT, CRLF or a bare LF.  CONN_PROBE_HTTP:
 * the line is whole; CONN_PROBE_WAIT: what came may still become one. */
static conn_probe line_rest(const uint8_t *buf, size_t len)
{
	static const char ver[] = "HTTP/d.d";
	size_t i = 0, v;

	while (i < len && buf[i] != ' ') {
		if (buf[i] < 0x21 || buf[i] == 0x7f)
			return CONN_PROBE_NOT;
		i++;
	}
	if (i == len)
		return CONN_PROBE_WAIT;
	if (i == 0)
		return CONN_PROBE_NOT; /* an empty target */
	for (i++, v = 0; v < sizeof ver - 1; i++, v++) {
		if (i == len)
			return CONN_PROBE_WAIT;
		if (ver[v] == 'd' ? !(buf[i] >= '0' && buf[i] <= '9') :
				    buf[i] != (uint8_t)ver[v])
			return CONN_PROBE_NOT;
	}
	if (i < len && buf[i] == '\r')
		i++;
	if (i == len)
		return CONN_PROBE_WAIT;
	return buf[i] == '\n' ? CONN_PROBE_HTTP : CONN_PROBE_NOT;
}

/* Whether @len bytes of @buf, a method @mlen bytes long and its SP first,
 * are a request line broken after its target ("GET /x HTTP/1.1 extra",
 * "HTTP/1.1x", a TAB, "http/1.1", HTTP/0.9's "GET /x"), which servers
 * answer (a 400, a 0.9 page) and log: HTTP's method and an origin-form
 * target, the line whole.  A Redis inline "GET key" is none. */
static bool broken_line(const uint8_t *buf, size_t mlen, size_t len)
{
	return mlen + 1 < len && buf[mlen + 1] == '/' &&
	       memchr(buf, '\n', len) != NULL &&
	       conn_http_method_n(buf, mlen);
}

/* The first bytes a server read, @len of @buf (nothing read before). */
static conn_probe first_read(const uint8_t *buf, size_t len)
{
	conn_probe rest;
	size_t i = 0;

	while (i < len && i < H1_METHOD_MAX && token_byte(buf[i]))
		i++;
	if (i == len)
		/* a method so far: its SP decides (a peer that closes or
		 * answers first had sent no request) */
		return i > 0 && i < H1_METHOD_MAX ? CONN_PROBE_WAIT :
						    CONN_PROBE_NOT;
	if (i == 0 || i == H1_METHOD_MAX || buf[i] != ' ')
		return CONN_PROBE_NOT;
	/* the usual shape, a target begun (and a whole line that ends with
	 * a version), or the HTTP/2 preface */
	if (conn_looks_like_http(buf, len)) {
		size_t n = 0;

		while (n < i && ((buf[n] >= 'A' && buf[n] <= 'Z') ||
				 buf[n] == '-' || buf[n] == '_'))
			n++;
		if (n == i && i + 1 < len)
			return CONN_PROBE_HTTP;
	}
	/* any other token ("custom", "GETs"): the whole line decides; a
	 * broken one is HTTP's still if its method and target say so */
	rest = line_rest(buf + i + 1, len - i - 1);
	if (rest == CONN_PROBE_NOT && broken_line(buf, i, len))
		return CONN_PROBE_HTTP;
	return rest;
}

conn_probe conn_server_probe(const conn *c, bool read, const uint8_t *buf,
			     size_t len)
{
	if (c->mode == CONN_MODE_OPAQUE)
		return CONN_PROBE_NOT;
	if (c->mode == CONN_MODE_HTTP1) {
		/* bytes read before left it open (conn_server_probe_fed()):
		 * more of them may still close the request line; an answer,
		 * or the end, before it is whole says it was none */
		return read && len > 0 ? CONN_PROBE_WAIT : CONN_PROBE_NOT;
	}
	if (read)
		return len > 0 ? first_read(buf, len) : CONN_PROBE_NOT;
	/* the server spoke first: only an HTTP/2 server preface, kept by
	 * the connection (conn_on_read()'s early bytes) while it may be */
	if (c->early_len == 0 && !h2_server_preface_start(buf, len))
		return CONN_PROBE_NOT;
	return CONN_PROBE_WAIT;
}

conn_probe conn_server_probe_fed(const conn *c)
{
	const h1_message *m = &c->out.msg;
	unsigned line;

	switch (c->mode) {
	case CONN_MODE_OPAQUE:
		return CONN_PROBE_NOT;
	case CONN_MODE_HTTP1:
		break;
	case CONN_MODE_DETECT:
		return CONN_PROBE_WAIT; /* a server's preface, kept */
	case CONN_MODE_HTTP2:
		return CONN_PROBE_HTTP; /* the client's preface began */
	default:
		return CONN_PROBE_NOT;
	}
	if (c->nreq == 0)
		return CONN_PROBE_NOT; /* no byte could begin a request */
	line = h1_request_line_read(&c->out);
	/* the line whole, or the whole request (the parser idle again, or
	 * a tunnel's bytes next) */
	if (line >= 3 || c->nreq > 1 || h1_state(&c->out) == H1_ST_IDLE ||
	    h1_state(&c->out) == H1_ST_TUNNEL)
		return CONN_PROBE_HTTP;
	/* the usual method and a target begun, as first_read() */
	if (line >= 1 && usual_method(m->method) && m->target[0] != '\0')
		return CONN_PROBE_HTTP;
	if (h1_state(&c->out) == H1_ST_ERROR)
		return CONN_PROBE_NOT;
	return CONN_PROBE_WAIT;
}

void conn_server_read_call(conn *c, size_t len)
{
	/* A read after its answer to a request that asked to close: the
	 * server reads on, so it serves what it reads (an asyncio server
	 * keeps the connection; Python's server reads nothing after such
	 * an answer, its pipelined request came in the read before).  Once
	 * per call, before its buffers are fed: an answer emitted while
	 * they are (an early answer's request completed by the first)
	 * came before this read's later bytes, not after a read. */
	if (len > 0)
		c->srv_asked_close = false;
}

void conn_server_read(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	conn_on_write(c, buf, len, now);
}

void conn_server_write(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	/* the program went on writing: the response before is taken as
	 * whole (the next one's bytes need the parser); one waits on a TLS
	 * connection only (tested here: no call for each write of one on
	 * TCP) */
	if (len > 0 && c->wire_wait)
		conn_wire_release(c, HT_ERR_NONE, true, now);
	conn_on_read(c, buf, len, now);
}

void conn_server_sent(conn *c, size_t len, uint64_t now)
{
	conn_skip_unseen(c, len, now, HT_ERR_UNFOLLOWED,
			 "response bytes sent by sendfile or splice outside a "
			 "body of known length: a server connection not "
			 "followed from there on");
}

void conn_server_tls_undecoded(conn *c, uint64_t t_hello)
{
	if (c->dead || c->nreq != 0)
		return;
	c->tls = false;
	c->mode = CONN_MODE_TLS;
	tlsrec_init(&c->tlsrec);
	tlsrec_hello_passed(&c->tlsrec, t_hello);
}

void conn_server_read_unseen(conn *c, size_t len, uint64_t now)
{
	if (!c->tls)
		c->bytes_out += len; /* the request side's count (conn_close()) */
	if (!conn_wants_bytes(c) || len == 0)
		return;
	conn_give_up(c, HT_ERR_UNSEEN,
		     "request bytes discarded unread (MSG_TRUNC): a server "
		     "connection not followed from there on", now);
	/* the requests' framing is lost, not only the responses' */
	c->mode = CONN_MODE_OPAQUE;
}

void conn_server_eof(conn *c, uint64_t now)
{
	c->peer_eof = true;
	/* a head cut short: the server may answer it anyway (Python takes
	 * the end of its bytes for the end of the head) */
	conn_request_head_cut(c, now);
}

void conn_server_closes(conn *c)
{
	c->srv_closing = true;
	conn_drop_unserved(c, 0);
}

void conn_server_shut(conn *c, uint64_t now)
{
	if (c->dead || c->mode != CONN_MODE_HTTP1)
		return;
	/* no byte more can be written: a body that runs to close ends */
	conn_server_closing(c, now);
	c->srv_closing = true;
	/* behind an answered request that asked to close, none stays */
	conn_server_ends(c, now);
	/* the request it may still be reading stays (its close says none
	 * came); those behind it get no answer */
	conn_drop_unserved(c, 1);
}

void conn_server_ends(conn *c, uint64_t now)
{
	/* Its last answer went to a request that asked to close, it began
	 * no other and read nothing since: what it read behind that one and
	 * never answered was likely never its to serve (RFC 9112 section
	 * 9.6; Python's HTTP/1.1 server writes no Connection header then),
	 * but a server that answers on and failed on the next one (an
	 * asyncio handler that raised) looks the same: each is reported
	 * with its own error, not as the server's failure nor dropped.  A
	 * server whose responses are not followed (unseen) may have
	 * answered them. */
	if (!c->server || !c->srv_asked_close || c->dead || c->unseen ||
	    c->mode != CONN_MODE_HTTP1)
		return;
	c->srv_asked_close = false;
	/* none has a response byte (one begun clears srv_asked_close): each
	 * goes out as at any end, the one being read with the body bytes
	 * read of it, the one past the in-flight limit not tracked */
	fail_all(c, HT_ERR_AFTER_CLOSE, now);
}

void conn_server_closing(conn *c, uint64_t now)
{
	if (c->dead || c->mode != CONN_MODE_HTTP1 || c->unseen)
		return;
	conn_request *r = conn_answered(c);
	if (!r || !r->t[HT_T_FIRST_BYTE])
		return;
	/* The server's close ends a body that runs to close; a body of
	 * known length is truncated.  A response cut inside its headers has
	 * no body cut: closed before it completed, as a client's record of
	 * it says (conn_on_eof()); emitted here, so that a shutdown's
	 * conn_server_shut() does not take it for one still being read. */
	bool in_body = h1_state(&c->in) == H1_ST_BODY;
	h1_event ev = h1_finish(&c->in);
	if (ev & H1_EV_COMPLETE) {
		r->t[HT_T_RESPONSE_DONE] = now;
		conn_emit_answered(c, HT_ERR_NONE, now);
	} else if (ev & H1_EV_ERROR) {
		conn_emit_answered(c, in_body ? HT_ERR_TRUNCATED : HT_ERR_CLOSED,
				   now);
	}
}
