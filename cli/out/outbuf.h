/*
 * outbuf.h - the output buffer of the JSON formats: bytes are formatted
 * straight into one large block that goes out with write(2) when it is
 * full, when the collector goes idle, and at the end.
 *
 * stdio costs the collector more than the formatting itself (a function
 * call, a lock check and a length computation per fragment), and glibc
 * ignores the size given to setvbuf() without a buffer: output went out in
 * 4 KiB writes.  Here a writer asks for room once per fragment
 * (outbuf_room(), an inline comparison), writes into it and commits the
 * new end.
 *
 * The target is the file descriptor of the report's FILE; a FILE without one
 * (a memory stream in the tests) gets the blocks through fwrite().  Write
 * errors are kept: the first one's errno stays in ->err and later output is
 * discarded, so the caller checks once, at the end.
 *
 * No half line: a block goes out when it is full, which can be in the
 * middle of a line, and a disk that fills up takes part of a write.  For a
 * file that only this buffer writes (outbuf_own_file()), the first error
 * cuts the file back to the end of its last whole line (ftruncate), so a
 * JSON Lines output holds whole lines only, however the writing ended.
 * Cutting back rather than writing whole lines only: a write(2) of whole
 * lines can itself stop part-way when the disk fills (a short write), so
 * only a cut after the fact makes the promise for every failure.
 *
 * The same buffer builds strings in memory, for every writer that needs
 * one rather than a file: growable (outbuf_init_grow(): an OTLP request,
 * the Prometheus page; outbuf_take() hands the string over) or in a block
 * of the caller's (outbuf_init_fixed(): a URL, a host name; the output is
 * cut at the block's end).  The writers (outbuf_put(), the json_*()
 * functions) are the same for all three.
 */
#ifndef HT_OUTBUF_H
#define HT_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Size of the block once output comes in volume (the first block is
 * OUTBUF_MAX_ROOM, grown when it fills). */
#define OUTBUF_SIZE (1u << 20)
/* The most one outbuf_room() call may ask for. */
#define OUTBUF_MAX_ROOM (64u * 1024)

/* Where the bytes go. */
enum outbuf_mode {
	OUTBUF_FILE,  /* to a FILE's descriptor, a block at a time */
	OUTBUF_GROW,  /* a string in memory that grows as needed */
	OUTBUF_FIXED, /* a string in the caller's block, cut at its end */
};

typedef struct outbuf {
	/* PRIVATE to writers: the free space is [p, end). */
	char *p, *end;
	/* PRIVATE */
	char *buf;  /* the block; NULL until the first write */
	enum outbuf_mode mode;
	FILE *file; /* the target (OUTBUF_FILE) */
	int fd;     /* fileno(file), or -1: fwrite() to it */
	int err;    /* errno of the first failed write; 0 while none */
	bool cut;   /* on an error, cut the file back to its last '\n' */
	size_t tail; /* bytes written after the last '\n' written; in
		      * memory, after an error: the length kept */
} outbuf;

/*
 * outbuf_init() - set up @ob to write to @file (not owned).  Allocates
 * nothing (the block comes with the first write), cannot fail.
 */
void outbuf_init(outbuf *ob, FILE *file);

/*
 * outbuf_init_grow() - set up @ob to build a string in memory, as long as
 * it needs to be.  Allocates nothing yet, cannot fail; out of memory, the
 * output is discarded and outbuf_take() returns NULL.  Release it with
 * outbuf_take() or outbuf_free().
 */
void outbuf_init_grow(outbuf *ob);

/*
 * outbuf_init_fixed() - set up @ob to build a string in @buf (capacity
 * @cap > 0, one byte of which is kept for the NUL that outbuf_str()
 * writes).  Output past the end is cut off: what fits is kept, later output
 * is discarded, and ->err is ENOSPC (outbuf_flush() returns -ENOSPC).
 * Only outbuf_put() keeps a part: a writer that asks for room (json_u64())
 * needs all it asks for.
 */
void outbuf_init_fixed(outbuf *ob, char *buf, size_t cap);

