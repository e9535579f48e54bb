/* env.c - "httptrace env": the environment of a traced program; see env.h. */
#include "env.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "run.h"

/* Print @s single-quoted for a POSIX shell. */
static void put_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

static const cli_command env_cmd = {
	.prog = "httptrace env",
	.set = CLI_OPT_SOCKET | CLI_OPT_REDACT,
	.in_order = true,
	.synopsis =
	"usage: httptrace env -s PATH [--redact NAME]... "
	"[--redact-query NAME]... [--no-redact]\n"
	"\n"
	"Print the shell lines that make a program report to the collector\n"
	"'httptrace listen -s PATH' runs: eval \"$(httptrace env -s PATH)\"\n",
	.trailer = NULL,
};

int env_main(int argc, char **argv)
{
	static cli_opts co; /* its name lists are large */
	char lib[PATH_MAX], sock[PATH_MAX];
	const char *path;
	int err;

	err = cli_parse(&env_cmd, argc, argv, &co);
	if (err != CLI_PARSE_GO_ON)
		return err == CLI_PARSE_DONE ? 0 : RUN_EXIT_FAILURE;
	path = co.socket;
	if (path == NULL || optind != argc) {
		fputs(path == NULL ? "httptrace: env: no socket given (-s PATH)\n"
				   : "httptrace: env: takes no operands\n",
		      stderr);
		cli_usage(&env_cmd, stderr);
		return RUN_EXIT_FAILURE;
	}
	err = run_find_library(lib, sizeof(lib));
	if (err < 0) {
		fprintf(stderr, "httptrace: cannot use the preload library %s: %s\n",
			lib, strerror(-err));
		return RUN_EXIT_FAILURE;
	}
	/* The socket path the programs get must not depend on their cwd. */
	if (path[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    (size_t)snprintf(sock, sizeof(sock), "%s/%s", cwd, path) >=
			    sizeof(sock)) {
			fprintf(stderr, "httptrace: %s: path too long\n", path);
			return RUN_EXIT_FAILURE;
		}
	} else {
		snprintf(sock, sizeof(sock), "%s", path);
	}

	fputs("export LD_PRELOAD=", stdout);
	put_quoted(lib);
	fputs("\"${LD_PRELOAD:+ $LD_PRELOAD}\"\n", stdout);
	fputs("export HTTPTRACE_SOCKET=", stdout);
	put_quoted(sock);
	putchar('\n');
	if (co.no_redact) {
		fputs("export HTTPTRACE_NO_REDACT=1\n", stdout);
	} else {
		if (co.redact[0] != '\0') {
			fputs("export HTTPTRACE_REDACT=", stdout);
			put_quoted(co.redact);
			putchar('\n');
		}
		if (co.redact_query[0] != '\0') {
			fputs("export HTTPTRACE_REDACT_QUERY=", stdout);
			put_quoted(co.redact_query);
			putchar('\n');
		}
	}
	return fflush(stdout) == 0 ? 0 : RUN_EXIT_FAILURE;
}
