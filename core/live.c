/* live.c - requests in flight in a page shared with the collector; see live.h. */
#include "live.h"

#include <string.h>
#include <sys/socket.h>

void ht_live_init(ht_live *l)
{
	l->magic = HT_COUNTERS_MAGIC;
	l->version = HT_LIVE_VERSION;
	l->size = HT_LIVE_SIZE;
	l->n_reqs = HT_LIVE_REQS;
	l->n_conns = HT_LIVE_CONNS;
}

void ht_live_read_begin(ht_live *l)
{
	if (__atomic_load_n(&l->version, __ATOMIC_RELAXED) < 8)
		return;
	__atomic_store_n(&l->read_at, HT_LIVE_READING, __ATOMIC_SEQ_CST);
	/* (before the slots are read: a store then loads) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void ht_live_read_end(ht_live *l, uint64_t now)
{
	uint32_t version = __atomic_load_n(&l->version, __ATOMIC_RELAXED);

	if (version < 8)
		return;
	if (version >= 9)
		now = HT_LIVE_READ_DONE;
	else if (now == 0 || now == HT_LIVE_READING)
		now = HT_LIVE_READING - 1; /* (never "none", never "reading") */
	__atomic_store_n(&l->read_at, now, __ATOMIC_SEQ_CST);
}

