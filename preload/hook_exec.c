/*
 * hook_exec.c - execve: the process's pending message (hook_poll.c) goes
 * out before the image it belongs to is gone.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "ht.h"

HT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	HT_ENSURE_INIT();
	ht_send_pending();
	if (unlikely(!ht_real.execve))
		return (int)syscall(SYS_execve, path, argv, envp);
	return ht_real.execve(path, argv, envp);
}
