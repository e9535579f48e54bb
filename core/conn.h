/*
 * conn.h - one traced connection: reconstructs its request lifecycles, in
 * Go's httptrace terms, from the bytes each direction carries and the
 * moments the hooks report.
 *
 * Pure: no clock, no system calls, no allocation.  The hooks pass
 * timestamps (CLOCK_MONOTONIC ns) in; completed records go out through the
 * sink callback, one record per completed or failed request, one per
 * connection close or connect failure.  The caller serialises calls on one
 * connection (the fd table's per-slot lock).
 *
 * HTTP/2 (recognised by the client connection preface, cleartext or over
 * TLS) is followed per stream in conn_h2.c: every stream is a request.
 * A server that speaks first is not followed, except with the start of an
 * HTTP/2 server preface (prior knowledge: gRPC's servers send their
 * SETTINGS at once): those bytes are kept until the client's first write,
 * and read as HTTP/2 before it if that write is the client preface.  A
 * client that writes HTTP/1.x after its server spoke first (anything but
 * that preface) has its requests reported, as not followed
 * (HT_ERR_DESYNC): where their responses begin is not known.
 *
 * Bytes where a response should begin that begin none (a malformed
 * response, or bytes past the end of the last one: a Content-Length
 * shorter than the body sent) end the request they stand for, if one is
 * in flight, as a malformed response, and every other request in flight
 * and later on the connection, once written, as not followed
 * (HT_ERR_DESYNC).
 *
 * h2c: a request with "Upgrade: h2c" answered 101 (and "Upgrade: h2c")
 * turns the connection to HTTP/2 after the 101; that request is stream 1,
 * its response the 101's interim and stream 1's HEADERS.
 *
 * WebSocket: a request with "Upgrade: websocket" answered 101 (and
 * "Upgrade: websocket") is reported at the 101 as any request; from the
 * next byte on the connection is a WebSocket session (conn_ws.c, ws.h),
 * its frames followed each way, reported as one HT_REC_WS record when it
 * ends: both close frames went, the peer's EOF, a reset, the program's
 * close (or exit), or its framing lost.  Without memory for it the
 * connection is not followed (opaque), as before.
 *
 * Tunnels: once a CONNECT is answered 2xx, or a SOCKS handshake (socks.h)
 * is granted, the connection carries a new inner connection to the target:
 * from the byte after the answer on, it is read as a fresh connection
 * (plaintext HTTP/1.x or HTTP/2, or TLS whose plaintext the TLS hooks
 * deliver), its first request new, the later ones reused, each record
 * flagged HT_RF_TUNNEL and naming the target.
 *
 * TLS that no hook decodes: when a connection's first client bytes are a
 * TLS handshake record and no TLS library hook has claimed it, its record
 * layer is followed (tlsrec.h) for what the handshake shows; its close
 * then says so (HT_CF_TLS_UNDECODED, with the server name, the versions,
 * the ALPN and the handshake's moments).  A hook that claims it later
 * (conn_mark_tls()) takes over: the connection is then the hook's, read
 * afresh, never reported twice.
 *
 * Lifecycle of a request on HTTP/1.x:
 *   got_conn        first request byte written (the connection is in use)
 *   wrote_headers   last byte of the request header section written
 *   wrote_request   last byte of the request written (body included)
 *   got_1xx         an interim response (100 Continue, 103 Early Hints)
 *   first_byte      first byte of the response read
 *   response_done   last byte of the final response read -> record emitted
 * Requests are answered in order (pipelining); a request whose connection
 * ends before its response completes is emitted with an error.
 *
 * Pipelining depth: CONN_PIPELINE requests in flight are followed in the
 * connection itself; a deeper pipeline grows the queue once, to
 * CONN_PIPELINE_MAX, in memory from the environment's alloc.  A request
 * beginning while the queue is full is not followed: it is emitted with
 * HT_ERR_OVERFLOW once written (method, target, write times, no response),
 * and its response, when it comes, is skipped, never paired: each queued
 * request knows how many responses to untracked requests come before its
 * own.  An untracked HEAD or CONNECT makes the responses after it
 * unframeable without it: once the queued requests before it are
 * answered, responses are no longer parsed, and every later request is
 * emitted with HT_ERR_OVERFLOW.
 */
#ifndef HT_CONN_H
#define HT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hpack.h"
#include "http1.h"
#include "socks.h"
#include "tlsrec.h"
#include "wire.h"

/* Requests in flight on one connection (pipelining depth) followed in the
 * connection's own memory, and at most, in a queue allocated when a
 * connection pipelines deeper (CONN_PIPELINE_MAX * sizeof(conn_request),
 * about 360 KiB of address space, its pages touched only as deep as the
 * pipeline goes). */
#define CONN_PIPELINE 4
#define CONN_PIPELINE_MAX 64
#define CONN_NAME_MAX 256
#define CONN_TLSVER_MAX 16
#define CONN_ALPN_MAX 32
/* A Unix socket path (sun_path is 108 bytes; "@" starts an abstract name). */
#define CONN_PATH_MAX 110
/* What a server may send before its client writes anything and still be
 * followed: an HTTP/2 server's preface, a SETTINGS frame (gRPC's: 33 bytes)
 * and often a WINDOW_UPDATE (13). */
#define CONN_EARLY_MAX 128

/* Bytes of read-side events a connection holds back at most (conn_hold()). */
#define CONN_HOLD_MAX (64 * 1024)

