/*
 * connects.c - N connect/close pairs to 127.0.0.1:PORT (a listener that
 * accepts them: the bench's nginx), for callgrind's instructions a
 * traced connect costs (scripts/bench.sh callgrind).  Exit 1 on the
 * first connect that fails.
 *
 *     connects PORT N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a;

	if (argc != 3)
		return 2;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0, n = atoi(argv[2]); i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
			return 1;
		close(fd);
	}
	return 0;
}