unsigned ht_live_mark(const ht_live *l)
{
	/* (after the slot's writes or its release: stores then a load) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t at = __atomic_load_n(&l->read_at, __ATOMIC_SEQ_CST);

	if (at == 0)
		return HT_LIVE_MARK_NONE;
	return at == HT_LIVE_READING ? HT_LIVE_MARK_READING : HT_LIVE_MARK_DONE;
}

void ht_live_count_taken(ht_live *l, bool request)
{
	__atomic_add_fetch(&l->produced, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->dropped, 1, __ATOMIC_RELAXED);
	if (!request)
		return;
	__atomic_add_fetch(&l->req_counts.produced, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&l->req_counts.dropped, 1, __ATOMIC_RELAXED);
}

void ht_live_mark_client(ht_live *l)
{
	__atomic_store_n(&l->client_loopback, 1, __ATOMIC_SEQ_CST);
}

bool ht_live_may_have_client(const ht_live *l, size_t len)
{
	if (!ht_live_size_known(len) ||
	    __atomic_load_n(&l->version, __ATOMIC_RELAXED) < 5)
		return true;
	return __atomic_load_n(&l->client_loopback, __ATOMIC_ACQUIRE) != 0;
}

bool ht_live_addr_loopback(const ht_addr *a)
{
	static const uint8_t one6[16] = {[15] = 1};
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (a->family == AF_INET)
		return a->addr[0] == 127;
	if (a->family != AF_INET6)
		return false;
	if (memcmp(a->addr, v4mapped, sizeof(v4mapped)) == 0)
		return a->addr[12] == 127;
	return memcmp(a->addr, one6, sizeof(one6)) == 0;
}

/* Take a clear bit of the bitmap @used, whose bits past @n are never
 * free: its index + 1, or 0 when none is (the caller counts it). */
static unsigned claim_bit(uint64_t *used_p, unsigned n)
{
	uint64_t full = n >= 64 ? ~0ull : (1ull << n) - 1;
	uint64_t used = __atomic_load_n(used_p, __ATOMIC_RELAXED);

	for (;;) {
		if ((used & full) == full)
			return 0;
		unsigned i = (unsigned)__builtin_ctzll(~used);
		if (__atomic_compare_exchange_n(used_p, &used,
						used | (1ull << i), true,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return i + 1;
	}
}

bool ht_live_size_known(size_t len)
{
	return len == HT_LIVE_SIZE || len == HT_LIVE_SIZE_V5;
}

/* Copy the @n bytes of slot @slot, whose counter is @seq, into @out, and
 * the @extra_n bytes of its entry @extra (NULL: none) into @extra_out
 * (a TLS or response entry), when no writer was at them meanwhile: true;
 * false when every try found them being written (torn). */
static bool seq_copy_entry(const uint32_t *seq, const void *slot, void *out,
			   size_t n, const void *extra, void *extra_out,
			   size_t extra_n)
{
	for (unsigned tries = 0; tries < HT_LIVE_READ_TRIES; tries++) {
		uint32_t s1 = __atomic_load_n(seq, __ATOMIC_ACQUIRE);

		if (s1 & 1)
			continue;
		memcpy(out, slot, n);
		if (extra != NULL)
			memcpy(extra_out, extra, extra_n);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(seq, __ATOMIC_RELAXED) == s1)
			return true;
	}
	return false;
}

/* seq_copy_entry() with a TLS entry @tls (NULL: none). */
static bool seq_copy(const uint32_t *seq, const void *slot, void *out,
		     size_t n, const ht_live_tls *tls, ht_live_tls *tls_out)
{
	return seq_copy_entry(seq, slot, out, n, tls, tls_out,
			      sizeof(*tls_out));
}

unsigned ht_live_claim(ht_live *l)
{
	unsigned ref = claim_bit(&l->used, HT_LIVE_REQS);

	if (ref == 0)
		__atomic_add_fetch(&l->overflow, 1, __ATOMIC_RELAXED);
	return ref;
}

uint32_t ht_live_unlisted(const ht_live *l, size_t len)
{
	if (!ht_live_size_known(len) ||
	    __atomic_load_n(&l->version, __ATOMIC_RELAXED) < 7)
		return 0;
	uint32_t n = __atomic_load_n(&l->unlisted, __ATOMIC_ACQUIRE);

	return n <= HT_LIVE_UNLISTED_MAX ? n : 0;
}

unsigned ht_live_conn_claim(ht_live *l)
{
	unsigned ref = claim_bit(&l->conns_used, HT_LIVE_CONNS);

	if (ref == 0)
		__atomic_add_fetch(&l->conns_overflow, 1, __ATOMIC_RELAXED);
	return ref;
}

ht_live_conn *ht_live_conn_write_begin(ht_live *l, unsigned ref)
{
	if (ref == 0 || ref > HT_LIVE_CONNS)
		return NULL;
	ht_live_conn *s = &l->conns[ref - 1];
	ht_live_seq_begin(&s->seq);
	return s;
}

void ht_live_conn_write_end(ht_live_conn *s)
{
	ht_live_seq_end(&s->seq);
}

void ht_live_conn_release(ht_live *l, unsigned ref)
{
	ht_live_conn *s = ht_live_conn_write_begin(l, ref);

	if (s == NULL)
		return;
	s->active = 0;
	ht_live_conn_write_end(s);
	__atomic_and_fetch(&l->conns_used, ~(1ull << (ref - 1)),
			   __ATOMIC_RELEASE);
}

unsigned ht_live_conn_connecting(ht_live *l, uint32_t conn_id, uint64_t t0,
				 const char *name)
{
	unsigned ref = ht_live_conn_claim(l);
	ht_live_conn *s = ht_live_conn_write_begin(l, ref);

	if (s == NULL)
		return 0;
	s->active = 1;
	s->tls = 0;
	s->kind = HT_LIVE_CONNECTION;
	s->side = HT_LIVE_CLIENT;
	s->conn_id = conn_id;
	memset(&s->peer, 0, sizeof(s->peer));
	s->t_dns_start = s->t_dns_done = 0;
	s->t_connect_start = t0;
	s->t_connect_done = s->t_tls_start = s->t_tls_done = 0;
	ht_live_copy_str(s->name, sizeof(s->name), name);
	ht_live_tls_set(ht_live_conn_tls(l, ref), NULL, NULL);
	ht_live_conn_write_end(s);
	return ref;
}

/* The TLS entry @t of a slot just copied into @out (NULL: not wanted),
 * its strings bounded; @t NULL (a page older than version 4): empty. */
static void tls_bound(const ht_live_tls *t, ht_live_tls *out)
{
	if (out == NULL)
		return;
	if (t == NULL) {
		out->version[0] = out->alpn[0] = '\0';
		return;
	}
	out->version[sizeof(out->version) - 1] = '\0';
	out->alpn[sizeof(out->alpn) - 1] = '\0';
}

int ht_live_conn_read_tls(const ht_live *l, unsigned i, ht_live_conn *out,
			  ht_live_tls *tls)
{
	if (i >= HT_LIVE_CONNS || l->version < 3)
		return 0;
	const ht_live_conn *s = &l->conns[i];
	const ht_live_tls *t = tls != NULL && l->version >= 4 ?
				       &l->conn_tls[i] : NULL;
	if (!seq_copy(&s->seq, (const void *)s, out, sizeof(*out), t, tls))
		return -1;
	out->name[sizeof(out->name) - 1] = '\0';
	tls_bound(t, tls);
	return out->active ? 1 : 0;
}

int ht_live_conn_read(const ht_live *l, unsigned i, ht_live_conn *out)
{
	return ht_live_conn_read_tls(l, i, out, NULL);
}

ht_live_tls *ht_live_conn_tls(ht_live *l, unsigned ref)
{
	return ref == 0 || ref > HT_LIVE_CONNS ? NULL : &l->conn_tls[ref - 1];
}

/* Copy @src (NULL: none) into @dst of @cap bytes when it fits whole, else
 * leave @dst empty. */
static void copy_whole(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strnlen(src, cap) : 0;

	if (n == cap)
		n = 0;
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
}

void ht_live_tls_store(ht_live_tls *t, const char *version,
		       const char *alpn)
{
	copy_whole(t->version, sizeof(t->version), version);
	copy_whole(t->alpn, sizeof(t->alpn), alpn);
}

unsigned ht_live_conn_phase(const ht_live_conn *s)
{
	if (s->t_tls_start)
		return s->t_tls_done ? HT_PH_NONE : HT_PH_TLS;
	if (s->t_connect_start)
		return s->t_connect_done ? HT_PH_NONE : HT_PH_CONNECT;
	if (s->t_dns_start)
		return s->t_dns_done ? HT_PH_NONE : HT_PH_DNS;
	return HT_PH_NONE;
}

void ht_live_release(ht_live *l, unsigned ref)
{
	ht_live_req *s = ht_live_write_begin(l, ref);

	if (s == NULL)
		return;
	s->active = 0;
	ht_live_write_end(s);
	__atomic_and_fetch(&l->used, ~(1ull << (ref - 1)), __ATOMIC_RELEASE);
}

ht_live_wmark *ht_live_wmark_claim(ht_live *l, uint32_t conn_id)
{
	unsigned ref = claim_bit(&l->wmarks_used, HT_LIVE_WMARKS);

	if (ref == 0)
		return NULL;
	ht_live_wmark *w = &l->wmarks[ref - 1];
	__atomic_store_n(&w->begun, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->ended, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->conn_id, conn_id, __ATOMIC_RELEASE);
	return w;
}

void ht_live_wmark_release(ht_live *l, ht_live_wmark *w)
{
	if (w == NULL)
		return;
	__atomic_store_n(&w->conn_id, 0, __ATOMIC_RELAXED);
	__atomic_and_fetch(&l->wmarks_used,
			   ~(1ull << (unsigned)(w - l->wmarks)),
			   __ATOMIC_RELEASE);
}

int ht_live_wmark_read(const ht_live *l, unsigned i, ht_live_wmark *out)
{
	if (i >= HT_LIVE_WMARKS ||
	    !(__atomic_load_n(&l->wmarks_used, __ATOMIC_ACQUIRE) & (1ull << i)))
		return 0;
	const ht_live_wmark *w = &l->wmarks[i];
	out->conn_id = __atomic_load_n(&w->conn_id, __ATOMIC_ACQUIRE);
	out->begun = __atomic_load_n(&w->begun, __ATOMIC_ACQUIRE);
	out->ended = __atomic_load_n(&w->ended, __ATOMIC_ACQUIRE);
	out->pad = 0;
	return out->conn_id != 0;
}

void ht_live_copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strnlen(src, cap - 1) : 0;

	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
}

int ht_live_read_tls(const ht_live *l, unsigned i, ht_live_req *out,
		     ht_live_tls *tls)
{
	if (i >= HT_LIVE_REQS)
		return 0;
	const ht_live_req *s = &l->reqs[i];
	const ht_live_tls *t = tls != NULL && l->version >= 4 ?
				       &l->req_tls[i] : NULL;
	if (!seq_copy(&s->seq, (const void *)s, out, sizeof(*out), t, tls))
		return -1;
	out->method[sizeof(out->method) - 1] = '\0';
	out->target[sizeof(out->target) - 1] = '\0';
	out->host[sizeof(out->host) - 1] = '\0';
	tls_bound(t, tls);
	return out->active ? 1 : 0;
}

int ht_live_read(const ht_live *l, unsigned i, ht_live_req *out)
{
	return ht_live_read_tls(l, i, out, NULL);
}

int ht_live_read_resp(const ht_live *l, size_t len, unsigned i,
		      ht_live_req *out, ht_live_resp *resp)
{
	if (i >= HT_LIVE_REQS)
		return 0;
	const ht_live_req *s = &l->reqs[i];
	/* bounded by what is mapped, not by the version the page says */
	const ht_live_resp *e = len >= HT_LIVE_SIZE && l->version >= 6 ?
					&l->req_resp[i] : NULL;
	memset(resp, 0, sizeof(*resp));
	if (!seq_copy_entry(&s->seq, (const void *)s, out, sizeof(*out), e,
			    resp, sizeof(*resp)))
		return -1;
	out->method[sizeof(out->method) - 1] = '\0';
	out->target[sizeof(out->target) - 1] = '\0';
	out->host[sizeof(out->host) - 1] = '\0';
	return out->active ? 1 : 0;
}

bool ht_live_read_req_body(const ht_live *l, size_t len, unsigned i,
			   uint64_t *n)
{
	uint64_t v;

	*n = 0;
	/* bounded by what is mapped, and zero in older pages */
	if (i >= HT_LIVE_REQS || len < HT_LIVE_SIZE || l->version < 10)
		return false;
	v = __atomic_load_n(&l->req_body[i], __ATOMIC_RELAXED);
	if (v == 0)
		return false;
	*n = v - 1;
	return true;
}

void ht_live_cut_resp_of(const ht_live_req *q, const ht_live_resp *e,
			 ht_live_cut_resp *out)
{
	memset(out, 0, sizeof(*out));
	if (q->t[HT_T_FIRST_BYTE] == 0)
		return; /* no response byte yet: none, known */
	/* the interim responses, counted whether the rest was kept or not
	 * (a page without the count shows the first one's time only) */
	out->n_1xx = e->n_1xx ? e->n_1xx : (q->t[HT_T_GOT_1XX] != 0);
	if (!e->kept) {
		out->header_unknown = out->body_unknown = true;
		return;
	}
	out->body_bytes = e->body_bytes;
	if (e->status == 0) {
		/* its header section not whole yet: no status; its size so
		 * far when the library kept it (ht_live_resp_head_part()) */
		out->header_bytes = e->header_bytes;
		out->header_unknown = e->header_bytes == 0;
		return;
	}
	out->status = e->status;
	out->header_bytes = e->header_bytes;
}

unsigned ht_live_phase(const uint64_t t[HT_T__COUNT], bool final_begun)
{
	/* answered early, the request still being written */
	if (t[HT_T_RESPONSE_DONE] && !t[HT_T_WROTE_REQUEST])
		return HT_PH_SEND;
	/* an interim response (100 Continue) set the first byte's time, but
	 * the request is still being written and no final response began:
	 * the body comes next.  Once the final one began (an early 413
	 * after the 100), it is being received, as without the 100. */
	if (t[HT_T_GOT_1XX] && t[HT_T_GOT_CONN] && !t[HT_T_WROTE_REQUEST] &&
	    !final_begun)
		return HT_PH_SEND;
	if (t[HT_T_FIRST_BYTE])
		return HT_PH_RECEIVE;
	if (t[HT_T_WROTE_REQUEST])
		return HT_PH_WAIT_FIRST_BYTE;
	if (t[HT_T_GOT_CONN])
		return HT_PH_SEND;
	if (t[HT_T_TLS_START])
		return HT_PH_TLS;
	if (t[HT_T_CONNECT_START])
		return HT_PH_CONNECT;
	if (t[HT_T_DNS_START])
		return HT_PH_DNS;
	return HT_PH_NONE;
}

unsigned ht_live_req_phase(const ht_live_req *s)
{
	if (s->kind == HT_LIVE_WEBSOCKET)
		return HT_PH_WEBSOCKET;
	/* the slot alone: its response entry not read, no final response
	 * known to have begun */
	return ht_live_phase(s->t, false);
}

/* Each phase's name and words, a client's and a server's (wire.h, "A
 * server's record": the same moments, their direction turned round; the
 * finished record's phases are accept_ms, tls_ms, read_ms, processing_ms
 * and write_ms).  A server has no DNS phase: that entry keeps a client's
 * names. */
static const char *const phase_names[HT_PH__COUNT][2][2] = {
	[HT_PH_DNS] = { { "dns", "resolving the name" },
			{ "dns", "resolving the name" } },
	[HT_PH_CONNECT] = { { "connect", "connecting" },
			    { "accept", "waiting for the request" } },
	[HT_PH_TLS] = { { "tls", "in the TLS handshake" },
			{ "tls", "in the TLS handshake" } },
	[HT_PH_SEND] = { { "send", "sending the request" },
			 { "read", "reading the request" } },
	[HT_PH_WAIT_FIRST_BYTE] = { { "wait_first_byte",
				      "waiting for the first byte" },
				    { "processing", "processing the request" } },
	[HT_PH_RECEIVE] = { { "receive", "receiving the response" },
			    { "write", "writing the response" } },
	[HT_PH_WEBSOCKET] = { { "websocket", "WebSocket session open" },
			      { "websocket", "WebSocket session open" } },
};

const char *ht_live_phase_name(unsigned phase)
{
	return ht_live_side_phase_name(phase, false);
}

const char *ht_live_phase_text(unsigned phase)
{
	return ht_live_side_phase_text(phase, false);
}

const char *ht_live_side_phase_name(unsigned phase, bool server)
{
	return phase < HT_PH__COUNT ? phase_names[phase][server][0] : NULL;
}

const char *ht_live_side_phase_text(unsigned phase, bool server)
{
	return phase < HT_PH__COUNT ? phase_names[phase][server][1] : NULL;
}
