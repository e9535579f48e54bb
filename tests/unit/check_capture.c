/* check_capture.c - the capture format (cli/capture.c): checksum, header,
 * frames, truncated and damaged input; and the collector's replay of a
 * tapped session (cli/collector.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "collector.h"
#include "suites.h"

START_TEST(crc32c_known_values)
{
	/* The standard check value of CRC-32C, and of the empty input. */
	ck_assert_uint_eq(cap_crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(cap_crc32c_sw(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(cap_crc32c(0, "", 0), 0);
	/* 32 zero bytes (RFC 3720, B.4). */
	uint8_t z[32] = { 0 };
	ck_assert_uint_eq(cap_crc32c(0, z, sizeof(z)), 0x8A9136AAu);
}
END_TEST

START_TEST(crc32c_hw_matches_sw_and_chains)
{
	static uint8_t buf[4096];
	unsigned seed = 11;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	/* Lengths around the hardware version's block sizes (3 x 32 and
	 * 3 x 256 bytes) and their multiples, at every alignment. */
	for (size_t off = 0; off < 9; off++)
		for (size_t len = 0; len < 2400; len += len < 200 ? 1 : 29)
			ck_assert_uint_eq(cap_crc32c(0, buf + off, len),
					  cap_crc32c_sw(0, buf + off, len));
	/* Continuing from a previous value is the CRC of the whole. */
	uint32_t whole = cap_crc32c(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 333) {
		uint32_t c = cap_crc32c(0, buf, cut);
		ck_assert_uint_eq(cap_crc32c(c, buf + cut, sizeof(buf) - cut),
				  whole);
	}
}
END_TEST

static cap_header sample_header(void)
{
	cap_header h = {
		.wire_version = HT_WIRE_VERSION,
		.start_ns = 1796280000123456789LL,
		.mono_to_unix = -42,
	};
	return h;
}

START_TEST(header_round_trip)
{
	uint8_t buf[CAP_HDR_LEN];
	cap_header in = sample_header(), out;

	ck_assert_uint_eq(cap_header_encode(buf, &in), CAP_HDR_LEN);
	ck_assert_int_eq(memcmp(buf, CAP_MAGIC, CAP_MAGIC_LEN), 0);
	ck_assert_int_eq(cap_header_parse(buf, sizeof(buf), &out), CAP_HDR_LEN);
	ck_assert_uint_eq(out.version, CAP_VERSION);
	ck_assert_uint_eq(out.wire_version, HT_WIRE_VERSION);
	ck_assert(out.start_ns == in.start_ns);
	ck_assert(out.mono_to_unix == in.mono_to_unix);
}
END_TEST

START_TEST(header_short_and_bad)
{
	uint8_t buf[CAP_HDR_LEN + 8];
	cap_header in = sample_header(), out;

	cap_header_encode(buf, &in);
	/* Every prefix of a header is "cut short", never success. */
	for (size_t n = 0; n < CAP_HDR_LEN; n++)
		ck_assert_int_eq(cap_header_parse(buf, n, &out), -CAP_E_SHORT);
	/* Something else, even short, is not a capture. */
	ck_assert_int_eq(cap_header_parse((const uint8_t *)"GET /", 5, &out),
			 -CAP_E_MAGIC);
	buf[6] = '\n'; /* text-mode translation of \r\n */
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), -CAP_E_MAGIC);
	cap_header_encode(buf, &in);
	buf[8] = CAP_VERSION + 1; /* a later version */
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), -CAP_E_VERSION);
	ck_assert_uint_eq(out.version, CAP_VERSION + 1);
	buf[8] = 0; /* no version ever */
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), -CAP_E_VERSION);
	buf[8] = CAP_VERSION_MIN; /* the oldest is still read */
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), CAP_HDR_LEN);
	ck_assert_uint_eq(out.version, CAP_VERSION_MIN);
	cap_header_encode(buf, &in);
	buf[10] = CAP_HDR_LEN - 1; /* a header shorter than version 1's */
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), -CAP_E_HDRLEN);
	/* A longer header (fields appended later): frames start after it. */
	cap_header_encode(buf, &in);
	buf[10] = CAP_HDR_LEN + 8;
	ck_assert_int_eq(cap_header_parse(buf, CAP_HDR_LEN, &out), -CAP_E_SHORT);
	ck_assert_int_eq(cap_header_parse(buf, sizeof(buf), &out),
			 CAP_HDR_LEN + 8);
}
END_TEST

