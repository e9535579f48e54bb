/*
 * gnutls_client.h - the GnuTLS client steps shared by the test programs
 * gnutls_chunks.c, gnutls_ptrmix.c, gnutls_get.c and gnutls_nested.c:
 * header-only (static inline), as each program is compiled from one file.
 * The server's certificate is not checked (a test's own).  A failure
 * prints "PROGRAM: WHAT: ERROR" and exits 1.
 */
#ifndef GNUTLS_CLIENT_H
#define GNUTLS_CLIENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr, program_invocation_short_name */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Stops the program on a failed step; @e is a GnuTLS error code. */
static inline void die(const char *what, int e)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		gnutls_strerror(e));
	exit(1);
}

/* A TCP socket connected to @addr (IPv4 text) port @port. */
static inline int dial(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* gnutls_global_init() and the (empty) credentials of every session. */
static inline gnutls_certificate_credentials_t tls_client_init(void)
{
	gnutls_certificate_credentials_t cred;
	int e = gnutls_global_init();
	if (e < 0)
		die("gnutls_global_init", e);
	gnutls_certificate_allocate_credentials(&cred);
	return cred;
}

/* Fills the library's TLS session map: @fill client sessions tied to one
 * idle connection to @addr:@port (gnutls_transport_set_int), never used,
 * never freed. */
static inline void tls_fill_sessions(const char *addr, int port, long fill)
{
	if (fill <= 0)
		return;
	int idle = dial(addr, port);
	for (long i = 0; i < fill; i++) {
		gnutls_session_t s;
		int e = gnutls_init(&s, GNUTLS_CLIENT);
		if (e < 0)
			die("gnutls_init", e);
		gnutls_transport_set_int(s, idle);
	}
}

/* A client session with the default priorities and @cred; its transport
 * is the caller's to set. */
static inline gnutls_session_t
tls_client_session(gnutls_certificate_credentials_t cred)
{
	gnutls_session_t sess;
	int e = gnutls_init(&sess, GNUTLS_CLIENT);
	if (e < 0)
		die("gnutls_init", e);
	gnutls_set_default_priority(sess);
	gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred);
	return sess;
}

/* gnutls_handshake() until it ends, retried while it is not fatal. */
static inline void tls_handshake(gnutls_session_t sess)
{
	int e;
	do
		e = gnutls_handshake(sess);
	while (e < 0 && !gnutls_error_is_fatal(e));
	if (e < 0)
		die("gnutls_handshake", e);
}

/* Reads one response whose head has Content-Length, by @rd on @h, at most
 * @chunk bytes a call; GNUTLS_E_AGAIN and GNUTLS_E_INTERRUPTED are
 * retried, any other result <= 0 stops the program (@what names it). */
static inline void read_resp(ssize_t (*rd)(void *, void *, size_t), void *h,
		      size_t chunk, const char *what)
{
	static char buf[1 << 16];
	size_t got = 0, need = (size_t)-1;
	while (got < need) {
		size_t room = sizeof buf - 1 - got;
		ssize_t r = rd(h, buf + got, room < chunk ? room : chunk);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r <= 0)
			die(what, (int)r);
		got += (size_t)r;
		buf[got] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		char *cl = strcasestr(buf, "content-length:");
		if (end && cl)
			need = (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10);
	}
}

/* read_resp()'s reader over a GnuTLS session @h. */
static inline ssize_t rd_tls(void *h, void *b, size_t n)
{
	return gnutls_record_recv((gnutls_session_t)h, b, n);
}

/* Sends one whole request @req on @sess by gnutls_record_send(). */
static inline void tls_send(gnutls_session_t sess, const char *req)
{
	size_t n = strlen(req);
	if (gnutls_record_send(sess, req, n) != (ssize_t)n)
		die("gnutls_record_send", 0);
}

#endif
