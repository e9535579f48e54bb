/*
 * sessmap.h - TLS session pointer -> socket fd, a fixed-size hash table.
 *
 * Open addressing with linear probing; deletion shifts later entries back
 * instead of leaving tombstones, so a lookup stops at the first empty slot
 * however many sessions came and went.  Pure: the caller locks.
 */
#ifndef HT_SESSMAP_H
#define HT_SESSMAP_H

#include <stddef.h>
#include <stdint.h>

#define SESSMAP_SIZE 16384 /* power of two */

typedef struct sessmap {
	struct {
		uintptr_t key; /* 0: empty */
		int fd;
	} e[SESSMAP_SIZE];
} sessmap;

/* sessmap_get() - the fd stored for @key (non-zero), or -1. */
int sessmap_get(const sessmap *m, uintptr_t key);

/* sessmap_set() - store @fd for @key (non-zero), replacing any previous
 * value.  Returns 0, or -1 when the table is full. */
int sessmap_set(sessmap *m, uintptr_t key, int fd);

/* sessmap_del() - forget @key; nothing happens when it is absent. */
void sessmap_del(sessmap *m, uintptr_t key);

#endif
