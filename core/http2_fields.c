/*
 * http2_fields.c - a header block's decoded fields into the reader's
 * message (see http2.c for the reader, http2_internal.h for what they
 * share): the first of each pseudo-header, content-type, content-length
 * and host, :status, grpc-status and grpc-message, and with
 * capture_headers the msg.hdrs lines, redacted and URL-scrubbed as the
 * options say.  The HPACK decoder calls on_field() for each field and asks
 * skip_value() which values it may leave undecoded.
 */
#include "http2_internal.h"
#include "urlscrub.h"

#include <string.h>

#define H2_FIELD_OVERHEAD 32 /* RFC 9113 section 6.5.2 */

static const char redacted_value[] = "[redacted]";

static uint8_t to_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* A byte as stored in msg: control bytes (other than HTAB) become '?'. */
static char printable(uint8_t c)
{
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return '?';
	return (char)c;
}

/* The bytes of the little-endian word @x that printable() changes (below
 * 0x20 or DEL; HTAB included, the caller looks again), as the high bit of
 * each: 0 when there is none. */
static uint64_t word_unprintable(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t y = x ^ (0x7f * ones);

	return (((x - 0x20 * ones) & ~x) | ((y - ones) & ~y)) &
	       (0x80 * ones);
}

/* Copy @n bytes of @src to @dst as printable() stores them, eight at a time
 * while a word has none to change (header values are nearly always
 * printable; four to seven bytes as two words of four).  Returns @dst + @n. */
static char *copy_printable(char *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;

	if (n >= 4 && n < 8) {
		/* two words of four, overlapping when @n is under 8 */
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, src + n - 4, 4);
		if (word_unprintable((uint64_t)a | (uint64_t)b << 32) == 0) {
			memcpy(dst, &a, 4);
			memcpy(dst + n - 4, &b, 4);
			return dst + n;
		}
	}
	while (i + 8 <= n) {
		uint64_t x;

		memcpy(&x, src + i, 8);
		if (word_unprintable(x) != 0)
			break;
		memcpy(dst + i, &x, 8);
		i += 8;
	}
	if (i < n && n >= 8 && i + 8 > n) {
		/* the last, partial word: the eight bytes ending at @n, again
		 * over some already copied (the same bytes) */
		uint64_t x;

		memcpy(&x, src + n - 8, 8);
		if (word_unprintable(x) == 0) {
			memcpy(dst + n - 8, &x, 8);
			return dst + n;
		}
	}
	for (; i < n; i++)
		dst[i] = printable(src[i]);
	return dst + n;
}

/* Does @s (@len bytes, any case) equal the lower-case NUL-terminated @lc? */
static bool equals_lower(const uint8_t *s, size_t len, const char *lc)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (lc[i] == '\0' || to_lower(s[i]) != (uint8_t)lc[i])
			return false;
	}
	return lc[i] == '\0';
}

/* The little-endian word @x with its bytes 'A' to 'Z' lower-cased, as
 * to_lower() does each byte (t's bytes are below 0x80: no carry or borrow
 * between bytes; the high bit of each upper-case byte, shifted to 0x20). */
static uint64_t word_lower(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t t = x & (0x7f * ones);
	uint64_t upper = ((0x7f + 'Z' + 1) * ones - t) & ~x &
			 (t + (0x7f - ('A' - 1)) * ones) & (0x80 * ones);

	return x | (upper >> 2);
}

/* The first and the last @w bytes of @p (@w is 4 or 8), as one word for
 * each half (the two may overlap). */
static void ends_of(const void *p, size_t n, size_t w, uint64_t *a,
		    uint64_t *b)
{
	if (w == 8) {
		memcpy(a, p, 8);
		memcpy(b, (const uint8_t *)p + n - 8, 8);
	} else {
		uint32_t x, y;

		memcpy(&x, p, 4);
		memcpy(&y, (const uint8_t *)p + n - 4, 4);
		*a = (uint64_t)x | (uint64_t)y << 32;
		*b = 0;
	}
}

