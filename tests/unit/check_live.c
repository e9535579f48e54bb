/* check_live.c - core/live.c and core/conn_live.c: requests in flight in
 * the shared live page, claimed, written and read torn-free. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "conn_server.h"
#include "hpack.h"
#include "live.h"
#include "suites.h"
#include "tlsrec_fixtures.h"
#include "conn_fixtures.h"

static ht_live *new_page(void)
{
	ht_live *l = calloc(1, HT_LIVE_SIZE);

	ck_assert_ptr_nonnull(l);
	ht_live_init(l);
	return l;
}

/* A collector that stops while the process may run on marks the page
 * while it reads it, then that it has (version 9; a page of version 8 gets
 * its clock, which that library compares); an older page (version < 8) is
 * left as it was.  The library's observation reads any value but 0 and
 * "reading" as done (a collector of version 8 writes its clock). */
START_TEST(read_mark)
{
	ht_live *l = new_page();

	ck_assert_uint_eq(ht_live_mark(l), HT_LIVE_MARK_NONE);
	ht_live_read_begin(l);
	ck_assert_uint_eq(l->read_at, HT_LIVE_READING);
	ck_assert_uint_eq(ht_live_mark(l), HT_LIVE_MARK_READING);
	ht_live_read_end(l, 1234);
	ck_assert_uint_eq(l->read_at, HT_LIVE_READ_DONE); /* no clock */
	ck_assert_uint_eq(ht_live_mark(l), HT_LIVE_MARK_DONE);
	l->read_at = 1234; /* a collector of version 8 */
	ck_assert_uint_eq(ht_live_mark(l), HT_LIVE_MARK_DONE);
	l->version = 8;
	l->read_at = 0;
	ht_live_read_begin(l);
	ck_assert_uint_eq(l->read_at, HT_LIVE_READING);
	ht_live_read_end(l, 1234);
	ck_assert_uint_eq(l->read_at, 1234);
	ht_live_read_end(l, 0); /* never "none" */
	ck_assert_uint_ne(l->read_at, 0);
	ck_assert_uint_ne(l->read_at, HT_LIVE_READING);
	l->version = 7;
	l->read_at = 0;
	ht_live_read_begin(l);
	ht_live_read_end(l, 99);
	ck_assert_uint_eq(l->read_at, 0);
	free(l);
}
END_TEST

/* A record is the stopped collector's only when the request was shown
 * before it began reading and still shown once it had read: every other
 * pair sends the record on (a doubt may report it twice, never loses it). */
START_TEST(taken_decision)
{
	static const unsigned m[] = { HT_LIVE_MARK_NONE, HT_LIVE_MARK_READING,
				      HT_LIVE_MARK_DONE };

	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++)
			ck_assert_int_eq(ht_live_taken(m[i], m[j]),
					 m[i] == HT_LIVE_MARK_NONE &&
						 m[j] == HT_LIVE_MARK_DONE);

	ht_live *l = new_page();
	ht_live_count_taken(l, true);
	ht_live_count_taken(l, false);
	ck_assert_uint_eq(l->produced, 2);
	ck_assert_uint_eq(l->dropped, 2);
	ck_assert_uint_eq(l->req_counts.produced, 1);
	ck_assert_uint_eq(l->req_counts.dropped, 1);
	free(l);
}
END_TEST

START_TEST(claim_release_reuse)
{
	ht_live *l = new_page();
	unsigned a = ht_live_claim(l), b = ht_live_claim(l);

	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 2);
	ht_live_req *s = ht_live_write_begin(l, a);
	ck_assert_uint_eq(s->seq & 1, 1);
	s->active = 1;
	ht_live_copy_str(s->method, sizeof(s->method), "GET");
	ht_live_write_end(s);
	ck_assert_uint_eq(s->seq & 1, 0);

	ht_live_req out;
	ck_assert_int_eq(ht_live_read(l, 0, &out), 1);
	ck_assert_str_eq(out.method, "GET");
	ck_assert_int_eq(ht_live_read(l, 1, &out), 0); /* claimed, not filled */
	ht_live_release(l, a);
	ck_assert_int_eq(ht_live_read(l, 0, &out), 0);
	/* the freed slot is the next one claimed */
	ck_assert_uint_eq(ht_live_claim(l), 1);
	ht_live_release(l, 0); /* none: nothing happens */
	free(l);
}
END_TEST

START_TEST(overflow_counted)
{
	ht_live *l = new_page();

	for (unsigned i = 0; i < HT_LIVE_REQS; i++)
		ck_assert_uint_eq(ht_live_claim(l), i + 1);
	ck_assert_uint_eq(ht_live_claim(l), 0);
	ck_assert_uint_eq(ht_live_claim(l), 0);
	ck_assert_uint_eq(l->overflow, 2);
	ck_assert_ptr_null(ht_live_write_begin(l, 0));
	ck_assert_ptr_null(ht_live_write_begin(l, HT_LIVE_REQS + 1));
	ht_live_release(l, 7);
	ck_assert_uint_eq(ht_live_claim(l), 7);
	free(l);
}
END_TEST

/* A slot left odd (its writer died in the middle) is torn for good. */
START_TEST(torn_read_detected)
{
	ht_live *l = new_page();
	unsigned ref = ht_live_claim(l);
	ht_live_req *s = ht_live_write_begin(l, ref);
	ht_live_req out;

	s->active = 1;
	ck_assert_int_eq(ht_live_read(l, 0, &out), -1);
	ht_live_write_end(s);
	ck_assert_int_eq(ht_live_read(l, 0, &out), 1);
	/* unterminated strings in the page come out terminated */
	memset(s->target, 'x', sizeof(s->target));
	ck_assert_int_eq(ht_live_read(l, 0, &out), 1);
	ck_assert_uint_eq(strlen(out.target), sizeof(out.target) - 1);
	ck_assert_int_eq(ht_live_read(l, HT_LIVE_REQS, &out), 0);
	free(l);
}
END_TEST

/* A writer rewriting a slot as fast as it can: every copy a reader keeps
 * is one whole version, never a mix of two. */
static volatile int stop;
static volatile uint64_t versions; /* written so far */

static void *writer(void *arg)
{
	ht_live *l = arg;

	for (uint64_t k = 1; !stop; k++) {
		ht_live_req *s = ht_live_write_begin(l, 1);

		s->active = 1;
		for (unsigned i = 0; i < HT_T__COUNT; i++)
			s->t[i] = k;
		memset(s->target, 'a' + (int)(k % 26), sizeof(s->target) - 1);
		ht_live_write_end(s);
		versions = k;
		/* a moment between versions, as between two phases */
		for (volatile int j = 0; j < 300; j++)
			;
	}
	return NULL;
}

