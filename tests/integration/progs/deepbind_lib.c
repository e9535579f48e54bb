/*
 * deepbind_lib.c - a shared object for test_deepbind*.sh: one HTTP/1.1 GET
 * over connect/send/recv, so that when it is loaded RTLD_DEEPBIND these
 * calls bind to libc directly, past the preloaded library.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* GET @path from 127.0.0.1:@port (Connection: close); the response's
 * first @cap - 1 bytes go to @out.  Returns the response's size, or -1. */
long deep_get(int port, const char *path, char *out, size_t cap)
{
	struct sockaddr_in sa;
	char req[256];
	long total = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto fail;
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			 "Connection: close\r\n\r\n", path, port);
	if (send(fd, req, (size_t)n, 0) != n)
		goto fail;
	out[0] = '\0';
	for (;;) {
		char buf[4096];
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		if ((size_t)total < cap - 1) {
			size_t k = (size_t)r < cap - 1 - (size_t)total ?
					   (size_t)r : cap - 1 - (size_t)total;
			memcpy(out + total, buf, k);
			out[total + (long)k] = '\0';
		}
		total += r;
	}
	close(fd);
	return total;
fail:
	close(fd);
	return -1;
}
