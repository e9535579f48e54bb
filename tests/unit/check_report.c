/*
 * check_report.c - the collector's pure parts: derived timings, URL/host/
 * peer building, JSON writing, percentiles, the json/events/text formats on
 * synthetic records, statistics, and the decode loop over garbage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collector.h"
#include "headers.h"
#include "json.h"
#include "live.h"
#include "report.h"
#include "fixtures.h"
#include "suites.h"

/* ---- timings ------------------------------------------------------------ */

START_TEST(timing_all_phases)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.dns, 1 * MS);
	ck_assert_int_eq(t.connect, 2 * MS);
	ck_assert(t.tls == REPORT_NONE);
	ck_assert_int_eq(t.send, 1 * MS);
	ck_assert_int_eq(t.wait, 10 * MS);
	ck_assert_int_eq(t.receive, 1 * MS + 250000);
	ck_assert_int_eq(t.total, 15 * MS + 250000);
	ck_assert(t.idle == REPORT_NONE);
	ck_assert_uint_eq(t.start, 1000 * MS);
}
END_TEST

START_TEST(timing_reused_idle)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	r.flags |= HT_RF_REUSED | HT_RF_WAS_IDLE;
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE] = 0;
	r.t[HT_T_IDLE_SINCE] = r.t[HT_T_GOT_CONN] - 7 * MS;
	report_timing_compute(&r, &t);
	ck_assert(t.dns == REPORT_NONE);
	ck_assert(t.connect == REPORT_NONE);
	ck_assert_int_eq(t.idle, 7 * MS);
	ck_assert_uint_eq(t.start, r.t[HT_T_GOT_CONN]);
	ck_assert_int_eq(t.total, 12 * MS + 250000);

	/* WAS_IDLE absent: no idle even with a timestamp. */
	r.flags &= ~HT_RF_WAS_IDLE;
	report_timing_compute(&r, &t);
	ck_assert(t.idle == REPORT_NONE);
}
END_TEST

START_TEST(timing_missing_ends)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	r.t[HT_T_FIRST_BYTE] = 0;
	r.t[HT_T_RESPONSE_DONE] = 0;
	r.t[HT_T_DNS_DONE] = 0;
	report_timing_compute(&r, &t);
	ck_assert(t.dns == REPORT_NONE);
	ck_assert(t.wait == REPORT_NONE);
	ck_assert(t.receive == REPORT_NONE);
	ck_assert(t.total == REPORT_NONE);
	ck_assert_int_eq(t.send, 1 * MS);

	memset(&r, 0, sizeof(r));
	report_timing_compute(&r, &t);
	ck_assert_uint_eq(t.start, 0);
	ck_assert(t.send == REPORT_NONE && t.total == REPORT_NONE);
}
END_TEST

START_TEST(timing_100_continue)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	/* 100 Continue came 2 ms after the headers, before the body. */
	r.t[HT_T_WROTE_HEADERS] = 1003 * MS;
	r.t[HT_T_FIRST_BYTE] = 1005 * MS;
	r.t[HT_T_GOT_1XX] = 1005 * MS;
	r.t[HT_T_WROTE_REQUEST] = 1010 * MS;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.wait, 2 * MS);

	/* Clamped when the headers are also after the first byte. */
	r.t[HT_T_WROTE_HEADERS] = 1006 * MS;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.wait, 0);
	r.t[HT_T_WROTE_HEADERS] = 0;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.wait, 0);
}
END_TEST

/* A request cut short: the phase it was in runs to its end; the ones
 * after stay absent; a complete request is left as it was. */
START_TEST(timing_cut)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	report_timing_compute(&r, &t);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T__COUNT);
	ck_assert_int_eq(t.wait, 10 * MS);

	/* waiting for the first byte when killed, 900 ms after the send */
	r.error = HT_ERR_KILLED;
	r.t[HT_T_FIRST_BYTE] = 0;
	r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_WROTE_REQUEST] + 900 * MS;
	report_timing_compute(&r, &t);
	ck_assert(t.wait == REPORT_NONE);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T_FIRST_BYTE);
	ck_assert_int_eq(t.wait, 900 * MS);
	ck_assert(t.receive == REPORT_NONE);
	ck_assert_int_eq(t.send, 1 * MS);

	/* still sending: send runs to the end */
	r.t[HT_T_WROTE_REQUEST] = 0;
	report_timing_compute(&r, &t);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T_WROTE_REQUEST);
	ck_assert_int_eq(t.send, r.t[HT_T_RESPONSE_DONE] - r.t[HT_T_GOT_CONN]);
	ck_assert(t.wait == REPORT_NONE);

	/* no request byte yet, or a response byte came: nothing to run on */
	r.t[HT_T_GOT_CONN] = 0;
	report_timing_compute(&r, &t);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T__COUNT);
	make_request(&r);
	r.error = HT_ERR_RESET;
	report_timing_compute(&r, &t);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T__COUNT);
	ck_assert_int_eq(t.receive, 1 * MS + 250000);
}
END_TEST

/* Cut while writing its body after a 100 Continue: send runs to the end,
 * no wait or receive (the 1xx set FIRST_BYTE); once a final response
 * began (a status), the 1xx changes nothing. */
START_TEST(timing_cut_after_1xx)
{
	ht_rec_request r;
	report_timing t;
	report_har_timing h;

	make_request(&r);
	r.error = HT_ERR_ENDED;
	r.status = 0;
	r.t[HT_T_GOT_1XX] = r.t[HT_T_FIRST_BYTE];
	r.t[HT_T_WROTE_REQUEST] = 0;
	r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_FIRST_BYTE] + 900 * MS;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.send, r.t[HT_T_RESPONSE_DONE] - r.t[HT_T_GOT_CONN]);
	ck_assert(t.wait == REPORT_NONE);
	ck_assert(t.receive == REPORT_NONE);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T_WROTE_REQUEST);
	report_timing_har(&r, &h);
	ck_assert_int_eq(h.send, (int64_t)(t.send / 1000));
	ck_assert_int_eq(h.wait, 0);
	ck_assert_int_eq(h.receive, 0);

	/* an early 413 after the 100: received, not sent */
	r.status = 413;
	report_timing_compute(&r, &t);
	ck_assert(t.send == REPORT_NONE);
	ck_assert_int_eq(t.receive, 900 * MS);
	ck_assert_uint_eq(report_timing_cut(&r, &t), HT_T__COUNT);
}
END_TEST

/* The HAR timings of @r add up to its duration (json's total_ms, in whole
 * microseconds), none negative, and blocked is what they return. */
static int64_t har_check_sum(const ht_rec_request *r, report_har_timing *h)
{
	report_timing t;
	int64_t sum = 0;

	report_timing_compute(r, &t);
	report_timing_har(r, h);
	{
		const int64_t v[] = { h->blocked, h->dns, h->connect, h->send,
				      h->wait, h->receive };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			ck_assert_int_ge(v[i], -1);
			if (v[i] > 0)
				sum += v[i];
		}
	}
	ck_assert_int_ge(h->send, 0);
	ck_assert_int_ge(h->wait, 0);
	ck_assert_int_ge(h->receive, 0);
	ck_assert_int_le(h->ssl, h->connect);
	ck_assert_int_eq(sum, h->time);
	if (t.total != REPORT_NONE)
		ck_assert_int_eq(h->time, (t.total + 500) / 1000);
	return h->blocked;
}

/* The client's own moments between the phases (after the name was
 * resolved, after the connection was up) are in blocked, so time is the
 * whole duration; the phases are the others' (trust audit 4: HAR's time
 * was the sum of the phases alone, 0.538 for json's 0.580). */
START_TEST(har_timing_gaps_in_blocked)
{
	ht_rec_request r;
	report_har_timing h;

	make_request(&r);
	ck_assert_int_eq(har_check_sum(&r, &h), 0);
	ck_assert_int_eq(h.time, 15250);
	ck_assert_int_eq(h.dns, 1000);
	ck_assert_int_eq(h.connect, 2000);
	ck_assert_int_eq(h.ssl, -1);

	/* 300 us between the name and the connect, 42.5 between the
	 * connection and the request's first byte. */
	make_request(&r);
	for (unsigned i = HT_T_CONNECT_START; i <= HT_T_RESPONSE_DONE; i++)
		if (r.t[i] != 0)
			r.t[i] += 300 * 1000;
	for (unsigned i = HT_T_GOT_CONN; i <= HT_T_RESPONSE_DONE; i++)
		if (r.t[i] != 0)
			r.t[i] += 42500;
	ck_assert_int_eq(har_check_sum(&r, &h), 343);
	ck_assert_int_eq(h.time, 15250 + 343);
	ck_assert_int_eq(h.dns, 1000);
	ck_assert_int_eq(h.connect, 2000);
	ck_assert_int_eq(h.send, 1000);
	ck_assert_int_eq(h.wait, 10000);
	ck_assert_int_eq(h.receive, 1250);

	/* TLS: ssl stays inside connect, the gap after the handshake is
	 * blocked. */
	r.t[HT_T_TLS_START] = r.t[HT_T_CONNECT_DONE] + 100 * 1000;
	r.t[HT_T_TLS_DONE] = r.t[HT_T_CONNECT_DONE] + 400 * 1000;
	for (unsigned i = HT_T_GOT_CONN; i <= HT_T_RESPONSE_DONE; i++)
		if (r.t[i] != 0)
			r.t[i] += 500 * 1000;
	ck_assert_int_eq(har_check_sum(&r, &h), 343 + 100);
	ck_assert_int_eq(h.ssl, 400);
	ck_assert_int_eq(h.connect, 2400);

	/* Odd nanoseconds everywhere: the parts still add up exactly. */
	for (unsigned i = 0; i < HT_T__COUNT; i++)
		if (r.t[i] != 0)
			r.t[i] += 499 + 7 * i;
	r.t[HT_T_RESPONSE_DONE] += 1;
	har_check_sum(&r, &h);

	/* A reused connection: nothing before the request, blocked -1. */
	make_request(&r);
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE] = 0;
	ck_assert_int_eq(har_check_sum(&r, &h), -1);
	ck_assert(h.dns == -1 && h.connect == -1 && h.ssl == -1);
	ck_assert_int_eq(h.time, 12250);
}
END_TEST

/* Phases that overlap or were not seen: still end to end, never negative,
 * never -1 for send, wait, receive (HAR 1.2 requires them). */
START_TEST(har_timing_odd_orders)
{
	ht_rec_request r;
	report_har_timing h;

	/* 100 Continue: the response began before the body was written;
	 * send ends with the headers, wait as json's. */
	make_request(&r);
	r.t[HT_T_WROTE_HEADERS] = 1003 * MS + 500 * 1000;
	r.t[HT_T_FIRST_BYTE] = 1005 * MS;
	r.t[HT_T_WROTE_REQUEST] = 1010 * MS;
	ck_assert_int_eq(har_check_sum(&r, &h), 0);
	ck_assert_int_eq(h.send, 500);
	ck_assert_int_eq(h.wait, 1500);
	ck_assert_int_eq(h.receive, 10250);

	/* The request's end never seen (a response that came first): send
	 * runs to the first response byte. */
	make_request(&r);
	r.t[HT_T_WROTE_REQUEST] = 0;
	har_check_sum(&r, &h);
	ck_assert_int_eq(h.send, 11000);
	ck_assert_int_eq(h.wait, 0);

	/* Killed while waiting: wait runs to the end, as report_timing_cut()
	 * has it. */
	make_request(&r);
	r.error = HT_ERR_KILLED;
	r.t[HT_T_FIRST_BYTE] = 0;
	r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_WROTE_REQUEST] + 900 * MS;
	har_check_sum(&r, &h);
	ck_assert_int_eq(h.wait, 900 * 1000);
	ck_assert_int_eq(h.receive, 0);

	/* Killed while sending. */
	r.t[HT_T_WROTE_REQUEST] = 0;
	har_check_sum(&r, &h);
	ck_assert_int_eq(h.send, 901 * 1000);
	ck_assert_int_eq(h.wait, 0);

	/* The handshake overlapping the connect (a clock out of order):
	 * cut, not counted twice. */
	make_request(&r);
	r.t[HT_T_TLS_START] = r.t[HT_T_CONNECT_START];
	r.t[HT_T_TLS_DONE] = r.t[HT_T_CONNECT_DONE];
	ck_assert_int_eq(har_check_sum(&r, &h), 0);
	ck_assert_int_eq(h.ssl, 0);

	/* No response end: the last moment seen ends it. */
	make_request(&r);
	r.error = HT_ERR_RESET;
	r.t[HT_T_RESPONSE_DONE] = 0;
	har_check_sum(&r, &h);
	ck_assert_int_eq(h.time, 14000);
	ck_assert_int_eq(h.receive, 0);
}
END_TEST

