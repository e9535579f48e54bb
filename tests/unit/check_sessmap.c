/* check_sessmap.c - the TLS session -> fd table against a reference. */
#include <stdlib.h>
#include <string.h>

#include "sessmap.h"
#include "suites.h"

static sessmap M;

/* Check reports every passing assertion through a pipe: in hot loops only
 * call it on failure. */
#define REQUIRE_EQ(a, b)                          \
	do {                                      \
		long a_ = (long)(a), b_ = (long)(b); \
		if (a_ != b_)                     \
			ck_assert_int_eq(a_, b_); \
	} while (0)

/* Keys that collide: multiples of a large stride land in few home slots,
 * so runs wrap around the table's end and deletions must shift. */
static uintptr_t key_of(unsigned i)
{
	return (uintptr_t)0x7f0000000000ull + (uintptr_t)i * 0x1000;
}

START_TEST(set_get_replace_delete)
{
	memset(&M, 0, sizeof M);
	ck_assert_int_eq(sessmap_get(&M, 0x1234), -1);
	ck_assert_int_eq(sessmap_set(&M, 0x1234, 7), 0);
	ck_assert_int_eq(sessmap_get(&M, 0x1234), 7);
	ck_assert_int_eq(sessmap_set(&M, 0x1234, 9), 0);
	ck_assert_int_eq(sessmap_get(&M, 0x1234), 9);
	sessmap_del(&M, 0x1234);
	ck_assert_int_eq(sessmap_get(&M, 0x1234), -1);
	sessmap_del(&M, 0x1234); /* absent: nothing */
}
END_TEST

START_TEST(random_churn_matches_reference)
{
	enum { KEYS = 3000 };
	static int ref[KEYS];
	unsigned seed = 99;
	memset(&M, 0, sizeof M);
	for (unsigned i = 0; i < KEYS; i++)
		ref[i] = -1;
	for (int round = 0; round < 200000; round++) {
		unsigned k = (unsigned)rand_r(&seed) % KEYS;
		int op = rand_r(&seed) % 3;
		if (op == 0) {
			int fd = rand_r(&seed) % 1000;
			REQUIRE_EQ(sessmap_set(&M, key_of(k), fd), 0);
			ref[k] = fd;
		} else if (op == 1) {
			sessmap_del(&M, key_of(k));
			ref[k] = -1;
		} else {
			REQUIRE_EQ(sessmap_get(&M, key_of(k)), ref[k]);
		}
	}
	for (unsigned i = 0; i < KEYS; i++)
		REQUIRE_EQ(sessmap_get(&M, key_of(i)), ref[i]);
}
END_TEST

START_TEST(full_table_then_churn)
{
	memset(&M, 0, sizeof M);
	for (unsigned i = 0; i < SESSMAP_SIZE; i++)
		REQUIRE_EQ(sessmap_set(&M, key_of(i + 1), (int)i), 0);
	REQUIRE_EQ(sessmap_set(&M, key_of(SESSMAP_SIZE + 1), 1), -1);
	REQUIRE_EQ(sessmap_get(&M, key_of(SESSMAP_SIZE + 5)), -1);
	for (unsigned i = 0; i < SESSMAP_SIZE; i += 2)
		sessmap_del(&M, key_of(i + 1));
	for (unsigned i = 0; i < SESSMAP_SIZE; i++)
		REQUIRE_EQ(sessmap_get(&M, key_of(i + 1)),
				 i % 2 ? (int)i : -1);
	/* sessions come and go far beyond the table's size: still right */
	for (unsigned i = 0; i < 5 * SESSMAP_SIZE; i++) {
		uintptr_t k = key_of(100000 + i);
		REQUIRE_EQ(sessmap_set(&M, k, 5), 0);
		REQUIRE_EQ(sessmap_get(&M, k), 5);
		sessmap_del(&M, k);
		REQUIRE_EQ(sessmap_get(&M, k), -1);
	}
}
END_TEST

Suite *sessmap_suite(void)
{
	Suite *s = suite_create("sessmap");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, set_get_replace_delete);
	tcase_add_test(tc, random_churn_matches_reference);
	tcase_add_test(tc, full_table_then_churn);
	suite_add_tcase(s, tc);
	return s;
}
