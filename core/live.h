/*
 * live.h - a traced image's requests in flight, in memory it shares with
 * the collector (the memfd passed with the HELLO, sealed against
 * shrinking), so the collector can see at any moment which phase each
 * request reached and when, and report them after the image died however
 * it died, without the image's help at that moment.
 *
 * Layout (HT_LIVE_SIZE bytes): the header, whose first fields are the
 * record counters of wire.h (ht_counters, version 2: a version-1 page is
 * those counters alone), then HT_LIVE_REQS request slots, then (version 3,
 * the same size: a version-2 page has zeros there) HT_LIVE_CONNS
 * connection slots and the write marks, then (version 4, the same size
 * again: every field before stays where it was, so a reader of version 3
 * reads a version-4 page right, and a version-3 page has zeros there) the
 * TLS version and ALPN of each request slot and each connection slot,
 * then (version 5, the same way) whether the image made a client TCP
 * connection from a loopback address (client_loopback), then (version 6,
 * the page grown to HT_LIVE_SIZE from HT_LIVE_SIZE_V5: a reader takes
 * either, and reads the part past HT_LIVE_SIZE_V5 only in a page that
 * long) each request slot's response so far (ht_live_resp), then
 * (version 7, the same size: in what was padding, zero in older pages)
 * `unlisted`, the requests in flight now that have no slot, and how many
 * of the counted records were requests (req_counts), then (version 8, the
 * same way) when a collector that stopped while the process ran read the
 * page for the last time (read_at, the one field a collector writes:
 * version 8, its clock; version 9, only that it is reading, then that it
 * has read, ht_live_read_begin()), then (version 10, the same size, after
 * the version-6 entries) each request slot's request body bytes once the
 * request is written whole (req_body).
 *
 * A connection slot shows a TCP connection from its connect (a client's
 * from before its connect() call, with no peer until the call returned:
 * ht_live_conn_connecting()) until its
 * first request begins (its first byte written: the request then carries
 * the connection's moments itself, and its slot comes at its headers), or
 * until it closes, fails, or turns out not to carry HTTP: the DNS lookup
 * that named its peer (already over: the lookup is tied to a connection
 * only at its connect), the connect, the TLS handshake (begun with its
 * ClientHello's first byte, at the latest, when the client's ClientHello
 * is seen: a hook's session, or TLS no hook decodes, whose records then
 * say when it ended).  A connection no lookup named is named by its
 * ClientHello's server name.  One socket is one
 * connect attempt: Happy Eyeballs' attempts are sockets of their own, each
 * a connection slot with its address, under the same name.
 *
 * Writers (the library, one connection's calls serialised by its lock)
 * claim a slot with one atomic operation on the page's bitmap (no lock, no
 * system call), and write it with plain stores between a sequence counter
 * made odd before and even after (release ordering).  Readers (the
 * collector, another process) copy a slot and keep the copy only when the
 * counter was even and unchanged around it: a torn copy is retried, then
 * skipped and counted.  Nothing a writer leaves in the page can make a
 * reader fail: every field is bounded when read.
 *
 * When no slot is free, the request is not shown: every claim that failed
 * is counted in `overflow` (cumulative), and the request is counted in
 * `unlisted` (a gauge) from then until it ends or a later claim gives it
 * a slot, so a reader can say how many are in flight that it cannot list.
 *
 * Pure: no system calls, no allocation.
 */
#ifndef HT_LIVE_H
#define HT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "copy.h"
#include "wire.h"

#define HT_LIVE_VERSION 10
#define HT_LIVE_REQS 64
#define HT_LIVE_CONNS 32
#define HT_LIVE_METHOD_MAX 16
#define HT_LIVE_TARGET_MAX 160 /* the scrubbed target, truncated */
#define HT_LIVE_HOST_MAX 64
#define HT_LIVE_NAME_MAX 64 /* the DNS name, truncated */
#define HT_LIVE_TLSVER_MAX 8 /* "TLSv1.3" and its NUL; longer: not kept */
#define HT_LIVE_ALPN_MAX 12  /* "http/1.1", "h2"; longer: not kept */
#define HT_LIVE_SIZE 36864u
#define HT_LIVE_SIZE_V5 32768u /* the size of a page before version 6 */
#define HT_LIVE_READING UINT64_MAX /* read_at while a collector reads */
#define HT_LIVE_READ_DONE 1u       /* ... once it has read (version 9) */

