/*
 * gen_corpus.c - writes the seed corpora of the fuzz targets into
 * tests/fuzz/corpus/<target>/: small realistic inputs in each target's
 * input format (see the head comment of each fuzz_<target>.c).  Header
 * blocks are compressed by libnghttp2's own HPACK encoder (Huffman codes,
 * dynamic table references) and wire records by ht_wire_encode(), so the
 * seeds are what real peers produce.
 *
 *   make fuzz-corpus      rebuild and run it (from the top directory)
 *
 * The output is committed; regenerate it only when an input format changes.
 */
#include <nghttp2/nghttp2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "wire.h"

#define OUT_MAX 65536

/* A byte buffer being assembled. */
typedef struct buf {
	uint8_t b[OUT_MAX];
	size_t len;
} buf;

static void die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

static void put(buf *o, const void *p, size_t n)
{
	if (n > sizeof(o->b) - o->len)
		die("seed too large");
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void puts_(buf *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u8(buf *o, uint8_t v)
{
	put(o, &v, 1);
}

static void write_seed(const char *target, const char *name, const buf *o)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "tests/fuzz/corpus/%s/%s", target, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(o->b, 1, o->len, f) != o->len || fclose(f) != 0)
		die(path);
}

/* ---- http1: options, split (u16 LE), bytes ------------------------------- */

static void h1_seed(const char *name, uint8_t opts, uint16_t split,
		    const char *text)
{
	static buf o;

	o.len = 0;
	put_u8(&o, opts);
	put_u8(&o, (uint8_t)split);
	put_u8(&o, (uint8_t)(split >> 8));
	puts_(&o, text);
	write_seed("http1", name, &o);
}

