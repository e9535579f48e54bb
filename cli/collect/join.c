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
	uint32_t pid, conn_id, req_seq;
	uint64_t t0, t1;          /* the request's begin and end */
	int64_t processing;       /* a server's */
	bool ids;
	uint8_t trace[16], span[8];
} join_half;

struct join_slot {
	join_half half[2];        /* [SIDE_CLIENT], [SIDE_SERVER] */
};

/* A record held back: encoded (its strings pointed into the collector's
 * buffer), with what it learned. */
struct join_held {
	uint8_t *bytes;
	uint32_t len;
	uint32_t pid;
	bool waiting;             /* a request waiting for its other end */
	uint64_t deadline;
	bool has_join;
	ht_join join;
	int side;                 /* a waiting request's: SIDE_* */
	join_half me;             /* and its end (used: it waited) */
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
	j->held = calloc(JOIN_HOLD_MAX, sizeof(*j->held));
	j->scratch = malloc(HT_WIRE_MAX_RECORD);
	if (j->slots == NULL || j->held == NULL || j->scratch == NULL) {
		join_free(j);
		return -ENOMEM;
	}
	return 0;
}

/* Remember end @h (of @side) for the other end to come. */
static void remember(joiner *j, const join_half *h, int side)
{
	j->slots[slot_of(h->key)].half[side] = *h;
}

/* The other end of @h (of @side) remembered, taken out; NULL if none. */
static join_half *take_other(joiner *j, const join_half *h, int side,
			     join_half *out)
{
	join_half *o = &j->slots[slot_of(h->key)].half[!side];

	if (side == SIDE_CLIENT ? !ends_match(h, o) : !ends_match(o, h))
		return NULL;
	*out = *o;
	o->used = false;
	return out;
}

static bool pid_held(const joiner *j, uint32_t pid)
{
	for (unsigned i = 0; i < j->n_held; i++)
		if (j->held[i].pid == pid)
			return true;
	return false;
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

/* Held entry @e goes out (and is released). */
static void release_one(joiner *j, struct join_held *e)
{
	ht_record rec;

	if (ht_wire_decode(e->bytes, e->len, &rec) > 0) {
		/* went out alone: its other end may still come */
		if (rec.type == HT_REC_REQUEST && e->me.used &&
		    !(e->has_join && e->join.pid != 0))
			remember(j, &e->me, e->side);
		send_out(j, &rec, e->has_join ? &e->join : NULL);
	}
	free(e->bytes);
	e->bytes = NULL;
}

/* Every held record that may go out does, in order: one that waits for
 * nothing and has no earlier record of its process still held. */
static void release_ready(joiner *j)
{
	uint32_t blocked[JOIN_HOLD_MAX];
	unsigned n_blocked = 0, kept = 0;

	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *e = &j->held[i];
		bool is_blocked = false;

		for (unsigned b = 0; b < n_blocked && !is_blocked; b++)
			is_blocked = blocked[b] == e->pid;
		if (!e->waiting && !is_blocked) {
			release_one(j, e);
			continue;
		}
		if (!is_blocked)
			blocked[n_blocked++] = e->pid;
		j->held[kept++] = *e;
	}
	j->n_held = kept;
}

/* Hold @rec (of @pid) back: waiting for its client when @me is not
 * NULL.  False when it could not be kept (it must go out now). */
