/*
 * spawn.c - what a preloaded library costs one short process, measured so
 * that the noise of a shared machine falls on every variant alike.
 *
 *   spawn N PROGRAM VARIANT...
 *
 * Runs PROGRAM (no arguments) N times per variant, the variants taking
 * turns run by run: a VARIANT is "-" (nothing preloaded) or the path of a
 * shared object to preload (LD_PRELOAD, with HTTPTRACE_SOCKET naming a
 * socket nobody listens on: the library is on, and never connects), or
 * that path after a "+" (preloaded without HTTPTRACE_SOCKET: off).  For
 * each variant it prints the median of the wall-clock times from fork to
 * the end of wait4 (microseconds), the mean CPU (user+sys, from the
 * child's rusage) and the mean minor page faults of the child.
 * scripts/bench.sh procs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* environ, without LD_PRELOAD and HTTPTRACE_*, plus @extra (NULL-ended). */
static char **make_env(char **extra)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 4, sizeof *env);
	if (!env)
		exit(1);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], "HTTPTRACE_", 10) != 0)
			env[k++] = environ[i];
	for (; *extra; extra++)
		env[k++] = *extra;
	env[k] = NULL;
	return env;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: spawn N PROGRAM VARIANT...\n");
		return 2;
	}
	int n = atoi(argv[1]), nv = argc - 3;
	const char *prog = argv[2];
	char ***envs = calloc(nv, sizeof *envs);
	double *wall = calloc((size_t)n * nv, sizeof *wall);
	double *cpu = calloc(nv, sizeof *cpu), *flt = calloc(nv, sizeof *flt);
	if (!envs || !wall || !cpu || !flt)
		return 1;
	for (int v = 0; v < nv; v++) {
		const char *lib = argv[3 + v];
		char *extra[3] = {NULL, NULL, NULL};
		if (strcmp(lib, "-") != 0) {
			bool off = lib[0] == '+';
			size_t len = strlen(lib) + 12;
			extra[0] = malloc(len);
			if (!extra[0])
				return 1;
			snprintf(extra[0], len, "LD_PRELOAD=%s", lib + off);
			/* A copy on the heap, not the literal: a forked child
			 * reads a page of this program's file only through a
			 * page fault of its own (fork copies no page table entry
			 * of a file mapping), which execve's copy of the
			 * environment took in the "on" runs alone (+1 fault and
			 * its CPU, charged to the library).  The heap's entries
			 * are copied at fork. */
			if (!off)
				extra[1] = strdup("HTTPTRACE_SOCKET="
						  "/nonexistent/httptrace.sock");
			if (!off && !extra[1])
				return 1;
		}
		envs[v] = make_env(extra);
	}
	char *args[] = {(char *)prog, NULL};
	for (int r = 0; r < n; r++) {
		for (int j = 0; j < nv; j++) {
			int v = (r + j) % nv; /* the order rotates from run to run */
			double t0 = now_us();
			pid_t pid = fork();
			if (pid < 0)
				return 1;
			if (pid == 0) {
				execve(prog, args, envs[v]);
				_exit(127);
			}
			int st;
			struct rusage ru;
			if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				fprintf(stderr, "spawn: %s failed\n", prog);
				return 1;
			}
			wall[(size_t)v * n + r] = now_us() - t0;
			cpu[v] += ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
				  ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
			flt[v] += ru.ru_minflt;
		}
	}
	for (int v = 0; v < nv; v++) {
		double *w = wall + (size_t)v * n;
		qsort(w, n, sizeof *w, cmp_double);
		printf("%s %.1f %.1f %.1f\n", argv[3 + v], w[n / 2], cpu[v] / n,
		       flt[v] / n);
	}
	return 0;
}
