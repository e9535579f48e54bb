/* check_ioplan.c - core/ioplan.c: what a socket I/O hook does with a
 * call's outcome on a tracked fd. */
#include <errno.h>
#include <string.h>

#include "ioplan.h"
#include "suites.h"

static const uint8_t GET[] = "GET / HTTP/1.1\r\n";
static const uint8_t HELLO[] = "\x16\x03\x01\x02\x00";

/* A call that moved @ret bytes (the first buffer holds them all). */
static ioplan_call moved(bool out, long ret, const uint8_t *buf)
{
	ioplan_call k = {.ret = ret, .out = out, .asked = true};
	if (ret > 0) {
		k.first = buf;
		k.first_len = (size_t)ret;
	}
	return k;
}

static ioplan_call failed(bool out, int err)
{
	ioplan_call k = {.ret = -1, .err = err, .out = out, .asked = true};
	return k;
}

START_TEST(probe_http_write_follows)
{
	ioplan_call k = moved(true, 16, GET);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_HTTP);
	/* a prefix of a request line is enough */
	k.first_len = 3;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_HTTP);
}
END_TEST

START_TEST(probe_anything_else_is_forgotten)
{
	static const uint8_t other[] = "\x00\x01hello";
	ioplan_call k = moved(true, 7, other);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	/* HTTP-looking bytes written by a TLS library are ciphertext's
	 * business, not the program's request */
	k = moved(true, 16, GET);
	k.in_tls = true;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	/* the peer speaks first */
	k = moved(false, 16, GET);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	/* the peer closed before anything was written */
	k = moved(false, 0, NULL);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	/* bytes that moved unread (MSG_TRUNC) leave nothing to look at */
	k = moved(true, 16, GET);
	k.first_len = 0;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
}
END_TEST

START_TEST(probe_waits_while_nothing_moved)
{
	ioplan_call k = failed(true, EAGAIN);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_WAIT);
	k = failed(false, EAGAIN);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_WAIT);
	/* an empty write */
	k = moved(true, 0, NULL);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_WAIT);
	/* a failed read while a write is in flight: nothing to hold */
	k = failed(false, EAGAIN);
	k.hold = true;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_WAIT);
}
END_TEST

START_TEST(probe_reply_before_write_fed_is_held)
{
	/* the reply to a write not yet fed: the write decides */
	ioplan_call k = moved(false, 16, GET);
	k.hold = true;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_GO_ON);
	k = moved(false, 0, NULL);
	k.hold = true;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_GO_ON);
}
END_TEST

/* A ClientHello's first 43 bytes: record header, handshake header,
 * client_version, random (the rest of the message need not be here). */
static void client_hello(uint8_t b[43])
{
	static const uint8_t head[11] = {0x16, 0x03, 0x01, 0x00, 0xf8, 0x01,
					 0x00, 0x00, 0xf4, 0x03, 0x03};
	memcpy(b, head, sizeof head);
	memset(b + sizeof head, 0x5a, 32);
}

START_TEST(probe_client_hello_waits_for_plaintext)
{
	uint8_t hello[43];
	client_hello(hello);
	/* written by the program (memory BIOs) or by the TLS library */
	ioplan_call k = moved(true, 43, hello);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_TLS);
	k.in_tls = true;
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_TLS);
	/* read (the peer speaks first), or cut before its random, or a
	 * TLS record of another kind: forgotten as before */
	k = moved(false, 43, hello);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	k = moved(true, 20, hello);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	hello[5] = 0x02; /* ServerHello */
	k = moved(true, 43, hello);
	ck_assert_int_eq(ioplan_probe_decide(&k, false), IOPLAN_PROBE_FORGET);
	/* a session's socket: every call followed until the plaintext */
	k = moved(false, 16, GET);
	ck_assert_int_eq(ioplan_probe_decide(&k, true), IOPLAN_PROBE_GO_ON);
	k = failed(false, EAGAIN);
	ck_assert_int_eq(ioplan_probe_decide(&k, true), IOPLAN_PROBE_GO_ON);
	k = moved(false, 0, NULL);
	ck_assert_int_eq(ioplan_probe_decide(&k, true), IOPLAN_PROBE_GO_ON);
}
END_TEST

START_TEST(probe_plaintext_decides)
{
	static const uint8_t preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	static const uint8_t other[] = "\x00\x01hello";
	ck_assert_int_eq(ioplan_probe_plain(true, GET, 16, false), IOPLAN_PROBE_HTTP);
	ck_assert_int_eq(ioplan_probe_plain(true, GET, 2, false), IOPLAN_PROBE_HTTP);
	ck_assert_int_eq(ioplan_probe_plain(true, preface, 24, false), IOPLAN_PROBE_HTTP);
	ck_assert_int_eq(ioplan_probe_plain(true, NULL, 0, false), IOPLAN_PROBE_WAIT);
	ck_assert_int_eq(ioplan_probe_plain(true, other, 7, false), IOPLAN_PROBE_FORGET);
	/* the peer speaks first, or ends the stream */
	ck_assert_int_eq(ioplan_probe_plain(false, GET, 16, false), IOPLAN_PROBE_FORGET);
	ck_assert_int_eq(ioplan_probe_plain(false, NULL, 0, false), IOPLAN_PROBE_FORGET);
	/* ALPN h2: the server's SETTINGS may come first; an end is no
	 * HTTP still */
	static const uint8_t settings[] = "\x00\x00\x00\x04\x00\x00\x00\x00\x00";
	ck_assert_int_eq(ioplan_probe_plain(false, settings, 9, true), IOPLAN_PROBE_HTTP);
	ck_assert_int_eq(ioplan_probe_plain(false, NULL, 0, true), IOPLAN_PROBE_FORGET);
	ck_assert_int_eq(ioplan_probe_plain(true, other, 7, true), IOPLAN_PROBE_FORGET);
}
END_TEST

