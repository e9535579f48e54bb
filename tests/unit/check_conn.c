/* check_conn.c - the connection state machine over scripted byte streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>

#include "conn.h"
#include "live.h"
#include "report.h"
#include "suites.h"
#include "conn_server.h"
#include "tlsrec_fixtures.h"
#include "conn_fixtures.h"

/* What the sink saw, copied out of the record (its strings are borrowed). */
typedef struct seen {
	uint8_t type;
	ht_rec_request r;
	char method[16], target[64], host[64], dns[64], reason[32], tunnel[64];
	char req_hdrs[512], resp_hdrs[512];
	char sni[64], tls_version[16], alpn_offered[32];
	ht_rec_conn_fail fail;
	ht_rec_conn_close close;
} seen;

/* Details of the first 16 records; nrecs counts them all. */
static seen recs[16];
static int nrecs;
static conn *C;

/* Every request record, briefly (deep pipelines make many). */
typedef struct brief {
	uint32_t seq;
	uint8_t error;
	uint16_t status;
	uint64_t resp_body_bytes;
	uint64_t wrote_request;
	uint64_t wrote_headers;
	uint32_t stream_id;
	uint32_t flags;
	char method[16], target[32], host[32];
} brief;

static brief briefs[300];
static int nbriefs;

/* the flags of the last WebSocket session record (rev-audit6) */
static uint32_t last_ws_flags;
static int nws;

static void sink(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (rec->type == HT_REC_WS) {
		last_ws_flags = rec->u.ws.flags;
		nws++;
	}
	if (rec->type == HT_REC_REQUEST) {
		ck_assert_int_lt(nbriefs, 300);
		brief *b = &briefs[nbriefs++];
		b->seq = rec->u.req.req_seq;
		b->error = rec->u.req.error;
		b->status = rec->u.req.status;
		b->resp_body_bytes = rec->u.req.resp_body_bytes;
		b->wrote_request = rec->u.req.t[HT_T_WROTE_REQUEST];
		b->wrote_headers = rec->u.req.t[HT_T_WROTE_HEADERS];
		b->stream_id = rec->u.req.stream_id;
		b->flags = rec->u.req.flags;
		copy_str(b->method, sizeof b->method, rec->u.req.method);
		copy_str(b->target, sizeof b->target, rec->u.req.target);
		copy_str(b->host, sizeof b->host, rec->u.req.host);
	}
	if (nrecs >= 16) {
		nrecs++;
		return;
	}
	seen *s = &recs[nrecs++];
	memset(s, 0, sizeof *s);
	s->type = rec->type;
	if (rec->type == HT_REC_REQUEST) {
		s->r = rec->u.req;
		copy_str(s->method, sizeof s->method, rec->u.req.method);
		copy_str(s->target, sizeof s->target, rec->u.req.target);
		copy_str(s->host, sizeof s->host, rec->u.req.host);
		copy_str(s->dns, sizeof s->dns, rec->u.req.dns_name);
		copy_str(s->reason, sizeof s->reason, rec->u.req.reason);
		copy_str(s->tunnel, sizeof s->tunnel, rec->u.req.tunnel);
		copy_str(s->req_hdrs, sizeof s->req_hdrs, rec->u.req.req_headers);
		copy_str(s->resp_hdrs, sizeof s->resp_hdrs, rec->u.req.resp_headers);
	} else if (rec->type == HT_REC_CONN_FAIL) {
		s->fail = rec->u.fail;
		copy_str(s->dns, sizeof s->dns, rec->u.fail.dns_name);
	} else if (rec->type == HT_REC_CONN_CLOSE) {
		s->close = rec->u.close;
		copy_str(s->sni, sizeof s->sni, rec->u.close.sni);
		copy_str(s->tls_version, sizeof s->tls_version,
			 rec->u.close.tls_version);
		copy_str(s->alpn_offered, sizeof s->alpn_offered,
			 rec->u.close.alpn_offered);
	}
}

static const char *const redact[] = {"authorization", "cookie", NULL};
static const h1_options opts = {.capture_headers = true, .redact = redact};

static const conn_env env = {
	.sink = sink,
	.opt = &opts,
	.alloc = zalloc,
	.release = release,
	.hpack = hpack_own,
};

static void setup(void)
{
	nrecs = 0;
	nbriefs = 0;
	C = calloc(1, sizeof *C);
	ht_addr peer = {.family = 2, .port = 8080, .addr = {127, 0, 0, 1}};
	conn_init(C, &env, 100, 1, &peer, 1000);
	conn_set_dns(C, "example.test", 500, 900);
}

static void teardown(void)
{
	/* Close the connection so it releases its HTTP/2 state (LeakSanitizer
	 * reports it otherwise); the records that emits are not the test's. */
	nrecs = 0;
	conn_close(C, 1000000);
	free(C);
}

static void w(const char *s, uint64_t t)
{
	conn_on_write(C, (const uint8_t *)s, strlen(s), t);
}

static void r(const char *s, uint64_t t)
{
	conn_on_read(C, (const uint8_t *)s, strlen(s), t);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: example.test:8080\r\n\r\n"
#define OK5 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"

START_TEST(keepalive_three_requests)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	w(GET("/b"), 10000);
	r(OK5, 11000);
	w(GET("/c"), 20000);
	r("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 21000);
	ck_assert_int_eq(nrecs, 3);

	ht_rec_request *a = &recs[0].r, *b = &recs[1].r, *c = &recs[2].r;
	ck_assert_uint_eq(a->req_seq, 1);
	ck_assert_uint_eq(b->req_seq, 2);
	ck_assert_uint_eq(c->req_seq, 3);
	ck_assert(!(a->flags & HT_RF_REUSED));
	ck_assert(b->flags & HT_RF_REUSED);
	ck_assert(c->flags & HT_RF_REUSED);
	ck_assert(b->flags & HT_RF_WAS_IDLE);
	ck_assert_uint_eq(b->t[HT_T_IDLE_SINCE], 4000);
	ck_assert_uint_eq(c->t[HT_T_IDLE_SINCE], 11000);
	/* connection moments only on the first */
	ck_assert_uint_eq(a->t[HT_T_DNS_START], 500);
	ck_assert_uint_eq(a->t[HT_T_DNS_DONE], 900);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_START], 1000);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_DONE], 2000);
	ck_assert_uint_eq(b->t[HT_T_DNS_START], 0);
	ck_assert_uint_eq(b->t[HT_T_CONNECT_START], 0);
	/* request and response moments */
	ck_assert_uint_eq(a->t[HT_T_GOT_CONN], 3000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_HEADERS], 3000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3000);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(c->status, 404);
	ck_assert_uint_eq(a->resp_body_bytes, 5);
	ck_assert_uint_eq(a->proto, HT_PROTO_HTTP11);
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert(a->flags & HT_RF_KEEPALIVE);
	ck_assert_str_eq(recs[0].method, "GET");
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_str_eq(recs[0].host, "example.test:8080");
	ck_assert_str_eq(recs[0].dns, "example.test");
	ck_assert_str_eq(recs[2].reason, "Not Found");

	conn_close(C, 30000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[3].close.requests, 3);
	ck_assert_uint_eq(recs[3].close.t_close, 30000);
	ck_assert_uint_eq(recs[3].close.t_idle_since, 21000);
	/* closing twice emits nothing more */
	conn_close(C, 31000);
	ck_assert_int_eq(nrecs, 4);
}
END_TEST

START_TEST(phases_across_splits)
{
	/* request written in three writes, response in three reads */
	conn_connected(C, 2000);
	w("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n", 3000);
	w("\r\n01234", 3100);
	w("56789", 3200);
	r("HTTP/1.1 201 Created\r\n", 5000);
	r("Content-Length: 3\r\n\r\nab", 5100);
	ck_assert_int_eq(nrecs, 0);
	r("c", 5200);
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->t[HT_T_GOT_CONN], 3000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_HEADERS], 3100);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3200);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 5000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 5200);
	ck_assert_uint_eq(a->req_body_bytes, 10);
	ck_assert_uint_eq(a->resp_body_bytes, 3);
	ck_assert_str_eq(recs[0].method, "POST");
}
END_TEST

START_TEST(pipelined_requests_answered_in_order)
{
	conn_connected(C, 2000);
	w(GET("/1") GET("/2") "HEAD /3 HTTP/1.1\r\nHost: h\r\n\r\n", 3000);
	r(OK5 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
	      "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
	  4000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_str_eq(recs[0].target, "/1");
	ck_assert_str_eq(recs[1].target, "/2");
	ck_assert_str_eq(recs[2].target, "/3");
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 2);
	/* HEAD: Content-Length 99 but no body */
	ck_assert_uint_eq(recs[2].r.resp_body_bytes, 0);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_NONE);
	/* pipelined: reused but not idle */
	ck_assert(recs[1].r.flags & HT_RF_REUSED);
	ck_assert(!(recs[1].r.flags & HT_RF_WAS_IDLE));
	/* the connection still works after HEAD */
	w(GET("/4"), 9000);
	r(OK5, 9500);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].r.req_seq, 4);
	ck_assert_uint_eq(recs[3].r.resp_body_bytes, 5);
}
END_TEST

START_TEST(interim_100_continue)
{
	conn_connected(C, 2000);
	w("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
	  "Content-Length: 4\r\n\r\n",
	  3000);
	r("HTTP/1.1 100 Continue\r\n\r\n", 4000);
	w("body", 5000);
	r("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n", 6000);
	ck_assert_int_eq(nrecs, 0);
	r("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 7000);
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->n_1xx, 2);
	ck_assert_uint_eq(a->t[HT_T_GOT_1XX], 4000);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_HEADERS], 3000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 5000);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->req_body_bytes, 4);
}
END_TEST

START_TEST(proto_is_the_requests_own)
{
	/* A 1.0 request answered in 1.1, and a 1.1 request answered in 1.0:
	 * proto is what the client sent, resp_proto what came back. */
	conn_connected(C, 2000);
	w("GET /a HTTP/1.0\r\n\r\n", 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP10);
	ck_assert_uint_eq(recs[0].r.resp_proto, HT_PROTO_HTTP11);
	w("GET /b HTTP/1.1\r\nHost: h\r\n\r\n", 5000);
	r("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\ny", 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.proto, HT_PROTO_HTTP11);
	ck_assert_uint_eq(recs[1].r.resp_proto, HT_PROTO_HTTP10);
}
END_TEST

START_TEST(body_delimited_by_close)
{
	conn_connected(C, 2000);
	w("GET / HTTP/1.0\r\n\r\n", 3000);
	r("HTTP/1.0 200 OK\r\n\r\nabc", 4000);
	r("defg", 4500);
	ck_assert_int_eq(nrecs, 0);
	conn_on_eof(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 7);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 5000);
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP10);
	ck_assert_uint_eq(recs[0].r.resp_proto, HT_PROTO_HTTP10);
	ck_assert(recs[0].r.flags & HT_RF_BODY_BY_CLOSE);
	ck_assert(!(recs[0].r.flags & HT_RF_KEEPALIVE));
	conn_close(C, 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert(recs[1].close.flags & HT_CF_PEER_EOF);
}
END_TEST

/* The kernel's word at a client's close (TCP state, unread bytes): the
 * stream ended whole only past the peer's FIN with nothing left unread. */
START_TEST(stream_ended_whole_by_state)
{
	ck_assert(conn_stream_ended_whole(TCP_CLOSE_WAIT, 0));
	ck_assert(conn_stream_ended_whole(TCP_LAST_ACK, 0));
	ck_assert(conn_stream_ended_whole(TCP_CLOSING, 0));
	ck_assert(!conn_stream_ended_whole(TCP_CLOSE_WAIT, 1));
	ck_assert(!conn_stream_ended_whole(TCP_CLOSE_WAIT, -1));
	ck_assert(!conn_stream_ended_whole(TCP_ESTABLISHED, 0));
	ck_assert(!conn_stream_ended_whole(TCP_FIN_WAIT1, 0));
	ck_assert(!conn_stream_ended_whole(TCP_FIN_WAIT2, 0));
	ck_assert(!conn_stream_ended_whole(TCP_TIME_WAIT, 0));
	ck_assert(!conn_stream_ended_whole(TCP_CLOSE, 0));
	ck_assert(!conn_stream_ended_whole(0, 0));
}
END_TEST

/* A body delimited by close, read whole, the program closing before it
 * reads the EOF: the kernel says the FIN came and nothing is unread, so
 * the response is complete, ended at the last read. */
START_TEST(body_by_close_read_whole_at_close)
{
	conn_connected(C, 2000);
	w("GET / HTTP/1.0\r\n\r\n", 3000);
	r("HTTP/1.0 200 OK\r\n\r\nabc", 4000);
	r("defg", 4500);
	ck_assert(conn_close_wants_stream_end(C));
	/* bytes the kernel took in that were not read here (a forked child
	 * read them): not known whole */
	conn_close_stream_end(C, TCP_CLOSE_WAIT, 0, C->bytes_in + 101);
	ck_assert_int_eq(nrecs, 0);
	conn_close_stream_end(C, TCP_CLOSE_WAIT, 0, UINT64_MAX);
	ck_assert_int_eq(nrecs, 0);
	/* every byte read here, and the FIN's one */
	conn_close_stream_end(C, TCP_CLOSE_WAIT, 0, C->bytes_in + 1);
	ck_assert_int_eq(nrecs, 1);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 7);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 4500);
	ck_assert(recs[0].r.flags & HT_RF_BODY_BY_CLOSE);
	ck_assert(recs[1].close.flags & HT_CF_PEER_EOF);
	ck_assert_uint_eq(recs[1].close.t_close, 9000);
}
END_TEST

/* A forked child that reuses the connection and reads a body delimited
 * by close whole: the kernel's count holds the parent's bytes too (a
 * review found the child's response reported cut). */
START_TEST(body_by_close_read_whole_after_fork)
{
	conn_connected(C, 2000);
	w(GET("/parent"), 3000);
	r(OK5, 3500);
	ck_assert_int_eq(nrecs, 1);
	uint64_t parent_in = C->bytes_in;
	conn_reset_after_fork(C, 200, false);
	w("GET /child HTTP/1.0\r\n\r\n", 4000);
	r("HTTP/1.0 200 OK\r\n\r\nabc", 4500);
	ck_assert(conn_close_wants_stream_end(C));
	/* the child's bytes alone: the parent's are in the count too */
	conn_close_stream_end(C, TCP_CLOSE_WAIT, 0, C->bytes_in + 1);
	ck_assert_int_eq(nrecs, 1);
	conn_close_stream_end(C, TCP_CLOSE_WAIT, 0,
			      parent_in + C->bytes_in + 1);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.pid, 200);
}
END_TEST

/* Bytes left unread, or no FIN yet: the close cut the response, as
 * before. */
START_TEST(body_by_close_cut_at_close)
{
	static const struct {
		int state;
		long unread;
	} cases[] = {{TCP_CLOSE_WAIT, 5}, {TCP_ESTABLISHED, 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		nrecs = 0;
		conn_close(C, 1000);
		ht_addr peer = {.family = 2, .port = 8080,
				.addr = {127, 0, 0, 1}};
		conn_init(C, &env, 100, 1, &peer, 1000);
		nrecs = 0;
		conn_connected(C, 2000);
		w("GET / HTTP/1.0\r\n\r\n", 3000);
		r("HTTP/1.0 200 OK\r\n\r\nabc", 4000);
		ck_assert(conn_close_wants_stream_end(C));
		conn_close_stream_end(C, cases[i].state, cases[i].unread,
				      C->bytes_in + 1);
		ck_assert_int_eq(nrecs, 0);
		conn_close(C, 9000);
		ck_assert_int_eq(nrecs, 2);
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_CLOSED);
		ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 9000);
		ck_assert(!(recs[1].close.flags & HT_CF_PEER_EOF));
	}
}
END_TEST

/* Nothing to ask the kernel at a close that cuts no body delimited by
 * close: a length, chunks, between responses, after the EOF, TLS. */
START_TEST(stream_end_not_wanted)
{
	conn_connected(C, 2000);
	ck_assert(!conn_close_wants_stream_end(C)); /* nothing written */
	w(GET("/a"), 3000);
	ck_assert(!conn_close_wants_stream_end(C)); /* no response yet */
	r("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 4000);
	ck_assert(!conn_close_wants_stream_end(C)); /* a length */
	r("defghi", 4100);
	ck_assert(!conn_close_wants_stream_end(C)); /* idle, kept alive */
	w(GET("/b"), 5000);
	r("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc", 6000);
	ck_assert(!conn_close_wants_stream_end(C)); /* chunked */
	r("\r\n0\r\n\r\n", 6100);
	w("GET /c HTTP/1.0\r\n\r\n", 7000);
	r("HTTP/1.0 200 OK\r\n\r\nabc", 8000);
	ck_assert(conn_close_wants_stream_end(C));
	C->tls = true;
	ck_assert(!conn_close_wants_stream_end(C)); /* TLS: not asked */
	C->tls = false;
	conn_on_eof(C, 8500);
	ck_assert(!conn_close_wants_stream_end(C)); /* the EOF was read */
}
END_TEST

START_TEST(closed_before_response)
{
	conn_connected(C, 2000);
	w(GET("/slow"), 3000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NO_RESPONSE);
	ck_assert_uint_eq(recs[0].r.status, 0);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 9000);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* The program closes the connection after a signal interrupted its wait
 * (c->intr, set by the hooks at EINTR): what was in flight is interrupted,
 * with the phase it was in; a response under way too. */
START_TEST(closed_after_interrupted_wait)
{
	conn_connected(C, 2000);
	w(GET("/stuck"), 3000);
	C->intr = true;
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_INTERRUPTED);
	ck_assert_uint_eq(recs[0].r.phase, HT_PH_WAIT_FIRST_BYTE);
	ck_assert_uint_eq(recs[0].r.signal, 0);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 9000);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
}
END_TEST

START_TEST(closed_after_interrupted_read)
{
	conn_connected(C, 2000);
	w(GET("/big"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this", 4000);
	C->intr = true;
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_INTERRUPTED);
	ck_assert_uint_eq(recs[0].r.phase, HT_PH_RECEIVE);
	ck_assert_uint_eq(recs[0].r.status, 200);
}
END_TEST

START_TEST(cut_short_by_peer)
{
	conn_connected(C, 2000);
	w(GET("/big"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this", 4000);
	conn_on_eof(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_TRUNCATED);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 9);
}
END_TEST

/* A peer that closes inside the response's header section cut no body:
 * the request ends closed before its response completed, not with its
 * body cut short. */
START_TEST(cut_in_head_by_peer)
{
	conn_connected(C, 2000);
	w(GET("/big"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Le", 4000);
	conn_on_eof(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_CLOSED);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 0);
}
END_TEST

START_TEST(reset_fails_everything_in_flight)
{
	conn_connected(C, 2000);
	w(GET("/1") GET("/2"), 3000);
	conn_on_reset(C, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_RESET);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_RESET);
	/* nothing more is parsed */
	r(OK5, 5000);
	ck_assert_int_eq(nrecs, 2);
}
END_TEST

START_TEST(garbage_response)
{
	conn_connected(C, 2000);
	w(GET("/"), 3000);
	r("SSH-2.0-OpenSSH_9.2\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_RESPONSE);
	/* responses are not parsed any more, but a later request is still
	 * reported, as not followed, never paired with what comes */
	w(GET("/again"), 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[1].target, "/again");
	ck_assert_uint_eq(recs[1].r.status, 0);
	r(OK5, 6000);
	ck_assert_int_eq(nrecs, 2);
}
END_TEST

/* A Content-Length shorter than the body sent on a keep-alive connection:
 * the request keeps its record; the stray bytes begin no response, and
 * each later request is reported as not followed once written (none
 * vanishes, none takes a response it may not own); the close counts them
 * all. */
START_TEST(excess_body_later_requests_not_followed)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcdefghijklmnopqrst",
	  4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
	ck_assert(conn_wants_bytes(C));
	w(GET("/b"), 5000);
	ck_assert_int_eq(nrecs, 2);
	r(OK5, 6000);
	w(GET("/c"), 7000);
	r(OK5, 8000);
	ck_assert_int_eq(nrecs, 3);
	for (int i = 1; i < 3; i++) {
		ck_assert_uint_eq(recs[i].r.error, HT_ERR_DESYNC);
		ck_assert_uint_eq(recs[i].r.status, 0);
		ck_assert_uint_eq(recs[i].r.resp_body_bytes, 0);
		ck_assert_str_eq(recs[i].method, "GET");
		ck_assert(recs[i].r.flags & HT_RF_REUSED);
	}
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_str_eq(recs[2].target, "/c");
	ck_assert_uint_eq(recs[2].r.t[HT_T_WROTE_REQUEST], 7000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[3].close.requests, 3);
}
END_TEST

/* The same with requests pipelined behind it: the stray bytes stand where
 * the next one's response begins (a malformed response to it, as far as
 * the wire shows); the one after it was never answered by them: not
 * followed, as is a request written later. */
START_TEST(excess_body_pipelined)
{
	conn_connected(C, 2000);
	w(GET("/a") GET("/b") GET("/c"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcdefghijklmnopqrst",
	  4000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_BAD_RESPONSE);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.status, 0);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[2].target, "/c");
	/* half a request when it comes: reported once written */
	w("GET /d HTTP/1.1\r\nHo", 5000);
	ck_assert_int_eq(nrecs, 3);
	w("st: x\r\n\r\n", 5100);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[3].target, "/d");
	r(OK5 OK5 OK5, 6000);
	ck_assert_int_eq(nrecs, 4);
}
END_TEST