/* Which side of a connection the image is (issue 22 adds servers). */
enum ht_live_side {
	HT_LIVE_CLIENT = 0,
	HT_LIVE_SERVER = 1,
};

/* What a request slot holds (its `kind`). */
enum ht_live_kind {
	HT_LIVE_REQUEST = 0,   /* a request in flight */
	HT_LIVE_WEBSOCKET = 1, /* a WebSocket session open after its 101: method
				  "WS", the upgrade's target and host, t[HT_T_GOT_CONN]
				  its start; its record comes at its end */
};

/* How the image said goodbye (the header's `ended`). */
enum ht_live_end {
	HT_LIVE_RUNNING = 0,
	HT_LIVE_EXITED = 1, /* exit() ran the library's destructor */
	HT_LIVE_EXEC = 2,   /* an execve() began (cleared if it failed) */
};

/*
 * A server connection's write mark (HT_LIVE_WMARKS of them, claimed while
 * the connection has a request slot): a server's write that may carry the
 * rest of a response is in flight while `begun` differs from `ended`.  A
 * process that dies meanwhile may have sent a whole response without its
 * record: the connection's requests (the request slots of its conn_id) are
 * then neither complete nor cut for sure, and the collector counts them as
 * not seen instead of reporting them cut.  `begun` is counted (atomically,
 * no lock) before each real write call, `ended` set by the connection's
 * owner to a value of `begun` once no write is in flight and what they
 * sent is fed.  Zero in pages of libraries that had none.
 */
#define HT_LIVE_WMARKS 64
typedef struct ht_live_wmark {
	uint32_t conn_id;        /* 0: none */
	uint32_t begun;          /* writes begun (wraps) */
	uint32_t ended;          /* `begun` when none was in flight */
	uint32_t pad;
} ht_live_wmark;

/* One request in flight.  Written by its connection's owner only. */
typedef struct ht_live_req {
	uint32_t seq;            /* odd while being written */
	uint8_t active;          /* the slot holds a request in flight */
	uint8_t side;            /* enum ht_live_side */
	uint8_t proto;           /* enum ht_proto */
	uint8_t kind;            /* enum ht_live_kind (0 in older pages) */
	uint32_t conn_id;
	uint32_t req_seq;
	uint32_t stream;         /* HTTP/2 stream id, 0 for HTTP/1.x */
	uint32_t flags;          /* HT_RF_* */
	uint32_t header_bytes;   /* the request's header section */
	ht_addr peer;
	uint64_t t[HT_T__COUNT]; /* as in a request record; 0: not yet */
	char method[HT_LIVE_METHOD_MAX];
	char target[HT_LIVE_TARGET_MAX];
	char host[HT_LIVE_HOST_MAX];
} ht_live_req;

/* What a connection slot holds (its `kind`). */
enum ht_live_conn_kind {
	HT_LIVE_CONNECTION = 0, /* a connection (0 in older pages) */
	HT_LIVE_LOOKUP = 1,     /* a name lookup in flight (getaddrinfo,
				   gethostbyname*): no connection yet, its
				   conn_id the lookup's number in its image
				   (1, 2, ...), its name and t_dns_start set */
};

/* One connection not yet carrying a request (version 3), or a name
 * lookup in flight.  Written by its owner only; the same sequence check
 * as a request slot. */
typedef struct ht_live_conn {
	uint32_t seq;            /* odd while being written */
	uint8_t active;          /* the slot holds a connection */
	uint8_t tls;             /* a TLS library claimed it */
	uint8_t kind;            /* enum ht_live_conn_kind */
	uint8_t side;            /* enum ht_live_side (version 4; 0 before) */
	uint32_t conn_id;        /* HT_LIVE_LOOKUP: the lookup's number */
	ht_addr peer;
	uint64_t t_dns_start, t_dns_done;   /* 0: not known */
	uint64_t t_connect_start, t_connect_done;
	uint64_t t_tls_start, t_tls_done;
	/* the name it was opened for: the DNS name, else the server name
	 * its TLS ClientHello asked for (conn_host_name()), or "" */
	char name[HT_LIVE_NAME_MAX];
} ht_live_conn;

