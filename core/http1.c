/*
 * http1.c - incremental HTTP/1.x message parser (see http1.h).
 *
 * One byte-driven state machine per direction, parse_byte(), which
 * dispatches on the internal state.  Because it only ever looks at one byte
 * and its own state, the result does not depend on how the input was split.
 * It is the reference: the fast paths (start_fast(), header_fast(),
 * chunk_fast()) take the usual bytes in bulk -- runs of a method, target,
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
 *  - blanks between a header name and the colon are tolerated; a header line
 *    without a colon, a name with non-token bytes, or control bytes other
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
#include "http1.h"
#include "urlscrub.h"

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

/* Largest Content-Length or chunk size accepted: far beyond any real body,
 * and sums of it cannot overflow. */
#define H1_SIZE_LIMIT ((uint64_t)1 << 62)

#define H1_EV_FAIL ((unsigned)H1_EV_ERROR)

/* RFC 9110 tchar: the bytes of methods and header names. */
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

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Control bytes other than HTAB: never part of a value or reason. */
static bool is_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Value of a hex digit, or -1. */
static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint8_t to_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Does @s (@len bytes, any case) equal the lower-case NUL-terminated @lc? */
static bool equals_lower(const char *s, size_t len, const char *lc)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (lc[i] == '\0' || to_lower((uint8_t)s[i]) != (uint8_t)lc[i])
			return false;
	}
	return lc[i] == '\0';
}

static bool capturing(const h1_parser *p)
{
	return p->capture;
}

static uint64_t load8(const void *b)
{
	uint64_t x;

	memcpy(&x, b, 8);
	return x;
}

/* Does the header name @s (@len token bytes, any case) equal @lc, of @len
 * lower-case letters and '-'?  For token bytes, OR-ing 0x20 lower-cases a
 * letter and maps nothing else onto a letter or '-' (only CR, not a token
 * byte, becomes '-'), so the name is compared 8 bytes at a time. */
static uint32_t load4(const void *b)
{
	uint32_t x;

	memcpy(&x, b, 4);
	return x;
}

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
static int classify_header(const char *name, size_t len)
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

/* A bit of h1_parser.redact_mask for a name of @len bytes whose first and
 * last bytes are @first and @last: a name whose bit is not in the mask is
 * redacted by no entry, and needs no comparison.  Bytes equal but for case
 * give the same bit (OR 0x20). */
static uint64_t redact_bit(size_t len, uint8_t first, uint8_t last)
{
	return (uint64_t)1 << ((len * 7 + (size_t)(first | 0x20) * 3 +
				(last | 0x20)) & 63);
}

static bool is_redacted(const h1_parser *p, const char *name, size_t len)
{
	const char *const *r;

	if (!(p->redact_mask & redact_bit(len, (uint8_t)name[0],
					 (uint8_t)name[len - 1])))
		return false;
	for (r = p->opt->redact; *r != NULL; r++) {
		if (equals_lower(name, len, *r))
			return true;
	}
	return false;
}

/* ---- msg.hdrs capture ------------------------------------------------- */

/* memcpy() of a few bytes without a call: names and most values are short.
 * Every access stays inside [@s, @s + @n) and [@d, @d + @n). */
