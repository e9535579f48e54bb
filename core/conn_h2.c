/*
 * conn_h2.c - HTTP/2 connections: every stream the client opens is a
 * request, reconstructed from the frames each direction carries.
 *
 *   got_conn, wrote_headers   the request HEADERS block is complete
 *   wrote_request             the client's END_STREAM (HEADERS or DATA)
 *   got_1xx                   an interim :status
 *   first_byte                the first response frame of the stream
 *   response_done             the server's END_STREAM, or RST_STREAM (error)
 *
 * A server's response that carries content-length is whole once its
 * headers and that many DATA bytes (none for HEAD, 204, 304) were
 * written: when the connection then ends (closed or reset) before the
 * END_STREAM, the stream is complete, response_done the time of its last
 * byte.  Clients close once they have content-length bytes, and a server
 * may write the END_STREAM in a frame of its own (node does), too late for
 * a client already gone.  Without content-length the end stays an error.
 *
 * A response may end before its request (RFC 9113 8.1: a server answers
 * early, then may ask the client to stop with RST_STREAM NO_ERROR): the
 * stream stays open until the client's END_STREAM, a reset either way, or
 * the connection's end, and its record then carries every DATA byte the
 * client wrote, wrote_request the last of them when it never ended the
 * stream, and no error (the exchange was whole).
 *
 * A connection's first stream is new; every later one is reused, whether or
 * not others are in flight; it was idle when no stream was open before it.
 * A SETTINGS_HEADER_TABLE_SIZE one side sends binds the other side's
 * encoder from the ACK of that SETTINGS on (h2_settings_sent()).
 *
 * When a direction cannot be read on (a header block that cannot be
 * decoded, bytes that are not HTTP/2 framing), the streams in flight end
 * with an error and a note says the connection was lost; as long as the
 * client's direction can still be framed, every later stream it opens is
 * still reported, at once, with the same error (without its request's
 * fields when they could not be decoded), as HTTP/1.x does after a give-up.
 * A header block too large to keep (over H2_BLOCK_MAX) is no such loss:
 * nothing was malformed and the framing goes on.  Its stream alone ends,
 * not followed (HT_ERR_REQ_HEAD_BIG, HT_ERR_RESP_HEAD_BIG, without that
 * block's fields), and so does each stream whose block of that direction
 * comes after it, the HPACK state lost (HT_ERR_HEAD_LOST: a new stream's
 * request at once, a response at its headers); every other stream is
 * followed on (response_lost(), lost_request()).
 *
 * A stream the client opens while H2_STREAMS are in flight is not
 * followed: its header block is decoded all the same (HPACK must stay in
 * step), and its record goes out at once with HT_ERR_OVERFLOW, what the
 * block said and when it was written (untracked()); its later frames find
 * no stream and are ignored, a HEADERS block on it (trailers) too: a
 * stream id at or below the highest opened is never a new stream.
 *
 * A server's TLS session whose ciphertext the program moves itself
 * (memory BIOs, conn_tls_made()) takes a whole response in plaintext while
 * its socket has carried none of it yet: each stream keeps the session's
 * ciphertext count that carries its response so far (wire_mark()), and a
 * response ended in plaintext is whole only once the socket's writes
 * passed its mark (conn_h2_wire()); the connection's end, or a reset of
 * the stream, before that cuts it, with its body bytes less those still
 * owed on the socket.  Streams are interleaved: each waits for its own
 * mark, released in any order.
 *
 * A stream whose request or response says content-type application/grpc
 * is a gRPC call (grpc.h): its DATA bodies are then handed over by the
 * readers (from that point on the connection), their messages counted each
 * way, and the status taken from the response's header blocks.
 *
 * Pure like conn.c: memory comes from the environment's allocator.
 */
#include <string.h>

#include "conn_internal.h"
#include "conn_h2_internal.h"
#include "live.h"

/* The most plaintext one TLS record carries (RFC 8446 5.1, RFC 5246
 * 6.2.1). */
#define TLS_RECORD_PLAIN 16384

/* The ciphertext count by which a server's memory-BIO session (@c, its
 * tls_made told before the plaintext being read) has surely made the
 * frame just read, h2->left bytes of that plaintext after it: the
 * bytes after the frame's record follow it in the ciphertext, one byte at
 * least each, and that record holds at most TLS_RECORD_PLAIN of them.  0
 * for any other connection. */
