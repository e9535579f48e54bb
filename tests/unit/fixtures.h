/* fixtures.h - records shared by the unit suites that format requests
 * (check_report.c, check_html.c, check_otlp.c, check_metrics.c,
 * check_wire.c), and the assertions on the text they write. */
#ifndef HT_TEST_FIXTURES_H
#define HT_TEST_FIXTURES_H
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"

/* HAS() / HASNT() - assert that the string @s holds @sub, or does not. */
#define HAS(s, sub) ck_assert_msg(strstr((s), (sub)) != NULL, "no %s in %s", (sub), (s))
#define HASNT(s, sub) ck_assert_msg(strstr((s), (sub)) == NULL, "%s in %s", (sub), (s))

#define MS 1000000ULL /* ns */

/* S() - @s (NUL-terminated, shorter than 64 KiB) as an ht_str, not copied. */
static inline ht_str S(const char *s)
{
	ht_str r = { s, (uint16_t)strlen(s) };

	return r;
}

/*
 * make_request() - a plain first request on a new keep-alive connection,
 * every phase present: pid 42, conn 1, req 1, GET http://localhost:8080/a
 * from 127.0.0.1:8080, 200 OK text/plain, 5 body bytes; dns 1 ms, connect
 * 2 ms, send 1 ms, wait 10 ms, receive 1.25 ms: 15.25 ms from t0 = 1 s.
 */
static inline void make_request(ht_rec_request *r)
{
	const uint64_t t0 = 1000 * MS;

	memset(r, 0, sizeof(*r));
	r->pid = 42;
	r->conn_id = 1;
	r->req_seq = 1;
	r->status = 200;
	r->proto = HT_PROTO_HTTP11;
	r->flags = HT_RF_KEEPALIVE;
	r->peer.family = AF_INET;
	r->peer.port = 8080;
	inet_pton(AF_INET, "127.0.0.1", r->peer.addr);
	r->t[HT_T_DNS_START] = t0;
	r->t[HT_T_DNS_DONE] = t0 + 1 * MS;
	r->t[HT_T_CONNECT_START] = t0 + 1 * MS;
	r->t[HT_T_CONNECT_DONE] = t0 + 3 * MS;
	r->t[HT_T_GOT_CONN] = t0 + 3 * MS;
	r->t[HT_T_WROTE_HEADERS] = t0 + 3 * MS + 500;
	r->t[HT_T_WROTE_REQUEST] = t0 + 4 * MS;
	r->t[HT_T_FIRST_BYTE] = t0 + 14 * MS;
	r->t[HT_T_RESPONSE_DONE] = t0 + 15 * MS + 250000;
	r->method = S("GET");
	r->target = S("/a");
	r->host = S("localhost:8080");
	r->dns_name = S("localhost");
	r->reason = S("OK");
	r->content_type = S("text/plain");
	r->resp_body_bytes = 5;
	r->req_header_bytes = 60;
	r->resp_header_bytes = 100;
}

/* ua_request() - make_request() with its request headers: a User-Agent
 * for the exporters to report. */
static inline void ua_request(ht_rec_request *r)
{
	make_request(r);
	r->req_headers = S("Host: localhost:8080\r\nUser-Agent: ua/1\r\n");
}

#endif
