/*
 * join.c - a client's record and its server's joined (see join.h).
 */
#include "join.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "report.h"

/* A pair's key: the client's local address, its peer, the request (the
 * stream id with bit 32 set, else the number on the connection). */
#define KEY_ADDR 19
#define KEY_LEN (2 * KEY_ADDR + 8)

enum { SIDE_CLIENT, SIDE_SERVER };

/* One end of a pair, remembered after its record went out. */
typedef struct join_half {
	bool used;
	uint8_t key[KEY_LEN];
	uint32_t slot;            /* slot_of(key) */
	uint32_t pid, conn_id, req_seq;
	uint64_t t0, t1;          /* the request's begin and end */
	int64_t processing;       /* a server's */
	bool ids;
	uint8_t trace[16], span[8];
} join_half;

struct join_slot {
	join_half half[2];        /* [SIDE_CLIENT], [SIDE_SERVER] */
	/* the held requests of each side whose key falls here, chained
	 * through join_held.chain */
	struct join_held *held[2];
};

/* A request on its thread (wire.h thread, thread_seq): a server's,
 * its window (request read, response done); a client's, the server
 * request it names and its first byte written (t0). */
typedef struct join_thr {
	uint32_t pid, thread, seq;
	uint32_t conn_id, req_seq;
	uint64_t t0, t1;
} join_thr;

/* A server request's window, remembered after its record went out. */
struct join_win {
	bool used;
	join_thr thr;
	bool ids;
	uint8_t trace[16], self[8];
};

/* A record held back: encoded (its strings pointed into the collector's
 * buffer), with what it learned. */
struct join_held {
	uint8_t *bytes;
	uint32_t len;
	uint32_t pid;
	uint64_t serial;          /* a request's number (follows names it) */
	bool waiting;             /* a request waiting for its other end */
	bool wait_parent;         /* a client's, for its thread's server
	                             request's record */
	uint64_t follows;         /* takes the trace of this held request
	                             when that one's is settled; 0: none */
	uint64_t deadline;
	bool has_join;
	ht_join join;
	int side;                 /* a request's: SIDE_* */
	join_half me;             /* its end (used: a pair's candidate) */
	bool server_thr;          /* a server's, with a thread */
	join_thr thr;
	/* while held: */
	struct join_held *chain;  /* the next in its slot's list (me.used) */
	bool counted_wp;          /* counted in n_wait_parent */
};

/* A process with records held, and how many. */
struct join_pid {
	uint32_t pid;
	unsigned n;
};

/* The address @a as a key part: IPv4 in IPv6 as IPv4, unused bytes 0. */
static void key_addr(uint8_t *k, const ht_addr *a)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xff, 0xff};

	memset(k, 0, KEY_ADDR);
	k[1] = (uint8_t)a->port;
	k[2] = (uint8_t)(a->port >> 8);
	if (a->family == AF_INET6 && memcmp(a->addr, v4mapped, 12) == 0) {
		k[0] = AF_INET;
		memcpy(k + 3, a->addr + 12, 4);
	} else if (a->family == AF_INET) {
		k[0] = AF_INET;
		memcpy(k + 3, a->addr, 4);
	} else {
		k[0] = a->family;
		memcpy(k + 3, a->addr, 16);
	}
}

/* Whether request @r can have another end: TCP addresses both ways, not
 * inside a tunnel (its peer is the proxy). */
static bool candidate(const ht_rec_request *r)
{
	bool inet = (r->local.family == AF_INET ||
		     r->local.family == AF_INET6) &&
		    (r->peer.family == AF_INET || r->peer.family == AF_INET6);

	return inet && !(r->flags & (HT_RF_TUNNEL | HT_RF_FROM_PAGE));
}

/* The key of @r's pair, from either end. */
static void make_key(uint8_t *k, const ht_rec_request *r, bool server)
{
	uint64_t rk = r->stream_id ? (1ull << 32 | r->stream_id) : r->req_seq;

	key_addr(k, server ? &r->peer : &r->local);
	key_addr(k + KEY_ADDR, server ? &r->local : &r->peer);
	for (int i = 0; i < 8; i++)
		k[2 * KEY_ADDR + i] = (uint8_t)(rk >> (8 * i));
}