/*
 * The thread a request is made or served on (conn_env.thread): the hooks
 * number each thread on its first traced use (from 1, unique within the
 * process, no system call) and keep this per thread; the connections
 * count in it the server requests read on the thread.  A client request
 * begun on a thread with exactly one server request open on it is made
 * inside that one (its record names it: thread_seq, wire.h), unless the
 * thread runs an event loop (it waited in epoll_wait or epoll_pwait: the
 * hooks set loop), where a timer's call or a background task's comes
 * while one unrelated request is open.  A server
 * request ended on another thread than the one that read it stays open
 * on that one: the thread then attributes nothing more (never a wrong
 * parent).
 */
typedef struct conn_thread {
	uint32_t id;
	uint32_t served;  /* server requests read whole on the thread */
	uint32_t open;    /* of those, not yet ended on it */
	bool loop;        /* it waited in epoll: an event loop's, whose
	                     requests interleave (a call may belong to any
	                     request open, or to none: a timer's): it
	                     attributes nothing */
} conn_thread;

/* Where records go.  Called with the connection still locked: it must not
 * call back into the connection. */
typedef void (*conn_sink_fn)(void *ctx, const ht_record *rec);

/* What a connection needs from its surroundings; shared by all, it must
 * outlive them. */
typedef struct conn_env {
	conn_sink_fn sink;
	void *sink_ctx;
	const h1_options *opt;       /* header capture and redaction; may be NULL */
	/* Zeroed memory for HTTP/2 state (NULL when none can be had), and its
	 * release. */
	void *(*alloc)(size_t size);
	void (*release)(void *p, size_t size);
	/* The HPACK decoder; NULL: HTTP/2 is not followed. */
	const hpack_ops *(*hpack)(void);
	/* Where requests in flight are shown (live.h): the image's current
	 * page, or NULL (none, or not now).  May be NULL itself. */
	struct ht_live *const volatile *live;
	/* The calling thread's state (conn_thread); NULL, or returning
	 * NULL: threads are not told apart. */
	conn_thread *(*thread)(void);
} conn_env;

struct conn_h2; /* conn_h2.c */
struct conn_ws; /* conn_ws.c */

/* How the connection's plaintext is being read. */
typedef enum conn_mode {
	CONN_MODE_DETECT,  /* no byte written yet (on this inner connection) */
	CONN_MODE_SOCKS,   /* inside a SOCKS handshake */
	CONN_MODE_HTTP1,
	CONN_MODE_HTTP2,
	CONN_MODE_OPAQUE,  /* not HTTP we understand: ignored from now on */
	CONN_MODE_TLS,     /* TLS records no hook decodes: c->tlsrec */
	CONN_MODE_WS,      /* a WebSocket session after a 101: c->ws */
} conn_mode;

typedef struct conn_request {
	uint32_t seq;
	uint32_t stream_id;      /* HTTP/2: the stream's id; 0 otherwise */
	uint32_t flags;          /* HT_RF_* */
	uint64_t t[HT_T__COUNT];
	bool headers_done;       /* request header section fully written */
	bool written;            /* whole request written */
	bool answered;           /* its whole response came before it was
	                            all written (an early answer): its record
	                            waits for the request's end, or the
	                            connection's (conn_emit_early()) */
	bool head, connect;      /* method, for response framing */
	bool h2c;                /* asked to upgrade to HTTP/2 (Upgrade: h2c) */
	bool websocket;          /* asked for a WebSocket (Upgrade: websocket) */
	bool keep_alive;         /* the request did not ask to close */
	bool closes;             /* it says the connection ends after its
	                            response (h1_message.closes: Connection:
	                            close, HTTP/1.0 without keep-alive): a
	                            server that answers it serves nothing
	                            after it (RFC 9112 section 9.6): those
	                            it never answers end with
	                            HT_ERR_AFTER_CLOSE, decided when the
	                            connection ends (srv_asked_close) */
	uint8_t proto;           /* enum ht_proto of the request line */
	uint8_t req_error;       /* a server's request that ended where its
	                            bytes stopped: HT_ERR_BAD_REQUEST (a
	                            parse error) or HT_ERR_HEAD_CUT (the
	                            client closed inside its head).  Its
	                            record says so, with the response the
	                            server wrote anyway, whatever else ended
	                            it but the process's end */
	uint16_t n_1xx;          /* interim responses received */
	uint32_t skip;           /* responses to untracked requests before
	                            this one's own */
	uint32_t header_bytes;
	uint64_t body_bytes;
	uint64_t t_wrote_last;   /* HTTP/2: its last DATA written */
	/* its slot in a live page (live.h): the page it was claimed in (a
	 * reconnect makes a new one), the slot's ref; NULL/0: not shown.
	 * live set, live_ref 0: no slot was free, @live counts it in
	 * flight unlisted (ht_live_unlist()) until conn_live_end();
	 * live_mark: the page's read mark once it showed the request
	 * (enum ht_live_mark, ht_live_taken()) */
	struct ht_live *live;
	unsigned live_ref;
	uint8_t live_mark;
	/* of a head still being written, what its slot shows: the parts of
	 * its request line read whole (h1_request_line_read()), plus 4 once
	 * its Host was (conn_live_head_part()); 0: none shown */
	uint8_t live_head;
	/* strlen() of method, target and host, kept with them (each
	 * request's record and live slot copy them) */
	uint16_t method_len, target_len, host_len;
	/* the thread (conn_thread.id) a client request began on, or that
	 * read a server request whole; 0: not known.  thread_seq: a
	 * server's, its number among the thread's (served); a client's,
	 * the server request open alone on its thread when it began, 0:
	 * none.  thread_open: counted open on its thread. */
	uint32_t thread, thread_seq;
	bool thread_open;
	char method[H1_METHOD_MAX];
	char target[H1_TARGET_MAX];
	char host[H1_HOST_MAX];
	char hdrs[H1_HDRS_MAX];
	uint32_t hdrs_len;
} conn_request;

