/* metrics_server.c - a tiny HTTP/1.0 responder for /metrics; see
 * metrics_server.h. */
#include "metrics_server.h"
#include "otlp_export.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct metrics_server {
	metrics *m;
	int fd;         /* listening socket */
	int wake[2];    /* a byte on wake[1] stops the thread */
	pthread_t th;
};

/* Write all of @p, giving up on an error or the send timeout. */
static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void answer(int fd, const char *status, const char *type,
		   const char *body, size_t len, bool head_only)
{
	char h[256];
	int n = snprintf(h, sizeof(h),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, type, len);

	write_all(fd, h, (size_t)n);
	if (!head_only)
		write_all(fd, body, len);
}

/* Read the request head (up to a blank line, 8 KiB or the timeout) and
 * answer it. */
static void serve(metrics_server *s, int fd)
{
	char req[8192];
	size_t len = 0;
	struct timeval tv = { .tv_sec = 2 };
	bool get, head;
	const char *path, *sp;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(req) - 1) {
		ssize_t r = recv(fd, req + len, sizeof(req) - 1 - len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
			break;
	}
	req[len] = '\0';
	get = strncmp(req, "GET ", 4) == 0;
	head = strncmp(req, "HEAD ", 5) == 0;
	if (!get && !head) {
		answer(fd, "405 Method Not Allowed", "text/plain", "GET only\n", 9,
		       false);
		return;
	}
	path = req + (get ? 4 : 5);
	sp = strpbrk(path, " \r\n");
	if (sp == NULL ||
	    (!((size_t)(sp - path) == 8 && strncmp(path, "/metrics", 8) == 0) &&
	     !(sp - path > 8 && strncmp(path, "/metrics?", 9) == 0))) {
		static const char nf[] = "see /metrics\n";

		answer(fd, "404 Not Found", "text/plain", nf, sizeof(nf) - 1, head);
		return;
	}
	{
		outbuf b;

		outbuf_init_grow(&b);
		metrics_render(s->m, &b);
		if (outbuf_error(&b) != 0)
			answer(fd, "503 Service Unavailable", "text/plain",
			       "out of memory\n", 14, head);
		else
			answer(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
			       outbuf_str(&b), outbuf_len(&b), head);
		outbuf_free(&b);
	}
}

static void *server_main(void *arg)
{
	metrics_server *s = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->fd, .events = POLLIN },
			{ .fd = s->wake[0], .events = POLLIN },
		};
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve(s, fd);
		/* Let the client read everything before the close. */
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return NULL;
}

metrics_server *metrics_server_start(metrics *m, const char *addr, FILE *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	metrics_server *s;
	char host[256];
	const char *colon = strrchr(addr, ':'), *port;
	size_t hl;
	int one = 1, rc;

	if (colon == NULL || colon[1] == '\0') {
		fprintf(err, "httptrace: --metrics %s: expected HOST:PORT\n", addr);
		return NULL;
	}
	port = colon + 1;
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		fprintf(err, "httptrace: --metrics: host name too long\n");
		return NULL;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	rc = getaddrinfo(hl ? host : NULL, port, &hints, &ai);
	if (rc != 0) {
		fprintf(err, "httptrace: --metrics %s:%s: %s\n", host, port,
			gai_strerror(rc));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		freeaddrinfo(ai);
		return NULL;
	}
	s->m = m;
	s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (s->fd >= 0)
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->fd < 0 || bind(s->fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(s->fd, 16) < 0 || pipe2(s->wake, O_CLOEXEC) < 0) {
		fprintf(err, "httptrace: --metrics %s:%s: %s\n", host, port,
			strerror(errno));
		goto fail;
	}
	freeaddrinfo(ai);
	ai = NULL;
	if (start_thread(&s->th, server_main, s) != 0) {
		fprintf(err, "httptrace: --metrics: cannot start a thread\n");
		close(s->wake[0]);
		close(s->wake[1]);
		goto fail;
	}
	return s;
fail:
	if (ai != NULL)
		freeaddrinfo(ai);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

void metrics_server_stop(metrics_server *s)
{
	ssize_t w;

	do
		w = write(s->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
	pthread_join(s->th, NULL);
	close(s->wake[0]);
	close(s->wake[1]);
	close(s->fd);
	free(s);
}
