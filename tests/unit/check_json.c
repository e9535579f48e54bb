/*
 * check_json.c - cli/json.c and cli/outbuf.c: the hand-written number
 * formatters against printf, the table-driven escaper against a plain
 * byte-by-byte reference, and the output buffer's blocks, order and errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "outbuf.h"
#include "report.h"
#include "suites.h"

/* Check records the place of every passing assertion with a write(2):
 * the loops below, which check millions of values, assert only on a
 * failure. */
#define expect(cond, ...)                         \
	do {                                      \
		if (!(cond))                      \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
#define expect_str(got, want)                                              \
	do {                                                               \
		const char *got_ = (got), *want_ = (want);                 \
		expect(strcmp(got_, want_) == 0, "got \"%s\", want \"%s\"", \
		       got_, want_);                                       \
	} while (0)

/* A 64-bit pseudo-random number (xorshift64*), reproducible. */
static uint64_t rnd(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* A random value whose magnitude is spread over every number of bits. */
static uint64_t rnd_magnitude(uint64_t *state)
{
	unsigned bits = (unsigned)(rnd(state) % 65);

	return bits == 0 ? 0 : rnd(state) >> (64 - bits);
}

/* ---- numbers -------------------------------------------------------------- */

typedef char *(*fmt_fn)(char *q, int64_t v);

/* What @fn writes for @v, NUL-terminated (static buffer). */
static const char *fmt(fmt_fn fn, int64_t v)
{
	static char buf[64];
	char *end;

	memset(buf, 'X', sizeof(buf));
	end = fn(buf, v);
	expect(end - buf <= JSON_NS_MAX_LEN, "%td bytes", end - buf);
	*end = '\0';
	return buf;
}

static char *fmt_u64_as_i64(char *q, int64_t v)
{
	return json_fmt_u64(q, (uint64_t)v);
}

/* The reference for json_fmt_ns_ms(): the same arithmetic, printed by
 * printf (sign, then the microseconds rounded half up as ms.uuu). */
static const char *ref_ms(int64_t ns)
{
	static char buf[64];
	uint64_t abs, us;

	if (ns == JSON_NS_NULL)
		return "null";
	abs = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	us = (abs + 500) / 1000;
	snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%03" PRIu64, ns < 0 ? "-" : "",
		 us / 1000, us % 1000);
	return buf;
}

/* The reference for json_fmt_ns_secs(): microseconds truncated. */
static const char *ref_secs(int64_t ns)
{
	static char buf[64];
	uint64_t abs, us;

	if (ns == JSON_NS_NULL)
		return "null";
	abs = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	us = abs / 1000;
	snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%06" PRIu64, ns < 0 ? "-" : "",
		 us / 1000000, us % 1000000);
	return buf;
}

/* Every value the formatters are checked on: edges, each power of ten and
 * its neighbours, every rounding boundary around them, and random ones. */
static void check_all_values(void (*check)(int64_t v))
{
	uint64_t st = 0x9E3779B97F4A7C15ULL;
	uint64_t p = 1;

	for (int64_t v = -2100; v <= 2100; v++)
		check(v);
	check(INT64_MAX);
	check(INT64_MIN + 1);
	check(INT64_MAX - 499);
	check(INT64_MAX - 500);
	for (int i = 0; i < 19; i++, p *= 10) {
		for (int64_t d = -3; d <= 3; d++) {
			check((int64_t)p + d);
			check(-(int64_t)p + d);
			/* The half-microsecond boundaries around it. */
			check((int64_t)(p / 1000 * 1000) + 499 + d + 3);
			check(-(int64_t)(p / 1000 * 1000) - 499 - d - 3);
		}
	}
	for (int i = 0; i < 200000; i++) {
		int64_t v = (int64_t)rnd_magnitude(&st);

		if (v == JSON_NS_NULL)
			continue;
		check(v);
		check(-v);
		check(v / 1000 * 1000 + 500); /* exactly half a microsecond */
	}
}