typedef struct conn {
	/* identity */
	uint32_t pid;
	uint32_t id;
	ht_addr peer;            /* family HT_AF_UNIX: peer_path names it */
	ht_addr local;           /* the socket's own address, set by the
	                            hooks (family 0: not known) */
	const conn_env *env;
	char peer_path[CONN_PATH_MAX];

	/* connection-level moments (first request only) */
	char dns_name[CONN_NAME_MAX];
	uint64_t t_dns_start, t_dns_done;
	uint64_t t_connect_start, t_connect_done;
	uint64_t t_tls_start, t_tls_done;
	bool tls;
	char tls_version[CONN_TLSVER_MAX];
	char alpn[CONN_ALPN_MAX];
	/* their lengths, kept with them (conn_tls_done(), conn_open.c): each
	 * request's record takes both, no strnlen per request */
	uint8_t tls_version_len, alpn_len;
	/* its connection slot in a live page (live.h) until its first
	 * request: the page, the slot's ref; NULL/0: not shown;
	 * live_conn_mark: the page's read mark once the slot's last write
	 * showed it (HT_LIVE_MARK_READING when that showed no phase a
	 * collector reports: never taken, ht_live_taken()) */
	struct ht_live *live_conn;
	unsigned live_conn_ref;
	uint8_t live_conn_mark;

	/* state */
	conn_mode mode;
	/* DETECT: what the server sent before the client wrote anything */
	uint8_t early[CONN_EARLY_MAX];
	uint32_t early_len;
	bool early_foreign;      /* DETECT: a client's server spoke first
	                            with bytes no HTTP/2 preface begins with:
	                            the client's first write says whether it
	                            is HTTP (then its responses cannot be
	                            followed) or another protocol (opaque) */
	bool connected;          /* connect completed */
	bool failed;             /* connect failed */
	bool peer_eof;           /* the peer closed its side */
	bool dead;               /* reset, closed or gave up on: no more work */
	bool closed;             /* conn_close() ran */
	bool tls_failed;         /* the TLS handshake failed, or its process
	                            ended in it (conn_on_exit()): no failure */
	bool intr;               /* the program's last call on it (a read, a
	                            write, or a poll for it) returned EINTR:
	                            a signal interrupted its wait; set and
	                            cleared by the hooks.  A close that comes
	                            with it set ends what is in flight as
	                            HT_ERR_INTERRUPTED (conn_close()) */
	bool unseen;             /* HTTP/1.x response bytes went by unseen:
	                            responses are no longer followed, each
	                            request ends with unseen_error */
	uint8_t unseen_error;    /* the HT_ERR_* conn_give_up() was given */
	bool stdio;              /* a stdio FILE was opened on it
	                            (conn_stdio_opened()) */
	bool requests_lost;      /* opaque after a malformed request (one
	                            that was HTTP): the next bytes written
	                            (requests, not framed any more) get a
	                            note */
	uint32_t nreq;           /* requests begun */
	uint64_t t_idle_since;   /* last response done with nothing in flight */
	uint64_t bytes_out, bytes_in;
	/* bytes_in and bytes_out before the last fork, by this process's
	 * parents (the two counts are the child's own from there): what
	 * TCP_INFO's counts hold besides them (conn_close_stream_end(),
	 * conn_tcp_counts_mine()) */
	uint64_t bytes_in_before_fork, bytes_out_before_fork;
	/* A fork shared the connection with requests in flight, and no
	 * other process is proven to have moved a byte on it since: the
	 * hooks ask the kernel at each call on it (conn_shared_check())
	 * until nothing is in flight (conn_shared_settle()) */
	bool fork_shared;
	/* A connection the program accepted (conn_server.h): the bytes it
	 * reads are the requests, fed as conn_on_write() feeds a client's,
	 * the bytes it writes the responses. */
	bool server;
	/* A server connection whose server wrote a response that closes it
	 * (Connection: close, HTTP/1.0 without keep-alive) or shut its
	 * writing side: what it reads from then on (a lingering close) is
	 * no request it serves; unserved_noted: a note said so once. */
	bool srv_closing;
	bool unserved_noted;
	/* The request being written said "Expect: 100-continue" and was
	 * answered with a final status before any 1xx and any byte of its
	 * body: whether the client sends that body anyway or a request
	 * next is told by what it writes next (conn_on_write()). */
	bool expect_refused;
	/* The last response the server completed answered a request that
	 * said it closes (conn_request.closes) without itself saying
	 * "Connection: keep-alive", and since then no response began and the
	 * server read nothing: requests read behind it and unanswered when
	 * the server ends the connection (its close or shutdown, not a reset
	 * or an exit) end with HT_ERR_AFTER_CLOSE (conn_server_ends()).  Not
	 * decided at the answer: a server may answer on (an asyncio server
	 * ignoring the header), and then each later request is followed. */
	bool srv_asked_close;
	/* a server's write mark in the live page (live.h), claimed while
	 * live_reqs of its requests have slots there (in live_wpage):
	 * written under the connection's lock, read without it before each
	 * write (ht_write_begin()); NULL: none */
	struct ht_live_wmark *live_wmark;
	struct ht_live *live_wpage;
	unsigned live_reqs;

	/* requests in flight, oldest first: the i-th at (q_head + i) modulo
	 * the capacity, in q, or in q_big (CONN_PIPELINE_MAX) once grown */
	conn_request q[CONN_PIPELINE];
	conn_request *q_big;
	unsigned q_head, q_len;
	/* requests not followed (the queue was full) since the newest queued
	 * one: their responses come before any request queued next */
	uint32_t q_untracked;
	/* an untracked request's response cannot be framed (HEAD, CONNECT):
	 * responses are parsed only while queued requests are in flight, and
	 * every later request is untracked */
	bool q_blind;
	/* the request being written is untracked: it is kept here until
	 * written, then emitted with HT_ERR_OVERFLOW */
	bool spill_active;
	conn_request spill;

	/* HTTP/1.x: the oldest queued request was answered early (its
	 * answered flag), and when request bytes were last written */
	bool early_answer;
	uint64_t t_out_last;
	/* A server's TLS session whose ciphertext the program moves itself
	 * (memory BIOs): the ciphertext its library had made when the last
	 * plaintext was written (conn_tls_made()), and, HTTP/1.x (HTTP/2
	 * keeps a mark per stream, conn_h2.c), the
	 * oldest request's response whole in plaintext while the socket has
	 * not carried that much yet: its record waits for the socket's
	 * writes (its answered flag), or for the connection's end, which
	 * cuts it (conn_wire_release()) */
	uint64_t tls_made;
	bool wire_wait;
	/* HTTP/1.x: when response bytes were last read (or skipped unread):
	 * where a body delimited by close ends when the kernel says, at the
	 * program's close, that the server's stream ended there
	 * (conn_close_stream_end()) */
	uint64_t t_in_last;

	/* current response */
	uint64_t t_resp_first_byte;  /* first byte of the current message */
	uint32_t resp_1xx_header_bytes;

	h1_parser out;           /* request bytes */
	h1_parser in;            /* response bytes */

	/* tunnel: the inner connection's target ("" when none), the requests
	 * made before it opened, when it opened; the SOCKS handshake */
	char tunnel[SOCKS_TARGET_MAX];
	uint32_t inner_base;
	uint64_t t_tunnel_done;
	socks socks;

	struct conn_h2 *h2;      /* HTTP/2 state, allocated when detected */
	struct conn_ws *ws;      /* WebSocket session, allocated at the 101 */

	/* read-side events held back until the writes in flight are fed
	 * (conn_hold()): CONN_HOLD_MAX bytes from env->alloc, taken on first
	 * use, kept until conn_close() */
	uint8_t *hold;
	uint32_t hold_len;       /* bytes of it in use */
	uint32_t hold_last;      /* offset of the last event held */
	bool hold_lost;          /* an event found no room at all... */
	uint64_t t_hold_lost;    /* ...first at this time */
	tlsrec tlsrec;           /* CONN_MODE_TLS: what the records showed */
} conn;

