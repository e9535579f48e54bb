/*
 * wire.c - encode and decode the records of wire.h.  Pure and bounds-checked:
 * a writer and a reader cursor that refuse to step past their buffer.
 */
#include "wire.h"
#include "copy.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

const char *ht_error_str(unsigned code)
{
	static const char *const texts[] = {
#define HT_ERR_TEXT(name, str) str,
		HT_ERRORS(HT_ERR_TEXT)
#undef HT_ERR_TEXT
	};
	if (code == HT_ERR_NONE)
		return NULL;
	if (code >= HT_ERR__COUNT)
		return "unknown error";
	return texts[code];
}

/* ---- writer ------------------------------------------------------------ */

typedef struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int bad; /* set once something did not fit */
} wbuf;

/* Room for @n more bytes, else the buffer is marked bad. */
static inline uint8_t *put_room(wbuf *w, size_t n)
{
	if (n > w->cap - w->len) {
		/* and nothing fits from now on */
		w->bad = 1;
		w->cap = w->len;
		return NULL;
	}
	uint8_t *d = w->p + w->len;
	w->len += n;
	return d;
}

/* Stores at @d, in room already reserved; each returns where the next
 * field goes.  Integers are little-endian. */
static inline uint8_t *raw_u8(uint8_t *d, uint8_t v)
{
	d[0] = v;
	return d + 1;
}

static inline uint8_t *raw_u16(uint8_t *d, uint16_t v)
{
	d[0] = (uint8_t)v;
	d[1] = (uint8_t)(v >> 8);
	return d + 2;
}

static inline uint8_t *raw_u32(uint8_t *d, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(d, &v, 4);
#else
	for (int i = 0; i < 4; i++)
		d[i] = (uint8_t)(v >> (8 * i));
#endif
	return d + 4;
}

static inline uint8_t *raw_u64(uint8_t *d, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(d, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		d[i] = (uint8_t)(v >> (8 * i));
#endif
	return d + 8;
}

/* An address: family, port, the 16 address bytes. */
#define ADDR_BYTES (1 + 2 + sizeof(((ht_addr *)0)->addr))

static inline uint8_t *raw_addr(uint8_t *d, const ht_addr *a)
{
	d = raw_u8(d, a->family);
	d = raw_u16(d, a->port);
	memcpy(d, a->addr, sizeof a->addr);
	return d + sizeof a->addr;
}

static inline void put_u8(wbuf *w, uint8_t v)
{
	uint8_t *d = put_room(w, 1);
	if (d)
		raw_u8(d, v);
}

static inline void put_u16(wbuf *w, uint16_t v)
{
	uint8_t *d = put_room(w, 2);
	if (d)
		raw_u16(d, v);
}

static inline void put_u32(wbuf *w, uint32_t v)
{
	uint8_t *d = put_room(w, 4);
	if (d)
		raw_u32(d, v);
}

static inline void put_u64(wbuf *w, uint64_t v)
{
	uint8_t *d = put_room(w, 8);
	if (d)
		raw_u64(d, v);
}

static inline void put_str(wbuf *w, ht_str s)
{
	uint8_t *d = put_room(w, 2 + (size_t)s.len);
	if (!d)
		return;
	d[0] = (uint8_t)s.len;
	d[1] = (uint8_t)(s.len >> 8);
	if (s.len)
		memcpy(d + 2, s.p, s.len);
}

/* The gRPC fields of a request record (HT_RF_GRPC). */
static void put_grpc(wbuf *w, const ht_grpc *g)
{
	put_u32(w, g->status);
	put_u32(w, g->flags);
	put_u32(w, g->msgs_sent);
	put_u32(w, g->msgs_recv);
	put_u64(w, g->bytes_sent);
	put_u64(w, g->bytes_recv);
	put_u32(w, g->max_sent);
	put_u32(w, g->max_recv);
	put_u64(w, g->t_first_sent);
	put_u64(w, g->t_first_recv);
	put_str(w, g->message);
}

static void put_addr(wbuf *w, const ht_addr *a)
{
	uint8_t *d = put_room(w, ADDR_BYTES);
	if (d)
		raw_addr(d, a);
}

/* The bytes of a request record from its pid to its timestamps (the
 * reader's REQ_FIXED, the count, the timestamps), then its strings and
 * the response's version: reserved at once (a record is made for every
 * request), then stored unchecked. */
#define REQ_SCALARS (4 * 4 + 2 + 1 + 1 + 2 + ADDR_BYTES + 2 * 8 + 2 * 4 + 1 + \
		   8 * HT_T__COUNT)
