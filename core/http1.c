/*
 * http1.c - incremental HTTP/1.x message parser (see http1.h).
 *
 * One byte-driven state machine per direction, parse_byte(), which
 * dispatches on the internal state; here with the message boundaries and
 * the public interface.  Header lines (capture and interpretation) are in
 * http1_headers.c, the fast paths in http1_fast.c; http1_internal.h is what
 * they share.  Because the machine only ever looks at one byte and its own
 * state, the result does not depend on how the input was split.
 * It is the reference: the fast paths (h1_start_fast(), h1_header_fast(),
 * h1_chunk_fast()) take the usual bytes in bulk -- runs of a method, target,
 * reason, header name or value, chunk size scanned 8 bytes at a time, the
 * usual header line "Name: value" CRLF captured in one copy, body bytes
 * counted by Content-Length or a chunk size in one subtraction -- and leave
 * every other byte to parse_byte(), in the state the machine would be in
 * after the same bytes.  Nothing they do looks outside the piece they were
 * given, so the split still changes nothing (check_http1 feeds every split,
 * each piece from its own copy).
 *
 * Memory is bounded by the struct: names, values and strings are truncated
 * to their buffers, and the few headers that decide framing (Content-Length,
 * Transfer-Encoding, Connection, Expect) are interpreted element by element
 * as they stream past, so a huge value or a huge unrelated header changes
 * nothing.  There is no limit on the size of a header section: the program
 * is observed, not judged.
 *
 * Choices where RFC 9112 leaves room:
 *  - bare LF is accepted wherever CRLF is expected; a CR must be followed by
 *    LF.
 *  - obs-fold (a header line starting with SP/HTAB) continues the previous
 *    value: it is joined with one SP, as RFC 9112 section 5.2 allows.  A fold
 *    right after the start line is an error.
 *  - a method longer than H1_METHOD_MAX - 1 bytes, a status outside
 *    100..999 or a version other than "HTTP/" DIGIT "." DIGIT are errors:
 *    such start lines are not HTTP.  HTTP/0.9 requests are not supported.
 *  - Host and Content-Type: the first occurrence is reported.
 *  - blanks between a header name and the colon are tolerated, but such a
 *    name frames nothing (header_name_blank_end()); a header line without
 *    a colon, a name with non-token bytes, or control bytes other
 *    than HTAB in a value are errors.
 *  - Content-Length may be a list of identical values ("5, 5", or repeated
 *    headers); anything else that is not a decimal number below 2^62 is an
 *    error.
 *  - Transfer-Encoding whose final coding is not chunked: a request is an
 *    error (the server must reject it), a response runs to close.  With both
 *    Transfer-Encoding and Content-Length, chunked framing wins and
 *    keep_alive is false (RFC 9112 section 6.3: the connection must close).
 *  - a start line whose first byte cannot begin one (request: not a token
 *    byte; response: not 'H') is reported as H1_EV_ERROR without
 *    H1_EV_BEGIN: such bytes are not an HTTP message at all.
 *  - h1_set_response_context() lasts until a final (non-1xx) response
 *    completes, so an interim 100 Continue does not consume it.
 *  - a request parser knows nothing of the answer: after CONNECT or an
 *    Upgrade request the caller stops feeding it when the response side
 *    reaches H1_ST_TUNNEL.
 */
#include "http1_internal.h"

#include <string.h>

/* ---- header names -------------------------------------------------------- */

/* The colon after a header name and blanks ("Content-Length : 5").  curl
 * and Python's http.client take such a name for another header than the
 * one it spells (node refuses the message): a length, a coding, a
 * Connection, Expect or Upgrade so written frames nothing for them, and
 * must not for us either, else a record ends where the program's response
 * does not.  The name still counts for redaction, Host, Content-Type and
 * the URL headers, which frame nothing. */
static void header_name_blank_end(h1_parser *p)
{
	bool te_seen = p->te_seen, upgrade = p->msg.upgrade;

	header_name_end(p);
	switch (p->cur_header) {
	case HH_CONTENT_LENGTH:
	case HH_TRANSFER_ENCODING:
	case HH_CONNECTION:
	case HH_EXPECT:
	case HH_UPGRADE:
		p->cur_header = HH_OTHER;
		p->te_seen = te_seen;
		p->msg.upgrade = upgrade;
		break;
	default:
		break;
	}
}

