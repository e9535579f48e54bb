/* json.c - streaming JSON writer; see json.h. */
#include "json.h"

#include <string.h>

void json_raw(FILE *f, const char *s, size_t n)
{
	fwrite_unlocked(s, 1, n, f);
}

void json_lit(FILE *f, const char *s)
{
	fputs_unlocked(s, f);
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if the
 * bytes there are not one (bad lead, bad continuation, overlong, surrogate,
 * above U+10FFFF, or cut short). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* Write @c as \u00XX. */
static void put_u00(FILE *f, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	fwrite_unlocked(e, 1, sizeof(e), f);
}

void json_str(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of the pending run of bytes that need no escape */
	size_t i = 0;

	putc_unlocked('"', f);
	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t len = utf8_seq_len(s + i, n - i);

			if (len > 0) {
				i += len;
				continue;
			}
		}
		/* c needs an escape: flush the run before it. */
		if (i > run)
			fwrite_unlocked(s + run, 1, i - run, f);
		switch (c) {
		case '"': fwrite_unlocked("\\\"", 1, 2, f); break;
		case '\\': fwrite_unlocked("\\\\", 1, 2, f); break;
		case '\n': fwrite_unlocked("\\n", 1, 2, f); break;
		case '\r': fwrite_unlocked("\\r", 1, 2, f); break;
		case '\t': fwrite_unlocked("\\t", 1, 2, f); break;
		default: put_u00(f, c); break;
		}
		i++;
		run = i;
	}
	if (n > run)
		fwrite_unlocked(s + run, 1, n - run, f);
	putc_unlocked('"', f);
}

void json_strz(FILE *f, const char *s)
{
	if (s == NULL)
		fwrite_unlocked("null", 1, 4, f);
	else
		json_str(f, s, strlen(s));
}

void json_str_or_null(FILE *f, const char *s, size_t n)
{
	if (n == 0)
		fwrite_unlocked("null", 1, 4, f);
	else
		json_str(f, s, n);
}

/* Format @v in decimal at the end of @buf (size >= 20); returns the start. */
static char *fmt_u64(char *end, uint64_t v)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

void json_u64(FILE *f, uint64_t v)
{
	char buf[24];
	char *p = fmt_u64(buf + sizeof(buf), v);

	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

void json_i64(FILE *f, int64_t v)
{
	if (v < 0) {
		putc_unlocked('-', f);
		json_u64(f, (uint64_t)0 - (uint64_t)v);
	} else {
		json_u64(f, (uint64_t)v);
	}
}

void json_bool(FILE *f, bool v)
{
	if (v)
		fwrite_unlocked("true", 1, 4, f);
	else
		fwrite_unlocked("false", 1, 5, f);
}

/* Write @v / 10^@digits with exactly @digits decimals (v >= 0). */
static void put_fixed(FILE *f, uint64_t v, int digits, uint64_t scale)
{
	char buf[32];
	char *end = buf + sizeof(buf);
	char *p = fmt_u64(end, v % scale);

	while (end - p < digits)
		*--p = '0';
	*--p = '.';
	p = fmt_u64(p, v / scale);
	fwrite_unlocked(p, 1, (size_t)(end - p), f);
}

void json_ns_ms(FILE *f, int64_t ns)
{
	if (ns == JSON_NS_NULL) {
		fwrite_unlocked("null", 1, 4, f);
		return;
	}
	if (ns < 0) {
		putc_unlocked('-', f);
		ns = -ns;
	}
	/* Round to the nearest microsecond, then print ms.uuu. */
	put_fixed(f, ((uint64_t)ns + 500) / 1000, 3, 1000);
}

void json_ns_secs(FILE *f, int64_t ns)
{
	if (ns == JSON_NS_NULL) {
		fwrite_unlocked("null", 1, 4, f);
		return;
	}
	if (ns < 0) {
		putc_unlocked('-', f);
		ns = -ns;
	}
	put_fixed(f, (uint64_t)ns / 1000, 6, 1000000);
}
