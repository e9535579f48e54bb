/* u64map.c - a map of 64-bit keys; see u64map.h. */
#include "u64map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The slot of @key in @m (empty or holding it); m->cap > m->n. */
static size_t u64map_slot(const u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)mix64(key) & mask;

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static int u64map_grow(u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	u64map n = { .cap = cap };

	n.keys = calloc(cap, sizeof(*n.keys));
	n.vals = calloc(cap, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] != 0) {
			size_t j = u64map_slot(&n, m->keys[i]);

			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
	}
	free(m->keys);
	free(m->vals);
	m->keys = n.keys;
	m->vals = n.vals;
	m->cap = cap;
	return 0;
}

bool u64map_put(u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (key == 0) {
		bool fresh = !m->has_zero;

		m->has_zero = true;
		m->zero_val = val;
		return fresh;
	}
	if ((m->n + 1) * 4 > m->cap * 3 && u64map_grow(m) < 0)
		return false;
	i = u64map_slot(m, key);
	m->vals[i] = val;
	if (m->keys[i] == key)
		return false;
	m->keys[i] = key;
	m->n++;
	return true;
}

/* Remove @key (backward-shift deletion: the keys after it in its probe
 * run move up, so lookups never meet a hole).  Returns true when it was
 * there. */
bool u64map_del(u64map *m, uint64_t key)
{
	size_t mask, i, j;

	if (key == 0) {
		bool had = m->has_zero;

		m->has_zero = false;
		return had;
	}
	if (m->cap == 0)
		return false;
	mask = m->cap - 1;
	i = u64map_slot(m, key);
	if (m->keys[i] != key)
		return false;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (m->keys[j] == 0)
			break;
		home = (size_t)mix64(m->keys[j]) & mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
	m->keys[i] = 0;
	m->n--;
	return true;
}

bool u64map_has(const u64map *m, uint64_t key)
{
	if (key == 0)
		return m->has_zero;
	return m->cap > 0 && m->keys[u64map_slot(m, key)] == key;
}

bool u64map_get(const u64map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (key == 0) {
		*val = m->zero_val;
		return m->has_zero;
	}
	if (m->cap == 0)
		return false;
	i = u64map_slot(m, key);
	*val = m->vals[i];
	return m->keys[i] == key;
}

void u64map_free(u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

