/*
 * conn_h2_lost.c - an HTTP/2 connection one of whose directions cannot be
 * read on: the streams it leaves are still counted (see conn_h2.c).
 *
 * Pure like conn.c.
 */
#include "conn_h2_internal.h"

/* The reader of one direction failed (H2_EV_ERROR), the client's when
 * @requests: nothing more of that direction can be decoded.  The streams
 * in flight end with @error, and a note says so, once; from there on the
 * client's new streams are counted (lost_request()) while its direction
 * can be framed, else nothing more of the connection is looked at. */
void give_up(conn *c, bool requests, unsigned error, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	bool framed = h2_framing(&h2->client);

	if (!h2->lost) {
		/* Streams answered in plaintext keep waiting for their
		 * ciphertext, framed or not: the socket's writes still
		 * release them whole (conn_h2_wire(), which the connection
		 * still gets once opaque), its end before that cuts them
		 * (conn_h2_fail_all()). */
		fail_streams(c, error, true, now);
		h2->lost = true;
		h2->lost_error = (uint8_t)error;
		if (!framed)
			conn_note(c, "HTTP/2 request bytes that could not be "
				  "framed (not HTTP/2): a connection not "
				  "followed from there on, its later requests "
				  "not counted");
		else if (requests)
			conn_note(c, "an HTTP/2 request header block could "
				  "not be decoded: a connection's later "
				  "requests reported as errors, without their "
				  "fields");
		else
			conn_note(c, "an HTTP/2 response could not be read "
				  "(header block or framing): a connection's "
				  "later requests reported as errors, their "
				  "responses not followed");
	}
	if (!framed)
		c->mode = CONN_MODE_OPAQUE;
}

/* The new stream @ev->stream, its request header block in the client
 * reader's message, is not followed (no slot for it): its record goes out
 * at once with @error (HT_ERR_OVERFLOW, or the connection's lost_error),
 * the block's fields and its write time, built in the connection's spill
 * (HTTP/1.x's untracked request, unused on HTTP/2), never in a stream's
 * slot.  A gRPC call says so, without messages or status. */
void untracked(conn *c, const h2_event *ev, unsigned error, uint64_t now)
{
	const h2_message *m = &c->h2->client.msg;
	conn_request *r = &c->spill;
	ht_grpc g;

	conn_request_begin(c, r, c->h2->open == 0, now);
	r->stream_id = ev->stream;
	r->proto = HT_PROTO_HTTP2;
	request_head(c, r, m, now);
	if (ev->end_stream) {
		r->written = true;
		r->t[HT_T_WROTE_REQUEST] = now;
		if (c->server)
			conn_thread_served(c, r, false);
	}
	if (grpc_content_type(m->content_type)) {
		memset(&g, 0, sizeof g);
		r->flags |= HT_RF_GRPC;
	}
	conn_emit_request_grpc(c, r, error, NULL,
			       r->flags & HT_RF_GRPC ? &g : NULL, now);
}

/* A request header block on stream @ev->stream after give_up(), or one
 * that was too large to keep or came after such a block: a new stream is
 * reported at once with @error (the connection's lost_error after a
 * give-up), with the request's fields when its block was decoded (else msg
 * is empty). */
void lost_request(conn *c, const h2_event *ev, unsigned error, uint64_t now)
{
	struct conn_h2 *h2 = c->h2;
	const h2_message *m = &h2->client.msg;
	conn_stream *s;

	if (ev->stream <= h2->last_stream)
		return; /* trailers of a stream ended at the give-up */
	h2->last_stream = ev->stream;
	s = open_stream(c, ev->stream, now);
	if (!s) {
		untracked(c, ev, error, now);
		return;
	}
	request_head(c, &s->req, m, now);
	if (ev->end_stream) {
		s->req.written = true;
		s->req.t[HT_T_WROTE_REQUEST] = now;
		if (c->server)
			conn_thread_served(c, &s->req, false);
	}
	close_stream(c, s, error, now);
}

/* A response header block on @s was framed, not decoded (@ev->undecoded:
 * too large to keep, or after such a block, the HPACK state lost): what
 * it said is not known.  Trailers after final headers that were decoded
 * take nothing from the record (but a gRPC call's status): the response
 * goes on.  Else the stream ends with @error, its status unknown. */
void response_lost(conn *c, conn_stream *s, const h2_event *ev,
		   unsigned error, uint64_t now)
{
	if (!s->req.t[HT_T_FIRST_BYTE]) {
		s->req.t[HT_T_FIRST_BYTE] = now;
		conn_request_clamp(&s->req, now);
	}
	if (s->resp_final && !s->grpc.active) {
		if (ev->end_stream)
			response_ended(c, s, now);
		return;
	}
	close_stream(c, s, error, now);
}
