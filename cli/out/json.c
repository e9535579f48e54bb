/* json.c - streaming JSON writer; see json.h. */
#include "json.h"
#include "utf8.h"

/* ---- strings ------------------------------------------------------------ */

/*
 * What each byte needs inside a JSON string:
 *   0    nothing, it is copied;
 *   'u'  \u00XX (a control character, or a byte that cannot start a valid
 *        UTF-8 sequence: 0x80-0xC1, 0xF5-0xFF);
 *   'M'  the lead byte of a multi-byte UTF-8 sequence: copied with the
 *        sequence when it is valid, else \u00XX;
 *   else the letter that follows the backslash (\" \\ \n \r \t).
 */
#define u 'u'
#define M 'M'
static const unsigned char esc_class[256] = {
	/* 0x00 */ u, u, u, u, u, u, u, u, u, 't', 'n', u, u, 'r', u, u,
	/* 0x10 */ u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u,
	/* 0x20 */ 0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
	/* 0x60 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x80 */ u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u,
	/* 0x90 */ u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u,
	/* 0xA0 */ u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u,
	/* 0xB0 */ u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u,
	/* 0xC0 */ u, u, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 0xD0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 0xE0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 0xF0 */ M, M, M, M, M, u, u, u, u, u, u, u, u, u, u, u,
};
#undef u
#undef M

/* Word-at-a-time scanning where SSE2 (below) is not there. */
#if !defined(__SSE2__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/*
 * The bytes of the 8 at @s (little-endian) that need more than a copy have
 * their high bit set in the result: below 0x20, 0x80 and above, '"', '\\'.
 * Bits above the first such byte may be wrong (borrows), the lowest one is
 * exact, and the result is 0 exactly when all eight are plain.
 */
static inline uint64_t special_bytes(const unsigned char *s)
{
	uint64_t x, q, b;

	memcpy(&x, s, 8);
	q = x ^ (ONES * '"');
	b = x ^ (ONES * '\\');
	return (((x - ONES * 0x20) & ~x) | x | ((q - ONES) & ~q) |
		((b - ONES) & ~b)) & HIGHS;
}

/* special_bytes() of 4 bytes: 0 exactly when all four are plain. */
static inline uint32_t special4(const unsigned char *s)
{
	uint32_t x, q, b;

	memcpy(&x, s, 4);
	q = x ^ (uint32_t)(ONES * '"');
	b = x ^ (uint32_t)(ONES * '\\');
	return (((x - (uint32_t)(ONES * 0x20)) & ~x) | x |
		((q - (uint32_t)ONES) & ~q) | ((b - (uint32_t)ONES) & ~b)) &
	       (uint32_t)HIGHS;
}
#endif

#ifdef __SSE2__
#include <emmintrin.h>

/*
 * One bit per byte of the 16 at @s, set for those that need more than a
 * copy.  A signed "less than 0x20" catches both the control characters
 * and the bytes from 0x80 up (negative as signed).
 */
static inline unsigned special16(const unsigned char *s)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i m = _mm_or_si128(
		_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
		_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));

	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Input bytes escaped per request for room: each may become 6 bytes, and
 * the last UTF-8 sequence may run 3 bytes past the chunk; 2 for quotes. */
#define STR_CHUNK ((OUTBUF_MAX_ROOM - 8) / 6)

/*
 * Write the escape of the byte at *@sp that needs one (or the whole UTF-8
 * sequence it starts, when valid, never reading past @end) at @q; returns
 * the end of the output and steps *@sp past what it took.
 */
static inline __attribute__((always_inline)) char *
escape_one(char *q, const unsigned char **sp, const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = *sp;
	unsigned c = *s;
	unsigned char e = esc_class[c];

	if (e == 0) {
		*q = (char)c;
		*sp = s + 1;
		return q + 1;
	}
	if (e == 'M') {
		size_t len = utf8_len(s, (size_t)(end - s));

		if (len > 0) {
			q[0] = (char)s[0];
			q[1] = (char)s[1];
			if (len > 2)
				q[2] = (char)s[2];
			if (len > 3)
				q[3] = (char)s[3];
			*sp = s + len;
			return q + len;
		}
		e = 'u';
	}
	q[0] = '\\';
	*sp = s + 1;
	if (e == 'u') {
		q[1] = 'u';
		q[2] = '0';
		q[3] = '0';
		q[4] = hex[c >> 4];
		q[5] = hex[c & 15];
		return q + 6;
	}
	q[1] = (char)e;
	return q + 2;
}

