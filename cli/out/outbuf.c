/* outbuf.c - block-buffered output with write(2); see outbuf.h. */
#include "outbuf.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

/* Where output goes when not even a small block can be allocated: it is
 * discarded (->err says so), but writers still need room to write into. */
static char discard_block[OUTBUF_MAX_ROOM];

void outbuf_init(outbuf *ob, FILE *file)
{
	ob->p = ob->end = ob->buf = NULL;
	ob->mode = OUTBUF_FILE;
	ob->file = file;
	ob->fd = file != NULL ? fileno(file) : -1;
	ob->err = 0;
	ob->cut = false;
	ob->tail = 0;
}

void outbuf_init_grow(outbuf *ob)
{
	outbuf_init(ob, NULL);
	ob->mode = OUTBUF_GROW;
}

void outbuf_init_fixed(outbuf *ob, char *buf, size_t cap)
{
	outbuf_init(ob, NULL);
	ob->mode = OUTBUF_FIXED;
	ob->buf = ob->p = buf;
	ob->end = buf + cap - 1; /* the NUL's byte */
	buf[0] = '\0';
}

void outbuf_own_file(outbuf *ob)
{
	struct stat st;

	ob->cut = ob->fd >= 0 && fstat(ob->fd, &st) == 0 &&
		  S_ISREG(st.st_mode);
}

/* Account for @n bytes of @p that reached the file: how many follow the
 * last newline. */
static void count_tail(outbuf *ob, const char *p, size_t n)
{
	const char *nl = memrchr(p, '\n', n);

	if (nl != NULL)
		ob->tail = (size_t)(p + n - (nl + 1));
	else
		ob->tail += n;
}

/* An in-memory string fails: what it holds is kept (its length in
 * ->tail), and from now on writers write into the discard block. */
static void fail_mem(outbuf *ob, int err)
{
	if (ob->err != 0)
		return;
	ob->tail = outbuf_len(ob);
	ob->err = err;
	ob->p = discard_block;
	ob->end = discard_block + sizeof(discard_block);
}

void outbuf_fail(outbuf *ob, int err)
{
	if (ob->mode != OUTBUF_FILE) {
		fail_mem(ob, err);
		return;
	}
	if (ob->err == 0)
		ob->err = err;
	if (ob->buf != NULL)
		ob->p = ob->buf;
	if (ob->cut && ob->tail > 0) {
		/* The file offset is the end of what was written (the file
		 * is ours alone): the half line is the last ob->tail bytes. */
		off_t end = lseek(ob->fd, 0, SEEK_CUR);

		if (end >= (off_t)ob->tail &&
		    ftruncate(ob->fd, end - (off_t)ob->tail) == 0)
			lseek(ob->fd, end - (off_t)ob->tail, SEEK_SET);
	}
	ob->tail = 0;
	ob->cut = false; /* once */
}

/* Write @n bytes of @p to the descriptor; returns 0 or an errno. */
static int write_all(outbuf *ob, const char *p, size_t n)
{
	int fd = ob->fd;

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
		count_tail(ob, p, (size_t)w);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int outbuf_flush(outbuf *ob)
{
	if (ob->mode != OUTBUF_FILE)
		return -ob->err;

	size_t n = ob->buf != NULL ? (size_t)(ob->p - ob->buf) : 0;

	int err = 0;

	if (n > 0 && ob->err == 0) {
		if (ob->fd >= 0) {
			/* Anything written to the FILE itself goes first. */
			if (fflush(ob->file) != 0)
				err = errno ? errno : EIO;
			else
				err = write_all(ob, ob->buf, n);
		} else if (fwrite(ob->buf, 1, n, ob->file) != n) {
			err = errno ? errno : EIO;
		}
	}
	if (err != 0 || (ob->err != 0 && ob->cut))
		outbuf_fail(ob, err ? err : ob->err);
	if (ob->buf != NULL)
		ob->p = ob->buf;
	return -ob->err;
}

/* outbuf_make_room() of a string in memory. */
static char *mem_room(outbuf *ob, size_t n)
{
	size_t len = outbuf_len(ob), cap;
	char *p;

	if (ob->err != 0) {
		ob->p = discard_block; /* output is discarded */
		return ob->p;
	}
	if (ob->mode == OUTBUF_FIXED) {
		fail_mem(ob, ENOSPC);
		return ob->p;
	}
	cap = ob->buf != NULL ? (size_t)(ob->end - ob->buf) + 1 : 256;
	while (cap < len + n + 1)
		cap *= 2;
	p = realloc(ob->buf, cap);
	if (p == NULL) {
		fail_mem(ob, ENOMEM);
		return ob->p;
	}
	ob->buf = p;
	ob->p = p + len;
	ob->end = p + cap - 1; /* the NUL's byte */
	return ob->p;
}

char *outbuf_make_room(outbuf *ob, size_t n)
{
	if (ob->mode != OUTBUF_FILE)
		return mem_room(ob, n);
	if (ob->buf == NULL) {
		/* A small block first: a report of a few requests never
		 * needs more, and each unit test makes many reports. */
		ob->buf = malloc(OUTBUF_MAX_ROOM);
		if (ob->buf == NULL)
			ob->buf = discard_block;
		ob->p = ob->buf;
		ob->end = ob->buf + OUTBUF_MAX_ROOM;
		if (ob->buf == discard_block)
			outbuf_fail(ob, ENOMEM);
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

	if (ob->mode == OUTBUF_FIXED && ob->err == 0) {
		/* What fits is kept. */
		size_t k = (size_t)(ob->end - ob->p);

		memcpy(ob->p, src, k);
		ob->p += k;
		fail_mem(ob, ENOSPC);
		return;
	}
	while (n > 0) {
		size_t k = n < OUTBUF_MAX_ROOM ? n : OUTBUF_MAX_ROOM;
		char *q = outbuf_room(ob, k);

		memcpy(q, src, k);
		outbuf_commit(ob, q + k);
		src += k;
		n -= k;
	}
}

char *outbuf_str(outbuf *ob)
{
	if (ob->buf == NULL)
		return (char *)"";
	ob->buf[outbuf_len(ob)] = '\0';
	return ob->buf;
}

void outbuf_trim(outbuf *ob, size_t len)
{
	if (len >= outbuf_len(ob))
		return;
	if (ob->err != 0)
		ob->tail = len;
	else
		ob->p = ob->buf + len;
}

char *outbuf_take(outbuf *ob)
{
	char *s = ob->err == 0 ? outbuf_str(ob) : NULL;

	if (s != NULL && ob->buf == NULL)
		s = strdup("");
	else if (s == NULL)
		free(ob->buf);
	outbuf_init_grow(ob);
	return s;
}

void outbuf_free(outbuf *ob)
{
	if (ob->mode == OUTBUF_FIXED)
		return;
	if (ob->buf != discard_block)
		free(ob->buf);
	ob->p = ob->end = ob->buf = NULL;
}

int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
