#define _GNU_SOURCE
/* stdio_reuse PORT LOGFILE (review of 296b4eb): GET /r1
 * written with write(), its answer read through a FILE (fdopen "r") that
 * is then fclose()d (a close inside libc); the fd number, reused by
 * open() of LOGFILE, gets a request line logged to it with write(). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET; a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
	const char r[] = "GET /r1 HTTP/1.1\r\nHost: x\r\n\r\n";
	write(fd, r, sizeof r - 1);
	FILE *f = fdopen(fd, "r");
	char line[512], body[100];
	fgets(line, sizeof line, f); printf("%s", line);
	while (fgets(line, sizeof line, f) && strcmp(line, "\r\n")) ;
	fread(body, 1, 100, f);
	fclose(f);
	/* the same fd number, now a file: a request logged to it */
	int lf = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	printf("fd %d log %d\n", fd, lf);
	const char fake[] = "GET /logged HTTP/1.1\r\nHost: x\r\n\r\n";
	write(lf, fake, sizeof fake - 1);
	close(lf);
	return 0;
}
