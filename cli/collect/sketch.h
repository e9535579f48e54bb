/*
 * sketch.h - percentiles in bounded memory: a log-bucketed histogram of
 * non-negative 64-bit values (durations in ns), as HdrHistogram buckets
 * them.
 *
 * Each power of two [2^m, 2^(m+1)) is cut into SKETCH_SUB equal buckets
 * (values below SKETCH_SUB have a bucket each), so a bucket is at most
 * 1/SKETCH_SUB of its lower bound wide.  A percentile is the bucket that
 * holds the value of that rank, reported as the bucket's middle (clamped to
 * the smallest and largest value added): within 1/(2*SKETCH_SUB) = 0.79% of
 * the exact nearest-rank value, for any data.  The buckets of a power of
 * two are allocated when its first value comes, so the memory is at most
 * sizeof(sketch) + SKETCH_GROUPS * SKETCH_SUB * 8 bytes (about 30 KiB),
 * whatever the count; durations of one host take a few groups (~4 KiB).
 *
 * Pure: no I/O; malloc only.
 */
#ifndef HT_SKETCH_H
#define HT_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKETCH_SUB_BITS 6
#define SKETCH_SUB (1u << SKETCH_SUB_BITS)
/* Group 0 holds [0, SKETCH_SUB) exactly; group g >= 1 holds
 * [2^(g+SUB_BITS-1), 2^(g+SUB_BITS)); the last one ends at 2^63. */
#define SKETCH_GROUPS (64 - SKETCH_SUB_BITS)

/* The bound on the relative error of sketch_percentile(), as a fraction. */
#define SKETCH_REL_ERROR (1.0 / (2 * SKETCH_SUB))

typedef struct sketch {
	/* READ-ONLY */
	uint64_t count;  /* values counted */
	uint64_t lost;   /* values not counted: memory ran out */
	int64_t min, max; /* of the values counted (valid when count > 0) */
	/* PRIVATE: SKETCH_SUB counts per group, NULL until needed. */
	uint64_t *groups[SKETCH_GROUPS];
} sketch;

/* sketch_init() - an empty sketch.  Allocates nothing. */
void sketch_init(sketch *s);

/*
 * sketch_add() - count the value @v; a negative one (a clock that went
 * backwards) counts as 0.  Returns 0, or -ENOMEM when its group could not
 * be allocated (the value is counted in ->lost instead).
 */
int sketch_add(sketch *s, int64_t v);

/*
 * sketch_percentile() - the nearest-rank percentile @pct (1..100; more is
 * 100, 0 is 1) of the values counted: the value at rank ceil(pct/100 * n),
 * within SKETCH_REL_ERROR of it (exact below SKETCH_SUB * 2, and for the
 * smallest and the largest value).  Into *@out; false when nothing was
 * counted.
 */
bool sketch_percentile(const sketch *s, unsigned pct, int64_t *out);

/* sketch_bytes() - the memory the sketch holds, itself included. */
size_t sketch_bytes(const sketch *s);

/* sketch_free() - release the buckets; @s is empty again. */
void sketch_free(sketch *s);

#endif