static void gen_http1(void)
{
	h1_seed("get", 3, 20,
		"GET /index.html?q=1 HTTP/1.1\r\nHost: example.test:8080\r\n"
		"User-Agent: curl/7.88.1\r\nAccept: */*\r\n"
		"Authorization: Bearer secret\r\nCookie: a=b\r\n\r\n");
	h1_seed("post_cl", 1, 40,
		"POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: "
		"application/json\r\nContent-Length: 13\r\n"
		"Expect: 100-continue\r\n\r\n{\"key\":\"val\"}");
	h1_seed("post_chunked", 3, 70,
		"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, "
		"chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n");
	h1_seed("pipelined", 0, 30,
		"GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h"
		"\r\nConnection: close\r\n\r\n\r\nGET /c HTTP/1.0\n\n");
	h1_seed("connect", 1, 8,
		"CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443"
		"\r\nProxy-Authorization: Basic eA==\r\n\r\n");
	h1_seed("upgrade", 3, 50,
		"GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, "
		"keep-alive\r\nUpgrade: websocket\r\n\r\n");
	h1_seed("fold", 3, 33,
		"GET / HTTP/1.1\r\nHost: h\r\nX-Long: one\r\n  two\r\n\tthree"
		"\r\nContent-Length: 2, 2\r\n\r\nok");
	h1_seed("resp_200", 3, 17,
		"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
		"Content-Length: 5\r\nSet-Cookie: id=1\r\n\r\nhello");
	h1_seed("resp_chunked", 1, 60,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
		"0\r\n\r\n");
	h1_seed("resp_100_then_200", 3, 25,
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
		"Link: </s.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length:"
		" 0\r\n\r\n");
	h1_seed("resp_101", 1, 40,
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\n\r\n\x81\x05hello");
	h1_seed("resp_close_delimited", 0, 12,
		"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close");
	h1_seed("resp_204_304", 4 | 1, 30,
		"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n"
		"ETag: \"x\"\r\nContent-Length: 99\r\n\r\n");
	h1_seed("resp_head_ctx", 4 | 8 | 1, 30,
		"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
		"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop");
	h1_seed("resp_connect_ctx", 16 | 32, 10,
		"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01");
	/* the same header lines again (the memo takes them), once split */
	h1_seed("memo_requests", 64 | 3, 75,
		"GET /a?n=1 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: c/1\r\n"
		"Accept: */*\r\nReferer: http://u:p@h/?token=t\r\n\r\n"
		"GET /a?n=2 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: c/1\r\n"
		"Accept: */*\r\nReferer: http://u:p@h/?token=t\r\n\r\n"
		"POST /b HTTP/1.0\r\nHost: h:8080\r\nUser-Agent: c/1\r\n"
		"Accept: */*\r\nReferer: http://u:p@h/?token=t\r\n\r\n");
	h1_seed("memo_responses", 4 | 1, 200,
		"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\n"
		"Connection: keep-alive\r\n\r\nabc"
		"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\n"
		"Connection: keep-alive\r\n\r\n"
		"HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Length: 3"
		"\r\nConnection: keep-alive\r\n\r\nabc"
		"HTTP/1.1 100 Continue\r\nServer: nginx\r\nContent-Length: 3"
		"\r\nConnection: keep-alive\r\n\r\n"
		"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\n"
		"Connection: keep-alive\r\n\r\nabc");
	h1_seed("resp_cl_and_te", 3, 5,
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: "
		"chunked\r\nConnection: keep-alive\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
}

/* ---- HTTP/2 frames -------------------------------------------------------- */

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void frame(buf *o, uint8_t type, uint8_t flags, uint32_t stream,
		  const void *payload, size_t len)
{
	uint8_t h[9] = {
		(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
		type, flags,
		(uint8_t)(stream >> 24), (uint8_t)(stream >> 16),
		(uint8_t)(stream >> 8), (uint8_t)stream,
	};

	put(o, h, sizeof(h));
	if (len)
		put(o, payload, len);
}

/* Encode NULL-terminated name, value pairs with @d into @out. */
static size_t hpack(nghttp2_hd_deflater *d, uint8_t *out, size_t cap, ...)
{
	nghttp2_nv nv[32];
	size_t n = 0;
	va_list ap;
	const char *name;
	ssize_t rv;

	va_start(ap, cap);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		if (n == 32)
			die("too many fields");
		nv[n].name = (uint8_t *)(uintptr_t)name;
		nv[n].value = (uint8_t *)(uintptr_t)value;
		nv[n].namelen = strlen(name);
		nv[n].valuelen = strlen(value);
		nv[n].flags = NGHTTP2_NV_FLAG_NONE;
		n++;
	}
	va_end(ap);
	rv = nghttp2_hd_deflate_hd(d, out, cap, nv, n);
	if (rv < 0)
		die("deflate");
	return (size_t)rv;
}

static nghttp2_hd_deflater *deflater(void)
{
	nghttp2_hd_deflater *d = NULL;

	if (nghttp2_hd_deflate_new(&d, 4096) != 0)
		die("deflate_new");
	return d;
}

#define SETTINGS_TABLE(v)                                                   \
	{0, 1, (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), \
	 (uint8_t)(v)}

/* The client side of a connection: preface, SETTINGS, two GETs (the second
 * using the dynamic table), a POST with a body, a cancelled stream. */
static void client_stream(buf *o, bool with_preface)
{
	nghttp2_hd_deflater *d = deflater();
	uint8_t blk[1024];
	size_t n;
	static const uint8_t settings[] = {
		0, 1, 0, 0, 0x10, 0,   /* HEADER_TABLE_SIZE 4096 */
		0, 3, 0, 0, 0, 100,    /* MAX_CONCURRENT_STREAMS */
		0, 4, 0, 0, 0xff, 0xff /* INITIAL_WINDOW_SIZE */
	};
	static const uint8_t wu[] = {0, 0x3f, 0, 1};
	static const uint8_t ping[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t rst[4] = {0, 0, 0, 8};

	if (with_preface)
		puts_(o, preface);
	frame(o, 0x4, 0, 0, settings, sizeof(settings));
	frame(o, 0x8, 0, 0, wu, sizeof(wu));
	n = hpack(d, blk, sizeof(blk), ":method", "GET", ":scheme", "https",
		  ":authority", "example.test", ":path", "/a?x=1",
		  "user-agent", "curl/7.88.1", "accept", "*/*",
		  "authorization", "Bearer secret", NULL);
	frame(o, 0x1, 0x5, 1, blk, n); /* END_STREAM | END_HEADERS */
	frame(o, 0x4, 0x1, 0, NULL, 0); /* SETTINGS ACK */
	n = hpack(d, blk, sizeof(blk), ":method", "GET", ":scheme", "https",
		  ":authority", "example.test", ":path", "/b",
		  "user-agent", "curl/7.88.1", "cookie", "a=b", NULL);
	/* Split over HEADERS + CONTINUATION. */
	frame(o, 0x1, 0x1, 3, blk, n / 2);
	frame(o, 0x9, 0x4, 3, blk + n / 2, n - n / 2);
	n = hpack(d, blk, sizeof(blk), ":method", "POST", ":scheme", "https",
		  ":authority", "example.test", ":path", "/submit",
		  "content-type", "application/json", "content-length", "13",
		  NULL);
	frame(o, 0x1, 0x4, 5, blk, n);
	frame(o, 0x0, 0x0, 5, "{\"key\":", 7);
	frame(o, 0x0, 0x1, 5, "\"val\"}", 6);
	frame(o, 0x6, 0, 0, ping, sizeof(ping));
	n = hpack(d, blk, sizeof(blk), ":method", "GET", ":scheme", "https",
		  ":authority", "example.test", ":path", "/slow", NULL);
	frame(o, 0x1, 0x5, 7, blk, n);
	frame(o, 0x3, 0, 7, rst, sizeof(rst));
	nghttp2_hd_deflate_del(d);
}

/* The server side: SETTINGS, responses with 1xx, padding, priority,
 * a push promise, trailers, a reset and GOAWAY. */
static void server_stream(buf *o)
{
	nghttp2_hd_deflater *d = deflater();
	uint8_t blk[1024], pl[1200];
	size_t n;
	static const uint8_t settings[] = SETTINGS_TABLE(8192);
	static const uint8_t goaway[] = {0, 0, 0, 5, 0, 0, 0, 0, 'b', 'y', 'e'};
	static const uint8_t rst[4] = {0, 0, 0, 2};

	frame(o, 0x4, 0, 0, settings, sizeof(settings));
	frame(o, 0x4, 0x1, 0, NULL, 0);
	n = hpack(d, blk, sizeof(blk), ":status", "103", "link",
		  "</style.css>; rel=preload", NULL);
	frame(o, 0x1, 0x4, 1, blk, n);
	n = hpack(d, blk, sizeof(blk), ":status", "200", "content-type",
		  "text/html", "content-length", "5", "set-cookie", "id=1",
		  "server", "nginx", NULL);
	frame(o, 0x1, 0x4, 1, blk, n);
	/* PADDED DATA: pad length 3. */
	pl[0] = 3;
	memcpy(pl + 1, "hello\0\0\0", 8);
	frame(o, 0x0, 0x9, 1, pl, 9);
	/* PUSH_PROMISE of stream 2 on stream 3. */
	n = hpack(d, blk, sizeof(blk), ":method", "GET", ":scheme", "https",
		  ":authority", "example.test", ":path", "/pushed.css", NULL);
	pl[0] = 0, pl[1] = 0, pl[2] = 0, pl[3] = 2;
	memcpy(pl + 4, blk, n);
	frame(o, 0x5, 0x4, 3, pl, n + 4);
	/* HEADERS with PRIORITY and PADDED. */
	n = hpack(d, blk, sizeof(blk), ":status", "404", "content-type",
		  "text/plain", NULL);
	pl[0] = 2;                                  /* pad length */
	pl[1] = 0, pl[2] = 0, pl[3] = 0, pl[4] = 1; /* depends on 1 */
	pl[5] = 15;                                 /* weight */
	memcpy(pl + 6, blk, n);
	pl[6 + n] = 0, pl[7 + n] = 0;
	frame(o, 0x1, 0x4 | 0x8 | 0x20, 3, pl, n + 8);
	frame(o, 0x0, 0x0, 3, "not found", 9);
	n = hpack(d, blk, sizeof(blk), "grpc-status", "0", NULL); /* trailers */
	frame(o, 0x1, 0x5, 3, blk, n);
	n = hpack(d, blk, sizeof(blk), ":status", "200", NULL);
	frame(o, 0x1, 0x4, 5, blk, n);
	frame(o, 0x3, 0, 5, rst, sizeof(rst));
	frame(o, 0x7, 0, 0, goaway, sizeof(goaway));
	nghttp2_hd_deflate_del(d);
}

static void h2_seed(const char *name, uint8_t opts, uint16_t split,
		    const buf *body)
{
	static buf o;

	o.len = 0;
	put_u8(&o, opts);
	put_u8(&o, (uint8_t)split);
	put_u8(&o, (uint8_t)(split >> 8));
	put(&o, body->b, body->len);
	write_seed("http2", name, &o);
}

static void gen_http2(void)
{
	static buf b;

	b.len = 0;
	client_stream(&b, true);
	h2_seed("client_with_preface", 3, 30, &b);
	b.len = 0;
	client_stream(&b, false);
	h2_seed("client_preface_added", 4 | 3, 100, &b);
	b.len = 0;
	server_stream(&b);
	h2_seed("server", 3, 50, &b);
	h2_seed("server_nocapture", 4, 9, &b);
	/* A client that is not HTTP/2 after all. */
	b.len = 0;
	puts_(&b, "PRI * HTTP/1.1\r\n\r\n");
	h2_seed("not_h2", 1, 3, &b);
}

/* ---- wire records ---------------------------------------------------------- */

static ht_str S(const char *s)
{
	ht_str r = {s, (uint16_t)strlen(s)};

	return r;
}

static void put_record(buf *o, const ht_record *rec)
{
	uint8_t tmp[HT_WIRE_MAX_RECORD];
	size_t n = ht_wire_encode(tmp, sizeof(tmp), rec);

	if (n == 0)
		die("encode");
	put(o, tmp, n);
}

static ht_record request(uint32_t conn, uint32_t seq)
{
	ht_record rec;
	ht_rec_request *r = &rec.u.req;
	uint64_t t0 = 1000000000000ull;

	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_REQUEST;
	r->pid = 4242;
	r->conn_id = conn;
	r->req_seq = seq;
	r->flags = seq > 1 ? HT_RF_REUSED | HT_RF_WAS_IDLE | HT_RF_KEEPALIVE
			   : HT_RF_KEEPALIVE;
	r->status = 200;
	r->proto = HT_PROTO_HTTP11;
	r->peer.family = 2;
	r->peer.port = 8080;
	memcpy(r->peer.addr, "\x7f\0\0\1", 4);
	r->resp_body_bytes = 5;
	r->req_header_bytes = 78;
	r->resp_header_bytes = 64;
	if (seq == 1) {
		r->t[HT_T_DNS_START] = t0;
		r->t[HT_T_DNS_DONE] = t0 + 100000;
		r->t[HT_T_CONNECT_START] = t0 + 110000;
		r->t[HT_T_CONNECT_DONE] = t0 + 210000;
	} else {
		r->t[HT_T_IDLE_SINCE] = t0 + 500000;
	}
	t0 += seq * 1000000;
	r->t[HT_T_GOT_CONN] = t0 + 300000;
	r->t[HT_T_WROTE_HEADERS] = t0 + 310000;
	r->t[HT_T_WROTE_REQUEST] = t0 + 310000;
	r->t[HT_T_FIRST_BYTE] = t0 + 700000;
	r->t[HT_T_RESPONSE_DONE] = t0 + 720000;
	r->method = S("GET");
	r->target = S("/index.html?a=1&b=x%20y&c");
	r->host = S("example.test:8080");
	r->dns_name = S("example.test");
	r->reason = S("OK");
	r->content_type = S("text/html; charset=utf-8");
	r->req_headers = S("Host: example.test:8080\r\nUser-Agent: curl/7.88.1"
			   "\r\nAuthorization: [redacted]\r\n");
	r->resp_headers = S("Content-Type: text/html; charset=utf-8\r\n"
			    "Content-Length: 5\r\nLocation: /next\r\n");
	return rec;
}

static void wire_seed(const char *name, const ht_record *recs, size_t n)
{
	static buf o;

	o.len = 0;
	for (size_t i = 0; i < n; i++)
		put_record(&o, &recs[i]);
	write_seed("wire", name, &o);
}

static void gen_wire(void)
{
	ht_record r[6];

	memset(r, 0, sizeof(r));
	r[0].type = HT_REC_HELLO;
	r[0].u.hello.pid = 4242;
	r[0].u.hello.ppid = 1;
	r[0].u.hello.exe = S("/usr/bin/curl");
	r[1] = request(1, 1);
	r[2] = request(1, 2);
	r[3].type = HT_REC_CONN_CLOSE;
	r[3].u.close.pid = 4242;
	r[3].u.close.conn_id = 1;
	r[3].u.close.requests = 2;
	r[3].u.close.flags = HT_CF_PEER_EOF;
	r[3].u.close.peer = r[1].u.req.peer;
	r[3].u.close.t_close = 1000009000000ull;
	r[3].u.close.bytes_out = 156;
	r[3].u.close.bytes_in = 138;
	r[4].type = HT_REC_DROPS;
	r[4].u.drops.pid = 4242;
	r[4].u.drops.dropped = 3;
	wire_seed("session", r, 5);
	wire_seed("hello", r, 1);
	wire_seed("request", r + 1, 1);

	/* What a process could not trace (an inline hook refused), twice with
	 * the same text from two processes, then one with a control byte. */
	ht_record nt[3];
	memset(nt, 0, sizeof(nt));
	for (int i = 0; i < 3; i++) {
		nt[i].type = HT_REC_NOTE;
		nt[i].u.note.pid = 4242 + (uint32_t)i;
		nt[i].u.note.text = S("/usr/bin/node: OpenSSL not hooked inline: "
				      "SSL_free: the branch at +0x9 lands at +0x2, "
				      "inside the patched bytes");
	}
	nt[2].u.note.text = S("x: \x1b[31m\xff");
	wire_seed("note", nt, 3);

	/* HTTP/2 over TLS, IPv6, failed with an error. */
	ht_record q = request(2, 1);
	q.u.req.proto = HT_PROTO_HTTP2;
	q.u.req.flags |= HT_RF_TLS | HT_RF_HDR_TRUNC;
	q.u.req.status = 0;
	q.u.req.error = HT_ERR_STREAM_RESET;
	q.u.req.peer.family = 10;
	q.u.req.peer.port = 443;
	memcpy(q.u.req.peer.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	q.u.req.tls_version = S("TLSv1.3");
	q.u.req.alpn = S("h2");
	q.u.req.host = S("[2001:db8::1]:443");
	q.u.req.t[HT_T_TLS_START] = 1000000220000ull;
	q.u.req.t[HT_T_TLS_DONE] = 1000000290000ull;
	q.u.req.t[HT_T_FIRST_BYTE] = 0;
	q.u.req.reason = S("");
	q.u.req.resp_headers = S("");
	q.u.req.req_headers = S("user-agent: caf\xc3\xa9 \xff\x01\r\n");
	wire_seed("request_h2_error", &q, 1);

	/* A CONNECT and a proxy-form target. */
	ht_record c[2] = {request(3, 1), request(3, 2)};
	c[0].u.req.method = S("CONNECT");
	c[0].u.req.target = S("example.test:443");
	c[1].u.req.target = S("http://example.test/x?y=z");
	c[1].u.req.proto = HT_PROTO_HTTP10;
	c[1].u.req.status = 304;
	c[1].u.req.n_1xx = 1;
	c[1].u.req.t[HT_T_GOT_1XX] = 1000002500000ull;
	wire_seed("connect_proxy", c, 2);

	/* Inside a tunnel (TLS to the target), and over a Unix socket. */
	ht_record u[3] = {request(4, 2), request(5, 1)};
	u[0].u.req.flags |= HT_RF_TUNNEL | HT_RF_TLS;
	u[0].u.req.tunnel = S("target.test:443");
	u[0].u.req.host = S("");
	u[0].u.req.alpn = S("h2");
	u[0].u.req.proto = HT_PROTO_HTTP2;
	u[1].u.req.peer.family = HT_AF_UNIX;
	u[1].u.req.peer.port = 0;
	memset(u[1].u.req.peer.addr, 0, sizeof(u[1].u.req.peer.addr));
	u[1].u.req.peer_path = S("/run/docker.sock");
	u[1].u.req.dns_name = S("");
	u[1].u.req.host = S("docker");
	u[2].type = HT_REC_CONN_CLOSE;
	u[2].u.close.pid = 4242;
	u[2].u.close.conn_id = 5;
	u[2].u.close.requests = 1;
	u[2].u.close.peer = u[1].u.req.peer;
	u[2].u.close.peer_path = S("@abstract");
	u[2].u.close.t_close = 1000009000000ull;
	wire_seed("tunnel_unix", u, 3);

	/* Failed connects: TCP, then TLS. */
	ht_record f[2];
	memset(f, 0, sizeof(f));
	f[0].type = HT_REC_CONN_FAIL;
	f[0].u.fail.pid = 4242;
	f[0].u.fail.conn_id = 4;
	f[0].u.fail.err = 111;
	f[0].u.fail.peer = r[1].u.req.peer;
	f[0].u.fail.t_connect_start = 1000000000000ull;
	f[0].u.fail.t_fail = 1000000050000ull;
	f[0].u.fail.dns_name = S("down.test");
	f[1] = f[0];
	f[1].u.fail.conn_id = 5;
	f[1].u.fail.err = 0;
	f[1].u.fail.flags = HT_FF_TLS;
	f[1].u.fail.t_connect_done = 1000000040000ull;
	f[1].u.fail.t_tls_start = 1000000041000ull;
	wire_seed("conn_fail", f, 2);
}

/* ---- conn scripts ----------------------------------------------------------- */

/* Operation codes of fuzz_conn.c. */
enum { OP_WRITE = 0, OP_READ = 2, OP_EOF = 4, OP_RESET = 5, OP_CLOSE = 6,
       OP_MISC = 7 };

static void op(buf *o, uint8_t code, unsigned arg)
{
	put_u8(o, (uint8_t)(code | arg << 3));
}

/* Data ops of at most 1023 bytes each. */
static void op_data(buf *o, uint8_t code, const void *p, size_t len)
{
	const uint8_t *b = p;

	do {
		size_t n = len > 1023 ? 1023 : len;

		op(o, code, (unsigned)(n >> 8));
		put_u8(o, (uint8_t)n);
		put(o, b, n);
		b += n;
		len -= n;
	} while (len > 0);
}

static void op_text(buf *o, uint8_t code, const char *s)
{
	op_data(o, code, s, strlen(s));
}

static void conn_seed(const char *name, const buf *o)
{
	write_seed("conn", name, o);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: example.test\r\n" \
	"Authorization: Basic eA==\r\n\r\n"
#define OK5 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\n\r\nhello"

static void gen_conn(void)
{
	static buf o;

	o.len = 0;
	put_u8(&o, 0x36); /* capture, redact, connected, DNS */
	op_text(&o, OP_WRITE, GET("/a"));
	op_text(&o, OP_READ, OK5);
	op_text(&o, OP_WRITE, GET("/b"));
	op_text(&o, OP_READ, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
			      "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	op(&o, OP_EOF, 0);
	op(&o, OP_CLOSE, 0);
	conn_seed("h1_keepalive", &o);

	o.len = 0;
	put_u8(&o, 0x06);
	op_text(&o, OP_WRITE, GET("/1") GET("/2") GET("/3"));
	op_text(&o, OP_READ, OK5 OK5);
	op_text(&o, OP_READ, "HTTP/1.1 200");
	op(&o, OP_RESET, 0);
	conn_seed("h1_pipelined_reset", &o);

	o.len = 0;
	put_u8(&o, 0x12);
	op_text(&o, OP_WRITE, "POST /up HTTP/1.1\r\nHost: h\r\nExpect: "
			       "100-continue\r\nContent-Length: 4\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 100 Continue\r\n\r\n");
	op_text(&o, OP_WRITE, "data");
	op_text(&o, OP_READ, "HTTP/1.0 200 OK\r\n\r\nuntil close");
	op(&o, OP_EOF, 0);
	op_text(&o, OP_WRITE, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
	conn_seed("h1_continue_close_delimited", &o);

	o.len = 0;
	put_u8(&o, 0x1a); /* TLS http/1.1 */
	op_text(&o, OP_WRITE, "CONNECT example.test:443 HTTP/1.1\r\nHost: "
			       "example.test:443\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 200 Connection established\r\n\r\n");
	op_text(&o, OP_WRITE, "\x16\x03\x01\x02\x00");
	op(&o, OP_CLOSE, 1); /* fork */
	op_text(&o, OP_WRITE, GET("/after-fork"));
	conn_seed("h1_connect_fork", &o);

	o.len = 0;
	put_u8(&o, 0x00);
	op(&o, OP_MISC, 0); /* tls_start */
	op(&o, OP_MISC, 3); /* tls_failed */
	op(&o, OP_CLOSE, 0);
	op(&o, OP_MISC, 4); /* connect_failed */
	conn_seed("tls_fail_connect_fail", &o);

	o.len = 0;
	put_u8(&o, 0x16); /* capture, redact, connected */
	op_text(&o, OP_WRITE, "CONNECT example.test:80 HTTP/1.1\r\nHost: "
			       "example.test:80\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 407 Proxy Authentication Required\r\n"
			      "Content-Length: 2\r\n\r\nno");
	op_text(&o, OP_WRITE, "CONNECT example.test:80 HTTP/1.1\r\nHost: "
			       "example.test:80\r\nProxy-Authorization: x\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 200 Connection established\r\n\r\n");
	op_text(&o, OP_WRITE, GET("/in"));
	op_text(&o, OP_READ, OK5);
	op_text(&o, OP_WRITE, GET("/again"));
	op(&o, OP_CLOSE, 0);
	conn_seed("tunnel_connect_h1", &o);

	o.len = 0;
	put_u8(&o, 0x16);
	op_data(&o, OP_WRITE, "\x05\x02\x00\x02", 4);
	op_data(&o, OP_READ, "\x05\x02", 2);
	op_data(&o, OP_WRITE, "\x01\x01u\x01p", 5);
	op_data(&o, OP_READ, "\x01\x00", 2);
	op_data(&o, OP_WRITE, "\x05\x01\x00\x03\x0c" "example.test\x00\x50", 19);
	op_data(&o, OP_READ, "\x05\x00\x00\x01\x7f\x00", 6);
	op_data(&o, OP_READ, "\x00\x01\x00\x50", 4);
	op_text(&o, OP_WRITE, GET("/socks"));
	op_text(&o, OP_READ, OK5);
	op(&o, OP_EOF, 0);
	conn_seed("tunnel_socks5", &o);

	/* HTTP/2 cleartext: the preface is written by the setup. */
	static buf cl, sv;
	cl.len = sv.len = 0;
	client_stream(&cl, false);
	server_stream(&sv);
	o.len = 0;
	put_u8(&o, 0x17);
	op_data(&o, OP_WRITE, cl.b, 200);
	op_data(&o, OP_READ, sv.b, 150);
	op_data(&o, OP_WRITE, cl.b + 200, cl.len - 200);
	op_data(&o, OP_READ, sv.b + 150, sv.len - 150);
	op(&o, OP_EOF, 0);
	conn_seed("h2_cleartext", &o);

	/* HTTP/2 over TLS (ALPN h2): the server speaks first. */
	cl.len = 0;
	client_stream(&cl, true);
	o.len = 0;
	put_u8(&o, 0x1f);
	op(&o, OP_MISC, 5); /* mark_tls */
	op(&o, OP_MISC, 6); /* transport bytes */
	op_data(&o, OP_READ, sv.b, 15);
	op_data(&o, OP_WRITE, cl.b, cl.len);
	op_data(&o, OP_READ, sv.b + 15, sv.len - 15);
	op(&o, OP_CLOSE, 0);
	conn_seed("h2_tls_alpn", &o);

	/* A CONNECT tunnel, then TLS with ALPN h2 inside it. */
	o.len = 0;
	put_u8(&o, 0x16);
	op_text(&o, OP_WRITE, "CONNECT example.test:443 HTTP/1.1\r\nHost: "
			       "example.test:443\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 200 Connection established\r\n\r\n");
	op(&o, OP_MISC, 5); /* mark_tls */
	op(&o, OP_MISC, 0); /* tls_start */
	op(&o, OP_MISC, 1); /* tls_done h2 */
	op_data(&o, OP_READ, sv.b, 15);
	op_data(&o, OP_WRITE, cl.b, cl.len);
	op_data(&o, OP_READ, sv.b + 15, sv.len - 15);
	op(&o, OP_CLOSE, 0);
	conn_seed("tunnel_connect_tls_h2", &o);

	/* An h2c upgrade: the request is stream 1, HTTP/2 after the 101. */
	o.len = 0;
	put_u8(&o, 0x16);
	op_text(&o, OP_WRITE, "GET /up HTTP/1.1\r\nHost: h\r\nConnection: "
			       "Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
			       "HTTP2-Settings: AAMAAABk\r\n\r\n");
	op_text(&o, OP_READ, "HTTP/1.1 101 Switching Protocols\r\n"
			      "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
	op_data(&o, OP_READ, sv.b, 15);
	op_data(&o, OP_WRITE, cl.b, cl.len);
	op_data(&o, OP_READ, sv.b + 15, sv.len - 15);
	op(&o, OP_EOF, 0);
	conn_seed("h2c_upgrade", &o);

	/* HTTP/2 cleartext with holes (setup bit 6): the first DATA frame's
	 * body and padding, after its first body byte, consumed unread. */
	size_t at = 0, hole = 0;
	while (at + 9 <= sv.len) {
		size_t flen = (size_t)sv.b[at] << 16 | (size_t)sv.b[at + 1] << 8 |
			      sv.b[at + 2];
		if (sv.b[at + 3] == 0x0 && flen > 2) {
			size_t pad = (sv.b[at + 4] & 0x8) ? 1 : 0;
			hole = flen - pad - 1;
			at += 9 + pad + 1;
			break;
		}
		at += 9 + flen;
	}
	if (hole == 0)
		die("no DATA frame in the server stream");
	cl.len = 0;
	client_stream(&cl, false); /* the setup writes the preface */
	o.len = 0;
	put_u8(&o, 0x57);
	op_data(&o, OP_WRITE, cl.b, cl.len);
	op_data(&o, OP_READ, sv.b, at);
	op_data(&o, (OP_READ + 1) | 4 << 3, sv.b + at, hole); /* op 3, arg 4 */
	op_data(&o, OP_READ, sv.b + at + hole, sv.len - at - hole);
	op(&o, OP_EOF, 0);
	conn_seed("h2_cleartext_unseen", &o);
}

/* ---- captures -------------------------------------------------------------- */

/* Append a frame of @kind from @peer holding @n bytes at @p. */
static void put_frame(buf *o, unsigned kind, uint32_t peer, const void *p,
		      size_t n)
{
	uint8_t tmp[CAP_MAX_FRAME];
	size_t len = cap_frame_encode(tmp, sizeof(tmp), kind, peer, p, n);

	if (len == 0)
		die("frame");
	put(o, tmp, len);
}

/* Append a message frame holding the records @recs. */
static void put_msg(buf *o, uint32_t peer, const ht_record *recs, size_t n)
{
	static buf m;

	m.len = 0;
	for (size_t i = 0; i < n; i++)
		put_record(&m, &recs[i]);
	put_frame(o, CAP_MSG, peer, m.b, m.len);
}

static void gen_capture(void)
{
	static buf o;
	uint8_t hdr[CAP_HDR_LEN], end[CAP_END_LEN];
	cap_header h = {
		.wire_version = HT_WIRE_VERSION,
		.start_ns = 1796280000000000000LL,
		.mono_to_unix = 1796279000000000000LL,
	};
	ht_record r[4];

	memset(r, 0, sizeof(r));
	r[0].type = HT_REC_HELLO;
	r[0].u.hello.pid = 4242;
	r[0].u.hello.exe = S("/usr/bin/curl");
	r[1] = request(1, 1);
	r[2] = request(1, 2);
	r[3].type = HT_REC_DROPS;
	r[3].u.drops.pid = 4242;
	r[3].u.drops.dropped = 2;

	/* Options 0x03: checksums fixed, json.  Two images of pid 4242 (an
	 * exec): the second's connection 1 is shown as 2. */
	o.len = 0;
	put_u8(&o, 0x03);
	put(&o, hdr, cap_header_encode(hdr, &h));
	put_frame(&o, CAP_OPEN, 5, NULL, 0);
	put_msg(&o, 5, r, 1);
	put_msg(&o, 5, r + 1, 2);
	put_frame(&o, CAP_OPEN, 6, NULL, 0);
	put_msg(&o, 6, r, 1);
	put_msg(&o, 6, r + 1, 1);
	put_frame(&o, CAP_TRUNC, 6, NULL, 0);
	put_msg(&o, 6, r + 3, 1);
	put_frame(&o, CAP_MSG, 7, "garbage", 7);
	put_frame(&o, CAP_CLOSE, 5, NULL, 0);
	put_frame(&o, CAP_CLOSE, 6, NULL, 0);
	cap_end_encode(end, 6, 2, 0);
	put_frame(&o, CAP_END, 0, end, sizeof(end));
	write_seed("capture", "session_json", &o);
	/* The same, text, checksums as they are: a payload byte flipped. */
	o.b[0] = 0x00;
	o.b[1 + CAP_HDR_LEN + 2 * CAP_FRAME_HDR + 3] ^= 1;
	write_seed("capture", "damaged_text", &o);
	/* Whole checksums again, cut inside the end mark, har. */
	o.b[1 + CAP_HDR_LEN + 2 * CAP_FRAME_HDR + 3] ^= 1;
	o.b[0] = 0x06;
	o.len -= 20;
	write_seed("capture", "cut_har", &o);
}

/* ---- ws: options (bit 0 client), split (u16 LE), frames ------------------- */

/* One frame: @b0 (FIN, RSV, opcode), masked with a fixed key when @mask,
 * @len bytes of @payload. */
static void ws_frame(buf *o, uint8_t b0, bool mask, const char *payload,
		     size_t len)
{
	static const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
	uint8_t m = mask ? 0x80 : 0;

	put_u8(o, b0);
	if (len < 126) {
		put_u8(o, (uint8_t)(m | len));
	} else {
		put_u8(o, m | 126);
		put_u8(o, (uint8_t)(len >> 8));
		put_u8(o, (uint8_t)len);
	}
	if (mask)
		put(o, key, 4);
	for (size_t i = 0; i < len; i++)
		put_u8(o, (uint8_t)(payload[i] ^ (mask ? key[i & 3] : 0)));
}

static void ws_seed(const char *name, uint8_t opts, uint16_t split,
		    const buf *frames)
{
	static buf o;

	o.len = 0;
	put_u8(&o, opts);
	put_u8(&o, (uint8_t)split);
	put_u8(&o, (uint8_t)(split >> 8));
	put(&o, frames->b, frames->len);
	write_seed("ws", name, &o);
}

static void gen_ws(void)
{
	static buf f;
	static char big[300];

	memset(big, 'b', sizeof(big));
	f.len = 0;
	ws_frame(&f, 0x81, true, "hello", 5);
	ws_frame(&f, 0x01, true, "fr", 2);
	ws_frame(&f, 0x89, true, "ping", 4);
	ws_frame(&f, 0x80, true, "ag", 2);
	ws_frame(&f, 0x82, true, big, sizeof(big));
	ws_frame(&f, 0x88, true, "\x03\xe8" "done", 6);
	ws_seed("client_session", 1, 17, &f);
	f.len = 0;
	ws_frame(&f, 0x81, false, "welcome", 7);
	ws_frame(&f, 0x8a, false, "ping", 4);
	ws_frame(&f, 0xc2, false, "\xf2\x48\x05\x00", 4); /* RSV1 */
	ws_frame(&f, 0x88, false, "\x03\xe9" "going away", 12);
	ws_seed("server_session", 0, 9, &f);
	f.len = 0;
	ws_frame(&f, 0x83, true, "r", 1);        /* reserved opcode */
	ws_frame(&f, 0x80, true, "c", 1);        /* continuation of nothing */
	ws_frame(&f, 0x09, true, "p", 1);        /* fragmented ping */
	ws_frame(&f, 0x81, false, "u", 1);       /* unmasked from a client */
	ws_frame(&f, 0x88, true, "x", 1);        /* 1-byte close */
	ws_seed("errors", 1, 5, &f);
	f.len = 0;
	put(&f, "\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10);
	put(&f, big, 40);
	ws_seed("len64", 0, 3, &f);
}

int main(void)
{
	gen_ws();
	gen_http1();
	gen_http2();
	gen_wire();
	gen_conn();
	gen_capture();
	return 0;
}