START_TEST(reader_never_keeps_a_mix)
{
	ht_live *l = new_page();
	pthread_t th;
	unsigned kept = 0;

	ck_assert_uint_eq(ht_live_claim(l), 1);
	stop = 0;
	versions = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, writer, l), 0);
	/* On a loaded machine the writer may not have run yet: the reads
	 * start once it wrote a first version. */
	while (versions == 0)
		sched_yield();
	for (unsigned n = 0; n < 200000 || (kept == 0 && n < 20000000); n++) {
		ht_live_req out;

		if (ht_live_read(l, 0, &out) != 1)
			continue;
		kept++;
		for (unsigned i = 1; i < HT_T__COUNT; i++)
			ck_assert_uint_eq(out.t[i], out.t[0]);
		ck_assert_int_eq(out.target[0], 'a' + (int)(out.t[0] % 26));
		ck_assert_int_eq(out.target[sizeof(out.target) - 2],
				 out.target[0]);
	}
	stop = 1;
	pthread_join(th, NULL);
	ck_assert_uint_gt(kept, 0);
	free(l);
}
END_TEST

START_TEST(phases)
{
	uint64_t t[HT_T__COUNT] = { 0 };

	ck_assert_uint_eq(ht_live_phase(t, false), HT_PH_NONE);
	ck_assert_ptr_null(ht_live_phase_name(HT_PH_NONE));
	t[HT_T_GOT_CONN] = 1;
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, false)), "send");
	t[HT_T_WROTE_REQUEST] = 2;
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, false)), "wait_first_byte");
	ck_assert_str_eq(ht_live_phase_text(ht_live_phase(t, false)),
			 "waiting for the first byte");
	t[HT_T_FIRST_BYTE] = 3;
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, false)), "receive");
	ck_assert_ptr_null(ht_live_phase_name(HT_PH__COUNT));
}
END_TEST

/* A 100 Continue came (its first byte set the first-byte time) and the
 * body is still being written: the phase is send, not receive; once
 * written, the response is what it waits for. */
START_TEST(phase_after_100_continue)
{
	uint64_t t[HT_T__COUNT] = { 0 };
	ht_live_req q;
	ht_live_resp e = { .kept = 1 };
	ht_live_cut_resp cut;

	t[HT_T_GOT_CONN] = 1;
	t[HT_T_WROTE_HEADERS] = 2;
	t[HT_T_FIRST_BYTE] = 3;
	t[HT_T_GOT_1XX] = 4;
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, false)), "send");
	/* a final response begun after the 100 (an early 413 while the
	 * body is still being written): receive, as without the 100 */
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, true)), "receive");
	t[HT_T_WROTE_REQUEST] = 5;
	ck_assert_str_eq(ht_live_phase_name(ht_live_phase(t, false)), "receive");
	/* its interim responses: the page's count, or one from an older
	 * page that only has the first one's time */
	memset(&q, 0, sizeof(q));
	memcpy(q.t, t, sizeof(q.t));
	e.n_1xx = 2;
	ht_live_cut_resp_of(&q, &e, &cut);
	ck_assert_uint_eq(cut.n_1xx, 2);
	e.n_1xx = 0;
	ht_live_cut_resp_of(&q, &e, &cut);
	ck_assert_uint_eq(cut.n_1xx, 1);
	q.t[HT_T_GOT_1XX] = 0;
	ht_live_cut_resp_of(&q, &e, &cut);
	ck_assert_uint_eq(cut.n_1xx, 0);
}
END_TEST

/* A server's phases in its own terms, as its finished record's
 * accept_ms, read_ms, processing_ms, write_ms; a client's unchanged. */
START_TEST(phases_server)
{
	static const struct {
		unsigned ph;
		const char *name, *text;
	} want[] = {
		{ HT_PH_CONNECT, "accept", "waiting for the request" },
		{ HT_PH_TLS, "tls", "in the TLS handshake" },
		{ HT_PH_SEND, "read", "reading the request" },
		{ HT_PH_WAIT_FIRST_BYTE, "processing", "processing the request" },
		{ HT_PH_RECEIVE, "write", "writing the response" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_str_eq(ht_live_side_phase_name(want[i].ph, true),
				 want[i].name);
		ck_assert_str_eq(ht_live_side_phase_text(want[i].ph, true),
				 want[i].text);
		ck_assert_str_eq(ht_live_side_phase_name(want[i].ph, false),
				 ht_live_phase_name(want[i].ph));
		ck_assert_str_eq(ht_live_side_phase_text(want[i].ph, false),
				 ht_live_phase_text(want[i].ph));
	}
	ck_assert_str_eq(ht_live_side_phase_name(HT_PH_WAIT_FIRST_BYTE, false),
			 "wait_first_byte");
	ck_assert_ptr_null(ht_live_side_phase_name(HT_PH_NONE, true));
	ck_assert_ptr_null(ht_live_side_phase_text(HT_PH__COUNT, true));
}
END_TEST

/* A WebSocket session's slot is in phase "websocket" whatever its times. */
START_TEST(phase_websocket)
{
	ht_live_req s;

	memset(&s, 0, sizeof(s));
	s.t[HT_T_GOT_CONN] = 1;
	ck_assert_uint_eq(ht_live_req_phase(&s), HT_PH_SEND);
	s.kind = HT_LIVE_WEBSOCKET;
	ck_assert_uint_eq(ht_live_req_phase(&s), HT_PH_WEBSOCKET);
	ck_assert_str_eq(ht_live_phase_name(HT_PH_WEBSOCKET), "websocket");
	ck_assert_str_eq(ht_live_phase_text(HT_PH_WEBSOCKET),
			 "WebSocket session open");
}
END_TEST

/* Through a connection: a request shows from its headers to its record. */
static ht_live *cur;
static struct ht_live *const volatile *cur_ref = (struct ht_live *const volatile *)&cur;
static unsigned records;
static unsigned rec_error; /* the last request record's */
static unsigned fails;     /* failed connections' records */
static char fail_host[64]; /* the last failed connection's */
static uint64_t fail_connect_done, fail_tls_start; /* and its times */

static void sink(void *ctx, const ht_record *rec)
{
	(void)ctx;
	if (rec->type == HT_REC_REQUEST) {
		records++;
		rec_error = rec->u.req.error;
	} else if (rec->type == HT_REC_CONN_FAIL) {
		fails++;
		ht_live_copy(fail_host, sizeof(fail_host),
			     rec->u.fail.dns_name.p, rec->u.fail.dns_name.len);
		fail_connect_done = rec->u.fail.t_connect_done;
		fail_tls_start = rec->u.fail.t_tls_start;
	}
}

/* What the connection tests share: the environment (records to sink(),
 * the page at cur) and their peers, an HTTP and an HTTPS server. */
static const conn_env live_env = {
	.sink = sink, .live = (struct ht_live *const volatile *)&cur };
static const ht_addr peer_80 = { .family = 2, .port = 80 };
static const ht_addr peer_443 = { .family = 2, .port = 443 };

START_TEST(conn_shows_request_in_flight)
{
	static conn c;
	ht_live_req out;
	static const char req[] = "GET /stuck?a=1 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	cur = new_page();
	records = 0;
	conn_init(&c, &live_env, 1, 3, &peer_80, 10);
	conn_connected(&c, 20);
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 30);
	ck_assert_int_eq(ht_live_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.method, "GET");
	ck_assert_str_eq(out.target, "/stuck?a=1");
	ck_assert_str_eq(out.host, "h");
	ck_assert_uint_eq(out.conn_id, 3);
	ck_assert_uint_eq(out.req_seq, 1);
	ck_assert_uint_eq(out.t[HT_T_CONNECT_DONE], 20);
	ck_assert_uint_eq(out.t[HT_T_WROTE_REQUEST], 30);
	ck_assert_uint_eq(ht_live_phase(out.t, false), HT_PH_WAIT_FIRST_BYTE);
	conn_on_read(&c, (const uint8_t *)resp, 5, 40);
	ck_assert_int_eq(ht_live_read(cur, 0, &out), 1);
	ck_assert_uint_eq(ht_live_phase(out.t, false), HT_PH_RECEIVE);
	conn_on_read(&c, (const uint8_t *)resp + 5, sizeof(resp) - 6, 50);
	ck_assert_uint_eq(records, 1);
	ck_assert_int_eq(ht_live_read(cur, 0, &out), 0);
	ck_assert_uint_eq(cur->used, 0);
	/* without a page (no collector yet): nothing shown, still traced */
	free(cur);
	cur = NULL;
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 60);
	conn_close(&c, 70);
	ck_assert_uint_eq(records, 2);
}
END_TEST

