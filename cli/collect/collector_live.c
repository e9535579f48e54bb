/* collector_live.c - what a peer's live page says: the requests and
 * connections in flight (collector_inflight(), collector_inflight_conns()),
 * and once the peer is gone, its last counts and the requests and
 * connections its process's end cut short; see collector.h. */
#include "collector_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

#include "live.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const ht_live *peer_live(const collector *c, int fd);

/* Peer @fd is gone: its counter page says what it produced and dropped in
 * all, whatever ended it.  The count is fed as a DROPS record of the peer's
 * own (and so tapped: a replay of the capture counts the same). */
void peer_last_word(collector *c, int fd, unsigned unsent)
{
	const ht_counters *pg = c->peer_page[fd];
	ht_record rec = { .type = HT_REC_DROPS };
	uint8_t buf[64];
	size_t len;

	/* At collector_close() the outputs are finished: a process still
	 * running then has no last word yet. */
	if (pg == NULL || c->peer_pid[fd] == 0 || c->closing)
		return;
	rec.u.drops.pid = c->peer_pid[fd];
	rec.u.drops.dropped = __atomic_load_n(&pg->dropped, __ATOMIC_RELAXED);
	rec.u.drops.produced = __atomic_load_n(&pg->produced, __ATOMIC_RELAXED);
	/* of those, the requests (a live page of version 7 on) */
	const ht_live *live = peer_live(c, fd);
	/* The last word, unless the collector stops while the process runs
	 * on: what that has made and not sent yet is counted by the process
	 * itself when its send finds us gone (for the next collector), and
	 * must not be counted here too. */
	if (!c->ending ||
	    (live != NULL && __atomic_load_n(&live->ended, __ATOMIC_ACQUIRE) !=
				     HT_LIVE_RUNNING) ||
	    !process_runs(c->peer_pid[fd]))
		rec.u.drops.flags = HT_DF_FINAL;
	if (live != NULL &&
	    __atomic_load_n(&live->version, __ATOMIC_RELAXED) >= 7) {
		rec.u.drops.req_dropped = __atomic_load_n(
			&live->req_counts.dropped, __ATOMIC_RELAXED);
		rec.u.drops.req_produced = __atomic_load_n(
			&live->req_counts.produced, __ATOMIC_RELAXED);
	}
	/* requests whose records were never made, the process ended in
	 * doubt: produced (they would have been) and lost */
	rec.u.drops.dropped += unsent;
	rec.u.drops.produced += unsent;
	rec.u.drops.req_dropped += unsent;
	rec.u.drops.req_produced += unsent;
	/* A page whose process never produced a record: nothing to say. */
	if (rec.u.drops.produced == 0 && rec.u.drops.dropped == 0)
		return;
	len = ht_wire_encode(buf, sizeof(buf), &rec);
	if (len == 0)
		return;
	c->in_page_read = true;
	feed(c, fd, buf, len);
	c->in_page_read = false;
}

/* The live page of peer @fd, or NULL (none, or a version-1 page). */
static const ht_live *peer_live(const collector *c, int fd)
{
	if (c->peer_page[fd] == NULL ||
	    !ht_live_size_known(c->peer_page_len[fd]))
		return NULL;
	return c->peer_page[fd];
}

/* A record held for its process's end (peer_hold()): its bytes as the
 * peer sent them. */
struct collector_held {
	struct collector_held *next;
	int fd;
	size_t len;
	uint8_t raw[];
};

