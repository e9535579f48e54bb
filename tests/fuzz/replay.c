/*
 * replay.c - main() for a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on each file named, or on each regular file
 * of each directory named, so that `make check` replays the seed corpora
 * and the inputs that once crashed with the project's own compiler (and
 * sanitizers, with SANITIZE=1), no clang fuzzer runtime needed.
 *
 * Exit status 0 when every input ran (a broken invariant aborts), 1 when a
 * file could not be read, 2 on bad usage.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned long n_inputs;
static const char *current; /* the input being run, for a crash report */

/* Under a sanitizer: called before it ends the process. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
	__attribute__((weak));

/* Name the input that crashed (async-signal-safe: write only). */
static void say_current(void)
{
	static const char pre[] = "replay: crashed on input ";

	if (current == NULL)
		return;
	if (write(2, pre, sizeof(pre) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		return;
}

static void on_fatal_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read @path whole and run the target on it; 0, or -1 when unreadable. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap);
			if (p == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* A copy of exactly @len bytes, so ASan sees any read past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	current = path;
	LLVMFuzzerTestOneInput(exact, len);
	current = NULL;
	free(exact);
	n_inputs++;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of directory @dir, in name order. */
static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p;

			cap = cap ? cap * 2 : 64;
			p = realloc(names, cap * sizeof(*names));
			if (p == NULL) {
				rc = -1;
				break;
			}
			names = p;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(len);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(names[i]) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	/* A broken invariant aborts; ASan and UBSan end the process their
	 * own way: either way, say which input it was. */
	signal(SIGABRT, on_fatal_signal);
	signal(SIGSEGV, on_fatal_signal);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_current);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		if ((S_ISDIR(st.st_mode) ? replay_dir(argv[i])
					 : replay_file(argv[i])) != 0)
			rc = 1;
	}
	printf("%s: %lu inputs replayed\n", argv[0], n_inputs);
	return rc;
}