/* A request that finds every slot taken is counted in the page's
 * `unlisted` until it ends or an adoption gives it a slot; a new page (a
 * reconnect) takes the count over; an older page, or a count no writer
 * could make, reads 0. */
START_TEST(unlisted_gauge)
{
	static conn c;
	ht_live_req out;
	ht_live *old;
	static const char req[] = "GET /u HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	cur = new_page();
	records = 0;
	for (unsigned i = 0; i < HT_LIVE_REQS; i++)
		ck_assert_uint_eq(ht_live_claim(cur), i + 1);
	conn_init(&c, &live_env, 1, 3, &peer_80, 10);
	conn_connected(&c, 20);
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 30);
	ck_assert_uint_eq(cur->overflow, 1);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 1);
	/* adopting with no slot free: counted once, not again */
	conn_live_adopt(&c);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 1);
	/* a slot freed: the adoption lists it, the count goes down */
	ht_live_release(cur, 5);
	conn_live_adopt(&c);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 0);
	ck_assert_int_eq(ht_live_read(cur, 4, &out), 1);
	ck_assert_str_eq(out.target, "/u");
	conn_on_read(&c, (const uint8_t *)resp, sizeof(resp) - 1, 40);
	ck_assert_uint_eq(records, 1);
	ck_assert_int_eq(ht_live_read(cur, 4, &out), 0);

	/* unlisted to its end: its record made, the count back to 0 */
	ck_assert_uint_eq(ht_live_claim(cur), 5);
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 50);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 1);
	conn_on_read(&c, (const uint8_t *)resp, sizeof(resp) - 1, 60);
	ck_assert_uint_eq(records, 2);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 0);

	/* unlisted in a page, then a reconnect's page (full too): counted
	 * there, no longer in the old one; its end ends it there */
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 70);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 1);
	old = cur;
	cur = new_page();
	for (unsigned i = 0; i < HT_LIVE_REQS; i++)
		ht_live_claim(cur);
	conn_live_adopt(&c);
	ck_assert_uint_eq(ht_live_unlisted(old, HT_LIVE_SIZE), 0);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 1);
	conn_close(&c, 80);
	ck_assert_uint_eq(records, 3);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 0);

	/* read bounded: a version-6 page, a short mapping, a count that
	 * went below zero all read 0 */
	cur->unlisted = 7;
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 7);
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE_V5), 7);
	ck_assert_uint_eq(ht_live_unlisted(cur, 4096), 0);
	cur->version = 6;
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 0);
	cur->version = HT_LIVE_VERSION;
	cur->unlisted = (uint32_t)-1;
	ck_assert_uint_eq(ht_live_unlisted(cur, HT_LIVE_SIZE), 0);
	free(old);
	free(cur);
	cur = NULL;
}
END_TEST

/* A collector stops while the process runs on: the requests and
 * connections in flight it read in their pages are its own (reported
 * from the page), their records counted there and sent to nobody, even
 * when the image is connected to another collector by then (its page
 * current: a record made on another thread reconnected it); a request
 * shown while it read, or after, or ended while it read, is sent. */
START_TEST(stopped_collector_takes_what_it_read)
{
	static conn c1, c2, c3, c4;
	ht_live *a, *b;
	static const char req[] = "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	a = cur = new_page();
	records = 0;
	fails = 0;
	conn_init(&c1, &live_env, 1, 1, &peer_80, 10);
	conn_connected(&c1, 11);
	conn_on_write(&c1, (const uint8_t *)req, sizeof(req) - 1, 12);
	conn_init(&c2, &live_env, 1, 2, &peer_80, 13); /* connecting */
	conn_init(&c3, &live_env, 1, 3, &peer_80, 14);
	conn_connected(&c3, 15);
	conn_on_write(&c3, (const uint8_t *)req, sizeof(req) - 1, 16);
	ht_live_read_begin(a);
	/* shown while it reads: it may have read the slot or not */
	conn_init(&c4, &live_env, 1, 4, &peer_80, 17);
	conn_connected(&c4, 18);
	conn_on_write(&c4, (const uint8_t *)req, sizeof(req) - 1, 19);
	/* ended while it reads: the same doubt */
	conn_on_read(&c3, (const uint8_t *)resp, sizeof(resp) - 1, 20);
	ck_assert_uint_eq(records, 1);
	ht_live_read_end(a, 21);
	/* the image reconnects: a new collector's page is current */
	b = cur = new_page();
	conn_on_read(&c1, (const uint8_t *)resp, sizeof(resp) - 1, 30);
	ck_assert_uint_eq(records, 1); /* the stopped collector's */
	conn_connect_failed(&c2, 111, 31);
	ck_assert_uint_eq(fails, 0);
	conn_on_read(&c4, (const uint8_t *)resp, sizeof(resp) - 1, 32);
	ck_assert_uint_eq(records, 2);
	ck_assert_uint_eq(a->produced, 2);
	ck_assert_uint_eq(a->dropped, 2);
	ck_assert_uint_eq(a->req_counts.produced, 1);
	ck_assert_uint_eq(a->req_counts.dropped, 1);
	ck_assert_uint_eq(b->produced + b->dropped, 0);
	ck_assert_uint_eq(a->used | a->conns_used, 0);
	/* shown after it read, in its page or the new one: sent */
	cur = a;
	conn_on_write(&c1, (const uint8_t *)req, sizeof(req) - 1, 40);
	conn_on_read(&c1, (const uint8_t *)resp, sizeof(resp) - 1, 41);
	ck_assert_uint_eq(records, 3);
	cur = b;
	conn_on_write(&c1, (const uint8_t *)req, sizeof(req) - 1, 42);
	ht_live_read_begin(b);
	ht_live_read_end(b, 43);
	conn_on_read(&c1, (const uint8_t *)resp, sizeof(resp) - 1, 44);
	ck_assert_uint_eq(records, 3); /* b's collector read it in flight */
	ck_assert_uint_eq(b->req_counts.dropped, 1);
	conn_close(&c1, 50);
	conn_close(&c3, 50);
	conn_close(&c4, 50);
	free(a);
	free(b);
	cur = NULL;
}
END_TEST

