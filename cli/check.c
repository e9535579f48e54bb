/*
 * check.c - the "check" command: "httptrace check FILE..." (check_main())
 * and the warning "httptrace COMMAND" prints for a program LD_PRELOAD
 * cannot reach (check_warn_command()).  The analysis is in cli/check/
 * (check_elf.h); this file only runs it and chooses the exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_elf.h"

static void check_usage(FILE *f)
{
	fputs("usage: httptrace check FILE...\n"
	      "\n"
	      "Say whether httptrace can trace each program FILE (a path, or a\n"
	      "command name looked up in PATH), and why: dynamically or statically\n"
	      "linked, Go, setuid/setgid, its TLS libraries, the interposed\n"
	      "functions it imports.\n"
	      "\n"
	      "Exit status: 0 all traceable, 1 one is not, 2 an error (a missing\n"
	      "or unreadable file, not an ELF file).\n", f);
}

int check_main(int argc, char **argv)
{
	check_opts o;
	check_result *r;
	int i = 1, status = 0;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		check_usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		i++;
	else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
		fprintf(stderr, "httptrace check: unknown option '%s'\n", argv[1]);
		check_usage(stderr);
		return 2;
	}
	if (i >= argc) {
		fputs("httptrace check: no FILE given\n", stderr);
		check_usage(stderr);
		return 2;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		fputs("httptrace check: out of memory\n", stderr);
		return 2;
	}
	check_default_opts(&o);
	for (; i < argc; i++) {
		char path[CHECK_PATH_MAX];
		const char *file = argv[i];
		struct stat st;

		/* "check curl": a name that is not a file here is a command. */
		if (strchr(file, '/') == NULL && stat(file, &st) < 0 &&
		    check_find_command(file, o.path_env, path, sizeof(path)) == 0)
			file = path;
		switch (check_file(file, &o, r)) {
		case CHECK_TRACEABLE:
			break;
		case CHECK_NO_CALLS:
		case CHECK_BLOCKED:
			if (status < 1)
				status = 1;
			break;
		case CHECK_ERROR:
			status = 2;
			break;
		}
		if (r->verdict == CHECK_ERROR) {
			fflush(stdout);
			fputs("httptrace: ", stderr);
			check_print(stderr, file, r);
		} else {
			check_print(stdout, file, r);
		}
	}
	free(r);
	return status;
}

bool check_warn_command(FILE *err, const char *name, char *why, size_t cap)
{
	char path[CHECK_PATH_MAX];
	check_opts o;
	check_result *r;
	bool blocked;

	if (cap > 0)
		why[0] = '\0';
	check_default_opts(&o);
	if (check_find_command(name, o.path_env, path, sizeof(path)) < 0)
		return false;
	r = malloc(sizeof(*r));
	if (r == NULL)
		return false;
	blocked = check_file(path, &o, r) == CHECK_BLOCKED;
	if (blocked) {
		snprintf(why, cap, "%s: %s", name, r->reason);
		if (strcmp(name, path) == 0)
			fprintf(err, "httptrace: warning: %s: %s; tracing will "
				"not see its traffic\n", name, r->reason);
		else
			fprintf(err, "httptrace: warning: %s (%s): %s; tracing "
				"will not see its traffic\n", name, path,
				r->reason);
	}
	free(r);
	return blocked;
}
