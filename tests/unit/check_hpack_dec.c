/*
 * check_hpack_dec.c - unit tests of core/hpack_dec.c: RFC 7541 Appendix C
 * (C.2 to C.6), every error case, and a differential test against
 * libnghttp2 (its deflater encodes random header lists, its inflater and
 * ours decode them: the same fields, in order).
 */
#include <check.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpack_dec.h"
#include "suites.h"

#define MAXF 256
#define BLOCK_MAX 16384

struct fields {
	unsigned n;
	char name[MAXF][128];
	char value[MAXF][256];
	size_t nlen[MAXF], vlen[MAXF];
	bool skipped[MAXF];
};

static void on_field(void *ctx, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen)
{
	struct fields *f = ctx;

	ck_assert_uint_lt(f->n, MAXF);
	ck_assert_uint_lt(nlen, sizeof(f->name[0]));
	ck_assert_uint_lt(vlen, sizeof(f->value[0]));
	memcpy(f->name[f->n], name, nlen);
	f->nlen[f->n] = nlen;
	f->skipped[f->n] = value == NULL;
	if (value != NULL)
		memcpy(f->value[f->n], value, vlen);
	f->vlen[f->n] = vlen;
	f->n++;
}

/* A decoder with its memory (static: a test at a time). */
static uint8_t table_mem[HPACK_STRING_ROOM * HPACK_TABLE_BOUND + HPACK_TABLE_BOUND / 32 * 12]
	__attribute__((aligned(8)));
static uint8_t scratch[BLOCK_MAX * 8 / 5 + 1];

