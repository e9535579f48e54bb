/*
 * urlscrub.c - credentials out of a URL, in place (urlscrub.h).
 */
#include <string.h>

#include "urlscrub.h"

const char *const ht_url_default_query_names[] = {
	"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature",
	"access_token", "token", "api_key", "apikey", "key", "password",
	"secret", NULL,
};

static const char redacted[] = "REDACTED";
static const char redacted_pair[] = "REDACTED:REDACTED";

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_alpha(unsigned char c)
{
	c = lower(c);
	return c >= 'a' && c <= 'z';
}

/* RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme_char(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

/* Replace s[@a, @b) (of a string of @len bytes) by the @n bytes of @rep,
 * within @cap bytes: what does not fit is dropped from the end.  Returns
 * the new length. */
static size_t replace(char *s, size_t len, size_t cap, size_t a, size_t b,
		      const char *rep, size_t n, bool *lost)
{
	size_t tail = len - b;

	if (a + n > cap) {
		n = cap - a;
		tail = 0;
		if (lost != NULL)
			*lost = true;
	} else if (a + n + tail > cap) {
		tail = cap - a - n;
		if (lost != NULL)
			*lost = true;
	}
	/* The tail first: when it moves right, @rep then overwrites where it
	 * was; when it moves left, @rep's place is before its new one. */
	memmove(s + a + n, s + b, tail);
	memcpy(s + a, rep, n);
	return a + n + tail;
}

/* Does the parameter name @s (@n bytes, percent-encoded) name @want, in any
 * case?  A '%' not followed by two hex digits stands for itself. */
static bool name_is(const char *s, size_t n, const char *want)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (c == '%' && i + 2 < n &&
		    (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 3;
		} else {
			i++;
		}
		if (*want == '\0' || lower(c) != lower((unsigned char)*want))
			return false;
		want++;
	}
	return *want == '\0';
}

static bool name_listed(const char *s, size_t n, const char *const *names,
			uint32_t mask)
{
	unsigned char first;
	int hi, lo;

	if (names == NULL || n == 0)
		return false;
	/* the first byte, decoded and lower-cased, rules out most names at
	 * one comparison each */
	first = (unsigned char)s[0];
	if (first == '%' && n > 2 &&
	    (hi = hex_value((unsigned char)s[1])) >= 0 &&
	    (lo = hex_value((unsigned char)s[2])) >= 0)
		first = (unsigned char)(hi * 16 + lo);
	/* OR 0x20 on both sides: never false where lower() would be true
	 * (name_is() decides), and no lower() of each name */
	first |= 0x20;
	if (mask != 0 && !(mask & (1u << (first & 31))))
		return false; /* no name begins so */
	for (; *names != NULL; names++) {
		if (((unsigned char)**names | 0x20) == first &&
		    name_is(s, n, *names))
			return true;
	}
	return false;
}