static size_t slot_of(const uint8_t *k)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < KEY_LEN; i++)
		h = (h ^ k[i]) * 16777619u;
	return h & (JOIN_SLOTS - 1);
}

/* @r's end: its key, identity and lifetime. */
static void half_of(join_half *h, const ht_rec_request *r, bool server)
{
	memset(h, 0, sizeof(*h));
	h->used = true;
	make_key(h->key, r, server);
	h->slot = (uint32_t)slot_of(h->key);
	h->pid = r->pid;
	h->conn_id = r->conn_id;
	h->req_seq = r->req_seq;
	h->t0 = r->t[HT_T_GOT_CONN];
	h->t1 = r->t[HT_T_RESPONSE_DONE];
	h->processing = JOIN_NONE;
	if (server) {
		report_timing t;

		report_timing_compute(r, &t);
		if (t.wait != REPORT_NONE)
			h->processing = t.wait;
	}
}

/* How late a moment may be stamped after the call it times returned (a
 * thread descheduled in between): a client's request may seem to begin
 * after its server's response ended by that much. */
#define JOIN_SKEW_NS 1000000000ull

/*
 * Whether @c (a client's end) and @s (a server's) are the two ends of one
 * request: one key, and lifetimes that can be one request's.  Each moment
 * is stamped as its call returned, so only this order is sure: the server
 * stamped its request read before it wrote the response, which the
 * client read before it stamped its response done.  The other way, a
 * client's request stamped more than JOIN_SKEW_NS after the server's
 * response ended is another, later one (its 4-tuple used again).
 */
static bool ends_match(const join_half *c, const join_half *s)
{
	if (!c->used || !s->used || memcmp(c->key, s->key, KEY_LEN) != 0)
		return false;
	if (s->t0 && c->t1 && s->t0 > c->t1)
		return false;
	if (c->t0 && s->t1 && c->t0 > s->t1 + JOIN_SKEW_NS)
		return false;
	return true;
}

static uint32_t rec_pid(const ht_record *rec)
{
	switch (rec->type) {
	case HT_REC_HELLO: return rec->u.hello.pid;
	case HT_REC_REQUEST: return rec->u.req.pid;
	case HT_REC_CONN_FAIL: return rec->u.fail.pid;
	case HT_REC_CONN_CLOSE: return rec->u.close.pid;
	case HT_REC_DROPS: return rec->u.drops.pid;
	case HT_REC_NOTE: return rec->u.note.pid;
	case HT_REC_WS: return rec->u.ws.pid;
	case HT_REC_DNS: return rec->u.dns.pid;
	default: return 0;
	}
}

int join_init(joiner *j, join_emit_fn emit, void *emit_ctx, join_rand_fn rnd,
	      void *rnd_ctx, bool hold, uint64_t window_ns)
{
	memset(j, 0, sizeof(*j));
	j->emit = emit;
	j->emit_ctx = emit_ctx;
	j->rand = rnd;
	j->rand_ctx = rnd_ctx;
	j->hold = hold;
	j->window = window_ns;
	j->slots = calloc(JOIN_SLOTS, sizeof(*j->slots));
	j->pool = calloc(JOIN_HOLD_MAX, sizeof(*j->pool));
	j->held = calloc(JOIN_HOLD_MAX, sizeof(*j->held));
	j->free = calloc(JOIN_HOLD_MAX, sizeof(*j->free));
	j->pids = calloc(JOIN_HOLD_MAX, sizeof(*j->pids));
	j->wins = calloc(JOIN_WINS, sizeof(*j->wins));
	j->scratch = malloc(HT_WIRE_MAX_RECORD);
	if (j->slots == NULL || j->pool == NULL || j->held == NULL ||
	    j->free == NULL || j->pids == NULL || j->wins == NULL ||
	    j->scratch == NULL) {
		join_free(j);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < JOIN_HOLD_MAX; i++)
		j->free[i] = &j->pool[JOIN_HOLD_MAX - 1 - i];
	j->n_free = JOIN_HOLD_MAX;
	j->next_deadline = UINT64_MAX;
	return 0;
}