static void check_u64(int64_t v)
{
	char ref[32];

	snprintf(ref, sizeof(ref), "%" PRIu64, (uint64_t)v);
	expect_str(fmt(fmt_u64_as_i64, v), ref);
	snprintf(ref, sizeof(ref), "%" PRId64, v);
	expect_str(fmt(json_fmt_i64, v), ref);
}

START_TEST(integers_as_printf)
{
	check_all_values(check_u64);
	check_u64(INT64_MIN); /* i64 only here: ns formatters take it as null */
	ck_assert_str_eq(fmt(fmt_u64_as_i64, -1), "18446744073709551615");
	ck_assert_str_eq(fmt(json_fmt_i64, INT64_MIN), "-9223372036854775808");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, 0), "0");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, 10), "10");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, 99), "99");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, 100), "100");
	/* Around 10^19, the only power of ten with 20 digits. */
	ck_assert_str_eq(fmt(fmt_u64_as_i64, (int64_t)10000000000000000000ULL - 1),
			 "9999999999999999999");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, (int64_t)10000000000000000000ULL),
			 "10000000000000000000");
	ck_assert_str_eq(fmt(fmt_u64_as_i64, (int64_t)10000000000000000001ULL),
			 "10000000000000000001");
}
END_TEST

static void check_ms(int64_t v)
{
	expect_str(fmt(json_fmt_ns_ms, v), ref_ms(v));
}

static void check_secs(int64_t v)
{
	expect_str(fmt(json_fmt_ns_secs, v), ref_secs(v));
}

START_TEST(ns_formats_as_reference)
{
	check_all_values(check_ms);
	check_all_values(check_secs);
	check_ms(JSON_NS_NULL);
	check_secs(JSON_NS_NULL);
}
END_TEST

/* Where printf's own rounding is exact (no tie, few enough digits for a
 * double), "%.3f" of the milliseconds gives the same digits. */
START_TEST(ms_as_printf_float)
{
	uint64_t st = 42;

	for (int i = 0; i < 300000; i++) {
		int64_t ns = (int64_t)(rnd_magnitude(&st) >> 24); /* < 2^40 */
		char ref[64];

		if (i & 1)
			ns = -ns;
		if (ns % 1000 == 500 || ns % 1000 == -500)
			continue; /* a tie: printf rounds the binary value */
		snprintf(ref, sizeof(ref), "%.3f", (double)ns / 1e6);
		expect_str(fmt(json_fmt_ns_ms, ns), ref);
	}
}
END_TEST

START_TEST(ns_formats_edges)
{
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 0), "0.000");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 499), "0.000");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 500), "0.001");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 1500), "0.002");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 999499), "0.999");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 999500), "1.000");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, -1), "-0.000");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, -1500), "-0.002");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, 123456789012LL), "123456.789");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, INT64_MAX), "9223372036854.776");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, INT64_MIN + 1), "-9223372036854.776");
	ck_assert_str_eq(fmt(json_fmt_ns_ms, JSON_NS_NULL), "null");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, 0), "0.000000");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, 999), "0.000000");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, 1000), "0.000001");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, 1700000000123456789LL),
			 "1700000000.123456");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, -1999), "-0.000001");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, INT64_MAX), "9223372036.854775");
	ck_assert_str_eq(fmt(json_fmt_ns_secs, JSON_NS_NULL), "null");
}
END_TEST

/* ---- strings -------------------------------------------------------------- */

/* Code point of the well-formed UTF-8 sequence at @s (@n bytes left) into
 * *@len, or 0 when there is none: decoded, then checked (shortest form,
 * no surrogates, at most U+10FFFF). */
