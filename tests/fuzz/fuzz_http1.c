/*
 * fuzz_http1.c - libFuzzer target for the HTTP/1.x parser (core/http1.c).
 *
 * Input: byte 0 options, bytes 1-2 a split position, the rest the bytes
 * of one direction of a connection.  They go to a request parser and to a
 * response parser, each three times: in one piece, in two pieces split at
 * the position, and one byte at a time.  The parser's contract is that the
 * split does not matter, so the three runs must report the same events at
 * the same offsets with the same message, and h1_finish() the same ending.
 * Along the way: h1_feed() makes progress and never consumes more than it
 * was given, is silent after an error or in a tunnel, and every message
 * keeps its strings terminated and its captured header lines well formed
 * and redacted.
 *
 * Options (byte 0): bit 0 capture headers, bit 1 redact, bits 2-3 and
 * 4-5 the HEAD and CONNECT context given to the response parser at the
 * BEGIN of responses 0..1 (mod 2) -- the same in every run; bit 6 scrub
 * URLs (redact_query).
 *
 * And differentially, the header-line memo (h1_memo_enable()): a parser
 * with it and one without, fed the same pieces in lockstep (the bytes
 * twice over, so that their messages come again, whole, and split at the
 * position), must take the same bytes and report the same events at every
 * call, and hold the same message, every byte of it, and the same private
 * state but for the scratch tok and tok_len.
 */
#include "fuzz.h"
#include "http1.h"

/* Everything one run observed, to compare with the others. */
typedef struct run {
	fuzz_hash hash;
	size_t offset;     /* bytes consumed so far */
	unsigned begins;   /* messages begun */
	bool dead;         /* error reported, or tunnel reached */
	uint8_t ctx_bits;  /* options byte: response context per message */
	bool capture, redacting;
} run;

/* Hash the public message and check what must hold of any message. */
static void hash_message(run *rn, const h1_message *m)
{
	fuzz_hash *fh = &rn->hash;

	fuzz_hash_cstr(fh, m->method, sizeof(m->method));
	fuzz_hash_cstr(fh, m->target, sizeof(m->target));
	fuzz_hash_cstr(fh, m->reason, sizeof(m->reason));
	fuzz_hash_cstr(fh, m->host, sizeof(m->host));
	fuzz_hash_cstr(fh, m->content_type, sizeof(m->content_type));
	fuzz_hash_u64(fh, m->target_truncated);
	fuzz_hash_u64(fh, m->status);
	fuzz_hash_u64(fh, m->version_major);
	fuzz_hash_u64(fh, m->version_minor);
	fuzz_hash_u64(fh, (uint64_t)m->content_length);
	fuzz_hash_u64(fh, m->chunked);
	fuzz_hash_u64(fh, m->keep_alive);
	fuzz_hash_u64(fh, m->upgrade);
	fuzz_hash_u64(fh, m->expect_continue);
	fuzz_hash_u64(fh, m->body_by_close);
	fuzz_hash_u64(fh, m->header_bytes);
	fuzz_hash_u64(fh, m->body_bytes);
	fuzz_hash_u64(fh, m->hdrs_truncated);

	FUZZ_ASSERT(m->hdrs_len < sizeof(m->hdrs));
	FUZZ_ASSERT(m->hdrs[m->hdrs_len] == '\0');
	if (!rn->capture)
		FUZZ_ASSERT(m->hdrs_len == 0);
	fuzz_hash_bytes(fh, m->hdrs, m->hdrs_len);
	if (rn->capture)
		fuzz_check_hdrs(m->hdrs, m->hdrs_len, rn->redacting, false);
	/* Body bytes and the header section are bytes that were fed. */
	FUZZ_ASSERT(m->body_bytes <= rn->offset);
	FUZZ_ASSERT(m->header_bytes <= rn->offset);
	FUZZ_ASSERT(m->status == 0 || (m->status >= 100 && m->status <= 999));
}