/* ---- message boundaries ----------------------------------------------- */

static bool is_interim(const h1_parser *p)
{
	return p->kind == H1_RESPONSE && p->msg.status >= 100 &&
	       p->msg.status < 200 && p->msg.status != 101;
}

static unsigned message_complete(h1_parser *p)
{
	p->state = S_IDLE;
	if (p->kind == H1_RESPONSE && !is_interim(p)) {
		p->ctx_head = false;
		p->ctx_connect = false;
	}
	return H1_EV_COMPLETE;
}

/* Clear @m for a new message: every field, and each string to "" (the
 * bytes after a NUL are left as they were: clearing the whole struct, 6 KiB,
 * for each message cost more than parsing one). */
static void msg_reset(h1_message *m)
{
	m->method[0] = '\0';
	m->target[0] = '\0';
	m->method_len = 0;
	m->target_len = 0;
	m->target_truncated = false;
	m->status = 0;
	m->reason[0] = '\0';
	m->reason_len = 0;
	m->version_major = 0;
	m->version_minor = 0;
	m->content_length = -1;
	m->chunked = false;
	m->keep_alive = false;
	m->closes = false;
	m->says_keep_alive = false;
	m->upgrade = false;
	m->upgrade_h2c = false;
	m->upgrade_websocket = false;
	m->expect_continue = false;
	m->body_by_close = false;
	m->host[0] = '\0';
	m->host_len = 0;
	m->content_type[0] = '\0';
	m->content_type_len = 0;
	m->header_bytes = 0;
	m->body_bytes = 0;
	m->hdrs[0] = '\0';
	m->hdrs_len = 0;
	m->hdrs_truncated = false;
}

/* Start a new message at its first byte @c.  Returns H1_EV_BEGIN, or
 * H1_EV_ERROR when @c cannot start a message. */
unsigned h1_message_begin(h1_parser *p, uint8_t c)
{
	/* msg is cleared even for an error: it must not go on describing the
	 * previous message. */
	msg_reset(&p->msg);
	if (p->kind == H1_REQUEST ? !tchar[c] : c != 'H')
		return fail(p);
	p->msg.header_bytes = 1;
	p->flags = 0;
	p->te_seen = false;
	p->cl_seen = false;
	p->cur_header = HH_OTHER;
	p->remaining = 0;
	p->val_len = 0;
	p->val_end = 0;
	p->cl_elem = 0;
	p->hdr_line_start = 0;
	p->hdr_line_dropped = false;
	p->hdr_value_end = 0;
	p->hdr_value_start = 0;
	if (p->kind == H1_REQUEST) {
		p->msg.method[0] = (char)c;
		p->msg.method[1] = '\0';
		p->msg.method_len = 1;
		p->tok_len = 1;
		p->state = S_REQ_METHOD;
	} else {
		p->tok_len = 1; /* matched the 'H' of "HTTP/" */
		p->state = S_VERSION;
	}
	return H1_EV_BEGIN;
}

static unsigned start_chunked(h1_parser *p)
{
	p->state = S_CHUNK_SIZE_FIRST;
	return H1_EV_HEADERS;
}

static unsigned start_content_length(h1_parser *p)
{
	if (p->msg.content_length == 0)
		return H1_EV_HEADERS | message_complete(p);
	p->remaining = (uint64_t)p->msg.content_length;
	p->state = S_BODY_CL;
	return H1_EV_HEADERS;
}

/* The final LF of the header section: decide how the body is framed. */
unsigned h1_headers_done(h1_parser *p)
{
	h1_message *m = &p->msg;
	bool v11 = m->version_major > 1 ||
		   (m->version_major == 1 && m->version_minor >= 1);

	if (p->flags & F_CONN_CLOSE)
		m->keep_alive = false;
	else
		m->keep_alive = v11 || (p->flags & F_CONN_KEEP);
	/* what the sender says, before the framing rule below */
	m->closes = !m->keep_alive;
	m->says_keep_alive = (p->flags & F_CONN_KEEP) &&
			     !(p->flags & F_CONN_CLOSE);
	m->chunked = p->te_seen && (p->flags & F_TE_CHUNKED);
	if (p->te_seen && p->cl_seen)
		m->keep_alive = false;

	if (p->kind == H1_REQUEST) {
		if (p->te_seen && !m->chunked)
			return fail(p); /* no way to find its end */
		if (m->chunked)
			return start_chunked(p);
		if (p->cl_seen)
			return start_content_length(p);
		return H1_EV_HEADERS | message_complete(p);
	}

	if (m->status == 101 || (p->ctx_connect && m->status / 100 == 2)) {
		p->state = S_TUNNEL;
		return H1_EV_HEADERS | H1_EV_COMPLETE;
	}
	if (m->status < 200 || m->status == 204 || m->status == 304 ||
	    p->ctx_head)
		return H1_EV_HEADERS | message_complete(p);
	if (m->chunked)
		return start_chunked(p);
	if (p->cl_seen && !p->te_seen)
		return start_content_length(p);
	m->body_by_close = true;
	m->keep_alive = false;
	m->closes = true;
	m->says_keep_alive = false; /* its close ends the body */
	p->state = S_BODY_CLOSE;
	return H1_EV_HEADERS;
}

