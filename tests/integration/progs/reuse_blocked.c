/*
 * reuse_blocked.c - a thread blocks in read() on connection X; the main
 * thread closes X (its only fd) and opens connection Y on another fd,
 * whose memory in the tracer may be X's; X's answer then arrives, the
 * thread's read returns it, and only then does Y read its own answer.
 * The server (reuseserver.py) answers /x once /y arrived, /y once /x's
 * answer was sent.
 *
 *     reuse_blocked PORT
 *
 * Prints what each read returned.  The thread is known to be in read()
 * by /proc/self/task/TID/syscall (its first field, the system call's
 * number), never by a delay.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fdx;
static volatile pid_t reader_tid;

static int conn_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (void *)&a, sizeof a)) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static void send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0) {
			perror("write");
			exit(1);
		}
		s += w;
		n -= (size_t)w;
	}
}

/* Print what a read of connection @name returned: @n bytes at @b, as
 * "NAME read N body BODY" (the part after the head). */
static void show(const char *name, char *b, ssize_t n)
{
	b[n > 0 ? n : 0] = '\0';
	char *body = strstr(b, "\r\n\r\n");
	printf("%s read %zd body %s\n", name, n, body ? body + 4 : "-");
}

static void *reader(void *arg)
{
	char b[4096];

	(void)arg;
	reader_tid = (pid_t)syscall(SYS_gettid);
	ssize_t n = read(fdx, b, sizeof b - 1);
	show("x", b, n);
	return NULL;
}

/* Whether thread @tid is blocked in read(2) now. */
static int in_read(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	return atoi(line) == SYS_read && line[0] != 'r'; /* not "running" */
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int port = atoi(argv[1]);
	pthread_t th;

	fdx = conn_to(port);
	send_all(fdx, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
	if (pthread_create(&th, NULL, reader, NULL))
		return 1;
	while (!reader_tid || !in_read(reader_tid))
		usleep(1000);
	close(fdx);
	/* X's number goes to a file; Y is a new socket on another fd */
	int nul = open("/dev/null", O_RDONLY);
	int fdy = conn_to(port);
	send_all(fdy, "GET /y HTTP/1.1\r\nHost: b\r\n\r\n");
	pthread_join(th, NULL);
	char b[4096];
	size_t got = 0;
	/* Y's whole answer: a head and a 13-byte body */
	while (got < sizeof b - 1) {
		ssize_t n = read(fdy, b + got, sizeof b - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		b[got] = '\0';
		char *body = strstr(b, "\r\n\r\n");
		if (body && strlen(body + 4) >= 13)
			break;
	}
	show("y", b, (ssize_t)got);
	close(fdy);
	if (nul >= 0)
		close(nul);
	return 0;
}
