/*
 * http1.h - incremental HTTP/1.x message parser, one direction of a
 * connection.  Pure: no I/O, no allocation, no global state.
 *
 * The caller feeds whatever bytes the socket carried, split anywhere, and
 * pulls events one at a time:
 *
 *   while (len > 0) {
 *       h1_event ev;
 *       size_t n = h1_feed(&p, buf, len, &ev);
 *       buf += n; len -= n;
 *       switch (ev) { ... }
 *   }
 *
 * h1_feed() consumes bytes up to and including the byte that produced
 * events and stops there, so the caller can timestamp and react (for example
 * call h1_set_response_context() at the first byte of a response) before the
 * next byte is parsed.  Events are a bit mask: the final LF of a message
 * without body yields H1_EV_HEADERS | H1_EV_COMPLETE at once.  With
 * ev == 0 it consumed all of @len.
 *
 * Framing rules (RFC 9112):
 *  - requests: body by Content-Length or chunked; otherwise no body.
 *  - responses: no body for 1xx, 204, 304 and when the caller says so
 *    (h1_set_response_context(): the request was HEAD); chunked wins over
 *    Content-Length;
 *    otherwise Content-Length; otherwise the body runs to connection close
 *    (h1_finish() ends it).
 *  - 101 Switching Protocols, and a 2xx answer to CONNECT, end HTTP parsing
 *    once their headers complete (H1_EV_HEADERS | H1_EV_COMPLETE): every
 *    later byte is ignored (no event, all consumed), state H1_ST_TUNNEL.
 *    1xx other than 101 are interim: the final response follows as a new
 *    message (BEGIN, HEADERS...).
 *  - chunk extensions and trailers are skipped.
 *  - keep_alive follows the version default (1.1 keep-alive, 1.0 close)
 *    overridden by Connection: close / keep-alive.  closes is what the
 *    sender itself says (those, and a body that runs to close); it stays
 *    false where keep_alive is false only because RFC 9112 says a
 *    recipient must close (Transfer-Encoding with Content-Length).
 */
#ifndef HT_HTTP1_H
#define HT_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H1_METHOD_MAX 24
#define H1_TARGET_MAX 1024
#define H1_REASON_MAX 64
#define H1_HOST_MAX 256
#define H1_CTYPE_MAX 128
#define H1_HDRS_MAX 4096

typedef enum h1_kind { H1_REQUEST, H1_RESPONSE } h1_kind;

/* Event bits. */
typedef enum h1_event {
	H1_EV_NONE = 0,      /* all input consumed, no event */
	H1_EV_BEGIN = 1,     /* first byte of a new message (CRLFs between
	                        messages are skipped and do not begin one) */
	H1_EV_HEADERS = 2,   /* the header section is complete; msg is filled */
	H1_EV_COMPLETE = 4,  /* the message (body included) is complete */
	H1_EV_ERROR = 8,     /* not valid HTTP/1.x; parser stays in H1_ST_ERROR.
	                        A byte that cannot start a message (request:
	                        not a token byte; response: not 'H') gives
	                        ERROR without BEGIN. */
} h1_event;

typedef enum h1_state_public {
	H1_ST_IDLE,     /* between messages */
	H1_ST_HEADERS,  /* inside the start line or headers */
	H1_ST_BODY,     /* inside a body */
	H1_ST_TUNNEL,   /* no longer HTTP */
	H1_ST_ERROR,
} h1_state_public;

/* What the parser knows about the current (or last) message.  Filled as it
 * is parsed; complete at H1_EV_HEADERS; body_bytes final at H1_EV_COMPLETE.
 * Strings are NUL-terminated and truncated to their buffers; the bytes after
 * a string's NUL (and after hdrs_len) are not cleared between messages.
 * (A new field must be reset in msg_reset(), http1.c, and when header
 * lines set it, remembered with them: struct h1_memo, memo_keep().) */