START_TEST(frame_round_trip)
{
	uint8_t buf[CAP_MAX_FRAME + 1];
	static uint8_t big[CAP_MAX_PAYLOAD];
	cap_frame f;

	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_MSG, 1001,
					   "hello", 5), CAP_FRAME_HDR + 5);
	ck_assert_int_eq(cap_frame_parse(buf, CAP_FRAME_HDR + 5, &f),
			 CAP_FRAME_HDR + 5);
	ck_assert_uint_eq(f.kind, CAP_MSG);
	ck_assert_uint_eq(f.peer, 1001);
	ck_assert_uint_eq(f.len, 5);
	ck_assert_int_eq(memcmp(f.data, "hello", 5), 0);

	/* No payload. */
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_CLOSE, 7, NULL,
					   0), CAP_FRAME_HDR);
	ck_assert_int_eq(cap_frame_parse(buf, sizeof(buf), &f), CAP_FRAME_HDR);
	ck_assert_uint_eq(f.kind, CAP_CLOSE);
	ck_assert_uint_eq(f.len, 0);

	/* The largest payload fits; one more byte does not. */
	memset(big, 0xab, sizeof(big));
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_MSG, 3, big,
					   sizeof(big)), CAP_MAX_FRAME);
	ck_assert_int_eq(cap_frame_parse(buf, CAP_MAX_FRAME, &f), CAP_MAX_FRAME);
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_MSG, 3, big,
					   sizeof(big) + 1), 0);
	/* No room. */
	ck_assert_uint_eq(cap_frame_encode(buf, CAP_FRAME_HDR + 4, CAP_MSG, 3,
					   "hello", 5), 0);

	uint8_t end[CAP_END_LEN_REFUSED];
	uint64_t records, malformed, refused = 9;
	/* none refused: the end mark older versions write and read */
	ck_assert_uint_eq(cap_end_encode(end, 1234567890123ull, 5, 0),
			  CAP_END_LEN);
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_END, 0, end,
					   CAP_END_LEN), CAP_FRAME_HDR + CAP_END_LEN);
	ck_assert_int_eq(cap_frame_parse(buf, sizeof(buf), &f),
			 CAP_FRAME_HDR + CAP_END_LEN);
	cap_end_parse(f.data, f.len, &records, &malformed, &refused);
	ck_assert_uint_eq(records, 1234567890123ull);
	ck_assert_uint_eq(malformed, 5);
	ck_assert_uint_eq(refused, 0);
	/* some refused: the longer end mark carries them */
	ck_assert_uint_eq(cap_end_encode(end, 7, 0, 3), CAP_END_LEN_REFUSED);
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_END, 0, end,
					   CAP_END_LEN_REFUSED),
			  CAP_FRAME_HDR + CAP_END_LEN_REFUSED);
	ck_assert_int_eq(cap_frame_parse(buf, sizeof(buf), &f),
			 CAP_FRAME_HDR + CAP_END_LEN_REFUSED);
	cap_end_parse(f.data, f.len, &records, &malformed, &refused);
	ck_assert_uint_eq(records, 7);
	ck_assert_uint_eq(refused, 3);
	/* any other length is damage */
	ck_assert_uint_eq(cap_frame_encode(buf, sizeof(buf), CAP_END, 0, end,
					   CAP_END_LEN + 4),
			  CAP_FRAME_HDR + CAP_END_LEN + 4);
	ck_assert_int_eq(cap_frame_parse(buf, sizeof(buf), &f), -CAP_E_END);
}
END_TEST

START_TEST(frame_truncated_needs_more)
{
	uint8_t buf[64];
	cap_frame f;
	size_t n = cap_frame_encode(buf, sizeof(buf), CAP_MSG, 9,
				    "0123456789abcdef", 16);

	for (size_t len = 0; len < n; len++)
		ck_assert_int_eq(cap_frame_parse(buf, len, &f), 0);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), (long)n);
}
END_TEST