/* ---- the byte machine --------------------------------------------------- */

/* @c where a line ends (CRLF, or a bare LF): CR goes to @cr_state to wait
 * for its LF, LF to @next; anything else is an error. */
static inline unsigned line_end(h1_parser *p, uint8_t c,
				enum h1_internal_state cr_state,
				enum h1_internal_state next)
{
	if (c == '\r')
		p->state = cr_state;
	else if (c == '\n')
		p->state = next;
	else
		return fail(p);
	return 0;
}

/* @c after the CR that ends a line: its LF goes to @next, anything else is
 * an error. */
static inline unsigned line_lf(h1_parser *p, uint8_t c,
			       enum h1_internal_state next)
{
	if (c != '\n')
		return fail(p);
	p->state = next;
	return 0;
}

/* One byte of the start line. */
static unsigned start_line_byte(h1_parser *p, uint8_t c)
{
	static const char proto[] = "HTTP/";
	h1_message *m = &p->msg;

	switch (p->state) {
	case S_REQ_METHOD:
		if (c == ' ') {
			m->method[p->tok_len] = '\0';
			p->state = S_REQ_TARGET_FIRST;
			return 0;
		}
		if (!tchar[c] || p->tok_len + 1 >= sizeof(m->method))
			return fail(p);
		m->method[p->tok_len++] = (char)c;
		m->method[p->tok_len] = '\0';
		m->method_len = (uint16_t)p->tok_len;
		return 0;
	case S_REQ_TARGET_FIRST:
	case S_REQ_TARGET:
		if (c == ' ' && p->state == S_REQ_TARGET) {
			p->tok_len = 0;
			p->state = S_VERSION;
			return 0;
		}
		if (p->state == S_REQ_TARGET && (c == '\r' || c == '\n')) {
			/* the line ended with no version: the target is what
			 * a lenient server splits off at a blank ("GET
			 * /x<TAB>HTTP/1.1") or at the line's end (HTTP/0.9's
			 * "GET /x") */
			char *tab = memchr(m->target, '\t', p->tok_len);

			if (tab) {
				*tab = '\0';
				m->target_len = (uint16_t)(tab - m->target);
			}
			p->flags |= F_TARGET_WS;
		}
		if (c == ' ' || is_ctl(c))
			return fail(p);
		if (p->state == S_REQ_TARGET_FIRST) {
			p->tok_len = 0;
			p->state = S_REQ_TARGET;
		}
		if (p->tok_len + 1 < sizeof(m->target)) {
			m->target[p->tok_len++] = (char)c;
			m->target[p->tok_len] = '\0';
			m->target_len = (uint16_t)p->tok_len;
		} else
			m->target_truncated = true;
		return 0;
	case S_VERSION:
		/* "HTTP/" DIGIT "." DIGIT, tok_len bytes matched so far. */
		if (p->tok_len < 5) {
			if (c != (uint8_t)proto[p->tok_len])
				return fail(p);
		} else if (p->tok_len == 5 || p->tok_len == 7) {
			if (!is_digit(c))
				return fail(p);
			if (p->tok_len == 5)
				m->version_major = (uint8_t)(c - '0');
			else
				m->version_minor = (uint8_t)(c - '0');
		} else if (c != '.') {
			return fail(p);
		}
		if (++p->tok_len == 8) {
			p->tok_len = 0;
			p->state = p->kind == H1_REQUEST ? S_REQ_LINE_END :
							   S_RES_VERSION_SP;
		}
		return 0;
	case S_REQ_LINE_END:
		return line_end(p, c, S_START_LF, S_HDR_LINE_START);
	case S_RES_VERSION_SP:
		if (c != ' ')
			return fail(p);
		p->state = S_RES_STATUS;
		return 0;
	case S_RES_STATUS:
		/* The digits gather in tok: msg.status stays 0 unless all
		 * three came, so a cut status line never reports "2". */
		if (!is_digit(c) || (p->tok_len == 0 && c == '0'))
			return fail(p);
		p->tok[p->tok_len] = (char)c;
		if (++p->tok_len == 3) {
			m->status = (uint16_t)((p->tok[0] - '0') * 100 +
					       (p->tok[1] - '0') * 10 +
					       (p->tok[2] - '0'));
			p->tok_len = 0;
			p->state = S_RES_STATUS_END;
		}
		return 0;
	case S_RES_STATUS_END:
		if (c == ' ') {
			p->state = S_RES_REASON;
			return 0;
		}
		return line_end(p, c, S_START_LF, S_HDR_LINE_START);
	case S_RES_REASON:
		if (c == '\r' || c == '\n')
			return line_end(p, c, S_START_LF, S_HDR_LINE_START);
		if (is_ctl(c))
			return fail(p);
		if (p->tok_len + 1 < sizeof(m->reason)) {
			m->reason[p->tok_len++] = (char)c;
			m->reason[p->tok_len] = '\0';
			m->reason_len = (uint16_t)p->tok_len;
		}
		return 0;
	case S_START_LF:
		return line_lf(p, c, S_HDR_LINE_START);
	default:
		return fail(p);
	}
}

