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
 * BEGIN of responses 0..1 (mod 2) -- the same in every run.
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

static void check_kind(h1_kind kind, uint8_t opts, size_t split,
		       const uint8_t *data, size_t size)
{
	h1_options opt = {
		.capture_headers = opts & 1,
		.redact = (opts & 2) ? fuzz_redact : NULL,
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