/* The parser reported @ev after @rn->offset bytes. */
static void on_event(run *rn, h1_parser *p, unsigned ev)
{
	FUZZ_ASSERT(!rn->dead); /* silent after an error or in a tunnel */
	FUZZ_ASSERT((ev & ~15u) == 0);
	fuzz_hash_u64(&rn->hash, rn->offset);
	fuzz_hash_u64(&rn->hash, ev);
	fuzz_hash_u64(&rn->hash, h1_state(p));
	rn->hash.count++;
	if (ev & H1_EV_BEGIN) {
		FUZZ_ASSERT(!(ev & H1_EV_ERROR));
		if (p->kind == H1_RESPONSE) {
			unsigned k = rn->begins % 2;

			h1_set_response_context(p, (rn->ctx_bits >> (2 + k)) & 1,
						(rn->ctx_bits >> (4 + k)) & 1);
		}
		rn->begins++;
	}
	/* The message is read at these events (at ERROR too: the connection
	 * code reports what it has of a malformed response). */
	if (ev & (H1_EV_HEADERS | H1_EV_COMPLETE | H1_EV_ERROR))
		hash_message(rn, &p->msg);
	if (ev & H1_EV_ERROR) {
		FUZZ_ASSERT(h1_state(p) == H1_ST_ERROR);
		rn->dead = true;
	}
	if (h1_state(p) == H1_ST_TUNNEL) {
		FUZZ_ASSERT(ev & H1_EV_COMPLETE);
		rn->dead = true;
	}
}

/* Feed one piece the way the connection code does. */
static void feed(run *rn, h1_parser *p, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		h1_event ev;
		size_t n = h1_feed(p, buf, len, &ev);

		FUZZ_ASSERT(n > 0 && n <= len);       /* progress, in bounds */
		FUZZ_ASSERT(ev != H1_EV_NONE || n == len);
		buf += n;
		len -= n;
		rn->offset += n;
		if (ev != H1_EV_NONE)
			on_event(rn, p, ev);
	}
}

/* One run over @data in pieces of @step bytes (0: one piece) after a
 * first piece of @first bytes. */
static void run_once(run *rn, h1_kind kind, const h1_options *opt,
		     const uint8_t *data, size_t size, size_t first,
		     size_t step)
{
	h1_parser *p = malloc(sizeof(*p));
	size_t off = 0;

	FUZZ_ASSERT(p != NULL);
	h1_init(p, kind, opt);
	if (first > 0) {
		feed(rn, p, data, first);
		off = first;
	}
	while (off < size) {
		size_t n = step == 0 || step > size - off ? size - off : step;

		feed(rn, p, data + off, n);
		off += n;
	}
	/* EOF: the same ending whatever the split. */
	h1_state_public before = h1_state(p);
	h1_event ev = h1_finish(p);
	fuzz_hash_u64(&rn->hash, before);
	fuzz_hash_u64(&rn->hash, ev);
	if (before == H1_ST_BODY && (ev & H1_EV_COMPLETE))
		FUZZ_ASSERT(p->msg.body_by_close);
	if (before == H1_ST_IDLE || before == H1_ST_ERROR ||
	    before == H1_ST_TUNNEL)
		FUZZ_ASSERT(ev == H1_EV_NONE);
	FUZZ_ASSERT(h1_state(p) == H1_ST_IDLE);
	hash_message(rn, &p->msg);
	free(p);
}

/* The two parsers of the differential run hold the same state. */
static void memo_same(const h1_parser *a, const h1_parser *b)
{
	FUZZ_ASSERT(memcmp(&a->msg, &b->msg, sizeof(a->msg)) == 0);
	FUZZ_ASSERT(a->state == b->state && a->remaining == b->remaining);
	FUZZ_ASSERT(a->ctx_head == b->ctx_head &&
		    a->ctx_connect == b->ctx_connect);
	FUZZ_ASSERT(a->flags == b->flags && a->te_seen == b->te_seen &&
		    a->cl_seen == b->cl_seen && a->cur_header == b->cur_header &&
		    a->cl_elem == b->cl_elem);
	FUZZ_ASSERT(a->val_len == b->val_len && a->val_end == b->val_end &&
		    memcmp(a->val, b->val, sizeof(a->val)) == 0);
	FUZZ_ASSERT(a->hdr_line_start == b->hdr_line_start &&
		    a->hdr_line_dropped == b->hdr_line_dropped &&
		    a->hdr_value_end == b->hdr_value_end &&
		    a->hdr_value_start == b->hdr_value_start);
}

