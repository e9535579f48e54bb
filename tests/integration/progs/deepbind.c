/*
 * deepbind.c - dlopen a shared object RTLD_DEEPBIND (PHP loads its
 * extensions so) and GET a URL through it (deepbind_lib.c).
 *
 *     deepbind LIB now|lazy|plain PORT PATH
 *
 * now: RTLD_NOW | RTLD_DEEPBIND; lazy: RTLD_LAZY | RTLD_DEEPBIND; plain:
 * RTLD_NOW alone.  LIB is passed to dlopen as given: a bare name is looked
 * up along this program's RUNPATH.
 * Prints the response's status line and size, and what dlopen left for
 * dlerror() and errno to see, so that a traced run can be compared with
 * an untraced one.  Exit status 0, or 2 on a failure.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: deepbind LIB now|lazy|plain PORT PATH\n");
		return 2;
	}
	int mode = RTLD_NOW | RTLD_DEEPBIND;
	if (strcmp(argv[2], "lazy") == 0)
		mode = RTLD_LAZY | RTLD_DEEPBIND;
	else if (strcmp(argv[2], "plain") == 0)
		mode = RTLD_NOW;
	dlerror();
	errno = 12345;
	void *h = dlopen(argv[1], mode);
	int err = errno;
	const char *derr = dlerror();
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", derr ? derr : "?");
		return 2;
	}
	printf("dlopen: errno %s, dlerror %s\n", err == 12345 ? "kept" : "changed",
	       derr ? derr : "none");
	long (*get)(int, const char *, char *, size_t) =
		(long (*)(int, const char *, char *, size_t))dlsym(h, "deep_get");
	if (!get) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 2;
	}
	char resp[256];
	long n = get(atoi(argv[3]), argv[4], resp, sizeof resp);
	if (n < 0) {
		perror("deep_get");
		return 2;
	}
	resp[strcspn(resp, "\r\n")] = '\0';
	printf("%s (%ld bytes)\n", resp, n);
	return 0;
}