/* Bytes past a response's end on a connection with a request being
 * written when they come: that request ends as not followed once
 * written, not before; a reset after it adds nothing. */
START_TEST(excess_body_then_partial_request_reset)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	w("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", 3100);
	r("HTTP/1.1 204 No Content\r\n\r\nXYZ", 4000);
	/* /a answered; the stray bytes stand where /p's response begins */
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.status, 204);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_BAD_RESPONSE);
	ck_assert_str_eq(recs[1].target, "/p");
	w("cd", 5000);
	ck_assert_int_eq(nrecs, 2);
	conn_on_reset(C, 6000);
	ck_assert_int_eq(nrecs, 2);
}
END_TEST

/* A client connection closed having carried no request says so
 * (HT_CF_NO_REQUEST), with the handshake the TLS hooks saw; one that
 * carried a request, showed another protocol, or a Unix socket that never
 * showed a byte does not. */
START_TEST(close_no_request_flag)
{
	conn_connected(C, 2000);
	conn_mark_tls(C);
	conn_tls_done(C, 3000, "TLSv1.3", "h2");
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[0].close.requests, 0);
	ck_assert(recs[0].close.flags & HT_CF_NO_REQUEST);
	ck_assert(recs[0].close.flags & HT_CF_TLS);
	ck_assert_uint_eq(recs[0].close.t_tls_done, 3000);
	ck_assert_str_eq(recs[0].tls_version, "TLSv1.3");
}
END_TEST

START_TEST(close_no_request_plain)
{
	/* a plain connection that sent nothing (the peer closed first):
	 * nothing says it was HTTP's, so not flagged */
	conn_connected(C, 2000);
	conn_on_eof(C, 3000);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!(recs[0].close.flags & HT_CF_NO_REQUEST));
	ck_assert(recs[0].close.flags & HT_CF_PEER_EOF);
}
END_TEST

START_TEST(close_with_request_not_flagged)
{
	conn_connected(C, 2000);
	w(GET("/"), 3000);
	r(OK5, 4000);
	conn_close(C, 5000);
	ck_assert_uint_eq(recs[nrecs - 1].type, HT_REC_CONN_CLOSE);
	ck_assert(!(recs[nrecs - 1].close.flags & HT_CF_NO_REQUEST));
}
END_TEST

START_TEST(close_not_http_not_flagged)
{
	conn_connected(C, 2000);
	w("EHLO example.com\r\n", 3000);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].close.requests, 0);
	ck_assert(!(recs[0].close.flags & HT_CF_NO_REQUEST));
}
END_TEST

START_TEST(close_server_spoke_first_not_flagged)
{
	conn_connected(C, 2000);
	r("220 smtp.example.com ESMTP\r\n", 3000);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!(recs[0].close.flags & HT_CF_NO_REQUEST));
}
END_TEST

START_TEST(close_unix_silent_not_flagged)
{
	C->peer.family = HT_AF_UNIX;
	conn_connected(C, 2000);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!(recs[0].close.flags & HT_CF_NO_REQUEST));
}
END_TEST

START_TEST(non_http_client_is_ignored)
{
	conn_connected(C, 2000);
	const uint8_t hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
	conn_on_write(C, hello, sizeof hello, 3000);
	r(OK5, 4000);
	conn_close(C, 5000);
	/* no request record, only the close */
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[0].close.requests, 0);
}
END_TEST

/* Another protocol over TCP: its first request failed in its request line
 * with no method of HTTP's.  No record, nothing counted: the close says no
 * requests, as for a first byte that could not begin one. */
static void assert_not_http(const char *first, const char *reply)
{
	conn_connected(C, 2000);
	w(first, 3000);
	r(reply, 4000);
	ck_assert(!conn_wants_bytes(C));
	w(first, 5000);
	conn_close(C, 6000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[0].close.requests, 0);
	ck_assert_int_eq(nbriefs, 0);
}

START_TEST(non_http_ping_is_not_a_request)
{
	assert_not_http("PING\r\n", "+PONG\r\n");
}
END_TEST

START_TEST(non_http_redis_array_is_not_a_request)
{
	assert_not_http("*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
}
END_TEST

START_TEST(non_http_memcached_get_is_not_a_request)
{
	/* "get" is not "GET": methods are case-sensitive */
	assert_not_http("get key\r\n", "END\r\n");
}
END_TEST

START_TEST(non_http_smtp_ehlo_is_not_a_request)
{
	assert_not_http("EHLO x\r\n", "250 ok\r\n");
}
END_TEST

/* A line that ends after a target with a TAB in it (the TAB taken as the
 * target's end for a server's record): still no HTTP method, no request */
START_TEST(non_http_tab_line_is_not_a_request)
{
	assert_not_http("SET /k\tv\r\n", "+OK\r\n");
}
END_TEST

START_TEST(non_http_split_anywhere)
{
	static const char msg[] = "EHLO client.test\r\n";

	for (size_t cut = 1; cut < sizeof msg - 1; cut++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		conn_on_write(C, (const uint8_t *)msg, cut, 3000);
		conn_on_write(C, (const uint8_t *)msg + cut,
			      sizeof msg - 1 - cut, 3100);
		conn_close(C, 4000);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_uint_eq(recs[0].close.requests, 0);
	}
}
END_TEST

/* A first write that never formed a method and its SP, then @end: no
 * request, nothing counted, the close says none (as never_http()). */
static void assert_fragment_no_request(const char *first, int end)
{
	conn_connected(C, 2000);
	w(first, 3000);
	if (end == 0)
		r(first, 4000); /* the peer echoes it */
	else if (end == 1)
		conn_on_eof(C, 4000);
	else if (end == 2)
		conn_on_reset(C, 4000);
	else if (end == 3)
		conn_on_exit(C, 4000);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[0].close.requests, 0);
	ck_assert_int_eq(nbriefs, 0);
}

/* test_socket's "foo" echoed back: before, a "malformed response" */
START_TEST(fragment_echoed_is_not_a_request)
{
	static const char *const first[] = {"foo", "FOO", "M-SEARCH", "x",
					    "GETX"};

	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		teardown();
		setup();
		assert_fragment_no_request(first[i], 0);
	}
}
END_TEST

/* One byte then the end, whichever: before, "connection closed before
 * the response completed" (or reset, exited) */
START_TEST(fragment_then_end_is_not_a_request)
{
	for (int end = 1; end <= 4; end++) {
		teardown();
		setup();
		assert_fragment_no_request("M", end);
	}
}
END_TEST

/* The response to nothing seen, parsed by the bytes unseen (MSG_TRUNC):
 * the peer answered, as above. */
START_TEST(fragment_answered_unseen_is_not_a_request)
{
	conn_connected(C, 2000);
	w("foo", 3000);
	conn_on_unseen(C, 3, 4000);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].close.requests, 0);
}
END_TEST

/* The start of an HTTP method, then a reset or an HTTP answer (a 408):
 * a request split inside its method is a request, reported with what
 * happened to it (a review found it dropped silently). */
START_TEST(method_start_then_end_is_a_request)
{
	static const char *const first[] = {"G", "GE", "GET", "POS"};

	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		w(first[i], 3000);
		conn_on_reset(C, 4000);
		conn_close(C, 5000);
		ck_assert_int_eq(nrecs, 2);
		ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_RESET);
	}
	teardown();
	setup();
	conn_connected(C, 2000);
	w("GE", 3000);
	r("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
	  "Connection: close\r\n\r\n", 4000);
	conn_close(C, 5000);
	ck_assert_int_ge(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.status, 408);
}
END_TEST

/* The start of a method answered, not as HTTP (an echo of "G", "PU"):
 * no request, as any other fragment (a review found errors). */
START_TEST(method_start_echoed_is_not_a_request)
{
	static const char *const first[] = {"G", "PU", "GET", "H", "HE"};

	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		teardown();
		setup();
		assert_fragment_no_request(first[i], 0);
	}
	/* "H" echoed, then the close: the echo is the start of "HTTP/" */
	for (int end = 1; end <= 3; end++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		w("H", 3000);
		r("H", 3500);
		if (end == 1)
			conn_on_eof(C, 4000);
		else if (end == 2)
			conn_on_reset(C, 4000);
		conn_close(C, 5000);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_uint_eq(recs[0].close.requests, 0);
	}
}
END_TEST

/* "FOO" answered as HTTP, however the answer comes: a byte per read, or a
 * body that runs to the close (node's 400): a request, with its status. */
START_TEST(fragment_answered_as_http_is_a_request)
{
	static const char ans[] = "HTTP/1.1 400 Bad Request\r\n"
				  "Content-Length: 0\r\n\r\n";

	conn_connected(C, 2000);
	w("FOO", 3000);
	for (size_t i = 0; i < sizeof ans - 1; i++)
		conn_on_read(C, (const uint8_t *)ans + i, 1, 4000 + i);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.status, 400);

	teardown();
	setup();
	conn_connected(C, 2000);
	w("FOO", 3000);
	r("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nbad", 4000);
	conn_on_eof(C, 5000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.status, 400);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
}
END_TEST

/* A method whole, its SP written: a request cut short, as before. */
START_TEST(method_and_space_then_close_is_a_request)
{
	static const char *const first[] = {"GET /x", "GET ", "foo "};

	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		w(first[i], 3000);
		conn_close(C, 5000);
		ck_assert_int_eq(nrecs, 2);
		ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_CLOSED);
		ck_assert_uint_eq(recs[1].close.requests, 1);
	}
}
END_TEST

/* Only a connection's first bytes: a second request cut in its method
 * after a good one is a request cut short. */
START_TEST(fragment_after_a_request_is_a_request)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	w("GE", 5000);
	conn_close(C, 6000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_CLOSED);
	ck_assert_uint_eq(recs[1].r.req_seq, 2);
	ck_assert_uint_eq(recs[2].close.requests, 2);
}
END_TEST

/* Any token is a method (RFC 9110): a lower-case one, answered. */
START_TEST(lowercase_method_request)
{
	conn_connected(C, 2000);
	w("custom /x HTTP/1.1\r\nHost: h\r\n\r\n", 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_str_eq(recs[0].method, "custom");
	ck_assert_uint_eq(recs[0].r.status, 200);
}
END_TEST

START_TEST(broken_get_line_is_malformed)
{
	/* an HTTP method: a broken request, reported as such */
	conn_connected(C, 2000);
	w("GET /a b HTTP/1.1\r\n", 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_REQUEST);
	ck_assert_uint_eq(recs[0].r.req_seq, 1);
	conn_close(C, 4000);
	ck_assert_uint_eq(recs[1].close.requests, 1);
}
END_TEST

START_TEST(broken_line_of_each_http_method_is_malformed)
{
	static const char *const m[] = {"GET", "HEAD", "POST", "PUT",
		"DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
	char line[64];

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		/* cut in the method itself: nothing after it */
		snprintf(line, sizeof line, "%s\r\n", m[i]);
		w(line, 3000);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_REQUEST);
	}
}
END_TEST

START_TEST(whole_line_with_other_method_is_malformed)
{
	/* the line was read through its version: HTTP, whatever the method
	 * (WebDAV's, or one of a program's own), so a broken header after it
	 * is a malformed request */
	conn_connected(C, 2000);
	w("PROPFIND /d HTTP/1.1\r\nbad header\r\n\r\n", 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_REQUEST);
}
END_TEST

START_TEST(garbage_after_a_good_request_is_malformed)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	w("PING\r\n", 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_BAD_REQUEST);
	ck_assert_uint_eq(recs[1].r.req_seq, 2);
	conn_close(C, 6000);
	ck_assert_uint_eq(recs[2].close.requests, 2);
}
END_TEST

/* Bytes written after a malformed request cannot be framed: the next
 * write gets a note (once), never silence. */
START_TEST(writes_after_malformed_request_noted)
{
	conn_connected(C, 2000);
	w("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_REQUEST);
	r("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	w(GET("/b"), 5000);
	w(GET("/c"), 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
}
END_TEST

START_TEST(looks_like_http)
{
#define LL(s) conn_looks_like_http((const uint8_t *)(s), sizeof(s) - 1)
	ck_assert(LL("GET / HTTP/1.1\r\n"));
	ck_assert(LL("POST /v1.43/containers/create HTTP/1.1\r\n"));
	ck_assert(LL("CONNECT example.test:443 HTTP/1.1\r\n"));
	ck_assert(LL("OPTIONS * HTTP/1.1\r\n"));
	ck_assert(LL("GET http://x/ HTTP/1.1\r\n"));
	ck_assert(LL("M-SEARCH * HTTP/1.1\r\n"));
	ck_assert(LL("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
	ck_assert(LL("PR"));   /* a prefix is enough */
	ck_assert(LL("GET"));
	ck_assert(LL("GET "));
	ck_assert(!LL(""));
	ck_assert(!LL("\0AUTH EXTERNAL 30\r\n")); /* D-Bus */
	ck_assert(!LL("l\0\v\0"));           /* X11 */
	ck_assert(!LL("get / HTTP/1.1\r\n")); /* methods are upper case */
	ck_assert(!LL("GET  / HTTP/1.1\r\n"));
	ck_assert(!LL("GET key\r\n"));             /* Redis inline */
	ck_assert(!LL("SET k v\n"));
	ck_assert(!LL("GET / HTTP/1.1x\r\n"));
	ck_assert(LL("GET / HTTP/1.0\n"));
	ck_assert(LL("GET /partial-line HTTP/1"));
	ck_assert(!LL("{\"jsonrpc\":\"2.0\"}"));
	ck_assert(!LL("\x16\x03\x01\x02\x00"));  /* a TLS ClientHello */
	ck_assert(!LL("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n"));
#undef LL
}
END_TEST

START_TEST(unix_socket_peer)
{
	conn_set_unix_path(C, "/run/x.sock\0junk", 16);
	ck_assert_uint_eq(C->peer.family, HT_AF_UNIX);
	ck_assert_str_eq(C->peer_path, "/run/x.sock");
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.peer.family, HT_AF_UNIX);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].close.peer.family, HT_AF_UNIX);

	/* An abstract name: "@" and its bytes. */
	conn_set_unix_path(C, "\0abs", 4);
	ck_assert_str_eq(C->peer_path, "@abs");
	/* Too long a path is cut to fit. */
	char longp[200];
	memset(longp, 'p', sizeof longp);
	conn_set_unix_path(C, longp, sizeof longp);
	ck_assert_uint_eq(strlen(C->peer_path), CONN_PATH_MAX - 1);
}
END_TEST

START_TEST(connect_failure)
{
	conn_connect_failed(C, 111, 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_int_eq(recs[0].fail.err, 111);
	ck_assert_uint_eq(recs[0].fail.t_connect_start, 1000);
	ck_assert_uint_eq(recs[0].fail.t_fail, 3000);
	ck_assert_uint_eq(recs[0].fail.t_dns_done, 900);
	/* a failed connection emits no close */
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
}
END_TEST

START_TEST(tls_handshake_failure)
{
	conn_connected(C, 2000);
	conn_tls_start(C, 2500);
	conn_tls_failed(C, 4000);
	conn_tls_failed(C, 4100); /* once */
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_uint_eq(recs[0].fail.flags, HT_FF_TLS);
	ck_assert_uint_eq(recs[0].fail.t_connect_done, 2000);
	ck_assert_uint_eq(recs[0].fail.t_tls_start, 2500);
	ck_assert_uint_eq(recs[0].fail.t_fail, 4000);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert(recs[1].close.flags & HT_CF_TLS);
}
END_TEST

/* A handshake the program closes itself (a timeout, Ctrl-C) before the
 * server sent a byte: a failed handshake, not a connection unused; once
 * the server sent something, the hooks may only have missed its end (a
 * client that rejects the certificate itself): an ordinary close. */
START_TEST(tls_handshake_given_up)
{
	conn_connected(C, 2000);
	conn_tls_start(C, 2500);
	conn_on_transport(C, true, 517, 2500);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_uint_eq(recs[0].fail.flags, HT_FF_TLS | HT_FF_TLS_CLOSED);
	ck_assert_uint_eq(recs[0].fail.t_tls_start, 2500);
	ck_assert_uint_eq(recs[0].fail.t_fail, 9000);
}
END_TEST

START_TEST(tls_handshake_server_spoke_closed)
{
	conn_connected(C, 2000);
	conn_tls_start(C, 2500);
	conn_on_transport(C, true, 517, 2500);
	conn_on_transport(C, false, 1200, 3000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* A handshake whose last call a
 * signal interrupted (Python's Ctrl-C: its read in SSL_do_handshake
 * returned EINTR, c->intr) and that the program then closes while
 * unwinding did not fail: it was cut by the signal, as a request in
 * flight is (interrupted, conn_close()'s cut), never "TLS handshake
 * failed" counted in connect_errors. */
START_TEST(tls_handshake_interrupted_not_failed)
{
	conn_connected(C, 2000);
	conn_tls_start(C, 2500);
	conn_on_transport(C, true, 517, 2500);
	C->intr = true;
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!(recs[0].type == HT_REC_CONN_FAIL &&
		    recs[0].fail.flags == (HT_FF_TLS | HT_FF_TLS_CLOSED)));
}
END_TEST

/* A handshake still under way when
 * the process exits (another thread's; the program never closed it): the
 * exit ended it (conn_on_exit(), then close_at_exit()'s untrack closes
 * it), not a "connection closed during the TLS handshake" failure. */
START_TEST(tls_handshake_at_exit_not_failed)
{
	conn_connected(C, 2000);
	conn_tls_start(C, 2500);
	conn_on_transport(C, true, 517, 2500);
	conn_on_exit(C, 9000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!(recs[0].type == HT_REC_CONN_FAIL &&
		    recs[0].fail.flags == (HT_FF_TLS | HT_FF_TLS_CLOSED)));
}
END_TEST

/* A connect still under way that the program closes (its own timeout, a
 * Happy Eyeballs attempt that lost) is a failed connect, ECANCELED, with
 * its start and end: never a silent end. */
START_TEST(connect_closed_under_way_canceled)
{
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_int_eq(recs[0].fail.err, 125); /* ECANCELED */
	ck_assert_uint_eq(recs[0].fail.t_connect_start, 1000);
	ck_assert_uint_eq(recs[0].fail.t_fail, 9000);
}
END_TEST

/* The same ended with its process (conn_on_exit()): not the program's
 * doing, nothing of conn_connect_cut()'s. */
START_TEST(connect_under_way_at_exit_not_canceled)
{
	conn_on_exit(C, 9000);
	conn_close(C, 9000);
	for (int i = 0; i < nrecs; i++)
		ck_assert(recs[i].type != HT_REC_CONN_FAIL);
}
END_TEST

START_TEST(first_io_completes_connect)
{
	w(GET("/"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.t[HT_T_CONNECT_DONE], 3000);
}
END_TEST

/* The phases of @r, in order and apart: their sum is at most the total
 * (report_timing_compute(), what every format shows). */
static void assert_phases_fit(const ht_rec_request *rq)
{
	report_timing t;
	report_timing_compute(rq, &t);
	int64_t ph[] = {t.dns, t.connect, t.tls, t.send, t.wait, t.receive};
	int64_t sum = 0;
	for (size_t i = 0; i < sizeof ph / sizeof ph[0]; i++) {
		if (ph[i] == REPORT_NONE)
			continue;
		ck_assert_int_ge(ph[i], 0);
		sum += ph[i];
	}
	ck_assert_int_ne(t.total, REPORT_NONE);
	ck_assert_int_le(sum, t.total);
}

/* A TLS request, the handshake begun at @tls_call; the ClientHello written
 * at @hello (the first proof of the connect), the handshake done at 3500. */
static const ht_rec_request *tls_request(uint64_t tls_call, uint64_t hello,
					 bool start_first)
{
	conn_mark_tls(C);
	if (start_first)
		conn_tls_start(C, tls_call);
	conn_on_transport(C, true, 300, hello);
	if (!start_first)
		conn_tls_start(C, tls_call);
	conn_on_transport(C, false, 2000, 3000);
	conn_tls_done(C, 3500, "TLSv1.3", NULL);
	w(GET("/"), 4000);
	r(OK5, 5000);
	ck_assert_int_eq(nrecs, 1);
	assert_phases_fit(&recs[0].r);
	return &recs[0].r;
}

/* wrk: a non-blocking connect it never asks about; SSL_connect once the
 * socket is writable, the ClientHello written inside it, the hooks
 * reporting the start after the call.  The connection was up when the
 * handshake began (seen in wrk over TLS: the phases summed to more than
 * the total). */
START_TEST(tls_start_before_connect_proven_by_its_bytes)
{
	const ht_rec_request *q = tls_request(2000, 2600, false);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_START], 1000);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_DONE], 2000);
	ck_assert_uint_eq(q->t[HT_T_TLS_START], 2000);
	ck_assert_uint_eq(q->t[HT_T_TLS_DONE], 3500);
}
END_TEST

/* The handshake began while the connect was under way (its first call's
 * writes waited): the handshake's phase starts when the connect is
 * proven. */
START_TEST(tls_start_while_connecting)
{
	const ht_rec_request *q = tls_request(2000, 2600, true);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_DONE], 2600);
	ck_assert_uint_eq(q->t[HT_T_TLS_START], 2600);
}
END_TEST

