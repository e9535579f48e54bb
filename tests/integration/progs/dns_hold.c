/*
 * dns_hold.c - resolves NAME with getaddrinfo() through the DNS server at
 * 127.0.0.1:PORT only (the resolver's state, _res, set after res_init():
 * no file of the system changed), waiting up to 30 s for its answer.  A
 * test holding a UDP port that never answers holds the lookup.  With
 * FIRST, a lookup of the same name comes first, given up by the
 * resolver's own timeout after FIRST seconds.
 *
 *     dns_hold PORT NAME [FIRST]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Resolve @name, waiting @secs for the answer; 0 when resolved. */
static int lookup(const char *name, int secs)
{
	struct addrinfo hints, *res;

	_res.retrans = secs;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	int r = getaddrinfo(name, "80", &hints, &res);
	printf("getaddrinfo: %s\n", r ? gai_strerror(r) : "ok");
	fflush(stdout);
	if (r == 0)
		freeaddrinfo(res);
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		return 2;
	if (res_init() != 0)
		return 2;
	_res.nsaddr_list[0].sin_family = AF_INET;
	_res.nsaddr_list[0].sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.1", &_res.nsaddr_list[0].sin_addr);
	_res.nscount = 1;
	_res.retry = 1;
	if (argc == 4)
		lookup(argv[2], atoi(argv[3]));
	return lookup(argv[2], 30) ? 1 : 0;
}