START_TEST(frame_damage_detected)
{
	uint8_t good[64], buf[64];
	cap_frame f;
	size_t n = cap_frame_encode(good, sizeof(good), CAP_MSG, 9,
				    "0123456789abcdef", 16);

	/* Any single flipped bit: never accepted as a frame (a longer
	 * length within bounds waits for more, which never matches). */
	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, good, n);
			buf[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_le(cap_frame_parse(buf, n, &f), 0);
		}
	/* The specific reasons. */
	memcpy(buf, good, n);
	buf[10] ^= 1; /* peer */
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_CRC);
	memcpy(buf, good, n);
	buf[CAP_FRAME_HDR + 3] ^= 0x20; /* payload */
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_CRC);
	memcpy(buf, good, n);
	buf[4] = 0; /* kind */
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_KIND);
	buf[4] = CAP_KIND_MAX + 1;
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_KIND);
	memcpy(buf, good, n);
	buf[6] = 1; /* reserved */
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_KIND);
	/* A length out of bounds is damage at once, not "need more". */
	memcpy(buf, good, n);
	buf[3] = 0x80;
	ck_assert_int_eq(cap_frame_parse(buf, CAP_FRAME_HDR, &f), -CAP_E_LENGTH);
	/* An end mark of the wrong size. */
	n = cap_frame_encode(buf, sizeof(buf), CAP_END, 0, "12345678", 8);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_END);
	/* Clock marks of the wrong size. */
	n = cap_frame_encode(buf, sizeof(buf), CAP_CLOCK, 0, "1234", 4);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_CLOCK);
	n = cap_frame_encode(buf, sizeof(buf), CAP_TICK, 0, "123456789", 9);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_CLOCK);
	n = cap_frame_encode(buf, sizeof(buf), CAP_FLUSH, 0, "1", 1);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), -CAP_E_CLOCK);
	ck_assert_str_eq(cap_strerror(-CAP_E_CRC), "checksum mismatch");
}
END_TEST

/* ---- replay ------------------------------------------------------------- */

/* The connection numbers of the request records a sink saw. */
typedef struct seen {
	uint32_t conn[16];
	uint32_t pid[16];
	size_t n, hellos;
} seen;

static void seen_sink(void *ctx, const ht_record *rec)
{
	seen *s = ctx;

	if (rec->type == HT_REC_HELLO)
		s->hellos++;
	if (rec->type == HT_REC_REQUEST && s->n < 16) {
		s->conn[s->n] = rec->u.req.conn_id;
		s->pid[s->n++] = rec->u.req.pid;
	}
}

static size_t enc_hello(uint8_t *buf, uint32_t pid)
{
	ht_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_HELLO;
	rec.u.hello.pid = pid;
	return ht_wire_encode(buf, HT_WIRE_MAX_RECORD, &rec);
}

static size_t enc_request(uint8_t *buf, uint32_t pid, uint32_t conn)
{
	ht_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_REQUEST;
	rec.u.req.pid = pid;
	rec.u.req.conn_id = conn;
	rec.u.req.req_seq = 1;
	return ht_wire_encode(buf, HT_WIRE_MAX_RECORD, &rec);
}

/* A clock mark round-trips, and a replay takes its time as the time the
 * records that follow arrived at (run_out holds them by it). */
START_TEST(clock_frame_sets_replay_now)
{
	uint8_t pay[CAP_CLOCK_LEN], buf[CAP_FRAME_HDR + CAP_CLOCK_LEN];
	cap_frame f;
	collector c;
	size_t n;

	cap_clock_encode(pay, 0x0102030405060708ull);
	n = cap_frame_encode(buf, sizeof(buf), CAP_CLOCK, 0, pay, sizeof(pay));
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), (long)n);
	ck_assert_uint_eq(f.kind, CAP_CLOCK);
	ck_assert(cap_clock_parse(f.data) == 0x0102030405060708ull);
	n = cap_frame_encode(buf, sizeof(buf), CAP_FLUSH, 0, NULL, 0);
	ck_assert_int_eq(cap_frame_parse(buf, n, &f), CAP_FRAME_HDR);
	ck_assert_int_eq(collector_init(&c, NULL, NULL, NULL), 0);
	ck_assert(c.now == 0);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_CLOCK, 0, pay,
					  sizeof(pay)), 0);
	ck_assert(c.now == 0x0102030405060708ull);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_CLOCK, 0, pay, 4),
			 -EINVAL);
	/* the owner's marks are not the collector's */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_FLUSH, 0, NULL, 0),
			 -EINVAL);
	collector_close(&c);
}
END_TEST