/* TCP Fast Open: the ClientHello's send opened the connection (connect
 * started at 1000 inside a handshake call begun at 800). */
START_TEST(tls_start_before_fastopen_connect)
{
	const ht_rec_request *q = tls_request(800, 1200, false);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_START], 1000);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_DONE], 1200);
	ck_assert_uint_eq(q->t[HT_T_TLS_START], 1200);
}
END_TEST

/* Proven up before the handshake: nothing moves. */
START_TEST(tls_start_after_connect)
{
	conn_connected(C, 1500);
	const ht_rec_request *q = tls_request(2000, 2600, false);
	ck_assert_uint_eq(q->t[HT_T_CONNECT_DONE], 1500);
	ck_assert_uint_eq(q->t[HT_T_TLS_START], 2000);
}
END_TEST

START_TEST(headers_captured_and_redacted)
{
	conn_connected(C, 2000);
	w("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer s3cret\r\n"
	  "Cookie: a=b\r\n\r\n",
	  3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Y: z\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_ptr_null(strstr(recs[0].req_hdrs, "s3cret"));
	ck_assert_ptr_nonnull(strstr(recs[0].req_hdrs, "Authorization: [redacted]"));
	ck_assert_ptr_nonnull(strstr(recs[0].req_hdrs, "Cookie: [redacted]"));
	ck_assert_ptr_nonnull(strstr(recs[0].resp_hdrs, "X-Y: z\r\n"));
}
END_TEST

/* Idle at the fork (its answer read whole): the child's request on the
 * inherited connection is followed, as a reuse. */
START_TEST(after_fork_child_requests_are_reused)
{
	conn_connected(C, 2000);
	w(GET("/parent"), 3000);
	r(OK5, 3500);
	ck_assert_int_eq(nrecs, 1);
	ck_assert(!conn_in_flight(C));
	conn_reset_after_fork(C, 200, false);
	w(GET("/child"), 5000);
	r(OK5, 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.pid, 200);
	ck_assert_str_eq(recs[1].target, "/child");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.status, 200);
	ck_assert(recs[1].r.flags & HT_RF_REUSED);
}
END_TEST

/* A request in flight at the fork: the answer the child reads may be the
 * parent's (an audit saw /B-child reported with /A-parent's 201).  The
 * child's requests there are reported not followed, never paired. */
START_TEST(after_fork_in_flight_child_requests_not_followed)
{
	conn_connected(C, 2000);
	w(GET("/parent"), 3000);
	ck_assert(conn_in_flight(C));
	conn_reset_after_fork(C, 200, false);
	conn_reset_after_fork(C, 200, false); /* once per fd naming it */
	ck_assert_int_eq(nrecs, 0);
	w(GET("/child"), 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.pid, 200);
	ck_assert_str_eq(recs[0].target, "/child");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
	ck_assert_uint_eq(recs[0].r.status, 0);
	ck_assert(ht_error_not_seen(recs[0].r.error));
	r(OK5, 6000);
	r(OK5, 6500);
	conn_close(C, 7000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* The parent's side of the same fork: its request in flight ends not
 * followed at the fork, so do its later ones, and closing its copy (the
 * child reads the answer) reports no "closed before any response". */
START_TEST(fork_shared_parent_requests_not_followed)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Le", 3200); /* a response begun */
	conn_fork_shared(C, 4000, NULL, false);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
	conn_fork_shared(C, 4000, NULL, false); /* once per fd naming it */
	ck_assert_int_eq(nrecs, 1);
	w(GET("/b"), 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_SHARED);
	ck_assert_uint_eq(recs[1].r.status, 0);
	r("ngth: 5\r\n\r\nhello" OK5, 6000);
	conn_close(C, 7000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* Idle at the fork, in the parent: nothing changes. */
START_TEST(fork_shared_parent_idle_still_followed)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r(OK5, 3500);
	conn_fork_shared(C, 4000, NULL, false);
	w(GET("/b"), 5000);
	r(OK5, 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.status, 200);
}
END_TEST

/* The parent's fork handler looks at an HTTP/1.x connection without its
 * lock through conn_h1_in_flight(): the same answer as conn_in_flight()
 * at each step of a request, a response begun included. */
START_TEST(h1_in_flight_as_in_flight)
{
	conn_connected(C, 2000);
	ck_assert(!conn_h1_in_flight(C) && !conn_in_flight(C));
	w("GET /a HTTP/1.1\r\nHo", 3000); /* a request begun */
	ck_assert(conn_h1_in_flight(C) && conn_in_flight(C));
	w("st: x\r\n\r\n", 3100);
	ck_assert(conn_h1_in_flight(C) && conn_in_flight(C));
	r("HTTP/1.1 200 OK\r\nContent-Le", 3200); /* a response begun */
	ck_assert(conn_h1_in_flight(C) && conn_in_flight(C));
	r("ngth: 5\r\n\r\nhello", 3300);
	ck_assert(!conn_h1_in_flight(C) && !conn_in_flight(C));
	conn_close(C, 4000);
	ck_assert(!conn_h1_in_flight(C) && !conn_in_flight(C));
}
END_TEST

/* C closed, its records dropped, and begun again. */
static void fresh_conn(void)
{
	ht_addr peer = {.family = 2, .port = 8080, .addr = {127, 0, 0, 1}};
	conn_close(C, 1000);
	nrecs = 0;
	conn_init(C, &env, 100, 1, &peer, 1000);
}

/* The kernel's counts of a client socket carrying exactly @in bytes
 * read and @out written here (its SYN counted in acked), in @state. */
static conn_tcp_counts counts(int state, uint64_t in, uint64_t out)
{
	conn_tcp_counts k = {.state = state, .received = in, .acked = out + 1};
	return k;
}

/* GET /a written on a connection that a fork then shares, at 4000: the
 * kernel's counts at the fork show @in bytes received (0: none, as the
 * hooks saw), all of ours sent; @tls: a hooked TLS session's.  Returns
 * those counts. */
static conn_tcp_counts fork_with_a_in_flight(uint64_t in, bool tls)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	C->tls = tls;
	conn_tcp_counts k = counts(TCP_ESTABLISHED, in, C->bytes_out);
	conn_fork_shared(C, 4000, &k, false);
	return k;
}

/* A fork shared the connection with /a in flight, and the kernel proves
 * the parent alone read and wrote on it (a child that only execs): /a is
 * paired with its answer, and once nothing is in flight the connection is
 * followed as one idle at the fork. */
START_TEST(fork_shared_proven_followed_on)
{
	conn_tcp_counts k = fork_with_a_in_flight(0, false);
	ck_assert(C->fork_shared);
	ck_assert_int_eq(nrecs, 0);
	/* the answer read: counted by the kernel, not yet by the hooks */
	k = counts(TCP_ESTABLISHED, strlen(OK5), C->bytes_out);
	conn_shared_check(C, &k, false, strlen(OK5), 5000);
	r(OK5, 5000);
	conn_shared_settle(C);
	ck_assert(!C->fork_shared);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	w(GET("/b"), 6000);
	r(OK5, 7000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.status, 200);
}
END_TEST

/* The child read some of the answer (the kernel gave out more than the
 * parent read), or wrote a request of its own: given up before the
 * parent's read is fed, never paired. */
START_TEST(fork_shared_child_read_or_wrote_gives_up)
{
	for (int wrote = 0; wrote < 2; wrote++) {
		fresh_conn();
		conn_tcp_counts k = fork_with_a_in_flight(0, false);
		uint64_t in = strlen(OK5), out = C->bytes_out;
		if (wrote)
			out += strlen(GET("/b-child"));
		else
			in += strlen(OK5); /* the child took /a's answer */
		k = counts(TCP_ESTABLISHED, in, out);
		conn_shared_check(C, &k, false, strlen(OK5), 5000);
		ck_assert(!C->fork_shared);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_str_eq(recs[0].target, "/a");
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
		r(OK5, 5000);
		w(GET("/c"), 6000);
		ck_assert_int_eq(nrecs, 2);
		ck_assert_uint_eq(recs[1].r.error, HT_ERR_SHARED);
		ck_assert_uint_eq(recs[1].r.status, 0);
	}
}
END_TEST

/* Not proven at the fork (a Unix socket, no counts, or counts that show
 * another reader already), or the kernel does not say at a call: given
 * up as before. */
START_TEST(fork_shared_unproven_gives_up)
{
	conn_tcp_counts k = fork_with_a_in_flight(7, false);
	/* 7 more read than ours at the fork: a read of one of our threads
	 * not fed yet would show so too; followed on, unproven */
	ck_assert(C->fork_shared);
	ck_assert_int_eq(nrecs, 0);
	/* and never proven: given up before the answer is fed */
	k = counts(TCP_ESTABLISHED, 7 + strlen(OK5), C->bytes_out);
	conn_shared_check(C, &k, false, strlen(OK5), 5000);
	ck_assert(!C->fork_shared);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);

	/* a hooked TLS session's: proven at the fork or given up */
	fresh_conn();
	k = fork_with_a_in_flight(7, true);
	ck_assert(!C->fork_shared);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);

	fresh_conn();
	k = fork_with_a_in_flight(0, false);
	conn_shared_check(C, NULL, false, 3, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
}
END_TEST

/* The parent closes its copy, or exits, with the shared request in
 * flight: the child may read the answer, so it is not followed, never
 * "closed" or "exited". */
START_TEST(fork_shared_close_or_exit_not_followed)
{
	for (int exit_first = 0; exit_first < 2; exit_first++) {
		fresh_conn();
		fork_with_a_in_flight(0, false);
		if (exit_first)
			conn_on_exit(C, 5000);
		conn_close(C, 5000);
		ck_assert_int_ge(nrecs, 1);
		ck_assert_str_eq(recs[0].target, "/a");
		ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
	}
}
END_TEST

/* The kernel's counts: the peer's FIN and ours count one each, a client's
 * SYN one, an accepted socket's none; a read in flight (counted by the
 * kernel, not fed) makes them unequal; a handshake or CLOSE says nothing. */
START_TEST(tcp_counts_mine_fins_and_syn)
{
	C->bytes_in = 10;
	C->bytes_out = 4;
	conn_tcp_counts k = counts(TCP_ESTABLISHED, 10, 4);
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	k.unread = 3;
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 0));
	k.received = 13;
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 2)); /* not ours */
	k = counts(TCP_ESTABLISHED, 12, 4);
	ck_assert(conn_tcp_counts_mine(C, &k, false, 2));  /* this call's */
	ck_assert(!conn_tcp_counts_mine(C, &k, true, 2));
	k = counts(TCP_ESTABLISHED, 10, 4);
	k.acked = 2;
	k.unsent = 3; /* written, not acknowledged yet */
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_CLOSE_WAIT, 11, 4);
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_FIN_WAIT2, 10, 5);
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_LAST_ACK, 11, 5);
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_ESTABLISHED, 11, 4);
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_CLOSE, 10, 4);
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 0));
	k = counts(TCP_SYN_SENT, 10, 4);
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 0));
	/* an accepted socket: reads are bytes_out, writes bytes_in, no SYN */
	C->server = true;
	k = (conn_tcp_counts){.state = TCP_ESTABLISHED, .received = 4,
			      .acked = 10};
	ck_assert(conn_tcp_counts_mine(C, &k, false, 0));
	C->server = false;
}
END_TEST

/* Counts that moved between the two TCP_INFO calls bound what the
 * readers took between received - arrived - unread and received - unread:
 * the upper bound ours proves it (MINE), the lower one above ours proves
 * another reader (FOREIGN), in between is undecided (MOVING); the same
 * for acknowledgements; a state that moved is undecided. */
START_TEST(tcp_counts_verdict_moving)
{
	C->bytes_in = 10;
	C->bytes_out = 4;
	conn_tcp_counts k = counts(TCP_ESTABLISHED, 15, 4);
	k.unread = 5;
	k.arrived = 5; /* all before the SIOCINQ call */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_MINE);
	k.unread = 3; /* 2 of them after it: took 8 to 12 */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_MOVING);
	ck_assert(!conn_tcp_counts_mine(C, &k, false, 0));
	k.unread = 0; /* took 10 to 15 */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_MOVING);
	k.arrived = 3; /* took 12 to 15: more than our 10 */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_FOREIGN);
	k = counts(TCP_ESTABLISHED, 10, 6);
	k.acks = 2; /* gave 4 to 6, ours 4 */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_MOVING);
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, true, 2),
			 CONN_COUNTS_MINE);
	k.acks = 1; /* gave 5 to 6, ours 4 */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_FOREIGN);
	k = counts(TCP_CLOSE_WAIT, 11, 4);
	k.state_moved = true; /* the FIN came between: not known which */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_MOVING);
	k = counts(TCP_ESTABLISHED, 9, 4); /* fewer than ours: never mine */
	ck_assert_int_eq(conn_tcp_counts_verdict(C, &k, false, 0),
			 CONN_COUNTS_FOREIGN);
}
END_TEST

/* Counts still moving at the fork and at reads inside /a's body (a long
 * download while data keeps arriving): followed on unproven; the read
 * that ends the response must be proven, else /a is not followed. */
START_TEST(fork_shared_moving_proven_at_the_end)
{
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	for (int proven = 0; proven < 2; proven++) {
		fresh_conn();
		conn_connected(C, 2000);
		w(GET("/a"), 3000);
		conn_tcp_counts k = counts(TCP_ESTABLISHED, 5, C->bytes_out);
		k.unread = 0;
		k.arrived = 5;
		conn_fork_shared(C, 4000, &k, false);
		ck_assert(C->fork_shared);
		/* the head's read could pair: asked, moving: given up */
		ck_assert(!conn_shared_unasked(C, false, strlen(head) + 3));
		/* proven, fed */
		uint64_t in = strlen(head) + 3;
		k = counts(TCP_ESTABLISHED, in, C->bytes_out);
		conn_shared_check(C, &k, false, in, 5000);
		r(head, 5000);
		r("hel", 5000);
		ck_assert(C->fork_shared);
		/* 2 of the 7 left: nothing can end, moving is let through */
		ck_assert(conn_shared_unasked(C, false, 2));
		k = counts(TCP_ESTABLISHED, in + 2 + 100, C->bytes_out);
		k.unread = 50;
		k.arrived = 100;
		conn_shared_check(C, &k, false, 2, 6000);
		ck_assert(C->fork_shared);
		r("lo", 6000);
		in += 2;
		/* the last 5: they end /a */
		ck_assert(!conn_shared_unasked(C, false, 5));
		ck_assert(!conn_shared_unasked(C, true, 2)); /* a write */
		k = counts(TCP_ESTABLISHED, in + 5 + 1, C->bytes_out);
		k.unread = proven ? 1 : 0;
		k.arrived = 1;
		conn_shared_check(C, &k, false, 5, 7000);
		ck_assert(C->fork_shared == (bool)proven);
		r("world", 7000);
		conn_shared_settle(C);
		ck_assert(!C->fork_shared);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_str_eq(recs[0].target, "/a");
		if (proven) {
			ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
			ck_assert_uint_eq(recs[0].r.status, 200);
		} else {
			ck_assert_uint_eq(recs[0].r.error, HT_ERR_SHARED);
		}
	}
}
END_TEST

/* ---- HTTP/2 ------------------------------------------------------------- */

static uint8_t h2buf[4096];
static size_t h2len;

static void h2_reset(void)
{
	h2len = 0;
}

static void h2_put(const void *p, size_t n)
{
	ck_assert_uint_le(h2len + n, sizeof h2buf);
	if (n) /* memcpy() must not get NULL, even for 0 bytes */
		memcpy(h2buf + h2len, p, n);
	h2len += n;
}

static void h2_frame(uint8_t type, uint8_t flags, uint32_t stream,
		     const uint8_t *payload, size_t n)
{
	uint8_t h[9];
	h2_frame_head(h, type, flags, stream, (uint32_t)n);
	h2_put(h, 9);
	h2_put(payload, n);
}

static void h2_headers(uint32_t stream, bool end_stream, const char *const *nv)
{
	uint8_t block[512];
	size_t n = h2_literals(block, nv);
	h2_frame(0x1, 0x4 | (end_stream ? 0x1 : 0), stream, block, n);
}

static void h2_data(uint32_t stream, bool end_stream, size_t n)
{
	uint8_t body[1024];
	memset(body, 'x', n);
	h2_frame(0x0, end_stream ? 0x1 : 0, stream, body, n);
}

static void h2_write(uint64_t t)
{
	conn_on_write(C, h2buf, h2len, t);
	h2_reset();
}

static void h2_read(uint64_t t)
{
	conn_on_read(C, h2buf, h2len, t);
	h2_reset();
}

static const char *const get_a[] = {":method", "GET", ":scheme", "https",
	":authority", "example.test", ":path", "/a", "authorization", "Bearer s",
	NULL};
static const char *const get_b[] = {":method", "GET", ":scheme", "https",
	":authority", "example.test", ":path", "/b", NULL};
static const char *const ok200[] = {":status", "200", "content-type",
	"text/plain", NULL};
static const char *const nf404[] = {":status", "404", NULL};
static const char *const early103[] = {":status", "103", "link", "</x>", NULL};

/* Client preface and SETTINGS, then the server's SETTINGS. */
static void h2_open(uint64_t t)
{
	conn_connected(C, t);
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_write(t + 1);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_read(t + 2);
}


/* ---- early answers: the response whole before its request ---------------- */

#define POST10 "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n"

