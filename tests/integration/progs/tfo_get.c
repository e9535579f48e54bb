/*
 * tfo_get.c - one HTTP GET over TCP Fast Open, the connection opened by
 * the request's own bytes.
 *
 *     tfo_get sendto|sendmsg|connect block|nonblock PORT PATH
 *
 * sendto/sendmsg: no connect(); the request goes with MSG_FASTOPEN and the
 * address.  connect: setsockopt(TCP_FASTOPEN_CONNECT), connect(), write().
 * nonblock: the socket is O_NONBLOCK and the program polls as needed (a
 * send without a cookie answers EINPROGRESS, none of its bytes sent).
 * Reads to EOF (Connection: close) and prints the status line, the bytes
 * received and "syn_data=1" when the kernel says the SYN carried data
 * (tcpi_options & TCPI_OPT_SYN_DATA).  Exits 2 on a failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCPI_OPT_SYN_DATA
#define TCPI_OPT_SYN_DATA 32
#endif

static void die(const char *what)
{
	fprintf(stderr, "tfo_get: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void wait_for(int fd, short ev)
{
	struct pollfd p = {fd, ev, 0};
	while (poll(&p, 1, 10000) != 1)
		if (errno != EINTR)
			die("poll");
}

/* The first send, opening the connection; returns the bytes it took. */
static size_t first_send(const char *mode, int fd, const struct sockaddr_in *sa,
			 const char *req, size_t n)
{
	ssize_t k;
	if (strcmp(mode, "sendto") == 0) {
		k = sendto(fd, req, n, MSG_FASTOPEN, (const struct sockaddr *)sa,
			   sizeof *sa);
	} else if (strcmp(mode, "sendmsg") == 0) {
		struct iovec v[2] = {{(void *)req, 4}, {(void *)(req + 4), n - 4}};
		struct msghdr m;
		memset(&m, 0, sizeof m);
		m.msg_name = (void *)sa;
		m.msg_namelen = sizeof *sa;
		m.msg_iov = v;
		m.msg_iovlen = 2;
		k = sendmsg(fd, &m, MSG_FASTOPEN);
	} else {
		int on = 1;
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &on,
			       sizeof on) != 0)
			die("setsockopt TCP_FASTOPEN_CONNECT");
		if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0) {
			if (errno != EINPROGRESS)
				die("connect");
			wait_for(fd, POLLOUT);
		}
		while ((k = write(fd, req, n)) < 0 && errno == EAGAIN)
			wait_for(fd, POLLOUT);
	}
	if (k < 0 && errno == EINPROGRESS)
		return 0; /* no cookie: a plain SYN, none of the bytes */
	if (k < 0)
		die(mode);
	return (size_t)k;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: tfo_get sendto|sendmsg|connect "
				"block|nonblock PORT PATH\n");
		return 2;
	}
	const char *mode = argv[1];
	bool nb = strcmp(argv[2], "nonblock") == 0;
	char req[512];
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
			 "Connection: close\r\n\r\n", argv[4], argv[3]);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[3]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (nb && fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
		die("fcntl");
	size_t done = first_send(mode, fd, &sa, req, (size_t)n);
	while (done < (size_t)n) {
		wait_for(fd, POLLOUT);
		ssize_t k = send(fd, req + done, (size_t)n - done, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (k < 0)
			die("send");
		done += (size_t)k;
	}

	char buf[65536];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(fd, buf + got, sizeof buf - 1 - got);
		if (k < 0 && errno == EAGAIN) {
			wait_for(fd, POLLIN);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die("read");
		if (k == 0)
			break;
		got += (size_t)k;
		if (got == sizeof buf - 1)
			break;
	}
	buf[got] = '\0';
	struct tcp_info ti;
	socklen_t tl = sizeof ti;
	memset(&ti, 0, sizeof ti);
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	close(fd);
	char *eol = strstr(buf, "\r\n");
	if (eol)
		*eol = '\0';
	printf("%s\nreceived %zu\nsyn_data=%d\n", buf, got,
	       (ti.tcpi_options & TCPI_OPT_SYN_DATA) != 0);
	return 0;
}
