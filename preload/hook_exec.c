/*
 * hook_exec.c - the exec family: the process's pending message
 * (hook_poll.c) goes out before the image it belongs to is gone, and its
 * live page says the image is leaving by exec, so that the collector
 * reports what it still had in flight (the process runs on: its socket's
 * end alone is not the image's end).
 *
 * glibc's execv, execvp, execvpe, execl*, fexecve make the system call
 * inside libc, not through execve: each is hooked itself.  The execl
 * variants gather their arguments as glibc does and call the matching
 * vector function.  posix_spawn needs nothing: its child never had
 * requests of its own, and its parent's image stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ht.h"
#include "live.h"

/* Mark (or, after a failed exec, unmark) this image's page.  Not in a
 * vfork child, which shares its parent's memory and page: its pid is not
 * the one the library knows. */
static void mark_exec(struct ht_live *live, uint32_t how)
{
	if (live != NULL)
		__atomic_store_n(&live->ended, how, __ATOMIC_RELEASE);
}

/* Before any exec: send what is pending, mark the page; the page marked
 * (NULL if none or not ours) for exec_end(). */
static struct ht_live *exec_begin(void)
{
	HT_ENSURE_INIT();
	ht_send_pending();
	struct ht_live *live = ht_live_page;
	if (live != NULL && (uint32_t)syscall(SYS_getpid) != ht_pid)
		live = NULL;
	mark_exec(live, HT_LIVE_EXEC);
	return live;
}

/* After an exec that returned (it failed): unmark, keep its errno, @r. */
static int exec_end(struct ht_live *live, int r)
{
	int saved = errno;
	mark_exec(live, HT_LIVE_RUNNING);
	errno = saved;
	return r;
}

/* A vector function libc has always had but the resolver did not find. */
static int exec_missing(void)
{
	errno = ENOSYS;
	return -1;
}

static int do_execve(const char *path, char *const argv[], char *const envp[])
{
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!ht_real.execve))
		r = (int)syscall(SYS_execve, path, argv, envp);
	else
		r = ht_real.execve(path, argv, envp);
	return exec_end(live, r);
}

static int do_execv(const char *path, char *const argv[])
{
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!ht_real.execv))
		r = (int)syscall(SYS_execve, path, argv, environ);
	else
		r = ht_real.execv(path, argv);
	return exec_end(live, r);
}

static int do_execvp(const char *file, char *const argv[])
{
	struct ht_live *live = exec_begin();
	int r = unlikely(!ht_real.execvp) ? exec_missing()
					  : ht_real.execvp(file, argv);
	return exec_end(live, r);
}

HT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return do_execve(path, argv, envp);
}

HT_EXPORT int execv(const char *path, char *const argv[])
{
	return do_execv(path, argv);
}

HT_EXPORT int execvp(const char *file, char *const argv[])
{
	return do_execvp(file, argv);
}

HT_EXPORT int execvpe(const char *file, char *const argv[],
		      char *const envp[])
{
	struct ht_live *live = exec_begin();
	int r = unlikely(!ht_real.execvpe) ? exec_missing()
					   : ht_real.execvpe(file, argv, envp);
	return exec_end(live, r);
}

HT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!ht_real.fexecve))
		r = (int)syscall(SYS_execveat, fd, "", argv, envp,
				 AT_EMPTY_PATH);
	else
		r = ht_real.fexecve(fd, argv, envp);
	return exec_end(live, r);
}

/* The number of arguments from @arg0 up to the terminating NULL, as
 * execl's caller passed them (@ap is left where it was). */
static size_t count_args(const char *arg0, va_list ap)
{
	va_list cp;
	size_t n = 1;
	if (arg0 == NULL)
		return 0;
	va_copy(cp, ap);
	while (va_arg(cp, const char *) != NULL)
		n++;
	va_end(cp);
	return n;
}

/* Fill @argv (room for @n + 1) from @arg0 and @ap, NULL-terminated. */
static void gather_args(char **argv, size_t n, const char *arg0, va_list ap)
{
	if (n > 0)
		argv[0] = (char *)arg0;
	for (size_t i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	argv[n] = NULL;
}

/* How exec_list() runs the vector: execl, execlp, execle. */
enum exec_how { EXEC_L, EXEC_LP, EXEC_LE };

/* The execl variants: @arg0 and the arguments in @ap up to their NULL as
 * a vector (and, for execle, the environment after it), then execv,
 * execvp or execve, as glibc does. */
static int exec_list(enum exec_how how, const char *file, const char *arg0,
		     va_list ap)
{
	size_t n = count_args(arg0, ap);
	if (n >= INT_MAX) {
		errno = E2BIG;
		return -1;
	}
	char *argv[n + 1];
	gather_args(argv, n, arg0, ap);
	switch (how) {
	case EXEC_L:
		return do_execv(file, argv);
	case EXEC_LP:
		return do_execvp(file, argv);
	default:
		if (n > 0)
			(void)va_arg(ap, char *); /* the NULL ending them */
		return do_execve(file, argv, va_arg(ap, char *const *));
	}
}

HT_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int r = exec_list(EXEC_L, path, arg, ap);
	va_end(ap);
	return r;
}

HT_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int r = exec_list(EXEC_LP, file, arg, ap);
	va_end(ap);
	return r;
}

HT_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int r = exec_list(EXEC_LE, path, arg, ap);
	va_end(ap);
	return r;
}
