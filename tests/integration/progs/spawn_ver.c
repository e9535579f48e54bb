/*
 * spawn_ver.c - one posix_spawn or posix_spawnp, and what it gave.
 *
 *   spawn_ver [-p] [-o FILE] [-c FD] PROG [ARG...]
 *
 * Spawns PROG with ARG... and the environment (posix_spawnp with -p: PROG
 * searched in PATH), waits for it, and prints the call's return (an error
 * number), errno after it (set to 12345 before: posix_spawn reports its
 * error by the return, not errno), and the child's exit status.  File
 * actions: -o FILE opens FILE as the child's stdout (O_CREAT|O_TRUNC),
 * -c FD closes FD in the child.
 *
 * Built with -DSPAWN_COMPAT, its posix_spawn and posix_spawnp are bound
 * to glibc's GLIBC_2.2.5 versions (x86_64), as in a program linked
 * against glibc before 2.15: their child runs a file execve refuses with
 * ENOEXEC (a script without "#!") through /bin/sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SPAWN_COMPAT
__asm__(".symver posix_spawn,posix_spawn@GLIBC_2.2.5");
__asm__(".symver posix_spawnp,posix_spawnp@GLIBC_2.2.5");
#endif

extern char **environ;

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	bool search = false;
	pid_t pid = -1;
	int i = 1, r, err, st = 0;

	posix_spawn_file_actions_init(&fa);
	for (; i + 1 < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-p") == 0) {
			search = true;
		} else if (strcmp(argv[i], "-o") == 0) {
			posix_spawn_file_actions_addopen(&fa, 1, argv[++i],
				O_WRONLY | O_CREAT | O_TRUNC, 0644);
		} else if (strcmp(argv[i], "-c") == 0) {
			posix_spawn_file_actions_addclose(&fa, atoi(argv[++i]));
		} else {
			fprintf(stderr, "spawn_ver: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: spawn_ver [-p] [-o FILE] [-c FD] PROG [ARG...]\n");
		return 2;
	}
	fflush(stdout);
	errno = 12345;
	if (search)
		r = posix_spawnp(&pid, argv[i], &fa, NULL, argv + i, environ);
	else
		r = posix_spawn(&pid, argv[i], &fa, NULL, argv + i, environ);
	err = errno;
	if (r == 0 && waitpid(pid, &st, 0) != pid)
		st = -1;
	printf("spawn %s: return %d (%s), errno %d, exit %d\n", argv[i], r,
	       r ? strerror(r) : "ok", err,
	       r == 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}