bool peer_hold(collector *c, int fd, const ht_record *rec, const uint8_t *raw,
	       size_t len)
{
	struct collector_held *h, **tail;

	if (c->releasing || c->replay || rec->type != HT_REC_REQUEST ||
	    rec->u.req.error != HT_ERR_INTERRUPTED || rec->u.req.signal != 0 ||
	    (rec->u.req.flags & HT_RF_FROM_PAGE) ||
	    c->n_held >= COLLECTOR_HELD_MAX)
		return false;
	h = malloc(sizeof(*h) + len);
	if (h == NULL)
		return false;
	h->next = NULL;
	h->fd = fd;
	h->len = len;
	memcpy(h->raw, raw, len);
	for (tail = &c->held; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = h;
	c->n_held++;
	return true;
}

/* The error the program's own close gives request @r when no signal
 * interrupted its wait (conn_close(), fail_all()): none of its response
 * came once it was written, else the connection closed before the
 * response completed. */
static unsigned closed_error(const ht_rec_request *r)
{
	if (r->t[HT_T_FIRST_BYTE] == 0 && r->t[HT_T_WROTE_REQUEST] != 0)
		return HT_ERR_NO_RESPONSE;
	return HT_ERR_CLOSED;
}

/* Feed held record @h of peer @fd with signal @sig (0: as it came;
 * PEER_WENT_ON: the process went on, its close its own: closed_error(),
 * and no phase, which only a process's end gives). */
static void release_one(collector *c, int fd, struct collector_held *h,
			unsigned sig)
{
	ht_record rec;
	size_t cap = h->len + 64, len = 0;
	uint8_t *buf = NULL;

	if (sig != 0 && ht_wire_decode(h->raw, h->len, &rec) > 0 &&
	    rec.type == HT_REC_REQUEST && (buf = malloc(cap)) != NULL) {
		if (sig == PEER_WENT_ON) {
			rec.u.req.error = (uint8_t)closed_error(&rec.u.req);
			rec.u.req.phase = 0;
		} else {
			rec.u.req.signal = (uint8_t)sig;
		}
		len = ht_wire_encode(buf, cap, &rec);
	}
	c->releasing = true;
	if (len > 0)
		feed(c, fd, buf, len);
	else
		feed(c, fd, h->raw, h->len);
	c->releasing = false;
	free(buf);
}

void peer_release(collector *c, int fd, unsigned sig)
{
	struct collector_held **pp = &c->held;

	while (*pp != NULL) {
		struct collector_held *h = *pp;

		if (fd >= 0 && h->fd != fd) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		c->n_held--;
		if (fd >= 0)
			release_one(c, fd, h, sig);
		free(h);
	}
}

/* Whether peer @fd holds a record. */
static bool peer_holds(const collector *c, int fd)
{
	for (const struct collector_held *h = c->held; h != NULL; h = h->next)
		if (h->fd == fd)
			return true;
	return false;
}

/* Connection slot @q of peer @fd, in phase @phase when its process ended
 * (@error, @sig; at @now): reported as a failed connection of the peer's
 * own (HT_REC_CONN_FAIL, HT_FF_FROM_PAGE, HT_FF_TLS in the handshake;
 * HT_FF_LOOKUP for a lookup in flight, its number as conn_id). */
static void conn_inflight(collector *c, int fd, const ht_live_conn *q,
			  unsigned phase, unsigned error, uint8_t sig,
			  uint64_t now)
{
	ht_record rec = { .type = HT_REC_CONN_FAIL };
	ht_rec_conn_fail *f = &rec.u.fail;
	uint8_t buf[512];

	f->pid = c->peer_pid[fd];
	f->conn_id = q->conn_id;
	f->peer = q->peer;
	f->flags = HT_FF_FROM_PAGE | (phase == HT_PH_TLS ? HT_FF_TLS : 0) |
		   (q->kind == HT_LIVE_LOOKUP ? HT_FF_LOOKUP : 0);
	f->t_dns_start = q->t_dns_start;
	f->t_dns_done = q->t_dns_done;
	f->t_connect_start = q->t_connect_start;
	f->t_connect_done = q->t_connect_done;
	f->t_tls_start = q->t_tls_start;
	f->t_fail = now;
	f->dns_name = (ht_str){ q->name, (uint16_t)strlen(q->name) };
	f->error = (uint8_t)error;
	f->signal = sig;
	f->phase = (uint8_t)phase;
	size_t len = ht_wire_encode(buf, sizeof(buf), &rec);

	if (len == 0)
		return;
	c->in_page_read = true;
	feed(c, fd, buf, len);
	c->in_page_read = false;
}

/* Whether the write mark of connection @conn_id in @l (a process that
 * ended) shows a write in flight. */
static bool server_writing(const ht_live *l, uint32_t conn_id)
{
	for (unsigned i = 0; i < HT_LIVE_WMARKS; i++) {
		ht_live_wmark w;

		if (ht_live_wmark_read(l, i, &w) == 1 && w.conn_id == conn_id &&
		    ht_live_wmark_writing(&w))
			return true;
	}
	return false;
}

/* Peer @fd is gone: every request its live page still shows in flight is
 * reported, as a request record of the peer's own (so tapped and
 * replayed), with how the process ended and the phase it was in; so is
 * every connection still in its DNS, connect or TLS phase, as a failed
 * connection (conn_inflight()).  Slots torn for good (the process died
 * writing one) are counted malformed. */
unsigned peer_inflight(collector *c, int fd)
{
	const ht_live *l = peer_live(c, fd);
	uint8_t buf[1024];
	struct timespec ts;
	unsigned error = 0, unsent = 0;
	uint8_t sig = 0;
	bool known = false;

	/* The requests a signal cut that the process reported itself come
	 * first, with the signal that ended it, if one did. */
	if (peer_holds(c, fd)) {
		unsigned how = 0; /* not known: as they came */

		if (c->peer_pid[fd] != 0 && !c->closing) {
			error = process_end(c, l, c->peer_pid[fd], !c->ending, &sig);
			known = true;
			how = sig;
			/* it exited by itself, or runs on: the signal was
			 * one it handled, the close its own; unless its exit
			 * status says the signal ended it (the review of
			 * a7ba96d: a handled Ctrl-C was an early close) */
			if (sig == 0 && (error == HT_ERR_EXITED || error == 0)) {
				unsigned said = error == HT_ERR_EXITED ?
					exit_says_signal(exit_status(
						c, c->peer_pid[fd], !c->ending)) : 0;

				how = said != 0 ? said : PEER_WENT_ON;
			}
		}
		peer_release(c, fd, how);
	}
	if (l == NULL || c->peer_pid[fd] == 0 || c->closing)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* How the process ended is asked (and waited for) before the slots
	 * are read for good: a process whose socket closed behind its back
	 * runs on, ends its requests itself (releasing their slots) and may
	 * exit within the wait; only what is still in flight after is its
	 * end's. */
	bool any = false;

	for (unsigned i = 0; i < HT_LIVE_REQS && !any; i++) {
		ht_live_req q;
		int got = ht_live_read(l, i, &q);

		/* (a slot torn now is read again below: counted malformed
		 * if it stays torn, as a stopping collector must count every
		 * request it read in flight, live.h ht_live_taken()) */
		any = got < 0 || (got == 1 && q.kind != HT_LIVE_WEBSOCKET);
	}
	for (unsigned i = 0; i < HT_LIVE_CONNS && !any; i++) {
		ht_live_conn q;

		int got = ht_live_conn_read(l, i, &q);

		any = got < 0 ||
		      (got == 1 && ht_live_conn_phase(&q) != HT_PH_NONE);
	}
	if (!any)
		any = ht_live_unlisted(l, c->peer_page_len[fd]) != 0;
	if (!any)
		return 0; /* nothing in flight */
	if (!known)
		error = process_end(c, l, c->peer_pid[fd], !c->ending, &sig);
	known = true;
	if (error == 0)
		return 0; /* it runs on: its own records follow */
	/* The requests in flight no slot showed: their records will never
	 * come and nothing of them is known but that they were in flight
	 * (a server's may even have been answered): counted as not seen. */
	unsent += ht_live_unlisted(l, c->peer_page_len[fd]);
	for (unsigned i = 0; i < HT_LIVE_REQS; i++) {
		ht_live_req q;
		ht_live_resp e;
		ht_live_cut_resp cut;
		int got = ht_live_read_resp(l, c->peer_page_len[fd], i, &q, &e);

		if (got < 0)
			c->malformed++;
		/* A WebSocket session still open is not a request cut short
		 * (its upgrade request has its record already): skipped, as
		 * before sessions were shown. */
		if (got <= 0 || q.kind == HT_LIVE_WEBSOCKET)
			continue;
		/* A server's write was in flight on its connection: the
		 * client may have its whole response, the record not made
		 * yet.  Neither complete nor cut for sure: counted as not
		 * seen. */
		if (q.side == HT_LIVE_SERVER && server_writing(l, q.conn_id)) {
			unsent++;
			continue;
		}
		ht_record rec = { .type = HT_REC_REQUEST };
		ht_rec_request *r = &rec.u.req;

		r->pid = c->peer_pid[fd];
		r->conn_id = q.conn_id;
		r->req_seq = q.req_seq;
		r->flags = (q.flags & (HT_RF_REUSED | HT_RF_WAS_IDLE | HT_RF_TLS |
				       HT_RF_TARGET_TRUNC | HT_RF_TUNNEL)) |
			   HT_RF_FROM_PAGE;
		if (q.side == HT_LIVE_SERVER)
			r->flags |= HT_RF_SERVER;
		r->proto = q.proto;
		r->error = (uint8_t)error;
		r->peer = q.peer;
		r->req_header_bytes = q.header_bytes;
		/* what came of its response, as far as the page kept it */
		ht_live_cut_resp_of(&q, &e, &cut);
		r->status = cut.status;
		r->n_1xx = cut.n_1xx;
		r->resp_header_bytes = cut.header_bytes;
		r->resp_body_bytes = cut.body_bytes;
		if (cut.header_unknown)
			r->flags |= HT_RF_RESP_HDR_UNKNOWN;
		if (cut.body_unknown)
			r->flags |= HT_RF_RESP_BODY_UNKNOWN;
		/* its body bytes once it was written whole (a page of
		 * version 10 on); else not known, never 0 */
		if (!ht_live_read_req_body(l, c->peer_page_len[fd], i,
					   &r->req_body_bytes))
			r->flags |= HT_RF_REQ_BODY_UNKNOWN;
		memcpy(r->t, q.t, sizeof(r->t));
		/* its end: now, unless its response ended already (an early
		 * answer, its request still being written when it died) */
		if (r->t[HT_T_RESPONSE_DONE] == 0)
			r->t[HT_T_RESPONSE_DONE] = now;
		r->method = (ht_str){ q.method, (uint16_t)strlen(q.method) };
		r->target = (ht_str){ q.target, (uint16_t)strlen(q.target) };
		r->host = (ht_str){ q.host, (uint16_t)strlen(q.host) };
		r->dns_name = r->reason = r->content_type = (ht_str){ "", 0 };
		r->tls_version = r->alpn = r->req_headers = (ht_str){ "", 0 };
		r->resp_headers = r->peer_path = r->tunnel = (ht_str){ "", 0 };
		if (c->ending && error == HT_ERR_INTERRUPTED && sig == 0)
			r->flags |= HT_RF_TRACING_ENDED;
		r->signal = sig;
		r->phase = (uint8_t)ht_live_phase(q.t, cut.status != 0);
		if (r->phase == 0)
			r->phase = HT_PH_SEND;
		/* its connection was shared with a forked process, which may
		 * have read its answer (HT_RF_SHARED): not followed, as the
		 * process would have said at its end, never cut */
		if (q.flags & HT_RF_SHARED) {
			r->error = HT_ERR_SHARED;
			r->signal = 0;
			r->status = 0;
			r->n_1xx = 0;
			r->flags &= ~HT_RF_TRACING_ENDED;
			r->flags |= HT_RF_RESP_HDR_UNKNOWN |
				    HT_RF_RESP_BODY_UNKNOWN;
		}
		size_t len = ht_wire_encode(buf, sizeof(buf), &rec);

		if (len == 0)
			continue;
		c->in_page_read = true;
		feed(c, fd, buf, len);
		c->in_page_read = false;
	}
	for (unsigned i = 0; i < HT_LIVE_CONNS; i++) {
		ht_live_conn q;
		int got = ht_live_conn_read(l, i, &q);
		unsigned phase;

		if (got < 0)
			c->malformed++;
		if (got <= 0 || (phase = ht_live_conn_phase(&q)) == HT_PH_NONE)
			continue;
		if (!known) {
			error = process_end(c, l, c->peer_pid[fd], !c->ending, &sig);
			known = true;
			if (error == 0)
				return unsent;
			if (ht_live_conn_read(l, i, &q) <= 0 ||
			    (phase = ht_live_conn_phase(&q)) == HT_PH_NONE)
				continue;
		}
		conn_inflight(c, fd, &q, phase, error, sig, now);
	}
	return unsent;
}

/* The phase of request slot @i of @l (@len bytes mapped), @q its copy: as
 * its slot says (ht_live_req_phase()), but a request still writing its
 * body after an interim response (100 Continue) whose final response has
 * begun (an early 413) is receiving it, as the record made of the slot
 * says (ht_live_phase() with the response entry, as in the cut request's
 * record above): that entry is read again with the slot, and used only
 * when that copy is the same request at the same moment. */
static unsigned inflight_phase(const ht_live *l, size_t len, unsigned i,
			       const ht_live_req *q)
{
	unsigned phase = ht_live_req_phase(q);
	ht_live_req q2;
	ht_live_resp e;
	ht_live_cut_resp cut;

	if (phase != HT_PH_SEND || q->kind == HT_LIVE_WEBSOCKET ||
	    q->t[HT_T_GOT_1XX] == 0 || q->t[HT_T_WROTE_REQUEST] != 0)
		return phase;
	if (ht_live_read_resp(l, len, i, &q2, &e) <= 0 ||
	    q2.conn_id != q->conn_id || q2.req_seq != q->req_seq ||
	    q2.stream != q->stream || q2.side != q->side ||
	    memcmp(q2.t, q->t, sizeof(q->t)) != 0)
		return phase;
	ht_live_cut_resp_of(&q2, &e, &cut);
	return ht_live_phase(q2.t, cut.status != 0);
}

size_t collector_inflight(const collector *c, uint64_t now,
			  collector_inflight_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		const ht_live *l;

		if (!c->peer_open[fd] || (l = peer_live(c, (int)fd)) == NULL)
			continue;
		for (unsigned i = 0; i < HT_LIVE_REQS; i++) {
			collector_inflight_req e;

			if (ht_live_read_tls(l, i, &e.slot, &e.tls) <= 0)
				continue;
			e.pid = c->peer_pid[fd];
			e.conn_id = e.slot.conn_id + c->peer_base[fd];
			e.phase = inflight_phase(l, c->peer_page_len[fd], i,
						 &e.slot);
			e.since = e.slot.t[HT_T_GOT_CONN];
			for (unsigned k = 0; k < HT_T__COUNT; k++)
				if (e.slot.t[k] && e.slot.t[k] < e.since)
					e.since = e.slot.t[k];
			e.elapsed = now > e.since ? now - e.since : 0;
			n++;
			if (fn != NULL)
				fn(ctx, &e);
		}
	}
	return n;
}