/* A connection up and waiting for its first request is not reported by
 * a collector that stops (no phase in flight): its later failure is
 * sent; one in its connect is the collector's. */
START_TEST(stopped_collector_connection_phases)
{
	static conn c1, c2;

	cur = new_page();
	fails = 0;
	conn_init(&c1, &live_env, 1, 1, &peer_443, 10);
	conn_connected(&c1, 11); /* up: nothing in flight */
	conn_init(&c2, &live_env, 1, 2, &peer_443, 12); /* connecting */
	ht_live_read_begin(cur);
	ht_live_read_end(cur, 13);
	conn_tls_start(&c1, 14);
	conn_tls_failed(&c1, 15);
	ck_assert_uint_eq(fails, 1);
	conn_connect_failed(&c2, 111, 16);
	ck_assert_uint_eq(fails, 1);
	ck_assert_uint_eq(cur->produced, 1);
	ck_assert_uint_eq(cur->req_counts.produced, 0);
	conn_close(&c1, 20);
	conn_close(&c2, 20);
	free(cur);
	cur = NULL;
}
END_TEST

/* The end's signal and phase travel in a request record, and only there. */
START_TEST(wire_carries_signal_and_phase)
{
	ht_record rec, out;
	uint8_t buf[512];
	size_t n, n0;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_REQUEST;
	rec.u.req.pid = 1;
	rec.u.req.error = HT_ERR_KILLED;
	n0 = ht_wire_encode(buf, sizeof(buf), &rec);
	ck_assert_uint_gt(n0, 0);
	ck_assert_int_eq(ht_wire_decode(buf, n0, &out), (long)n0);
	ck_assert_uint_eq(out.u.req.signal, 0);
	ck_assert_uint_eq(out.u.req.phase, 0);
	rec.u.req.signal = 9;
	rec.u.req.phase = HT_PH_WAIT_FIRST_BYTE;
	n = ht_wire_encode(buf, sizeof(buf), &rec);
	ck_assert_uint_eq(n, n0 + 2);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.req.error, HT_ERR_KILLED);
	ck_assert_uint_eq(out.u.req.signal, 9);
	ck_assert_uint_eq(out.u.req.phase, HT_PH_WAIT_FIRST_BYTE);
	ck_assert_str_eq(ht_error_str(HT_ERR_KILLED), "killed");
}
END_TEST

/* A connection shows in a connection slot from its connect, with its
 * moments, until its first request begins; then the request's slot has
 * them.  A close, a failed connect or handshake, or a protocol that is not
 * HTTP frees the slot too. */
START_TEST(conn_slot_until_first_request)
{
	static conn c;
	ht_live_conn out;
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

	cur = new_page();
	ck_assert_uint_eq(cur->version, HT_LIVE_VERSION);
	conn_init(&c, &live_env, 1, 4, &peer_443, 10);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.conn_id, 4);
	ck_assert_uint_eq(out.peer.port, 443);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_CONNECT);
	conn_set_dns(&c, "example.test", 2, 8);
	conn_connected(&c, 20);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.name, "example.test");
	ck_assert_uint_eq(out.t_dns_start, 2);
	ck_assert_uint_eq(out.t_connect_done, 20);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	conn_tls_start(&c, 25);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_TLS);
	ck_assert_uint_eq(out.t_tls_start, 25);
	conn_tls_done(&c, 30, "TLSv1.3", NULL);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_tls_done, 30);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	/* the first request takes over: the connection slot is free */
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 40);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 0);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_close(&c, 50);

	/* a failed connect, a failed handshake, a close, not HTTP */
	conn_init(&c, &live_env, 1, 5, &peer_443, 60);
	ck_assert_uint_eq(cur->conns_used, 1);
	conn_connect_failed(&c, 111, 61);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_init(&c, &live_env, 1, 6, &peer_443, 70);
	conn_connected(&c, 71);
	conn_tls_start(&c, 72);
	conn_tls_failed(&c, 73);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_close(&c, 74);
	conn_init(&c, &live_env, 1, 7, &peer_443, 80);
	conn_close(&c, 81);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_init(&c, &live_env, 1, 8, &peer_443, 90);
	conn_connected(&c, 91);
	conn_on_write(&c, (const uint8_t *)"\x01\x02", 2, 92);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_close(&c, 93);
	/* another protocol's first line: no request slot either */
	conn_init(&c, &live_env, 1, 10, &peer_443, 94);
	conn_connected(&c, 95);
	conn_on_write(&c, (const uint8_t *)"PING\r\n", 6, 96);
	ck_assert_uint_eq(cur->conns_used, 0);
	ck_assert_uint_eq(cur->used, 0);
	conn_close(&c, 97);
	/* a Unix socket has no slot */
	conn_init(&c, &live_env, 1, 9, NULL, 100);
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_close(&c, 101);
	free(cur);
	cur = NULL;
}
END_TEST

/* A client's connect shows from before its call: the slot claimed with
 * the connection's id and start, no peer (family 0) and the name given, in
 * phase connect; the connection made after the call takes that slot (no
 * second one) and shows its peer, then what it learns; a call that opened
 * nothing releases it. */
START_TEST(conn_slot_before_connect)
{
	static conn c;
	ht_live_conn out;
	ht_live_tls tls;

	cur = new_page();
	unsigned ref = ht_live_conn_connecting(cur, 3, 50, "guess.test");
	ck_assert_uint_eq(ref, 1);
	ck_assert_int_eq(ht_live_conn_read_tls(cur, 0, &out, &tls), 1);
	ck_assert_uint_eq(out.conn_id, 3);
	ck_assert_uint_eq(out.kind, HT_LIVE_CONNECTION);
	ck_assert_uint_eq(out.side, HT_LIVE_CLIENT);
	ck_assert_uint_eq(out.peer.family, 0);
	ck_assert_uint_eq(out.t_connect_start, 50);
	ck_assert_uint_eq(out.t_dns_start, 0);
	ck_assert_str_eq(out.name, "guess.test");
	ck_assert_str_eq(tls.version, "");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_CONNECT);
	/* the connection, its peer known after the call, takes it */
	conn_init(&c, &live_env, 1, 3, NULL, 50);
	c.peer = peer_443;
	conn_live_conn_take(&c, cur, ref);
	ck_assert_uint_eq(cur->conns_used, 1);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.peer.port, 443);
	/* no lookup named its address: the guess is gone */
	ck_assert_str_eq(out.name, "");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_CONNECT);
	conn_connected(&c, 60);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_connect_done, 60);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	conn_close(&c, 70);
	ck_assert_uint_eq(cur->conns_used, 0);
	/* a connection that has a slot already keeps its own */
	conn_init(&c, &live_env, 1, 4, &peer_443, 80);
	ref = ht_live_conn_connecting(cur, 4, 80, NULL);
	ck_assert_uint_eq(cur->conns_used, 3);
	conn_live_conn_take(&c, cur, ref);
	ck_assert_uint_eq(cur->conns_used, 1);
	conn_connect_failed(&c, 111, 90);
	ck_assert_uint_eq(cur->conns_used, 0);
	/* a call that opened nothing: released */
	ref = ht_live_conn_connecting(cur, 5, 100, NULL);
	ck_assert_uint_eq(cur->conns_used, 1);
	ht_live_conn_release(cur, ref);
	ck_assert_uint_eq(cur->conns_used, 0);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 0);
	/* none free: 0, counted */
	cur->conns_used = ~0ull;
	ck_assert_uint_eq(ht_live_conn_connecting(cur, 6, 110, NULL), 0);
	ck_assert_uint_eq(cur->conns_overflow, 1);
	free(cur);
	cur = NULL;
}
END_TEST