/* Remember end @h (of @side) for the other end to come. */
static void remember(joiner *j, const join_half *h, int side)
{
	j->slots[h->slot].half[side] = *h;
}

/* The other end of @h (of @side) remembered, taken out; NULL if none. */
static join_half *take_other(joiner *j, const join_half *h, int side,
			     join_half *out)
{
	join_half *o = &j->slots[h->slot].half[!side];

	if (side == SIDE_CLIENT ? !ends_match(h, o) : !ends_match(o, h))
		return NULL;
	*out = *o;
	o->used = false;
	return out;
}

/* The slot of the server request @pid, @thread, @seq. */
static struct join_win *win_slot(joiner *j, uint32_t pid, uint32_t thread,
				 uint32_t seq)
{
	uint32_t h = 2166136261u; /* FNV-1a over the three */
	uint32_t v[3] = {pid, thread, seq};

	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			h = (h ^ (uint8_t)(v[i] >> (8 * b))) * 16777619u;
	return &j->wins[h & (JOIN_WINS - 1)];
}

/* Whether server request @s (a window) is @c's (a client's) parent: the
 * one @c names, read whole before @c began, done after. */
static bool parent_of(const join_thr *s, const join_thr *c)
{
	return s->pid == c->pid && s->thread == c->thread &&
	       s->seq == c->seq && s->t0 != 0 && s->t1 != 0 && c->t0 != 0 &&
	       s->t0 <= c->t0 && c->t0 <= s->t1;
}

static struct join_pid *pid_entry(joiner *j, uint32_t pid)
{
	for (unsigned i = 0; i < j->n_pids; i++)
		if (j->pids[i].pid == pid)
			return &j->pids[i];
	return NULL;
}

static bool pid_held(joiner *j, uint32_t pid)
{
	return pid_entry(j, pid) != NULL;
}

/* One more (@delta 1) or one fewer (-1) record of @pid held. */
static void pid_count(joiner *j, uint32_t pid, int delta)
{
	struct join_pid *p = pid_entry(j, pid);

	if (p == NULL) {
		if (delta < 0)
			return; /* (never: counted when held) */
		p = &j->pids[j->n_pids++];
		p->pid = pid;
		p->n = 0;
	}
	p->n += delta;
	if (p->n == 0)
		*p = j->pids[--j->n_pids];
}

static struct join_held *find_serial(joiner *j, uint64_t serial)
{
	if (serial == 0)
		return NULL; /* not a request */
	for (unsigned i = 0; i < j->n_held; i++)
		if (j->held[i]->serial == serial)
			return j->held[i];
	return NULL;
}

/* Whether @e's trace can no longer change: it waits for no record whose
 * trace it would take (a server its client, a client its parent). */
static bool trace_settled(const struct join_held *e)
{
	return !(e->waiting && e->side == SIDE_SERVER) && !e->wait_parent &&
	       e->follows == 0;
}

/* Whether held request @e takes its trace from @serial, directly or
 * through others (so @serial must not take @e's: no loop). */
static bool takes_from(joiner *j, const struct join_held *e, uint64_t serial)
{
	for (unsigned n = 0; e != NULL && e->follows != 0; n++) {
		if (e->follows == serial || n > j->n_held)
			return true; /* (or a loop already: say so) */
		e = find_serial(j, e->follows);
	}
	return false;
}

/* @jn takes @trace (the record whose trace it follows). */
static void take_trace(ht_join *jn, const ht_join *from)
{
	if (jn->ids && from->ids)
		memcpy(jn->trace, from->trace, sizeof(jn->trace));
}

/* Held request @e follows @serial (takes its trace when settled). */
static void set_follows(joiner *j, struct join_held *e, uint64_t serial)
{
	e->follows = serial;
	if (serial != 0)
		j->follows_maybe = true;
}

/* The held requests following @serial take its trace (@from): it is
 * settled.  Whether any did. */
static bool settle_followers(joiner *j, uint64_t serial, const ht_join *from)
{
	bool any = false;

	if (!j->follows_maybe)
		return false;
	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *e = j->held[i];

		if (e->follows == serial) {
			take_trace(&e->join, from);
			e->follows = 0;
			any = true;
		}
	}
	return any;
}