size_t collector_unlisted(const collector *c)
{
	size_t n = 0;

	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		const ht_live *l;

		if (!c->peer_open[fd] || (l = peer_live(c, (int)fd)) == NULL)
			continue;
		n += ht_live_unlisted(l, c->peer_page_len[fd]);
	}
	return n;
}

/* Whether connection slot @s of page @l, up and carrying no request yet,
 * is a client's whose handshake is over (its side is known from version
 * 4 on). */
static bool conn_handshaken(const ht_live *l, const ht_live_conn *s)
{
	return l->version >= 4 && s->kind == HT_LIVE_CONNECTION &&
	       s->side == HT_LIVE_CLIENT && s->t_tls_done != 0;
}

/* collector_inflight_conns(), and with @handshaken the connections
 * conn_handshaken() names too. */
static size_t conns_walk(const collector *c, uint64_t now, bool handshaken,
			 collector_inflight_conn_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		const ht_live *l;

		if (!c->peer_open[fd] || (l = peer_live(c, (int)fd)) == NULL)
			continue;
		for (unsigned i = 0; i < HT_LIVE_CONNS; i++) {
			collector_inflight_conn e;

			if (ht_live_conn_read_tls(l, i, &e.slot, &e.tls) <= 0)
				continue;
			e.phase = ht_live_conn_phase(&e.slot);
			if (e.phase == HT_PH_NONE &&
			    !(handshaken && conn_handshaken(l, &e.slot)))
				continue;
			e.pid = c->peer_pid[fd];
			/* a lookup has no connection: its number is its own */
			e.conn_id = e.slot.kind == HT_LIVE_LOOKUP ?
					    0 : e.slot.conn_id + c->peer_base[fd];
			/* the earliest moment set: a lookup has no connect
			 * yet, a handshake may be all that was seen */
			const uint64_t t[] = { e.slot.t_dns_start,
					       e.slot.t_connect_start,
					       e.slot.t_tls_start };
			e.since = 0;
			for (unsigned k = 0; k < ARRAY_SIZE(t); k++)
				if (t[k] && (e.since == 0 || t[k] < e.since))
					e.since = t[k];
			e.elapsed = now > e.since ? now - e.since : 0;
			n++;
			if (fn != NULL)
				fn(ctx, &e);
		}
	}
	return n;
}

