/*
 * static_tls.c - an HTTPS client linked with a static libssl (built with
 * -l:libssl.a -l:libcrypto.a, so no libssl.so in its DT_NEEDED and no
 * SSL_* symbol exported): httptrace can only see its plaintext through
 * inline hooks.  For test_static_openssl.sh.
 *
 *   static_tls MODE PORT CAFILE PATH...
 *
 * Connects once to 127.0.0.1:PORT and requests each PATH in turn on that
 * connection (keep-alive), printing "STATUS BODY_BYTES" per response.
 * MODE "fd": OpenSSL owns the socket (SSL_set_fd, SSL_connect).
 * MODE "bio": memory BIOs, the program moves the ciphertext itself with
 * read/write, as Node.js does (SSL_do_handshake).
 * Exit 0 when every response was read, 2 on any failure.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static SSL *ssl;
static BIO *rbio, *wbio; /* bio mode: network -> ssl, ssl -> network */
static int bio_mode;

static void fail(const char *what)
{
	fprintf(stderr, "static_tls: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(2);
}

/* bio mode: send what OpenSSL produced. */
static void flush_out(void)
{
	char buf[16384];
	int n;
	while ((n = BIO_read(wbio, buf, sizeof buf)) > 0) {
		for (int off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				fail("write");
			off += (int)w;
		}
	}
}

/* bio mode: feed OpenSSL what the network has; false at EOF. */
static int pull_in(void)
{
	char buf[16384];
	ssize_t n;
	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	BIO_write(rbio, buf, (int)n);
	return 1;
}

/* Drive the memory BIOs after a call that returned @r. */
static void pump(int r)
{
	flush_out();
	if (r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ && !pull_in())
		fail("connection closed");
}

static void handshake(void)
{
	if (!bio_mode) {
		if (SSL_connect(ssl) != 1)
			fail("SSL_connect");
		return;
	}
	int r;
	while ((r = SSL_do_handshake(ssl)) != 1) {
		int e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			fail("SSL_do_handshake");
		pump(r);
	}
	flush_out();
}

static void send_all(const char *p, int n)
{
	while (n > 0) {
		int r = SSL_write(ssl, p, n);
		if (bio_mode)
			pump(r);
		if (r > 0) {
			p += r;
			n -= r;
		} else if (!bio_mode) {
			fail("SSL_write");
		}
	}
}

static int recv_some(char *buf, int cap)
{
	for (;;) {
		int r = SSL_read(ssl, buf, cap);
		if (r > 0)
			return r;
		if (!bio_mode)
			fail("SSL_read");
		pump(r);
	}
}

/* One request for @path; prints the status and body size. */
static void request(const char *path)
{
	char req[512];
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: static_tls\r\n\r\n",
			 path);
	send_all(req, n);
	static char buf[1 << 17];
	int len = 0;
	char *end = NULL;
	while (!end) {
		if (len >= (int)sizeof buf - 1)
			fail("header too big");
		len += recv_some(buf + len, (int)sizeof buf - 1 - len);
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	int status = atoi(buf + 9);
	char *cl = strcasestr(buf, "\r\ncontent-length:");
	if (!cl || cl > end)
		fail("no Content-Length");
	long want = atol(cl + 17), got = len - (long)(end + 4 - buf);
	while (got < want)
		got += recv_some(buf, (int)sizeof buf);
	if (got != want)
		fail("body longer than Content-Length");
	printf("%d %ld\n", status, got);
}

int main(int argc, char **argv)
{
	if (argc < 5)
		fail("usage: static_tls fd|bio PORT CAFILE PATH...");
	bio_mode = strcmp(argv[1], "bio") == 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		fail("connect");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1)
		fail("CA file");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
	ssl = SSL_new(ctx);
	SSL_set_tlsext_host_name(ssl, "localhost");
	SSL_set1_host(ssl, "localhost");
	if (bio_mode) {
		rbio = BIO_new(BIO_s_mem());
		wbio = BIO_new(BIO_s_mem());
		SSL_set_bio(ssl, rbio, wbio);
		SSL_set_connect_state(ssl);
	} else {
		SSL_set_fd(ssl, fd);
	}
	handshake();
	for (int i = 4; i < argc; i++)
		request(argv[i]);
	fflush(stdout);
	if (!bio_mode)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
