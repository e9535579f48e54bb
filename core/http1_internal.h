/*
 * http1_internal.h - what the pieces of the HTTP/1.x parser share (see
 * http1.h for its contract).  Not for any other file.
 *
 *   http1.c          the byte-at-a-time state machine (the reference), the
 *                    message boundaries and the public interface
 *   http1_fast.c     the fast paths h1_feed() tries first: the usual bytes
 *                    taken in bulk, leaving the state the byte machine
 *                    would be in after the same bytes
 *   http1_headers.c  header lines: the capture into msg.hdrs (redaction,
 *                    URL scrubbing) and the headers that decide framing,
 *                    interpreted as they stream past
 *   http1_memo.c     the memo: a header section seen before is not parsed
 *                    again
 *
 * The parser is on the hot path of every request: the small helpers all
 * three use are static inline here, as they were inlined when the parser
 * was one file.
 */
#ifndef HT_HTTP1_INTERNAL_H
#define HT_HTTP1_INTERNAL_H

#include "copy.h"
#include "http1.h"

#include <string.h>

/* Internal states.  The order matters: S_IDLE, then the header-section
 * states (whose bytes count in header_bytes), then the body states. */
enum h1_internal_state {
	S_IDLE,
	/* start line */
	S_REQ_METHOD,      /* method token, up to SP */
	S_REQ_TARGET_FIRST,
	S_REQ_TARGET,      /* request target, up to SP */
	S_VERSION,         /* "HTTP/d.d"; tok_len is the position */
	S_REQ_LINE_END,    /* after the request version: CR or LF */
	S_RES_VERSION_SP,  /* after the response version: SP */
	S_RES_STATUS,      /* three digits; tok_len counts them */
	S_RES_STATUS_END,  /* SP before the reason, or end of line */
	S_RES_REASON,
	S_START_LF,        /* CR seen at the end of the start line */
	/* header section */
	S_HDR_LINE_START,  /* first byte of a header line or of the end CRLF */
	S_HDR_NAME,
	S_HDR_NAME_WS,     /* blanks between the name and ':' */
	S_HDR_VALUE_OWS,   /* blanks before the value */
	S_HDR_VALUE,
	S_HDR_LINE_LF,     /* CR seen at the end of a header line */
	S_HDR_END_LF,      /* CR seen on the empty line ending the section */
	/* body */
	S_BODY_CL,         /* @remaining bytes of a Content-Length body */
	S_BODY_CLOSE,      /* body runs until h1_finish() */
	S_CHUNK_SIZE_FIRST,
	S_CHUNK_SIZE,
	S_CHUNK_SIZE_WS,   /* blanks after the size: ';' or end of line */
	S_CHUNK_EXT,       /* chunk extension, skipped */
	S_CHUNK_SIZE_LF,   /* CR seen at the end of the chunk-size line */
	S_CHUNK_DATA,      /* @remaining bytes of chunk data */
	S_CHUNK_DATA_END,  /* CRLF after chunk data */
	S_CHUNK_DATA_LF,
	S_TRAILER_LINE_START,
	S_TRAILER_LINE,    /* a trailer field, skipped */
	S_TRAILER_END_LF,  /* CR seen on the empty line ending the trailers */
	/* terminal */
	S_TUNNEL,
	S_ERROR,
};

#define S_HEAD_FIRST S_REQ_METHOD
#define S_HEAD_LAST S_HDR_END_LF
#define S_BODY_FIRST S_BODY_CL
#define S_BODY_LAST S_TRAILER_END_LF

/* Headers that change what the parser does or reports. */
enum h1_header_id {
	HH_OTHER,
	HH_CONTENT_LENGTH,
	HH_TRANSFER_ENCODING,
	HH_CONNECTION,
	HH_HOST,
	HH_CONTENT_TYPE,
	HH_EXPECT,
	HH_UPGRADE,
	HH_URL,         /* Location, Content-Location, Referer: scrubbed */
};

/* Bits of h1_parser.flags, all reset at the start of a message. */
#define F_HDR_PENDING   0x0001u /* a header line is open (obs-fold may follow) */
#define F_NAME_LONG     0x0002u /* the name did not fit tok: matches nothing */
#define F_REDACTED      0x0004u /* the value is replaced in msg.hdrs */
#define F_VALUE_SEEN    0x0008u /* the value has a non-blank byte */
#define F_FOLD          0x0010u /* this value segment is an obs-fold */
#define F_CAP_WS_LOST   0x0020u /* blanks did not fit in msg.hdrs */
#define F_CL_DIGITS     0x0040u /* current Content-Length element has digits */
#define F_CL_ELEM_END   0x0080u /* ... and blanks after them */
#define F_CL_IN_HEADER  0x0100u /* this Content-Length header had a number */
#define F_TE_CHUNKED    0x0200u /* last transfer coding seen is chunked */
#define F_CONN_CLOSE    0x0400u /* Connection: close */
#define F_CONN_KEEP     0x0800u /* Connection: keep-alive */
#define F_FAILED_START  0x1000u /* failed before the start line's end */
#define F_TARGET_WS     0x2000u /* ... at the CR or LF after a target */

