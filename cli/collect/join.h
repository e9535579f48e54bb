/*
 * join.h - the two ends of one request joined: a traced client's record
 * and the record of the traced server that answered it, both received by
 * this collector.
 *
 * Two records are the ends of one request when their connections are the
 * two ends of one TCP connection (the client's local address is the
 * server's peer and the client's peer the server's local address, IPv4
 * in IPv6 taken as IPv4) and the request is the same one: the same HTTP/2
 * stream id, else the same number on the connection (req_seq), and their
 * lifetimes fit one request (the server read the request before the
 * client read the whole response; the client's request began at most a
 * second, a late stamp's slack, after the server's response ended: a
 * 4-tuple used again later never pairs with an old record).  Only records that carry a local address (wire.h) and no
 * tunnel are candidates.
 *
 * The client record then carries (ht_join) the server's own processing
 * time (its record's wait: request read to first response byte written)
 * and a link to the server's record; the server record a link to the
 * client's.  Every candidate client record also carries a trace id and
 * span id drawn here, which OTLP uses for the client span and, as trace
 * and parent, for a joined server span: one trace across both processes.
 *
 * Order of arrival.  Either record may come first: the server's usually
 * (it writes its response before the client reads it), but the server
 * stamps its response done after its last write returns, by when the
 * client may have read it and sent its own record.  So the first to come
 * is held back for the other when the other may be traced: a server
 * record whose client is at a loopback address or at an address a traced
 * client's connection had; a client record whose peer (address and port)
 * is where a traced server accepted connections before, or is on this
 * host (a loopback address, or the client's own address) and not known to
 * be served by no traced process.  A server record whose client is at a
 * loopback address is not held when the caller's @clients says no process
 * that could have made that client traces to this joiner
 * (collector_loopback_clients(): a traced client says so in its live page
 * before it can send a byte, so no traced client made it); it goes out at
 * once, remembered as any other.  A held record
 * waits at most @window_ns of the caller's clock (join_expire()), and at
 * most JOIN_HOLD_MAX records wait at once: then it goes out alone (and
 * is remembered, so the other end, if it comes, still gets the link).
 * While a process has a record held, its later records wait behind it
 * (a process's records keep their order: its connection's close after
 * its request); no other process's do.  A client's record may come
 * first: a server process's records reach the collector through a
 * connection of their own, read in turns with the client's (the client's
 * many records read before the server's first), and an event loop's
 * records wait in its library for its next wait (at most 5 ms), so the
 * collector learns where a server accepts only some records late.  A
 * client record whose peer is on this host is therefore held even before
 * its server is known; when such a record's window ends with no server
 * record for its peer (address and port), the peer is remembered as
 * served by no traced process (JOIN_SERVER_ADDRS of them, the oldest
 * forgotten; a traced server's record at that address later makes it one
 * again), and its later clients' records go out at once.  So what stays
 * one-way (the record that went out alone lacks the link, the other
 * still takes it and the parent): a client's request to a server on
 * another host (or at another address of this host) whose first record
 * the collector has not read yet, or to a server at an address judged
 * served by no traced process (a traced server started there after a
 * window ended with none, until its first record), and any pair whose two
 * records come more than a window apart or while the hold is full.  A
 * joiner made without holding (a format that streams) holds nothing and
 * joins only the second record to the first.  Both ends of a pair are remembered in a direct-mapped
 * table (JOIN_SLOTS), so memory stays bounded whatever the run's length.
 * A record costs the same however many are held: held requests are found
 * by their key's slot, the hold is looked at only up to the first record
 * of each process that waits, and only when a window may have ended (a
 * server answering an untraced client keeps the hold full: each of its
 * records then sends the oldest out alone).
 *
 * A server thread's own requests.  A client record that names a server
 * request open alone on its thread when it began (thread_seq, wire.h:
 * the library counts the server requests open on each thread) is made
 * inside that request when that request's record (same pid, thread and
 * number) shows it read whole before the client's first byte was written
 * and its response done after: the client record then carries the server
 * record's identity (ht_join parent_*) and, in OTLP, the server span as
 * parent, in the server span's trace.  Such a client record is held for
 * its parent's record at most JOIN_PARENT_WAITS windows (the server
 * writes its response after its own call returned); a parent's record
 * that went out before is remembered (JOIN_WINS, direct-mapped).  A trace
 * runs down a chain (client A, server B, B's call, server C): a record
 * whose trace comes from a record still held (its client's, its
 * parent's) is held with it and takes that trace when it is settled.
 * Nothing is attributed where the library saw two server requests open
 * on the thread (an event loop interleaving requests), where the server
 * request ended on another thread, or to a request handed to another
 * thread.
 *
 * Pure: no I/O.  Memory comes from malloc; randomness from the caller.
 */
