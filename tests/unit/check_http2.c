/*
 * check_http2.c - unit tests of core/http2.c with core/hpack_dec.c behind
 * preload/hpack.c, fed blocks libnghttp2's deflater encodes.
 *
 * Frames are built by hand; header blocks come from libnghttp2's own HPACK
 * encoder (the deflater), reached through dlopen like the decoder, so the
 * unit binary has no link-time dependency on libnghttp2 either.  One
 * deflater per direction encodes every block of a fixture in order, so
 * later blocks use the dynamic table filled by earlier ones, as a real
 * peer's do.
 *
 * Every valid fixture is fed whole, split in two at every point and one
 * byte at a time; the events (and the stream offset of the byte that
 * completed each) and the decoded message at each must be identical.
 */
#include <dlfcn.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http2.h"
#include "suites.h"

#define MAX_EVENTS 32
#define FIX_MAX 65536

/* Fail through Check only when the condition does not hold: ck_assert()
 * writes per passing call, too slow over thousands of splits. */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* ---- the deflater, from libnghttp2 ------------------------ */

static struct {
	__typeof__(&nghttp2_hd_deflate_new) deflate_new;
	__typeof__(&nghttp2_hd_deflate_del) deflate_del;
	__typeof__(&nghttp2_hd_deflate_hd) deflate_hd;
	__typeof__(&nghttp2_hd_deflate_change_table_size) change_table_size;
} ng;

static void load_deflater(void)
{
	void *h = dlopen("libnghttp2.so.14", RTLD_LAZY | RTLD_LOCAL);
	void *p;

	ck_assert_msg(h != NULL, "dlopen libnghttp2: %s", dlerror());
#define NG_SYM(field, name)                                      \
	do {                                                     \
		p = dlsym(h, name);                              \
		ck_assert_msg(p != NULL, "no %s", name);         \
		memcpy(&ng.field, &p, sizeof(p));                \
	} while (0)
	NG_SYM(deflate_new, "nghttp2_hd_deflate_new");
	NG_SYM(deflate_del, "nghttp2_hd_deflate_del");
	NG_SYM(deflate_hd, "nghttp2_hd_deflate_hd");
	NG_SYM(change_table_size, "nghttp2_hd_deflate_change_table_size");
#undef NG_SYM
	/* The handle stays open. */
}

static nghttp2_hd_deflater *deflater(void)
{
	nghttp2_hd_deflater *d = NULL;

	load_deflater();
	ck_assert_int_eq(ng.deflate_new(&d, 4096), 0);
	return d;
}

/* Encode the NULL-terminated name, value, name, value... list. */
static size_t encode(nghttp2_hd_deflater *d, uint8_t *out, size_t cap,
		     const char *const *fields)
{
	nghttp2_nv nv[64];
	size_t n = 0;
	ssize_t rv;

	for (; fields[0] != NULL; fields += 2, n++) {
		ck_assert(n < 64);
		nv[n].name = (uint8_t *)(uintptr_t)fields[0];
		nv[n].value = (uint8_t *)(uintptr_t)fields[1];
		nv[n].namelen = strlen(fields[0]);
		nv[n].valuelen = strlen(fields[1]);
		nv[n].flags = NGHTTP2_NV_FLAG_NONE;
	}
	rv = ng.deflate_hd(d, out, cap, nv, n);
	ck_assert_msg(rv > 0, "deflate failed: %zd", rv);
	return (size_t)rv;
}

/* ---- frame builder ------------------------------------------------------- */

struct fix {
	uint8_t b[FIX_MAX];
	size_t len;
	bool client;
	const h1_options *opt;
};

static void put(struct fix *f, const void *p, size_t n)
{
	if (n == 0)
		return;
	ck_assert(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put_u32(struct fix *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	put(f, b, 4);
}

static void frame_header(struct fix *f, uint32_t len, uint8_t type,
			 uint8_t flags, uint32_t stream)
{
	uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			 (uint8_t)len, type, flags,
			 (uint8_t)(stream >> 24), (uint8_t)(stream >> 16),
			 (uint8_t)(stream >> 8), (uint8_t)stream };

	put(f, h, sizeof(h));
}

static void frame(struct fix *f, uint8_t type, uint8_t flags,
		  uint32_t stream, const void *payload, size_t len)
{
	frame_header(f, (uint32_t)len, type, flags, stream);
	put(f, payload, len);
}

static void fix_init(struct fix *f, bool client, const h1_options *opt)
{
	f->len = 0;
	f->client = client;
	f->opt = opt;
	if (client)
		put(f, preface, sizeof(preface) - 1);
}

/* The SETTINGS frame every direction starts with: empty. */
static void settings_empty(struct fix *f)
{
	frame(f, H2_SETTINGS, 0, 0, NULL, 0);
}

/* HEADERS with END_HEADERS and @flags, the block encoded from @fields. */
static void headers(struct fix *f, nghttp2_hd_deflater *d, uint32_t stream,
		    uint8_t flags, const char *const *fields)
{
	uint8_t blk[H2_BLOCK_MAX];
	size_t n = encode(d, blk, sizeof(blk), fields);

	frame(f, H2_HEADERS, flags | H2_FLAG_END_HEADERS, stream, blk, n);
}

static void data(struct fix *f, uint32_t stream, uint8_t flags,
		 size_t len, int pad)
{
	uint8_t body[1024];

	ck_assert(len <= sizeof(body));
	memset(body, 'x', len);
	if (pad < 0) {
		frame(f, H2_DATA, flags, stream, body, len);
		return;
	}
	frame_header(f, (uint32_t)(1 + len + (size_t)pad), H2_DATA,
		     flags | H2_FLAG_PADDED, stream);
	put(f, (uint8_t[]){ (uint8_t)pad }, 1);
	put(f, body, len);
	memset(body, 0, (size_t)pad);
	put(f, body, (size_t)pad);
}

/* ---- running a fixture --------------------------------------------------- */

struct ev_rec {
	h2_event ev;
	size_t off;       /* stream offset of the byte that completed it */
	h2_message msg;   /* snapshot at HEADERS / PUSH_PROMISE */
};

struct run {
	struct ev_rec ev[MAX_EVENTS];
	int n;
};

static void feed_piece(h2_reader *r, struct run *run, const uint8_t *buf,
		       size_t len, size_t base)
{
	while (len > 0) {
		h2_event ev;
		size_t n = h2_feed(r, buf, len, &ev);

		REQUIRE(n <= len, "consumed %zu of %zu", n, len);
		if (ev.type == H2_EV_NONE) {
			REQUIRE(n == len, "no event, but %zu of %zu consumed",
				n, len);
		} else {
			struct ev_rec *e;

			REQUIRE(n >= 1, "event %d from no byte", ev.type);
			REQUIRE(run->n < MAX_EVENTS, "too many events");
			e = &run->ev[run->n++];
			/* memcpy, not assignment: padding bytes are compared
			 * too (h2_feed() and the reader zero them). */
			memcpy(&e->ev, &ev, sizeof(ev));
			e->off = base + n - 1;
			if (ev.type == H2_EV_HEADERS ||
			    ev.type == H2_EV_PUSH_PROMISE) {
				memcpy(&e->msg, &r->msg, sizeof(e->msg));
				/* the lengths kept are their strings' */
				REQUIRE(r->msg.method_len ==
						strlen(r->msg.method) &&
					r->msg.path_len ==
						strlen(r->msg.path) &&
					r->msg.authority_len ==
						strlen(r->msg.authority),
					"lengths %u %u %u", r->msg.method_len,
					r->msg.path_len, r->msg.authority_len);
			} else
				memset(&e->msg, 0, sizeof(e->msg));
		}
		buf += n;
		len -= n;
		base += n;
	}
}

/* Run @f cut at @cut (0: whole) or, with @step, in pieces of @step bytes.
 * @table_size, when not 0, is given to h2_set_table_size() first. */
static void run_fix(struct run *run, const struct fix *f, size_t cut,
		    size_t step, uint32_t table_size)
{
	h2_reader *r = malloc(sizeof(*r));
	size_t off;

	ck_assert(r != NULL);
	run->n = 0;
	ck_assert_int_eq(h2_init(r, f->client, hpack_own(), f->opt), 0);
	if (table_size)
		h2_set_table_size(r, table_size);
	if (step > 0) {
		for (off = 0; off < f->len; off += step) {
			size_t n = f->len - off < step ? f->len - off : step;

			feed_piece(r, run, f->b + off, n, off);
		}
	} else {
		feed_piece(r, run, f->b, cut, 0);
		feed_piece(r, run, f->b + cut, f->len - cut, cut);
	}
	h2_free(r);
	free(r);
}

static void same_run(const struct run *a, const struct run *b, const char *how,
		     size_t at)
{
	int i;

	REQUIRE(a->n == b->n, "%s %zu: %d events, whole: %d", how, at, b->n,
		a->n);
	for (i = 0; i < a->n; i++) {
		const struct ev_rec *x = &a->ev[i], *y = &b->ev[i];

		REQUIRE(memcmp(&x->ev, &y->ev, sizeof(x->ev)) == 0 &&
			x->off == y->off,
			"%s %zu, event %d: type %d stream %u length %u at %zu,"
			" whole: type %d stream %u length %u at %zu",
			how, at, i, y->ev.type, y->ev.stream, y->ev.length,
			y->off, x->ev.type, x->ev.stream, x->ev.length,
			x->off);
		REQUIRE(memcmp(&x->msg, &y->msg, sizeof(x->msg)) == 0,
			"%s %zu, event %d: message differs", how, at, i);
	}
}

/* Run @f whole, split at every point (of big fixtures: every 61st, and
 * every one near either end) and byte by byte; all must agree.  Returns
 * the whole run (free() it). */
static struct run *run_all_ways(const struct fix *f, uint32_t table_size)
{
	struct run *whole = calloc(1, sizeof(*whole));
	struct run *other = calloc(1, sizeof(*other));
	size_t cut, stride = f->len > 4096 ? 61 : 1;

	ck_assert(whole != NULL && other != NULL);
	run_fix(whole, f, f->len, 0, table_size);
	for (cut = 0; cut <= f->len; cut++) {
		if (cut % stride != 0 && cut > 64 && cut + 64 < f->len)
			continue;
		run_fix(other, f, cut, 0, table_size);
		same_run(whole, other, "split at", cut);
	}
	run_fix(other, f, 0, 1, table_size);
	same_run(whole, other, "byte by byte", 1);
	run_fix(other, f, 0, 7, table_size);
	same_run(whole, other, "7-byte pieces", 7);
	free(other);
	return whole;
}

/* Feed @f whole only (error fixtures: a dead reader's later bytes). */
static struct run *run_whole(const struct fix *f)
{
	struct run *run = calloc(1, sizeof(*run));

	ck_assert(run != NULL);
	run_fix(run, f, f->len, 0, 0);
	return run;
}

static struct fix *fix_new(bool client, const h1_options *opt)
{
	struct fix *f = malloc(sizeof(*f));

	ck_assert(f != NULL);
	fix_init(f, client, opt);
	settings_empty(f);
	return f;
}

static void assert_settings_event(const struct ev_rec *e, int64_t table)
{
	ck_assert_int_eq(e->ev.type, H2_EV_SETTINGS);
	ck_assert_int_eq(e->ev.table_size, table);
}

/* Sum of name + value + 32 over the NULL-terminated list. */
static uint32_t list_size(const char *const *fields)
{
	uint32_t n = 0;

	for (; fields[0] != NULL; fields += 2)
		n += (uint32_t)(strlen(fields[0]) + strlen(fields[1]) + 32);
	return n;
}

static const h1_options capture = { .capture_headers = true };

/* ---- tests --------------------------------------------------------------- */

static const char *const get_fields[] = {
	":method", "GET", ":scheme", "https", ":authority", "example.com",
	":path", "/index.html?q=1", "user-agent", "check/1.0",
	"accept", "*/*", NULL,
};

START_TEST(test_request_get)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &capture);
	struct run *run;
	const h2_message *m;

	headers(f, d, 1, H2_FLAG_END_STREAM, get_fields);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 2);
	assert_settings_event(&run->ev[0], -1);
	ck_assert_uint_eq(run->ev[0].off, 24 + 9 - 1);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[1].ev.stream, 1);
	ck_assert(run->ev[1].ev.end_stream);
	ck_assert_uint_eq(run->ev[1].off, f->len - 1);
	m = &run->ev[1].msg;
	ck_assert_str_eq(m->method, "GET");
	ck_assert_str_eq(m->scheme, "https");
	ck_assert_str_eq(m->authority, "example.com");
	ck_assert_str_eq(m->path, "/index.html?q=1");
	ck_assert(!m->path_truncated);
	ck_assert_uint_eq(m->status, 0);
	ck_assert_uint_eq(m->header_bytes, list_size(get_fields));
	ck_assert_str_eq(m->hdrs, "user-agent: check/1.0\r\naccept: */*\r\n");
	ck_assert_uint_eq(m->hdrs_len, strlen(m->hdrs));
	ck_assert(!m->hdrs_truncated);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