/* Largest Content-Length or chunk size accepted: far beyond any real body,
 * and sums of it cannot overflow. */
#define H1_SIZE_LIMIT ((uint64_t)1 << 62)

#define H1_EV_FAIL ((unsigned)H1_EV_ERROR)

/* RFC 9110 tchar: the bytes of methods and header names.  (Static: each
 * file that reads it has a copy of its own, read as the one file's was.) */
static const uint8_t tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static inline bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Control bytes other than HTAB: never part of a value or reason. */
static inline bool is_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static inline bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Value of a hex digit, or -1. */
static inline int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool capturing(const h1_parser *p)
{
	return p->capture;
}

static inline uint64_t load8(const void *b)
{
	uint64_t x;

	memcpy(&x, b, 8);
	return x;
}

static inline uint32_t load4(const void *b)
{
	uint32_t x;

	memcpy(&x, b, 4);
	return x;
}

/* A bit of h1_parser.redact_mask for a name of @len bytes whose first and
 * last bytes are @first and @last: a name whose bit is not in the mask is
 * redacted by no entry, and needs no comparison.  Bytes equal but for case
 * give the same bit (OR 0x20). */
static inline uint64_t redact_bit(size_t len, uint8_t first, uint8_t last)
{
	return (uint64_t)1 << ((len * 7 + (size_t)(first | 0x20) * 3 +
				(last | 0x20)) & 63);
}

/* Leave the current line out of msg.hdrs: it does not fit. */
static inline void capture_drop_line(h1_parser *p)
{
	p->msg.hdrs_len = p->hdr_line_start;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
	p->hdr_line_dropped = true;
	p->msg.hdrs_truncated = true;
}

/* Can @n more bytes go into the current line, keeping room for its CRLF
 * and the NUL? */
static inline bool capture_fits(const h1_parser *p, size_t n)
{
	return p->msg.hdrs_len + n + 3 <= sizeof(p->msg.hdrs);
}

