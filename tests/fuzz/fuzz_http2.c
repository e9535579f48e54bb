/*
 * fuzz_http2.c - libFuzzer target for the HTTP/2 frame reader
 * (preload/http2.c) and its header path through the real HPACK decoder
 * (core/hpack_dec.c through preload/hpack.c).
 *
 * Input: byte 0 options, bytes 1-2 a split position, the rest the bytes of
 * one direction.  They are read by a client-side reader (which expects the
 * connection preface; with option bit 2 the preface is put in front, so
 * the fuzzer need not find it) and by a server-side reader, each three
 * times: in one piece, split in two at the position, and one byte at a
 * time.  As for HTTP/1.x the split must not matter: same events at the
 * same offsets, same decoded messages.  Every decoded message keeps its
 * strings terminated, their lengths (method, authority, path) kept right,
 * :status in range and its header lines well formed,
 * lower-case and redacted.  A SETTINGS header table size is handed to the
 * reader's decoder, as conn_h2.c does for the other direction.  Each run
 * feeds a second reader with the header block memo off (h2_memo_enable())
 * in lockstep: the same bytes taken, the same events, the same message
 * (every byte) and block buffer after every call.  A fourth run takes the
 * bytes from the split position on as unseen (h2_skip()) as far as the
 * reader takes them (the payload of the DATA frame in progress, up to its
 * end), then feeds the rest: the events must be the one piece's (a DATA
 * payload is only counted), the reader left as the bytes would have.
 *
 * Options (byte 0): bit 0 capture headers, bit 1 redact, bit 2 preface.
 */
#include "fuzz.h"
#include "http2.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

typedef struct run {
	fuzz_hash hash;
	size_t offset;
	bool dead;
	bool capture, redacting;
} run;

static void hash_message(run *rn, const h2_message *m)
{
	fuzz_hash *fh = &rn->hash;

	fuzz_hash_cstr(fh, m->method, sizeof(m->method));
	fuzz_hash_cstr(fh, m->scheme, sizeof(m->scheme));
	fuzz_hash_cstr(fh, m->authority, sizeof(m->authority));
	fuzz_hash_cstr(fh, m->path, sizeof(m->path));
	fuzz_hash_cstr(fh, m->content_type, sizeof(m->content_type));
	fuzz_hash_u64(fh, m->path_truncated);
	fuzz_hash_u64(fh, m->status);
	fuzz_hash_u64(fh, m->header_bytes);
	fuzz_hash_u64(fh, m->hdrs_truncated);
	FUZZ_ASSERT(m->status == 0 || (m->status >= 100 && m->status <= 999));
	FUZZ_ASSERT(m->method_len == strnlen(m->method, sizeof(m->method)) &&
		    m->authority_len ==
			    strnlen(m->authority, sizeof(m->authority)) &&
		    m->path_len == strnlen(m->path, sizeof(m->path)));
	FUZZ_ASSERT(m->hdrs_len < sizeof(m->hdrs));
	FUZZ_ASSERT(m->hdrs[m->hdrs_len] == '\0');
	if (!rn->capture)
		FUZZ_ASSERT(m->hdrs_len == 0);
	fuzz_hash_bytes(fh, m->hdrs, m->hdrs_len);
	if (rn->capture)
		fuzz_check_hdrs(m->hdrs, m->hdrs_len, rn->redacting, true);
}

