/*
 * hpack.h - the HPACK header block decoder, borrowed from libnghttp2.
 *
 * libnghttp2 is loaded (dlopen, RTLD_LOCAL) the first time a connection
 * turns out to speak HTTP/2, so programs that never do pay nothing for it.
 * The decoder is reached through this table of functions so that the frame
 * reader (http2.c) stays independent of how the library was found.
 */
#ifndef HT_HPACK_H
#define HT_HPACK_H

#include <stddef.h>
#include <stdint.h>

/* Called for each decoded field, in order.  Strings are not NUL-terminated. */
typedef void (*hpack_field_fn)(void *ctx, const uint8_t *name, size_t nlen,
			       const uint8_t *value, size_t vlen);

typedef struct hpack_ops {
	/* A new decoder (dynamic table 4096 bytes), or NULL. */
	void *(*create)(void);
	void (*destroy)(void *dec);
	/* Allow the peer's encoder a table up to @size bytes. 0 or -1. */
	int (*set_max_table)(void *dec, size_t size);
	/* Decode one complete header block, calling @fn per field.  Returns 0,
	 * or -1 when the block is invalid (the decoder is then unusable). */
	int (*decode)(void *dec, const uint8_t *block, size_t len,
		      hpack_field_fn fn, void *ctx);
} hpack_ops;

/*
 * hpack_nghttp2() - the decoder of libnghttp2 (libnghttp2.so.14), loading
 * the library on first use.  Returns NULL when it cannot be loaded or lacks
 * a function; the caller then treats HTTP/2 connections as opaque.
 * Thread-safe; the library stays loaded.
 */
const hpack_ops *hpack_nghttp2(void);

#endif