static bool hold_back(joiner *j, const ht_record *rec, uint32_t pid,
		      const join_half *me, int side, const ht_join *jn,
		      uint64_t now)
{
	while (j->n_held == JOIN_HOLD_MAX) {
		/* the oldest waiting record goes out alone */
		for (unsigned i = 0; i < j->n_held; i++) {
			if (j->held[i].waiting) {
				j->held[i].waiting = false;
				j->expired++;
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
	struct join_held *e = &j->held[j->n_held++];
	memset(e, 0, sizeof(*e));
	e->bytes = bytes;
	e->len = (uint32_t)len;
	e->pid = pid;
	if (me != NULL) {
		e->waiting = true;
		e->deadline = now + j->window;
		e->side = side;
		e->me = *me;
	}
	if (jn != NULL) {
		e->has_join = true;
		e->join = *jn;
	}
	return true;
}

/* @rec (of @pid) goes out now, or behind its process's held records. */
static void pass(joiner *j, const ht_record *rec, uint32_t pid,
		 const ht_join *jn, uint64_t now)
{
	if (j->n_held > 0 && pid_held(j, pid) &&
	    hold_back(j, rec, pid, NULL, 0, jn, now))
		return;
	send_out(j, rec, jn);
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

/* The held request of the other side than @side waiting for end @me;
 * NULL if none. */
static struct join_held *held_other(joiner *j, const join_half *me, int side)
{
	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *e = &j->held[i];

		if (!e->waiting || e->side == side)
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

static void client_record(joiner *j, const ht_record *rec, uint64_t now)
{
	const ht_rec_request *r = &rec->u.req;
	join_half me, other;
	struct join_held *e;
	ht_join jn;

	memset(&jn, 0, sizeof(jn));
	jn.server_processing = JOIN_NONE;
	half_of(&me, r, false);
	learn_client(j, &r->local);
	if (j->rand != NULL) {
		j->rand(j->rand_ctx, jn.trace, sizeof(jn.trace));
		j->rand(j->rand_ctx, jn.span, sizeof(jn.span));
		jn.ids = true;
	}
	me.ids = jn.ids;
	memcpy(me.trace, jn.trace, sizeof(me.trace));
	memcpy(me.span, jn.span, sizeof(me.span));
	e = held_other(j, &me, SIDE_CLIENT);
	if (e != NULL) {
		/* its server's record, held back for it: both go out */
		link_to(&jn, &e->me);
		jn.server_processing = e->me.processing;
		e->waiting = false;
		e->has_join = true;
		e->join = jn;
		link_to(&e->join, &me);
		e->join.server_processing = JOIN_NONE;
		j->joined++;
		pass(j, rec, r->pid, &jn, now);
		release_ready(j);
		return;
	}
	if (take_other(j, &me, SIDE_CLIENT, &other) != NULL) {
		/* its server's went out before */
		link_to(&jn, &other);
		jn.server_processing = other.processing;
		j->joined++;
		pass(j, rec, r->pid, &jn, now);
		return;
	}
	if (j->hold && may_have_server(j, me.key + KEY_ADDR) &&
	    hold_back(j, rec, r->pid, &me, SIDE_CLIENT, &jn, now))
		return;
	remember(j, &me, SIDE_CLIENT);
	pass(j, rec, r->pid, &jn, now);
}

static void server_record(joiner *j, const ht_record *rec, uint64_t now)
{
	const ht_rec_request *r = &rec->u.req;
	join_half me, other;
	struct join_held *e;
	ht_join jn;

	half_of(&me, r, true);
	learn_server(j, &r->local);
	memset(&jn, 0, sizeof(jn));
	jn.server_processing = JOIN_NONE;
	e = held_other(j, &me, SIDE_SERVER);
	if (e != NULL) {
		/* its client's record, held back for it */
		jn = e->join; /* the client's ids */
		link_to(&jn, &e->me);
		jn.server_processing = JOIN_NONE;
		e->waiting = false;
		link_to(&e->join, &me);
		e->join.server_processing = me.processing;
		j->joined++;
		pass(j, rec, r->pid, &jn, now);
		release_ready(j);
		return;
	}
	if (take_other(j, &me, SIDE_SERVER, &other) != NULL) {
		/* its client's record went out before */
		link_to(&jn, &other);
		jn.ids = other.ids;
		memcpy(jn.trace, other.trace, sizeof(jn.trace));
		memcpy(jn.span, other.span, sizeof(jn.span));
		j->joined++;
		pass(j, rec, r->pid, &jn, now);
		return;
	}
	if (j->hold && may_have_client(j, me.key) &&
	    hold_back(j, rec, r->pid, &me, SIDE_SERVER, NULL, now))
		return;
	remember(j, &me, SIDE_SERVER);
	pass(j, rec, r->pid, NULL, now);
}

void join_record(joiner *j, const ht_record *rec, uint64_t now)
{
	if (j->slots == NULL) {
		j->emit(j->emit_ctx, rec);
		return;
	}
	if (j->n_held > 0)
		join_expire(j, now);
	if (rec->type != HT_REC_REQUEST || !candidate(&rec->u.req)) {
		pass(j, rec, rec_pid(rec), NULL, now);
		if (j->n_held > 0)
			release_ready(j);
		return;
	}
	if (rec->u.req.flags & HT_RF_SERVER)
		server_record(j, rec, now);
	else
		client_record(j, rec, now);
	/* a record held behind others that went out meanwhile (the hold
	 * was full) goes out now */
	if (j->n_held > 0)
		release_ready(j);
}

void join_expire(joiner *j, uint64_t now)
{
	bool any = false;

	for (unsigned i = 0; i < j->n_held; i++) {
		struct join_held *e = &j->held[i];

		if (e->waiting && e->deadline <= now) {
			e->waiting = false;
			j->expired++;
			any = true;
		}
	}
	if (any)
		release_ready(j);
}

bool join_pending(const joiner *j)
{
	return j->n_held > 0;
}

void join_flush(joiner *j)
{
	for (unsigned i = 0; i < j->n_held; i++) {
		if (j->held[i].waiting) {
			j->held[i].waiting = false;
			j->expired++;
		}
	}
	release_ready(j);
}

void join_free(joiner *j)
{
	if (j->held != NULL)
		for (unsigned i = 0; i < j->n_held; i++)
			free(j->held[i].bytes);
	free(j->held);
	free(j->slots);
	free(j->scratch);
	j->held = NULL;
	j->slots = NULL;
	j->scratch = NULL;
	j->n_held = 0;
}
