/* check_wire.c - the record format: round trips, truncation, garbage. */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "suites.h"
#include "wire.h"
#include "copy.h"

static int str_eq(ht_str a, const char *b)
{
	return a.len == strlen(b) && memcmp(a.p, b, a.len) == 0;
}

static ht_record sample_request(void)
{
	ht_record rec;
	memset(&rec, 0, sizeof rec);
	rec.type = HT_REC_REQUEST;
	ht_rec_request *r = &rec.u.req;
	r->pid = 4242;
	r->conn_id = 7;
	r->req_seq = 3;
	r->flags = HT_RF_REUSED | HT_RF_WAS_IDLE | HT_RF_SERVER;
	r->status = 200;
	r->proto = HT_PROTO_HTTP11;
	r->error = HT_ERR_NONE;
	r->n_1xx = 1;
	r->peer.family = 2;
	r->peer.port = 8080;
	r->peer.addr[0] = 127;
	r->peer.addr[3] = 1;
	r->req_body_bytes = 5;
	r->resp_body_bytes = 1ull << 40;
	r->req_header_bytes = 77;
	r->resp_header_bytes = 120;
	for (int i = 0; i < HT_T__COUNT; i++)
		r->t[i] = 1000000000ull * (uint64_t)(i + 1) + 17;
	r->method = S("GET");
	r->target = S("/a?b=c");
	r->host = S("localhost:8080");
	r->dns_name = S("localhost");
	r->reason = S("OK");
	r->content_type = S("text/plain");
	r->tls_version = S("");
	r->alpn = S("");
	r->req_headers = S("Host: localhost:8080\r\nAccept: */*\r\n");
	r->resp_headers = S("Content-Length: 5\r\n");
	r->peer_path = S("/run/app.sock");
	r->tunnel = S("example.test:443");
	r->resp_proto = HT_PROTO_HTTP10;
	return rec;
}

/* ht_copy_short() (copy.h, the records' strings): every length, at every
 * alignment, copies its bytes and touches none around them. */
START_TEST(copy_short_every_length)
{
	uint8_t src[80], dst[80];

	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= 48; n++) {
			memset(dst, 0xee, sizeof dst);
			ht_copy_short(dst + off, src + 8 - off % 3, n);
			for (size_t i = 0; i < sizeof dst; i++) {
				uint8_t want = i >= off && i < off + n
						       ? src[8 - off % 3 + i - off]
						       : 0xee;
				ck_assert_msg(dst[i] == want,
					      "n %zu off %zu byte %zu", n, off,
					      i);
			}
		}
	}
}
END_TEST

START_TEST(request_round_trip)
{
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_gt(n, HT_WIRE_HDR_LEN);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.type, HT_REC_REQUEST);
	const ht_rec_request *a = &in.u.req, *b = &out.u.req;
	ck_assert_uint_eq(b->pid, a->pid);
	ck_assert_uint_eq(b->conn_id, a->conn_id);
	ck_assert_uint_eq(b->req_seq, a->req_seq);
	ck_assert_uint_eq(b->flags, a->flags);
	ck_assert_uint_eq(b->status, 200);
	ck_assert_uint_eq(b->proto, HT_PROTO_HTTP11);
	ck_assert_uint_eq(b->n_1xx, 1);
	ck_assert_mem_eq(&b->peer, &a->peer, sizeof a->peer);
	ck_assert_uint_eq(b->resp_body_bytes, 1ull << 40);
	ck_assert_uint_eq(b->req_header_bytes, 77);
	for (int i = 0; i < HT_T__COUNT; i++)
		ck_assert_uint_eq(b->t[i], a->t[i]);
	ck_assert(str_eq(b->method, "GET"));
	ck_assert(str_eq(b->target, "/a?b=c"));
	ck_assert(str_eq(b->host, "localhost:8080"));
	ck_assert(str_eq(b->dns_name, "localhost"));
	ck_assert(str_eq(b->reason, "OK"));
	ck_assert(str_eq(b->content_type, "text/plain"));
	ck_assert(str_eq(b->req_headers, "Host: localhost:8080\r\nAccept: */*\r\n"));
	ck_assert(str_eq(b->resp_headers, "Content-Length: 5\r\n"));
	ck_assert(str_eq(b->peer_path, "/run/app.sock"));
	ck_assert(str_eq(b->tunnel, "example.test:443"));
	ck_assert_uint_eq(b->resp_proto, HT_PROTO_HTTP10);
}
END_TEST