static uint64_t wire_mark(const conn *c)
{
	if (c->tls_made == 0)
		return 0; /* not a memory-BIO session: nothing to wait for */
	size_t left = c->h2->left;
	uint64_t after = left > TLS_RECORD_PLAIN ? left - TLS_RECORD_PLAIN : 0;

	if (!c->server || !c->tls || c->tls_made <= after)
		return 0;
	return c->tls_made - after;
}

/* Whether the socket of @c, a server's TLS connection that has carried
 * some bytes, has carried fewer than @mark (a stream's, wire_mark()). */
static bool wire_owed(const conn *c, uint64_t mark)
{
	return c->server && c->tls && c->bytes_in > 0 && c->bytes_in < mark;
}

int conn_h2_start(conn *c)
{
	const conn_env *env = c->env;
	const hpack_ops *hp = env->hpack ? env->hpack() : NULL;
	if (!hp || !env->alloc)
		return -1;
	struct conn_h2 *h2 = env->alloc(sizeof *h2);
	if (!h2)
		return -1;
	if (h2_init(&h2->client, true, hp, env->opt) != 0 ||
	    h2_init(&h2->server, false, hp, env->opt) != 0) {
		h2_free(&h2->client);
		h2_free(&h2->server);
		env->release(h2, sizeof *h2);
		return -1;
	}
	/* a block that cannot be decoded leaves the framing to count by */
	h2->client.count_undecoded = true;
	h2->server.count_undecoded = true;
	h2->last_stream = 0;
	h2->lost = false;
	h2->lost_error = 0;
	h2->wire_waiting = 0;
	h2->left = 0;
	c->h2 = h2;
	return 0;
}

void conn_h2_release(conn *c)
{
	struct conn_h2 *h2 = c->h2;
	if (!h2)
		return;
	h2_free(&h2->client);
	h2_free(&h2->server);
	for (unsigned i = 0; i < H2_STREAMS; i++)
		if (h2->streams[i])
			c->env->release(h2->streams[i], sizeof(conn_stream));
	c->env->release(h2, sizeof *h2);
	c->h2 = NULL;
}

unsigned conn_h2_open_streams(const conn *c)
{
	return c->h2 ? c->h2->open : 0;
}

/* The stream @id in flight, NULL when none.  An id above the highest the
 * client opened is none (a new stream, looked up before it opens); else
 * its hint's slot nearly always holds it (the ids in flight are a run
 * shorter than H2_HINTS * 2); failing that, the look over the slots ends
 * once the open streams are all seen. */
conn_stream *find_stream(struct conn_h2 *h2, uint32_t id)
{
	unsigned seen = 0, hint;

	if (id == 0 || id > h2->last_stream)
		return NULL;
	hint = h2->hint[(id >> 1) % H2_HINTS];
	if (hint != 0 && h2->streams[hint - 1] != NULL &&
	    h2->streams[hint - 1]->id == id)
		return h2->streams[hint - 1];
	for (unsigned i = 0; i < H2_STREAMS && seen < h2->open; i++) {
		conn_stream *s = h2->streams[i];

		if (!s || !s->id)
			continue;
		if (s->id == id)
			return s;
		seen++;
	}
	return NULL;
}

/* A free slot (from free_from on) for stream @id, its response side
 * cleared, its hint set; NULL when more are in flight than we follow. */
static conn_stream *free_stream(conn *c, uint32_t id)
{
	struct conn_h2 *h2 = c->h2;
	unsigned i = h2->free_from;
	bool gap = false; /* a slot left unallocated: free_from stays there */
	for (; i < H2_STREAMS; i++) {
		if (!h2->streams[i])
			h2->streams[i] = c->env->alloc(sizeof(conn_stream));
		gap |= !h2->streams[i];
		bool found = h2->streams[i] && h2->streams[i]->id == 0;
		if (!gap)
			h2->free_from = i + 1; /* busy, or about to be taken */
		if (found)
			break;
	}
	if (i == H2_STREAMS)
		return NULL;
	conn_stream *s = h2->streams[i];
	h2->hint[(id >> 1) % H2_HINTS] = (uint8_t)(i + 1);
	memset(s, 0, offsetof(conn_stream, req));
	s->slot = (uint8_t)i;
	s->hdrs_len = 0;
	s->hdrs[0] = s->content_type[0] = '\0';
	s->content_type_len = 0;
	s->resp_header_bytes = 0;
	s->resp_body_bytes = 0;
	s->status = 0;
	memset(&s->grpc, 0, offsetof(grpc_call, message));
	return s;
}

