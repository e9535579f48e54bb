/* check_account.c - cli/account.c: one peer's books of records not seen. */
#include <stdint.h>
#include <string.h>

#include "account.h"
#include "suites.h"

static account A;

static int64_t hello(uint64_t away, bool shared)
{
	ht_rec_hello h;

	memset(&h, 0, sizeof(h));
	h.pid = 42;
	h.image = 1;
	h.away = away;
	return account_hello(&A, &h, shared);
}

static int64_t drops(uint64_t dropped, uint64_t produced, uint32_t flags,
		     bool from_page)
{
	ht_rec_drops d = {
		.pid = 42, .dropped = dropped, .produced = produced, .flags = flags,
	};

	return account_drops(&A, &d, from_page);
}

static void received(unsigned n)
{
	while (n-- > 0)
		account_received(&A, false);
}

START_TEST(increments_sum_to_the_count)
{
	ck_assert_int_eq(hello(0, false), 0);
	ck_assert_int_eq(drops(3, 10, 0, false), 3);
	ck_assert_int_eq(drops(5, 20, 0, false), 2);
	ck_assert_int_eq(drops(5, 25, 0, false), 0); /* nothing new */
	/* an older sender tells no produced count: dropped alone */
	ck_assert_int_eq(drops(7, 0, 0, false), 2);
	ck_assert_uint_eq(A.told, 7);
	ck_assert_uint_eq(A.produced, 25);
}
END_TEST

START_TEST(counts_never_go_down)
{
	hello(0, false);
	ck_assert_int_eq(drops(5, 20, 0, false), 5);
	ck_assert_int_eq(drops(4, 20, 0, false), -1);  /* dropped went down */
	ck_assert_int_eq(drops(5, 15, 0, false), -1);  /* produced went down */
	/* the books kept the last good counts */
	ck_assert_uint_eq(A.dropped, 5);
	ck_assert_uint_eq(A.produced, 20);
	ck_assert_int_eq(drops(6, 20, 0, false), 1);
	ck_assert_uint_eq(A.told, 6);
}
END_TEST

START_TEST(unbelievable_counts)
{
	hello(0, false);
	ck_assert_int_eq(drops(11, 10, 0, false), -1); /* more than produced */
	ck_assert_int_eq(drops(UINT64_MAX, 0, 0, false), -1);
	ck_assert_int_eq(drops(UINT64_MAX, UINT64_MAX, 0, false), -1);
	ck_assert_int_eq(drops(ACCOUNT_MAX_COUNT + 1, 0, 0, false), -1);
	ck_assert_int_eq(drops(1, ACCOUNT_MAX_COUNT + 1, 0, false), -1);
	/* from the page too: the page is the peer's to write */
	ck_assert_int_eq(drops(UINT64_MAX, UINT64_MAX, HT_DF_FINAL, true), -1);
	ck_assert_uint_eq(A.told, 0);
	ck_assert(!A.final);
	/* the largest believable count is taken */
	ck_assert_int_eq(drops(ACCOUNT_MAX_COUNT, ACCOUNT_MAX_COUNT, 0, false),
			 (int64_t)ACCOUNT_MAX_COUNT);
}
END_TEST

START_TEST(away_count)
{
	ck_assert_int_eq(hello(4, true), 4);
	ck_assert_uint_eq(A.told, 4);
	ck_assert_int_eq(drops(2, 10, 0, false), 2);
	received(5);
	/* the page at the end: 10 produced, 5 received, 2 known dropped:
	 * 5 lost on this connection, 4 before it */
	ck_assert_int_eq(drops(2, 10, HT_DF_FINAL, true), 3);
	ck_assert_uint_eq(A.told, 9);
	/* an unbelievable away counts nothing, and the books start at 0 */
	ck_assert_int_eq(hello(ACCOUNT_MAX_COUNT + 1, false), -1);
	ck_assert_uint_eq(A.told, 0);
	ck_assert_int_eq(drops(1, 2, 0, false), 1);
	/* a new HELLO starts the books afresh */
	ck_assert_int_eq(hello(0, false), 0);
	ck_assert_uint_eq(A.dropped, 0);
	ck_assert_uint_eq(A.told, 0);
}
END_TEST

START_TEST(final_without_page)
{
	/* No counter page: the peer's own FINAL DROPS is the last word. */
	hello(0, false);
	received(6);
	ck_assert_int_eq(drops(1, 10, 0, false), 1);
	ck_assert(!A.final);
	ck_assert_int_eq(drops(1, 10, HT_DF_FINAL, false), 3);
	ck_assert(A.final);
	ck_assert_uint_eq(A.told, 4);
}
END_TEST