#define REQ_STRINGS 12 /* method ... tunnel */

/* A string in room already reserved: its length, its bytes. */
static inline uint8_t *raw_str(uint8_t *d, ht_str s)
{
	d = raw_u16(d, s.len);
	ht_copy_short(d, s.p, s.len); /* most are a few bytes */
	return d + s.len;
}

static void put_request(wbuf *w, const ht_rec_request *r)
{
	size_t need = REQ_SCALARS + 2 * REQ_STRINGS + 1 +
		      r->method.len + r->target.len + r->host.len +
		      r->dns_name.len + r->reason.len + r->content_type.len +
		      r->tls_version.len + r->alpn.len + r->req_headers.len +
		      r->resp_headers.len + r->peer_path.len + r->tunnel.len;
	uint8_t *d = put_room(w, need);

	if (!d)
		return;
	d = raw_u32(d, r->pid);
	d = raw_u32(d, r->conn_id);
	d = raw_u32(d, r->req_seq);
	d = raw_u32(d, r->flags);
	d = raw_u16(d, r->status);
	d = raw_u8(d, r->proto);
	d = raw_u8(d, r->error);
	d = raw_u16(d, r->n_1xx);
	d = raw_addr(d, &r->peer);
	d = raw_u64(d, r->req_body_bytes);
	d = raw_u64(d, r->resp_body_bytes);
	d = raw_u32(d, r->req_header_bytes);
	d = raw_u32(d, r->resp_header_bytes);
	d = raw_u8(d, HT_T__COUNT);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(d, r->t, sizeof r->t);
	d += sizeof r->t;
#else
	for (int i = 0; i < HT_T__COUNT; i++)
		d = raw_u64(d, r->t[i]);
#endif
	d = raw_str(d, r->method);
	d = raw_str(d, r->target);
	d = raw_str(d, r->host);
	d = raw_str(d, r->dns_name);
	d = raw_str(d, r->reason);
	d = raw_str(d, r->content_type);
	d = raw_str(d, r->tls_version);
	d = raw_str(d, r->alpn);
	d = raw_str(d, r->req_headers);
	d = raw_str(d, r->resp_headers);
	d = raw_str(d, r->peer_path);
	d = raw_str(d, r->tunnel);
	/* (a string added to the record goes in request_strs as well) */
	raw_u8(d, r->resp_proto);
	if (r->flags & HT_RF_GRPC)
		put_grpc(w, &r->grpc);
	/* appended, only for a request its process's end cut short; after
	 * them, the ends of the connection; then the thread: each present
	 * when it or one after it is set */
	bool ends = r->local.family || r->stream_id || r->thread;
	bool cut = ends || r->signal || r->phase;

	if (!cut)
		return;
	d = put_room(w, 2 + (ends ? ADDR_BYTES + 4 : 0) + (r->thread ? 8 : 0));
	if (!d)
		return;
	d = raw_u8(d, r->signal);
	d = raw_u8(d, r->phase);
	if (ends) {
		d = raw_addr(d, &r->local);
		d = raw_u32(d, r->stream_id);
	}
	if (r->thread) {
		d = raw_u32(d, r->thread);
		raw_u32(d, r->thread_seq);
	}
}

static void put_ws(wbuf *w, const ht_rec_ws *s)
{
	put_u32(w, s->pid);
	put_u32(w, s->conn_id);
	put_u32(w, s->req_seq);
	put_u32(w, s->flags);
	put_addr(w, &s->peer);
	put_u64(w, s->t_start);
	put_u64(w, s->t_end);
	for (int i = 0; i < 2; i++) {
		const ht_ws_dir *d = &s->dir[i];
		put_u64(w, d->frames);
		put_u64(w, d->messages);
		put_u64(w, d->text);
		put_u64(w, d->binary);
		put_u64(w, d->bytes);
		put_u64(w, d->compressed);
		put_u64(w, d->pings);
		put_u64(w, d->pongs);
		put_u32(w, d->errors);
		put_u16(w, d->close_code);
		put_u64(w, d->t_close);
		put_str(w, d->close_reason);
	}
	for (int i = 0; i < 2; i++) {
		put_u32(w, s->rtt[i].n);
		put_u64(w, s->rtt[i].sum);
		put_u64(w, s->rtt[i].min);
		put_u64(w, s->rtt[i].max);
	}
	put_str(w, s->host);
	put_str(w, s->target);
	put_str(w, s->dns_name);
	put_str(w, s->peer_path);
	put_str(w, s->tunnel);
}