int conn_h2_adopt(conn *c, const conn_request *r, uint32_t resp_header_bytes)
{
	conn_stream *s = c->h2 ? free_stream(c, 1) : NULL;
	if (!s)
		return -1;
	s->req = *r;
	s->id = 1;
	s->req.stream_id = 1;
	c->h2->last_stream = 1;
	/* Header names lower-case, as in every HTTP/2 record (the request
	 * went out in HTTP/1.1, where case does not matter). */
	bool in_name = true;
	for (uint32_t i = 0; i < s->req.hdrs_len; i++) {
		char ch = s->req.hdrs[i];
		if (ch == '\n')
			in_name = true;
		else if (ch == ':')
			in_name = false;
		else if (in_name && ch >= 'A' && ch <= 'Z')
			s->req.hdrs[i] = (char)(ch - 'A' + 'a');
	}
	s->resp_header_bytes = resp_header_bytes;
	c->h2->open++;
	return 0;
}

void conn_h2_each_req(conn *c,
		      void (*fn)(conn *c, conn_request *r, uint32_t stream))
{
	struct conn_h2 *h2 = c->h2;
	unsigned seen = 0;

	if (!h2)
		return;
	for (unsigned i = 0; i < H2_STREAMS && seen < h2->open; i++) {
		conn_stream *s = h2->streams[i];

		if (!s || !s->id)
			continue;
		seen++;
		fn(c, &s->req, s->id);
	}
}

/* The stream is over: emit its record with @error and free the slot. */
void close_stream(conn *c, conn_stream *s, unsigned error, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	bool responded = s->resp_final || s->req.n_1xx;
	bool owed = wire_owed(c, s->wire_mark);
	if (s->wire_wait) {
		s->wire_wait = false;
		h2->wire_waiting--;
	}
	if (owed && error != HT_ERR_NONE) {
		/* cut now, with ciphertext still owed on the socket: at most
		 * the bytes written less those (each carries at most one byte
		 * of plaintext) reached the client */
		uint64_t n = s->wire_mark - c->bytes_in;
		s->resp_body_bytes = s->resp_body_bytes > n
					     ? s->resp_body_bytes - n : 0;
		s->req.t[HT_T_RESPONSE_DONE] = now;
	}
	if (s->resp_done) {
		/* answered early: whole, whatever ends it now, once the
		 * socket carried it */
		if (!owed)
			error = HT_ERR_NONE;
		s->req.flags |= HT_RF_EARLY_ANSWER;
		if (!s->req.written)
			s->req.t[HT_T_WROTE_REQUEST] =
				s->req.t_wrote_last > s->req.t[HT_T_WROTE_HEADERS]
					? s->req.t_wrote_last
					: s->req.t[HT_T_WROTE_HEADERS];
	}
	conn_resp v = {
		.status = s->status,
		.proto = HT_PROTO_HTTP2,
		.content_type = s->content_type,
		.content_type_len = s->content_type_len,
		.hdrs = s->hdrs,
		.hdrs_len = s->hdrs_len,
		.hdrs_truncated = s->hdrs_truncated,
		.body_bytes = s->resp_body_bytes,
		.header_bytes = s->resp_header_bytes,
		.keep_alive = true,
	};
	ht_grpc g;
	if (s->grpc.active) {
		grpc_call_record(&s->grpc, &g);
		s->req.flags |= HT_RF_GRPC;
	}
	/* put_idle_conn only when this was the last stream in flight */
	s->req.keep_alive = h2->open == 1;
	conn_emit_request_grpc(c, &s->req, error, responded ? &v : NULL,
			       s->grpc.active ? &g : NULL, now);
	s->id = 0;
	if (s->slot < h2->free_from)
		h2->free_from = s->slot;
	h2->open--;
	if (h2->open == 0)
		c->t_idle_since = now;
}

