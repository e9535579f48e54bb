/*
 * conn_resp.c - the HTTP/1.x response side of a connection (see conn.h):
 * the response parser's events paired with the queued requests (interim
 * responses, the final one's record, an h2c upgrade, a CONNECT tunnel or a
 * WebSocket it opens, responses to untracked requests skipped), a
 * response stream lost, and the body bytes read shown live.  conn.c feeds
 * the parser (conn_on_read()) and calls these.
 */
#include "conn_internal.h"
#include "live.h"

void conn_request_clamp(conn_request *r, uint64_t now)
{
	static const unsigned w[] = {HT_T_GOT_CONN, HT_T_WROTE_HEADERS,
				     HT_T_WROTE_REQUEST};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (r->t[w[i]] > now)
			r->t[w[i]] = now;
}

void conn_on_response_begin(conn *c, uint64_t now)
{
	conn_request *r = q_answered(c);
	c->t_resp_first_byte = now;
	/* the server answers on (conn.h srv_asked_close) */
	if (c->server)
		c->srv_asked_close = false;
	if (!r) {
		/* an untracked request's (never a HEAD's or CONNECT's: those
		 * end the parsing, q_blind), or nobody's */
		h1_set_response_context(&c->in, false, false);
		return;
	}
	if (c->server && r == q_newest(c) && !r->headers_done)
		/* the server answers a head it has not read whole (apache's
		 * or node's 408 to a stalled head, a 431): it was cut there,
		 * its line and headers so far are the request's */
		conn_request_head_cut(c, now);
	if (!r->t[HT_T_FIRST_BYTE]) {
		r->t[HT_T_FIRST_BYTE] = now;
		conn_request_clamp(r, now);
		conn_live_sync(r, HT_T_FIRST_BYTE);
	}
	h1_set_response_context(&c->in, r->head, r->connect);
}

void conn_on_response_headers(conn *c, uint64_t now)
{
	conn_request *r = q_answered(c);
	const h1_message *m = &c->in.msg;
	if (!r)
		return;
	if (m->status >= 100 && m->status < 200 && m->status != 101) {
		/* an interim response */
		r->n_1xx++;
		conn_live_resp_1xx(r);
		if (!r->t[HT_T_GOT_1XX]) {
			r->t[HT_T_GOT_1XX] = now;
			conn_live_sync(r, HT_T_GOT_1XX);
		}
		c->resp_1xx_header_bytes += m->header_bytes;
		return;
	}
	/* the final response: its status and header size for the live
	 * page, kept if the process ends while its body comes */
	conn_live_resp_head(r, m->status,
			    m->header_bytes + c->resp_1xx_header_bytes);
}

/* The 101 to @r, the oldest request, which asked for h2c: the connection
 * speaks HTTP/2 from the next byte, @r is its stream 1.  Returns false
 * when HTTP/2 cannot be followed. */
static bool h2c_upgrade(conn *c, conn_request *r, uint64_t now)
{
	if (c->q_len != 1 || conn_h2_start(c) != 0)
		return false;
	/* The 101 is the request's interim response; stream 1's HEADERS
	 * will be its final one. */
	r->n_1xx++;
	if (!r->t[HT_T_GOT_1XX])
		r->t[HT_T_GOT_1XX] = now;
	uint32_t hb = c->resp_1xx_header_bytes + c->in.msg.header_bytes;
	if (conn_h2_adopt(c, r, hb) != 0) {
		conn_h2_release(c);
		return false;
	}
	/* stream 1's response is HTTP/2's: its slot keeps none */
	conn_live_resp_drop(r);
	q_pop(c);
	c->resp_1xx_header_bytes = 0;
	c->mode = CONN_MODE_HTTP2;
	return true;
}

/* A final response to an untracked request completed at @now: one fewer
 * to skip. */
static void skip_response(conn *c, uint64_t now)
{
	conn_request *r = q_oldest(c);
	if (r)
		r->skip--;
	else if (c->q_untracked)
		c->q_untracked--;
	else
		return; /* a response nobody asked for (408 before close...) */
	if (c->q_len == 0 && c->q_untracked == 0)
		c->t_idle_since = now;
}