/* One byte of the header section after the start line. */
static unsigned header_byte(h1_parser *p, uint8_t c)
{
	unsigned ev;

	switch (p->state) {
	case S_HDR_LINE_START:
		if (is_blank(c)) {
			/* obs-fold: the previous value goes on. */
			if (!(p->flags & F_HDR_PENDING))
				return fail(p);
			h1_fold_begin(p);
			p->state = S_HDR_VALUE_OWS;
			return 0;
		}
		ev = header_end(p);
		if (ev)
			return fail(p);
		if (c == '\r') {
			p->state = S_HDR_END_LF;
			return 0;
		}
		if (c == '\n')
			return h1_headers_done(p);
		if (!tchar[c])
			return fail(p);
		header_begin(p, c);
		return 0;
	case S_HDR_NAME:
		if (c == ':') {
			header_name_end(p);
			return 0;
		}
		if (is_blank(c)) {
			p->state = S_HDR_NAME_WS;
			return 0;
		}
		if (!tchar[c])
			return fail(p);
		if (p->tok_len < sizeof(p->tok))
			p->tok[p->tok_len++] = (char)c;
		else
			p->flags |= F_NAME_LONG;
		capture_byte(p, c);
		return 0;
	case S_HDR_NAME_WS:
		if (c == ':')
			header_name_blank_end(p);
		else if (!is_blank(c))
			return fail(p);
		return 0;
	case S_HDR_VALUE_OWS:
	case S_HDR_VALUE:
		if (c == '\r' || c == '\n')
			return line_end(p, c, S_HDR_LINE_LF, S_HDR_LINE_START);
		if (is_ctl(c))
			return fail(p);
		if (p->state == S_HDR_VALUE_OWS) {
			if (is_blank(c))
				return 0;
			p->state = S_HDR_VALUE;
			/* A folded segment joins the value with one SP. */
			if ((p->flags & F_FOLD) && (p->flags & F_VALUE_SEEN) &&
			    h1_value_byte(p, ' '))
				return fail(p);
			p->flags &= ~F_FOLD;
		}
		if (h1_value_byte(p, c))
			return fail(p);
		return 0;
	case S_HDR_LINE_LF:
		return line_lf(p, c, S_HDR_LINE_START);
	case S_HDR_END_LF:
		if (c != '\n')
			return fail(p);
		return h1_headers_done(p);
	default:
		return fail(p);
	}
}

/* A byte after the chunk size: blanks, then ';' (an extension) or the end
 * of the line.  Anything else means the size was not a hex number. */