/* The stream that waits for the lowest ciphertext mark (stream_answered()),
 * NULL when none waits. */
static conn_stream *first_waiting(struct conn_h2 *h2)
{
	conn_stream *w = NULL;

	for (unsigned i = 0; i < H2_STREAMS && h2->wire_waiting; i++) {
		conn_stream *s = h2->streams[i];

		if (s && s->id && s->wire_wait &&
		    (!w || s->wire_mark < w->wire_mark))
			w = s;
	}
	return w;
}

/* A new stream @id opened by the client at @now; NULL when more are in
 * flight than we follow (or no stream memory): untracked() reports it.
 * Every slot taken, a stream whole in plaintext that waits for the socket
 * (a slow client) makes room: the one nearest its mark ends, rather than
 * the new stream going unfollowed, as not followed (HT_ERR_OVERFLOW,
 * counted as not seen): whether the socket will carry the rest of its
 * response or the connection's end will cut it is not known, and
 * reporting it whole would be wrong when a reset comes first. */
conn_stream *open_stream(conn *c, uint32_t id, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	conn_stream *s = free_stream(c, id);
	conn_stream *w = s ? NULL : first_waiting(h2);

	if (w) {
		close_stream(c, w, HT_ERR_OVERFLOW, now);
		s = free_stream(c, id);
	}
	if (!s)
		return NULL;
	conn_request_begin(c, &s->req, h2->open == 0, now);
	s->id = id;
	s->req.stream_id = id;
	s->req.proto = HT_PROTO_HTTP2;
	h2->open++;
	return s;
}

/* @s's exchange is whole in plaintext at @now: over, or, its
 * response's ciphertext still owed on a memory-BIO session's socket,
 * waiting for the socket's writes (conn_h2_wire()). */
static void stream_answered(conn *c, conn_stream *s, uint64_t now)
{
	if (!s->wire_wait && wire_owed(c, s->wire_mark)) {
		s->wire_wait = true;
		c->h2->wire_waiting++;
		return;
	}
	if (!s->wire_wait)
		close_stream(c, s, HT_ERR_NONE, now);
}

/* Whether the connection's end by @error (closed or reset) leaves @s's
 * response whole: a server's, every content-length byte written (see the
 * top of the file).  The stream's times are then those of its end. */
static bool stream_whole(const conn *c, conn_stream *s, unsigned error)
{
	if (!c->server || !s->t_resp_whole ||
	    (error != HT_ERR_CLOSED && error != HT_ERR_RESET) ||
	    wire_owed(c, s->whole_mark))
		return false;
	s->req.t[HT_T_RESPONSE_DONE] = s->t_resp_whole;
	/* its request still being read: an early answer (close_stream()) */
	if (!s->req.written)
		s->resp_done = true;
	return true;
}

/* Every stream still open ends with @error, but when @keep those whose
 * response ended in plaintext (stream_answered()): the error is not
 * theirs, they still wait for the socket. */
void fail_streams(conn *c, unsigned error, bool keep, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	for (unsigned i = 0; i < H2_STREAMS && h2->open; i++) {
		conn_stream *s = h2->streams[i];
		if (!s || !s->id)
			continue;
		if (keep && (s->resp_done || s->wire_wait)) {
			stream_answered(c, s, now);
			continue;
		}
		if (stream_whole(c, s, error)) {
			close_stream(c, s, HT_ERR_NONE, now);
			continue;
		}
		unsigned e = error;
		if (error == HT_ERR_CLOSED && !s->resp_final && !s->req.t[HT_T_FIRST_BYTE])
			e = s->req.written || c->server ? HT_ERR_NO_RESPONSE
							: HT_ERR_CLOSED;
		close_stream(c, s, e, now);
	}
	c->t_idle_since = 0;
}

void conn_h2_fail_all(conn *c, unsigned error, uint64_t now)
{
	if (c->h2)
		fail_streams(c, error, false, now);
}

bool conn_h2_waiting(const conn *c)
{
	return c->h2 && c->h2->wire_waiting;
}

