/*
 * badargs.c - socket calls whose arguments the kernel refuses or never
 * reads, on tracked connections: a traced run must print exactly what an
 * untraced one prints (the hooks read an argument only where, and after,
 * the real call did), and must not crash.
 *
 *     badargs connect PORT     connect() with an address on a page that
 *                              cannot be read, NULL, bad lengths (TCP and
 *                              Unix), then a request to rawserver.py's
 *                              /fixed on PORT
 *     badargs msg PORT         on a connection to rawserver.py: a request,
 *                              sendmsg/recvmsg with the msghdr on a page
 *                              that cannot be read, NULL, with msg_iov
 *                              there, readv and writev with the iovec
 *                              there, write from there, then a second
 *                              request
 *     badargs trunc PORT N     on a connection to server.py: GET /bytes/N,
 *                              its header section read, its body discarded
 *                              with MSG_TRUNC (recv with a NULL buffer,
 *                              recvfrom and recvmsg with a buffer of stale
 *                              bytes), after a MSG_PEEK; then GET /bytes/10
 *                              read as usual
 *     badargs truncall PORT    on two connections to rawserver.py: GET
 *                              /fixed, the whole answer discarded with
 *                              MSG_TRUNC (headers too; recvfrom with a
 *                              buffer of stale bytes, then recv with a NULL
 *                              one), then GET /fixed read as usual
 *
 * Each line is "what ret=R errno=NAME".  Reads wait (FIONREAD) until the
 * bytes they take are all there, so every return value is deterministic.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/un.h>

#include "httpc.h"

/* rawserver.py's /fixed: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" */
#define FIXED_ANSWER 43

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EAGAIN: return "EAGAIN";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EISCONN: return "EISCONN";
	default: return "other";
	}
}

#define SHOW(what, expr)                                                      \
	do {                                                                  \
		errno = 0;                                                    \
		long r_ = (long)(expr);                                       \
		int e_ = errno;                                               \
		printf("%-40s ret=%ld errno=%s\n", what, r_, errname(e_));   \
		fflush(stdout);                                               \
	} while (0)

/* An address on a page that cannot be read or written: mapped PROT_NONE
 * (unmapped, its address could be handed out again by a later mmap, the
 * tracing library's own included). */
static void *unmapped(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t)pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Wait until @fd has at least @n bytes to read. */
static void wait_bytes(int fd, int n)
{
	for (;;) {
		int avail = 0;
		if (ioctl(fd, FIONREAD, &avail) != 0)
			die("FIONREAD");
		if (avail >= n)
			return;
		struct pollfd p = {fd, POLLIN, 0};
		poll(&p, 1, 10);
	}
}

static void request(int fd, const char *path)
{
	char req[256];
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	send_all(fd, req, (size_t)n, 0);
}

/* Read the header section one byte at a time; returns its Content-Length. */
static long read_head(int fd)
{
	char h[4096];
	size_t n = 0;
	while (n < 4 || memcmp(h + n - 4, "\r\n\r\n", 4) != 0) {
		if (n == sizeof h - 1 || read(fd, h + n, 1) != 1)
			die("read head");
		n++;
	}
	h[n] = '\0';
	char *cl = strcasestr(h, "\r\nContent-Length:");
	printf("head status=%d\n", atoi(h + 9));
	return cl ? atol(cl + 17) : -1;
}

static int do_connect(int port)
{
	void *bad = unmapped();
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect tcp unmapped", connect(fd, bad, sizeof sa));
	SHOW("connect tcp NULL", connect(fd, NULL, sizeof sa));
	SHOW("connect tcp len 0", connect(fd, (struct sockaddr *)&sa, 0));
	SHOW("connect tcp len 1", connect(fd, (struct sockaddr *)&sa, 1));
	SHOW("connect tcp len huge", connect(fd, (struct sockaddr *)&sa, 100000));
	int ufd = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("connect unix unmapped", connect(ufd, bad, sizeof(struct sockaddr_un)));
	SHOW("connect unix NULL", connect(ufd, NULL, sizeof(struct sockaddr_un)));
	close(ufd);
	SHOW("connect tcp", connect(fd, (struct sockaddr *)&sa, sizeof sa));
	SHOW("connect tcp again unmapped", connect(fd, bad, sizeof sa));
	long body = 0;
	printf("get status=%d", http_get(fd, "/fixed", &body, 0));
	printf(" body=%ld\n", body);
	close(fd);
	return 0;
}

static int do_msg(int port)
{
	void *bad = unmapped();
	int fd = http_connect(port);
	long body = 0;
	printf("get status=%d", http_get(fd, "/fixed", &body, 0));
	printf(" body=%ld\n", body);

	SHOW("sendmsg msghdr unmapped", sendmsg(fd, bad, MSG_NOSIGNAL));
	SHOW("recvmsg msghdr unmapped", recvmsg(fd, bad, MSG_DONTWAIT));
	SHOW("sendmsg msghdr NULL", sendmsg(fd, NULL, MSG_NOSIGNAL));
	SHOW("recvmsg msghdr NULL", recvmsg(fd, NULL, MSG_DONTWAIT));
	struct msghdr m;
	memset(&m, 0, sizeof m);
	m.msg_iov = bad;
	m.msg_iovlen = 1;
	SHOW("sendmsg msg_iov unmapped", sendmsg(fd, &m, MSG_NOSIGNAL));
	SHOW("recvmsg msg_iov unmapped", recvmsg(fd, &m, MSG_DONTWAIT));
	SHOW("writev iov unmapped", writev(fd, bad, 1));
	SHOW("readv iov unmapped", readv(fd, bad, 1));
	SHOW("write buf unmapped", write(fd, bad, 10));

	printf("get status=%d", http_get(fd, "/fixed", &body, 4));
	printf(" body=%ld\n", body);
	close(fd);
	return 0;
}

