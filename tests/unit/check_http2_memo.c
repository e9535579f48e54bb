/*
 * check_http2_memo.c - unit tests of the header block memo of core/http2.c
 * (h2_reader.memo_*, "memo" in http2.c): a reader that takes a block from
 * the memo must be indistinguishable from one that decodes every block.
 *
 * Each stream (the frames of one direction, with SETTINGS_HEADER_TABLE_SIZE
 * changes given between frames, as conn_h2.c hands the other direction's
 * over) goes to two readers in lockstep, one with the memo on and one with
 * it off (h2_memo_enable()), whole, split at many offsets, and byte by
 * byte, each piece from a copy of its own, under three option sets.  After
 * every h2_feed() call both must have consumed the same bytes and reported
 * the same event, and hold the same msg (every byte), the same block
 * buffer (every byte: the memo compares in place and writes only bytes
 * that differ) and the same frame state; their HPACK decoders must be in
 * the same state (table entries, sizes, limits, generation, Huffman memo).
 * Blocks are written by hand so that each HPACK instruction is the one the
 * test means: RFC 7541 Appendix C's request and response sequences (with
 * indexing, evictions in a 256-byte table), nginx's and curl's real blocks,
 * size updates, entries larger than the table, and every block again with
 * one byte changed.  A seeded random walk over them mixes repeats,
 * mutations, padding, priority, CONTINUATIONs and table size changes.
 * The runs must also have used the memo as often as the streams allow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpack.h"
#include "hpack_dec.h"
#include "http2.h"
#include "suites.h"

/* Only reaches Check on failure (the loops below run many thousands of
 * comparisons). */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/* ---- a decoder the test can look into ---------------------------------- */

/* core/hpack_dec.c with malloc'd memory, as preload/hpack.c maps it. */
struct tdec {
	hpack_dec d;
	void *table;
	bool seen;          /* what same_decoder() saw last: */
	uint64_t seen_gen;  /* the generation */
	uint64_t seen_hash; /* and state_hash() */
	uint8_t scratch[];
};

static void *t_create(void)
{
	size_t sl = hpack_dec_scratch_len(H2_BLOCK_MAX);
	struct tdec *t = calloc(1, sizeof(*t) + sl);
	uint32_t cap = hpack_dec_cap(HPACK_TABLE_DEFAULT);

	if (t == NULL)
		return NULL;
	t->table = calloc(1, hpack_dec_table_mem(cap));
	if (t->table == NULL) {
		free(t);
		return NULL;
	}
	hpack_dec_init(&t->d, t->table, cap, t->scratch, sl);
	return t;
}

static void t_destroy(void *dec)
{
	struct tdec *t = dec;

	free(t->table);
	free(t);
}

static int t_set_max_table(void *dec, size_t size)
{
	struct tdec *t = dec;
	uint32_t limit = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

	if (limit > t->d.cap && t->d.cap < HPACK_TABLE_BOUND) {
		uint32_t cap = hpack_dec_cap(limit);
		void *table = calloc(1, hpack_dec_table_mem(cap));

		REQUIRE(table != NULL, "out of memory");
		hpack_dec_grow(&t->d, table, cap);
		free(t->table);
		t->table = table;
	}
	hpack_dec_set_limit(&t->d, limit);
	return 0;
}

static int t_decode(void *dec, const uint8_t *block, size_t len,
		    hpack_field_fn fn, hpack_skip_fn skip, void *ctx)
{
	return hpack_dec_decode(&((struct tdec *)dec)->d, block, len, fn, skip,
				ctx);
}

static uint64_t t_generation(void *dec)
{
	return hpack_dec_generation(&((struct tdec *)dec)->d);
}

static bool t_read_table(void *dec)
{
	return hpack_dec_read_table(&((struct tdec *)dec)->d);
}

/* repeats that kept the generation (hpack_dec_repeat()'s no-op) */
static unsigned long quiet_repeats;

static int t_repeat(void *dec)
{
	hpack_dec *d = &((struct tdec *)dec)->d;
	uint64_t gen = hpack_dec_generation(d);
	int rv = hpack_dec_repeat(d);

	quiet_repeats += rv == 0 && hpack_dec_generation(d) == gen;
	return rv;
}

static const hpack_ops tops = {
	.create = t_create,
	.destroy = t_destroy,
	.set_max_table = t_set_max_table,
	.decode = t_decode,
	.generation = t_generation,
	.read_table = t_read_table,
	.repeat = t_repeat,
};

/* Everything of @d a block's decoding depends on (FNV-1a): its limits and
 * the content of its table, not where the table keeps it. */
static uint64_t state_hash(const hpack_dec *d)
{
	uint32_t head[6] = { d->cap, d->limit, d->low, d->max, d->size, d->n };
	uint32_t mask = d->cap / HPACK_ENTRY_OVERHEAD - 1, i;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t j;

	for (j = 0; j < sizeof(head); j++)
		h = (h ^ ((const uint8_t *)head)[j]) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)(d->must_update + 2 * d->broken)) * 0x100000001b3ULL;
	for (i = 0; i < d->n; i++) {
		const struct hpack_ent *e = &d->ents[(d->newest + i) & mask];

		h = (h ^ e->nlen) * 0x100000001b3ULL;
		h = (h ^ e->vlen) * 0x100000001b3ULL;
		for (j = 0; j < e->nlen + e->vlen; j++)
			h = (h ^ d->bytes[e->off + j]) * 0x100000001b3ULL;
	}
	return h;
}