/* @s turned out to be a gRPC call: follow its messages from here on. */
static void grpc_start(conn *c, conn_stream *s)
{
	s->grpc.active = true;
	c->h2->client.want_data = true;
	c->h2->server.want_data = true;
}

/* DATA body bytes of @ev for @s, @out: written by the client.  Bytes that
 * went by unseen (h2_skip()) are only counted; false when they hid a
 * message's length prefix: the call's messages are lost. */
static bool grpc_data(conn_stream *s, const h2_event *ev, bool out,
		      uint64_t now)
{
	grpc_framer *f = out ? &s->grpc.sent : &s->grpc.recv;
	uint64_t *first = out ? &s->grpc.t_first_sent : &s->grpc.t_first_recv;
	bool done;

	if (!s->grpc.active || ev->data_len == 0)
		return true;
	if (ev->unseen) {
		uint32_t msgs = f->msgs;

		if (!grpc_framer_skip(f, ev->data_len))
			return false;
		done = f->msgs != msgs;
	} else {
		done = grpc_framer_feed(f, ev->data, ev->data_len) != 0;
	}
	if (done && !*first)
		*first = now;
	return true;
}

/* The status of @s's call from the header block @m, the first one only. */
static void grpc_status(conn_stream *s, const h2_message *m)
{
	if (!s->grpc.active || s->grpc.has_status || !m->has_grpc_status)
		return;
	s->grpc.has_status = true;
	s->grpc.status = m->grpc_status;
	s->grpc.message_len = m->grpc_message_len;
	memcpy(s->grpc.message, m->grpc_message, m->grpc_message_len);
}

void conn_h2_wire(conn *c, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;

	for (unsigned i = 0; h2 && i < H2_STREAMS && h2->wire_waiting; i++) {
		conn_stream *s = h2->streams[i];

		if (s && s->id && s->wire_wait &&
		    !wire_owed(c, s->wire_mark)) {
			/* done when its last byte went on the socket */
			s->req.t[HT_T_RESPONSE_DONE] = now;
			close_stream(c, s, HT_ERR_NONE, now);
		}
	}
}

/* The client ended @s's request at @now (its END_STREAM); answered
 * early, the stream is over. */
static void request_written(conn *c, conn_stream *s, uint64_t now)
{
	s->req.written = true;
	s->req.t[HT_T_WROTE_REQUEST] = now;
	if (c->server)
		conn_thread_served(c, &s->req, true);
	conn_live_sync(&s->req, HT_T_WROTE_REQUEST);
	if (s->resp_done)
		stream_answered(c, s, now);
}

/* The server ended @s's response at @now: the stream is over, or, its
 * request still being written, waits for it (an early answer). */
void response_ended(conn *c, conn_stream *s, uint64_t now)
{
	s->req.t[HT_T_RESPONSE_DONE] = now;
	if (!s->req.written) {
		s->resp_done = true;
		conn_live_sync(&s->req, HT_T_RESPONSE_DONE);
		return;
	}
	stream_answered(c, s, now);
}

static void on_request_headers(conn *c, const h2_event *ev, uint64_t now)
{
	const h2_message *m = &c->h2->client.msg;
	conn_stream *s = find_stream(c->h2, ev->stream);
	if (!s && ev->undecoded) {
		/* a new stream after a block too large to keep */
		lost_request(c, ev, HT_ERR_HEAD_LOST, now);
		return;
	}
	if (!s) {
		/* trailers of a stream over, or not followed */
		if (ev->stream <= c->h2->last_stream)
			return;
		c->h2->last_stream = ev->stream;
		s = open_stream(c, ev->stream, now);
		if (!s) {
			untracked(c, ev, HT_ERR_OVERFLOW, now);
			return;
		}
		request_head(c, &s->req, m, now);
		if (grpc_content_type(m->content_type))
			grpc_start(c, s);
		conn_live_start(c, &s->req, ev->stream);
	} else {
		s->req.header_bytes += m->header_bytes; /* trailers */
	}
	if (ev->end_stream && !s->req.written)
		request_written(c, s, now);
}

