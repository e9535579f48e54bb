/*
 * u64map.h - a set or map of 64-bit keys (open addressing, linear probing,
 * grown at half full), for the report's open connections and the
 * programs of the traced processes.  Key 0 is allowed (kept aside).
 */
#ifndef HT_U64MAP_H
#define HT_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* All zero is an empty map. */
typedef struct u64map {
	uint64_t *keys, *vals;
	size_t cap, n;
	bool has_zero;
	uint64_t zero_val;
} u64map;

/*
 * u64map_put() - set @key to @val; returns true when the key is new.  Out
 * of memory, the key is not stored (statistics degrade, the collector
 * keeps running).
 */
bool u64map_put(u64map *m, uint64_t key, uint64_t val);

/* u64map_del() - remove @key; returns true when it was there. */
bool u64map_del(u64map *m, uint64_t key);

/* u64map_has() - whether @key is in @m. */
bool u64map_has(const u64map *m, uint64_t key);

/* u64map_get() - whether @key is in @m; its value into *@val when it is. */
bool u64map_get(const u64map *m, uint64_t key, uint64_t *val);

/* u64map_free() - release @m's memory; it is empty again. */
void u64map_free(u64map *m);

#endif