/* name_char() of the spec: lower case, '?' for controls, blanks, ':', DEL. */
static char ref_name_char(uint8_t c)
{
	if (c == ' ' || c == '\t' || c == ':' || c < 0x20 || c == 0x7f)
		return '?';
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Captured names, copied a word at a time when nothing in the word
 * changes: every length from 1 to 24, the byte to change (upper case,
 * ':', SP, HTAB, a control byte, DEL, and bytes kept: '@', '[', 0xc1) at
 * every place, the line as the byte-by-byte rule makes it. */
START_TEST(test_capture_names)
{
	static const uint8_t odd[] = { 'A', 'Z', 'M', ':', ' ', '\t', 0x01,
				       0x1a, 0x0d, 0x7f, '@', '[', 0xc1, 'a' };
	unsigned len, at, k;

	for (len = 1; len <= 24; len++) {
		for (at = 0; at < len; at++) {
			for (k = 0; k < sizeof(odd); k++) {
				char name[32], want[64];
				const char *fields[] = { name, "v", NULL };
				struct run *run;
				unsigned i;

				for (i = 0; i < len; i++)
					name[i] = (char)('a' + (i * 7 + len) % 26);
				name[at] = (char)odd[k];
				name[len] = '\0';
				if (name[0] == ':')
					continue; /* a pseudo-header */
				for (i = 0; i < len; i++)
					want[i] = ref_name_char((uint8_t)name[i]);
				memcpy(want + len, ": v\r\n", 6);
				struct fix *f = fix_new(true, &capture);
				nghttp2_hd_deflater *d = deflater();

				headers(f, d, 1, H2_FLAG_END_STREAM, fields);
				run = calloc(1, sizeof(*run));
				ck_assert(run != NULL);
				run_fix(run, f, f->len, 0, 0);
				ck_assert_int_eq(run->n, 2);
				ck_assert_int_eq(run->ev[1].ev.type,
						 H2_EV_HEADERS);
				ck_assert_msg(strcmp(run->ev[1].msg.hdrs, want) == 0,
					      "len %u at %u byte %02x: %s", len,
					      at, odd[k], run->ev[1].msg.hdrs);
				free(run);
				free(f);
				ng.deflate_del(d);
			}
		}
	}
}
END_TEST

/* The names the reader keeps a value of, compared a word at a time: each
 * with every byte in turn changed to its upper case, to the byte that
 * differs from it in bit 0x20 alone (':' and 0x1a, '-' and 0x0d), and to
 * bytes near the letters' edges; kept exactly when to_lower() of the name
 * is the name. */
START_TEST(test_known_names_any_case)
{
	static const char *const names[] = { ":method", ":scheme",
		":authority", ":path", "content-type", "content-length",
		"host", NULL };
	static const uint8_t odd[] = { 0x01, 0x0d, 0x1a, '@', '[', '`', '{',
				       0x7f, 0xc1, 0xda };

	for (const char *const *nm = names; *nm != NULL; nm++) {
		size_t len = strlen(*nm);

		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k <= sizeof(odd) + 1; k++) {
				char name[32];
				uint8_t c = (uint8_t)(*nm)[at];
				const char *v = strcmp(*nm, "content-length") == 0
							? "5" : "v1";
				const char *fields[] = { name, v, NULL };

				memcpy(name, *nm, len + 1);
				if (k < sizeof(odd))
					name[at] = (char)odd[k];
				else if (k == sizeof(odd))
					name[at] = (char)(c ^ 0x20);
				else
					name[at] = (char)(c >= 'a' && c <= 'z'
								  ? c - 32 : c);
				uint8_t b = (uint8_t)name[at];
				bool want = (b >= 'A' && b <= 'Z' ? b + 32 : b) == c;
				struct fix *f = fix_new(true, NULL);
				nghttp2_hd_deflater *d = deflater();
				struct run *run = calloc(1, sizeof(*run));

				ck_assert(run != NULL);
				headers(f, d, 1, H2_FLAG_END_STREAM, fields);
				run_fix(run, f, f->len, 0, 0);
				ck_assert_int_eq(run->n, 2);
				const h2_message *m = &run->ev[1].msg;
				bool got;

				/* its length kept with it (the records take it) */
				ck_assert_uint_eq(m->content_type_len,
						  strlen(m->content_type));
				if (strcmp(*nm, ":method") == 0)
					got = strcmp(m->method, v) == 0;
				else if (strcmp(*nm, ":scheme") == 0)
					got = strcmp(m->scheme, v) == 0;
				else if (strcmp(*nm, ":path") == 0)
					got = strcmp(m->path, v) == 0;
				else if (strcmp(*nm, "content-type") == 0)
					got = strcmp(m->content_type, v) == 0;
				else if (strcmp(*nm, "content-length") == 0)
					got = m->has_content_length &&
					      m->content_length == 5;
				else
					got = strcmp(m->authority, v) == 0;
				ck_assert_msg(got == want, "%s, byte %zu as %02x: %s",
					      *nm, at, b, got ? "kept" : "not kept");
				free(run);
				free(f);
				ng.deflate_del(d);
			}
		}
	}
}
END_TEST

