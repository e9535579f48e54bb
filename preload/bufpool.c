/*
 * bufpool.c - lock-free pool of message buffers (see bufpool.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "bufpool.h"

#define BLOCK_BYTES ((size_t)HT_BUF_PER_BLOCK * HT_BUF_SIZE)
#define ALL_LENT ((uint32_t)((1ull << HT_BUF_PER_BLOCK) - 1))

_Static_assert(HT_BUF_PER_BLOCK <= 32, "one 32-bit bitmap per block");

static struct block {
	uint8_t *mem;  /* BLOCK_BYTES, or NULL until mapped */
	uint32_t lent; /* bit i: buffer i of the block is lent */
} blocks[HT_BUF_BLOCKS];

/* Claim a free buffer of @b, or return NULL when all are lent. */
static void *claim(struct block *b, uint8_t *mem)
{
	uint32_t v = __atomic_load_n(&b->lent, __ATOMIC_RELAXED);
	while (v != ALL_LENT) {
		unsigned i = (unsigned)__builtin_ctz(~v);
		if (__atomic_compare_exchange_n(&b->lent, &v, v | (1u << i),
						true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return mem + (size_t)i * HT_BUF_SIZE;
	}
	return NULL;
}

/* The memory of block @i, mapping it first if no thread has. */
static uint8_t *block_mem(unsigned i)
{
	uint8_t *mem = __atomic_load_n(&blocks[i].mem, __ATOMIC_ACQUIRE);
	if (mem)
		return mem;
	void *m = mmap(NULL, BLOCK_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uint8_t *expected = NULL;
	if (__atomic_compare_exchange_n(&blocks[i].mem, &expected, m, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return m;
	/* Another thread mapped it first: use theirs. */
	munmap(m, BLOCK_BYTES);
	return expected;
}

void *ht_buf_get(void)
{
	for (unsigned i = 0; i < HT_BUF_BLOCKS; i++) {
		uint8_t *mem = block_mem(i);
		if (!mem)
			return NULL;
		void *buf = claim(&blocks[i], mem);
		if (buf)
			return buf;
	}
	return NULL;
}

void ht_buf_put(void *buf)
{
	if (!buf)
		return;
	for (unsigned i = 0; i < HT_BUF_BLOCKS; i++) {
		uint8_t *mem = __atomic_load_n(&blocks[i].mem, __ATOMIC_ACQUIRE);
		if (!mem)
			break;
		if ((uint8_t *)buf >= mem && (uint8_t *)buf < mem + BLOCK_BYTES) {
			unsigned k = (unsigned)(((uint8_t *)buf - mem) / HT_BUF_SIZE);
			__atomic_and_fetch(&blocks[i].lent, ~(1u << k),
					   __ATOMIC_RELEASE);
			return;
		}
	}
}

void ht_buf_reset_after_fork(void)
{
	/* Stored only when not 0: a store is a page fault in the child
	 * (ht.h HT_RESET), and a process that never connected lent none. */
	for (unsigned i = 0; i < HT_BUF_BLOCKS; i++)
		if (blocks[i].lent)
			blocks[i].lent = 0;
}

unsigned ht_buf_lent(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < HT_BUF_BLOCKS; i++)
		n += (unsigned)__builtin_popcount(
			__atomic_load_n(&blocks[i].lent, __ATOMIC_RELAXED));
	return n;
}