/* The TLS session of a slot (version 4), written with the slot (under its
 * sequence counter) once the handshake is over: its protocol version
 * ("TLSv1.3") and the ALPN protocol chosen ("h2"); "" when not TLS, not
 * over yet, none chosen, or too long to keep (never a truncated name). */
typedef struct ht_live_tls {
	char version[HT_LIVE_TLSVER_MAX];
	char alpn[HT_LIVE_ALPN_MAX];
} ht_live_tls;

/*
 * The response a request slot's request had so far (version 6), entry i
 * of slot i, set with the slot when it is claimed.  `kept`: the writer
 * keeps what follows (HTTP/1.x and HTTP/2 streams, either side; not a
 * request whose connection turned to HTTP/2): status, and header_bytes
 * (the response's header sections, interim ones included) once the final
 * response's header section is whole (status 0 before; HTTP/1.x: before
 * it, the header bytes read so far, once a response byte came, stored
 * alone as body_bytes is; 0 from older libraries: not known); body_bytes, the
 * body bytes so far, de-chunked (HTTP/2: of the whole DATA frames so
 * far), stored alone after each read without the
 * sequence counter (an aligned 8-byte store: never torn; it only grows
 * while the slot holds the request).  Not kept: none of it is known.
 */
/* Of a page's record counters, the request records (version 7). */
typedef struct ht_live_req_counts {
	uint64_t produced;
	uint64_t dropped;
} ht_live_req_counts;

typedef struct ht_live_resp {
	uint64_t body_bytes;
	uint32_t header_bytes;
	uint16_t status;
	uint8_t kept;
	uint8_t n_1xx;          /* interim responses so far, at most 255
				    (0 in older pages: then one if
				    t[HT_T_GOT_1XX] is set) */
} ht_live_resp;

typedef struct ht_live {
	/* ht_counters' fields, at the same offsets */
	uint32_t magic;          /* HT_COUNTERS_MAGIC */
	uint32_t version;        /* HT_LIVE_VERSION */
	uint64_t produced;
	uint64_t dropped;
	/* version 2 */
	uint32_t size;           /* HT_LIVE_SIZE */
	uint32_t n_reqs;         /* HT_LIVE_REQS */
	uint32_t ended;          /* enum ht_live_end */
	int32_t exit_code;       /* with HT_LIVE_EXITED */
	uint64_t overflow;       /* requests not shown: no slot was free */
	uint64_t used;           /* bitmap of claimed request slots */
	/* version 3 (zero in a version-2 page) */
	uint64_t conns_used;     /* bitmap of claimed connection slots */
	uint32_t n_conns;        /* HT_LIVE_CONNS */
	uint32_t conns_overflow; /* connections not shown: no slot was free */
	ht_live_req reqs[HT_LIVE_REQS];
	ht_live_conn conns[HT_LIVE_CONNS];
	/* version 3, the same size: zeros from older libraries */
	uint64_t wmarks_used;    /* bitmap of claimed write marks */
	ht_live_wmark wmarks[HT_LIVE_WMARKS];
	/* version 4, the same size: zeros from older libraries; entry i
	 * belongs to slot i and is written and read with it */
	ht_live_tls req_tls[HT_LIVE_REQS];   /* a request's connection's,
						when it carries the
						handshake (its first) */
	ht_live_tls conn_tls[HT_LIVE_CONNS];
	/* version 5, the same size: 0 from older libraries.  Nonzero once
	 * the image (or, for a page made after a fork, its parent before
	 * the fork) began a TCP connection whose own address is a loopback
	 * one (or not known): set after the real connect() returned and
	 * before the hook returned, so before the program could send a
	 * byte on it; in every later page of the image from its HELLO on.
	 * The collector holds a traced server's record for its client's
	 * only when some process may have made that client (join.h). */
	uint32_t client_loopback;
	/* version 7, the same size: 0 from older libraries.  The requests
	 * (not WebSocket sessions) in flight now that no free slot could
	 * show: counted up when a request's claim fails (ht_live_unlist()),
	 * down when it ends or gets a slot later (ht_live_unlisted_end(),
	 * after its slot is written).  Atomic, no sequence counter: one
	 * word, read whole. */
	uint32_t unlisted;
	/* version 7, the same place: 0 from older libraries.  Of produced
	 * and dropped above, the request records (HT_REC_REQUEST): the
	 * requests made and lost; counted with them. */
	ht_live_req_counts req_counts;
	/* version 8, the same place: 0 from older libraries.  Whether a
	 * collector that stopped while the process may have run on read
	 * this page for the last time: 0, none did; HT_LIVE_READING while
	 * it reads; then, in a page of version 9, HT_LIVE_READ_DONE (any
	 * other value: done), in a page of version 8 its CLOCK_MONOTONIC ns
	 * (which a library of version 8 compares with its requests' times).
	 * It reported the requests it read in flight (or counted them not
	 * seen), so their own records, made later, are its and nobody
	 * else's (ht_live_mark(), ht_live_taken()).  The only field a
	 * collector writes. */
	uint64_t read_at;
	uint8_t pad_v8[16];
	/* version 6: past HT_LIVE_SIZE_V5, in a page of HT_LIVE_SIZE only
	 * (a page of memory of its own, touched once a slot is used);
	 * entry i belongs to request slot i */
	ht_live_resp req_resp[HT_LIVE_REQS];
	/* version 10, after them (zero from older libraries): entry i
	 * belongs to request slot i, its request's body bytes (a server's:
	 * read) plus one once the request is written whole, 0 before (not
	 * known): set with the slot, under its sequence counter
	 * (ht_live_req_body_set(), ht_live_read_req_body()) */
	uint64_t req_body[HT_LIVE_REQS];
} ht_live;