static unsigned chunk_after_size(h1_parser *p, uint8_t c)
{
	if (is_blank(c))
		p->state = S_CHUNK_SIZE_WS;
	else if (c == ';')
		p->state = S_CHUNK_EXT;
	else if (c == '\r')
		p->state = S_CHUNK_SIZE_LF;
	else if (c == '\n')
		return chunk_size_line_end(p);
	else
		return fail(p);
	return 0;
}

/* One byte of chunk framing or trailers (chunk data is taken in bulk). */
static unsigned chunk_byte(h1_parser *p, uint8_t c)
{
	int h;

	switch (p->state) {
	case S_CHUNK_SIZE_FIRST:
	case S_CHUNK_SIZE:
		h = hex_value(c);
		if (h < 0 && p->state == S_CHUNK_SIZE_FIRST)
			return fail(p);
		if (h < 0)
			return chunk_after_size(p, c);
		if (p->state == S_CHUNK_SIZE_FIRST) {
			p->remaining = 0;
			p->state = S_CHUNK_SIZE;
		}
		if (p->remaining >= H1_SIZE_LIMIT / 16)
			return fail(p);
		p->remaining = p->remaining * 16 + (uint64_t)h;
		return 0;
	case S_CHUNK_SIZE_WS:
		return chunk_after_size(p, c);
	case S_CHUNK_EXT:
		/* Extensions are skipped up to the end of the line. */
		if (c == '\r')
			p->state = S_CHUNK_SIZE_LF;
		else if (c == '\n')
			return chunk_size_line_end(p);
		return 0;
	case S_CHUNK_SIZE_LF:
		if (c != '\n')
			return fail(p);
		return chunk_size_line_end(p);
	case S_CHUNK_DATA_END:
		return line_end(p, c, S_CHUNK_DATA_LF, S_CHUNK_SIZE_FIRST);
	case S_CHUNK_DATA_LF:
		return line_lf(p, c, S_CHUNK_SIZE_FIRST);
	case S_TRAILER_LINE_START:
		if (c == '\r')
			p->state = S_TRAILER_END_LF;
		else if (c == '\n')
			return message_complete(p);
		else
			p->state = S_TRAILER_LINE;
		return 0;
	case S_TRAILER_LINE:
		/* Trailer fields are skipped up to their LF. */
		if (c == '\n')
			p->state = S_TRAILER_LINE_START;
		return 0;
	case S_TRAILER_END_LF:
		if (c != '\n')
			return fail(p);
		return message_complete(p);
	default:
		return fail(p);
	}
}

/* Add @n bytes to the header section's size (saturating). */
static void count_head(h1_parser *p, size_t n)
{
	uint32_t hb = p->msg.header_bytes;

	p->msg.header_bytes = n < (size_t)(UINT32_MAX - hb) ?
				      hb + (uint32_t)n : UINT32_MAX;
}

static unsigned parse_byte(h1_parser *p, uint8_t c)
{
	if (p->state == S_IDLE) {
		if (c == '\r' || c == '\n')
			return 0; /* blank lines between messages */
		return h1_message_begin(p, c);
	}
	if (p->state >= S_HEAD_FIRST && p->state <= S_HEAD_LAST) {
		if (p->msg.header_bytes < UINT32_MAX)
			p->msg.header_bytes++;
		if (p->state < S_HDR_LINE_START)
			return start_line_byte(p, c);
		return header_byte(p, c);
	}
	return chunk_byte(p, c);
}

void h1_init(h1_parser *p, h1_kind kind, const h1_options *opt)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->opt = opt;
	p->msg.content_length = -1;
	p->state = S_IDLE;
	p->cur_header = HH_OTHER;
	p->capture = opt != NULL && opt->capture_headers;
	if (opt != NULL && opt->redact != NULL) {
		for (const char *const *r = opt->redact; *r != NULL; r++) {
			size_t n = strlen(*r);

			if (n > 0)
				p->redact_mask |= redact_bit(n, (uint8_t)(*r)[0],
							     (uint8_t)(*r)[n - 1]);
		}
	}
}

/* Up to @len bytes of a body of known extent (S_BODY_CL, S_CHUNK_DATA):
 * counted, never looked at.  Returns how many were taken; *@events gets
 * H1_EV_COMPLETE when they end a Content-Length body. */