START_TEST(final_from_page)
{
	/* With a page, the peer's FINAL DROPS is not the last word (another
	 * thread may still send): only dropped counts. */
	hello(0, true);
	received(6);
	ck_assert_int_eq(drops(1, 10, HT_DF_FINAL, false), 1);
	ck_assert(!A.final);
	received(2);
	/* the page read at the socket's end: 10 produced, 8 received */
	ck_assert_int_eq(drops(1, 10, HT_DF_FINAL, true), 1);
	ck_assert(A.final);
	ck_assert_uint_eq(A.told, 2);
	/* a second read of the same page adds nothing */
	ck_assert_int_eq(drops(1, 10, HT_DF_FINAL, true), 0);
}
END_TEST

START_TEST(page_of_a_process_running_on)
{
	/* The collector stops while the process runs: its page read is not
	 * the last word (what was made and not received yet the process
	 * counts itself when its send finds the collector gone): only
	 * dropped counts. */
	hello(0, true);
	received(6);
	ck_assert_int_eq(drops(1, 10, 0, true), 1);
	ck_assert(!A.final);
	ck_assert_uint_eq(A.told, 1);
}
END_TEST

START_TEST(killed_with_records_in_flight)
{
	/* The page says nothing was dropped, but the process died (SIGKILL)
	 * before the collector got what it had sent: produced - received. */
	hello(0, true);
	received(3);
	ck_assert_int_eq(drops(0, 5, HT_DF_FINAL, true), 2);
	/* all received: nothing lost */
	hello(0, true);
	received(5);
	ck_assert_int_eq(drops(0, 5, HT_DF_FINAL, true), 0);
	/* more received than the page says were produced (a crafted page):
	 * only its dropped counts */
	hello(0, true);
	received(9);
	ck_assert_int_eq(drops(1, 5, HT_DF_FINAL, true), 1);
}
END_TEST

/* The requests among the records lost are booked alongside them, and
 * never claimed beyond them. */
START_TEST(requests_apart)
{
	ht_rec_hello h;
	ht_rec_drops d = { .pid = 42 };

	memset(&h, 0, sizeof(h));
	h.pid = 42;
	h.image = 1;
	h.away = 9;
	h.away_requests = 3;
	ck_assert_int_eq(account_hello(&A, &h, true), 9);
	ck_assert_uint_eq(A.req_told, 3);
	account_received(&A, true);
	account_received(&A, false);
	account_received(&A, true);
	/* 2 of 4 dropped records are requests */
	d.dropped = 4;
	d.produced = 12;
	d.req_dropped = 2;
	d.req_produced = 6;
	ck_assert_int_eq(account_drops(&A, &d, false), 4);
	ck_assert_uint_eq(A.req_told, 5);
	/* the page at the end: 12 produced, 3 + 4 accounted for: 5 more
	 * records lost, of which 6 - 2 received - 2 dropped = 2 requests */
	d.flags = HT_DF_FINAL;
	ck_assert_int_eq(account_drops(&A, &d, true), 5);
	ck_assert_uint_eq(A.told, 18);
	ck_assert_uint_eq(A.req_told, 7);
	/* a request count ahead of the records (read apart): booked, never
	 * beyond the records */
	hello(2, false);
	A.req_told = 0;
	d = (ht_rec_drops){ .pid = 42, .dropped = 1, .produced = 3,
			    .req_dropped = 5, .req_produced = 5 };
	ck_assert_int_eq(account_drops(&A, &d, false), 1);
	ck_assert_uint_eq(A.req_told, 3);
	/* an older peer tells no requests: records alone */
	hello(0, false);
	ck_assert_int_eq(drops(4, 10, 0, false), 4);
	ck_assert_uint_eq(A.req_told, 0);
}
END_TEST

Suite *account_suite(void)
{
	Suite *s = suite_create("account");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, increments_sum_to_the_count);
	tcase_add_test(tc, counts_never_go_down);
	tcase_add_test(tc, unbelievable_counts);
	tcase_add_test(tc, away_count);
	tcase_add_test(tc, final_without_page);
	tcase_add_test(tc, final_from_page);
	tcase_add_test(tc, page_of_a_process_running_on);
	tcase_add_test(tc, killed_with_records_in_flight);
	tcase_add_test(tc, requests_apart);
	suite_add_tcase(s, tc);
	return s;
}