size_t collector_inflight_conns(const collector *c, uint64_t now,
				collector_inflight_conn_fn fn, void *ctx)
{
	return conns_walk(c, now, false, fn, ctx);
}

size_t collector_live_conns(const collector *c, uint64_t now,
			    collector_inflight_conn_fn fn, void *ctx)
{
	return conns_walk(c, now, true, fn, ctx);
}

bool collector_loopback_clients(collector *c)
{
	struct pollfd p;

	if (c->clients_ever || c->replay || c->listen_fd < 0)
		return true;
	if (c->clients_none_at != 0 && c->clients_none_at == c->reads)
		return false; /* nothing received since the last look */
	/* a process connected, not accepted yet: its HELLO unread */
	p.fd = c->listen_fd;
	p.events = POLLIN;
	p.revents = 0;
	if (c->accept_paused || poll(&p, 1, 0) != 0 ||
	    c->n_peers > COLLECTOR_CLIENT_SCAN)
		return true;
	for (size_t fd = 0; fd < c->peer_cap; fd++) {
		if (!c->peer_open[fd])
			continue;
		if (c->peer_pid[fd] == 0)
			return true; /* no HELLO read yet */
		if (c->peer_page[fd] == NULL ||
		    ht_live_may_have_client(c->peer_page[fd],
					    c->peer_page_len[fd])) {
			c->clients_ever = true;
			return true;
		}
	}
	c->clients_none_at = c->reads;
	return false;
}

