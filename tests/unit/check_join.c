/* check_join.c - a client's record and its server's joined (join.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixtures.h"
#include "join.h"
#include "suites.h"

#define MSEC 1000000ull

/* What went out, in order: type, pid, conn, req, and the join. */
typedef struct sent {
	uint8_t type;
	uint32_t pid, conn, req;
	bool server, has_join;
	ht_join join;
} sent;

static sent out[2 * JOIN_HOLD_MAX];
static unsigned n_out;

static void collect(void *ctx, const ht_record *rec)
{
	sent *s;

	(void)ctx;
	ck_assert_uint_lt(n_out, sizeof(out) / sizeof(out[0]));
	s = &out[n_out++];
	memset(s, 0, sizeof(*s));
	s->type = rec->type;
	if (rec->type == HT_REC_REQUEST) {
		s->pid = rec->u.req.pid;
		s->conn = rec->u.req.conn_id;
		s->req = rec->u.req.req_seq;
		s->server = rec->u.req.flags & HT_RF_SERVER;
		if (rec->u.req.join != NULL) {
			s->has_join = true;
			s->join = *rec->u.req.join;
		}
	} else if (rec->type == HT_REC_CONN_CLOSE) {
		s->pid = rec->u.close.pid;
		s->conn = rec->u.close.conn_id;
	}
}

static uint8_t counter;

static void fake_rand(void *ctx, uint8_t *buf, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		buf[i] = ++counter;
}

static void v4(ht_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->addr[0] = 127;
	a->addr[3] = last;
	a->port = port;
}

/* IPv4 in IPv6, as a dual-stack server sees it. */
static void v4mapped(ht_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->addr[10] = a->addr[11] = 0xff;
	a->addr[12] = 127;
	a->addr[15] = last;
	a->port = port;
}

/* A request of the connection 127.0.0.1:40000 -> 127.0.0.1:8080, seen
 * from its client (pid 100) or its server (pid 200), between @t0 and
 * @t1; the server processed for @proc. */
static ht_record req(bool server, uint32_t seq, uint64_t t0, uint64_t t1,
		     uint64_t proc)
{
	ht_record rec;
	ht_rec_request *r = &rec.u.req;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_REQUEST;
	r->pid = server ? 200 : 100;
	r->conn_id = server ? 5 : 3;
	r->req_seq = seq;
	r->flags = server ? HT_RF_SERVER : 0;
	r->proto = HT_PROTO_HTTP11;
	r->status = 200;
	v4(server ? &r->peer : &r->local, 1, 40000);
	v4(server ? &r->local : &r->peer, 1, 8080);
	r->t[HT_T_GOT_CONN] = t0;
	r->t[HT_T_WROTE_HEADERS] = t0;
	r->t[HT_T_WROTE_REQUEST] = t0 + MSEC;
	r->t[HT_T_FIRST_BYTE] = t0 + MSEC + proc;
	r->t[HT_T_RESPONSE_DONE] = t1;
	r->method = S("GET");
	r->target = S("/x");
	r->host = S("h");
	r->dns_name = r->reason = r->content_type = S("");
	r->tls_version = r->alpn = r->req_headers = r->resp_headers = S("");
	r->peer_path = r->tunnel = r->grpc.message = S("");
	return rec;
}

static ht_record close_rec(uint32_t pid, uint32_t conn)
{
	ht_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_CONN_CLOSE;
	rec.u.close.pid = pid;
	rec.u.close.conn_id = conn;
	rec.u.close.peer_path = rec.u.close.sni = S("");
	rec.u.close.alpn_offered = rec.u.close.tls_version = S("");
	rec.u.close.alpn = S("");
	return rec;
}

static void setup(joiner *j, bool hold)
{
	n_out = 0;
	counter = 0;
	ck_assert_int_eq(join_init(j, collect, NULL, fake_rand, NULL, hold,
				   250 * MSEC), 0);
}

/* The usual order: the server's record first, held until its client's
 * comes; its connection's close waits behind it; the client's goes out
 * first with the server's processing, then the server's with the link
 * and the client span as parent. */