_Static_assert(sizeof(ht_live) <= HT_LIVE_SIZE, "live page too small");
_Static_assert(offsetof(ht_live, req_resp) == HT_LIVE_SIZE_V5,
	       "version 6 begins where a version-5 page ends");
_Static_assert(HT_LIVE_REQS <= 64 && HT_LIVE_CONNS <= 64 &&
	       HT_LIVE_WMARKS <= 64, "one bitmap word");
_Static_assert(offsetof(ht_live, dropped) == offsetof(ht_counters, dropped),
	       "counters first");
_Static_assert(offsetof(ht_live, req_counts) % 8 == 0,
	       "request counts aligned (atomic adds)");

/* ht_live_init() - format @l (HT_LIVE_SIZE zeroed bytes) as an empty page. */
void ht_live_init(ht_live *l);

/*
 * A collector that stops while the process may run on (its `listen`
 * restarted) reports the requests its last read of the page shows in
 * flight ("tracing stopped while the process ran"), or counts them not
 * seen: their own records, made later, must go to no other collector
 * (counted twice else), and none it did not read may be kept from one
 * (lost else).  The collector says when it reads (read_at: begin, end);
 * the library decides for each request from its own observations of that
 * mark in the page its slot was claimed in (ht_live_mark(): after the
 * slot is written, and again before it is released), whichever collector
 * it is connected to when the record is made:
 *
 *   shown            before release   the request's record
 *   none             done             the stopped collector's (taken)
 *   none             none             sent (the collector read after)
 *   none             reading          sent: it may have read the slot
 *                                     before the release or after, so
 *                                     the request may be reported twice
 *   reading          any              sent (the same doubt)
 *   done             any              sent (written after the read)
 *
 * Each observation follows a sequentially consistent fence, as the
 * collector's reads follow its mark (ht_live_read_begin()): a mark seen
 * "none" after the slot was written means the collector's read comes
 * after and sees the slot; "done" before the release means that read was
 * over while the slot was still held.  So a taken record is always one
 * the collector read, and a doubt sends the record on: never lost,
 * reported twice in the doubt only.
 *
 * Versions: a collector older than version 8 writes nothing (every
 * record is sent on: one it reported in flight is reported again by the
 * next collector).  A collector of version 8 writes its clock where one of
 * version 9 writes HT_LIVE_READ_DONE: a library of version 9 reads both as
 * "done".  A collector of version 9 writes its clock in a page of version
 * 8 (that library compares it with its requests' times, as it did).
 */
