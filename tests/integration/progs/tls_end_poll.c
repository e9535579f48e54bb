/*
 * tls_end_poll.c - an OpenSSL client (socket BIO) whose read BIO has a
 * callback that, after every socket read the library makes, polls another
 * of the program's connections with a non-blocking recv() (nothing there:
 * EAGAIN).  It GETs a response delimited by the end of the TLS stream
 * (closenotify_server.py) N times and reads each to that end.
 *
 *     tls_end_poll HOST PORT N [before]
 *
 * The poll runs inside SSL_read after the read of the close_notify: the
 * library's last socket call in that SSL_read is not that read.  With
 * "before", the poll runs before every socket read and write the library
 * makes instead: the first socket call of each TLS call is the poll's (as
 * a signal handler's that interrupts the call before the library's own).
 * Prints "ok BYTES" when every response was read to its end.  For
 * test_tls_end_after_poll.sh and test_tls_poll_before.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int idle_fd = -1;
static int before; /* poll before each socket read and write */

static long after_read(BIO *b, int oper, const char *argp, size_t len,
		       int argi, long argl, int ret, size_t *processed)
{
	(void)b; (void)argp; (void)len; (void)argi; (void)argl; (void)processed;
	if (before ? oper == BIO_CB_READ || oper == BIO_CB_WRITE
		   : oper == (BIO_CB_READ | BIO_CB_RETURN)) {
		int saved = errno;
		char c;
		(void)recv(idle_fd, &c, 1, MSG_DONTWAIT);
		errno = saved;
	}
	return ret;
}

static int tcp(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		exit(2);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		exit(2);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int port = atoi(argv[2]), n = atoi(argv[3]);
	before = argc > 4 && strcmp(argv[4], "before") == 0;
	/* idle: a connection the program polls and never writes to */
	idle_fd = tcp(argv[1], port);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return 1;
	long total = 0;
	for (int i = 0; i < n; i++) {
		int fd = tcp(argv[1], port);
		SSL *s = SSL_new(ctx);
		SSL_set_fd(s, fd);
		BIO_set_callback_ex(SSL_get_rbio(s), after_read);
		if (SSL_connect(s) != 1)
			return 1;
		char req[128];
		int len = snprintf(req, sizeof req,
				   "GET /close/3000 HTTP/1.0\r\nHost: %s\r\n\r\n",
				   argv[1]);
		if (SSL_write(s, req, len) != len)
			return 1;
		char buf[4096];
		int r;
		while ((r = SSL_read(s, buf, sizeof buf)) > 0)
			total += r;
		int e = SSL_get_error(s, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return 1; /* blocking socket: the stream must have ended */
		SSL_free(s);
		close(fd);
	}
	close(idle_fd);
	printf("ok %ld\n", total);
	return 0;
}