static bool ref_utf8(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp;
	size_t k;

	if (s[0] >= 0xC0 && s[0] < 0xE0) {
		k = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] < 0xF0) {
		k = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] < 0xF8) {
		k = 4;
		cp = s[0] & 0x07;
	} else {
		return false;
	}
	if (n < k)
		return false;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
	    (k == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	*len = k;
	return true;
}

/* The reference escaper, one byte at a time, into malloc'd memory. */
static char *ref_escape(const unsigned char *s, size_t n, size_t *out_len)
{
	char *o = malloc(n * 6 + 3), *q = o;
	size_t i = 0;

	expect(o != NULL, "out of memory");
	*q++ = '"';
	while (i < n) {
		unsigned char c = s[i];
		size_t len;

		if (c == '"' || c == '\\') {
			*q++ = '\\';
			*q++ = (char)c;
		} else if (c == '\n') {
			q += sprintf(q, "\\n");
		} else if (c == '\r') {
			q += sprintf(q, "\\r");
		} else if (c == '\t') {
			q += sprintf(q, "\\t");
		} else if (c < 0x20) {
			q += sprintf(q, "\\u%04x", c);
		} else if (c < 0x80) {
			*q++ = (char)c;
		} else if (ref_utf8(s + i, n - i, &len)) {
			memcpy(q, s + i, len);
			q += len;
			i += len;
			continue;
		} else {
			q += sprintf(q, "\\u%04x", c);
		}
		i++;
	}
	*q++ = '"';
	*out_len = (size_t)(q - o);
	return o;
}

/* Output of json_str() through an outbuf over a memory stream. */
typedef struct memout {
	FILE *f;
	char *buf;
	size_t len;
	outbuf w;
} memout;

static void mo_open(memout *m)
{
	m->f = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->f);
	outbuf_init(&m->w, m->f);
}

/* Flush and return what was written so far (valid until mo_close()). */
static const char *mo_text(memout *m)
{
	expect(outbuf_flush(&m->w) == 0, "flush failed");
	expect(fflush(m->f) == 0, "fflush failed");
	return m->buf;
}

static void mo_close(memout *m)
{
	outbuf_free(&m->w);
	fclose(m->f);
	free(m->buf);
}

/* One stream for the many checks of check_escape(): opened by the
 * fixture, so the 1 MiB block is not allocated for each. */
static memout shared;

static void shared_open(void)
{
	mo_open(&shared);
}

static void shared_close(void)
{
	mo_close(&shared);
}

/* json_str() of @s/@n equals the reference. */
static void check_escape(const void *s, size_t n)
{
	size_t ref_len, start;
	char *ref = ref_escape(s, n, &ref_len);

	mo_text(&shared);
	start = shared.len;
	json_str(&shared.w, s, n);
	mo_text(&shared);
	expect(shared.len - start == ref_len &&
		       memcmp(shared.buf + start, ref, ref_len) == 0,
	       "got %.*s want %s", (int)(shared.len - start),
	       shared.buf + start, ref);
	free(ref);
	if (shared.len > (1u << 24)) { /* start over now and then */
		shared_close();
		shared_open();
	}
}

START_TEST(escape_every_byte)
{
	static const char *const want_ctl[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005",
		"\\u0006", "\\u0007", "\\u0008", "\\t", "\\n", "\\u000b",
		"\\u000c", "\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011",
		"\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
		"\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d",
		"\\u001e", "\\u001f",
	};

	for (unsigned c = 0; c < 256; c++) {
		/* Alone, and inside plain text at every offset of a word. */
		for (size_t at = 0; at < 17; at++) {
			char in[40], want[64];
			const char *out;
			size_t start;

			memset(in, 'a', sizeof(in));
			in[at] = (char)c;
			if (c < 0x20)
				snprintf(want, sizeof(want), "%s", want_ctl[c]);
			else if (c == '"' || c == '\\')
				snprintf(want, sizeof(want), "\\%c", c);
			else if (c < 0x80)
				snprintf(want, sizeof(want), "%c", c); /* DEL too */
			else
				snprintf(want, sizeof(want), "\\u00%02x", c);
			mo_text(&shared);
			start = shared.len;
			json_str(&shared.w, in + at, 1);
			json_str(&shared.w, in, 20);
			mo_text(&shared);
			out = shared.buf + start;
			expect(shared.len - start >= 2 &&
				       strncmp(out + 1, want, strlen(want)) == 0 &&
				       out[1 + strlen(want)] == '"',
			       "byte %#x: %s", c, out);
			/* The same byte at offset @at of a 20-byte string. */
			const char *second = out + strlen(want) + 2;
			expect(second[0] == '"' &&
				       strncmp(second + 1 + at, want, strlen(want)) == 0,
			       "byte %#x at %zu: %s", c, at, second);
			check_escape(in, 20);
		}
	}
}
END_TEST