/* Every held request whose leader's trace is settled takes it, until
 * none changes (a chain settles at once). */
static void settle(joiner *j)
{
	bool changed = j->follows_maybe;

	while (changed) {
		bool left = false;

		changed = false;
		for (unsigned i = 0; i < j->n_held; i++) {
			struct join_held *e = j->held[i];
			struct join_held *l;

			if (e->follows == 0)
				continue;
			l = find_serial(j, e->follows);
			if (l != NULL && !trace_settled(l)) {
				left = true;
				continue;
			}
			if (l != NULL)
				take_trace(&e->join, &l->join);
			e->follows = 0;
			changed = true;
		}
		j->follows_maybe = left;
	}
}

/* Out goes @rec, with @jn (NULL: none). */
static void send_out(joiner *j, const ht_record *rec, const ht_join *jn)
{
	if (rec->type == HT_REC_REQUEST && jn != NULL) {
		ht_record copy = *rec;

		copy.u.req.join = jn;
		j->emit(j->emit_ctx, &copy);
		return;
	}
	j->emit(j->emit_ctx, rec);
}

/* Request or record @rec, described by @h, goes out now: what the
 * records still to come need of it is remembered (its end when it was
 * not joined, its window on its thread), its followers take its trace.
 * Whether it had followers held. */
static bool went_out(joiner *j, struct join_held *h, const ht_record *rec)
{
	bool followers = false;

	if (rec->type == HT_REC_REQUEST && h->me.used &&
	    !(h->has_join && h->join.pid != 0)) {
		/* its other end may still come: with the trace it went
		 * out with */
		h->me.ids = h->join.ids;
		memcpy(h->me.trace, h->join.trace, sizeof(h->me.trace));
		memcpy(h->me.span, h->join.span, sizeof(h->me.span));
		remember(j, &h->me, h->side);
	}
	if (rec->type == HT_REC_REQUEST && h->server_thr) {
		struct join_win *w = win_slot(j, h->thr.pid, h->thr.thread,
					      h->thr.seq);

		w->used = true;
		w->thr = h->thr;
		w->ids = h->has_join && h->join.ids;
		if (w->ids) {
			memcpy(w->trace, h->join.trace, sizeof(w->trace));
			memcpy(w->self, h->join.self, sizeof(w->self));
		}
	}
	if (h->serial != 0)
		followers = settle_followers(j, h->serial, &h->join);
	send_out(j, rec, h->has_join ? &h->join : NULL);
	return followers;
}

/* The list of held requests of @side whose key falls in @e's slot. */
static struct join_held **slot_list(joiner *j, const struct join_held *e)
{
	return &j->slots[e->me.slot].held[e->side];
}

/* Held entry @e is no longer held: out of its slot's list and its
 * process's count, back to the pool. */
static void unhold(joiner *j, struct join_held *e)
{
	if (e->me.used) {
		struct join_held **pp = slot_list(j, e);

		while (*pp != NULL && *pp != e)
			pp = &(*pp)->chain;
		if (*pp == e)
			*pp = e->chain;
	}
	pid_count(j, e->pid, -1);
	if (e->counted_wp)
		j->n_wait_parent--;
	free(e->bytes);
	e->bytes = NULL;
	j->free[j->n_free++] = e;
}

/* Held entry @e goes out (and is released).  Whether it had followers
 * held (who may go now). */
static bool release_one(joiner *j, struct join_held *e)
{
	ht_record rec;
	bool followers = false;

	if (ht_wire_decode(e->bytes, e->len, &rec) > 0)
		followers = went_out(j, e, &rec);
	unhold(j, e);
	return followers;
}

static bool ready(const struct join_held *e)
{
	return !e->waiting && !e->wait_parent && e->follows == 0;
}

/* Every held record that may go out does, in order: one that waits for
 * nothing and has no earlier record of its process still held.  The
 * look stops where every process with records held has one that waits
 * (the usual case: one process, its oldest record waiting), so a record
 * costs the same however many are held. */
