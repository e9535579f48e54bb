/*
 * conn_server.h - a connection the traced program accepted: the server's
 * side of each request's lifecycle.
 *
 * A server connection is a conn (conn.h) read the other way round: the
 * bytes the server reads are the requests, parsed as conn_on_write()
 * parses a client's, and the bytes it writes the responses, parsed as
 * conn_on_read() parses a client's.  Everything the client's state
 * machine follows (pipelining, HEAD and 1xx framing, keep-alive reuse and
 * idle time, h2c, HTTP/2 streams) holds as it is; records carry
 * HT_RF_SERVER and their timestamps mean what wire.h says for a server:
 *   accepted            CONNECT_START = CONNECT_DONE (first request)
 *   request begun       GOT_CONN: first request byte read
 *   headers read        WROTE_HEADERS
 *   request read        WROTE_REQUEST (body included)
 *   first byte written  FIRST_BYTE (processing: request read to here)
 *   response done       RESPONSE_DONE: last byte written, bytes moved by
 *                       sendfile/splice included (conn_server_sent())
 *   idle before it      IDLE_SINCE, with HT_RF_WAS_IDLE; req_seq counts the
 *                       connection's requests.
 *
 * Probation: an accepted socket may carry anything.  Until its first bytes
 * read say HTTP (conn_server_probe()), the hooks keep it on probation and
 * forget it, with no record, when they do not: a non-HTTP server pays one
 * probe per connection.
 *
 * Reads never wait for writes here (no conn_hold()): a server reads a
 * request before it writes its response, in the same thread or after a
 * hand-off that follows the read's return; a request read while the
 * previous response's write is still being fed is queued behind it, as a
 * pipelined request is.
 *
 * Pure, as conn.h.
 */
#ifndef HT_CONN_SERVER_H
#define HT_CONN_SERVER_H

#include "conn.h"

/* conn_server_init() - start following a connection accepted from @peer
 * at @now (the accept's return).  As conn_init() otherwise: it ends with
 * conn_close(), or conn_forget() while nothing of it was followed. */
void conn_server_init(conn *c, const conn_env *env, uint32_t pid, uint32_t id,
		      const ht_addr *peer, uint64_t now);

/* What a connection on probation showed. */
typedef enum conn_probe {
	CONN_PROBE_HTTP,  /* HTTP: follow it */
	CONN_PROBE_WAIT,  /* cannot tell yet: feed the bytes, ask again */
	CONN_PROBE_NOT,   /* not HTTP: forget it */
} conn_probe;

/*
 * conn_server_probe() - @c, on probation, moved @len bytes of @buf, read
 * (@read) or written; asked before they are fed.  Read first: HTTP when
 * they begin an HTTP/1.x request line of the usual shape (an upper-case
 * method, SP, a target begun: conn_looks_like_http()) or the HTTP/2
 * client preface; WAIT while they may still become RFC 9112's request
 * line (a method token, lower-case included, not yet followed by SP; any
 * other token method until its line is whole: token SP target SP
 * "HTTP/" DIGIT "." DIGIT CRLF); NOT otherwise.  Read after bytes that
 * left it open (conn_server_probe_fed()): WAIT.  Written while those
 * bytes were not a request line yet (an echo), or zero bytes read (the
 * peer closed): NOT, they were no request.  Written before any read:
 * only the start of an HTTP/2 server preface (a prior-knowledge server's
 * SETTINGS) may wait for the client's; anything else (a banner: SMTP,
 * FTP, SSH) is not HTTP.
 */
conn_probe conn_server_probe(const conn *c, bool read, const uint8_t *buf,
			     size_t len);

/*
 * conn_server_probe_fed() - @c, on probation, was fed the bytes its last
 * conn_server_probe() let through: HTTP once they hold a whole request
 * line (or a method of the usual shape, its SP and a target begun, as
 * conn_server_probe() says of one read), or the HTTP/2 client preface;
 * NOT when the connection turned out to speak something else (the line
 * failed with no HTTP method: conn.c's never_http(); or a line not of
 * RFC 9112's shape); WAIT while more may still complete the line.
 */
conn_probe conn_server_probe_fed(const conn *c);

/* conn_server_read_call() - the server's read call returned @len bytes
 * of request stream (once per call, before its buffers go to
 * conn_server_read()): a read after its answer to a request that asked
 * to close (conn.h srv_asked_close).
 * conn_server_read() - the server read @len bytes of request stream at
 * @now.  conn_server_write() - it wrote @len bytes of response stream. */
void conn_server_read_call(conn *c, size_t len);
void conn_server_read(conn *c, const uint8_t *buf, size_t len, uint64_t now);
void conn_server_write(conn *c, const uint8_t *buf, size_t len, uint64_t now);

/*
 * conn_server_sent() - the server sent @len response bytes at @now that
 * the hooks cannot see (sendfile, splice: from a file or a pipe).  Taken
 * as body bytes of the response under way when its extent is known
 * (Content-Length, chunk data) or runs to close, and over HTTP/2 as the
 * payload of the DATA frame whose header the server wrote (nginx writes
 * each frame's header, then sendfiles its body: a sendfile never spans
 * two frames, the next header being in memory), as conn_on_unseen()
 * does; anywhere else every request in flight ends with
 * HT_ERR_UNFOLLOWED and the connection is not followed from there on.
 */
void conn_server_sent(conn *c, size_t len, uint64_t now);

/* conn_server_tls_undecoded() - @c, an accepted connection whose first
 * read at @t_hello was a ClientHello (conn_mark_tls()'d for a hooked
 * session to take), will get no session's plaintext (the session cannot
 * be tied to it): its records are followed from here on, as a client's
 * TLS no hook decoded is (conn.h), and its close says so
 * (HT_CF_TLS_UNDECODED): counted, never a clean connection with no
 * request. */
void conn_server_tls_undecoded(conn *c, uint64_t t_hello);

/* conn_server_read_unseen() - the server consumed @len request bytes at
 * @now without reading them (MSG_TRUNC): the requests can no longer be
 * framed; every request in flight ends with HT_ERR_UNSEEN and nothing
 * more is followed. */
void conn_server_read_unseen(conn *c, size_t len, uint64_t now);

/* conn_server_eof() - a read returned 0 at @now: the client will send no
 * more requests.  The requests already read can still be answered: they
 * end when the server closes (conn_close()).  A request whose head was
 * being read is cut there (HT_ERR_HEAD_CUT): what was read of it is kept
 * (request line, Host, header bytes), with the response the server may
 * write anyway. */
void conn_server_eof(conn *c, uint64_t now);

/*
 * conn_server_shut() - the server shut its writing side (shutdown(2)
 * SHUT_WR) at @now: a response body that runs to close ends there (one
 * cut short is truncated), the request it may still be answering ends at
 * the close, and what it reads from now on (a lingering close: nginx
 * drains the client's bytes before closing) is no request it serves, nor
 * are the requests read behind that one: no record, a note says so.
 * (A response that closes the connection, Connection: close or HTTP/1.0
 * without keep-alive, does the same once written whole.)  When its last
 * answer went to a request that itself asked to close, the requests
 * read behind it, the one it may still be reading too, end with
 * HT_ERR_AFTER_CLOSE (conn_server_ends()).
 */
void conn_server_shut(conn *c, uint64_t now);

#endif
