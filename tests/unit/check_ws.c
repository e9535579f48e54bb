/* check_ws.c - the WebSocket frame parser and session (core/ws.c), split
 * at every point, and a connection's session after a 101 (core/conn_ws.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "suites.h"
#include "ws.h"
#include "conn_fixtures.h"

/* ---- building frames ------------------------------------------------------ */

typedef struct fbuf {
	uint8_t b[200000];
	size_t n;
} fbuf;

static fbuf F;

/* Append one frame: @fin, @rsv1, @op, masked with a fixed key when @mask,
 * @len bytes of @payload (NULL: 'x' bytes). */
static void frame(fbuf *o, bool fin, bool rsv1, uint8_t op, bool mask,
		  const void *payload, uint64_t len)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	uint8_t *p = o->b + o->n;
	size_t i = 0;

	p[i++] = (uint8_t)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | op);
	uint8_t m = mask ? 0x80 : 0;
	if (len < 126) {
		p[i++] = (uint8_t)(m | len);
	} else if (len < 65536) {
		p[i++] = m | 126;
		p[i++] = (uint8_t)(len >> 8);
		p[i++] = (uint8_t)len;
	} else {
		p[i++] = m | 127;
		for (int k = 7; k >= 0; k--)
			p[i++] = (uint8_t)(len >> (8 * k));
	}
	if (mask) {
		memcpy(p + i, key, 4);
		i += 4;
	}
	for (uint64_t k = 0; k < len; k++) {
		uint8_t c = payload ? ((const uint8_t *)payload)[k] : 'x';
		p[i++] = mask ? (uint8_t)(c ^ key[k & 3]) : c;
	}
	o->n += i;
}

static void close_frame(fbuf *o, bool mask, uint16_t code, const char *reason)
{
	uint8_t pl[WS_CTL_MAX];
	size_t n = strlen(reason);

	pl[0] = (uint8_t)(code >> 8);
	pl[1] = (uint8_t)code;
	memcpy(pl + 2, reason, n);
	frame(o, true, false, WS_OP_CLOSE, mask, pl, n + 2);
}

/* ---- what a parse saw ----------------------------------------------------- */

typedef struct trace {
	char log[4096];
	size_t len;
	uint32_t errors;
	uint64_t frames;
	bool failed;
} trace;

static void log_event(trace *t, size_t at, const ws_event *ev)
{
	char one[256];
	int n = snprintf(one, sizeof one, "%zu:%d op%u c%d s%llu f%u code%u [",
			 at, ev->kind, ev->opcode, ev->compressed,
			 (unsigned long long)ev->size, ev->frames,
			 ev->close_code);
	for (size_t i = 0; i < ev->payload_len && n < 240; i++)
		one[n++] = (char)ev->payload[i];
	one[n++] = ']';
	one[n++] = ';';
	one[n] = '\0';
	ck_assert_uint_lt(t->len + (size_t)n, sizeof t->log);
	memcpy(t->log + t->len, one, (size_t)n + 1);
	t->len += (size_t)n;
}

/* Parse @buf (@len bytes) in pieces: cut at @cut (0: whole), or one byte
 * at a time when @bytewise. */
static void parse(trace *t, bool client, const uint8_t *buf, size_t len,
		  size_t cut, bool bytewise)
{
	ws_parser p;
	size_t off = 0;

	memset(t, 0, sizeof *t);
	ws_init(&p, client);
	while (off < len) {
		size_t end = bytewise ? off + 1 : (cut && off < cut ? cut : len);
		while (off < end) {
			ws_event ev;
			size_t n = ws_feed(&p, buf + off, end - off, &ev);
			ck_assert_uint_gt(n, 0);
			ck_assert_uint_le(n, end - off);
			off += n;
			if (ev.kind != WS_EV_NONE)
				log_event(t, off, &ev);
		}
	}
	t->errors = p.errors;
	t->frames = p.frames;
	t->failed = ws_failed(&p);
}

