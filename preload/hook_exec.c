/*
 * hook_exec.c - execve: the process's pending message (hook_poll.c) goes
 * out before the image it belongs to is gone, and its live page says the
 * image is leaving by exec, so that the collector reports what it still
 * had in flight (the process runs on: its socket's end alone is not the
 * image's end).
 */
#include <errno.h>
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

HT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	HT_ENSURE_INIT();
	ht_send_pending();
	struct ht_live *live = ht_live_page;
	if (live != NULL && (uint32_t)syscall(SYS_getpid) != ht_pid)
		live = NULL;
	mark_exec(live, HT_LIVE_EXEC);
	int r;
	if (unlikely(!ht_real.execve))
		r = (int)syscall(SYS_execve, path, argv, envp);
	else
		r = ht_real.execve(path, argv, envp);
	int saved = errno;
	mark_exec(live, HT_LIVE_RUNNING);
	errno = saved;
	return r;
}