START_TEST(appended_fields_optional)
{
	/* A record from a sender that did not know the appended fields ends
	 * after resp_headers (or after peer_path): they decode as empty. */
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	size_t tail = 2 + in.u.req.tunnel.len + 1; /* tunnel, resp_proto */
	size_t old = n - tail - 2 - in.u.req.peer_path.len;
	buf[4] = (uint8_t)old;
	buf[5] = (uint8_t)(old >> 8);
	ck_assert_int_eq(ht_wire_decode(buf, old, &out), (long)old);
	ck_assert_uint_eq(out.u.req.peer_path.len, 0);
	ck_assert_uint_eq(out.u.req.tunnel.len, 0);
	ck_assert(str_eq(out.u.req.resp_headers, "Content-Length: 5\r\n"));
	buf[4] = (uint8_t)(n - tail);
	buf[5] = (uint8_t)((n - tail) >> 8);
	ck_assert_int_eq(ht_wire_decode(buf, n - tail, &out), (long)(n - tail));
	ck_assert(str_eq(out.u.req.peer_path, "/run/app.sock"));
	ck_assert_uint_eq(out.u.req.tunnel.len, 0);
	ck_assert_uint_eq(out.u.req.resp_proto, 0);
	/* ... or after the tunnel, before resp_proto */
	buf[4] = (uint8_t)(n - 1);
	buf[5] = (uint8_t)((n - 1) >> 8);
	ck_assert_int_eq(ht_wire_decode(buf, n - 1, &out), (long)(n - 1));
	ck_assert(str_eq(out.u.req.tunnel, "example.test:443"));
	ck_assert_uint_eq(out.u.req.resp_proto, 0);

	memset(&in, 0, sizeof in);
	in.type = HT_REC_CONN_CLOSE;
	in.u.close.peer.family = HT_AF_UNIX;
	in.u.close.peer_path = S("@abstract");
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert(str_eq(out.u.close.peer_path, "@abstract"));
	buf[4] = (uint8_t)(n - 11);
	ck_assert_int_eq(ht_wire_decode(buf, n - 11, &out), (long)(n - 11));
	ck_assert_uint_eq(out.u.close.peer_path.len, 0);
}
END_TEST

/* The connection's local address and the stream id come after signal and
 * phase (then encoded as 0s), both decoders; a record without them is the
 * bytes it was before they existed. */
START_TEST(local_address_appended)
{
	uint8_t buf[HT_WIRE_MAX_RECORD], buf2[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n0 = ht_wire_encode(buf2, sizeof buf2, &in);

	in.u.req.local.family = 10;
	in.u.req.local.port = 51234;
	in.u.req.local.addr[15] = 1;
	in.u.req.stream_id = 7;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_eq(n, n0 + 2 + 19 + 4);
	ck_assert_mem_eq(buf + 8, buf2 + 8, n0 - 8); /* a prefix otherwise */
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_mem_eq(&out.u.req.local, &in.u.req.local,
			 sizeof(in.u.req.local));
	ck_assert_uint_eq(out.u.req.stream_id, 7);
	ck_assert_uint_eq(out.u.req.signal, 0);
	ck_assert_uint_eq(out.u.req.phase, 0);
	ck_assert_ptr_null(out.u.req.join);
	ck_assert(str_eq(out.u.req.tunnel, "example.test:443"));
	/* the general decoder (a record with more timestamps than known) */
	in.u.req.flags |= HT_RF_GRPC;
	in.u.req.grpc.message = S("m");
	n = ht_wire_encode(buf, sizeof buf, &in);
	buf[HT_WIRE_HDR_LEN + 65] = HT_T__COUNT + 1; /* one more: */
	memmove(buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT + 8,
		buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT,
		n - (HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT));
	memset(buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT, 0, 8);
	n += 8;
	buf[4] = (uint8_t)n;
	buf[5] = (uint8_t)(n >> 8);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.req.local.port, 51234);
	ck_assert_uint_eq(out.u.req.stream_id, 7);
	ck_assert(str_eq(out.u.req.grpc.message, "m"));
	/* a truncated local address is no record */
	buf[4] = (uint8_t)(n - 3);
	ck_assert_int_eq(ht_wire_decode(buf, n - 3, &out), -1);
}
END_TEST

