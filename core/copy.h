/*
 * copy.h - memcpy() of a few bytes without a call.  The strings of a
 * request (method, target, Host, reason, content type) are short and are
 * copied several times on their way to the wire: parser, request, live
 * slot, record; a call to libc's memcpy() costs more than the copy.
 *
 * Pure: no system call, no allocation, no global state.
 */
#ifndef HT_COPY_H
#define HT_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ht_copy_short() - the @n bytes at @src into @d, which do not overlap:
 * up to 32 inline, in at most four loads and stores that may cover a byte
 * twice; longer ones by memcpy().  Every access stays inside
 * [@src, @src + @n) and [@d, @d + @n). */
static inline void ht_copy_short(void *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	uint8_t *d = dst;

	/* the tests in the order that costs the usual lengths least: none
	 * (a record's empty strings), up to 16, up to 32 */
	if (n == 0)
		return;
	if (n <= 16) {
		if (n >= 8) {
			uint64_t a, b;

			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
			memcpy(d, &a, 8);
			memcpy(d + n - 8, &b, 8);
		} else if (n >= 4) {
			uint32_t a, b;

			memcpy(&a, s, 4);
			memcpy(&b, s + n - 4, 4);
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
		} else {
			/* 1 to 3 bytes: the first, then the last two */
			d[0] = s[0];
			if (n > 1) {
				uint16_t a;

				memcpy(&a, s + n - 2, 2);
				memcpy(d + n - 2, &a, 2);
			}
		}
	} else if (n <= 32) {
		uint64_t a, b, c, e;

		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		memcpy(&c, s + n - 16, 8);
		memcpy(&e, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		memcpy(d + n - 16, &c, 8);
		memcpy(d + n - 8, &e, 8);
	} else {
		memcpy(d, s, n);
	}
}

#endif
