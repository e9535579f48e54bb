/* sessmap.c - see sessmap.h. */
#include "sessmap.h"

#include <stdbool.h>

#define NEXT(i) (((i) + 1) & (SESSMAP_SIZE - 1))

static size_t home_of(uintptr_t k)
{
	uint64_t h = (uint64_t)k;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 40) & (SESSMAP_SIZE - 1);
}

/* The slot holding @k, or the empty slot where it would go; SIZE_MAX when
 * @k is absent and the table is full. */
static size_t slot_of(const sessmap *m, uintptr_t k)
{
	size_t i = home_of(k);
	for (size_t n = 0; n < SESSMAP_SIZE; n++, i = NEXT(i))
		if (m->e[i].key == k || m->e[i].key == 0)
			return i;
	return SIZE_MAX;
}

int sessmap_get(const sessmap *m, uintptr_t key)
{
	size_t i = slot_of(m, key);
	return (i != SIZE_MAX && m->e[i].key == key) ? m->e[i].fd : -1;
}

int sessmap_set(sessmap *m, uintptr_t key, int fd)
{
	size_t i = slot_of(m, key);
	if (i == SIZE_MAX)
		return -1;
	m->e[i].key = key;
	m->e[i].fd = fd;
	return 0;
}

void sessmap_del(sessmap *m, uintptr_t key)
{
	size_t i = slot_of(m, key);
	if (i == SIZE_MAX || m->e[i].key != key)
		return;
	/* Pull back every later entry of the run whose home slot does not lie
	 * cyclically in (hole, itself]: it would be unreachable otherwise. */
	size_t j = NEXT(i);
	for (size_t n = 1; n < SESSMAP_SIZE && m->e[j].key != 0; n++, j = NEXT(j)) {
		size_t home = home_of(m->e[j].key);
		bool stays = i <= j ? (i < home && home <= j)
				    : (i < home || home <= j);
		if (!stays) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].key = 0;
}