/* A connection no lookup named is named by its ClientHello's server name
 * (the fixture's: example.test) once the ClientHello was written whole,
 * and shows its handshake begun from its first byte: written by a hook's
 * session (the ciphertext the socket hooks saw, any split), until the hook
 * reports the start (its call's, earlier), or TLS no hook decodes, whose
 * records then say when the handshake ended.  A DNS name wins; a failed
 * handshake's record carries the name; the ciphertext after the hello, or
 * on a connection that is not a hook's, is not read. */
START_TEST(conn_slot_named_by_client_hello)
{
	static conn c;
	ht_live_conn out;
	const size_t half = sizeof(tls13_0) / 2;

	cur = new_page();
	/* a hook's session */
	conn_init(&c, &live_env, 1, 4, &peer_443, 10);
	conn_connected(&c, 20);
	ck_assert(!conn_tls_hello_wanted(&c)); /* not a hook's (yet) */
	conn_mark_tls(&c);
	ck_assert(conn_tls_hello_wanted(&c));
	conn_tls_hello_out(&c, tls13_0, half, 25);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.name, "");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	conn_tls_hello_out(&c, tls13_0 + half, sizeof(tls13_0) - half, 26);
	ck_assert(!conn_tls_hello_wanted(&c));
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.name, "example.test");
	ck_assert_str_eq(conn_host_name(&c), "example.test");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_TLS);
	ck_assert_uint_eq(out.t_tls_start, 25);
	conn_tls_start(&c, 22); /* the hook's: its call began earlier */
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_tls_start, 22);
	fail_host[0] = '\0';
	conn_tls_failed(&c, 40);
	ck_assert_str_eq(fail_host, "example.test");
	ck_assert_uint_eq(cur->conns_used, 0);
	conn_close(&c, 41);

	/* a DNS name wins */
	conn_init(&c, &live_env, 1, 5, &peer_443, 50);
	conn_set_dns(&c, "dns.test", 45, 48);
	conn_connected(&c, 51);
	conn_mark_tls(&c);
	conn_tls_hello_out(&c, tls13_0, sizeof(tls13_0), 52);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.name, "dns.test");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_TLS);
	conn_close(&c, 53);

	/* TLS no hook decodes: named, its handshake until its records end it */
	conn_init(&c, &live_env, 1, 6, &peer_443, 60);
	conn_connected(&c, 61);
	conn_on_write(&c, tls13_0, sizeof(tls13_0), 62);
	ck_assert(!conn_tls_hello_wanted(&c));
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_str_eq(out.name, "example.test");
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_TLS);
	ck_assert_uint_eq(out.t_tls_start, 62);
	conn_on_read(&c, tls13_1, sizeof(tls13_1), 63);
	conn_on_write(&c, tls13_2, sizeof(tls13_2), 64);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_tls_done, 64);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	conn_close(&c, 65);

	/* records that are not TLS after all: no handshake shown */
	conn_init(&c, &live_env, 1, 7, &peer_443, 70);
	conn_connected(&c, 71);
	conn_on_write(&c, (const uint8_t *)"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03", 10, 72);
	conn_on_write(&c, (const uint8_t *)"\xff\xff\xff\xff\xff", 5, 73);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(ht_live_conn_phase(&out), HT_PH_NONE);
	ck_assert_uint_eq(out.t_tls_start, 0);
	conn_close(&c, 74);
	free(cur);
	cur = NULL;
}
END_TEST

/* A hook's TLS call begun at 22 writes its ClientHello at 25 and 26 on a
 * connection begun at 10 whose connect those bytes prove (the order of the
 * write hook: conn_tls_call_wrote(), conn_on_transport(),
 * conn_tls_hello_out()); the hook reports the call's start after it
 * returns.  Every page read shows the connect's end and the handshake's
 * start the record then carries (the call's start: 22), or none yet, never
 * a later time first (the write's, that an events stream would have
 * written once and the record contradicted). */
START_TEST(conn_slot_tls_start_is_the_records)
{
	static conn c;
	ht_live_conn out;
	const size_t half = sizeof(tls13_0) / 2;
	const struct { const uint8_t *p; size_t n; uint64_t now; } w[] = {
		{ tls13_0, half, 25 },
		{ tls13_0 + half, sizeof(tls13_0) - half, 26 },
	};

	cur = new_page();
	conn_init(&c, &live_env, 1, 4, &peer_443, 10);
	conn_mark_tls(&c);
	for (unsigned i = 0; i < 2; i++) {
		conn_tls_call_wrote(&c, 22, w[i].now);
		conn_on_transport(&c, true, w[i].n, w[i].now);
		conn_tls_hello_out(&c, w[i].p, w[i].n, w[i].now);
		ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
		ck_assert_uint_eq(out.t_connect_done, 22);
		ck_assert_uint_eq(out.t_tls_start, 22);
	}
	ck_assert_str_eq(out.name, "example.test");
	conn_tls_start(&c, 22); /* the hook's, after the call */
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_connect_done, 22);
	ck_assert_uint_eq(out.t_tls_start, 22);
	fail_connect_done = fail_tls_start = 0;
	conn_tls_failed(&c, 40);
	ck_assert_uint_eq(fail_connect_done, 22);
	ck_assert_uint_eq(fail_tls_start, 22);
	conn_close(&c, 41);

	/* no call (TLS no hook of ours began): the ClientHello's own time */
	conn_init(&c, &live_env, 1, 5, &peer_443, 50);
	conn_connected(&c, 51);
	conn_mark_tls(&c);
	conn_tls_call_wrote(&c, 0, 52);
	conn_on_transport(&c, true, sizeof(tls13_0), 52);
	conn_tls_hello_out(&c, tls13_0, sizeof(tls13_0), 52);
	ck_assert_int_eq(ht_live_conn_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.t_connect_done, 51);
	ck_assert_uint_eq(out.t_tls_start, 52);
	conn_close(&c, 53);
	free(cur);
	cur = NULL;
}
END_TEST

/* The TLS session shows in the connection slot from the handshake's end,
 * and in the slot of the request that carries the handshake (its
 * connection's first), not in a later one's; a name too long to keep is
 * left out whole; a version-3 page (no such tail) reads as none. */
