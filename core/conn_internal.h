/*
 * conn_internal.h - what conn.c (HTTP/1.x and the shared parts),
 * conn_emit.c (a request's record), conn_resp.c (the HTTP/1.x response
 * side), conn_open.c (connect, TLS, tunnels), conn_end.c (close, exit,
 * fork) and conn_h2.c (HTTP/2 streams) share.  Not for the hooks.
 */
#ifndef HT_CONN_INTERNAL_H
#define HT_CONN_INTERNAL_H

#include "conn.h"

#include <string.h>

/* The response side of a request record, wherever it was kept. */
typedef struct conn_resp {
	uint16_t status;
	uint8_t proto;           /* enum ht_proto, 0: the request's */
	/* reason and content type, each with its length (measured where
	 * it was written: no strnlen() per record); NULL: none */
	const char *reason;
	uint8_t reason_len;
	const char *content_type;
	uint8_t content_type_len;
	const char *hdrs;
	uint32_t hdrs_len;
	bool hdrs_truncated;
	uint64_t body_bytes;
	uint32_t header_bytes;
	bool body_by_close;
	bool keep_alive;
} conn_resp;

/* conn_request_begin() - fill @r for a new request on @c starting at @now:
 * sequence number, reuse and idle flags, and the connection's moments when
 * it is the first.  @idle: nothing else is in flight. */
void conn_request_begin(conn *c, conn_request *r, bool idle, uint64_t now);

/* conn_request_headers() - the request's header section is written at
 * @now: record what it says (strings are copied, truncated to fit; each of
 * @method, @target, @host is NUL-terminated, of length @mlen, @tlen,
 * @hlen: its strlen(), or less to cut it there).  With
 * @opt->redact_query (@opt may be NULL) the target and host lose their
 * credentials (urlscrub.h): a CONNECT target as an authority; a target
 * that grows past its buffer is flagged HT_RF_TARGET_TRUNC. */
void conn_request_headers(conn_request *r, const h1_options *opt,
			  uint64_t now, const char *method, size_t mlen,
			  const char *target, size_t tlen,
			  bool target_truncated, const char *host, size_t hlen,
			  const char *hdrs, uint32_t hdrs_len,
			  bool hdrs_truncated, uint32_t header_bytes);

/* conn_request_names() - @r's method, target and host (copied, truncated
 * to fit; @target_truncated: flagged HT_RF_TARGET_TRUNC), their
 * credentials scrubbed as conn_request_headers() says. */
void conn_request_names(conn_request *r, const h1_options *opt,
			const char *method, const char *target,
			bool target_truncated, const char *host);

/* conn_thread_served() - server request @r was read whole on the calling
 * thread: it takes the thread's next number, and, when @open, counts as
 * open on it until conn_emit_request() on the same thread. */
void conn_thread_served(conn *c, conn_request *r, bool open);

/* conn_emit_request() - emit @r's record with @error; @resp may be NULL
 * (no response).  RESPONSE_DONE defaults to @now. */
void conn_emit_request(conn *c, conn_request *r, unsigned error,
		       const conn_resp *resp, uint64_t now);

/* conn_emit_request_grpc() - as conn_emit_request(), the record carrying
 * @grpc (a gRPC call's fields; NULL: none) when @r has HT_RF_GRPC. */
void conn_emit_request_grpc(conn *c, conn_request *r, unsigned error,
			    const conn_resp *resp, const ht_grpc *grpc,
			    uint64_t now);

/* Shared by conn.c, conn_open.c and conn_end.c: small helpers on the
 * per-request path, inline as they were within conn.c. */

#define copy_cstr conn_copy_cstr

/* @s as a record string of at most @cap bytes.  Most of a request
 * record's strings are empty (no DNS name, TLS version, ALPN, Unix path or
 * tunnel on a plain connection): those cost no strnlen() call. */
static inline ht_str bounded(const char *s, size_t cap)
{
	ht_str r = {s, (uint16_t)(cap > 0 && s[0] != '\0' ? strnlen(s, cap) : 0)};
	return r;
}