void on_response_complete(conn *c, uint64_t now)
{
	conn_request *r = q_answered(c);
	const h1_message *m = &c->in.msg;
	if (m->status >= 100 && m->status < 200 && m->status != 101)
		return; /* the final response is still to come */
	if (!r) {
		skip_response(c, now);
		return;
	}
	if (m->status == 101 && r->h2c && m->upgrade_h2c &&
	    h2c_upgrade(c, r, now))
		return;
	r->t[HT_T_RESPONSE_DONE] = now;
	/* "Expect: 100-continue" answered with a final status, no body
	 * byte written: the client may send none (curl retries a 417
	 * without the expectation on this connection) or send it anyway:
	 * its next write tells (conn_on_write()); until then, an early
	 * answer as below. */
	c->expect_refused = !r->written && r->headers_done &&
			    m->status != 101 && !r->connect && r->n_1xx == 0 &&
			    c->out.msg.expect_continue &&
			    c->out.msg.body_bytes == 0;
	if (!r->written && r->headers_done && m->status != 101 &&
	    !r->connect) {
		/* An early answer: the server responded before the request
		 * was all written (a 413, a redirect, nginx's `return`).
		 * (One before the request's headers were whole, a 400 to a
		 * broken head, goes out at once, as it did.)
		 * The client may still write the body: the record waits for
		 * it, at most until the connection ends (conn_emit_early()).
		 * HTTP/1.x has no next request before this one's end, so
		 * nothing queues behind it meanwhile. */
		/* its body bytes for the page while q_answered() still
		 * names it (after, it stores none: an unfinished
		 * request's page record shows the whole answer) */
		conn_resp_live_body(c);
		r->answered = true;
		c->early_answer = true;
		conn_live_sync(r, HT_T_RESPONSE_DONE);
		return;
	}
	if (c->server && m->status != 101 && !r->connect &&
	    c->mode == CONN_MODE_HTTP1 && conn_wire_owed(c)) {
		/* Whole in plaintext, its ciphertext not yet on the socket
		 * (memory BIOs): the record waits for the socket's writes
		 * (conn_on_transport()) or the connection's end. */
		conn_resp_live_body(c);
		r->answered = true;
		c->wire_wait = true;
		return;
	}
	bool tunnel = r->connect && m->status / 100 == 2 &&
		      h1_state(&c->in) == H1_ST_TUNNEL;
	/* A WebSocket: its session is followed from the next byte; the
	 * request keeps its record, emitted here as for any request. */
	bool ws = m->status == 101 && r->websocket && m->upgrade_websocket &&
		  conn_ws_start(c, r, now) == 0;
	/* the target as the tunnel field keeps it (no bigger: a hook's
	 * stack stays small) */
	char target[sizeof c->tunnel];
	if (tunnel)
		copy_cstr(target, sizeof target, r->target);
	emit_oldest(c, HT_ERR_NONE, true, now);
	c->resp_1xx_header_bytes = 0;
	if (c->q_len == 0 && c->q_untracked == 0)
		c->t_idle_since = now;
	/* a server that says it closes serves nothing read from here (said:
	 * keep_alive is also false for a mere framing rule, m->closes not) */
	if (c->server && m->closes && !tunnel && !ws &&
	    c->mode == CONN_MODE_HTTP1)
		conn_server_closes(c);
	/* what follows a tunnel or a WebSocket is no HTTP request */
	if (tunnel || ws)
		c->srv_asked_close = false;
	if (tunnel)
		tunnel_open(c, target, now);
	/* Requests pipelined behind the upgrade went into the session as
	 * bytes: they were never the server's requests. */
	if (ws)
		fail_all(c, HT_ERR_CLOSED, now);
}

void conn_emit_early(conn *c, uint64_t now)
{
	conn_request *r = q_oldest(c);

	if (!c->early_answer)
		return;
	c->early_answer = false;
	if (r == NULL || !r->answered)
		return; /* (never: nothing pops it but this) */
	if (!r->written) {
		/* The client stopped writing it (or is still at it while
		 * the connection ends): what it wrote, until when. */
		r->body_bytes = c->out.msg.body_bytes;
		r->t[HT_T_WROTE_REQUEST] = c->t_out_last > r->t[HT_T_WROTE_HEADERS]
					   ? c->t_out_last
					   : r->t[HT_T_WROTE_HEADERS];
	}
	r->answered = false;
	r->flags |= HT_RF_EARLY_ANSWER;
	emit_oldest(c, HT_ERR_NONE, true, now);
	c->resp_1xx_header_bytes = 0;
	if (c->q_len == 0 && c->q_untracked == 0)
		c->t_idle_since = now;
	if (c->server && c->in.msg.closes && c->mode == CONN_MODE_HTTP1)
		conn_server_closes(c);
}