START_TEST(timing_tls_start)
{
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	r.flags |= HT_RF_TLS;
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE] = 0;
	r.t[HT_T_TLS_START] = 999 * MS; /* earliest */
	r.t[HT_T_TLS_DONE] = 1002 * MS;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.tls, 3 * MS);
	ck_assert_uint_eq(t.start, 999 * MS);
}
END_TEST

START_TEST(timing_tls_from_tcp_connected)
{
	/* TCP up at 3 ms, first handshake call at 5 ms, done at 9 ms: the
	 * TLS phase is 6 ms, as curl's appconnect - connect counts it. */
	ht_rec_request r;
	report_timing t;

	make_request(&r);
	r.flags |= HT_RF_TLS;
	r.t[HT_T_TLS_START] = 1005 * MS;
	r.t[HT_T_TLS_DONE] = 1009 * MS;
	report_timing_compute(&r, &t);
	ck_assert_int_eq(t.connect, 2 * MS);
	ck_assert_int_eq(t.tls, 6 * MS);
	ck_assert_uint_eq(t.start, 1000 * MS);
}
END_TEST

/* ---- URL, host, peer ---------------------------------------------------- */

static const char *url_of(const ht_rec_request *r)
{
	static char buf[256];

	url_request(buf, sizeof(buf), r);
	return buf;
}

START_TEST(url_building)
{
	ht_rec_request r;

	make_request(&r);
	ck_assert_str_eq(url_of(&r), "http://localhost:8080/a");

	/* No Host: DNS name, port only when not the default. */
	r.host = S("");
	ck_assert_str_eq(url_of(&r), "http://localhost:8080/a");
	r.peer.port = 80;
	ck_assert_str_eq(url_of(&r), "http://localhost/a");
	r.flags |= HT_RF_TLS;
	ck_assert_str_eq(url_of(&r), "https://localhost:80/a");
	r.peer.port = 443;
	ck_assert_str_eq(url_of(&r), "https://localhost/a");

	/* No name either: the peer IP. */
	r.dns_name = S("");
	ck_assert_str_eq(url_of(&r), "https://127.0.0.1/a");
	r.peer.family = AF_INET6;
	memset(r.peer.addr, 0, sizeof(r.peer.addr));
	r.peer.addr[15] = 1;
	r.peer.port = 8443;
	ck_assert_str_eq(url_of(&r), "https://[::1]:8443/a");

	/* A Host header with the default port is kept as sent. */
	r.host = S("example.com:443");
	ck_assert_str_eq(url_of(&r), "https://example.com:443/a");

	/* Proxy form is used as is. */
	r.target = S("http://other.example/x?y=1");
	ck_assert_str_eq(url_of(&r), "http://other.example/x?y=1");

	/* CONNECT's authority form too. */
	r.method = S("CONNECT");
	r.target = S("example.com:443");
	ck_assert_str_eq(url_of(&r), "example.com:443");
}
END_TEST

START_TEST(url_unix_and_tunnel)
{
	ht_rec_request r;
	char buf[128];

	/* A Unix socket: the Host header, else localhost as curl shows it. */
	make_request(&r);
	r.peer.family = HT_AF_UNIX;
	r.peer.port = 0;
	r.dns_name = S("");
	r.peer_path = S("/run/docker.sock");
	r.host = S("");
	ck_assert_str_eq(url_of(&r), "http://localhost/a");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "localhost");
	r.host = S("docker");
	ck_assert_str_eq(url_of(&r), "http://docker/a");
	url_peer_of(buf, sizeof(buf), &r.peer, r.peer_path);
	ck_assert_str_eq(buf, "unix:/run/docker.sock");

	/* Inside a tunnel: the target, not the proxy. */
	make_request(&r);
	r.flags |= HT_RF_TUNNEL | HT_RF_TLS;
	r.tunnel = S("target.test:443");
	r.dns_name = S("proxy.test");
	r.host = S("");
	ck_assert_str_eq(url_of(&r), "https://target.test/a");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "target.test");
	r.tunnel = S("[::1]:8443");
	ck_assert_str_eq(url_of(&r), "https://[::1]:8443/a");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "::1");
	r.flags &= ~HT_RF_TLS;
	r.tunnel = S("target.test:80");
	ck_assert_str_eq(url_of(&r), "http://target.test/a");
	r.host = S("target.test:80");
	ck_assert_str_eq(url_of(&r), "http://target.test:80/a");
	/* An absolute target is used as is, inside a tunnel too. */
	r.target = S("http://elsewhere.test/z");
	ck_assert_str_eq(url_of(&r), "http://elsewhere.test/z");
	/* The CONNECT itself keeps its authority form. */
	r.method = S("CONNECT");
	r.target = S("target.test:443");
	ck_assert_str_eq(url_of(&r), "target.test:443");
}
END_TEST

/* A client's Host without a port (wget2 sends "localhost" for
 * https://localhost:8443/): the peer's port is added unless it is the
 * scheme's; a server's record and a tunnel's keep the Host as sent. */
START_TEST(url_host_without_port)
{
	ht_rec_request r;

	make_request(&r); /* peer 127.0.0.1:8080 */
	r.host = S("localhost");
	ck_assert_str_eq(url_of(&r), "http://localhost:8080/a");
	r.host = S("[::1]");
	ck_assert_str_eq(url_of(&r), "http://[::1]:8080/a");
	r.host = S("[::1]:81");
	ck_assert_str_eq(url_of(&r), "http://[::1]:81/a");
	r.host = S("example.com:99");
	ck_assert_str_eq(url_of(&r), "http://example.com:99/a");
	r.peer.port = 80;
	r.host = S("localhost");
	ck_assert_str_eq(url_of(&r), "http://localhost/a");
	r.flags |= HT_RF_TLS;
	ck_assert_str_eq(url_of(&r), "https://localhost:80/a");
	r.peer.port = 443;
	ck_assert_str_eq(url_of(&r), "https://localhost/a");

	r.peer.port = 8443;
	r.flags |= HT_RF_TUNNEL;
	r.tunnel = S("target.test:443");
	ck_assert_str_eq(url_of(&r), "https://localhost/a");
	r.flags &= ~HT_RF_TUNNEL;
	r.flags |= HT_RF_SERVER;
	ck_assert_str_eq(url_of(&r), "https://localhost/a");
}
END_TEST

START_TEST(url_truncates)
{
	ht_rec_request r;
	char small[10];

	make_request(&r);
	ck_assert_uint_eq(url_request(small, sizeof(small), &r), 9);
	ck_assert_str_eq(small, "http://lo");
}
END_TEST

START_TEST(host_and_peer)
{
	ht_rec_request r;
	char buf[128];

	make_request(&r);
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "localhost");
	r.dns_name = S("");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "localhost");
	r.host = S("[::1]:8080");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "::1");
	r.host = S("example.com");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "example.com");
	r.host = S("");
	url_host(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "127.0.0.1");

	url_peer(buf, sizeof(buf), &r.peer);
	ck_assert_str_eq(buf, "127.0.0.1:8080");
	/* IPv4 is written in place; the widest address and port fit, and a
	 * block too small for that path still gets what fits */
	memset(r.peer.addr, 255, 4);
	r.peer.port = 65535;
	ck_assert_uint_eq(url_peer(buf, sizeof(buf), &r.peer), 21);
	ck_assert_str_eq(buf, "255.255.255.255:65535");
	ck_assert_uint_eq(url_peer(buf, 22, &r.peer), 21);
	ck_assert_str_eq(buf, "255.255.255.255:65535");
	r.peer.addr[1] = 10;
	r.peer.addr[2] = 0;
	r.peer.port = 0;
	ck_assert_uint_eq(url_peer(buf, 23, &r.peer), 14);
	ck_assert_str_eq(buf, "255.10.0.255:0");
	r.peer.addr[0] = 127;
	r.peer.addr[1] = 0;
	r.peer.addr[2] = 0;
	r.peer.addr[3] = 1;
	r.peer.port = 8080;
	r.peer.family = AF_INET6;
	memset(r.peer.addr, 0, sizeof(r.peer.addr));
	r.peer.addr[15] = 1;
	url_peer(buf, sizeof(buf), &r.peer);
	ck_assert_str_eq(buf, "[::1]:8080");
	r.peer.family = 0;
	ck_assert_uint_eq(url_peer(buf, sizeof(buf), &r.peer), 0);
	ck_assert_str_eq(buf, "");

	ck_assert_str_eq(report_proto_str(HT_PROTO_HTTP10), "HTTP/1.0");
	ck_assert_str_eq(report_proto_str(HT_PROTO_HTTP2), "HTTP/2");
	ck_assert_ptr_null(report_proto_str(HT_PROTO_UNKNOWN));
}
END_TEST

/* ---- JSON writer -------------------------------------------------------- */

/* What json_str() writes for @n bytes of @s (static buffer). */
static const char *escaped(const char *s, size_t n)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	outbuf w;

	outbuf_init(&w, f);
	json_str(&w, s, n);
	ck_assert_int_eq(outbuf_flush(&w), 0);
	outbuf_free(&w);
	fclose(f);
	return buf;
}