/* A string in one of our fixed NUL-terminated arrays. */
#define CSTR(arr) bounded((arr), sizeof(arr))

/* Hand a record to the sink. */
static inline void emit(conn *c, const ht_record *rec)
{
	if (c->env->sink)
		c->env->sink(c->env->sink_ctx, rec);
}

static inline unsigned q_cap(const conn *c)
{
	return c->q_big ? CONN_PIPELINE_MAX : CONN_PIPELINE;
}

/* Both capacities are powers of two: a position wraps with a mask, not a
 * division (one per queue access, several per request). */
_Static_assert((CONN_PIPELINE & (CONN_PIPELINE - 1)) == 0 &&
	       (CONN_PIPELINE_MAX & (CONN_PIPELINE_MAX - 1)) == 0,
	       "queue capacities are powers of two");

static inline conn_request *q_at(conn *c, unsigned i)
{
	/* one test of q_big for the base and the mask both (each its own
	 * select cost more: several accesses a request) */
	if (__builtin_expect(c->q_big == NULL, 1))
		return &c->q[(c->q_head + i) & (CONN_PIPELINE - 1)];
	return &c->q_big[(c->q_head + i) & (CONN_PIPELINE_MAX - 1)];
}

static inline conn_request *q_oldest(conn *c)
{
	return c->q_len ? q_at(c, 0) : NULL;
}

/* The newest queued request (the one being written, unless it is
 * untracked), or NULL. */
static inline conn_request *q_newest(conn *c)
{
	return c->q_len ? q_at(c, c->q_len - 1) : NULL;
}

/* Drop the oldest queued request. */
static inline void q_pop(conn *c)
{
	c->q_head = (c->q_head + 1) & (q_cap(c) - 1);
	c->q_len--;
}

/* The queued request the response under way answers: the oldest, unless
 * responses to untracked requests come before its own (NULL then, when
 * nothing is queued, and when the oldest is answered already: an early
 * answer waiting for its request's end). */
static inline conn_request *q_answered(conn *c)
{
	conn_request *r = q_oldest(c);
	return r && r->skip == 0 && !r->answered ? r : NULL;
}

/* The HT_PROTO_* of HTTP/1.x message @m's version (a request's or a
 * response's). */
static inline uint8_t proto_of(const h1_message *m)
{
	if (m->version_major == 1 && m->version_minor == 0)
		return HT_PROTO_HTTP10;
	if (m->version_major == 1)
		return HT_PROTO_HTTP11;
	return HT_PROTO_UNKNOWN;
}

/* Whether request @r of @c is inside the connection's CONNECT or SOCKS
 * tunnel (the requests before it were the proxy's). */
static inline bool conn_in_tunnel(const conn *c, const conn_request *r)
{
	return c->tunnel[0] && r->seq > c->inner_base;
}

/* Whether HTTP/1.x responses are still parsed: not once bytes went by
 * unseen, nor after the queued requests were answered behind an untracked
 * response that cannot be framed. */
static inline bool h1_responses_followed(const conn *c)
{
	return !c->unseen && !(c->q_blind && c->q_len == 0);
}

/* Between conn.c, conn_resp.c, conn_open.c and conn_end.c (their names as
 * within conn.c; the symbols carry the conn_ prefix). */

#define fail_all conn_fail_all
#define emit_oldest conn_emit_oldest
#define on_response_complete conn_on_response_complete
#define on_request_complete conn_on_request_complete
#define tunnel_open conn_tunnel_open
#define socks_write conn_socks_write
#define socks_read conn_socks_read
#define thread_client conn_thread_client
#define thread_end conn_thread_end

/* on_request_complete() - the HTTP/1.x request parser completed the
 * request being written, at @now (conn.c). */
void on_request_complete(conn *c, uint64_t now);

/* emit_oldest() - emit the oldest request in flight, with the response
 * parser's message when @with_response, and drop it (conn_emit.c). */
void emit_oldest(conn *c, unsigned error, bool with_response, uint64_t now);