enum ht_live_mark {
	HT_LIVE_MARK_NONE,    /* no collector stopped reading this page */
	HT_LIVE_MARK_READING, /* a stopping collector reads it now */
	HT_LIVE_MARK_DONE,    /* ... and has read it */
};

/* ht_live_read_begin() - a collector that stops while the process may run
 * on is about to read @l's slots for the last time (read_at set to
 * HT_LIVE_READING, then a full fence before the slots are read; a page
 * older than version 8 is left alone). */
void ht_live_read_begin(ht_live *l);

/* ht_live_read_end() - ... and has read them: read_at set to
 * HT_LIVE_READ_DONE (a page of version 8: @now, the collector's
 * CLOCK_MONOTONIC ns read after the slots, which its library compares). */
void ht_live_read_end(ht_live *l, uint64_t now);

/* ht_live_mark() - the library's observation of @l's (its own page's)
 * read mark, after a full fence (so after the slot writes or the release
 * before it): enum ht_live_mark. */
unsigned ht_live_mark(const ht_live *l);

/* ht_live_taken() - whether the record of a request (or connection) shown
 * in a page whose mark was @shown right after its slot was written (or
 * its `unlisted` count went up), and @ending right before the slot was
 * released (or the count went down), belongs to the collector that stopped
 * reading that page: it was shown for the whole of that read. */
static inline bool ht_live_taken(unsigned shown, unsigned ending)
{
	return shown == HT_LIVE_MARK_NONE && ending == HT_LIVE_MARK_DONE;
}

/* ht_live_count_taken() - a record (@request: a request's) that
 * ht_live_taken() gave to the collector that stopped reading @l: counted
 * there, produced and dropped (it reported or counted it from the page),
 * never sent. */
void ht_live_count_taken(ht_live *l, bool request);

/* ht_live_mark_client() - the image made a client connection from a
 * loopback address (client_loopback): set in @l. */
void ht_live_mark_client(ht_live *l);

/* ht_live_may_have_client() - whether page @l (another process's, @len
 * bytes mapped) may be one that made a client connection from a loopback
 * address: its client_loopback is set, or it cannot say (a page older
 * than version 5, or not a whole live page). */
bool ht_live_may_have_client(const ht_live *l, size_t len);

/* ht_live_addr_loopback() - whether @a is a loopback address: 127/8,
 * ::1, 127/8 mapped in IPv6.  Any other family: false. */
bool ht_live_addr_loopback(const ht_addr *a);

/* ht_live_claim() - take a free request slot: its index + 1, or 0 when
 * none is free (l->overflow counted).  Lock-free, no system call. */
unsigned ht_live_claim(ht_live *l);

/* ht_live_unlist() - a request of @l's image found no slot free
 * (ht_live_claim() returned 0): counted in flight, not listed, until
 * ht_live_unlisted_end().  One atomic add, no system call. */
static inline void ht_live_unlist(ht_live *l)
{
	__atomic_add_fetch(&l->unlisted, 1, __ATOMIC_RELEASE);
}

/* ht_live_unlisted_end() - a request ht_live_unlist() counted in @l ended,
 * or got a slot (then called after the slot is written: a reader never
 * misses it in both). */
static inline void ht_live_unlisted_end(ht_live *l)
{
	__atomic_sub_fetch(&l->unlisted, 1, __ATOMIC_RELEASE);
}

/* Past this, a page's `unlisted` is not believable (a count that went
 * below zero, a page written by something else). */
#define HT_LIVE_UNLISTED_MAX (1u << 24)

/* ht_live_unlisted() - the requests in flight in page @l (another
 * process's, @len bytes mapped) that no slot shows: 0 in a page older
 * than version 7 or not a whole live page (not known), or when the count
 * is not believable (over HT_LIVE_UNLISTED_MAX). */
uint32_t ht_live_unlisted(const ht_live *l, size_t len);

/* ht_live_release() - slot @ref (from ht_live_claim(), 0: none) holds no
 * request any more: marked inactive, then free for a later claim. */
void ht_live_release(ht_live *l, unsigned ref);

/* ht_live_seq_begin() / ht_live_seq_end() - the sequence counter of one
 * slot, shared by both kinds of slot: made odd before a writer's plain
 * stores (a reader copying then retries) and even after them. */