/* Every split point and byte by byte give what the whole buffer gave. */
static void same_for_every_split(bool client, const uint8_t *buf, size_t len,
				 trace *whole)
{
	trace t;

	parse(whole, client, buf, len, 0, false);
	parse(&t, client, buf, len, 0, true);
	ck_assert_str_eq(t.log, whole->log);
	ck_assert_uint_eq(t.errors, whole->errors);
	for (size_t cut = 1; cut < len; cut++) {
		parse(&t, client, buf, len, cut, false);
		ck_assert_str_eq(t.log, whole->log);
		ck_assert_uint_eq(t.errors, whole->errors);
		ck_assert_uint_eq(t.frames, whole->frames);
	}
}

/* A client's session: a text message, a fragmented one with a ping
 * between its fragments, a 300-byte binary, a pong, a close. */
static void client_stream(fbuf *o)
{
	o->n = 0;
	frame(o, true, false, WS_OP_TEXT, true, "hello", 5);
	frame(o, false, false, WS_OP_TEXT, true, "frag", 4);
	frame(o, false, false, WS_OP_CONT, true, "men", 3);
	frame(o, true, false, WS_OP_PING, true, "p1", 2);
	frame(o, true, false, WS_OP_CONT, true, "ted", 3);
	frame(o, true, false, WS_OP_BINARY, true, NULL, 300);
	frame(o, true, false, WS_OP_PONG, true, "", 0);
	close_frame(o, true, 1000, "bye");
}

START_TEST(frames_every_split)
{
	trace t;

	client_stream(&F);
	same_for_every_split(true, F.b, F.n, &t);
	ck_assert_str_eq(t.log,
			 "11:1 op1 c0 s5 f1 code0 [];"
			 "38:2 op0 c0 s0 f0 code0 [p1];"
			 "47:1 op1 c0 s10 f3 code0 [];"
			 "355:1 op2 c0 s300 f1 code0 [];"
			 "361:3 op0 c0 s0 f0 code0 [];"
			 "372:4 op0 c0 s0 f0 code1000 [bye];");
	ck_assert_uint_eq(t.errors, 0);
	ck_assert_uint_eq(t.frames, 8);
}
END_TEST

START_TEST(lengths_16_and_64_bit)
{
	trace t;

	F.n = 0;
	frame(&F, true, false, WS_OP_BINARY, false, NULL, 125);
	frame(&F, true, false, WS_OP_BINARY, false, NULL, 126);
	frame(&F, true, false, WS_OP_BINARY, false, NULL, 65535);
	frame(&F, true, true, WS_OP_BINARY, false, NULL, 70000);
	frame(&F, true, false, WS_OP_TEXT, false, "", 0);
	parse(&t, false, F.b, F.n, 0, false);
	ck_assert_str_eq(t.log,
			 "127:1 op2 c0 s125 f1 code0 [];"
			 "257:1 op2 c0 s126 f1 code0 [];"
			 "65796:1 op2 c0 s65535 f1 code0 [];"
			 "135806:1 op2 c1 s70000 f1 code0 [];"
			 "135808:1 op1 c0 s0 f1 code0 [];");
	ck_assert_uint_eq(t.errors, 0);
	trace b;
	parse(&b, false, F.b, F.n, 0, true);
	ck_assert_str_eq(b.log, t.log);
	/* splits inside each header */
	size_t cuts[] = {1, 2, 128, 129, 130, 258, 259, 262, 65797, 65800, 65805};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		parse(&b, false, F.b, F.n, cuts[i], false);
		ck_assert_str_eq(b.log, t.log);
	}
}
END_TEST

START_TEST(errors_counted_frames_followed)
{
	trace t;
	uint8_t big[200];

	memset(big, 'y', sizeof big);
	F.n = 0;
	frame(&F, true, false, 0x3, true, "r", 1);          /* reserved: 1 */
	frame(&F, true, false, WS_OP_CONT, true, "c", 1);   /* no message: 1 */
	frame(&F, true, false, WS_OP_PING, true, big, 200); /* too long: 1 */
	frame(&F, false, false, WS_OP_PONG, true, "", 0);   /* fragmented: 1 */
	frame(&F, true, false, WS_OP_TEXT, false, "u", 1);  /* unmasked: 1 */
	frame(&F, false, false, WS_OP_TEXT, true, "a", 1);
	frame(&F, true, false, WS_OP_BINARY, true, "b", 1); /* inside: 1 */
	frame(&F, true, false, WS_OP_CLOSE, true, "x", 1);  /* 1-byte: 1 */
	frame(&F, true, false, 0xB, true, "", 0);           /* reserved: 1 */
	frame(&F, true, false, WS_OP_TEXT, true, "ok", 2);
	same_for_every_split(true, F.b, F.n, &t);
	ck_assert_uint_eq(t.errors, 8);
	ck_assert(!t.failed);
	/* the last message is still seen, whole */
	ck_assert_ptr_nonnull(strstr(t.log, "op1 c0 s2 f1"));
}
END_TEST

