/*
 * join.c - a client's record and its server's joined (see join.h): the
 * pairs, a server thread's own calls, each record as it comes.  The hold
 * is join_hold.c's.
 */
#include "join_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "report.h"

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
 * inside a tunnel (its peer is the proxy), and followed: a request past
 * its connection's in-flight limit or on a connection a fork shared
 * (ht_error_not_seen()) was not seen through (no response), and nothing but its number on the connection
 * would tie it to the other end's record. */
static bool candidate(const ht_rec_request *r)
{
	bool inet = (r->local.family == AF_INET ||
		     r->local.family == AF_INET6) &&
		    (r->peer.family == AF_INET || r->peer.family == AF_INET6);

	return inet && !ht_error_not_seen(r->error) &&
	       !(r->flags & (HT_RF_TUNNEL | HT_RF_FROM_PAGE));
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

/* FNV-1a of the @n bytes at @p: four bytes a round (the same hash as a
 * byte a round, without three rounds' loop overhead: a record hashes
 * twice). */
static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		h = (h ^ p[i]) * 16777619u;
		h = (h ^ p[i + 1]) * 16777619u;
		h = (h ^ p[i + 2]) * 16777619u;
		h = (h ^ p[i + 3]) * 16777619u;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static size_t slot_of(const uint8_t *k)
{
	return fnv1a(k, KEY_LEN) & (JOIN_SLOTS - 1);
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
		int64_t wait = report_timing_wait(r);

		if (wait != REPORT_NONE)
			h->processing = wait;
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

void join_set_clients(joiner *j, join_clients_fn fn, void *ctx)
{
	j->clients = fn;
	j->clients_ctx = ctx;
}

/* Remember end @h (of @side) for the other end to come. */
void join_remember(joiner *j, const join_half *h, int side)
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
struct join_win *join_win_slot(joiner *j, uint32_t pid, uint32_t thread,
				 uint32_t seq)
{
	uint32_t v[3] = {pid, thread, seq};
	uint8_t k[12];

	/* FNV-1a over the three, each least significant byte first */
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			k[4 * i + b] = (uint8_t)(v[i] >> (8 * b));
	return &j->wins[fnv1a(k, sizeof(k)) & (JOIN_WINS - 1)];
}

/* Whether server request @s (a window) is @c's (a client's) parent: the
 * one @c names, read whole before @c began, done after. */
static bool parent_of(const join_thr *s, const join_thr *c)
{
	return s->pid == c->pid && s->thread == c->thread &&
	       s->seq == c->seq && s->t0 != 0 && s->t1 != 0 && c->t0 != 0 &&
	       s->t0 <= c->t0 && c->t0 <= s->t1;
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

/* Whether the client at @k (a key's address part, one that may have a
 * traced client) may be traced: at a loopback address, only when the
 * caller says some client there may be (join_set_clients()). */
static bool client_traced(joiner *j, const uint8_t *k)
{
	if (j->clients == NULL || !loopback(k) || j->clients(j->clients_ctx))
		return true;
	j->unheld++;
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

/* The index of address @k (a key's address part, its port too) among
 * the @n of @list, or -1. */
static int addr_index(const ht_addr *list, unsigned n, const uint8_t *k)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t c[KEY_ADDR];

		key_addr(c, &list[i]);
		if (memcmp(c, k, KEY_ADDR) == 0)
			return (int)i;
	}
	return -1;
}

/* @a added to @list of @n (JOIN_SERVER_ADDRS at most: the oldest
 * forgotten then). */
static void addr_add(ht_addr *list, unsigned *n, const ht_addr *a)
{
	if (*n < JOIN_SERVER_ADDRS)
		(*n)++;
	else
		memmove(list, list + 1, sizeof(list[0]) * (JOIN_SERVER_ADDRS - 1));
	list[*n - 1] = *a;
}

/* Whether a client's peer (@k, a key's address part) is where a traced
 * server accepted connections: its port too. */
static bool may_have_server(const joiner *j, const uint8_t *k)
{
	return addr_index(j->servers, j->n_servers, k) >= 0;
}

/* Whether a client's record whose key is @k may wait for a server not
 * known yet: its peer on this host (a loopback address, or the client's
 * own address: the same family and address, any port), and not judged
 * served by no traced process (join_unserved()). */
static bool may_have_server_here(const joiner *j, const uint8_t *k)
{
	const uint8_t *peer = k + KEY_ADDR;

	if (!loopback(peer) &&
	    !(peer[0] == k[0] && memcmp(peer + 3, k + 3, KEY_ADDR - 3) == 0))
		return false;
	return addr_index(j->unserved, j->n_unserved, peer) < 0;
}

/* A traced server's local address (where it accepts), remembered; the
 * oldest forgotten past JOIN_SERVER_ADDRS.  No longer judged unserved. */
static void learn_server(joiner *j, const ht_addr *a)
{
	uint8_t k[KEY_ADDR];
	int u;

	key_addr(k, a);
	if (may_have_server(j, k))
		return;
	addr_add(j->servers, &j->n_servers, a);
	u = addr_index(j->unserved, j->n_unserved, k);
	if (u >= 0) {
		memmove(j->unserved + u, j->unserved + u + 1,
			sizeof(j->unserved[0]) * (j->n_unserved - (unsigned)u - 1));
		j->n_unserved--;
	}
}

void join_unserved(joiner *j, const struct join_held *e)
{
	const uint8_t *peer = e->me.key + KEY_ADDR;

	if (may_have_server(j, peer) ||
	    addr_index(j->unserved, j->n_unserved, peer) >= 0)
		return;
	addr_add(j->unserved, &j->n_unserved, &e->rec->u.req.peer);
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
		if (!join_trace_settled(s))
			join_set_follows(j, h, s->serial);
		return;
	}
	struct join_win *w = join_win_slot(j, h->thr.pid, h->thr.thread,
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
		if (!join_trace_settled(h))
			join_set_follows(j, c, h->serial);
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
		join_finish(j, rec, &h);
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
		if (!join_trace_settled(&h) && h.follows != e->serial &&
		    !join_takes_from(j, join_find_serial(j, h.follows), e->serial))
			join_set_follows(j, e, h.serial);
		j->joined++;
	} else if (take_other(j, &h.me, SIDE_CLIENT, &other) != NULL) {
		/* its server's went out before */
		link_to(&h.join, &other);
		h.join.server_processing = other.processing;
		j->joined++;
	} else if (j->hold && may_have_server(j, h.me.key + KEY_ADDR)) {
		h.waiting = true;
	} else if (j->hold && may_have_server_here(j, h.me.key)) {
		/* its server on this host, maybe traced, not heard of yet:
		 * its records may come some way behind */
		h.waiting = true;
		h.on_host = true;
	}
	join_finish(j, rec, &h);
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
			if (!join_trace_settled(e) && !join_takes_from(j, e, h.serial))
				join_set_follows(j, &h, e->serial);
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
			h.waiting = client_traced(j, h.me.key);
		}
	}
	server_children(j, &h);
	join_finish(j, rec, &h);
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
		join_pass(j, rec, rec_pid(rec));
	else if (rec->u.req.flags & HT_RF_SERVER)
		server_record(j, rec, now);
	else
		client_record(j, rec, now);
	/* a record held behind others that went out meanwhile (the hold
	 * was full), or one whose leader came, goes out now */
	if (j->n_held > 0)
		join_release_ready(j);
}

void join_free(joiner *j)
{
	if (j->held != NULL)
		for (unsigned i = 0; i < j->n_held; i++)
			free(j->held[i]->rec);
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