static void release_ready(joiner *j)
{
	bool again = true;

	while (again && j->n_held > 0) {
		uint32_t blocked[JOIN_HOLD_MAX];
		unsigned n_blocked = 0, kept = 0, i;

		settle(j);
		again = false;
		for (i = 0; i < j->n_held && n_blocked < j->n_pids; i++) {
			struct join_held *e = j->held[i];
			bool is_blocked = false;

			for (unsigned b = 0; b < n_blocked && !is_blocked; b++)
				is_blocked = blocked[b] == e->pid;
			if (ready(e) && !is_blocked) {
				/* its followers, earlier ones too, may go
				 * now: look again */
				if (release_one(j, e))
					again = true;
				continue;
			}
			if (!is_blocked)
				blocked[n_blocked++] = e->pid;
			j->held[kept++] = e;
		}
		if (kept != i)
			memmove(j->held + kept, j->held + i,
				(j->n_held - i) * sizeof(*j->held));
		j->n_held = kept + (j->n_held - i);
	}
}

/* Held entry @e stops waiting (its window ended, the hold is full, the
 * run ends): it goes out alone, with the trace it has. */
static void give_up_waiting(joiner *j, struct join_held *e)
{
	if (e->waiting || e->wait_parent)
		j->expired++;
	e->waiting = false;
	e->wait_parent = false;
}

/* Hold @rec back as @h says (@h->bytes is filled here).  False when it
 * could not be kept (it must go out now). */
static bool hold_back(joiner *j, const ht_record *rec, const struct join_held *h)
{
	while (j->n_held == JOIN_HOLD_MAX) {
		/* the oldest held record that waits goes out alone */
		for (unsigned i = 0; i < j->n_held; i++) {
			struct join_held *e = j->held[i];

			if (!ready(e)) {
				give_up_waiting(j, e);
				e->follows = 0;
				break;
			}
		}
		release_ready(j);
	}
	size_t len = ht_wire_encode(j->scratch, HT_WIRE_MAX_RECORD, rec);
	uint8_t *bytes = len ? malloc(len) : NULL;

	if (bytes == NULL)
		return false;
	memcpy(bytes, j->scratch, len);
	struct join_held *e = j->free[--j->n_free];
	*e = *h;
	e->bytes = bytes;
	e->len = (uint32_t)len;
	e->chain = NULL;
	e->counted_wp = e->wait_parent;
	j->held[j->n_held++] = e;
	if (e->me.used) {
		/* at its list's end: the oldest matches first */
		struct join_held **pp = slot_list(j, e);

		while (*pp != NULL)
			pp = &(*pp)->chain;
		*pp = e;
	}
	pid_count(j, e->pid, 1);
	if (e->counted_wp)
		j->n_wait_parent++;
	if ((e->waiting || e->wait_parent) && e->deadline < j->next_deadline)
		j->next_deadline = e->deadline;
	if (e->follows != 0)
		j->follows_maybe = true;
	return true;
}

/* @rec, described by @h, goes out now, or is held: while it waits, or
 * behind its process's held records. */
static void finish(joiner *j, const ht_record *rec, struct join_held *h)
{
	bool wait = !ready(h);

	if ((wait || (j->n_held > 0 && pid_held(j, h->pid))) &&
	    hold_back(j, rec, h))
		return;
	h->waiting = h->wait_parent = false;
	h->follows = 0;
	went_out(j, h, rec);
}

/* A record that is no request: out now, or behind its process's. */
static void pass(joiner *j, const ht_record *rec, uint32_t pid)
{
	struct join_held h;

	memset(&h, 0, sizeof(h));
	h.pid = pid;
	finish(j, rec, &h);
}

static bool loopback(const uint8_t *k)
{
	static const uint8_t one6[16] = {[15] = 1};

	if (k[0] == AF_INET)
		return k[3] == 127;
	return k[0] == AF_INET6 && memcmp(k + 3, one6, 16) == 0;
}

/* Whether a server record whose client is at @k (a key's address part)
 * may have a traced client: a loopback address, or one a traced client's
 * connection had (its port aside). */