START_TEST(json_escaping)
{
	ck_assert_str_eq(escaped("plain", 5), "\"plain\"");
	ck_assert_str_eq(escaped("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(escaped("\n\r\t\x01\x1f", 5),
			 "\"\\n\\r\\t\\u0001\\u001f\"");
	ck_assert_str_eq(escaped("nul\0x", 5), "\"nul\\u0000x\"");
	/* Valid UTF-8 passes: é, €, U+1F600. */
	ck_assert_str_eq(escaped("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
			 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Invalid bytes become \u00XX: lone continuation, bad lead, overlong,
	 * surrogate, cut-short sequence. */
	ck_assert_str_eq(escaped("\x80", 1), "\"\\u0080\"");
	ck_assert_str_eq(escaped("\xff" "a", 2), "\"\\u00ffa\"");
	ck_assert_str_eq(escaped("\xc0\xaf", 2), "\"\\u00c0\\u00af\"");
	ck_assert_str_eq(escaped("\xed\xa0\x80", 3),
			 "\"\\u00ed\\u00a0\\u0080\"");
	ck_assert_str_eq(escaped("\xe2\x82", 2), "\"\\u00e2\\u0082\"");
	ck_assert_str_eq(escaped("\xf4\x90\x80\x80", 4),
			 "\"\\u00f4\\u0090\\u0080\\u0080\"");
	ck_assert_str_eq(escaped("", 0), "\"\"");
}
END_TEST

/* Every output of json_str() over random bytes has only printable ASCII
 * outside valid UTF-8 sequences, and no raw quote or backslash inside. */
START_TEST(json_escaping_random)
{
	unsigned seed = 1;

	for (int round = 0; round < 2000; round++) {
		char in[64];
		size_t n = (size_t)(rand_r(&seed) % sizeof(in));
		const unsigned char *o;
		size_t len;

		for (size_t i = 0; i < n; i++)
			in[i] = (char)rand_r(&seed);
		o = (const unsigned char *)escaped(in, n);
		len = strlen((const char *)o);
		ck_assert_uint_ge(len, 2);
		ck_assert_int_eq(o[0], '"');
		ck_assert_int_eq(o[len - 1], '"');
		for (size_t i = 1; i + 1 < len; i++) {
			ck_assert_uint_ge(o[i], 0x20);
			ck_assert_int_ne(o[i], '"');
			if (o[i] == '\\') {
				ck_assert(strchr("\"\\nrtu", o[i + 1]) != NULL);
				i++;
			}
		}
	}
}
END_TEST

static const char *numbers(int64_t ms_ns, int64_t secs_ns)
{
	static char buf[128];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	outbuf w;

	outbuf_init(&w, f);
	json_ns_ms(&w, ms_ns);
	json_lit(&w, " ");
	json_ns_secs(&w, secs_ns);
	json_lit(&w, " ");
	json_i64(&w, -12);
	json_lit(&w, " ");
	json_u64(&w, UINT64_MAX);
	ck_assert_int_eq(outbuf_flush(&w), 0);
	outbuf_free(&w);
	fclose(f);
	return buf;
}

START_TEST(json_numbers)
{
	ck_assert_str_eq(numbers(1250000, 1700000000123456789LL),
			 "1.250 1700000000.123456 -12 18446744073709551615");
	ck_assert_str_eq(numbers(0, 0), "0.000 0.000000 -12 18446744073709551615");
	ck_assert_str_eq(numbers(1500, 999), "0.002 0.000000 -12 18446744073709551615");
	ck_assert_str_eq(numbers(123456789012LL, REPORT_NONE),
			 "123456.789 null -12 18446744073709551615");
	ck_assert_str_eq(numbers(REPORT_NONE, 1000), "null 0.000001 -12 18446744073709551615");
}
END_TEST

/* ---- percentiles -------------------------------------------------------- */

START_TEST(percentiles)
{
	sketch sk;

	sketch_init(&sk);
	ck_assert(report_percentile(&sk, 50) == REPORT_NONE);
	sketch_add(&sk, 1);
	ck_assert_int_eq(report_percentile(&sk, 50), 1);
	ck_assert_int_eq(report_percentile(&sk, 95), 1);
	for (int i = 2; i <= 20; i++)
		sketch_add(&sk, i);
	ck_assert_int_eq(report_percentile(&sk, 95), 19);
	ck_assert_int_eq(report_percentile(&sk, 100), 20);
	ck_assert_int_eq(report_percentile(&sk, 50), 10);
	sketch_free(&sk);
}
END_TEST

static int cmp_i64_test(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The per-host percentiles match the exact ones within the sketch's
 * bound, for any values and any count (negatives, a bogus clock, count
 * as 0). */
START_TEST(hosts_percentiles)
{
	static const size_t counts[] = { 0, 1, 2, 255, 256, 257, 5000, 100003 };
	uint64_t st = 12345;

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t n = counts[c], got_n;
		report *rp = malloc(sizeof(*rp));
		int64_t *want = malloc((n + 1) * sizeof(*want));
		ht_rec_request r;
		ht_record rec = { .type = HT_REC_REQUEST };
		report_host_stat **hosts;

		ck_assert_ptr_nonnull(rp);
		ck_assert_ptr_nonnull(want);
		report_init(rp, NULL, REPORT_SUMMARY, false);
		make_request(&r);
		for (size_t i = 0; i < n; i++) {
			/* Spread over every magnitude, a few negative (a
			 * bogus clock), many equal. */
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			int64_t total = (int64_t)(st >> (st % 64));
			if (st % 7 == 0)
				total = -total;
			if (st % 5 == 0)
				total = 1000;
			if (total == REPORT_NONE)
				total = 0;
			r.t[HT_T_RESPONSE_DONE] = r.t[HT_T_DNS_START] + (uint64_t)total;
			want[i] = total < 0 ? 0 : total;
			rec.u.req = r;
			report_record(rp, &rec);
		}
		hosts = report_hosts_sorted(rp, &got_n);
		if (n == 0) {
			ck_assert_uint_eq(got_n, 0);
		} else {
			ck_assert_uint_eq(got_n, 1);
			ck_assert_uint_eq(hosts[0]->totals.count, n);
			qsort(want, n, sizeof(*want), cmp_i64_test);
			for (unsigned pct = 1; pct <= 100; pct++) {
				size_t rank = (pct * n + 99) / 100;
				int64_t x = want[rank - 1];
				int64_t got = report_percentile(&hosts[0]->totals, pct);
				uint64_t d = got > x ? (uint64_t)(got - x) :
						       (uint64_t)(x - got);

				ck_assert_msg(d * 2 * SKETCH_SUB <= (uint64_t)x,
					      "p%u: %lld, exact %lld", pct,
					      (long long)got, (long long)x);
			}
		}
		free(hosts);
		report_free(rp);
		free(rp);
		free(want);
	}
}
END_TEST

/* Hosts past REPORT_MAX_HOSTS share one row; the table stays that size. */
START_TEST(hosts_bounded)
{
	report *rp = malloc(sizeof(*rp));
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_REQUEST };
	report_host_stat **hosts;
	char name[32];
	size_t n;

	ck_assert_ptr_nonnull(rp);
	report_init(rp, NULL, REPORT_SUMMARY, false);
	make_request(&r);
	for (int i = 0; i < REPORT_MAX_HOSTS + 500; i++) {
		int len = snprintf(name, sizeof(name), "h%d.example", i);

		r.dns_name = (ht_str){ name, (uint16_t)len };
		rec.u.req = r;
		report_record(rp, &rec);
		report_record(rp, &rec); /* twice: found again, not added */
	}
	hosts = report_hosts_sorted(rp, &n);
	ck_assert_uint_eq(n, REPORT_MAX_HOSTS);
	ck_assert_uint_eq(rp->stats.hosts_n, REPORT_MAX_HOSTS);
	ck_assert_uint_eq(rp->stats.other_hosts.requests, 1000);
	ck_assert_uint_eq(rp->stats.other_hosts.totals.count, 1000);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(hosts[i]->requests, 2);
	free(hosts);
	report_free(rp);
	free(rp);
}
END_TEST

/* Connections are counted once, and forgotten at their close: the table
 * of open ones does not grow with the connections that came and went. */
START_TEST(conns_forgotten_at_close)
{
	report *rp = malloc(sizeof(*rp));
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_REQUEST };
	ht_record close_rec = { .type = HT_REC_CONN_CLOSE };

	ck_assert_ptr_nonnull(rp);
	report_init(rp, NULL, REPORT_SUMMARY, false);
	make_request(&r);
	for (uint32_t c = 1; c <= 100000; c++) {
		r.conn_id = c;
		for (uint32_t q = 1; q <= 3; q++) {
			r.req_seq = q;
			rec.u.req = r;
			report_record(rp, &rec);
		}
		if (c % 10 != 0) { /* every tenth stays open */
			memset(&close_rec.u.close, 0, sizeof(close_rec.u.close));
			close_rec.u.close.pid = r.pid;
			close_rec.u.close.conn_id = c;
			report_record(rp, &close_rec);
		}
	}
	ck_assert_uint_eq(report_connections(rp), 100000);
	/* 10,000 open: all remembered, the closed ones forgotten. */
	ck_assert_uint_eq(rp->stats.conns.n, 10000);
	ck_assert_uint_eq(rp->stats.conns_untracked, 0);
	ck_assert_uint_le(rp->stats.conns.cap, 16384);
	report_free(rp);
	free(rp);
}
END_TEST

/* A client connection closed having carried no request counts in
 * connections and conns_no_request, never in errors; one that carried
 * requests, TLS not decoded, a server's, or a close without the flag (not
 * HTTP, an older library) do not count there. */
START_TEST(conns_closed_no_request)
{
	report *rp = malloc(sizeof(*rp));
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_REQUEST };
	ht_record cl = { .type = HT_REC_CONN_CLOSE };

	ck_assert_ptr_nonnull(rp);
	report_init(rp, NULL, REPORT_SUMMARY, false);
	/* conn 1 carried a request */
	make_request(&r);
	r.conn_id = 1;
	rec.u.req = r;
	report_record(rp, &rec);
	cl.u.close.pid = r.pid;
	cl.u.close.conn_id = 1;
	cl.u.close.requests = 1;
	report_record(rp, &cl);
	/* conn 2 and 3 closed with none, by the program and the peer */
	memset(&cl.u.close, 0, sizeof(cl.u.close));
	cl.u.close.pid = r.pid;
	cl.u.close.conn_id = 2;
	cl.u.close.flags = HT_CF_NO_REQUEST | HT_CF_TLS;
	report_record(rp, &cl);
	cl.u.close.conn_id = 3;
	cl.u.close.flags = HT_CF_NO_REQUEST | HT_CF_PEER_EOF;
	report_record(rp, &cl);
	/* not counted here: no flag (not HTTP), a server's, one saying it
	 * carried requests */
	cl.u.close.conn_id = 4;
	cl.u.close.flags = 0;
	report_record(rp, &cl);
	cl.u.close.conn_id = 5;
	cl.u.close.flags = HT_CF_NO_REQUEST | HT_CF_SERVER;
	report_record(rp, &cl);
	cl.u.close.conn_id = 6;
	cl.u.close.flags = HT_CF_NO_REQUEST;
	cl.u.close.requests = 2;
	report_record(rp, &cl);
	/* TLS not decoded counts once, as tls_undecoded */
	cl.u.close.conn_id = 7;
	cl.u.close.requests = 0;
	cl.u.close.flags = HT_CF_TLS | HT_CF_TLS_UNDECODED | HT_CF_NO_REQUEST;
	report_record(rp, &cl);

	ck_assert_uint_eq(rp->stats.conns_no_request, 2);
	ck_assert_uint_eq(rp->stats.tls_undecoded, 1);
	ck_assert_uint_eq(report_connections(rp), 4);
	ck_assert_uint_eq(rp->stats.errors, 0);
	ck_assert_uint_eq(rp->stats.requests, 1);
	ck_assert_uint_eq(rp->stats.conns.n, 0);
	report_free(rp);
	free(rp);
}
END_TEST

/* ---- a strict JSON validator (RFC 8259 syntax) for the outputs --------- */

typedef struct jv {
	const char *p, *end;
	int depth;
} jv;

static void jv_ws(jv *v)
{
	while (v->p < v->end && strchr(" \t\r\n", *v->p) != NULL && *v->p != '\0')
		v->p++;
}

static bool jv_value(jv *v);

static bool jv_lit(jv *v, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n) != 0)
		return false;
	v->p += n;
	return true;
}

static bool jv_digits(jv *v)
{
	const char *start = v->p;

	while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
		v->p++;
	return v->p > start;
}

static bool jv_number(jv *v)
{
	if (v->p < v->end && *v->p == '-')
		v->p++;
	if (v->p < v->end && *v->p == '0')
		v->p++;
	else if (!jv_digits(v))
		return false;
	if (v->p < v->end && *v->p == '.') {
		v->p++;
		if (!jv_digits(v))
			return false;
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
		v->p++;
		if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
			v->p++;
		if (!jv_digits(v))
			return false;
	}
	return true;
}

static bool jv_string(jv *v)
{
	if (v->p >= v->end || *v->p != '"')
		return false;
	v->p++;
	while (v->p < v->end) {
		unsigned char c = (unsigned char)*v->p++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (v->p >= v->end)
				return false;
			c = (unsigned char)*v->p++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++, v->p++)
					if (v->p >= v->end ||
					    strchr("0123456789abcdefABCDEF", *v->p) == NULL ||
					    *v->p == '\0')
						return false;
			} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
				return false;
			}
		}
	}
	return false;
}

/* '{' members '}' or '[' elements ']' with @close the closing bracket. */
static bool jv_container(jv *v, char close, bool object)
{
	v->p++;
	if (++v->depth > 64)
		return false;
	jv_ws(v);
	if (v->p < v->end && *v->p == close) {
		v->p++;
		v->depth--;
		return true;
	}
	for (;;) {
		jv_ws(v);
		if (object) {
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (v->p >= v->end || *v->p++ != ':')
				return false;
		}
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (v->p >= v->end)
			return false;
		if (*v->p == ',') {
			v->p++;
			continue;
		}
		if (*v->p++ != close)
			return false;
		v->depth--;
		return true;
	}
}

static bool jv_value(jv *v)
{
	jv_ws(v);
	if (v->p >= v->end)
		return false;
	switch (*v->p) {
	case '{': return jv_container(v, '}', true);
	case '[': return jv_container(v, ']', false);
	case '"': return jv_string(v);
	case 't': return jv_lit(v, "true");
	case 'f': return jv_lit(v, "false");
	case 'n': return jv_lit(v, "null");
	default: return jv_number(v);
	}
}

/* Whether @n bytes of @s are exactly one JSON value (whitespace around). */
static bool json_valid(const char *s, size_t n)
{
	jv v = { s, s + n, 0 };

	if (!jv_value(&v))
		return false;
	jv_ws(&v);
	return v.p == v.end;
}

/* Whether every line of @s is one JSON object. */
static bool json_lines_valid(const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (len == 0 || s[0] != '{' || !json_valid(s, len))
			return false;
		s += len + (nl ? 1 : 0);
	}
	return true;
}

