/*
 * main.c - httptrace's command line: which command to run.
 *
 *   httptrace [OPTION]... [--] COMMAND [ARG...]   (run.c)
 *   httptrace listen|env|read|check ...           (listen.c, env.c, read.c,
 *                                                  check/)
 *
 * Subcommands are recognized only as the first argument, from the table
 * below; anything else is a command to run, and "--" runs a program whose
 * name collides with a subcommand.  The options the commands share are
 * read by one parser (options.c).
 */
#include <string.h>

#include "check_elf.h"
#include "env.h"
#include "listen.h"
#include "read.h"
#include "run.h"

/* Subcommands by name. */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
	{ "listen", listen_main },
	{ "env", env_main },
	{ "check", check_main },
	{ "read", read_main },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (size_t i = 0; subcommands[i].name != NULL; i++)
			if (strcmp(argv[1], subcommands[i].name) == 0)
				return subcommands[i].fn(argc - 1, argv + 1);
	}
	return run_main(argc, argv);
}
