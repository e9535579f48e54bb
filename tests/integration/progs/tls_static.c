/* tls_static.c - an HTTPS client whose TLS no hook of ours reaches:
 * OpenSSL linked in statically, the binary stripped.  Makes two requests
 * on one connection: GET PATH1 (keep-alive), then GET PATH2 (close).
 * Usage: tls_static SNI PORT PATH1 PATH2; prints each status line.  A PORT
 * that starts with '/' is the path of a Unix socket to connect to. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/ssl.h>

/* Read one response; with @to_eof, until the stream ends.  Returns 0. */
static int response(SSL *ssl, int to_eof)
{
	static char buf[1 << 16];
	size_t n = 0, need = (size_t)-1;
	for (;;) {
		int r = SSL_read(ssl, buf + n, (int)(sizeof buf - 1 - n));
		if (r <= 0)
			return to_eof ? 0 : -1;
		n += (size_t)r;
		buf[n] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (end && need == (size_t)-1) {
			char *cl = strcasestr(buf, "content-length:");
			need = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
			printf("%.*s\n", (int)(strchr(buf, '\r') - buf), buf);
		}
		if (!to_eof && n >= need)
			return 0;
		if (n == sizeof buf - 1)
			n = 0; /* body bytes only from here: drop them */
	}
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return 2;
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)atoi(argv[2]))};
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd;
	if (argv[2][0] == '/') {
		if (strlen(argv[2]) >= sizeof u.sun_path)
			return 2;
		strcpy(u.sun_path, argv[2]);
		/* the server may close first: SSL_shutdown()'s close_notify
		 * then meets EPIPE at once (no RST delay as on TCP) */
		signal(SIGPIPE, SIG_IGN);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&u, sizeof u) != 0)
			return 3;
	} else {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
			return 3;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_set_alpn_protos(ssl, alpn, sizeof alpn - 1);
	SSL_set_tlsext_host_name(ssl, argv[1]);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		return 4;
	char req[512];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
			 argv[3], argv[1]);
	if (SSL_write(ssl, req, n) != n || response(ssl, 0) != 0)
		return 5;
	n = snprintf(req, sizeof req,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		     argv[4], argv[1]);
	if (SSL_write(ssl, req, n) != n || response(ssl, 1) != 0)
		return 6;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