/* thread_client() - client request @r begins on the calling thread:
 * inside the server request open alone on it, if one is (conn_emit.c). */
void thread_client(conn *c, conn_request *r);

/* thread_end() - server request @r ends (its record is made, or it is
 * forgotten): no longer open on its thread, when it ends on that thread
 * (another thread cannot reach that one's count: it stays open)
 * (conn_emit.c). */
void thread_end(conn *c, conn_request *r);

/* conn_emit_early() - the request answered early (conn.h, answered)
 * ends at @now, with its response and the body bytes written so far: its
 * request was written whole, or will not be followed further (the
 * connection ended, more response bytes came).  Nothing when none waits
 * (conn_resp.c). */
void conn_emit_early(conn *c, uint64_t now);

/* Whether @len bytes of @buf, after @held bytes that began "HTTP/", go on
 * with it as far as they reach (true for a status line not decided yet:
 * fewer than 5 bytes in all). */
static inline bool status_line_start(size_t held, const uint8_t *buf,
				     size_t len)
{
	static const char proto[] = "HTTP/";
	size_t want = sizeof proto - 1 - held;

	if (held == 0 && len >= want) {
		/* the usual: a whole "HTTP/" to see, in two loads, no call */
		uint32_t four;

		memcpy(&four, buf, 4);
		return memcmp(&four, proto, 4) == 0 && buf[4] == '/';
	}
	return memcmp(buf, proto + held, len < want ? len : want) == 0;
}

/* conn_answer_09() - a server writes @len bytes of @buf at @now where the
 * response to request @r (the oldest, one it could not read) is due,
 * after @held bytes of this response that began "HTTP/": when they begin
 * no status line after all, an HTTP/0.9 answer (conn_resp.c). */
void conn_answer_09(conn *c, const conn_request *r, size_t held,
		    const uint8_t *buf, size_t len, uint64_t now);

/* conn_answer_09() when the request answered is one the server could not
 * read; inline: the usual answer, to a request read whole, costs a test
 * (each write of its head, twice). */
static inline void server_answer_09(conn *c, size_t held, const uint8_t *buf,
				    size_t len, uint64_t now)
{
	const conn_request *r = q_answered(c);

	if (r != NULL && r->req_error == HT_ERR_BAD_REQUEST)
		conn_answer_09(c, r, held, buf, len, now);
}

/* conn_wire_release() - the response waiting for the socket's writes
 * (conn_tls_made()) ends at @now: whole with HT_ERR_NONE (the socket
 * carried its ciphertext, its response done at @now; or, @taken, more
 * plaintext came: done when its own last byte was written), else cut
 * with @error at @now, its body bytes less the ciphertext still owed.
 * Nothing when none waits (conn_resp.c). */
void conn_wire_release(conn *c, unsigned error, bool taken, uint64_t now);

/* conn_wire_owed() - whether @c, a server's TLS connection, has carried
 * fewer bytes on its socket than its session made (conn_tls_made()),
 * having carried some. */
static inline bool conn_wire_owed(const conn *c)
{
	return c->server && c->tls && c->bytes_in > 0 &&
	       c->bytes_in < c->tls_made;
}

/* fail_all() - emit every request still in flight with @error: the
 * connection ended, was reset, or is no longer followed (conn_emit.c). */
void fail_all(conn *c, unsigned error, uint64_t now);

/* The HTTP/1.x response side (conn_resp.c), fed by conn_on_read(): the
 * functions below by their conn_ names (conn_h2.c has static ones of the
 * names they had within conn.c). */

/* conn_on_response_begin() - the response parser began a message at
 * @now: the first byte of the response to the request it answers (none:
 * an untracked request's), and the parser told whether that was a HEAD or
 * a CONNECT. */
void conn_on_response_begin(conn *c, uint64_t now);

/* conn_on_response_headers() - the response parser has a message's header
 * section at @now: an interim response counted, a final one's status and
 * header size shown live. */
void conn_on_response_headers(conn *c, uint64_t now);


