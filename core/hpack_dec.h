/*
 * hpack_dec.h - an HPACK header block decoder (RFC 7541), pure: no
 * allocation, no system call.  The caller gives it the memory of its
 * dynamic table and a scratch area for Huffman-decoded strings.
 *
 * Dynamic table: up to @cap bytes of RFC size (name + value + 32 per
 * entry), @cap a power of two from HPACK_TABLE_DEFAULT to HPACK_TABLE_BOUND.
 * The peer's decoder limit (SETTINGS_HEADER_TABLE_SIZE) may be larger than
 * the memory given: the decoder keeps decoding until the encoder actually
 * asks for a table larger than @cap (a dynamic table size update), and
 * fails that block (the caller reports the connection as not decodable,
 * as for any other decoding error); hpack_dec_grow() gives it more memory.
 *
 * The strings of an entry are kept whole (never split at the end of the
 * memory): the table memory holds twice @cap bytes of strings, written as a
 * ring, plus one slot per possible entry (@cap / 32).
 */
#ifndef HT_HPACK_DEC_H
#define HT_HPACK_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hpack.h"

#define HPACK_TABLE_DEFAULT 4096u   /* RFC 7541 / RFC 9113 initial size */
#define HPACK_TABLE_BOUND 65536u    /* the largest table memory we take */
/* Bytes of string memory per byte of table capacity: with 2 * cap, a new
 * entry's strings always find a contiguous gap (table_add()). */
#define HPACK_STRING_ROOM 2u
#define HPACK_ENTRY_OVERHEAD 32u

/* The decoder remembers the Huffman strings of the last block by their place
 * in it (the k-th Huffman string of a block, k < HPACK_MEMO_SLOTS): a
 * server writes the same header block request after request (nginx: the
 * same seven Huffman-coded literals, the date changing once a second), and
 * a string whose bytes are those of the last block's string at its place is
 * copied decoded instead of decoded again.  Decoding is a function of the
 * bytes: the output is the same either way. */
#define HPACK_MEMO_SLOTS 16u
#define HPACK_MEMO_ENC 48u                      /* longest string kept */
#define HPACK_MEMO_DEC (HPACK_MEMO_ENC * 8 / 5) /* its longest decoding */

struct hpack_memo {
	uint8_t enc_len;    /* 0: nothing kept */
	uint8_t dec_len;
	uint8_t enc[HPACK_MEMO_ENC];
	uint8_t dec[HPACK_MEMO_DEC];
};

struct hpack_ent {
	uint32_t off;       /* of the name in bytes; the value follows */
	uint32_t nlen, vlen;
};

typedef struct hpack_dec {
	uint32_t cap;       /* table memory holds entries up to this size */
	uint32_t limit;     /* the protocol's bound (SETTINGS) */
	uint32_t low;       /* smallest limit since the last block */
	bool must_update;   /* the limit fell below max: the next block
	                       must begin with a size update */
	bool broken;        /* a block failed: every later one fails */
	uint32_t max;       /* the table's maximum size (size updates) */
	uint32_t size;      /* sum of the entries' sizes */
	uint32_t n;         /* entries */
	uint32_t newest;    /* slot of the newest entry */
	struct hpack_ent *ents; /* cap / 32 slots, a ring */
	uint8_t *bytes;     /* HPACK_STRING_ROOM * cap bytes */
	uint8_t *scratch;   /* Huffman-decoded strings of one field */
	size_t scratch_len;
	/* bumped by everything that can change what a block decodes to: an
	 * insert, an eviction, a size update or limit, a new table memory, a
	 * failed block (hpack_dec_generation()) */
	uint64_t gen;
	bool read_table;     /* the last block held an index beyond the
	                        static table (hpack_dec_read_table()) */
	uint32_t added;      /* entries the last block added, every one it
	                        asked for, with no size update, and all of
	                        them still in the table after it
	                        (hpack_dec_repeat()); else UINT32_MAX */
	uint32_t periodic;   /* while added is not UINT32_MAX: the newest
	                        this many entries (or all n, when fewer)
	                        repeat the block's, entry i equal to entry
	                        i - added (hpack_dec_repeat()) */
	uint32_t memo_next;  /* place of the block's next Huffman string */
	struct hpack_memo memo[HPACK_MEMO_SLOTS];
} hpack_dec;

/*
 * hpack_dec_cap() - the table capacity used for a wanted maximum size
 * @want: a power of two, at least HPACK_TABLE_DEFAULT, at most
 * HPACK_TABLE_BOUND.
 */
uint32_t hpack_dec_cap(uint32_t want);

/* hpack_dec_table_mem() - bytes of table memory for capacity @cap (a value
 * hpack_dec_cap() returned).  8-byte alignment suffices. */