START_TEST(tls_session_in_slots)
{
	static conn c;
	ht_live_conn cout;
	ht_live_req rout;
	ht_live_tls tls;
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	cur = new_page();
	records = 0;
	conn_init(&c, &live_env, 1, 4, &peer_443, 10);
	conn_connected(&c, 20);
	conn_tls_start(&c, 25);
	ck_assert_int_eq(ht_live_conn_read_tls(cur, 0, &cout, &tls), 1);
	ck_assert_str_eq(tls.version, "");
	conn_tls_done(&c, 30, "TLSv1.3", "http/1.1");
	ck_assert_int_eq(ht_live_conn_read_tls(cur, 0, &cout, &tls), 1);
	ck_assert_uint_eq(cout.side, HT_LIVE_CLIENT);
	ck_assert_str_eq(tls.version, "TLSv1.3");
	ck_assert_str_eq(tls.alpn, "http/1.1");
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 40);
	ck_assert_int_eq(ht_live_read_tls(cur, 0, &rout, &tls), 1);
	ck_assert_uint_eq(rout.t[HT_T_TLS_DONE], 30);
	ck_assert_str_eq(tls.version, "TLSv1.3");
	ck_assert_str_eq(tls.alpn, "http/1.1");
	/* an older page has zeros there; a reader of one sees none */
	cur->version = 3;
	ck_assert_int_eq(ht_live_read_tls(cur, 0, &rout, &tls), 1);
	ck_assert_str_eq(tls.version, "");
	ck_assert_str_eq(tls.alpn, "");
	cur->version = HT_LIVE_VERSION;
	conn_on_read(&c, (const uint8_t *)resp, sizeof(resp) - 1, 50);
	ck_assert_uint_eq(records, 1);
	/* the reused connection's next request carries no handshake */
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 60);
	ck_assert_int_eq(ht_live_read_tls(cur, 0, &rout, &tls), 1);
	ck_assert_uint_eq(rout.t[HT_T_TLS_DONE], 0);
	ck_assert_str_eq(tls.version, "");
	ck_assert_str_eq(tls.alpn, "");
	conn_close(&c, 70);

	ht_live_tls_set(&tls, "TLSv1.3", "a-protocol-too-long");
	ck_assert_str_eq(tls.version, "TLSv1.3");
	ck_assert_str_eq(tls.alpn, "");
	ht_live_tls_set(&tls, "TLSv1.3-too-long", NULL);
	ck_assert_str_eq(tls.version, "");
	ck_assert_ptr_null(ht_live_req_tls(cur, 0));
	ck_assert_ptr_null(ht_live_conn_tls(cur, HT_LIVE_CONNS + 1));
	free(cur);
	cur = NULL;
}
END_TEST

/* Connection slots are claimed and counted apart from request slots; a
 * version-2 page has none. */
START_TEST(conn_slots_overflow_and_old_page)
{
	ht_live *l = new_page();
	ht_live_conn out;

	for (unsigned i = 0; i < HT_LIVE_CONNS; i++)
		ck_assert_uint_eq(ht_live_conn_claim(l), i + 1);
	ck_assert_uint_eq(ht_live_conn_claim(l), 0);
	ck_assert_uint_eq(l->conns_overflow, 1);
	ck_assert_uint_eq(l->overflow, 0);
	ck_assert_uint_eq(ht_live_claim(l), 1);
	ht_live_conn *s = ht_live_conn_write_begin(l, 3);
	s->active = 1;
	ht_live_conn_write_end(s);
	ck_assert_int_eq(ht_live_conn_read(l, 2, &out), 1);
	l->version = 2;
	ck_assert_int_eq(ht_live_conn_read(l, 2, &out), 0);
	l->version = 3;
	ht_live_conn_release(l, 3);
	ck_assert_int_eq(ht_live_conn_read(l, 2, &out), 0);
	ck_assert_uint_eq(ht_live_conn_claim(l), 3);
	ck_assert_ptr_null(ht_live_conn_write_begin(l, HT_LIVE_CONNS + 1));
	free(l);
}
END_TEST

/* A write mark: claimed for a connection with nothing in flight, shown
 * writing while `begun` is ahead of `ended`, free again once released. */
START_TEST(write_marks)
{
	ht_live *l = new_page();
	ht_live_wmark out;

	ht_live_wmark *w = ht_live_wmark_claim(l, 9);
	ck_assert_ptr_eq(w, &l->wmarks[0]);
	ck_assert_int_eq(ht_live_wmark_read(l, 0, &out), 1);
	ck_assert_uint_eq(out.conn_id, 9);
	ck_assert(!ht_live_wmark_writing(&out));
	w->begun++;
	ht_live_wmark_read(l, 0, &out);
	ck_assert(ht_live_wmark_writing(&out));
	w->ended = w->begun;
	ht_live_wmark_read(l, 0, &out);
	ck_assert(!ht_live_wmark_writing(&out));
	/* a stale count on a released mark is gone at its next claim */
	w->begun++;
	ht_live_wmark_release(l, w);
	ck_assert_int_eq(ht_live_wmark_read(l, 0, &out), 0);
	for (unsigned i = 0; i < HT_LIVE_WMARKS; i++)
		ck_assert_ptr_eq(ht_live_wmark_claim(l, i + 1), &l->wmarks[i]);
	ck_assert_ptr_null(ht_live_wmark_claim(l, 99));
	ck_assert(!ht_live_wmark_writing(&l->wmarks[0]));
	ck_assert_int_eq(ht_live_wmark_read(l, HT_LIVE_WMARKS, &out), 0);
	free(l);
}
END_TEST

/* A server's connection holds one write mark while its requests have
 * slots (two pipelined: one mark), released with the last one's record;
 * a client's has none. */
