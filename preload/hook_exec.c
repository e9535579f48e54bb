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
 * vector function.  posix_spawn and posix_spawnp leave the image alone
 * (their child never had requests of its own, and the parent's image
 * stays), but glibc's child (clone with CLONE_VM|CLONE_VFORK) makes its
 * execve system call inside libc too: they are hooked for the check
 * below alone.
 *
 * A program the process execs that LD_PRELOAD cannot reach (statically
 * linked: the kernel runs it without the loader) would make requests no
 * hook sees, and the report would look clean: before the exec, while the
 * library is on, the target's first bytes are read (exechead.h; a "#!"
 * script's interpreter, one level) and, for a static program, a "not
 * traced" note goes to the collector, in run mode's words (cli/check.c),
 * counted once per process.  posix_spawn's target is checked in the
 * parent before the real call, the path as given (file actions that
 * change the child's directory are not followed; posix_spawnp searches
 * the parent's PATH, as glibc's child does: getenv in the memory it
 * shares, not the envp given); its note goes after the call, only when
 * it succeeded (a program ran), with the child's pid.
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
#include <spawn.h>
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
#include "symvers.h"

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

/* The size of a note's text (a longer path is cut short). */
#define NOTE_MAX 512

/* The words of the note that the program @what (run from fd @fd when
 * NULL), of kind @k, is not traced, as run mode says it of a static
 * command, to @text (NOTE_MAX bytes); their length. */
static __attribute__((noinline)) int
note_text(char *text, const char *what, int fd, enum exechead_kind k)
{
	char name[32];
	int n;

	if (what == NULL) {
		snprintf(name, sizeof(name), "fd %d", fd);
		what = name;
	}
	n = snprintf(text, NOTE_MAX, "%s: statically linked%s: "
		     "LD_PRELOAD does not apply", what,
		     k == EXECHEAD_STATIC_PIE ? " (static PIE)" : "");
	if (n < 0)
		return 0;
	return n >= NOTE_MAX ? NOTE_MAX - 1 : n;
}

/* Say the note @text (@n bytes) to the collector, for the process @pid
 * (this one, or a child posix_spawn started); this may be the process's
 * first word to it.  A vfork child (dash runs commands so), whose memory
 * is its parent's, says it on a connection of its own, for itself.
 * errno is kept. */
static __attribute__((noinline)) void
note_say(const char *text, int n, uint32_t pid)
{
	ht_record rec;
	int saved = errno;

	if (ht_foreign_process()) {
		ht_emit_note_alone(text, (size_t)n);
	} else if (ht_enter()) {
		ht_note_record(&rec, pid, text, (size_t)n);
		ht_emit_want();
		ht_emit(NULL, &rec);
		ht_leave(); /* sent now: a note is never held back */
	}
	errno = saved;
}

/* Whether exec'ing @path, or (@path NULL) the file on @fd, or (@fd < 0
 * too) nothing, runs a static program: the note's words to @text
 * (NOTE_MAX bytes) and their length, else 0.  Only when
 * ht_emit_may_look(); the program's @fd is read only when fstat says the
 * kernel would run its file.  errno is kept. */
static int check_exec(const char *path, int fd, char *text)
{
	char interp[256];
	enum exechead_kind k;
	struct stat st;
	int own = -1;
	int saved;
	int n = 0;

	if (!ht_enabled || (path == NULL && fd < 0))
		return 0;
	saved = errno;
	if (!ht_emit_may_look()) {
		errno = saved;
		return 0;
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
			n = note_text(text, interp[0] != '\0' ? interp : path,
				      fd, k);
	}
	errno = saved;
	return n;
}

/* Before exec'ing @path (or the file on @fd): check_exec(), and its note
 * for this process. */
