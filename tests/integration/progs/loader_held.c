/*
 * loader_held.c - the first calls of hooked functions made while other
 * threads hold the dynamic loader's locks: one thread is inside
 * dl_iterate_phdr() (its list lock, which dl_iterate_phdr takes), another
 * inside dlopen() of a library whose constructor waits (the lock dlsym
 * takes).  The main thread then makes its first connect, getsockopt,
 * send, recv, write, read, poll, fcntl, dup and close: each finds the
 * real function with no call into the loader (a lookup that took either
 * lock would wait for threads that wait for the main thread: a hang).
 *
 *   loader_held LIBDIR
 *
 * Prints what each call returned, then "done".  LIBDIR holds
 * libloader_held.so (progs/loader_held_lib.c).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

volatile int loader_held_ctor_in, loader_held_go;
static volatile int walking;
static char lib[4096];

static int hold_walk(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info, (void)size, (void)arg;
	walking = 1;
	while (!loader_held_go)
		sched_yield();
	return 1;
}

static void *walker(void *arg)
{
	(void)arg;
	dl_iterate_phdr(hold_walk, NULL);
	return NULL;
}

static void *opener(void *arg)
{
	(void)arg;
	void *h = dlopen(lib, RTLD_NOW);
	if (!h)
		fprintf(stderr, "dlopen: %s\n", dlerror());
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	snprintf(lib, sizeof lib, "%s/libloader_held.so", argv[1]);
	/* A listener to connect to, made with calls the library passes by. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(l, 1) != 0 || getsockname(l, (struct sockaddr *)&a, &al) != 0)
		return 3;

	/* dlopen first: it takes the list lock too while it loads, which
	 * the walker then holds. */
	pthread_t o, w;
	pthread_create(&o, NULL, opener, NULL);
	while (!loader_held_ctor_in)
		sched_yield();
	pthread_create(&w, NULL, walker, NULL);
	while (!walking)
		sched_yield();

	int c = socket(AF_INET, SOCK_STREAM, 0);
	int r = connect(c, (struct sockaddr *)&a, sizeof a);
	printf("connect %d\n", r);
	int err = -1;
	socklen_t el = sizeof err;
	r = getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
	printf("getsockopt %d error %d\n", r, err);
	printf("send %zd\n", send(c, "ping", 4, 0));
	int s = accept4(l, NULL, NULL, 0);
	char buf[16] = "";
	printf("recv %zd\n", recv(s, buf, sizeof buf, 0));
	printf("write %zd\n", write(s, "pong", 4));
	struct pollfd p = {.fd = c, .events = POLLIN};
	printf("poll %d revents %d\n", poll(&p, 1, -1), p.revents);
	memset(buf, 0, sizeof buf);
	printf("read %zd %s\n", read(c, buf, sizeof buf - 1), buf);
	printf("fcntl %d\n", (fcntl(c, F_GETFL) & O_NONBLOCK) != 0);
	int d = dup(c);
	printf("dup %d\n", d > c);
	printf("close %d %d %d %d\n", close(d), close(c), close(s), close(l));
	fflush(stdout);

	loader_held_go = 1;
	pthread_join(w, NULL);
	pthread_join(o, NULL);
	printf("done\n");
	return 0;
}