static bool may_have_client(const joiner *j, const uint8_t *k)
{
	if (loopback(k))
		return true;
	for (unsigned i = 0; i < j->n_client_addrs; i++) {
		uint8_t c[KEY_ADDR];

		key_addr(c, &j->client_addrs[i]);
		if (c[0] == k[0] && memcmp(c + 3, k + 3, 16) == 0)
			return true;
	}
	return false;
}

/* A traced client's local address, remembered (its port aside). */
static void learn_client(joiner *j, const ht_addr *a)
{
	uint8_t k[KEY_ADDR];

	key_addr(k, a);
	if (loopback(k) || may_have_client(j, k))
		return;
	if (j->n_client_addrs < JOIN_CLIENT_ADDRS)
		j->client_addrs[j->n_client_addrs++] = *a;
}

/* Whether a client's peer (@k, a key's address part) is where a traced
 * server accepted connections: its port too. */
static bool may_have_server(const joiner *j, const uint8_t *k)
{
	for (unsigned i = 0; i < j->n_servers; i++) {
		uint8_t c[KEY_ADDR];

		key_addr(c, &j->servers[i]);
		if (memcmp(c, k, KEY_ADDR) == 0)
			return true;
	}
	return false;
}

/* A traced server's local address (where it accepts), remembered; the
 * oldest forgotten past JOIN_SERVER_ADDRS. */
static void learn_server(joiner *j, const ht_addr *a)
{
	uint8_t k[KEY_ADDR];

	key_addr(k, a);
	if (may_have_server(j, k))
		return;
	if (j->n_servers < JOIN_SERVER_ADDRS)
		j->n_servers++;
	else
		memmove(j->servers, j->servers + 1,
			sizeof(j->servers[0]) * (JOIN_SERVER_ADDRS - 1));
	j->servers[j->n_servers - 1] = *a;
}

/* The held request of the other side than @side, not joined yet, whose
 * end matches @me; NULL if none. */
static struct join_held *held_other(joiner *j, const join_half *me, int side)
{
	struct join_held *e = j->slots[me->slot].held[!side];

	for (; e != NULL; e = e->chain) {
		if (e->has_join && e->join.pid != 0)
			continue;
		if (side == SIDE_CLIENT ? ends_match(me, &e->me) :
					  ends_match(&e->me, me))
			return e;
	}
	return NULL;
}

/* @jn names end @h. */
static void link_to(ht_join *jn, const join_half *h)
{
	jn->pid = h->pid;
	jn->conn_id = h->conn_id;
	jn->req_seq = h->req_seq;
}

/* @h (a request of @r, @server's) as far as its record tells: its end
 * when a pair's candidate, its thread, fresh ids. */
static void describe(joiner *j, struct join_held *h, const ht_rec_request *r,
		     bool server, uint64_t now)
{
	memset(h, 0, sizeof(*h));
	h->pid = r->pid;
	h->serial = ++j->serial;
	h->side = server ? SIDE_SERVER : SIDE_CLIENT;
	h->join.server_processing = JOIN_NONE;
	if (j->rand != NULL) {
		j->rand(j->rand_ctx, h->join.trace, sizeof(h->join.trace));
		if (server)
			j->rand(j->rand_ctx, h->join.self,
				sizeof(h->join.self));
		else
			j->rand(j->rand_ctx, h->join.span,
				sizeof(h->join.span));
		h->join.ids = true;
	}
	if (candidate(r)) {
		half_of(&h->me, r, server);
		h->me.ids = h->join.ids;
		memcpy(h->me.trace, h->join.trace, sizeof(h->me.trace));
		memcpy(h->me.span, h->join.span, sizeof(h->me.span));
	}
	if (r->thread != 0) {
		h->thr.pid = r->pid;
		h->thr.thread = r->thread;
		h->thr.seq = r->thread_seq;
		h->thr.conn_id = r->conn_id;
		h->thr.req_seq = r->req_seq;
		if (server) {
			h->server_thr = r->thread_seq != 0;
			h->thr.t0 = r->t[HT_T_WROTE_REQUEST];
			h->thr.t1 = r->t[HT_T_RESPONSE_DONE];
		} else {
			h->thr.t0 = r->t[HT_T_GOT_CONN];
		}
	}
	/* what goes out with it: a server's own span id when it may be a
	 * parent (else its join only once joined); a client's ids */
	h->has_join = server ? h->server_thr : (h->me.used || r->thread);
	h->deadline = now + j->window;
}

