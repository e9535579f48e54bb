/*
 * check_sketch.c - cli/sketch.c: every percentile within SKETCH_REL_ERROR
 * of the exact nearest-rank one (sorted array), on random and adversarial
 * data; exact for small values and at the ends; memory that does not
 * depend on the count.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"
#include "suites.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The exact nearest-rank percentile of @sorted (@n > 0). */
static int64_t exact(const int64_t *sorted, size_t n, unsigned pct)
{
	size_t rank = ((size_t)pct * n + 99) / 100;

	return sorted[(rank ? rank : 1) - 1];
}

/* Add @v[0..n) (negatives count as 0), then compare every percentile
 * with the exact one: within the stated bound, and at most one part in
 * 2 * SKETCH_SUB (0.79%). */
static void check_against_exact(int64_t *v, size_t n, const char *what)
{
	sketch s;

	sketch_init(&s);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(sketch_add(&s, v[i]), 0);
		if (v[i] < 0)
			v[i] = 0;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	ck_assert_uint_eq(s.count, n);
	for (unsigned pct = 1; pct <= 100; pct++) {
		int64_t got, want = exact(v, n, pct);
		/* |got - want| <= want / (2 * SUB), in integers */
		uint64_t diff;

		ck_assert_msg(sketch_percentile(&s, pct, &got), "%s: empty", what);
		diff = got > want ? (uint64_t)(got - want) : (uint64_t)(want - got);
		ck_assert_msg(diff * 2 * SKETCH_SUB <= (uint64_t)want,
			      "%s: p%u = %lld, exact %lld", what, pct,
			      (long long)got, (long long)want);
		if (want < 2 * (int64_t)SKETCH_SUB)
			ck_assert_msg(got == want, "%s: p%u of a small value "
				      "%lld is %lld", what, pct,
				      (long long)want, (long long)got);
	}
	ck_assert_int_eq(s.min, v[0]);
	ck_assert_int_eq(s.max, v[n - 1]);
	sketch_free(&s);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

START_TEST(empty)
{
	sketch s;
	int64_t v = 42;

	sketch_init(&s);
	ck_assert(!sketch_percentile(&s, 50, &v));
	ck_assert_int_eq(v, 42);
	sketch_free(&s);
}
END_TEST

/* The ranks as report_percentile() always counted them. */
START_TEST(small_exact)
{
	sketch s;
	int64_t got;

	sketch_init(&s);
	for (int i = 1; i <= 20; i++)
		sketch_add(&s, i);
	ck_assert(sketch_percentile(&s, 50, &got));
	ck_assert_int_eq(got, 10);
	ck_assert(sketch_percentile(&s, 95, &got));
	ck_assert_int_eq(got, 19);
	ck_assert(sketch_percentile(&s, 100, &got));
	ck_assert_int_eq(got, 20);
	ck_assert(sketch_percentile(&s, 0, &got));
	ck_assert_int_eq(got, 1);
	ck_assert(sketch_percentile(&s, 250, &got));
	ck_assert_int_eq(got, 20);
	sketch_free(&s);

	sketch_init(&s);
	sketch_add(&s, 123456789);
	ck_assert(sketch_percentile(&s, 50, &got));
	ck_assert_int_eq(got, 123456789); /* one value: exact */
	sketch_free(&s);
}
END_TEST

/* Random durations over every magnitude, and log-uniform ones. */
START_TEST(random_sets)
{
	static const size_t counts[] = { 1, 2, 3, 10, 99, 1000, 54321 };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t n = counts[c];
		int64_t *v = malloc(n * sizeof(*v));

		ck_assert_ptr_nonnull(v);
		for (size_t i = 0; i < n; i++)
			v[i] = (int64_t)(next() >> (1 + next() % 63));
		check_against_exact(v, n, "every magnitude");
		for (size_t i = 0; i < n; i++)
			v[i] = 1000000 + (int64_t)(next() % 50000000); /* 1-51 ms */
		check_against_exact(v, n, "uniform ms");
		free(v);
	}
}
END_TEST

