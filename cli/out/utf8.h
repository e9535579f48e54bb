/*
 * utf8.h - recognizing well-formed UTF-8, for the writers that keep it
 * as is and escape everything else (JSON, OTLP, HTML, text).
 */
#ifndef HT_UTF8_H
#define HT_UTF8_H

#include <stddef.h>

/*
 * utf8_len() - the length (2-4) of the well-formed UTF-8 sequence at @s (at
 * most @n bytes), or 0 when the bytes there are not one: an ASCII or
 * continuation byte first, an overlong form, a surrogate, a code point past
 * U+10FFFF, or a sequence cut short.
 */
static inline size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
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

/*
 * utf8_len_no_c1() - utf8_len(), but 0 for the C1 controls (U+0080..U+009F,
 * CSI and friends to a terminal), which a writer for people escapes.
 */
static inline size_t utf8_len_no_c1(const unsigned char *s, size_t n)
{
	size_t len = utf8_len(s, n);

	return len == 2 && s[0] == 0xC2 && s[1] < 0xA0 ? 0 : len;
}

#endif
