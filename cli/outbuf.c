/* outbuf.c - block-buffered output with write(2); see outbuf.h. */
#include "outbuf.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

/* Where output goes when not even a small block can be allocated: it is
 * discarded (->err says so), but writers still need room to write into. */
static char discard_block[OUTBUF_MAX_ROOM];

void outbuf_init(outbuf *ob, FILE *file)
{
	ob->p = ob->end = ob->buf = NULL;
	ob->file = file;
	ob->fd = file != NULL ? fileno(file) : -1;
	ob->err = 0;
}

/* Write @n bytes of @p to the descriptor; returns 0 or an errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* A non-blocking pipe or terminal inherited as
				 * stderr: wait for room rather than lose output. */
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return errno;
				continue;
			}
			return errno;
		}
		if (w == 0)
			return EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int outbuf_flush(outbuf *ob)
{
	size_t n = ob->buf != NULL ? (size_t)(ob->p - ob->buf) : 0;

	if (n > 0 && ob->err == 0) {
		if (ob->fd >= 0) {
			/* Anything written to the FILE itself goes first. */
			if (fflush(ob->file) != 0)
				ob->err = errno ? errno : EIO;
			else
				ob->err = write_all(ob->fd, ob->buf, n);
		} else if (fwrite(ob->buf, 1, n, ob->file) != n) {
			ob->err = errno ? errno : EIO;
		}
	}
	if (ob->buf != NULL)
		ob->p = ob->buf;
	return -ob->err;
}

char *outbuf_make_room(outbuf *ob, size_t n)
{
	if (ob->buf == NULL) {
		/* A small block first: a report of a few requests never
		 * needs more, and each unit test makes many reports. */
		ob->buf = malloc(OUTBUF_MAX_ROOM);
		if (ob->buf == NULL) {
			ob->err = ENOMEM;
			ob->buf = discard_block;
		}
		ob->p = ob->buf;
		ob->end = ob->buf + OUTBUF_MAX_ROOM;
	}
	if ((size_t)(ob->end - ob->p) >= n)
		return ob->p;
	if ((size_t)(ob->end - ob->buf) < OUTBUF_SIZE &&
	    ob->buf != discard_block) {
		/* The small block filled up: output comes in volume, so
		 * from now on it goes out in large writes. */
		char *big = realloc(ob->buf, OUTBUF_SIZE);

		if (big != NULL) {
			ob->p = big + (ob->p - ob->buf);
			ob->buf = big;
			ob->end = big + OUTBUF_SIZE;
			if ((size_t)(ob->end - ob->p) >= n)
				return ob->p;
		}
	}
	outbuf_flush(ob); /* empties the block, which holds >= n */
	return ob->p;
}

void outbuf_put_slow(outbuf *ob, const void *s, size_t n)
{
	const char *src = s;

	while (n > 0) {
		size_t k = n < OUTBUF_MAX_ROOM ? n : OUTBUF_MAX_ROOM;
		char *q = outbuf_room(ob, k);

		memcpy(q, src, k);
		outbuf_commit(ob, q + k);
		src += k;
		n -= k;
	}
}

void outbuf_free(outbuf *ob)
{
	if (ob->buf != discard_block)
		free(ob->buf);
	ob->p = ob->end = ob->buf = NULL;
}
