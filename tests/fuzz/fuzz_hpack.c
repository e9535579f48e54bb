/*
 * fuzz_hpack.c - libFuzzer target for the HPACK decoder (core/hpack_dec.c),
 * differential against libnghttp2's inflater.
 *
 * Input: byte 0 picks the table limit the decoder side announced (0 to
 * 65536), then header blocks, each a 2-byte big-endian length (capped at
 * 16384, HTTP/2's block bound here, and at what is left) and its bytes;
 * the length 0xffff stands for the previous block again (no bytes).
 * Both decoders get every block in order: both accept it, with the same
 * fields in the same order, or both refuse it (then the run ends).  The
 * dynamic tables keep the same size.
 *
 * A third decoder follows the rule of the header block memo of
 * core/http2.c: a block identical to the previous one is not decoded when
 * that one left the generation unchanged and the generation is still the
 * one after it (its fields are taken as they were); when that one read
 * nothing from the dynamic table, its fields are taken as they were and
 * the table changed by hpack_dec_repeat() (the generation still the one
 * after it) or by decoding it with no field handed over.  It
 * must accept and refuse the same blocks with the same fields as ours, and
 * end each block with the same table (entries, sizes), not always at the
 * same generation: a repeat that leaves every index naming the same field
 * keeps it (hpack_dec_repeat()).  Its generation must change whenever its
 * table does (the rule the memo relies on).
 */
#include <nghttp2/nghttp2.h>
#include <string.h>

#include "fuzz.h"
#include "hpack_dec.h"

#define BLOCK_MAX 16384

static uint8_t table_mem[HPACK_STRING_ROOM * HPACK_TABLE_BOUND + HPACK_TABLE_BOUND / 32 * 12]
	__attribute__((aligned(8)));
static uint8_t scratch[BLOCK_MAX * 8 / 5 + 1];
static uint8_t memo_table_mem[sizeof(table_mem)] __attribute__((aligned(8)));
static uint8_t memo_scratch[sizeof(scratch)];

typedef struct fields {
	fuzz_hash hash;
	size_t n;
} fields;

static void on_field(void *ctx, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen)
{
	fields *f = ctx;

	fuzz_hash_u64(&f->hash, nlen);
	fuzz_hash_bytes(&f->hash, name, nlen);
	fuzz_hash_u64(&f->hash, vlen);
	fuzz_hash_bytes(&f->hash, value, vlen);
	f->n++;
}

static int ng_decode(nghttp2_hd_inflater *inf, const uint8_t *b, size_t n,
		     fields *f)
{
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, b, n, 1);

		if (rv < 0)
			return -1;
		b += rv;
		n -= (size_t)rv;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			on_field(f, nv.name, nv.namelen, nv.value, nv.valuelen);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(inf);
			return 0;
		}
	}
}

/* The memo's decoder: what it remembers of the last block. */
struct memo {
	const uint8_t *b;    /* the block, in the input */
	size_t n;
	bool ok, neutral, replay;
	uint64_t gen;
	fields f;            /* its fields */
};

/* Block @b (@n bytes) through the memo's rule; 0 or -1, its fields in
 * *@out. */
static int memo_decode(hpack_dec *d, struct memo *m, const uint8_t *b,
		       size_t n, fields *out)
{
	bool same = m->ok && m->n == n && memcmp(m->b, b, n) == 0;
	uint64_t gen = hpack_dec_generation(d);

	if (same && m->neutral && gen == m->gen) {
		*out = m->f;
		return 0;
	}
	if (same && m->replay && gen == m->gen && hpack_dec_repeat(d) == 0) {
		*out = m->f;
	} else if (same && m->replay) {
		if (hpack_dec_decode(d, b, n, NULL, NULL, NULL) != 0)
			return -1;
		*out = m->f;
	} else {
		memset(out, 0, sizeof(*out));
		fuzz_hash_init(&out->hash);
		if (hpack_dec_decode(d, b, n, on_field, NULL, out) != 0)
			return -1;
	}
	m->b = b;
	m->n = n;
	m->ok = true;
	m->neutral = hpack_dec_generation(d) == gen;
	m->replay = !hpack_dec_read_table(d);
	m->gen = hpack_dec_generation(d);
	m->f = *out;
	return 0;
}

/* What a block's decoding depends on in @d: its limits and its entries,
 * not where it keeps them. */
