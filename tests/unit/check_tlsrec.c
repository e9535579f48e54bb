/* check_tlsrec.c - the TLS record layer follower (preload/tlsrec.c), on
 * handshakes captured from OpenSSL (tlsrec_fixtures.h). */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "tlsrec.h"
#include "tlsrec_fixtures.h"

static tlsrec T;

/* Feed chunks [0, n) of @c, chunk i at time i + 1; chunk @split_at (if
 * < n) in two pieces cut at @cut, or (cut == 0) byte by byte. */
static void replay(const tls_chunk *c, size_t n, size_t split_at, size_t cut)
{
	tlsrec_init(&T);
	for (size_t i = 0; i < n; i++) {
		uint64_t now = i + 1;
		if (i != split_at) {
			tlsrec_feed(&T, c[i].out, c[i].p, c[i].len, now);
		} else if (cut == 0) {
			for (size_t k = 0; k < c[i].len; k++)
				tlsrec_feed(&T, c[i].out, c[i].p + k, 1, now);
		} else {
			tlsrec_feed(&T, c[i].out, c[i].p, cut, now);
			tlsrec_feed(&T, c[i].out, c[i].p + cut, c[i].len - cut, now);
		}
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check13(void)
{
	ck_assert(!T.bad);
	ck_assert(T.client_hello && T.server_hello);
	ck_assert_str_eq(T.sni, "example.test");
	ck_assert_str_eq(T.alpn_offered, "h2,http/1.1");
	ck_assert_uint_eq(T.offered, 0x0304);
	ck_assert_uint_eq(T.version, 0x0304);
	ck_assert_str_eq(T.alpn, ""); /* encrypted in TLS 1.3 */
	ck_assert_uint_eq(T.t_start, 1);
	/* the client's third chunk: its CCS, then its Finished */
	ck_assert_uint_eq(T.t_done, 3);
	ck_assert(!T.alert);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}

static void check12(void)
{
	ck_assert(!T.bad);
	ck_assert_str_eq(T.sni, "example.test");
	ck_assert_str_eq(T.alpn_offered, "h2,http/1.1");
	ck_assert_uint_eq(T.version, 0x0303);
	ck_assert_str_eq(T.alpn, "h2"); /* in the clear before 1.3 */
	ck_assert_uint_eq(T.t_start, 1);
	/* the server's CCS and Finished, after the client's */
	ck_assert_uint_eq(T.t_done, 4);
	ck_assert(!T.alert);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}

START_TEST(tls13_whole)
{
	replay(tls13, N(tls13), N(tls13), 0);
	check13();
	ck_assert_str_eq(tlsrec_version_str(T.version), "TLSv1.3");
}
END_TEST

START_TEST(tls12_whole)
{
	replay(tls12, N(tls12), N(tls12), 0);
	check12();
	ck_assert_str_eq(tlsrec_version_str(T.version), "TLSv1.2");
}
END_TEST

/* Every chunk cut at every point, and byte by byte. */
START_TEST(tls13_every_split)
{
	for (size_t i = 0; i < N(tls13); i++) {
		replay(tls13, N(tls13), i, 0);
		check13();
		for (size_t cut = 1; cut < tls13[i].len; cut++) {
			replay(tls13, N(tls13), i, cut);
			check13();
		}
	}
}
END_TEST

START_TEST(tls12_every_split)
{
	for (size_t i = 0; i < N(tls12); i++) {
		replay(tls12, N(tls12), i, 0);
		check12();
		for (size_t cut = 1; cut < tls12[i].len; cut++) {
			replay(tls12, N(tls12), i, cut);
			check12();
		}
	}
}
END_TEST

/* The ClientHello's record (tls13_0) re-framed as records of @frag
 * payload bytes each, into @out; returns the length. */
static size_t reframe(uint8_t *out, const uint8_t *rec, size_t len, size_t frag)
{
	const uint8_t *msg = rec + 5;
	size_t mlen = len - 5, o = 0;
	for (size_t i = 0; i < mlen; i += frag) {
		size_t k = mlen - i < frag ? mlen - i : frag;
		out[o++] = 0x16;
		out[o++] = 0x03;
		out[o++] = 0x01;
		out[o++] = (uint8_t)(k >> 8);
		out[o++] = (uint8_t)k;
		memcpy(out + o, msg + i, k);
		o += k;
	}
	return o;
}

/* A ClientHello split across records (RFC 8446 5.1 allows any
 * fragmentation of handshake messages). */
START_TEST(client_hello_fragmented)
{
	static uint8_t buf[8192];
	for (size_t frag = 1; frag <= 64; frag++) {
		size_t n = reframe(buf, tls13_0, sizeof tls13_0, frag);
		tlsrec_init(&T);
		tlsrec_feed(&T, true, buf, n, 1);
		ck_assert(!T.bad);
		ck_assert(T.client_hello);
		ck_assert_str_eq(T.sni, "example.test");
		ck_assert_str_eq(T.alpn_offered, "h2,http/1.1");
		ck_assert_uint_eq(T.offered, 0x0304);
	}
}
END_TEST

/* A ClientHello bigger than what is kept: a padding extension of 3000
 * bytes put first.  The fields past the kept bytes are not found; the
 * record layer is still followed to the handshake's end. */
START_TEST(client_hello_too_big)
{
	static uint8_t ch[8192];
	const uint8_t *src = tls13_0;
	/* record(5) hs(4) version(2) random(32) sid(1+n) ciphers(2+n)
	 * compression(1+n) extensions(2+n) */
	size_t o = 5 + 4 + 2 + 32;
	o += 1 + src[o];
	o += 2 + ((size_t)src[o] << 8 | src[o + 1]);
	o += 1 + src[o];
	size_t ext_len = (size_t)src[o] << 8 | src[o + 1];
	const size_t pad = 3000;
	memcpy(ch, src, o);
	size_t e = ext_len + 4 + pad;
	ch[o] = (uint8_t)(e >> 8);
	ch[o + 1] = (uint8_t)e;
	uint8_t *x = ch + o + 2;
	x[0] = 0;
	x[1] = 21; /* padding */
	x[2] = (uint8_t)(pad >> 8);
	x[3] = (uint8_t)pad;
	memset(x + 4, 0, pad);
	memcpy(x + 4 + pad, src + o + 2, ext_len);
	size_t total = o + 2 + e;
	size_t hs = total - 9, rec = total - 5;
	ch[3] = (uint8_t)(rec >> 8);
	ch[4] = (uint8_t)rec;
	ch[6] = (uint8_t)(hs >> 16);
	ch[7] = (uint8_t)(hs >> 8);
	ch[8] = (uint8_t)hs;

	tlsrec_init(&T);
	tlsrec_feed(&T, true, ch, total, 1);
	for (size_t i = 1; i < N(tls13); i++)
		tlsrec_feed(&T, tls13[i].out, tls13[i].p, tls13[i].len, i + 1);
	ck_assert(!T.bad);
	ck_assert(T.client_hello);
	ck_assert_str_eq(T.sni, "");
	ck_assert_uint_eq(T.version, 0x0304);
	ck_assert_uint_eq(T.t_done, 3);
}
END_TEST

START_TEST(not_tls)
{
	static const uint8_t get[] = "GET / HTTP/1.1\r\n\r\n";
	ck_assert(!tlsrec_starts(get, sizeof get - 1));
	ck_assert(tlsrec_starts(tls13_0, 1));
	ck_assert(tlsrec_starts(tls13_0, 3));
	ck_assert(!tlsrec_starts((const uint8_t *)"\x16\x02", 2));
	ck_assert(!tlsrec_starts((const uint8_t *)"\x16\x03\x09", 3));
	tlsrec_init(&T);
	tlsrec_feed(&T, true, tls13_0, sizeof tls13_0, 1);
	/* then the server answers with something else */
	tlsrec_feed(&T, false, get, sizeof get - 1, 2);
	ck_assert(T.bad);
	ck_assert_str_eq(T.sni, "example.test");
	ck_assert_uint_eq(T.t_done, 0);
}
END_TEST

/* Hello bodies cut at every length: nothing read past the end. */
START_TEST(hello_cut_everywhere)
{
	const uint8_t *body = tls13_0 + 9;
	size_t len = sizeof tls13_0 - 9;
	for (size_t n = 0; n <= len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, body, n);
		tlsrec_init(&T);
		tlsrec_parse_client_hello(&T, copy, n);
		tlsrec_parse_server_hello(&T, copy, n);
		free(copy);
	}
	tlsrec_init(&T);
	ck_assert(tlsrec_parse_client_hello(&T, body, len));
	ck_assert_str_eq(T.sni, "example.test");
}
END_TEST

/* Feed @len bytes of @p as written (@out) at @now, byte by byte when
 * @bytewise. */
static void feed(bool out, const uint8_t *p, size_t len, uint64_t now,
		 bool bytewise)
{
	if (!bytewise) {
		tlsrec_feed(&T, out, p, len, now);
		return;
	}
	for (size_t k = 0; k < len; k++)
		tlsrec_feed(&T, out, p + k, 1, now);
}

/* TLS 1.2: the client rejects the server's certificate after its flight:
 * a fatal certificate_unknown in the clear (Java's SSLSocket). */
START_TEST(tls12_client_alert)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 46};
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		replay(tls12, 2, 2, 0);
		feed(true, alert, sizeof alert, 3, bytewise);
		ck_assert(T.alert && T.alert_out);
		ck_assert_uint_eq(T.alert_level, 2);
		ck_assert_uint_eq(T.alert_desc, 46);
		ck_assert_uint_eq(T.t_done, 0);
		ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_ALERT);
		ck_assert_str_eq(tlsrec_alert_name(T.alert_desc),
				 "certificate_unknown");
	}
}
END_TEST