/* A server writes @len bytes of @buf at @now where the response to the
 * oldest request is due, after @held bytes of this response that began
 * "HTTP/" (a write split inside it): when they begin no status line after
 * all, and the request was a line it could not read a version from, or
 * one broken after it (Python's 505 to "HTTP/9.9", its 400s to "HTTP/1.1
 * extra"), it is an HTTP/0.9 answer, with
 * no head, its body running to close (the @held bytes its first; its
 * begin was seen with them). */
void conn_answer_09(conn *c, const conn_request *r, size_t held,
		    const uint8_t *buf, size_t len, uint64_t now)
{
	if ((r->proto != HT_PROTO_UNKNOWN &&
	     !(r == q_newest(c) && h1_failed_in_start_line(&c->out))) ||
	    status_line_start(held, buf, len) ||
	    (!held && (buf[0] == '\r' || buf[0] == '\n')))
		return;
	h1_response_09(&c->in);
	c->in.msg.body_bytes = held;
	if (!held)
		conn_on_response_begin(c, now);
}

void conn_wire_release(conn *c, unsigned error, bool taken, uint64_t now)
{
	conn_request *r = q_oldest(c);

	if (!c->wire_wait)
		return;
	c->wire_wait = false;
	if (r == NULL || !r->answered)
		return; /* (never: nothing pops it but this) */
	r->answered = false;
	/* done when its last byte went on the socket, or cut at the end;
	 * one taken as whole keeps its plaintext's moment */
	if (!taken)
		r->t[HT_T_RESPONSE_DONE] = now;
	if (error != HT_ERR_NONE) {
		/* what the socket may have carried of it, at most its
		 * ciphertext less what is still owed (the parser's message
		 * is done with: it stands for this response alone) */
		uint64_t owed = c->tls_made - c->bytes_in;
		h1_message *m = &c->in.msg;
		m->body_bytes = m->body_bytes > owed ? m->body_bytes - owed : 0;
	}
	emit_oldest(c, error, true, now);
	c->resp_1xx_header_bytes = 0;
	if (c->q_len == 0 && c->q_untracked == 0)
		c->t_idle_since = now;
	if (error == HT_ERR_NONE && c->server && c->in.msg.closes &&
	    c->mode == CONN_MODE_HTTP1)
		conn_server_closes(c);
}

/* The response parser failed at @now: the bytes where the next response
 * should begin are none (a malformed response, or bytes past the end of
 * the last one: a Content-Length shorter than its body).  The request
 * they answer, if one is queued, ends with them as a malformed response;
 * where the responses after them begin is lost, so every other request in
 * flight, and each later one once written, ends as not followed
 * (HT_ERR_DESYNC): counted, never paired with a response it may not own.
 * The requests are still parsed as written (their method and URL are
 * known). */
void conn_responses_lost(conn *c, uint64_t now)
{
	if (q_answered(c))
		emit_oldest(c, HT_ERR_BAD_RESPONSE, true, now);
	conn_give_up(c, HT_ERR_DESYNC, "bytes that began no response: a "
		     "connection not followed from there on", now);
}

/* The response body bytes read so far, into the live slot of the request
 * whose response is being read (a store per read; none before its first
 * byte: the parser's message may still be the one before); before its
 * final header section is whole, the header bytes so far (interim
 * responses' included) instead. */
void conn_resp_live_body(conn *c)
{
	const conn_request *r = q_answered(c);

	if (r == NULL || r->live_ref == 0 || r->t[HT_T_FIRST_BYTE] == 0)
		return;
	ht_live_resp *e = ht_live_req_resp(r->live, r->live_ref);

	if (e != NULL && e->status == 0) {
		/* inside a header section, or between an interim response
		 * and the final one */
		ht_live_resp_head_part(e, c->resp_1xx_header_bytes +
			(h1_state(&c->in) == H1_ST_HEADERS ?
				 c->in.msg.header_bytes : 0));
		return;
	}
	ht_live_resp_body(e, c->in.msg.body_bytes);
}
