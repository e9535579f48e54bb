/*
 * httpc.h - a tiny blocking HTTP/1.1 client over raw socket calls, shared by
 * the reliability test programs (header-only, each program one file).
 *
 * Every call retries on EINTR; a failure prints a message and exits 2.
 * The I/O call used rotates over write/send/writev/sendto/sendmsg and
 * read/recv/readv/recvfrom/recvmsg, so each hook sees traffic.
 */
#ifndef HTTPC_H
#define HTTPC_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(2);
}

/* A connected TCP socket to 127.0.0.1:@port. */
static int http_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		if (errno != EINTR)
			die("connect");
	return fd;
}

static ssize_t io_out(int fd, const char *p, size_t n, unsigned how)
{
	struct iovec v[2] = {{(void *)p, n / 2}, {(void *)(p + n / 2), n - n / 2}};
	struct msghdr m;
	switch (how % 5) {
	case 0: return write(fd, p, n);
	case 1: return send(fd, p, n, MSG_NOSIGNAL);
	case 2: return writev(fd, v, 2);
	case 3: return sendto(fd, p, n, MSG_NOSIGNAL, NULL, 0);
	default:
		memset(&m, 0, sizeof m);
		m.msg_iov = v;
		m.msg_iovlen = 2;
		return sendmsg(fd, &m, MSG_NOSIGNAL);
	}
}

static ssize_t io_in(int fd, char *p, size_t n, unsigned how)
{
	struct iovec v[2] = {{p, n / 2}, {p + n / 2, n - n / 2}};
	struct msghdr m;
	switch (how % 5) {
	case 0: return read(fd, p, n);
	case 1: return recv(fd, p, n, 0);
	case 2: return n < 2 ? read(fd, p, n) : readv(fd, v, 2);
	case 3: return recvfrom(fd, p, n, 0, NULL, NULL);
	default:
		if (n < 2)
			return recv(fd, p, n, 0);
		memset(&m, 0, sizeof m);
		m.msg_iov = v;
		m.msg_iovlen = 2;
		return recvmsg(fd, &m, 0);
	}
}

static void send_all(int fd, const char *p, size_t n, unsigned how)
{
	while (n > 0) {
		ssize_t r = io_out(fd, p, n, how);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("send");
		p += r;
		n -= (size_t)r;
	}
}

/* GET @path on @fd (keep-alive); read the whole response (Content-Length
 * framing only).  Returns the status; *body gets the body size. */
static int http_get(int fd, const char *path, long *body, unsigned how)
{
	char req[512], buf[8192];
	size_t have = 0;
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: httpc\r\n\r\n",
			 path);
	send_all(fd, req, (size_t)n, how);
	char *end = NULL;
	while (!end) {
		if (have == sizeof buf - 1) {
			fprintf(stderr, "header section too big\n");
			exit(2);
		}
		ssize_t r = io_in(fd, buf + have, sizeof buf - 1 - have, how);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("recv");
		if (r == 0) {
			fprintf(stderr, "eof in headers\n");
			exit(2);
		}
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	int status = atoi(buf + 9);
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	long len = cl ? atol(cl + 17) : 0;
	long got = (long)(have - (size_t)(end + 4 - buf));
	while (got < len) {
		ssize_t r = io_in(fd, buf, sizeof buf < (size_t)(len - got) ? sizeof buf : (size_t)(len - got), how);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("recv body");
		got += r;
	}
	if (got != len) {
		fprintf(stderr, "read past the body (pipelined junk?)\n");
		exit(2);
	}
	*body = got;
	return status;
}

#endif
