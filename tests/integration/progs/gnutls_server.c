/*
 * gnutls_server.c - an HTTPS server on GnuTLS, for test_server_gnutls.sh.
 *
 *     gnutls_server PORT CERT KEY LOG CONNS
 *
 * Listens on 127.0.0.1:PORT, answers CONNS connections one after the
 * other (those whose handshake failed not counted), then exits.  On each: the handshake, then requests (a GET's
 * header section, no body) until the client closes, each answered
 * 200 with a body of as many bytes as the number in its path ("/N"),
 * Content-Length, keep-alive.  Each request is logged to LOG as
 * "CONN REQ PATH BYTES".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: gnutls_server PORT CERT KEY LOG CONNS\n");
		return 2;
	}
	gnutls_certificate_credentials_t cred;
	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&cred);
	if (gnutls_certificate_set_x509_key_file(cred, argv[2], argv[3],
						 GNUTLS_X509_FMT_PEM) < 0) {
		fprintf(stderr, "gnutls_server: cannot load %s\n", argv[2]);
		return 1;
	}
	FILE *log = fopen(argv[4], "w");
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)atoi(argv[1]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!log || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 8)) {
		perror("gnutls_server");
		return 1;
	}
	static char body[1 << 20];
	memset(body, 'b', sizeof body);
	for (int conn = 1; conn <= atoi(argv[5]);) {
		int fd = accept(l, NULL, NULL);
		gnutls_session_t s;
		gnutls_init(&s, GNUTLS_SERVER);
		gnutls_set_default_priority(s);
		gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
		gnutls_transport_set_int(s, fd);
		int r;
		do
			r = gnutls_handshake(s);
		while (r < 0 && !gnutls_error_is_fatal(r));
		if (r < 0) {
			/* not TLS (a port probe): not one of CONNS */
			gnutls_deinit(s);
			close(fd);
			continue;
		}
		char req[8192];
		size_t have = 0;
		int n = 0;
		while (r >= 0) {
			char *end = memmem(req, have, "\r\n\r\n", 4);
			if (!end) {
				ssize_t got = gnutls_record_recv(s, req + have,
								 sizeof req - have);
				if (got <= 0)
					break;
				have += (size_t)got;
				continue;
			}
			size_t len = (size_t)(end + 4 - req);
			char path[256] = "";
			sscanf(req, "%*s %255s", path);
			size_t bytes = strtoul(path + 1, NULL, 10) % sizeof body;
			char hdr[128];
			int hl = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\n"
					  "Content-Length: %zu\r\n\r\n", bytes);
			gnutls_record_send(s, hdr, (size_t)hl);
			for (size_t off = 0; off < bytes;) {
				ssize_t w = gnutls_record_send(s, body + off,
							       bytes - off);
				if (w <= 0)
					break;
				off += (size_t)w;
			}
			fprintf(log, "%d %d %s %zu\n", conn, ++n, path, bytes);
			fflush(log);
			memmove(req, req + len, have - len);
			have -= len;
		}
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
		close(fd);
		conn++;
	}
	return 0;
}