/* Captured values, copied a word (or two of four bytes) at a time when no
 * byte changes: every length from 1 to 24, a control byte, HTAB or DEL
 * (stored as '?', HTAB kept) at every place, against the byte-by-byte
 * rule. */
START_TEST(test_capture_values)
{
	static const uint8_t odd[] = { 0x01, '\t', 0x1f, 0x7f, 'x', 0xc1 };

	for (unsigned len = 1; len <= 24; len++) {
		for (unsigned at = 0; at < len; at++) {
			for (unsigned k = 0; k < sizeof(odd); k++) {
				char val[32], want[64];
				const char *fields[] = { "x-v", val, NULL };
				unsigned i;

				for (i = 0; i < len; i++)
					val[i] = (char)('a' + (i * 5 + len) % 26);
				val[at] = (char)odd[k];
				val[len] = '\0';
				memcpy(want, "x-v: ", 5);
				for (i = 0; i < len; i++) {
					uint8_t c = (uint8_t)val[i];
					want[5 + i] = (c < 0x20 && c != '\t') ||
							      c == 0x7f ? '?' : (char)c;
				}
				memcpy(want + 5 + len, "\r\n", 3);
				struct fix *f = fix_new(true, &capture);
				nghttp2_hd_deflater *d = deflater();
				struct run *run = calloc(1, sizeof(*run));

				ck_assert(run != NULL);
				headers(f, d, 1, H2_FLAG_END_STREAM, fields);
				run_fix(run, f, f->len, 0, 0);
				ck_assert_int_eq(run->n, 2);
				ck_assert_msg(strcmp(run->ev[1].msg.hdrs, want) == 0,
					      "len %u at %u byte %02x: %s", len,
					      at, odd[k], run->ev[1].msg.hdrs);
				free(run);
				free(f);
				ng.deflate_del(d);
			}
		}
	}
}
END_TEST

START_TEST(test_no_capture_without_option)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, NULL);
	struct run *run;

	headers(f, d, 1, H2_FLAG_END_STREAM, get_fields);
	run = run_whole(f);
	ck_assert_int_eq(run->n, 2);
	ck_assert_str_eq(run->ev[1].msg.method, "GET");
	ck_assert_uint_eq(run->ev[1].msg.hdrs_len, 0);
	ck_assert_str_eq(run->ev[1].msg.hdrs, "");
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

/* A content-type longer than the message keeps, with a control byte, an
 * empty one then two more: the length kept with it is its strlen each
 * time (the first non-empty one is kept, not the last). */