/*
 * conn_init() - start tracking a connection to @peer being connected at
 * @now.  @env must outlive @c.  A connection must end with conn_close()
 * (which releases what it allocated) before @c is reused or freed.
 */
void conn_init(conn *c, const conn_env *env, uint32_t pid, uint32_t id,
	       const ht_addr *peer, uint64_t now);

/* conn_set_unix_path() - the peer is the Unix socket at @path (@len bytes,
 * not NUL-terminated; a leading NUL is an abstract name, shown as "@"). */
void conn_set_unix_path(conn *c, const char *path, size_t len);

/* conn_looks_like_http() - whether @buf (@len bytes), the first bytes a
 * client wrote on a connection, start an HTTP/1.x request line (an
 * upper-case method token, a space, a request target) or the HTTP/2
 * preface; a prefix of either counts.  For sockets that usually carry
 * something else (Unix sockets): only these are followed. */
bool conn_looks_like_http(const uint8_t *buf, size_t len);

/* conn_set_dns() - the lookup of @name (NUL-terminated, truncated to fit)
 * gave the peer address, between @t_start and @t_done (0 when the name is
 * known but the lookup is not this connection's to count). */
void conn_set_dns(conn *c, const char *name, uint64_t t_start, uint64_t t_done);

/* conn_connected() - the connect completed at @now.  Idempotent.  A TLS
 * handshake already begun starts at @now at the earliest (the phases of
 * a request never overlap; see conn_tls_start()). */
void conn_connected(conn *c, uint64_t now);

/* conn_connect_failed() - the connect failed with @err at @now: emits
 * HT_REC_CONN_FAIL and marks the connection dead (what it allocated for
 * held events is released: no conn_close() needs to follow). */
void conn_connect_failed(conn *c, int err, uint64_t now);

/* conn_tls_start() / conn_tls_done() - handshake moments; the version and
 * ALPN (may be NULL) are copied.  The first start counts.  The connect
 * ends no later than the handshake starts: a start at @now before a
 * connect proven later (by the handshake call's own bytes, the hooks
 * reporting the start after the call) ends the connect at @now, unless
 * @now is before the connect even began (TCP Fast Open: the handshake's
 * first bytes opened the connection), where the handshake starts when the
 * connect ended. */
void conn_tls_start(conn *c, uint64_t now);
void conn_tls_done(conn *c, uint64_t now, const char *version, const char *alpn);

/* conn_tls_failed() - the handshake failed at @now: emits HT_REC_CONN_FAIL
 * with HT_FF_TLS (once, and only before any request). */
void conn_tls_failed(conn *c, uint64_t now);