static void put_dns(wbuf *w, const ht_rec_dns *d)
{
	unsigned n = d->n_addrs > HT_DNS_ADDRS ? HT_DNS_ADDRS : d->n_addrs;

	put_u32(w, d->pid);
	put_u32(w, d->lookup);
	put_u32(w, d->flags);
	put_u32(w, (uint32_t)d->err);
	put_u32(w, (uint32_t)d->sys_errno);
	put_u64(w, d->t_start);
	put_u64(w, d->t_done);
	put_str(w, d->name);
	put_u8(w, (uint8_t)n);
	for (unsigned i = 0; i < n; i++)
		put_addr(w, &d->addrs[i]);
}

size_t ht_wire_encode(uint8_t *buf, size_t cap, const ht_record *rec)
{
	wbuf w = {buf, cap, 0, 0};
	uint8_t *head = put_room(&w, 8); /* length (4..7) patched below */

	if (head == NULL)
		return 0;
	head[0] = HT_WIRE_MAGIC0;
	head[1] = HT_WIRE_MAGIC1;
	head[2] = HT_WIRE_VERSION;
	head[3] = rec->type;

	switch (rec->type) {
	case HT_REC_HELLO: {
		const ht_rec_hello *h = &rec->u.hello;
		put_u32(&w, h->pid);
		put_u32(&w, h->ppid);
		put_u32(&w, h->flags);
		put_str(&w, h->exe);
		put_u64(&w, h->image);
		put_u64(&w, h->away);
		put_u64(&w, h->away_requests);
		break;
	}
	case HT_REC_REQUEST:
		put_request(&w, &rec->u.req);
		break;
	case HT_REC_CONN_FAIL: {
		const ht_rec_conn_fail *f = &rec->u.fail;
		put_u32(&w, f->pid);
		put_u32(&w, f->conn_id);
		put_u32(&w, (uint32_t)f->err);
		put_addr(&w, &f->peer);
		put_u64(&w, f->t_dns_start);
		put_u64(&w, f->t_dns_done);
		put_u64(&w, f->t_connect_start);
		put_u64(&w, f->t_fail);
		put_str(&w, f->dns_name);
		put_u32(&w, f->flags);
		put_u64(&w, f->t_connect_done);
		put_u64(&w, f->t_tls_start);
		/* appended, for a connection its process's end cut short
		 * (zeros before an alert's) */
		bool alert = f->flags & (HT_FF_TLS_ALERT_CLIENT |
					 HT_FF_TLS_ALERT_SERVER);
		if (f->error || f->signal || f->phase || alert) {
			put_u8(&w, f->error);
			put_u8(&w, f->signal);
			put_u8(&w, f->phase);
		}
		/* appended, only for a handshake that ended with an alert */
		if (alert)
			put_u8(&w, f->tls_alert);
		break;
	}
	case HT_REC_CONN_CLOSE: {
		const ht_rec_conn_close *c = &rec->u.close;
		put_u32(&w, c->pid);
		put_u32(&w, c->conn_id);
		put_u32(&w, c->requests);
		put_u32(&w, c->flags);
		put_addr(&w, &c->peer);
		put_u64(&w, c->t_close);
		put_u64(&w, c->t_idle_since);
		put_u64(&w, c->bytes_out);
		put_u64(&w, c->bytes_in);
		put_str(&w, c->peer_path);
		if (c->flags & (HT_CF_TLS_UNDECODED | HT_CF_NO_REQUEST)) {
			put_u64(&w, c->t_connect_start);
			put_u64(&w, c->t_connect_done);
			put_u64(&w, c->t_tls_start);
			put_u64(&w, c->t_tls_done);
			put_str(&w, c->sni);
			put_str(&w, c->alpn_offered);
			put_str(&w, c->tls_version);
			put_str(&w, c->alpn);
		}
		break;
	}
	case HT_REC_DROPS:
		put_u32(&w, rec->u.drops.pid);
		put_u64(&w, rec->u.drops.dropped);
		put_u64(&w, rec->u.drops.produced);
		put_u32(&w, rec->u.drops.flags);
		put_u64(&w, rec->u.drops.req_dropped);
		put_u64(&w, rec->u.drops.req_produced);
		break;
	case HT_REC_NOTE:
		put_u32(&w, rec->u.note.pid);
		put_str(&w, rec->u.note.text);
		break;
	case HT_REC_WS:
		put_ws(&w, &rec->u.ws);
		break;
	case HT_REC_DNS:
		put_dns(&w, &rec->u.dns);
		break;
	default:
		return 0;
	}
	if (w.bad || w.len > HT_WIRE_MAX_RECORD)
		return 0;
	for (int i = 0; i < 4; i++)
		buf[4 + i] = (uint8_t)(w.len >> (8 * i));
	return w.len;
}

