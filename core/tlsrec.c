/*
 * tlsrec.c - the TLS record layer and hello messages, as far as they are
 * plaintext (see tlsrec.h).
 */
#include "tlsrec.h"

#include <string.h>

enum {
	REC_CCS = 20,
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	REC_APPDATA = 23,
	REC_HEARTBEAT = 24,
};

enum {
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
};

enum {
	EXT_SERVER_NAME = 0,
	EXT_ALPN = 16,
	EXT_SUPPORTED_VERSIONS = 43,
};

#define TLS13 0x0304u
#define TLS12 0x0303u
/* TLSCiphertext's largest payload (RFC 5246 6.2.3: 2^14 + 2048). */
#define REC_MAX (16384 + 2048)

bool tlsrec_starts(const uint8_t *buf, size_t len)
{
	if (len < 1 || buf[0] != REC_HANDSHAKE)
		return false;
	if (len >= 2 && buf[1] != 3)
		return false;
	return len < 3 || buf[2] <= 4;
}

void tlsrec_init(tlsrec *t)
{
	/* The hello buffer needs no clearing: buf_len says what it holds. */
	memset(t, 0, offsetof(tlsrec, buf));
}

void tlsrec_hello_passed(tlsrec *t, uint64_t t_start)
{
	t->client_hello = true;
	t->t_start = t_start;
	t->out.hs_done = true;
	t->out.records = 1;
}

const char *tlsrec_version_str(uint16_t v)
{
	switch (v) {
	case 0x0304: return "TLSv1.3";
	case 0x0303: return "TLSv1.2";
	case 0x0302: return "TLSv1.1";
	case 0x0301: return "TLSv1";
	case 0x0300: return "SSLv3";
	default: return NULL;
	}
}

/* ---- reading a hello body ------------------------------------------------ */

/* A cursor over bytes that may end early. */
typedef struct rd {
	const uint8_t *p;
	size_t len, off;
} rd;