/* The thread comes after the local address and stream id (then encoded
 * as 0s), both decoders; a record without it is the bytes it was. */
START_TEST(thread_appended)
{
	uint8_t buf[HT_WIRE_MAX_RECORD], buf2[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n0 = ht_wire_encode(buf2, sizeof buf2, &in);

	in.u.req.thread = 3;
	in.u.req.thread_seq = 0x01020304;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_eq(n, n0 + 2 + 19 + 4 + 8);
	ck_assert_mem_eq(buf + 8, buf2 + 8, n0 - 8);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.req.thread, 3);
	ck_assert_uint_eq(out.u.req.thread_seq, 0x01020304);
	ck_assert_uint_eq(out.u.req.local.family, 0);
	ck_assert_uint_eq(out.u.req.stream_id, 0);
	/* the general decoder too (a gRPC record with one more stamp) */
	in.u.req.flags |= HT_RF_GRPC;
	in.u.req.grpc.message = S("m");
	n = ht_wire_encode(buf, sizeof buf, &in);
	buf[HT_WIRE_HDR_LEN + 65] = HT_T__COUNT + 1;
	memmove(buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT + 8,
		buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT,
		n - (HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT));
	memset(buf + HT_WIRE_HDR_LEN + 66 + 8 * HT_T__COUNT, 0, 8);
	n += 8;
	buf[4] = (uint8_t)n;
	buf[5] = (uint8_t)(n >> 8);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.req.thread, 3);
	ck_assert_uint_eq(out.u.req.thread_seq, 0x01020304);
	/* a record that stops inside it is none */
	buf[4] = (uint8_t)(n - 3);
	ck_assert_int_eq(ht_wire_decode(buf, n - 3, &out), -1);
	/* an older record decodes with no thread */
	ck_assert_int_eq(ht_wire_decode(buf2, n0, &out), (long)n0);
	ck_assert_uint_eq(out.u.req.thread, 0);
	ck_assert_uint_eq(out.u.req.thread_seq, 0);
}
END_TEST