/* on_response_complete() - the HTTP/1.x response parser completed a
 * message at @now: pair it with its request, or skip it. */
void on_response_complete(conn *c, uint64_t now);

/* conn_responses_lost() - the response parser failed at @now: the request
 * it answered ends as a malformed response, the connection is given up
 * (HT_ERR_DESYNC) for every other one. */
void conn_responses_lost(conn *c, uint64_t now);

/* conn_resp_live_body() - the response body bytes read so far go to the
 * live slot of the request being answered (none before its first byte). */
void conn_resp_live_body(conn *c);

/* tunnel_open() - the proxy granted a tunnel to @target at @now: from the
 * next byte on, the connection carries a new inner connection, read
 * afresh (conn_open.c). */
void tunnel_open(conn *c, const char *target, uint64_t now);

/* socks_write() - the client wrote SOCKS handshake bytes (conn_open.c). */
void socks_write(conn *c, const uint8_t *buf, size_t len);

/* socks_read() - the client read SOCKS handshake bytes; returns how many
 * belonged to the handshake (the rest, once the tunnel is up, is the
 * inner connection's) (conn_open.c). */
size_t socks_read(conn *c, const uint8_t *buf, size_t len, uint64_t now);

/* copy_cstr() - bounded copy of a NUL-terminated string (NULL: empty);
 * returns the length copied. */
size_t conn_copy_cstr(char *dst, size_t cap, const char *src);

/* conn_request_clamp() - a response to @r begins at @now: a write time of
 * @r later than that was taken late (its hook returned after the response
 * was read, conn_hold()); it is @now at the latest. */
void conn_request_clamp(conn_request *r, uint64_t now);

/* conn_queue_free() - release a grown request queue (nothing may be in
 * flight in it any more). */
void conn_queue_free(conn *c);

/* conn_note() - emit a NOTE record saying @why (NUL-terminated): the
 * summary's "not traced" line, once per process (conn_end.c). */
void conn_note(conn *c, const char *why);

/* conn_held_bytes() - the bytes of the read events @c holds (conn_hold():
 * read, unseen or unheld), not yet counted in c->bytes_in. */
uint64_t conn_held_bytes(const conn *c);

/* conn_hold_free() - release the memory of held events (conn_hold.c). */
void conn_hold_free(conn *c);

/* For conn_server.c: the oldest request whose response is under way (or
 * next), or NULL; conn_emit_answered() emits it with the response parser's
 * message and @error, and drops it; conn_skip_unseen() takes @len bytes of
 * the response stream that went by unseen as conn_on_unseen() does, giving
 * the connection up with @error and @why where they cannot be skipped. */
conn_request *conn_answered(conn *c);
void conn_emit_answered(conn *c, unsigned error, uint64_t now);
void conn_skip_unseen(conn *c, size_t len, uint64_t now, unsigned error,
		      const char *why);

/* conn_request_cut() - a server's request being read (the newest
 * queued, not all read) ends at the last byte read, as far as its bytes
 * went: its request line's parts read whole (h1_request_line_read()),
 * the Host and header lines read, the bytes read as its header size; its
 * record will say @error (HT_ERR_BAD_REQUEST: its parser failed at
 * @now; HT_ERR_HEAD_CUT: the client closed inside its head) with the
 * response the server writes anyway (conn.c). */
void conn_request_cut(conn *c, unsigned error, uint64_t now);

/* conn_http_method() - whether NUL-terminated @m is one of HTTP's methods
 * (RFC 9110 section 9, and PATCH), exactly and case-sensitively. */
bool conn_http_method(const char *m);

/* conn_never_http() - the request parser just failed: was @c (or the
 * inner connection of a tunnel) never HTTP?  Its first request failed
 * before its request line was whole with a method none of HTTP's
 * ("PING", "EHLO x"): another protocol, not a malformed request. */
bool conn_never_http(conn *c);

/* conn_forget_first() - forget @c's first request, which was none: no
 * record, not counted; its close says no requests. */
void conn_forget_first(conn *c);

