/*
 * deepbind_ctor.c - RTLD_DEEPBIND dlopen()s in two threads at once, one of
 * them from a constructor that dlopen() runs (deepbind_ctor_lib.c), so
 * with the loader's lock held.
 *
 *     deepbind_ctor OUTER INNER N PORT PATH
 *
 * The main thread dlopen()s OUTER RTLD_NOW and dlclose()s it N times;
 * OUTER's constructor dlopen()s INNER RTLD_NOW | RTLD_DEEPBIND (through
 * the preloaded library's dlopen, as OUTER is not DEEPBIND).  A second
 * thread dlopen()s and dlclose()s INNER RTLD_NOW | RTLD_DEEPBIND N times
 * meanwhile.  Then one GET of PATH from 127.0.0.1:PORT through INNER's
 * deep_get (deepbind_lib.c), loaded by OUTER's constructor.  Prints how
 * many of each dlopen() succeeded and the response's status line and size.
 * Exit status 0, or 2 on a failure.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *inner_path;
static int rounds;

static void *loop_inner(void *arg)
{
	long ok = 0;
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		void *h = dlopen(inner_path, RTLD_NOW | RTLD_DEEPBIND);
		if (h) {
			ok++;
			dlclose(h);
		}
	}
	return (void *)ok;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: deepbind_ctor OUTER INNER N PORT PATH\n");
		return 2;
	}
	inner_path = argv[2];
	rounds = atoi(argv[3]);
	if (setenv("DEEPCTOR_INNER", inner_path, 1) != 0)
		return 2;
	pthread_t t;
	if (pthread_create(&t, NULL, loop_inner, NULL) != 0)
		return 2;
	int outer_ok = 0, ctor_ok = 0;
	void *h = NULL;
	for (int i = 0; i < rounds; i++) {
		h = dlopen(argv[1], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			continue;
		}
		outer_ok++;
		int (*ok)(void) = (int (*)(void))dlsym(h, "ctor_ok");
		if (ok && ok())
			ctor_ok++;
		if (i + 1 < rounds)
			dlclose(h);
	}
	void *loop_ok;
	pthread_join(t, &loop_ok);
	printf("outer %d/%d, its constructor's %d/%d, loop %ld/%d\n", outer_ok,
	       rounds, ctor_ok, rounds, (long)loop_ok, rounds);
	if (!h)
		return 2;
	void *(*inner)(void) = (void *(*)(void))dlsym(h, "ctor_inner");
	void *ih = inner ? inner() : NULL;
	long (*get)(int, const char *, char *, size_t) = NULL;
	if (ih)
		get = (long (*)(int, const char *, char *, size_t))dlsym(ih, "deep_get");
	if (!get) {
		fprintf(stderr, "no deep_get\n");
		return 2;
	}
	char resp[256];
	long n = get(atoi(argv[4]), argv[5], resp, sizeof resp);
	if (n < 0) {
		perror("deep_get");
		return 2;
	}
	resp[strcspn(resp, "\r\n")] = '\0';
	printf("%s (%ld bytes)\n", resp, n);
	return 0;
}