/* A connection a peer opened and did not close yet (peer_conns_note()). */
struct collector_open_conn {
	ht_addr peer;
	uint32_t requests; /* the highest request number seen */
	uint32_t flags;    /* HT_CF_TLS, HT_CF_SERVER */
	uint16_t path_len;
	char path[108];    /* the Unix socket's path, as the records said */
};

void peer_conns_note(collector *c, int fd, const ht_record *rec)
{
	uint64_t key, v;
	struct collector_open_conn *o;

	switch (rec->type) {
	case HT_REC_REQUEST:
		break;
	case HT_REC_CONN_CLOSE:
		key = (uint64_t)fd << 32 | rec->u.close.conn_id;
		if (u64map_get(&c->open_conns, key, &v)) {
			u64map_del(&c->open_conns, key);
			free((void *)(uintptr_t)v);
		}
		return;
	case HT_REC_CONN_FAIL:
		key = (uint64_t)fd << 32 | rec->u.fail.conn_id;
		if (!(rec->u.fail.flags & HT_FF_LOOKUP) &&
		    u64map_get(&c->open_conns, key, &v)) {
			u64map_del(&c->open_conns, key);
			free((void *)(uintptr_t)v);
		}
		return;
	default:
		return;
	}
	const ht_rec_request *r = &rec->u.req;

	if (r->conn_id == 0)
		return;
	key = (uint64_t)fd << 32 | r->conn_id;
	if (u64map_get(&c->open_conns, key, &v)) {
		o = (struct collector_open_conn *)(uintptr_t)v;
		if (r->req_seq > o->requests)
			o->requests = r->req_seq;
		return;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return; /* its close at the process's end is not said */
	o->peer = r->peer;
	o->requests = r->req_seq;
	o->flags = ((r->flags & HT_RF_TLS) ? HT_CF_TLS : 0) |
		   ((r->flags & HT_RF_SERVER) ? HT_CF_SERVER : 0);
	o->path_len = r->peer_path.len < sizeof(o->path) ?
			      r->peer_path.len : (uint16_t)sizeof(o->path);
	memcpy(o->path, r->peer_path.p, o->path_len);
	if (!u64map_put(&c->open_conns, key, (uint64_t)(uintptr_t)o))
		free(o);
}

static int key_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The keys of peer @fd's open connections (every peer's: @fd -1) into a
 * new array (*@n of them; NULL: none, or no memory), in their order (a
 * key is the peer's fd, then the connection's id): what is said of them
 * comes out in that order, not the map's (which an fd number moves). */