/* conn_http_method_start() - whether @m, a method token not yet ended, is
 * the start of one of HTTP's ("GE" of GET; "" is none). */
bool conn_http_method_start(const char *m);

/* conn_http_method_n() - whether the @n bytes at @m (not NUL-terminated)
 * are one of HTTP's methods (RFC 9110's and PATCH), exactly. */
bool conn_http_method_n(const uint8_t *m, size_t n);

/* conn_drop_unformed() - @c's first request (of the connection, or of
 * the tunnel's inner one) is still in its method token, no SP after it,
 * that token is not the start of an HTTP method, and the peer answered
 * (not as HTTP: conn.c's read checks that), or the connection ended:
 * those bytes were no request line ("foo" echoed, one byte "M" then a
 * close), so no request at all: it is forgotten (no record, not counted,
 * as never_http() does with a line that failed) and the connection is not
 * followed further.  "GE" then a reset stays a request cut short.
 * Returns whether it was. */
bool conn_drop_unformed(conn *c, bool answered);

/* conn_request_head_cut() - a server's client closed at @now, or the
 * server began to answer: a request whose head it was reading is cut
 * there (conn_request_cut()), when its
 * request line was read whole or began with one of HTTP's methods (else,
 * maybe another protocol's, it is left as it was) (conn.c). */
void conn_request_head_cut(conn *c, uint64_t now);

/* conn_drop_unserved() - a server's requests queued from the @keep-th on
 * (0: the oldest) that have no response byte, and the one being read
 * untracked, are no requests it serves (conn.h srv_closing: it said it
 * closes, or shut its writing side): forgotten, no record, not
 * counted, a note saying so once (conn.c).  Not for a connection merely
 * closed or reset: the requests it read then are reported, each with its
 * error. */
void conn_drop_unserved(conn *c, unsigned keep);

/* conn_unserved_note() - a server read bytes it does not serve: a note
 * says so, once per connection (conn.c). */
void conn_unserved_note(conn *c);

/* conn_server_closes() - a server's final response that says it closes
 * the connection (h1_message.closes) was emitted: from now on what it reads is
 * no request it serves, and the requests read behind it are dropped
 * (conn_drop_unserved()) (conn_server.c). */
void conn_server_closes(conn *c);

/* conn_server_ends() - the server ends its connection at @now (closes it
 * or shuts its writing side; not a reset or the process's exit, which
 * keep their errors): when the last response it completed answered a
 * request that asked to close and it read nothing since (conn.h
 * srv_asked_close), the requests read behind it end with
 * HT_ERR_AFTER_CLOSE (sent after that request, not served: no server
 * error, nor dropped, as a server that began one and failed looks the
 * same) (conn_server.c). */
void conn_server_ends(conn *c, uint64_t now);

/* conn_server_closing() - conn_close() of a server connection at @now,
 * before the requests still in flight fail: a response body the close
 * delimits is complete (conn_server.c). */
void conn_server_closing(conn *c, uint64_t now);

/* Requests in flight shown in the image's live page (conn_live.c). */

/* conn_live_start() - @r's headers are written: claim a slot in the
 * current live page and fill it (@stream: its HTTP/2 stream id, 0 for
 * HTTP/1.x); none free: not shown, counted in the page's `unlisted`
 * until it ends or a later call (an adoption) finds it a slot.  A slot
 * @r holds already (its head shown in part, conn_live_head_part()) is
 * filled again. */
void conn_live_start(conn *c, conn_request *r, uint32_t stream);

/* conn_live_shared() - @c is shared with a forked process (c->fork_shared):
 * each of its requests that has a slot is marked so (HT_RF_SHARED; a
 * request that takes one later is marked by conn_live_start()). */
void conn_live_shared(conn *c);

/* conn_live_adopt_req() - conn_live_start() for @r, begun before the
 * current page or without a free slot: once it has a slot, the page that
 * counted it unlisted (if one did) no longer does. */
void conn_live_adopt_req(conn *c, conn_request *r, uint32_t stream);