static void exec_check(const char *path, int fd)
{
	char text[NOTE_MAX];
	int n = check_exec(path, fd, text);

	if (n > 0)
		note_say(text, n, ht_pid);
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

/* check_exec() for execvp/execvpe's (or posix_spawnp's) @file, found in
 * PATH (a path longer than 1 KiB is not looked at: the library's frames
 * stay small). */
static int check_search(const char *file, char *text)
{
	char path[1024];
	int saved, fd;
	int n = 0;

	if (!ht_enabled)
		return 0;
	saved = errno;
	fd = ht_emit_may_look() ? open_in_path(file, path, sizeof(path)) : -1;
	if (fd >= 0) {
		char interp[256];
		enum exechead_kind k = static_target(fd, interp,
						     sizeof(interp));

		syscall(SYS_close, fd);
		if (is_static(k))
			n = note_text(text, interp[0] != '\0' ? interp : path,
				      fd, k);
	}
	errno = saved;
	return n;
}

/* Before execvp/execvpe's search for @file: check_search(), and its note
 * for this process. */
static void exec_check_search(const char *file)
{
	char text[NOTE_MAX];
	int n = check_search(file, text);

	if (n > 0)
		note_say(text, n, ht_pid);
}

/* Mark (or, after a failed exec, unmark) this image's page.  Not in a
 * vfork child, which shares its parent's memory and page: its pid is not
 * the one the library knows. */
static void mark_exec(struct ht_live *live, uint32_t how)
{
	if (live != NULL)
		__atomic_store_n(&live->ended, how, __ATOMIC_RELEASE);
}

/* Before any exec: the image ends here as at exit, so one more connect
 * when the retry window is closed and something is to be told
 * (ht_emit_at_exec()); send what is pending, mark the page; the page
 * marked (NULL if none or not ours) for exec_end(). */
static struct ht_live *exec_begin(void)
{
	HT_ENSURE_INIT();
	ht_emit_at_exec();
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

typedef int spawn_fn(pid_t *, const char *,
		     const posix_spawn_file_actions_t *,
		     const posix_spawnattr_t *, char *const[], char *const[]);

/* posix_spawn (@search false) or posix_spawnp through @real: the target
 * checked before the call (check_exec(), check_search()); its note after
 * it, when the call succeeded (a program ran), for the child (its pid
 * read from @pid as the call left it; this process when @pid is NULL).
 * The real call's return (an error number) and errno, as they were.
 * @real NULL (no object after this library defines that version): the
 * caller's reference could not have been bound without the library (the
 * loader ends a program whose symbol is missing), there is no glibc
 * behaviour to keep: ENOSYS, no child, nothing looked at, errno kept. */
static int spawn_with(spawn_fn *real, bool search, pid_t *pid,
		      const char *file, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[],
		      char *const envp[])
{
	char text[NOTE_MAX];
	int n, r;

	if (unlikely(real == NULL))
		return ENOSYS;
	n = search ? check_search(file, text) : check_exec(file, -1, text);
	r = real(pid, file, fa, attr, argv, envp);
	if (n > 0 && r == 0)
		note_say(text, n, pid != NULL ? (uint32_t)*pid : ht_pid);
	return r;
}

/*
 * glibc defines posix_spawn and posix_spawnp in more than one version
 * (symvers.h): a call goes to the hook of the version its caller was
 * bound to, and on to the same version of the real function, whose
 * behaviour differs (GLIBC_2.2.5's child runs a script without "#!"
 * through /bin/sh, GLIBC_2.15's fails with ENOEXEC).  Each hook is
 * exported as NAME@@HT_VERS_DEFAULT or NAME@HT_VERS_COMPAT by the .symver
 * below; its C name ht_NAME[_compat] stays inside (the version script
 * makes it local).  An unversioned reference (dlsym) binds to the default.
 */
HT_EXPORT spawn_fn ht_posix_spawn, ht_posix_spawnp;
__asm__(".symver ht_posix_spawn, posix_spawn@@"
	HT_VERS_STR(HT_VERS_DEFAULT));
__asm__(".symver ht_posix_spawnp, posix_spawnp@@"
	HT_VERS_STR(HT_VERS_DEFAULT));
#ifdef HT_VERS_COMPAT
HT_EXPORT spawn_fn ht_posix_spawn_compat, ht_posix_spawnp_compat;
__asm__(".symver ht_posix_spawn_compat, posix_spawn@"
	HT_VERS_STR(HT_VERS_COMPAT));
__asm__(".symver ht_posix_spawnp_compat, posix_spawnp@"
	HT_VERS_STR(HT_VERS_COMPAT));
#endif

/* The real function @name of @version (our own hook @self excluded) in
 * @cache: looked up at the hook's first call (ht_real_version(); most
 * processes never spawn), and again while not found. */
static spawn_fn *spawn_real(spawn_fn **cache, const char *name,
			    const char *version, spawn_fn *self)
{
	spawn_fn *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (likely(f != NULL))
		return f;
	f = (spawn_fn *)ht_real_version(name, version, (void *)self);
	__atomic_store_n(cache, f, __ATOMIC_RELEASE);
	return f;
}

/* The hook @fn of posix_spawn or posix_spawnp (@name, and @search as
 * spawn_with() takes it) in @version: the four differ in nothing else. */
#define HT_SPAWN_HOOK(fn, name, version, search)                             \
	int fn(pid_t *pid, const char *file,                                 \
	       const posix_spawn_file_actions_t *fa,                         \
	       const posix_spawnattr_t *attr, char *const argv[],            \
	       char *const envp[])                                           \
	{                                                                    \
		static spawn_fn *cache;                                      \
		spawn_fn *real;                                              \
                                                                             \
		HT_ENSURE_INIT();                                            \
		real = spawn_real(&cache, name, HT_VERS_STR(version), fn);   \
		return spawn_with(real, search, pid, file, fa, attr, argv,   \
				  envp);                                     \
	}

HT_SPAWN_HOOK(ht_posix_spawn, "posix_spawn", HT_VERS_DEFAULT, false)
HT_SPAWN_HOOK(ht_posix_spawnp, "posix_spawnp", HT_VERS_DEFAULT, true)
#ifdef HT_VERS_COMPAT
HT_SPAWN_HOOK(ht_posix_spawn_compat, "posix_spawn", HT_VERS_COMPAT, false)
HT_SPAWN_HOOK(ht_posix_spawnp_compat, "posix_spawnp", HT_VERS_COMPAT, true)
#endif

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

/* execl, execlp and execle from one definition: exec_list() @how over
 * @arg and the arguments after it (a variadic function can hand its "..."
 * on only as a va_list, so the three differ in nothing but @how). */
#define HT_EXEC_LIST_HOOK(name, how)                                        \
	HT_EXPORT int name(const char *file, const char *arg, ...)          \
	{                                                                   \
		va_list ap;                                                 \
		va_start(ap, arg);                                          \
		int r = exec_list(how, file, arg, ap);                      \
		va_end(ap);                                                 \
		return r;                                                   \
	}

HT_EXEC_LIST_HOOK(execl, EXEC_L)
HT_EXEC_LIST_HOOK(execlp, EXEC_LP)
HT_EXEC_LIST_HOOK(execle, EXEC_LE)
