/* check_socks.c - the SOCKS handshake follower (preload/socks.c). */
#include <string.h>

#include "socks.h"
#include "suites.h"

static socks S;

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static const char *target(void)
{
	static char buf[SOCKS_TARGET_MAX];
	socks_target(&S, buf, sizeof buf);
	return buf;
}

/* Feed the server's answer byte by byte: SOCKS_DONE exactly at its end. */
static void server_split(const uint8_t *b, size_t n)
{
	size_t used;
	for (size_t i = 0; i + 1 < n; i++)
		ck_assert_int_eq(socks_server(&S, b + i, 1, &used), SOCKS_MORE);
	ck_assert_int_eq(socks_server(&S, b + n - 1, 1, &used), SOCKS_DONE);
	ck_assert_uint_eq(used, 1);
}

START_TEST(socks5_name_no_auth)
{
	size_t used;
	socks_init(&S);
	ck_assert(socks_starts(5) && socks_starts(4) && !socks_starts('G'));
	ck_assert_int_eq(socks_client(&S, B("\x05\x02\x00\x02")), SOCKS_MORE);
	ck_assert_int_eq(socks_server(&S, B("\x05\x00"), &used), SOCKS_MORE);
	ck_assert_int_eq(socks_client(&S, B("\x05\x01\x00\x03\x0b" "example.com\x01\xbb")),
			 SOCKS_MORE);
	/* the answer and the first tunnel bytes in one read */
	ck_assert_int_eq(socks_server(&S, B("\x05\x00\x00\x01\x7f\x00\x00\x01\x01\xbbHTTP"),
				      &used), SOCKS_DONE);
	ck_assert_uint_eq(used, 10);
	ck_assert_str_eq(target(), "example.com:443");
}
END_TEST

START_TEST(socks5_password_ipv6_split)
{
	size_t used;
	socks_init(&S);
	const char greet[] = "\x05\x01\x02";
	for (size_t i = 0; i < sizeof greet - 1; i++)
		ck_assert_int_eq(socks_client(&S, (const uint8_t *)greet + i, 1), SOCKS_MORE);
	ck_assert_int_eq(socks_server(&S, B("\x05\x02"), &used), SOCKS_MORE);
	ck_assert_int_eq(socks_client(&S, B("\x01\x04user\x06secret")), SOCKS_MORE);
	ck_assert_int_eq(socks_server(&S, B("\x01\x00"), &used), SOCKS_MORE);
	ck_assert_int_eq(socks_client(&S, B("\x05\x01\x00\x04"
					    "\x20\x01\x0d\xb8\x00\x00\x00\x00"
					    "\x00\x00\x00\x00\x00\x00\x00\x01"
					    "\x1f\x90")), SOCKS_MORE);
	server_split(B("\x05\x00\x00\x03\x04" "abcd\x00\x50"));
	ck_assert_str_eq(target(), "[2001:db8::1]:8080");
}
END_TEST

START_TEST(socks4_and_4a)
{
	size_t used;
	socks_init(&S);
	ck_assert_int_eq(socks_client(&S, B("\x04\x01\x00\x50\x7f\x00\x00\x01user\x00")),
			 SOCKS_MORE);
	server_split(B("\x00\x5a\x00\x50\x7f\x00\x00\x01"));
	ck_assert_str_eq(target(), "127.0.0.1:80");

	socks_init(&S);
	ck_assert_int_eq(socks_client(&S, B("\x04\x01\x01\xbb\x00\x00\x00\x01\x00"
					    "localhost\x00")), SOCKS_MORE);
	ck_assert_int_eq(socks_server(&S, B("\x00\x5a\x00\x00\x00\x00\x00\x00GET"), &used),
			 SOCKS_DONE);
	ck_assert_uint_eq(used, 8);
	ck_assert_str_eq(target(), "localhost:443");
}
END_TEST

START_TEST(refusals_and_others_fail)
{
	size_t used;
	/* SOCKS5 refused: no acceptable method, then a failed request */
	socks_init(&S);
	socks_client(&S, B("\x05\x01\x00"));
	ck_assert_int_eq(socks_server(&S, B("\x05\xff"), &used), SOCKS_FAIL);
	socks_init(&S);
	socks_client(&S, B("\x05\x01\x00"));
	socks_server(&S, B("\x05\x00"), &used);
	socks_client(&S, B("\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50"));
	ck_assert_int_eq(socks_server(&S, B("\x05\x05\x00\x01"), &used), SOCKS_FAIL);
	/* SOCKS4 rejected */
	socks_init(&S);
	socks_client(&S, B("\x04\x01\x00\x50\x7f\x00\x00\x01\x00"));
	ck_assert_int_eq(socks_server(&S, B("\x00\x5b"), &used), SOCKS_FAIL);
	/* BIND and UDP ASSOCIATE are not followed */
	socks_init(&S);
	ck_assert_int_eq(socks_client(&S, B("\x04\x02")), SOCKS_FAIL);
	socks_init(&S);
	socks_client(&S, B("\x05\x01\x00"));
	socks_server(&S, B("\x05\x00"), &used);
	ck_assert_int_eq(socks_client(&S, B("\x05\x03\x00")), SOCKS_FAIL);
	/* the proxy answering before the request is complete */
	socks_init(&S);
	socks_client(&S, B("\x04\x01\x00\x50"));
	ck_assert_int_eq(socks_server(&S, B("\x00\x5a"), &used), SOCKS_FAIL);
	/* the client speaking again before the answer */
	socks_init(&S);
	socks_client(&S, B("\x04\x01\x00\x50\x7f\x00\x00\x01\x00"));
	ck_assert_int_eq(socks_client(&S, B("GET")), SOCKS_FAIL);
	/* not SOCKS at all */
	socks_init(&S);
	ck_assert_int_eq(socks_client(&S, B("GET / HTTP/1.1\r\n")), SOCKS_FAIL);
	socks_init(&S);
	ck_assert_int_eq(socks_server(&S, B("\x05\x00"), &used), SOCKS_FAIL);
}
END_TEST

START_TEST(long_names_truncated)
{
	char req[600];
	size_t n = 0;
	socks_init(&S);
	memcpy(req, "\x04\x01\x00\x50\x00\x00\x00\x09\x00", 9);
	n = 9;
	memset(req + n, 'a', 400);
	n += 400;
	req[n++] = '\0';
	ck_assert_int_eq(socks_client(&S, (const uint8_t *)req, n), SOCKS_MORE);
	char small[16];
	ck_assert_uint_eq(socks_target(&S, small, sizeof small), 15);
	ck_assert_str_eq(small, "aaaaaaaaaaaaaaa");
	char big[SOCKS_TARGET_MAX];
	ck_assert_uint_eq(socks_target(&S, big, sizeof big), 256 + 3);
}
END_TEST

Suite *socks_suite(void)
{
	Suite *s = suite_create("socks");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, socks5_name_no_auth);
	tcase_add_test(tc, socks5_password_ipv6_split);
	tcase_add_test(tc, socks4_and_4a);
	tcase_add_test(tc, refusals_and_others_fail);
	tcase_add_test(tc, long_names_truncated);
	suite_add_tcase(s, tc);
	return s;
}