/* conn_live_head_part() - a write (a server's read) of @c ended inside the
 * header section of its newest HTTP/1.x request: the request is shown
 * from here, with what its request line and Host told so far (a method
 * HTTP has, or the whole line, as conn_request_head_cut() asks), so that
 * a process killed while it writes its head has it reported (phase
 * "send"), not lost; once shown, each later such write updates the bytes
 * of its head so far.  Its header section's end fills the rest
 * (conn_live_start()). */
void conn_live_head_part(conn *c);

/* conn_live_sync() - @r reached a new phase: timestamp @ts (HT_T_*) and
 * the ones a response's start may have clamped (conn_request_clamp())
 * go to its slot. */
void conn_live_sync(conn_request *r, unsigned ts);

/* conn_live_resp_head() - the final response to @r (HTTP/1.x, or an
 * HTTP/2 stream's) has its header section whole: its @status and
 * @header_bytes (interim responses' included) shown in its slot's response
 * entry. */
void conn_live_resp_head(conn_request *r, uint16_t status,
			 uint32_t header_bytes);

/* conn_live_resp_1xx() - @r received one more interim response: its count
 * shown in its slot's response entry. */
void conn_live_resp_1xx(conn_request *r);

/* conn_live_resp_drop() - @r's response is not followed by the HTTP/1.x
 * parser any more (its connection turned to HTTP/2): its slot keeps no
 * response from now on. */
void conn_live_resp_drop(conn_request *r);

/* conn_live_end() - @r, of @c, is over (its record is made): its slot is
 * freed, and a server's write mark with the last one (conn.h live_wmark);
 * with no slot, it leaves its page's `unlisted` count.  Returns the page
 * of a collector that stopped and read @r there in flight
 * (ht_live_taken()): its record is that collector's, to be counted there
 * (ht_live_count_taken()), never sent; else NULL. */
struct ht_live *conn_live_end(conn *c, conn_request *r);

/* conn_connect_cut() - @c's connect, still under way, closed by the
 * program (its own timeout; a Happy Eyeballs attempt that lost): a failed
 * connect with ECANCELED ("Operation canceled"), never a silent end.
 * Nothing for a connection up, failed, a server's, a forked child's copy
 * or one that ended with its process (conn_on_exit()). */
void conn_connect_cut(conn *c, uint64_t now, struct ht_live *taken);

/* conn_tls_cut() - conn_raw_tls_failed() (conn.h) for a client's handshake a hook saw begin and
 * not end, closed by the program with nothing read from the server (no
 * tunnel): a failed handshake (HT_FF_TLS_CLOSED), not a connection unused.
 * False: nothing emitted. */
bool conn_tls_cut(conn *c, uint64_t now, struct ht_live *taken);

/* conn_live_forget() - @c is forgotten with no record (conn_forget()):
 * each HTTP/1.x request it holds leaves the page as conn_live_end() has
 * it, so that none stays counted in flight for the rest of the process
 * (a server's head read in part, "D" of "DELETE", counted unlisted). */
void conn_live_forget(conn *c);

/* conn_live_ws_start() - @r's WebSocket session began at @now (its 101):
 * claim a request slot in the current live page showing it (kind
 * HT_LIVE_WEBSOCKET) until the session's record is made.  Returns the slot
 * (0: none, not shown) and its page in *@page, for ht_live_release(). */
unsigned conn_live_ws_start(conn *c, const conn_request *r, uint64_t now,
			    struct ht_live **page);

/* conn_live_conn_start() - @c (a TCP connection, its connect begun) is
 * shown in a connection slot of the current live page until
 * conn_live_conn_end() (none free: not shown). */
void conn_live_conn_start(conn *c);

/* conn_live_conn_sync() - @c's DNS, connect or TLS moments changed: its
 * connection slot (if any) shows them. */
void conn_live_conn_sync(conn *c);

/* conn_live_conn_end() - @c's first request began, or it closed, failed or
 * carries no HTTP: its connection slot (if any) is freed.  Returns the
 * page of a collector that stopped and reported the connection from it in
 * flight (ht_live_taken()): a failure's record is that collector's; else
 * NULL. */