/* conn_raw_tls_failed() - @c, a client's connection carrying TLS no hook
 * decoded (CONN_MODE_TLS), closes at @now: when its records show the
 * handshake failed (tlsrec_verdict(): an alert in the clear, or a close
 * before its end), emits HT_REC_CONN_FAIL with HT_FF_TLS and what was seen
 * (HT_FF_TLS_ALERT_CLIENT/_SERVER and the alert, else HT_FF_TLS_CLOSED) and
 * returns true: the connection is reported as a failed handshake, like a
 * hook's, not closed (or counted on @taken, the page conn_live_conn_end()
 * returned, when a stopped collector reported it in flight).  Returns
 * false otherwise (nothing emitted). */
bool conn_raw_tls_failed(conn *c, uint64_t now, struct ht_live *taken);

/* conn_mark_tls() - the connection's plaintext comes from a TLS library:
 * from now on the socket's own bytes go to conn_on_transport(), never the
 * parser.  Undoes an opaque verdict the ciphertext may have caused, and
 * the following of TLS records no hook decoded (CONN_MODE_TLS): the
 * connection is the hook's, its close an ordinary one.  Read events held
 * until then (conn_hold()) are the socket's bytes: fed first, as such. */
void conn_mark_tls(conn *c);

/* conn_on_transport() - @n bytes of ciphertext moved on a TLS connection
 * (@out: written; on a server's, read: the request side) at @now:
 * counted, and proof that the connect completed.  A server's write that
 * brings the socket's count to the ciphertext owed (conn_tls_made())
 * emits the response waiting for it, whole. */
void conn_on_transport(conn *c, bool out, size_t n, uint64_t now);

/*
 * conn_tls_made() - @c's TLS library had made @n bytes of ciphertext in
 * all (its handshake's included) when it took the plaintext about to be
 * fed: told before that plaintext, by a hook whose session writes into
 * memory (BIO_number_written() of its write BIO), never for a session
 * that writes to the socket itself.  A client's request cut by the
 * connection's end while its socket had carried fewer bytes than that
 * (a server's reset while the program still had ciphertext to move)
 * counts as its body the bytes written less those owed (a lower bound
 * of what went out, as below).  On a server's connection, a response
 * whose last plaintext byte is written while the socket has carried
 * fewer bytes than that is whole only once it has (the program
 * moves the ciphertext later, and a client that closed or reset first
 * never gets it): its record waits for the socket's writes; the
 * connection's end before them (a write that failed, a reset, the
 * program's close) reports it cut, with the response's bytes less those
 * still owed on the socket (a lower bound of what the socket carried:
 * every byte of ciphertext carries at most one of plaintext).  More
 * plaintext written meanwhile ends the wait (the response is taken as
 * whole, as before).  HTTP/2: each stream whose END_STREAM is written so
 * waits for its own mark, released in any order (conn_h2.c).  Only once
 * the socket carried a byte: a program whose writes the hooks do not see
 * (none counted) is never held.
 */
void conn_tls_made(conn *c, uint64_t n);

/* conn_tls_hello_wanted() - whether ciphertext written on @c is still
 * wanted by conn_tls_hello_out(): a client's connection a TLS hook claimed,
 * before its first request and its handshake's end, whose ClientHello has
 * not been read whole (nor found not to be one). */
static inline bool conn_tls_hello_wanted(const conn *c)
{
	return c->tls && !c->server && c->nreq == 0 && !c->t_tls_done &&
	       !c->tlsrec.out.hs_done && !c->tlsrec.bad;
}

/*
 * conn_tls_hello_out() - @len bytes @buf of ciphertext were written on @c,
 * whose plaintext a TLS hook follows, at @now (the bytes the write moved,
 * as conn_on_transport() counts them): while conn_tls_hello_wanted(), its
 * records are read (tlsrec.h) for the ClientHello, whose server name
 * names the connection when no DNS lookup did (conn_host_name()) and whose
 * first byte's time shows its handshake begun until the hook says when
 * (a hook reports it only after the handshake call returns: a call that
 * blocks would show nothing; one written inside a hooked call has the
 * call's start already, conn_tls_call_wrote()).  Otherwise nothing.
 */
void conn_tls_hello_out(conn *c, const uint8_t *buf, size_t len, uint64_t now);

/*
 * conn_tls_call_wrote() - @c's TLS session wrote ciphertext on it at @now
 * from inside a hooked TLS call begun at @t_call (0: none), while
 * conn_tls_hello_wanted(): its handshake began with that call, the start
 * its hook reports once the call returns (conn_tls_start(@t_call)).  Set
 * here, before the bytes go to conn_on_transport() and
 * conn_tls_hello_out(), so that the live slot shows from its first
 * handshake moment the start and connect the record will carry, never a
 * later one first (the ClientHello's first byte, or the connect proven by
 * that write, which the hook's start then moves earlier): the bytes prove
 * the connect, and both go to the slot in one write.  Nothing when the
 * start is known already or @t_call is 0.
 */
void conn_tls_call_wrote(conn *c, uint64_t t_call, uint64_t now);

/* conn_host_name() - the name @c was opened for: its DNS lookup's, else,
 * before its first request, the server name its TLS ClientHello asked
 * for (a hook's session, or TLS no hook decodes); "" when neither is
 * known.  NUL-terminated, in @c. */
const char *conn_host_name(const conn *c);

/* conn_on_write() - the program wrote @len bytes of request stream at @now.
 * conn_on_read() - the program read @len bytes of response stream at @now. */
void conn_on_write(conn *c, const uint8_t *buf, size_t len, uint64_t now);
void conn_on_read(conn *c, const uint8_t *buf, size_t len, uint64_t now);

