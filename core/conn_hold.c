/*
 * conn_hold.c - read-side events held back while a write is in flight on
 * another thread (see conn_hold() in conn.h).
 *
 * The held events are a list in one buffer: each a header (its kind, time
 * and length) followed, for read bytes, by the bytes, padded to 8.  Once
 * bytes no longer fit, the rest of the read, and every read after it until
 * the release, only adds to one CONN_IN_UNHELD count: the order is kept,
 * the bytes are not.
 */
#include "conn_internal.h"

#include <string.h>

typedef struct hold_ent {
	uint64_t t;
	uint64_t len;
	uint32_t kind;   /* conn_in_kind */
	uint32_t pad;
} hold_ent;

#define ENT (sizeof(hold_ent))
/* Room kept for the headers of an unseen count, an EOF and a reset after
 * the bytes, so that the order survives a full buffer. */
#define RESERVE (3 * ENT)

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The header of the last event held, or NULL. */
static hold_ent *last_ent(conn *c)
{
	return c->hold_len ? (hold_ent *)(c->hold + c->hold_last) : NULL;
}

/* Append an event header (and @n bytes of @buf); false when it does not
 * fit. */
static bool append(conn *c, conn_in_kind kind, const uint8_t *buf, size_t n,
		   uint64_t len, uint64_t now)
{
	size_t need = ENT + pad8(n);
	if (c->hold_len + need > CONN_HOLD_MAX)
		return false;
	hold_ent *e = (hold_ent *)(c->hold + c->hold_len);
	e->t = now;
	e->len = len;
	e->kind = kind;
	e->pad = 0;
	if (n)
		memcpy(c->hold + c->hold_len + ENT, buf, n);
	c->hold_last = c->hold_len;
	c->hold_len += (uint32_t)need;
	return true;
}

/* An event at @now found no room: the connection is given up on at
 * release. */
static void lose(conn *c, uint64_t now)
{
	if (!c->hold_lost)
		c->t_hold_lost = now;
	c->hold_lost = true;
}

/* @len bytes of @kind (CONN_IN_UNSEEN: consumed unread; CONN_IN_UNHELD:
 * no room to keep them) at @now: added to a trailing count of that kind,
 * else a new one. */
static void hold_count(conn *c, conn_in_kind kind, uint64_t len, uint64_t now)
{
	hold_ent *e = last_ent(c);
	if (e && e->kind == kind) {
		e->len += len;
		return;
	}
	if (!append(c, kind, NULL, 0, len, now))
		lose(c, now);
}

/* Feed one event now, nothing held. */
static void feed_in(conn *c, conn_in_kind kind, const uint8_t *buf,
		    size_t len, uint64_t now)
{
	switch (kind) {
	case CONN_IN_READ:
		conn_on_read(c, buf, len, now);
		break;
	case CONN_IN_UNSEEN:
		conn_on_unseen(c, len, now);
		break;
	case CONN_IN_UNHELD:
		conn_on_unheld(c, len, now);
		break;
	case CONN_IN_EOF:
		conn_on_eof(c, now);
		break;
	case CONN_IN_RESET:
		conn_on_reset(c, now);
		break;
	}
}

void conn_hold(conn *c, conn_in_kind kind, const uint8_t *buf, size_t len,
	       uint64_t now)
{
	if (!conn_holding(c) && !conn_wants_bytes(c)) {
		/* opaque or dead: bytes are only counted, in any order */
		feed_in(c, kind, buf, len, now);
		return;
	}
	/* Bytes read prove the connect complete, at the read's time (an
	 * error read next must not pass for a failed connect). */
	if (len > 0 && (kind == CONN_IN_READ || kind == CONN_IN_UNSEEN ||
			kind == CONN_IN_UNHELD))
		conn_connected(c, now);
	if (c->hold_lost)
		return; /* given up on at release: order no longer matters */
	if (!c->hold) {
		c->hold = c->env->alloc ? c->env->alloc(CONN_HOLD_MAX) : NULL;
		if (!c->hold) {
			lose(c, now);
			return;
		}
	}
	switch (kind) {
	case CONN_IN_READ: {
		/* once bytes found no room, the later ones are not kept
		 * either: the order is kept, the bytes are not */
		hold_ent *e = last_ent(c);
		if (e && e->kind == CONN_IN_UNHELD) {
			e->len += len;
			return;
		}
		size_t used = c->hold_len + ENT + RESERVE;
		size_t room = used < CONN_HOLD_MAX ? CONN_HOLD_MAX - used : 0;
		size_t n = len < room ? len : room & ~(size_t)7;
		if (n > 0 && !append(c, CONN_IN_READ, buf, n, n, now))
			n = 0;
		if (n < len)
			hold_count(c, CONN_IN_UNHELD, len - n, now);
		return;
	}
	case CONN_IN_UNSEEN:
	case CONN_IN_UNHELD:
		hold_count(c, kind, len, now);
		return;
	case CONN_IN_EOF:
	case CONN_IN_RESET:
		if (!append(c, kind, NULL, 0, 0, now))
			lose(c, now);
		return;
	}
}

void conn_release_held(conn *c)
{
	size_t off = 0;
	while (off < c->hold_len) {
		const hold_ent *e = (const hold_ent *)(c->hold + off);
		const uint8_t *p = c->hold + off + ENT;
		off += ENT;
		if (e->kind == CONN_IN_READ)
			off += pad8(e->len);
		feed_in(c, (conn_in_kind)e->kind, p, (size_t)e->len, e->t);
	}
	c->hold_len = 0;
	c->hold_last = 0;
	if (c->hold_lost) {
		c->hold_lost = false;
		conn_give_up(c, HT_ERR_UNFOLLOWED, "more response bytes "
			     "came while a write was in flight than could be "
			     "held: a connection not followed from there on",
			     c->t_hold_lost);
	}
}

uint64_t conn_held_bytes(const conn *c)
{
	uint64_t n = 0;
	size_t off = 0;
	while (off < c->hold_len) {
		const hold_ent *e = (const hold_ent *)(c->hold + off);
		off += ENT;
		if (e->kind == CONN_IN_READ)
			off += pad8(e->len);
		if (e->kind != CONN_IN_EOF && e->kind != CONN_IN_RESET)
			n += e->len;
	}
	return n;
}

void conn_in(conn *c, conn_in_kind kind, const uint8_t *buf, size_t len,
	     uint64_t now)
{
	if (__builtin_expect(conn_holding(c), 0))
		conn_release_held(c);
	feed_in(c, kind, buf, len, now);
}

void conn_hold_free(conn *c)
{
	if (c->hold && c->env->release)
		c->env->release(c->hold, CONN_HOLD_MAX);
	c->hold = NULL;
	c->hold_len = c->hold_last = 0;
	c->hold_lost = false;
}

void conn_forget(conn *c)
{
	conn_live_conn_end(c);
	conn_live_forget(c);
	conn_hold_free(c);
	conn_queue_free(c);
	conn_h2_release(c);
	conn_ws_release(c);
}
