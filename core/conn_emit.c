/*
 * conn_emit.c - a request's record (see conn.h): the thread it was
 * served or sent on (a server request's number on its thread, a client
 * request's parent), its fields from the request and its response, and
 * the records of every request still in flight when a connection ends.
 * Moved out of conn.c (the request queue, the request side, the dispatch)
 * to keep that under the project's 900 lines; conn_internal.h has what
 * they share.
 */
#include "conn_internal.h"
#include "live.h"

#include <string.h>

/* conn_resp's lengths of a reason and a content type are 8 bits */
_Static_assert(H1_REASON_MAX <= 256 && H1_CTYPE_MAX <= 256,
	       "conn_resp.reason_len, content_type_len hold every length");

static ht_str bstr(const char *s, uint32_t len)
{
	ht_str r = {s, (uint16_t)(len > 65535 ? 65535 : len)};
	return r;
}

/* The calling thread's state, or NULL. */
static conn_thread *this_thread(const conn *c)
{
	return c->env->thread != NULL ? c->env->thread() : NULL;
}

void conn_thread_served(conn *c, conn_request *r, bool open)
{
	conn_thread *th = this_thread(c);

	if (th == NULL || th->id == 0)
		return;
	th->served++;
	if (!open)
		return; /* untracked: numbered, never a parent */
	r->thread = th->id;
	r->thread_seq = th->served;
	r->thread_open = true;
	th->open++;
}

/* Client request @r begins on the calling thread: inside the server
 * request open alone on it, if one is. */
void thread_client(conn *c, conn_request *r)
{
	conn_thread *th = this_thread(c);

	if (th == NULL)
		return;
	r->thread = th->id;
	r->thread_seq = th->open == 1 && !th->loop ? th->served : 0;
}

/* Server request @r ends: no longer open on its thread, when it ends on
 * it (another thread cannot reach that one's count: it stays open). */
void thread_end(conn *c, conn_request *r)
{
	conn_thread *th;

	if (!r->thread_open)
		return;
	r->thread_open = false;
	th = this_thread(c);
	if (th != NULL && th->id == r->thread && th->open > 0)
		th->open--;
}

void conn_emit_request(conn *c, conn_request *r, unsigned error,
		       const conn_resp *resp, uint64_t now)
{
	conn_emit_request_grpc(c, r, error, resp, NULL, now);
}

void conn_emit_request_grpc(conn *c, conn_request *r, unsigned error,
			    const conn_resp *resp, const ht_grpc *grpc,
			    uint64_t now)
{
	if (!r->t[HT_T_RESPONSE_DONE])
		r->t[HT_T_RESPONSE_DONE] = now;
	ht_live *taken = conn_live_end(c, r);
	thread_end(c, r);
	if (taken != NULL) {
		/* a collector that stopped reported it in flight: its own,
		 * never told to another (live.h) */
		ht_live_count_taken(taken, true);
		return;
	}
	/* A server's request broken or cut says so, with the response it
	 * got anyway (a 505, a 200 to a head cut at a line's end), whatever
	 * ended it; its process's end says where it was instead. */
	if (r->req_error && error != HT_ERR_INTERRUPTED &&
	    error != HT_ERR_KILLED && error != HT_ERR_CRASHED &&
	    error != HT_ERR_EXITED && error != HT_ERR_ENDED)
		error = r->req_error;

	/* Every field up to resp_proto is set below, the response's too
	 * when there is none; from the gRPC part on (fields appended since,
	 * and later ones) zeroed first: no memset of the whole record (504
	 * bytes, most of them set again). */
	ht_record rec;
	rec.type = HT_REC_REQUEST;
	ht_rec_request *o = &rec.u.req;
	memset(&o->grpc, 0, sizeof(*o) - offsetof(ht_rec_request, grpc));

	o->pid = c->pid;
	o->conn_id = c->id;
	o->req_seq = r->seq;
	o->flags = r->flags;
	if (c->tls)
		o->flags |= HT_RF_TLS;
	o->error = (uint8_t)error;
	if (c->server)
		o->flags |= HT_RF_SERVER;
	o->peer = c->peer;
	o->local = c->local;
	o->stream_id = r->stream_id;
	o->thread = r->thread;
	o->thread_seq = r->thread_seq;
	o->proto = r->proto;
	o->n_1xx = r->n_1xx;
	o->req_body_bytes = r->body_bytes;
	o->req_header_bytes = r->header_bytes;
	memcpy(o->t, r->t, sizeof o->t);
	o->method = bstr(r->method, r->method_len);
	o->target = bstr(r->target, r->target_len);
	o->host = bstr(r->host, r->host_len);
	o->dns_name = CSTR(c->dns_name);
	o->tls_version = bstr(c->tls_version, c->tls_version_len);
	o->alpn = bstr(c->alpn, c->alpn_len);
	o->req_headers = bstr(r->hdrs, r->hdrs_len);
	o->reason = bounded("", 1);
	o->content_type = bounded("", 1);
	o->resp_headers = bounded("", 1);
	o->peer_path = CSTR(c->peer_path);
	o->tunnel = bounded("", 1);
	if (conn_in_tunnel(c, r)) {
		o->flags |= HT_RF_TUNNEL;
		o->tunnel = CSTR(c->tunnel);
	}
	if (grpc && (o->flags & HT_RF_GRPC))
		o->grpc = *grpc;
	else
		o->flags &= ~HT_RF_GRPC;
	o->status = 0;
	o->resp_proto = 0;
	o->resp_body_bytes = 0;
	o->resp_header_bytes = 0;
	if (resp) {
		o->status = resp->status;
		/* proto is the request's own version; the response's is
		 * told apart (a server may answer 1.1 with 1.0). */
		o->resp_proto = resp->proto;
		/* (the request of an h2c upgrade became stream 1: HTTP/2) */
		if (!o->proto || resp->proto == HT_PROTO_HTTP2)
			o->proto = resp->proto;
		o->resp_body_bytes = resp->body_bytes;
		o->resp_header_bytes = resp->header_bytes;
		if (resp->reason)
			o->reason = bstr(resp->reason, resp->reason_len);
		if (resp->content_type)
			o->content_type = bstr(resp->content_type,
					       resp->content_type_len);
		if (resp->hdrs)
			o->resp_headers = bstr(resp->hdrs, resp->hdrs_len);
		if (resp->hdrs_truncated)
			o->flags |= HT_RF_HDR_TRUNC;
		if (resp->body_by_close)
			o->flags |= HT_RF_BODY_BY_CLOSE;
		if (resp->keep_alive && r->keep_alive && !error)
			o->flags |= HT_RF_KEEPALIVE;
	}
	/* where its process's end found it: a status means its final
	 * response had begun (receive, even after a 100 Continue) */
	if (error == HT_ERR_EXITED || error == HT_ERR_INTERRUPTED)
		o->phase = (uint8_t)ht_live_phase(r->t, o->status != 0);
	emit(c, &rec);
}