typedef struct h1_message {
	/* request line */
	char method[H1_METHOD_MAX];
	char target[H1_TARGET_MAX];
	uint16_t method_len, target_len; /* their strlen(), kept where they
	                                    are written */
	bool target_truncated;
	/* status line */
	uint16_t status;         /* 0 until all three digits are read */
	char reason[H1_REASON_MAX];
	uint16_t reason_len;     /* strlen(reason), kept where it is written */
	/* both */
	uint8_t version_major, version_minor;
	int64_t content_length;  /* -1 when absent */
	bool chunked;
	bool keep_alive;         /* the connection stays open after this message */
	bool closes;             /* the sender says the connection ends after
	                            this message: Connection: close, HTTP/1.0
	                            (or older) without Connection: keep-alive,
	                            or a response body that runs to close.
	                            Unlike keep_alive, not set by a framing
	                            rule alone (Transfer-Encoding with
	                            Content-Length): a server may keep the
	                            connection after such a response */
	bool says_keep_alive;    /* the sender says the connection stays:
	                            Connection: keep-alive (and not close),
	                            whatever the version's default */
	bool upgrade;            /* Connection: upgrade / Upgrade header present */
	bool upgrade_h2c;        /* the Upgrade header lists "h2c" */
	bool upgrade_websocket;  /* the Upgrade header lists "websocket" */
	bool expect_continue;    /* Expect: 100-continue (requests) */
	bool body_by_close;      /* response body runs until connection close */
	char host[H1_HOST_MAX];  /* Host header value */
	uint16_t host_len;       /* strlen(host), likewise */
	char content_type[H1_CTYPE_MAX];
	uint16_t content_type_len; /* strlen(content_type), likewise */
	uint32_t header_bytes;   /* bytes of start line + headers + final CRLF */
	uint64_t body_bytes;     /* body bytes so far (de-chunked) */
	/* Captured header lines "Name: value\r\n" (start line excluded), the
	 * values of redacted names replaced by "[redacted]" and URL values
	 * scrubbed (h1_options.redact_query).  Lines that do not
	 * fit are left out and hdrs_truncated is set.  When the section is cut
	 * short (H1_EV_ERROR, h1_finish()) the unfinished line is closed where
	 * it stopped, or left out when its name is not complete: hdrs always
	 * holds whole lines. */
	char hdrs[H1_HDRS_MAX];
	uint32_t hdrs_len;
	bool hdrs_truncated;
} h1_message;

/* Options fixed at init; the parser keeps the pointers, which must outlive
 * it. */
typedef struct h1_options {
	bool capture_headers; /* fill msg.hdrs */
	/* NULL-terminated list of lower-case header names whose values are
	 * replaced by "[redacted]" in msg.hdrs; NULL for none. */
	const char *const *redact;
	/* NULL-terminated list of query parameter names whose values become
	 * "REDACTED" in every URL recorded (ht_url_scrub(), which also
	 * removes userinfo): here, the values of Location, Content-Location
	 * and Referer in msg.hdrs.  NULL: URLs are kept as sent. */
	const char *const *redact_query;
	/* ht_url_names_mask(redact_query), or 0 (every parameter compared
	 * with the list) */
	uint32_t redact_query_mask;
} h1_options;

/* A header section remembered: at most this many bytes (its start line
 * but the first byte, and its lines through the empty line ending them:
 * about 240 in nginx's answer, 80 in curl's request).  With the rest of
 * struct h1_memo, a connection's two parsers keep struct conn within the
 * 11 pages it took before. */
#define H1_MEMO_MAX 384

/* The header section of the last message (http1.c, "memo") and what
 * parsing it left in the parser: a message whose head, or whose header
 * lines, are the same bytes, whole in one h1_feed() call, takes that
 * instead of parsing them again (a client or server on a keep-alive
 * connection sends the same lines request after request).  Private but
 * for the test switch h1_memo_enable(); hits and head_hits count its uses
 * (tests look at them).  Offsets and lengths are narrowed to 16 bits: all
 * are below H1_HDRS_MAX. */
