/*
 * dns_hold.c - resolves NAME with getaddrinfo() through the DNS server at
 * 127.0.0.1:PORT only (the resolver's state, _res, set after res_init():
 * no file of the system changed), waiting up to 30 s for its answer.  A
 * test holding a UDP port that never answers holds the lookup.
 *
 *     dns_hold PORT NAME
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res;

	if (argc != 3)
		return 2;
	if (res_init() != 0)
		return 2;
	_res.nsaddr_list[0].sin_family = AF_INET;
	_res.nsaddr_list[0].sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.1", &_res.nsaddr_list[0].sin_addr);
	_res.nscount = 1;
	_res.retrans = 30;
	_res.retry = 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	int r = getaddrinfo(argv[2], "80", &hints, &res);
	printf("getaddrinfo: %s\n", r ? gai_strerror(r) : "ok");
	return r ? 1 : 0;
}