START_TEST(other_types_round_trip)
{
	uint8_t buf[1024];
	ht_record in, out;

	memset(&in, 0, sizeof in);
	in.type = HT_REC_HELLO;
	in.u.hello.pid = 1;
	in.u.hello.ppid = 2;
	in.u.hello.exe = S("/usr/bin/curl");
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.hello.ppid, 2);
	ck_assert(str_eq(out.u.hello.exe, "/usr/bin/curl"));

	memset(&in, 0, sizeof in);
	in.type = HT_REC_CONN_FAIL;
	in.u.fail.pid = 9;
	in.u.fail.conn_id = 4;
	in.u.fail.err = 111;
	in.u.fail.t_fail = 55;
	in.u.fail.dns_name = S("example");
	in.u.fail.flags = HT_FF_TLS;
	in.u.fail.t_connect_done = 44;
	in.u.fail.t_tls_start = 45;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.fail.flags, HT_FF_TLS);
	ck_assert_uint_eq(out.u.fail.t_connect_done, 44);
	ck_assert_uint_eq(out.u.fail.t_tls_start, 45);
	ck_assert_int_eq(out.u.fail.err, 111);
	ck_assert_uint_eq(out.u.fail.t_fail, 55);
	ck_assert(str_eq(out.u.fail.dns_name, "example"));
	ck_assert_uint_eq(out.u.fail.tls_alert, 0);
	/* the alert of a handshake no hook decoded: close_notify is 0 */
	in.u.fail.flags = HT_FF_TLS | HT_FF_TLS_ALERT_SERVER;
	in.u.fail.tls_alert = 0;
	in.u.fail.error = 0;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.fail.flags, HT_FF_TLS | HT_FF_TLS_ALERT_SERVER);
	ck_assert_uint_eq(out.u.fail.tls_alert, 0);
	ck_assert_uint_eq(out.u.fail.phase, 0);
	in.u.fail.flags = HT_FF_TLS | HT_FF_TLS_ALERT_CLIENT;
	in.u.fail.tls_alert = 46;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.fail.tls_alert, 46);
	ck_assert_uint_eq(out.u.fail.error, 0);

	memset(&in, 0, sizeof in);
	in.type = HT_REC_CONN_CLOSE;
	in.u.close.conn_id = 3;
	in.u.close.requests = 12;
	in.u.close.bytes_in = 99999;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.close.requests, 12);
	ck_assert_uint_eq(out.u.close.bytes_in, 99999);
	ck_assert_uint_eq(out.u.close.sni.len, 0);
	ck_assert_uint_eq(out.u.close.t_tls_done, 0);

	/* TLS no hook decoded: the handshake's fields travel too; a record
	 * without them (an older sender) decodes them as empty. */
	in.u.close.flags = HT_CF_TLS_UNDECODED;
	in.u.close.requests = 0;
	in.u.close.t_connect_start = 10;
	in.u.close.t_connect_done = 11;
	in.u.close.t_tls_start = 12;
	in.u.close.t_tls_done = 13;
	in.u.close.sni = S("example.test");
	in.u.close.alpn_offered = S("h2,http/1.1");
	in.u.close.tls_version = S("TLSv1.3");
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.close.flags, HT_CF_TLS_UNDECODED);
	ck_assert_uint_eq(out.u.close.t_connect_start, 10);
	ck_assert_uint_eq(out.u.close.t_connect_done, 11);
	ck_assert_uint_eq(out.u.close.t_tls_start, 12);
	ck_assert_uint_eq(out.u.close.t_tls_done, 13);
	ck_assert(str_eq(out.u.close.sni, "example.test"));
	ck_assert(str_eq(out.u.close.alpn_offered, "h2,http/1.1"));
	ck_assert(str_eq(out.u.close.tls_version, "TLSv1.3"));
	ck_assert_uint_eq(out.u.close.alpn.len, 0);
	ck_assert_uint_eq(out.u.close.bytes_in, 99999);

	memset(&in, 0, sizeof in);
	in.type = HT_REC_DROPS;
	in.u.drops.pid = 5;
	in.u.drops.dropped = 1234567;
	in.u.drops.req_dropped = 411522;
	in.u.drops.req_produced = 500000;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.drops.dropped, 1234567);
	ck_assert_uint_eq(out.u.drops.req_dropped, 411522);
	ck_assert_uint_eq(out.u.drops.req_produced, 500000);
	/* an older sender's record ends before the request counts: 0 */
	n -= 16;
	buf[4] = (uint8_t)n;
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.drops.dropped, 1234567);
	ck_assert_uint_eq(out.u.drops.req_dropped, 0);
	ck_assert_uint_eq(out.u.drops.req_produced, 0);

	memset(&in, 0, sizeof in);
	in.type = HT_REC_NOTE;
	in.u.note.pid = 6;
	in.u.note.text = S("/usr/bin/node: OpenSSL not hooked inline: x");
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.note.pid, 6);
	ck_assert(str_eq(out.u.note.text, "/usr/bin/node: OpenSSL not hooked inline: x"));
}
END_TEST

/* A lookup's end: its addresses and its error round-trip; more addresses
 * than HT_DNS_ADDRS on the wire make a bad record. */
START_TEST(dns_roundtrip)
{
	uint8_t buf[512];
	ht_record in, out;
	size_t n;

	memset(&in, 0, sizeof in);
	in.type = HT_REC_DNS;
	in.u.dns.pid = 7;
	in.u.dns.lookup = 3;
	in.u.dns.err = -2;
	in.u.dns.t_start = 100;
	in.u.dns.t_done = 250;
	in.u.dns.name = S("nonexistent.invalid");
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.type, HT_REC_DNS);
	ck_assert_uint_eq(out.u.dns.pid, 7);
	ck_assert_uint_eq(out.u.dns.lookup, 3);
	ck_assert_int_eq(out.u.dns.err, -2);
	ck_assert_uint_eq(out.u.dns.t_done, 250);
	ck_assert(str_eq(out.u.dns.name, "nonexistent.invalid"));
	ck_assert_uint_eq(out.u.dns.n_addrs, 0);

	in.u.dns.err = 0;
	in.u.dns.n_addrs = 2;
	in.u.dns.addrs[0].family = 2;
	in.u.dns.addrs[0].addr[0] = 127;
	in.u.dns.addrs[1].family = 10;
	in.u.dns.addrs[1].addr[15] = 1;
	n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), (long)n);
	ck_assert_uint_eq(out.u.dns.n_addrs, 2);
	ck_assert_uint_eq(out.u.dns.addrs[0].addr[0], 127);
	ck_assert_uint_eq(out.u.dns.addrs[1].family, 10);
	ck_assert_uint_eq(out.u.dns.addrs[1].addr[15], 1);

	/* the count byte before the two addresses: 9 said, 2 there */
	buf[n - 2 * 19 - 1] = HT_DNS_ADDRS + 1;
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), -1);
}
END_TEST

