/* check_tlshello.c - a ClientHello's random, the table of sessions waiting
 * for theirs to be written, and the table of accepted connections waiting
 * for the session that holds theirs. */
#include <string.h>

#include "suites.h"
#include "tlshello.h"

/* A ClientHello record's first 43 bytes: TLS 1.2 record and client
 * versions (TLS 1.3 says so too), the random 0x40 0x41 ... 0x5f. */
static void hello(uint8_t *b)
{
	static const uint8_t head[] = {0x16, 0x03, 0x01, 0x01, 0x29,
				       0x01, 0x00, 0x01, 0x25, 0x03, 0x03};
	memcpy(b, head, sizeof head);
	for (int i = 0; i < TLSHELLO_RANDOM_LEN; i++)
		b[11 + i] = (uint8_t)(0x40 + i);
}

START_TEST(random_of_a_client_hello)
{
	uint8_t b[64], r[TLSHELLO_RANDOM_LEN];
	hello(b);
	ck_assert(tlshello_random(b, 43, r));
	ck_assert_uint_eq(r[0], 0x40);
	ck_assert_uint_eq(r[31], 0x5f);
	/* every shorter prefix holds no whole random */
	for (size_t n = 0; n < 43; n++)
		ck_assert(!tlshello_random(b, n, r));
	/* not a handshake record, not TLS, not a ClientHello */
	const size_t bad[] = {0, 1, 5, 9};
	const uint8_t val[] = {0x17, 0x02, 0x02, 0x02};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hello(b);
		b[bad[i]] = val[i];
		ck_assert(!tlshello_random(b, 43, r));
	}
	/* a record too short to hold the random */
	hello(b);
	b[3] = 0;
	b[4] = 37;
	ck_assert(!tlshello_random(b, 43, r));
	b[4] = 38;
	ck_assert(tlshello_random(b, 43, r));
	/* an HTTP/2 preface or request line is no ClientHello */
	ck_assert(!tlshello_random((const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
				   "\0\0\0\4\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 43, r));
}
END_TEST

static void random_n(uint8_t *r, int n)
{
	memset(r, 0, TLSHELLO_RANDOM_LEN);
	r[0] = (uint8_t)n;
	r[31] = (uint8_t)(n >> 8);
}

START_TEST(table_ties_by_random)
{
	static tlshello_table t;
	uint8_t r[TLSHELLO_RANDOM_LEN];
	int s[TLSHELLO_MAX + 2];
	uint64_t t0 = 0;
	memset(&t, 0, sizeof t);

	random_n(r, 1);
	ck_assert_ptr_null(tlshello_take(&t, r, &t0));
	tlshello_put(&t, &s[0], r, 100);
	random_n(r, 2);
	tlshello_put(&t, &s[1], r, 200);
	ck_assert_uint_eq(t.used, 2);
	ck_assert(tlshello_known(&t, &s[0]));
	ck_assert(!tlshello_known(&t, &s[2]));
	ck_assert(!tlshello_known(&t, NULL));
	/* the second session's random ties the second session, once */
	ck_assert_ptr_eq(tlshello_take(&t, r, &t0), &s[1]);
	ck_assert_uint_eq(t0, 200);
	ck_assert_ptr_null(tlshello_take(&t, r, &t0));
	ck_assert_uint_eq(t.used, 1);
	/* a session's later report replaces its earlier one */
	random_n(r, 3);
	tlshello_put(&t, &s[0], r, 300);
	ck_assert_uint_eq(t.used, 1);
	random_n(r, 1);
	ck_assert_ptr_null(tlshello_take(&t, r, &t0));
	tlshello_drop(&t, &s[0]);
	tlshello_drop(&t, &s[0]);
	tlshello_drop(&t, NULL);
	ck_assert_uint_eq(t.used, 0);
	random_n(r, 3);
	ck_assert_ptr_null(tlshello_take(&t, r, &t0));
}
END_TEST

START_TEST(table_full_replaces_in_turn)
{
	static tlshello_table t;
	uint8_t r[TLSHELLO_RANDOM_LEN];
	int s[TLSHELLO_MAX + 2];
	uint64_t t0 = 0;
	memset(&t, 0, sizeof t);

	for (int i = 0; i < TLSHELLO_MAX + 2; i++) {
		random_n(r, i + 1);
		tlshello_put(&t, &s[i], r, (uint64_t)i);
	}
	ck_assert_uint_eq(t.used, TLSHELLO_MAX);
	/* the first two gave their entries to the last two */
	for (int i = 0; i < TLSHELLO_MAX + 2; i++) {
		random_n(r, i + 1);
		const void *got = tlshello_take(&t, r, &t0);
		if (i < 2) {
			ck_assert_ptr_null(got);
		} else {
			ck_assert_ptr_eq(got, &s[i]);
			ck_assert_uint_eq(t0, (uint64_t)i);
		}
	}
	ck_assert_uint_eq(t.used, 0);
}
END_TEST

START_TEST(accepted_ties_by_random)
{
	static tlshello_accepted t;
	uint8_t r[TLSHELLO_RANDOM_LEN];
	int fd = -1;
	uint32_t id = 0;
	uint64_t t0 = 0;
	memset(&t, 0, sizeof t);

	random_n(r, 1);
	ck_assert(!tlshello_accepted_take(&t, r, &fd, &id, &t0));
	tlshello_accepted_put(&t, 0, 10, r, 100); /* fd 0 is an fd */
	random_n(r, 2);
	tlshello_accepted_put(&t, 5, 11, r, 200);
	ck_assert_uint_eq(t.used, 2);
	/* the second connection's random names it, once */
	ck_assert(tlshello_accepted_take(&t, r, &fd, &id, &t0));
	ck_assert_int_eq(fd, 5);
	ck_assert_uint_eq(id, 11);
	ck_assert_uint_eq(t0, 200);
	ck_assert(!tlshello_accepted_take(&t, r, &fd, &id, &t0));
	ck_assert_uint_eq(t.used, 1);
	/* fd 0 accepted again: its new ClientHello replaces the old one */
	random_n(r, 3);
	tlshello_accepted_put(&t, 0, 12, r, 300);
	ck_assert_uint_eq(t.used, 1);
	random_n(r, 1);
	ck_assert(!tlshello_accepted_take(&t, r, &fd, &id, &t0));
	/* dropping another connection on the same fd leaves it */
	tlshello_accepted_drop(&t, 0, 10);
	tlshello_accepted_drop(&t, 7, 12);
	ck_assert_uint_eq(t.used, 1);
	tlshello_accepted_drop(&t, 0, 12);
	ck_assert_uint_eq(t.used, 0);
	random_n(r, 3);
	ck_assert(!tlshello_accepted_take(&t, r, &fd, &id, &t0));
}
END_TEST

START_TEST(accepted_full_replaces_in_turn)
{
	static tlshello_accepted t;
	uint8_t r[TLSHELLO_RANDOM_LEN];
	int fd = -1;
	uint32_t id = 0;
	uint64_t t0 = 0;
	memset(&t, 0, sizeof t);

	for (int i = 0; i < TLSHELLO_ACCEPTED_MAX + 2; i++) {
		random_n(r, i + 1);
		tlshello_accepted_put(&t, i, (uint32_t)i + 100, r, (uint64_t)i);
	}
	ck_assert_uint_eq(t.used, TLSHELLO_ACCEPTED_MAX);
	/* the first two gave their entries to the last two */
	for (int i = 0; i < TLSHELLO_ACCEPTED_MAX + 2; i++) {
		random_n(r, i + 1);
		bool got = tlshello_accepted_take(&t, r, &fd, &id, &t0);
		ck_assert(got == (i >= 2));
		if (got) {
			ck_assert_int_eq(fd, i);
			ck_assert_uint_eq(id, (uint32_t)i + 100);
			ck_assert_uint_eq(t0, (uint64_t)i);
		}
	}
	ck_assert_uint_eq(t.used, 0);
}
END_TEST

Suite *tlshello_suite(void)
{
	Suite *s = suite_create("tlshello");
	TCase *tc = tcase_create("tlshello");
	tcase_add_test(tc, random_of_a_client_hello);
	tcase_add_test(tc, table_ties_by_random);
	tcase_add_test(tc, table_full_replaces_in_turn);
	tcase_add_test(tc, accepted_ties_by_random);
	tcase_add_test(tc, accepted_full_replaces_in_turn);
	suite_add_tcase(s, tc);
	return s;
}
