/*
 * join_hold.c - the joiner's hold: records held back for their other end,
 * or behind their process's held records, and released in order (see
 * join.h, join_internal.h).
 */
#include "join_internal.h"

#include <stdlib.h>
#include <string.h>

/* The entry of @pid among the processes with records held, or NULL. */
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

struct join_held *join_find_serial(joiner *j, uint64_t serial)
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
bool join_trace_settled(const struct join_held *e)
{
	return !(e->waiting && e->side == SIDE_SERVER) && !e->wait_parent &&
	       e->follows == 0;
}

/* Whether held request @e takes its trace from @serial, directly or
 * through others (so @serial must not take @e's: no loop). */
bool join_takes_from(joiner *j, const struct join_held *e, uint64_t serial)
{
	for (unsigned n = 0; e != NULL && e->follows != 0; n++) {
		if (e->follows == serial || n > j->n_held)
			return true; /* (or a loop already: say so) */
		e = join_find_serial(j, e->follows);
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
void join_set_follows(joiner *j, struct join_held *e, uint64_t serial)
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
			l = join_find_serial(j, e->follows);
			if (l != NULL && !join_trace_settled(l)) {
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
		join_remember(j, &h->me, h->side);
	}
	if (rec->type == HT_REC_REQUEST && h->server_thr) {
		struct join_win *w = join_win_slot(j, h->thr.pid, h->thr.thread,
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
	free(e->rec);
	e->rec = NULL;
	j->free[j->n_free++] = e;
}

/* Held entry @e goes out (and is released).  Whether it had followers
 * held (who may go now). */
static bool release_one(joiner *j, struct join_held *e)
{
	bool followers = went_out(j, e, e->rec);

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
void join_release_ready(joiner *j)
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

/* A copy of @rec in one block that owns its strings (free() it), or NULL
 * when out of memory.  A request, the record made millions of times, is
 * copied as it is; any other is encoded and decoded (its strings then
 * point into the bytes kept after it). */
static ht_record *keep_copy(joiner *j, const ht_record *rec)
{
	ht_record *k;

	if (rec->type == HT_REC_REQUEST) {
		k = malloc(sizeof(*k) + ht_request_strings_len(&rec->u.req));
		if (k == NULL)
			return NULL;
		k->type = rec->type;
		ht_request_copy(&k->u.req, &rec->u.req, (char *)(k + 1));
		return k;
	}
	size_t len = ht_wire_encode(j->scratch, HT_WIRE_MAX_RECORD, rec);

	k = len ? malloc(sizeof(*k) + len) : NULL;
	if (k == NULL)
		return NULL;
	memcpy(k + 1, j->scratch, len);
	if (ht_wire_decode((const uint8_t *)(k + 1), len, k) <= 0) {
		free(k);
		return NULL;
	}
	return k;
}

/* Hold @rec back as @h says (@h->rec is made here).  False when it
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
		join_release_ready(j);
	}
	ht_record *copy = keep_copy(j, rec);

	if (copy == NULL)
		return false;
	struct join_held *e = j->free[--j->n_free];
	*e = *h;
	e->rec = copy;
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
void join_finish(joiner *j, const ht_record *rec, struct join_held *h)
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
void join_pass(joiner *j, const ht_record *rec, uint32_t pid)
{
	struct join_held h;

	memset(&h, 0, sizeof(h));
	h.pid = pid;
	join_finish(j, rec, &h);
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
			if (e->on_host && e->waiting)
				join_unserved(j, e);
			give_up_waiting(j, e);
			any = true;
		} else if (e->deadline < next) {
			next = e->deadline;
		}
	}
	j->next_deadline = next;
	if (any)
		join_release_ready(j);
}

bool join_pending(const joiner *j)
{
	return j->n_held > 0;
}

void join_flush(joiner *j)
{
	for (unsigned i = 0; i < j->n_held; i++)
		give_up_waiting(j, j->held[i]);
	join_release_ready(j);
	/* a loop of followers (never made, but bounded all the same) */
	for (unsigned i = 0; i < j->n_held; i++)
		j->held[i]->follows = 0;
	join_release_ready(j);
}

