/*
 * fork_child_faults.c - the minor page faults of a forked child that execs a
 * program, as a shell's child running /bin/true has them.
 *
 *   fork_child_faults N PROGRAM [ARG...]
 *
 * Runs itself again with address space randomisation off, then forks N
 * times; each child execs PROGRAM with ARGs and this process's
 * environment, with randomisation off too (so that every run maps the
 * same pages: the counts are then the same run after run).  Prints the median of the children's ru_minflt (wait4):
 * the faults after fork (this process's fork handlers, a preloaded
 * library's) and those of PROGRAM's start and exit.
 * test_startup_faults.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fork_child_faults N PROGRAM [ARG...]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	long flt[64];
	if (n < 1 || n > 64)
		return 2;
	/* This process too without randomisation (once, by exec'ing itself
	 * so): where its own pages lie decides which of them a child
	 * touches between fork and exec. */
	int pers = personality(0xffffffff);
	if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE) &&
	    personality((unsigned long)pers | ADDR_NO_RANDOMIZE) != -1) {
		execv("/proc/self/exe", argv);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "fork_child_faults: %s failed\n", argv[2]);
			return 1;
		}
		flt[i] = ru.ru_minflt;
	}
	qsort(flt, n, sizeof flt[0], cmp_long);
	printf("%ld\n", flt[n / 2]);
	return 0;
}