/* A buffer of bytes a parser fed them would take for a response. */
static void stale(char *b, size_t n)
{
	static const char junk[] = "HTTP/1.1 500 Stale\r\nContent-Length: 0\r\n\r\n";
	for (size_t i = 0; i < n; i++)
		b[i] = junk[i % (sizeof junk - 1)];
}

static int do_trunc(int port, long n)
{
	char path[64], buf[1000];
	int fd = http_connect(port);
	snprintf(path, sizeof path, "/bytes/%ld", n);
	request(fd, path);
	wait_bytes(fd, 1);
	SHOW("recv MSG_PEEK 1", recv(fd, buf, 1, MSG_PEEK));
	SHOW("recv MSG_PEEK|MSG_TRUNC NULL 1", recv(fd, NULL, 1, MSG_PEEK | MSG_TRUNC));
	long len = read_head(fd);
	printf("content-length %ld\n", len);
	long left = len;
	for (unsigned i = 0; left > 0; i++) {
		size_t k = left < (long)sizeof buf ? (size_t)left : sizeof buf;
		wait_bytes(fd, (int)k);
		struct iovec v = {buf, k};
		struct msghdr m;
		memset(&m, 0, sizeof m);
		m.msg_iov = &v;
		m.msg_iovlen = 1;
		stale(buf, sizeof buf);
		ssize_t r;
		switch (i % 3) {
		case 0:
			SHOW("recv NULL MSG_TRUNC", r = recv(fd, NULL, k, MSG_TRUNC));
			break;
		case 1:
			SHOW("recvfrom MSG_TRUNC", r = recvfrom(fd, buf, k, MSG_TRUNC, NULL, NULL));
			break;
		default:
			SHOW("recvmsg MSG_TRUNC", r = recvmsg(fd, &m, MSG_TRUNC));
			break;
		}
		if (r <= 0)
			die("discard");
		left -= r;
	}
	long body = 0;
	printf("get status=%d", http_get(fd, "/bytes/10", &body, 0));
	printf(" body=%ld\n", body);
	close(fd);
	return 0;
}

static int do_truncall(int port)
{
	char buf[FIXED_ANSWER];
	long body = 0;
	/* into a buffer of stale bytes, then with no buffer at all */
	for (int i = 0; i < 2; i++) {
		int fd = http_connect(port);
		request(fd, "/fixed");
		wait_bytes(fd, FIXED_ANSWER);
		stale(buf, sizeof buf);
		if (i == 0)
			SHOW("recvfrom MSG_TRUNC answer",
			     recvfrom(fd, buf, sizeof buf, MSG_TRUNC, NULL, NULL));
		else
			SHOW("recv NULL MSG_TRUNC answer",
			     recv(fd, NULL, FIXED_ANSWER, MSG_TRUNC));
		printf("get status=%d", http_get(fd, "/fixed", &body, 0));
		printf(" body=%ld\n", body);
		close(fd);
	}
	return 0;
}

static int do_fastopen0(void)
{
	void *bad = unmapped();
	static const int types[] = {SOCK_DGRAM, SOCK_STREAM};
	for (int i = 0; i < 2; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, types[i], 0, sv) != 0)
			die("socketpair");
		const char *t = types[i] == SOCK_DGRAM ? "dgram" : "stream";
		char what[64];
		snprintf(what, sizeof what, "sendto fastopen len 0 %s", t);
		SHOW(what, sendto(sv[0], "x", 1, MSG_FASTOPEN, bad, 0));
		struct iovec v = {(void *)"y", 1};
		struct msghdr m;
		memset(&m, 0, sizeof m);
		m.msg_name = bad;
		m.msg_iov = &v;
		m.msg_iovlen = 1;
		snprintf(what, sizeof what, "sendmsg fastopen len 0 %s", t);
		SHOW(what, sendmsg(sv[0], &m, MSG_FASTOPEN));
		close(sv[0]);
		close(sv[1]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "connect") == 0)
		return do_connect(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "msg") == 0)
		return do_msg(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "trunc") == 0)
		return do_trunc(atoi(argv[2]), atol(argv[3]));
	if (argc == 2 && strcmp(argv[1], "fastopen0") == 0)
		return do_fastopen0();
	if (argc == 3 && strcmp(argv[1], "truncall") == 0)
		return do_truncall(atoi(argv[2]));
	fprintf(stderr, "usage: badargs connect|msg|truncall PORT | trunc PORT N\n");
	return 2;
}