START_TEST(length_top_bit_fails)
{
	trace t;
	uint8_t b[] = {0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1, 'z', 'z'};

	parse(&t, false, b, sizeof b, 0, false);
	ck_assert(t.failed);
	ck_assert_uint_eq(t.errors, 1);
	ck_assert_str_eq(t.log, "");
	parse(&t, false, b, sizeof b, 0, true);
	ck_assert(t.failed);
}
END_TEST

/* ---- the session ------------------------------------------------------------ */

START_TEST(session_counts_rtt_close)
{
	ws_session s;
	fbuf *o = &F;

	ws_session_init(&s, true, 100);
	client_stream(o);
	/* the program sends everything but the close */
	size_t before_close = o->n - 11; /* its 11-byte close */
	ws_session_feed(&s, WS_SENT, o->b, before_close, 1000);
	/* the server: a pong to "p1", a text, a ping, its close first */
	fbuf *in = calloc(1, sizeof *in);
	frame(in, true, false, WS_OP_PONG, false, "p1", 2);
	frame(in, true, false, WS_OP_TEXT, false, "hi", 2);
	frame(in, true, false, WS_OP_PING, false, "srv", 3);
	close_frame(in, false, 1001, "going away");
	ws_session_feed(&s, WS_RECV, in->b, in->n, 1500);
	ck_assert(!ws_session_closed(&s));
	/* the program's pong to "srv" and its close */
	fbuf *out2 = calloc(1, sizeof *out2);
	frame(out2, true, false, WS_OP_PONG, true, "srv", 3);
	close_frame(out2, true, 1000, "bye");
	ws_session_feed(&s, WS_SENT, out2->b, out2->n, 1600);
	ck_assert(ws_session_closed(&s));

	const ws_dir_stats *d = &s.d[WS_SENT];
	ck_assert_uint_eq(d->messages, 3);
	ck_assert_uint_eq(d->text, 2);
	ck_assert_uint_eq(d->binary, 1);
	ck_assert_uint_eq(d->bytes, 5 + 10 + 300);
	ck_assert_uint_eq(d->pings, 1);
	ck_assert_uint_eq(d->pongs, 2);
	ck_assert_uint_eq(d->close_code, 1000);
	ck_assert_str_eq(d->close_reason, "bye");
	d = &s.d[WS_RECV];
	ck_assert_uint_eq(d->messages, 1);
	ck_assert_uint_eq(d->pings, 1);
	ck_assert_uint_eq(d->pongs, 1);
	ck_assert_uint_eq(d->close_code, 1001);
	ck_assert_str_eq(d->close_reason, "going away");
	ck_assert_int_eq(s.first_close, WS_RECV);
	/* the program's ping "p1" at 1000, its pong at 1500 */
	ck_assert_uint_eq(s.rtt_n[WS_SENT], 1);
	ck_assert_uint_eq(s.rtt_sum[WS_SENT], 500);
	/* the peer's ping "srv" at 1500, answered at 1600 */
	ck_assert_uint_eq(s.rtt_n[WS_RECV], 1);
	ck_assert_uint_eq(s.rtt_max[WS_RECV], 100);
	free(in);
	free(out2);
}
END_TEST

START_TEST(session_unsolicited_pong_no_rtt)
{
	ws_session s;

	ws_session_init(&s, true, 1);
	F.n = 0;
	frame(&F, true, false, WS_OP_PONG, false, "hb", 2);
	ws_session_feed(&s, WS_RECV, F.b, F.n, 10);
	ck_assert_uint_eq(s.d[WS_RECV].pongs, 1);
	ck_assert_uint_eq(s.rtt_n[WS_SENT], 0);
	ck_assert_uint_eq(s.rtt_n[WS_RECV], 0);
}
END_TEST