/* Client @c takes server request @s (its window) as parent, with @sj
 * (the server record's join: its trace and own span id). */
static void adopt_parent(joiner *j, struct join_held *c, const join_thr *s,
			 bool ids, const uint8_t *trace, const uint8_t *self)
{
	c->join.parent_pid = s->pid;
	c->join.parent_conn = s->conn_id;
	c->join.parent_req = s->req_seq;
	if (c->join.ids && ids) {
		memcpy(c->join.parent_span, self, sizeof(c->join.parent_span));
		memcpy(c->join.trace, trace, sizeof(c->join.trace));
	}
	c->wait_parent = false;
	j->children++;
}

/* Client @h's parent, if its thread names one: a held server record, or
 * one that went out; else it waits for it (when holding). */
static void client_parent(joiner *j, struct join_held *h, uint64_t now)
{
	if (h->thr.thread == 0 || h->thr.seq == 0)
		return;
	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *s = j->held[i];

		if (!s->server_thr || s->thr.pid != h->thr.pid ||
		    s->thr.thread != h->thr.thread || s->thr.seq != h->thr.seq)
			continue;
		if (!parent_of(&s->thr, &h->thr))
			return; /* the one it names, not around it */
		adopt_parent(j, h, &s->thr, s->join.ids, s->join.trace,
			     s->join.self);
		if (!trace_settled(s))
			set_follows(j, h, s->serial);
		return;
	}
	struct join_win *w = win_slot(j, h->thr.pid, h->thr.thread,
				      h->thr.seq);

	if (w->used && w->thr.pid == h->thr.pid &&
	    w->thr.thread == h->thr.thread && w->thr.seq == h->thr.seq) {
		if (parent_of(&w->thr, &h->thr))
			adopt_parent(j, h, &w->thr, w->ids, w->trace, w->self);
		return;
	}
	if (j->hold) {
		h->wait_parent = true;
		h->deadline = now + JOIN_PARENT_WAITS * j->window;
	}
}

/* Server @h's record came: the held client records made inside it take
 * it as parent. */
static void server_children(joiner *j, struct join_held *h)
{
	if (!h->server_thr || j->n_wait_parent == 0)
		return;
	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *c = j->held[i];

		if (!c->wait_parent || c->thr.pid != h->thr.pid ||
		    c->thr.thread != h->thr.thread || c->thr.seq != h->thr.seq)
			continue;
		c->wait_parent = false;
		if (!parent_of(&h->thr, &c->thr))
			continue;
		adopt_parent(j, c, &h->thr, h->join.ids, h->join.trace,
			     h->join.self);
		if (!trace_settled(h))
			set_follows(j, c, h->serial);
	}
}

static void client_record(joiner *j, const ht_record *rec, uint64_t now)
{
	const ht_rec_request *r = &rec->u.req;
	struct join_held h;
	struct join_held *e;
	join_half other;

	describe(j, &h, r, false, now);
	/* first its parent: its trace is the parent's */
	client_parent(j, &h, now);
	if (!h.me.used) {
		finish(j, rec, &h);
		return;
	}
	learn_client(j, &r->local);
	e = held_other(j, &h.me, SIDE_CLIENT);
	if (e != NULL) {
		/* its server's record, held back for it: linked both ways */
		link_to(&h.join, &e->me);
		h.join.server_processing = e->me.processing;
		e->waiting = false;
		link_to(&e->join, &h.me);
		e->has_join = true;
		memcpy(e->join.trace, h.join.trace, sizeof(e->join.trace));
		memcpy(e->join.span, h.join.span, sizeof(e->join.span));
		e->join.ids = e->join.ids && h.join.ids;
		if (!trace_settled(&h) && h.follows != e->serial &&
		    !takes_from(j, find_serial(j, h.follows), e->serial))
			set_follows(j, e, h.serial);
		j->joined++;
	} else if (take_other(j, &h.me, SIDE_CLIENT, &other) != NULL) {
		/* its server's went out before */
		link_to(&h.join, &other);
		h.join.server_processing = other.processing;
		j->joined++;
	} else if (j->hold && may_have_server(j, h.me.key + KEY_ADDR)) {
		h.waiting = true;
	}
	finish(j, rec, &h);
}