START_TEST(test_content_type_len)
{
	static char longv[201];
	const char *fields[] = { ":status", "200", "content-type", longv, NULL };
	const char *fields2[] = { ":status", "200", "content-type", "",
				  "content-type", "text/x\001y",
				  "content-type", "text/zzzzzzzzzzzz", NULL };
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, NULL);
	struct run *run;

	memset(longv, 'a', 200);
	longv[5] = '\t';
	headers(f, d, 1, H2_FLAG_END_STREAM, fields);
	headers(f, d, 3, H2_FLAG_END_STREAM, fields2);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 3);
	ck_assert_uint_eq(run->ev[1].msg.content_type_len, H1_CTYPE_MAX - 1);
	ck_assert_uint_eq(strlen(run->ev[1].msg.content_type), H1_CTYPE_MAX - 1);
	ck_assert_uint_eq(run->ev[2].msg.content_type_len, 8);
	ck_assert_uint_eq(strlen(run->ev[2].msg.content_type), 8);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_response_data_padding)
{
	static const char *const fields[] = {
		":status", "200", "content-type", "text/html; charset=utf-8",
		"content-length", "10", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, &capture);
	struct run *run;
	const h2_message *m;

	headers(f, d, 1, 0, fields);
	data(f, 1, 0, 6, 5);             /* 6 body bytes, 5 of padding */
	data(f, 1, 0, 0, -1);            /* empty, unpadded */
	data(f, 1, H2_FLAG_END_STREAM, 4, 0); /* padded, pad length 0 */
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 5);
	assert_settings_event(&run->ev[0], -1);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert(!run->ev[1].ev.end_stream);
	m = &run->ev[1].msg;
	ck_assert_uint_eq(m->status, 200);
	ck_assert_str_eq(m->content_type, "text/html; charset=utf-8");
	ck_assert_str_eq(m->method, "");
	ck_assert_str_eq(m->hdrs, "content-type: text/html; charset=utf-8\r\n"
				  "content-length: 10\r\n");
	ck_assert_uint_eq(m->header_bytes, list_size(fields));
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[2].ev.stream, 1);
	ck_assert_uint_eq(run->ev[2].ev.length, 6);
	ck_assert(!run->ev[2].ev.end_stream);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[3].ev.length, 0);
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[4].ev.length, 4);
	ck_assert(run->ev[4].ev.end_stream);
	ck_assert_uint_eq(run->ev[4].off, f->len - 1);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_headers_padded_priority)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &capture);
	uint8_t blk[H2_BLOCK_MAX], pad[7] = { 0 };
	size_t n = encode(d, blk, sizeof(blk), get_fields);
	struct run *run;

	frame_header(f, (uint32_t)(1 + 5 + n + sizeof(pad)), H2_HEADERS,
		     H2_FLAG_PADDED | H2_FLAG_PRIORITY | H2_FLAG_END_HEADERS |
			     H2_FLAG_END_STREAM,
		     3);
	put(f, (uint8_t[]){ sizeof(pad) }, 1);
	put_u32(f, 0x80000001); /* exclusive, depends on stream 1 */
	put(f, (uint8_t[]){ 15 }, 1); /* weight */
	put(f, blk, n);
	put(f, pad, sizeof(pad));
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 2);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[1].ev.stream, 3);
	ck_assert(run->ev[1].ev.end_stream);
	ck_assert_uint_eq(run->ev[1].off, f->len - 1);
	ck_assert_str_eq(run->ev[1].msg.path, "/index.html?q=1");
	ck_assert_uint_eq(run->ev[1].msg.header_bytes, list_size(get_fields));
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_headers_continuation)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &capture);
	uint8_t blk[H2_BLOCK_MAX];
	size_t n = encode(d, blk, sizeof(blk), get_fields);
	size_t a = n / 3, b = 2 * n / 3;
	struct run *run;

	/* HEADERS (padded) + 2 CONTINUATIONs, END_STREAM on the HEADERS. */
	frame_header(f, (uint32_t)(1 + a + 2), H2_HEADERS,
		     H2_FLAG_PADDED | H2_FLAG_END_STREAM, 1);
	put(f, (uint8_t[]){ 2, }, 1);
	put(f, blk, a);
	put(f, (uint8_t[]){ 0, 0 }, 2);
	frame(f, H2_CONTINUATION, 0, 1, blk + a, b - a);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 1, blk + b, n - b);
	/* An empty CONTINUATION ends a block too. */
	n = encode(d, blk, sizeof(blk), get_fields);
	frame(f, H2_HEADERS, 0, 3, blk, n);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 3, NULL, 0);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 3);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[1].ev.stream, 1);
	ck_assert(run->ev[1].ev.end_stream);
	ck_assert_str_eq(run->ev[1].msg.method, "GET");
	ck_assert_str_eq(run->ev[1].msg.authority, "example.com");
	ck_assert_str_eq(run->ev[1].msg.hdrs,
			 "user-agent: check/1.0\r\naccept: */*\r\n");
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[2].ev.stream, 3);
	ck_assert(!run->ev[2].ev.end_stream);
	ck_assert_str_eq(run->ev[2].msg.path, "/index.html?q=1");
	ck_assert_uint_eq(run->ev[2].off, f->len - 1);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_interleaved_streams)
{
	static const char *const r1[] = {
		":status", "200", "content-type", "text/plain", NULL,
	};
	static const char *const r3[] = {
		":status", "404", "content-type", "application/json", NULL,
	};
	static const char *const r5[] = {
		":status", "204", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, NULL);
	struct run *run;
	uint8_t ping[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	headers(f, d, 1, 0, r1);
	headers(f, d, 3, 0, r3);
	data(f, 1, 0, 100, -1);
	frame(f, H2_PING, 0, 0, ping, 8);
	data(f, 3, 0, 20, 3);
	headers(f, d, 5, H2_FLAG_END_STREAM, r5);
	frame_header(f, 4, H2_WINDOW_UPDATE, 0, 0);
	put_u32(f, 65535);
	data(f, 3, H2_FLAG_END_STREAM, 0, -1);
	data(f, 1, H2_FLAG_END_STREAM, 50, -1);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 8);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[1].ev.stream, 1);
	ck_assert_uint_eq(run->ev[1].msg.status, 200);
	ck_assert_str_eq(run->ev[1].msg.content_type, "text/plain");
	ck_assert_uint_eq(run->ev[1].msg.content_type_len, 10);
	ck_assert_uint_eq(run->ev[2].ev.stream, 3);
	ck_assert_uint_eq(run->ev[2].msg.status, 404);
	ck_assert_str_eq(run->ev[2].msg.content_type, "application/json");
	ck_assert_uint_eq(run->ev[2].msg.content_type_len, 16);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[3].ev.stream, 1);
	ck_assert_uint_eq(run->ev[3].ev.length, 100);
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[4].ev.stream, 3);
	ck_assert_uint_eq(run->ev[4].ev.length, 20);
	ck_assert_int_eq(run->ev[5].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[5].ev.stream, 5);
	ck_assert(run->ev[5].ev.end_stream);
	ck_assert_uint_eq(run->ev[5].msg.status, 204);
	ck_assert_str_eq(run->ev[5].msg.content_type, "");
	ck_assert_uint_eq(run->ev[5].msg.content_type_len, 0);
	ck_assert_uint_eq(run->ev[6].ev.stream, 3);
	ck_assert(run->ev[6].ev.end_stream);
	ck_assert_uint_eq(run->ev[7].ev.stream, 1);
	ck_assert_uint_eq(run->ev[7].ev.length, 50);
	ck_assert(run->ev[7].ev.end_stream);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_dynamic_table)
{
	static const char *const second[] = {
		":method", "GET", ":scheme", "https", ":authority",
		"example.com", ":path", "/second", "user-agent", "check/1.0",
		"accept", "*/*", NULL,
	};
	static const char *const third[] = {
		":method", "POST", ":scheme", "https", ":authority",
		"example.com", ":path", "/third", "user-agent", "check/1.0",
		"content-type", "application/x-www-form-urlencoded", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &capture);
	uint8_t blk[H2_BLOCK_MAX];
	size_t n1, n2;
	struct run *run;
	const h2_message *m;

	/* The same deflater encodes all three: the second block refers to
	 * the entries the first added to the dynamic table. */
	n1 = encode(d, blk, sizeof(blk), get_fields);
	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, 1,
	      blk, n1);
	n2 = encode(d, blk, sizeof(blk), second);
	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS | H2_FLAG_END_STREAM, 3,
	      blk, n2);
	ck_assert_msg(n2 + 10 < n1, "second block %zu, first %zu: not indexed",
		      n2, n1);
	headers(f, d, 5, 0, third);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 4);
	m = &run->ev[2].msg;
	ck_assert_uint_eq(run->ev[2].ev.stream, 3);
	ck_assert_str_eq(m->method, "GET");
	ck_assert_str_eq(m->authority, "example.com");
	ck_assert_str_eq(m->path, "/second");
	ck_assert_str_eq(m->hdrs, "user-agent: check/1.0\r\naccept: */*\r\n");
	ck_assert_uint_eq(m->header_bytes, list_size(second));
	m = &run->ev[3].msg;
	ck_assert_str_eq(m->method, "POST");
	ck_assert_str_eq(m->path, "/third");
	ck_assert_str_eq(m->content_type, "application/x-www-form-urlencoded");
	ck_assert_str_eq(m->hdrs, "user-agent: check/1.0\r\ncontent-type: "
				  "application/x-www-form-urlencoded\r\n");
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_interim_then_final)
{
	static const char *const early[] = {
		":status", "103", "link", "</style.css>; rel=preload", NULL,
	};
	static const char *const final[] = {
		":status", "200", "content-type", "text/css", NULL,
	};
	static const char *const trailers[] = {
		"grpc-status", "0", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, &capture);
	struct run *run;

	headers(f, d, 1, 0, early);
	headers(f, d, 1, 0, final);
	data(f, 1, 0, 30, -1);
	headers(f, d, 1, H2_FLAG_END_STREAM, trailers);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 5);
	ck_assert_uint_eq(run->ev[1].msg.status, 103);
	ck_assert_str_eq(run->ev[1].msg.hdrs,
			 "link: </style.css>; rel=preload\r\n");
	ck_assert(!run->ev[1].ev.end_stream);
	ck_assert_uint_eq(run->ev[2].msg.status, 200);
	ck_assert_str_eq(run->ev[2].msg.content_type, "text/css");
	ck_assert_str_eq(run->ev[2].msg.hdrs, "content-type: text/css\r\n");
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_DATA);
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_HEADERS);
	ck_assert(run->ev[4].ev.end_stream);
	ck_assert_uint_eq(run->ev[4].msg.status, 0);
	ck_assert_str_eq(run->ev[4].msg.hdrs, "grpc-status: 0\r\n");
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_rst_stream_goaway)
{
	struct fix *f = fix_new(false, NULL);
	struct run *run;
	static const char debug[] = "shutting down";

	frame_header(f, 4, H2_RST_STREAM, 0, 7);
	put_u32(f, 0x8); /* CANCEL */
	frame_header(f, 8 + sizeof(debug) - 1, H2_GOAWAY, 0, 0);
	put_u32(f, 0x80000000u | 9); /* the reserved bit is ignored */
	put_u32(f, 0x2);             /* INTERNAL_ERROR */
	put(f, debug, sizeof(debug) - 1);
	frame_header(f, 8, H2_GOAWAY, 0, 0);
	put_u32(f, 0);
	put_u32(f, 0);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 4);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_RST_STREAM);
	ck_assert_uint_eq(run->ev[1].ev.stream, 7);
	ck_assert_uint_eq(run->ev[1].ev.code, 8);
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_GOAWAY);
	ck_assert_uint_eq(run->ev[2].ev.last_stream, 9);
	ck_assert_uint_eq(run->ev[2].ev.code, 2);
	ck_assert_uint_eq(run->ev[2].off, 9 + 13 + 17 + 13 - 1);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_GOAWAY);
	ck_assert_uint_eq(run->ev[3].ev.last_stream, 0);
	ck_assert_uint_eq(run->ev[3].ev.code, 0);
	free(run);
	free(f);
}
END_TEST

static void settings_entry(struct fix *f, uint16_t id, uint32_t value)
{
	put(f, (uint8_t[]){ (uint8_t)(id >> 8), (uint8_t)id }, 2);
	put_u32(f, value);
}