START_TEST(json_validator_self_test)
{
	static const char *good[] = {
		"{}", "[]", " {\"a\":[1,-2.5e3,0.1,true,false,null,\"x\\u00e9\\n\"]} ",
		"-0", "\"\"", "{\"a\":{\"b\":[]}}",
	};
	static const char *bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "\"\\x\"",
		"\"\x01\"", "[1]x", "{a:1}", "\"\\u12\"", "tru", "-", "[1 2]",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(json_valid(good[i], strlen(good[i])), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!json_valid(bad[i], strlen(bad[i])), "%s", bad[i]);
	ck_assert(json_lines_valid("{}\n{\"a\":1}\n", 11));
	ck_assert(!json_lines_valid("{}\n\n", 4));
}
END_TEST

/* ---- formats ------------------------------------------------------------ */

/* A report writing @format into a memory stream. */
typedef struct memreport {
	report *rp;
	FILE *f;
	char *buf;
	size_t len;
} memreport;

static void mr_open(memreport *m, enum report_format format)
{
	m->rp = malloc(sizeof(*m->rp));
	ck_assert_ptr_nonnull(m->rp);
	m->f = open_memstream(&m->buf, &m->len);
	report_init(m->rp, m->f, format, false);
	m->rp->mono_to_unix = 1700000000LL * 1000000000LL; /* deterministic */
}

static void mr_close(memreport *m)
{
	fflush(m->f);
	report_free(m->rp);
	fclose(m->f);
	free(m->rp);
	free(m->buf);
}

static void feed_request(memreport *m, const ht_rec_request *r)
{
	ht_record rec = { .type = HT_REC_REQUEST };

	rec.u.req = *r;
	report_record(m->rp, &rec);
	report_flush(m->rp);
}

/* Position of event @name's line in @out, or -1. */
static long event_pos(const char *out, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "{\"event\":\"%s\"", name);
	p = strstr(out, key);
	return p ? (long)(p - out) : -1;
}

START_TEST(json_request_line)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_JSON);
	make_request(&r);
	feed_request(&m, &r);
	ck_assert_str_eq(m.buf,
		"{\"event\":\"request\",\"pid\":42,\"conn\":1,\"req\":1,"
		"\"reused\":false,\"idle_ms\":null,\"method\":\"GET\","
		"\"url\":\"http://localhost:8080/a\",\"host\":\"localhost\","
		"\"peer\":\"127.0.0.1:8080\",\"proto\":\"HTTP/1.1\","
		"\"tls\":false,\"status\":200,\"error\":null,\"req_bytes\":0,"
		"\"resp_bytes\":5,\"start\":1700000001.000000,\"dns_ms\":1.000,"
		"\"connect_ms\":2.000,\"tls_ms\":null,\"send_ms\":1.000,"
		"\"wait_ms\":10.000,\"receive_ms\":1.250,\"total_ms\":15.250,"
		"\"proxy\":null,\"redirect_from\":null,\"chain\":null,"
		"\"redirect_to\":null,\"alpn\":null,\"tls_version\":null,\"status_text\":\"OK\","
		"\"content_type\":\"text/plain\",\"req_header_bytes\":60,"
		"\"resp_header_bytes\":100,\"interim\":0,\"keep_alive\":true,"
		"\"headers_truncated\":false,\"target_truncated\":false,"
		"\"request_headers\":[],\"response_headers\":[]}\n");
	mr_close(&m);
}
END_TEST

START_TEST(json_request_headers)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_JSON);
	make_request(&r);
	r.req_headers = S("Host: localhost:8080\r\nAuthorization: [redacted]\r\n"
			  "X-Q: a\"b\x01\r\n");
	r.resp_headers = S("Content-Type: text/plain\r\nSet-Cookie: [redacted]\r\n");
	feed_request(&m, &r);
	/* At the end of the object, after every earlier key. */
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"target_truncated\":false,\"request_headers\":["
		"{\"name\":\"Host\",\"value\":\"localhost:8080\"},"
		"{\"name\":\"Authorization\",\"value\":\"[redacted]\"},"
		"{\"name\":\"X-Q\",\"value\":\"a\\\"b\\u0001\"}],"
		"\"response_headers\":["
		"{\"name\":\"Content-Type\",\"value\":\"text/plain\"},"
		"{\"name\":\"Set-Cookie\",\"value\":\"[redacted]\"}]}\n"));
	mr_close(&m);

	/* events: request headers on wrote_headers, response headers on
	 * response_done. */
	mr_open(&m, REPORT_EVENTS);
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"method\":\"GET\",\"url\":\"http://localhost:8080/a\","
		"\"headers\":[{\"name\":\"Host\",\"value\":\"localhost:8080\"},"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"total_ms\":15.250,\"headers\":["
		"{\"name\":\"Content-Type\",\"value\":\"text/plain\"},"
		"{\"name\":\"Set-Cookie\",\"value\":\"[redacted]\"}]}\n"));
	ck_assert_int_lt(event_pos(m.buf, "wrote_headers"),
			 event_pos(m.buf, "response_done"));
	mr_close(&m);
}
END_TEST

START_TEST(json_error_and_escapes)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_JSON);
	make_request(&r);
	r.status = 0;
	r.error = HT_ERR_RESET;
	r.target = S("/\"\x01\xff");
	r.t[HT_T_RESPONSE_DONE] = 0;
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"url\":\"http://localhost:8080/\\\"\\u0001\\u00ff\""));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"status\":null,\"error\":\"connection reset\""));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"total_ms\":null"));
	mr_close(&m);
}
END_TEST

START_TEST(json_tls_failure)
{
	memreport m;
	ht_record rec = { .type = HT_REC_CONN_FAIL };

	mr_open(&m, REPORT_JSON);
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 4;
	rec.u.fail.flags = HT_FF_TLS;
	rec.u.fail.peer.family = AF_INET;
	rec.u.fail.peer.port = 443;
	inet_pton(AF_INET, "127.0.0.1", rec.u.fail.peer.addr);
	rec.u.fail.t_connect_start = 2000 * MS;
	rec.u.fail.t_connect_done = 2001 * MS;
	rec.u.fail.t_tls_start = 2002 * MS;
	rec.u.fail.t_fail = 2005 * MS;
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_str_eq(m.buf,
		"{\"event\":\"tls_error\",\"pid\":7,\"conn\":4,"
		"\"peer\":\"127.0.0.1:443\",\"host\":\"127.0.0.1\","
		"\"error\":\"TLS handshake failed\",\"errno\":null,"
		"\"dns_ms\":null,\"connect_ms\":1.000,\"tls_ms\":4.000,"
		"\"start\":1700000002.000000}\n");
	mr_close(&m);

	/* events: connect succeeded, the handshake did not */
	mr_open(&m, REPORT_EVENTS);
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"event\":\"connect_done\""));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"event\":\"tls_handshake_start\""));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"error\":\"TLS handshake failed\""));
	ck_assert_ptr_null(strstr(m.buf, "Success"));
	mr_close(&m);

	/* a handshake no hook decoded: what its records showed */
	rec.u.fail.flags = HT_FF_TLS | HT_FF_TLS_ALERT_CLIENT;
	rec.u.fail.tls_alert = 46;
	mr_open(&m, REPORT_JSON);
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"error\":\"TLS handshake failed: "
		"certificate_unknown (46) sent by the client\""));
	mr_close(&m);
	rec.u.fail.flags = HT_FF_TLS | HT_FF_TLS_ALERT_SERVER;
	rec.u.fail.tls_alert = 200; /* unknown */
	mr_open(&m, REPORT_TEXT);
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf, "TLS handshake with 127.0.0.1:443 "
		"failed: alert (200) sent by the server"));
	mr_close(&m);
	rec.u.fail.flags = HT_FF_TLS | HT_FF_TLS_CLOSED;
	rec.u.fail.tls_alert = 0;
	mr_open(&m, REPORT_EVENTS);
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"error\":\"TLS handshake failed: "
		"connection closed during the TLS handshake\""));
	mr_close(&m);
}
END_TEST

/* A connect cut short inside its call has no peer: the name its slot
 * showed (the thread's last lookup) is a guess, not its host. */
START_TEST(json_conn_fail_host_guess)
{
	memreport m;
	ht_record rec = { .type = HT_REC_CONN_FAIL };

	mr_open(&m, REPORT_JSON);
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 4;
	rec.u.fail.flags = HT_FF_FROM_PAGE;
	rec.u.fail.phase = HT_PH_CONNECT;
	rec.u.fail.dns_name = (ht_str){ "example.test", 12 };
	rec.u.fail.t_connect_start = 2000 * MS;
	rec.u.fail.t_fail = 2001 * MS;
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"peer\":null,\"host\":null,\"host_guess\":\"example.test\","));

	mr_close(&m);
}
END_TEST

START_TEST(json_conn_fail_and_summary)
{
	memreport m;
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_CONN_FAIL };

	mr_open(&m, REPORT_JSON);
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 3;
	rec.u.fail.err = ECONNREFUSED;
	rec.u.fail.peer.family = AF_INET;
	rec.u.fail.peer.port = 9;
	inet_pton(AF_INET, "10.0.0.1", rec.u.fail.peer.addr);
	rec.u.fail.t_connect_start = 2000 * MS;
	rec.u.fail.t_fail = 2001 * MS;
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_str_eq(m.buf,
		"{\"event\":\"connect_error\",\"pid\":7,\"conn\":3,"
		"\"peer\":\"10.0.0.1:9\",\"host\":\"10.0.0.1\","
		"\"error\":\"Connection refused\",\"errno\":111,"
		"\"dns_ms\":null,\"connect_ms\":1.000,\"tls_ms\":null,"
		"\"start\":1700000002.000000}\n");

	/* Two requests on one connection, one on another; drops counted by
	 * the latest cumulative value per process. */
	make_request(&r);
	feed_request(&m, &r);
	r.req_seq = 2;
	r.flags |= HT_RF_REUSED;
	feed_request(&m, &r);
	r.conn_id = 2;
	r.req_seq = 1;
	r.flags &= ~HT_RF_REUSED;
	r.error = HT_ERR_CLOSED;
	feed_request(&m, &r);
	/* The collector hands the sink increments (account.h): 3 then 2
	 * more for one image (1 of them a request), 1 for another. */
	rec.type = HT_REC_DROPS;
	rec.u.drops.pid = 42;
	rec.u.drops.dropped = 3;
	report_record(m.rp, &rec);
	rec.u.drops.dropped = 2;
	rec.u.drops.req_dropped = 1;
	report_record(m.rp, &rec);
	rec.u.drops.req_dropped = 0;
	rec.u.drops.pid = 43;
	rec.u.drops.dropped = 1;
	report_record(m.rp, &rec);
	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_HELLO;
	report_record(m.rp, &rec);

	ck_assert_int_eq(report_finish(m.rp, 2, 3), 0);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"summary\",\"processes\":1,\"processes_traced\":1,\"requests\":3,"
		"\"connections\":2,\"connect_errors\":1,\"reused\":1,"
		"\"errors\":1,\"dropped\":6,\"dropped_requests\":1,"
		"\"malformed\":2,\"refused\":3,\"hosts\":"
		"[{\"host\":\"localhost\",\"requests\":3,\"errors\":1,"
		"\"p50_ms\":15.250,\"p95_ms\":15.250}]}\n"));
	mr_close(&m);
}
END_TEST

/* The processes with requests count each image of a pid once, whether
 * it made requests or answered them, however its records interleave
 * with another's: a HELLO of a new image (exec) counts the pid again. */
START_TEST(summary_processes_with_requests_per_image)
{
	memreport m;
	ht_rec_request r;
	ht_record hello = { .type = HT_REC_HELLO };

	mr_open(&m, REPORT_SUMMARY);
	make_request(&r);
	hello.u.hello.pid = 7;
	report_record(m.rp, &hello);
	r.pid = 7;
	feed_request(&m, &r);
	r.flags |= HT_RF_SERVER; /* answered: only counted in a summary */
	feed_request(&m, &r);
	feed_request(&m, &r);
	ck_assert_uint_eq(m.rp->stats.req_processes, 1);
	hello.u.hello.pid = 8;
	report_record(m.rp, &hello);
	r.pid = 8;
	feed_request(&m, &r);
	r.pid = 7;
	feed_request(&m, &r);
	ck_assert_uint_eq(m.rp->stats.req_processes, 2);
	/* pid 7 runs a new image: its requests count it again, right
	 * after its last record as before another pid's */
	hello.u.hello.pid = 7;
	report_record(m.rp, &hello);
	feed_request(&m, &r);
	r.flags &= ~HT_RF_SERVER;
	feed_request(&m, &r);
	ck_assert_uint_eq(m.rp->stats.req_processes, 3);
	hello.u.hello.pid = 8;
	report_record(m.rp, &hello);
	r.pid = 7;
	feed_request(&m, &r);
	r.pid = 8;
	feed_request(&m, &r);
	ck_assert_uint_eq(m.rp->stats.req_processes, 4);
	ck_assert_uint_eq(m.rp->stats.processes, 4);
	mr_close(&m);
}
END_TEST