/* ---- a connection's session ------------------------------------------------- */

static ht_rec_ws last_ws;
static char ws_reason[2][128], ws_target[64];
static int n_ws, n_req;
static uint16_t req_status;

static void sink(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (rec->type == HT_REC_REQUEST) {
		n_req++;
		req_status = rec->u.req.status;
	}
	if (rec->type != HT_REC_WS)
		return;
	n_ws++;
	last_ws = rec->u.ws;
	for (int i = 0; i < 2; i++) {
		ht_str s = rec->u.ws.dir[i].close_reason;
		memcpy(ws_reason[i], s.p, s.len);
		ws_reason[i][s.len] = '\0';
	}
	memcpy(ws_target, rec->u.ws.target.p, rec->u.ws.target.len);
	ws_target[rec->u.ws.target.len] = '\0';
}

static const conn_env env = {
	.sink = sink,
	.alloc = zalloc,
	.release = release,
};

static const char upgrade_req[] =
	"GET /chat HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\n"
	"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Version: 13\r\n\r\n";
static const char upgrade_resp[] =
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	"Connection: Upgrade\r\n"
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

static conn *open_session(uint64_t t)
{
	conn *c = calloc(1, sizeof *c);
	ht_addr peer = {.family = 2, .port = 8765, .addr = {127, 0, 0, 1}};

	n_ws = n_req = 0;
	memset(&last_ws, 0, sizeof last_ws);
	conn_init(c, &env, 7, 3, &peer, t);
	conn_on_write(c, (const uint8_t *)upgrade_req, strlen(upgrade_req), t + 1);
	return c;
}

START_TEST(conn_session_after_101)
{
	conn *c = open_session(10);
	fbuf *in = calloc(1, sizeof *in);

	/* the 101 and the server's first frame in one read */
	memcpy(in->b, upgrade_resp, strlen(upgrade_resp));
	in->n = strlen(upgrade_resp);
	frame(in, true, false, WS_OP_TEXT, false, "welcome", 7);
	conn_on_read(c, in->b, in->n, 20);
	ck_assert_int_eq(n_req, 1); /* the 101 is reported at once */
	ck_assert_uint_eq(req_status, 101);
	ck_assert_int_eq(c->mode, CONN_MODE_WS);

	client_stream(&F);
	conn_on_write(c, F.b, F.n, 30); /* ... and the client's close */
	ck_assert_int_eq(n_ws, 0);
	in->n = 0;
	close_frame(in, false, 1000, "bye back");
	conn_on_read(c, in->b, 1, 40); /* split inside the header */
	conn_on_read(c, in->b + 1, in->n - 1, 41);
	ck_assert_int_eq(n_ws, 1);
	ck_assert_uint_eq(last_ws.req_seq, 1);
	ck_assert_uint_eq(last_ws.conn_id, 3);
	ck_assert_uint_eq(last_ws.t_start, 20);
	ck_assert_uint_eq(last_ws.t_end, 41);
	ck_assert_uint_eq(last_ws.flags, HT_WF_CLOSED_SENT);
	ck_assert_uint_eq(last_ws.dir[0].messages, 3);
	ck_assert_uint_eq(last_ws.dir[0].text, 2);
	ck_assert_uint_eq(last_ws.dir[0].binary, 1);
	ck_assert_uint_eq(last_ws.dir[0].pings, 1);
	ck_assert_uint_eq(last_ws.dir[0].close_code, 1000);
	ck_assert_uint_eq(last_ws.dir[1].messages, 1);
	ck_assert_uint_eq(last_ws.dir[1].bytes, 7);
	ck_assert_uint_eq(last_ws.dir[1].close_code, 1000);
	ck_assert_str_eq(ws_reason[0], "bye");
	ck_assert_str_eq(ws_reason[1], "bye back");
	ck_assert_str_eq(ws_target, "/chat");
	/* the close of the socket reports nothing more of the session */
	conn_close(c, 50);
	ck_assert_int_eq(n_ws, 1);
	free(in);
	free(c);
}
END_TEST

