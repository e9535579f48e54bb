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
 *
 * A program the process execs that LD_PRELOAD cannot reach (statically
 * linked: the kernel runs it without the loader) would make requests no
 * hook sees, and the report would look clean: before the exec, while the
 * library is on, the target's first bytes are read (exechead.h; a "#!"
 * script's interpreter, one level) and, for a static program, a "not
 * traced" note goes to the collector, in run mode's words (cli/check.c),
 * counted once per process.
 *
 * The look must not be noticed.  Only a file the kernel would run is
 * opened: a stat comes first, and a FIFO (whose blocked writer an open
 * releases), a device (whose open and close can act: a serial line's
 * DTR, a tape's rewind, a watchdog), a directory is left alone, as the
 * kernel leaves it (it refuses them without an open); the opened fd must
 * be the file stat saw (device and inode), else a file swapped in
 * between is closed unread.  The fd is the lowest free one, for the four
 * system calls it lives (open, fstat, pread, close): a thread of the
 * program opening a file meanwhile gets the next number, as it would
 * while libc holds a file of its own open; it is close-on-exec and never
 * kept.  There is no look at all where the library opens no fd (a limit
 * below HT_MIN_FD_LIMIT, a seccomp filter of the program's), nor when no
 * collector can be told (ht_emit_may_look(): not connected and no socket
 * at the path, one stat).  The cost with a collector: stat, open, fstat,
 * pread, close per exec (a getrlimit and a prctl more).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exechead.h"
#include "ht.h"
#include "live.h"

/* The ELF class and machine of the programs this library's loader runs:
 * another is refused by the kernel (ENOEXEC) or not the loader's. */
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#else
#define HOST_MACHINE 0
#endif

/* Whether the kernel would run the file @st describes: a regular file
 * with an execute bit (the permission for this user is left to the real
 * call). */
static bool runnable(const struct stat *st)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 0111) != 0;
}

/* Whether @path names a file the kernel would run (a stat: nothing is
 * opened); its identity to @st. */
static bool runnable_at(const char *path, struct stat *st)
{
	return stat(path, st) == 0 && runnable(st);
}

/* Open the file @st describes, at @path, to read its first bytes: never
 * blocks, never makes a terminal ours, gone at exec; the fd must be that
 * file still (else closed: a swap since the stat).  An fd or -1 (errno
 * is the caller's to restore). */
static int open_seen(const char *path, const struct stat *st)
{
	struct stat now;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			      O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino || !runnable(&now)) {
		syscall(SYS_close, fd);
		return -1;
	}
	return fd;
}

/* open_seen() of @path when a stat says the kernel would run it, else
 * -1 with nothing opened. */
static int open_head(const char *path)
{
	struct stat st;

	if (!runnable_at(path, &st))
		return -1;
	return open_seen(path, &st);
}

/* What the first bytes of the file on @fd say (a script's interpreter to
 * @interp, @cap bytes). */
static enum exechead_kind head_of(int fd, char *interp, size_t cap)
{
	uint8_t head[EXECHEAD_SIZE];
	ssize_t n = (ssize_t)syscall(SYS_pread64, fd, head, sizeof(head), 0);

	if (n <= 0)
		return EXECHEAD_UNKNOWN;
	return exechead_classify(head, (size_t)n, HOST_CLASS, HOST_MACHINE,
				 interp, cap);
}

static bool is_static(enum exechead_kind k)
{
	return k == EXECHEAD_STATIC || k == EXECHEAD_STATIC_PIE;
}

/* Whether exec'ing the file on @fd (one the kernel would run: checked
 * before it was opened) runs a static program: the file itself (@interp
 * "") or, for a "#!" script, its interpreter (path in @interp, @cap
 * bytes; one level: an interpreter that is a script again is not
 * followed; opened only when it is a file the kernel would run).  Its
 * kind. */
static __attribute__((noinline)) enum exechead_kind
static_target(int fd, char *interp, size_t cap)
{
	enum exechead_kind k = head_of(fd, interp, cap);
	char sub[8];
	int ifd;

	if (k == EXECHEAD_SCRIPT) {
		ifd = open_head(interp);
		if (ifd < 0)
			return EXECHEAD_UNKNOWN;
		k = head_of(ifd, sub, sizeof(sub));
		syscall(SYS_close, ifd);
	} else {
		interp[0] = '\0';
	}
	return is_static(k) ? k : EXECHEAD_UNKNOWN;
}

/* Say to the collector that the program @what (run from fd @fd when NULL)
 * that this process is about to exec is not traced, as run mode says it
 * of a static command; this may be the process's first word to it.  A
 * vfork child (dash runs commands so), whose memory is its parent's,
 * says it on a connection of its own. */