/* A run whose processes were all refused (another user's, or no room)
 * saw nothing: no format may read clean, each says the refusal. */
START_TEST(refused_said_in_every_format)
{
	static const struct {
		enum report_format format;
		const char *says;
	} cases[] = {
		{ REPORT_SUMMARY, "  refused by the collector: 2 processes "
				  "(another user's, or no room): what they "
				  "sent was never seen\n" },
		{ REPORT_TEXT, "  refused by the collector: 2 processes" },
		{ REPORT_JSON, "\"malformed\":0,\"refused\":2," },
		{ REPORT_EVENTS, "\"malformed\":0,\"refused\":2," },
		{ REPORT_HTML, " 2 processes refused by the collector" },
		{ REPORT_HAR, "\"comment\":\"incomplete: 2 processes refused "
			      "by the collector (never seen)\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memreport m;

		mr_open(&m, cases[i].format);
		ck_assert_int_eq(report_finish(m.rp, 0, 2), 0);
		fflush(m.f);
		ck_assert_msg(strstr(m.buf, cases[i].says) != NULL,
			      "format %d does not say the refusal: %s",
			      (int)cases[i].format, m.buf);
		mr_close(&m);
	}
	/* none refused: the JSON key is there all the same, 0 */
	memreport m;

	mr_open(&m, REPORT_JSON);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"malformed\":0,\"refused\":0,"));
	mr_close(&m);
}
END_TEST

START_TEST(events_order)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_EVENTS);
	make_request(&r);
	/* 100 Continue: 1xx and first byte before the body is written. */
	r.t[HT_T_GOT_1XX] = r.t[HT_T_WROTE_HEADERS] + 100;
	r.t[HT_T_FIRST_BYTE] = r.t[HT_T_WROTE_HEADERS] + 100;
	r.n_1xx = 1;
	feed_request(&m, &r);
	ck_assert_int_ge(event_pos(m.buf, "dns_start"), 0);
	ck_assert_int_lt(event_pos(m.buf, "dns_start"),
			 event_pos(m.buf, "dns_done"));
	ck_assert_int_lt(event_pos(m.buf, "dns_done"),
			 event_pos(m.buf, "connect_start"));
	ck_assert_int_lt(event_pos(m.buf, "connect_done"),
			 event_pos(m.buf, "got_conn"));
	ck_assert_int_lt(event_pos(m.buf, "wrote_headers"),
			 event_pos(m.buf, "got_1xx_response"));
	ck_assert_int_lt(event_pos(m.buf, "got_1xx_response"),
			 event_pos(m.buf, "got_first_response_byte"));
	ck_assert_int_lt(event_pos(m.buf, "got_first_response_byte"),
			 event_pos(m.buf, "wrote_request"));
	ck_assert_int_lt(event_pos(m.buf, "response_done"),
			 event_pos(m.buf, "put_idle_conn"));
	ck_assert_int_eq(event_pos(m.buf, "tls_handshake_start"), -1);
	/* the connection's events have "req" null, as streamed from its
	 * slot; the request's own have its number */
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"got_conn\",\"pid\":42,\"conn\":1,\"req\":1,"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"dns_start\",\"pid\":42,\"conn\":1,\"req\":null,"
		"\"ts\":1700000001.000000,\"host\":\"localhost\"}\n"));
	mr_close(&m);

	/* No put_idle_conn after an error or without keep-alive. */
	mr_open(&m, REPORT_EVENTS);
	make_request(&r);
	r.error = HT_ERR_TRUNCATED;
	feed_request(&m, &r);
	make_request(&r);
	r.flags &= ~HT_RF_KEEPALIVE;
	feed_request(&m, &r);
	ck_assert_int_ge(event_pos(m.buf, "response_done"), 0);
	ck_assert_int_eq(event_pos(m.buf, "put_idle_conn"), -1);
	mr_close(&m);
}
END_TEST

START_TEST(events_conn_records)
{
	memreport m;
	ht_record rec = { .type = HT_REC_CONN_FAIL };

	mr_open(&m, REPORT_EVENTS);
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 3;
	rec.u.fail.err = ECONNREFUSED;
	rec.u.fail.t_dns_start = 1 * MS;
	rec.u.fail.t_dns_done = 2 * MS;
	rec.u.fail.t_connect_start = 3 * MS;
	rec.u.fail.t_fail = 4 * MS;
	report_record(m.rp, &rec);
	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_CONN_CLOSE;
	rec.u.close.pid = 7;
	rec.u.close.conn_id = 1;
	rec.u.close.requests = 2;
	rec.u.close.t_close = 5 * MS;
	report_record(m.rp, &rec);
	report_flush(m.rp);
	ck_assert_int_lt(event_pos(m.buf, "dns_start"),
			 event_pos(m.buf, "dns_done"));
	ck_assert_int_lt(event_pos(m.buf, "connect_start"),
			 event_pos(m.buf, "connect_done"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"error\":\"Connection refused\",\"errno\":111}"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"conn_closed\",\"pid\":7,\"conn\":1,\"req\":null"));
	mr_close(&m);
}
END_TEST

/* How many times @needle occurs in @hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Through a CONNECT tunnel: the CONNECT (req 1) tells the connection's
 * events with req null; the tunnel's first request (req 2, not reused)
 * carries the inner connection's (connect_done when the tunnel was up,
 * the TLS handshake with the target): told with its own number, never a
 * second connect_start ... with req null.  The lookup is told once. */
START_TEST(events_tunnel_first_own_req)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_EVENTS);
	make_request(&r);
	r.method = S("CONNECT");
	r.target = S("localhost:8443");
	feed_request(&m, &r);
	make_request(&r);
	r.req_seq = 2;
	r.flags |= HT_RF_TUNNEL | HT_RF_TLS;
	r.tunnel = S("localhost:8443");
	r.t[HT_T_CONNECT_DONE] = 1020 * MS;
	r.t[HT_T_TLS_START] = 1021 * MS;
	r.t[HT_T_TLS_DONE] = 1022 * MS;
	r.t[HT_T_GOT_CONN] = r.t[HT_T_WROTE_HEADERS] = 1023 * MS;
	r.t[HT_T_WROTE_REQUEST] = r.t[HT_T_FIRST_BYTE] = 1024 * MS;
	r.t[HT_T_RESPONSE_DONE] = 1025 * MS;
	feed_request(&m, &r);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"dns_start\""), 1);
	ck_assert_int_eq(count_of(m.buf,
		"\"event\":\"connect_start\",\"pid\":42,\"conn\":1,\"req\":null,"), 1);
	ck_assert_int_eq(count_of(m.buf,
		"\"event\":\"connect_done\",\"pid\":42,\"conn\":1,\"req\":null,"), 1);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"connect_done\",\"pid\":42,\"conn\":1,\"req\":2,"
		"\"ts\":1700000001.020000,"));
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"tls_handshake_done\""), 1);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"tls_handshake_done\",\"pid\":42,\"conn\":1,\"req\":2,"));
	mr_close(&m);
}
END_TEST

/* No TLS session, for report_live_conn(). */
static const ht_live_tls no_tls;

/* A lookup slot of number @n begun at @t, for report_live_conn(). */
static ht_live_conn lookup_slot(uint32_t n, uint64_t t)
{
	ht_live_conn s;

	memset(&s, 0, sizeof(s));
	s.active = 1;
	s.kind = HT_LIVE_LOOKUP;
	s.conn_id = n;
	s.t_dns_start = t;
	snprintf(s.name, sizeof(s.name), "a.test");
	return s;
}

/* Each lookup in flight streams its own dns_start, once, even two of one
 * process in a row (issue 21: they once shared one entry, the second
 * never streamed); the connection its addresses named writes its end
 * (dns_done) without a second dns_start, and a lookup its process's end
 * cut short ends in a dns_done with the error, not a connect_done. */
START_TEST(events_lookups_each_their_own)
{
	memreport m;
	ht_live_conn s;
	ht_record rec = { .type = HT_REC_CONN_FAIL };

	mr_open(&m, REPORT_EVENTS);
	s = lookup_slot(1, 1 * MS);
	report_live_conn(m.rp, 7, 0, &s, &no_tls);
	report_live_conn(m.rp, 7, 0, &s, &no_tls); /* seen again: nothing new */
	report_live_end(m.rp);
	s = lookup_slot(2, 5 * MS);
	report_live_conn(m.rp, 7, 0, &s, &no_tls);
	report_live_end(m.rp);
	/* lookup 2 resolved; connection 3 connects to what it named */
	memset(&s, 0, sizeof(s));
	s.active = 1;
	s.conn_id = 3;
	s.t_dns_start = 5 * MS;
	s.t_dns_done = 6 * MS;
	s.t_connect_start = 7 * MS;
	snprintf(s.name, sizeof(s.name), "a.test");
	report_live_conn(m.rp, 7, 3, &s, &no_tls);
	report_live_end(m.rp);
	/* and fails */
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 3;
	rec.u.fail.err = ECONNREFUSED;
	rec.u.fail.t_dns_start = 5 * MS;
	rec.u.fail.t_dns_done = 6 * MS;
	rec.u.fail.t_connect_start = 7 * MS;
	rec.u.fail.t_fail = 8 * MS;
	rec.u.fail.dns_name = S("a.test");
	report_record(m.rp, &rec);
	/* lookup 3, cut short by the process's end */
	s = lookup_slot(3, 10 * MS);
	report_live_conn(m.rp, 7, 0, &s, &no_tls);
	report_live_end(m.rp);
	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_CONN_FAIL;
	rec.u.fail.pid = 7;
	rec.u.fail.conn_id = 3;
	rec.u.fail.flags = HT_FF_FROM_PAGE | HT_FF_LOOKUP;
	rec.u.fail.t_dns_start = 10 * MS;
	rec.u.fail.t_fail = 12 * MS;
	rec.u.fail.dns_name = S("a.test");
	rec.u.fail.error = HT_ERR_INTERRUPTED;
	rec.u.fail.signal = 2;
	rec.u.fail.phase = HT_PH_DNS;
	report_record(m.rp, &rec);
	/* a later image of pid 7 (exec) numbers its lookups from 1 again */
	s = lookup_slot(1, 20 * MS);
	report_live_conn(m.rp, 7, 0, &s, &no_tls);
	report_live_end(m.rp);
	report_flush(m.rp);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"dns_start\""), 4);
	ck_assert_int_eq(count_of(m.buf, "\"lookup\":1}"), 2);
	ck_assert_int_eq(count_of(m.buf, "\"lookup\":2}"), 1);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"dns_done\""), 2);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"connect_done\""), 1);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"dns_done\",\"pid\":7,\"conn\":3,\"req\":null"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"dns_done\",\"pid\":7,\"conn\":0,\"req\":null,"
		"\"ts\":1700000000.012000,\"host\":\"a.test\",\"lookup\":3,"
		"\"error\":\"interrupted\",\"phase\":\"dns\",\"signal\":\"SIGINT\","
		"\"dns_ms\":2.000}"));
	mr_close(&m);
}
END_TEST

/* A request streamed live: its tls_handshake_done has the session the
 * page holds, its wrote_headers headers null (the page keeps none), and
 * its record's response_done then carries them as request_headers; one
 * whose wrote_headers comes from its record has none there.  A record
 * made from the page (cut short) has null headers, not none. */
