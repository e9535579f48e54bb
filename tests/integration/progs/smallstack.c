/*
 * smallstack.c - HTTP from a thread whose stack is as small as the program
 * itself needs: PTHREAD_STACK_MIN plus room for its own work.
 *
 *   smallstack PORT N [EXTRA]
 *
 * Creates one thread on a stack of PTHREAD_STACK_MIN + EXTRA bytes
 * (default 16 KiB) that the program maps itself and paints, makes N
 * keep-alive GETs of /bytes/<i> to 127.0.0.1:PORT in it, and prints each
 * status and body size on standard output.  On standard error it prints
 * "stack-peak BYTES": the deepest the thread's stack went, static TLS
 * included (glibc places the thread's TLS at the top of its stack), read
 * back from the paint.
 *
 * glibc refuses with EINVAL a stack smaller than its static TLS plus a
 * small reserve, so a preloaded library with a large __thread footprint
 * makes pthread_create fail here: the program prints the error, exits 3.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>

#include "httpc.h"

#define PAINT 0x5a

static int port, nreq;
static char out[64][32];

static void *work(void *arg)
{
	(void)arg;
	int fd = http_connect(port);
	for (int i = 0; i < nreq && i < 64; i++) {
		char path[32];
		long body = 0;
		snprintf(path, sizeof path, "/bytes/%d", 100 + i);
		int st = http_get(fd, path, &body, (unsigned)i);
		snprintf(out[i], sizeof out[i], "%d %ld", st, body);
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: smallstack PORT N [EXTRA]\n");
		return 2;
	}
	port = atoi(argv[1]);
	nreq = atoi(argv[2]);
	size_t extra = argc > 3 ? (size_t)atol(argv[3]) : 16384;
	size_t size = (size_t)PTHREAD_STACK_MIN + extra;
	size = (size + 4095) & ~(size_t)4095;

	unsigned char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		die("mmap");
	memset(stack, PAINT, size);

	pthread_attr_t attr;
	pthread_t th;
	pthread_attr_init(&attr);
	int err = pthread_attr_setstack(&attr, stack, size);
	if (err == 0)
		err = pthread_create(&th, &attr, work, NULL);
	if (err != 0) {
		fprintf(stderr, "pthread_create with a %zu-byte stack: %s\n",
			size, strerror(err));
		return 3;
	}
	pthread_join(th, NULL);
	for (int i = 0; i < nreq && i < 64; i++)
		printf("%s\n", out[i]);

	size_t low = 0;
	while (low < size && stack[low] == PAINT)
		low++;
	fprintf(stderr, "stack-peak %zu of %zu\n", size - low, size);
	return 0;
}