/* equals_lower() for a literal @lc of @lclen bytes: names of 4 to 16 bytes
 * compared as two words a side (the literal's are constants once inlined),
 * every other length byte by byte. */
static inline bool same_lower(const uint8_t *s, size_t len, const char *lc,
			      size_t lclen)
{
	uint64_t a, b, la, lb;
	size_t w;

	if (len != lclen)
		return false;
	if (len < 4 || len > 16)
		return equals_lower(s, len, lc);
	w = len >= 8 ? 8 : 4;
	ends_of(s, len, w, &a, &b);
	ends_of(lc, len, w, &la, &lb);
	return word_lower(a) == la && word_lower(b) == lb;
}
#define EQUALS_LOWER(s, len, lit) same_lower((s), (len), (lit), sizeof(lit) - 1)

/* ---- decoded fields ------------------------------------------------------ */

/* Copy @n bytes of @src into the string @dst of @size bytes unless an
 * earlier field filled it.  Returns true when it had to be truncated. */
static bool set_first(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t keep = min_size(n, size - 1);

	if (dst[0] != '\0')
		return false;
	*copy_printable(dst, src, keep) = '\0';
	return keep < n;
}

/* set_first() of a string whose length msg keeps in *@len: stored with it
 * (copy_printable() stores no NUL: @len is its strlen()). */
static bool set_first_len(char *dst, size_t size, uint16_t *len,
			  const uint8_t *src, size_t n)
{
	if (dst[0] != '\0')
		return false;
	*len = (uint16_t)min_size(n, size - 1);
	return set_first(dst, size, src, n);
}

static bool is_redacted(const h2_reader *r, const uint8_t *name, size_t len)
{
	const char *const *red;

	if (r->opt == NULL || r->opt->redact == NULL ||
	    !(r->redact_mask & redact_bit(len, name[0], name[len - 1])))
		return false;
	for (red = r->opt->redact; *red != NULL; red++) {
		if (equals_lower(name, len, *red))
			return true;
	}
	return false;
}

/* Is the field one whose value is a URL to scrub (urlscrub.h)? */
static bool is_url_field(const h2_reader *r, const uint8_t *name, size_t len)
{
	if (r->opt == NULL || r->opt->redact_query == NULL)
		return false;
	switch (len) {
	case 7:
		return EQUALS_LOWER(name, len, "referer");
	case 8:
		return EQUALS_LOWER(name, len, "location");
	case 16:
		return EQUALS_LOWER(name, len, "content-location");
	default:
		return false;
	}
}

/* A byte of a field name as stored in msg.hdrs: lower-cased, and '?' for
 * what cannot be in a name and would break the "name: value" line (control
 * bytes, blanks, ':'). */
static char name_char(uint8_t c)
{
	if (c == ' ' || c == '\t' || c == ':')
		return '?';
	return printable(to_lower(c));
}

/* The bytes of the little-endian word @x that name_char() changes (below
 * 0x21, DEL, ':', 'A' to 'Z'), as the high bit of each: 0 when there is
 * none (the test for none is exact; which bytes are marked is not). */
static uint64_t word_name_changes(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t del = x ^ (0x7f * ones), colon = x ^ (':' * ones);
	uint64_t t = x & (0x7f * ones);
	/* bytes from 'A' to 'Z': below 'Z' + 1 and above 'A' - 1, without
	 * a carry or a borrow between bytes (t's bytes are below 0x80) */
	uint64_t upper = ((0x7f + 'Z' + 1) * ones - t) & ~x &
			 (t + (0x7f - ('A' - 1)) * ones);

	return (((x - 0x21 * ones) & ~x) | ((del - ones) & ~del) |
		((colon - ones) & ~colon) | upper) &
	       (0x80 * ones);
}

/* Copy the name @name (@n bytes) to @dst as name_char() stores it: a word
 * at a time while a word has nothing to change (HTTP/2 names are lower
 * case tokens).  Returns @dst + @n. */