START_TEST(events_live_tls_and_headers)
{
	memreport m;
	ht_rec_request r;
	ht_live_req s;
	const ht_live_tls tls = { "TLSv1.3", "h2" };

	mr_open(&m, REPORT_EVENTS);
	make_request(&r);
	r.flags |= HT_RF_TLS;
	r.t[HT_T_TLS_START] = r.t[HT_T_CONNECT_DONE];
	r.t[HT_T_TLS_DONE] = r.t[HT_T_CONNECT_DONE] + 100;
	r.tls_version = S("TLSv1.3");
	r.alpn = S("h2");
	r.req_headers = S("User-Agent: t\r\n");
	memset(&s, 0, sizeof(s));
	s.active = 1;
	s.conn_id = r.conn_id;
	s.req_seq = r.req_seq;
	s.flags = r.flags;
	s.proto = r.proto;
	s.peer = r.peer;
	memcpy(s.t, r.t, sizeof(s.t));
	s.t[HT_T_FIRST_BYTE] = s.t[HT_T_RESPONSE_DONE] = 0;
	snprintf(s.method, sizeof(s.method), "GET");
	snprintf(s.target, sizeof(s.target), "/a");
	snprintf(s.host, sizeof(s.host), "localhost:8080");
	report_live(m.rp, r.pid, r.conn_id, &s, &tls);
	report_live_end(m.rp);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"event\":\"tls_handshake_done\""));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"version\":\"TLSv1.3\",\"alpn\":\"h2\"}\n"));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"url\":\"https://localhost:8080/a\",\"headers\":null}\n"));
	feed_request(&m, &r);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"tls_handshake_done\""), 1);
	ck_assert_int_eq(count_of(m.buf, "\"event\":\"wrote_headers\""), 1);
	ck_assert_ptr_nonnull(strstr(m.buf, ",\"request_headers\":"
		"[{\"name\":\"User-Agent\",\"value\":\"t\"}]}\n"));
	/* the next request, not seen live: its headers where they belong */
	r.req_seq = 2;
	feed_request(&m, &r);
	ck_assert_int_eq(count_of(m.buf, "\"request_headers\""), 1);
	/* cut short: made from the page, its response begun */
	r.req_seq = 3;
	r.flags |= HT_RF_FROM_PAGE;
	r.error = HT_ERR_KILLED;
	r.req_headers = r.resp_headers = S("");
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"event\":\"wrote_headers\","
		"\"pid\":42,\"conn\":1,\"req\":3,"));
	ck_assert_int_eq(count_of(m.buf, "\"url\":\"https://localhost:8080/a\","
		"\"headers\":null}\n"), 2);
	mr_close(&m);

	mr_open(&m, REPORT_JSON);
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf,
		",\"request_headers\":null,\"response_headers\":null}\n"));
	mr_close(&m);
	mr_open(&m, REPORT_JSON);
	r.t[HT_T_FIRST_BYTE] = 0; /* no response began: none, for sure */
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf,
		",\"request_headers\":null,\"response_headers\":[]}\n"));
	mr_close(&m);
}
END_TEST

/* A lookup cut short reads as one in JSON and text, and is counted apart
 * from the failed connections. */
START_TEST(lookup_cut_json_text)
{
	memreport m;
	ht_record rec = { .type = HT_REC_CONN_FAIL };
	ht_rec_conn_fail *f = &rec.u.fail;

	f->pid = 7;
	f->conn_id = 2;
	f->flags = HT_FF_FROM_PAGE | HT_FF_LOOKUP;
	f->t_dns_start = 1 * MS;
	f->t_fail = 2511 * MS;
	f->dns_name = S("stuck.example.test");
	f->error = HT_ERR_INTERRUPTED;
	f->signal = 2;
	f->phase = HT_PH_DNS;
	mr_open(&m, REPORT_JSON);
	report_record(m.rp, &rec);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"dns_error\",\"pid\":7,\"lookup\":2,"
		"\"host\":\"stuck.example.test\",\"error\":\"interrupted\","
		"\"phase\":\"dns\",\"signal\":\"SIGINT\",\"dns_ms\":2510.000,"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"connect_errors\":0,\"lookups_cut_short\":1,"));
	mr_close(&m);
	mr_open(&m, REPORT_TEXT);
	report_record(m.rp, &rec);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"dns stuck.example.test -> interrupted (SIGINT) resolving the "
		"name 2.51 s  pid 7  lookup 2\n"));
	ck_assert_ptr_null(strstr(m.buf, "failed"));
	ck_assert_ptr_nonnull(strstr(m.buf, "   lookups cut short: 1\n"));
	mr_close(&m);
}
END_TEST

START_TEST(text_waterfall)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_TEXT);
	make_request(&r);
	feed_request(&m, &r);
	r.req_seq = 2;
	r.flags |= HT_RF_REUSED | HT_RF_WAS_IDLE;
	r.t[HT_T_IDLE_SINCE] = r.t[HT_T_GOT_CONN] - 12300000;
	r.error = HT_ERR_RESET;
	r.target = S("/\x1b[2J");
	feed_request(&m, &r);
	/* C1 controls, raw or UTF-8 encoded, never reach a terminal; other
	 * UTF-8 does */
	r.req_seq = 3;
	r.target = S("/\x9b" "31m\xc2\x9b\xc3\xa9");
	feed_request(&m, &r);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf, "/\\x9b31m\\xc2\\x9b\xc3\xa9"));
	ck_assert_ptr_null(strchr(m.buf, '\x9b'));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"GET http://localhost:8080/a -> 200 OK  HTTP/1.1"));
	ck_assert_ptr_nonnull(strstr(m.buf, "new conn 1"));
	ck_assert_ptr_nonnull(strstr(m.buf, "reused conn 1, idle 12.30ms"));
	ck_assert_ptr_nonnull(strstr(m.buf, "error: connection reset"));
	ck_assert_ptr_nonnull(strstr(m.buf, "15.25ms"));
	ck_assert_ptr_nonnull(strstr(m.buf, "\\x1b[2J")); /* not raw ESC */
	ck_assert_ptr_null(strchr(m.buf, '\033'));      /* no color */
	ck_assert_ptr_nonnull(strstr(m.buf, "requests: 3"));
	mr_close(&m);
}
END_TEST

/* A traced server's request: make_request()'s, the moments read as the
 * server's (wire.h): accepted at CONNECT_DONE, no DNS. */
static void make_server_request(ht_rec_request *r)
{
	make_request(r);
	r->flags |= HT_RF_SERVER;
	r->t[HT_T_DNS_START] = r->t[HT_T_DNS_DONE] = 0;
	r->t[HT_T_CONNECT_START] = r->t[HT_T_CONNECT_DONE];
	r->peer.port = 40000; /* the client */
}

START_TEST(server_json_text_events)
{
	memreport m;
	ht_rec_request r;

	make_server_request(&r);
	mr_open(&m, REPORT_JSON);
	feed_request(&m, &r);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"{\"event\":\"request\",\"side\":\"server\",\"pid\":42,"));
	/* accepted at 3 ms, the request's first byte read at once; read
	 * 1 ms, processing 10 ms, written 1.25 ms */
	ck_assert_ptr_nonnull(strstr(m.buf,
		"\"accept_ms\":0.000,\"tls_ms\":null,\"read_ms\":1.000,"
		"\"processing_ms\":10.000,\"write_ms\":1.250,\"total_ms\":12.250,"));
	ck_assert_ptr_null(strstr(m.buf, "\"dns_ms\""));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"peer\":\"127.0.0.1:40000\""));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"requests\":0,"));
	ck_assert_ptr_nonnull(strstr(m.buf, "\"server_requests\":1,\"server_errors\":0"));
	ck_assert(json_lines_valid(m.buf, m.len));
	mr_close(&m);

	mr_open(&m, REPORT_TEXT);
	feed_request(&m, &r);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf,
		"served GET http://localhost:8080/a -> 200 OK  HTTP/1.1"));
	ck_assert_ptr_nonnull(strstr(m.buf, "from 127.0.0.1:40000"));
	ck_assert_ptr_nonnull(strstr(m.buf, "Request Read"));
	ck_assert_ptr_nonnull(strstr(m.buf, "Response Write"));
	ck_assert_ptr_null(strstr(m.buf, "DNS Lookup"));
	ck_assert_ptr_nonnull(strstr(m.buf, "served by traced servers: 1 requests"));
	mr_close(&m);

	mr_open(&m, REPORT_EVENTS);
	feed_request(&m, &r);
	ck_assert_ptr_nonnull(strstr(m.buf, "{\"event\":\"accepted\","));
	ck_assert_ptr_nonnull(strstr(m.buf, "{\"event\":\"read_request\","));
	ck_assert_ptr_nonnull(strstr(m.buf, "{\"event\":\"wrote_first_response_byte\","));
	ck_assert_ptr_null(strstr(m.buf, "\"got_conn\""));
	ck_assert_ptr_nonnull(strstr(m.buf, ",\"side\":\"server\""));
	ck_assert(json_lines_valid(m.buf, m.len));
	mr_close(&m);

	/* HAR: a client's log; the server's request is counted, not an entry */
	mr_open(&m, REPORT_HAR);
	feed_request(&m, &r);
	ck_assert_int_eq(report_finish(m.rp, 0, 0), 0);
	ck_assert_ptr_nonnull(strstr(m.buf, "\"entries\":[]"));
	ck_assert_ptr_nonnull(strstr(m.buf,
		"1 request answered by traced servers left out"));
	mr_close(&m);
}
END_TEST

START_TEST(format_names)
{
	enum report_format f;

	ck_assert_int_eq(report_format_parse("json", &f), 0);
	ck_assert_int_eq(f, REPORT_JSON);
	ck_assert_int_eq(report_format_parse("events", &f), 0);
	ck_assert_int_eq(f, REPORT_EVENTS);
	ck_assert_int_eq(report_format_parse("text", &f), 0);
	ck_assert_int_eq(f, REPORT_TEXT);
	ck_assert_int_eq(report_format_parse("har", &f), 0);
	ck_assert_int_eq(f, REPORT_HAR);
	ck_assert_int_eq(report_format_parse("html", &f), 0);
	ck_assert_int_eq(f, REPORT_HTML);
	ck_assert_int_eq(report_format_parse("HAR", &f), -EINVAL);
	ck_assert_int_eq(report_format_parse("xml", &f), -EINVAL);
}
END_TEST

/* ---- decode loop -------------------------------------------------------- */

static unsigned sink_calls;

static void count_sink(void *ctx, const ht_record *rec)
{
	(void)ctx;
	(void)rec;
	sink_calls++;
}