/*
 * conn_on_unseen() - the program consumed @len bytes of response stream at
 * @now without reading them (recv with MSG_TRUNC on a stream socket: the
 * kernel drops them, the buffer is left as it was).  Counted; inside an
 * HTTP/1.x body whose extent is known (Content-Length, chunk data) or that
 * runs to close, or inside an HTTP/2 DATA frame's payload (body or
 * padding, up to the frame's end: h2_skip()), skipped as body bytes, the
 * response still followed (a gRPC call whose message prefix they hide ends
 * with HT_ERR_UNFOLLOWED, its connection still followed).
 * Otherwise the connection can no longer be followed: every request in
 * flight ends with HT_ERR_UNSEEN, and so does every later HTTP/1.x request
 * once written (responses are not parsed any more); HTTP/2 and anything
 * else stop being parsed, with a NOTE record saying so.
 */
void conn_on_unseen(conn *c, size_t len, uint64_t now);

/*
 * conn_on_write_unseen() - the program sent @len bytes of request stream
 * at @now that no hook saw (sendfile, splice: from a file or a pipe; a
 * client uploading a file, nginx passing a request body to its upstream).
 * Counted; inside an HTTP/1.x request body whose extent is known
 * (Content-Length, chunk data), taken as body bytes, the request still
 * followed.  Otherwise, its first bytes included (HTTP or not, nothing
 * says), its requests can no longer be framed: every request in flight
 * ends with HT_ERR_UNFOLLOWED (a WebSocket session as lost), a note says
 * the connection is not followed from there on, and nothing more of it
 * is parsed (never a later request's head taken for body, or lost with
 * no word).
 */
void conn_on_write_unseen(conn *c, size_t len, uint64_t now);

/* conn_on_unheld() - as conn_on_unseen(), for @len bytes read while a
 * write was in flight that conn_hold() had no room to keep: where they
 * cannot be skipped, the requests end with HT_ERR_UNFOLLOWED and a note
 * that says why. */
void conn_on_unheld(conn *c, size_t len, uint64_t now);

/*
 * conn_give_up() - bytes of the connection went by that its state machine
 * could not see (@why says how, for the summary's note): every request in
 * flight ends with @error (an HT_ERR_*), and the connection is not followed
 * from there on, as conn_on_unseen() does when it cannot skip.
 */
void conn_give_up(conn *c, unsigned error, const char *why, uint64_t now);

/* conn_on_eof() - a read returned 0: the peer closed its side at @now. */
void conn_on_eof(conn *c, uint64_t now);

/* conn_on_reset() - the socket failed (ECONNRESET, EPIPE...) at @now: every
 * request in flight is emitted with HT_ERR_RESET. */
void conn_on_reset(conn *c, uint64_t now);

/* conn_close() - the program closed the connection at @now: held events
 * are fed (conn_release_held()), requests still in flight are emitted with
 * an error (HT_ERR_INTERRUPTED, with the phase each was in, when c->intr
 * says a signal interrupted the program's last call on it: it closes the
 * connection because of the signal), then HT_REC_CONN_CLOSE.  A server's
 * requests read behind an answered request that asked to close end with
 * HT_ERR_AFTER_CLOSE (conn_server_ends()).  @c may be reused with conn_init()
 * afterwards. */
void conn_close(conn *c, uint64_t now);

/*
 * conn_close_wants_stream_end() - the program is closing @c (before
 * conn_close()): held events are fed (conn_release_held()), then whether
 * @c is a plaintext TCP client connection, followed as HTTP/1.x, in the
 * middle of a response whose body runs until the server closes (no
 * length, not chunked), with no EOF read.  Then the close would cut that
 * response short unless the server's stream already ended at the last
 * byte read: the kernel says (TCP_INFO's state, SIOCINQ's unread bytes),
 * for conn_close_stream_end().  False for anything else (keep-alive, a
 * length, TLS, a Unix socket): nothing to ask.
 */
bool conn_close_wants_stream_end(conn *c);

/*
 * conn_stream_ended_whole() - from the kernel's word at a client's close:
 * the socket's TCP state @tcp_state (TCP_INFO's tcpi_state, netinet/tcp.h)
 * and @unread, the bytes received and not read (SIOCINQ, FIN not
 * counted): whether the peer's stream ended at the last byte the program
 * read.  True only when its FIN arrived (CLOSE_WAIT; LAST_ACK or CLOSING
 * after the program's own shutdown) and no byte is left unread.
 */
bool conn_stream_ended_whole(int tcp_state, long unread);

/*
 * conn_close_stream_end() - after conn_close_wants_stream_end() said yes,
 * the kernel gave @tcp_state and @unread (conn_stream_ended_whole()) and
 * @received, the data bytes its socket took in (TCP_INFO's
 * tcpi_bytes_received, the peer's FIN counted as one; UINT64_MAX where
 * the kernel does not say): when the stream ended whole and every byte
 * received was read in this process's hooks (@received is c->bytes_in and
 * the FIN: no forked child or unseen call read some), the response ends complete at the last read (c->t_in_last), as
 * if the EOF had been read then (conn_on_eof()); else nothing changes and
 * conn_close() cuts it as before.
 */
void conn_close_stream_end(conn *c, int tcp_state, long unread,
			   uint64_t received);

/* conn_nothing_written_seen() - whether @c is a plaintext client
 * connection on which no write was seen and the server's first bytes said
 * nothing (no note made): then bytes the kernel sent on it went out by
 * writes no hook sees (conn_writes_unseen()). */
bool conn_nothing_written_seen(const conn *c);

/* conn_writes_unseen() - the kernel sent bytes on @c (asked by the caller,
 * conn_nothing_written_seen() true) that no hook saw: a note says its
 * requests were not followed, so that they are counted, never lost
 * silently (bash's printf to a /dev/tcp fd: stdio writes inside libc). */