/* The decoders of @a (the memo on) and @b are in the same state: the same
 * fields at every index, the same limits.  Not the same generation: a
 * repeat that changes no index (hpack_dec_repeat()) leaves @a's where
 * decoding moves @b's, nor the same places of the strings.  @a's
 * generation must change whenever its state does (the memo's rule):
 * checked against what the last call saw. */
static void same_decoder(const h2_reader *a, const h2_reader *b,
			 const char *how, size_t off)
{
	struct tdec *ta = a->inflater;
	const hpack_dec *x = &ta->d;
	const hpack_dec *y = &((const struct tdec *)b->inflater)->d;
	uint64_t hash = state_hash(x);
	uint32_t i;

	REQUIRE(!ta->seen || x->gen != ta->seen_gen || hash == ta->seen_hash,
		"%s, at %zu: decoder state changed, generation %llu did not",
		how, off, (unsigned long long)x->gen);
	ta->seen = true;
	ta->seen_gen = x->gen;
	ta->seen_hash = hash;
	REQUIRE(x->cap == y->cap && x->limit == y->limit && x->low == y->low &&
			x->must_update == y->must_update &&
			x->broken == y->broken && x->max == y->max &&
			x->size == y->size && x->n == y->n &&
			x->read_table == y->read_table &&
			x->added == y->added &&
			x->memo_next == y->memo_next,
		"%s, at %zu: decoder state differs (n %u/%u size %u/%u gen "
		"%llu/%llu)",
		how, off, x->n, y->n, x->size, y->size,
		(unsigned long long)x->gen, (unsigned long long)y->gen);
	REQUIRE(memcmp(x->memo, y->memo, sizeof(x->memo)) == 0,
		"%s, at %zu: Huffman memo differs", how, off);
	for (i = 0; i < x->n; i++) {
		uint32_t mask = x->cap / HPACK_ENTRY_OVERHEAD - 1;
		const struct hpack_ent *e = &x->ents[(x->newest + i) & mask];
		const struct hpack_ent *f = &y->ents[(y->newest + i) & mask];

		REQUIRE(e->nlen == f->nlen &&
				e->vlen == f->vlen &&
				memcmp(x->bytes + e->off, y->bytes + f->off,
				       e->nlen + e->vlen) == 0,
			"%s, at %zu: table entry %u differs", how, off, i);
	}
}

/* Everything of the two readers but the memo's own fields. */
static void same_reader(const h2_reader *a, const h2_reader *b,
			const char *how, size_t off)
{
	REQUIRE(memcmp(&a->msg, &b->msg, sizeof(a->msg)) == 0,
		"%s, at %zu: msg differs", how, off);
	REQUIRE(memcmp(a->block, b->block, sizeof(a->block)) == 0 &&
			a->block_len == b->block_len,
		"%s, at %zu: block buffer differs", how, off);
	REQUIRE(a->state == b->state && a->fh_len == b->fh_len &&
			a->remaining == b->remaining &&
			a->in_block == b->in_block &&
			a->block_plain == b->block_plain &&
			a->prefix_len == b->prefix_len,
		"%s, at %zu: frame state differs", how, off);
	same_decoder(a, b, how, off);
}

/* ---- streams ------------------------------------------------------------ */

#define STREAM_MAX 65536
#define ACTS_MAX 32

struct stream {
	uint8_t b[STREAM_MAX];
	size_t len;
	bool client;
	/* h2_set_table_size(act_size[i]) once act_at[i] bytes are fed */
	size_t act_at[ACTS_MAX];
	uint32_t act_size[ACTS_MAX];
	int nact;
	uint32_t next_stream;
};

static void put(struct stream *s, const void *p, size_t n)
{
	REQUIRE(s->len + n <= sizeof(s->b), "stream too long");
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void frame_header(struct stream *s, uint32_t len, uint8_t type,
			 uint8_t flags, uint32_t id)
{
	uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			 (uint8_t)len, type, flags, (uint8_t)(id >> 24),
			 (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };

	put(s, h, sizeof(h));
}

static void stream_init(struct stream *s, bool client)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

	memset(s, 0, offsetof(struct stream, b));
	s->len = 0;
	s->nact = 0;
	s->client = client;
	s->next_stream = 1;
	if (client)
		put(s, preface, sizeof(preface) - 1);
	frame_header(s, 0, H2_SETTINGS, 0, 0);
}

/* The peer announced SETTINGS_HEADER_TABLE_SIZE @size here. */
static void table_size(struct stream *s, uint32_t size)
{
	REQUIRE(s->nact < ACTS_MAX, "too many actions");
	s->act_at[s->nact] = s->len;
	s->act_size[s->nact++] = size;
}

enum form { PLAIN, PADDED, PRIORITY, SPLIT, FORMS };

/* A HEADERS frame with END_STREAM carrying @blk (@n bytes) in @form: one
 * plain frame, padded, with priority, or split into a CONTINUATION. */
static void block(struct stream *s, const uint8_t *blk, size_t n,
		  enum form form)
{
	uint32_t id = s->next_stream;
	size_t half = n / 2;

	s->next_stream += 2;
	switch (form) {
	case PLAIN:
		frame_header(s, (uint32_t)n, H2_HEADERS,
			     H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, id);
		put(s, blk, n);
		break;
	case PADDED:
		frame_header(s, (uint32_t)n + 4, H2_HEADERS,
			     H2_FLAG_END_HEADERS | H2_FLAG_PADDED, id);
		put(s, (uint8_t[]){ 3 }, 1);
		put(s, blk, n);
		put(s, (uint8_t[]){ 0, 0, 0 }, 3);
		break;
	case PRIORITY:
		frame_header(s, (uint32_t)n + 5, H2_HEADERS,
			     H2_FLAG_END_HEADERS | H2_FLAG_PRIORITY, id);
		put(s, (uint8_t[]){ 0, 0, 0, 0, 15 }, 5);
		put(s, blk, n);
		break;
	default:
		frame_header(s, (uint32_t)half, H2_HEADERS, 0, id);
		put(s, blk, half);
		frame_header(s, (uint32_t)(n - half), H2_CONTINUATION,
			     H2_FLAG_END_HEADERS, id);
		put(s, blk + half, n - half);
		break;
	}
}

