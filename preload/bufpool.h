/*
 * bufpool.h - message-sized buffers for the threads that are emitting
 * records right now, instead of one buffer per thread in static TLS.
 *
 * Why: every thread of the host carries the library's initial-exec TLS
 * inside its stack, so a 32 KiB __thread buffer makes each thread's stack
 * 32 KiB smaller and pthread_create() with a small stack fail (EINVAL).  A
 * thread only needs a buffer between its first record of a hook call and
 * the end of that call, so buffers are lent for that time and given back.
 *
 * The pool is lock-free (a bitmap per block of buffers, claimed with a
 * compare-and-swap), takes memory only with mmap, and never frees it: safe
 * in a signal handler, with no lock a thread could hold twice.  Blocks are
 * mapped when all earlier ones are in use, so the pool grows to the number
 * of threads emitting at the same moment and no further.
 */
#ifndef HT_BUFPOOL_H
#define HT_BUFPOOL_H

#include <stddef.h>

#include "wire.h"

/* A buffer holds the largest message the collector accepts. */
#define HT_BUF_SIZE HT_WIRE_MAX_RECORD

#define HT_BUF_PER_BLOCK 32 /* buffers per mmap'ed block */
#define HT_BUF_BLOCKS 64    /* blocks at most: 2048 buffers */

/* ht_buf_get() - lend a buffer of HT_BUF_SIZE bytes, or NULL when every
 * buffer is lent and no more memory can be mapped. */
void *ht_buf_get(void);

/* ht_buf_put() - give back a buffer from ht_buf_get(); NULL is ignored. */
void ht_buf_put(void *buf);

/* ht_buf_reset_after_fork() - in a forked child: the threads that held
 * buffers are gone, so every buffer is free again. */
void ht_buf_reset_after_fork(void);

/* ht_buf_lent() - how many buffers are lent now (for tests). */
unsigned ht_buf_lent(void);

#endif
