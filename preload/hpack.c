/*
 * hpack.c - our HPACK decoder (core/hpack_dec.c) behind hpack_ops (see
 * hpack.h), with its memory mapped here.
 *
 * Each decoder is one mapping (the decoder, its scratch for Huffman-decoded
 * strings of one field) and its dynamic table another, sized for the
 * table's default 4096 bytes; when the peer's decoder allows a larger
 * table (SETTINGS_HEADER_TABLE_SIZE), the table moves to a larger mapping,
 * up to HPACK_TABLE_BOUND.  Anonymous mappings are zero pages until
 * written, so the scratch costs what a block's strings use.
 */
#include "hpack.h"

#include <sys/mman.h>

#include "hpack_dec.h"
#include "http2.h"

struct own_dec {
	hpack_dec d;
	void *table;
	size_t table_len;
	uint8_t scratch[];
};

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static size_t own_len(void)
{
	return sizeof(struct own_dec) + hpack_dec_scratch_len(H2_BLOCK_MAX);
}

static void *own_create(void)
{
	uint32_t cap = hpack_dec_cap(HPACK_TABLE_DEFAULT);
	struct own_dec *o = map(own_len());

	if (o == NULL)
		return NULL;
	o->table_len = hpack_dec_table_mem(cap);
	o->table = map(o->table_len);
	if (o->table == NULL) {
		munmap(o, own_len());
		return NULL;
	}
	hpack_dec_init(&o->d, o->table, cap, o->scratch,
		       hpack_dec_scratch_len(H2_BLOCK_MAX));
	return o;
}

static void own_destroy(void *dec)
{
	struct own_dec *o = dec;

	munmap(o->table, o->table_len);
	munmap(o, own_len());
}

/* A larger limit: a larger table memory, when one can be had (else the
 * decoder fails a block that asks for more than it holds). */
static int own_set_max_table(void *dec, size_t size)
{
	struct own_dec *o = dec;
	uint32_t limit = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

	if (limit > o->d.cap && o->d.cap < HPACK_TABLE_BOUND) {
		uint32_t cap = hpack_dec_cap(limit);
		size_t len = hpack_dec_table_mem(cap);
		void *table = map(len);

		if (table != NULL) {
			hpack_dec_grow(&o->d, table, cap);
			munmap(o->table, o->table_len);
			o->table = table;
			o->table_len = len;
		}
	}
	hpack_dec_set_limit(&o->d, limit);
	return 0;
}

static int own_decode(void *dec, const uint8_t *block, size_t len,
		      hpack_field_fn fn, hpack_skip_fn skip, void *ctx)
{
	struct own_dec *o = dec;

	return hpack_dec_decode(&o->d, block, len, fn, skip, ctx);
}

static uint64_t own_generation(void *dec)
{
	struct own_dec *o = dec;

	return hpack_dec_generation(&o->d);
}

static bool own_read_table(void *dec)
{
	struct own_dec *o = dec;

	return hpack_dec_read_table(&o->d);
}

static int own_repeat(void *dec)
{
	struct own_dec *o = dec;

	return hpack_dec_repeat(&o->d);
}

static const hpack_ops own_ops = {
	.create = own_create,
	.destroy = own_destroy,
	.set_max_table = own_set_max_table,
	.decode = own_decode,
	.generation = own_generation,
	.read_table = own_read_table,
	.repeat = own_repeat,
};

const hpack_ops *hpack_own(void)
{
	return &own_ops;
}