#ifndef HT_JOIN_H
#define HT_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* What a joined record learns of its other end (ht_rec_request.join). */
typedef struct ht_join {
	/* the other end's record; pid 0: not joined (ids only) */
	uint32_t pid, conn_id, req_seq;
	/* on a client's record: the server's processing (ns, its record's
	 * FIRST_BYTE - WROTE_REQUEST as report_timing_compute() derives
	 * wait), or JOIN_NONE */
	int64_t server_processing;
	/* ids: the record's trace; the client span's id (on a server's
	 * record: its joined client's, its parent); on a server's record,
	 * self: its own span's id (a parent for its thread's calls) */
	bool ids;
	uint8_t trace[16];
	uint8_t span[8];
	uint8_t self[8];
	/* on a client's record: the server request it was made inside (see
	 * above; parent_pid 0: none) and that one's span id (with ids) */
	uint32_t parent_pid, parent_conn, parent_req;
	uint8_t parent_span[8];
} ht_join;

#define JOIN_NONE INT64_MIN

/* Records held at most at once; pairs remembered (a power of two). */
#define JOIN_HOLD_MAX 256
#define JOIN_SLOTS 4096
/* Distinct addresses of traced clients remembered (whose servers' records
 * are held). */
#define JOIN_CLIENT_ADDRS 16
/* Addresses (and ports) traced servers accepted on, remembered (whose
 * clients' records are held). */
#define JOIN_SERVER_ADDRS 64
/* Server requests' windows on their threads remembered (a power of
 * two); how many windows a client record waits for its parent's. */
#define JOIN_WINS 1024
#define JOIN_PARENT_WAITS 4

/* Where records go out, in order; @rec lives only for the call. */
typedef void (*join_emit_fn)(void *ctx, const ht_record *rec);
/* Fill @buf with @n random bytes (never all zero is not required). */
typedef void (*join_rand_fn)(void *ctx, uint8_t *buf, size_t n);
/* Whether a traced client at a loopback address may have sent a request
 * whose server's record was received by now (see above). */
typedef bool (*join_clients_fn)(void *ctx);

struct join_slot;
struct join_held;
struct join_win;
struct join_pid;

typedef struct joiner {
	/* PRIVATE */
	join_emit_fn emit;
	void *emit_ctx;
	join_rand_fn rand;
	void *rand_ctx;
	bool hold;
	uint64_t window;
	join_clients_fn clients;   /* NULL: one may */
	void *clients_ctx;
	struct join_slot *slots;   /* JOIN_SLOTS, NULL: out of memory */
	struct join_held *pool;    /* JOIN_HOLD_MAX entries */
	struct join_held **held;   /* the held ones, in arrival order */
	unsigned n_held;
	struct join_held **free;   /* the pool's unused entries */
	unsigned n_free;
	struct join_pid *pids;     /* the processes with records held */
	unsigned n_pids;
	uint64_t next_deadline;    /* no held record's window ends before */
	bool follows_maybe;        /* a held record may follow another */
	unsigned n_wait_parent;    /* held clients that waited for a parent
	                              when held (an upper bound) */
	struct join_win *wins;     /* JOIN_WINS */
	uint64_t serial;           /* the last request's number */
	ht_addr client_addrs[JOIN_CLIENT_ADDRS];
	unsigned n_client_addrs;
	ht_addr servers[JOIN_SERVER_ADDRS];
	unsigned n_servers;
	/* on this host, a client's record held for a window in vain: no
	 * traced process serves these (address and port), until a server
	 * record says otherwise */
	ht_addr unserved[JOIN_SERVER_ADDRS];
	unsigned n_unserved;
	uint8_t *scratch;          /* HT_WIRE_MAX_RECORD, for encoding */
	/* READ-ONLY */
	uint64_t joined;           /* pairs joined */
	uint64_t expired;          /* records held that went out alone */
	uint64_t children;         /* client records given a parent */
	uint64_t unheld;           /* server records not held: no traced
	                              client at a loopback address could
	                              have sent their requests */
} joiner;

/*
 * join_init() - set up @j to hand every record to @emit (with @emit_ctx),
 * drawing OTLP ids from @rnd (with @rnd_ctx; NULL: no ids, join.ids
 * false, for outputs that show none).  @hold: records may be held
 * back up to @window_ns.  Returns 0 or -ENOMEM (then @j passes
 * records through unchanged, and join_free() is still right).
 */
int join_init(joiner *j, join_emit_fn emit, void *emit_ctx, join_rand_fn rnd,
	      void *rnd_ctx, bool hold, uint64_t window_ns);

/*
 * join_set_clients() - ask @fn (with @ctx; NULL: none, the default) before
 * holding a server record whose client is at a loopback address: when it
 * says no traced client may have sent its request, the record is not
 * held.
 */
void join_set_clients(joiner *j, join_clients_fn fn, void *ctx);

/*
 * join_record() - @rec arrived at @now: it goes out now, joined when its
 * other end is known, or is held (see above).  Held records whose window
 * ended go out first.
 */
void join_record(joiner *j, const ht_record *rec, uint64_t now);

/* join_expire() - the held records whose window ended by @now go out
 * (call it from time to time: an idle collector too). */
void join_expire(joiner *j, uint64_t now);

/* join_pending() - whether records are held (the caller wakes up to
 * expire them). */
bool join_pending(const joiner *j);

/* join_flush() - every held record goes out now (the run's end). */
void join_flush(joiner *j);

/* join_free() - release @j's memory; held records are lost (flush
 * first). */
void join_free(joiner *j);

#endif
