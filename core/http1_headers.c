/*
 * http1_headers.c - header lines of the HTTP/1.x parser (see
 * http1_internal.h): what goes into msg.hdrs (the values of redacted names
 * replaced, URLs scrubbed, lines that do not fit left out) and the headers
 * that change what the parser does or reports, interpreted element by
 * element as their values stream past.  Called by the byte machine
 * (http1.c) and the fast paths (http1_fast.c) alike.
 */
#include "http1_internal.h"
#include "urlscrub.h"

#include <string.h>

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

bool h1_is_redacted(const h1_parser *p, const char *name, size_t len)
{
	const char *const *r;

	for (r = p->opt->redact; *r != NULL; r++) {
		if (equals_lower(name, len, *r))
			return true;
	}
	return false;
}

/* ---- msg.hdrs capture ------------------------------------------------- */

void h1_capture_put(h1_parser *p, const char *s, size_t n)
{
	if (!capturing(p) || p->hdr_line_dropped)
		return;
	if (!capture_fits(p, n)) {
		capture_drop_line(p);
		return;
	}
	ht_copy_short(p->msg.hdrs + p->msg.hdrs_len, s, n);
	p->msg.hdrs_len += (uint32_t)n;
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
	n = ht_url_scrub_masked(p->msg.hdrs + a, e - a,
				sizeof(p->msg.hdrs) - 3 - a,
				p->opt->redact_query,
				p->opt->redact_query_mask, flags, &lost);
	if (lost) {
		capture_drop_line(p);
		return;
	}
	p->hdr_value_end = a + (uint32_t)n;
	p->msg.hdrs_len = p->hdr_value_end;
	p->msg.hdrs[p->msg.hdrs_len] = '\0';
}

void h1_capture_abandon(h1_parser *p)
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

unsigned h1_cl_byte(h1_parser *p, uint8_t c)
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
		else if (value_is(p->val, len, "websocket"))
			p->msg.upgrade_websocket = true;
		break;
	default:
		break;
	}
}

void h1_list_byte(h1_parser *p, uint8_t c)
{
	if (c == ',')
		list_element_end(p);
	else if (!is_blank(c) || p->val_len > 0)
		val_put(p, c);
}

void h1_list_run(h1_parser *p, const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = i, e;

		/* an element's leading blanks are not kept */
		if (p->val_len == 0)
			while (k < n && is_blank(s[k]))
				k++;
		for (e = k; e < n && s[e] != ','; e++)
			;
		val_put_run(p, s + k, e - k);
		if (e == n)
			return;
		list_element_end(p);
		i = e + 1;
	}
}

unsigned h1_value_byte(h1_parser *p, uint8_t c)
{
	capture_value_byte(p, c);
	if (!is_blank(c))
		p->flags |= F_VALUE_SEEN;
	switch (p->cur_header) {
	case HH_CONTENT_LENGTH:
		return h1_cl_byte(p, c);
	case HH_TRANSFER_ENCODING:
	case HH_CONNECTION:
	case HH_EXPECT:
	case HH_UPGRADE:
		h1_list_byte(p, c);
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
 * header already filled it; its length to *@len (a value holds no NUL). */
static void val_copy_first(h1_parser *p, char *dst, size_t size,
			   uint16_t *len)
{
	size_t n = p->val_end;

	if (dst[0] != '\0')
		return;
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, p->val, n);
	dst[n] = '\0';
	*len = (uint16_t)n;
}

/* The open header line is complete (the next line is not a fold): the
 * test of F_HDR_PENDING is header_end()'s, inline. */
unsigned h1_header_line_end(h1_parser *p)
{
	unsigned ev = 0;

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
		val_copy_first(p, p->msg.host, sizeof(p->msg.host),
			       &p->msg.host_len);
		break;
	case HH_CONTENT_TYPE:
		val_copy_first(p, p->msg.content_type,
			       sizeof(p->msg.content_type),
			       &p->msg.content_type_len);
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

void h1_fold_begin(h1_parser *p)
{
	p->flags |= F_FOLD;
	p->flags &= ~F_CAP_WS_LOST;
	if (capturing(p) && !p->hdr_line_dropped) {
		p->msg.hdrs_len = p->hdr_value_end;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	}
	p->val_len = p->val_end;
}

void h1_name_end_capture(h1_parser *p)
{
	static const char sep[] = ": ";
	static const char redacted[] = "[redacted]";

	if (capturing(p) && !p->hdr_line_dropped && capture_fits(p, 2)) {
		memcpy(p->msg.hdrs + p->msg.hdrs_len, sep, 2);
		p->msg.hdrs_len += 2;
		p->msg.hdrs[p->msg.hdrs_len] = '\0';
	} else {
		h1_capture_put(p, sep, sizeof(sep) - 1);
	}
	p->hdr_value_start = p->msg.hdrs_len;
	if (p->flags & F_REDACTED)
		h1_capture_put(p, redacted, sizeof(redacted) - 1);
	p->hdr_value_end = p->msg.hdrs_len;
	p->state = S_HDR_VALUE_OWS;
}