static void on_event(run *rn, h2_reader *r, const h2_event *ev)
{
	fuzz_hash *fh = &rn->hash;

	FUZZ_ASSERT(!rn->dead);
	fuzz_hash_u64(fh, rn->offset);
	fuzz_hash_u64(fh, ev->type);
	fuzz_hash_u64(fh, ev->stream);
	fuzz_hash_u64(fh, ev->end_stream);
	fuzz_hash_u64(fh, ev->length);
	fuzz_hash_u64(fh, ev->code);
	fuzz_hash_u64(fh, ev->last_stream);
	fuzz_hash_u64(fh, ev->promised);
	fuzz_hash_u64(fh, (uint64_t)ev->table_size);
	fuzz_hash_u64(fh, ev->undecoded);
	fh->count++;
#ifdef FUZZ_TRACE /* -DFUZZ_TRACE: show the events, to debug an input */
	fprintf(stderr, "at %zu: event %d stream %u end %d len %u status %u\n",
		rn->offset, ev->type, ev->stream, ev->end_stream, ev->length,
		r->msg.status);
#endif
	switch (ev->type) {
	case H2_EV_HEADERS:
	case H2_EV_PUSH_PROMISE:
		FUZZ_ASSERT(ev->stream != 0 && ev->stream <= 0x7fffffffu);
		hash_message(rn, &r->msg);
		break;
	case H2_EV_DATA:
		FUZZ_ASSERT(ev->stream != 0);
		FUZZ_ASSERT(ev->length < (1u << 24));
		break;
	case H2_EV_SETTINGS:
		FUZZ_ASSERT(ev->table_size >= -1 &&
			    ev->table_size <= (int64_t)UINT32_MAX);
		/* as if the same side had sent it the other way: pending
		 * until an ACK of this direction (h2_settings_sent()) */
		h2_settings_sent(r, ev->table_size);
		break;
	case H2_EV_ERROR:
		/* with count_undecoded, framing may go on */
		rn->dead = !h2_framing(r);
		break;
	default:
		break;
	}
}

/* The memo's lockstep: @off, a reader with the memo off fed the same
 * calls, took the same bytes with the same event, and holds the same
 * message (every byte), block buffer and frame state. */
static void same_as_off(const h2_reader *r, const h2_reader *off, size_t n,
			size_t n_off, const h2_event *ev,
			const h2_event *ev_off)
{
	FUZZ_ASSERT(n == n_off);
	FUZZ_ASSERT(memcmp(ev, ev_off, sizeof(*ev)) == 0);
	FUZZ_ASSERT(memcmp(&r->msg, &off->msg, sizeof(r->msg)) == 0);
	FUZZ_ASSERT(r->block_len == off->block_len &&
		    memcmp(r->block, off->block, sizeof(r->block)) == 0);
	FUZZ_ASSERT(r->state == off->state && r->in_block == off->in_block &&
		    r->remaining == off->remaining);
	FUZZ_ASSERT(off->memo_hits == 0);
}

static void feed(run *rn, h2_reader *r, h2_reader *off, const uint8_t *buf,
		 size_t len)
{
	while (len > 0) {
		h2_event ev, ev_off;
		size_t n = h2_feed(r, buf, len, &ev);
		size_t n_off = h2_feed(off, buf, len, &ev_off);

		FUZZ_ASSERT(n > 0 && n <= len);
		FUZZ_ASSERT(ev.type != H2_EV_NONE || n == len);
		same_as_off(r, off, n, n_off, &ev, &ev_off);
		buf += n;
		len -= n;
		rn->offset += n;
		if (ev.type != H2_EV_NONE)
			on_event(rn, r, &ev);
		if (ev.type == H2_EV_SETTINGS)
			h2_settings_sent(off, ev.table_size);
	}
}

/* One run: @first bytes, then pieces of @step bytes (0: the rest), to a
 * reader with the memo and, in lockstep, one without. */
static void run_once(run *rn, bool client, const h1_options *opt,
		     const uint8_t *data, size_t size, size_t first,
		     size_t step)
{
	h2_reader *r = malloc(sizeof(*r)), *off = malloc(sizeof(*off));
	size_t at = 0;

	FUZZ_ASSERT(r != NULL && off != NULL);
	/* The decoder must load: a fuzzer without HPACK tests nothing. */
	FUZZ_ASSERT(h2_init(r, client, hpack_own(), opt) == 0);
	FUZZ_ASSERT(h2_init(off, client, hpack_own(), opt) == 0);
	h2_memo_enable(off, false);
	/* half the inputs go on framing after a block that failed */
	r->count_undecoded = off->count_undecoded = (size & 1) != 0;
	if (first > 0) {
		feed(rn, r, off, data, first);
		at = first;
	}
	while (at < size) {
		size_t n = step == 0 || step > size - at ? size - at : step;

		feed(rn, r, off, data + at, n);
		at += n;
	}
	h2_free(r);
	h2_free(off);
	free(r);
	free(off);
}

