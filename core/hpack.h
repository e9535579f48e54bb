/*
 * hpack.h - the HPACK header block decoder behind a table of functions.
 *
 * The decoder is our own (core/hpack_dec.c); preload/hpack.c gives it its
 * memory and makes it this table, so that the frame reader (http2.c) stays
 * independent of where memory comes from.
 */
#ifndef HT_HPACK_H
#define HT_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for each decoded field, in order.  Strings are not NUL-terminated.
 * @value is NULL (@vlen its decoded length) for a field whose value the
 * hpack_skip_fn said no one keeps. */
typedef void (*hpack_field_fn)(void *ctx, const uint8_t *name, size_t nlen,
			       const uint8_t *value, size_t vlen);

/* Whether the value of a field named @name need not be decoded (it is
 * counted, not kept).  Asked only where skipping is allowed: fields that
 * go into no table, with a Huffman-coded value. */
typedef bool (*hpack_skip_fn)(void *ctx, const uint8_t *name, size_t nlen);

typedef struct hpack_ops {
	/* A new decoder (dynamic table 4096 bytes), or NULL. */
	void *(*create)(void);
	void (*destroy)(void *dec);
	/* Allow the peer's encoder a table up to @size bytes. 0 or -1. */
	int (*set_max_table)(void *dec, size_t size);
	/* Decode one complete header block, calling @fn per field (@skip, or
	 * NULL, as in hpack_skip_fn; @fn NULL: no field is handed over, the
	 * table changes as it would otherwise).  Returns 0, or -1 when the
	 * block is invalid (the decoder is then unusable). */
	int (*decode)(void *dec, const uint8_t *block, size_t len,
		      hpack_field_fn fn, hpack_skip_fn skip, void *ctx);
	/* Optional (NULL: the reader keeps no memo of blocks): a number that
	 * changes whenever what a block decodes to may have changed, as
	 * hpack_dec_generation() (hpack_dec.h) says. */
	uint64_t (*generation)(void *dec);
	/* Optional, with generation: whether the last block decoded held an
	 * index beyond the static table, as hpack_dec_read_table() says. */
	bool (*read_table)(void *dec);
	/* Optional: do to the table what decoding the last block again
	 * would, as hpack_dec_repeat() says; 0, or -1 (nothing done). */
	int (*repeat)(void *dec);
} hpack_ops;

/*
 * hpack_own() - core/hpack_dec.c with its memory mapped per decoder
 * (preload/hpack.c).  Never NULL.
 */
const hpack_ops *hpack_own(void);

#endif