static inline void copy_short(char *d, const void *src, size_t n)
{
	const uint8_t *s = src;

	if (n > 16 && n <= 32) {
		uint64_t a, b, c, e;

		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		memcpy(&c, s + n - 16, 8);
		memcpy(&e, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		memcpy(d + n - 16, &c, 8);
		memcpy(d + n - 8, &e, 8);
	} else if (n >= 8 && n <= 16) {
		uint64_t a, b;

		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else {
		memcpy(d, s, n);
	}
}

/* Leave the current line out of msg.hdrs: it does not fit. */
static void capture_drop_line(h1_parser *p)
{
	p->msg.hdrs_len = p->hdr_line_start;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
	p->hdr_line_dropped = true;
	p->msg.hdrs_truncated = true;
}

/* Can @n more bytes go into the current line, keeping room for its CRLF
 * and the NUL? */
static bool capture_fits(const h1_parser *p, size_t n)
{
	return p->msg.hdrs_len + n + 3 <= sizeof(p->msg.hdrs);
}

/* Append @n bytes to the current captured line, or drop the line. */
static void capture_put(h1_parser *p, const char *s, size_t n)
{
	if (!capturing(p) || p->hdr_line_dropped)
		return;
	if (!capture_fits(p, n)) {
		capture_drop_line(p);
		return;
	}
	copy_short(p->msg.hdrs + p->msg.hdrs_len, s, n);
	p->msg.hdrs_len += (uint32_t)n;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

/* capture_put() of one byte. */
static void capture_byte(h1_parser *p, uint8_t c)
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

/* One byte of a value.  Blanks are stored but trimmed at the end of the
 * line; blanks that do not fit only drop the line if more value follows. */
static void capture_value_byte(h1_parser *p, uint8_t c)
{
	if (!capturing(p) || p->hdr_line_dropped || (p->flags & F_REDACTED))
		return;
	if (is_blank(c)) {
		if (capture_fits(p, 1))
			capture_byte(p, c);
		else
			p->flags |= F_CAP_WS_LOST;
		return;
	}
	if (p->flags & F_CAP_WS_LOST) {
		capture_drop_line(p);
		return;
	}
	capture_byte(p, c);
	p->hdr_value_end = p->msg.hdrs_len;
}

/* The header line is over: trim trailing blanks and close it with CRLF. */
static void capture_end_line(h1_parser *p)
{
	if (!capturing(p) || p->hdr_line_dropped)
		return;
	p->msg.hdrs_len = p->hdr_value_end;
	/* capture_fits() kept room for these three bytes. */
	p->msg.hdrs[p->msg.hdrs_len++] = '\r';
	p->msg.hdrs[p->msg.hdrs_len++] = '\n';
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

/* The value of a Location, Content-Location or Referer line, whole in
 * msg.hdrs from hdr_value_start to hdr_value_end, loses its credentials
 * (urlscrub.h; @flags HT_URL_CUT when the line was cut short).  A value
 * that no longer fits drops the line, as any line that does not fit. */
static void capture_scrub_url(h1_parser *p, unsigned flags)
{
	uint32_t a = p->hdr_value_start, e = p->hdr_value_end;
	bool lost = false;
	size_t n;

	if (!capturing(p) || p->hdr_line_dropped || (p->flags & F_REDACTED) ||
	    p->opt->redact_query == NULL || e <= a)
		return;
	/* capture_fits() kept e + 3 <= sizeof(hdrs): room for CRLF, NUL */
	n = ht_url_scrub(p->msg.hdrs + a, e - a, sizeof(p->msg.hdrs) - 3 - a,
			 p->opt->redact_query, flags, &lost);
	if (lost) {
		capture_drop_line(p);
		return;
	}
	p->hdr_value_end = a + (uint32_t)n;
	p->msg.hdrs_len = p->hdr_value_end;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

/* The message ends inside its header section (an error, or the connection
 * ended): msg.hdrs must still hold whole lines.  A line whose value has
 * begun is closed where it stopped (the error or the cut says the rest is
 * missing); a name without its colon is left out. */
static void capture_abandon(h1_parser *p)
{
	if (!capturing(p) || !(p->flags & F_HDR_PENDING) ||
	    p->state < S_HDR_LINE_START || p->state > S_HDR_END_LF)
		return;
	if (p->state == S_HDR_NAME || p->state == S_HDR_NAME_WS) {
		p->msg.hdrs_len = p->hdr_line_start;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	} else {
		if (p->cur_header == HH_URL)
			capture_scrub_url(p, HT_URL_CUT);
		capture_end_line(p);
	}
	p->flags &= ~F_HDR_PENDING;
}

/* ---- interpreted header values ---------------------------------------- */

/* Append a value byte to p->val (truncated), tracking trailing blanks. */
static void val_put(h1_parser *p, uint8_t c)
{
	if (p->val_len + 1 < sizeof(p->val)) {
		p->val[p->val_len++] = (char)c;
		if (!is_blank(c))
			p->val_end = p->val_len;
	}
}

/* End of one Content-Length element: it must agree with any earlier one. */
static unsigned cl_element_end(h1_parser *p)
{
	if (!(p->flags & F_CL_DIGITS))
		return 0; /* empty list element */
	if (p->cl_seen && (uint64_t)p->msg.content_length != p->cl_elem)
		return H1_EV_FAIL;
	p->msg.content_length = (int64_t)p->cl_elem;
	p->cl_seen = true;
	p->cl_elem = 0;
	p->flags &= ~(F_CL_DIGITS | F_CL_ELEM_END);
	p->flags |= F_CL_IN_HEADER;
	return 0;
}

static unsigned cl_byte(h1_parser *p, uint8_t c)
{
	if (is_digit(c)) {
		if (p->flags & F_CL_ELEM_END)
			return H1_EV_FAIL; /* "5 5" */
		if (p->cl_elem >= H1_SIZE_LIMIT / 10)
			return H1_EV_FAIL;
		p->cl_elem = p->cl_elem * 10 + (uint64_t)(c - '0');
		p->flags |= F_CL_DIGITS;
		return 0;
	}
	if (is_blank(c)) {
		if (p->flags & F_CL_DIGITS)
			p->flags |= F_CL_ELEM_END;
		return 0;
	}
	if (c == ',')
		return cl_element_end(p);
	return H1_EV_FAIL;
}

/* Does the value element @s (@len bytes: no control byte but HTAB) equal
 * @lc (lower-case letters, digits and '-', any case)?  name_is() is exact
 * for such bytes too: only control bytes OR 0x20 onto '-' or a digit, and
 * HTAB onto ')'. */
#define value_is(s, len, lc) \
	((len) == sizeof(lc) - 1 && name_is((s), (len), (lc)))

/* A complete element of a token-list header (Connection, Transfer-Encoding,
 * Expect) is in p->val. */
static void list_element_end(h1_parser *p)
{
	size_t len = p->val_end;

	p->val_len = 0;
	p->val_end = 0;
	if (len == 0)
		return;
	switch (p->cur_header) {
	case HH_TRANSFER_ENCODING: {
		/* The coding name ends at its parameters, if any. */
		size_t n = 0;

		while (n < len && p->val[n] != ';')
			n++;
		while (n > 0 && is_blank((uint8_t)p->val[n - 1]))
			n--;
		if (value_is(p->val, n, "chunked"))
			p->flags |= F_TE_CHUNKED;
		else
			p->flags &= ~F_TE_CHUNKED;
		break;
	}
	case HH_CONNECTION:
		if (value_is(p->val, len, "close"))
			p->flags |= F_CONN_CLOSE;
		else if (value_is(p->val, len, "keep-alive"))
			p->flags |= F_CONN_KEEP;
		else if (value_is(p->val, len, "upgrade"))
			p->msg.upgrade = true;
		break;
	case HH_EXPECT:
		if (value_is(p->val, len, "100-continue"))
			p->msg.expect_continue = true;
		break;
	case HH_UPGRADE:
		if (value_is(p->val, len, "h2c"))
			p->msg.upgrade_h2c = true;
		break;
	default:
		break;
	}
}

static void list_byte(h1_parser *p, uint8_t c)
{
	if (c == ',')
		list_element_end(p);
	else if (!is_blank(c) || p->val_len > 0)
		val_put(p, c);
}

/* One byte of a header value (after its leading blanks). */
static unsigned value_byte(h1_parser *p, uint8_t c)
{
	capture_value_byte(p, c);
	if (!is_blank(c))
		p->flags |= F_VALUE_SEEN;
	switch (p->cur_header) {
	case HH_CONTENT_LENGTH:
		return cl_byte(p, c);
	case HH_TRANSFER_ENCODING:
	case HH_CONNECTION:
	case HH_EXPECT:
	case HH_UPGRADE:
		list_byte(p, c);
		break;
	case HH_HOST:
	case HH_CONTENT_TYPE:
		val_put(p, c);
		break;
	default:
		break;
	}
	return 0;
}

/* Copy the trimmed value in p->val to @dst (of @size bytes) unless an earlier
 * header already filled it. */
static void val_copy_first(h1_parser *p, char *dst, size_t size)
{
	size_t n = p->val_end;

	if (dst[0] != '\0')
		return;
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, p->val, n);
	dst[n] = '\0';
}

/* The open header line is complete (the next line is not a fold). */
static unsigned header_end(h1_parser *p)
{
	unsigned ev = 0;

	if (!(p->flags & F_HDR_PENDING))
		return 0;
	if (p->cur_header == HH_URL)
		capture_scrub_url(p, 0);
	capture_end_line(p);
	switch (p->cur_header) {
	case HH_CONTENT_LENGTH:
		ev = cl_element_end(p);
		if (!(p->flags & F_CL_IN_HEADER))
			ev = H1_EV_FAIL; /* empty or blank-only value */
		break;
	case HH_TRANSFER_ENCODING:
	case HH_CONNECTION:
	case HH_EXPECT:
	case HH_UPGRADE:
		list_element_end(p);
		break;
	case HH_HOST:
		val_copy_first(p, p->msg.host, sizeof(p->msg.host));
		break;
	case HH_CONTENT_TYPE:
		val_copy_first(p, p->msg.content_type,
			       sizeof(p->msg.content_type));
		break;
	default:
		break;
	}
	p->flags &= ~(F_HDR_PENDING | F_REDACTED | F_VALUE_SEEN | F_FOLD |
		      F_CAP_WS_LOST | F_CL_DIGITS | F_CL_ELEM_END |
		      F_CL_IN_HEADER | F_NAME_LONG);
	p->cur_header = HH_OTHER;
	p->val_len = 0;
	p->val_end = 0;
	p->cl_elem = 0;
	return ev;
}

/* A header line begins (its name's first byte). */
static void header_line_begin(h1_parser *p)
{
	p->flags |= F_HDR_PENDING;
	p->hdr_line_start = p->msg.hdrs_len;
	p->hdr_line_dropped = false;
}

/* First byte of a header name. */
static void header_begin(h1_parser *p, uint8_t c)
{
	header_line_begin(p);
	p->tok[0] = (char)c;
	p->tok_len = 1;
	capture_byte(p, c);
	p->state = S_HDR_NAME;
}

/* A header line starts with a blank: an obs-fold continuing the open
 * value.  Trailing blanks before the fold go, so the join is one SP. */
static void fold_begin(h1_parser *p)
{
	p->flags |= F_FOLD;
	p->flags &= ~F_CAP_WS_LOST;
	if (capturing(p) && !p->hdr_line_dropped) {
		p->msg.hdrs_len = p->hdr_value_end;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	}
	p->val_len = p->val_end;
}

/* The colon after the header name @name (@len bytes, or F_NAME_LONG):
 * decide what the value means. */
static void name_meaning(h1_parser *p, const char *name, size_t len)
{
	if (len >= sizeof(p->tok))
		p->flags |= F_NAME_LONG;
	if (!(p->flags & F_NAME_LONG)) {
		p->cur_header = classify_header(name, len);
		if (p->redact_mask && is_redacted(p, name, len))
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

/* ... and capture what follows the name: the value comes next. */
static void name_end_capture(h1_parser *p)
{
	static const char sep[] = ": ";
	static const char redacted[] = "[redacted]";

	if (capturing(p) && !p->hdr_line_dropped && capture_fits(p, 2)) {
		memcpy(p->msg.hdrs + p->msg.hdrs_len, sep, 2);
		p->msg.hdrs_len += 2;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	} else {
		capture_put(p, sep, sizeof(sep) - 1);
	}
	p->hdr_value_start = p->msg.hdrs_len;
	if (p->flags & F_REDACTED)
		capture_put(p, redacted, sizeof(redacted) - 1);
	p->hdr_value_end = p->msg.hdrs_len;
	p->state = S_HDR_VALUE_OWS;
}

static void header_name_end_at(h1_parser *p, const char *name, size_t len)
{
	name_meaning(p, name, len);
	name_end_capture(p);
}

static void header_name_end(h1_parser *p)
{
	header_name_end_at(p, p->tok, p->tok_len);
}

/* ---- message boundaries ----------------------------------------------- */

static unsigned fail(h1_parser *p)
{
	capture_abandon(p);
	p->state = S_ERROR;
	return H1_EV_FAIL;
}

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
	m->target_truncated = false;
	m->status = 0;
	m->reason[0] = '\0';
	m->version_major = 0;
	m->version_minor = 0;
	m->content_length = -1;
	m->chunked = false;
	m->keep_alive = false;
	m->upgrade = false;
	m->upgrade_h2c = false;
	m->expect_continue = false;
	m->body_by_close = false;
	m->host[0] = '\0';
	m->content_type[0] = '\0';
	m->header_bytes = 0;
	m->body_bytes = 0;
	m->hdrs[0] = '\0';
	m->hdrs_len = 0;
	m->hdrs_truncated = false;
}

/* Start a new message at its first byte @c.  Returns H1_EV_BEGIN, or
 * H1_EV_ERROR when @c cannot start a message. */
static unsigned message_begin(h1_parser *p, uint8_t c)
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
static unsigned headers_done(h1_parser *p)
{
	h1_message *m = &p->msg;
	bool v11 = m->version_major > 1 ||
		   (m->version_major == 1 && m->version_minor >= 1);

	if (p->flags & F_CONN_CLOSE)
		m->keep_alive = false;
	else
		m->keep_alive = v11 || (p->flags & F_CONN_KEEP);
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
	p->state = S_BODY_CLOSE;
	return H1_EV_HEADERS;
}

/* ---- the byte machine --------------------------------------------------- */

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
		return 0;
	case S_REQ_TARGET_FIRST:
	case S_REQ_TARGET:
		if (c == ' ' && p->state == S_REQ_TARGET) {
			p->tok_len = 0;
			p->state = S_VERSION;
			return 0;
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
		if (c == '\r')
			p->state = S_START_LF;
		else if (c == '\n')
			p->state = S_HDR_LINE_START;
		else
			return fail(p);
		return 0;
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
		if (c == ' ')
			p->state = S_RES_REASON;
		else if (c == '\r')
			p->state = S_START_LF;
		else if (c == '\n')
			p->state = S_HDR_LINE_START;
		else
			return fail(p);
		return 0;
	case S_RES_REASON:
		if (c == '\r') {
			p->state = S_START_LF;
		} else if (c == '\n') {
			p->state = S_HDR_LINE_START;
		} else if (is_ctl(c)) {
			return fail(p);
		} else if (p->tok_len + 1 < sizeof(m->reason)) {
			m->reason[p->tok_len++] = (char)c;
			m->reason[p->tok_len] = '\0';
		}
		return 0;
	case S_START_LF:
		if (c != '\n')
			return fail(p);
		p->state = S_HDR_LINE_START;
		return 0;
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
			fold_begin(p);
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
			return headers_done(p);
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
			header_name_end(p);
		else if (!is_blank(c))
			return fail(p);
		return 0;
	case S_HDR_VALUE_OWS:
	case S_HDR_VALUE:
		if (c == '\r') {
			p->state = S_HDR_LINE_LF;
			return 0;
		}
		if (c == '\n') {
			p->state = S_HDR_LINE_START;
			return 0;
		}
		if (is_ctl(c))
			return fail(p);
		if (p->state == S_HDR_VALUE_OWS) {
			if (is_blank(c))
				return 0;
			p->state = S_HDR_VALUE;
			/* A folded segment joins the value with one SP. */
			if ((p->flags & F_FOLD) && (p->flags & F_VALUE_SEEN) &&
			    value_byte(p, ' '))
				return fail(p);
			p->flags &= ~F_FOLD;
		}
		if (value_byte(p, c))
			return fail(p);
		return 0;
	case S_HDR_LINE_LF:
		if (c != '\n')
			return fail(p);
		p->state = S_HDR_LINE_START;
		return 0;
	case S_HDR_END_LF:
		if (c != '\n')
			return fail(p);
		return headers_done(p);
	default:
		return fail(p);
	}
}

/* The LF ending a chunk-size line: data follows, or the trailers after the
 * last (zero-size) chunk. */
static unsigned chunk_size_line_end(h1_parser *p)
{
	p->state = p->remaining == 0 ? S_TRAILER_LINE_START : S_CHUNK_DATA;
	return 0;
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
		if (c == '\r')
			p->state = S_CHUNK_DATA_LF;
		else if (c == '\n')
			p->state = S_CHUNK_SIZE_FIRST;
		else
			return fail(p);
		return 0;
	case S_CHUNK_DATA_LF:
		if (c != '\n')
			return fail(p);
		p->state = S_CHUNK_SIZE_FIRST;
		return 0;
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

/* ---- fast paths ----------------------------------------------------------
 *
 * The byte machine above is the reference.  The fast paths below take the
 * usual bytes in bulk: runs of ordinary bytes (a method, a target, a reason,
 * a header name or value, a chunk size) are scanned, copied and counted at
 * once, and the usual transitions (SP, ':' and blanks, CRLF, the first byte
 * of the next header name) are taken inline.  Each stops, having consumed
 * what it returns, at the end of its input, at an event, or before a byte it
 * leaves to parse_byte() (the empty line ending the headers, an obs-fold,
 * blanks before ':', a bare LF, anything malformed), and always leaves the
 * state the byte machine would be in after the same bytes: the split of the
 * input changes nothing. */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* The bytes of the little-endian word @x below @lim (at most 0x80) or
 * equal to DEL (0x7f), as the high bit of each: 0 when there is none.  The
 * lowest bit set is exact (a borrow only marks bytes above a marked one),
 * so its byte is the first such byte of the word. */
static uint64_t word_below_or_del(uint64_t x, uint64_t lim)
{
	uint64_t y = x ^ (0x7f * ONES);

	return (((x - lim * ONES) & ~x) | ((y - ONES) & ~y)) & HIGHS;
}

/* Length of the run at @b of bytes that are not below @lim nor DEL, HTAB
 * excepted (@lim 0x20: no control byte but HTAB, the bytes of a header
 * value or a reason phrase; 0x21: no SP either, a request target). */
static inline size_t run_until(const uint8_t *b, size_t len, uint64_t lim)
{
	size_t n = 0;

	while (n + 8 <= len) {
		uint64_t m = word_below_or_del(load8(b + n), lim);

		if (m == 0) {
			n += 8;
			continue;
		}
		n += (size_t)__builtin_ctzll(m) / 8;
		if (b[n] != '\t')
			return n;
		n++; /* HTAB goes on */
	}
	while (n < len && (b[n] >= lim || b[n] == '\t') && b[n] != 0x7f)
		n++;
	return n;
}

static size_t value_run(const uint8_t *b, size_t len)
{
	return run_until(b, len, 0x20);
}

static size_t target_run(const uint8_t *b, size_t len)
{
	return run_until(b, len, 0x21);
}

static size_t token_run(const uint8_t *b, size_t len)
{
	size_t n = 0;

	while (n + 4 <= len &&
	       (tchar[b[n]] & tchar[b[n + 1]] & tchar[b[n + 2]] &
		tchar[b[n + 3]]))
		n += 4;
	/* at most 3 more: straight on */
	if (n < len && tchar[b[n]] && ++n < len && tchar[b[n]] &&
	    ++n < len && tchar[b[n]])
		n++;
	return n;
}

/* Add @n bytes to the header section's size (saturating). */
static void count_head(h1_parser *p, size_t n)
{
	uint32_t hb = p->msg.header_bytes;

	p->msg.header_bytes = n < (size_t)(UINT32_MAX - hb) ?
				      hb + (uint32_t)n : UINT32_MAX;
}

/* Number of leading bytes of @b[0..n) up to and including the last
 * non-blank one (0: all blank). */
static size_t nonblank_len(const uint8_t *b, size_t n)
{
	while (n > 0 && is_blank(b[n - 1]))
		n--;
	return n;
}

/* The run of token bytes at the start of @buf, inside a header name: to
 * tok (as far as it fits) and to msg.hdrs.  Returns its length. */
static size_t bulk_name(h1_parser *p, const uint8_t *buf, size_t len)
{
	size_t n = token_run(buf, len);

	if (n == 0)
		return 0;
	size_t room = sizeof(p->tok) - p->tok_len;
	size_t k = n < room ? n : room;
	memcpy(p->tok + p->tok_len, buf, k);
	p->tok_len += (uint32_t)k;
	if (k < n)
		p->flags |= F_NAME_LONG;
	capture_put(p, (const char *)buf, n);
	return n;
}

/* capture_value_byte() of each of the @n bytes at @buf, whose first @nb
 * hold every non-blank one. */
static void capture_value_run(h1_parser *p, const uint8_t *buf, size_t n,
			      size_t nb)
{
	if (!capturing(p) || p->hdr_line_dropped || (p->flags & F_REDACTED))
		return;
	/* Blanks are kept while they fit (trimmed at the end of the line),
	 * a non-blank that does not fit drops the line, and so does one after
	 * blanks that did not fit. */
	uint32_t at = p->msg.hdrs_len;
	size_t room = sizeof(p->msg.hdrs) - 3 > at ?
			      sizeof(p->msg.hdrs) - 3 - at : 0;
	size_t keep = n < room ? n : room;

	if (nb > 0 && ((p->flags & F_CAP_WS_LOST) || nb > room)) {
		capture_drop_line(p);
	} else if (!(p->flags & F_CAP_WS_LOST)) {
		copy_short(p->msg.hdrs + at, buf, keep);
		p->msg.hdrs_len += (uint32_t)keep;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
		if (nb > 0)
			p->hdr_value_end = at + (uint32_t)nb;
		if (keep < n)
			p->flags |= F_CAP_WS_LOST; /* only blanks lost */
	}
}

/* val_put() of each of the @n bytes at @buf. */
static void val_put_run(h1_parser *p, const uint8_t *buf, size_t n)
{
	size_t room = sizeof(p->val) - 1 - p->val_len;
	size_t k = n < room ? n : room;
	size_t nb = nonblank_len(buf, k);

	copy_short(p->val + p->val_len, buf, k);
	if (nb > 0)
		p->val_end = p->val_len + (uint32_t)nb;
	p->val_len += (uint32_t)k;
}

/* In S_HDR_VALUE: value_byte() of the run of value bytes at the start of
 * @buf, up to the first control byte (the line's CR or LF).  Returns how
 * many bytes it took; sets *@ev to H1_EV_ERROR when the last of them is
 * an error (a Content-Length byte). */
static size_t bulk_value(h1_parser *p, const uint8_t *buf, size_t len,
			 unsigned *ev)
{
	size_t n = value_run(buf, len), k;
	bool bad = false;

	if (n == 0)
		return 0;
	switch (p->cur_header) {
	case HH_OTHER:
	case HH_URL:
		break;
	case HH_CONTENT_LENGTH:
		for (k = 0; k < n; k++) {
			if (cl_byte(p, buf[k])) {
				n = k + 1;
				bad = true;
				break;
			}
		}
		break;
	case HH_HOST:
	case HH_CONTENT_TYPE:
		val_put_run(p, buf, n);
		break;
	default: /* token lists */
		for (k = 0; k < n; k++)
			list_byte(p, buf[k]);
		break;
	}
	/* The capture and the interpretation touch nothing of each other's:
	 * their order does not matter. */
	size_t nb = nonblank_len(buf, n);
	capture_value_run(p, buf, n, nb);
	if (nb > 0)
		p->flags |= F_VALUE_SEEN;
	if (bad)
		*ev = fail(p);
	return n;
}

/* The header line at @s (@rem bytes from there) starts with a name of @n
 * bytes, ": " and a non-blank byte; the name means no error and is not
 * redacted.  When the line is the usual "Name: value\r\n", whole in @s,
 * with no blank at the value's end, and fits in msg.hdrs, it is captured
 * as it stands, in one copy, its value interpreted, and the state is the
 * byte machine's after its LF.  Returns the value's length, or 0 (nothing
 * done) for anything else. */
static size_t whole_line(h1_parser *p, const uint8_t *s, size_t n, size_t rem)
{
	const uint8_t *val = s + n + 2;
	size_t len = rem - n - 2;
	size_t e = value_run(val, len), k;
	size_t line = n + 2 + e;

	if (e == 0 || e + 1 >= len || val[e] != '\r' || val[e + 1] != '\n' ||
	    is_blank(val[e - 1]) || (capturing(p) && !capture_fits(p, line)))
		return 0;
	switch (p->cur_header) {
	case HH_OTHER:
	case HH_URL:
		break;
	case HH_HOST:
	case HH_CONTENT_TYPE:
		val_put_run(p, val, e);
		break;
	default: /* token lists */
		for (k = 0; k < e; k++)
			list_byte(p, val[k]);
		break;
	}
	if (capturing(p)) {
		char *d = p->msg.hdrs + p->msg.hdrs_len;

		p->hdr_value_start = p->msg.hdrs_len + (uint32_t)n + 2;
		copy_short(d, s, line);
		p->msg.hdrs_len += (uint32_t)line;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	}
	p->hdr_value_end = p->msg.hdrs_len;
	p->flags |= F_VALUE_SEEN;
	p->state = S_HDR_LINE_START;
	return e;
}

/* The start line.  Every byte the fast paths of the start line and the
 * header lines consume is a header byte: h1_feed() counts them. */
static size_t start_fast(h1_parser *p, const uint8_t *buf, size_t len,
			 unsigned *ev)
{
	static const char proto[] = "HTTP/";
	h1_message *m = &p->msg;
	size_t i = 0, n, k;

	(void)ev; /* errors are the byte machine's */
	switch (p->state) {
	case S_REQ_METHOD:
		n = token_run(buf, len);
		/* the byte machine fails on a byte beyond 23 */
		k = sizeof(m->method) - 1 - p->tok_len;
		if (n > k)
			n = k;
		memcpy(m->method + p->tok_len, buf, n);
		p->tok_len += (uint32_t)n;
		m->method[p->tok_len] = '\0';
		i = n;
		if (i == len || buf[i] != ' ')
			return i;
		p->state = S_REQ_TARGET_FIRST;
		i++;
		/* fall through */
	case S_REQ_TARGET_FIRST:
		if (i == len || buf[i] == ' ' || is_ctl(buf[i]))
			return i;
		p->tok_len = 0;
		p->state = S_REQ_TARGET;
		/* fall through */
	case S_REQ_TARGET:
		n = target_run(buf + i, len - i);
		k = sizeof(m->target) - 1 - p->tok_len;
		if (k > n)
			k = n;
		memcpy(m->target + p->tok_len, buf + i, k);
		p->tok_len += (uint32_t)k;
		m->target[p->tok_len] = '\0';
		if (k < n)
			m->target_truncated = true;
		i += n;
		if (i == len || buf[i] != ' ')
			return i;
		p->tok_len = 0;
		p->state = S_VERSION;
		i++;
		/* fall through */
	case S_VERSION:
		/* the rest of "HTTP/" DIGIT "." DIGIT, all at once or not
		 * (a version already under way is the byte machine's: its
		 * digits may be behind @buf) */
		n = 8 - p->tok_len;
		if (p->tok_len > 1 || len - i < n)
			return i;
		/* "HTTP/" (or "TTP/" after the 'H' that began a response)
		 * in one word, then DIGIT "." DIGIT */
		if (load4(buf + i + n - 7) != load4(proto + 1) ||
		    (n == 8 && buf[i] != 'H') || !is_digit(buf[i + n - 3]) ||
		    buf[i + n - 2] != '.' || !is_digit(buf[i + n - 1]))
			return i;
		m->version_major = (uint8_t)(buf[i + 5 - p->tok_len] - '0');
		m->version_minor = (uint8_t)(buf[i + 7 - p->tok_len] - '0');
		i += n;
		p->tok_len = 0;
		if (p->kind == H1_RESPONSE) {
			p->state = S_RES_VERSION_SP;
			goto response;
		}
		p->state = S_REQ_LINE_END;
		/* fall through */
	case S_REQ_LINE_END:
		if (i == len || buf[i] != '\r')
			return i;
		p->state = S_START_LF;
		i++;
		goto start_lf;
	case S_RES_VERSION_SP:
	response:
		if (i == len || buf[i] != ' ')
			return i;
		p->state = S_RES_STATUS;
		i++;
		/* fall through */
	case S_RES_STATUS:
		if (p->tok_len != 0 || len - i < 3 || buf[i] == '0' ||
		    !is_digit(buf[i]) || !is_digit(buf[i + 1]) ||
		    !is_digit(buf[i + 2]))
			return i;
		memcpy(p->tok, buf + i, 3);
		m->status = (uint16_t)((buf[i] - '0') * 100 +
				       (buf[i + 1] - '0') * 10 +
				       (buf[i + 2] - '0'));
		p->state = S_RES_STATUS_END;
		i += 3;
		/* fall through */
	case S_RES_STATUS_END:
		if (i == len || buf[i] != ' ')
			return i;
		p->state = S_RES_REASON;
		i++;
		/* fall through */
	case S_RES_REASON:
		n = value_run(buf + i, len - i);
		k = sizeof(m->reason) - 1 - p->tok_len;
		if (k > n)
			k = n;
		memcpy(m->reason + p->tok_len, buf + i, k);
		p->tok_len += (uint32_t)k;
		m->reason[p->tok_len] = '\0';
		i += n;
		if (i == len || buf[i] != '\r')
			return i;
		p->state = S_START_LF;
		i++;
		/* fall through */
	case S_START_LF:
	start_lf:
		if (i == len || buf[i] != '\n')
			return i;
		p->state = S_HDR_LINE_START;
		return i + 1;
	default:
		return i;
	}
}

/* The header lines. */
static size_t header_fast(h1_parser *p, const uint8_t *buf, size_t len,
			  unsigned *ev)
{
	size_t i = 0, n;

	for (;;) {
		switch (p->state) {
		case S_HDR_LINE_START:
			/* a name begins: the line before is complete (the
			 * empty line and a fold are the byte machine's) */
			if (i == len || !tchar[buf[i]])
				return i;
			if (p->cur_header == HH_OTHER &&
			    (p->flags & F_HDR_PENDING)) {
				/* header_end() of a line that means nothing */
				capture_end_line(p);
				p->flags &= ~(F_HDR_PENDING | F_REDACTED |
					      F_VALUE_SEEN | F_FOLD |
					      F_CAP_WS_LOST | F_CL_DIGITS |
					      F_CL_ELEM_END | F_CL_IN_HEADER |
					      F_NAME_LONG);
				p->val_len = 0;
				p->val_end = 0;
				p->cl_elem = 0;
			} else if (header_end(p)) {
				*ev = fail(p);
				return i + 1;
			}
			n = 1 + token_run(buf + i + 1, len - i - 1);
			if (i + n < len && buf[i + n] == ':' &&
			    n < sizeof(p->tok)) {
				/* The whole name is here: classified where it
				 * is, with no copy to tok. */
				const uint8_t *s = buf + i;
				size_t v = n + 2;

				header_line_begin(p);
				name_meaning(p, (const char *)s, n);
				if (v < len - i && s[n + 1] == ' ' &&
				    !is_blank(s[v]) &&
				    !(p->flags & F_REDACTED) &&
				    p->cur_header != HH_CONTENT_LENGTH &&
				    (n = whole_line(p, s, v - 2, len - i)) > 0) {
					/* the usual line, taken whole */
					i += v + n + 2;
					continue;
				}
				capture_put(p, (const char *)s, v - 2);
				name_end_capture(p);
				i += v - 1;
				goto ows;
			}
			header_begin(p, buf[i]);
			i++;
			/* fall through */
		case S_HDR_NAME:
			i += bulk_name(p, buf + i, len - i);
			if (i == len || buf[i] != ':')
				return i;
			header_name_end(p);
			i++;
			/* fall through */
		case S_HDR_VALUE_OWS:
		ows:
			while (i < len && is_blank(buf[i]))
				i++;
			/* CR, LF or a control byte here, and the first byte
			 * of a folded segment, are the byte machine's */
			if (i == len || is_ctl(buf[i]) || (p->flags & F_FOLD))
				return i;
			p->state = S_HDR_VALUE;
			/* fall through */
		case S_HDR_VALUE:
			i += bulk_value(p, buf + i, len - i, ev);
			if (*ev || i == len || buf[i] != '\r')
				return i;
			p->state = S_HDR_LINE_LF;
			i++;
			/* fall through */
		case S_HDR_LINE_LF:
			if (i == len || buf[i] != '\n')
				return i;
			p->state = S_HDR_LINE_START;
			i++;
			break;
		default:
			return i;
		}
	}
}

/* Chunk-size lines, the CRLF after chunk data, extensions and trailer
 * fields (chunk data itself is taken in h1_feed()). */
static size_t chunk_fast(h1_parser *p, const uint8_t *buf, size_t len)
{
	size_t i = 0;
	int h;

	for (;;) {
		switch (p->state) {
		case S_CHUNK_SIZE_FIRST:
			if (i == len || hex_value(buf[i]) < 0)
				return i;
			p->remaining = 0;
			p->state = S_CHUNK_SIZE;
			/* fall through */
		case S_CHUNK_SIZE:
			while (i < len && (h = hex_value(buf[i])) >= 0) {
				if (p->remaining >= H1_SIZE_LIMIT / 16)
					return i;
				p->remaining = p->remaining * 16 + (uint64_t)h;
				i++;
			}
			if (i == len || buf[i] != '\r')
				return i;
			p->state = S_CHUNK_SIZE_LF;
			i++;
			/* fall through */
		case S_CHUNK_SIZE_LF:
			if (i == len || buf[i] != '\n')
				return i;
			chunk_size_line_end(p);
			return i + 1;
		case S_CHUNK_EXT:
			while (i < len && buf[i] != '\r' && buf[i] != '\n')
				i++;
			if (i == len || buf[i] != '\r')
				return i;
			p->state = S_CHUNK_SIZE_LF;
			i++;
			break;
		case S_CHUNK_DATA_END:
			if (i == len || buf[i] != '\r')
				return i;
			p->state = S_CHUNK_DATA_LF;
			i++;
			/* fall through */
		case S_CHUNK_DATA_LF:
			if (i == len || buf[i] != '\n')
				return i;
			p->state = S_CHUNK_SIZE_FIRST;
			i++;
			break;
		case S_TRAILER_LINE: {
			const uint8_t *nl = memchr(buf + i, '\n', len - i);

			if (nl == NULL)
				return len;
			p->state = S_TRAILER_LINE_START;
			return (size_t)(nl - buf) + 1;
		}
		default:
			return i;
		}
	}
}

static unsigned parse_byte(h1_parser *p, uint8_t c)
{
	if (p->state == S_IDLE) {
		if (c == '\r' || c == '\n')
			return 0; /* blank lines between messages */
		return message_begin(p, c);
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

/* ---- public interface --------------------------------------------------- */

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
	size_t i = 0, n;

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
			n = start_fast(p, buf + i, len - i, &events);
			count_head(p, n); /* all of them header bytes */
			break;
		case S_HDR_LINE_START:
		case S_HDR_NAME:
		case S_HDR_VALUE_OWS:
		case S_HDR_VALUE:
		case S_HDR_LINE_LF:
			n = header_fast(p, buf + i, len - i, &events);
			count_head(p, n);
			break;
		case S_CHUNK_SIZE_FIRST:
		case S_CHUNK_SIZE:
		case S_CHUNK_SIZE_LF:
		case S_CHUNK_EXT:
		case S_CHUNK_DATA_END:
		case S_CHUNK_DATA_LF:
		case S_TRAILER_LINE:
			n = chunk_fast(p, buf + i, len - i);
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
	capture_abandon(p);
	p->state = S_IDLE;
	p->remaining = 0;
	p->ctx_head = false;
	p->ctx_connect = false;
	return (h1_event)ev;
}

void h1_set_response_context(h1_parser *p, bool head, bool connect)
{
	p->ctx_head = head;
	p->ctx_connect = connect;
}

h1_state_public h1_state(const h1_parser *p)
{
	if (p->state == S_IDLE)
		return H1_ST_IDLE;
	if (p->state >= S_HEAD_FIRST && p->state <= S_HEAD_LAST)
		return H1_ST_HEADERS;
	if (p->state >= S_BODY_FIRST && p->state <= S_BODY_LAST)
		return H1_ST_BODY;
	if (p->state == S_TUNNEL)
		return H1_ST_TUNNEL;
	return H1_ST_ERROR;
}