static __attribute__((noinline)) void
note_static(const char *what, int fd, enum exechead_kind k)
{
	char text[512], name[32]; /* a longer path is cut short */
	ht_record rec;
	int n;

	if (what == NULL) {
		snprintf(name, sizeof(name), "fd %d", fd);
		what = name;
	}
	n = snprintf(text, sizeof(text), "%s: statically linked%s: "
		     "LD_PRELOAD does not apply", what,
		     k == EXECHEAD_STATIC_PIE ? " (static PIE)" : "");
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	if (ht_foreign_process()) {
		ht_emit_note_alone(text, (size_t)n);
		return;
	}
	if (!ht_enter())
		return;
	memset(&rec, 0, sizeof(rec));
	rec.type = HT_REC_NOTE;
	rec.u.note.pid = ht_pid;
	rec.u.note.text.p = text;
	rec.u.note.text.len = (uint16_t)n;
	ht_emit_want();
	ht_emit(NULL, &rec);
	ht_leave(); /* sent now: a note is never held back */
}

/* Before exec'ing @path, or (@path NULL) the file on @fd, or (@fd < 0
 * too) nothing: the note above when it runs a static program.  Only
 * when ht_emit_may_look(); the program's @fd is read only when fstat
 * says the kernel would run its file.  errno is kept. */
static void exec_check(const char *path, int fd)
{
	char interp[256];
	enum exechead_kind k;
	struct stat st;
	int own = -1;
	int saved;

	if (!ht_enabled || (path == NULL && fd < 0))
		return;
	saved = errno;
	if (!ht_emit_may_look()) {
		errno = saved;
		return;
	}
	if (path != NULL) {
		own = open_head(path);
		fd = own;
	} else if (fstat(fd, &st) != 0 || !runnable(&st)) {
		fd = -1;
	}
	if (fd >= 0) {
		k = static_target(fd, interp, sizeof(interp));
		if (own >= 0)
			syscall(SYS_close, own);
		if (is_static(k))
			note_static(interp[0] != '\0' ? interp : path, fd, k);
	}
	errno = saved;
}

/* For execvp/execvpe: the file libc's search finds for @file, opened
 * (path to @buf, @cap bytes), or -1.  @file itself when it has a '/';
 * else the first entry of PATH (unset: "/bin:/usr/bin", as glibc; an
 * empty entry is the current directory) holding a file the kernel would
 * run (a stat each: only that one is opened).  Only to read it: the real
 * call makes the real search. */
static int open_in_path(const char *file, char *buf, size_t cap)
{
	const char *p, *end;
	size_t flen, dlen;
	struct stat st;

	if (file == NULL || *file == '\0')
		return -1;
	flen = strlen(file);
	if (strchr(file, '/') != NULL) {
		if (flen >= cap)
			return -1;
		memcpy(buf, file, flen + 1);
		return open_head(buf);
	}
	p = getenv("PATH");
	if (p == NULL)
		p = "/bin:/usr/bin";
	for (;;) {
		/* (no strchrnul: an import is a symbol lookup at every
		 * process's start) */
		for (end = p; *end != '\0' && *end != ':'; end++)
			;
		dlen = (size_t)(end - p);
		if (dlen + 1 + flen < cap) {
			memcpy(buf, p, dlen);
			if (dlen > 0)
				buf[dlen++] = '/';
			memcpy(buf + dlen, file, flen + 1);
			if (runnable_at(buf, &st))
				return open_seen(buf, &st);
		}
		if (*end == '\0')
			return -1;
		p = end + 1;
	}
}

/* exec_check() for execvp/execvpe's @file, found in PATH (a path longer
 * than 1 KiB is not looked at: the library's frames stay small). */
static void exec_check_search(const char *file)
{
	char path[1024];
	int saved, fd;

	if (!ht_enabled)
		return;
	saved = errno;
	fd = ht_emit_may_look() ? open_in_path(file, path, sizeof(path)) : -1;
	if (fd >= 0) {
		char interp[256];
		enum exechead_kind k = static_target(fd, interp,
						     sizeof(interp));

		syscall(SYS_close, fd);
		if (is_static(k))
			note_static(interp[0] != '\0' ? interp : path, fd, k);
	}
	errno = saved;
}

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
	HT_ENSURE_INIT();
	exec_check(path, -1);
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!HT_REAL(execve)))
		r = (int)syscall(SYS_execve, path, argv, envp);
	else
		r = ht_real.execve(path, argv, envp);
	return exec_end(live, r);
}

static int do_execv(const char *path, char *const argv[])
{
	HT_ENSURE_INIT();
	exec_check(path, -1);
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!HT_REAL(execv)))
		r = (int)syscall(SYS_execve, path, argv, environ);
	else
		r = ht_real.execv(path, argv);
	return exec_end(live, r);
}

static int do_execvp(const char *file, char *const argv[])
{
	HT_ENSURE_INIT();
	exec_check_search(file);
	struct ht_live *live = exec_begin();
	int r = unlikely(!HT_REAL(execvp)) ? exec_missing()
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
	HT_ENSURE_INIT();
	exec_check_search(file);
	struct ht_live *live = exec_begin();
	int r = unlikely(!HT_REAL(execvpe)) ? exec_missing()
					   : ht_real.execvpe(file, argv, envp);
	return exec_end(live, r);
}

HT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	HT_ENSURE_INIT();
	exec_check(NULL, fd);
	struct ht_live *live = exec_begin();
	int r;
	if (unlikely(!HT_REAL(fexecve)))
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
