/*
 * fuzz_conn.c - libFuzzer target for the connection state machine
 * (preload/conn.c, conn_h2.c) over both parsers.
 *
 * Input: byte 0 sets the connection up, the rest is a script of operations
 * on it, each one byte (the low 3 bits the operation, the next 3 an
 * argument, the top 2 how far the clock moves) possibly followed by data:
 *
 *   0, 1  write: 1 length byte (+256 * arg bits 0-1), then the bytes
 *   2, 3  read:  the same, bytes the program read
 *   4     eof        5  reset
 *   6     close, then a new connection (arg bit 0: fork instead: the
 *         child forgets the requests in flight)
 *   7     arg: tls_start, tls_done "h2", tls_done, tls_failed,
 *         connect_failed, mark_tls, 100 transport bytes, connected
 *
 * Setup (byte 0): bit 0 HTTP/2, bit 1 capture headers, bit 2 redact,
 * bit 3 a TLS handshake first with ALPN (h2 when bit 0), bit 4 connected
 * at once, bit 5 a DNS name, bit 6 holes: a read (op 3) with arg bit 2
 * set takes its bytes as consumed unread (conn_on_unseen(): a body
 * skipped, or the connection given up).  HTTP/2 without TLS gets the client preface
 * written first; over TLS the server may speak first, and the script
 * writes the preface itself.
 *
 * The sink encodes every record with ht_wire_encode(), which must succeed,
 * and decodes it back, which must give the same record.  It checks what a
 * record promises: timestamps not in the future, strings within their
 * limits, header lines well formed and redacted, every request emitted at
 * most once; and at close, every request begun emitted exactly once (but
 * after a fork, whose child forgets the parent's requests).
 */
#include "conn.h"
#include "fuzz.h"

#define MAX_SEQ 8192

typedef struct state {
	conn *c;
	uint64_t now;
	bool capture, redacting;
	bool forked;              /* requests in flight were forgotten */
	bool closed;              /* conn_close() ran: no more records */
	uint32_t emitted;         /* request records of this connection */
	uint8_t seen[MAX_SEQ / 8]; /* request seqs emitted */
	uint8_t enc[HT_WIRE_MAX_RECORD];
} state;

static state S;

static void check_request(const ht_rec_request *r)
{
	FUZZ_ASSERT(r->req_seq >= 1 && r->req_seq <= S.c->nreq);
	FUZZ_ASSERT(r->error < HT_ERR__COUNT);
	FUZZ_ASSERT(r->proto <= HT_PROTO_HTTP2);
	FUZZ_ASSERT(r->status == 0 || (r->status >= 100 && r->status <= 999));
	for (int i = 0; i < HT_T__COUNT; i++)
		FUZZ_ASSERT(r->t[i] <= S.now);
	FUZZ_ASSERT(r->t[HT_T_GOT_CONN] != 0);
	FUZZ_ASSERT(r->t[HT_T_RESPONSE_DONE] >= r->t[HT_T_GOT_CONN]);
	FUZZ_ASSERT(r->method.len < H1_METHOD_MAX);
	FUZZ_ASSERT(r->target.len < H1_TARGET_MAX);
	FUZZ_ASSERT(r->host.len < H1_HOST_MAX);
	FUZZ_ASSERT(r->reason.len < H1_REASON_MAX);
	FUZZ_ASSERT(r->content_type.len < H1_CTYPE_MAX);
	FUZZ_ASSERT(r->req_headers.len < H1_HDRS_MAX);
	FUZZ_ASSERT(r->resp_headers.len < H1_HDRS_MAX);
	if (!S.capture) {
		FUZZ_ASSERT(r->req_headers.len == 0);
		FUZZ_ASSERT(r->resp_headers.len == 0);
	}
	bool h2 = r->proto == HT_PROTO_HTTP2;
	fuzz_check_hdrs(r->req_headers.p, r->req_headers.len, S.redacting, h2);
	fuzz_check_hdrs(r->resp_headers.p, r->resp_headers.len, S.redacting,
			h2);
	/* Each request once. */
	if (r->req_seq < MAX_SEQ) {
		uint8_t bit = (uint8_t)(1u << (r->req_seq % 8));

		FUZZ_ASSERT(!(S.seen[r->req_seq / 8] & bit));
		S.seen[r->req_seq / 8] |= bit;
	}
	S.emitted++;
}