/*
 * Escape the input from *@sp up to @stop (a sequence that begins before
 * @stop may end after it, never after @end) at @q, which has room for
 * 6 bytes per input byte + 3.  Returns the end of the output; *@sp is
 * where the input stopped (>= @stop).
 *
 * Plain runs are copied a block at a time: 16 bytes (SSE2), else 8 (SWAR);
 * what is left of a run, 4 to 15 bytes, as two windows that overlap, and a
 * byte that needs escaping goes through the table.  Nothing is read
 * outside [*@sp, @end); the output may be written past its end (within
 * the room), to be overwritten.
 */
static inline __attribute__((always_inline)) char *
escape(char *q, const unsigned char **sp, const unsigned char *stop,
       const unsigned char *end)
{
	const unsigned char *s = *sp;

	while (s < stop) {
		size_t left = (size_t)(stop - s);

#ifdef __SSE2__
		unsigned m, plain;

		if (left >= 16) {
			m = special16(s);
			/* Copy all 16 (there is room), keep the plain ones
			 * before the first special byte. */
			memcpy(q, s, 16);
			if (m == 0) {
				q += 16;
				s += 16;
				continue;
			}
			plain = (unsigned)__builtin_ctz(m);
		} else if (left >= 4) {
			/* Two windows of 8 (or 4) bytes, from either end, in
			 * one register: a at lanes 0-7, b at 8-15. */
			size_t w = left >= 8 ? 8 : 4;
			__m128i a, b;

			if (w == 8) {
				a = _mm_loadl_epi64((const __m128i *)(const void *)s);
				b = _mm_loadl_epi64((const __m128i *)(const void *)(stop - 8));
			} else {
				uint32_t x, y;

				memcpy(&x, s, 4);
				memcpy(&y, stop - 4, 4);
				a = _mm_cvtsi32_si128((int)x);
				b = _mm_cvtsi32_si128((int)y);
			}
			__m128i x = _mm_unpacklo_epi64(a, b);
			m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))));
			if (w == 4)
				m &= 0x0f0f; /* the zeros above each window */
			/* Both windows out, the second where it belongs. */
			if (w == 8) {
				_mm_storel_epi64((__m128i *)(void *)q, a);
				_mm_storel_epi64((__m128i *)(void *)(q + left - 8), b);
			} else {
				uint32_t x4 = (uint32_t)_mm_cvtsi128_si32(a);
				uint32_t y4 = (uint32_t)_mm_cvtsi128_si32(b);

				memcpy(q, &x4, 4);
				memcpy(q + left - 4, &y4, 4);
			}
			if (m == 0) {
				q += left;
				s = stop;
				continue;
			}
			/* The first special byte: in the first window, else
			 * in the second (the two cover the run). */
			if (m & 0xff)
				plain = (unsigned)__builtin_ctz(m);
			else
				plain = (unsigned)(left - w) +
					(unsigned)__builtin_ctz(m >> 8);
		} else {
			q = escape_one(q, &s, end);
			continue;
		}
		s += plain;
		q = escape_one(q + plain, &s, end);
#else
#ifdef SWAR
		if (left >= 8) {
			uint64_t s8 = special_bytes(s);

			memcpy(q, s, 8);
			if (s8 == 0) {
				q += 8;
				s += 8;
				continue;
			}
			size_t plain = (size_t)__builtin_ctzll(s8) / 8;

			q += plain;
			s += plain;
		} else if (left >= 4 && (special4(s) | special4(stop - 4)) == 0) {
			memcpy(q, s, 4);
			memcpy(q + left - 4, stop - 4, 4);
			q += left;
			s = stop;
			continue;
		}
#endif
		q = escape_one(q, &s, end);
#endif
	}
	*sp = s;
	return q;
}

char *json_fmt_str(char *q, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + n;

	*q++ = '"';
	q = escape(q, &s, end, end);
	*q++ = '"';
	return q;
}

void json_str(outbuf *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + n;
	char *q;

	if (n <= STR_CHUNK) {
		/* The usual case: one request for room, quotes included. */
		outbuf_commit(w, json_fmt_str(outbuf_room(w, n * 6 + 2), str, n));
		return;
	}
	q = outbuf_room(w, 1);
	*q++ = '"';
	outbuf_commit(w, q);
	while (s < end) {
		size_t chunk = (size_t)(end - s) < STR_CHUNK ? (size_t)(end - s)
							     : STR_CHUNK;

		q = outbuf_room(w, chunk * 6 + 3);
		q = escape(q, &s, s + chunk, end);
		outbuf_commit(w, q);
	}
	q = outbuf_room(w, 1);
	*q++ = '"';
	outbuf_commit(w, q);
}

