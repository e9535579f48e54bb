/*
 * fuzz_hpack.c - libFuzzer target for the HPACK decoder (core/hpack_dec.c),
 * differential against libnghttp2's inflater.
 *
 * Input: byte 0 picks the table limit the decoder side announced (0 to
 * 65536), then header blocks, each a 2-byte big-endian length (capped at
 * 16384, HTTP/2's block bound here, and at what is left) and its bytes.
 * Both decoders get every block in order: both accept it, with the same
 * fields in the same order, or both refuse it (then the run ends).  The
 * dynamic tables keep the same size.
 */
#include <nghttp2/nghttp2.h>
#include <string.h>

#include "fuzz.h"
#include "hpack_dec.h"

#define BLOCK_MAX 16384

static uint8_t table_mem[HPACK_STRING_ROOM * HPACK_TABLE_BOUND + HPACK_TABLE_BOUND / 32 * 12]
	__attribute__((aligned(8)));
static uint8_t scratch[BLOCK_MAX * 8 / 5 + 1];

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t limits[8] = { 0, 40, 256, 1024, 4096, 4096,
					    16384, 65536 };
	nghttp2_hd_inflater *inf;
	hpack_dec d;
	uint32_t limit;

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
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		fields ours, theirs;
		int a, b;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (n > BLOCK_MAX)
			n = BLOCK_MAX;
		memset(&ours, 0, sizeof(ours));
		memset(&theirs, 0, sizeof(theirs));
		fuzz_hash_init(&ours.hash);
		fuzz_hash_init(&theirs.hash);
		a = hpack_dec_decode(&d, data, n, on_field, NULL, &ours);
		b = ng_decode(inf, data, n, &theirs);
		FUZZ_ASSERT(a == b);
		if (a != 0)
			break;
		FUZZ_ASSERT(ours.n == theirs.n);
		FUZZ_ASSERT(memcmp(&ours.hash, &theirs.hash,
				   sizeof(ours.hash)) == 0);
		FUZZ_ASSERT(d.size ==
			    nghttp2_hd_inflate_get_dynamic_table_size(inf));
		data += n;
		size -= n;
	}
	nghttp2_hd_inflate_del(inf);
	return 0;
}
