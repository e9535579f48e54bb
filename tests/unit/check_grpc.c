/* check_grpc.c - gRPC calls (core/grpc.c): the message framer split at
 * every point, the status and message fields, the path, the record's
 * appended fields. */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "grpc.h"
#include "suites.h"
#include "wire.h"

/* Append a message of @len payload bytes (flags @flags) to @buf at *@n. */
static void put_msg(uint8_t *buf, size_t *n, uint8_t flags, uint32_t len)
{
	buf[(*n)++] = flags;
	buf[(*n)++] = (uint8_t)(len >> 24);
	buf[(*n)++] = (uint8_t)(len >> 16);
	buf[(*n)++] = (uint8_t)(len >> 8);
	buf[(*n)++] = (uint8_t)len;
	for (uint32_t i = 0; i < len; i++)
		buf[(*n)++] = (uint8_t)(i * 7);
}

/* Five messages: empty, 1 byte, 300 bytes compressed, 5 bytes, and one
 * whose prefix is all there but 2 of its 9 payload bytes are not. */
static size_t sample_stream(uint8_t *buf)
{
	size_t n = 0;

	put_msg(buf, &n, 0, 0);
	put_msg(buf, &n, 0, 1);
	put_msg(buf, &n, 1, 300);
	put_msg(buf, &n, 0, 5);
	put_msg(buf, &n, 0, 9);
	return n - 2;
}

static void check_sample_counts(const grpc_framer *f, uint32_t done)
{
	ck_assert_uint_eq(done, 4);
	ck_assert_uint_eq(f->msgs, 4);
	ck_assert_uint_eq(f->bytes, 306);
	ck_assert_uint_eq(f->largest, 300);
	ck_assert(f->compressed);
}

START_TEST(framer_whole)
{
	uint8_t buf[512];
	size_t n = sample_stream(buf);
	grpc_framer f;

	memset(&f, 0, sizeof(f));
	check_sample_counts(&f, grpc_framer_feed(&f, buf, n));
	/* the last two payload bytes complete the fifth */
	const uint8_t rest[2] = { 0, 0 };
	ck_assert_uint_eq(grpc_framer_feed(&f, rest, 2), 1);
	ck_assert_uint_eq(f.msgs, 5);
	ck_assert_uint_eq(f.largest, 300);
	ck_assert_uint_eq(f.bytes, 315);
}
END_TEST

/* Every split point in two, and every split point of a three-way split,
 * gives the counts of the whole. */
START_TEST(framer_every_split)
{
	uint8_t buf[512];
	size_t n = sample_stream(buf);

	for (size_t i = 0; i <= n; i++) {
		grpc_framer f;
		uint32_t done;

		memset(&f, 0, sizeof(f));
		done = grpc_framer_feed(&f, buf, i);
		done += grpc_framer_feed(&f, buf + i, n - i);
		check_sample_counts(&f, done);
	}
	for (size_t i = 0; i <= n; i += 3) {
		for (size_t j = i; j <= n; j++) {
			grpc_framer f;
			uint32_t done;

			memset(&f, 0, sizeof(f));
			done = grpc_framer_feed(&f, buf, i);
			done += grpc_framer_feed(&f, buf + i, j - i);
			done += grpc_framer_feed(&f, buf + j, n - j);
			check_sample_counts(&f, done);
		}
	}
}
END_TEST

START_TEST(framer_byte_at_a_time)
{
	uint8_t buf[512];
	size_t n = sample_stream(buf);
	grpc_framer f;
	uint32_t done = 0;

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n; i++)
		done += grpc_framer_feed(&f, buf + i, 1);
	check_sample_counts(&f, done);
}
END_TEST

