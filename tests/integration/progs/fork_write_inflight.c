/* fork_write_inflight.c PORT - thread T1 writes POST /A (8 MiB body) in one
 * blocking write; the main thread forks while it blocks (its bytes not yet
 * fed).  Once T1's write returned the child writes GET /B and reads one
 * answer (the server's to /A), then the parent reads one (to /B). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
static int fd; static char *big; static size_t bign;
static void *writer(void *a) { (void)a; ssize_t w = write(fd, big, bign);
	fprintf(stderr, "T1 wrote %zd\n", w); return NULL; }
static void read_one(const char *who) {
	char b[4096]; size_t n = 0;
	for (;;) { ssize_t r = read(fd, b + n, sizeof b - 1 - n); if (r <= 0) break; n += r; b[n] = 0;
		char *e = strstr(b, "\r\n\r\n"); if (!e) continue; char *cl = strcasestr(b, "content-length:");
		if (cl && (size_t)(e + 4 - b) + (size_t)atoi(cl + 15) <= n) break; }
	b[n] = 0; fprintf(stderr, "%s got: %.12s\n", who, b);
}
int main(int argc, char **argv) {
	int port = atoi(argv[1]);
	size_t body = 8 << 20;
	big = malloc(body + 200);
	int h = sprintf(big, "POST /A HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", body);
	memset(big + h, 'x', body); bign = h + body;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (void *)&sa, sizeof sa)) { perror("connect"); return 1; }
	pthread_t t; pthread_create(&t, NULL, writer, NULL);
	usleep(300000); /* T1 blocked in its write */
	int go[2]; pipe(go);
	pid_t pid = fork();
	if (pid == 0) {
		char c; read(go[0], &c, 1);
		const char *rb = "GET /B HTTP/1.1\r\nHost: x\r\n\r\n";
		write(fd, rb, strlen(rb));
		read_one("child");
		close(fd);
		exit(0);
	}
	pthread_join(t, NULL);
	write(go[1], "g", 1);
	int st; waitpid(pid, &st, 0);
	read_one("parent");
	close(fd);
	return 0;
}