START_TEST(encode_refuses_small_buffer)
{
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request();
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	for (size_t cap = 0; cap < n; cap++) {
		memset(buf, 0xAA, sizeof buf);
		ck_assert_uint_eq(ht_wire_encode(buf, cap, &in), 0);
		/* nothing written past cap */
		for (size_t i = cap; i < n; i++)
			ck_assert_uint_eq(buf[i], 0xAA);
	}
	in.type = 99;
	ck_assert_uint_eq(ht_wire_encode(buf, sizeof buf, &in), 0);
}
END_TEST

START_TEST(every_prefix_needs_more)
{
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	for (size_t len = 0; len < n; len++)
		ck_assert_int_eq(ht_wire_decode(buf, len, &out), 0);
}
END_TEST

START_TEST(two_records_in_one_buffer)
{
	uint8_t buf[HT_WIRE_MAX_RECORD * 2];
	ht_record in = sample_request(), out;
	size_t n1 = ht_wire_encode(buf, sizeof buf, &in);
	in.u.req.req_seq = 4;
	size_t n2 = ht_wire_encode(buf + n1, sizeof buf - n1, &in);
	ck_assert_int_eq(ht_wire_decode(buf, n1 + n2, &out), (long)n1);
	ck_assert_uint_eq(out.u.req.req_seq, 3);
	ck_assert_int_eq(ht_wire_decode(buf + n1, n2, &out), (long)n2);
	ck_assert_uint_eq(out.u.req.req_seq, 4);
}
END_TEST

START_TEST(bad_headers_rejected)
{
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	uint8_t copy[HT_WIRE_MAX_RECORD];

	memcpy(copy, buf, n);
	copy[0] = 'X';
	ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);
	ck_assert_int_eq(ht_wire_decode(copy, 1, &out), -1);

	memcpy(copy, buf, n);
	copy[2] = HT_WIRE_VERSION + 1;
	ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);

	memcpy(copy, buf, n);
	copy[3] = 77; /* unknown type */
	ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);

	/* a length too small for the header, or over the maximum */
	memcpy(copy, buf, n);
	copy[4] = 3;
	copy[5] = copy[6] = copy[7] = 0;
	ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);
	copy[6] = 0x10; /* ~1 MiB */
	ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);
}
END_TEST

START_TEST(short_length_field_overruns)
{
	/* A length that cuts the record inside its fields: every field must
	 * lie inside the declared length, whatever follows in the buffer. */
	uint8_t buf[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), out;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	/* Where the appended fields begin, a record may end (see
	 * appended_fields_optional); anywhere else it may not. */
	size_t end2 = n - 1; /* before resp_proto */
	size_t end1 = end2 - 2 - in.u.req.tunnel.len;
	size_t end0 = end1 - 2 - in.u.req.peer_path.len;
	for (size_t cut = HT_WIRE_HDR_LEN; cut < n; cut++) {
		if (cut == end0 || cut == end1 || cut == end2)
			continue;
		uint8_t copy[HT_WIRE_MAX_RECORD];
		memcpy(copy, buf, n);
		copy[4] = (uint8_t)cut;
		copy[5] = (uint8_t)(cut >> 8);
		copy[6] = copy[7] = 0;
		ck_assert_int_eq(ht_wire_decode(copy, n, &out), -1);
	}
}
END_TEST

START_TEST(string_length_overruns)
{
	/* A record whose only string claims more bytes than remain (the
	 * appended image, away and away_requests fields follow it). */
	uint8_t buf[64];
	ht_record in, out;
	memset(&in, 0, sizeof in);
	in.type = HT_REC_HELLO;
	in.u.hello.exe = S("abc");
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_eq(n, HT_WIRE_HDR_LEN + 12 + 2 + 3 + 24);
	buf[HT_WIRE_HDR_LEN + 12] = 200; /* string length 200 */
	ck_assert_int_eq(ht_wire_decode(buf, n, &out), -1);
}
END_TEST