START_TEST(escape_utf8)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "\xc3\xa9", "\"\xc3\xa9\"" },                 /* é */
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },         /* € */
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" }, /* U+1F600 */
		{ "\xc2\x80", "\"\xc2\x80\"" },                 /* U+0080, first 2-byte */
		{ "\xdf\xbf", "\"\xdf\xbf\"" },                 /* U+07FF */
		{ "\xe0\xa0\x80", "\"\xe0\xa0\x80\"" },         /* U+0800 */
		{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },         /* U+D7FF */
		{ "\xee\x80\x80", "\"\xee\x80\x80\"" },         /* U+E000 */
		{ "\xef\xbf\xbf", "\"\xef\xbf\xbf\"" },         /* U+FFFF */
		{ "\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"" }, /* U+10000 */
		{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" }, /* U+10FFFF */
		/* Overlong forms. */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xc1\xbf", "\"\\u00c1\\u00bf\"" },
		{ "\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"" },
		{ "\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"" },
		/* Surrogates, above U+10FFFF, bytes that never start one. */
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"" },
		{ "\xff", "\"\\u00ff\"" },
		{ "\xfe", "\"\\u00fe\"" },
		/* Lone continuations, cut short, a bad continuation. */
		{ "\x80", "\"\\u0080\"" },
		{ "\xbf" "a", "\"\\u00bfa\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },
		{ "\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"" },
		{ "\xc3", "\"\\u00c3\"" },
		{ "\xc3" "a", "\"\\u00c3a\"" },
		{ "\xe2\x82" "a", "\"\\u00e2\\u0082a\"" },
		{ "\xe2" "a\xac", "\"\\u00e2a\\u00ac\"" },
		/* Valid after invalid: each byte judged on its own. */
		{ "\xff\xc3\xa9", "\"\\u00ff\xc3\xa9\"" },
		{ "\xe2\xc3\xa9", "\"\\u00e2\xc3\xa9\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memout m;

		mo_open(&m);
		json_str(&m.w, cases[i].in, strlen(cases[i].in));
		ck_assert_str_eq(mo_text(&m), cases[i].want);
		mo_close(&m);
		check_escape(cases[i].in, strlen(cases[i].in));
	}
}
END_TEST

/* Random bytes, biased toward what needs care (controls, quotes, UTF-8
 * leads and continuations), at every length across the 8-byte words. */
START_TEST(escape_random_as_reference)
{
	static const unsigned char pick[] = {
		'a', 'Z', '0', ' ', '~', 0x7f, '"', '\\', '\n', '\r', '\t', 0,
		0x1f, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef,
		0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x90, 0x8f, 0x9f,
	};
	uint64_t st = 7;

	for (int round = 0; round < 20000; round++) {
		unsigned char in[80];
		size_t n = (size_t)(rnd(&st) % sizeof(in));
		unsigned mode = (unsigned)(rnd(&st) % 3);

		for (size_t i = 0; i < n; i++) {
			uint64_t r = rnd(&st);

			if (mode == 0)
				in[i] = (unsigned char)r;
			else if (mode == 1 || r % 4 == 0)
				in[i] = pick[(r >> 8) % sizeof(pick)];
			else
				in[i] = (unsigned char)('a' + (r >> 8) % 26);
		}
		check_escape(in, n);
	}
}
END_TEST

/* A string longer than one request for room: escaped in chunks, with
 * multi-byte sequences and escapes straddling the chunk boundaries. */
START_TEST(escape_long_string)
{
	static const char *const pieces[] = {
		"plain text ", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\\",
		"\x01", "\xff", "\xe2\x82", "\n", "x",
	};
	size_t n = 3 * OUTBUF_MAX_ROOM + 17;
	unsigned char *in = malloc(n);
	uint64_t st = 99;
	size_t len = 0;

	ck_assert_ptr_nonnull(in);
	while (len < n) {
		const char *p = pieces[rnd(&st) % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t k = strlen(p);

		if (k > n - len)
			k = n - len;
		memcpy(in + len, p, k);
		len += k;
	}
	for (size_t cut = n - 40; cut <= n; cut++)
		check_escape(in, cut);
	/* Only escapes: the worst-case growth, six bytes out per byte in. */
	memset(in, 1, n);
	check_escape(in, n);
	free(in);
}
END_TEST

START_TEST(strz_and_null)
{
	memout m;

	mo_open(&m);
	json_strz(&m.w, NULL);
	json_lit(&m.w, " ");
	json_strz(&m.w, "a\"b");
	json_lit(&m.w, " ");
	json_str_or_null(&m.w, "x", 0);
	json_lit(&m.w, " ");
	json_str_or_null(&m.w, "x", 1);
	json_lit(&m.w, " ");
	json_bool(&m.w, true);
	json_bool(&m.w, false);
	ck_assert_str_eq(mo_text(&m), "null \"a\\\"b\" null \"x\" truefalse");
	mo_close(&m);
}
END_TEST

/* ---- the output buffer ---------------------------------------------------- */

/* Everything written reaches the file, in order, across many blocks and
 * with fragments of every size, including ones larger than a block. */
START_TEST(outbuf_blocks)
{
	FILE *f = tmpfile();
	size_t total = 0, sizes[] = { 1, 7, 4096, OUTBUF_MAX_ROOM,
				      OUTBUF_MAX_ROOM + 1, OUTBUF_SIZE + 3 };
	unsigned char *chunk = malloc(OUTBUF_SIZE + 3);
	unsigned char *back;
	outbuf w;
	uint32_t seq = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(chunk);
	ck_assert_int_ge(fileno(f), 0);
	outbuf_init(&w, f);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			for (size_t k = 0; k < sizes[i]; k++)
				chunk[k] = (unsigned char)(seq++ * 7 + 3);
			outbuf_put(&w, chunk, sizes[i]);
			total += sizes[i];
		}
		/* And through the formatter: a number per fragment. */
		for (int k = 0; k < 100000; k++) {
			json_u64(&w, 12345);
			total += 5;
		}
	}
	ck_assert_int_eq(outbuf_flush(&w), 0);
	ck_assert_int_eq((long)lseek(fileno(f), 0, SEEK_END), (long)total);
	back = malloc(total);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(pread(fileno(f), back, total, 0), (ssize_t)total);
	seq = 0;
	size_t off = 0;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (size_t k = 0; k < sizes[i]; k++, off++)
				expect(back[off] == (unsigned char)(seq++ * 7 + 3),
				       "byte %zu", off);
		for (int k = 0; k < 100000; k++, off += 5)
			expect(memcmp(back + off, "12345", 5) == 0, "at %zu", off);
	}
	outbuf_free(&w);
	free(back);
	free(chunk);
	fclose(f);
}
END_TEST

/* Output goes out in blocks of OUTBUF_SIZE: nothing is written before
 * one fills (the first, small block grows instead), then whole blocks. */
START_TEST(outbuf_large_writes)
{
	FILE *f = tmpfile();
	outbuf w;
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	outbuf_init(&w, f);
	while (n + 10 <= OUTBUF_SIZE) {
		outbuf_put(&w, "0123456789", 10);
		n += 10;
	}
	ck_assert_int_eq((long)lseek(fileno(f), 0, SEEK_END), 0);
	outbuf_put(&w, "0123456789", 10);
	ck_assert_int_eq((long)lseek(fileno(f), 0, SEEK_END), (long)n);
	ck_assert_int_eq(outbuf_flush(&w), 0);
	ck_assert_int_eq((long)lseek(fileno(f), 0, SEEK_END), (long)n + 10);
	outbuf_free(&w);
	fclose(f);
}
END_TEST

/* Bytes the FILE holds in its own buffer go out before the block. */
START_TEST(outbuf_keeps_stdio_order)
{
	FILE *f = tmpfile();
	char back[32] = "";
	outbuf w;

	ck_assert_ptr_nonnull(f);
	outbuf_init(&w, f);
	fputs("first ", f);
	json_lit(&w, "second");
	ck_assert_int_eq(outbuf_flush(&w), 0);
	ck_assert_int_eq(pread(fileno(f), back, sizeof(back) - 1, 0), 12);
	ck_assert_str_eq(back, "first second");
	outbuf_free(&w);
	fclose(f);
}
END_TEST

/* A write error is kept, reported by every later flush, and the output
 * after it is discarded; the report says which error it was. */
START_TEST(outbuf_write_error)
{
	FILE *f = fopen("/dev/full", "w");
	report *rp = malloc(sizeof(*rp));
	outbuf w;

	if (f == NULL) {
		free(rp);
		return; /* no /dev/full here: nothing to check */
	}
	outbuf_init(&w, f);
	json_lit(&w, "{}");
	ck_assert_int_eq(outbuf_flush(&w), -ENOSPC);
	json_lit(&w, "{}");
	ck_assert_int_eq(outbuf_flush(&w), -ENOSPC);
	/* More than a block: the slow path flushes (and fails) on its own. */
	for (int i = 0; i < 300000; i++)
		json_str(&w, "abcdef", 6);
	ck_assert_int_eq(outbuf_flush(&w), -ENOSPC);
	outbuf_free(&w);

	ck_assert_ptr_nonnull(rp);
	report_init(rp, f, REPORT_JSON, false);
	ck_assert_int_eq(report_finish(rp, 0, 0), -ENOSPC);
	ck_assert_int_eq(report_error(rp), ENOSPC);
	report_free(rp);
	free(rp);
	fclose(f);
}
END_TEST

/* A file that only the outbuf writes is cut back to its last whole line
 * when a write fails part-way: here the file size limit stops the writes
 * (EFBIG) in the middle of a line, whatever the block boundaries. */
START_TEST(outbuf_cut_to_last_line)
{
	static const size_t limits[] = { 1, 1000, 4096, 65536 + 17, 300000 };
	struct rlimit old, rl;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	sigaction(SIGXFSZ, &ign, &old_xfsz);
	for (size_t k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
		FILE *f = tmpfile();
		outbuf w;
		struct stat st;
		char line[64];
		int n;

		ck_assert_ptr_nonnull(f);
		outbuf_init(&w, f);
		outbuf_own_file(&w);
		/* No assertion while the limit holds: Check's own log of
		 * them is a file too. */
		rl = old;
		rl.rlim_cur = limits[k];
		int set = setrlimit(RLIMIT_FSIZE, &rl);
		/* Lines of 34 bytes: no limit above falls on a line's end. */
		for (int i = 0; i < 20000; i++) {
			n = snprintf(line, sizeof(line), "{\"n\":%09d,\"pad\":\"abcdefghi\"}\n", i);
			outbuf_put(&w, line, (size_t)n);
		}
		int ret = outbuf_flush(&w);
		int reset = setrlimit(RLIMIT_FSIZE, &old);
		ck_assert_int_eq(set, 0);
		ck_assert_int_eq(reset, 0);
		ck_assert_int_eq(n, 34);
		ck_assert_int_eq(ret, -EFBIG);
		ck_assert_int_eq(fstat(fileno(f), &st), 0);
		ck_assert_int_eq(st.st_size % 34, 0);
		ck_assert_int_eq(st.st_size, (off_t)(limits[k] / 34 * 34));
		outbuf_free(&w);
		fclose(f);
	}
	sigaction(SIGXFSZ, &old_xfsz, NULL);
}
END_TEST

/* A string in memory grows past every block size, whole and in order. */
START_TEST(outbuf_grow_string)
{
	static char big[3 * OUTBUF_MAX_ROOM];
	outbuf w;
	char *s;

	outbuf_init_grow(&w);
	s = outbuf_take(&w);
	ck_assert_str_eq(s, ""); /* nothing written: an empty string */
	free(s);
	memset(big, 'x', sizeof(big));
	outbuf_puts(&w, "n=");
	json_u64(&w, 42);
	outbuf_put(&w, big, sizeof(big));
	json_str(&w, "\n", 1);
	ck_assert_int_eq(outbuf_error(&w), 0);
	ck_assert_uint_eq(outbuf_len(&w), 4 + sizeof(big) + 4);
	s = outbuf_take(&w);
	ck_assert_mem_eq(s, "n=42xx", 6);
	ck_assert_str_eq(s + 4 + sizeof(big), "\"\\n\"");
	free(s);
	ck_assert_uint_eq(outbuf_len(&w), 0); /* taken: empty again */
	outbuf_free(&w);
}
END_TEST

/* A fixed block keeps what fits, says ENOSPC, and is always a string. */
START_TEST(outbuf_fixed_string)
{
	char buf[8];
	outbuf w;

	outbuf_init_fixed(&w, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	outbuf_puts(&w, "abc");
	outbuf_put(&w, "12", 2);
	ck_assert_str_eq(outbuf_str(&w), "abc12");
	outbuf_trim(&w, 2);
	ck_assert_str_eq(outbuf_str(&w), "ab");
	ck_assert_int_eq(outbuf_error(&w), 0);
	outbuf_puts(&w, "cdefghij"); /* 7 bytes of room: "cdefg" fits */
	ck_assert_int_eq(outbuf_error(&w), -ENOSPC);
	ck_assert_uint_eq(outbuf_len(&w), 7);
	json_u64(&w, 99); /* discarded */
	outbuf_puts(&w, "k");
	ck_assert_str_eq(outbuf_str(&w), "abcdefg");
	ck_assert_int_eq(outbuf_flush(&w), -ENOSPC);
	outbuf_free(&w); /* the block is the caller's */
	ck_assert_str_eq(buf, "abcdefg");
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, shared_open, shared_close);
	tcase_add_test(tc, integers_as_printf);
	tcase_add_test(tc, ns_formats_as_reference);
	tcase_add_test(tc, ms_as_printf_float);
	tcase_add_test(tc, ns_formats_edges);
	tcase_add_test(tc, escape_every_byte);
	tcase_add_test(tc, escape_utf8);
	tcase_add_test(tc, escape_random_as_reference);
	tcase_add_test(tc, escape_long_string);
	tcase_add_test(tc, strz_and_null);
	tcase_add_test(tc, outbuf_blocks);
	tcase_add_test(tc, outbuf_large_writes);
	tcase_add_test(tc, outbuf_keeps_stdio_order);
	tcase_add_test(tc, outbuf_write_error);
	tcase_add_test(tc, outbuf_cut_to_last_line);
	tcase_add_test(tc, outbuf_grow_string);
	tcase_add_test(tc, outbuf_fixed_string);
	suite_add_tcase(s, tc);
	return s;
}
