/* fork_answer_srv PORT N - a server that reads each request
 * in the parent, forks, lets the child answer on the socket (as a CGI does),
 * and closes its own copy at once (thttpd-style), for N requests (a
 * connection with nothing to read, a port probe, does not count). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
				.sin_addr.s_addr = htonl(0x7f000001)};
	if (bind(ls, (void *)&a, sizeof a) || listen(ls, 8)) { perror("bind"); return 1; }
	for (int i = 0; i < n;) {
		int c = accept(ls, NULL, NULL);
		char buf[4096];
		ssize_t r = read(c, buf, sizeof buf);
		if (r <= 0) { close(c); continue; }
		i++;
		pid_t p = fork();
		if (p == 0) {
			const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
			usleep(100000);
			write(c, resp, sizeof resp - 1);
			close(c);
			_exit(0);
		}
		close(c);
		waitpid(p, NULL, 0);
	}
	return 0;
}