static inline void ht_live_seq_begin(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void ht_live_seq_end(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
}

/* ht_live_write_begin() / ht_live_write_end() - bracket plain stores to
 * the slot @ref names (returned by begin; NULL when @ref is 0): the
 * sequence counter is odd in between.  Inline, as the entries below: a
 * request's slot is written five times and more, each a call else. */
static inline ht_live_req *ht_live_write_begin(ht_live *l, unsigned ref)
{
	if (ref == 0 || ref > HT_LIVE_REQS)
		return NULL;
	ht_live_req *s = &l->reqs[ref - 1];
	ht_live_seq_begin(&s->seq);
	return s;
}

static inline void ht_live_write_end(ht_live_req *s)
{
	ht_live_seq_end(&s->seq);
}

/* ht_live_wmark_claim() - take a free write mark for connection
 * @conn_id, none of its writes in flight: the mark, or NULL when none is
 * free (its requests then read as cut if the process dies while it
 * writes).  Lock-free, no system call.
 * ht_live_wmark_release() - @w (NULL: none) marks nothing any more. */
ht_live_wmark *ht_live_wmark_claim(ht_live *l, uint32_t conn_id);
void ht_live_wmark_release(ht_live *l, ht_live_wmark *w);

/* ht_live_wmark_writing() - whether a copy @w of a claimed mark shows a
 * write in flight. */
static inline bool ht_live_wmark_writing(const ht_live_wmark *w)
{
	return w->begun != w->ended;
}

/* ht_live_wmark_read() - copy write mark @i of @l (the shared page,
 * written by another process whose end is known) into @out: 1 when it is
 * claimed, else 0. */
int ht_live_wmark_read(const ht_live *l, unsigned i, ht_live_wmark *out);

/* ht_live_req_tls() / ht_live_conn_tls() - the TLS entry of the request
 * or connection slot @ref names (NULL when @ref is 0), for the writer to
 * fill between ht_live_write_begin() and ht_live_write_end() (resp. the
 * connection slot's) of the same slot. */
static inline ht_live_tls *ht_live_req_tls(ht_live *l, unsigned ref)
{
	return ref == 0 || ref > HT_LIVE_REQS ? NULL : &l->req_tls[ref - 1];
}
ht_live_tls *ht_live_conn_tls(ht_live *l, unsigned ref);

/* ht_live_tls_store() - fill @t with @version and @alpn (NULL: none), each
 * left empty when it does not fit whole. */
void ht_live_tls_store(ht_live_tls *t, const char *version,
		       const char *alpn);

/* ht_live_tls_set() - ht_live_tls_store(), but for an entry to empty that
 * is empty already.  Inline: a request slot's entry is emptied for every
 * request but a connection's first, and most often is empty already (the
 * first byte of each string says so): a test, no call. */
static inline void ht_live_tls_set(ht_live_tls *t, const char *version,
				   const char *alpn)
{
	if (version == NULL && alpn == NULL && t->version[0] == '\0' &&
	    t->alpn[0] == '\0')
		return;
	ht_live_tls_store(t, version, alpn);
}

/* ht_live_req_resp() - the response entry of the request slot @ref names
 * (NULL when @ref is 0), for the writer: filled whole between
 * ht_live_write_begin() and ht_live_write_end() of the same slot, its
 * body_bytes alone with ht_live_resp_body() at any time after. */
static inline ht_live_resp *ht_live_req_resp(ht_live *l, unsigned ref)
{
	return ref == 0 || ref > HT_LIVE_REQS ? NULL : &l->req_resp[ref - 1];
}

/* ht_live_resp_body() - entry @e (NULL: none) shows @n body bytes so far:
 * one plain store, no sequence counter (ht_live_resp). */
static inline void ht_live_resp_body(ht_live_resp *e, uint64_t n)
{
	if (e != NULL)
		__atomic_store_n(&e->body_bytes, n, __ATOMIC_RELAXED);
}

/* ht_live_resp_head_part() - entry @e (NULL: none), its final header
 * section not whole yet (status 0), shows @n header bytes read so far
 * (interim responses' included): one plain store, as ht_live_resp_body()
 * (a library older than this one leaves 0 there: not known). */
static inline void ht_live_resp_head_part(ht_live_resp *e, uint32_t n)
{
	if (e != NULL && e->status == 0)
		__atomic_store_n(&e->header_bytes, n, __ATOMIC_RELAXED);
}

/* ht_live_req_body_set() - between ht_live_write_begin() and
 * ht_live_write_end() of slot @ref (0: none) of @l: its request is
 * written whole with @n body bytes (@known), or not yet (its body bytes
 * not known). */
static inline void ht_live_req_body_set(ht_live *l, unsigned ref,
					bool known, uint64_t n)
{
	if (ref != 0 && ref <= HT_LIVE_REQS)
		l->req_body[ref - 1] = known ? n + 1 : 0;
}

/* ht_live_read_req_body() - of page @l (another process's, @len bytes
 * mapped, its process over: nothing writes it any more), the request
 * body bytes of slot @i into *@n: whether they are known (a page of
 * version 10 on, its request written whole). */
bool ht_live_read_req_body(const ht_live *l, size_t len, unsigned i,
			   uint64_t *n);

/* ht_live_size_known() - whether @len is the size of a live page of some
 * version (HT_LIVE_SIZE, HT_LIVE_SIZE_V5). */
bool ht_live_size_known(size_t len);

/* ht_live_copy_str() - copy the NUL-terminated @src (NULL: empty) into
 * @dst of @cap bytes, truncated, NUL-terminated. */
void ht_live_copy_str(char *dst, size_t cap, const char *src);

/* ht_live_copy() - the same for @src of @n bytes (its strlen()): no
 * length to find.  Inline: three per request shown (method, target,
 * host), the call was a third of each. */
static inline void ht_live_copy(char *dst, size_t cap, const char *src,
				size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	ht_copy_short(dst, src, n);
	dst[n] = '\0';
}

/*
 * ht_live_read() - copy slot @i of @l (the shared page, written by another
 * process) into @out.  Returns 1 when @out is a request in flight, 0 when
 * the slot is free, -1 when every try found it being written (torn).  The
 * copy's strings are NUL-terminated whatever the page held.
 */
#define HT_LIVE_READ_TRIES 64
int ht_live_read(const ht_live *l, unsigned i, ht_live_req *out);

/* ht_live_read_tls() - ht_live_read(), and the slot's TLS entry into @tls
 * in the same consistent copy (empty strings in a page older than
 * version 4). */
int ht_live_read_tls(const ht_live *l, unsigned i, ht_live_req *out,
		     ht_live_tls *tls);

/* ht_live_read_resp() - ht_live_read(), and the slot's response entry
 * into @resp in the same consistent copy: all zero (not kept) in a page
 * older than version 6 or shorter than HT_LIVE_SIZE (@len, the bytes
 * mapped: the entries lie past a version-5 page's end). */
int ht_live_read_resp(const ht_live *l, size_t len, unsigned i,
		      ht_live_req *out, ht_live_resp *resp);

/* What a request cut short by its process's end had of its response, from
 * a copy of its slot @q and response entry @e (ht_live_read_resp()): the
 * status (0: none, or not known), header and body bytes, and which of
 * them are not known. */
typedef struct ht_live_cut_resp {
	uint16_t status;
	uint32_t header_bytes;
	uint64_t body_bytes;
	bool header_unknown;  /* header_bytes means nothing */
	bool body_unknown;    /* body_bytes means nothing */
	uint16_t n_1xx;       /* interim responses received */
} ht_live_cut_resp;

/* ht_live_cut_resp_of() - fill @out: before the response's first byte none
 * came (status 0, 0 bytes, all known); after it, what @e kept (the status
 * and header bytes once the final header section was whole, else the
 * header bytes so far when kept, else not known; the body bytes so far),
 * or nothing known when @e was not kept
 * (an older page, an h2c upgrade's request). */
void ht_live_cut_resp_of(const ht_live_req *q, const ht_live_resp *e,
			 ht_live_cut_resp *out);

/* ht_live_conn_claim() / ht_live_conn_release() / ht_live_conn_write_begin()
 * / ht_live_conn_read() - as their request-slot counterparts, for the
 * connection slots (conns_used, conns_overflow).  ht_live_conn_read() of a
 * page older than version 3 finds every slot free. */
unsigned ht_live_conn_claim(ht_live *l);
void ht_live_conn_release(ht_live *l, unsigned ref);
ht_live_conn *ht_live_conn_write_begin(ht_live *l, unsigned ref);
void ht_live_conn_write_end(ht_live_conn *s);
int ht_live_conn_read(const ht_live *l, unsigned i, ht_live_conn *out);

/*
 * ht_live_conn_connecting() - a client's connect() of connection @conn_id
 * is about to be made at @t0: a connection slot of @l claimed and shown in
 * phase connect (t_connect_start @t0), with no peer yet (family 0: the
 * library reads the program's address only after the kernel did, so that
 * a bad pointer gives the program EFAULT, never a fault in the library)
 * and @name (NULL: none) as its name so far.  Returns the slot (0: none
 * free, counted), for the connection to take (conn_live_conn_take()) or
 * ht_live_conn_release().  Lock-free, no system call.
 */
unsigned ht_live_conn_connecting(ht_live *l, uint32_t conn_id, uint64_t t0,
				 const char *name);

/* A client's connection slot with no peer in phase connect is streamed by
 * a collector (-f events: its connect_start) only once it has been so for
 * this long (a connect() call still in progress): the library ends one
 * seen that long with a record, releases one younger unseen. */
#define HT_LIVE_PEER_WAIT_NS (50 * 1000000ull)

/* ht_live_conn_read_tls() - ht_live_conn_read(), and the slot's TLS entry
 * into @tls, as ht_live_read_tls(). */
int ht_live_conn_read_tls(const ht_live *l, unsigned i, ht_live_conn *out,
			  ht_live_tls *tls);

/* Phases of a request in flight, from its timestamps. */
enum ht_live_phase {
	HT_PH_NONE = 0,
	HT_PH_DNS,
	HT_PH_CONNECT,
	HT_PH_TLS,
	HT_PH_SEND,            /* writing the request */
	HT_PH_WAIT_FIRST_BYTE, /* written, no response byte yet */
	HT_PH_RECEIVE,         /* reading the response */
	HT_PH_WEBSOCKET,       /* a WebSocket session open (HT_LIVE_WEBSOCKET) */
	HT_PH__COUNT
};

/* ht_live_phase() - the phase a request with timestamps @t was in;
 * @final_begun: its final (not 1xx) response has begun (a status is
 * known), which ends the "send" an interim response leaves it in while
 * its body is still being written. */
unsigned ht_live_phase(const uint64_t t[HT_T__COUNT], bool final_begun);

/* ht_live_req_phase() - the phase request slot @s is in: HT_PH_WEBSOCKET
 * for a session, else ht_live_phase() of its timestamps. */
unsigned ht_live_req_phase(const ht_live_req *s);

/* ht_live_conn_phase() - the phase connection slot @s is in: HT_PH_DNS,
 * HT_PH_CONNECT (connect begun, not done), HT_PH_TLS (handshake begun, not
 * done), else HT_PH_NONE (up, no request yet: nothing in flight). */
unsigned ht_live_conn_phase(const ht_live_conn *s);

/* ht_live_phase_name() - "dns", "connect", "tls", "send",
 * "wait_first_byte", "receive"; NULL for HT_PH_NONE or an unknown value. */
const char *ht_live_phase_name(unsigned phase);

/* ht_live_phase_text() - the phase in words for a line of text ("waiting
 * for the first byte"); NULL as ht_live_phase_name(). */
const char *ht_live_phase_text(unsigned phase);

/*
 * ht_live_side_phase_name() / ht_live_side_phase_text() - as
 * ht_live_phase_name() / ht_live_phase_text(), in a server's own terms
 * when @server (a request it read and answers: its slot's side
 * HT_LIVE_SERVER, its record's HT_RF_SERVER; the same phases of its
 * timestamps, their direction turned round, named as its finished
 * record's accept_ms, read_ms, processing_ms, write_ms): "accept"
 * ("waiting for the request"), "tls", "read" ("reading the request"),
 * "processing" ("processing the request"), "write" ("writing the
 * response"); a client's names otherwise.
 */
const char *ht_live_side_phase_name(unsigned phase, bool server);
const char *ht_live_side_phase_text(unsigned phase, bool server);

#endif
