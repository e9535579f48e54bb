/*
 * ioplan.h - what a socket I/O hook does with one call's outcome on a
 * tracked fd: the decisions of preload/hook_io.c, pure, so that they are
 * tested alone (tests/unit/check_ioplan.c).  The hook gathers what it knows
 * (the call's result, the thread's TLS call, the connection's flags), asks
 * here, and performs what it is told, in three steps taken in this order
 * under the slot's lock:
 *
 *  1. ioplan_probe(): a Unix socket on probation (its first bytes decide
 *     whether it carries HTTP);
 *  2. ioplan_tls(): whether the socket belongs to a TLS session;
 *  3. ioplan_feed(): what reaches the connection's state machine, and
 *     whether the connection ends.
 *
 * Each step reads the connection's flags as the step before left them.
 */
#ifndef HT_IOPLAN_H
#define HT_IOPLAN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One real call on a tracked fd, as the hook saw it. */
typedef struct ioplan_call {
	long ret;       /* what the real call returned */
	int err;        /* its errno (looked at only when ret < 0) */
	bool out;       /* a write (else a read) */
	bool unseen;    /* read bytes went by unread (MSG_TRUNC) */
	bool asked;     /* the call asked for at least one byte */
	bool hold;      /* a read while a write on the fd is in flight */
	bool in_tls;    /* made inside a TLS library's call (ht_tls_call) */
	bool adoptable; /* a session may wait for its socket (ht_tls_adoptable) */
	/* The bytes of the first buffer the call moved (the buffer holds
	 * them): first_len 0 when none. */
	const uint8_t *first;
	size_t first_len;
} ioplan_call;

/* What becomes of a Unix socket on probation. */
typedef enum ioplan_probe {
	IOPLAN_PROBE_WAIT,   /* nothing moved yet: leave it as it is */
	IOPLAN_PROBE_GO_ON,  /* not decided now (its reply, held for the
			      * write): follow the call as any other */
	IOPLAN_PROBE_HTTP,   /* it carries HTTP: on probation no more, the
			      * collector is wanted; follow the call */
	IOPLAN_PROBE_TLS,    /* its first bytes are a TLS ClientHello:
			      * follow the call, still on probation.  Once
			      * the TLS step has run, a connection marked
			      * TLS (a hooked session's) waits for its first
			      * plaintext to decide (ioplan_probe_plain());
			      * any other carries TLS no hook decodes: on
			      * probation no more, the collector is wanted
			      * (its close says what the records showed) */
	IOPLAN_PROBE_FORGET, /* anything else: forget it (conn_forget), no
			      * record, nothing more of this call */
} ioplan_probe;

/* ioplan_probe_decide() - the call @k on a socket on probation; @tls: the
 * socket is already marked a TLS session's (its plaintext decides, so every
 * call on it is followed until then). */
ioplan_probe ioplan_probe_decide(const ioplan_call *k, bool tls);

/* ioplan_probe_plain() - the first plaintext a TLS session moved on a
 * client socket on probation (ioplan_probe_decide() said
 * IOPLAN_PROBE_TLS): @n bytes at @buf, written by the program (@out) or
 * read (@n 0: the end of the stream); @h2: the handshake chose ALPN "h2".
 * IOPLAN_PROBE_WAIT (an empty write), IOPLAN_PROBE_HTTP (an HTTP/1.x
 * request line or the HTTP/2 preface; with @h2, bytes read too: the
 * server's SETTINGS may come before the client's preface) or
 * IOPLAN_PROBE_FORGET (anything else, the peer speaking first, an end). */
ioplan_probe ioplan_probe_plain(bool out, const uint8_t *buf, size_t n,
				bool h2);

/* How the socket relates to TLS. */
typedef enum ioplan_tls {
	IOPLAN_TLS_NONE,  /* nothing to do */
	IOPLAN_TLS_MARK,  /* the TLS call's socket: mark the connection TLS
			   * (conn_mark_tls) and give the call its fd */
	IOPLAN_TLS_ADOPT, /* may be an orphan session's ClientHello: try
			   * ht_tls_adopt() with the first buffer's bytes */
} ioplan_tls;

/* ioplan_tls_decide() - the TLS step for the call @k on a followed
 * connection.  Inline, as ioplan_feed_decide(): every traced call takes
 * both. */
static inline ioplan_tls ioplan_tls_decide(const ioplan_call *k)
{
	/* A TLS library moving ciphertext for a session: this is its
	 * socket. */
	if (k->in_tls)
		return IOPLAN_TLS_MARK;
	if (k->adoptable && k->out && k->first_len > 0)
		return IOPLAN_TLS_ADOPT;
	return IOPLAN_TLS_NONE;
}

/* What reaches the connection. */
typedef enum ioplan_feed {
	IOPLAN_FEED_NONE,
	IOPLAN_FEED_TRANSPORT, /* TLS: only how many bytes moved
				* (conn_on_transport); plaintext comes from
				* the TLS hooks */
	IOPLAN_FEED_UNSEEN,    /* ret bytes read went by unread (CONN_IN_UNSEEN) */
	IOPLAN_FEED_BYTES,     /* the ret bytes in the buffers */
	IOPLAN_FEED_EOF,       /* a read saw the end of the stream */
} ioplan_feed;

/* Whether the connection ends with this call. */
typedef enum ioplan_end {
	IOPLAN_END_NONE,
	IOPLAN_END_CONNECT_FAILED, /* a non-blocking connect failed, seen on
				    * first I/O: conn_connect_failed(), then
				    * the connection is no longer tracked */
	IOPLAN_END_RESET,          /* the connection is unusable
				    * (CONN_IN_RESET) */
} ioplan_end;

typedef struct ioplan {
	ioplan_feed feed;
	/* With IOPLAN_FEED_EOF: the connection is first proven connected. */
	bool connect_first;
	ioplan_end end;
	/* Read events (bytes, unseen, EOF, reset) are held (conn_hold()):
	 * a write is in flight. */
	bool hold;
} ioplan;

/* ioplan_fatal() - whether errno @err, from a socket call, leaves the
 * connection unusable. */
static inline bool ioplan_fatal(int err)
{
	return err == ECONNRESET || err == EPIPE || err == ETIMEDOUT ||
	       err == ECONNABORTED || err == EHOSTUNREACH || err == ENETUNREACH;
}

/* ioplan_feed_decide() - what the call @k does to a followed connection
 * whose flags, after the TLS step, are @tls, @connected and @failed. */
static inline ioplan ioplan_feed_decide(const ioplan_call *k, bool tls,
					bool connected, bool failed)
{
	ioplan p = {.hold = k->hold};
	if (tls) {
		if (k->ret > 0)
			p.feed = IOPLAN_FEED_TRANSPORT;
	} else if (k->ret > 0) {
		p.feed = k->unseen ? IOPLAN_FEED_UNSEEN : IOPLAN_FEED_BYTES;
	} else if (k->ret == 0 && !k->out && k->asked) {
		p.feed = IOPLAN_FEED_EOF;
		p.connect_first = !connected && !failed;
	}
	if (k->ret < 0 && !connected && !failed &&
	    (k->err == ECONNREFUSED || ioplan_fatal(k->err)))
		p.end = IOPLAN_END_CONNECT_FAILED;
	else if (k->ret < 0 && ioplan_fatal(k->err))
		p.end = IOPLAN_END_RESET;
	return p;
}

#endif