void json_strz(outbuf *w, const char *s)
{
	if (s == NULL)
		outbuf_put(w, "null", 4);
	else
		json_str(w, s, strlen(s));
}

void json_str_or_null(outbuf *w, const char *s, size_t n)
{
	if (n == 0)
		outbuf_put(w, "null", 4);
	else
		json_str(w, s, n);
}

/* ---- numbers ------------------------------------------------------------ */

/* "00" "01" ... "99": two digits per division. */
static const char digits2[200] = {
	'0','0','0','1','0','2','0','3','0','4','0','5','0','6','0','7','0','8','0','9',
	'1','0','1','1','1','2','1','3','1','4','1','5','1','6','1','7','1','8','1','9',
	'2','0','2','1','2','2','2','3','2','4','2','5','2','6','2','7','2','8','2','9',
	'3','0','3','1','3','2','3','3','3','4','3','5','3','6','3','7','3','8','3','9',
	'4','0','4','1','4','2','4','3','4','4','4','5','4','6','4','7','4','8','4','9',
	'5','0','5','1','5','2','5','3','5','4','5','5','5','6','5','7','5','8','5','9',
	'6','0','6','1','6','2','6','3','6','4','6','5','6','6','6','7','6','8','6','9',
	'7','0','7','1','7','2','7','3','7','4','7','5','7','6','7','7','7','8','7','9',
	'8','0','8','1','8','2','8','3','8','4','8','5','8','6','8','7','8','8','8','9',
	'9','0','9','1','9','2','9','3','9','4','9','5','9','6','9','7','9','8','9','9',
};

/* Write the two digits of @v (< 100) at @q. */
static inline void put2(char *q, unsigned v)
{
	memcpy(q, digits2 + 2 * v, 2);
}

char *json_fmt_u64(char *q, uint64_t v)
{
	static const uint64_t pow10[] = {
		10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	size_t digits;
	char *end, *p;

	if (v < 10) {
		*q = (char)('0' + v);
		return q + 1;
	}
	/* From the bit length b: t = floor(b log10 2) (1233 / 4096 ~ log10 2)
	 * is the digits of 2^b less one, and @v has t + 1 digits unless it
	 * is below 10^t (pow10[t - 1]; t >= 1 since v >= 10). */
	digits = ((size_t)(64 - __builtin_clzll(v)) * 1233) >> 12;
	digits = digits + 1 - (v < pow10[digits - 1]);
	end = p = q + digits;
	while (v >= 100) {
		p -= 2;
		put2(p, (unsigned)(v % 100));
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		put2(p, (unsigned)v);
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

char *json_fmt_i64(char *q, int64_t v)
{
	if (v < 0) {
		*q++ = '-';
		return json_fmt_u64(q, (uint64_t)0 - (uint64_t)v);
	}
	return json_fmt_u64(q, (uint64_t)v);
}

/* "null", or the sign of @ns with *@abs set to its magnitude. */
static char *sign_or_null(char *q, int64_t ns, uint64_t *abs, bool *null)
{
	*null = ns == JSON_NS_NULL;
	if (*null) {
		memcpy(q, "null", 4);
		return q + 4;
	}
	if (ns < 0) {
		*q++ = '-';
		*abs = (uint64_t)0 - (uint64_t)ns;
	} else {
		*abs = (uint64_t)ns;
	}
	return q;
}

char *json_fmt_ns_ms(char *q, int64_t ns)
{
	uint64_t v, us;
	bool null;
	unsigned frac;

	q = sign_or_null(q, ns, &v, &null);
	if (null)
		return q;
	/* Round to the nearest microsecond, then print ms.uuu. */
	us = (v + 500) / 1000;
	frac = (unsigned)(us % 1000);
	q = json_fmt_u64(q, us / 1000);
	q[0] = '.';
	q[1] = (char)('0' + frac / 100);
	put2(q + 2, frac % 100);
	return q + 4;
}

char *json_fmt_ns_secs(char *q, int64_t ns)
{
	uint64_t v, us;
	bool null;
	unsigned frac;

	q = sign_or_null(q, ns, &v, &null);
	if (null)
		return q;
	us = v / 1000;
	frac = (unsigned)(us % 1000000);
	q = json_fmt_u64(q, us / 1000000);
	q[0] = '.';
	put2(q + 1, frac / 10000);
	put2(q + 3, frac / 100 % 100);
	put2(q + 5, frac % 100);
	return q + 7;
}
