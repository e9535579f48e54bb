/*
 * http1_fast.c - the fast paths of the HTTP/1.x parser (see http1.c and
 * http1_internal.h).
 *
 * The byte machine (http1.c) is the reference.  The fast paths take the
 * usual bytes in bulk: runs of ordinary bytes (a method, a target, a reason,
 * a header name or value, a chunk size) are scanned, copied and counted at
 * once, and the usual transitions (SP, ':' and blanks, CRLF, the first byte
 * of the next header name) are taken inline.  Each stops, having consumed
 * what it returns, at the end of its input, at an event, or before a byte it
 * leaves to parse_byte() (the empty line ending the headers, an obs-fold,
 * blanks before ':', a bare LF, anything malformed), and always leaves the
 * state the byte machine would be in after the same bytes: the split of the
 * input changes nothing.
 */
#include "http1_internal.h"

#include <string.h>

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

static inline __attribute__((always_inline)) size_t
token_run(const uint8_t *b, size_t len)
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
	h1_capture_put(p, (const char *)buf, n);
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
		ht_copy_short(p->msg.hdrs + at, buf, keep);
		p->msg.hdrs_len += (uint32_t)keep;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
		if (nb > 0)
			p->hdr_value_end = at + (uint32_t)nb;
		if (keep < n)
			p->flags |= F_CAP_WS_LOST; /* only blanks lost */
	}
}

/* In S_HDR_VALUE: h1_value_byte() of the run of value bytes at the start of
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
			if (h1_cl_byte(p, buf[k])) {
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
		h1_list_run(p, buf, n);
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
	size_t e = value_run(val, len);
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
		h1_list_run(p, val, e);
		break;
	}
	if (capturing(p)) {
		char *d = p->msg.hdrs + p->msg.hdrs_len;

		p->hdr_value_start = p->msg.hdrs_len + (uint32_t)n + 2;
		ht_copy_short(d, s, line);
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
size_t h1_start_fast(h1_parser *p, const uint8_t *buf, size_t len,
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
		ht_copy_short(m->method + p->tok_len, buf, n);
		p->tok_len += (uint32_t)n;
		m->method[p->tok_len] = '\0';
		m->method_len = (uint16_t)p->tok_len;
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
		ht_copy_short(m->target + p->tok_len, buf + i, k);
		p->tok_len += (uint32_t)k;
		m->target[p->tok_len] = '\0';
		m->target_len = (uint16_t)p->tok_len;
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
		m->reason_len = (uint16_t)p->tok_len;
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
size_t h1_header_fast(h1_parser *p, const uint8_t *buf, size_t len,
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
				h1_name_meaning(p, (const char *)s, n);
				if (v < len - i && s[n + 1] == ' ' &&
				    !is_blank(s[v]) &&
				    !(p->flags & F_REDACTED) &&
				    p->cur_header != HH_CONTENT_LENGTH &&
				    (n = whole_line(p, s, v - 2, len - i)) > 0) {
					/* the usual line, taken whole */
					i += v + n + 2;
					continue;
				}
				h1_capture_put(p, (const char *)s, v - 2);
				h1_name_end_capture(p);
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
size_t h1_chunk_fast(h1_parser *p, const uint8_t *buf, size_t len)
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