static bool rd_u8(rd *r, uint32_t *v)
{
	if (r->len - r->off < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static bool rd_u16(rd *r, uint32_t *v)
{
	if (r->len - r->off < 2)
		return false;
	*v = (uint32_t)r->p[r->off] << 8 | r->p[r->off + 1];
	r->off += 2;
	return true;
}

/* Skip @n bytes; false when fewer are there. */
static bool rd_skip(rd *r, size_t n)
{
	if (r->len - r->off < n)
		return false;
	r->off += n;
	return true;
}

/* A sub-cursor over the next @n bytes (cut to what is there), which the
 * parent skips. */
static rd rd_sub(rd *r, size_t n)
{
	rd s = {r->p + r->off, r->len - r->off, 0};
	if (s.len > n)
		s.len = n;
	r->off += s.len;
	return s;
}

static bool is_grease(uint32_t v)
{
	return (v & 0x0f0fu) == 0x0a0au && (v >> 8) == (v & 0xffu);
}

/* server_name (RFC 6066, 3): the first host_name. */
static void ext_sni(tlsrec *t, rd e)
{
	uint32_t list, type, n;
	if (!rd_u16(&e, &list))
		return;
	rd l = rd_sub(&e, list);
	while (rd_u8(&l, &type) && rd_u16(&l, &n)) {
		if (type == 0 && n > 0 && l.len - l.off >= n) {
			size_t k = n < sizeof t->sni - 1 ? n : sizeof t->sni - 1;
			memcpy(t->sni, l.p + l.off, k);
			t->sni[k] = '\0';
			return;
		}
		if (!rd_skip(&l, n))
			return;
	}
}

/* application_layer_protocol_negotiation (RFC 7301, 3.1): the list, into
 * @dst (capacity @cap) comma-separated; names that do not fit whole are
 * left out. */
static void ext_alpn(rd e, char *dst, size_t cap)
{
	uint32_t list, n;
	size_t o = 0;
	dst[0] = '\0';
	if (!rd_u16(&e, &list))
		return;
	rd l = rd_sub(&e, list);
	while (rd_u8(&l, &n)) {
		if (l.len - l.off < n)
			return;
		size_t need = (o ? 1 : 0) + n;
		if (n > 0 && o + need < cap) {
			if (o)
				dst[o++] = ',';
			memcpy(dst + o, l.p + l.off, n);
			o += n;
			dst[o] = '\0';
		}
		l.off += n;
	}
}

/* supported_versions in a ClientHello (RFC 8446, 4.2.1): the highest. */
static void ext_versions_offered(tlsrec *t, rd e)
{
	uint32_t n, v;
	if (!rd_u8(&e, &n))
		return;
	rd l = rd_sub(&e, n);
	while (rd_u16(&l, &v))
		if (!is_grease(v) && v > t->offered)
			t->offered = (uint16_t)v;
}

/* Walk the extensions block at @r, calling back for each (cut to what is
 * there). */
static void walk_extensions(tlsrec *t, rd *r, bool client)
{
	uint32_t total, type, n;
	if (!rd_u16(r, &total))
		return; /* none (or cut here) */
	rd x = rd_sub(r, total);
	while (rd_u16(&x, &type) && rd_u16(&x, &n)) {
		rd e = rd_sub(&x, n);
		if (client && type == EXT_SERVER_NAME)
			ext_sni(t, e);
		else if (type == EXT_ALPN)
			ext_alpn(e, client ? t->alpn_offered : t->alpn,
				 client ? sizeof t->alpn_offered : sizeof t->alpn);
		else if (client && type == EXT_SUPPORTED_VERSIONS)
			ext_versions_offered(t, e);
		else if (!client && type == EXT_SUPPORTED_VERSIONS) {
			uint32_t v;
			if (rd_u16(&e, &v))
				t->version = (uint16_t)v;
		}
	}
}

bool tlsrec_parse_client_hello(tlsrec *t, const uint8_t *b, size_t len)
{
	rd r = {b, len, 0};
	uint32_t v, n;
	t->client_hello = true;
	if (!rd_u16(&r, &v))
		return false;
	t->offered = (uint16_t)v;
	/* random, legacy_session_id, cipher_suites, compression methods */
	if (!rd_skip(&r, 32) || !rd_u8(&r, &n) || n > 32 || !rd_skip(&r, n) ||
	    !rd_u16(&r, &n) || !rd_skip(&r, n) || !rd_u8(&r, &n) ||
	    !rd_skip(&r, n))
		return false;
	walk_extensions(t, &r, true);
	return true;
}

bool tlsrec_parse_server_hello(tlsrec *t, const uint8_t *b, size_t len)
{
	rd r = {b, len, 0};
	uint32_t v, n;
	t->server_hello = true;
	if (!rd_u16(&r, &v))
		return false;
	t->version = (uint16_t)v;
	/* random, legacy_session_id_echo, cipher_suite, compression */
	if (!rd_skip(&r, 32) || !rd_u8(&r, &n) || n > 32 || !rd_skip(&r, n) ||
	    !rd_skip(&r, 3))
		return false;
	/* supported_versions overrides the legacy version (1.3) */
	walk_extensions(t, &r, false);
	return true;
}

/* ---- the record layer ---------------------------------------------------- */

/* The first handshake message of @d has all its body: parse it. */
static void hello_done(tlsrec *t, tlsrec_dir *d, bool out)
{
	d->hs_done = true;
	if (out)
		tlsrec_parse_client_hello(t, t->buf, t->buf_len);
	else
		tlsrec_parse_server_hello(t, t->buf, t->buf_len);
	t->buf_len = 0;
}

/* Handshake-record payload bytes of @d before its ChangeCipherSpec. */
static void handshake_bytes(tlsrec *t, tlsrec_dir *d, bool out,
			    const uint8_t *p, size_t n)
{
	tlsrec_dir *other = out ? &t->in : &t->out;
	while (n > 0 && !d->hs_done) {
		if (d->hs_hdr_len < 4) {
			d->hs_hdr[d->hs_hdr_len++] = *p++;
			n--;
			if (d->hs_hdr_len < 4)
				continue;
			d->hs_len = (uint32_t)d->hs_hdr[1] << 16 |
				    (uint32_t)d->hs_hdr[2] << 8 | d->hs_hdr[3];
			uint8_t want = out ? HS_CLIENT_HELLO : HS_SERVER_HELLO;
			/* One buffer serves both hellos, one after the
			 * other: the other side's, still under way, keeps
			 * it (never seen in practice). */
			bool busy = other->hs_hdr_len == 4 && !other->hs_done;
			if (d->hs_hdr[0] != want || busy) {
				d->hs_done = true;
				return;
			}
			t->buf_len = 0;
			if (d->hs_len == 0)
				hello_done(t, d, out);
			continue;
		}
		size_t k = d->hs_len - d->hs_got;
		if (k > n)
			k = n;
		size_t keep = sizeof t->buf - t->buf_len;
		if (keep > k)
			keep = k;
		memcpy(t->buf + t->buf_len, p, keep);
		t->buf_len += (uint32_t)keep;
		d->hs_got += (uint32_t)k;
		p += k;
		n -= k;
		if (d->hs_got == d->hs_len)
			hello_done(t, d, out);
	}
}

/* Whether the record of @type and @len payload bytes beginning on @d is
 * an alert in the clear: two bytes (an encrypted one has a MAC or tag,
 * and in TLS 1.3 the type application_data), and in TLS 1.2 and older
 * before the side's ChangeCipherSpec. */
static bool clear_alert(const tlsrec *t, const tlsrec_dir *d, uint8_t type,
			uint32_t len)
{
	if (type != REC_ALERT || len != 2)
		return false;
	return !d->ccs || t->version == 0 || t->version >= TLS13;
}

/* A record of @type with @len payload bytes begins on @d at @now. */
static void record_begins(tlsrec *t, tlsrec_dir *d, bool out, uint8_t type,
			  uint32_t len, uint64_t now)
{
	bool tls13 = t->server_hello && t->version == TLS13;
	d->records++;
	d->alert_rec = clear_alert(t, d, type, len);
	d->alert_got = 0;
	if (type == REC_APPDATA && !tls13)
		t->appdata = true;
	if (type == REC_CCS) {
		d->ccs = true;
		return;
	}
	if (d->ccs && !d->finished) {
		d->finished = true;
		if (t->server_hello && t->version != 0 && t->version <= TLS12 &&
		    t->out.finished && t->in.finished)
			t->t_done = now;
	}
	if (out && type == REC_APPDATA && tls13 && len >= TLSREC_FINISHED13_MIN)
		t->t_done = now;
}

/* Payload bytes of a clear alert record on @d (@out: the client's): the
 * first alert seen is kept, a fatal one in place of a warning. */
static void alert_bytes(tlsrec *t, tlsrec_dir *d, bool out, const uint8_t *p,
			size_t n)
{
	while (n > 0 && d->alert_got < sizeof d->alert_buf) {
		d->alert_buf[d->alert_got++] = *p++;
		n--;
	}
	if (d->alert_got < sizeof d->alert_buf)
		return;
	d->alert_rec = false;
	if (t->alert && (t->alert_level == 2 || d->alert_buf[0] != 2))
		return;
	t->alert = true;
	t->alert_out = out;
	t->alert_level = d->alert_buf[0];
	t->alert_desc = d->alert_buf[1];
}

void tlsrec_feed(tlsrec *t, bool out, const uint8_t *buf, size_t len,
		 uint64_t now)
{
	tlsrec_dir *d = out ? &t->out : &t->in;
	if (out && !t->t_start && len > 0)
		t->t_start = now;
	while (len > 0 && !t->bad && !t->t_done) {
		if (d->hdr_len < 5) {
			d->hdr[d->hdr_len++] = *buf++;
			len--;
			if (d->hdr_len < 5)
				continue;
			uint8_t type = d->hdr[0];
			uint32_t n = (uint32_t)d->hdr[3] << 8 | d->hdr[4];
			if (type < REC_CCS || type > REC_HEARTBEAT ||
			    d->hdr[1] != 3 || n > REC_MAX) {
				t->bad = true;
				return;
			}
			d->left = (uint16_t)n;
			record_begins(t, d, out, type, n, now);
			if (d->left == 0)
				d->hdr_len = 0;
			continue;
		}
		size_t k = d->left < len ? d->left : len;
		if (d->hdr[0] == REC_HANDSHAKE && !d->ccs && !d->hs_done)
			handshake_bytes(t, d, out, buf, k);
		else if (d->alert_rec)
			alert_bytes(t, d, out, buf, k);
		buf += k;
		len -= k;
		d->left -= (uint16_t)k;
		if (d->left == 0)
			d->hdr_len = 0;
	}
}

enum tlsrec_verdict tlsrec_verdict(const tlsrec *t)
{
	if (t->bad || !t->client_hello)
		return TLSREC_NO_FAILURE;
	if (t->alert && t->alert_level == 2 && !t->t_done)
		return TLSREC_FAILED_ALERT;
	if (t->t_done || t->appdata)
		return TLSREC_NO_FAILURE;
	return t->alert ? TLSREC_FAILED_ALERT : TLSREC_FAILED_CLOSED;
}

const char *tlsrec_alert_name(uint8_t desc)
{
	switch (desc) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 21: return "decryption_failed";
	case 22: return "record_overflow";
	case 30: return "decompression_failure";
	case 40: return "handshake_failure";
	case 41: return "no_certificate";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 60: return "export_restriction";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 111: return "certificate_unobtainable";
	case 112: return "unrecognized_name";
	case 113: return "bad_certificate_status_response";
	case 114: return "bad_certificate_hash_value";
	case 115: return "unknown_psk_identity";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return NULL;
	}
}