static void dec_init(hpack_dec *d, uint32_t cap)
{
	ck_assert_uint_le(hpack_dec_table_mem(cap), sizeof(table_mem));
	memset(table_mem, 0xa5, sizeof(table_mem));
	hpack_dec_init(d, table_mem, cap, scratch,
		       hpack_dec_scratch_len(BLOCK_MAX));
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		ck_assert(sscanf(hex, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Decode @hex: 0 and the fields @want (name, value, ..., NULL), or -1. */
static int decode_hex(hpack_dec *d, const char *hex, const char *const *want)
{
	static uint8_t b[4096];
	struct fields f = { 0 };
	size_t n = unhex(hex, b);
	unsigned i;

	if (hpack_dec_decode(d, b, n, on_field, NULL, &f) != 0)
		return -1;
	for (i = 0; want[0] != NULL; want += 2, i++) {
		ck_assert_uint_lt(i, f.n);
		ck_assert_uint_eq(f.nlen[i], strlen(want[0]));
		ck_assert_uint_eq(f.vlen[i], strlen(want[1]));
		ck_assert(memcmp(f.name[i], want[0], f.nlen[i]) == 0);
		ck_assert_msg(memcmp(f.value[i], want[1], f.vlen[i]) == 0,
			      "field %u: %.*s", i, (int)f.vlen[i], f.value[i]);
	}
	ck_assert_uint_eq(i, f.n);
	return 0;
}

/* Dynamic table entry @i (1 the newest) is @name: @value. */
static void has_entry(hpack_dec *d, uint32_t i, const char *name,
		      const char *value)
{
	static uint8_t b[8];
	struct fields f = { 0 };
	size_t n = 0;
	uint32_t idx = 61 + i;

	/* an indexed field for idx (7-bit prefix) */
	if (idx < 127) {
		b[n++] = (uint8_t)(0x80 | idx);
	} else {
		b[n++] = 0xff;
		idx -= 127;
		while (idx >= 128) {
			b[n++] = (uint8_t)(0x80 | (idx & 0x7f));
			idx >>= 7;
		}
		b[n++] = (uint8_t)idx;
	}
	ck_assert_int_eq(hpack_dec_decode(d, b, n, on_field, NULL, &f), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.nlen[0], strlen(name));
	ck_assert_uint_eq(f.vlen[0], strlen(value));
	ck_assert(memcmp(f.name[0], name, f.nlen[0]) == 0);
	ck_assert(memcmp(f.value[0], value, f.vlen[0]) == 0);
}

/* ---- RFC 7541 Appendix C ------------------------------------------------ */

START_TEST(test_c2_literals)
{
	hpack_dec d;
	static const char *const c21[] = { "custom-key", "custom-header", NULL };
	static const char *const c22[] = { ":path", "/sample/path", NULL };
	static const char *const c23[] = { "password", "secret", NULL };
	static const char *const c24[] = { ":method", "GET", NULL };

	dec_init(&d, 4096);
	ck_assert_int_eq(decode_hex(&d, "400a 6375 7374 6f6d 2d6b 6579 0d63 "
				    "7573 746f 6d2d 6865 6164 6572", c21), 0);
	ck_assert_uint_eq(d.size, 55);
	ck_assert_uint_eq(d.n, 1);
	has_entry(&d, 1, "custom-key", "custom-header");
	dec_init(&d, 4096);
	ck_assert_int_eq(decode_hex(&d, "040c 2f73 616d 706c 652f 7061 7468",
				    c22), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(decode_hex(&d, "1008 7061 7373 776f 7264 0673 6563 "
				    "7265 74", c23), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(decode_hex(&d, "82", c24), 0);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

static const char *const req1[] = { ":method", "GET", ":scheme", "http",
	":path", "/", ":authority", "www.example.com", NULL };
static const char *const req2[] = { ":method", "GET", ":scheme", "http",
	":path", "/", ":authority", "www.example.com",
	"cache-control", "no-cache", NULL };
static const char *const req3[] = { ":method", "GET", ":scheme", "https",
	":path", "/index.html", ":authority", "www.example.com",
	"custom-key", "custom-value", NULL };

static void requests(const char *const *hex)
{
	hpack_dec d;

	dec_init(&d, 4096);
	ck_assert_int_eq(decode_hex(&d, hex[0], req1), 0);
	ck_assert_uint_eq(d.size, 57);
	ck_assert_int_eq(decode_hex(&d, hex[1], req2), 0);
	ck_assert_uint_eq(d.size, 110);
	ck_assert_int_eq(decode_hex(&d, hex[2], req3), 0);
	ck_assert_uint_eq(d.size, 164);
	ck_assert_uint_eq(d.n, 3);
	has_entry(&d, 1, "custom-key", "custom-value");
	has_entry(&d, 2, "cache-control", "no-cache");
	has_entry(&d, 3, ":authority", "www.example.com");
}

START_TEST(test_c3_requests)
{
	static const char *const hex[] = {
		"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
		"8286 84be 5808 6e6f 2d63 6163 6865",
		"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d "
		"7661 6c75 65",
	};
	requests(hex);
}
END_TEST

START_TEST(test_c4_requests_huffman)
{
	static const char *const hex[] = {
		"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
		"8286 84be 5886 a8eb 1064 9cbf",
		"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
	};
	requests(hex);
}
END_TEST

static const char *const resp1[] = { ":status", "302",
	"cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:21 GMT",
	"location", "https://www.example.com", NULL };
static const char *const resp2[] = { ":status", "307",
	"cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:21 GMT",
	"location", "https://www.example.com", NULL };
static const char *const resp3[] = { ":status", "200",
	"cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:22 GMT",
	"location", "https://www.example.com", "content-encoding", "gzip",
	"set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
	NULL };

/* The responses' encoder uses a 256-byte table: evictions. */
static void responses(const char *const *hex)
{
	hpack_dec d;

	dec_init(&d, 4096);
	d.limit = d.max = 256;
	ck_assert_int_eq(decode_hex(&d, hex[0], resp1), 0);
	ck_assert_uint_eq(d.size, 222);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_int_eq(decode_hex(&d, hex[1], resp2), 0);
	ck_assert_uint_eq(d.size, 222);
	ck_assert_uint_eq(d.n, 4);
	has_entry(&d, 1, ":status", "307");
	has_entry(&d, 4, "cache-control", "private");
	ck_assert_int_eq(decode_hex(&d, hex[2], resp3), 0);
	ck_assert_uint_eq(d.size, 215);
	ck_assert_uint_eq(d.n, 3);
	has_entry(&d, 1, "set-cookie",
		  "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
	has_entry(&d, 2, "content-encoding", "gzip");
	has_entry(&d, 3, "date", "Mon, 21 Oct 2013 20:13:22 GMT");
}

START_TEST(test_c5_responses)
{
	static const char *const hex[] = {
		"4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 "
		"4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 "
		"7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
		"4803 3330 37c1 c0bf",
		"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a "
		"3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 "
		"444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 "
		"553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e "
		"3d31",
	};
	responses(hex);
}
END_TEST

START_TEST(test_c6_responses_huffman)
{
	static const char *const hex[] = {
		"4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 "
		"9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 "
		"e9ae 82ae 43d3",
		"4883 640e ffc1 c0bf",
		"88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d "
		"1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b "
		"3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed "
		"4ee5 b106 3d50 07",
	};
	responses(hex);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

static int decode_raw(hpack_dec *d, const char *hex)
{
	static uint8_t b[4096];
	struct fields f = { 0 };
	size_t n = unhex(hex, b);

	return hpack_dec_decode(d, b, n, on_field, NULL, &f);
}

/* Each on a fresh decoder: -1, and the decoder stays broken. */
static void fails(const char *hex)
{
	hpack_dec d;

	dec_init(&d, 4096);
	ck_assert_msg(decode_raw(&d, hex) == -1, "accepted %s", hex);
	ck_assert_int_eq(decode_raw(&d, "82"), -1);
}

static void works(const char *hex)
{
	hpack_dec d;

	dec_init(&d, 4096);
	ck_assert_msg(decode_raw(&d, hex) == 0, "refused %s", hex);
}

/* An entry of an empty name and value sits at offset 0 and ends there:
 * the next entry goes right after it, at 0 too (the fuzzer found a block
 * that failed when offset 0 was taken for "wrap to the start"). */
START_TEST(test_empty_entry_at_start)
{
	hpack_dec d;
	static const char *const empty[] = { "", "", NULL };
	static const char *const proxy[] = { "proxy-authenticate", "", NULL };

	dec_init(&d, 4096);
	ck_assert_int_eq(decode_hex(&d, "4000 00", empty), 0);
	ck_assert_uint_eq(d.size, 32);
	ck_assert_int_eq(decode_hex(&d, "7000", proxy), 0);
	ck_assert_uint_eq(d.size, 82);
	has_entry(&d, 1, "proxy-authenticate", "");
	has_entry(&d, 2, "", "");
}
END_TEST

START_TEST(test_errors)
{
	/* index 0, beyond the static table, beyond the dynamic table */
	fails("80");
	fails("be");
	works("bd");
	fails("7e00");            /* literal, indexed name 62: no entry */
	fails("0f30 00");         /* without indexing, name index 63 */
	/* integers: truncated, overflowing 32 bits, shifting past them */
	fails("ff");
	fails("ff80");
	fails("ff ff ff ff ff 0f");
	fails("ff 80 80 80 80 80 00");
	fails("3f e1 ff ff ff 0f"); /* size update beyond 32 bits */
	/* strings: length beyond the block, truncated */
	fails("4005 6162");
	fails("40");
	fails("0001 61");         /* value missing */
	/* Huffman: EOS inside (30 ones), padding of 8 bits, padding not
	 * ones, padding of zeros after a symbol */
	fails("0084 ffff ffff 0161");
	fails("0082 1fff 0161");  /* 'a' (00011) then 11 ones */
	fails("0081 00 0161");    /* '0' (00000) then 000: not ones */
	fails("0081 ff 0161");    /* 8 ones of padding */
	works("0081 07 0161");    /* '0' then 111 */
	works("0081 1f 0161");    /* 'a' (00011) then 111 */
	/* size updates: beyond the limit, after a field, at the end ok */
	fails("3fe2 1f");         /* 4097 > 4096 */
	works("3fe1 1f");         /* 4096 */
	fails("82 20");
	works("20 82");
	works("20 3fe1 1f 82");   /* two at the start */
}
END_TEST

START_TEST(test_limit_and_grow)
{
	hpack_dec d;
	static uint8_t mem2[HPACK_STRING_ROOM * 8192 + 8192 / 32 * 12] __attribute__((aligned(8)));

	dec_init(&d, 4096);
	ck_assert_int_eq(decode_raw(&d, "4001 6101 62"), 0);  /* a: b */
	ck_assert_uint_eq(d.size, 34);
	/* a lower limit: the next block must start with an update no larger */
	hpack_dec_set_limit(&d, 100);
	ck_assert_int_eq(decode_raw(&d, "82"), -1);
	dec_init(&d, 4096);
	hpack_dec_set_limit(&d, 100);
	ck_assert_int_eq(decode_raw(&d, "3f46 82"), -1);       /* 101 */
	dec_init(&d, 4096);
	hpack_dec_set_limit(&d, 100);
	ck_assert_int_eq(decode_raw(&d, "3f45 82"), 0);        /* 100 */
	ck_assert_int_eq(decode_raw(&d, "82"), 0);
	/* a larger limit than the memory holds: updates to it fail */
	dec_init(&d, 4096);
	hpack_dec_set_limit(&d, 8192);
	ck_assert_int_eq(decode_raw(&d, "3fe1 3f"), -1);       /* 8192 */
	/* unless the table grows, keeping its entries */
	dec_init(&d, 4096);
	ck_assert_int_eq(decode_raw(&d, "4001 6101 62"), 0);
	ck_assert_int_eq(decode_raw(&d, "4001 6301 64"), 0);
	hpack_dec_grow(&d, mem2, 8192);
	hpack_dec_set_limit(&d, 8192);
	ck_assert_int_eq(decode_raw(&d, "3fe1 3f"), 0);
	ck_assert_uint_eq(d.max, 8192);
	has_entry(&d, 1, "c", "d");
	has_entry(&d, 2, "a", "b");
}
END_TEST

/* ---- differential, against libnghttp2 ------------------------------------ */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const pool[] = {
	":method", ":path", ":status", ":authority", "content-type", "date",
	"server", "etag", "x-custom", "set-cookie", "cookie", "user-agent",
	"grpc-status", "host", "cache-control", "x-a", "",
};

static void ng_fields(nghttp2_hd_inflater *inf, const uint8_t *b, size_t n,
		      struct fields *f, int *ok)
{
	*ok = 1;
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, b, n, 1);

		if (rv < 0) {
			*ok = 0;
			return;
		}
		b += rv;
		n -= (size_t)rv;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			on_field(f, nv.name, nv.namelen, nv.value, nv.valuelen);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(inf);
			return;
		}
	}
}

/* Skip the values of names of odd length (a predicate like http2.c's). */
static bool skip_odd(void *ctx, const uint8_t *name, size_t nlen)
{
	return nlen % 2 == 1;
}

START_TEST(test_differential)
{
	static const uint32_t sizes[] = { 0, 40, 100, 256, 1024, 4096, 8192,
					  65536 };
	static uint8_t out[BLOCK_MAX];
	unsigned conn, cases = 0;

	for (conn = 0; conn < 300; conn++) {
		nghttp2_hd_deflater *def;
		nghttp2_hd_inflater *inf;
		hpack_dec d;
		uint32_t limit = sizes[rnd(8)];
		unsigned blk;
		bool skip = rnd(2);
		unsigned nf = 0;

		ck_assert_int_eq(nghttp2_hd_deflate_new(&def, 65536), 0);
		ck_assert_int_eq(nghttp2_hd_inflate_new(&inf), 0);
		dec_init(&d, hpack_dec_cap(limit));
		/* the decoder side announced @limit */
		ck_assert_int_eq(nghttp2_hd_inflate_change_table_size(inf, limit), 0);
		hpack_dec_set_limit(&d, limit);
		ck_assert_int_eq(nghttp2_hd_deflate_change_table_size(def, limit), 0);
		for (blk = 0; blk < 20; blk++, cases++) {
			static nghttp2_nv nv[64];
			static char names[64][40], values[64][200];
			struct fields ours = { 0 }, theirs = { 0 };
			unsigned i, k;
			ssize_t len;
			int ok;

			if (rnd(10) == 0) {
				/* a new limit, the encoder follows it */
				uint32_t l = sizes[rnd(8)];

				if (l > d.cap)
					l = d.cap;
				ck_assert_int_eq(nghttp2_hd_inflate_change_table_size(inf, l), 0);
				hpack_dec_set_limit(&d, l);
				ck_assert_int_eq(nghttp2_hd_deflate_change_table_size(def, l), 0);
			}
			if (blk > 0 && rnd(3) == 0) {
				/* the last block's fields again (a server's
				 * response after response), one value byte
				 * changed or not: the memo's hits and misses */
				if (nf > 0 && rnd(2) == 0) {
					i = rnd(nf);
					if (nv[i].valuelen > 0)
						values[i][rnd((uint32_t)nv[i].valuelen)] =
							(char)(' ' + rnd(95));
				}
				goto encode;
			}
			nf = rnd(20);
			for (i = 0; i < nf; i++) {
				uint32_t vl = rnd(4) == 0 ? rnd(200) : rnd(30);

				if (rnd(3) == 0) {
					uint32_t nl = 1 + rnd(39);
					for (k = 0; k < nl; k++)
						names[i][k] = (char)('a' + rnd(26));
					nv[i].namelen = nl;
				} else {
					const char *s = pool[rnd(sizeof(pool) / sizeof(pool[0]))];
					nv[i].namelen = strlen(s);
					memcpy(names[i], s, nv[i].namelen);
				}
				for (k = 0; k < vl; k++)
					values[i][k] = (char)(rnd(5) == 0 ? rnd(256)
							      : ' ' + rnd(95));
				if (rnd(8) == 0 && i > 0) { /* a repeat */
					memcpy(values[i], values[i - 1], 200);
					memcpy(names[i], names[i - 1], 40);
					nv[i].namelen = nv[i - 1].namelen;
					vl = (uint32_t)nv[i - 1].valuelen;
				}
				nv[i].name = (uint8_t *)names[i];
				nv[i].value = (uint8_t *)values[i];
				nv[i].valuelen = vl;
				nv[i].flags = rnd(3) == 0 ? NGHTTP2_NV_FLAG_NO_INDEX
							  : NGHTTP2_NV_FLAG_NONE;
			}
encode:
			len = nghttp2_hd_deflate_hd(def, out, sizeof(out), nv, nf);
			ck_assert_int_gt(len, -1);
			ng_fields(inf, out, (size_t)len, &theirs, &ok);
			ck_assert_int_eq(ok, 1);
			ck_assert_int_eq(hpack_dec_decode(&d, out, (size_t)len,
							  on_field,
							  skip ? skip_odd : NULL,
							  &ours), 0);
			ck_assert_uint_eq(ours.n, nf);
			ck_assert_uint_eq(theirs.n, nf);
			for (i = 0; i < nf; i++) {
				ck_assert_uint_eq(ours.nlen[i], theirs.nlen[i]);
				ck_assert(memcmp(ours.name[i], theirs.name[i],
						 ours.nlen[i]) == 0);
				ck_assert(memcmp(ours.name[i], names[i],
						 ours.nlen[i]) == 0);
				ck_assert_uint_eq(ours.vlen[i], theirs.vlen[i]);
				if (!ours.skipped[i])
					ck_assert(memcmp(ours.value[i],
							 theirs.value[i],
							 ours.vlen[i]) == 0);
				else
					ck_assert(skip && ours.nlen[i] % 2 == 1);
			}
			ck_assert_uint_eq(d.size, (uint32_t)nghttp2_hd_inflate_get_dynamic_table_size(inf));
		}
		nghttp2_hd_deflate_del(def);
		nghttp2_hd_inflate_del(inf);
	}
	ck_assert_uint_eq(cases, 6000);
}
END_TEST

/* nghttp2's encoding of @nf fields, none indexed (as nginx sends a
 * response's): the same fields give the same bytes each time. */
static size_t deflate_plain(const char *const *nvs, unsigned nf, uint8_t *out,
			    size_t room)
{
	nghttp2_hd_deflater *def;
	nghttp2_nv nv[8];
	unsigned i;
	ssize_t len;

	ck_assert_uint_le(nf, 8);
	for (i = 0; i < nf; i++) {
		nv[i].name = (uint8_t *)nvs[2 * i];
		nv[i].namelen = strlen(nvs[2 * i]);
		nv[i].value = (uint8_t *)nvs[2 * i + 1];
		nv[i].valuelen = strlen(nvs[2 * i + 1]);
		nv[i].flags = NGHTTP2_NV_FLAG_NO_INDEX;
	}
	ck_assert_int_eq(nghttp2_hd_deflate_new(&def, 4096), 0);
	len = nghttp2_hd_deflate_hd(def, out, room, nv, nf);
	nghttp2_hd_deflate_del(def);
	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

static int decode_fields(hpack_dec *d, const uint8_t *b, size_t n,
			 struct fields *f, hpack_skip_fn skip)
{
	memset(f, 0, sizeof(*f));
	return hpack_dec_decode(d, b, n, on_field, skip, f);
}

static void same_fields(const struct fields *a, const struct fields *b)
{
	unsigned i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_uint_eq(a->nlen[i], b->nlen[i]);
		ck_assert_uint_eq(a->vlen[i], b->vlen[i]);
		ck_assert_int_eq(a->skipped[i], b->skipped[i]);
		ck_assert(memcmp(a->name[i], b->name[i], a->nlen[i]) == 0);
		if (!a->skipped[i])
			ck_assert(memcmp(a->value[i], b->value[i],
					 a->vlen[i]) == 0);
	}
}

/* The memo of the last block's Huffman strings: a block like the last
 * one, one like it but for a byte of one string (same length), the same
 * strings where only their length is taken (skip), and a string that does
 * not decode at the place of one that did: each decodes as on a fresh
 * decoder, the bad one fails. */
START_TEST(test_memo)
{
	static const char *const a[] = {
		"server", "nginx/1.22.1", "date", "Sun, 06 Dec 2026 14:13:46 GMT",
		"etag", "\"5f0d-264\"", "x-odd", "aaaa",
	};
	static const char *const b[] = {
		"server", "nginx/1.22.1", "date", "Sun, 06 Dec 2026 14:13:47 GMT",
		"etag", "\"5f0d-264\"", "x-odd", "aaaa",
	};
	static uint8_t ba[512], bb[512];
	struct fields got, want;
	hpack_dec d, fresh;
	size_t na = deflate_plain(a, 4, ba, sizeof(ba));
	size_t nb = deflate_plain(b, 4, bb, sizeof(bb));
	int round;

	ck_assert_uint_eq(na, nb);
	dec_init(&d, 4096);
	for (round = 0; round < 6; round++) {
		const uint8_t *blk = round % 3 == 1 ? bb : ba;
		hpack_skip_fn skip = round >= 3 ? skip_odd : NULL;

		ck_assert_int_eq(decode_fields(&d, blk, na, &got, skip), 0);
		dec_init(&fresh, 4096);
		ck_assert_int_eq(decode_fields(&fresh, blk, na, &want, skip), 0);
		same_fields(&got, &want);
		ck_assert_uint_eq(got.n, 4);
		ck_assert_uint_eq(got.vlen[1], 29);
		ck_assert(memcmp(got.name[3], "x-odd", 5) == 0);
		ck_assert_int_eq(got.skipped[3], skip != NULL);
	}
	/* "aaaa" is 20 bits and 4 of padding (ones): padding of zeros in the
	 * block's last byte is an error, memo or not */
	bb[nb - 1] = (uint8_t)(ba[na - 1] & 0xf0);
	ck_assert_uint_ne(bb[nb - 1], ba[na - 1]);
	ck_assert_int_eq(decode_fields(&d, bb, nb, &got, NULL), -1);
	dec_init(&fresh, 4096);
	ck_assert_int_eq(decode_fields(&fresh, bb, nb, &want, NULL), -1);
}
END_TEST

/* A second decoder's memory, for comparing two. */
static uint8_t table_mem2[HPACK_STRING_ROOM * 4096 + 4096 / 32 * 12]
	__attribute__((aligned(8)));
static uint8_t scratch2[BLOCK_MAX * 8 / 5 + 1];

/* Entry @i (0 the newest) of @d, read from its table as lookups do. */
static void entry_of(const hpack_dec *d, uint32_t i, const uint8_t **s,
		     uint32_t *nlen, uint32_t *vlen)
{
	const struct hpack_ent *e =
		&d->ents[(d->newest + i) & (d->cap / HPACK_ENTRY_OVERHEAD - 1)];

	*s = d->bytes + e->off;
	*nlen = e->nlen;
	*vlen = e->vlen;
}

/* (one assertion per table: each is a write to Check's pipe) */
static bool same_table(const hpack_dec *a, const hpack_dec *b)
{
	uint32_t i;

	if (a->n != b->n || a->size != b->size || a->max != b->max)
		return false;
	for (i = 0; i < a->n; i++) {
		const uint8_t *sa, *sb;
		uint32_t na, va, nb, vb;

		entry_of(a, i, &sa, &na, &va);
		entry_of(b, i, &sb, &nb, &vb);
		if (na != nb || va != vb || memcmp(sa, sb, na + va) != 0)
			return false;
	}
	return true;
}

/* A block of @nf literals with incremental indexing, new names, random
 * lengths (nginx's responses: every field added, none read), maybe
 * beginning with a size update to @max (0: none).  Returns its length. */
static size_t indexed_block(uint8_t *b, unsigned nf, uint32_t max)
{
	size_t n = 0;
	unsigned i, k;

	if (max > 0) {
		uint32_t v = max - 31;

		b[n++] = 0x3f;
		for (; v >= 128; v >>= 7)
			b[n++] = (uint8_t)(0x80 | (v & 0x7f));
		b[n++] = (uint8_t)v;
	}
	for (i = 0; i < nf; i++) {
		uint32_t nl = 1 + rnd(20), vl = rnd(4) == 0 ? rnd(120) : rnd(30);

		b[n++] = 0x40;
		b[n++] = (uint8_t)nl;
		for (k = 0; k < nl; k++)
			b[n++] = (uint8_t)('a' + rnd(26));
		b[n++] = (uint8_t)vl;
		for (k = 0; k < vl; k++)
			b[n++] = (uint8_t)(' ' + rnd(95));
	}
	return n;
}

/* hpack_dec_repeat() against decoding: blocks that add every field, each
 * taken several times in a row (a server's responses, the date changing
 * now and then), in tables from about one block up.  One decoder repeats
 * the last block when it can, the other always decodes: their tables are
 * the same after every block.  Once repeats filled the table with copies
 * of the block, a repeat changes no index: the generation stays, and it
 * must have, often. */
START_TEST(test_repeat_periodic)
{
	static const uint32_t maxes[] = { 4096, 4096, 1000, 700, 300, 2048 };
	static uint8_t blks[3][BLOCK_MAX];
	unsigned conn, quiet = 0, repeats = 0;

	for (conn = 0; conn < 60; conn++) {
		hpack_dec d, ref;
		size_t lens[3];
		uint32_t max = maxes[conn % 6];
		unsigned step, cur = 0, j;
		bool fresh = true;

		dec_init(&d, 4096);
		hpack_dec_init(&ref, table_mem2, 4096, scratch2,
			       hpack_dec_scratch_len(BLOCK_MAX));
		for (j = 0; j < 3; j++)
			lens[j] = indexed_block(blks[j], 1 + rnd(8),
						j == 2 ? max : 0);
		/* the table's size first (alone: its block adds nothing) */
		ck_assert_int_eq(hpack_dec_decode(&d, blks[2], lens[2],
						  NULL, NULL, NULL), 0);
		ck_assert_int_eq(hpack_dec_decode(&ref, blks[2], lens[2],
						  NULL, NULL, NULL), 0);
		for (step = 0; step < 150; step++) {
			uint64_t gen = hpack_dec_generation(&d);

			if (rnd(12) == 0) {
				cur = rnd(3);
				fresh = true;
			}
			if (!fresh && cur != 2 &&
			    hpack_dec_repeat(&d) == 0) {
				repeats++;
				if (hpack_dec_generation(&d) == gen)
					quiet++;
			} else if (hpack_dec_decode(&d, blks[cur], lens[cur],
						    NULL, NULL, NULL) != 0) {
				ck_abort_msg("conn %u step %u: decode failed",
					     conn, step);
			}
			if (hpack_dec_decode(&ref, blks[cur], lens[cur], NULL,
					     NULL, NULL) != 0 ||
			    !same_table(&d, &ref))
				ck_abort_msg("conn %u step %u: tables differ",
					     conn, step);
			fresh = false;
		}
	}
	ck_assert_uint_gt(repeats, 4000);
	ck_assert_uint_gt(quiet, 2000);
}
END_TEST

/* ---- review rev-cost22c2: the memo's rules against always decoding ------- */

static void hash_field(void *ctx, const uint8_t *name, size_t nlen,
		       const uint8_t *value, size_t vlen)
{
	uint64_t *h = ctx;
	size_t i;

	*h = (*h ^ nlen) * 0x100000001b3ULL;
	for (i = 0; i < nlen; i++)
		*h = (*h ^ name[i]) * 0x100000001b3ULL;
	*h = (*h ^ vlen) * 0x100000001b3ULL;
	for (i = 0; i < vlen; i++)
		*h = (*h ^ value[i]) * 0x100000001b3ULL;
}

static size_t put_int(uint8_t *b, uint8_t first, unsigned prefix, uint32_t v)
{
	uint32_t m = (1u << prefix) - 1;
	size_t n = 0;

	if (v < m) {
		b[n++] = (uint8_t)(first | v);
		return n;
	}
	b[n++] = (uint8_t)(first | m);
	v -= m;
	for (; v >= 128; v >>= 7)
		b[n++] = (uint8_t)(0x80 | (v & 0x7f));
	b[n++] = (uint8_t)v;
	return n;
}

static size_t put_str(uint8_t *b, uint32_t len, char base)
{
	size_t n = put_int(b, 0, 7, len);
	uint32_t k;

	for (k = 0; k < len; k++)
		b[n++] = (uint8_t)(base + rnd(3));
	return n;
}

/* A random block: fields that add entries of random sizes (some large),
 * static names, references to the dynamic table, maybe a size update. */
static size_t mixed_block(uint8_t *b, uint32_t limit, bool refs)
{
	size_t n = 0;
	unsigned nf = 1 + rnd(6), i;

	if (rnd(6) == 0)
		n += put_int(b + n, 0x20, 5, rnd(limit + 1));
	for (i = 0; i < nf; i++) {
		uint32_t r = rnd(10);
		uint32_t vl = rnd(4) == 0 ? rnd(900) : rnd(40);

		if (r < 2) {            /* an entry of limit / j exactly */
			uint32_t want = limit / (1 + rnd(5)) + rnd(3) - 1;

			if (want < 34 || want - 33 > 3000)
				want = 40;
			b[n++] = 0x40;
			n += put_str(b + n, 1, 'a');
			n += put_str(b + n, want - 33, 'A');
		} else if (r < 5) {     /* literal, indexed, new name */
			b[n++] = 0x40;
			n += put_str(b + n, 1 + rnd(3), 'a');
			n += put_str(b + n, vl, 'A');
		} else if (r < 7) {     /* literal, indexed, static name */
			n += put_int(b + n, 0x40, 6, 1 + rnd(61));
			n += put_str(b + n, vl, 'A');
		} else if (r < 8) {     /* literal without indexing */
			n += put_int(b + n, 0x00, 4, 1 + rnd(61));
			n += put_str(b + n, rnd(10), 'A');
		} else if (r < 9 || !refs) { /* indexed, static */
			n += put_int(b + n, 0x80, 7, 1 + rnd(61));
		} else if (rnd(2)) {    /* indexed, dynamic (newest few) */
			n += put_int(b + n, 0x80, 7, 62 + rnd(2));
		} else {                /* literal, indexed, dynamic name */
			n += put_int(b + n, 0x40, 6, 62 + rnd(2));
			n += put_str(b + n, rnd(20), 'A');
		}
	}
	return n;
}

/* One side follows h2_memo_use()/h2_memo_note() (core/http2_memo.c): a
 * block equal to the last kept one is taken as is at its generation when
 * it was neutral, else repeated when it read no table, else decoded with
 * no callback; the other side always decodes.  After each block: the same
 * fields and the same table. */
START_TEST(test_rev_memo_vs_decode)
{
	static uint8_t bp[4][BLOCK_MAX];
	unsigned conn, hits = 0, as_is = 0, quiet = 0, repeats = 0;

	if (getenv("REVSEED") != NULL)
		rng = strtoull(getenv("REVSEED"), NULL, 0) | 1;

	for (conn = 0; conn < 600; conn++) {
		hpack_dec d, ref;
		size_t lens[4];
		uint32_t limit = 4096;
		bool memo_ok = false, neutral = false, replay = false;
		unsigned memo_i = 0, step, cur = 0, j;
		uint64_t memo_gen = 0, memo_fields = 0;

		dec_init(&d, 4096);
		hpack_dec_init(&ref, table_mem2, 4096, scratch2,
			       hpack_dec_scratch_len(BLOCK_MAX));
		if (rnd(2)) {
			uint32_t l = 64 + rnd(4032);

			hpack_dec_set_limit(&d, l);
			hpack_dec_set_limit(&ref, l);
			limit = l;
		}
		for (j = 0; j < 4; j++)
			lens[j] = mixed_block(bp[j], limit, rnd(3) == 0);
		for (step = 0; step < 200; step++) {
			uint64_t hf = 0xcbf29ce484222325ULL, hr = hf, gen;
			int rd, rr;
			bool same;

			if (rnd(20) == 0) {
				uint32_t l = rnd(2) ? 4096 : 64 + rnd(4032);

				hpack_dec_set_limit(&d, l);
				hpack_dec_set_limit(&ref, l);
				limit = l;
				/* the next block must update: one alone */
				if (d.must_update) {
					uint8_t u[8];
					size_t un = put_int(u, 0x20, 5,
							    rnd(d.low + 1));

					ck_assert_int_eq(hpack_dec_decode(&d,
						u, un, NULL, NULL, NULL), 0);
					ck_assert_int_eq(hpack_dec_decode(&ref,
						u, un, NULL, NULL, NULL), 0);
					memo_ok = false;
				}
			}
			if (rnd(conn % 2 ? 5 : 25) == 0)
				cur = rnd(4);
			same = memo_ok && memo_i == cur;
			rr = hpack_dec_decode(&ref, bp[cur], lens[cur],
					      hash_field, NULL, &hr);
			gen = hpack_dec_generation(&d);
			if (same && gen == memo_gen && neutral) {
				as_is++;
				hits++;
				hf = memo_fields;
				rd = 0;
			} else if (same && gen == memo_gen && replay &&
				   hpack_dec_repeat(&d) == 0) {
				repeats++;
				quiet += hpack_dec_generation(&d) == gen;
				hits++;
				hf = memo_fields;
				rd = 0;
			} else if (same && replay) {
				hits++;
				hf = memo_fields;
				rd = hpack_dec_decode(&d, bp[cur], lens[cur],
						      NULL, NULL, NULL);
			} else {
				rd = hpack_dec_decode(&d, bp[cur], lens[cur],
						      hash_field, NULL, &hf);
			}
			if (rd != rr)
				ck_abort_msg("conn %u step %u: %d vs %d", conn,
					     step, rd, rr);
			if (rd != 0)
				break;
			if (hf != hr)
				ck_abort_msg("conn %u step %u: fields differ",
					     conn, step);
			if (!same_table(&d, &ref))
				ck_abort_msg("conn %u step %u: tables differ",
					     conn, step);
			if (!(same && gen == memo_gen && neutral)) {
				neutral = hpack_dec_generation(&d) == gen;
				replay = !hpack_dec_read_table(&d);
				memo_ok = neutral || replay;
				memo_i = cur;
				memo_gen = hpack_dec_generation(&d);
				memo_fields = hf;
			}
		}
	}
	/* (REVSEED=n picks another sequence) the no-op repeats happened */
	ck_assert_uint_gt(hits, 1000);
	ck_assert_uint_gt(as_is, 100);
	ck_assert_uint_gt(repeats, 1000);
	ck_assert_uint_gt(quiet, 1000);
}
END_TEST

Suite *hpack_dec_suite(void)
{
	Suite *s = suite_create("hpack_dec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_c2_literals);
	tcase_add_test(tc, test_c3_requests);
	tcase_add_test(tc, test_c4_requests_huffman);
	tcase_add_test(tc, test_c5_responses);
	tcase_add_test(tc, test_c6_responses_huffman);
	tcase_add_test(tc, test_empty_entry_at_start);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_limit_and_grow);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_memo);
	tcase_add_test(tc, test_repeat_periodic);
	tcase_add_test(tc, test_rev_memo_vs_decode);
	suite_add_tcase(s, tc);
	return s;
}