START_TEST(early_answer_waits_for_the_body)
{
	/* The server answers after the headers (nginx's `return`), the
	 * client writes the rest of its body afterwards: one record, with
	 * every body byte and the time the request was done. */
	conn_connected(C, 2000);
	w(POST10 "abcd", 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 0);
	w("efg", 5000);
	ck_assert_int_eq(nrecs, 0);
	w("hij", 6000);
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->req_body_bytes, 10);
	ck_assert_uint_eq(a->resp_body_bytes, 5);
	ck_assert_str_eq(recs[0].reason, "OK");
	ck_assert_uint_eq(a->t[HT_T_WROTE_HEADERS], 3000);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 6000);
	ck_assert(a->flags & HT_RF_KEEPALIVE);
	ck_assert(a->flags & HT_RF_EARLY_ANSWER);
	/* the server's processing counts from the headers, never negative */
	report_timing t;
	report_timing_compute(a, &t);
	ck_assert_int_eq(t.wait, 1000);
	ck_assert_int_eq(t.send, 3000);
	ck_assert_int_eq(t.receive, 0);
	/* and the request is over at its body's end (DNS_START 500) */
	ck_assert_int_eq(t.total, 5500);
	/* the connection is idle from the request's end, the next request
	 * pairs with its own response */
	w(GET("/next"), 9000);
	r("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 9500);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[1].target, "/next");
	ck_assert_uint_eq(recs[1].r.status, 404);
	ck_assert(recs[1].r.flags & HT_RF_WAS_IDLE);
	ck_assert(!(recs[1].r.flags & HT_RF_EARLY_ANSWER));
	ck_assert_uint_eq(recs[1].r.t[HT_T_IDLE_SINCE], 6000);
}
END_TEST

START_TEST(early_answer_then_close_keeps_what_was_written)
{
	/* A 413 with Connection: close: the client stops writing and
	 * closes.  The record goes out at the close with the bytes written
	 * and the time of the last one; the exchange was whole. */
	conn_connected(C, 2000);
	w(POST10 "ab", 3000);
	w("cd", 3500);
	r("HTTP/1.1 413 Too Large\r\nConnection: close\r\n"
	  "Content-Length: 0\r\n\r\n", 4000);
	conn_on_eof(C, 4100);
	ck_assert_int_eq(nrecs, 0);
	nrecs = 0;
	conn_close(C, 8000);
	ck_assert_int_ge(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 413);
	ck_assert_uint_eq(a->req_body_bytes, 4);
	ck_assert(a->flags & HT_RF_EARLY_ANSWER);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3500);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert(!(a->flags & HT_RF_KEEPALIVE));
}
END_TEST

START_TEST(early_answer_body_after_eof)
{
	/* A lingering close: the server shuts its side after the answer and
	 * reads the rest; the client writes it all after the EOF. */
	conn_connected(C, 2000);
	w(POST10, 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
	conn_on_eof(C, 4500);
	w("0123456789", 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 10);
	ck_assert_uint_eq(recs[0].r.t[HT_T_WROTE_REQUEST], 5000);
}
END_TEST

START_TEST(early_answer_then_more_response_bytes)
{
	/* Response bytes after the early answer, its request still being
	 * written: not its response; the early one's record goes out first,
	 * with its response intact. */
	conn_connected(C, 2000);
	w(POST10 "abc", 3000);
	r("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno", 4000);
	r("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n", 5000);
	ck_assert_int_ge(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 401);
	ck_assert_str_eq(recs[0].reason, "Unauthorized");
	ck_assert_uint_eq(a->req_body_bytes, 3);
	ck_assert_uint_eq(a->resp_body_bytes, 2);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3000);
}
END_TEST

START_TEST(answer_before_the_headers_goes_out_at_once)
{
	/* A 400 to a head not yet whole is no early answer: its record goes
	 * out with the response, as ever. */
	conn_connected(C, 2000);
	w("POST /x HTTP/1.1\r\nHost: h\r\n", 3000);
	r("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
	  "Content-Length: 0\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.status, 400);
	ck_assert(!(recs[0].r.flags & HT_RF_EARLY_ANSWER));
}
END_TEST

START_TEST(early_answer_at_exit)
{
	/* The process ends while writing the body of an answered request:
	 * the record is whole, with what was written. */
	conn_connected(C, 2000);
	w(POST10 "abcdef", 3000);
	r(OK5, 4000);
	conn_on_exit(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 6);
}
END_TEST

START_TEST(early_answer_live_phase)
{
	/* Answered, its request still being written: its phase is send. */
	uint64_t t[HT_T__COUNT] = {0};
	t[HT_T_GOT_CONN] = 1;
	t[HT_T_WROTE_HEADERS] = 2;
	t[HT_T_FIRST_BYTE] = 3;
	t[HT_T_RESPONSE_DONE] = 4;
	ck_assert_uint_eq(ht_live_phase(t, false), HT_PH_SEND);
	t[HT_T_WROTE_REQUEST] = 5;
	ck_assert_uint_eq(ht_live_phase(t, false), HT_PH_RECEIVE);
}
END_TEST

static const char *const post_a[] = {":method", "POST", ":scheme", "https",
	":authority", "example.test", ":path", "/up", NULL};

START_TEST(h2_early_answer_waits_for_the_body)
{
	/* The server ends its response before the client ends its request
	 * (RFC 9113 8.1): the stream's record waits for the client's
	 * END_STREAM and carries every DATA byte. */
	h2_open(2000);
	h2_headers(1, false, post_a);
	h2_data(1, false, 100);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_data(1, true, 5);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 0);
	h2_data(1, false, 100);
	h2_write(5000);
	h2_data(1, true, 50);
	h2_write(6000);
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->req_body_bytes, 250);
	ck_assert_uint_eq(a->resp_body_bytes, 5);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 6000);
	ck_assert(a->flags & HT_RF_EARLY_ANSWER);
	/* the next stream is its own */
	h2_headers(3, true, get_b);
	h2_write(7000);
	h2_headers(3, true, nf404);
	h2_read(7500);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.status, 404);
	ck_assert(!(recs[1].r.flags & HT_RF_EARLY_ANSWER));
}
END_TEST

START_TEST(h2_early_answer_then_reset)
{
	/* The server answers, then asks the client to stop (RST_STREAM
	 * NO_ERROR): the record is whole, with the DATA written so far. */
	h2_open(2000);
	h2_headers(1, false, post_a);
	h2_data(1, false, 40);
	h2_write(3000);
	h2_headers(1, true, nf404);
	h2_read(4000);
	h2_data(1, false, 60);
	h2_write(4500);
	ck_assert_int_eq(nrecs, 0);
	h2_frame(0x3, 0, 1, (const uint8_t *)"\0\0\0\0", 4);
	h2_read(5000);
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 404);
	ck_assert_uint_eq(a->req_body_bytes, 100);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 4500);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
}
END_TEST

START_TEST(h2_early_answer_at_close)
{
	h2_open(2000);
	h2_headers(1, false, post_a);
	h2_write(3000);
	h2_headers(1, true, ok200);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 0);
	conn_close(C, 9000);
	ck_assert_int_ge(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->req_body_bytes, 0);
	/* no DATA: the request ended with its headers, as far as it went */
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3000);
	nrecs = 0; /* teardown's close */
}
END_TEST

/* ---- tunnels ------------------------------------------------------------ */

#define CONNECT_REQ "CONNECT target.test:443 HTTP/1.1\r\nHost: target.test:443\r\n\r\n"

START_TEST(connect_tunnel_plain_http)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	/* the 200 and the first bytes of nothing else: the client speaks first */
	r("HTTP/1.1 200 Connection established\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_str_eq(recs[0].method, "CONNECT");
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert(!(recs[0].r.flags & HT_RF_TUNNEL));
	ck_assert_uint_eq(recs[0].r.t[HT_T_CONNECT_DONE], 2000);

	w(GET("/a"), 5000);
	r(OK5, 6000);
	w(GET("/b"), 7000);
	r(OK5, 8000);
	ck_assert_int_eq(nrecs, 3);
	ht_rec_request *a = &recs[1].r, *b = &recs[2].r;
	ck_assert_uint_eq(a->req_seq, 2);
	ck_assert(!(a->flags & HT_RF_REUSED));
	ck_assert(a->flags & HT_RF_TUNNEL);
	ck_assert_str_eq(recs[1].tunnel, "target.test:443");
	/* the connect of the inner connection lasts until the tunnel is up */
	ck_assert_uint_eq(a->t[HT_T_DNS_START], 500);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_START], 1000);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_DONE], 4000);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(b->req_seq, 3);
	ck_assert(b->flags & HT_RF_REUSED);
	ck_assert(b->flags & HT_RF_TUNNEL);
	ck_assert_uint_eq(b->t[HT_T_CONNECT_DONE], 0);
	conn_close(C, 9000);
	ck_assert_uint_eq(recs[3].close.requests, 3);
}
END_TEST

START_TEST(connect_refused_then_granted)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	r("HTTP/1.1 407 Proxy Authentication Required\r\n"
	  "Content-Length: 4\r\n\r\nnope", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.status, 407);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 4);
	/* still HTTP to the proxy: a second CONNECT, granted */
	w(CONNECT_REQ, 5000);
	r("HTTP/1.1 200 OK\r\n\r\n", 6000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert(recs[1].r.flags & HT_RF_REUSED);
	w(GET("/in"), 7000);
	r(OK5, 8000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.req_seq, 3);
	ck_assert(!(recs[2].r.flags & HT_RF_REUSED));
	ck_assert_str_eq(recs[2].target, "/in");
}
END_TEST

START_TEST(connect_response_with_inner_bytes)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	/* the proxy's 200 and a server greeting in one read: not HTTP we
	 * follow (the server spoke first), but the CONNECT is recorded */
	r("HTTP/1.1 200 OK\r\n\r\n220 smtp ready\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.status, 200);
	/* the client's first write in the tunnel decides */
	w("EHLO x\r\n", 5000);
	ck_assert(!conn_wants_bytes(C));
	ck_assert_int_eq(nrecs, 1);
}
END_TEST

/* Bash's printf to a /dev/tcp fd writes through stdio, inside libc: no
 * hook sees the request, only the response bash reads, a byte at a time.
 * Said once, in a note; never paired. */
START_TEST(response_with_no_request_seen_is_noted)
{
	const char *resp = OK5;
	conn_connected(C, 2000);
	ck_assert(conn_nothing_written_seen(C));
	for (size_t i = 0; resp[i]; i++)
		conn_on_read(C, (const uint8_t *)resp + i, 1, 3000 + i);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
	/* said: the end of the connection says nothing more */
	ck_assert(!conn_nothing_written_seen(C));
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[1].close.requests, 0);
}
END_TEST

START_TEST(response_whole_with_no_request_seen_is_noted)
{
	conn_connected(C, 2000);
	r(OK5, 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
}
END_TEST

START_TEST(server_first_not_http_no_note)
{
	/* a protocol whose server speaks first: nothing of HTTP to say */
	conn_connected(C, 2000);
	r("220 smtp ready\r\n", 3000);
	ck_assert_int_eq(nrecs, 0);
	ck_assert(!conn_nothing_written_seen(C));
	w("EHLO x\r\n", 4000);
	ck_assert(!conn_wants_bytes(C));
	ck_assert_int_eq(nrecs, 0);
}
END_TEST

START_TEST(response_start_kept_then_request_not_paired)
{
	/* "HTT" kept as a response's start, then a request is seen: the
	 * server spoke first, the request is counted, never paired */
	conn_connected(C, 2000);
	r("HTT", 3000);
	ck_assert_int_eq(nrecs, 0);
	w(GET("/a"), 4000);
	r("P/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 5000);
	conn_close(C, 6000);
	ck_assert_int_ge(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_DESYNC);
	ck_assert_uint_eq(recs[0].r.status, 0);
}
END_TEST

START_TEST(writes_unseen_noted)
{
	conn_connected(C, 2000);
	ck_assert(conn_nothing_written_seen(C));
	conn_writes_unseen(C);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
	/* a write seen: the kernel's count is not asked */
	w(GET("/a"), 3000);
	ck_assert(!conn_nothing_written_seen(C));
}
END_TEST

START_TEST(non_http_inside_a_tunnel)
{
	/* the inner connection is read afresh: its first bytes are another
	 * protocol's, not a request of the tunnel's */
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	r("HTTP/1.1 200 Connection established\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	w("PING\r\n", 5000);
	r("+PONG\r\n", 6000);
	conn_close(C, 7000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[1].close.requests, 1);
}
END_TEST

START_TEST(broken_get_inside_a_tunnel_is_malformed)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	r("HTTP/1.1 200 Connection established\r\n\r\n", 4000);
	w("GET /a b HTTP/1.1\r\n", 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_BAD_REQUEST);
	ck_assert(recs[1].r.flags & HT_RF_TUNNEL);
}
END_TEST

START_TEST(connect_tunnel_tls_h2)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	r("HTTP/1.1 200 Connection established\r\n\r\n", 4000);
	ck_assert_int_eq(nrecs, 1);
	/* the TLS handshake inside the tunnel, then HTTP/2 by ALPN */
	conn_mark_tls(C);
	conn_on_transport(C, true, 300, 4100);
	conn_tls_start(C, 4100);
	conn_tls_done(C, 4900, "TLSv1.3", "h2");
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_write(5000);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, true, ok200);
	h2_headers(3, true, nf404);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 3);
	ht_rec_request *a = &recs[1].r, *b = &recs[2].r;
	ck_assert_uint_eq(a->req_seq, 2);
	ck_assert(!(a->flags & HT_RF_REUSED));
	ck_assert(a->flags & HT_RF_TUNNEL && a->flags & HT_RF_TLS);
	ck_assert_uint_eq(a->proto, HT_PROTO_HTTP2);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_DONE], 4000);
	ck_assert_uint_eq(a->t[HT_T_TLS_START], 4100);
	ck_assert_uint_eq(a->t[HT_T_TLS_DONE], 4900);
	ck_assert_uint_eq(b->req_seq, 3);
	ck_assert(b->flags & HT_RF_REUSED);
	ck_assert_uint_eq(b->status, 404);
	ck_assert_str_eq(recs[2].tunnel, "target.test:443");
	/* the CONNECT itself was no TLS request */
	ck_assert(!(recs[0].r.flags & HT_RF_TLS));
}
END_TEST

/* TLS no hook decodes: its records are followed, its close describes
 * the handshake. */
START_TEST(tls_undecoded_described_at_close)
{
	size_t out = 0, in = 0;
	for (size_t i = 0; i < sizeof tls13 / sizeof tls13[0]; i++) {
		uint64_t t = 2000 + 1000 * i;
		if (tls13[i].out) {
			conn_on_write(C, tls13[i].p, tls13[i].len, t);
			out += tls13[i].len;
		} else {
			conn_on_read(C, tls13[i].p, tls13[i].len, t);
			in += tls13[i].len;
		}
	}
	/* the handshake is over: nothing more to parse, bytes still count */
	ck_assert(!conn_wants_bytes(C));
	conn_on_write(C, (const uint8_t *)"\x17\x03\x03\x00\x01x", 6, 6000);
	conn_on_read(C, (const uint8_t *)"\x17\x03\x03", 3, 6500);
	conn_close(C, 7000);
	ck_assert_int_eq(nrecs, 1);
	const ht_rec_conn_close *c = &recs[0].close;
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(c->flags, HT_CF_TLS | HT_CF_TLS_UNDECODED);
	ck_assert_uint_eq(c->requests, 0);
	ck_assert_uint_eq(c->bytes_out, out + 6);
	ck_assert_uint_eq(c->bytes_in, in + 3);
	ck_assert_uint_eq(c->t_connect_start, 1000);
	ck_assert_uint_eq(c->t_connect_done, 2000);
	ck_assert_uint_eq(c->t_tls_start, 2000);
	ck_assert_uint_eq(c->t_tls_done, 4000);
	ck_assert_str_eq(recs[0].sni, "example.test");
	ck_assert_str_eq(recs[0].tls_version, "TLSv1.3");
	ck_assert_str_eq(recs[0].alpn_offered, "h2,http/1.1");
}
END_TEST

/* TLS no hook decodes whose client sends a fatal alert in the clear
 * (TLS 1.2, the server's certificate refused): a failed handshake, as a
 * hook's, naming the alert; no close record. */
START_TEST(tls_undecoded_alert_fails)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 46};
	conn_on_write(C, tls12[0].p, tls12[0].len, 2000);
	conn_on_read(C, tls12[1].p, tls12[1].len, 2500);
	conn_on_write(C, alert, sizeof alert, 3000);
	conn_close(C, 3100);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_uint_eq(recs[0].fail.flags, HT_FF_TLS | HT_FF_TLS_ALERT_CLIENT);
	ck_assert_uint_eq(recs[0].fail.tls_alert, 46);
	ck_assert_int_eq(recs[0].fail.err, 0);
	ck_assert_uint_eq(recs[0].fail.t_connect_start, 1000);
	ck_assert_uint_eq(recs[0].fail.t_connect_done, 2000);
	ck_assert_uint_eq(recs[0].fail.t_tls_start, 2000);
	ck_assert_uint_eq(recs[0].fail.t_fail, 3100);
	ck_assert_str_eq(recs[0].dns, "example.test");
}
END_TEST

/* TLS 1.3 whose client closes after the server's flight, its alert
 * encrypted: closed during the handshake.  Once the handshake ended, an
 * ordinary close. */
START_TEST(tls_undecoded_closed_in_handshake)
{
	conn_on_write(C, tls13[0].p, tls13[0].len, 2000);
	conn_on_read(C, tls13[1].p, tls13[1].len, 2500);
	conn_on_write(C, (const uint8_t *)"\x17\x03\x03\x00\x13"
		      "0123456789abcdefghi", 24, 3000);
	conn_close(C, 3100);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_FAIL);
	ck_assert_uint_eq(recs[0].fail.flags, HT_FF_TLS | HT_FF_TLS_CLOSED);
	ck_assert_uint_eq(recs[0].fail.tls_alert, 0);
}
END_TEST

/* A hook claims the session after its ClientHello went by (a late
 * adoption): the connection is the hook's, its close an ordinary one. */
START_TEST(tls_undecoded_then_claimed)
{
	conn_on_write(C, tls13[0].p, tls13[0].len, 2000);
	conn_mark_tls(C);
	conn_on_transport(C, false, tls13[1].len, 2500);
	conn_tls_done(C, 3000, "TLSv1.3", "http/1.1");
	w(GET("/"), 3100);
	r(OK5, 3200);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert(recs[0].r.flags & HT_RF_TLS);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[1].close.flags, HT_CF_TLS);
	ck_assert_uint_eq(recs[1].close.requests, 1);
	ck_assert_str_eq(recs[1].sni, "");
}
END_TEST

/* The server's flight reported before the ClientHello (a reader thread's
 * hook ran first): still described. */
START_TEST(tls_undecoded_server_first)
{
	conn_on_read(C, tls13[1].p, tls13[1].len, 2500);
	conn_on_write(C, tls13[0].p, tls13[0].len, 2000);
	conn_on_write(C, tls13[2].p, tls13[2].len, 3000);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].close.flags, HT_CF_TLS | HT_CF_TLS_UNDECODED);
	ck_assert_str_eq(recs[0].sni, "example.test");
	ck_assert_str_eq(recs[0].tls_version, "TLSv1.3");
	ck_assert_uint_eq(recs[0].close.t_tls_done, 3000);
}
END_TEST

/* 0x16 0x03 that turns out not to be TLS: an ordinary close. */
START_TEST(tls_lookalike_is_not_described)
{
	conn_on_write(C, (const uint8_t *)"\x16\x03\x01\x00\x02\x02\x00", 7, 2000);
	conn_on_write(C, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, 2100);
	conn_close(C, 3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].close.flags, 0);
}
END_TEST

START_TEST(tls_failure_inside_tunnel)
{
	conn_connected(C, 2000);
	w(CONNECT_REQ, 3000);
	r("HTTP/1.1 200 Connection established\r\n\r\n", 4000);
	conn_mark_tls(C);
	conn_tls_start(C, 4100);
	conn_tls_failed(C, 4500);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_FAIL);
	ck_assert_uint_eq(recs[1].fail.flags, HT_FF_TLS | HT_FF_TUNNEL);
	ck_assert_uint_eq(recs[1].fail.t_connect_done, 4000);
	ck_assert_uint_eq(recs[1].fail.t_tls_start, 4100);
	ck_assert_str_eq(recs[1].dns, "target.test");
}
END_TEST

