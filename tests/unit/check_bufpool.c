/* check_bufpool.c - the lock-free message buffer pool (preload/bufpool.c). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "bufpool.h"
#include "suites.h"

#define MANY (HT_BUF_PER_BLOCK * 3 + 5) /* spans four blocks */

START_TEST(lends_distinct_buffers_and_takes_them_back)
{
	static uint8_t *held[MANY];
	ck_assert_uint_eq(ht_buf_lent(), 0);
	for (unsigned i = 0; i < MANY; i++) {
		held[i] = ht_buf_get();
		ck_assert_ptr_nonnull(held[i]);
		/* the whole buffer is usable, and nobody else has it */
		memset(held[i], (int)(i & 0xff), HT_BUF_SIZE);
	}
	ck_assert_uint_eq(ht_buf_lent(), MANY);
	for (unsigned i = 0; i < MANY; i++) {
		ck_assert_uint_eq(held[i][0], i & 0xff);
		ck_assert_uint_eq(held[i][HT_BUF_SIZE - 1], i & 0xff);
	}
	/* given back, a buffer is lent again before new memory is mapped */
	ht_buf_put(held[7]);
	ht_buf_put(held[HT_BUF_PER_BLOCK + 2]);
	ck_assert_uint_eq(ht_buf_lent(), MANY - 2);
	uint8_t *a = ht_buf_get(), *b = ht_buf_get();
	ck_assert(a == held[7] || a == held[HT_BUF_PER_BLOCK + 2]);
	ck_assert(b == held[7] || b == held[HT_BUF_PER_BLOCK + 2]);
	ck_assert_ptr_ne(a, b);
	ht_buf_put(NULL); /* ignored */
	for (unsigned i = 0; i < MANY; i++)
		ht_buf_put(i == 7 ? a : i == HT_BUF_PER_BLOCK + 2 ? b : held[i]);
	ck_assert_uint_eq(ht_buf_lent(), 0);
}
END_TEST

START_TEST(reset_after_fork_frees_everything)
{
	for (unsigned i = 0; i < 40; i++)
		ck_assert_ptr_nonnull(ht_buf_get());
	ck_assert_uint_eq(ht_buf_lent(), 40);
	ht_buf_reset_after_fork();
	ck_assert_uint_eq(ht_buf_lent(), 0);
}
END_TEST

/* Threads borrow at the same time: a buffer is never lent twice at once
 * (each writes its id over the whole buffer and finds it intact). */
#define THREADS 8
#define ROUNDS 20000
static volatile int broken;

static void *churn(void *arg)
{
	uint8_t id = (uint8_t)(uintptr_t)arg;
	for (unsigned r = 0; r < ROUNDS && !broken; r++) {
		uint8_t *b = ht_buf_get();
		if (!b) {
			broken = 1;
			break;
		}
		memset(b, id, 256);
		for (unsigned k = 0; k < 256; k++)
			if (b[k] != id)
				broken = 1;
		ht_buf_put(b);
	}
	return NULL;
}

START_TEST(threads_never_share_a_buffer)
{
	pthread_t th[THREADS];
	for (uintptr_t i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, churn,
						(void *)(i + 1)), 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(broken, 0);
	ck_assert_uint_eq(ht_buf_lent(), 0);
}
END_TEST

Suite *bufpool_suite(void)
{
	Suite *s = suite_create("bufpool");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, lends_distinct_buffers_and_takes_them_back);
	tcase_add_test(tc, reset_after_fork_frees_everything);
	tcase_add_test(tc, threads_never_share_a_buffer);
	suite_add_tcase(s, tc);
	return s;
}