START_TEST(random_garbage_never_crashes)
{
	uint8_t buf[4096];
	ht_record out;
	unsigned seed = 12345;
	int accepted = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		/* give half the rounds a valid header so decoding goes deep */
		if (round & 1 && len >= HT_WIRE_HDR_LEN) {
			buf[0] = 'H';
			buf[1] = 'T';
			buf[2] = HT_WIRE_VERSION;
			buf[3] = (uint8_t)(1 + rand_r(&seed) % 5);
			buf[4] = (uint8_t)len;
			buf[5] = (uint8_t)(len >> 8);
			buf[6] = buf[7] = 0;
		}
		long r = ht_wire_decode(buf, len, &out);
		ck_assert(r == -1 || r == 0 || (r > 0 && (size_t)r <= len));
		accepted += r > 0;
	}
	/* some random bodies are long enough to decode as HELLO or DROPS */
	ck_assert_int_gt(accepted, 0);
}
END_TEST

START_TEST(error_strings)
{
	ck_assert_ptr_null(ht_error_str(HT_ERR_NONE));
	ck_assert_str_eq(ht_error_str(HT_ERR_RESET), "connection reset");
	ck_assert_str_eq(ht_error_str(250), "unknown error");
}
END_TEST

/* A request copied with its strings is what decoding it gives, and owes
 * nothing to the bytes it was decoded from. */
START_TEST(request_copy_is_its_decoding)
{
	static uint8_t buf[HT_WIRE_MAX_RECORD], ref[HT_WIRE_MAX_RECORD],
		again[HT_WIRE_MAX_RECORD];
	ht_record in = sample_request(), dec, copy;
	ht_rec_request *r = &in.u.req;

	r->flags |= HT_RF_GRPC;
	r->grpc.status = 14;
	r->grpc.message = S("unavailable");
	r->local.family = 2;
	r->local.port = 41000;
	r->stream_id = 5;
	r->thread = 3;
	r->thread_seq = 9;
	size_t n = ht_wire_encode(buf, sizeof buf, &in);
	ck_assert_uint_gt(n, HT_WIRE_HDR_LEN);
	memcpy(ref, buf, n);
	ck_assert_int_eq(ht_wire_decode(buf, n, &dec), (long)n);

	size_t len = ht_request_strings_len(&dec.u.req);
	ck_assert_uint_eq(len, strlen("GET/a?b=clocalhost:8080localhostOKtext/plain"
				      "Host: localhost:8080\r\nAccept: */*\r\n"
				      "Content-Length: 5\r\n/run/app.sock"
				      "example.test:443unavailable"));
	char *blob = malloc(len);
	ck_assert_ptr_nonnull(blob);
	copy.type = HT_REC_REQUEST;
	ht_request_copy(&copy.u.req, &dec.u.req, blob);
	memset(buf, 0xa5, n); /* the bytes it came from, gone */
	ck_assert_ptr_null(copy.u.req.join);
	ck_assert_str_eq(copy.u.req.tls_version.p, "");
	ck_assert_uint_eq(ht_wire_encode(again, sizeof again, &copy), n);
	ck_assert_mem_eq(again, ref, n);
	free(blob);
}
END_TEST

Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, copy_short_every_length);
	tcase_add_test(tc, request_round_trip);
	tcase_add_test(tc, other_types_round_trip);
	tcase_add_test(tc, appended_fields_optional);
	tcase_add_test(tc, local_address_appended);
	tcase_add_test(tc, thread_appended);
	tcase_add_test(tc, encode_refuses_small_buffer);
	tcase_add_test(tc, every_prefix_needs_more);
	tcase_add_test(tc, two_records_in_one_buffer);
	tcase_add_test(tc, bad_headers_rejected);
	tcase_add_test(tc, short_length_field_overruns);
	tcase_add_test(tc, string_length_overruns);
	tcase_add_test(tc, random_garbage_never_crashes);
	tcase_add_test(tc, error_strings);
	tcase_add_test(tc, dns_roundtrip);
	tcase_add_test(tc, request_copy_is_its_decoding);
	suite_add_tcase(s, tc);
	return s;
}