START_TEST(socks5_tunnel)
{
	conn_connected(C, 2000);
	conn_on_write(C, (const uint8_t *)"\x05\x01\x00", 3, 2100);
	conn_on_read(C, (const uint8_t *)"\x05\x00", 2, 2200);
	static const uint8_t req[] = "\x05\x01\x00\x03\x0b" "example.com\x00\x50";
	conn_on_write(C, req, sizeof req - 1, 2300);
	/* the answer and the inner response can never share a read, but the
	 * answer may come in pieces */
	conn_on_read(C, (const uint8_t *)"\x05\x00\x00\x01", 4, 2400);
	conn_on_read(C, (const uint8_t *)"\x7f\x00\x00\x01\x00\x50", 6, 2500);
	ck_assert_int_eq(nrecs, 0);
	w(GET("/s"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.req_seq, 1);
	ck_assert(!(recs[0].r.flags & HT_RF_REUSED));
	ck_assert(recs[0].r.flags & HT_RF_TUNNEL);
	ck_assert_str_eq(recs[0].tunnel, "example.com:80");
	ck_assert_uint_eq(recs[0].r.t[HT_T_CONNECT_DONE], 2500);
	ck_assert_uint_eq(recs[0].r.status, 200);
}
END_TEST

START_TEST(socks_refused_is_opaque)
{
	conn_connected(C, 2000);
	conn_on_write(C, (const uint8_t *)"\x04\x01\x00\x50\x7f\x00\x00\x01\x00", 9, 2100);
	conn_on_read(C, (const uint8_t *)"\x00\x5b\x00\x00\x00\x00\x00\x00", 8, 2200);
	ck_assert(!conn_wants_bytes(C));
	w(GET("/s"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 0);
}
END_TEST

START_TEST(h2c_upgrade_stream_1)
{
	conn_connected(C, 2000);
	w("GET /up HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, "
	  "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n",
	  3000);
	/* the 101, the server's SETTINGS and stream 1's answer in one read */
	h2_put("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
	       "Upgrade: h2c\r\n\r\n", 71);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, false, ok200);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 0);
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(3, true, get_b);
	h2_write(5000);
	h2_data(1, true, 7);
	h2_headers(3, true, nf404);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 2);
	ht_rec_request *a = &recs[0].r, *b = &recs[1].r;
	ck_assert_uint_eq(a->req_seq, 1);
	ck_assert_str_eq(recs[0].target, "/up");
	ck_assert_uint_eq(a->proto, HT_PROTO_HTTP2);
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->n_1xx, 1);
	ck_assert_uint_eq(a->t[HT_T_GOT_1XX], 4000);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 6000);
	ck_assert_uint_eq(a->resp_body_bytes, 7);
	ck_assert(!(a->flags & HT_RF_REUSED));
	ck_assert_uint_eq(b->req_seq, 2);
	ck_assert(b->flags & HT_RF_REUSED);
	ck_assert_uint_eq(b->status, 404);
}
END_TEST

/* After a WebSocket's 101 the connection is a session, its frames followed
 * (check_ws.c), no longer opaque: the 101 keeps its record. */
START_TEST(websocket_101_is_a_session)
{
	conn_connected(C, 2000);
	w("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
	  "Upgrade: websocket\r\n\r\n", 3000);
	r("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	  "Connection: Upgrade\r\n\r\n\x81\x05hello", 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.status, 101);
	ck_assert(conn_wants_bytes(C));
	ck_assert_int_eq(C->mode, CONN_MODE_WS);
}
END_TEST

START_TEST(h2_sequential_streams)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_headers(1, false, early103);
	h2_read(3500);
	h2_headers(1, false, ok200);
	h2_data(1, true, 100);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 1);
	h2_headers(3, true, get_b);
	h2_write(9000);
	h2_headers(3, false, nf404);
	h2_read(9500);
	h2_data(3, false, 10);
	h2_data(3, true, 5);
	h2_read(9800);
	ck_assert_int_eq(nrecs, 2);

	ht_rec_request *a = &recs[0].r, *b = &recs[1].r;
	ck_assert_uint_eq(a->proto, HT_PROTO_HTTP2);
	ck_assert_uint_eq(a->req_seq, 1);
	ck_assert(!(a->flags & HT_RF_REUSED));
	ck_assert_uint_eq(a->status, 200);
	ck_assert_uint_eq(a->n_1xx, 1);
	ck_assert_uint_eq(a->t[HT_T_GOT_1XX], 3500);
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 3500);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 3000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert_uint_eq(a->resp_body_bytes, 100);
	ck_assert_uint_eq(a->t[HT_T_CONNECT_DONE], 2000);
	ck_assert_str_eq(recs[0].method, "GET");
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_str_eq(recs[0].host, "example.test");
	ck_assert_ptr_nonnull(strstr(recs[0].req_hdrs, "authorization: [redacted]"));
	ck_assert_ptr_nonnull(strstr(recs[0].resp_hdrs, "content-type: text/plain"));
	ck_assert_uint_eq(b->req_seq, 2);
	ck_assert(b->flags & HT_RF_REUSED);
	ck_assert(b->flags & HT_RF_WAS_IDLE);
	ck_assert_uint_eq(b->t[HT_T_IDLE_SINCE], 4000);
	ck_assert_uint_eq(b->status, 404);
	ck_assert_uint_eq(b->resp_body_bytes, 15);
	ck_assert_uint_eq(b->t[HT_T_CONNECT_DONE], 0);
	conn_close(C, 20000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].close.requests, 2);
}
END_TEST

START_TEST(h2_concurrent_streams_and_resets)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_headers(5, true, get_b);
	h2_headers(7, true, get_b);
	h2_write(3000);
	/* answers out of order; 3 is reset; GOAWAY refuses 7 */
	h2_headers(5, true, ok200);
	h2_frame(0x3, 0, 3, (const uint8_t *)"\0\0\0\x08", 4);
	h2_frame(0x7, 0, 0, (const uint8_t *)"\0\0\0\x05\0\0\0\0", 8);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[0].r.req_seq, 3);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert(recs[0].r.flags & HT_RF_REUSED);
	ck_assert(!(recs[0].r.flags & HT_RF_WAS_IDLE));
	ck_assert_uint_eq(recs[1].r.req_seq, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_STREAM_RESET);
	ck_assert_uint_eq(recs[2].r.req_seq, 4);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_GOAWAY);
	/* stream 1 still open when the connection closes */
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 5);
	ck_assert_uint_eq(recs[3].r.req_seq, 1);
	ck_assert_uint_eq(recs[3].r.error, HT_ERR_NO_RESPONSE);
	ck_assert(!(recs[3].r.flags & HT_RF_REUSED));
	ck_assert_uint_eq(recs[4].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* A stream in flight is found past freed slots before it, and a new
 * stream's id (looked up before it opens) among streams in flight: the
 * look for a stream ends once every open one is seen. */
START_TEST(h2_stream_found_past_freed_slots)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_headers(5, true, get_b);
	h2_write(3000);
	/* 1 and 3 answered: their slots, before 5's, are free */
	h2_headers(1, true, ok200);
	h2_headers(3, true, nf404);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 2);
	/* 7 opens in a freed slot, before 5's */
	h2_headers(7, true, get_b);
	h2_write(5000);
	h2_headers(5, false, ok200);
	h2_data(5, true, 9);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.req_seq, 3);
	ck_assert_uint_eq(recs[2].r.status, 200);
	ck_assert_uint_eq(recs[2].r.resp_body_bytes, 9);
	ck_assert_uint_eq(recs[2].r.t[HT_T_RESPONSE_DONE], 6000);
	h2_headers(7, false, nf404);
	h2_data(7, true, 4);
	h2_read(7000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].r.req_seq, 4);
	ck_assert_uint_eq(recs[3].r.status, 404);
	ck_assert_uint_eq(recs[3].r.resp_body_bytes, 4);
	ck_assert_uint_eq(recs[3].r.t[HT_T_WROTE_HEADERS], 5000);
	/* none left in flight */
	conn_close(C, 8000);
	ck_assert_int_eq(nrecs, 5);
	ck_assert_uint_eq(recs[4].type, HT_REC_CONN_CLOSE);
}
END_TEST

/* Stream i of a many-stream test: id 2i+1, path /s<i>; the last ten
 * POSTs whose bodies come later, stream 150 a gRPC call. */
static void h2_many_request(unsigned i, bool end_stream)
{
	char path[16];
	snprintf(path, sizeof path, "/s%u", i);
	const char *const get[] = {":method", end_stream ? "GET" : "POST",
		":scheme", "https", ":authority", "many.test", ":path", path,
		"content-type", i == 150 ? "application/grpc" : "text/plain",
		NULL};
	h2_headers(2 * i + 1, end_stream, get);
}

/* Stream i's response: status 200 + i % 7, i + 1 body bytes. */
static void h2_many_response(unsigned i)
{
	char st[8];
	snprintf(st, sizeof st, "%u", 200 + i % 7);
	const char *const resp[] = {":status", st, NULL};
	h2_headers(2 * i + 1, false, resp);
	h2_data(2 * i + 1, true, i + 1);
}

/* 200 streams opened on one connection, 128 followed: the 72 others are
 * each reported at once (HT_ERR_OVERFLOW, method, path, authority, the
 * time their headers were written), and their later frames, DATA either
 * way, response HEADERS, RST_STREAM, trailers, go to no other stream,
 * even once slots are free; the 128 pair with their own responses, come
 * in reverse order. */
START_TEST(h2_streams_past_128_overflow)
{
	h2_open(2000);
	for (unsigned i = 0; i < 200; i++) {
		h2_many_request(i, i < 190);
		h2_write(3000 + i);
	}
	ck_assert_int_eq(nbriefs, 72);
	for (int k = 0; k < 72; k++) {
		const brief *b = &briefs[k];
		unsigned i = 128 + (unsigned)k;
		char path[16];

		snprintf(path, sizeof path, "/s%u", i);
		ck_assert_uint_eq(b->error, HT_ERR_OVERFLOW);
		ck_assert_uint_eq(b->stream_id, 2 * i + 1);
		ck_assert_uint_eq(b->seq, i + 1);
		ck_assert_str_eq(b->target, path);
		ck_assert_str_eq(b->host, "many.test");
		ck_assert_str_eq(b->method, i < 190 ? "GET" : "POST");
		ck_assert_uint_eq(b->wrote_headers, 3000 + i);
		ck_assert_uint_eq(b->wrote_request, i < 190 ? 3000 + i : 0);
		ck_assert_uint_eq(b->status, 0);
		ck_assert_uint_eq(!!(b->flags & HT_RF_GRPC), i == 150);
	}
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP2);
	/* the POSTs not followed: their bodies and trailers written */
	for (unsigned i = 190; i < 200; i++) {
		static const char *const trailers[] = {"x-t", "1", NULL};
		h2_data(2 * i + 1, false, 10);
		h2_headers(2 * i + 1, true, trailers);
		h2_write(4000);
	}
	ck_assert_int_eq(nbriefs, 72);
	/* every response, the last stream's first; a reset for 199 */
	for (unsigned i = 200; i-- > 0;) {
		h2_many_response(i);
		h2_read(5000 + (200 - i));
		if (i == 100) {
			/* half the slots free: trailers on an unfollowed
			 * stream open none */
			static const char *const trailers[] = {"x-t", "1",
							       NULL};
			h2_headers(2 * 195 + 1, true, trailers);
			h2_frame(0x3, 0, 2 * 196 + 1,
				 (const uint8_t *)"\0\0\0\x08", 4);
			h2_write(5100);
			h2_frame(0x3, 0, 2 * 199 + 1,
				 (const uint8_t *)"\0\0\0\x08", 4);
			h2_read(5101);
		}
	}
	ck_assert_int_eq(nbriefs, 200);
	for (int k = 72; k < 200; k++) {
		const brief *b = &briefs[k];
		unsigned i = 127 - (unsigned)(k - 72);
		char path[16];

		snprintf(path, sizeof path, "/s%u", i);
		ck_assert_uint_eq(b->error, HT_ERR_NONE);
		ck_assert_uint_eq(b->stream_id, 2 * i + 1);
		ck_assert_uint_eq(b->seq, i + 1);
		ck_assert_str_eq(b->target, path);
		ck_assert_uint_eq(b->status, 200 + i % 7);
		ck_assert_uint_eq(b->resp_body_bytes, i + 1);
		ck_assert_uint_eq(b->wrote_request, 3000 + i);
	}
	/* a new stream is followed again, with its own response */
	h2_headers(401, true, get_b);
	h2_write(9000);
	h2_headers(401, false, nf404);
	h2_data(401, true, 3);
	h2_read(9100);
	ck_assert_int_eq(nbriefs, 201);
	ck_assert_uint_eq(briefs[200].stream_id, 401);
	ck_assert_uint_eq(briefs[200].error, HT_ERR_NONE);
	ck_assert_uint_eq(briefs[200].status, 404);
	ck_assert_uint_eq(briefs[200].resp_body_bytes, 3);
	ck_assert_str_eq(briefs[200].target, "/b");
	conn_close(C, 10000);
	ck_assert_int_eq(nbriefs, 201);
}
END_TEST

START_TEST(h2_alpn_server_speaks_first)
{
	/* ALPN h2: the server's SETTINGS arrive before the client's preface */
	conn_connected(C, 2000);
	conn_tls_start(C, 2100);
	conn_tls_done(C, 2500, "TLSv1.3", "h2");
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_read(2600);
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_headers(1, true, ok200);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP2);
	ck_assert(recs[0].r.flags & HT_RF_TLS);
	ck_assert_uint_eq(recs[0].r.t[HT_T_TLS_DONE], 2500);
}
END_TEST

/* The server's SETTINGS with HEADER_TABLE_SIZE @size, and a WINDOW_UPDATE,
 * as a server with prior knowledge sends them at once (gRPC). */
static void h2_server_preface(uint32_t size)
{
	const uint8_t settings[] = {0, 1, (uint8_t)(size >> 24),
		(uint8_t)(size >> 16), (uint8_t)(size >> 8), (uint8_t)size};
	const uint8_t window[] = {0, 0x3f, 0xff, 0};
	h2_frame(0x4, 0, 0, settings, sizeof settings);
	h2_frame(0x8, 0, 0, window, sizeof window);
}

/* The client's header block for get_b, announcing a dynamic table of 8192
 * bytes first: a decoder that never saw the server allow it fails. */
static void h2_headers_table_8192(uint32_t stream)
{
	uint8_t block[512] = {0x3f, 0xe1, 0x3f}; /* size update, 8192 */
	size_t n = 3 + h2_literals(block + 3, get_b);
	h2_frame(0x1, 0x5, stream, block, n);
}

/* A cleartext connection whose server speaks first: its preface
 * (h2_server_preface(@size)) read in two reads, cut after @cut bytes; the
 * connection still wants bytes. */
static void h2_server_speaks_first(uint32_t size, size_t cut)
{
	conn_connected(C, 2000);
	h2_server_preface(size);
	conn_on_read(C, h2buf, cut, 2100);
	conn_on_read(C, h2buf + cut, h2len - cut, 2200);
	h2_reset();
	ck_assert(conn_wants_bytes(C));
}

/* Then the client's preface, its SETTINGS and ACK, and GET /b on stream 1
 * in a block that uses the table the server's SETTINGS allowed (written
 * at 3000); then the server's ACK and its 200 head on stream 1, to be
 * read with what the test adds. */
static void h2_get_b_after_server_first(void)
{
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_frame(0x4, 0x1, 0, NULL, 0);
	h2_headers_table_8192(1);
	h2_write(3000);
	h2_frame(0x4, 0x1, 0, NULL, 0);
	h2_headers(1, false, ok200);
}

START_TEST(h2_prior_knowledge_server_speaks_first)
{
	/* cleartext, no ALPN: the server's preface comes before the client
	 * wrote anything, split across reads (inside the frame header) */
	h2_server_speaks_first(8192, 5);
	ck_assert_int_eq(nrecs, 0);
	h2_get_b_after_server_first();
	h2_data(1, false, 5);
	h2_headers(1, true, (const char *const[]){"grpc-status", "0", NULL});
	h2_read(4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP2);
	ck_assert_str_eq(recs[0].method, "GET");
	ck_assert_str_eq(recs[0].target, "/b");
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
	ck_assert_uint_eq(recs[0].r.t[HT_T_CONNECT_DONE], 2000);
	ck_assert_uint_eq(recs[0].r.t[HT_T_WROTE_REQUEST], 3000);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 4000);
}
END_TEST

/* The server's preface kept, its next read beginning with bytes that could
 * begin a TLS record (a SETTINGS value 0x16030100): still HTTP/2's
 * preface, not a TLS server's flight. */
START_TEST(h2_server_first_split_before_tls_lookalike)
{
	/* frame header (9) and the setting's id (2), then its value */
	h2_server_speaks_first(0x16030100, 11);
	h2_get_b_after_server_first();
	h2_data(1, true, 5);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.proto, HT_PROTO_HTTP2);
	ck_assert_str_eq(recs[0].target, "/b");
	ck_assert_uint_eq(recs[0].r.status, 200);
}
END_TEST

START_TEST(server_first_then_http1_not_followed)
{
	/* what looks like an HTTP/2 server's preface, then an HTTP/1.1
	 * request: its response cannot be told from what came first; the
	 * request is reported, as not followed */
	conn_connected(C, 2000);
	h2_server_preface(4096);
	h2_read(2100);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.status, 0);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[1].close.requests, 1);
}
END_TEST

/* A greeting that is no HTTP/2 preface, then HTTP/1.1 requests: each is
 * reported, as not followed; another protocol's first write (SMTP's
 * EHLO) leaves the connection opaque, with no record. */
START_TEST(server_first_greeting_then_http1)
{
	conn_connected(C, 2000);
	r("220 smtp.test ESMTP\r\n", 2100);
	r("more greeting\r\n", 2200);
	w(GET("/a"), 3000);
	r(OK5, 4000);
	w(GET("/b"), 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert(!(recs[0].r.flags & HT_RF_REUSED));
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_DESYNC);
	ck_assert_str_eq(recs[1].target, "/b");
	teardown();
	setup();
	conn_connected(C, 2000);
	r("220 smtp.test ESMTP\r\n", 2100);
	w("EHLO x\r\n", 3000);
	ck_assert(!conn_wants_bytes(C));
	r("250 ok\r\n", 4000);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[0].close.requests, 0);
}
END_TEST

START_TEST(server_first_greeting_is_opaque)
{
	/* a greeting that is no SETTINGS frame: the client's first write
	 * decides (server_first_greeting_then_http1) */
	conn_connected(C, 2000);
	r("220 smtp.test ESMTP\r\n", 2100);
	ck_assert(conn_wants_bytes(C));
	/* more than a server preface is kept for */
	teardown();
	setup();
	conn_connected(C, 2000);
	uint8_t big[CONN_EARLY_MAX + 6] = {0};
	big[2] = 126; /* a multiple of 6; with its header 135 bytes */
	big[3] = 0x4;
	conn_on_read(C, big, CONN_EARLY_MAX, 2100);
	ck_assert(conn_wants_bytes(C));
	conn_on_read(C, big + CONN_EARLY_MAX, 6, 2200);
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, true, get_a);
	h2_write(3000);
	/* an HTTP/2 client after it: not followed, a note says so */
	ck_assert(!conn_wants_bytes(C));
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
}
END_TEST

START_TEST(h2_undecodable_response_counts_later_requests)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	/* a header block the decoder cannot read (index out of range): no
	 * response of this connection can be decoded from then on */
	h2_frame(0x1, 0x5, 1, (const uint8_t *)"\xff\xff\xff\xff\x0f", 5);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_RESPONSE);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
	/* later requests are still read, each reported at once */
	h2_headers(3, true, get_b);
	h2_write(5000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_BAD_RESPONSE);
	ck_assert_str_eq(recs[2].target, "/b");
	ck_assert_uint_eq(recs[2].r.t[HT_T_WROTE_REQUEST], 5000);
	h2_headers(3, true, ok200);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 3);
}
END_TEST