static void server_record(joiner *j, const ht_record *rec, uint64_t now)
{
	const ht_rec_request *r = &rec->u.req;
	struct join_held h;
	struct join_held *e;
	join_half other;

	describe(j, &h, r, true, now);
	if (h.me.used) {
		learn_server(j, &r->local);
		e = held_other(j, &h.me, SIDE_SERVER);
		if (e != NULL) {
			/* its client's record, held back for it */
			link_to(&h.join, &e->me);
			h.has_join = true;
			memcpy(h.join.trace, e->join.trace,
			       sizeof(h.join.trace));
			memcpy(h.join.span, e->join.span,
			       sizeof(h.join.span));
			h.join.ids = h.join.ids && e->join.ids;
			if (!trace_settled(e) && !takes_from(j, e, h.serial))
				set_follows(j, &h, e->serial);
			e->waiting = false;
			link_to(&e->join, &h.me);
			e->join.server_processing = h.me.processing;
			j->joined++;
		} else if (take_other(j, &h.me, SIDE_SERVER, &other) != NULL) {
			/* its client's record went out before */
			link_to(&h.join, &other);
			h.has_join = true;
			if (other.ids && h.join.ids) {
				memcpy(h.join.trace, other.trace,
				       sizeof(h.join.trace));
				memcpy(h.join.span, other.span,
				       sizeof(h.join.span));
			}
			j->joined++;
		} else if (j->hold && may_have_client(j, h.me.key)) {
			h.waiting = true;
		}
	}
	server_children(j, &h);
	finish(j, rec, &h);
}

void join_record(joiner *j, const ht_record *rec, uint64_t now)
{
	if (j->slots == NULL) {
		j->emit(j->emit_ctx, rec);
		return;
	}
	if (j->n_held > 0)
		join_expire(j, now);
	if (rec->type != HT_REC_REQUEST ||
	    (rec->u.req.flags & HT_RF_FROM_PAGE))
		pass(j, rec, rec_pid(rec));
	else if (rec->u.req.flags & HT_RF_SERVER)
		server_record(j, rec, now);
	else
		client_record(j, rec, now);
	/* a record held behind others that went out meanwhile (the hold
	 * was full), or one whose leader came, goes out now */
	if (j->n_held > 0)
		release_ready(j);
}

void join_expire(joiner *j, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	bool any = false;

	if (now < j->next_deadline)
		return;
	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *e = j->held[i];

		if (!e->waiting && !e->wait_parent)
			continue;
		if (e->deadline <= now) {
			give_up_waiting(j, e);
			any = true;
		} else if (e->deadline < next) {
			next = e->deadline;
		}
	}
	j->next_deadline = next;
	if (any)
		release_ready(j);
}

bool join_pending(const joiner *j)
{
	return j->n_held > 0;
}

void join_flush(joiner *j)
{
	for (unsigned i = 0; i < j->n_held; i++)
		give_up_waiting(j, j->held[i]);
	release_ready(j);
	/* a loop of followers (never made, but bounded all the same) */
	for (unsigned i = 0; i < j->n_held; i++)
		j->held[i]->follows = 0;
	release_ready(j);
}

void join_free(joiner *j)
{
	if (j->held != NULL)
		for (unsigned i = 0; i < j->n_held; i++)
			free(j->held[i]->bytes);
	free(j->pool);
	free(j->held);
	free(j->free);
	free(j->pids);
	free(j->slots);
	free(j->wins);
	free(j->scratch);
	j->pool = NULL;
	j->held = NULL;
	j->free = NULL;
	j->pids = NULL;
	j->slots = NULL;
	j->wins = NULL;
	j->scratch = NULL;
	j->n_held = 0;
	j->n_free = 0;
	j->n_pids = 0;
}