START_TEST(server_first_held)
{
	joiner j;
	ht_record s = req(true, 1, 10 * MSEC, 60 * MSEC, 40 * MSEC);
	ht_record c = req(false, 1, 9 * MSEC, 61 * MSEC, 0);
	ht_record cl = close_rec(200, 5);

	setup(&j, true);
	join_record(&j, &s, 100 * MSEC);
	join_record(&j, &cl, 100 * MSEC);
	ck_assert_uint_eq(n_out, 0);
	ck_assert(join_pending(&j));
	join_record(&j, &c, 110 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	ck_assert(!join_pending(&j));
	/* the client's */
	ck_assert(!out[0].server && out[0].has_join);
	ck_assert_uint_eq(out[0].join.pid, 200);
	ck_assert_uint_eq(out[0].join.conn_id, 5);
	ck_assert_uint_eq(out[0].join.req_seq, 1);
	ck_assert_int_eq(out[0].join.server_processing, (int64_t)(40 * MSEC));
	ck_assert(out[0].join.ids);
	/* the server's: the link back, the client's ids */
	ck_assert(out[1].server && out[1].has_join);
	ck_assert_uint_eq(out[1].join.pid, 100);
	ck_assert_uint_eq(out[1].join.conn_id, 3);
	ck_assert_uint_eq(out[1].join.req_seq, 1);
	ck_assert_mem_eq(out[1].join.trace, out[0].join.trace, 16);
	ck_assert_mem_eq(out[1].join.span, out[0].join.span, 8);
	/* the close after its request */
	ck_assert_uint_eq(out[2].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(j.joined, 1);
	join_free(&j);
}
END_TEST

/* @rec's connection 10.0.0.1:40000 -> 10.0.0.2:8080: its server on
 * another host. */
static void other_host(ht_record *rec)
{
	ht_rec_request *r = &rec->u.req;
	bool server = r->flags & HT_RF_SERVER;
	ht_addr *cl = server ? &r->peer : &r->local;
	ht_addr *sv = server ? &r->local : &r->peer;

	cl->addr[0] = sv->addr[0] = 10;
	cl->addr[3] = 1;
	sv->addr[3] = 2;
}

/* The client's record first, its server on another host not known yet:
 * out at once with its ids; the server's, when it comes, takes the link
 * and the parent at once.  Once the server is known, a client's record
 * waits for it. */
START_TEST(client_first)
{
	joiner j;
	ht_record s = req(true, 1, 10 * MSEC, 60 * MSEC, 40 * MSEC);
	ht_record c = req(false, 1, 9 * MSEC, 61 * MSEC, 0);

	other_host(&s);
	other_host(&c);
	setup(&j, true);
	join_record(&j, &c, 100 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	ck_assert(out[0].has_join && out[0].join.ids);
	ck_assert_uint_eq(out[0].join.pid, 0);
	join_record(&j, &s, 101 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert(!join_pending(&j));
	ck_assert_uint_eq(out[1].join.pid, 100);
	ck_assert_mem_eq(out[1].join.span, out[0].join.span, 8);
	ck_assert_mem_eq(out[1].join.trace, out[0].join.trace, 16);

	/* the server's address known now: the client's next record waits
	 * for its server's and gets its processing */
	c = req(false, 2, 70 * MSEC, 90 * MSEC, 0);
	s = req(true, 2, 71 * MSEC, 89 * MSEC, 12 * MSEC);
	other_host(&s);
	other_host(&c);
	join_record(&j, &c, 200 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	join_record(&j, &s, 201 * MSEC);
	ck_assert_uint_eq(n_out, 4);
	ck_assert(out[2].server);
	ck_assert_uint_eq(out[2].join.pid, 100);
	ck_assert(!out[3].server);
	ck_assert_uint_eq(out[3].join.pid, 200);
	ck_assert_int_eq(out[3].join.server_processing, (int64_t)(12 * MSEC));
	ck_assert_mem_eq(out[2].join.span, out[3].join.span, 8);
	ck_assert(!join_pending(&j));
	join_free(&j);
}
END_TEST

/* A client's record whose server is on this host (loopback) waits for
 * it before the server is known: joined both ways.  A window that ends
 * with no server record for a peer makes that peer unserved (its next
 * client record goes out at once) until a server record comes from it. */
START_TEST(client_first_on_host)
{
	joiner j;
	ht_record s = req(true, 1, 10 * MSEC, 60 * MSEC, 40 * MSEC);
	ht_record c = req(false, 1, 9 * MSEC, 61 * MSEC, 0);

	setup(&j, true);
	join_record(&j, &c, 100 * MSEC);
	ck_assert_uint_eq(n_out, 0);
	ck_assert(join_pending(&j));
	join_record(&j, &s, 104 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert(!join_pending(&j));
	/* the server's out at once, the client's released after it */
	ck_assert(out[0].server);
	ck_assert_uint_eq(out[0].join.pid, 100);
	ck_assert(!out[1].server);
	ck_assert_uint_eq(out[1].join.pid, 200);
	ck_assert_int_eq(out[1].join.server_processing, (int64_t)(40 * MSEC));
	ck_assert_uint_eq(j.joined, 1);

	/* another port, no traced server behind it: held for a window */
	c = req(false, 1, 300 * MSEC, 310 * MSEC, 0);
	c.u.req.peer.port = 9090;
	join_record(&j, &c, 320 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	join_expire(&j, 320 * MSEC + 250 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	ck_assert_uint_eq(out[2].join.pid, 0);
	ck_assert_uint_eq(j.expired, 1);
	/* then judged unserved: out at once */
	c.u.req.req_seq = 2;
	join_record(&j, &c, 600 * MSEC);
	ck_assert_uint_eq(n_out, 4);
	ck_assert(!join_pending(&j));
	/* until a traced server's record comes from there */
	s = req(true, 1, 700 * MSEC, 710 * MSEC, 1 * MSEC);
	s.u.req.local.port = 9090;
	s.u.req.peer.port = 40001;
	join_record(&j, &s, 720 * MSEC);
	ck_assert_uint_eq(n_out, 4); /* (its client on loopback: held) */
	join_expire(&j, 720 * MSEC + 250 * MSEC);
	ck_assert_uint_eq(n_out, 5);
	c.u.req.req_seq = 3;
	join_record(&j, &c, 1000 * MSEC);
	ck_assert_uint_eq(n_out, 5);
	ck_assert(join_pending(&j));
	join_flush(&j);
	ck_assert_uint_eq(n_out, 6);
	join_free(&j);
}
END_TEST

/* The n-th request pairs with the n-th: a server's second request does
 * not join the client's first; a dual-stack server's IPv4-in-IPv6
 * addresses match the client's IPv4 ones. */
START_TEST(nth_request_and_v4mapped)
{
	joiner j;
	ht_record s1 = req(true, 1, 10 * MSEC, 20 * MSEC, 5 * MSEC);
	ht_record s2 = req(true, 2, 30 * MSEC, 40 * MSEC, 7 * MSEC);
	ht_record c2 = req(false, 2, 29 * MSEC, 41 * MSEC, 0);

	v4mapped(&s1.u.req.peer, 1, 40000);
	v4mapped(&s1.u.req.local, 1, 8080);
	v4mapped(&s2.u.req.peer, 1, 40000);
	v4mapped(&s2.u.req.local, 1, 8080);
	setup(&j, true);
	join_record(&j, &s1, 100 * MSEC);
	join_record(&j, &s2, 100 * MSEC);
	join_record(&j, &c2, 100 * MSEC);
	/* c2 out, s1 still waiting (and s2, behind it: one process) */
	ck_assert_uint_eq(n_out, 1);
	ck_assert_uint_eq(out[0].join.req_seq, 2);
	ck_assert_int_eq(out[0].join.server_processing, (int64_t)(7 * MSEC));
	/* the window ends: s1 alone, then s2 joined */
	join_expire(&j, 349 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	join_expire(&j, 350 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	ck_assert(out[1].server && out[1].req == 1 && !out[1].has_join);
	ck_assert(out[2].server && out[2].req == 2 && out[2].has_join);
	ck_assert_uint_eq(out[2].join.pid, 100);
	ck_assert_uint_eq(j.expired, 1);
	join_free(&j);
}
END_TEST

/* A port used again later: a remembered end whose lifetime does not
 * overlap never pairs; neither do other addresses, a tunnel, a record
 * without a local address (an older sender). */
START_TEST(no_wrong_pairs)
{
	joiner j;
	ht_record s = req(true, 1, 10 * MSEC, 20 * MSEC, 5 * MSEC);
	ht_record c = req(false, 1, 2000 * MSEC, 2010 * MSEC, 0);

	setup(&j, false); /* nothing held: s out at once, remembered */
	join_record(&j, &s, 100 * MSEC);
	join_record(&j, &c, 2100 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert(!out[0].has_join);
	ck_assert_uint_eq(out[1].join.pid, 0);

	c = req(false, 1, 9 * MSEC, 21 * MSEC, 0);
	c.u.req.peer.port = 8081;
	join_record(&j, &c, 600 * MSEC);
	ck_assert_uint_eq(out[2].join.pid, 0);
	c = req(false, 1, 9 * MSEC, 21 * MSEC, 0);
	c.u.req.flags |= HT_RF_TUNNEL;
	join_record(&j, &c, 600 * MSEC);
	ck_assert(!out[3].has_join);
	c = req(false, 1, 9 * MSEC, 21 * MSEC, 0);
	memset(&c.u.req.local, 0, sizeof(c.u.req.local));
	join_record(&j, &c, 600 * MSEC);
	ck_assert(!out[4].has_join);
	/* the right one still pairs (the server's end was not used up) */
	c = req(false, 1, 9 * MSEC, 21 * MSEC, 0);
	join_record(&j, &c, 600 * MSEC);
	ck_assert_uint_eq(out[5].join.pid, 200);
	ck_assert_uint_eq(j.joined, 1);
	join_free(&j);
}
END_TEST

/* Moments are stamped as calls return: a client's request stamped after
 * its server's response ended (its thread descheduled) still pairs; a
 * client's end remembered from before the server read anything does
 * not. */
START_TEST(late_stamps)
{
	joiner j;
	ht_record s = req(true, 2, 10 * MSEC, 11 * MSEC, 0);
	ht_record c = req(false, 2, 11500 * 1000ull, 11600 * 1000ull, 0);

	setup(&j, true);
	join_record(&j, &s, 100 * MSEC);
	join_record(&j, &c, 100 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert_uint_eq(out[0].join.pid, 200);

	c = req(false, 3, 1 * MSEC, 2 * MSEC, 0);
	s = req(true, 3, 10 * MSEC, 11 * MSEC, 0);
	join_record(&j, &c, 100 * MSEC);
	join_record(&j, &s, 100 * MSEC);
	ck_assert(join_pending(&j)); /* s waits, not joined to the old c */
	join_flush(&j);
	ck_assert_uint_eq(n_out, 4);
	ck_assert(!out[3].has_join);
	join_free(&j);
}
END_TEST

/* HTTP/2: the stream id pairs, whatever the order of the records. */
START_TEST(h2_stream_ids)
{
	joiner j;
	ht_record s3 = req(true, 2, 10 * MSEC, 20 * MSEC, 5 * MSEC);
	ht_record c3 = req(false, 1, 9 * MSEC, 21 * MSEC, 0);
	ht_record c1 = req(false, 2, 9 * MSEC, 21 * MSEC, 0);

	s3.u.req.stream_id = 3;
	c3.u.req.stream_id = 3;
	c1.u.req.stream_id = 1;
	setup(&j, true);
	join_record(&j, &s3, 100 * MSEC);
	/* the server's address known now: c1 waits for its own */
	join_record(&j, &c1, 100 * MSEC);
	ck_assert_uint_eq(n_out, 0);
	/* c3 pairs with s3, which goes out; c3 waits behind c1 */
	join_record(&j, &c3, 100 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	ck_assert(out[0].server);
	ck_assert_uint_eq(out[0].join.pid, 100);
	join_flush(&j);
	ck_assert_uint_eq(n_out, 3);
	ck_assert_uint_eq(out[1].req, 2); /* c1, alone */
	ck_assert_uint_eq(out[1].join.pid, 0);
	ck_assert_uint_eq(out[2].req, 1); /* c3 */
	ck_assert_uint_eq(out[2].join.pid, 200);
	ck_assert_int_eq(out[2].join.server_processing, (int64_t)(5 * MSEC));
	join_free(&j);
}
END_TEST

/* A server whose client is not on a loopback address nor at an address
 * of a traced client's is not held; the flush lets out what is held; at
 * most JOIN_HOLD_MAX are held, the oldest let out first. */
START_TEST(holding_bounds)
{
	joiner j;
	ht_record s = req(true, 1, 10 * MSEC, 20 * MSEC, 5 * MSEC);

	setup(&j, true);
	s.u.req.peer.addr[0] = 10;
	join_record(&j, &s, 100 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	for (uint32_t i = 0; i < JOIN_HOLD_MAX + 3; i++) {
		s = req(true, i + 1, 10 * MSEC, 20 * MSEC, 5 * MSEC);
		s.u.req.pid = 1000 + i;
		join_record(&j, &s, 100 * MSEC);
	}
	ck_assert_uint_eq(n_out, 4);
	ck_assert_uint_eq(out[1].pid, 1000);
	ck_assert_uint_eq(out[3].pid, 1002);
	ck_assert_uint_eq(j.n_held, JOIN_HOLD_MAX);
	join_flush(&j);
	ck_assert_uint_eq(n_out, 4 + JOIN_HOLD_MAX);
	ck_assert(!join_pending(&j));
	join_free(&j);
}
END_TEST

/* A server whose clients are not traced (wrk against nginx): each of its
 * records waits for a client that never comes, so the hold stays full
 * and each new record sends the oldest out alone, in order.  A client
 * record that does come, for a record still held or one gone out, is
 * still joined; the window's end sends the rest out in order. */
START_TEST(full_hold_in_order)
{
	joiner j;
	const uint32_t n = JOIN_HOLD_MAX + 100;
	ht_record r;
	uint32_t last = 0;
	unsigned servers = 0;

	setup(&j, true);
	for (uint32_t i = 1; i <= n; i++) {
		r = req(true, i, 10 * MSEC, 20 * MSEC, 5 * MSEC);
		join_record(&j, &r, 100 * MSEC);
	}
	ck_assert_uint_eq(n_out, 100);
	ck_assert_uint_eq(j.n_held, JOIN_HOLD_MAX);
	ck_assert_uint_eq(j.expired, 100);
	/* held: joined, and stays behind the older ones */
	r = req(false, 150, 9 * MSEC, 21 * MSEC, 0);
	join_record(&j, &r, 100 * MSEC);
	ck_assert_uint_eq(n_out, 101);
	ck_assert(!out[100].server);
	ck_assert_uint_eq(out[100].join.pid, 200);
	ck_assert_uint_eq(out[100].join.req_seq, 150);
	ck_assert_int_eq(out[100].join.server_processing, 5 * MSEC);
	/* gone out before: the client still learns of it */
	r = req(false, 50, 9 * MSEC, 21 * MSEC, 0);
	join_record(&j, &r, 100 * MSEC);
	ck_assert_uint_eq(n_out, 102);
	ck_assert_uint_eq(out[101].join.pid, 200);
	ck_assert_uint_eq(out[101].join.req_seq, 50);
	join_expire(&j, 100 * MSEC + 251 * MSEC);
	ck_assert(!join_pending(&j));
	ck_assert_uint_eq(n_out, n + 2);
	for (unsigned i = 0; i < n_out; i++) {
		if (!out[i].server)
			continue;
		servers++;
		ck_assert_uint_eq(out[i].req, last + 1);
		last = out[i].req;
		if (out[i].req == 150)
			ck_assert_uint_eq(out[i].join.pid, 100);
	}
	ck_assert_uint_eq(servers, n);
	ck_assert_uint_eq(j.joined, 2);
	join_free(&j);
}
END_TEST

/* A request of the thread 7 of pid 200 (the server of req()): its
 * server request number @seq read whole at @t0 (a server's, answered at
 * @t1), or a call to 10.0.0.9:443 begun at @t0 inside the server request
 * @seq (a client's, 0: none). */
static ht_record thr_req(bool server, uint32_t conn, uint32_t seq,
			 uint64_t t0, uint64_t t1)
{
	ht_record rec = req(server, 1, t0, t1, MSEC);
	ht_rec_request *r = &rec.u.req;

	r->pid = 200;
	r->conn_id = conn;
	r->thread = 7;
	r->thread_seq = seq;
	if (server) {
		r->t[HT_T_WROTE_REQUEST] = t0;
	} else {
		memset(&r->local, 0, sizeof(r->local)); /* no pair */
		r->peer.addr[0] = 10;
		r->peer.addr[3] = 9;
		r->peer.port = 443;
	}
	return rec;
}

/* Client 100 calls server 200, whose thread calls out while it serves
 * it: the records come call first, then the server's, then the client's
 * (the server answers after its call returned).  The call waits for its
 * parent, the server for its client; then all go out in one trace, the
 * call naming the server request as parent. */
START_TEST(thread_child)
{
	joiner j;
	ht_record call = thr_req(false, 9, 3, 20 * MSEC, 30 * MSEC);
	ht_record s = thr_req(true, 5, 3, 11 * MSEC, 60 * MSEC);
	ht_record c = req(false, 1, 9 * MSEC, 61 * MSEC, 0);

	s.u.req.req_seq = 1;
	setup(&j, true);
	join_record(&j, &call, 100 * MSEC);
	ck_assert_uint_eq(n_out, 0);
	join_record(&j, &s, 101 * MSEC);
	ck_assert_uint_eq(n_out, 0);
	join_record(&j, &c, 102 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	ck_assert(!join_pending(&j));
	/* the client at once; then the call and the server's (in their
	 * process's order), both in the client's trace */
	ck_assert(!out[0].server && out[0].pid == 100);
	ck_assert(!out[1].server && out[1].conn == 9);
	ck_assert(out[2].server && out[2].conn == 5);
	ck_assert_uint_eq(out[1].join.parent_pid, 200);
	ck_assert_uint_eq(out[1].join.parent_conn, 5);
	ck_assert_uint_eq(out[1].join.parent_req, 1);
	ck_assert_mem_eq(out[1].join.parent_span, out[2].join.self, 8);
	ck_assert_mem_eq(out[1].join.trace, out[0].join.trace, 16);
	ck_assert_mem_eq(out[2].join.trace, out[0].join.trace, 16);
	ck_assert_mem_eq(out[2].join.span, out[0].join.span, 8);
	ck_assert_uint_eq(j.children, 1);

	/* the server's record first this time (remembered), then the call */
	s = thr_req(true, 5, 4, 70 * MSEC, 90 * MSEC);
	call = thr_req(false, 10, 4, 75 * MSEC, 80 * MSEC);
	join_record(&j, &s, 300 * MSEC);
	join_expire(&j, 600 * MSEC); /* its client never comes */
	ck_assert_uint_eq(n_out, 4);
	join_record(&j, &call, 601 * MSEC);
	ck_assert_uint_eq(n_out, 5);
	ck_assert_uint_eq(out[4].join.parent_conn, 5);
	ck_assert_mem_eq(out[4].join.parent_span, out[3].join.self, 8);
	ck_assert_mem_eq(out[4].join.trace, out[3].join.trace, 16);
	join_free(&j);
}
END_TEST

/* No wrong parent: a call made with two server requests open on its
 * thread names none and goes out at once; one that names a request
 * whose window does not hold its start gets none; one whose parent never
 * comes goes out alone when its wait ends. */
START_TEST(thread_child_never_wrong)
{
	joiner j;
	ht_record call = thr_req(false, 9, 0, 20 * MSEC, 30 * MSEC);
	ht_record s;

	setup(&j, true);
	join_record(&j, &call, 100 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_uint_eq(out[0].join.parent_pid, 0);
	/* begun after the response it names was done */
	call = thr_req(false, 9, 3, 70 * MSEC, 80 * MSEC);
	s = thr_req(true, 5, 3, 11 * MSEC, 60 * MSEC);
	join_record(&j, &call, 110 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	join_record(&j, &s, 111 * MSEC);
	join_expire(&j, 400 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	ck_assert(!out[1].server);
	ck_assert_uint_eq(out[1].join.parent_pid, 0);
	/* another thread's request of that number is not its parent */
	call = thr_req(false, 9, 5, 120 * MSEC, 130 * MSEC);
	s = thr_req(true, 6, 5, 115 * MSEC, 160 * MSEC);
	s.u.req.thread = 8;
	join_record(&j, &call, 500 * MSEC);
	join_record(&j, &s, 501 * MSEC);
	ck_assert_uint_eq(n_out, 3);
	join_expire(&j, 500 * MSEC + JOIN_PARENT_WAITS * 250 * MSEC);
	ck_assert_uint_eq(n_out, 5);
	ck_assert_uint_eq(out[3].join.parent_pid, 0);
	ck_assert_uint_eq(j.children, 0);
	join_free(&j);
}
END_TEST

/* What the caller says of traced clients at loopback addresses. */
static bool clients_say;
static unsigned clients_asked;

static bool fake_clients(void *ctx)
{
	(void)ctx;
	clients_asked++;
	return clients_say;
}

/* A server's record whose client is at a loopback address is held only
 * while the caller says a traced client may exist there: when it says
 * none may, it goes out at once (and is remembered: a client record
 * that comes all the same still takes its link); when one may, it waits
 * as before.  Records of its process stay in order: one not held waits
 * behind the process's held ones.  A client at another address is not
 * the caller's to say. */
START_TEST(server_not_held_without_clients)
{
	joiner j;
	ht_record s1 = req(true, 1, 10 * MSEC, 60 * MSEC, 40 * MSEC);
	ht_record c1 = req(false, 1, 9 * MSEC, 61 * MSEC, 0);
	ht_record s2 = req(true, 2, 70 * MSEC, 80 * MSEC, 5 * MSEC);
	ht_record c2 = req(false, 2, 69 * MSEC, 81 * MSEC, 0);
	ht_record s3 = req(true, 3, 90 * MSEC, 95 * MSEC, 1 * MSEC);
	ht_record cl = close_rec(200, 5);

	setup(&j, true);
	join_set_clients(&j, fake_clients, NULL);
	clients_asked = 0;
	/* none may: out at once, alone */
	clients_say = false;
	join_record(&j, &s1, 100 * MSEC);
	ck_assert_uint_eq(clients_asked, 1);
	ck_assert_uint_eq(n_out, 1);
	ck_assert(!join_pending(&j));
	ck_assert(out[0].server && !(out[0].has_join && out[0].join.pid));
	ck_assert_uint_eq(j.unheld, 1);
	/* its client's record all the same: linked on its side */
	join_record(&j, &c1, 101 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert_uint_eq(out[1].join.pid, 200);
	ck_assert_int_eq(out[1].join.server_processing, (int64_t)(40 * MSEC));
	/* one may: held for its client, which joins it */
	clients_say = true;
	join_record(&j, &s2, 120 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	ck_assert(join_pending(&j));
	/* none may again (say, asked wrongly): not held, but behind its
	 * process's held record, as is the connection's close */
	clients_say = false;
	join_record(&j, &s3, 121 * MSEC);
	join_record(&j, &cl, 121 * MSEC);
	ck_assert_uint_eq(n_out, 2);
	join_record(&j, &c2, 122 * MSEC);
	ck_assert_uint_eq(n_out, 6);
	ck_assert(!out[2].server && out[2].join.pid == 200 &&
		  out[2].join.req_seq == 2);
	ck_assert(out[3].server && out[3].has_join &&
		  out[3].join.pid == 100 && out[3].join.req_seq == 2);
	ck_assert(out[4].server && out[4].req == 3);
	ck_assert_uint_eq(out[5].type, HT_REC_CONN_CLOSE);
	ck_assert_uint_eq(j.unheld, 2);
	ck_assert_uint_eq(j.joined, 2);
	join_free(&j);

	/* a client at a non-loopback address its traced client had: held
	 * whatever the caller says (it says nothing of those).  The server
	 * at another address of the network (10.0.0.2), not on the client's
	 * host as far as the joiner knows: the client's record goes out at
	 * once */
	setup(&j, true);
	join_set_clients(&j, fake_clients, NULL);
	clients_say = false;
	clients_asked = 0;
	ht_record c4 = req(false, 1, 9 * MSEC, 61 * MSEC, 0);
	ht_record s4 = req(true, 2, 70 * MSEC, 80 * MSEC, 5 * MSEC);

	c4.u.req.local.addr[0] = 10;
	s4.u.req.peer.addr[0] = 10;
	v4(&c4.u.req.peer, 2, 8080);
	c4.u.req.peer.addr[0] = 10;
	s4.u.req.local = c4.u.req.peer;
	join_record(&j, &c4, 100 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	join_record(&j, &s4, 110 * MSEC);
	ck_assert_uint_eq(n_out, 1);
	ck_assert(join_pending(&j));
	ck_assert_uint_eq(clients_asked, 0);
	join_flush(&j);
	join_free(&j);
}
END_TEST

Suite *join_suite(void)
{
	Suite *s = suite_create("join");
	TCase *tc = tcase_create("join");

	tcase_add_test(tc, server_first_held);
	tcase_add_test(tc, client_first);
	tcase_add_test(tc, client_first_on_host);
	tcase_add_test(tc, nth_request_and_v4mapped);
	tcase_add_test(tc, no_wrong_pairs);
	tcase_add_test(tc, h2_stream_ids);
	tcase_add_test(tc, late_stamps);
	tcase_add_test(tc, holding_bounds);
	tcase_add_test(tc, full_hold_in_order);
	tcase_add_test(tc, thread_child);
	tcase_add_test(tc, thread_child_never_wrong);
	tcase_add_test(tc, server_not_held_without_clients);
	suite_add_tcase(s, tc);
	return s;
}