/* A header block on @stream over 16 KiB (a HEADERS of 10000 bytes and a
 * CONTINUATION of 7000, END_HEADERS), read when @read else written, at
 * @t: the tracer frames it but cannot keep it. */
static void h2_big_block(uint32_t stream, bool end_stream, bool read,
			 uint64_t t)
{
	static uint8_t big[9 + 10000 + 9 + 7000];

	memset(big, 'x', sizeof big);
	h2_frame_head(big, 0x1, end_stream ? 0x1 : 0, stream, 10000);
	h2_frame_head(big + 9 + 10000, 0x9, 0x4, stream, 7000);
	if (read)
		conn_on_read(C, big, sizeof big, t);
	else
		conn_on_write(C, big, sizeof big, t);
}

START_TEST(h2_big_response_block_not_followed)
{
	/* streams 1, 3 and 5 in flight; stream 1's response headers were
	 * decoded, then stream 3's block is over 16 KiB */
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_headers(5, true, get_b);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_read(4000);
	h2_big_block(3, false, true, 4100);
	/* stream 3 alone ends, not followed, no status; nothing is
	 * "malformed" and no note says the connection was lost */
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.stream_id, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_RESP_HEAD_BIG);
	ck_assert(ht_error_not_seen(recs[0].r.error));
	ck_assert_uint_eq(recs[0].r.status, 0);
	ck_assert_uint_eq(recs[0].r.t[HT_T_FIRST_BYTE], 4100);
	/* its DATA finds no stream; stream 1's body ends it right */
	h2_data(3, true, 4);
	h2_data(1, true, 5);
	h2_read(5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.stream_id, 1);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.status, 200);
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 5);
	/* stream 5's headers come after the lost HPACK state: not decoded */
	h2_headers(5, false, nf404);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.stream_id, 5);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_HEAD_LOST);
	ck_assert(ht_error_not_seen(recs[2].r.error));
	ck_assert_uint_eq(recs[2].r.status, 0);
	/* a later request is still followed, with its fields, until its
	 * response headers come */
	h2_headers(7, true, get_a);
	h2_write(7000);
	ck_assert_int_eq(nrecs, 3);
	h2_headers(7, true, ok200);
	h2_read(8000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_str_eq(recs[3].target, "/a");
	ck_assert_uint_eq(recs[3].r.error, HT_ERR_HEAD_LOST);
	ck_assert_uint_eq(recs[3].r.t[HT_T_WROTE_REQUEST], 7000);
	ck_assert_uint_eq(recs[3].r.t[HT_T_FIRST_BYTE], 8000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 5);
	ck_assert_uint_eq(recs[4].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[4].close.requests, 4);
}
END_TEST

START_TEST(h2_big_response_trailers_keep_the_response)
{
	/* the final headers decoded, then a trailer block over 16 KiB that
	 * ends the stream: the response is whole, its status known */
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_data(1, false, 5);
	h2_read(4000);
	h2_big_block(1, true, true, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 5000);
}
END_TEST

START_TEST(h2_big_request_block_not_followed)
{
	/* stream 1 in flight, then stream 3's request block over 16 KiB:
	 * stream 3 is not followed, stream 1 still is */
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_big_block(3, true, false, 3100);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.stream_id, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_REQ_HEAD_BIG);
	ck_assert(ht_error_not_seen(recs[0].r.error));
	ck_assert_uint_eq(recs[0].r.t[HT_T_WROTE_REQUEST], 3100);
	h2_headers(1, true, ok200);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[1].target, "/a");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.status, 200);
	/* stream 5's request block comes after the lost HPACK state */
	h2_headers(5, true, get_b);
	h2_write(5000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.stream_id, 5);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_HEAD_LOST);
	ck_assert_str_eq(recs[2].target, "");
}
END_TEST

/* (review of h2bigresp) a response block of exactly 16 KiB (padded
 * HEADERS, CONTINUATION, fed one byte at a time) is decoded; one byte
 * more is too large to keep, and only its stream ends. */
static size_t block_of(uint8_t *b, size_t total)
{
	size_t n = 0, v, ll;

	memcpy(b, "\x00\x07:status\x03" "200", 13);
	n = 13;
	b[n++] = 0x00;
	b[n++] = 0x05;
	memcpy(b + n, "x-big", 5);
	n += 5;
	ll = 3; /* 0x7f and two continuation bytes for values 255..16510 */
	v = total - n - ll;
	b[n++] = 0x7f;
	b[n++] = (uint8_t)(0x80 | ((v - 127) & 0x7f));
	b[n++] = (uint8_t)((v - 127) >> 7);
	memset(b + n, 'y', v);
	return n + v;
}

START_TEST(h2_block_limit_split_bytewise)
{
	static uint8_t block[16400], wire[16500];
	for (int over = 0; over < 2; over++) {
		size_t bl = block_of(block, 16384 + over), w = 0;

		h2_open(2000);
		h2_headers(1, true, get_a);
		h2_write(3000);
		h2_frame_head(wire, 0x1, 0x8 | 0x1, 1, 1 + 5000 + 3);
		w = 9;
		wire[w++] = 3;
		memcpy(wire + w, block, 5000);
		w += 5000;
		memset(wire + w, 0, 3);
		w += 3;
		h2_frame_head(wire + w, 0x9, 0x4, 1, (uint32_t)(bl - 5000));
		w += 9;
		memcpy(wire + w, block + 5000, bl - 5000);
		w += bl - 5000;
		for (size_t i = 0; i < w; i++)
			conn_on_read(C, wire + i, 1, 4000);
		ck_assert_int_eq(nrecs, 1);
		ck_assert_uint_eq(recs[0].r.stream_id, 1);
		ck_assert_uint_eq(recs[0].r.error,
				  over ? HT_ERR_RESP_HEAD_BIG : HT_ERR_NONE);
		ck_assert_uint_eq(recs[0].r.status, over ? 0 : 200);
		teardown();
		setup();
	}
}
END_TEST

/* (review of h2bigresp) the client resets stream 3 between the server's
 * HEADERS and CONTINUATION of a block over 16 KiB on it, then changes its
 * header table size: stream 3 ends reset, once; stream 1, in flight, and
 * stream 5, opened later, end HEADER_LOST at their headers, never with a
 * status decoded against the lost table. */
START_TEST(h2_big_block_rst_between_frames)
{
	static uint8_t a[9 + 10000], b[9 + 7000];
	static const uint8_t cancel[4] = {0, 0, 0, 8};
	static const uint8_t tbl[6] = {0, 1, 0, 0, 0x10, 0}; /* 4096 */

	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_write(3000);
	memset(a, 'x', sizeof a);
	memset(b, 'x', sizeof b);
	h2_frame_head(a, 0x1, 0, 3, 10000);
	h2_frame_head(b, 0x9, 0x4, 3, 7000);
	conn_on_read(C, a, sizeof a, 3100);
	h2_frame(0x3, 0, 3, cancel, 4);
	h2_frame(0x4, 0, 0, tbl, 6);
	h2_write(3200);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.stream_id, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_STREAM_RESET);
	conn_on_read(C, b, sizeof b, 3300);
	ck_assert_int_eq(nrecs, 1);
	h2_frame(0x4, 0x1, 0, NULL, 0); /* the server's ACK */
	h2_headers(1, true, ok200);
	h2_read(3400);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.stream_id, 1);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_HEAD_LOST);
	ck_assert_uint_eq(recs[1].r.status, 0);
	h2_headers(5, true, get_a);
	h2_write(3500);
	h2_headers(5, true, nf404);
	h2_read(3600);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.stream_id, 5);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_HEAD_LOST);
	ck_assert_uint_eq(recs[2].r.status, 0);
	ck_assert_str_eq(recs[2].target, "/a");
}
END_TEST

START_TEST(h2_undecodable_request_counts_later_streams)
{
	h2_open(2000);
	h2_headers(1, false, get_a);
	h2_write(3000);
	h2_frame(0x1, 0x5, 3, (const uint8_t *)"\xfe", 1);
	h2_write(3100);
	/* stream 1 in flight, stream 3 whose block failed, and a note */
	ck_assert_int_eq(nrecs, 3);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_BAD_REQUEST);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
	ck_assert_uint_eq(recs[2].r.stream_id, 3);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_BAD_REQUEST);
	ck_assert_str_eq(recs[2].target, "");
	/* stream 1's trailers: it ended at the give-up; stream 5 is new,
	 * framed but not decoded */
	h2_headers(1, true, get_b);
	h2_headers(5, true, get_b);
	h2_write(4000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].r.error, HT_ERR_BAD_REQUEST);
	ck_assert_str_eq(recs[3].target, "");
	ck_assert_uint_eq(recs[3].r.stream_id, 5);
	ck_assert_uint_eq(recs[3].r.t[HT_T_WROTE_REQUEST], 4000);
	/* then bytes that are not framing: nothing more is looked at */
	h2_put("\0\0\5\4\0\0\0\0\0abcde", 14);
	h2_headers(7, true, get_b);
	h2_write(5000);
	ck_assert(!conn_wants_bytes(C));
	ck_assert_int_eq(nrecs, 4);
	conn_close(C, 6000);
	ck_assert_uint_eq(recs[4].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[4].close.requests, 3);
}
END_TEST

START_TEST(h2_server_undecodable_request_counted)
{
	/* the same, the traced program the server */
	ht_addr peer = {.family = 2, .port = 5555, .addr = {127, 0, 0, 1}};

	free(C);
	C = calloc(1, sizeof *C);
	conn_server_init(C, &env, 100, 1, &peer, 1000);
	h2_frame(0x4, 0, 0, NULL, 0);
	conn_server_write(C, h2buf, h2len, 2000);
	h2_reset();
	h2_put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	h2_frame(0x4, 0, 0, NULL, 0);
	h2_headers(1, true, get_a);
	conn_server_read(C, h2buf, h2len, 2100);
	h2_reset();
	h2_headers(1, true, ok200);
	conn_server_write(C, h2buf, h2len, 2200);
	h2_reset();
	ck_assert_int_eq(nrecs, 1);
	h2_frame(0x4, 0x1, 0, NULL, 0);
	h2_frame(0x1, 0x5, 3, (const uint8_t *)"\x82\x86\xfe\x7f", 4);
	conn_server_read(C, h2buf, h2len, 2300);
	h2_reset();
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
	ck_assert_uint_eq(recs[2].r.stream_id, 3);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_BAD_REQUEST);
	ck_assert(recs[2].r.flags & HT_RF_SERVER);
}
END_TEST

START_TEST(h2_not_framing_idle_leaves_a_note)
{
	/* nothing in flight: the give-up still says the connection was not
	 * followed */
	h2_open(2000);
	h2_put("\0\0\4\6\0\0\0\0\0abcd", 13); /* PING of 4 bytes */
	h2_read(3000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
	h2_headers(1, true, get_a);
	h2_write(4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_BAD_RESPONSE);
	ck_assert_str_eq(recs[1].target, "/a");
}
END_TEST

/* The server's smaller SETTINGS_HEADER_TABLE_SIZE binds the client's
 * encoder from the client's ACK on: a request block written before it
 * (no size update) is decoded, the one after it begins with the update
 * (check_http2.c: one that does not is refused). */
START_TEST(h2_table_size_applies_at_ack)
{
	static const uint8_t ts0[6] = {0, 1, 0, 0, 0, 0};
	uint8_t block[512];
	size_t n;

	h2_open(2000);
	h2_frame(0x4, 0x1, 0, NULL, 0); /* ACK of the server's first */
	h2_write(2400);
	h2_frame(0x4, 0, 0, ts0, sizeof ts0);
	h2_read(2500);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_frame(0x4, 0x1, 0, NULL, 0); /* the client's ACK */
	block[0] = 0x20;                /* size update 0 */
	n = 1 + h2_literals(block + 1, get_b);
	h2_frame(0x1, 0x5, 3, block, n);
	h2_write(3100);
	h2_headers(1, true, ok200);
	h2_headers(3, true, ok200);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
}
END_TEST

/* ---- bytes discarded unread (MSG_TRUNC) ----------------------------------- */

START_TEST(unseen_content_length_body_skipped)
{
	conn_connected(C, 2000);
	w(GET("/a") GET("/b"), 3000);
	r("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", 4000);
	conn_on_unseen(C, 3, 4100);
	ck_assert_int_eq(nrecs, 0);
	/* the rest of the body and no more: the response completes */
	conn_on_unseen(C, 5, 4200);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 10);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 4200);
	/* the next response is read as usual */
	r(OK5, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 5);
	conn_close(C, 6000);
	ck_assert_uint_eq(recs[2].close.bytes_in,
			  strlen("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n") +
			  10 + strlen(OK5));
}
END_TEST

START_TEST(unseen_chunk_data_skipped)
{
	conn_connected(C, 2000);
	w(GET("/c"), 3000);
	r("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nh", 4000);
	conn_on_unseen(C, 4, 4100);  /* the rest of the chunk's data */
	r("\r\n3\r\nabc\r\n0\r\n\r\n", 4200);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 8);
}
END_TEST

START_TEST(unseen_body_to_close_skipped)
{
	conn_connected(C, 2000);
	w("GET / HTTP/1.0\r\n\r\n", 3000);
	r("HTTP/1.0 200 OK\r\n\r\nabc", 4000);
	conn_on_unseen(C, 1000, 4500);
	conn_on_eof(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 1003);
}
END_TEST

START_TEST(unseen_past_chunk_gives_up)
{
	conn_connected(C, 2000);
	w(GET("/c"), 3000);
	r("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nh", 4000);
	/* beyond the chunk: its framing went by unseen */
	conn_on_unseen(C, 10, 4100);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[0].r.status, 200);
	/* what follows is never parsed as a response */
	r("\r\n0\r\n\r\n" OK5, 4200);
	ck_assert_int_eq(nrecs, 1);
}
END_TEST

START_TEST(give_up_after_a_hole)
{
	/* A signal handler's write went by unfed (hook_io.c): the requests
	 * in flight end as not followed, with the reason's own error, and
	 * the responses that follow are never paired with anything. */
	conn_connected(C, 2000);
	w(GET("/a") GET("/b"), 3000);
	conn_give_up(C, HT_ERR_UNFOLLOWED, "a hole", 3500);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[0].r.status, 0);
	r(OK5 OK5, 4000);
	/* a later request is reported as written, with the same error */
	w(GET("/c"), 5000);
	r(OK5, 6000);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_UNFOLLOWED);
	for (int i = 0; i < nrecs; i++)
		ck_assert_uint_eq(recs[i].r.status, 0);
}
END_TEST

START_TEST(unseen_headers_fail_requests_in_flight_and_later)
{
	conn_connected(C, 2000);
	w(GET("/a") GET("/b"), 3000);
	/* the whole first answer discarded, headers included */
	conn_on_unseen(C, strlen(OK5), 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[0].r.status, 0);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_UNSEEN);
	/* /b's answer, read: never paired with anything */
	r(OK5, 5000);
	ck_assert_int_eq(nrecs, 2);
	/* a later request is reported, as not followed, once written */
	w("GET /c HTTP/1.1\r\nHost: x\r\n", 6000);
	ck_assert_int_eq(nrecs, 2);
	w("\r\n", 6100);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_str_eq(recs[2].target, "/c");
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[2].r.req_seq, 3);
	ck_assert_uint_eq(recs[2].r.t[HT_T_WROTE_REQUEST], 6100);
	r(OK5, 7000);
	conn_on_eof(C, 8000);
	conn_close(C, 9000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[3].close.requests, 3);
	ck_assert_uint_eq(recs[3].close.bytes_in, 3 * strlen(OK5));
}
END_TEST

START_TEST(unseen_partial_response_keeps_what_was_read)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	r("HTTP/1.1 404 Not Found\r\nContent-Le", 4000);
	conn_on_unseen(C, 20, 4100);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[0].r.status, 404);
	ck_assert_uint_eq(recs[0].r.t[HT_T_FIRST_BYTE], 4000);
}
END_TEST

START_TEST(unseen_h2_stops_with_a_note)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	conn_on_unseen(C, 30, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
	h2_headers(3, true, get_b);
	h2_write(5000);
	h2_headers(3, true, ok200);
	h2_read(6000);
	ck_assert_int_eq(nrecs, 2);
}
END_TEST

/* ---- HTTP/2 response bytes that went by unseen --------------------------- */

/* The header of a DATA frame on @stream with @flags and @len payload
 * bytes, its payload left out (the bytes that go by unseen). */
static void h2_data_header(uint32_t stream, uint8_t flags, uint32_t len)
{
	uint8_t h[9] = {(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
			0x0, flags, (uint8_t)(stream >> 24),
			(uint8_t)(stream >> 16), (uint8_t)(stream >> 8),
			(uint8_t)stream};
	h2_put(h, 9);
}

/* A DATA body unseen after its frame header (a server's sendfile, a
 * MSG_TRUNC read) is counted: the stream ends right, the connection is
 * still followed. */
START_TEST(unseen_h2_data_body_skipped)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_data_header(1, 0x1, 100);
	h2_read(4000);
	conn_on_unseen(C, 60, 4100);
	ck_assert_int_eq(nrecs, 0);
	conn_on_unseen(C, 40, 4200);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 100);
	ck_assert_uint_eq(recs[0].r.t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 4200);
	h2_headers(3, true, get_b);
	h2_write(5000);
	h2_headers(3, false, nf404);
	h2_data_header(3, 0x8 | 0x1, 1 + 3 + 5); /* padded: 3 bytes, 5 of pad */
	h2_put("\x05", 1);
	h2_read(6000);
	conn_on_unseen(C, 3 + 5, 6100);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.status, 404);
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 3);
	ck_assert(conn_wants_bytes(C));
}
END_TEST

/* Unseen bytes past the DATA frame's end cover the next frame's header:
 * the frame's stream ends right, the others are not followed. */
START_TEST(unseen_h2_past_data_gives_up)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_headers(3, true, get_b);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_data_header(1, 0x1, 10);
	h2_read(4000);
	conn_on_unseen(C, 10 + 9, 4100);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.stream_id, 1);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 10);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[1].r.stream_id, 3);
	ck_assert_uint_eq(recs[2].type, HT_REC_NOTE);
	ck_assert(!conn_wants_bytes(C));
}
END_TEST

/* The pad length of a PADDED DATA frame, unseen: where its body ends is
 * unknown. */
START_TEST(unseen_h2_pad_length_gives_up)
{
	h2_open(2000);
	h2_headers(1, true, get_a);
	h2_write(3000);
	h2_headers(1, false, ok200);
	h2_data_header(1, 0x8 | 0x1, 10);
	h2_read(4000);
	conn_on_unseen(C, 10, 4100);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNSEEN);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
}
END_TEST

static const char *const grpc_req[] = {":method", "POST", ":scheme", "http",
	":authority", "example.test", ":path", "/pkg.S/M", "content-type",
	"application/grpc", NULL};
static const char *const grpc_ok[] = {":status", "200", "content-type",
	"application/grpc", NULL};
static const char *const grpc_trailers[] = {"grpc-status", "0", NULL};

/* gRPC: unseen bytes inside a message's payload are counted; a hole that
 * hides a message's prefix ends that call as not followed (its messages
 * are lost), the connection and its other calls still followed. */