void conn_h2_write(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	while (len > 0 && c->mode == CONN_MODE_HTTP2) {
		h2_event ev;
		size_t n = h2_feed(&h2->client, buf, len, &ev);
		buf += n;
		len -= n;
		conn_stream *s;
		switch (ev.type) {
		case H2_EV_HEADERS:
			if (h2->lost)
				lost_request(c, &ev, h2->lost_error, now);
			else
				on_request_headers(c, &ev, now);
			break;
		case H2_EV_DATA_CHUNK:
			s = find_stream(h2, ev.stream);
			if (s)
				grpc_data(s, &ev, true, now);
			break;
		case H2_EV_DATA:
			s = find_stream(h2, ev.stream);
			if (s) {
				grpc_data(s, &ev, true, now);
				s->req.body_bytes += ev.length;
				s->req.t_wrote_last = now;
				if (ev.end_stream && !s->req.written)
					request_written(c, s, now);
			}
			break;
		case H2_EV_RST_STREAM:
			/* the client cancelled the stream */
			s = find_stream(h2, ev.stream);
			if (s)
				close_stream(c, s, HT_ERR_STREAM_RESET, now);
			break;
		case H2_EV_SETTINGS:
			/* the client's decoder limit binds the server's
			 * encoder once the server acknowledged it */
			h2_settings_sent(&h2->server, ev.table_size);
			break;
		case H2_EV_ERROR:
			if (!h2->lost && ev.oversize &&
			    h2_framing(&h2->client)) {
				/* too large to keep, not malformed: that
				 * stream is not followed (its trailers are
				 * still read), the others go on */
				if (find_stream(h2, ev.stream))
					on_request_headers(c, &ev, now);
				else
					lost_request(c, &ev,
						     HT_ERR_REQ_HEAD_BIG, now);
				break;
			}
			give_up(c, true, HT_ERR_BAD_REQUEST, now);
			/* a new stream whose block failed counts too */
			if (ev.undecoded)
				lost_request(c, &ev, h2->lost_error, now);
			break;
		default:
			break;
		}
	}
}

static void on_response_headers(conn *c, conn_stream *s, const h2_event *ev,
				uint64_t now)
{
	const h2_message *m = &c->h2->server.msg;
	conn_request *r = &s->req;
	s->wire_mark = wire_mark(c);
	if (!r->t[HT_T_FIRST_BYTE]) {
		r->t[HT_T_FIRST_BYTE] = now;
		conn_request_clamp(r, now);
		conn_live_sync(r, HT_T_FIRST_BYTE);
	}
	s->resp_header_bytes += m->header_bytes;
	if (!s->resp_final && m->status >= 100 && m->status < 200) {
		r->n_1xx++;
		conn_live_resp_1xx(r);
		if (!r->t[HT_T_GOT_1XX]) {
			r->t[HT_T_GOT_1XX] = now;
			conn_live_sync(r, HT_T_GOT_1XX);
		}
	} else if (!s->resp_final) {
		s->resp_final = true;
		s->status = m->status;
		/* (the same size: its NUL too) */
		memcpy(s->content_type, m->content_type,
		       (size_t)m->content_type_len + 1);
		s->content_type_len = m->content_type_len;
		s->hdrs_len = m->hdrs_len < sizeof s->hdrs ? m->hdrs_len : sizeof s->hdrs;
		memcpy(s->hdrs, m->hdrs, s->hdrs_len);
		s->hdrs_truncated = m->hdrs_truncated;
		if (!s->grpc.active && grpc_content_type(m->content_type))
			grpc_start(c, s);
		/* shown in the live page: a stream cut by the process's end
		 * says its status */
		conn_live_resp_head(r, s->status, s->resp_header_bytes);
		if (c->server && m->has_content_length) {
			s->resp_sized = true;
			/* no body for HEAD, 204, 304 (RFC 9110 6.4.1) */
			bool bodiless = r->head || m->status == 204 ||
					m->status == 304;
			s->resp_expect = bodiless ? 0 : m->content_length;
			if (s->resp_expect == 0) {
				s->t_resp_whole = now;
				s->whole_mark = s->wire_mark;
			}
		}
	}
	grpc_status(s, m);
	if (ev->end_stream)
		response_ended(c, s, now);
}

/* Response body bytes of @ev (H2_EV_DATA_CHUNK, or H2_EV_DATA: the frame
 * is over) for @s at @now.  Bytes that went by unseen in a gRPC call where
 * they hid a message's prefix end the stream with HT_ERR_UNFOLLOWED (its
 * later frames then find no stream); the connection is still followed. */