START_TEST(server_conn_holds_write_mark)
{
	ht_addr peer = { .family = 2, .port = 40000 };
	static conn c;
	static const char reqs[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
				   "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	cur = new_page();
	records = 0;
	memset(&c, 0, sizeof(c));
	conn_server_init(&c, &live_env, 1, 5, &peer, 10);
	conn_server_read(&c, (const uint8_t *)reqs, sizeof(reqs) - 1, 20);
	ck_assert_uint_eq(cur->used, 3);
	ck_assert_uint_eq(cur->wmarks_used, 1);
	ck_assert_ptr_eq(c.live_wmark, &cur->wmarks[0]);
	ck_assert_uint_eq(cur->wmarks[0].conn_id, 5);
	conn_server_write(&c, (const uint8_t *)resp, sizeof(resp) - 1, 30);
	ck_assert_uint_eq(records, 1);
	ck_assert_ptr_nonnull(c.live_wmark);
	conn_server_write(&c, (const uint8_t *)resp, sizeof(resp) - 1, 40);
	ck_assert_uint_eq(records, 2);
	ck_assert_ptr_null(c.live_wmark);
	ck_assert_uint_eq(cur->wmarks_used, 0);
	conn_close(&c, 50);
	free(cur);
	cur = NULL;
}
END_TEST

/* An HTTP/2 frame of @type, @flags on @stream with @n bytes of @payload,
 * appended to @out at *@len. */
static void h2_put_frame(uint8_t *out, size_t *len, uint8_t type,
			 uint8_t flags, uint32_t stream, const void *payload,
			 size_t n)
{
	uint8_t *p = out + *len;

	h2_frame_head(p, type, flags, stream, (uint32_t)n);
	if (n > 0)
		memcpy(p + 9, payload, n);
	*len += 9 + n;
}

/* A server's HTTP/2 streams read before the page existed (the preface and
 * two requests in the connection's first read) take their slots, with
 * their stream ids, and the connection its write mark, when the page
 * comes (conn_live_adopt()); adopting again changes nothing; each slot
 * goes with its stream's record, the mark with the last. */
START_TEST(server_h2_streams_adopted)
{
	static const h1_options opts = { .capture_headers = false };
	conn_env env = { .sink = sink, .live = cur_ref, .opt = &opts,
			 .alloc = zalloc, .release = release,
			 .hpack = hpack_own };
	ht_addr peer = { .family = 2, .port = 40000 };
	static conn c;
	static const char *const get_a[] = {
		":method", "GET", ":scheme", "https", ":path", "/a",
		":authority", "h", NULL };
	static const char *const get_b[] = {
		":method", "GET", ":scheme", "https", ":path", "/b",
		":authority", "h", NULL };
	static const char *const ok[] = { ":status", "200", NULL };
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	uint8_t buf[1024], block[256];
	size_t len = sizeof(preface) - 1, n;
	ht_live_req out;

	cur = NULL;
	records = 0;
	memset(&c, 0, sizeof(c));
	memcpy(buf, preface, len);
	h2_put_frame(buf, &len, 0x4, 0, 0, NULL, 0);
	n = h2_literals(block, get_a);
	h2_put_frame(buf, &len, 0x1, 0x5, 1, block, n);
	n = h2_literals(block, get_b);
	h2_put_frame(buf, &len, 0x1, 0x5, 3, block, n);
	conn_server_init(&c, &env, 1, 6, &peer, 10);
	conn_server_read(&c, buf, len, 20);
	ck_assert_ptr_null(c.live_wmark);

	cur = new_page();
	conn_live_adopt(&c);
	ck_assert_uint_eq(cur->used, 3);
	ck_assert_uint_eq(cur->wmarks_used, 1);
	ck_assert_ptr_eq(c.live_wmark, &cur->wmarks[0]);
	ck_assert_uint_eq(cur->wmarks[0].conn_id, 6);
	ck_assert_int_eq(ht_live_read(cur, 0, &out), 1);
	ck_assert_uint_eq(out.side, HT_LIVE_SERVER);
	ck_assert_uint_eq(out.proto, HT_PROTO_HTTP2);
	ck_assert_uint_eq(out.conn_id, 6);
	ck_assert_uint_eq(out.stream, 1);
	ck_assert_str_eq(out.method, "GET");
	ck_assert_str_eq(out.target, "/a");
	ck_assert_uint_eq(out.t[HT_T_WROTE_REQUEST], 20);
	ck_assert_uint_eq(ht_live_req_phase(&out), HT_PH_WAIT_FIRST_BYTE);
	ck_assert_int_eq(ht_live_read(cur, 1, &out), 1);
	ck_assert_uint_eq(out.stream, 3);
	ck_assert_str_eq(out.target, "/b");
	conn_live_adopt(&c);
	ck_assert_uint_eq(cur->used, 3);
	ck_assert_uint_eq(c.live_reqs, 2);

	/* the server's SETTINGS, then the responses, stream 1's first */
	len = 0;
	h2_put_frame(buf, &len, 0x4, 0, 0, NULL, 0);
	n = h2_literals(block, ok);
	h2_put_frame(buf, &len, 0x1, 0x5, 1, block, n);
	conn_server_write(&c, buf, len, 30);
	ck_assert_uint_eq(records, 1);
	ck_assert_uint_eq(rec_error, HT_ERR_NONE);
	ck_assert_uint_eq(cur->used, 2);
	ck_assert_ptr_nonnull(c.live_wmark);
	len = 0;
	h2_put_frame(buf, &len, 0x1, 0x5, 3, block, n);
	conn_server_write(&c, buf, len, 40);
	ck_assert_uint_eq(records, 2);
	ck_assert_uint_eq(rec_error, HT_ERR_NONE);
	ck_assert_uint_eq(cur->used, 0);
	ck_assert_ptr_null(c.live_wmark);
	ck_assert_uint_eq(cur->wmarks_used, 0);
	conn_close(&c, 50);
	free(cur);
	cur = NULL;
}
END_TEST

/* A connection its process's end cut short: error, signal and phase
 * travel appended to HT_REC_CONN_FAIL, and only there. */
START_TEST(wire_conn_fail_end)
{
	ht_record rec, out;
	uint8_t buf[512];
	size_t n, n0;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_CONN_FAIL;
	rec.u.fail.pid = 1;
	rec.u.fail.err = 111;
	n0 = ht_wire_encode(buf, sizeof(buf), &rec);
	ck_assert_int_eq(ht_wire_decode(buf, n0, &out), (long)n0);
	ck_assert_uint_eq(out.u.fail.error, 0);
	rec.u.fail.flags = HT_FF_FROM_PAGE | HT_FF_TLS;
	rec.u.fail.error = HT_ERR_INTERRUPTED;
	rec.u.fail.signal = 2;
	rec.u.fail.phase = HT_PH_TLS;
	n = ht_wire_encode(buf, sizeof(buf), &rec);
	ck_assert_uint_eq(n, n0 + 3);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.fail.error, HT_ERR_INTERRUPTED);
	ck_assert_uint_eq(out.u.fail.signal, 2);
	ck_assert_uint_eq(out.u.fail.phase, HT_PH_TLS);
	/* an error code out of range is not a valid record */
	buf[n - 3] = HT_ERR__COUNT;
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), -1);
}
END_TEST

/* Version 5: a page says whether its image made a client connection
 * from a loopback address; a page that cannot say (older, or not a whole
 * live page) may be one that did. */
START_TEST(client_loopback_mark)
{
	ht_live *l = new_page();
	ht_addr a;

	ck_assert_uint_eq(l->version, HT_LIVE_VERSION);
	ck_assert(!ht_live_may_have_client(l, HT_LIVE_SIZE));
	ck_assert(!ht_live_may_have_client(l, HT_LIVE_SIZE_V5));
	ht_live_mark_client(l);
	ck_assert(ht_live_may_have_client(l, HT_LIVE_SIZE));
	l->client_loopback = 0;
	l->version = 4;
	ck_assert(ht_live_may_have_client(l, HT_LIVE_SIZE));
	l->version = 5;
	ck_assert(ht_live_may_have_client(l, HT_COUNTERS_SIZE));
	free(l);

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.addr[0] = 127;
	a.addr[3] = 9;
	ck_assert(ht_live_addr_loopback(&a));
	a.addr[0] = 10;
	ck_assert(!ht_live_addr_loopback(&a));
	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.addr[15] = 1;
	ck_assert(ht_live_addr_loopback(&a));
	a.addr[10] = a.addr[11] = 0xff;
	a.addr[12] = 127;
	ck_assert(ht_live_addr_loopback(&a));
	a.addr[12] = 192;
	ck_assert(!ht_live_addr_loopback(&a));
	a.family = HT_AF_UNIX;
	ck_assert(!ht_live_addr_loopback(&a));
}
END_TEST

/* Version 6: a request slot keeps its HTTP/1.x response so far, the
 * status and header bytes once its header section is whole, the body
 * bytes after each read; what a cut record takes of it. */