/* Data meant to hurt a histogram: every value on a bucket's edge (just
 * below and at a power of two, and at the edges of the sub-buckets),
 * the extremes of int64, negatives, all equal, two far-apart clusters. */
START_TEST(adversarial_sets)
{
	size_t n = 0, cap = 64 * 3 * SKETCH_SUB + 100;
	int64_t *v = malloc(cap * sizeof(*v));

	ck_assert_ptr_nonnull(v);
	for (unsigned m = 0; m < 63; m++) {
		for (unsigned k = 0; k < SKETCH_SUB && n + 3 <= cap; k++) {
			uint64_t lo = (uint64_t)1 << m;
			uint64_t step = m > SKETCH_SUB_BITS ?
				(uint64_t)1 << (m - SKETCH_SUB_BITS) : 1;

			v[n++] = (int64_t)(lo + k * step);     /* a bucket's start */
			v[n++] = (int64_t)(lo + k * step - 1); /* the end before */
			v[n++] = (int64_t)(lo + (k + 1) * step - 1);
		}
	}
	v[n++] = INT64_MAX;
	v[n++] = INT64_MAX - 1;
	v[n++] = 0;
	v[n++] = -5; /* counts as 0 */
	v[n++] = INT64_MIN + 1;
	check_against_exact(v, n, "bucket edges");

	for (size_t i = 0; i < 1000; i++)
		v[i] = 777777777;
	check_against_exact(v, 1000, "all equal");

	for (size_t i = 0; i < 1000; i++)
		v[i] = i % 2 ? 1000 : (int64_t)1 << 60; /* two clusters */
	check_against_exact(v, 1000, "two clusters");

	for (size_t i = 0; i < 1000; i++)
		v[i] = (int64_t)(((uint64_t)1 << 62) - 1 + i); /* across 2^62 */
	check_against_exact(v, 1000, "across a power of two");
	free(v);
}
END_TEST

/* The memory depends on the range of the values, never on their count:
 * a million more values in the same range take no byte more, and no data
 * takes more than every group. */
START_TEST(constant_memory)
{
	sketch s;
	size_t after_1k, limit = sizeof(sketch) +
				 SKETCH_GROUPS * SKETCH_SUB * sizeof(uint64_t);

	sketch_init(&s);
	ck_assert_uint_eq(sketch_bytes(&s), sizeof(sketch));
	/* Every power of two in [1000, 2^30): the groups that later
	 * values of that range fall in. */
	for (int k = 0; k <= 20; k++)
		sketch_add(&s, (int64_t)1000 << k);
	for (int i = 0; i < 1000; i++)
		sketch_add(&s, 1000 + (int64_t)(next() % 1000000000));
	after_1k = sketch_bytes(&s);
	for (int i = 0; i < 1000000; i++)
		sketch_add(&s, 1000 + (int64_t)(next() % 1000000000));
	ck_assert_uint_eq(sketch_bytes(&s), after_1k);
	ck_assert_uint_eq(s.count, 1001021);
	for (int i = 0; i < 100000; i++)
		sketch_add(&s, (int64_t)(next() >> 1));
	for (unsigned m = 0; m < 63; m++)
		sketch_add(&s, (int64_t)1 << m);
	ck_assert_uint_eq(sketch_bytes(&s), limit);
	ck_assert(limit <= 32 * 1024);
	sketch_free(&s);
	ck_assert_uint_eq(sketch_bytes(&s), sizeof(sketch));
}
END_TEST

Suite *sketch_suite(void)
{
	Suite *s = suite_create("sketch");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, small_exact);
	tcase_add_test(tc, random_sets);
	tcase_add_test(tc, adversarial_sets);
	tcase_add_test(tc, constant_memory);
	suite_add_tcase(s, tc);
	return s;
}