START_TEST(test_settings_table_size)
{
	struct fix *f = malloc(sizeof(*f));
	struct run *run;

	fix_init(f, true, NULL);
	frame_header(f, 18, H2_SETTINGS, 0, 0);
	settings_entry(f, 0x3, 100);  /* MAX_CONCURRENT_STREAMS */
	settings_entry(f, 0x1, 8192); /* HEADER_TABLE_SIZE */
	settings_entry(f, 0x4, 65535); /* INITIAL_WINDOW_SIZE */
	frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
	frame_header(f, 12, H2_SETTINGS, 0, 0);
	settings_entry(f, 0x1, 0);
	settings_entry(f, 0x1, 256); /* the last one counts */
	frame_header(f, 6, H2_SETTINGS, 0, 0);
	settings_entry(f, 0x5, 16384);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 3);
	assert_settings_event(&run->ev[0], 8192);
	ck_assert_uint_eq(run->ev[0].off, 24 + 9 + 18 - 1);
	assert_settings_event(&run->ev[1], 256);
	assert_settings_event(&run->ev[2], -1);
	free(run);
	free(f);
}
END_TEST

/* h2_set_table_size() reaches the decoder: a smaller limit the encoder
 * acknowledges works; one the encoder ignores breaks the block. */
START_TEST(test_set_table_size)
{
	static const char *const fields[] = {
		":status", "200",
		"x-long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, NULL);
	struct run *run;

	ck_assert_int_eq(ng.change_table_size(d, 64), 0);
	headers(f, d, 1, 0, fields);
	headers(f, d, 3, 0, fields);
	run = run_all_ways(f, 64);
	ck_assert_int_eq(run->n, 3);
	ck_assert_uint_eq(run->ev[2].msg.status, 200);
	free(run);
	ng.deflate_del(d);

	d = deflater();
	fix_init(f, false, NULL);
	settings_empty(f);
	headers(f, d, 1, 0, fields);
	run = calloc(1, sizeof(*run));
	run_fix(run, f, f->len, 0, 64);
	ck_assert_int_eq(run->n, 2);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_ERROR);
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

/* Feed all of @f to a reader whose decoding side sent @n SETTINGS, the
 * i-th with SETTINGS_HEADER_TABLE_SIZE @sent[i] (-1: none), into @run;
 * memo on or off. */
static void run_pending(struct run *run, const struct fix *f,
			const int64_t *sent, int n, bool memo)
{
	h2_reader *r = malloc(sizeof(*r));

	ck_assert(r != NULL);
	run->n = 0;
	ck_assert_int_eq(h2_init(r, f->client, hpack_own(), f->opt), 0);
	h2_memo_enable(r, memo);
	for (int i = 0; i < n; i++)
		h2_settings_sent(r, sent[i]);
	feed_piece(r, run, f->b, f->len, 0);
	h2_free(r);
	free(r);
}

/* A smaller SETTINGS_HEADER_TABLE_SIZE binds the encoder from its ACK on:
 * blocks the encoder wrote before (with the table it had) decode; after the
 * ACK the encoder's size update is taken, and a block without one fails. */
START_TEST(test_table_size_at_ack)
{
	static const char *const fields[] = {
		":status", "200",
		"x-long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
	};
	nghttp2_hd_deflater *d;
	struct fix *f = fix_new(false, NULL);
	struct run *run = calloc(1, sizeof(*run));

	for (int memo = 0; memo < 2; memo++) {
		fix_init(f, false, NULL);
		settings_empty(f);
		d = deflater();
		/* written before the encoder saw the new size: they index
		 * entries of the 4096-byte table */
		headers(f, d, 1, 0, fields);
		headers(f, d, 3, 0, fields);
		frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
		ck_assert_int_eq(ng.change_table_size(d, 64), 0);
		headers(f, d, 5, 0, fields);
		headers(f, d, 7, 0, fields);
		run_pending(run, f, (int64_t[]){64}, 1, memo);
		ck_assert_int_eq(run->n, 5);
		for (int i = 1; i < 5; i++) {
			ck_assert_int_eq(run->ev[i].ev.type, H2_EV_HEADERS);
			ck_assert_uint_eq(run->ev[i].msg.status, 200);
			/* :status 3+7+32, x-long 6+34+32 */
			ck_assert_uint_eq(run->ev[i].msg.header_bytes, 114);
		}
		ng.deflate_del(d);

		/* the ACK without the encoder's size update: refused, as the
		 * peer's decoder refuses it */
		fix_init(f, false, NULL);
		settings_empty(f);
		d = deflater();
		headers(f, d, 1, 0, fields);
		frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
		headers(f, d, 3, 0, fields);
		run_pending(run, f, (int64_t[]){64}, 1, memo);
		ck_assert_int_eq(run->n, 3);
		ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
		ck_assert_int_eq(run->ev[2].ev.type, H2_EV_ERROR);

		/* two SETTINGS pending, the size in the second: the first
		 * ACK changes nothing, the second applies it */
		ng.deflate_del(d);
		d = deflater();
		fix_init(f, false, NULL);
		settings_empty(f);
		headers(f, d, 1, 0, fields);
		frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
		headers(f, d, 3, 0, fields);
		frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
		ck_assert_int_eq(ng.change_table_size(d, 64), 0);
		headers(f, d, 5, 0, fields);
		run_pending(run, f, (int64_t[]){-1, 64}, 2, memo);
		ck_assert_int_eq(run->n, 4);
		for (int i = 1; i < 4; i++) {
			ck_assert_int_eq(run->ev[i].ev.type, H2_EV_HEADERS);
			ck_assert_uint_eq(run->ev[i].msg.status, 200);
		}
		ng.deflate_del(d);
	}
	free(run);
	free(f);
}
END_TEST

/* A larger size pending is allowed at once: an encoder that takes it up
 * before its ACK crossed (a size update beyond the acknowledged 4096) is
 * decoded; with nothing pending that block is refused. */
START_TEST(test_table_size_larger_pending)
{
	static const char *const fields[] = {
		":status", "204", "x-a", "bbbbbbbbbbbbbbbbbbbbbbbb", NULL,
	};
	nghttp2_hd_deflater *d = NULL;
	struct fix *f = fix_new(false, NULL);
	struct run *run = calloc(1, sizeof(*run));

	load_deflater();
	ck_assert_int_eq(ng.deflate_new(&d, 16384), 0);
	ck_assert_int_eq(ng.change_table_size(d, 16384), 0);
	headers(f, d, 1, 0, fields); /* begins with a size update 16384 */
	headers(f, d, 3, 0, fields);
	frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
	headers(f, d, 5, 0, fields);
	run_pending(run, f, (int64_t[]){16384}, 1, true);
	ck_assert_int_eq(run->n, 4);
	for (int i = 1; i < 4; i++) {
		ck_assert_int_eq(run->ev[i].ev.type, H2_EV_HEADERS);
		ck_assert_uint_eq(run->ev[i].msg.status, 204);
	}
	/* nothing pending: the update exceeds the limit */
	run_pending(run, f, NULL, 0, true);
	ck_assert_int_eq(run->n, 2);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_ERROR);
	ng.deflate_del(d);
	free(run);
	free(f);
}
END_TEST

/* count_undecoded: after a block that cannot be decoded, later blocks are
 * framed and reported undecoded; a framing error stops the reader. */
START_TEST(test_count_undecoded)
{
	static const char *const fields[] = {
		":method", "GET", ":scheme", "http", ":authority", "a.test",
		":path", "/x", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, NULL);
	h2_reader *r = malloc(sizeof(*r));
	struct run *run = calloc(1, sizeof(*run));

	headers(f, d, 1, H2_FLAG_END_STREAM, fields);
	/* index 126: beyond both tables */
	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS, 3, "\xfe", 1);
	headers(f, d, 5, H2_FLAG_END_STREAM, fields);
	frame(f, H2_SETTINGS, H2_FLAG_ACK, 0, NULL, 0);
	headers(f, d, 7, 0, fields);
	ck_assert_int_eq(h2_init(r, true, hpack_own(), NULL), 0);
	r->count_undecoded = true;
	feed_piece(r, run, f->b, f->len, 0);
	ck_assert_int_eq(run->n, 5);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert(!run->ev[1].ev.undecoded);
	ck_assert_str_eq(run->ev[1].msg.path, "/x");
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_ERROR);
	/* a block the decoder failed on: not one too large to keep */
	ck_assert(!run->ev[2].ev.oversize);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_HEADERS);
	ck_assert(run->ev[3].ev.undecoded);
	ck_assert(run->ev[3].ev.end_stream);
	ck_assert_uint_eq(run->ev[3].ev.stream, 5);
	ck_assert_str_eq(run->ev[3].msg.path, "");
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_HEADERS);
	ck_assert(!run->ev[4].ev.end_stream);
	ck_assert(h2_framing(r));
	/* a SETTINGS frame of 5 bytes: framing lost for good */
	run->n = 0;
	feed_piece(r, run, (const uint8_t *)"\0\0\5\4\0\0\0\0\0abcde", 14, 0);
	ck_assert_int_eq(run->n, 1);
	ck_assert_int_eq(run->ev[0].ev.type, H2_EV_ERROR);
	ck_assert(!h2_framing(r));
	h2_free(r);
	free(r);
	/* without count_undecoded: nothing after the error */
	run_pending(run, f, NULL, 0, true);
	ck_assert_int_eq(run->n, 3);
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_ERROR);
	ng.deflate_del(d);
	free(run);
	free(f);
}
END_TEST