/* h1_capture_put() of one byte. */
static inline void capture_byte(h1_parser *p, uint8_t c)
{
	if (!capturing(p) || p->hdr_line_dropped)
		return;
	if (!capture_fits(p, 1)) {
		capture_drop_line(p);
		return;
	}
	p->msg.hdrs[p->msg.hdrs_len++] = (char)c;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

/* The header line is over: trim trailing blanks and close it with CRLF. */
static inline void capture_end_line(h1_parser *p)
{
	if (!capturing(p) || p->hdr_line_dropped)
		return;
	p->msg.hdrs_len = p->hdr_value_end;
	/* capture_fits() kept room for these three bytes. */
	p->msg.hdrs[p->msg.hdrs_len++] = '\r';
	p->msg.hdrs[p->msg.hdrs_len++] = '\n';
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

/* Number of leading bytes of @b[0..n) up to and including the last
 * non-blank one (0: all blank). */
static inline size_t nonblank_len(const uint8_t *b, size_t n)
{
	while (n > 0 && is_blank(b[n - 1]))
		n--;
	return n;
}

/* val_put() of each of the @n bytes at @buf. */
static inline void val_put_run(h1_parser *p, const uint8_t *buf, size_t n)
{
	size_t room = sizeof(p->val) - 1 - p->val_len;
	size_t k = n < room ? n : room;
	size_t nb = nonblank_len(buf, k);

	ht_copy_short(p->val + p->val_len, buf, k);
	if (nb > 0)
		p->val_end = p->val_len + (uint32_t)nb;
	p->val_len += (uint32_t)k;
}

/* ---- header lines (http1_headers.c) ------------------------------------ */

/* h1_capture_put() - append @n bytes to the current captured line, or drop
 * the line when they do not fit. */
void h1_capture_put(h1_parser *p, const char *s, size_t n);

/* h1_capture_abandon() - the message ends inside its header section (an
 * error, or the connection ended): msg.hdrs must still hold whole lines.
 * A line whose value has begun is closed where it stopped (the error or the
 * cut says the rest is missing); a name without its colon is left out. */
void h1_capture_abandon(h1_parser *p);

/* h1_cl_byte() - one byte @c of a Content-Length value: 0, or H1_EV_FAIL
 * when the value is not a list of identical decimal numbers. */
unsigned h1_cl_byte(h1_parser *p, uint8_t c);

/* h1_list_byte() - one byte @c of a token-list header (Connection,
 * Transfer-Encoding, Expect, Upgrade); each element is interpreted at its
 * ',' and at the end of the line. */
void h1_list_byte(h1_parser *p, uint8_t c);

/* h1_list_run() - h1_list_byte() of each of the @n bytes at @s. */
void h1_list_run(h1_parser *p, const uint8_t *s, size_t n);

/* h1_value_byte() - one byte @c of a header value (after its leading
 * blanks): captured and interpreted.  0, or H1_EV_FAIL. */
unsigned h1_value_byte(h1_parser *p, uint8_t c);

/* h1_header_line_end() - header_end() of an open line (F_HDR_PENDING). */
unsigned h1_header_line_end(h1_parser *p);

/* h1_fold_begin() - a header line starts with a blank: an obs-fold
 * continuing the open value.  Trailing blanks before the fold go, so the
 * join is one SP. */
void h1_fold_begin(h1_parser *p);

/* h1_is_redacted() - is the header name @name (@len bytes, any case), whose
 * redact_bit() is in p->redact_mask, one of p->opt->redact? */
bool h1_is_redacted(const h1_parser *p, const char *name, size_t len);

/* Does the header name @s (@len token bytes, any case) equal @lc, of @len
 * lower-case letters and '-'?  For token bytes, OR-ing 0x20 lower-cases a
 * letter and maps nothing else onto a letter or '-' (only CR, not a token
 * byte, becomes '-'), so the name is compared 8 bytes at a time. */
static inline bool name_is(const char *s, size_t len, const char *lc)
{
	size_t i = 0;

	if (len >= 4 && len <= 8) /* two words, overlapping */
		return (load4(s) | 0x20202020u) == load4(lc) &&
		       (load4(s + len - 4) | 0x20202020u) ==
			       load4(lc + len - 4);
	for (; i + 8 <= len; i += 8) {
		if ((load8(s + i) | 0x2020202020202020ull) != load8(lc + i))
			return false;
	}
	if (i < len && len >= 8) /* the last word, overlapping */
		return (load8(s + len - 8) | 0x2020202020202020ull) ==
		       load8(lc + len - 8);
	for (; i < len; i++) {
		if (((uint8_t)s[i] | 0x20) != (uint8_t)lc[i])
			return false;
	}
	return true;
}

/* Header-name lookup for the headers the parser interprets: by length,
 * then one comparison.  @name holds token bytes only. */
static inline int classify_header(const char *name, size_t len)
{
	switch (len) {
	case 4:
		return name_is(name, 4, "host") ? HH_HOST : HH_OTHER;
	case 6:
		return name_is(name, 6, "expect") ? HH_EXPECT : HH_OTHER;
	case 7:
		if (name_is(name, 7, "referer"))
			return HH_URL;
		return name_is(name, 7, "upgrade") ? HH_UPGRADE : HH_OTHER;
	case 8:
		return name_is(name, 8, "location") ? HH_URL : HH_OTHER;
	case 10:
		return name_is(name, 10, "connection") ? HH_CONNECTION :
							  HH_OTHER;
	case 12:
		return name_is(name, 12, "content-type") ? HH_CONTENT_TYPE :
							    HH_OTHER;
	case 14:
		return name_is(name, 14, "content-length") ?
			       HH_CONTENT_LENGTH : HH_OTHER;
	case 16:
		return name_is(name, 16, "content-location") ? HH_URL :
								HH_OTHER;
	case 17:
		return name_is(name, 17, "transfer-encoding") ?
			       HH_TRANSFER_ENCODING : HH_OTHER;
	default:
		return HH_OTHER;
	}
}

/* h1_name_meaning() - the colon after the header name @name (@len bytes,
 * or F_NAME_LONG): decide what the value means.  Inline: every header
 * line of every message comes here. */
static inline void h1_name_meaning(h1_parser *p, const char *name,
				   size_t len)
{
	if (len >= sizeof(p->tok))
		p->flags |= F_NAME_LONG;
	if (!(p->flags & F_NAME_LONG)) {
		p->cur_header = classify_header(name, len);
		if ((p->redact_mask &
		     redact_bit(len, (uint8_t)name[0], (uint8_t)name[len - 1])) &&
		    h1_is_redacted(p, name, len))
			p->flags |= F_REDACTED;
	}
	switch (p->cur_header) {
	case HH_TRANSFER_ENCODING:
		p->te_seen = true;
		break;
	case HH_UPGRADE:
		p->msg.upgrade = true;
		break;
	default:
		break;
	}
	p->val_len = 0;
	p->val_end = 0;
}


/* h1_name_end_capture() - ... and capture what follows the name: the value
 * comes next (state S_HDR_VALUE_OWS). */
void h1_name_end_capture(h1_parser *p);

/* The open header line is complete (the next line is not a fold): its
 * value interpreted and its capture closed.  0, or H1_EV_FAIL (a
 * Content-Length without a number, or two different ones).  The test is
 * inline: the line is often not open (the first line of a section). */
static inline unsigned header_end(h1_parser *p)
{
	if (!(p->flags & F_HDR_PENDING))
		return 0;
	return h1_header_line_end(p);
}

/* A header line begins (its name's first byte). */
static inline void header_line_begin(h1_parser *p)
{
	p->flags |= F_HDR_PENDING;
	p->hdr_line_start = p->msg.hdrs_len;
	p->hdr_line_dropped = false;
}

/* First byte of a header name. */
static inline void header_begin(h1_parser *p, uint8_t c)
{
	header_line_begin(p);
	p->tok[0] = (char)c;
	p->tok_len = 1;
	capture_byte(p, c);
	p->state = S_HDR_NAME;
}

static inline void header_name_end_at(h1_parser *p, const char *name,
				      size_t len)
{
	h1_name_meaning(p, name, len);
	h1_name_end_capture(p);
}

static inline void header_name_end(h1_parser *p)
{
	header_name_end_at(p, p->tok, p->tok_len);
}

/* ---- shared by the byte machine and the fast paths --------------------- */

/* The message is not HTTP/1.x: the parser stays in S_ERROR. */
static inline unsigned fail(h1_parser *p)
{
	h1_capture_abandon(p);
	if (p->state < S_HDR_LINE_START)
		p->flags |= F_FAILED_START;
	p->state = S_ERROR;
	return H1_EV_FAIL;
}

/* The LF ending a chunk-size line: data follows, or the trailers after the
 * last (zero-size) chunk. */
static inline unsigned chunk_size_line_end(h1_parser *p)
{
	p->state = p->remaining == 0 ? S_TRAILER_LINE_START : S_CHUNK_DATA;
	return 0;
}

/* ---- fast paths (http1_fast.c) ----------------------------------------- */

/*
 * Each takes the usual bytes at the start of @buf (@len > 0) in bulk and
 * returns how many it consumed, stopping at the end of its input, at an
 * event, or before a byte it leaves to the byte machine; the state is then
 * the byte machine's after the same bytes.  0: the next byte is the byte
 * machine's.
 */

/* h1_start_fast() - in a start-line state (S_REQ_METHOD .. S_START_LF).
 * Every byte it consumes is a header byte: the caller counts them. */
size_t h1_start_fast(h1_parser *p, const uint8_t *buf, size_t len,
		     unsigned *ev);

/* h1_header_fast() - in a header-line state (S_HDR_LINE_START ..
 * S_HDR_LINE_LF; the caller counts the bytes too).  Sets *@ev to
 * H1_EV_ERROR when the last byte it consumed is an error. */
size_t h1_header_fast(h1_parser *p, const uint8_t *buf, size_t len,
		      unsigned *ev);

/* h1_chunk_fast() - chunk-size lines, the CRLF after chunk data,
 * extensions and trailer fields (chunk data itself is taken in h1_feed()). */
size_t h1_chunk_fast(h1_parser *p, const uint8_t *buf, size_t len);

/* ---- http1.c: the message boundaries the memo shares ---------------------- */

/* h1_message_begin() - start a new message at its first byte @c.  Returns
 * H1_EV_BEGIN, or H1_EV_ERROR when @c cannot start a message. */
unsigned h1_message_begin(h1_parser *p, uint8_t c);

/* h1_headers_done() - the final LF of the header section: decide how the
 * body is framed.  Returns the events it gives. */
unsigned h1_headers_done(h1_parser *p);

/* ---- http1_memo.c: header sections seen before ---------------------------- */

/* h1_memo_fits() - may this message's header section be remembered, or
 * taken from the memo?  Not that of a response with a 1xx status or to a
 * CONNECT. */
bool h1_memo_fits(const h1_parser *p);

/* h1_memo_keep() - the header section just parsed in this h1_feed() call
 * ended at H1_EV_HEADERS without an error, its lines at [@lines_at, @end)
 * of @buf, its start line from its second byte at @start_at (SIZE_MAX: not
 * all in this call): remember them and what they set. */
void h1_memo_keep(h1_parser *p, const uint8_t *buf, size_t start_at,
		  size_t lines_at, size_t end);

/* h1_memo_take_head() - right after BEGIN, with @len bytes at @buf: when
 * they begin with the rest of the remembered head, take it as parsed.
 * Returns the bytes taken (the final LF gave *@events), or 0. */
size_t h1_memo_take_head(h1_parser *p, const uint8_t *buf, size_t len,
			 unsigned *events);

/* h1_memo_take_lines() - right after the start line, with @len bytes at
 * @buf: when they begin with the remembered lines, take them as parsed.
 * Returns the bytes taken (their final LF gave *@events), or 0: the memo
 * is then forgotten. */
size_t h1_memo_take_lines(h1_parser *p, const uint8_t *buf, size_t len,
			  unsigned *events);

#endif