/* Feed one piece to both, in lockstep, from a copy of its own (the memo
 * must not rely on bytes of an earlier piece). */
static void memo_feed(h1_parser *on, h1_parser *off, uint8_t ctx_bits,
		      unsigned *begins, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len + 1);
	const uint8_t *buf = copy;

	FUZZ_ASSERT(copy != NULL);
	if (len > 0)
		memcpy(copy, data, len);
	while (len > 0) {
		h1_event ea, eb;
		size_t na = h1_feed(on, buf, len, &ea);
		size_t nb = h1_feed(off, buf, len, &eb);

		FUZZ_ASSERT(na == nb && ea == eb);
		FUZZ_ASSERT(na > 0);
		memo_same(on, off);
		if ((ea & H1_EV_BEGIN) && on->kind == H1_RESPONSE) {
			unsigned k = *begins % 2;
			bool head = (ctx_bits >> (2 + k)) & 1;
			bool connect = (ctx_bits >> (4 + k)) & 1;

			h1_set_response_context(on, head, connect);
			h1_set_response_context(off, head, connect);
		}
		if (ea & H1_EV_BEGIN)
			(*begins)++;
		buf += na;
		len -= na;
	}
	free(copy);
}

/* The memo on against off, over @data and @data again (so that the
 * messages in it repeat: their lines are the memo's), each copy cut at
 * @split (0: whole). */
static void memo_diff(h1_kind kind, const h1_options *opt, uint8_t ctx_bits,
		      const uint8_t *data, size_t size, size_t split)
{
	h1_parser *on = malloc(sizeof(*on)), *off = malloc(sizeof(*off));
	unsigned begins = 0;

	FUZZ_ASSERT(on != NULL && off != NULL);
	h1_init(on, kind, opt);
	h1_init(off, kind, opt);
	h1_memo_enable(off, false);
	for (int copy = 0; copy < 2; copy++) {
		memo_feed(on, off, ctx_bits, &begins, data, split);
		memo_feed(on, off, ctx_bits, &begins, data + split,
			  size - split);
	}
	FUZZ_ASSERT(h1_finish(on) == h1_finish(off));
	memo_same(on, off);
	FUZZ_ASSERT(off->memo.hits == 0);
	free(on);
	free(off);
}

static const char *const fuzz_redact_query[] = { "token", "sig", NULL };

static void check_kind(h1_kind kind, uint8_t opts, size_t split,
		       const uint8_t *data, size_t size)
{
	h1_options opt = {
		.capture_headers = opts & 1,
		.redact = (opts & 2) ? fuzz_redact : NULL,
		.redact_query = (opts & 64) ? fuzz_redact_query : NULL,
	};
	run runs[3];

	for (int i = 0; i < 3; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		fuzz_hash_init(&runs[i].hash);
		runs[i].ctx_bits = opts;
		runs[i].capture = opt.capture_headers;
		runs[i].redacting = opt.redact != NULL;
	}
	run_once(&runs[0], kind, &opt, data, size, 0, 0);
	run_once(&runs[1], kind, &opt, data, size, split, 0);
	run_once(&runs[2], kind, &opt, data, size, 0, 1);
	memo_diff(kind, &opt, opts, data, size, 0);
	memo_diff(kind, &opt, opts, data, size, split);
	for (int i = 1; i < 3; i++) {
		if (runs[i].hash.count != runs[0].hash.count ||
		    runs[i].hash.h != runs[0].hash.h) {
			fprintf(stderr,
				"http1 %s: run %d (%s) differs from one piece: "
				"%llu events vs %llu\n",
				kind == H1_REQUEST ? "request" : "response", i,
				i == 1 ? "split" : "byte by byte",
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
	split %= size + 1;
	check_kind(H1_REQUEST, opts, split, data, size);
	check_kind(H1_RESPONSE, opts, split, data, size);
	return 0;
}