static inline size_t body_take(h1_parser *p, size_t len, unsigned *events)
{
	size_t n = len < p->remaining ? len : (size_t)p->remaining;
	p->remaining -= n;
	p->msg.body_bytes += n;
	if (p->remaining > 0)
		return n;
	if (p->state == S_BODY_CL)
		*events = message_complete(p);
	else
		p->state = S_CHUNK_DATA_END;
	return n;
}

size_t h1_feed(h1_parser *p, const uint8_t *buf, size_t len, h1_event *ev)
{
	unsigned events = 0;
	size_t i = 0, n, start_at = SIZE_MAX, lines_at = SIZE_MAX;

	while (i < len && events == 0) {
		switch (p->state) {
		case S_TUNNEL:
		case S_ERROR:
			i = len;
			continue;
		case S_BODY_CLOSE:
			p->msg.body_bytes += len - i;
			i = len;
			continue;
		case S_BODY_CL:
		case S_CHUNK_DATA:
			i += body_take(p, len - i, &events);
			continue;
		case S_REQ_METHOD:
		case S_REQ_TARGET_FIRST:
		case S_REQ_TARGET:
		case S_VERSION:
		case S_REQ_LINE_END:
		case S_RES_VERSION_SP:
		case S_RES_STATUS:
		case S_RES_STATUS_END:
		case S_RES_REASON:
		case S_START_LF:
			if (p->msg.header_bytes == 1) {
				/* right after BEGIN: is the rest of the head
				 * the last message's? */
				n = h1_memo_take_head(p, buf + i, len - i,
						   &events);
				if (n > 0) {
					count_head(p, n);
					break;
				}
				start_at = i;
			}
			n = h1_start_fast(p, buf + i, len - i, &events);
			count_head(p, n); /* all of them header bytes */
			break;
		case S_HDR_LINE_START:
			if (!(p->flags & F_HDR_PENDING)) {
				/* the start line is over: are its header
				 * lines the last message's? */
				n = h1_memo_take_lines(p, buf + i, len - i,
						    &events);
				if (n > 0) {
					count_head(p, n);
					break;
				}
				if (h1_memo_fits(p))
					lines_at = i;
			}
			n = h1_header_fast(p, buf + i, len - i, &events);
			count_head(p, n);
			break;
		case S_HDR_NAME:
		case S_HDR_VALUE_OWS:
		case S_HDR_VALUE:
		case S_HDR_LINE_LF:
			n = h1_header_fast(p, buf + i, len - i, &events);
			count_head(p, n);
			break;
		case S_CHUNK_SIZE_FIRST:
		case S_CHUNK_SIZE:
		case S_CHUNK_SIZE_LF:
		case S_CHUNK_EXT:
		case S_CHUNK_DATA_END:
		case S_CHUNK_DATA_LF:
		case S_TRAILER_LINE:
			n = h1_chunk_fast(p, buf + i, len - i);
			break;
		default:
			n = 0;
			break;
		}
		i += n;
		if (n == 0 && events == 0) {
			/* the next byte is the byte machine's */
			events = parse_byte(p, buf[i]);
			i++;
		}
	}
	if (lines_at != SIZE_MAX && (events & H1_EV_HEADERS) &&
	    !(events & H1_EV_ERROR))
		h1_memo_keep(p, buf, start_at, lines_at, i);
	*ev = (h1_event)events;
	return i;
}

size_t h1_skip(h1_parser *p, size_t len, h1_event *ev)
{
	unsigned events = 0;
	size_t n = 0;

	switch (p->state) {
	case S_BODY_CLOSE:
		p->msg.body_bytes += len;
		n = len;
		break;
	case S_BODY_CL:
	case S_CHUNK_DATA:
		n = body_take(p, len, &events);
		break;
	default:
		break;
	}
	*ev = (h1_event)events;
	return n;
}

h1_event h1_finish(h1_parser *p)
{
	unsigned ev;

	switch (p->state) {
	case S_IDLE:
	case S_TUNNEL:
	case S_ERROR:
		ev = H1_EV_NONE;
		break;
	case S_BODY_CLOSE:
		ev = H1_EV_COMPLETE;
		break;
	default:
		ev = H1_EV_ERROR; /* cut short */
		break;
	}
	/* Idle again, msg kept for the caller (whole header lines only). */
	h1_capture_abandon(p);
	p->state = S_IDLE;
	p->remaining = 0;
	p->ctx_head = false;
	p->ctx_connect = false;
	p->memo.len = 0;
	p->memo.head = false;
	return (h1_event)ev;
}