/*
 * outbuf_own_file() - the target is a file that only @ob writes (a report
 * file opened by path): when a write fails, cut it back to the end of the
 * last whole line written.  Does nothing unless the descriptor is a
 * regular file (a pipe or terminal cannot be cut back).
 */
void outbuf_own_file(outbuf *ob);

/*
 * outbuf_fail() - record @err (an errno) as the buffer's error unless one
 * is recorded already, discard what is buffered, and cut an owned file
 * back to its last whole line.  Later output is discarded.
 */
void outbuf_fail(outbuf *ob, int err);

/*
 * outbuf_make_room() - the slow path of outbuf_room(): flush, allocate.
 * Never fails: out of memory, output is discarded and ->err is ENOMEM.
 */
char *outbuf_make_room(outbuf *ob, size_t n);

/*
 * outbuf_room() - a pointer to at least @n (<= OUTBUF_MAX_ROOM) free bytes.
 * Write there, then outbuf_commit() the end of what was written.
 */
static inline char *outbuf_room(outbuf *ob, size_t n)
{
	if ((size_t)(ob->end - ob->p) >= n)
		return ob->p;
	return outbuf_make_room(ob, n);
}

/* outbuf_commit() - @q (inside the room just given) is the new end. */
static inline void outbuf_commit(outbuf *ob, char *q)
{
	ob->p = q;
}

/* outbuf_put_slow() - outbuf_put() of any size, in pieces. */
void outbuf_put_slow(outbuf *ob, const void *s, size_t n);

/* outbuf_put() - append @n bytes of @s. */
static inline void outbuf_put(outbuf *ob, const void *s, size_t n)
{
	if ((size_t)(ob->end - ob->p) >= n) {
		memcpy(ob->p, s, n);
		ob->p += n;
	} else {
		outbuf_put_slow(ob, s, n);
	}
}

/* outbuf_puts() - append the NUL-terminated @s. */
static inline void outbuf_puts(outbuf *ob, const char *s)
{
	outbuf_put(ob, s, strlen(s));
}

/* outbuf_error() - 0, or the -errno of the first failure (a write, memory,
 * a fixed block's end). */
static inline int outbuf_error(const outbuf *ob)
{
	return -ob->err;
}

/* outbuf_len() - the length of an in-memory string built so far. */
static inline size_t outbuf_len(const outbuf *ob)
{
	if (ob->err != 0)
		return ob->tail;
	return ob->buf != NULL ? (size_t)(ob->p - ob->buf) : 0;
}

/*
 * outbuf_str() - the in-memory string built so far, NUL-terminated (at
 * outbuf_len()); still @ob's.  "" when nothing was written.
 */
char *outbuf_str(outbuf *ob);

/*
 * outbuf_trim() - keep only the first @len bytes of an in-memory string
 * (no-op when it is not longer).
 */
void outbuf_trim(outbuf *ob, size_t len);

/*
 * outbuf_take() - the string of an OUTBUF_GROW buffer, NUL-terminated and
 * malloc'd for the caller ("" when nothing was written); NULL when memory
 * ran out.  Leaves @ob empty, as outbuf_init_grow() made it.
 */
char *outbuf_take(outbuf *ob);

/*
 * outbuf_flush() - write out what is buffered (after flushing @file's own
 * stdio buffer, so the order of the bytes is kept).  Retries on EINTR and
 * waits when the descriptor is non-blocking and full.  Returns 0, or the
 * -errno of the first write that failed since outbuf_init().  In memory,
 * writes nothing and returns 0 or -ENOMEM / -ENOSPC.
 */
int outbuf_flush(outbuf *ob);

/* outbuf_free() - release the block (unflushed output is lost); a fixed
 * block stays the caller's. */
void outbuf_free(outbuf *ob);

/* send_all() - send all @n bytes at @p on the connected socket @fd
 * (MSG_NOSIGNAL: a client gone raises no SIGPIPE), again after EINTR, as a
 * small server answers its client.  Returns 0, or -errno when send() fails
 * (-EPIPE when it sent nothing: the socket's send timeout ran out). */
int send_all(int fd, const char *p, size_t n);

#endif
