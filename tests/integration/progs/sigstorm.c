/*
 * sigstorm.c - HTTP requests while SIGALRM fires about 5000 times a second
 * and its handler makes system calls the library interposes.
 *
 *     sigstorm PORT THREADS NREQ
 *
 * THREADS threads each open one keep-alive connection to 127.0.0.1:PORT and
 * GET /bytes/N on it NREQ times.  The handler (SA_RESTART, but EINTR is
 * retried anyway) write()s to /dev/null and to a non-blocking pipe, does
 * close(dup(/dev/null)), and on one of the tracked connections calls
 * getsockopt(SO_ERROR), a zero-byte send() and close(dup(fd)): hooks that
 * look the fd up run inside the handler, interrupting the same thread's
 * hooks.  Prints one deterministic line per thread and "signals: yes" when
 * the handler ran at least 100 times.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "httpc.h"

static int devnull, pipe_w;
static volatile int tracked_fd = -1;
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	int saved = errno;
	(void)sig;
	ticks++;
	if (write(devnull, "x", 1) < 0)
		_exit(3);
	(void)!write(pipe_w, "y", 1); /* EAGAIN once full: fine */
	int d = dup(devnull);
	if (d >= 0)
		close(d);
	int fd = tracked_fd;
	if (fd >= 0) {
		int e = 0;
		socklen_t l = sizeof e;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
		send(fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
		d = dup(fd);
		if (d >= 0)
			close(d);
	}
	errno = saved;
}

static int port, nreq;
static long totals[64];

static void *worker(void *arg)
{
	long t = (long)arg;
	int fd = http_connect(port);
	if (t == 0)
		tracked_fd = fd;
	long total = 0;
	for (int i = 0; i < nreq; i++) {
		char path[64];
		long body;
		snprintf(path, sizeof path, "/bytes/%ld", 100 * t + i);
		int st = http_get(fd, path, &body, (unsigned)i);
		if (st != 200 || body != 100 * t + i) {
			fprintf(stderr, "request %d: status %d body %ld\n", i, st, body);
			exit(2);
		}
		total += body;
	}
	if (t == 0)
		tracked_fd = -1;
	close(fd);
	totals[t] = total;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: sigstorm PORT THREADS NREQ\n");
		return 2;
	}
	port = atoi(argv[1]);
	int threads = atoi(argv[2]);
	nreq = atoi(argv[3]);
	devnull = open("/dev/null", O_WRONLY);
	int p[2];
	if (devnull < 0 || pipe2(p, O_NONBLOCK) != 0)
		die("setup");
	pipe_w = p[1];

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 200}, {0, 200}};
	setitimer(ITIMER_REAL, &it, NULL);

	pthread_t th[64];
	for (long t = 0; t < threads && t < 64; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)t) != 0)
			die("pthread_create");
	for (long t = 0; t < threads && t < 64; t++)
		pthread_join(th[t], NULL);

	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	for (long t = 0; t < threads && t < 64; t++)
		printf("thread %ld: %d requests, %ld body bytes\n", t, nreq, totals[t]);
	printf("signals: %s\n", ticks >= 100 ? "yes" : "no");
	return 0;
}