/* The server refuses the ClientHello: handshake_failure in the clear, in
 * the same read as nothing else (TLS 1.3 too: before its ServerHello). */
START_TEST(server_alert_before_hello)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40};
	replay(tls13, 1, 1, 0);
	tlsrec_feed(&T, false, alert, sizeof alert, 2);
	ck_assert(T.alert && !T.alert_out);
	ck_assert_uint_eq(T.alert_desc, 40);
	ck_assert(!T.server_hello);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_ALERT);
	ck_assert_str_eq(tlsrec_alert_name(40), "handshake_failure");
}
END_TEST

/* TLS 1.3: the client rejects the certificate after the ServerHello: its
 * alert is encrypted (an application_data record of 2 + 1 + 16 bytes),
 * not its Finished: the handshake did not end, the close says it failed. */
START_TEST(tls13_encrypted_alert)
{
	uint8_t rec[5 + 19] = {0x17, 0x03, 0x03, 0x00, 19};
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	replay(tls13, 2, 2, 0);
	tlsrec_feed(&T, true, ccs, sizeof ccs, 3);
	tlsrec_feed(&T, true, rec, sizeof rec, 3);
	ck_assert_uint_eq(T.version, 0x0304);
	ck_assert(!T.alert);
	ck_assert_uint_eq(T.t_done, 0);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_CLOSED);
	/* its Finished after a short record (an empty Certificate) ends it */
	uint8_t fin[5 + TLSREC_FINISHED13_MIN] = {0x17, 0x03, 0x03, 0x00,
						  TLSREC_FINISHED13_MIN};
	tlsrec_feed(&T, true, fin, sizeof fin, 4);
	ck_assert_uint_eq(T.t_done, 4);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}
