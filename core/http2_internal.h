/*
 * http2_internal.h - what the pieces of the HTTP/2 frame reader share (see
 * http2.h for its contract).  Not for any other file.
 *
 *   http2.c         frames and header blocks, the reader's interface
 *   http2_fields.c  a block's decoded fields into the message
 *   http2_memo.c    the memo: a header block seen before is not decoded
 *                   again
 */
#ifndef HT_HTTP2_INTERNAL_H
#define HT_HTTP2_INTERNAL_H

#include "http2.h"

static inline size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A bit of h2_reader.redact_mask for a name of @len bytes whose first and
 * last bytes are @first and @last: a name whose bit is not in the mask is
 * redacted by no entry and needs no comparison.  Bytes equal but for case
 * give the same bit (OR 0x20). */
static inline uint64_t redact_bit(size_t len, uint8_t first, uint8_t last)
{
	return (uint64_t)1 << ((len * 7 + (size_t)(first | 0x20) * 3 +
				(last | 0x20)) & 63);
}

/* Between http2.c and http2_fields.c (their names as within http2.c; the
 * symbols carry the h2_ prefix). */

#define on_field h2_on_field
#define skip_value h2_skip_value

/* on_field() - hpack_field_fn: one decoded field of the block being
 * decoded into @ctx's (an h2_reader) msg, as the reader's options say
 * (http2_fields.c). */
void on_field(void *ctx, const uint8_t *name, size_t nlen,
	      const uint8_t *value, size_t vlen);

/* skip_value() - hpack_skip_fn: whether on_field() keeps nothing of the
 * value of a field named @name (@nlen bytes) for @ctx (an h2_reader): the
 * decoder then only counts it (http2_fields.c). */
bool skip_value(void *ctx, const uint8_t *name, size_t nlen);

/*
 * A client sends the same request header block again and again (h2load, a
 * poller: after the first request every field is an index into the
 * dynamic table), and a server's response blocks repeat too (nginx: the
 * same fields, each a literal with incremental indexing, only the date
 * changing once a second).  HPACK is stateful: the same bytes decode to
 * the same fields, and leave the same table, only under conditions.  The
 * reader remembers the last block when it was one plain HEADERS frame
 * (END_HEADERS, neither PADDED nor PRIORITY: CONTINUATIONs, PUSH_PROMISEs
 * and anything unusual are always decoded) and when either
 *  - neutral: decoding it left the decoder's generation (hpack_ops
 *    .generation) as it found it: no insert, eviction or size update;
 *    the same bytes at that generation again decode to the same fields
 *    and change nothing, so nothing is to be done: msg is the result;
 *  - replay: it held no index beyond the static table (hpack_ops
 *    .read_table), so its fields are a function of its bytes alone; the
 *    same bytes again decode to the same fields whatever the table holds,
 *    but may change the table (nginx's indexing).  When the generation is
 *    still the one after it, the decoder adds again the entries it added
 *    (hpack_ops.repeat: the block's entries are the newest, and the
 *    decoder says whether that is the whole table effect: no size update,
 *    every entry added and still there); else the decoder runs over the
 *    bytes with no field handed over (decode with fn NULL), which applies
 *    the table effect and fails where a full decode would fail.
 * A block whose bytes are the remembered ones is then taken from the
 * memo: msg, which nothing but block_done() writes, already holds what
 * on_field() would build again (on_field depends only on the fields and
 * on the reader's options, which do not change).  The bytes are compared
 * in place: block still holds the remembered block, and content_bytes()
 * writes a fragment over it only when it differs from the bytes there
 * (from then on the memo is gone).  What is saved: neutral, the whole
 * decoding; replay, on_field() (pseudo-headers, captured lines,
 * redaction, URL scrubbing) and, repeated, the decoding but for the
 * table's inserts.
 */
enum h2_memo_use { MEMO_NONE, MEMO_AS_IS, MEMO_REPEAT, MEMO_REPLAY };

/* h2_memo_can_keep() - whether the block just assembled may be remembered
 * (a plain HEADERS block, the memo on, a decoder that tells generations). */
bool h2_memo_can_keep(const h2_reader *r);

/* h2_memo_use() - how the block just assembled may be taken from the
 * memo. */
enum h2_memo_use h2_memo_use(const h2_reader *r);

/* h2_memo_note() - the block was decoded (its fields are in msg), from
 * generation @gen: remember it if it can be taken again. */
void h2_memo_note(h2_reader *r, uint64_t gen);

#endif
