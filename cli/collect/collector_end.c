/* collector_end.c - how a traced process ended, for its requests in flight
 * (collector_live.c): by a signal, an exit of its own (with which status),
 * still running; asked of run mode's reaped children, waitid() without
 * reaping, or /proc.  See collector_internal.h. */
#include "collector_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Whether process @pid still runs: its /proc entry exists and it is not a
 * zombie (or dead).  Not known (no /proc, another pid namespace): false. */
bool process_runs(uint32_t pid)
{
	char path[32], buf[512];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/stat", (unsigned)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	const char *p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return false;
	return p[2] != 'Z' && p[2] != 'X' && p[2] != 'x';
}

/* How the process @pid (@l its live page, or NULL: none) ended, for its
 * requests still in flight: the error, and the signal (0: none or not
 * known); 0 when it has not ended (its socket to us closed behind its
 * back, a raw close_range, and it reconnects: its requests are still its
 * own to report).  A child of ours
 * (run mode is the subreaper) is asked without being reaped (WNOWAIT);
 * another process by its /proc entry.  Its socket closes as it exits, a
 * moment before it can be waited for or is a zombie, so either is retried
 * a little (at most END_WAIT_MS); @wait: whether to. */
#define END_WAIT_MS 100

/* The error for a process that ended by @signo (0: exited), and *@sig. */
static unsigned end_by(int signo, uint8_t *sig)
{
	*sig = (uint8_t)signo;
	switch (signo) {
	case 0:
		return HT_ERR_EXITED;
	case SIGINT:
		return HT_ERR_INTERRUPTED;
	case SIGSEGV:
	case SIGBUS:
	case SIGABRT:
	case SIGILL:
	case SIGFPE:
		return HT_ERR_CRASHED;
	default:
		return HT_ERR_KILLED;
	}
}

void collector_reaped(collector *c, pid_t pid, int status)
{
	struct collector_reaped *r = &c->reaped[c->reaped_next];

	c->reaped_next = (c->reaped_next + 1) % ARRAY_SIZE(c->reaped);
	r->pid = (uint32_t)pid;
	r->status = status;
}

/* Whether run mode reaped @pid already (among the last 16 it reaped; the
 * kernel hands a pid out again only after the whole pid space, so a later
 * process is not mistaken for it): *@signo set to its signal, 0 when it
 * exited.  Several of the peer's ends may ask. */
static bool reaped_find(const collector *c, uint32_t pid, int *signo)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->reaped); i++) {
		const struct collector_reaped *r = &c->reaped[i];

		if (r->pid == 0 || r->pid != pid)
			continue;
		*signo = WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0;
		return true;
	}
	return false;
}

unsigned process_end(const collector *c, const ht_live *l, uint32_t pid,
			    bool wait, uint8_t *sig)
{
	bool child = true;
	int signo;

	*sig = 0;
	uint32_t ended = l == NULL ? HT_LIVE_RUNNING
				   : __atomic_load_n(&l->ended, __ATOMIC_ACQUIRE);
	if (ended == HT_LIVE_EXITED || ended == HT_LIVE_EXEC)
		return HT_ERR_EXITED; /* exit(), or the image left by exec */
	for (unsigned i = 0; i <= END_WAIT_MS; i++) {
		siginfo_t si;

		if (reaped_find(c, pid, &signo))
			return end_by(signo, sig);
		memset(&si, 0, sizeof(si));
		if (child && waitid(P_PID, (id_t)pid, &si,
				    WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			/* not our child (by /proc), unless run mode reaped
			 * it meanwhile */
			if (reaped_find(c, pid, &signo))
				return end_by(signo, sig);
			child = false;
		}
		if (child && si.si_pid == (pid_t)pid)
			return end_by(si.si_code == CLD_EXITED ? 0 : si.si_status,
				      sig);
		/* ended, how not known (not our child, no goodbye on its
		 * page: _exit, a signal or a crash): said as such, never
		 * as an interruption */
		if (!child && !process_runs(pid))
			return HT_ERR_ENDED;
		if (!wait)
			return HT_ERR_INTERRUPTED;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0; /* still running */
}

/* The status process @pid exited with by itself (exit, _exit): 0-255, or
 * -1 when not known (not this collector's child, killed, or not ended
 * within the wait).  Its goodbye is on its page before it is gone: run
 * mode waits for it as process_end() does. */
int exit_status(const collector *c, uint32_t pid, bool wait)
{
	for (unsigned i = 0; i <= (wait ? END_WAIT_MS : 0); i++) {
		siginfo_t si;

		for (size_t k = 0; k < ARRAY_SIZE(c->reaped); k++) {
			const struct collector_reaped *r = &c->reaped[k];

			if (r->pid != 0 && r->pid == pid)
				return WIFEXITED(r->status) ?
					       WEXITSTATUS(r->status) : -1;
		}
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return -1; /* not our child */
		}
		if (si.si_pid == (pid_t)pid)
			return si.si_code == CLD_EXITED ? si.si_status : -1;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Whether exit status @code is how a program that handled a signal says
 * the signal ended it (a shell's 128 + N: Python's sys.exit(130) after
 * KeyboardInterrupt, a Go program's os.Exit after signal.Notify): the
 * signal, or 0. */
unsigned exit_says_signal(int code)
{
	int n = code - 128;

	return n == SIGINT || n == SIGTERM || n == SIGHUP ? (unsigned)n : 0;
}