START_TEST(conn_session_ends_at_eof_and_close)
{
	conn *c = open_session(10);

	conn_on_read(c, (const uint8_t *)upgrade_resp, strlen(upgrade_resp), 20);
	F.n = 0;
	frame(&F, true, false, WS_OP_BINARY, true, NULL, 1000);
	conn_on_write(c, F.b, F.n, 30);
	conn_on_eof(c, 40);
	ck_assert_int_eq(n_ws, 1);
	ck_assert_uint_eq(last_ws.flags, HT_WF_PEER_EOF);
	ck_assert_uint_eq(last_ws.dir[0].bytes, 1000);
	conn_close(c, 50);
	ck_assert_int_eq(n_ws, 1);
	free(c);

	/* the program closes (or exits) with the session open */
	c = open_session(10);
	conn_on_read(c, (const uint8_t *)upgrade_resp, strlen(upgrade_resp), 20);
	conn_close(c, 60);
	ck_assert_int_eq(n_ws, 1);
	ck_assert_uint_eq(last_ws.flags, 0);
	ck_assert_uint_eq(last_ws.t_end, 60);
	free(c);
}
END_TEST

START_TEST(conn_not_websocket_101_stays_opaque)
{
	/* A 101 to a request that did not ask for a WebSocket: as before */
	conn *c = calloc(1, sizeof *c);
	ht_addr peer = {.family = 2, .port = 80, .addr = {127, 0, 0, 1}};
	static const char req[] =
		"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: foo\r\n"
		"Connection: Upgrade\r\n\r\n";
	static const char resp[] =
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\n\r\n";

	n_ws = 0;
	conn_init(c, &env, 7, 3, &peer, 1);
	conn_on_write(c, (const uint8_t *)req, strlen(req), 2);
	conn_on_read(c, (const uint8_t *)resp, strlen(resp), 3);
	ck_assert_int_eq(c->mode, CONN_MODE_OPAQUE);
	conn_close(c, 4);
	ck_assert_int_eq(n_ws, 0);
	free(c);
}
END_TEST

START_TEST(wire_round_trip)
{
	ht_record in, out;
	uint8_t buf[1024];

	memset(&in, 0, sizeof in);
	in.type = HT_REC_WS;
	in.u.ws.pid = 1;
	in.u.ws.conn_id = 2;
	in.u.ws.req_seq = 3;
	in.u.ws.flags = HT_WF_TLS | HT_WF_CLOSED_RECV;
	in.u.ws.t_start = 10;
	in.u.ws.t_end = 20;
	in.u.ws.dir[0].messages = 5;
	in.u.ws.dir[1].close_code = 1000;
	in.u.ws.dir[1].t_close = 19;
	in.u.ws.dir[1].close_reason = (ht_str){"bye", 3};
	in.u.ws.rtt[0] = (ht_ws_rtt){2, 300, 100, 200};
	in.u.ws.host = (ht_str){"h", 1};
	in.u.ws.target = (ht_str){"/t", 2};
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.type, HT_REC_WS);
	ck_assert_uint_eq(out.u.ws.req_seq, 3);
	ck_assert_uint_eq(out.u.ws.flags, in.u.ws.flags);
	ck_assert_uint_eq(out.u.ws.dir[0].messages, 5);
	ck_assert_uint_eq(out.u.ws.dir[1].close_code, 1000);
	ck_assert_uint_eq(out.u.ws.rtt[0].max, 200);
	ck_assert_int_eq(out.u.ws.dir[1].close_reason.len, 3);
	ck_assert_int_eq(memcmp(out.u.ws.dir[1].close_reason.p, "bye", 3), 0);
	/* cut anywhere: partial, never a record */
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(ht_wire_decode(buf, k, &out), 0);
}
END_TEST

Suite *ws_suite(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, frames_every_split);
	tcase_add_test(tc, lengths_16_and_64_bit);
	tcase_add_test(tc, errors_counted_frames_followed);
	tcase_add_test(tc, length_top_bit_fails);
	tcase_add_test(tc, session_counts_rtt_close);
	tcase_add_test(tc, session_unsolicited_pong_no_rtt);
	tcase_add_test(tc, conn_session_after_101);
	tcase_add_test(tc, conn_session_ends_at_eof_and_close);
	tcase_add_test(tc, conn_not_websocket_101_stays_opaque);
	tcase_add_test(tc, wire_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