START_TEST(test_push_promise)
{
	static const char *const promised[] = {
		":method", "GET", ":scheme", "https", ":authority",
		"example.com", ":path", "/style.css", NULL,
	};
	static const char *const resp[] = {
		":status", "200", "content-type", "text/css", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, &capture);
	uint8_t blk[H2_BLOCK_MAX];
	size_t n = encode(d, blk, sizeof(blk), promised);
	size_t half = n / 2;
	struct run *run;

	/* Padded PUSH_PROMISE on stream 1 promising 2, continued. */
	frame_header(f, (uint32_t)(1 + 4 + half + 3), H2_PUSH_PROMISE,
		     H2_FLAG_PADDED, 1);
	put(f, (uint8_t[]){ 3 }, 1);
	put_u32(f, 2);
	put(f, blk, half);
	put(f, (uint8_t[]){ 0, 0, 0 }, 3);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 1, blk + half,
	      n - half);
	/* The response on the promised stream, with the same decoder. */
	headers(f, d, 2, 0, resp);
	frame_header(f, (uint32_t)(4 + 0), H2_PUSH_PROMISE,
		     H2_FLAG_END_HEADERS, 1);
	put_u32(f, 4); /* an empty block is still a valid block */
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 4);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_PUSH_PROMISE);
	ck_assert_uint_eq(run->ev[1].ev.stream, 1);
	ck_assert_uint_eq(run->ev[1].ev.promised, 2);
	ck_assert_str_eq(run->ev[1].msg.method, "GET");
	ck_assert_str_eq(run->ev[1].msg.path, "/style.css");
	ck_assert_str_eq(run->ev[1].msg.authority, "example.com");
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[2].ev.stream, 2);
	ck_assert_uint_eq(run->ev[2].msg.status, 200);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_PUSH_PROMISE);
	ck_assert_uint_eq(run->ev[3].ev.promised, 4);
	ck_assert_str_eq(run->ev[3].msg.path, "");
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_redaction)
{
	static const char *const redact[] = { "authorization", "cookie",
					      "x-api-key", NULL };
	static const h1_options opt = { .capture_headers = true,
					.redact = redact };
	static const char *const fields[] = {
		":method", "GET", ":scheme", "http", ":authority", "h:8080",
		":path", "/", "authorization", "Bearer secret-token",
		"cookie", "a=1", "cookie", "b=2", "X-Api-Key", "k",
		"accept", "text/html", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &opt);
	struct run *run;
	const h2_message *m;

	headers(f, d, 1, H2_FLAG_END_STREAM, fields);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 2);
	m = &run->ev[1].msg;
	ck_assert_str_eq(m->hdrs, "authorization: [redacted]\r\n"
				  "cookie: [redacted]\r\n"
				  "cookie: [redacted]\r\n"
				  "x-api-key: [redacted]\r\n"
				  "accept: text/html\r\n");
	ck_assert_ptr_null(strstr(m->hdrs, "secret"));
	/* The size counts the real fields. */
	ck_assert_uint_eq(m->header_bytes, list_size(fields));
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_truncation)
{
	static char big[2501], path[1500];
	static const char *fields[] = {
		":method", "GET", ":scheme", "https", ":authority", "a",
		":path", path, "a", big, "b", big, "c", "short", NULL,
	};
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, &capture);
	struct run *run;
	const h2_message *m;

	memset(big, 'v', sizeof(big) - 1);
	path[0] = '/';
	memset(path + 1, 'p', sizeof(path) - 2);
	headers(f, d, 1, H2_FLAG_END_STREAM, fields);
	run = run_whole(f);
	ck_assert_int_eq(run->n, 2);
	m = &run->ev[1].msg;
	ck_assert(m->path_truncated);
	ck_assert_uint_eq(strlen(m->path), H1_TARGET_MAX - 1);
	/* "a: ..." fits, "b: ..." does not, "c: short" does. */
	ck_assert(m->hdrs_truncated);
	ck_assert_uint_eq(m->hdrs_len, 3 + 2500 + 2 + strlen("c: short\r\n"));
	ck_assert_str_eq(m->hdrs + m->hdrs_len - 10, "c: short\r\n");
	ck_assert_uint_eq(m->header_bytes, list_size(fields));
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

/* Feed @f every way and expect @n_ok events then an error at @off, and
 * nothing from the rest of @f; then more bytes still give nothing. */
static void expect_error(const struct fix *f, int n_ok, size_t off)
{
	struct run *run = run_all_ways(f, 0);
	h2_reader *r = malloc(sizeof(*r));
	h2_event ev;
	size_t n;

	ck_assert_int_eq(run->n, n_ok + 1);
	ck_assert_int_eq(run->ev[n_ok].ev.type, H2_EV_ERROR);
	ck_assert_uint_eq(run->ev[n_ok].off, off);

	ck_assert_int_eq(h2_init(r, f->client, hpack_own(), NULL), 0);
	run->n = 0;
	feed_piece(r, run, f->b, f->len, 0);
	n = h2_feed(r, f->b, f->len, &ev);
	ck_assert_uint_eq(n, f->len);
	ck_assert_int_eq(ev.type, H2_EV_NONE);
	h2_free(r);
	free(r);
	free(run);
}

START_TEST(test_bad_preface)
{
	struct fix *f = malloc(sizeof(*f));

	fix_init(f, true, NULL);
	f->b[13] = '1'; /* "HTTP/2.1" */
	settings_empty(f);
	expect_error(f, 0, 13);

	/* An HTTP/1.1 request instead of the preface. */
	fix_init(f, false, NULL);
	f->client = true;
	put(f, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27);
	expect_error(f, 0, 0);
	free(f);
}
END_TEST

START_TEST(test_oversize_block)
{
	static uint8_t junk[H2_BLOCK_MAX + 16];
	struct fix *f = fix_new(false, NULL);

	/* One HEADERS frame one byte too big: error at its header. */
	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS, 1, junk, H2_BLOCK_MAX + 1);
	expect_error(f, 1, 9 + 9 - 1);

	/* HEADERS + CONTINUATION adding up to one byte too many. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_HEADERS, 0, 1, junk, 10000);
	frame(f, H2_CONTINUATION, 0, 1, junk, 6000);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 1, junk, 385);
	expect_error(f, 1, 9 + 9 + 10000 + 9 + 6000 + 9 - 1);

	/* Padded: the padding does not count, so exactly the maximum is
	 * fine (but this block is no HPACK: it fails when decoded). */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame_header(f, 1 + H2_BLOCK_MAX + 10, H2_HEADERS,
		     H2_FLAG_PADDED | H2_FLAG_END_HEADERS, 1);
	put(f, (uint8_t[]){ 10 }, 1);
	memset(junk, 0xff, sizeof(junk));
	put(f, junk, H2_BLOCK_MAX + 10);
	expect_error(f, 1, f->len - 1);
	free(f);
}
END_TEST

/* count_undecoded: a block over H2_BLOCK_MAX (HEADERS and CONTINUATIONs,
 * the second CONTINUATION over it, a third after that) is framed to its
 * END_HEADERS and reported there as undecoded (H2_EV_ERROR with its
 * stream); the DATA after it and the next stream's block are still framed.
 * Before, the reader failed at the frame that overflowed: the stream that
 * block opened, and every later one, went uncounted. */
