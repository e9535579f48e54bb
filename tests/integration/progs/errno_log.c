/*
 * errno_log.c - log (call, return value, errno) for every interposed call,
 * on success and on failure, so that a traced and an untraced run can be
 * compared line by line; plus the signal dispositions, and SIGPIPE.
 *
 *     errno_log log PORT CLOSED_PORT   the log (rawserver.py on PORT;
 *                                      nothing listens on CLOSED_PORT)
 *     errno_log sigpipe PORT           SIGPIPE left at its default: a
 *                                      request, then a write after
 *                                      shutdown(SHUT_WR): dies of SIGPIPE
 *     errno_log requests PORT N [FILE] N keep-alive requests to /fixed with
 *                                      SIGPIPE at its default; with FILE:
 *                                      then wait until FILE exists and make
 *                                      N more
 *
 * errno is set to a sentinel before each call and logged after it.  Every
 * return value logged is deterministic: reads wait (FIONREAD) until the
 * whole answer is there and read exact sizes.  Built with
 * -D_FORTIFY_SOURCE=2 so that read(), recv() and recvfrom() into arrays of
 * known size become __read_chk and friends; "(read)(...)" calls the plain
 * function.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "httpc.h"

#define SENTINEL 7777
/* "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" */
#define ANSWER 43

#define LOG(name, expr)                                                       \
	do {                                                                  \
		errno = SENTINEL;                                             \
		long r_ = (long)(expr);                                       \
		int e_ = errno;                                               \
		printf("%-34s ret=%ld errno=%d\n", name, r_, e_);             \
	} while (0)