size_t hpack_dec_table_mem(uint32_t cap);

/* hpack_dec_scratch_len() - scratch bytes that decode every field of a
 * header block of up to @block_max bytes (Huffman codes are at least 5
 * bits long). */
size_t hpack_dec_scratch_len(size_t block_max);

/*
 * hpack_dec_init() - a decoder with an empty table of maximum size 4096
 * (limit 4096), its table in @table (hpack_dec_table_mem(@cap) bytes) and
 * its scratch in @scratch (@scratch_len bytes).  Both stay the caller's.
 */
void hpack_dec_init(hpack_dec *d, void *table, uint32_t cap,
		    uint8_t *scratch, size_t scratch_len);

/*
 * hpack_dec_grow() - move the table of @d into @table of capacity @cap
 * (larger than d->cap), keeping every entry.  The old table memory is the
 * caller's to release afterwards.
 */
void hpack_dec_grow(hpack_dec *d, void *table, uint32_t cap);

/*
 * hpack_dec_set_limit() - the decoder side announced
 * SETTINGS_HEADER_TABLE_SIZE @limit.  Below the current maximum, the table
 * shrinks to it now and the next block must begin with a size update no
 * larger than the smallest limit announced (RFC 7541 section 4.2).
 */
void hpack_dec_set_limit(hpack_dec *d, uint32_t limit);

/*
 * hpack_dec_repeat() - do to the table what decoding the last block
 * (hpack_dec_decode()'s last, a success) again would do, without decoding
 * it: add again the entries it added, in the same order, with the same
 * evictions.  Only for a caller that knows the fields already and knows
 * the state is the one right after that block (the generation is the one
 * after it).  Possible when that block asked for no size update and every
 * entry it asked for was added and is still in the table (then the block's
 * entries are the newest ones and decoding it again adds copies of them).
 * When the whole table is copies of the block's entries (repeats of it
 * filled it) and the copies would evict exactly as many entries as they
 * add, every index would name the field it names now: nothing is done and
 * the generation stays.  Returns 0, or -1 when that is not so (nothing
 * changed: decode it).
 */
int hpack_dec_repeat(hpack_dec *d);

/*
 * hpack_dec_decode() - decode the complete header block @block (@len
 * bytes), calling @fn for each field in order (@fn NULL: none is called;
 * the decoder's state changes as with any @fn, for a caller that knows
 * the fields already).  A field added to no table
 * (literal without indexing or never indexed) whose value is Huffman-coded
 * and whose name @skip (when not NULL) says no one keeps gets its value
 * checked and counted but not decoded: @fn sees value NULL with its decoded
 * length.  Returns 0, or -1 on any error of RFC 7541 (bad index, integer
 * overflow, string beyond the block, EOS or bad padding in a Huffman
 * string, misplaced or too large size update, or a size update beyond
 * d->cap); after an error the decoder is broken and every block fails.
 */
int hpack_dec_decode(hpack_dec *d, const uint8_t *block, size_t len,
		     hpack_field_fn fn, hpack_skip_fn skip, void *ctx);

/*
 * hpack_dec_generation() - a number that changes whenever the state a
 * block's decoding depends on changes: an entry added to the dynamic table
 * or evicted from it, a dynamic table size update (any, even to the same
 * size), hpack_dec_set_limit(), hpack_dec_grow(), a failed block.  (A
 * literal with incremental indexing whose entry is larger than the table's
 * maximum size, the table being empty, changes nothing, and not the
 * generation either; nor does a hpack_dec_repeat() whose adds and
 * evictions leave every index naming the same field.)  Two decodings of
 * the same bytes at the same generation call @fn with the same fields; a
 * block after which the generation is the one before it left the decoder
 * as it found it, but for the Huffman memo (which does not change what is
 * decoded).
 */
uint64_t hpack_dec_generation(const hpack_dec *d);

/*
 * hpack_dec_read_table() - whether the last block hpack_dec_decode() was
 * given held an index beyond the static table (an indexed field or a
 * literal's name; whether or not it was valid).  A block that held none
 * decodes to the same fields whatever the dynamic table holds: its fields
 * are a function of its bytes.
 */
bool hpack_dec_read_table(const hpack_dec *d);

/*
 * hpack_huff_decode() - decode the Huffman string @in (@len bytes) into
 * @out (room for @room bytes), or only count its symbols when @out is NULL.
 * Returns the decoded length, or -1 when it holds EOS, padding longer than
 * 7 bits or not all ones, or does not fit.
 */
long hpack_huff_decode(const uint8_t *in, size_t len, uint8_t *out,
		       size_t room);

#endif