void conn_writes_unseen(conn *c);

/* conn_stdio_opened() - the program opened a stdio FILE on @c's fd
 * (fdopen): what goes through it (libc's own reads, writes and close) no
 * hook sees.  What the hooks see is still followed; at @c's end (its
 * close, the program's exit, its fd found reused) the requests still in
 * flight end as not followed (HT_ERR_UNFOLLOWED), never "exited" or
 * "closed", and a note says what may have gone by unseen (not for TLS:
 * stdio does not carry its plaintext).  conn_stdio_end() is that end, for
 * a connection forgotten without a close (on probation). */
void conn_stdio_opened(conn *c);
void conn_stdio_end(conn *c, uint64_t now);
/* conn_stdio_why() - the note's text, a server's (@server) or a client's. */
const char *conn_stdio_why(bool server);

/* conn_on_exit() - the process is exiting (exit() ran the library's
 * destructor) with requests in flight at @now: each ends with
 * HT_ERR_EXITED and the phase it was in; conn_close() follows as usual. */
void conn_on_exit(conn *c, uint64_t now);

/* conn_live_adopt() - the live page appeared after @c's requests in
 * flight began (a server's first request: the library connects to the
 * collector once its bytes said HTTP): each HTTP/1.x request and HTTP/2
 * stream whose headers are known and that has no slot takes one now (a
 * server's write mark with it), so that an end of the process before its
 * record still reports it.  Requests that have a slot are left alone. */
void conn_live_adopt(conn *c);

/* conn_in_flight() - whether @c, followed as HTTP, has a request in flight:
 * being written, or written and not wholly answered (an untracked one
 * included), or a response being read. */
bool conn_in_flight(const conn *c);

/* conn_h1_in_flight() - conn_in_flight() for @c followed as HTTP/1.x,
 * whatever its mode says: reads @c's own fields and no memory they point
 * to (HTTP/2's streams are behind a pointer), so that a caller may look
 * without the lock while another thread may change @c (and free what it
 * points to): the answer is then one of a moment's, or a mix. */
bool conn_h1_in_flight(const conn *c);

/*
 * What the kernel says of a TCP socket at one moment: SIOCINQ (@unread:
 * bytes received and not read, the peer's FIN not counted), SIOCOUTQ
 * (@unsent: bytes written and not acknowledged, our FIN as one), and
 * TCP_INFO (@state, tcpi_state; @received, tcpi_bytes_received: data in,
 * the peer's FIN as one; @acked, tcpi_bytes_acked: data out acknowledged,
 * a client's SYN as one, our FIN as one), the queues asked between two
 * TCP_INFO calls (the hooks, tcp_counts()): @received and @acked are the
 * second's, @arrived and @acks how much they grew since the first (0: the
 * counts did not move), @state_moved: the two states differ.  When
 * nothing moved, received - unread is exactly what the socket's readers
 * took and acked + unsent what its writers gave; else each is known
 * within a range (conn_tcp_counts_verdict()).  (tcpi_bytes_sent counts
 * retransmissions: not used.)
 */
typedef struct conn_tcp_counts {
	int state;
	uint64_t received, acked;
	long unread, unsent;
	uint64_t arrived, acks;
	bool state_moved;
} conn_tcp_counts;

typedef enum conn_counts_verdict {
	CONN_COUNTS_MINE,    /* proven: no other process moved a byte */
	CONN_COUNTS_FOREIGN, /* proven otherwise, or the state cannot say */
	CONN_COUNTS_MOVING,  /* bytes or acknowledgements arrived while the
	                        kernel was asked: undecided */
} conn_counts_verdict;

/*
 * conn_tcp_counts_verdict() - conn_tcp_counts_mine() for counts that may
 * have moved while asked.  The queues are asked after the first TCP_INFO
 * and before the second, and the kernel's counts only grow: what the
 * readers took (copied) at the SIOCINQ call lies between first.received -
 * unread and second.received - unread (received grew between, copied did
 * not shrink), and is at least this process's reads; so with the upper
 * bound equal to ours no other process had read (MINE), with the lower
 * one above ours one had (FOREIGN), else MOVING; the same for acked +
 * unsent (SIOCOUTQ between the two).  A state that moved (a FIN between)
 * says nothing sure of the FINs: MOVING.
 */
conn_counts_verdict conn_tcp_counts_verdict(const conn *c,
					    const conn_tcp_counts *k, bool out,
					    uint64_t n);

/*
 * conn_tcp_counts_mine() - whether every byte the readers of @c's socket
 * took from it (@k: received - unread) was read by this process's hooks
 * (and its parents' before the fork that made it, conn_reset_after_fork()),
 * and every byte its writers gave (acked + unsent) was written by them,
 * counting @n more for the call that just moved them (@out: a write,
 * else a read) and read events held (conn_hold()).  False when the state
 * cannot say (a handshake, CLOSE: after a reset or with both sides shut).
 * The kernel counts every process's calls and those of this process's
 * threads whose hooks have not fed them yet: each only adds, so equality
 * proves that no other process moved a byte (a read of ours in flight
 * makes it unequal: the caller gives up, erring on the safe side).
 */
bool conn_tcp_counts_mine(const conn *c, const conn_tcp_counts *k, bool out,
			  uint64_t n);

