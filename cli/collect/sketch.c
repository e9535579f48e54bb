/* sketch.c - the log-bucketed histogram; see sketch.h. */
#include "sketch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sketch_init(sketch *s)
{
	memset(s, 0, sizeof(*s));
}

/* The group and the bucket in it of @v (>= 0). */
static void bucket_of(uint64_t v, unsigned *group, unsigned *sub)
{
	unsigned m;

	if (v < SKETCH_SUB) {
		*group = 0;
		*sub = (unsigned)v;
		return;
	}
	m = 63u - (unsigned)__builtin_clzll(v); /* the top bit: >= SUB_BITS */
	*group = m - SKETCH_SUB_BITS + 1;
	*sub = (unsigned)(v >> (m - SKETCH_SUB_BITS)) & (SKETCH_SUB - 1);
}

/* The middle of bucket @sub of @group: its lower bound plus half its
 * width (the lower bound itself where the width is 1). */
static uint64_t bucket_value(unsigned group, unsigned sub)
{
	unsigned shift;
	uint64_t lo;

	if (group == 0)
		return sub;
	shift = group - 1; /* the width is 2^shift */
	lo = ((uint64_t)SKETCH_SUB + sub) << shift;
	return lo + (((uint64_t)1 << shift) >> 1);
}

int sketch_add(sketch *s, int64_t v)
{
	unsigned g, sub;

	if (v < 0)
		v = 0;
	bucket_of((uint64_t)v, &g, &sub);
	if (s->groups[g] == NULL) {
		s->groups[g] = calloc(SKETCH_SUB, sizeof(uint64_t));
		if (s->groups[g] == NULL) {
			s->lost++;
			return -ENOMEM;
		}
	}
	s->groups[g][sub]++;
	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	s->count++;
	return 0;
}

bool sketch_percentile(const sketch *s, unsigned pct, int64_t *out)
{
	uint64_t rank, seen = 0;

	if (s->count == 0)
		return false;
	if (pct > 100)
		pct = 100;
	/* ceil(pct * n / 100), at least 1; pct * n cannot overflow for any
	 * count this process can reach (n < 2^57). */
	rank = ((uint64_t)pct * s->count + 99) / 100;
	if (rank == 0)
		rank = 1;
	if (rank == 1) {
		*out = s->min;
		return true;
	}
	if (rank == s->count) {
		*out = s->max;
		return true;
	}
	for (unsigned g = 0; g < SKETCH_GROUPS; g++) {
		if (s->groups[g] == NULL)
			continue;
		for (unsigned i = 0; i < SKETCH_SUB; i++) {
			seen += s->groups[g][i];
			if (seen >= rank) {
				int64_t v = (int64_t)bucket_value(g, i);

				/* The bucket's middle, never outside what
				 * was seen. */
				if (v < s->min)
					v = s->min;
				if (v > s->max)
					v = s->max;
				*out = v;
				return true;
			}
		}
	}
	*out = s->max; /* not reached: the counts add up to count */
	return true;
}

size_t sketch_bytes(const sketch *s)
{
	size_t n = sizeof(*s);

	for (unsigned g = 0; g < SKETCH_GROUPS; g++)
		if (s->groups[g] != NULL)
			n += SKETCH_SUB * sizeof(uint64_t);
	return n;
}

void sketch_free(sketch *s)
{
	for (unsigned g = 0; g < SKETCH_GROUPS; g++)
		free(s->groups[g]);
	sketch_init(s);
}