START_TEST(feed_garbage)
{
	collector c;
	static uint8_t buf[HT_WIRE_MAX_RECORD * 2];
	ht_record rec = { .type = HT_REC_REQUEST };
	size_t len;
	unsigned seed = 7;

	/* Through the API: the collector keeps per-pid state that
	 * collector_close() frees (LeakSanitizer checks). */
	ck_assert_int_eq(collector_init(&c, count_sink, NULL, NULL), 0);

	make_request(&rec.u.req);
	len = ht_wire_encode(buf, sizeof(buf), &rec);
	ck_assert_uint_gt(len, 0);

	/* Two records in one message. */
	memcpy(buf + len, buf, len);
	sink_calls = 0;
	ck_assert_uint_eq(collector_feed(&c, buf, 2 * len), 2);
	ck_assert_uint_eq(sink_calls, 2);
	ck_assert_uint_eq(c.malformed, 0);

	/* Every strict prefix: nothing delivered, counted once each. */
	for (size_t n = 1; n < len; n++) {
		c.malformed = 0;
		ck_assert_uint_eq(collector_feed(&c, buf, n), 0);
		ck_assert_uint_eq(c.malformed, 1);
	}

	/* A record then garbage: the record, then one malformed. */
	memset(buf + len, 0xAB, 50);
	c.malformed = 0;
	ck_assert_uint_eq(collector_feed(&c, buf, len + 50), 1);
	ck_assert_uint_eq(c.malformed, 1);

	/* Random corruption of a valid record never crashes. */
	for (int round = 0; round < 20000; round++) {
		uint8_t copy[4096];
		size_t n = len < sizeof(copy) ? len : sizeof(copy);

		memcpy(copy, buf, n);
		for (int k = 0; k < 1 + round % 8; k++)
			copy[(size_t)rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
		collector_feed(&c, copy, (size_t)rand_r(&seed) % (n + 1));
	}
	/* Pure random bytes. */
	for (int round = 0; round < 20000; round++) {
		uint8_t rnd[256];
		size_t n = (size_t)rand_r(&seed) % sizeof(rnd);

		for (size_t i = 0; i < n; i++)
			rnd[i] = (uint8_t)rand_r(&seed);
		if (n > 1 && round % 2) {
			rnd[0] = 'H';
			rnd[1] = 'T';
		}
		collector_feed(&c, rnd, n);
	}
	collector_close(&c);
}
END_TEST

/* The decoded records of a fuzzed feed go through every format. */
static void report_sink(void *ctx, const ht_record *rec)
{
	report_record(ctx, rec);
}

START_TEST(feed_garbage_into_formats)
{
	static const enum report_format formats[] = {
		REPORT_TEXT, REPORT_JSON, REPORT_EVENTS, REPORT_HAR, REPORT_HTML,
	};
	static uint8_t buf[HT_WIRE_MAX_RECORD];
	unsigned seed = 11;

	for (size_t fi = 0; fi < sizeof(formats) / sizeof(formats[0]); fi++) {
		memreport m;
		collector c;
		ht_record rec = { .type = HT_REC_REQUEST };
		size_t len;

		mr_open(&m, formats[fi]);
		ck_assert_int_eq(collector_init(&c, report_sink, NULL, m.rp), 0);
		make_request(&rec.u.req);
		len = ht_wire_encode(buf, sizeof(buf), &rec);
		for (int round = 0; round < 3000; round++) {
			uint8_t copy[1024];
			size_t n = len < sizeof(copy) ? len : sizeof(copy);

			memcpy(copy, buf, n);
			/* Corrupt the body only, so many still decode. */
			copy[HT_WIRE_HDR_LEN + (size_t)rand_r(&seed) %
			     (n - HT_WIRE_HDR_LEN)] = (uint8_t)rand_r(&seed);
			collector_feed(&c, copy, n);
		}
		ck_assert_int_eq(report_finish(m.rp, c.malformed, 0), 0);
		if (formats[fi] == REPORT_HAR) {
			ck_assert_msg(json_valid(m.buf, m.len), "invalid HAR");
		} else if (formats[fi] == REPORT_HTML) {
			/* The page's data block is one JSON document. */
			const char *a = strstr(m.buf, "id=\"ht-data\">");
			const char *b = a ? strstr(a, "</script>") : NULL;

			ck_assert(a != NULL && b != NULL);
			a += strlen("id=\"ht-data\">");
			ck_assert_msg(json_valid(a, (size_t)(b - a)),
				      "invalid html data block");
		} else if (formats[fi] != REPORT_TEXT)
			ck_assert_msg(json_lines_valid(m.buf, m.len),
				      "invalid JSON line");
		collector_close(&c);
		mr_close(&m);
	}
}
END_TEST

/* A note counts the processes that sent it, not the notes: one process
 * sends it once per connection it concerns. */
START_TEST(note_counts_processes)
{
	report *rp = malloc(sizeof(*rp));
	ht_record rec = { .type = HT_REC_NOTE };
	static const uint32_t pids[] = {7, 7, 7, 9, 7, 9};

	ck_assert_ptr_nonnull(rp);
	report_init(rp, NULL, REPORT_SUMMARY, false);
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		rec.u.note.pid = pids[i];
		rec.u.note.text.p = "not traced: x";
		rec.u.note.text.len = 13;
		report_record(rp, &rec);
	}
	rec.u.note.pid = 7;
	rec.u.note.text.p = "another";
	rec.u.note.text.len = 7;
	report_record(rp, &rec);
	ck_assert_uint_eq(rp->stats.n_notes, 2);
	ck_assert_uint_eq(rp->stats.note_procs[0], 2);
	ck_assert_uint_eq(rp->stats.note_procs[1], 1);
	report_free(rp);
	free(rp);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, timing_all_phases);
	tcase_add_test(tc, summary_processes_with_requests_per_image);
	tcase_add_test(tc, timing_reused_idle);
	tcase_add_test(tc, timing_missing_ends);
	tcase_add_test(tc, timing_100_continue);
	tcase_add_test(tc, timing_cut);
	tcase_add_test(tc, timing_cut_after_1xx);
	tcase_add_test(tc, timing_tls_start);
	tcase_add_test(tc, timing_tls_from_tcp_connected);
	tcase_add_test(tc, har_timing_gaps_in_blocked);
	tcase_add_test(tc, har_timing_odd_orders);
	tcase_add_test(tc, json_tls_failure);
	tcase_add_test(tc, url_building);
	tcase_add_test(tc, url_host_without_port);
	tcase_add_test(tc, url_truncates);
	tcase_add_test(tc, url_unix_and_tunnel);
	tcase_add_test(tc, host_and_peer);
	tcase_add_test(tc, json_escaping);
	tcase_add_test(tc, json_escaping_random);
	tcase_add_test(tc, json_numbers);
	tcase_add_test(tc, json_validator_self_test);
	tcase_add_test(tc, percentiles);
	tcase_add_test(tc, hosts_percentiles);
	tcase_add_test(tc, hosts_bounded);
	tcase_add_test(tc, conns_closed_no_request);
	tcase_add_test(tc, conns_forgotten_at_close);
	tcase_add_test(tc, json_request_line);
	tcase_add_test(tc, json_request_headers);
	tcase_add_test(tc, json_error_and_escapes);
	tcase_add_test(tc, json_conn_fail_and_summary);
	tcase_add_test(tc, json_conn_fail_host_guess);
	tcase_add_test(tc, refused_said_in_every_format);
	tcase_add_test(tc, events_order);
	tcase_add_test(tc, events_tunnel_first_own_req);
	tcase_add_test(tc, events_conn_records);
	tcase_add_test(tc, events_lookups_each_their_own);
	tcase_add_test(tc, events_live_tls_and_headers);
	tcase_add_test(tc, lookup_cut_json_text);
	tcase_add_test(tc, text_waterfall);
	tcase_add_test(tc, server_json_text_events);
	tcase_add_test(tc, format_names);
	tcase_add_test(tc, feed_garbage);
	tcase_add_test(tc, feed_garbage_into_formats);
	tcase_add_test(tc, note_counts_processes);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- HAR ------------------------------------------------------------------ */

/* Finish the HAR report of @m, check the document is valid JSON and return
 * it (owned by @m). */
static const char *har_doc(memreport *m)
{
	ck_assert_int_eq(report_finish(m->rp, 0, 0), 0);
	fflush(m->f);
	ck_assert_msg(json_valid(m->buf, m->len), "not JSON: %s", m->buf);
	return m->buf;
}

/* Whether @needle occurs in @hay, with @hay shown when it does not. */
#define ck_assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, \
		      "missing %s\nin %s", (needle), (hay))

START_TEST(har_headers_split)
{
	ht_str b = S("Host: a\r\n:path: /x?y\r\nX-Ws: \t v 1 \t\r\nnocolon\n"
		     "\r\nEmpty:\r\nCut: par");
	const char *want[][2] = {
		{ "Host", "a" }, { ":path", "/x?y" }, { "X-Ws", "v 1" },
		{ "nocolon", "" }, { "Empty", "" }, { "Cut", "par" },
	};
	size_t pos = 0, i = 0;
	ht_str n, v;

	while (headers_next(b, &pos, &n, &v)) {
		ck_assert_uint_lt(i, 6);
		ck_assert_uint_eq(n.len, strlen(want[i][0]));
		ck_assert(memcmp(n.p, want[i][0], n.len) == 0);
		ck_assert_uint_eq(v.len, strlen(want[i][1]));
		ck_assert(memcmp(v.p, want[i][1], v.len) == 0);
		i++;
	}
	ck_assert_uint_eq(i, 6);
	ck_assert_uint_eq(pos, b.len);

	ck_assert(headers_find(b, "x-ws", &v));
	ck_assert_uint_eq(v.len, 3);
	ck_assert(headers_find(b, ":PATH", &v));
	ck_assert(!headers_find(b, "Location", &v));
	pos = 0;
	ck_assert(!headers_next(S(""), &pos, &n, &v));
}
END_TEST

START_TEST(har_empty_log)
{
	memreport m;
	const char *doc;

	mr_open(&m, REPORT_HAR);
	doc = har_doc(&m);
	ck_assert_str_eq(doc,
		"{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"httptrace\","
		"\"version\":\"" HTTPTRACE_VERSION "\"},\"entries\":[]}}\n");
	mr_close(&m);
}
END_TEST

START_TEST(har_full_entry)
{
	memreport m;
	ht_rec_request r;
	const char *doc;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	r.t[HT_T_DNS_START] += 123 * 1000; /* 1000.123 ms: .000Z truncated */
	r.req_headers = S("Host: localhost:8080\r\nAuthorization: [redacted]\r\n"
			  "Cookie: [redacted]\r\n");
	r.resp_headers = S("Content-Type: text/plain\r\nContent-Length: 5\r\n");
	feed_request(&m, &r);
	/* Nothing is written before the end. */
	ck_assert_uint_eq(m.len, 0);
	doc = har_doc(&m);
	ck_assert_str_eq(doc,
		"{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"httptrace\","
		"\"version\":\"" HTTPTRACE_VERSION "\"},\"entries\":[\n"
		"{\"startedDateTime\":\"2023-11-14T22:13:21.000Z\","
		"\"time\":15.127,"
		"\"request\":{\"method\":\"GET\","
		"\"url\":\"http://localhost:8080/a\",\"httpVersion\":\"HTTP/1.1\","
		"\"cookies\":[],\"headers\":["
		"{\"name\":\"Host\",\"value\":\"localhost:8080\"},"
		"{\"name\":\"Authorization\",\"value\":\"[redacted]\"},"
		"{\"name\":\"Cookie\",\"value\":\"[redacted]\"}],"
		"\"queryString\":[],\"headersSize\":60,\"bodySize\":0},"
		"\"response\":{\"status\":200,\"statusText\":\"OK\","
		"\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":["
		"{\"name\":\"Content-Type\",\"value\":\"text/plain\"},"
		"{\"name\":\"Content-Length\",\"value\":\"5\"}],"
		"\"content\":{\"size\":5,\"mimeType\":\"text/plain\"},"
		"\"redirectURL\":\"\",\"headersSize\":100,\"bodySize\":5},"
		"\"cache\":{},\"timings\":{\"blocked\":0.000,\"dns\":0.877,"
		"\"connect\":2.000,\"ssl\":-1,\"send\":1.000,\"wait\":10.000,"
		"\"receive\":1.250},\"serverIPAddress\":\"127.0.0.1\","
		"\"connection\":\"42:1\"}\n"
		"]}}\n");
	mr_close(&m);
}
END_TEST

/* The entry's time is the request's duration, as json's total_ms, and the
 * sum of its timings: the client's moments between connect and its first
 * write are blocked (it was the sum of the phases alone). */
START_TEST(har_time_is_duration)
{
	memreport m;
	ht_rec_request r;
	const char *doc;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	for (unsigned i = HT_T_GOT_CONN; i <= HT_T_RESPONSE_DONE; i++)
		if (r.t[i] != 0)
			r.t[i] += 42 * 1000;
	feed_request(&m, &r);
	doc = har_doc(&m);
	ck_assert_has(doc, "\"time\":15.292,");
	ck_assert_has(doc, "\"timings\":{\"blocked\":0.042,\"dns\":1.000,"
		      "\"connect\":2.000,\"ssl\":-1,\"send\":1.000,"
		      "\"wait\":10.000,\"receive\":1.250}");
	mr_close(&m);
}
END_TEST

START_TEST(har_date_millis)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_HAR);
	m.rp->mono_to_unix = 1796288747LL * 1000000000LL; /* 2026-12-03 */
	make_request(&r);
	r.t[HT_T_DNS_START] = 123456789; /* +0.123456789 s */
	feed_request(&m, &r);
	ck_assert_has(har_doc(&m),
		      "{\"startedDateTime\":\"2026-12-03T09:05:47.123Z\",");
	mr_close(&m);
}
END_TEST