static void dump_signals(const char *when)
{
	printf("signal dispositions %s:", when);
	for (int s = 1; s < NSIG; s++) {
		struct sigaction sa;
		if (sigaction(s, NULL, &sa) != 0) {
			printf(" %d:-", s);
			continue;
		}
		const char *h = sa.sa_handler == SIG_DFL ? "dfl" :
				sa.sa_handler == SIG_IGN ? "ign" : "fn";
		unsigned long mask = 0;
		for (int m = 1; m < 64 && m < NSIG; m++)
			if (sigismember(&sa.sa_mask, m) == 1)
				mask |= 1ul << m;
		printf(" %d:%s/%x/%lx", s, h, (unsigned)sa.sa_flags, mask);
	}
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf(" blocked:");
	for (int m = 1; m < 64 && m < NSIG; m++)
		if (sigismember(&cur, m) == 1)
			printf(" %d", m);
	printf("\n");
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static void wait_readable(int fd, int n)
{
	for (int i = 0; i < 300; i++) {
		int avail = 0;
		if (ioctl(fd, FIONREAD, &avail) == 0 && avail >= n)
			return;
		struct pollfd p = {fd, POLLIN, 0};
		poll(&p, 1, 100);
	}
	fprintf(stderr, "no answer within 30 s\n");
	exit(2);
}

/* Sizes the compiler cannot see: the fortified calls check at run time. */
static volatile size_t six = 6, four = 4;

static const char REQ[] = "GET /fixed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/* One request written in five pieces and its answer read in seven, every
 * call logged.  @fd is non-blocking. */
static void exchange(int fd, const char *tag)
{
	char name[64], buf[64];
	const char *p = REQ;
	size_t piece = (sizeof REQ - 1) / 5;
	struct iovec v[2];
	struct msghdr m;

	snprintf(name, sizeof name, "%s write", tag);
	LOG(name, write(fd, p, piece));
	p += piece;
	snprintf(name, sizeof name, "%s send", tag);
	LOG(name, send(fd, p, piece, 0));
	p += piece;
	v[0] = (struct iovec){(void *)p, 3};
	v[1] = (struct iovec){(void *)(p + 3), piece - 3};
	snprintf(name, sizeof name, "%s writev", tag);
	LOG(name, writev(fd, v, 2));
	p += piece;
	snprintf(name, sizeof name, "%s sendto", tag);
	LOG(name, sendto(fd, p, piece, 0, NULL, 0));
	p += piece;
	v[0] = (struct iovec){(void *)p, REQ + sizeof REQ - 1 - p};
	memset(&m, 0, sizeof m);
	m.msg_iov = v;
	m.msg_iovlen = 1;
	snprintf(name, sizeof name, "%s sendmsg", tag);
	LOG(name, sendmsg(fd, &m, 0));

	wait_readable(fd, ANSWER);
	snprintf(name, sizeof name, "%s recv peek", tag);
	LOG(name, recv(fd, buf, 10, MSG_PEEK));
	snprintf(name, sizeof name, "%s read (chk)", tag);
	LOG(name, read(fd, buf, six));
	snprintf(name, sizeof name, "%s read", tag);
	LOG(name, (read)(fd, buf, 6));
	snprintf(name, sizeof name, "%s recv (chk)", tag);
	LOG(name, recv(fd, buf, six, 0));
	snprintf(name, sizeof name, "%s recv", tag);
	LOG(name, (recv)(fd, buf, 6, 0));
	snprintf(name, sizeof name, "%s recvfrom (chk)", tag);
	LOG(name, recvfrom(fd, buf, six, 0, NULL, NULL));
	v[0] = (struct iovec){buf, 2};
	v[1] = (struct iovec){buf + 2, 4};
	snprintf(name, sizeof name, "%s readv", tag);
	LOG(name, readv(fd, v, 2));
	v[0] = (struct iovec){buf, ANSWER - 36};
	memset(&m, 0, sizeof m);
	m.msg_iov = v;
	m.msg_iovlen = 1;
	snprintf(name, sizeof name, "%s recvmsg", tag);
	LOG(name, recvmsg(fd, &m, 0));
	/* nothing more to read: EAGAIN from each */
	snprintf(name, sizeof name, "%s read EAGAIN", tag);
	LOG(name, (read)(fd, buf, 6));
	snprintf(name, sizeof name, "%s recv EAGAIN", tag);
	LOG(name, (recv)(fd, buf, 6, 0));
	snprintf(name, sizeof name, "%s recvfrom EAGAIN", tag);
	LOG(name, (recvfrom)(fd, buf, 6, 0, NULL, NULL));
	snprintf(name, sizeof name, "%s readv EAGAIN", tag);
	LOG(name, readv(fd, v, 1));
	snprintf(name, sizeof name, "%s recvmsg EAGAIN", tag);
	LOG(name, recvmsg(fd, &m, 0));
}

/* Every I/O call on @fd (a pipe end or a bad fd). */
static void io_all(int rfd, int wfd, const char *tag)
{
	char name[64], buf[16] = "0123456789";
	struct iovec v = {buf, 4};
	struct msghdr m;
	memset(&m, 0, sizeof m);
	m.msg_iov = &v;
	m.msg_iovlen = 1;
#define L(call, expr) do { snprintf(name, sizeof name, "%s " call, tag); LOG(name, expr); } while (0)
	L("write", write(wfd, buf, 4));
	L("writev", writev(wfd, &v, 1));
	L("send", send(wfd, buf, 4, 0));
	L("sendto", sendto(wfd, buf, 4, 0, NULL, 0));
	L("sendmsg", sendmsg(wfd, &m, 0));
	L("read (chk)", read(rfd, buf, four));
	L("read", (read)(rfd, buf, 4));
	L("readv", readv(rfd, &v, 1));
	L("read empty", (read)(rfd, buf, 4));
	L("recv", (recv)(rfd, buf, 4, 0));
	L("recv (chk)", recv(rfd, buf, four, 0));
	L("recvfrom", (recvfrom)(rfd, buf, 4, 0, NULL, NULL));
	L("recvfrom (chk)", recvfrom(rfd, buf, four, 0, NULL, NULL));
	L("recvmsg", recvmsg(rfd, &m, 0));
	L("shutdown", shutdown(rfd, SHUT_RDWR));
	int e = 0;
	socklen_t l = sizeof e;
	L("getsockopt SO_ERROR", getsockopt(rfd, SOL_SOCKET, SO_ERROR, &e, &l));
#undef L
}

static int mode_log(int port, int closed_port)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_in sa;
	char name[64];
	int e;
	socklen_t l;

	dump_signals("at start");
	signal(SIGPIPE, SIG_IGN);

	/* name lookups */
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	LOG("getaddrinfo numeric ok", getaddrinfo("127.0.0.1", "80", &hints, &res));
	if (res)
		freeaddrinfo(res);
	res = NULL;
	LOG("getaddrinfo numeric fail", getaddrinfo("not-a-number", "80", &hints, &res));
	hints.ai_flags = 0x7fff0000;
	LOG("getaddrinfo bad flags", getaddrinfo("127.0.0.1", "80", &hints, &res));
	hints.ai_flags = AI_NUMERICSERV;
	hints.ai_family = AF_INET;
	LOG("getaddrinfo localhost", getaddrinfo("localhost", "80", &hints, &res));
	if (res)
		freeaddrinfo(res);
	LOG("gethostbyname numeric", gethostbyname("127.0.0.1") != NULL);

	/* connect: refused, in progress, done, already connected, bad */
	int s1 = socket(AF_INET, SOCK_STREAM, 0);
	sa = loopback(closed_port);
	LOG("connect refused", connect(s1, (struct sockaddr *)&sa, sizeof sa));
	e = -1;
	l = sizeof e;
	LOG("getsockopt SO_ERROR after refused", getsockopt(s1, SOL_SOCKET, SO_ERROR, &e, &l));
	printf("  so_error=%d\n", e);
	LOG("connect bad len", connect(s1, (struct sockaddr *)&sa, 3));
	LOG("connect bad fd", connect(-1, (struct sockaddr *)&sa, sizeof sa));
	LOG("connect not a socket", connect(1, (struct sockaddr *)&sa, sizeof sa));
	LOG("close", close(s1));

	int s = socket(AF_INET, SOCK_STREAM, 0);
	LOG("shutdown not connected", shutdown(s, SHUT_RDWR));
	LOG("close", close(s));
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	sa = loopback(port);
	LOG("connect in progress", connect(s, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : errno == EINPROGRESS ? -1 : -2);
	struct pollfd pf = {s, POLLOUT, 0};
	poll(&pf, 1, 10000);
	e = -1;
	l = sizeof e;
	LOG("getsockopt SO_ERROR connected", getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l));
	printf("  so_error=%d\n", e);
	LOG("getsockopt SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &e, &l));
	LOG("connect completed", connect(s, (struct sockaddr *)&sa, sizeof sa));
	LOG("connect again", connect(s, (struct sockaddr *)&sa, sizeof sa));

	/* a tracked connection: two requests, every call */
	exchange(s, "conn req1");
	dump_signals("after a request");
	exchange(s, "conn req2");

	/* dup2/dup3 */
	int d = dup(s);
	LOG("dup2 same fd", dup2(s, s) == s);
	LOG("dup2 bad old", dup2(-1, d));
	LOG("dup2 bad new", dup2(s, -1));
	LOG("dup3 same fd", dup3(s, s, 0));
	LOG("dup3 bad flags", dup3(s, d, 12345));
	LOG("dup3 ok", dup3(s, d, O_CLOEXEC) == d);
	LOG("dup2 ok", dup2(s, d) == d);
	LOG("close dup", close(d));

	/* the end of the connection */
	LOG("shutdown bad how", shutdown(s, 99));
	LOG("shutdown SHUT_WR", shutdown(s, SHUT_WR));
	LOG("write after SHUT_WR", write(s, "x", 1));
	LOG("send after SHUT_WR", send(s, "x", 1, MSG_NOSIGNAL));
	struct iovec v = {"x", 1};
	LOG("writev after SHUT_WR", writev(s, &v, 1));
	/* The server closes after our FIN: wait for its FIN, so that the
	 * connection is certainly over (shutdown then fails ENOTCONN). */
	struct pollfd hup = {s, POLLIN | POLLRDHUP, 0};
	for (int i = 0; i < 300 && !(hup.revents & (POLLRDHUP | POLLHUP)); i++)
		poll(&hup, 1, 100);
	char eof[8];
	LOG("read at EOF", (read)(s, eof, sizeof eof));
	LOG("shutdown SHUT_RD", shutdown(s, SHUT_RD));
	LOG("close", close(s));
	LOG("close again", close(s));
	LOG("close -1", close(-1));
	LOG("shutdown bad fd", shutdown(s, SHUT_RDWR));

	/* a pipe and bad fds */
	int p[2];
	if (pipe2(p, O_NONBLOCK) != 0)
		die("pipe");
	io_all(p[0], p[1], "pipe");
	close(p[0]);
	close(p[1]);
	io_all(-1, -1, "fd -1");
	io_all(4000, 4000, "fd 4000");
	io_all(s, s, "closed fd");

	/* close_range */
	LOG("close_range bad", close_range(10, 5, 0));
	LOG("close_range cloexec", close_range(200, 300, CLOSE_RANGE_CLOEXEC));
	LOG("close_range empty", close_range(500, 600, 0));

	/* AF_UNIX: not tracked */
	struct sockaddr_un un = {.sun_family = AF_UNIX, .sun_path = "/nonexistent/sock"};
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	LOG("connect unix enoent", connect(u, (struct sockaddr *)&un, sizeof un));
	LOG("close unix", close(u));
	snprintf(name, sizeof name, "done");
	printf("%s\n", name);
	dump_signals("at end");
	return 0;
}

static int request_fixed(int fd, unsigned how)
{
	long body;
	int st = http_get(fd, "/fixed", &body, how);
	return st == 200 && body == 5 ? 0 : -1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "log") == 0)
		return mode_log(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "sigpipe") == 0) {
		int fd = http_connect(atoi(argv[2]));
		printf("request: %s\n", request_fixed(fd, 0) == 0 ? "ok" : "bad");
		shutdown(fd, SHUT_WR);
		printf("writing after shutdown\n");
		if (write(fd, "x", 1) < 0)
			printf("write failed: %s\n", strerror(errno));
		printf("still alive: SIGPIPE did not kill us\n");
		return 0;
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "requests") == 0) {
		int n = atoi(argv[3]);
		int fd = http_connect(atoi(argv[2]));
		int ok = 0;
		for (int i = 0; i < n; i++)
			ok += request_fixed(fd, (unsigned)i) == 0;
		printf("batch 1: %d/%d ok\n", ok, n);
		if (argc == 5) {
			struct stat st;
			while (stat(argv[4], &st) != 0)
				usleep(10000);
			ok = 0;
			for (int i = 0; i < n; i++) {
				/* a new connection now and then: connect and close
				 * hooks run too */
				if (i % 10 == 0) {
					close(fd);
					fd = http_connect(atoi(argv[2]));
				}
				ok += request_fixed(fd, (unsigned)i) == 0;
			}
			printf("batch 2: %d/%d ok\n", ok, n);
		}
		close(fd);
		return 0;
	}
	fprintf(stderr, "usage: see errno_log.c\n");
	return 2;
}