typedef struct h1_memo {
	/* what the lines left in msg (msg_reset() clears the first byte of
	 * each string: the bytes after it are the lines' still) ... */
	int64_t content_length;
	/* ... and in the private state */
	uint64_t cl_elem;
	uint32_t hits;           /* messages whose lines were taken */
	uint32_t head_hits;      /* ... of them, with their start line */
	uint16_t start_len;      /* lines[] begins with this much start line */
	uint16_t len;            /* then this much lines; 0: none */
	uint16_t hdrs_len;
	uint16_t flags, val_len, val_end;
	uint16_t hdr_line_start, hdr_value_end, hdr_value_start;
	uint16_t status;         /* what the start line set */
	uint8_t version_major, version_minor;
	uint8_t cur_header;
	char method1, target0, reason0;
	char host0, ctype0, hdrs0;
	/* the lengths the start line and lines set (h1_message) */
	uint16_t method_len, target_len, reason_len, host_len, ctype_len;
	bool head;               /* the start line is there; else lines alone */
	bool target_truncated;
	bool upgrade, upgrade_h2c, upgrade_websocket, expect_continue;
	bool hdrs_truncated, te_seen, cl_seen, hdr_line_dropped;
	bool off;                /* h1_memo_enable(p, false) */
	uint8_t lines[H1_MEMO_MAX];
} h1_memo;

typedef struct h1_parser {
	/* public, read-only */
	h1_kind kind;
	h1_message msg;
	/* private */
	const h1_options *opt;
	int state;           /* internal state machine */
	uint64_t remaining;  /* body or chunk bytes still to come */
	uint32_t tok_len;    /* length of the token being accumulated */
	char tok[128];       /* header name / number being accumulated */
	char val[H1_HOST_MAX]; /* value of an interesting header */
	uint32_t val_len;
	int cur_header;      /* which interesting header is being read */
	uint32_t hdr_line_start; /* msg.hdrs offset where the current line began */
	bool hdr_line_dropped;   /* current line did not fit in msg.hdrs */
	bool ctx_head;       /* set by h1_set_response_context() */
	bool ctx_connect;
	bool te_seen, cl_seen;
	uint32_t flags;      /* private scratch */
	uint32_t hdr_value_end;  /* msg.hdrs offset after the last non-blank
	                            byte of the current captured line */
	uint32_t hdr_value_start; /* msg.hdrs offset of its value (HH_URL) */
	uint32_t val_end;        /* val length without trailing blanks */
	uint64_t cl_elem;        /* Content-Length element being read */
	uint64_t redact_mask;    /* redact_bit() of each opt->redact name */
	bool capture;            /* opt->capture_headers */
	h1_memo memo;
} h1_parser;

/* h1_init() - reset @p to parse messages of @kind with @opt (may be NULL). */
void h1_init(h1_parser *p, h1_kind kind, const h1_options *opt);

/*
 * h1_feed() - parse up to @len bytes of @buf.
 * Returns how many bytes were consumed (<= len) and stores in *@ev the events
 * (bit mask) those bytes produced, H1_EV_NONE when none (then the return is
 * @len).
 * After H1_EV_ERROR, and in H1_ST_TUNNEL, every call consumes everything and
 * returns H1_EV_NONE (the ERROR event is reported once).
 */
size_t h1_feed(h1_parser *p, const uint8_t *buf, size_t len, h1_event *ev);

/*
 * h1_skip() - up to @len bytes of the stream went by unseen (the program
 * discarded them unread: MSG_TRUNC).  Takes those of them the parser knows
 * to be body bytes (the rest of a Content-Length body or of the current
 * chunk's data, or any number of a body delimited by close): counted in
 * msg.body_bytes, as h1_feed() would.  Returns how many it took, and in
 * *@ev H1_EV_COMPLETE when they end the message (call again for the rest);
 * 0 with H1_EV_NONE when the next byte is not known body data (framing,
 * headers, between messages): the stream can no longer be followed.
 */
size_t h1_skip(h1_parser *p, size_t len, h1_event *ev);

/*
 * h1_finish() - the connection ended (EOF) in this direction.
 * Returns H1_EV_COMPLETE when this ends a body delimited by close,
 * H1_EV_ERROR when a message was cut short (headers, Content-Length or
 * chunked body incomplete), H1_EV_NONE when the parser was between
 * messages, in a tunnel or already in error.  The parser is left idle;
 * msg is kept (body_bytes of a close-delimited body is final).
 */
h1_event h1_finish(h1_parser *p);

/* h1_set_response_context() - for a response parser, at H1_EV_BEGIN (or
 * before it): the request this response answers was HEAD (@head: no body
 * whatever the headers say) or CONNECT (@connect: a 2xx answer starts a
 * tunnel).  Reset for every message: it is cleared when a final (non-1xx)
 * response completes, so it also covers the final response after interim
 * 1xx ones; h1_init() and h1_finish() clear it too. */
