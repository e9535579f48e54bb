/*
 * conn_fixtures.h - what the Check suites that drive a connection state
 * machine (check_conn.c, check_conn_server.c, check_live.c, check_ws.c,
 * check_urlscrub.c) share: the allocator they give conn_env, copying a
 * record's borrowed strings, and HTTP/2 bytes built by hand.
 */
#ifndef HT_TEST_CONN_FIXTURES_H
#define HT_TEST_CONN_FIXTURES_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* conn_env.alloc and .release: zeroed memory from the C heap. */
static inline void *zalloc(size_t n)
{
	return calloc(1, n);
}

static inline void release(void *p, size_t n)
{
	(void)n;
	free(p);
}

/* copy_str() - @s (borrowed from a record) into @dst of @cap bytes,
 * truncated and NUL-terminated. */
static inline void copy_str(char *dst, size_t cap, ht_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* h2_frame_head() - the 9-byte HTTP/2 frame header of @len payload bytes
 * of @type with @flags on @stream, into @h. */
static inline void h2_frame_head(uint8_t h[9], uint8_t type, uint8_t flags,
				 uint32_t stream, uint32_t len)
{
	h[0] = (uint8_t)(len >> 16);
	h[1] = (uint8_t)(len >> 8);
	h[2] = (uint8_t)len;
	h[3] = type;
	h[4] = flags;
	h[5] = (uint8_t)(stream >> 24);
	h[6] = (uint8_t)(stream >> 16);
	h[7] = (uint8_t)(stream >> 8);
	h[8] = (uint8_t)stream;
}

/* h2_literals() - a header block of literal fields (no indexing, no
 * Huffman: enough for the state machines, whatever the decoder's table
 * holds) from the name/value pairs of @nv (NULL-ended) into @out; returns
 * its length.  Names and values are shorter than 128 bytes. */
static inline size_t h2_literals(uint8_t *out, const char *const *nv)
{
	size_t n = 0;

	for (; *nv; nv += 2) {
		size_t nl = strlen(nv[0]), vl = strlen(nv[1]);

		out[n++] = 0x00;
		out[n++] = (uint8_t)nl;
		memcpy(out + n, nv[0], nl);
		n += nl;
		out[n++] = (uint8_t)vl;
		memcpy(out + n, nv[1], vl);
		n += vl;
	}
	return n;
}

#endif
