/*
 * conn_ws.c - a connection after its "Upgrade: websocket" request was
 * answered 101: a WebSocket session (ws.h), followed each way and reported
 * as one HT_REC_WS record when it ends.
 */
#include "conn_internal.h"

#include <string.h>

#include "live.h"
#include "ws.h"

/* The session's state, allocated at the 101 (a connection that never
 * upgrades pays nothing for it). */
struct conn_ws {
	ws_session s;
	uint32_t req_seq;        /* the upgrade request */
	bool tunnel;             /* it went through a tunnel */
	unsigned live_ref;       /* its live page slot (0: none) */
	ht_live *live;
	char host[H1_HOST_MAX];
	char target[H1_TARGET_MAX];
};

int conn_ws_start(conn *c, const conn_request *r, uint64_t now)
{
	const conn_env *env = c->env;
	if (!env->alloc)
		return -1;
	struct conn_ws *w = env->alloc(sizeof *w);
	if (!w)
		return -1;
	/* The connections followed are a client's: it masks its frames. */
	ws_session_init(&w->s, true, now);
	w->req_seq = r->seq;
	w->tunnel = conn_in_tunnel(c, r);
	conn_copy_cstr(w->host, sizeof w->host, r->host);
	conn_copy_cstr(w->target, sizeof w->target, r->target);
	w->live_ref = conn_live_ws_start(c, r, now, &w->live);
	c->ws = w;
	c->mode = CONN_MODE_WS;
	return 0;
}

void conn_ws_release(conn *c)
{
	if (!c->ws)
		return;
	if (c->ws->live_ref != 0)
		ht_live_release(c->ws->live, c->ws->live_ref);
	c->env->release(c->ws, sizeof *c->ws);
	c->ws = NULL;
}

void conn_ws_after_fork(conn *c)
{
	if (c->ws)
		c->ws->live_ref = 0;
	conn_ws_release(c);
}

static ht_str str_of(const char *s, size_t cap)
{
	ht_str r = {s, (uint16_t)strnlen(s, cap)};
	return r;
}

void conn_ws_end(conn *c, uint32_t flags, uint64_t now)
{
	struct conn_ws *w = c->ws;
	if (!w)
		return;
	const ws_session *s = &w->s;
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_WS;
	ht_rec_ws *o = &rec.u.ws;
	o->pid = c->pid;
	o->conn_id = c->id;
	o->req_seq = w->req_seq;
	o->flags = flags;
	if (c->tls)
		o->flags |= HT_WF_TLS;
	if (w->tunnel)
		o->flags |= HT_WF_TUNNEL;
	if (c->server)
		o->flags |= HT_WF_SERVER;
	if (s->first_close == WS_SENT)
		o->flags |= HT_WF_CLOSED_SENT;
	else if (s->first_close == WS_RECV)
		o->flags |= HT_WF_CLOSED_RECV;
	if (ws_session_lost(s))
		o->flags |= HT_WF_LOST;
	o->peer = c->peer;
	o->t_start = s->t_start;
	o->t_end = now;
	for (int i = 0; i < 2; i++) {
		const ws_dir_stats *d = &s->d[i];
		ht_ws_dir *od = &o->dir[i];
		od->frames = d->frames;
		od->messages = d->messages;
		od->text = d->text;
		od->binary = d->binary;
		od->bytes = d->bytes;
		od->compressed = d->compressed;
		od->pings = d->pings;
		od->pongs = d->pongs;
		od->errors = d->errors;
		od->close_code = d->close_code;
		od->t_close = d->t_close;
		od->close_reason.p = d->close_reason;
		od->close_reason.len = d->reason_len;
		o->rtt[i].n = s->rtt_n[i];
		o->rtt[i].sum = s->rtt_sum[i];
		o->rtt[i].min = s->rtt_min[i];
		o->rtt[i].max = s->rtt_max[i];
	}
	o->host = str_of(w->host, sizeof w->host);
	o->target = str_of(w->target, sizeof w->target);
	o->dns_name = str_of(c->dns_name, sizeof c->dns_name);
	o->peer_path = str_of(c->peer_path, sizeof c->peer_path);
	o->tunnel = w->tunnel ? str_of(c->tunnel, sizeof c->tunnel)
			      : str_of("", 1);
	if (c->env->sink)
		c->env->sink(c->env->sink_ctx, &rec);
	conn_ws_release(c);
	c->mode = CONN_MODE_OPAQUE;
}

void conn_ws_feed(conn *c, bool out, const uint8_t *buf, size_t len,
		  uint64_t now)
{
	struct conn_ws *w = c->ws;
	if (!w)
		return;
	ws_session_feed(&w->s, out ? WS_SENT : WS_RECV, buf, len, now);
	/* The closing handshake is over (both close frames went), or the
	 * framing was lost: the session ends here. */
	if (ws_session_closed(&w->s) || ws_session_lost(&w->s))
		conn_ws_end(c, 0, now);
}