void h1_set_response_context(h1_parser *p, bool head, bool connect);

/* h1_memo_enable() - whether @p may take a remembered head or header lines
 * instead of parsing them again (on after h1_init()).  Either way the parser
 * reports the same events at the same offsets and the same msg: off is
 * the reference the differential tests compare with. */
void h1_memo_enable(h1_parser *p, bool on);

/* h1_state() - where the parser is (enum h1_state_public).  Inline, one
 * load from a table of each internal state's public one: a connection asks
 * it several times for each piece it feeds. */
extern const uint8_t h1_public_states[];
static inline h1_state_public h1_state(const h1_parser *p)
{
	return (h1_state_public)h1_public_states[p->state];
}

/* h1_body_continues() - whether the next @n bytes fed to @p (n > 0) are
 * all body bytes of known extent that end nothing: inside a Content-Length
 * body or a chunk's data with more than @n still to come.  Feeding them
 * raises no event (they are counted, never looked at). */
bool h1_body_continues(const h1_parser *p, uint64_t n);

/*
 * h1_request_unsent_body() - request parser @p is at the first byte of a
 * body (Content-Length or chunked) that the client will not send: a
 * request with "Expect: 100-continue" answered with a final status
 * instead (RFC 9110 section 10.1.1; curl then retries without the
 * expectation on the same connection, after a 417).  The request ends
 * there, its body empty, and the next byte begins the next request.
 * Returns whether it did; false (nothing changed) when any of the body
 * was read, or the parser is elsewhere.
 */
bool h1_request_unsent_body(h1_parser *p);

/*
 * h1_failed_in_request_line() - request parser @p is in error (after
 * H1_EV_ERROR) and the error came before the request line was read through
 * its version ("HTTP/" DIGIT "." DIGIT): the bytes never made a request
 * line.  msg.method is the method read so far (all of it up to the SP).
 * False when the parser is not in error, or parses responses.  (When the
 * target was cut to its buffer its length is unknown: then only a version
 * other than 0.0 counts as read.)
 */
bool h1_failed_in_request_line(const h1_parser *p);

/*
 * h1_failed_in_start_line() - request parser @p is in error and the byte
 * that failed came before its request line's end (its LF): the version
 * may have been read ("HTTP/1.1 extra", "HTTP/1.1x"), the line is broken
 * all the same, and a server may take it for HTTP/0.9.  False when the
 * parser is not in error, failed in the header section, or parses
 * responses.
 */
bool h1_failed_in_start_line(const h1_parser *p);

/*
 * h1_request_line_read() - how much of request parser @p's current
 * request line was read whole, each part ended by the byte after it:
 * 0 not the method, 1 the method (its SP read), 2 the method and the
 * target (the target's SP read, or the line's CR or LF right after it:
 * the target then ends at its first TAB), 3 the whole line through its
 * version.
 * Meaningful inside a message's header section and after H1_EV_ERROR (a
 * line that failed: by where the failing byte lies), not after
 * h1_finish(); 3 once the line is over, 0 for a response parser.
 */
unsigned h1_request_line_read(const h1_parser *p);

/*
 * h1_response_09() - response parser @p, between messages, is told that
 * the next bytes are an HTTP/0.9 response (the answer to a request whose
 * version was never read: a server takes such a line for HTTP/0.9 and
 * writes no status line): a message with no head whose body runs to
 * close (msg cleared, status 0, body_by_close; h1_finish() ends it).
 */
void h1_response_09(h1_parser *p);

/*
 * h1_response_prefix_read() - how many bytes response parser @p has read
 * of the message it began, when they are all a proper prefix of "HTTP/"
 * (1..4: whether a status line begins is not decided yet); 0 otherwise
 * (between messages, past "HTTP/", a request parser).
 */
unsigned h1_response_prefix_read(const h1_parser *p);

/*
 * h1_finish_head() - as h1_finish(), for a peer that closed inside a
 * message's header section: a header line whose LF was read is whole
 * first (its value taken: the Host of a request cut after that line), as
 * the next line's first byte would have made it.
 */
h1_event h1_finish_head(h1_parser *p);

#endif