/* conn_sink_fn: the record must survive the wire. */
static void sink(void *ctx, const ht_record *rec)
{
	ht_record back;
	size_t n;

	(void)ctx;
	FUZZ_ASSERT(!S.closed);
	n = ht_wire_encode(S.enc, sizeof(S.enc), rec);
	FUZZ_ASSERT(n > 0);
	FUZZ_ASSERT(ht_wire_decode(S.enc, n, &back) == (long)n);
	FUZZ_ASSERT(fuzz_rec_eq(rec, &back));
#ifdef FUZZ_TRACE /* -DFUZZ_TRACE: show the records, to debug an input */
	fprintf(stderr, "record type %u", rec->type);
	if (rec->type == HT_REC_REQUEST)
		fprintf(stderr, " seq %u %.*s %.*s -> %u error %u",
			rec->u.req.req_seq, rec->u.req.method.len,
			rec->u.req.method.p, rec->u.req.target.len,
			rec->u.req.target.p, rec->u.req.status, rec->u.req.error);
	fputc('\n', stderr);
#endif
	switch (rec->type) {
	case HT_REC_REQUEST:
		check_request(&rec->u.req);
		break;
	case HT_REC_CONN_CLOSE:
		FUZZ_ASSERT(rec->u.close.requests == S.c->nreq);
		FUZZ_ASSERT(rec->u.close.t_close == S.now);
		break;
	case HT_REC_CONN_FAIL:
		FUZZ_ASSERT(rec->u.fail.t_fail == S.now);
		break;
	case HT_REC_NOTE:
		/* a connection given up or no longer followed says so
		 * (conn_note(): unseen bytes, an undecodable HTTP/2 block,
		 * bytes after a malformed request, HTTP/2 after a server
		 * spoke first) */
		FUZZ_ASSERT(rec->u.note.text.len > 0);
		FUZZ_ASSERT(rec->u.note.pid == S.c->pid);
		break;
	default:
		FUZZ_ASSERT(!"unexpected record type");
	}
}

static void *zalloc(size_t n)
{
	return calloc(1, n);
}

static void release(void *p, size_t n)
{
	(void)n;
	free(p);
}

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void start(const conn_env *env, uint8_t setup)
{
	ht_addr peer = {.family = 2, .port = 8080, .addr = {127, 0, 0, 1}};

	S.now += 10;
	conn_init(S.c, env, 100, 1, &peer, S.now);
	S.forked = false;
	S.closed = false;
	S.emitted = 0;
	memset(S.seen, 0, sizeof(S.seen));
	if (setup & 0x20)
		conn_set_dns(S.c, "fuzz.test", S.now - 5, S.now - 1);
	if (setup & 0x10)
		conn_connected(S.c, ++S.now);
	if (setup & 0x08) {
		conn_tls_start(S.c, ++S.now);
		conn_tls_done(S.c, ++S.now, "TLSv1.3",
			      (setup & 1) ? "h2" : "http/1.1");
	}
	if ((setup & 1) && !(setup & 0x08))
		conn_on_write(S.c, (const uint8_t *)preface,
			      sizeof(preface) - 1, ++S.now);
}

/* Close the connection and check that every request begun was reported. */
static void finish(void)
{
	conn_close(S.c, S.now);
	if (!S.forked)
		FUZZ_ASSERT(S.emitted == S.c->nreq);
	S.closed = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t setup = data[0];
	h1_options opt = {
		.capture_headers = (setup & 2) != 0,
		.redact = (setup & 4) ? fuzz_redact : NULL,
	};
	conn_env env = {
		.sink = sink,
		.opt = &opt,
		.alloc = zalloc,
		.release = release,
		.hpack = hpack_own,
	};
	size_t i = 1;

	memset(&S, 0, sizeof(S));
	S.c = calloc(1, sizeof(*S.c));
	FUZZ_ASSERT(S.c != NULL);
	S.capture = opt.capture_headers;
	S.redacting = opt.redact != NULL;
	start(&env, setup);

	while (i < size) {
		uint8_t op = data[i++];
		unsigned arg = (op >> 3) & 7;
		size_t len;

		S.now += 1 + (uint64_t)(op >> 6) * 1000;
		switch (op & 7) {
		case 0: case 1: case 2: case 3:
			len = i < size ? data[i++] : 0;
			len += 256 * (arg & 3);
			if (len > size - i)
				len = size - i;
			if ((op & 7) < 2)
				conn_on_write(S.c, data + i, len, S.now);
			else if ((setup & 0x40) && (op & 7) == 3 && (arg & 4))
				conn_on_unseen(S.c, len, S.now);
			else
				conn_on_read(S.c, data + i, len, S.now);
			i += len;
			break;
		case 4:
			conn_on_eof(S.c, S.now);
			break;
		case 5:
			conn_on_reset(S.c, S.now);
			break;
		case 6:
			if (arg & 1) {
				conn_reset_after_fork(S.c, 101, (arg & 2) != 0);
				S.forked = true;
				break;
			}
			finish();
			start(&env, setup);
			break;
		default:
			switch (arg) {
			case 0: conn_tls_start(S.c, S.now); break;
			case 1: conn_tls_done(S.c, S.now, "TLSv1.3", "h2"); break;
			case 2: conn_tls_done(S.c, S.now, NULL, NULL); break;
			case 3: conn_tls_failed(S.c, S.now); break;
			case 4: conn_connect_failed(S.c, 111, S.now); break;
			case 5: conn_mark_tls(S.c); break;
			case 6: conn_on_transport(S.c, S.now & 1, 100, S.now); break;
			default: conn_connected(S.c, S.now); break;
			}
			break;
		}
	}
	finish();
	free(S.c);
	return 0;
}