/*
 * conn_fork_shared() - in the parent, after a fork at @now: when @c had a
 * request in flight, the connection is shared with the child.  With @k
 * (the kernel's counts, asked after the fork; NULL: a Unix socket, or the
 * kernel did not say) that conn_tcp_counts_verdict() proves MINE, or
 * any counts on a plain (no TLS hook) HTTP/1.x connection (unproven yet),
 * the parent follows on, proving at each call that could pair
 * (conn_shared_check()); else neither process can
 * know which of them reads which response: every request in flight ends
 * with HT_ERR_SHARED (counted as not followed, never paired), and so does
 * each later HTTP/1.x request; an HTTP/2 connection is given up with a
 * note.  A connection idle at fork is left alone (the child follows it as
 * reused: conn_reset_after_fork()).
 */
void conn_fork_shared(conn *c, uint64_t now, const conn_tcp_counts *k,
		      bool writing);

/*
 * conn_shared_check() - a call on @c, shared by a fork (c->fork_shared),
 * moved @n bytes (@out: written) or saw the stream's end or an error, not
 * fed yet; @k: the kernel's counts asked after it (NULL: not known).
 * Unless conn_tcp_counts_verdict() proves that only this process moved
 * bytes on it, it is given up as conn_fork_shared() does, before the
 * call's bytes can pair anything; undecided (MOVING) is let through only
 * for a call conn_shared_unasked() lets through.  Nothing for a
 * connection not so shared.
 */
void conn_shared_check(conn *c, const conn_tcp_counts *k, bool out,
		       uint64_t n, uint64_t now);

/* conn_shared_unasked() - whether a call on @c (shared by a fork) that
 * read @n bytes (!@out) can go unproven: a client's HTTP/1.x read whose
 * bytes are all inside a response body of known extent, none ending it,
 * none held, can pair nothing; the read that ends the response is asked,
 * and its proof covers every byte before it (the counts only grow). */
bool conn_shared_unasked(const conn *c, bool out, uint64_t n);

/* conn_shared_settle() - after a call on @c was fed: with nothing in
 * flight any more, a connection shared by a fork is followed as one idle
 * at the fork is (c->fork_shared cleared: no more questions). */
void conn_shared_settle(conn *c);

/* conn_reset_after_fork() - in a forked child: forget requests in flight
 * and held events (they are the parent's), keep the connection so the child's own use of it
 * is traced as requests on a reused connection. */
void conn_reset_after_fork(conn *c, uint32_t pid, bool writing);

/* conn_live_conn_take() - @c, just made by conn_init() with no peer (so
 * with no slot), then given its peer, is the connection whose slot @ref
 * of @l its connect claimed before the call (ht_live_conn_connecting()):
 * the slot is @c's from now on, showing what @c knows. */
void conn_live_conn_take(conn *c, struct ht_live *l, unsigned ref);

/* conn_fork_in_open() - in a child forked (by a signal handler) while
 * @c's connect was being followed: the attempt is the parent's, which
 * reports it; the child lets go of the connection slot @c claimed (in its
 * own page, or in the private copy the child has of the parent's), so
 * that the child's end shows nothing of it. */
void conn_fork_in_open(conn *c);

/*
 * Reads and writes on two threads.  A program may write a connection on
 * one thread and read it on another: the response to a request can then be
 * read, and reach the hooks, before the writing thread's hook has fed the
 * request (the kernel sent it, the hook has not returned).  While a write
 * is in flight, the hooks hold the read side's events back with
 * conn_hold(), and release them, in order and with their own times, once
 * the writes are fed: conn_release_held().  Every other read-side event
 * goes through conn_in(), which releases what is held first.
 */
typedef enum conn_in_kind {
	CONN_IN_READ,    /* @len bytes of response stream read: conn_on_read() */
	CONN_IN_UNSEEN,  /* @len bytes consumed unread: conn_on_unseen() */
	CONN_IN_UNHELD,  /* @len bytes read the hold had no room for:
	                    conn_on_unheld() */
	CONN_IN_EOF,     /* the peer closed its side: conn_on_eof() */
	CONN_IN_RESET,   /* the socket failed: conn_on_reset() */
} conn_in_kind;

/*
 * conn_hold() - the read-side event @kind (@buf/@len as the conn_on_*()
 * function it stands for takes them) happened at @now, but must wait for
 * a write in flight: keep it, after what is already held.  Bytes are
 * copied while they fit in CONN_HOLD_MAX; beyond, they are kept as a count
 * and released as conn_on_unseen() (a body of known extent is still
 * followed; anything else ends the requests in flight with HT_ERR_UNSEEN,
 * never a response paired with the wrong request).  Memory comes from the
 * environment's alloc on first use; without it, or when not even an
 * event's header fits, the connection is given up on at release as with
 * unseen bytes.  Bytes held complete the connect at @now.  A connection
 * that no longer parses anything (opaque, dead) holds nothing: the event
 * is fed at once.
 */
void conn_hold(conn *c, conn_in_kind kind, const uint8_t *buf, size_t len,
	       uint64_t now);

/* conn_in() - the read-side event @kind happened at @now, in order with
 * the writes fed so far: release what is held, then feed it. */
void conn_in(conn *c, conn_in_kind kind, const uint8_t *buf, size_t len,
	     uint64_t now);

/* conn_release_held() - feed every held event, in order, at the time it
 * happened; nothing is held afterwards. */
void conn_release_held(conn *c);

/* conn_holding() - whether events are held. */
static inline bool conn_holding(const conn *c)
{
	return c->hold_len != 0 || c->hold_lost;
}

/* conn_forget() - @c is dropped without conn_close() (nothing of it was
 * ever followed): release its memory, emit nothing. */
void conn_forget(conn *c);

/* conn_wants_bytes() - whether reads and writes still need their bytes
 * parsed (false once opaque or dead: the hooks may skip the work). */
bool conn_wants_bytes(const conn *c);

#endif