static uint64_t state_hash(const hpack_dec *d)
{
	uint32_t i, mask = d->cap / HPACK_ENTRY_OVERHEAD - 1;
	fuzz_hash h;

	fuzz_hash_init(&h);
	fuzz_hash_u64(&h, d->n);
	fuzz_hash_u64(&h, d->size);
	fuzz_hash_u64(&h, d->max);
	fuzz_hash_u64(&h, d->limit);
	fuzz_hash_u64(&h, d->low);
	fuzz_hash_u64(&h, (uint64_t)d->must_update << 1 | d->broken);
	for (i = 0; i < d->n; i++) {
		const struct hpack_ent *e = &d->ents[(d->newest + i) & mask];

		fuzz_hash_u64(&h, (uint64_t)e->nlen << 32 | e->vlen);
		fuzz_hash_bytes(&h, d->bytes + e->off, e->nlen + e->vlen);
	}
	return h.h;
}

/* The tables of @a and @b hold the same entries. */
static void same_table(const hpack_dec *a, const hpack_dec *b)
{
	uint32_t i, mask = a->cap / HPACK_ENTRY_OVERHEAD - 1;

	FUZZ_ASSERT(a->n == b->n && a->size == b->size && a->max == b->max &&
		    a->must_update == b->must_update &&
		    a->added == b->added && a->read_table == b->read_table);
	for (i = 0; i < a->n; i++) {
		const struct hpack_ent *x = &a->ents[(a->newest + i) & mask];
		const struct hpack_ent *y = &b->ents[(b->newest + i) & mask];

		FUZZ_ASSERT(x->nlen == y->nlen && x->vlen == y->vlen &&
			    memcmp(a->bytes + x->off, b->bytes + y->off,
				   x->nlen + x->vlen) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t limits[8] = { 0, 40, 256, 1024, 4096, 4096,
					    16384, 65536 };
	nghttp2_hd_inflater *inf;
	hpack_dec d, md;
	struct memo memo;
	const uint8_t *prev = NULL;
	size_t prev_n = 0;
	uint32_t limit;
	uint64_t mgen, mhash;

	if (size < 1)
		return 0;
	limit = limits[data[0] & 7];
	data++;
	size--;
	FUZZ_ASSERT(nghttp2_hd_inflate_new(&inf) == 0);
	FUZZ_ASSERT(nghttp2_hd_inflate_change_table_size(inf, limit) == 0);
	hpack_dec_init(&d, table_mem, hpack_dec_cap(limit), scratch,
		       sizeof(scratch));
	hpack_dec_set_limit(&d, limit);
	hpack_dec_init(&md, memo_table_mem, hpack_dec_cap(limit), memo_scratch,
		       sizeof(memo_scratch));
	hpack_dec_set_limit(&md, limit);
	memset(&memo, 0, sizeof(memo));
	mgen = hpack_dec_generation(&md);
	mhash = state_hash(&md);
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		const uint8_t *blk;
		fields ours, theirs, memod;
		int a, b, c;

		data += 2;
		size -= 2;
		if (n == 0xffff && prev != NULL) {
			blk = prev;   /* the previous block again */
			n = prev_n;
		} else {
			if (n > size)
				n = size;
			if (n > BLOCK_MAX)
				n = BLOCK_MAX;
			blk = data;
			data += n;
			size -= n;
		}
		memset(&ours, 0, sizeof(ours));
		memset(&theirs, 0, sizeof(theirs));
		fuzz_hash_init(&ours.hash);
		fuzz_hash_init(&theirs.hash);
		a = hpack_dec_decode(&d, blk, n, on_field, NULL, &ours);
		b = ng_decode(inf, blk, n, &theirs);
		c = memo_decode(&md, &memo, blk, n, &memod);
		FUZZ_ASSERT(a == b);
		FUZZ_ASSERT(a == c);
		if (a != 0)
			break;
		FUZZ_ASSERT(ours.n == theirs.n);
		FUZZ_ASSERT(memcmp(&ours.hash, &theirs.hash,
				   sizeof(ours.hash)) == 0);
		FUZZ_ASSERT(ours.n == memod.n);
		FUZZ_ASSERT(memcmp(&ours.hash, &memod.hash,
				   sizeof(ours.hash)) == 0);
		FUZZ_ASSERT(d.size ==
			    nghttp2_hd_inflate_get_dynamic_table_size(inf));
		same_table(&d, &md);
		/* the memo's decoder: the same generation, the same state */
		FUZZ_ASSERT(hpack_dec_generation(&md) != mgen ||
			    state_hash(&md) == mhash);
		mgen = hpack_dec_generation(&md);
		mhash = state_hash(&md);
		prev = blk;
		prev_n = n;
	}
	nghttp2_hd_inflate_del(inf);
	return 0;
}