static uint64_t *conns_of(const collector *c, int fd, size_t *n)
{
	const u64map *m = &c->open_conns;
	uint64_t *keys;

	*n = 0;
	if (m->n == 0 || (keys = malloc(m->n * sizeof(*keys))) == NULL)
		return NULL;
	for (size_t i = 0; i < m->cap && *n < m->n; i++)
		if (m->keys[i] != 0 &&
		    (fd < 0 || m->keys[i] >> 32 == (uint64_t)fd))
			keys[(*n)++] = m->keys[i];
	qsort(keys, *n, sizeof(*keys), key_order);
	return keys;
}

void peer_conns_forget(collector *c, int fd)
{
	size_t n;
	uint64_t *keys = conns_of(c, fd, &n), v;

	for (size_t i = 0; i < n; i++)
		if (u64map_get(&c->open_conns, keys[i], &v)) {
			u64map_del(&c->open_conns, keys[i]);
			free((void *)(uintptr_t)v);
		}
	free(keys);
}

void peer_conns_end(collector *c, int fd)
{
	size_t n;
	uint64_t *keys, v;
	uint8_t sig, buf[512];
	struct timespec ts;

	if (c->peer_pid[fd] == 0 || c->closing ||
	    (keys = conns_of(c, fd, &n)) == NULL)
		return;
	/* Only an end without a goodbye (a kill, a crash, _exit) leaves
	 * them open: exit() and exec close them in the library (their
	 * closes sent, or counted lost).  And only when every record the
	 * page counted arrived: a close lost on the way (counted dropped,
	 * or unsent when the process died) would be said twice, or late.
	 * The collector stopping while the process runs on: open still,
	 * only no longer traced here. */
	const ht_live *l = peer_live(c, fd);
	const account *a = &c->peer_acct[fd];

	if (l == NULL ||
	    __atomic_load_n(&l->ended, __ATOMIC_ACQUIRE) != HT_LIVE_RUNNING ||
	    __atomic_load_n(&l->dropped, __ATOMIC_RELAXED) != 0 ||
	    __atomic_load_n(&l->produced, __ATOMIC_RELAXED) != a->received ||
	    (c->ending && process_runs(c->peer_pid[fd]))) {
		free(keys);
		return;
	}
	/* (asked again: its answer is at hand, a page's goodbye or a child
	 * reaped, once peer_inflight() waited for it) */
	if (process_end(c, l, c->peer_pid[fd], !c->ending, &sig) == 0) {
		free(keys); /* it runs on: its closes are its own */
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (size_t i = 0; i < n; i++) {
		ht_record rec = { .type = HT_REC_CONN_CLOSE };
		ht_rec_conn_close *o = &rec.u.close;
		const struct collector_open_conn *q;

		if (!u64map_get(&c->open_conns, keys[i], &v))
			continue;
		q = (const struct collector_open_conn *)(uintptr_t)v;
		o->pid = c->peer_pid[fd];
		o->conn_id = (uint32_t)keys[i];
		o->requests = q->requests;
		o->flags = q->flags | HT_CF_PROCESS_END;
		o->peer = q->peer;
		o->t_close = (uint64_t)ts.tv_sec * 1000000000ull +
			     (uint64_t)ts.tv_nsec;
		o->peer_path = (ht_str){ q->path, q->path_len };
		o->sni = o->alpn_offered = o->tls_version = o->alpn =
			(ht_str){ "", 0 };
		size_t len = ht_wire_encode(buf, sizeof(buf), &rec);

		/* (fed, it forgets the connection: peer_conns_note()) */
		if (len > 0) {
			c->in_page_read = true;
			feed(c, fd, buf, len);
			c->in_page_read = false;
		}
	}
	free(keys);
	peer_conns_forget(c, fd);
}
