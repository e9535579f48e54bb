/*
 * chain_wrap.c - a second preloaded library that wraps connect(), as
 * proxychains or torsocks do: it appends "connect PORT" to the file named
 * by $CHAIN_LOG, then calls the next connect (dlsym(RTLD_NEXT)).  Placed
 * after libhttptrace.so in LD_PRELOAD, it is what the library's real
 * connect must be, as dlsym(RTLD_NEXT) would find it.
 *
 * Built three ways by test_preload_chain.sh: as is; with only the old
 * DT_HASH table (-Wl,--hash-style=sysv); and with -DBARE_SYMBOL, where
 * connect is an assembly label without a .type (STT_NOTYPE in the
 * dynamic symbol table, as hand-written assembly exports it), which the
 * dynamic loader binds and dlsym() returns as any function.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int chain_connect(int fd, const struct sockaddr *sa, socklen_t len);

int chain_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*next)(int, const struct sockaddr *, socklen_t) =
		(int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
	const char *path = getenv("CHAIN_LOG");
	int saved = errno;
	if (path && sa && sa->sa_family == AF_INET) {
		int lf = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (lf >= 0) {
			dprintf(lf, "connect %u\n",
				ntohs(((const struct sockaddr_in *)sa)->sin_port));
			close(lf);
		}
	}
	errno = saved;
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(fd, sa, len);
}

#ifdef BARE_SYMBOL
__asm__(".globl connect\n"
	"connect:\n"
	"\tjmp chain_connect@PLT\n");
#else
int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return chain_connect(fd, sa, len);
}
#endif