static char *copy_name(char *dst, const uint8_t *name, size_t n)
{
	size_t i = 0;
	uint64_t x;

	if (n >= 4 && n < 8) {
		uint32_t a, b;

		memcpy(&a, name, 4);
		memcpy(&b, name + n - 4, 4);
		if (word_name_changes((uint64_t)a | (uint64_t)b << 32) == 0) {
			memcpy(dst, &a, 4);
			memcpy(dst + n - 4, &b, 4);
			return dst + n;
		}
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, name + i, 8);
		if (word_name_changes(x) != 0)
			break;
		memcpy(dst + i, &x, 8);
	}
	if (i < n && n >= 8 && i + 8 > n) {
		/* the last, partial word, overlapping the copied ones */
		memcpy(&x, name + n - 8, 8);
		if (word_name_changes(x) == 0) {
			memcpy(dst + n - 8, &x, 8);
			return dst + n;
		}
	}
	for (; i < n; i++)
		dst[i] = name_char(name[i]);
	return dst + n;
}

/* Append "name: value\r\n" to msg.hdrs, the name lower-cased and the value
 * redacted as the options say, or leave the line out when it does not fit
 * (with its CRLF and the NUL).  A field with an empty name (HPACK allows
 * one; HTTP does not) has nothing to show and is left out. */
static void capture_field(h2_reader *r, const uint8_t *name, size_t nlen,
			  const uint8_t *value, size_t vlen)
{
	h2_message *m = &r->msg;
	char *out, *v;
	bool url = false;

	if (nlen == 0)
		return;
	if (is_redacted(r, name, nlen)) {
		value = (const uint8_t *)redacted_value;
		vlen = sizeof(redacted_value) - 1;
	} else {
		url = is_url_field(r, name, nlen);
	}
	if (nlen > sizeof(m->hdrs) || vlen > sizeof(m->hdrs) ||
	    m->hdrs_len + nlen + 2 + vlen + 3 > sizeof(m->hdrs)) {
		m->hdrs_truncated = true;
		return;
	}
	out = copy_name(m->hdrs + m->hdrs_len, name, nlen);
	*out++ = ':';
	*out++ = ' ';
	v = out;
	out = copy_printable(out, value, vlen);
	if (url) {
		/* in place, keeping room for CRLF and the NUL */
		bool lost = false;
		size_t n = ht_url_scrub_masked(
			v, vlen, sizeof(m->hdrs) - 3 - (size_t)(v - m->hdrs),
			r->opt->redact_query, r->opt->redact_query_mask, 0,
			&lost);

		if (lost) {
			m->hdrs[m->hdrs_len] = '\0';
			m->hdrs_truncated = true;
			return;
		}
		out = v + n;
	}
	*out++ = '\r';
	*out++ = '\n';
	*out = '\0';
	m->hdrs_len = (uint32_t)(out - m->hdrs);
}

/* :status: three digits, 100..999; anything else leaves it 0. */
static void set_status(h2_message *m, const uint8_t *v, size_t n)
{
	unsigned s = 0;
	size_t i;

	if (m->status != 0 || n != 3 || v[0] < '1' || v[0] > '9')
		return;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		s = s * 10 + (unsigned)(v[i] - '0');
	}
	m->status = (uint16_t)s;
}

/* content-length (the first one) into @m, when it is a number of at most
 * 19 digits (no overflow); anything else leaves it unknown. */
static void set_content_length(h2_message *m, const uint8_t *v, size_t n)
{
	uint64_t len = 0;

	if (m->has_content_length || n == 0 || n > 19)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		len = len * 10 + (uint64_t)(v[i] - '0');
	}
	m->has_content_length = true;
	m->content_length = len;
}