/* @first bytes fed, then as many of the rest as h2_skip() takes, unseen,
 * then what is left fed: to a reader with the memo and, in lockstep, one
 * without. */
static void run_hole(run *rn, bool client, const h1_options *opt,
		     const uint8_t *data, size_t size, size_t first)
{
	h2_reader *r = malloc(sizeof(*r)), *off = malloc(sizeof(*off));
	size_t at = first;

	FUZZ_ASSERT(r != NULL && off != NULL);
	FUZZ_ASSERT(h2_init(r, client, hpack_own(), opt) == 0);
	FUZZ_ASSERT(h2_init(off, client, hpack_own(), opt) == 0);
	h2_memo_enable(off, false);
	/* as run_once(): the runs must agree */
	r->count_undecoded = off->count_undecoded = (size & 1) != 0;
	feed(rn, r, off, data, first);
	while (at < size) {
		h2_event ev, ev_off;
		size_t n = h2_skip(r, size - at, &ev);
		size_t n_off = h2_skip(off, size - at, &ev_off);

		same_as_off(r, off, n, n_off, &ev, &ev_off);
		FUZZ_ASSERT(n <= size - at);
		if (n == 0) {
			FUZZ_ASSERT(ev.type == H2_EV_NONE);
			break;
		}
		FUZZ_ASSERT(ev.type == H2_EV_NONE || ev.type == H2_EV_DATA);
		FUZZ_ASSERT(ev.type != H2_EV_NONE || n == size - at);
		at += n;
		rn->offset += n;
		if (ev.type != H2_EV_NONE)
			on_event(rn, r, &ev);
	}
	feed(rn, r, off, data + at, size - at);
	h2_free(r);
	h2_free(off);
	free(r);
	free(off);
}

static void check_side(bool client, uint8_t opts, size_t split,
		       const uint8_t *data, size_t size)
{
	h1_options opt = {
		.capture_headers = opts & 1,
		.redact = (opts & 2) ? fuzz_redact : NULL,
	};
	run runs[4];

	for (int i = 0; i < 4; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		fuzz_hash_init(&runs[i].hash);
		runs[i].capture = opt.capture_headers;
		runs[i].redacting = opt.redact != NULL;
	}
	run_once(&runs[0], client, &opt, data, size, 0, 0);
	run_once(&runs[1], client, &opt, data, size, split, 0);
	run_once(&runs[2], client, &opt, data, size, 0, 1);
	run_hole(&runs[3], client, &opt, data, size, split);
	for (int i = 1; i < 4; i++) {
		if (runs[i].hash.count != runs[0].hash.count ||
		    runs[i].hash.h != runs[0].hash.h) {
			fprintf(stderr,
				"http2 %s: run %d (%s) differs from one piece: "
				"%llu events vs %llu\n",
				client ? "client" : "server", i,
				i == 1 ? "split" : i == 2 ? "byte by byte" :
				"unseen from the split",
				(unsigned long long)runs[i].hash.count,
				(unsigned long long)runs[0].hash.count);
			FUZZ_ASSERT(!"split consistency");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint8_t opts = data[0];
	size_t split = (size_t)data[1] | (size_t)data[2] << 8;

	data += 3;
	size -= 3;

	/* The client side, with the preface put in front when asked. */
	size_t plen = (opts & 4) ? sizeof(preface) - 1 : 0;
	uint8_t *client = malloc(plen + size + 1);
	FUZZ_ASSERT(client != NULL);
	memcpy(client, preface, plen);
	if (size > 0)
		memcpy(client + plen, data, size);
	check_side(true, opts, split % (plen + size + 1), client, plen + size);
	free(client);

	check_side(false, opts, split % (size + 1), data, size);
	return 0;
}