END_TEST

/* A ClientHello and nothing back, or the server's flight and no end:
 * closed during the handshake. */
START_TEST(closed_during_handshake)
{
	replay(tls13, 1, 1, 0);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_CLOSED);
	replay(tls13, 2, 2, 0);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_CLOSED);
	replay(tls12, 3, 3, 0);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_CLOSED);
	/* nothing said when nothing was seen, or the records were lost */
	tlsrec_init(&T);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
	replay(tls13, 1, 1, 0);
	T.bad = true;
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}
END_TEST

/* TLS 1.2: application data went by (the client's False Start, before
 * the server's ChangeCipherSpec): no failure said at the close. */
START_TEST(tls12_appdata_not_failed)
{
	replay(tls12, 3, 3, 0);
	tlsrec_feed(&T, true, tls12_4, sizeof tls12_4, 4);
	ck_assert_uint_eq(T.t_done, 0);
	ck_assert(T.appdata);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}
END_TEST

/* An encrypted alert after the ChangeCipherSpec in TLS 1.2 (2 bytes with
 * the record's MAC or tag) is not read as one in the clear; a warning in
 * the clear does not fail a handshake that then ends. */
START_TEST(alert_encrypted_or_warning)
{
	uint8_t enc[5 + 26] = {0x15, 0x03, 0x03, 0x00, 26};
	replay(tls12, 3, 3, 0);
	tlsrec_feed(&T, true, enc, sizeof enc, 4);
	ck_assert(!T.alert);
	/* a record of exactly 2 bytes after the ChangeCipherSpec neither */
	static const uint8_t two[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 20};
	tlsrec_feed(&T, true, two, sizeof two, 4);
	ck_assert(!T.alert);

	static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 112};
	replay(tls12, 1, 1, 0);
	tlsrec_feed(&T, false, warn, sizeof warn, 2);
	ck_assert(T.alert && T.alert_level == 1);
	/* the close before the end names it */
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_FAILED_ALERT);
	for (size_t i = 1; i < N(tls12); i++)
		tlsrec_feed(&T, tls12[i].out, tls12[i].p, tls12[i].len, i + 2);
	ck_assert_uint_ne(T.t_done, 0);
	ck_assert_int_eq(tlsrec_verdict(&T), TLSREC_NO_FAILURE);
}
END_TEST

START_TEST(alert_names)
{
	ck_assert_str_eq(tlsrec_alert_name(0), "close_notify");
	ck_assert_str_eq(tlsrec_alert_name(48), "unknown_ca");
	ck_assert_str_eq(tlsrec_alert_name(120), "no_application_protocol");
	ck_assert_ptr_null(tlsrec_alert_name(255));
}
END_TEST

Suite *tlsrec_suite(void)
{
	Suite *s = suite_create("tlsrec");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, tls13_whole);
	tcase_add_test(tc, tls12_whole);
	tcase_add_test(tc, tls13_every_split);
	tcase_add_test(tc, tls12_every_split);
	tcase_add_test(tc, client_hello_fragmented);
	tcase_add_test(tc, client_hello_too_big);
	tcase_add_test(tc, not_tls);
	tcase_add_test(tc, hello_cut_everywhere);
	tcase_add_test(tc, tls12_client_alert);
	tcase_add_test(tc, server_alert_before_hello);
	tcase_add_test(tc, tls13_encrypted_alert);
	tcase_add_test(tc, closed_during_handshake);
	tcase_add_test(tc, tls12_appdata_not_failed);
	tcase_add_test(tc, alert_encrypted_or_warning);
	tcase_add_test(tc, alert_names);
	suite_add_tcase(s, tc);
	return s;
}