/* The response of HTTP/1.x: the response parser's current message. */
static conn_resp h1_resp(const conn *c)
{
	const h1_message *m = &c->in.msg;
	conn_resp v = {
		.status = m->status,
		.proto = proto_of(m),
		.reason = m->reason,
		.reason_len = (uint8_t)m->reason_len,
		.content_type = m->content_type,
		.content_type_len = (uint8_t)m->content_type_len,
		.hdrs = m->hdrs,
		.hdrs_len = m->hdrs_len,
		.hdrs_truncated = m->hdrs_truncated,
		.body_bytes = m->body_bytes,
		.header_bytes = m->header_bytes + c->resp_1xx_header_bytes,
		.body_by_close = m->body_by_close,
		.keep_alive = m->keep_alive,
	};
	return v;
}

/* Emit the oldest request in flight, with the response parser's message
 * when @with_response, and drop it. */
void emit_oldest(conn *c, unsigned error, bool with_response, uint64_t now)
{
	conn_request *r = q_oldest(c);
	conn_resp v = h1_resp(c);
	/* a server's whole answer to a request that asked to close, an
	 * answer that does not itself say the connection stays (one that
	 * says "Connection: keep-alive" and then closes without answering
	 * what it read behind is the server's error) */
	if (c->server)
		c->srv_asked_close = with_response && error == HT_ERR_NONE &&
				     r->closes && !c->in.msg.says_keep_alive;
	conn_emit_request(c, r, error, with_response ? &v : NULL, now);
	q_pop(c);
}

/* Emit every request still in flight with @error (the connection ended). */
void fail_all(conn *c, unsigned error, uint64_t now)
{
	if (c->mode == CONN_MODE_HTTP2) {
		conn_h2_fail_all(c, error, now);
		return;
	}
	/* HTTP/2 given up unframed (opaque): its streams still waiting for
	 * the socket's writes are cut by this end */
	if (conn_h2_waiting(c)) {
		conn_h2_fail_all(c, error, now);
		return;
	}
	/* An early answer is whole: its record goes out as it stands,
	 * before the parser is ended for the others.  One whose ciphertext
	 * the socket had not carried yet is cut by this end. */
	conn_emit_early(c, now);
	conn_wire_release(c, error, false, now);
	/* The request being written: the body bytes written so far (its
	 * record says what went out, as an early answer's does). */
	conn_request *w = c->q_len ? q_newest(c) : NULL;
	if (w != NULL && !w->written && w->headers_done)
		w->body_bytes = c->out.msg.body_bytes;
	/* A client's session with memory BIOs: the ciphertext its socket
	 * never carried (conn_tls_made()) was the newest request's, its
	 * last bytes written: at most that much of its body never went. */
	if (w != NULL && !c->server && c->tls && c->bytes_out > 0 &&
	    c->bytes_out < c->tls_made) {
		uint64_t owed = c->tls_made - c->bytes_out;
		w->body_bytes = w->body_bytes > owed ? w->body_bytes - owed : 0;
	}
	/* The oldest request may take the response parser's message as it
	 * stands, possibly cut inside a header line: end the parser first so
	 * the message holds whole lines (every caller stops parsing responses
	 * here: the connection ended, was reset, or is no longer followed). */
	if (c->q_len)
		h1_finish(&c->in);
	/* A request being written untracked is still untracked. */
	if (c->spill_active) {
		c->spill_active = false;
		conn_emit_request(c, &c->spill, HT_ERR_OVERFLOW, NULL, now);
	}
	/* What was owed to untracked requests no longer matters: nothing
	 * queued is left to pair. */
	c->q_untracked = 0;
	bool first = true;
	while (c->q_len) {
		conn_request *r = q_oldest(c);
		unsigned e = error;
		/* Only the oldest can have a response under way. */
		bool partial = first && r->t[HT_T_FIRST_BYTE];
		/* (a server wrote no byte of a response to a request it
		 * was still reading: none came, whatever the client did) */
		if (!partial && error == HT_ERR_CLOSED)
			e = r->written || c->server ? HT_ERR_NO_RESPONSE
						    : HT_ERR_CLOSED;
		emit_oldest(c, e, partial, now);
		first = false;
	}
}