START_TEST(unseen_h2_grpc_messages)
{
	static const uint8_t prefix20[5] = {0, 0, 0, 0, 20};
	h2_open(2000);
	h2_headers(1, false, grpc_req);
	h2_frame(0x0, 0x1, 1, (const uint8_t *)"\0\0\0\0\0", 5);
	h2_headers(3, false, grpc_req);
	h2_frame(0x0, 0x1, 3, (const uint8_t *)"\0\0\0\0\0", 5);
	h2_write(3000);
	h2_headers(1, false, grpc_ok);
	h2_headers(3, false, grpc_ok);
	h2_data_header(1, 0, 25);
	h2_put(prefix20, 5);
	h2_read(4000);
	conn_on_unseen(C, 20, 4100); /* the payload: counted */
	h2_data_header(3, 0, 25);
	h2_read(4200);
	conn_on_unseen(C, 25, 4300); /* a prefix among them: stream 3 lost */
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.stream_id, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert(conn_wants_bytes(C));
	h2_headers(1, true, grpc_trailers);
	h2_read(4400);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[1].r.stream_id, 1);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert(recs[1].r.flags & HT_RF_GRPC);
	ck_assert_uint_eq(recs[1].r.grpc.msgs_recv, 1);
	ck_assert_uint_eq(recs[1].r.grpc.bytes_recv, 20);
	ck_assert_uint_eq(recs[1].r.grpc.t_first_recv, 4100);
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 25);
	/* stream 3's later frames find no stream */
	h2_headers(3, true, grpc_trailers);
	h2_read(4500);
	ck_assert_int_eq(nrecs, 2);
}
END_TEST

START_TEST(unseen_before_any_request)
{
	conn_connected(C, 2000);
	conn_on_unseen(C, 10, 3000);
	ck_assert_int_eq(nrecs, 0);
	ck_assert(!conn_wants_bytes(C));
}
END_TEST


/* ---- request bytes sent unseen (sendfile, splice) -------------------------- */

/* A body of known length sent by sendfile after its head: counted, and
 * the next request on the connection is read as a request (before, its
 * head was taken for the body's rest and it was never reported). */
START_TEST(write_unseen_body_skipped)
{
	conn_connected(C, 2000);
	w("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", 3000);
	conn_on_write_unseen(C, 8, 3100);
	w(GET("/b"), 3200);
	r(OK5, 4000);
	r(OK5, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/u");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 10);
	ck_assert_uint_eq(recs[0].r.t[HT_T_WROTE_REQUEST], 3100);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[1].r.req_body_bytes, 0);
}
END_TEST

/* A request head sent unseen: the one in flight is not followed, a note
 * says the connection is not, and nothing after is paired. */
START_TEST(write_unseen_head_gives_up)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	conn_on_write_unseen(C, strlen(GET("/b")), 3100);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_msg(strcmp(recs[0].target, "/a") == 0, "unseen: target '%s' method '%s' error %d", recs[0].target, recs[0].method, recs[0].r.error);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
	r(OK5, 4000);
	w(GET("/c"), 4100);
	r(OK5 OK5, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert(!conn_wants_bytes(C));
}
END_TEST

/* The first bytes unseen: nothing says whether the connection is HTTP,
 * and its requests, if it carries any, cannot be framed: one note says it
 * is not followed, nothing after it is parsed (the review of baf136e: no
 * word at all before, a client's three requests lost with a clean
 * summary). */
START_TEST(write_unseen_first_bytes_not_followed)
{
	conn_connected(C, 2000);
	conn_on_write_unseen(C, 10, 3000);
	w(GET("/a"), 3100);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_NOTE);
	ck_assert(!conn_wants_bytes(C));
}
END_TEST


/* ---- rev-audit6: conn_on_write_unseen() attacks ---------------------------- */

/* A WebSocket session whose client sends a frame's payload by sendfile:
 * the session is no longer followed, and its record must say so
 * (HT_WF_LOST, as conn_give_up() does), never a session record that
 * looks whole. */
START_TEST(unseen_w_ws_write_unseen_lost)
{
	conn_connected(C, 2000);
	w("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
	  "Upgrade: websocket\r\n\r\n", 3000);
	r("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	  "Connection: Upgrade\r\n\r\n\x81\x05hello", 4000);
	ck_assert_int_eq(C->mode, CONN_MODE_WS);
	nws = 0;
	last_ws_flags = 0;
	conn_on_write_unseen(C, 20, 5000);
	conn_close(C, 6000);
	ck_assert_int_eq(nws, 1);
	ck_assert_msg(last_ws_flags & HT_WF_LOST,
		      "ws record flags 0x%x without HT_WF_LOST", last_ws_flags);
}
END_TEST

/* A request head partly written, its end sent by sendfile: the request is
 * reported (as far as it was seen) not followed, with a note. */
START_TEST(unseen_w_head_part_then_unseen)
{
	conn_connected(C, 2000);
	w("GET /a HTTP/1.1\r\nHost: x\r\n", 3000);
	conn_on_write_unseen(C, 2, 3100);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	/* (its target is empty, as on a close mid-head: not asserted) */
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
}
END_TEST


/* A server answers a request before its body (413), the client sends the
 * body by sendfile anyway: the request is 413, complete. */
START_TEST(unseen_w_early_answer_then_body_unseen)
{
	conn_connected(C, 2000);
	w("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", 3000);
	r("HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n", 3500);
	conn_on_write_unseen(C, 10, 3600);
	w(GET("/b"), 3700);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/u");
	ck_assert_uint_eq(recs[0].r.status, 413);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 10);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.status, 200);
}
END_TEST

/* Expect: 100-continue refused (a final answer first); the client sends the
 * body by sendfile anyway, then a next request: both paired right. */
START_TEST(unseen_w_expect_refused_body_unseen)
{
	conn_connected(C, 2000);
	w("POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
	  "Content-Length: 10\r\n\r\n", 3000);
	r("HTTP/1.1 401 No\r\nContent-Length: 0\r\n\r\n", 3500);
	conn_on_write_unseen(C, 10, 3600);
	w(GET("/b"), 3700);
	r(OK5, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/u");
	ck_assert_uint_eq(recs[0].r.status, 401);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 10);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.status, 200);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
}
END_TEST

/* Chunked: size line written, the chunk's data by sendfile, the rest
 * written; the next request paired. */
START_TEST(unseen_w_chunk_data_unseen)
{
	conn_connected(C, 2000);
	w("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "a\r\n", 3000);
	conn_on_write_unseen(C, 10, 3100);
	w("\r\n0\r\n\r\n", 3200);
	w(GET("/b"), 3300);
	r(OK5, 4000);
	r(OK5, 4100);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 10);
	ck_assert_str_eq(recs[1].target, "/b");
}
END_TEST

/* A first request written after the first bytes went by sendfile (a
 * request head from a file): nothing recorded, nothing said. */
START_TEST(unseen_w_first_head_unseen_says_nothing)
{
	conn_connected(C, 2000);
	conn_on_write_unseen(C, strlen(GET("/a")), 3000);
	r(OK5, 4000);
	w(GET("/b"), 4100);
	r(OK5, 5000);
	conn_close(C, 6000);
	int notes = 0, reqs = 0;
	for (int i = 0; i < nrecs && i < 16; i++) {
		notes += recs[i].type == HT_REC_NOTE;
		reqs += recs[i].type == HT_REC_REQUEST;
	}
	ck_assert_msg(notes + reqs > 0, "two requests, no record, no note "
		      "(%d records)", nrecs);
}
END_TEST


/* HTTP/2: a stream's DATA payload sent by sendfile: the stream in flight
 * ends not followed, a note; later frames ignored. */
START_TEST(unseen_w_h2_write_unseen)
{
	h2_open(2000);
	h2_headers(1, false, get_a);
	h2_write(3000);
	conn_on_write_unseen(C, 100, 3100);
	h2_headers(1, false, ok200);
	h2_data(1, true, 100);
	h2_read(4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[1].type, HT_REC_NOTE);
}
END_TEST

/* ---- reads held while a write is in flight (conn_hold.c) ----------------- */

/* Hold @s, read at @t, as the hooks do while a write is in flight. */
static void hr(const char *s, uint64_t t)
{
	conn_hold(C, CONN_IN_READ, (const uint8_t *)s, strlen(s), t);
}

/* The server's TLS flight read (as ciphertext: no TLS call yet) and held
 * while the ClientHello's write is in flight, then a TLS hook claims the
 * connection and feeds the request before the write ends: the held
 * ciphertext is not plaintext, never a response. */
START_TEST(hold_ciphertext_then_claimed)
{
	conn_on_write(C, tls13[0].p, tls13[0].len, 2000);
	conn_hold(C, CONN_IN_READ, tls13[1].p, tls13[1].len, 2500);
	conn_mark_tls(C);
	conn_tls_done(C, 3000, "TLSv1.3", "http/1.1");
	w(GET("/"), 3100);
	conn_release_held(C); /* the write ends */
	r(OK5, 3200);
	conn_close(C, 4000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_uint_eq(recs[0].r.status, 200);
	ck_assert_uint_eq(recs[0].r.error, 0);
}
END_TEST

START_TEST(hold_first_response_before_its_request)
{
	/* The reader saw the response before the writer's hook fed the
	 * request: without the hold, the server "spoke first" (opaque). */
	conn_connected(C, 2000);
	hr(OK5, 4000);
	ck_assert(conn_holding(C));
	w(GET("/a"), 5000);
	ck_assert_int_eq(nrecs, 0);
	conn_release_held(C);
	ck_assert(!conn_holding(C));
	ck_assert_int_eq(nrecs, 1);
	ht_rec_request *a = &recs[0].r;
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(a->error, HT_ERR_NONE);
	ck_assert_uint_eq(a->resp_body_bytes, 5);
	/* the read's own time; the write's, taken after it, is clamped */
	ck_assert_uint_eq(a->t[HT_T_FIRST_BYTE], 4000);
	ck_assert_uint_eq(a->t[HT_T_RESPONSE_DONE], 4000);
	ck_assert_uint_eq(a->t[HT_T_GOT_CONN], 4000);
	ck_assert_uint_eq(a->t[HT_T_WROTE_REQUEST], 4000);
}
END_TEST

START_TEST(hold_keepalive_every_split)
{
	/* The second response, held in two reads split at every point,
	 * pairs with the second request fed after it was read. */
	static const char resp[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
	for (size_t k = 1; k < sizeof resp - 1; k++) {
		teardown();
		setup();
		conn_connected(C, 2000);
		w(GET("/a"), 3000);
		r(OK5, 4000);
		char first[sizeof resp];
		memcpy(first, resp, k);
		first[k] = '\0';
		hr(first, 11000);
		hr(resp + k, 11500);
		w(GET("/b"), 12000);
		conn_release_held(C);
		ck_assert_int_eq(nrecs, 2);
		ck_assert_str_eq(recs[0].target, "/a");
		ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
		ck_assert_str_eq(recs[1].target, "/b");
		ck_assert_uint_eq(recs[1].r.resp_body_bytes, 2);
		ck_assert_uint_eq(recs[1].r.error, HT_ERR_NONE);
		ck_assert_uint_eq(recs[1].r.t[HT_T_FIRST_BYTE], 11000);
		ck_assert_uint_eq(recs[1].r.t[HT_T_RESPONSE_DONE], 11500);
		ck_assert_uint_eq(recs[1].r.t[HT_T_WROTE_REQUEST], 11000);
		/* idle between the two, as the program saw it */
		ck_assert(recs[1].r.flags & HT_RF_WAS_IDLE);
		ck_assert_uint_eq(recs[1].r.t[HT_T_IDLE_SINCE], 4000);
	}
}
END_TEST

/* (review of 296b4eb) of 296b4eb (FAILS on d8d4bec): a connection a FILE was
 * opened on (conn_stdio_opened()) has /a's whole response read and held
 * while another thread's write is in flight, and is closed (or its process
 * exits) before that write ends.  conn_close() and conn_on_exit() call
 * conn_stdio_end() before conn_release_held(): /a, answered in full in
 * what the hooks saw, ends "not followed" (HT_ERR_UNFOLLOWED) instead of
 * 200.  Expected: the held bytes fed first, /a 200. */
START_TEST(stdio_close_releases_held_first)
{
	conn_connected(C, 2000);
	conn_stdio_opened(C);
	w(GET("/a"), 3000);
	hr(OK5, 4000);
	if (_i == 0)
		conn_close(C, 5000);
	else
		conn_on_exit(C, 5000);
	ck_assert_int_ge(nrecs, 1);
	ck_assert_uint_eq(recs[0].type, HT_REC_REQUEST);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.status, 200);
}
END_TEST

START_TEST(hold_pipelined)
{
	/* /1 fed, /2 in flight: both responses held, then fed after /2 */
	conn_connected(C, 2000);
	w(GET("/1"), 3000);
	hr(OK5 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 4000);
	w(GET("/2"), 4500);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/1");
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
	ck_assert_uint_eq(recs[0].r.t[HT_T_WROTE_REQUEST], 3000);
	ck_assert_str_eq(recs[1].target, "/2");
	ck_assert_uint_eq(recs[1].r.resp_body_bytes, 2);
	ck_assert_uint_eq(recs[1].r.t[HT_T_WROTE_REQUEST], 4000);
}
END_TEST

START_TEST(hold_then_direct_read_in_order)
{
	/* conn_in() feeds what is held first */
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	hr("HTTP/1.1 200 OK\r\nContent-Le", 4000);
	w(GET("/b"), 4100);
	conn_in(C, CONN_IN_READ, (const uint8_t *)"ngth: 5\r\n\r\nhello" OK5,
		strlen("ngth: 5\r\n\r\nhello" OK5), 4200);
	ck_assert(!conn_holding(C));
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.t[HT_T_FIRST_BYTE], 4000);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.t[HT_T_FIRST_BYTE], 4200);
}
END_TEST

START_TEST(hold_eof_after_the_bytes)
{
	/* a body delimited by close, then the close, both held; the
	 * request written meanwhile never got its response */
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	hr("HTTP/1.1 200 OK\r\n\r\nabc", 4000);
	conn_hold(C, CONN_IN_EOF, NULL, 0, 4100);
	w(GET("/b"), 4200);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_str_eq(recs[0].target, "/a");
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 3);
	ck_assert_uint_eq(recs[0].r.t[HT_T_RESPONSE_DONE], 4100);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_NO_RESPONSE);
}
END_TEST

START_TEST(hold_reset)
{
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	conn_hold(C, CONN_IN_RESET, NULL, 0, 4000);
	w(GET("/b"), 4100);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_RESET);
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_RESET);
	ck_assert_uint_eq(recs[1].r.t[HT_T_RESPONSE_DONE], 4000);
}
END_TEST

START_TEST(hold_released_at_close)
{
	conn_connected(C, 2000);
	hr(OK5, 4000);
	w(GET("/a"), 4100);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 5);
	ck_assert_uint_eq(recs[1].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(recs[1].close.bytes_in, 43);
}
END_TEST

/* @n bytes of body in reads of at most 10000, held. */
static void hold_body(size_t n, uint64_t t)
{
	static uint8_t chunk[10000];
	memset(chunk, 'x', sizeof chunk);
	while (n > 0) {
		size_t k = n < sizeof chunk ? n : sizeof chunk;
		conn_hold(C, CONN_IN_READ, chunk, k, t++);
		n -= k;
	}
}

START_TEST(hold_beyond_bound_inside_a_body)
{
	/* past CONN_HOLD_MAX the bytes are only counted: inside a body of
	 * known length, still followed */
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	hr("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n", 4000);
	hold_body(200000, 5000);
	hr(OK5, 6000);
	w(GET("/b"), 7000);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 2);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 200000);
	/* /b's response went by unseen too (nothing is held after an
	 * unseen stretch): not followed, never another's */
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[1].r.status, 0);
	conn_close(C, 9000);
	ck_assert_uint_eq(recs[2].close.bytes_in,
			  strlen("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n") +
			  200000 + strlen(OK5));
}
END_TEST

START_TEST(hold_beyond_bound_in_headers_gives_up)
{
	/* the unseen stretch covers a response's header: every request in
	 * flight, and later ones, end HT_ERR_UNFOLLOWED; none is mispaired */
	conn_connected(C, 2000);
	w(GET("/a"), 3000);
	hr("HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n", 4000);
	hold_body(70000, 5000);
	hr(OK5, 6000);
	w(GET("/b"), 7000);
	w(GET("/c"), 7100);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 3);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.resp_body_bytes, 70000);
	ck_assert_str_eq(recs[1].target, "/b");
	ck_assert_uint_eq(recs[1].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_str_eq(recs[2].target, "/c");
	ck_assert_uint_eq(recs[2].r.error, HT_ERR_UNFOLLOWED);
	w(GET("/d"), 8000);
	ck_assert_int_eq(nrecs, 4);
	ck_assert_uint_eq(recs[3].r.error, HT_ERR_UNFOLLOWED);
}
END_TEST

START_TEST(hold_nothing_on_an_opaque_connection)
{
	conn_connected(C, 2000);
	w("\x01\x02 not http\r\n\r\n", 3000);
	hr("whatever", 4000);
	ck_assert(!conn_holding(C));
	ck_assert(C->hold == NULL);
	conn_close(C, 5000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].close.bytes_in, 8);
}
END_TEST

START_TEST(hold_completes_the_connect)
{
	/* a non-blocking connect: the held read proves it done, so an error
	 * read after it is a reset, not a failed connect */
	hr(OK5, 4000);
	ck_assert(C->connected);
	w(GET("/a"), 4100);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_NONE);
	ck_assert_uint_eq(recs[0].r.t[HT_T_CONNECT_DONE], 4000);
}
END_TEST

static void *no_alloc(size_t n)
{
	(void)n;
	return NULL;
}

START_TEST(hold_without_memory_gives_up)
{
	static const conn_env env_nomem = {
		.sink = sink, .opt = &opts, .alloc = no_alloc, .release = release,
	};
	conn_close(C, 1500);
	nrecs = 0;
	conn_init(C, &env_nomem, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	hr(OK5, 4000);
	ck_assert(conn_holding(C));
	w(GET("/a"), 4100);
	conn_release_held(C);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_UNFOLLOWED);
	ck_assert_uint_eq(recs[0].r.status, 0);
}
END_TEST


/* ---- pipelining deeper than the queue ----------------------------------- */

/* Without memory to grow in, the queue holds CONN_PIPELINE requests. */
static const conn_env env_small = {
	.sink = sink, .opt = &opts, .alloc = no_alloc, .release = release,
};

static char pbuf[32768];

/* @n GETs of /p/FIRST.. /p/FIRST+n-1, back to back, into pbuf. */
static const char *gets(unsigned first, unsigned n)
{
	size_t o = 0;
	for (unsigned i = first; i < first + n; i++)
		o += (size_t)snprintf(pbuf + o, sizeof pbuf - o,
				      "GET /p/%u HTTP/1.1\r\nHost: h\r\n\r\n", i);
	return pbuf;
}

static char rbuf[65536];

/* The keep-alive responses to /p/FIRST.. /p/FIRST+n-1, back to back, into
 * rbuf: /p/i's body has i + 1 bytes.  Returns their length. */
static size_t oks(unsigned first, unsigned n)
{
	size_t o = 0;
	for (unsigned i = first; i < first + n; i++) {
		ck_assert_uint_lt(o + 64, sizeof rbuf);
		o += (size_t)snprintf(rbuf + o, sizeof rbuf - o,
				      "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
				      i + 1);
		ck_assert_uint_lt(o + i + 2, sizeof rbuf);
		memset(rbuf + o, 'x', i + 1);
		o += i + 1;
	}
	rbuf[o] = '\0'; /* for r() */
	return o;
}

/* The record of request @seq (one, and only one). */
static const brief *brief_of(uint32_t seq)
{
	const brief *found = NULL;
	for (int i = 0; i < nbriefs; i++) {
		if (briefs[i].seq != seq)
			continue;
		ck_assert_msg(!found, "request %u reported twice", seq);
		found = &briefs[i];
	}
	ck_assert_msg(found, "request %u not reported", seq);
	return found;
}

/* Request @seq was /p/(seq-1), answered with its own response. */
static void assert_paired(uint32_t seq)
{
	const brief *b = brief_of(seq);
	char want[32];
	snprintf(want, sizeof want, "/p/%u", seq - 1);
	ck_assert_str_eq(b->target, want);
	ck_assert_uint_eq(b->error, HT_ERR_NONE);
	ck_assert_uint_eq(b->status, 200);
	ck_assert_uint_eq(b->resp_body_bytes, seq);
}

/* Request @seq was /p/(seq-1), reported as not followed, no response. */
static void assert_untracked(uint32_t seq)
{
	const brief *b = brief_of(seq);
	char want[32];
	snprintf(want, sizeof want, "/p/%u", seq - 1);
	ck_assert_str_eq(b->target, want);
	ck_assert_str_eq(b->method, "GET");
	ck_assert_uint_eq(b->error, HT_ERR_OVERFLOW);
	ck_assert_uint_eq(b->status, 0);
	ck_assert_uint_eq(b->resp_body_bytes, 0);
	ck_assert_uint_ne(b->wrote_request, 0);
}

