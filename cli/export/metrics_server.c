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
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "inflight.h"
#include "outbuf.h"

/* How long a client of /inflight waits for the collector's thread. */
#define INFLIGHT_WAIT_S 2

struct metrics_server {
	metrics *m;
	int fd;         /* listening socket */
	int wake[2];    /* a byte on wake[1] stops the thread */
	pthread_t th;
	/* /inflight: the server's thread asks (asked++, ask_fd made
	 * readable), the collector's answers (body, answered = asked). */
	int ask_fd;     /* an eventfd */
	pthread_mutex_t lock;
	pthread_cond_t done;
	uint64_t asked, answered;
	char *body;     /* malloc'd JSON, or NULL (out of memory) */
	size_t body_len;
};

int metrics_server_inflight_fd(metrics_server *s)
{
	return s->ask_fd;
}

void metrics_server_inflight(metrics_server *s, const collector *c,
			     int64_t mono_to_unix)
{
	uint64_t n;
	inflight_list l = { 0 };
	struct timespec ts;
	outbuf b;
	char *body;
	size_t len;

	if (read(s->ask_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return; /* nobody asked */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	inflight_take(&l, c, (uint64_t)ts.tv_sec * 1000000000ull +
				     (uint64_t)ts.tv_nsec);
	outbuf_init_grow(&b);
	inflight_json(&b, &l, mono_to_unix);
	len = outbuf_len(&b);
	body = outbuf_take(&b);
	inflight_free(&l);
	pthread_mutex_lock(&s->lock);
	free(s->body);
	s->body = body;
	s->body_len = body != NULL ? len : 0;
	s->answered = s->asked;
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->lock);
}

/* Ask the collector's thread for the requests in flight; a malloc'd copy
 * of its answer (*@len bytes), or NULL when it did not answer in time or
 * memory ran out. */
static char *ask_inflight(metrics_server *s, size_t *len)
{
	uint64_t one = 1, ticket;
	struct timespec until;
	char *copy = NULL;
	ssize_t w;

	pthread_mutex_lock(&s->lock);
	ticket = ++s->asked;
	pthread_mutex_unlock(&s->lock);
	do
		w = write(s->ask_fd, &one, sizeof(one));
	while (w < 0 && errno == EINTR);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += INFLIGHT_WAIT_S;
	pthread_mutex_lock(&s->lock);
	while (s->answered < ticket &&
	       pthread_cond_timedwait(&s->done, &s->lock, &until) == 0)
		;
	if (s->answered >= ticket && s->body != NULL) {
		copy = malloc(s->body_len + 1);
		if (copy != NULL) {
			memcpy(copy, s->body, s->body_len + 1);
			*len = s->body_len;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return copy;
}

/* Whether the request target @path (up to @end) is @name, with or
 * without a query. */
static bool path_is(const char *path, const char *end, const char *name)
{
	size_t n = strlen(name), len = (size_t)(end - path);

	return strncmp(path, name, n) == 0 &&
	       (len == n || (len > n && path[n] == '?'));
}

static void answer(int fd, const char *status, const char *type,
		   const char *body, size_t len, bool head_only)
{
	char h[256];
	int n = snprintf(h, sizeof(h),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, type, len);

	if (send_all(fd, h, (size_t)n) == 0 && !head_only)
		send_all(fd, body, len);
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
	if (sp != NULL && path_is(path, sp, "/inflight")) {
		size_t blen = 0;
		char *body = ask_inflight(s, &blen);

		if (body == NULL)
			answer(fd, "503 Service Unavailable", "text/plain",
			       "no answer from the collector\n", 29, head);
		else
			answer(fd, "200 OK", "application/json", body, blen,
			       head);
		free(body);
		return;
	}
	if (sp == NULL || !path_is(path, sp, "/metrics")) {
		static const char nf[] = "see /metrics or /inflight\n";

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

/* The lock and the condition /inflight's client waits on (on the
 * monotonic clock). */
static int init_wait(metrics_server *s)
{
	pthread_condattr_t ca;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&s->done, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->lock, NULL);
	return 0;
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
	s->ask_fd = -1;
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
	s->ask_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->ask_fd < 0 || init_wait(s) < 0 ||
	    start_thread(&s->th, server_main, s) != 0) {
		fprintf(err, "httptrace: --metrics: cannot start a thread\n");
		close(s->wake[0]);
		close(s->wake[1]);
		goto fail;
	}
	return s;
fail:
	if (s->ask_fd >= 0)
		close(s->ask_fd);
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
	close(s->ask_fd);
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->lock);
	free(s->body);
	free(s);
}