/* A length near 4 GiB is counted when its bytes come, not before. */
START_TEST(framer_huge_length)
{
	const uint8_t prefix[5] = { 0, 0xff, 0xff, 0xff, 0xff };
	uint8_t chunk[4096] = { 0 };
	grpc_framer f;

	memset(&f, 0, sizeof(f));
	ck_assert_uint_eq(grpc_framer_feed(&f, prefix, 5), 0);
	ck_assert_uint_eq(grpc_framer_feed(&f, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(f.msgs, 0);
	ck_assert_uint_eq(f.bytes, 0);
}
END_TEST

START_TEST(status_names)
{
	ck_assert_str_eq(grpc_status_name(0), "OK");
	ck_assert_str_eq(grpc_status_name(1), "CANCELLED");
	ck_assert_str_eq(grpc_status_name(4), "DEADLINE_EXCEEDED");
	ck_assert_str_eq(grpc_status_name(14), "UNAVAILABLE");
	ck_assert_str_eq(grpc_status_name(16), "UNAUTHENTICATED");
	ck_assert_ptr_null(grpc_status_name(17));
	ck_assert_ptr_null(grpc_status_name(UINT32_MAX));
}
END_TEST

START_TEST(status_parse)
{
	uint32_t c = 99;

	ck_assert(grpc_parse_status((const uint8_t *)"14", 2, &c));
	ck_assert_uint_eq(c, 14);
	ck_assert(grpc_parse_status((const uint8_t *)"0", 1, &c));
	ck_assert_uint_eq(c, 0);
	c = 99;
	ck_assert(!grpc_parse_status((const uint8_t *)"", 0, &c));
	ck_assert(!grpc_parse_status((const uint8_t *)"1x", 2, &c));
	ck_assert(!grpc_parse_status((const uint8_t *)"-1", 2, &c));
	ck_assert(!grpc_parse_status((const uint8_t *)"1234567890", 10, &c));
	ck_assert_uint_eq(c, 99);
}
END_TEST

static void check_decode(const char *in, const char *want, size_t cap)
{
	char out[64];
	size_t n = grpc_percent_decode(out, cap, (const uint8_t *)in,
				       strlen(in));

	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(out, want, n) == 0);
}

START_TEST(percent_decode)
{
	check_decode("plain", "plain", 64);
	check_decode("100%25 busy", "100% busy", 64);
	check_decode("caf%C3%A9", "caf\xc3\xa9", 64);
	check_decode("a%0Ab", "a?b", 64);          /* control bytes shown '?' */
	check_decode("50%", "50%", 64);            /* not an escape: kept */
	check_decode("%4", "%4", 64);
	check_decode("%zz%41", "%zzA", 64);
	check_decode("abcdef", "abc", 3);          /* bounded */
	check_decode("%41%42%43%44", "AB", 2);
}
END_TEST

START_TEST(path_split)
{
	ht_str svc = { NULL, 0 }, m = { NULL, 0 };

	ck_assert(grpc_path_split("/pkg.Service/Echo", 17, &svc, &m));
	ck_assert_uint_eq(svc.len, 11);
	ck_assert(memcmp(svc.p, "pkg.Service", 11) == 0);
	ck_assert_uint_eq(m.len, 4);
	ck_assert(memcmp(m.p, "Echo", 4) == 0);
	ck_assert(grpc_path_split("/a/b/C", 6, &svc, &m));
	ck_assert_uint_eq(svc.len, 3); /* "a/b" */
	ck_assert_uint_eq(m.len, 1);
	svc.len = 99;
	ck_assert(!grpc_path_split("/Echo", 5, &svc, &m));
	ck_assert(!grpc_path_split("/svc/", 5, &svc, &m));
	ck_assert(!grpc_path_split("//m", 3, &svc, &m));
	ck_assert(!grpc_path_split("svc/m", 5, &svc, &m));
	ck_assert(!grpc_path_split("", 0, &svc, &m));
	ck_assert_uint_eq(svc.len, 99);
}
END_TEST

START_TEST(content_types)
{
	ck_assert(grpc_content_type("application/grpc"));
	ck_assert(grpc_content_type("application/grpc+proto"));
	ck_assert(grpc_content_type("Application/GRPC;charset=x"));
	ck_assert(!grpc_content_type("application/grpc-web"));
	ck_assert(!grpc_content_type("application/grpc-web+proto"));
	ck_assert(!grpc_content_type("application/json"));
	ck_assert(!grpc_content_type("application/grp"));
	ck_assert(!grpc_content_type(""));
}
END_TEST

static ht_record grpc_request(void)
{
	ht_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_REQUEST;
	rec.u.req.pid = 1;
	rec.u.req.conn_id = 2;
	rec.u.req.req_seq = 3;
	rec.u.req.flags = HT_RF_GRPC;
	rec.u.req.status = 200;
	rec.u.req.proto = HT_PROTO_HTTP2;
	rec.u.req.method = S("POST");
	rec.u.req.target = S("/pkg.Service/Fail");
	rec.u.req.resp_proto = HT_PROTO_HTTP2;
	rec.u.req.grpc.status = 14;
	rec.u.req.grpc.flags = HT_GF_STATUS | HT_GF_COMPRESSED_RECV;
	rec.u.req.grpc.msgs_sent = 5;
	rec.u.req.grpc.msgs_recv = 6;
	rec.u.req.grpc.bytes_sent = 10;
	rec.u.req.grpc.bytes_recv = 1ull << 33;
	rec.u.req.grpc.max_sent = 2;
	rec.u.req.grpc.max_recv = 70000;
	rec.u.req.grpc.t_first_sent = 123;
	rec.u.req.grpc.t_first_recv = 456;
	rec.u.req.grpc.message = S("backend down");
	return rec;
}

static void check_grpc_fields(const ht_rec_request *q)
{
	ck_assert(ht_grpc_failed(q));
	ck_assert_uint_eq(q->grpc.status, 14);
	ck_assert_uint_eq(q->grpc.flags, HT_GF_STATUS | HT_GF_COMPRESSED_RECV);
	ck_assert_uint_eq(q->grpc.msgs_sent, 5);
	ck_assert_uint_eq(q->grpc.msgs_recv, 6);
	ck_assert_uint_eq(q->grpc.bytes_sent, 10);
	ck_assert_uint_eq(q->grpc.bytes_recv, 1ull << 33);
	ck_assert_uint_eq(q->grpc.max_sent, 2);
	ck_assert_uint_eq(q->grpc.max_recv, 70000);
	ck_assert_uint_eq(q->grpc.t_first_sent, 123);
	ck_assert_uint_eq(q->grpc.t_first_recv, 456);
	ck_assert_uint_eq(q->grpc.message.len, 12);
	ck_assert(memcmp(q->grpc.message.p, "backend down", 12) == 0);
	ck_assert_uint_eq(q->resp_proto, HT_PROTO_HTTP2);
}

START_TEST(wire_round_trip)
{
	uint8_t buf[1024];
	ht_record in = grpc_request(), out;
	size_t n = ht_wire_encode(buf, sizeof(buf), &in);

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	check_grpc_fields(&out.u.req);
	/* a record cut inside the gRPC fields is malformed */
	for (size_t cut = 1; cut <= 40; cut++) {
		uint8_t b2[1024];

		memcpy(b2, buf, n - cut);
		b2[4] = (uint8_t)(n - cut);
		b2[5] = (uint8_t)((n - cut) >> 8);
		ck_assert_int_eq(ht_wire_decode(b2, n - cut, &out), -1);
	}
}
END_TEST

/* Without HT_RF_GRPC nothing is appended (records of other requests keep
 * their bytes) and the fields read back zero. */
START_TEST(wire_not_grpc)
{
	uint8_t a[1024], b[1024];
	ht_record in = grpc_request(), out;
	size_t na, nb;

	in.u.req.flags = 0;
	na = ht_wire_encode(a, sizeof(a), &in);
	memset(&in.u.req.grpc, 0, sizeof(in.u.req.grpc));
	nb = ht_wire_encode(b, sizeof(b), &in);
	ck_assert_uint_eq(na, nb);
	ck_assert(memcmp(a, b, na) == 0);
	memset(&out, 0xa5, sizeof(out));
	ck_assert_int_eq(ht_wire_decode(a, na, &out), (long)na);
	ck_assert(!ht_grpc_failed(&out.u.req));
	ck_assert_uint_eq(out.u.req.grpc.msgs_sent, 0);
	ck_assert_uint_eq(out.u.req.grpc.message.len, 0);
}
END_TEST

/* The record model: the call's counts, its status and message. */
/* A gRPC status is a client's error whatever it is, a server's only for
 * the statuses the conventions name the server's. */
START_TEST(side_failed)
{
	ht_rec_request r;
	static const unsigned server_own[] = {2, 4, 12, 13, 14, 15};

	memset(&r, 0, sizeof r);
	r.flags = HT_RF_GRPC;
	r.grpc.flags = HT_GF_STATUS;
	ck_assert(!ht_grpc_side_failed(&r)); /* OK */
	for (unsigned st = 1; st <= 16; st++) {
		bool own = false;

		for (size_t i = 0; i < sizeof server_own / sizeof *server_own; i++)
			own |= server_own[i] == st;
		r.grpc.status = st;
		r.flags = HT_RF_GRPC;
		ck_assert(ht_grpc_side_failed(&r));
		r.flags = HT_RF_GRPC | HT_RF_SERVER;
		ck_assert_int_eq(ht_grpc_side_failed(&r), own);
	}
	r.grpc.flags = 0; /* no status came */
	ck_assert(!ht_grpc_side_failed(&r));
}
END_TEST

START_TEST(call_record)
{
	grpc_call g;
	ht_grpc out;
	uint8_t buf[64];
	size_t n = 0;

	memset(&g, 0, sizeof(g));
	put_msg(buf, &n, 1, 3);
	grpc_framer_feed(&g.sent, buf, n);
	g.has_status = true;
	g.status = 0;
	memcpy(g.message, "ok", 2);
	g.message_len = 2;
	g.t_first_sent = 9;
	grpc_call_record(&g, &out);
	ck_assert_uint_eq(out.flags, HT_GF_STATUS | HT_GF_COMPRESSED_SENT);
	ck_assert_uint_eq(out.status, 0);
	ck_assert_uint_eq(out.msgs_sent, 1);
	ck_assert_uint_eq(out.bytes_sent, 3);
	ck_assert_uint_eq(out.msgs_recv, 0);
	ck_assert_uint_eq(out.t_first_sent, 9);
	ck_assert_uint_eq(out.message.len, 2);
}
END_TEST

/* Unseen bytes (grpc_framer_skip()): every hole [i, j) of the sample
 * stream is taken, with the counts of the bytes fed whole, exactly when
 * it lies in one message's payload; else it is refused and the framer
 * left as it was. */
START_TEST(framer_skip_every_hole)
{
	uint8_t buf[512];
	size_t n = sample_stream(buf), i, j;
	/* per byte: the end of the payload holding it, 0 in a prefix */
	size_t end[512] = { 0 }, off = 0;

	while (off + GRPC_PREFIX_LEN <= n) {
		size_t len = (size_t)buf[off + 1] << 24 |
			     (size_t)buf[off + 2] << 16 |
			     (size_t)buf[off + 3] << 8 | buf[off + 4];
		size_t k;

		for (k = off + GRPC_PREFIX_LEN; k < off + GRPC_PREFIX_LEN + len &&
						k < n; k++)
			end[k] = off + GRPC_PREFIX_LEN + len;
		off += GRPC_PREFIX_LEN + len;
	}
	for (i = 0; i < n; i++) {
		for (j = i + 1; j <= n; j++) {
			grpc_framer f, was;
			uint32_t done;
			bool fits = end[i] && j <= end[i];

			memset(&f, 0, sizeof(f));
			done = grpc_framer_feed(&f, buf, i);
			memcpy(&was, &f, sizeof(f));
			if (grpc_framer_skip(&f, j - i) != fits)
				ck_abort_msg("hole [%zu, %zu): %s", i, j,
					     fits ? "refused" : "taken");
			if (!fits) {
				if (memcmp(&f, &was, sizeof(f)) != 0)
					ck_abort_msg("hole [%zu, %zu) refused "
						     "changed the framer", i, j);
				continue;
			}
			done += f.msgs - was.msgs;
			done += grpc_framer_feed(&f, buf + j, n - j);
			if (done != 4 || f.msgs != 4 || f.bytes != 306 ||
			    f.largest != 300 || !f.compressed)
				ck_abort_msg("hole [%zu, %zu): counts differ",
					     i, j);
		}
	}
	ck_assert(grpc_framer_skip(&(grpc_framer){ 0 }, 0));
}
END_TEST

Suite *grpc_suite(void)
{
	Suite *s = suite_create("grpc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, framer_whole);
	tcase_add_test(tc, framer_every_split);
	tcase_add_test(tc, framer_byte_at_a_time);
	tcase_add_test(tc, framer_huge_length);
	tcase_add_test(tc, framer_skip_every_hole);
	tcase_add_test(tc, status_names);
	tcase_add_test(tc, status_parse);
	tcase_add_test(tc, percent_decode);
	tcase_add_test(tc, path_split);
	tcase_add_test(tc, content_types);
	tcase_add_test(tc, wire_round_trip);
	tcase_add_test(tc, wire_not_grpc);
	tcase_add_test(tc, call_record);
	tcase_add_test(tc, side_failed);
	suite_add_tcase(s, tc);
	return s;
}