START_TEST(test_oversize_block_framed)
{
	static const char *const fields[] = {
		":method", "GET", ":scheme", "http", ":authority", "a.test",
		":path", "/x", NULL,
	};
	static uint8_t junk[10000];
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, NULL);
	h2_reader *r = malloc(sizeof(*r));
	struct run *run = calloc(1, sizeof(*run));

	headers(f, d, 1, H2_FLAG_END_STREAM, fields);
	frame(f, H2_HEADERS, 0, 3, junk, 10000);
	frame(f, H2_CONTINUATION, 0, 3, junk, 6000);
	frame(f, H2_CONTINUATION, 0, 3, junk, 10000);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 3, junk, 5);
	data(f, 3, H2_FLAG_END_STREAM, 10, -1);
	headers(f, d, 5, H2_FLAG_END_STREAM, fields);
	ck_assert_int_eq(h2_init(r, true, hpack_own(), NULL), 0);
	r->count_undecoded = true;
	feed_piece(r, run, f->b, f->len, 0);
	ck_assert_int_eq(run->n, 5);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_str_eq(run->ev[1].msg.path, "/x");
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_ERROR);
	ck_assert(run->ev[2].ev.undecoded);
	ck_assert(run->ev[2].ev.oversize); /* too large, not malformed */
	ck_assert_uint_eq(run->ev[2].ev.stream, 3);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[3].ev.length, 10);
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_HEADERS);
	ck_assert(run->ev[4].ev.undecoded);
	ck_assert_uint_eq(run->ev[4].ev.stream, 5);
	ck_assert(h2_framing(r));
	h2_free(r);
	free(r);
	ng.deflate_del(d);
	free(run);
	free(f);
}
END_TEST

/* The same on the response side: a server's block over H2_BLOCK_MAX (a
 * HEADERS, a CONTINUATION over the limit) is framed to its END_HEADERS and
 * reported there as undecoded and oversize, on its stream; the next
 * response block is framed, not decoded. */
START_TEST(test_oversize_response_block_framed)
{
	static const char *const fields[] = {":status", "200", NULL};
	static uint8_t junk[10000];
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, NULL);
	h2_reader *r = malloc(sizeof(*r));
	struct run *run = calloc(1, sizeof(*run));

	headers(f, d, 1, 0, fields);
	frame(f, H2_HEADERS, 0, 3, junk, 10000);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 3, junk, 8000);
	data(f, 1, H2_FLAG_END_STREAM, 10, -1);
	headers(f, d, 5, H2_FLAG_END_STREAM, fields);
	ck_assert_int_eq(h2_init(r, false, hpack_own(), NULL), 0);
	r->count_undecoded = true;
	feed_piece(r, run, f->b, f->len, 0);
	ck_assert_int_eq(run->n, 5);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_uint_eq(run->ev[1].msg.status, 200);
	ck_assert_int_eq(run->ev[2].ev.type, H2_EV_ERROR);
	ck_assert(run->ev[2].ev.undecoded && run->ev[2].ev.oversize);
	ck_assert_uint_eq(run->ev[2].ev.stream, 3);
	ck_assert_int_eq(run->ev[3].ev.type, H2_EV_DATA);
	ck_assert_uint_eq(run->ev[3].ev.stream, 1);
	ck_assert_int_eq(run->ev[4].ev.type, H2_EV_HEADERS);
	ck_assert(run->ev[4].ev.undecoded && !run->ev[4].ev.oversize);
	ck_assert(run->ev[4].ev.end_stream);
	ck_assert_uint_eq(run->ev[4].msg.status, 0);
	ck_assert(h2_framing(r));
	h2_free(r);
	free(r);
	ng.deflate_del(d);
	free(run);
	free(f);
}
END_TEST

/* What a server may send first: the start of a SETTINGS frame header that
 * can begin its preface, every prefix of it, and nothing else. */
START_TEST(test_server_preface_start)
{
	static const uint8_t grpc[] = {0, 0, 24, 4, 0, 0, 0, 0, 0, 0, 4};
	static const uint8_t empty[] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
	static const uint8_t reserved[] = {0, 0, 6, 4, 0, 0x80, 0, 0, 0};
	static const uint8_t ack[] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
	static const uint8_t odd_len[] = {0, 0, 7, 4, 0, 0, 0, 0, 0};
	static const uint8_t stream1[] = {0, 0, 6, 4, 0, 0, 0, 0, 1};
	static const uint8_t window[] = {0, 0, 4, 8, 0, 0, 0, 0, 0};
	static const char smtp[] = "220 smtp.test ESMTP\r\n";
	size_t n;

	for (n = 0; n <= sizeof(grpc); n++)
		ck_assert(h2_server_preface_start(grpc, n));
	ck_assert(h2_server_preface_start(empty, sizeof(empty)));
	ck_assert(h2_server_preface_start(reserved, sizeof(reserved)));
	ck_assert(!h2_server_preface_start(ack, sizeof(ack)));
	ck_assert(h2_server_preface_start(ack, 4)); /* not yet known */
	ck_assert(!h2_server_preface_start(odd_len, 3));
	ck_assert(!h2_server_preface_start(stream1, sizeof(stream1)));
	ck_assert(h2_server_preface_start(stream1, 8));
	ck_assert(!h2_server_preface_start(window, 4));
	ck_assert(!h2_server_preface_start((const uint8_t *)smtp, sizeof(smtp) - 1));
	ck_assert(!h2_server_preface_start((const uint8_t *)"HTTP/1.1 200", 12));
}
END_TEST

START_TEST(test_garbage)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = malloc(sizeof(*f));
	uint8_t bad_index[] = { 0xbe }; /* indexed field 62: empty table */
	size_t at;

	/* An HTTP/1.1 response: its "frame header" is no SETTINGS. */
	fix_init(f, false, NULL);
	put(f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);
	expect_error(f, 0, 8);

	/* After the preface, a first frame other than SETTINGS. */
	fix_init(f, true, NULL);
	headers(f, d, 1, H2_FLAG_END_STREAM, get_fields);
	expect_error(f, 0, 24 + 8);

	/* A block HPACK cannot decode. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS, 1, bad_index, 1);
	expect_error(f, 1, f->len - 1);

	/* A CONTINUATION with no block open. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 1, bad_index, 1);
	expect_error(f, 1, 9 + 8);

	/* Another frame while a block is open. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_HEADERS, 0, 1, bad_index, 1);
	data(f, 1, 0, 3, -1);
	expect_error(f, 1, 9 + 10 + 8);

	/* A CONTINUATION of another stream. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_HEADERS, 0, 1, bad_index, 1);
	frame(f, H2_CONTINUATION, H2_FLAG_END_HEADERS, 3, bad_index, 1);
	expect_error(f, 1, 9 + 10 + 8);

	/* Frames whose length or stream does not fit their type. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_SETTINGS, 0, 0, bad_index, 1);
	expect_error(f, 1, 9 + 8);
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_RST_STREAM, 0, 1, "\0\0\0\0\0", 5);
	expect_error(f, 1, 9 + 8);
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_DATA, 0, 0, "abc", 3);
	expect_error(f, 1, 9 + 8);
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_GOAWAY, 0, 1, "\0\0\0\0\0\0\0\0", 8);
	expect_error(f, 1, 9 + 8);

	/* Padding longer than the payload: error at the pad length byte. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_DATA, H2_FLAG_PADDED, 1, "\x05" "abc", 4);
	expect_error(f, 1, 9 + 9);

	/* PADDED with no room for the pad length. */
	fix_init(f, false, NULL);
	settings_empty(f);
	frame(f, H2_DATA, H2_FLAG_PADDED, 1, NULL, 0);
	expect_error(f, 1, 9 + 8);

	/* Random bytes: their first "frame" is no SETTINGS (unless the 4th
	 * byte happens to be 4, made not to be here). */
	srand(42);
	fix_init(f, false, NULL);
	for (at = 0; at < 4096; at++)
		f->b[f->len++] = (uint8_t)rand();
	if (f->b[3] == H2_SETTINGS)
		f->b[3] = 0x42;
	expect_error(f, 0, 8);

	/* A TLS ClientHello where the preface should be. */
	fix_init(f, false, NULL);
	f->client = true;
	put(f, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
	expect_error(f, 0, 0);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_unknown_frames_skipped)
{
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(true, NULL);
	static uint8_t blob[300];
	struct run *run;

	frame(f, 0xfa, 0xff, 0, blob, sizeof(blob));   /* unknown type */
	frame(f, H2_PRIORITY, 0, 1, blob, 5);
	frame(f, H2_PING, H2_FLAG_ACK, 0, blob, 8);
	frame(f, H2_WINDOW_UPDATE, 0, 1, blob, 4);
	headers(f, d, 1, H2_FLAG_END_STREAM, get_fields);
	run = run_all_ways(f, 0);
	ck_assert_int_eq(run->n, 2);
	ck_assert_int_eq(run->ev[1].ev.type, H2_EV_HEADERS);
	ck_assert_str_eq(run->ev[1].msg.method, "GET");
	free(run);
	free(f);
	ng.deflate_del(d);
}
END_TEST