void h1_memo_enable(h1_parser *p, bool on)
{
	p->memo.off = !on;
	p->memo.len = 0;
	p->memo.head = false;
}

void h1_set_response_context(h1_parser *p, bool head, bool connect)
{
	p->ctx_head = head;
	p->ctx_connect = connect;
}

/* h1_state()'s table: the header-section states, then the body's, then
 * the two terminal ones, each internal state in exactly one range. */
_Static_assert(S_IDLE == 0 && S_HEAD_FIRST == S_IDLE + 1 &&
		       S_BODY_FIRST == S_HEAD_LAST + 1 &&
		       S_TUNNEL == S_BODY_LAST + 1 && S_ERROR == S_TUNNEL + 1,
	       "h1_public_states covers every internal state");
const uint8_t h1_public_states[S_ERROR + 1] = {
	[S_IDLE] = H1_ST_IDLE,
	[S_HEAD_FIRST ... S_HEAD_LAST] = H1_ST_HEADERS,
	[S_BODY_FIRST ... S_BODY_LAST] = H1_ST_BODY,
	[S_TUNNEL] = H1_ST_TUNNEL,
	[S_ERROR] = H1_ST_ERROR,
};


bool h1_body_continues(const h1_parser *p, uint64_t n)
{
	return n > 0 && (p->state == S_BODY_CL || p->state == S_CHUNK_DATA) &&
	       p->remaining > n;
}

bool h1_failed_in_request_line(const h1_parser *p)
{
	const h1_message *m = &p->msg;
	size_t line;

	if (p->kind != H1_REQUEST || p->state != S_ERROR)
		return false;
	if (p->flags & F_TARGET_WS)
		return true; /* the line ended after its target (maybe cut) */
	if (m->target_truncated)
		return m->version_major == 0 && m->version_minor == 0;
	/* Every byte of the message up to the one that failed is counted in
	 * header_bytes, that one included; the line through its version is
	 * METHOD SP TARGET SP "HTTP/d.d" (a failed start line holds no other
	 * byte: each part ends at its SP). */
	line = strlen(m->method) + strlen(m->target) + 10;
	return m->header_bytes <= line;
}

bool h1_failed_in_start_line(const h1_parser *p)
{
	return p->kind == H1_REQUEST && p->state == S_ERROR &&
	       (p->flags & F_FAILED_START);
}

unsigned h1_request_line_read(const h1_parser *p)
{
	const h1_message *m = &p->msg;
	size_t mlen, tlen;

	if (p->kind != H1_REQUEST)
		return 0;
	switch (p->state) {
	case S_IDLE:
	case S_REQ_METHOD:
		return 0;
	case S_REQ_TARGET_FIRST:
	case S_REQ_TARGET:
		return 1;
	case S_VERSION:
		return 2;
	case S_ERROR:
		break;
	default:
		return 3;
	}
	if (!h1_failed_in_request_line(p))
		return 3;
	/* The failing byte is counted in header_bytes: past METHOD SP
	 * TARGET SP, the target was whole; past METHOD SP, the method. */
	mlen = strlen(m->method);
	tlen = strlen(m->target);
	if (!m->target_truncated &&
	    (m->header_bytes > mlen + tlen + 2 || (p->flags & F_TARGET_WS)))
		return 2;
	return m->header_bytes > mlen + 1 ? 1 : 0;
}

unsigned h1_response_prefix_read(const h1_parser *p)
{
	if (p->kind != H1_RESPONSE || p->state != S_VERSION ||
	    p->tok_len >= 5)
		return 0;
	return p->tok_len;
}

h1_event h1_finish_head(h1_parser *p)
{
	if (p->state == S_HDR_LINE_START && (p->flags & F_HDR_PENDING))
		(void)h1_header_line_end(p);
	return h1_finish(p);
}

bool h1_request_unsent_body(h1_parser *p)
{
	if (p->kind != H1_REQUEST || p->msg.body_bytes != 0 ||
	    (p->state != S_BODY_CL && p->state != S_CHUNK_SIZE_FIRST))
		return false;
	(void)message_complete(p);
	return true;
}

void h1_response_09(h1_parser *p)
{
	msg_reset(&p->msg);
	p->msg.body_by_close = true;
	p->msg.closes = true;
	p->remaining = 0;
	p->state = S_BODY_CLOSE;
}