/* ---- header blocks -------------------------------------------------------- */

struct blk {
	const char *name;
	const uint8_t *b;
	size_t n;
	bool client;
};

#define B(nm, cl, ...) \
	{ nm, (const uint8_t[]){ __VA_ARGS__ }, \
	  sizeof((const uint8_t[]){ __VA_ARGS__ }), cl }

/* RFC 7541 C.4 (requests, Huffman), C.6 (responses, Huffman: the decoder's
 * limit must be 256, hence the size update 0x3fe101 in front of the first),
 * nginx's and curl's blocks as they went over the wire, and blocks made
 * for the memo's edges. */
static const struct blk blks[] = {
	/* 0: indexes :authority www.example.com */
	B("C.4.1", true, 0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5,
	  0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff),
	/* 1: refers to it, indexes cache-control */
	B("C.4.2", true, 0x82, 0x86, 0x84, 0xbe, 0x58, 0x86, 0xa8, 0xeb, 0x10,
	  0x64, 0x9c, 0xbf),
	/* 2: a new name, indexed */
	B("C.4.3", true, 0x82, 0x87, 0x85, 0xbf, 0x40, 0x88, 0x25, 0xa8, 0x49,
	  0xe9, 0x5b, 0xa9, 0x7d, 0x7f, 0x89, 0x25, 0xa8, 0x49, 0xe9, 0x5b,
	  0xb8, 0xe8, 0xb4, 0xbf),
	/* 3: every field an index, one into the dynamic table (h2load's
	 * second request on) */
	B("indexed", true, 0x82, 0x86, 0x84, 0xbe),
	/* 4: static only, one literal never indexed (neutral and
	 * table-independent) */
	B("static", true, 0x82, 0x87, 0x84, 0x10, 0x06, 0x63, 0x6f, 0x6f, 0x6b,
	  0x69, 0x65, 0x03, 0x61, 0x3d, 0x62),
	/* 5: curl's first request (indexes authority, user-agent, accept) */
	B("curl.1", true, 0x82, 0x04, 0x8c, 0x60, 0xd5, 0x48, 0x5f, 0x2b, 0xce,
	  0x9a, 0x68, 0xff, 0x2a, 0x80, 0x3f, 0x87, 0x41, 0x8b, 0x08, 0x9d,
	  0x5c, 0x0b, 0x81, 0x70, 0xdc, 0x69, 0xa6, 0x82, 0x1f, 0x7a, 0x88,
	  0x25, 0xb6, 0x50, 0xc3, 0xab, 0xbc, 0xf2, 0xe1, 0x53, 0x03, 0x2a,
	  0x2f, 0x2a),
	/* 6: curl's later requests (the path without indexing) */
	B("curl.2", true, 0x82, 0x04, 0x8c, 0x60, 0xd5, 0x48, 0x5f, 0x2b, 0xce,
	  0x9a, 0x68, 0xff, 0x2a, 0x80, 0x5f, 0x87, 0xc0, 0xbf, 0xbe),
	/* 7: a size update alone, to 4096 */
	B("update", true, 0x3f, 0xe1, 0x1f),
	/* 8: an entry larger than any table up to 4096: evicts everything,
	 * adds nothing (a name of 4096 bytes does not fit in this array:
	 * a 4000-byte value is written by big_block() instead) */
	B("empty", true),
	/* 9: C.6.1, with the size update to 256 first */
	B("C.6.1", false, 0x3f, 0xe1, 0x01, 0x48, 0x82, 0x64, 0x02, 0x58, 0x85,
	  0xae, 0xc3, 0x77, 0x1a, 0x4b, 0x61, 0x96, 0xd0, 0x7a, 0xbe, 0x94,
	  0x10, 0x54, 0xd4, 0x44, 0xa8, 0x20, 0x05, 0x95, 0x04, 0x0b, 0x81,
	  0x66, 0xe0, 0x82, 0xa6, 0x2d, 0x1b, 0xff, 0x6e, 0x91, 0x9d, 0x29,
	  0xad, 0x17, 0x18, 0x63, 0xc7, 0x8f, 0x0b, 0x97, 0xc8, 0xe9, 0xae,
	  0x82, 0xae, 0x43, 0xd3),
	/* 10: C.6.2: evicts */
	B("C.6.2", false, 0x48, 0x83, 0x64, 0x0e, 0xff, 0xc1, 0xc0, 0xbf),
	/* 11: C.6.3: evicts, a long Huffman value */
	B("C.6.3", false, 0x88, 0xc1, 0x61, 0x96, 0xd0, 0x7a, 0xbe, 0x94, 0x10,
	  0x54, 0xd4, 0x44, 0xa8, 0x20, 0x05, 0x95, 0x04, 0x0b, 0x81, 0x66,
	  0xe0, 0x84, 0xa6, 0x2d, 0x1b, 0xff, 0xc0, 0x5a, 0x83, 0x9b, 0xd9,
	  0xab, 0x77, 0xad, 0x94, 0xe7, 0x82, 0x1d, 0xd7, 0xf2, 0xe6, 0xc7,
	  0xb3, 0x35, 0xdf, 0xdf, 0xcd, 0x5b, 0x39, 0x60, 0xd5, 0xaf, 0x27,
	  0x08, 0x7f, 0x36, 0x72, 0xc1, 0xab, 0x27, 0x0f, 0xb5, 0x29, 0x1f,
	  0x95, 0x87, 0x31, 0x60, 0x65, 0xc0, 0x03, 0xed, 0x4e, 0xe5, 0xb1,
	  0x06, 0x3d, 0x50, 0x07),
	/* 12: nginx 1.22's response: every field indexed, none read from
	 * the dynamic table (table-independent) */
	B("nginx.1", false, 0x88, 0x76, 0x89, 0xaa, 0x63, 0x55, 0xe5, 0x80,
	  0xae, 0x21, 0x2e, 0x1f, 0x61, 0x96, 0xdd, 0x6d, 0x5f, 0x4a, 0x01,
	  0xc5, 0x2f, 0x94, 0x8a, 0x08, 0x02, 0x71, 0x40, 0xb7, 0x70, 0x41,
	  0xb8, 0x11, 0x29, 0x8b, 0x46, 0xff, 0x5f, 0x87, 0x49, 0x7c, 0xa5,
	  0x89, 0xd3, 0x4d, 0x1f, 0x5c, 0x03, 0x36, 0x31, 0x32, 0x6c, 0x96,
	  0xdd, 0x6d, 0x5f, 0x4a, 0x01, 0xc5, 0x2f, 0x94, 0x8a, 0x08, 0x02,
	  0x71, 0x40, 0xb7, 0x70, 0x41, 0xb8, 0x10, 0xa9, 0x8b, 0x46, 0xff,
	  0x00, 0x83, 0x2a, 0x47, 0x37, 0x8c, 0xfe, 0x5c, 0x8c, 0x2d, 0xbb,
	  0x23, 0x8e, 0xac, 0x27, 0x1a, 0xfe, 0x7f, 0x00, 0x89, 0x19, 0x08,
	  0x5a, 0xd2, 0xb5, 0x83, 0xaa, 0x62, 0xa3, 0x84, 0x8f, 0xd2, 0x4a,
	  0x8f),
	/* 13: the same a second later (the date differs) */
	B("nginx.2", false, 0x88, 0x76, 0x89, 0xaa, 0x63, 0x55, 0xe5, 0x80,
	  0xae, 0x21, 0x2e, 0x1f, 0x61, 0x96, 0xdd, 0x6d, 0x5f, 0x4a, 0x01,
	  0xc5, 0x2f, 0x94, 0x8a, 0x08, 0x02, 0x71, 0x40, 0xb7, 0x70, 0x41,
	  0xb8, 0x16, 0x54, 0xc5, 0xa3, 0x7f, 0x5f, 0x87, 0x49, 0x7c, 0xa5,
	  0x89, 0xd3, 0x4d, 0x1f, 0x5c, 0x03, 0x36, 0x31, 0x32, 0x6c, 0x96,
	  0xdd, 0x6d, 0x5f, 0x4a, 0x01, 0xc5, 0x2f, 0x94, 0x8a, 0x08, 0x02,
	  0x71, 0x40, 0xb7, 0x70, 0x41, 0xb8, 0x10, 0xa9, 0x8b, 0x46, 0xff,
	  0x00, 0x83, 0x2a, 0x47, 0x37, 0x8c, 0xfe, 0x5c, 0x8c, 0x2d, 0xbb,
	  0x23, 0x8e, 0xac, 0x27, 0x1a, 0xfe, 0x7f, 0x00, 0x89, 0x19, 0x08,
	  0x5a, 0xd2, 0xb5, 0x83, 0xaa, 0x62, 0xa3, 0x84, 0x8f, 0xd2, 0x4a,
	  0x8f),
	/* 14: authorization (redacted), cookie never indexed (redacted),
	 * grpc-status a new name indexed, referer (its query scrubbed),
	 * content-type */
	B("capture", false, 0x88,
	  0x0f, 0x08, 0x0d, 'B', 'e', 'a', 'r', 'e', 'r', ' ', 's', 'e', 'c',
	  'r', 'e', 't',
	  0x1f, 0x11, 0x02, 'a', '=',
	  0x40, 0x0b, 'g', 'r', 'p', 'c', '-', 's', 't', 'a', 't', 'u', 's',
	  0x01, '5',
	  0x0f, 0x24, 0x0e, '/', 'a', '?', 't', 'o', 'k', 'e', 'n', '=', 'x',
	  '&', 'b', '=', '1',
	  0x0f, 0x10, 0x0a, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n'),
};

#define NBLKS (sizeof(blks) / sizeof(blks[0]))

/* A block of one literal with incremental indexing, name "x", a 4070-byte
 * value: at 4103 bytes of RFC size, larger than a table of 4096. */
#define BIG_VALUE 4070
static size_t big_block(uint8_t *out)
{
	size_t n = 0;

	out[n++] = 0x40;          /* literal with incremental indexing */
	out[n++] = 0x01;          /* name: 1 byte, raw */
	out[n++] = 'x';
	out[n++] = 0x7f;          /* value: raw, 127 + the rest */
	out[n++] = (uint8_t)(0x80 | ((BIG_VALUE - 127) & 0x7f));
	out[n++] = (uint8_t)((BIG_VALUE - 127) >> 7);
	memset(out + n, 'v', BIG_VALUE);
	return n + BIG_VALUE;
}

/* ---- running streams in lockstep ------------------------------------------ */

static const char *const redact[] = { "authorization", "cookie",
				      "set-cookie", NULL };
static const char *const redact_query[] = { "token", NULL };
static const h1_options opts[] = {
	{ .capture_headers = false },
	{ .capture_headers = true },
	{ .capture_headers = true, .redact = redact,
	  .redact_query = redact_query },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

struct pair {
	h2_reader on, off;
	const struct stream *st;
	size_t base;     /* stream offset of the next byte */
	int act;         /* next action */
	const char *how;
};

static void apply_acts(struct pair *pr)
{
	const struct stream *st = pr->st;

	while (pr->act < st->nact && st->act_at[pr->act] == pr->base) {
		h2_set_table_size(&pr->on, st->act_size[pr->act]);
		h2_set_table_size(&pr->off, st->act_size[pr->act]);
		pr->act++;
	}
}

/* Feed bytes [@from, @to) of the stream to both, as one piece of its own
 * (cut again where an action is due). */
static void feed_piece(struct pair *pr, size_t from, size_t to)
{
	while (from < to) {
		size_t end = to, len;
		uint8_t *copy;
		const uint8_t *buf;

		apply_acts(pr);
		if (pr->act < pr->st->nact && pr->st->act_at[pr->act] > from &&
		    pr->st->act_at[pr->act] < end)
			end = pr->st->act_at[pr->act];
		len = end - from;
		copy = malloc(len);
		REQUIRE(copy != NULL, "out of memory");
		memcpy(copy, pr->st->b + from, len);
		buf = copy;
		while (len > 0) {
			h2_event ea, eb;
			size_t na = h2_feed(&pr->on, buf, len, &ea);
			size_t nb = h2_feed(&pr->off, buf, len, &eb);

			REQUIRE(na == nb &&
					memcmp(&ea, &eb, sizeof(ea)) == 0,
				"%s, at %zu: memo on took %zu bytes, event %d;"
				" off %zu, %d",
				pr->how, pr->base, na, ea.type, nb, eb.type);
			REQUIRE(na > 0, "%s, at %zu: no progress", pr->how,
				pr->base);
			if (ea.type != H2_EV_NONE || na == len)
				same_reader(&pr->on, &pr->off, pr->how,
					    pr->base + na - 1);
			buf += na;
			len -= na;
			pr->base += na;
		}
		free(copy);
		from = end;
	}
	apply_acts(pr);
}

/* One run of @st in pieces ending at each of @cuts (@ncuts, ascending),
 * then the rest; or byte by byte with @bytewise.  Returns the memo's
 * hits. */
static uint64_t run_cuts(const struct stream *st, const h1_options *opt,
			 const size_t *cuts, int ncuts, bool bytewise,
			 const char *how)
{
	struct pair *pr = calloc(1, sizeof(*pr));
	uint64_t hits;
	size_t at = 0, o;
	int i;

	REQUIRE(pr != NULL, "out of memory");
	REQUIRE(h2_init(&pr->on, st->client, &tops, opt) == 0 &&
			h2_init(&pr->off, st->client, &tops, opt) == 0,
		"h2_init");
	h2_memo_enable(&pr->off, false);
	pr->st = st;
	pr->how = how;
	if (bytewise) {
		for (o = 0; o < st->len; o++)
			feed_piece(pr, o, o + 1);
	} else {
		for (i = 0; i < ncuts; i++) {
			feed_piece(pr, at, cuts[i]);
			at = cuts[i];
		}
		feed_piece(pr, at, st->len);
	}
	REQUIRE(pr->off.memo_hits == 0, "%s: the memo was off", how);
	hits = pr->on.memo_hits;
	h2_free(&pr->on);
	h2_free(&pr->off);
	free(pr);
	return hits;
}

/* @st whole, split in two at every offset (of long streams, every 13th
 * and the first and last 64), in three pieces, and byte by byte, under
 * every option set: all in lockstep, and the memo used @hits times in
 * each whole run (-1: not checked).  Returns the hits of the last. */
static uint64_t check_stream(const struct stream *st, long hits)
{
	char how[96];
	uint64_t got = 0;
	size_t o, k, stride = st->len > 1024 ? 13 : 1;

	for (o = 0; o < NOPTS; o++) {
		snprintf(how, sizeof(how), "options %zu, whole", o);
		got = run_cuts(st, &opts[o], NULL, 0, false, how);
		if (hits >= 0)
			ck_assert_msg(got == (uint64_t)hits,
				      "options %zu: the memo was used %llu "
				      "times, want %ld",
				      o, (unsigned long long)got, hits);
		for (k = 1; k < st->len; k++) {
			size_t cuts[2] = { k, k + 5 };

			if (k % stride != 0 && k > 64 && k + 64 < st->len)
				continue;
			snprintf(how, sizeof(how), "options %zu, split at %zu",
				 o, k);
			run_cuts(st, &opts[o], cuts, 1, false, how);
			if (k + 5 < st->len) {
				snprintf(how, sizeof(how),
					 "options %zu, cut at %zu and %zu", o,
					 k, k + 5);
				run_cuts(st, &opts[o], cuts, 2, false, how);
			}
		}
		snprintf(how, sizeof(how), "options %zu, byte by byte", o);
		run_cuts(st, &opts[o], NULL, 0, true, how);
	}
	return got;
}

static void put_blk(struct stream *s, int i, enum form form)
{
	block(s, blks[i].b, blks[i].n, form);
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(test_same_request_indexed)
{
	/* h2load: the first request indexes, every later one is all
	 * indexes, some into the dynamic table: neutral, taken as is */
	static struct stream st;
	int i;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	for (i = 0; i < 5; i++)
		put_blk(&st, 3, PLAIN);
	check_stream(&st, 4);
}
END_TEST

START_TEST(test_rfc_requests_repeated)
{
	/* C.4.1 and C.4.2 index: their second copies are decoded again (they
	 * read the table, C.4.2 by index 62, and change it), C.4.1 read
	 * nothing from the table: replayed; C.4.3 the same */
	static struct stream st;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	put_blk(&st, 0, PLAIN);  /* replay: table-independent */
	put_blk(&st, 1, PLAIN);
	put_blk(&st, 1, PLAIN);  /* reads 62 and indexes: decoded */
	put_blk(&st, 2, PLAIN);
	put_blk(&st, 2, PLAIN);  /* reads 63 (bf): decoded */
	put_blk(&st, 4, PLAIN);
	put_blk(&st, 4, PLAIN);  /* neutral: as is */
	put_blk(&st, 4, PLAIN);
	check_stream(&st, 3);
}
END_TEST

START_TEST(test_rfc_responses_evict)
{
	/* C.6 in a 256-byte table: each block evicts; C.6.1 and C.6.3 again
	 * (C.6.1 reads no dynamic entry: replayed, evicting again; C.6.2 and
	 * C.6.3 read them: decoded) */
	static struct stream st;
	int i;

	stream_init(&st, false);
	table_size(&st, 256);
	put_blk(&st, 9, PLAIN);
	put_blk(&st, 10, PLAIN);
	put_blk(&st, 11, PLAIN);
	put_blk(&st, 11, PLAIN);
	for (i = 0; i < 3; i++)
		put_blk(&st, 10, PLAIN);
	check_stream(&st, 0);
}
END_TEST

START_TEST(test_size_update_blocks)
{
	/* a block with a size update (C.6.1 after a new limit of 256) is
	 * replayed only when the size update is valid again; a size update
	 * alone, repeated, is replayed (it changes the generation) */
	static struct stream st;
	int i;

	stream_init(&st, false);
	table_size(&st, 256);
	put_blk(&st, 9, PLAIN);
	put_blk(&st, 9, PLAIN);   /* replay: 256 again, fine */
	table_size(&st, 128);
	put_blk(&st, 9, PLAIN);   /* replay: 256 > 128: fails as a decode would */
	check_stream(&st, 1);

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	for (i = 0; i < 3; i++)
		put_blk(&st, 7, PLAIN);
	put_blk(&st, 3, PLAIN);
	check_stream(&st, 2);
}
END_TEST

START_TEST(test_nginx_responses)
{
	/* nginx indexes every field of every response in a 4096-byte table
	 * (evicting once it is full) and reads none: replayed; the date
	 * changes: decoded once, then replayed again */
	static struct stream st;
	int i;

	stream_init(&st, false);
	for (i = 0; i < 40; i++)
		put_blk(&st, i < 25 ? 12 : 13, PLAIN);
	check_stream(&st, 38);
}
END_TEST

START_TEST(test_curl_requests)
{
	/* curl: the first indexes, the next read the table (decoded once,
	 * then neutral: as is) */
	static struct stream st;
	int i;

	stream_init(&st, true);
	put_blk(&st, 5, PLAIN);
	for (i = 0; i < 6; i++)
		put_blk(&st, 6, PLAIN);
	check_stream(&st, 5);
}
END_TEST

START_TEST(test_unusual_frames_decoded)
{
	/* the same block padded, with priority, in a CONTINUATION: never
	 * from the memo, and never remembered */
	static struct stream st;
	int f;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	put_blk(&st, 3, PLAIN);
	for (f = PADDED; f < FORMS; f++) {
		put_blk(&st, 3, (enum form)f);
		put_blk(&st, 3, (enum form)f);
	}
	put_blk(&st, 3, PLAIN);  /* after SPLIT: decoded */
	put_blk(&st, 3, PLAIN);  /* as is */
	check_stream(&st, 1);
}
END_TEST

START_TEST(test_limit_changes_between)
{
	/* a new limit between two identical neutral blocks changes the
	 * generation: decoded; a limit below the table's size makes the
	 * next block fail (no size update first), memo or not */
	static struct stream st;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	put_blk(&st, 3, PLAIN);
	put_blk(&st, 3, PLAIN);   /* as is */
	table_size(&st, 8192);
	put_blk(&st, 3, PLAIN);   /* decoded: new generation */
	put_blk(&st, 3, PLAIN);   /* as is */
	table_size(&st, 0);
	put_blk(&st, 3, PLAIN);   /* fails: a size update must come first */
	put_blk(&st, 3, PLAIN);
	check_stream(&st, 2);
}
END_TEST

START_TEST(test_oversized_entry)
{
	/* an entry larger than the table evicts everything: the first time
	 * (entries to evict) decoded, then it changes nothing (an empty
	 * table): replayed, and the indexed block after it fails alike */
	static struct stream st;
	static uint8_t big[BIG_VALUE + 16];
	size_t n = big_block(big);
	int i;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	for (i = 0; i < 3; i++)
		block(&st, big, n, PLAIN);
	put_blk(&st, 8, PLAIN);   /* empty block: neutral, decoded */
	put_blk(&st, 8, PLAIN);   /* as is */
	put_blk(&st, 3, PLAIN);   /* index 62 is gone: fails */
	check_stream(&st, 3);
}
END_TEST

START_TEST(test_captured_fields)
{
	/* redaction, URL scrubbing and gRPC fields come from the memo the
	 * same (the block indexes grpc-status, read from no table:
	 * replayed) */
	static struct stream st;
	int i;

	stream_init(&st, false);
	for (i = 0; i < 4; i++)
		put_blk(&st, 14, PLAIN);
	check_stream(&st, 3);
}
END_TEST

START_TEST(test_oversized_then_small)
{
	/* a block that asks for an entry too large for the table (evicting
	 * everything) and then a small one: adding the small one again is
	 * not the whole effect: replayed, not repeated */
	static struct stream st;
	static uint8_t b[BIG_VALUE + 32];
	size_t n = big_block(b);
	int i;

	memcpy(b + n, (const uint8_t[]){ 0x40, 0x01, 'y', 0x01, 'z' }, 5);
	n += 5;
	stream_init(&st, true);
	for (i = 0; i < 3; i++)
		block(&st, b, n, PLAIN);
	put_blk(&st, 3, PLAIN);   /* index 62 is "y": fine */
	check_stream(&st, 2);
}
END_TEST

START_TEST(test_repeat_evicts_its_sources)
{
	/* nginx's five entries (291 bytes) in tables from exactly their size
	 * up: a copy evicts the entry it copies (the table's oldest), or
	 * older ones; read from where it lay either way */
	static struct stream st;
	static const uint32_t sizes[] = { 291, 292, 340, 400, 582, 600 };
	size_t k;
	int i;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint32_t v = sizes[k] - 31;
		uint8_t up[4] = { 0x3f, (uint8_t)(0x80 | (v & 0x7f)),
				  (uint8_t)(v >> 7) };

		stream_init(&st, false);
		table_size(&st, sizes[k]);
		block(&st, up, 3, PLAIN);
		for (i = 0; i < 6; i++)
			put_blk(&st, 12, PLAIN);
		check_stream(&st, 5);
	}
}
END_TEST

/* The blocks block @i refers to, before it. */
static void put_context(struct stream *s, int i)
{
	switch (i) {
	case 1:
	case 3:
		put_blk(s, 0, PLAIN);
		break;
	case 2:
		put_blk(s, 0, PLAIN);
		put_blk(s, 1, PLAIN);
		break;
	case 6:
		put_blk(s, 5, PLAIN);
		break;
	case 10:
		put_blk(s, 9, PLAIN);
		break;
	case 11:
		put_blk(s, 9, PLAIN);
		put_blk(s, 10, PLAIN);
		break;
	default:
		break;
	}
}

/* Each block of the table, three times, with byte @p of the second copy
 * changed to each of a few values: the changed copy is never taken, the
 * third is decoded or taken as the state allows, alike. */
START_TEST(test_one_byte_changed)
{
	static struct stream st;
	static const uint8_t xors[] = { 0x01, 0x80, 0x40, 0xff };
	uint8_t copy[256];
	size_t i, p, x;

	for (i = 0; i < NBLKS; i++) {
		const struct blk *b = &blks[i];

		for (p = 0; p < b->n; p++) {
			for (x = 0; x < sizeof(xors); x++) {
				stream_init(&st, b->client);
				if (i >= 9 && i <= 11)
					table_size(&st, 256);
				put_context(&st, (int)i);
				memcpy(copy, b->b, b->n);
				put_blk(&st, (int)i, PLAIN);
				copy[p] ^= xors[x];
				block(&st, copy, b->n, PLAIN);
				put_blk(&st, (int)i, PLAIN);
				put_blk(&st, (int)i, PLAIN);
				run_cuts(&st, &opts[2], NULL, 0, false,
					 "one byte changed");
				if (x == 0)
					run_cuts(&st, &opts[1], NULL, 0, true,
						 "one byte changed, bytewise");
			}
		}
	}
}
END_TEST

/* A small deterministic generator (xorshift). */
static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

START_TEST(test_random_walk)
{
	/* streams of blocks from the table: mostly the last one again, some
	 * changed in one byte, some in unusual frames, table size changes
	 * between; every stream in lockstep whole and in random pieces */
	static struct stream st;
	static const uint32_t sizes[] = { 0, 128, 256, 4096, 8192, 65536 };
	uint64_t seed = 0x9e3779b97f4a7c15ull, hits = 0;
	uint8_t copy[256];
	int walk, k;

	for (walk = 0; walk < 400; walk++) {
		bool client = walk % 2 == 0;
		int last = -1;
		size_t cuts[4];

		stream_init(&st, client);
		for (k = 0; k < 24; k++) {
			uint32_t r = rnd(&seed) % 100;
			int i = last;
			enum form form = PLAIN;

			if (i < 0 || r < 25) {
				do
					i = (int)(rnd(&seed) % NBLKS);
				while (blks[i].client != client &&
				       rnd(&seed) % 4 != 0);
			}
			last = i;
			if (rnd(&seed) % 16 == 0)
				table_size(&st, sizes[rnd(&seed) % 6]);
			if (rnd(&seed) % 10 == 0)
				form = (enum form)(1 + rnd(&seed) % 3);
			memcpy(copy, blks[i].b, blks[i].n);
			if (blks[i].n > 0 && rnd(&seed) % 12 == 0)
				copy[rnd(&seed) % blks[i].n] ^=
					(uint8_t)(1 + rnd(&seed) % 255);
			block(&st, copy, blks[i].n, form);
		}
		hits += run_cuts(&st, &opts[walk % NOPTS], NULL, 0, false,
				 "random walk, whole");
		for (k = 0; k < 4; k++)
			cuts[k] = rnd(&seed) % st.len;
		for (k = 1; k < 4; k++) { /* sort the four */
			size_t c = cuts[k];
			int j = k;

			while (j > 0 && cuts[j - 1] > c) {
				cuts[j] = cuts[j - 1];
				j--;
			}
			cuts[j] = c;
		}
		run_cuts(&st, &opts[(walk + 1) % NOPTS], cuts, 4, false,
			 "random walk, in pieces");
	}
	/* the walks repeat blocks often: the memo must have been used */
	ck_assert_uint_gt(hits, 400);
}
END_TEST

START_TEST(test_hits_need_the_memo_on)
{
	/* on by default; h2_memo_enable(false) forgets and stops it */
	static struct stream st;
	h2_reader r;
	size_t o = 0;

	stream_init(&st, true);
	put_blk(&st, 0, PLAIN);
	put_blk(&st, 3, PLAIN);
	put_blk(&st, 3, PLAIN);
	put_blk(&st, 3, PLAIN);
	ck_assert_int_eq(h2_init(&r, true, &tops, NULL), 0);
	while (o < st.len) {
		h2_event ev;

		o += h2_feed(&r, st.b + o, st.len - o, &ev);
		if (ev.type == H2_EV_HEADERS && ev.stream == 3)
			h2_memo_enable(&r, false);
	}
	ck_assert_uint_eq(r.memo_hits, 0);
	ck_assert_str_eq(r.msg.method, "GET");
	ck_assert_str_eq(r.msg.authority, "www.example.com");
	h2_free(&r);
}
END_TEST

/* Review rev-cost22c2: nginx's responses (every field indexed, none read)
 * until the table is nothing but copies of them and repeats are no-ops,
 * in tables of sizes the entries do not divide, with SETTINGS_HEADER_TABLE_SIZE
 * changes (and the size update they require) between, the date changing,
 * other blocks between, every frame form; whole and in pieces. */
START_TEST(test_rev_periodic_walk)
{
	static struct stream st;
	static const uint32_t sizes[] = { 4096, 1000, 700, 333, 1531, 2048,
					  256, 4095 };
	uint64_t seed = 0x51ed2701a3c0ffeeull, hits = 0;

	quiet_repeats = 0;
	if (getenv("REVSEED") != NULL) /* another sequence */
		seed = strtoull(getenv("REVSEED"), NULL, 0) | 1;
	uint8_t copy[256];
	int walk, k;

	for (walk = 0; walk < 300; walk++) {
		int cur = 12;
		size_t cuts[3];

		stream_init(&st, false);
		for (k = 0; k < 48; k++) {
			uint32_t r = rnd(&seed) % 100;
			enum form form = PLAIN;
			size_t n = 0;
			int i = cur;

			if (k == 0 || r < 4) {
				uint32_t sz = sizes[rnd(&seed) % 8];
				uint32_t v = sz - 31;

				table_size(&st, sz);
				/* the size update, then the block */
				copy[n++] = 0x3f;
				for (; v >= 128; v >>= 7)
					copy[n++] = (uint8_t)(0x80 | (v & 0x7f));
				copy[n++] = (uint8_t)v;
			} else if (r < 10) {
				cur = 12 + (int)(rnd(&seed) % 2);
				i = cur;
			} else if (r < 16) {
				static const int others[] = { 4, 14, 10, 11 };

				i = others[rnd(&seed) % 4];
			}
			if (rnd(&seed) % 12 == 0)
				form = (enum form)(1 + rnd(&seed) % 3);
			memcpy(copy + n, blks[i].b, blks[i].n);
			n += blks[i].n;
			block(&st, copy, n, form);
		}
		hits += run_cuts(&st, &opts[walk % NOPTS], NULL, 0, false,
				 "periodic walk, whole");
		for (k = 0; k < 3; k++)
			cuts[k] = rnd(&seed) % st.len;
		if (cuts[0] > cuts[1]) { size_t t = cuts[0]; cuts[0] = cuts[1]; cuts[1] = t; }
		if (cuts[1] > cuts[2]) { size_t t = cuts[1]; cuts[1] = cuts[2]; cuts[2] = t; }
		if (cuts[0] > cuts[1]) { size_t t = cuts[0]; cuts[0] = cuts[1]; cuts[1] = t; }
		run_cuts(&st, &opts[(walk + 1) % NOPTS], cuts, 3, false,
			 "periodic walk, in pieces");
		if (walk % 50 == 0)
			run_cuts(&st, &opts[walk % NOPTS], NULL, 0, true,
				 "periodic walk, bytewise");
	}
	ck_assert_uint_gt(hits, 300 * 20);
	ck_assert_uint_gt(quiet_repeats, 300);
}
END_TEST

Suite *http2_memo_suite(void)
{
	Suite *s = suite_create("http2_memo");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_request_indexed);
	tcase_add_test(tc, test_rfc_requests_repeated);
	tcase_add_test(tc, test_rfc_responses_evict);
	tcase_add_test(tc, test_size_update_blocks);
	tcase_add_test(tc, test_nginx_responses);
	tcase_add_test(tc, test_curl_requests);
	tcase_add_test(tc, test_unusual_frames_decoded);
	tcase_add_test(tc, test_limit_changes_between);
	tcase_add_test(tc, test_oversized_entry);
	tcase_add_test(tc, test_oversized_then_small);
	tcase_add_test(tc, test_repeat_evicts_its_sources);
	tcase_add_test(tc, test_captured_fields);
	tcase_add_test(tc, test_one_byte_changed);
	tcase_add_test(tc, test_random_walk);
	tcase_add_test(tc, test_hits_need_the_memo_on);
	tcase_add_test(tc, test_rev_periodic_walk);
	suite_add_tcase(s, tc);
	return s;
}