START_TEST(test_no_decoder)
{
	h2_reader *r = malloc(sizeof(*r));
	struct fix *f = fix_new(false, NULL);
	h2_event ev;
	size_t n;

	frame(f, H2_HEADERS, H2_FLAG_END_HEADERS, 1, "\x88", 1);
	ck_assert_int_eq(h2_init(r, false, NULL, NULL), -1);
	h2_set_table_size(r, 100); /* harmless */
	n = h2_feed(r, f->b, f->len, &ev);
	ck_assert_uint_eq(n, 9);
	ck_assert_int_eq(ev.type, H2_EV_SETTINGS);
	n = h2_feed(r, f->b + 9, f->len - 9, &ev);
	ck_assert_uint_eq(n, f->len - 9);
	ck_assert_int_eq(ev.type, H2_EV_ERROR);
	h2_free(r);
	h2_free(r); /* twice is fine */
	free(r);
	free(f);
}
END_TEST

/* ---- bytes that went by unseen (h2_skip()) -------------------------------- */

/* Per byte of @f: the end of the DATA frame whose payload (after the pad
 * length) holds it, 0 for any other byte: what h2_skip() may take. */
static void data_payload_map(const struct fix *f, size_t *end)
{
	size_t off = f->client ? sizeof(preface) - 1 : 0, i;

	memset(end, 0, f->len * sizeof(*end));
	while (off + 9 <= f->len) {
		const uint8_t *h = f->b + off;
		size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
		size_t start = off + 9, stop = off + 9 + len;

		if (h[3] == H2_DATA) {
			if (h[4] & H2_FLAG_PADDED)
				start++;
			for (i = start; i < stop; i++)
				end[i] = stop;
		}
		off = stop;
	}
}

/* @f fed as far as @a, bytes [@a, @b) unseen, then the rest when they were
 * all taken, with the reader's want_data @want, into @run.  Returns where
 * h2_skip() stopped. */
static size_t run_hole(struct run *run, const struct fix *f, size_t a,
		       size_t b, bool want)
{
	h2_reader *r = malloc(sizeof(*r)), *before = malloc(sizeof(*r));
	size_t pos = a;

	ck_assert(r != NULL && before != NULL);
	run->n = 0;
	ck_assert_int_eq(h2_init(r, f->client, hpack_own(), f->opt), 0);
	r->want_data = want;
	feed_piece(r, run, f->b, a, 0);
	while (pos < b) {
		h2_event ev;
		size_t k;

		memcpy(before, r, sizeof(*r));
		k = h2_skip(r, b - pos, &ev);
		REQUIRE(k <= b - pos, "skip took %zu of %zu", k, b - pos);
		if (k == 0) {
			REQUIRE(ev.type == H2_EV_NONE, "event from no byte");
			REQUIRE(memcmp(before, r, sizeof(*r)) == 0,
				"skip of nothing changed the reader at %zu",
				pos);
			break;
		}
		REQUIRE(ev.type != H2_EV_NONE || k == b - pos,
			"skip stopped at %zu with no event", pos + k);
		if (ev.type != H2_EV_NONE) {
			struct ev_rec *e = &run->ev[run->n++];

			REQUIRE(run->n <= MAX_EVENTS, "too many events");
			REQUIRE(ev.type == H2_EV_DATA ||
				ev.type == H2_EV_DATA_CHUNK,
				"skip gave event %d", ev.type);
			REQUIRE(ev.data == NULL && ev.unseen == (want && ev.data_len > 0),
				"unseen bytes handed over as seen");
			memcpy(&e->ev, &ev, sizeof(ev));
			e->off = pos + k - 1;
			memset(&e->msg, 0, sizeof(e->msg));
		}
		pos += k;
	}
	if (pos == b)
		feed_piece(r, run, f->b + b, f->len - b, b);
	h2_free(r);
	free(r);
	free(before);
	return pos;
}

/* Every hole of up to 40 bytes (and every one to the end): h2_skip() takes
 * exactly the bytes of DATA payloads (bodies and padding) up to the
 * first byte that is not, never beyond its frame's end; when it took all,
 * the events (want_data off) are those of the bytes fed whole, at the
 * same offsets; with want_data, the body bytes each stream's events carry
 * add up the same, the unseen ones flagged. */
START_TEST(test_skip_unseen_data)
{
	static const char *const ok[] = { ":status", "200", NULL };
	nghttp2_hd_deflater *d = deflater();
	struct fix *f = fix_new(false, &capture);
	struct run *whole, *run = calloc(1, sizeof(*run));
	size_t *end, a, b, i, skipped = 0;

	headers(f, d, 1, 0, ok);
	data(f, 1, 0, 6, 5);             /* 6 body bytes, 5 of padding */
	headers(f, d, 3, 0, ok);
	data(f, 1, 0, 0, -1);            /* empty */
	data(f, 3, 0, 300, -1);
	data(f, 1, 0, 0, 4);             /* padding only */
	data(f, 1, H2_FLAG_END_STREAM, 4, 0);
	data(f, 3, H2_FLAG_END_STREAM, 20, 3);
	whole = run_all_ways(f, 0);
	end = calloc(f->len, sizeof(*end));
	ck_assert(run != NULL && end != NULL);
	data_payload_map(f, end);
	for (a = 0; a < f->len; a++) {
		for (b = a + 1; b <= f->len; b++) {
			size_t want = a, pos, sum;

			if (b > a + 40 && b != f->len)
				continue;
			while (want < b && end[want])
				want = end[want] < b ? end[want] : b;
			pos = run_hole(run, f, a, b, false);
			REQUIRE(pos == want, "hole [%zu, %zu): skip stopped "
				"at %zu, not %zu", a, b, pos, want);
			if (pos < b) {
				/* what came before the stop is as whole */
				struct run head = *whole;

				head.n = 0;
				while (head.n < whole->n &&
				       whole->ev[head.n].off < pos)
					head.n++;
				same_run(&head, run, "hole stopped at", pos);
				continue;
			}
			skipped++;
			same_run(whole, run, "hole from", a);
			run_hole(run, f, a, b, true);
			for (i = 0, sum = 0; (int)i < run->n; i++)
				if (run->ev[i].ev.type == H2_EV_DATA ||
				    run->ev[i].ev.type == H2_EV_DATA_CHUNK)
					sum += run->ev[i].ev.data_len;
			REQUIRE(sum == 6 + 300 + 4 + 20,
				"hole [%zu, %zu): %zu body bytes", a, b, sum);
		}
	}
	ck_assert_uint_gt(skipped, 300);
	free(end);
	free(run);
	free(whole);
	free(f);
	ng.deflate_del(d);
}
END_TEST

Suite *http2_suite(void)
{
	Suite *s = suite_create("http2");
	TCase *tc = tcase_create("reader");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_request_get);
	tcase_add_test(tc, test_content_type_len);
	tcase_add_test(tc, test_no_capture_without_option);
	tcase_add_test(tc, test_capture_names);
	tcase_add_test(tc, test_known_names_any_case);
	tcase_add_test(tc, test_capture_values);
	tcase_add_test(tc, test_response_data_padding);
	tcase_add_test(tc, test_headers_padded_priority);
	tcase_add_test(tc, test_headers_continuation);
	tcase_add_test(tc, test_interleaved_streams);
	tcase_add_test(tc, test_dynamic_table);
	tcase_add_test(tc, test_interim_then_final);
	tcase_add_test(tc, test_rst_stream_goaway);
	tcase_add_test(tc, test_settings_table_size);
	tcase_add_test(tc, test_set_table_size);
	tcase_add_test(tc, test_table_size_at_ack);
	tcase_add_test(tc, test_table_size_larger_pending);
	tcase_add_test(tc, test_count_undecoded);
	tcase_add_test(tc, test_oversize_block_framed);
	tcase_add_test(tc, test_oversize_response_block_framed);
	tcase_add_test(tc, test_push_promise);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_bad_preface);
	tcase_add_test(tc, test_oversize_block);
	tcase_add_test(tc, test_server_preface_start);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_unknown_frames_skipped);
	tcase_add_test(tc, test_no_decoder);
	tcase_add_test(tc, test_skip_unseen_data);
	suite_add_tcase(s, tc);
	return s;
}