struct ht_live *conn_live_conn_end(conn *c);

/* HTTP/2 (conn_h2.c). */

/* conn_h2_start() - switch @c to HTTP/2: allocate its state.  Returns 0, or
 * -1 when that is not possible (no decoder or memory): opaque then. */
int conn_h2_start(conn *c);

/* conn_h2_adopt() - after an h2c upgrade: @r, the HTTP/1.1 request that
 * asked for it (its 101 counted as interim, @resp_header_bytes the bytes
 * of the responses so far), becomes stream 1, half-closed by the client.
 * Returns 0, or -1 when no stream memory can be had. */
int conn_h2_adopt(conn *c, const conn_request *r, uint32_t resp_header_bytes);

/* conn_h2_each_req() - @fn on the request of each open stream of @c,
 * with its stream id (conn_live_adopt(), conn_live_shared()). */
void conn_h2_each_req(conn *c,
		      void (*fn)(conn *c, conn_request *r, uint32_t stream));

/* The program wrote / read HTTP/2 bytes on @c. */
void conn_h2_write(conn *c, const uint8_t *buf, size_t len, uint64_t now);
void conn_h2_read(conn *c, const uint8_t *buf, size_t len, uint64_t now);

/* conn_h2_skip() - @len bytes of the response stream went by unseen at
 * @now: taken as far as they lie in the payload of the DATA frame being
 * read (h2_skip()), counted in its stream's body.  Returns how many are
 * left: they are not DATA payload, and the caller gives the connection up. */
size_t conn_h2_skip(conn *c, size_t len, uint64_t now);

/* conn_h2_waiting() - whether @c has HTTP/2 streams whole in plaintext
 * that wait for its socket's writes (a memory-BIO TLS server's), in
 * HTTP/2 mode or given up unframed (opaque) since. */
bool conn_h2_waiting(const conn *c);

/* conn_h2_wire() - the socket of @c, a server's memory-BIO TLS
 * connection, carried more of its ciphertext at @now (conn_on_transport()):
 * every stream whose response, whole in plaintext, waited for it
 * (conn_tls_made()) ends whole at @now.  Nothing for other connections. */
void conn_h2_wire(conn *c, uint64_t now);

/* conn_h2_fail_all() - every stream still open ends with @error. */
void conn_h2_fail_all(conn *c, unsigned error, uint64_t now);

/* conn_h2_open_streams() - streams in flight. */
unsigned conn_h2_open_streams(const conn *c);

/* conn_h2_release() - free the HTTP/2 state (at close). */
void conn_h2_release(conn *c);

/* WebSocket (conn_ws.c). */

/* conn_ws_start() - @r, the oldest request, asked for a WebSocket and was
 * answered 101 at @now: the connection is a session from the next byte
 * (CONN_MODE_WS).  Returns 0, or -1 when no memory can be had (the mode
 * is left as it was). */
int conn_ws_start(conn *c, const conn_request *r, uint64_t now);

/* conn_ws_feed() - the program wrote (@out) or read @len bytes of the
 * session at @now; the session ends (conn_ws_end()) once close frames went
 * both ways or its framing was lost. */
void conn_ws_feed(conn *c, bool out, const uint8_t *buf, size_t len,
		  uint64_t now);

/* conn_ws_end() - the session ended at @now (@flags: HT_WF_PEER_EOF,
 * HT_WF_RESET, or 0; what the session saw adds the rest): emit its
 * HT_REC_WS record, release it, the connection is opaque from here.
 * Nothing when no session is open. */
void conn_ws_end(conn *c, uint32_t flags, uint64_t now);

/* conn_ws_after_fork() - in a forked child: the session is the parent's
 * (its live slot too, the page being shared): freed, no record, the
 * parent's slot left alone. */
void conn_ws_after_fork(conn *c);

/* conn_ws_release() - free the session without a record (a forked child:
 * it is the parent's). */
void conn_ws_release(conn *c);

#endif