/* grpc-status and grpc-message (the first of each) into @m. */
static void grpc_field(h2_message *m, const uint8_t *name, size_t nlen,
		       const uint8_t *value, size_t vlen)
{
	if (EQUALS_LOWER(name, nlen, "grpc-status")) {
		if (!m->has_grpc_status)
			m->has_grpc_status =
				grpc_parse_status(value, vlen, &m->grpc_status);
	} else if (EQUALS_LOWER(name, nlen, "grpc-message")) {
		if (m->grpc_message_len == 0)
			m->grpc_message_len = (uint16_t)grpc_percent_decode(
				m->grpc_message, sizeof(m->grpc_message),
				value, vlen);
	}
}

/* hpack_field_fn: one decoded field of the block into r->msg. */
void on_field(void *ctx, const uint8_t *name, size_t nlen,
	      const uint8_t *value, size_t vlen)
{
	h2_reader *r = ctx;
	h2_message *m = &r->msg;
	uint64_t size = (uint64_t)m->header_bytes + nlen + vlen +
			H2_FIELD_OVERHEAD;

	m->header_bytes = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	/* each name compared only when its length matches */
	if (nlen > 0 && name[0] == ':') {
		if (nlen == 7 && EQUALS_LOWER(name, nlen, ":method"))
			set_first_len(m->method, sizeof(m->method),
				      &m->method_len, value, vlen);
		else if (nlen == 7 && EQUALS_LOWER(name, nlen, ":scheme"))
			set_first(m->scheme, sizeof(m->scheme), value, vlen);
		else if (nlen == 10 && EQUALS_LOWER(name, nlen, ":authority"))
			set_first_len(m->authority, sizeof(m->authority),
				      &m->authority_len, value, vlen);
		else if (nlen == 5 && EQUALS_LOWER(name, nlen, ":path"))
			m->path_truncated |= set_first_len(
				m->path, sizeof(m->path), &m->path_len, value,
				vlen);
		else if (nlen == 7 && EQUALS_LOWER(name, nlen, ":status"))
			set_status(m, value, vlen);
		return;
	}
	if (nlen == 12 && EQUALS_LOWER(name, nlen, "content-type")) {
		/* (set_first() stores that many bytes, none of them NUL) */
		if (m->content_type[0] == '\0')
			m->content_type_len = (uint8_t)min_size(
				vlen, sizeof(m->content_type) - 1);
		set_first(m->content_type, sizeof(m->content_type), value,
			  vlen);
	} else if (nlen == 14 && EQUALS_LOWER(name, nlen, "content-length"))
		set_content_length(m, value, vlen);
	else if (nlen > 5 && name[0] == 'g' && name[4] == '-')
		grpc_field(m, name, nlen, value, vlen);
	else if (nlen == 4 && EQUALS_LOWER(name, nlen, "host"))
		set_first_len(m->authority, sizeof(m->authority),
			      &m->authority_len, value, vlen);
	if (r->opt != NULL && r->opt->capture_headers)
		capture_field(r, name, nlen, value, vlen);
}

/*
 * hpack_skip_fn: whether on_field keeps nothing of the value of a field
 * named @name (the decoder then only counts it, for header_bytes).  It
 * keeps the values of pseudo-headers, content-type, content-length,
 * grpc-*, host, and with
 * capture_headers every value but the redacted ones; this must stay in
 * step with on_field, which reads no value this says to skip.
 */
bool skip_value(void *ctx, const uint8_t *name, size_t nlen)
{
	const h2_reader *r = ctx;

	if (nlen == 0)
		return true;
	if (name[0] == ':' ||
	    (nlen == 12 && EQUALS_LOWER(name, nlen, "content-type")) ||
	    (nlen == 14 && EQUALS_LOWER(name, nlen, "content-length")) ||
	    (nlen > 5 && name[0] == 'g' && name[4] == '-') ||
	    (nlen == 4 && EQUALS_LOWER(name, nlen, "host")))
		return false;
	if (r->opt != NULL && r->opt->capture_headers)
		return is_redacted(r, name, nlen);
	return true;
}