START_TEST(har_tls_connect_includes_ssl)
{
	memreport m;
	ht_rec_request r;
	const char *doc;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	r.flags |= HT_RF_TLS;
	r.proto = HT_PROTO_HTTP2;
	r.reason = S("");
	r.peer.port = 443;
	r.host = S("");
	/* TCP 1001..1003 ms, TLS until 1009: ssl 6 ms (from TCP up). */
	r.t[HT_T_TLS_START] = 1005 * MS;
	r.t[HT_T_TLS_DONE] = 1009 * MS;
	r.t[HT_T_GOT_CONN] = 1009 * MS;
	r.t[HT_T_WROTE_HEADERS] = 1009 * MS + 500;
	r.t[HT_T_WROTE_REQUEST] = 1010 * MS;
	r.t[HT_T_FIRST_BYTE] = 1020 * MS;
	r.t[HT_T_RESPONSE_DONE] = 1021 * MS + 250000;
	feed_request(&m, &r);
	doc = har_doc(&m);
	/* connect 2 + ssl 6; time = dns 1 + connect 8 + send 1 + wait 10 +
	 * receive 1.25 */
	ck_assert_has(doc, "\"timings\":{\"blocked\":0.000,\"dns\":1.000,"
		      "\"connect\":8.000,\"ssl\":6.000,\"send\":1.000,"
		      "\"wait\":10.000,\"receive\":1.250}");
	ck_assert_has(doc, "\"time\":21.250,");
	ck_assert_has(doc, "\"url\":\"https://localhost/a\","
		      "\"httpVersion\":\"http/2.0\"");
	ck_assert_has(doc, "\"status\":200,\"statusText\":\"\","
		      "\"httpVersion\":\"http/2.0\"");
	mr_close(&m);

	/* TLS without a traced TCP connect: connect is the ssl time. */
	mr_open(&m, REPORT_HAR);
	r.t[HT_T_DNS_START] = r.t[HT_T_DNS_DONE] = 0;
	r.t[HT_T_CONNECT_START] = r.t[HT_T_CONNECT_DONE] = 0;
	feed_request(&m, &r);
	doc = har_doc(&m);
	ck_assert_has(doc, "\"dns\":-1,\"connect\":4.000,\"ssl\":4.000,");
	ck_assert_has(doc, "\"time\":16.250,");
	mr_close(&m);
}
END_TEST

START_TEST(har_reuse_sorted)
{
	memreport m;
	ht_rec_request r1, r2, r3;
	const char *doc, *a, *b, *c;

	mr_open(&m, REPORT_HAR);
	make_request(&r1);
	r1.target = S("/first");
	/* Second request on the same connection, 20 ms later. */
	make_request(&r2);
	r2.target = S("/second");
	r2.req_seq = 2;
	r2.flags |= HT_RF_REUSED | HT_RF_WAS_IDLE;
	memset(r2.t, 0, sizeof(r2.t));
	r2.t[HT_T_IDLE_SINCE] = 1016 * MS;
	r2.t[HT_T_GOT_CONN] = 1020 * MS;
	r2.t[HT_T_WROTE_HEADERS] = 1020 * MS;
	r2.t[HT_T_WROTE_REQUEST] = 1021 * MS;
	r2.t[HT_T_FIRST_BYTE] = 1023 * MS;
	r2.t[HT_T_RESPONSE_DONE] = 1024 * MS;
	/* Another connection, which started between them. */
	make_request(&r3);
	r3.target = S("/other");
	r3.conn_id = 2;
	for (int i = 0; i < HT_T__COUNT; i++)
		if (r3.t[i])
			r3.t[i] += 10 * MS;
	/* Records arrive in completion order, not start order. */
	feed_request(&m, &r2);
	feed_request(&m, &r3);
	feed_request(&m, &r1);
	doc = har_doc(&m);
	a = strstr(doc, "\"url\":\"http://localhost:8080/first\"");
	b = strstr(doc, "\"url\":\"http://localhost:8080/other\"");
	c = strstr(doc, "\"url\":\"http://localhost:8080/second\"");
	ck_assert(a != NULL && b != NULL && c != NULL);
	ck_assert(a < b);
	ck_assert(b < c);
	ck_assert_has(doc, "\"startedDateTime\":\"2023-11-14T22:13:21.010Z\"");
	ck_assert_has(doc, "\"startedDateTime\":\"2023-11-14T22:13:21.020Z\"");
	/* The reused request: no dns/connect/ssl; time = 1 + 2 + 1. */
	ck_assert_has(doc, "\"time\":4.000,\"request\":{\"method\":\"GET\","
		      "\"url\":\"http://localhost:8080/second\"");
	ck_assert_has(doc, "\"timings\":{\"blocked\":-1,\"dns\":-1,"
		      "\"connect\":-1,\"ssl\":-1,\"send\":1.000,"
		      "\"wait\":2.000,\"receive\":1.000},"
		      "\"serverIPAddress\":\"127.0.0.1\",\"connection\":\"42:1\"}");
	ck_assert_has(doc, "\"connection\":\"42:2\"");
	mr_close(&m);
}
END_TEST

START_TEST(har_query_string)
{
	memreport m;
	ht_rec_request r;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	r.target = S("/s?q=a%20b&x=&flag&&y=1=2&%C3%A9=+#frag&z=9");
	feed_request(&m, &r);
	ck_assert_has(har_doc(&m),
		"\"queryString\":[{\"name\":\"q\",\"value\":\"a%20b\"},"
		"{\"name\":\"x\",\"value\":\"\"},"
		"{\"name\":\"flag\",\"value\":\"\"},"
		"{\"name\":\"y\",\"value\":\"1=2\"},"
		"{\"name\":\"%C3%A9\",\"value\":\"+\"}],");
	mr_close(&m);

	/* No query; an empty one; proxy form. */
	mr_open(&m, REPORT_HAR);
	r.target = S("/?");
	feed_request(&m, &r);
	r.target = S("http://example.com/p?k=v");
	feed_request(&m, &r);
	ck_assert_has(har_doc(&m), "\"url\":\"http://localhost:8080/?\","
		      "\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],"
		      "\"headers\":[],\"queryString\":[],");
	ck_assert_has(m.buf, "\"url\":\"http://example.com/p?k=v\","
		      "\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],"
		      "\"headers\":[],\"queryString\":[{\"name\":\"k\","
		      "\"value\":\"v\"}],");
	mr_close(&m);
}
END_TEST

START_TEST(har_redirect_and_sizes)
{
	memreport m;
	ht_rec_request r;
	const char *doc;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	r.status = 302;
	r.reason = S("Found");
	r.content_type = S("");
	r.resp_body_bytes = 0;
	r.req_body_bytes = 11;
	r.method = S("POST");
	r.req_header_bytes = 0;
	r.resp_header_bytes = 0;
	r.resp_headers = S("location: https://example.com/next?a=1\r\n");
	feed_request(&m, &r);
	doc = har_doc(&m);
	ck_assert_has(doc, "\"queryString\":[],\"headersSize\":-1,"
		      "\"bodySize\":11}");
	ck_assert_has(doc, "\"content\":{\"size\":0,\"mimeType\":\"x-unknown\"},"
		      "\"redirectURL\":\"https://example.com/next?a=1\","
		      "\"headersSize\":-1,\"bodySize\":0}");
	ck_assert_has(doc, "\"status\":302,\"statusText\":\"Found\"");
	mr_close(&m);
}
END_TEST

START_TEST(har_error_entries)
{
	memreport m;
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_CONN_FAIL };
	const char *doc;

	mr_open(&m, REPORT_HAR);
	/* Sent, then the connection was reset before any response. */
	make_request(&r);
	r.status = 0;
	r.reason = S("");
	r.error = HT_ERR_RESET;
	r.resp_body_bytes = 0;
	r.resp_header_bytes = 0;
	r.t[HT_T_FIRST_BYTE] = 0;
	r.t[HT_T_RESPONSE_DONE] = 1030 * MS;
	feed_request(&m, &r);
	/* A body cut short: a response, with an error. */
	make_request(&r);
	r.conn_id = 2;
	r.error = HT_ERR_TRUNCATED;
	feed_request(&m, &r);
	/* A connect that failed: not an entry. */
	rec.u.fail.pid = 42;
	rec.u.fail.conn_id = 3;
	rec.u.fail.err = ECONNREFUSED;
	rec.u.fail.peer.family = AF_INET;
	rec.u.fail.peer.port = 9;
	inet_pton(AF_INET, "10.0.0.1", rec.u.fail.peer.addr);
	rec.u.fail.t_connect_start = 2000 * MS;
	rec.u.fail.t_fail = 2001 * MS;
	report_record(m.rp, &rec);
	doc = har_doc(&m);

	ck_assert_has(doc, "\"response\":{\"status\":0,\"statusText\":\"\","
		      "\"httpVersion\":\"\",\"cookies\":[],\"headers\":[],"
		      "\"content\":{\"size\":0,\"mimeType\":\"text/plain\"},"
		      "\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1}");
	/* no response byte came: the wait ran to the reset, receive 0 (HAR
	 * allows no -1 there); time is the whole 30 ms, as json's total_ms */
	ck_assert_has(doc, "\"time\":30.000,");
	ck_assert_has(doc, "\"send\":1.000,\"wait\":26.000,\"receive\":0.000},"
		      "\"serverIPAddress\":\"127.0.0.1\",\"connection\":\"42:1\","
		      "\"_error\":\"connection reset\"}");
	ck_assert_has(doc, "\"connection\":\"42:2\","
		      "\"_error\":\"response body cut short\"}");
	ck_assert_has(doc, "\"status\":200,\"statusText\":\"OK\"");
	/* The failed connect is in the custom log member, not an entry. */
	ck_assert_has(doc, "],\"_connectErrors\":[\n"
		      "{\"startedDateTime\":\"2023-11-14T22:13:22.000Z\","
		      "\"host\":null,\"serverIPAddress\":\"10.0.0.1\",\"port\":9,"
		      "\"connection\":\"42:3\",\"error\":\"Connection refused\","
		      "\"timings\":{\"dns\":-1,\"connect\":1.000,\"ssl\":-1}}\n"
		      "]}}\n");
	ck_assert_ptr_null(strstr(doc, "42:3\"}"));
	mr_close(&m);
}
END_TEST

START_TEST(har_escapes_and_incomplete)
{
	memreport m;
	ht_rec_request r;
	ht_record rec = { .type = HT_REC_DROPS };
	const char *doc;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	r.target = S("/\"\\\x01\xff?k\x02=\"v");
	r.req_headers = S("X-Bin: \x80\x1b[2J\"\r\n");
	r.flags |= HT_RF_HDR_TRUNC;
	r.method = S("");
	r.proto = HT_PROTO_UNKNOWN;
	feed_request(&m, &r);
	rec.u.drops.pid = 42;
	rec.u.drops.dropped = 3;
	rec.u.drops.req_dropped = 1;
	report_record(m.rp, &rec);
	ck_assert_int_eq(report_finish(m.rp, 2, 1), 0);
	fflush(m.f);
	doc = m.buf;
	ck_assert_msg(json_valid(doc, m.len), "not JSON: %s", doc);
	ck_assert_has(doc, "\"comment\":\"incomplete: 1 request and 2 other "
		      "records dropped by traced processes; 2 malformed "
		      "records; 1 process refused by the collector (never "
		      "seen)\",\"entries\"");
	ck_assert_has(doc, "{\"name\":\"X-Bin\",\"value\":"
		      "\"\\u0080\\u001b[2J\\\"\"}");
	ck_assert_has(doc, "\"method\":\"\",");
	ck_assert_has(doc, "\"httpVersion\":\"\",");
	ck_assert_has(doc, "\"comment\":\"headers truncated\"");
	mr_close(&m);
}
END_TEST

START_TEST(har_many_entries)
{
	memreport m;
	ht_rec_request r;
	const char *doc, *p;
	size_t n = 0;

	mr_open(&m, REPORT_HAR);
	make_request(&r);
	/* More than the first allocation; each 1 ms earlier than the last. */
	for (int i = 0; i < 500; i++) {
		r.req_seq = (uint32_t)i + 1;
		for (int k = 0; k < HT_T__COUNT; k++)
			if (r.t[k])
				r.t[k] -= 1 * MS;
		feed_request(&m, &r);
	}
	doc = har_doc(&m);
	for (p = strstr(doc, "\"startedDateTime\""); p != NULL;
	     p = strstr(p + 1, "\"startedDateTime\""))
		n++;
	ck_assert_uint_eq(n, 500);
	/* Sorted: the last fed (earliest) comes first. */
	ck_assert_has(doc, "[\n{\"startedDateTime\":\"2023-11-14T22:13:20.500Z\"");
	mr_close(&m);
}
END_TEST

Suite *har_suite(void)
{
	Suite *s = suite_create("har");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, har_headers_split);
	tcase_add_test(tc, har_empty_log);
	tcase_add_test(tc, har_full_entry);
	tcase_add_test(tc, har_time_is_duration);
	tcase_add_test(tc, har_date_millis);
	tcase_add_test(tc, har_tls_connect_includes_ssl);
	tcase_add_test(tc, har_reuse_sorted);
	tcase_add_test(tc, har_query_string);
	tcase_add_test(tc, har_redirect_and_sizes);
	tcase_add_test(tc, har_error_entries);
	tcase_add_test(tc, har_escapes_and_incomplete);
	tcase_add_test(tc, har_many_entries);
	suite_add_tcase(s, tc);
	return s;
}
