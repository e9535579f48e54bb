/*
 * gnutls_ptrmix.c - review of trustb (20844bd): a GnuTLS session with its
 * own transport functions (push/pull on its socket, a global) whose
 * transport pointer is a small integer that happens to be another
 * connection's fd (a program's own handle: an index, an id).  First a plain
 * GET on connection A; FILL sessions tied to an idle connection fill the
 * library's TLS session map; then 3 keep-alive GETs over TLS, each
 * response read 100 bytes per gnutls_record_recv() (most calls read no
 * socket); then a second plain GET on A.
 *
 *   gnutls_ptrmix ADDR PLAIN_PORT TLS_PORT FILL
 *
 * Prints "ok" when the 5 responses were read whole.
 */
#include "gnutls_client.h"

static int tls_sock = -1;

static ssize_t push(gnutls_transport_ptr_t p, const void *b, size_t n)
{
	(void)p;
	return send(tls_sock, b, n, 0);
}

static ssize_t pull(gnutls_transport_ptr_t p, void *b, size_t n)
{
	(void)p;
	return recv(tls_sock, b, n, 0);
}

static ssize_t rd_plain(void *h, void *b, size_t n)
{
	return read((int)(intptr_t)h, b, n);
}

static void plain_get(int a, const char *path)
{
	char req[256];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (write(a, req, (size_t)n) != n)
		die("write", 0);
	read_resp(rd_plain, (void *)(intptr_t)a, 4096, "read");
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gnutls_ptrmix ADDR PLAIN_PORT TLS_PORT FILL\n");
		return 2;
	}
	int a = dial(argv[1], atoi(argv[2]));
	plain_get(a, "/f/100");
	gnutls_certificate_credentials_t cred = tls_client_init();
	tls_fill_sessions(argv[1], atoi(argv[2]), atol(argv[4]));
	tls_sock = dial(argv[1], atoi(argv[3]));
	gnutls_session_t sess = tls_client_session(cred);
	/* the program's own handle: a small integer, A's fd by chance */
	gnutls_transport_set_ptr(sess, (gnutls_transport_ptr_t)(intptr_t)a);
	gnutls_transport_set_push_function(sess, push);
	gnutls_transport_set_pull_function(sess, pull);
	tls_handshake(sess);
	for (int i = 0; i < 3; i++) {
		tls_send(sess, "GET /f/10000 HTTP/1.1\r\nHost: x\r\n\r\n");
		read_resp(rd_tls, sess, 100, "read");
	}
	plain_get(a, "/f/1000");
	printf("ok\n");
	gnutls_bye(sess, GNUTLS_SHUT_WR);
	close(tls_sock);
	close(a);
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