/* A fresh connection on @e with @n requests written at once, their
 * responses read in two pieces cut at @cut, then closed: the first @depth
 * requests are paired, the rest reported untracked, each once. */
static void burst(const conn_env *e, unsigned n, unsigned depth, size_t len,
		  size_t cut)
{
	conn_close(C, 1500);
	nrecs = nbriefs = 0;
	conn_init(C, e, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	w(gets(0, n), 3000);
	conn_on_read(C, (const uint8_t *)rbuf, cut, 4000);
	conn_on_read(C, (const uint8_t *)rbuf + cut, len - cut, 5000);
	conn_close(C, 6000);
	ck_assert_int_eq(nbriefs, (int)n);
	for (unsigned s = 1; s <= n; s++) {
		if (s <= depth)
			assert_paired(s);
		else
			assert_untracked(s);
	}
}

/* At the queue's depth - 1, depth, depth + 1 and twice it, responses cut
 * at every point (@every), else next to the start of each response to
 * requests depth - 2 to depth + 3 (the last paired, the first skipped),
 * and every @stride-th point (the grown queue's responses are many
 * bytes). */
static void bursts(const conn_env *e, unsigned depth, bool every,
		   size_t stride)
{
	const unsigned ns[] = {depth - 1, depth, depth + 1, 2 * depth};
	bool near[sizeof rbuf] = {false};
	for (unsigned i = depth - 3; i <= depth + 3; i++) {
		size_t at = oks(0, i);
		near[at - 1] = near[at] = near[at + 1] = true;
	}
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		unsigned paired = ns[k] < depth ? ns[k] : depth;
		size_t len = oks(0, ns[k]);
		for (size_t cut = 0; cut <= len; cut++)
			if (every || near[cut] || cut % stride == 0 || cut == len)
				burst(e, ns[k], paired, len, cut);
	}
}

START_TEST(pipeline_depth_boundaries)
{
	bursts(&env_small, CONN_PIPELINE, true, 1);
}
END_TEST

START_TEST(pipeline_grown_depth_boundaries)
{
	bursts(&env, CONN_PIPELINE_MAX, false, 97);
}
END_TEST

/* Requests written after untracked ones, once the queue has room, are
 * queued behind them: the untracked responses are skipped first. */
static void queued_after_skip(size_t cut)
{
	conn_close(C, 1500);
	nrecs = nbriefs = 0;
	conn_init(C, &env_small, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	w(gets(0, 6), 3000);       /* 1-4 queued, 5-6 untracked */
	ck_assert_int_eq(nbriefs, 2);
	r(rbuf, 4000);             /* (oks(0, 4), made by the caller) */
	ck_assert_int_eq(nbriefs, 6);
	w(gets(6, 2), 5000);       /* 7-8 queued, behind 5-6's responses */
	size_t len = oks(4, 4);
	conn_on_read(C, (const uint8_t *)rbuf, cut, 6000);
	conn_on_read(C, (const uint8_t *)rbuf + cut, len - cut, 7000);
	ck_assert_int_eq(nbriefs, 8);
	for (uint32_t s = 1; s <= 8; s++) {
		if (s == 5 || s == 6)
			assert_untracked(s);
		else
			assert_paired(s);
	}
	/* the connection goes on, idle */
	w(gets(8, 1), 8000);
	oks(8, 1);
	r(rbuf, 9000);
	assert_paired(9);
	ck_assert_int_eq(nbriefs, 9);
}

START_TEST(pipeline_queued_after_untracked)
{
	size_t len = oks(4, 4);
	for (size_t cut = 0; cut <= len; cut++) {
		oks(0, 4);
		queued_after_skip(cut);
	}
}
END_TEST

/* An untracked HEAD: the responses after it cannot be framed; the queued
 * requests before it are paired, every later one reported untracked,
 * nothing paired with a response after it. */
START_TEST(pipeline_untracked_head_stops_pairing)
{
	conn_close(C, 1500);
	nrecs = nbriefs = 0;
	conn_init(C, &env_small, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	w(gets(0, 4), 3000);
	w("HEAD /p/4 HTTP/1.1\r\nHost: h\r\n\r\n", 3100);
	w(gets(5, 1), 3200);
	ck_assert_int_eq(nbriefs, 2);
	/* 1-4's, then the HEAD's (no body) and 6's */
	size_t len = oks(0, 4);
	len += (size_t)snprintf(rbuf + len, sizeof rbuf - len,
				"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"
				"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"
				"xxxxxx");
	conn_on_read(C, (const uint8_t *)rbuf, len, 4000);
	/* a request written after the queue emptied is untracked too */
	w(gets(6, 1), 5000);
	r(OK5, 6000);
	conn_close(C, 7000);
	ck_assert_int_eq(nbriefs, 7);
	for (uint32_t s = 1; s <= 4; s++)
		assert_paired(s);
	ck_assert_uint_eq(brief_of(5)->error, HT_ERR_OVERFLOW);
	ck_assert_str_eq(brief_of(5)->method, "HEAD");
	assert_untracked(6);
	assert_untracked(7);
}
END_TEST

/* A close-delimited response to an untracked request ends at the peer's
 * close: the queued request behind it never had its response. */
START_TEST(pipeline_untracked_close_delimited)
{
	conn_close(C, 1500);
	nrecs = nbriefs = 0;
	conn_init(C, &env_small, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	w(gets(0, 5), 3000);          /* 1-4 queued, 5 untracked */
	size_t len = oks(0, 4);
	conn_on_read(C, (const uint8_t *)rbuf, len, 4000);
	w(gets(5, 1), 5000);          /* 6 queued behind 5's response */
	r("HTTP/1.0 200 OK\r\n\r\nabcdef", 6000);
	conn_on_eof(C, 7000);
	ck_assert_int_eq(nbriefs, 6);
	for (uint32_t s = 1; s <= 4; s++)
		assert_paired(s);
	assert_untracked(5);
	const brief *b = brief_of(6);
	ck_assert_str_eq(b->target, "/p/5");
	ck_assert_uint_eq(b->error, HT_ERR_NO_RESPONSE);
	ck_assert_uint_eq(b->status, 0);
}
END_TEST

/* A connection closed while an untracked request is being written: it is
 * reported too, as not followed. */
START_TEST(pipeline_untracked_cut_at_close)
{
	conn_close(C, 1500);
	nrecs = nbriefs = 0;
	conn_init(C, &env_small, 100, 1, NULL, 1000);
	conn_connected(C, 2000);
	w(gets(0, 4), 3000);
	w("GET /p/4 HTTP/1.1\r\nHo", 3100);
	ck_assert_int_eq(nbriefs, 0);
	conn_close(C, 4000);
	ck_assert_int_eq(nbriefs, 5);
	for (uint32_t s = 1; s <= 4; s++)
		ck_assert_uint_eq(brief_of(s)->error, HT_ERR_NO_RESPONSE);
	ck_assert_uint_eq(brief_of(5)->error, HT_ERR_OVERFLOW);
	ck_assert_uint_eq(brief_of(5)->wrote_request, 0);
}
END_TEST

/* A client's TLS session with memory BIOs (conn_tls_made()): a body the
 * library took whole while its socket carried less is counted, when a
 * reset ends the request, less the ciphertext the socket still owed; a
 * session whose socket caught up keeps its count. */
START_TEST(membio_client_body_cut_by_reset)
{
	static const char post[] = "POST /up HTTP/1.1\r\nHost: h\r\n"
				   "Content-Length: 1000\r\n\r\n";
	static char body[1001];
	memset(body, 'a', 1000);
	conn_mark_tls(C);
	conn_on_transport(C, true, 500, 2000); /* its handshake */
	conn_on_transport(C, false, 1500, 2100);
	conn_tls_made(C, 500 + 1100);
	w(post, 3000);
	w(body, 3000);
	conn_on_transport(C, true, 700, 3100);
	conn_on_reset(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.error, HT_ERR_RESET);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 1000 - 400);

	teardown();
	setup();
	conn_mark_tls(C);
	conn_on_transport(C, true, 500, 2000);
	conn_tls_made(C, 500 + 1100);
	w(post, 3000);
	w(body, 3000);
	conn_on_transport(C, true, 1100, 3100);
	conn_on_reset(C, 4000);
	ck_assert_int_eq(nrecs, 1);
	ck_assert_uint_eq(recs[0].r.req_body_bytes, 1000);
}
END_TEST

Suite *conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("lifecycle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keepalive_three_requests);
	tcase_add_test(tc, membio_client_body_cut_by_reset);
	tcase_add_test(tc, phases_across_splits);
	tcase_add_test(tc, pipelined_requests_answered_in_order);
	tcase_add_test(tc, interim_100_continue);
	tcase_add_test(tc, early_answer_waits_for_the_body);
	tcase_add_test(tc, early_answer_then_close_keeps_what_was_written);
	tcase_add_test(tc, early_answer_body_after_eof);
	tcase_add_test(tc, early_answer_then_more_response_bytes);
	tcase_add_test(tc, answer_before_the_headers_goes_out_at_once);
	tcase_add_test(tc, early_answer_at_exit);
	tcase_add_test(tc, early_answer_live_phase);
	tcase_add_test(tc, h2_early_answer_waits_for_the_body);
	tcase_add_test(tc, h2_early_answer_then_reset);
	tcase_add_test(tc, h2_early_answer_at_close);
	tcase_add_test(tc, proto_is_the_requests_own);
	tcase_add_test(tc, body_delimited_by_close);
	tcase_add_test(tc, stream_ended_whole_by_state);
	tcase_add_test(tc, body_by_close_read_whole_at_close);
	tcase_add_test(tc, body_by_close_read_whole_after_fork);
	tcase_add_test(tc, body_by_close_cut_at_close);
	tcase_add_test(tc, stream_end_not_wanted);
	tcase_add_test(tc, closed_before_response);
	tcase_add_test(tc, closed_after_interrupted_wait);
	tcase_add_test(tc, closed_after_interrupted_read);
	tcase_add_test(tc, cut_short_by_peer);
	tcase_add_test(tc, cut_in_head_by_peer);
	tcase_add_test(tc, reset_fails_everything_in_flight);
	tcase_add_test(tc, garbage_response);
	tcase_add_test(tc, excess_body_later_requests_not_followed);
	tcase_add_test(tc, excess_body_pipelined);
	tcase_add_test(tc, excess_body_then_partial_request_reset);
	tcase_add_test(tc, non_http_client_is_ignored);
	tcase_add_test(tc, close_no_request_flag);
	tcase_add_test(tc, close_no_request_plain);
	tcase_add_test(tc, close_with_request_not_flagged);
	tcase_add_test(tc, close_not_http_not_flagged);
	tcase_add_test(tc, close_server_spoke_first_not_flagged);
	tcase_add_test(tc, close_unix_silent_not_flagged);
	tcase_add_test(tc, non_http_ping_is_not_a_request);
	tcase_add_test(tc, non_http_redis_array_is_not_a_request);
	tcase_add_test(tc, non_http_memcached_get_is_not_a_request);
	tcase_add_test(tc, non_http_smtp_ehlo_is_not_a_request);
	tcase_add_test(tc, non_http_tab_line_is_not_a_request);
	tcase_add_test(tc, non_http_split_anywhere);
	tcase_add_test(tc, fragment_echoed_is_not_a_request);
	tcase_add_test(tc, method_start_then_end_is_a_request);
	tcase_add_test(tc, method_start_echoed_is_not_a_request);
	tcase_add_test(tc, fragment_answered_as_http_is_a_request);
	tcase_add_test(tc, fragment_then_end_is_not_a_request);
	tcase_add_test(tc, fragment_answered_unseen_is_not_a_request);
	tcase_add_test(tc, method_and_space_then_close_is_a_request);
	tcase_add_test(tc, fragment_after_a_request_is_a_request);
	tcase_add_test(tc, lowercase_method_request);
	tcase_add_test(tc, broken_get_line_is_malformed);
	tcase_add_test(tc, broken_line_of_each_http_method_is_malformed);
	tcase_add_test(tc, whole_line_with_other_method_is_malformed);
	tcase_add_test(tc, garbage_after_a_good_request_is_malformed);
	tcase_add_test(tc, writes_after_malformed_request_noted);
	tcase_add_test(tc, connect_failure);
	tcase_add_test(tc, looks_like_http);
	tcase_add_test(tc, unix_socket_peer);
	tcase_add_test(tc, first_io_completes_connect);
	tcase_add_test(tc, tls_start_before_connect_proven_by_its_bytes);
	tcase_add_test(tc, tls_start_while_connecting);
	tcase_add_test(tc, tls_start_before_fastopen_connect);
	tcase_add_test(tc, tls_start_after_connect);
	tcase_add_test(tc, tls_handshake_failure);
	tcase_add_test(tc, tls_handshake_given_up);
	tcase_add_test(tc, tls_handshake_server_spoke_closed);
	tcase_add_test(tc, tls_handshake_interrupted_not_failed);
	tcase_add_test(tc, connect_closed_under_way_canceled);
	tcase_add_test(tc, connect_under_way_at_exit_not_canceled);
	tcase_add_test(tc, tls_handshake_at_exit_not_failed);
	tcase_add_test(tc, h2_sequential_streams);
	tcase_add_test(tc, h2_concurrent_streams_and_resets);
	tcase_add_test(tc, h2_stream_found_past_freed_slots);
	tcase_add_test(tc, h2_streams_past_128_overflow);
	tcase_add_test(tc, h2_alpn_server_speaks_first);
	tcase_add_test(tc, h2_prior_knowledge_server_speaks_first);
	tcase_add_test(tc, h2_server_first_split_before_tls_lookalike);
	tcase_add_test(tc, server_first_then_http1_not_followed);
	tcase_add_test(tc, server_first_greeting_then_http1);
	tcase_add_test(tc, server_first_greeting_is_opaque);
	tcase_add_test(tc, h2_undecodable_response_counts_later_requests);
	tcase_add_test(tc, h2_undecodable_request_counts_later_streams);
	tcase_add_test(tc, h2_big_response_block_not_followed);
	tcase_add_test(tc, h2_big_response_trailers_keep_the_response);
	tcase_add_test(tc, h2_big_request_block_not_followed);
	tcase_add_test(tc, h2_block_limit_split_bytewise);
	tcase_add_test(tc, h2_big_block_rst_between_frames);
	tcase_add_test(tc, h2_not_framing_idle_leaves_a_note);
	tcase_add_test(tc, h2_server_undecodable_request_counted);
	tcase_add_test(tc, h2_table_size_applies_at_ack);
	tcase_add_test(tc, headers_captured_and_redacted);
	tcase_add_test(tc, after_fork_child_requests_are_reused);
	tcase_add_test(tc, after_fork_in_flight_child_requests_not_followed);
	tcase_add_test(tc, fork_shared_parent_requests_not_followed);
	tcase_add_test(tc, fork_shared_parent_idle_still_followed);
	tcase_add_test(tc, h1_in_flight_as_in_flight);
	tcase_add_test(tc, fork_shared_proven_followed_on);
	tcase_add_test(tc, fork_shared_child_read_or_wrote_gives_up);
	tcase_add_test(tc, fork_shared_unproven_gives_up);
	tcase_add_test(tc, fork_shared_close_or_exit_not_followed);
	tcase_add_test(tc, tcp_counts_mine_fins_and_syn);
	tcase_add_test(tc, tcp_counts_verdict_moving);
	tcase_add_test(tc, fork_shared_moving_proven_at_the_end);
	tcase_add_test(tc, connect_tunnel_plain_http);
	tcase_add_test(tc, connect_refused_then_granted);
	tcase_add_test(tc, connect_response_with_inner_bytes);
	tcase_add_test(tc, non_http_inside_a_tunnel);
	tcase_add_test(tc, broken_get_inside_a_tunnel_is_malformed);
	tcase_add_test(tc, connect_tunnel_tls_h2);
	tcase_add_test(tc, tls_failure_inside_tunnel);
	tcase_add_test(tc, socks5_tunnel);
	tcase_add_test(tc, socks_refused_is_opaque);
	tcase_add_test(tc, h2c_upgrade_stream_1);
	tcase_add_test(tc, websocket_101_is_a_session);
	tcase_add_test(tc, unseen_content_length_body_skipped);
	tcase_add_test(tc, unseen_chunk_data_skipped);
	tcase_add_test(tc, unseen_body_to_close_skipped);
	tcase_add_test(tc, unseen_past_chunk_gives_up);
	tcase_add_test(tc, unseen_headers_fail_requests_in_flight_and_later);
	tcase_add_test(tc, give_up_after_a_hole);
	tcase_add_test(tc, unseen_partial_response_keeps_what_was_read);
	tcase_add_test(tc, unseen_h2_stops_with_a_note);
	tcase_add_test(tc, unseen_h2_data_body_skipped);
	tcase_add_test(tc, unseen_h2_past_data_gives_up);
	tcase_add_test(tc, unseen_h2_pad_length_gives_up);
	tcase_add_test(tc, unseen_h2_grpc_messages);
	tcase_add_test(tc, unseen_before_any_request);
	tcase_add_test(tc, write_unseen_body_skipped);
	tcase_add_test(tc, write_unseen_head_gives_up);
	tcase_add_test(tc, write_unseen_first_bytes_not_followed);
	tcase_add_test(tc, unseen_w_ws_write_unseen_lost);
	tcase_add_test(tc, unseen_w_head_part_then_unseen);
	tcase_add_test(tc, unseen_w_early_answer_then_body_unseen);
	tcase_add_test(tc, unseen_w_expect_refused_body_unseen);
	tcase_add_test(tc, unseen_w_chunk_data_unseen);
	tcase_add_test(tc, unseen_w_first_head_unseen_says_nothing);
	tcase_add_test(tc, unseen_w_h2_write_unseen);
	tcase_add_test(tc, hold_first_response_before_its_request);
	tcase_add_test(tc, hold_ciphertext_then_claimed);
	tcase_add_test(tc, hold_keepalive_every_split);
	tcase_add_test(tc, hold_pipelined);
	tcase_add_loop_test(tc, stdio_close_releases_held_first, 0, 2);
	tcase_add_test(tc, hold_then_direct_read_in_order);
	tcase_add_test(tc, hold_eof_after_the_bytes);
	tcase_add_test(tc, hold_reset);
	tcase_add_test(tc, hold_released_at_close);
	tcase_add_test(tc, hold_beyond_bound_inside_a_body);
	tcase_add_test(tc, hold_beyond_bound_in_headers_gives_up);
	tcase_add_test(tc, hold_without_memory_gives_up);
	tcase_add_test(tc, hold_nothing_on_an_opaque_connection);
	tcase_add_test(tc, hold_completes_the_connect);
	tcase_add_test(tc, tls_undecoded_described_at_close);
	tcase_add_test(tc, tls_undecoded_then_claimed);
	tcase_add_test(tc, tls_undecoded_alert_fails);
	tcase_add_test(tc, tls_undecoded_closed_in_handshake);
	tcase_add_test(tc, tls_lookalike_is_not_described);
	tcase_add_test(tc, tls_undecoded_server_first);
	tcase_add_test(tc, pipeline_depth_boundaries);
	tcase_add_test(tc, pipeline_grown_depth_boundaries);
	tcase_add_test(tc, pipeline_queued_after_untracked);
	tcase_add_test(tc, pipeline_untracked_head_stops_pairing);
	tcase_add_test(tc, pipeline_untracked_close_delimited);
	tcase_add_test(tc, pipeline_untracked_cut_at_close);
	tcase_add_test(tc, response_with_no_request_seen_is_noted);
	tcase_add_test(tc, response_whole_with_no_request_seen_is_noted);
	tcase_add_test(tc, server_first_not_http_no_note);
	tcase_add_test(tc, response_start_kept_then_request_not_paired);
	tcase_add_test(tc, writes_unseen_noted);
	suite_add_tcase(s, tc);
	return s;
}
