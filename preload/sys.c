/*
 * sys.c - the library's own definitions of the libc system call wrappers
 * it calls only on rare paths (connecting to the collector, reading an
 * ELF file for the inline OpenSSL hooks, a spin lock giving way, memory
 * for a new connection's state).
 *
 * Each function the library imports costs the loader a symbol lookup when
 * it relocates the library (full RELRO: -z now), about 700 instructions
 * in every process at start, most of which never use the network
 * (scripts/bench.sh procs).  These are bound inside the library at link
 * time instead: none is exported (the export map lists the interposed
 * functions only), so the program's own calls still reach libc, and each
 * one is the library's ht_sys() (ht.h: its syscall()), which sets errno
 * as libc's syscall() does.  The call sites keep the ordinary names and prototypes.
 *
 * fstat() and stat() make the system call libc's make (newfstatat, with
 * AT_EMPTY_PATH for an fd), so that a seccomp filter the process inherited
 * sees the same call.  clock_gettime stays libc's (it goes through the
 * vDSO); libc functions that are not system calls are found by the walk
 * over the loaded objects instead (init.c, HT_INTERNALS).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ht.h"

HT_HIDDEN int open(const char *path, int flags, ...)
{
	unsigned mode = 0;
	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

HT_HIDDEN ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	return syscall(SYS_pread64, fd, buf, len, off);
}

HT_HIDDEN ssize_t readlink(const char *path, char *buf, size_t len)
{
	return syscall(SYS_readlinkat, AT_FDCWD, path, buf, len);
}

HT_HIDDEN int ftruncate(int fd, off_t len)
{
	return (int)syscall(SYS_ftruncate, fd, len);
}

HT_HIDDEN void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

HT_HIDDEN int munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

HT_HIDDEN int mprotect(void *addr, size_t len, int prot)
{
	return (int)syscall(SYS_mprotect, addr, len, prot);
}

HT_HIDDEN int socket(int domain, int type, int protocol)
{
	return (int)syscall(SYS_socket, domain, type, protocol);
}

HT_HIDDEN int setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	return (int)syscall(SYS_setsockopt, fd, level, name, val, len);
}

HT_HIDDEN int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)syscall(SYS_getpeername, fd, addr, len);
}

HT_HIDDEN int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)syscall(SYS_getsockname, fd, addr, len);
}

HT_HIDDEN int getrlimit(__rlimit_resource_t res, struct rlimit *rl)
{
	/* prlimit64's struct is struct rlimit on a 64-bit machine */
	_Static_assert(sizeof(rlim_t) == 8, "struct rlimit is prlimit64's");
	return (int)syscall(SYS_prlimit64, 0, res, NULL, rl);
}

/* Made before each send to the collector (emit_connect.c: fd_is_ours()):
 * the system call itself, without ht_sys()'s variable arguments. */
HT_HIDDEN int fstat(int fd, struct stat *st)
{
	long r = ht_raw_syscall(SYS_newfstatat, fd, (long)"", (long)st,
				AT_EMPTY_PATH, 0, 0);
	if (unlikely(r < 0)) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

HT_HIDDEN int stat(const char *path, struct stat *st)
{
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

HT_HIDDEN int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return (int)syscall(SYS_ioctl, fd, request, arg);
}

HT_HIDDEN uid_t geteuid(void)
{
	return (uid_t)syscall(SYS_geteuid);
}

HT_HIDDEN pid_t getppid(void)
{
	return (pid_t)syscall(SYS_getppid);
}

HT_HIDDEN int sched_yield(void)
{
	return (int)syscall(SYS_sched_yield);
}

/* getenv(), as libc's: the value of the first NAME=VALUE entry of environ
 * whose name is @name, or NULL.  Read at start (init.c) and on the rare
 * HTTPTRACE_DEBUG line (emit_connect.c).  Compared byte by byte, without
 * libc's strlen and strncmp: in a process that never traces, they were
 * the only code of libc's the constructor ran on pages the program does
 * not otherwise touch (a page fault in one /bin/true of four). */
HT_HIDDEN char *getenv(const char *name)
{
	if (!environ || name[0] == '\0')
		return NULL;
	/* the first byte first: most entries differ there (libc's test) */
	for (char **e = environ; *e; e++) {
		const char *v = *e;
		if (v[0] != name[0])
			continue;
		size_t i = 1;
		while (name[i] != '\0' && v[i] == name[i])
			i++;
		if (name[i] == '\0' && v[i] == '=')
			return (char *)v + i + 1;
	}
	return NULL;
}