/* Where the authority of the URL @s begins; false when it has none. */
static bool authority_start(const char *s, size_t len, unsigned flags,
			    size_t *start)
{
	size_t i;

	if (flags & HT_URL_AUTHORITY) {
		*start = 0;
		return true;
	}
	if (len >= 2 && s[0] == '/' && s[1] == '/') {
		*start = 2;
		return true;
	}
	if (len == 0 || !is_alpha((unsigned char)s[0]))
		return false;
	for (i = 1; i < len && is_scheme_char((unsigned char)s[i]); i++)
		;
	if (i + 3 > len || s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
		return false;
	*start = i + 3;
	return true;
}

/* The userinfo of the authority at @start goes.  Returns the new length;
 * *@end is where the authority ends, afterwards. */
static size_t scrub_userinfo(char *s, size_t len, size_t cap, size_t start,
			     unsigned flags, size_t *end, bool *lost)
{
	size_t e, at = len, i;
	bool colon = false;

	for (e = start; e < len && s[e] != '/' && s[e] != '?' && s[e] != '#';
	     e++) {
		if (s[e] == '@')
			at = e;
	}
	if (at < len) {
		for (i = start; i < at && !colon; i++)
			colon = s[i] == ':';
		const char *rep = colon ? redacted_pair : redacted;
		size_t n = colon ? sizeof(redacted_pair) - 1
				 : sizeof(redacted) - 1;
		/* the authority's end moves with the replacement */
		e = e - (at - start) + n;
		len = replace(s, len, cap, start, at, rep, n, lost);
	} else if ((flags & HT_URL_CUT) && e == len && e > start) {
		/* cut inside the authority: the '@' may be past the cut */
		len = replace(s, len, cap, start, e, redacted,
			      sizeof(redacted) - 1, lost);
		e = len;
	}
	*end = e < len ? e : len;
	return len;
}

/* The listed parameters' values in the query and fragment, which begin at
 * @i ('?' or '#').  Returns the new length. */
static size_t scrub_params(char *s, size_t len, size_t cap, size_t i,
			   const char *const *names, uint32_t mask, bool *lost)
{
	bool fragment = s[i] == '#';

	for (i++; i < len;) {
		size_t e = i, eq;

		while (e < len && s[e] != '&' && (fragment || s[e] != '#'))
			e++;
		for (eq = i; eq < e && s[eq] != '='; eq++)
			;
		if (eq + 1 < e && name_listed(s + i, eq - i, names, mask)) {
			size_t nlen = replace(s, len, cap, eq + 1, e, redacted,
					      sizeof(redacted) - 1, lost);

			e = eq + 1 + (sizeof(redacted) - 1);
			len = nlen;
			if (e > len)
				e = len;
		}
		if (e < len && s[e] == '#')
			fragment = true;
		i = e + 1;
	}
	return len;
}

/* The first '?' or '#' of @s at or after @i, or @len: memchr() for the
 * '?' (a URL's usual end of path), then for a '#' before it. */
static size_t query_start(const char *s, size_t len, size_t i)
{
	const char *q, *h;
	size_t e;

	if (i >= len)
		return len;
	q = memchr(s + i, '?', len - i);
	e = q != NULL ? (size_t)(q - s) : len;
	h = memchr(s + i, '#', e - i);
	return h != NULL ? (size_t)(h - s) : e;
}

size_t ht_url_scrub_query(char *s, size_t len, size_t cap, size_t q,
			  const char *const *names, uint32_t mask, bool *lost)
{
	const char *h;
	size_t i;

	if (cap < len)
		len = cap; /* outside the contract: never write past @cap */
	if (q > len)
		q = len;
	/* query_start(): a '#' before the '?' begins the fragment */
	h = memchr(s, '#', q);
	i = h != NULL ? (size_t)(h - s) : q;
	if (i < len && names != NULL)
		len = scrub_params(s, len, cap, i, names, mask, lost);
	return len;
}

uint32_t ht_url_names_mask(const char *const *names)
{
	uint32_t mask = 0;

	for (; names != NULL && *names != NULL; names++)
		mask |= 1u << (((unsigned char)**names | 0x20) & 31);
	return mask;
}

size_t ht_url_scrub(char *s, size_t len, size_t cap, const char *const *names,
		    unsigned flags, bool *lost)
{
	return ht_url_scrub_masked(s, len, cap, names, 0, flags, lost);
}

size_t ht_url_scrub_masked(char *s, size_t len, size_t cap,
			   const char *const *names, uint32_t mask,
			   unsigned flags, bool *lost)
{
	size_t start, i = 0;

	if (cap < len)
		len = cap; /* outside the contract: never write past @cap */
	if (authority_start(s, len, flags, &start))
		len = scrub_userinfo(s, len, cap, start, flags, &i, lost);
	i = query_start(s, len, i);
	if (i < len && names != NULL)
		len = scrub_params(s, len, cap, i, names, mask, lost);
	return len;
}