/* ---- reader ------------------------------------------------------------ */

typedef struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int bad; /* set once a field ran past the end */
} rbuf;

static inline const uint8_t *take(rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static inline uint8_t get_u8(rbuf *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}

static inline uint16_t get_u16(rbuf *r)
{
	const uint8_t *p = take(r, 2);
	return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

/* The getters spell out each byte's shift (no loop) so that the compiler
 * turns them into one load on a little-endian machine: the collector
 * decodes millions of records a second. */
static inline uint32_t get_u32(rbuf *r)
{
	const uint8_t *p = take(r, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(rbuf *r)
{
	const uint8_t *p = take(r, 8);

	if (p == NULL)
		return 0;
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline ht_str get_str(rbuf *r)
{
	ht_str s = {"", 0};
	uint16_t n = get_u16(r);
	const uint8_t *p = take(r, n);
	if (p) {
		s.p = (const char *)p;
		s.len = n;
	}
	return s;
}

/* A field appended after the first revision: empty when the record ends
 * before it (an older sender). */
static ht_str get_str_opt(rbuf *r)
{
	ht_str s = {"", 0};
	if (r->bad || r->off == r->len)
		return s;
	return get_str(r);
}

/* Integers appended after the first revision: 0 when the record ends
 * before them. */
static uint64_t get_u64_opt(rbuf *r)
{
	if (r->bad || r->off == r->len)
		return 0;
	return get_u64(r);
}

static uint8_t get_u8_opt(rbuf *r)
{
	if (r->bad || r->off == r->len)
		return 0;
	return get_u8(r);
}

static uint32_t get_u32_opt(rbuf *r)
{
	if (r->bad || r->off == r->len)
		return 0;
	return get_u32(r);
}

/* The gRPC fields of a request record, present with HT_RF_GRPC. */
static void get_grpc(rbuf *r, ht_grpc *g)
{
	g->status = get_u32(r);
	g->flags = get_u32(r);
	g->msgs_sent = get_u32(r);
	g->msgs_recv = get_u32(r);
	g->bytes_sent = get_u64(r);
	g->bytes_recv = get_u64(r);
	g->max_sent = get_u32(r);
	g->max_recv = get_u32(r);
	g->t_first_sent = get_u64(r);
	g->t_first_recv = get_u64(r);
	g->message = get_str(r);
}

static void get_addr(rbuf *r, ht_addr *a)
{
	a->family = get_u8(r);
	a->port = get_u16(r);
	const uint8_t *p = take(r, sizeof a->addr);
	if (p)
		memcpy(a->addr, p, sizeof a->addr);
}

/* Little-endian loads at @p (the compiler makes each one load). */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Bytes of a request record between the header and the timestamps. */
#define REQ_FIXED 66

/* The string at *@pp (its u16 length, then its bytes) into @s, *@pp moved
 * past it and *@left (the bytes from *@pp to the record's end, at least 2
 * on entry) less its size; false unless @after more bytes follow it (2:
 * the next string's length, so the next call's entry holds).  Written out
 * once per field, one test each: the strings are most of a record's
 * decoding. */
static inline __attribute__((always_inline)) bool
fast_str(const uint8_t **pp, size_t *left, ht_str *s, size_t after)
{
	const uint8_t *p = *pp;
	size_t n = rd16(p);

	if (n + 2 + after > *left)
		return false;
	s->p = (const char *)p + 2;
	s->len = (uint16_t)n;
	*pp = p + 2 + n;
	*left -= 2 + n;
	return true;
}

/*
 * The request record of @rlen bytes at @buf into @q, the way the collector
 * sees millions of them: the fixed part and the timestamps (exactly
 * HT_T__COUNT) checked against the length once, then the strings.  Returns
 * false for anything else (fewer or more timestamps, a field past the
 * end, a bad error code), which the general decoder then handles.
 */
static bool decode_request_fast(const uint8_t *buf, size_t rlen,
				ht_rec_request *q)
{
	const uint8_t *p = buf + HT_WIRE_HDR_LEN, *end = buf + rlen;

	if ((size_t)(end - p) < REQ_FIXED + 8 * HT_T__COUNT ||
	    p[REQ_FIXED - 1] != HT_T__COUNT)
		return false;
	q->pid = rd32(p);
	q->conn_id = rd32(p + 4);
	q->req_seq = rd32(p + 8);
	q->flags = rd32(p + 12);
	q->status = rd16(p + 16);
	q->proto = p[18];
	q->error = p[19];
	q->n_1xx = rd16(p + 20);
	q->peer.family = p[22];
	q->peer.port = rd16(p + 23);
	memcpy(q->peer.addr, p + 25, sizeof q->peer.addr);
	q->req_body_bytes = rd64(p + 41);
	q->resp_body_bytes = rd64(p + 49);
	q->req_header_bytes = rd32(p + 57);
	q->resp_header_bytes = rd32(p + 61);
	p += REQ_FIXED;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the wire's order: the timestamps as they lie (one copy, not a
	 * load and store each) */
	memcpy(q->t, p, sizeof(q->t));
#else
	for (int i = 0; i < HT_T__COUNT; i++)
		q->t[i] = rd64(p + 8 * i);
#endif
	p += 8 * HT_T__COUNT;
	if (q->error >= HT_ERR__COUNT)
		return false;

	/* ten strings always there (each but the last followed by the
	 * next one's length), then two appended ones: an older sender's
	 * record ends before them */
	size_t left = (size_t)(end - p);

	if (left < 2 || !fast_str(&p, &left, &q->method, 2) ||
	    !fast_str(&p, &left, &q->target, 2) ||
	    !fast_str(&p, &left, &q->host, 2) ||
	    !fast_str(&p, &left, &q->dns_name, 2) ||
	    !fast_str(&p, &left, &q->reason, 2) ||
	    !fast_str(&p, &left, &q->content_type, 2) ||
	    !fast_str(&p, &left, &q->tls_version, 2) ||
	    !fast_str(&p, &left, &q->alpn, 2) ||
	    !fast_str(&p, &left, &q->req_headers, 2) ||
	    !fast_str(&p, &left, &q->resp_headers, 0))
		return false;
	if (left == 0) {
		q->peer_path = q->tunnel = (ht_str){ "", 0 };
	} else if (left < 2 || !fast_str(&p, &left, &q->peer_path, 0)) {
		return false;
	} else if (left == 0) {
		q->tunnel = (ht_str){ "", 0 };
	} else if (left < 2 || !fast_str(&p, &left, &q->tunnel, 0)) {
		return false;
	}
	q->resp_proto = p < end ? *p++ : 0; /* appended: absent in older */
	memset(&q->grpc, 0, sizeof(q->grpc));
	if (q->flags & HT_RF_GRPC) {
		rbuf g = {buf, rlen, (size_t)(p - buf), 0};

		get_grpc(&g, &q->grpc);
		if (g.bad)
			return false;
		p = buf + g.off;
	}
	q->signal = p < end ? *p++ : 0;
	q->phase = p < end ? *p++ : 0;
	q->join = NULL;
	if (p < end) {
		/* appended: the local address and the stream id */
		if ((size_t)(end - p) < 3 + sizeof(q->local.addr) + 4)
			return false;
		q->local.family = p[0];
		q->local.port = rd16(p + 1);
		memcpy(q->local.addr, p + 3, sizeof(q->local.addr));
		q->stream_id = rd32(p + 3 + sizeof(q->local.addr));
		p += 3 + sizeof(q->local.addr) + 4;
	} else {
		memset(&q->local, 0, sizeof(q->local));
		q->stream_id = 0;
	}
	q->thread = q->thread_seq = 0;
	if (p < end) {
		/* appended: the thread */
		if ((size_t)(end - p) < 8)
			return false;
		q->thread = rd32(p);
		q->thread_seq = rd32(p + 4);
	}
	return true;
}

static void get_ws(rbuf *r, ht_rec_ws *s)
{
	s->pid = get_u32(r);
	s->conn_id = get_u32(r);
	s->req_seq = get_u32(r);
	s->flags = get_u32(r);
	get_addr(r, &s->peer);
	s->t_start = get_u64(r);
	s->t_end = get_u64(r);
	for (int i = 0; i < 2; i++) {
		ht_ws_dir *d = &s->dir[i];
		d->frames = get_u64(r);
		d->messages = get_u64(r);
		d->text = get_u64(r);
		d->binary = get_u64(r);
		d->bytes = get_u64(r);
		d->compressed = get_u64(r);
		d->pings = get_u64(r);
		d->pongs = get_u64(r);
		d->errors = get_u32(r);
		d->close_code = get_u16(r);
		d->t_close = get_u64(r);
		d->close_reason = get_str(r);
	}
	for (int i = 0; i < 2; i++) {
		s->rtt[i].n = get_u32(r);
		s->rtt[i].sum = get_u64(r);
		s->rtt[i].min = get_u64(r);
		s->rtt[i].max = get_u64(r);
	}
	s->host = get_str(r);
	s->target = get_str(r);
	s->dns_name = get_str(r);
	s->peer_path = get_str(r);
	s->tunnel = get_str(r);
}

/* A lookup's end; more than HT_DNS_ADDRS addresses is a bad record. */
static void get_dns(rbuf *r, ht_rec_dns *d)
{
	d->pid = get_u32(r);
	d->lookup = get_u32(r);
	d->flags = get_u32(r);
	d->err = (int32_t)get_u32(r);
	d->sys_errno = (int32_t)get_u32(r);
	d->t_start = get_u64(r);
	d->t_done = get_u64(r);
	d->name = get_str(r);
	d->n_addrs = get_u8(r);
	if (d->n_addrs > HT_DNS_ADDRS) {
		r->bad = 1;
		return;
	}
	for (unsigned i = 0; i < d->n_addrs; i++)
		get_addr(r, &d->addrs[i]);
}

long ht_wire_decode(const uint8_t *buf, size_t len, ht_record *out)
{
	if (len < HT_WIRE_HDR_LEN) {
		/* Reject early what can never become a record. */
		if ((len >= 1 && buf[0] != HT_WIRE_MAGIC0) ||
		    (len >= 2 && buf[1] != HT_WIRE_MAGIC1) ||
		    (len >= 3 && buf[2] != HT_WIRE_VERSION))
			return -1;
		return 0;
	}
	if (buf[0] != HT_WIRE_MAGIC0 || buf[1] != HT_WIRE_MAGIC1 ||
	    buf[2] != HT_WIRE_VERSION)
		return -1;
	uint32_t rlen = (uint32_t)buf[4] | (uint32_t)buf[5] << 8 |
			(uint32_t)buf[6] << 16 | (uint32_t)buf[7] << 24;
	if (rlen < HT_WIRE_HDR_LEN || rlen > HT_WIRE_MAX_RECORD)
		return -1;
	if (rlen > len)
		return 0;

	if (buf[3] == HT_REC_REQUEST &&
	    decode_request_fast(buf, rlen, &out->u.req)) {
		out->type = HT_REC_REQUEST;
		return (long)rlen;
	}

	rbuf r = {buf, rlen, HT_WIRE_HDR_LEN, 0};
	memset(out, 0, sizeof *out);
	out->type = buf[3];

	switch (out->type) {
	case HT_REC_HELLO: {
		ht_rec_hello *h = &out->u.hello;
		h->pid = get_u32(&r);
		h->ppid = get_u32(&r);
		h->flags = get_u32(&r);
		h->exe = get_str(&r);
		h->image = get_u64_opt(&r);
		h->away = get_u64_opt(&r);
		h->away_requests = get_u64_opt(&r);
		break;
	}
	case HT_REC_REQUEST: {
		ht_rec_request *q = &out->u.req;
		q->pid = get_u32(&r);
		q->conn_id = get_u32(&r);
		q->req_seq = get_u32(&r);
		q->flags = get_u32(&r);
		q->status = get_u16(&r);
		q->proto = get_u8(&r);
		q->error = get_u8(&r);
		q->n_1xx = get_u16(&r);
		get_addr(&r, &q->peer);
		q->req_body_bytes = get_u64(&r);
		q->resp_body_bytes = get_u64(&r);
		q->req_header_bytes = get_u32(&r);
		q->resp_header_bytes = get_u32(&r);
		/* A newer sender may carry more timestamps: keep the ones we
		 * know, skip the rest. */
		uint8_t nt = get_u8(&r);
		for (unsigned i = 0; i < nt; i++) {
			uint64_t v = get_u64(&r);
			if (i < HT_T__COUNT)
				q->t[i] = v;
		}
		q->method = get_str(&r);
		q->target = get_str(&r);
		q->host = get_str(&r);
		q->dns_name = get_str(&r);
		q->reason = get_str(&r);
		q->content_type = get_str(&r);
		q->tls_version = get_str(&r);
		q->alpn = get_str(&r);
		q->req_headers = get_str(&r);
		q->resp_headers = get_str(&r);
		q->peer_path = get_str_opt(&r);
		q->tunnel = get_str_opt(&r);
		q->resp_proto = (uint8_t)get_u8_opt(&r);
		if (q->flags & HT_RF_GRPC)
			get_grpc(&r, &q->grpc);
		q->signal = (uint8_t)get_u8_opt(&r);
		q->phase = (uint8_t)get_u8_opt(&r);
		if (!r.bad && r.off < r.len) {
			get_addr(&r, &q->local);
			q->stream_id = get_u32(&r);
		}
		if (!r.bad && r.off < r.len) {
			q->thread = get_u32(&r);
			q->thread_seq = get_u32(&r);
		}
		if (q->error >= HT_ERR__COUNT)
			return -1;
		break;
	}
	case HT_REC_CONN_FAIL: {
		ht_rec_conn_fail *f = &out->u.fail;
		f->pid = get_u32(&r);
		f->conn_id = get_u32(&r);
		f->err = (int32_t)get_u32(&r);
		get_addr(&r, &f->peer);
		f->t_dns_start = get_u64(&r);
		f->t_dns_done = get_u64(&r);
		f->t_connect_start = get_u64(&r);
		f->t_fail = get_u64(&r);
		f->dns_name = get_str(&r);
		f->flags = get_u32(&r);
		f->t_connect_done = get_u64(&r);
		f->t_tls_start = get_u64(&r);
		f->error = (uint8_t)get_u8_opt(&r);
		f->signal = (uint8_t)get_u8_opt(&r);
		f->phase = (uint8_t)get_u8_opt(&r);
		f->tls_alert = (uint8_t)get_u8_opt(&r);
		if (f->error >= HT_ERR__COUNT)
			return -1;
		break;
	}
	case HT_REC_CONN_CLOSE: {
		ht_rec_conn_close *c = &out->u.close;
		c->pid = get_u32(&r);
		c->conn_id = get_u32(&r);
		c->requests = get_u32(&r);
		c->flags = get_u32(&r);
		get_addr(&r, &c->peer);
		c->t_close = get_u64(&r);
		c->t_idle_since = get_u64(&r);
		c->bytes_out = get_u64(&r);
		c->bytes_in = get_u64(&r);
		c->peer_path = get_str_opt(&r);
		c->t_connect_start = get_u64_opt(&r);
		c->t_connect_done = get_u64_opt(&r);
		c->t_tls_start = get_u64_opt(&r);
		c->t_tls_done = get_u64_opt(&r);
		c->sni = get_str_opt(&r);
		c->alpn_offered = get_str_opt(&r);
		c->tls_version = get_str_opt(&r);
		c->alpn = get_str_opt(&r);
		break;
	}
	case HT_REC_DROPS:
		out->u.drops.pid = get_u32(&r);
		out->u.drops.dropped = get_u64(&r);
		out->u.drops.produced = get_u64_opt(&r);
		out->u.drops.flags = get_u32_opt(&r);
		out->u.drops.req_dropped = get_u64_opt(&r);
		out->u.drops.req_produced = get_u64_opt(&r);
		break;
	case HT_REC_NOTE:
		out->u.note.pid = get_u32(&r);
		out->u.note.text = get_str(&r);
		break;
	case HT_REC_WS:
		get_ws(&r, &out->u.ws);
		break;
	case HT_REC_DNS:
		get_dns(&r, &out->u.dns);
		break;
	default:
		return -1;
	}
	/* Every field must lie inside the record; trailing bytes are allowed
	 * (fields a newer minor revision appended). */
	if (r.bad)
		return -1;
	return (long)rlen;
}