START_TEST(tls_step)
{
	ioplan_call k = moved(false, 5, HELLO);
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_NONE);
	k.in_tls = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_MARK);
	k = failed(true, EAGAIN);
	k.in_tls = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_MARK);
	/* an orphan session may be waiting: only a write with bytes can be
	 * its ClientHello */
	k = moved(true, 5, HELLO);
	k.adoptable = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_ADOPT);
	k = moved(false, 5, HELLO);
	k.adoptable = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_NONE);
	k = moved(true, 0, NULL);
	k.adoptable = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_NONE);
	/* inside a TLS call the socket is that call's, adoptable or not */
	k = moved(true, 5, HELLO);
	k.adoptable = k.in_tls = true;
	ck_assert_int_eq(ioplan_tls_decide(&k), IOPLAN_TLS_MARK);
}
END_TEST

START_TEST(feed_bytes)
{
	ioplan_call k = moved(true, 16, GET);
	ioplan p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_BYTES);
	ck_assert_int_eq(p.end, IOPLAN_END_NONE);
	ck_assert(!p.hold);
	k = moved(false, 16, GET);
	k.hold = true;
	p = ioplan_feed_decide(&k, false, false, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_BYTES);
	ck_assert(p.hold);
	k.unseen = true;
	k.first_len = 0;
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_UNSEEN);
}
END_TEST

START_TEST(feed_tls_counts_transport_only)
{
	ioplan_call k = moved(false, 16, GET);
	ioplan p = ioplan_feed_decide(&k, true, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_TRANSPORT);
	k.unseen = true;
	p = ioplan_feed_decide(&k, true, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_TRANSPORT);
	/* the end of a TLS stream comes from the TLS hooks */
	k = moved(false, 0, NULL);
	p = ioplan_feed_decide(&k, true, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_NONE);
}
END_TEST

START_TEST(feed_eof)
{
	ioplan_call k = moved(false, 0, NULL);
	ioplan p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_EOF);
	ck_assert(!p.connect_first);
	/* an end of stream proves a connect not yet seen done */
	p = ioplan_feed_decide(&k, false, false, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_EOF);
	ck_assert(p.connect_first);
	p = ioplan_feed_decide(&k, false, false, true);
	ck_assert(!p.connect_first);
	/* a read of no byte returns 0 without any end */
	k.asked = false;
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_NONE);
	/* an empty write */
	k = moved(true, 0, NULL);
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_NONE);
}
END_TEST

START_TEST(end_connect_failed_or_reset)
{
	ioplan_call k = failed(true, ECONNREFUSED);
	ioplan p = ioplan_feed_decide(&k, false, false, false);
	ck_assert_int_eq(p.end, IOPLAN_END_CONNECT_FAILED);
	ck_assert_int_eq(p.feed, IOPLAN_FEED_NONE);
	k = failed(false, ETIMEDOUT);
	p = ioplan_feed_decide(&k, true, false, false);
	ck_assert_int_eq(p.end, IOPLAN_END_CONNECT_FAILED);
	/* connected: a reset, not a failed connect */
	k = failed(false, ECONNRESET);
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.end, IOPLAN_END_RESET);
	/* ECONNREFUSED on a connected socket is not fatal */
	k = failed(false, ECONNREFUSED);
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.end, IOPLAN_END_NONE);
	/* already failed: at most a reset */
	k = failed(true, EPIPE);
	p = ioplan_feed_decide(&k, false, false, true);
	ck_assert_int_eq(p.end, IOPLAN_END_RESET);
	k = failed(false, EAGAIN);
	p = ioplan_feed_decide(&k, false, false, false);
	ck_assert_int_eq(p.end, IOPLAN_END_NONE);
	k = failed(false, EINTR);
	p = ioplan_feed_decide(&k, false, true, false);
	ck_assert_int_eq(p.end, IOPLAN_END_NONE);
}
END_TEST

START_TEST(fatal_errors)
{
	static const int fatal[] = {ECONNRESET, EPIPE, ETIMEDOUT, ECONNABORTED,
				    EHOSTUNREACH, ENETUNREACH};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		ck_assert(ioplan_fatal(fatal[i]));
	ck_assert(!ioplan_fatal(EAGAIN));
	ck_assert(!ioplan_fatal(EINTR));
	ck_assert(!ioplan_fatal(ECONNREFUSED));
	ck_assert(!ioplan_fatal(0));
}
END_TEST

Suite *ioplan_suite(void)
{
	Suite *s = suite_create("ioplan");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, probe_http_write_follows);
	tcase_add_test(tc, probe_anything_else_is_forgotten);
	tcase_add_test(tc, probe_waits_while_nothing_moved);
	tcase_add_test(tc, probe_reply_before_write_fed_is_held);
	tcase_add_test(tc, probe_client_hello_waits_for_plaintext);
	tcase_add_test(tc, probe_plaintext_decides);
	tcase_add_test(tc, tls_step);
	tcase_add_test(tc, feed_bytes);
	tcase_add_test(tc, feed_tls_counts_transport_only);
	tcase_add_test(tc, feed_eof);
	tcase_add_test(tc, end_connect_failed_or_reset);
	tcase_add_test(tc, fatal_errors);
	suite_add_tcase(s, tc);
	return s;
}