START_TEST(pid_table_bounded)
{
	static uint8_t buf[2 * HT_WIRE_MAX_RECORD];
	collector c;
	seen s = { 0 };
	size_t n;

	ck_assert_int_eq(collector_init(&c, seen_sink, NULL, &s), 0);
	/* pid 1 stays connected on peer 3 the whole time */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 3, NULL, 0), 0);
	n = enc_hello(buf, 1);
	n += enc_request(buf + n, 1, 1);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 3, buf, n), 0);
	/* many short processes, one after the other on peer 4 */
	for (uint32_t pid = 2; pid < COLLECTOR_MAX_PIDS + 5000; pid++) {
		ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 4, NULL, 0), 0);
		n = enc_hello(buf, pid);
		n += enc_request(buf + n, pid, 1);
		ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 4, buf, n), 0);
		ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_CLOSE, 4, NULL, 0), 0);
	}
	ck_assert_uint_le(c.pid_used, COLLECTOR_MAX_PIDS);
	ck_assert_uint_le(c.pid_cap, 2 * COLLECTOR_MAX_PIDS);
	ck_assert_uint_gt(c.pids_forgotten, 0);
	/* the connected pid was kept: its later image is numbered after */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 5, NULL, 0), 0);
	n = enc_hello(buf, 1);
	n += enc_request(buf + n, 1, 1);
	s.n = 0;
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 5, buf, n), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.conn[0], 2);
	collector_close(&c);
}
END_TEST

START_TEST(replay_renumbers_after_exec)
{
	static uint8_t buf[4 * HT_WIRE_MAX_RECORD];
	collector c;
	seen s = { 0 };
	size_t n;

	ck_assert_int_eq(collector_init(&c, seen_sink, NULL, &s), 0);
	/* Peer 5 is pid 77 before exec, peer 6 the same pid after: its
	 * connection 1 becomes 3, past the 2 the first image used. */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 5, NULL, 0), 0);
	n = enc_hello(buf, 77);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 5, buf, n), 0);
	n = enc_request(buf, 77, 1);
	n += enc_request(buf + n, 77, 2);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 5, buf, n), 0);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 6, NULL, 0), 0);
	n = enc_hello(buf, 77);
	n += enc_request(buf + n, 77, 1);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 6, buf, n), 0);
	/* Peer 5 closes and its id is reused by pid 88: no shift. */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_CLOSE, 5, NULL, 0), 0);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN, 5, NULL, 0), 0);
	n = enc_hello(buf, 88);
	n += enc_request(buf + n, 88, 1);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 5, buf, n), 0);
	/* A message too large to receive counts as malformed, and so does
	 * garbage after a record. */
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_TRUNC, 6, NULL, 0), 0);
	n = enc_request(buf, 77, 2);
	memcpy(buf + n, "junk", 4);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_MSG, 6, buf, n + 4), 0);

	ck_assert_uint_eq(s.hellos, 3);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_uint_eq(s.conn[0], 1);
	ck_assert_uint_eq(s.conn[1], 2);
	ck_assert_uint_eq(s.conn[2], 3);
	ck_assert_uint_eq(s.pid[3], 88);
	ck_assert_uint_eq(s.conn[3], 1);
	ck_assert_uint_eq(s.conn[4], 4);
	ck_assert_uint_eq(c.records, 8);
	ck_assert_uint_eq(c.malformed, 2);
	ck_assert_uint_eq(c.peers_seen, 3);

	/* Bad events and ids are refused. */
	ck_assert_int_eq(collector_replay(&c, 9, 5, NULL, 0), -EINVAL);
	ck_assert_int_eq(collector_replay(&c, COLLECTOR_EV_OPEN,
					  COLLECTOR_MAX_PEER, NULL, 0), -EINVAL);
	collector_close(&c); /* must not close fds 5 and 6 of this process */
}
END_TEST

Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, crc32c_known_values);
	tcase_add_test(tc, crc32c_hw_matches_sw_and_chains);
	tcase_add_test(tc, header_round_trip);
	tcase_add_test(tc, header_short_and_bad);
	tcase_add_test(tc, frame_round_trip);
	tcase_add_test(tc, frame_truncated_needs_more);
	tcase_add_test(tc, frame_damage_detected);
	suite_add_tcase(s, tc);
	tc = tcase_create("replay");
	tcase_add_test(tc, replay_renumbers_after_exec);
	tcase_add_test(tc, pid_table_bounded);
	tcase_add_test(tc, clock_frame_sets_replay_now);
	suite_add_tcase(s, tc);
	return s;
}
