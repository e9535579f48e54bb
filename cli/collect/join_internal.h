/*
 * join_internal.h - what the pieces of the joiner share (see join.h for
 * its contract).  Not for any other file.
 *
 *   join.c       the pairs: keys, the ends remembered, the addresses that
 *                may have another end, a server thread's own calls, and
 *                each record as it comes (join_record())
 *   join_hold.c  the hold: records held back for their other end or
 *                behind their process's, released in order, expired,
 *                flushed; traces that follow one another
 */
#ifndef HT_JOIN_INTERNAL_H
#define HT_JOIN_INTERNAL_H

#include "join.h"

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

/* A record held back: a copy of it (its strings pointed into the
 * collector's buffer) in one block of its own, with what it learned. */
struct join_held {
	ht_record *rec;
	uint32_t pid;
	uint64_t serial;          /* a request's number (follows names it) */
	bool waiting;             /* a request waiting for its other end */
	bool wait_parent;         /* a client's, for its thread's server
	                             request's record */
	bool on_host;             /* a client's waiting for a server on
	                             this host not known yet (its peer is
	                             judged unserved if it waits in vain) */
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

/* ---- join.c ---------------------------------------------------------------- */

/* Remember end @h (of @side) for the other end to come. */
void join_remember(joiner *j, const join_half *h, int side);
/* Held client @e (on_host) waited a whole window for its server in
 * vain: its peer is served by no traced process, until a server record
 * comes from there. */
void join_unserved(joiner *j, const struct join_held *e);
/* The slot of the server request @pid, @thread, @seq. */
struct join_win *join_win_slot(joiner *j, uint32_t pid, uint32_t thread,
			       uint32_t seq);

/* ---- join_hold.c ----------------------------------------------------------- */

/* The held request numbered @serial, or NULL. */
struct join_held *join_find_serial(joiner *j, uint64_t serial);
/* Whether @e's trace can no longer change: it waits for no record whose
 * trace it would take (a server its client, a client its parent). */
bool join_trace_settled(const struct join_held *e);
/* Whether held request @e takes its trace from @serial, directly or
 * through others (so @serial must not take @e's: no loop). */
bool join_takes_from(joiner *j, const struct join_held *e, uint64_t serial);
/* Held request @e follows @serial (takes its trace when settled). */
void join_set_follows(joiner *j, struct join_held *e, uint64_t serial);
/* Every held record that may go out does, in order. */
void join_release_ready(joiner *j);
/* @rec, described by @h, goes out now, or is held: while it waits, or
 * behind its process's held records. */
void join_finish(joiner *j, const ht_record *rec, struct join_held *h);
/* A record that is no request: out now, or behind its process's. */
void join_pass(joiner *j, const ht_record *rec, uint32_t pid);

#endif