static void on_response_data(conn *c, conn_stream *s, const h2_event *ev,
			     uint64_t now)
{
	if (!grpc_data(s, ev, false, now)) {
		close_stream(c, s, HT_ERR_UNFOLLOWED, now);
		return;
	}
	if (ev->type != H2_EV_DATA)
		return;
	if (!s->req.t[HT_T_FIRST_BYTE]) {
		s->req.t[HT_T_FIRST_BYTE] = now;
		conn_live_sync(&s->req, HT_T_FIRST_BYTE);
	}
	s->resp_body_bytes += ev->length;
	s->wire_mark = wire_mark(c);
	if (s->req.live_ref != 0)
		ht_live_resp_body(ht_live_req_resp(s->req.live, s->req.live_ref),
				  s->resp_body_bytes);
	if (s->resp_sized && !s->t_resp_whole &&
	    s->resp_body_bytes >= s->resp_expect) {
		s->t_resp_whole = now;
		s->whole_mark = s->wire_mark;
	}
	if (ev->end_stream)
		response_ended(c, s, now);
}

void conn_h2_read(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	while (len > 0 && c->mode == CONN_MODE_HTTP2) {
		h2_event ev;
		size_t n = h2_feed(&h2->server, buf, len, &ev);
		buf += n;
		len -= n;
		h2->left = len;
		conn_stream *s = NULL;
		switch (ev.type) {
		case H2_EV_HEADERS:
			s = find_stream(h2, ev.stream);
			if (s && ev.undecoded) {
				/* (as on_response_headers(): the end
				 * waits for the socket, conn_h2_wire()) */
				s->wire_mark = wire_mark(c);
				response_lost(c, s, &ev, HT_ERR_HEAD_LOST, now);
			} else if (s)
				on_response_headers(c, s, &ev, now);
			break;
		case H2_EV_DATA_CHUNK:
		case H2_EV_DATA:
			s = find_stream(h2, ev.stream);
			if (s)
				on_response_data(c, s, &ev, now);
			break;
		case H2_EV_RST_STREAM:
			/* The server's reset behind a response it ended (an
			 * early answer, then RST_STREAM(NO_ERROR): RFC 9113
			 * 8.1) cuts nothing: the ciphertext of that end goes
			 * out first.  Whole once the socket carried it. */
			s = find_stream(h2, ev.stream);
			if (s && (s->resp_done || s->wire_wait))
				stream_answered(c, s, now);
			else if (s)
				close_stream(c, s, HT_ERR_STREAM_RESET, now);
			break;
		case H2_EV_GOAWAY:
			/* streams above last_stream were never processed */
			for (unsigned i = 0; i < H2_STREAMS; i++) {
				s = h2->streams[i];
				if (s && s->id > ev.last_stream)
					close_stream(c, s, HT_ERR_GOAWAY, now);
			}
			break;
		case H2_EV_SETTINGS:
			h2_settings_sent(&h2->client, ev.table_size);
			break;
		case H2_EV_ERROR:
			/* too large to keep, not malformed: that stream (not
			 * a push's) is not followed, the others go on */
			s = ev.promised ? NULL : find_stream(h2, ev.stream);
			if (!h2->lost && ev.oversize &&
			    h2_framing(&h2->server)) {
				if (s) {
					s->wire_mark = wire_mark(c);
					response_lost(c, s, &ev,
						      HT_ERR_RESP_HEAD_BIG,
						      now);
				}
				break;
			}
			give_up(c, false, HT_ERR_BAD_RESPONSE, now);
			break;
		default:
			break;
		}
	}
}

size_t conn_h2_skip(conn *c, size_t len, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	while (len > 0 && c->mode == CONN_MODE_HTTP2) {
		h2_event ev;
		size_t n = h2_skip(&h2->server, len, &ev);
		if (n == 0)
			break;
		len -= n;
		h2->left = len;
		if (ev.type != H2_EV_DATA_CHUNK && ev.type != H2_EV_DATA)
			continue;
		conn_stream *s = find_stream(h2, ev.stream);
		if (s)
			on_response_data(c, s, &ev, now);
	}
	return len;
}
