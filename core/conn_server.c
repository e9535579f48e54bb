/*
 * conn_server.c - a server's connection, read the other way round (see
 * conn_server.h).
 */
#include "conn_server.h"
#include "conn_internal.h"
#include "http2.h"

void conn_server_init(conn *c, const conn_env *env, uint32_t pid, uint32_t id,
		      const ht_addr *peer, uint64_t now)
{
	conn_init(c, env, pid, id, peer, now);
	c->server = true;
	/* accepted: the connection is up from the accept's return */
	conn_connected(c, now);
}

conn_probe conn_server_probe(const conn *c, bool read, const uint8_t *buf,
			     size_t len)
{
	if (c->mode == CONN_MODE_OPAQUE)
		return CONN_PROBE_NOT;
	if (read)
		return len > 0 && conn_looks_like_http(buf, len) ?
			       CONN_PROBE_HTTP : CONN_PROBE_NOT;
	/* the server spoke first: only an HTTP/2 server preface, kept by
	 * the connection (conn_on_read()'s early bytes) while it may be */
	if (c->early_len == 0 && !h2_server_preface_start(buf, len))
		return CONN_PROBE_NOT;
	return CONN_PROBE_WAIT;
}

void conn_server_read(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	conn_on_write(c, buf, len, now);
}

void conn_server_write(conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	conn_on_read(c, buf, len, now);
}

void conn_server_sent(conn *c, size_t len, uint64_t now)
{
	conn_skip_unseen(c, len, now, HT_ERR_UNFOLLOWED,
			 "response bytes sent by sendfile or splice outside a "
			 "body of known length: a server connection not "
			 "followed from there on");
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
	/* the request it may still be reading stays (its close says none
	 * came); those behind it get no answer */
	conn_drop_unserved(c, 1);
}

void conn_server_closing(conn *c, uint64_t now)
{
	if (c->dead || c->mode != CONN_MODE_HTTP1 || c->unseen)
		return;
	conn_request *r = conn_answered(c);
	if (!r || !r->t[HT_T_FIRST_BYTE])
		return;
	/* The server's close ends a body that runs to close; a response cut
	 * inside its headers or a body of known length is truncated. */
	h1_event ev = h1_finish(&c->in);
	if (ev & H1_EV_COMPLETE) {
		r->t[HT_T_RESPONSE_DONE] = now;
		conn_emit_answered(c, HT_ERR_NONE, now);
	} else if (ev & H1_EV_ERROR) {
		conn_emit_answered(c, HT_ERR_TRUNCATED, now);
	}
}
