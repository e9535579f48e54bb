/*
 * reuse_blocked.c - a thread blocks in a call on connection X; the main
 * thread closes X (its only fd) and opens connection Y on another fd,
 * whose memory in the tracer may be X's; the thread's call then returns,
 * and only then does Y read its own answer.
 *
 *     reuse_blocked read|write PORT
 *
 * read: X's request GET /x is written, the thread blocks in read(); the
 * server (reuseserver.py) answers /x once /y arrived, /y once /x's answer
 * was sent.  write: the thread writes POST /big with a 32 MiB body in one
 * write(), which blocks: the server reads the body only once /y arrived.
 * Prints what each read returned.  The thread is known to be in its call
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

#define BIG (32 << 20)

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

static void *writer(void *arg)
{
	char *big = arg;

	reader_tid = (pid_t)syscall(SYS_gettid);
	ssize_t n = write(fdx, big, strlen(big));
	printf("x wrote %s\n", n > 0 ? "some" : "none");
	return NULL;
}

/* Whether thread @tid is blocked in system call @nr now. */
static int in_call(pid_t tid, int nr)
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
	return atoi(line) == nr && line[0] != 'r'; /* not "running" */
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int wr = strcmp(argv[1], "write") == 0;
	int port = atoi(argv[2]);
	pthread_t th;
	char *big = NULL;

	fdx = conn_to(port);
	if (wr) {
		static const char head[] = "POST /big HTTP/1.1\r\nHost: a\r\n"
					   "Content-Length: 33554432\r\n\r\n";
		big = malloc(sizeof head + BIG);
		if (!big)
			return 1;
		memcpy(big, head, sizeof head - 1);
		memset(big + sizeof head - 1, 'b', BIG);
		big[sizeof head - 1 + BIG] = '\0';
	} else {
		send_all(fdx, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
	}
	if (pthread_create(&th, NULL, wr ? writer : reader, big))
		return 1;
	while (!reader_tid || !in_call(reader_tid, wr ? SYS_write : SYS_read))
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
	free(big);
	return 0;
}
