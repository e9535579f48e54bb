/*
 * fuzz_ws.c - libFuzzer target for the WebSocket frame parser and session
 * (core/ws.c).
 *
 * Input: byte 0 options (bit 0: the frames are a client's, masked), bytes
 * 1-2 a split position, the rest the bytes of one direction.  They go to a
 * parser three times: whole, split in two at the position, and one byte at
 * a time.  The split must not matter: the same events at the same offsets
 * with the same contents, the same counts at the end.  Along the way:
 * ws_feed() makes progress, never consumes more than it was given, control
 * payloads stay within 125 bytes, a message's size never exceeds the bytes
 * fed, and nothing is reported once the framing is lost.  The same bytes
 * then go to a session both ways (each direction its own parser), whose
 * counts must add up.
 */
#include "fuzz.h"
#include "ws.h"

typedef struct run {
	fuzz_hash hash;
	size_t offset;
} run;

static void on_event(run *rn, const ws_parser *p, const ws_event *ev)
{
	FUZZ_ASSERT(ev->kind >= WS_EV_MESSAGE && ev->kind <= WS_EV_CLOSE);
	FUZZ_ASSERT(!ws_failed(p));
	FUZZ_ASSERT(ev->payload_len <= WS_CTL_MAX);
	if (ev->kind == WS_EV_CLOSE)
		FUZZ_ASSERT(ev->payload_len <= WS_REASON_MAX);
	if (ev->kind == WS_EV_MESSAGE) {
		FUZZ_ASSERT(ev->size <= rn->offset);
		FUZZ_ASSERT(ev->frames >= 1);
	}
	fuzz_hash_u64(&rn->hash, rn->offset);
	fuzz_hash_u64(&rn->hash, ev->kind);
	fuzz_hash_u64(&rn->hash, ev->opcode);
	fuzz_hash_u64(&rn->hash, ev->compressed);
	fuzz_hash_u64(&rn->hash, ev->size);
	fuzz_hash_u64(&rn->hash, ev->frames);
	fuzz_hash_u64(&rn->hash, ev->close_code);
	if (ev->payload_len)
		fuzz_hash_bytes(&rn->hash, ev->payload, ev->payload_len);
	rn->hash.count++;
}

/* Feed @data[0..@size) to a new parser @p: in two pieces cut at @split
 * (0: whole), or byte by byte when @bytewise. */
static void run_parser(run *rn, ws_parser *p, bool client,
		       const uint8_t *data, size_t size, size_t split,
		       bool bytewise)
{
	memset(rn, 0, sizeof *rn);
	fuzz_hash_init(&rn->hash);
	ws_init(p, client);
	while (rn->offset < size) {
		size_t end = bytewise ? rn->offset + 1
				      : (rn->offset < split ? split : size);
		while (rn->offset < end) {
			ws_event ev;
			size_t n = ws_feed(p, data + rn->offset,
					   end - rn->offset, &ev);
			FUZZ_ASSERT(n > 0 && n <= end - rn->offset);
			rn->offset += n;
			if (ev.kind != WS_EV_NONE)
				on_event(rn, p, &ev);
			else
				FUZZ_ASSERT(rn->offset == end);
		}
	}
	fuzz_hash_u64(&rn->hash, p->frames);
	fuzz_hash_u64(&rn->hash, p->errors);
	fuzz_hash_u64(&rn->hash, ws_failed(p));
}

static void check_session(const uint8_t *data, size_t size, size_t split,
			  bool client)
{
	ws_session s;

	ws_session_init(&s, client, 1);
	ws_session_feed(&s, WS_SENT, data, split, 2);
	ws_session_feed(&s, WS_RECV, data, size, 3);
	ws_session_feed(&s, WS_SENT, data + split, size - split, 4);
	for (int d = 0; d < 2; d++) {
		const ws_dir_stats *st = &s.d[d];
		FUZZ_ASSERT(st->text + st->binary <= st->messages);
		FUZZ_ASSERT(st->compressed <= st->messages);
		FUZZ_ASSERT(st->messages + st->pings + st->pongs <= st->frames);
		FUZZ_ASSERT(st->reason_len <= WS_REASON_MAX);
		FUZZ_ASSERT(st->close_reason[st->reason_len] == '\0');
		FUZZ_ASSERT(s.rtt_n[d] <= s.d[!d].pongs);
		if (s.rtt_n[d])
			FUZZ_ASSERT(s.rtt_min[d] <= s.rtt_max[d] &&
				    s.rtt_max[d] <= 2);
	}
	/* The sent direction, cut in two at the split, equals one parse. */
	ws_parser whole;
	run rn;
	run_parser(&rn, &whole, client, data, size, 0, false);
	FUZZ_ASSERT(s.p[WS_SENT].frames == whole.frames);
	FUZZ_ASSERT(s.p[WS_SENT].errors == whole.errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	bool client = data[0] & 1;
	size_t split = (size_t)data[1] | (size_t)data[2] << 8;
	ws_parser p1, p2, p3;
	run a, b, c;

	data += 3;
	size -= 3;
	split %= size + 1;
	run_parser(&a, &p1, client, data, size, 0, false);
	run_parser(&b, &p2, client, data, size, split, false);
	run_parser(&c, &p3, client, data, size, 0, true);
	FUZZ_ASSERT(a.hash.count == b.hash.count && a.hash.count == c.hash.count);
	FUZZ_ASSERT(a.hash.h == b.hash.h && a.hash.h == c.hash.h);
	check_session(data, size, split, client);
	return 0;
}