START_TEST(response_kept_in_slot)
{
	static conn c, c2;
	ht_live_req out;
	ht_live_resp e;
	ht_live_cut_resp cut;
	static const char req[] = "GET /body HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char resp[] = "HTTP/1.1 100 Continue\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
				   "abc";
	const size_t h100 = 25, h200 = 39;

	cur = new_page();
	records = 0;
	conn_init(&c, &live_env, 1, 3, &peer_80, 10);
	conn_connected(&c, 20);
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 30);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ck_assert_uint_eq(e.kept, 1);
	/* written whole (version 10): its body bytes, 0, are known */
	uint64_t body = 1;
	ck_assert(ht_live_read_req_body(cur, HT_LIVE_SIZE, 0, &body));
	ck_assert_uint_eq(body, 0);
	ck_assert(!ht_live_read_req_body(cur, HT_LIVE_SIZE_V5, 0, &body));
	cur->version = 9;
	ck_assert(!ht_live_read_req_body(cur, HT_LIVE_SIZE, 0, &body));
	cur->version = HT_LIVE_VERSION;
	/* waiting for the first byte: no response, known */
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert(!cut.header_unknown && !cut.body_unknown);
	ck_assert_uint_eq(cut.status, 0);
	ck_assert_uint_eq(cut.body_bytes, 0);
	/* the interim response and part of the final's header section: no
	 * status yet, its header bytes so far (version 10), no body */
	conn_on_read(&c, (const uint8_t *)resp, h100 + 10, 40);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert_uint_eq(cut.status, 0);
	ck_assert(!cut.header_unknown && !cut.body_unknown);
	ck_assert_uint_eq(cut.header_bytes, h100 + 10);
	ck_assert_uint_eq(cut.body_bytes, 0);
	/* (a library older than version 10 kept none: not known) */
	e.header_bytes = 0;
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert(cut.header_unknown && !cut.body_unknown);
	/* the interim response alone, whole: its bytes */
	conn_init(&c2, &live_env, 2, 3, &peer_80, 10);
	conn_connected(&c2, 20);
	conn_on_write(&c2, (const uint8_t *)req, sizeof(req) - 1, 30);
	conn_on_read(&c2, (const uint8_t *)resp, h100, 40);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 1, &out, &e), 1);
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert(!cut.header_unknown && cut.status == 0);
	ck_assert_uint_eq(cut.header_bytes, h100);
	/* the rest of the headers and 3 body bytes of 10 */
	conn_on_read(&c, (const uint8_t *)resp + h100 + 10,
		     sizeof(resp) - 1 - h100 - 10, 50);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert_uint_eq(cut.status, 200);
	ck_assert(!cut.header_unknown && !cut.body_unknown);
	ck_assert_uint_eq(cut.header_bytes, h100 + h200);
	ck_assert_uint_eq(cut.body_bytes, 3);
	conn_on_read(&c, (const uint8_t *)"defg", 4, 60);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ck_assert_uint_eq(e.body_bytes, 7);
	/* a page as long as a version-5 one, or saying version 5: nothing
	 * past its end is read, nothing is known once a byte came */
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE_V5, 0, &out, &e), 1);
	ck_assert_uint_eq(e.kept, 0);
	ck_assert_uint_eq(e.body_bytes, 0);
	ht_live_cut_resp_of(&out, &e, &cut);
	ck_assert(cut.header_unknown && cut.body_unknown);
	ck_assert_uint_eq(cut.status, 0);
	cur->version = 5;
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ck_assert_uint_eq(e.kept, 0);
	cur->version = HT_LIVE_VERSION;
	/* the response completes: the slot is free; the next request on
	 * the connection starts afresh in it */
	conn_on_read(&c, (const uint8_t *)"hij", 3, 70);
	ck_assert_uint_eq(records, 1);
	ck_assert_int_eq(ht_live_read(cur, 0, &out), 0);
	conn_on_write(&c, (const uint8_t *)req, sizeof(req) - 1, 80);
	ck_assert_int_eq(ht_live_read_resp(cur, HT_LIVE_SIZE, 0, &out, &e), 1);
	ck_assert_uint_eq(e.kept, 1);
	ck_assert_uint_eq(e.status, 0);
	ck_assert_uint_eq(e.body_bytes, 0);
	conn_close(&c, 90);
	free(cur);
	cur = NULL;
}
END_TEST

/* A slot whose writer keeps no response (an HTTP/2 stream, an older
 * library): once its first byte came, nothing of it is known. */
START_TEST(response_not_kept)
{
	ht_live_req q;
	ht_live_resp e;
	ht_live_cut_resp cut;

	memset(&q, 0, sizeof(q));
	memset(&e, 0, sizeof(e));
	e.status = 200;
	e.body_bytes = 5;
	q.t[HT_T_WROTE_REQUEST] = 1;
	ht_live_cut_resp_of(&q, &e, &cut);
	ck_assert(!cut.header_unknown && !cut.body_unknown);
	ck_assert_uint_eq(cut.status, 0);
	ck_assert_uint_eq(cut.body_bytes, 0);
	q.t[HT_T_FIRST_BYTE] = 2;
	ht_live_cut_resp_of(&q, &e, &cut);
	ck_assert(cut.header_unknown && cut.body_unknown);
	ck_assert_uint_eq(cut.status, 0);
	ck_assert(ht_live_size_known(HT_LIVE_SIZE));
	ck_assert(ht_live_size_known(HT_LIVE_SIZE_V5));
	ck_assert(!ht_live_size_known(HT_COUNTERS_SIZE));
}
END_TEST

Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, claim_release_reuse);
	tcase_add_test(tc, overflow_counted);
	tcase_add_test(tc, unlisted_gauge);
	tcase_add_test(tc, torn_read_detected);
	tcase_add_test(tc, reader_never_keeps_a_mix);
	tcase_add_test(tc, phases);
	tcase_add_test(tc, phase_after_100_continue);
	tcase_add_test(tc, phases_server);
	tcase_add_test(tc, phase_websocket);
	tcase_add_test(tc, conn_shows_request_in_flight);
	tcase_add_test(tc, wire_carries_signal_and_phase);
	tcase_add_test(tc, conn_slot_until_first_request);
	tcase_add_test(tc, conn_slot_before_connect);
	tcase_add_test(tc, conn_slot_named_by_client_hello);
	tcase_add_test(tc, conn_slot_tls_start_is_the_records);
	tcase_add_test(tc, conn_slots_overflow_and_old_page);
	tcase_add_test(tc, tls_session_in_slots);
	tcase_add_test(tc, wire_conn_fail_end);
	tcase_add_test(tc, write_marks);
	tcase_add_test(tc, server_conn_holds_write_mark);
	tcase_add_test(tc, server_h2_streams_adopted);
	tcase_add_test(tc, client_loopback_mark);
	tcase_add_test(tc, response_kept_in_slot);
	tcase_add_test(tc, response_not_kept);
	tcase_add_test(tc, read_mark);
	tcase_add_test(tc, taken_decision);
	tcase_add_test(tc, stopped_collector_takes_what_it_read);
	tcase_add_test(tc, stopped_collector_connection_phases);
	suite_add_tcase(s, tc);
	return s;
}
