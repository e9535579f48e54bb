/*
 * options.h - the options the commands share (run, listen, env, read):
 * one table, one parser, one help text per option, so that an option
 * means, says and fails the same in every command that takes it.
 *
 * A command describes itself with a cli_command (its name for messages,
 * which options it takes, the text around the option lines of its help)
 * and calls cli_parse(); what it was given lands in a cli_opts.
 */
#ifndef HT_OPTIONS_H
#define HT_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* The option groups a command can take (cli_command.set). */
enum {
	CLI_OPT_SOCKET = 1u << 0,  /* -s, --socket PATH */
	CLI_OPT_FORMAT = 1u << 1,  /* -f, --format FMT */
	CLI_OPT_OUTPUT = 1u << 2,  /* -o, --output FILE */
	CLI_OPT_WRITE = 1u << 3,   /* -w, --write FILE */
	CLI_OPT_REDACT = 1u << 4,  /* --redact, --redact-query, --no-redact */
	CLI_OPT_OTLP = 1u << 5,    /* --otlp URL */
	CLI_OPT_METRICS = 1u << 6, /* --metrics HOST:PORT */
	CLI_OPT_VERSION = 1u << 7, /* --version */
};

/* A command, as its help and its messages present it. */
typedef struct cli_command {
	const char *prog;     /* "httptrace listen": getopt's messages say it */
	unsigned set;         /* CLI_OPT_* it takes; -h, --help always */
	bool in_order;        /* options end at the first operand ("+") */
	const char *synopsis; /* help text before the option lines */
	const char *trailer;  /* help text after them, or NULL */
} cli_command;

/* What the options said; zeroed (format text) before parsing. */
typedef struct cli_opts {
	enum report_format format;
	bool format_given;   /* -f was given (-w alone writes no report) */
	const char *socket;  /* -s, or NULL */
	const char *output;  /* -o, or NULL */
	const char *capture; /* -w, or NULL */
	const char *otlp;    /* --otlp, or NULL */
	const char *metrics; /* --metrics, or NULL */
	char redact[1024];       /* --redact names, comma-separated */
	char redact_query[1024]; /* --redact-query names, comma-separated */
	bool no_redact;
} cli_opts;

/* cli_parse() results. */
#define CLI_PARSE_GO_ON 0 /* options read: operands start at optind */
#define CLI_PARSE_DONE 1  /* --help or --version printed: exit with success */
#define CLI_PARSE_FAILED (-1) /* a message and the usage were printed */

/*
 * cli_parse() - read the options @cmd takes from @argv (argv[0] is the
 * command's name, replaced by @cmd->prog for getopt's messages) into @o,
 * which it clears first.  Leaves optind at the first operand.  Returns
 * CLI_PARSE_GO_ON; CLI_PARSE_DONE after writing the help (or the version)
 * on standard output; CLI_PARSE_FAILED after writing what was wrong and
 * the usage on standard error.  Every message is the same whichever
 * command takes the option.
 */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_opts *o);

/*
 * cli_usage() - write @cmd's help to @f: its synopsis, one line (or a few)
 * per option it takes, then its trailer.
 */
void cli_usage(const cli_command *cmd, FILE *f);

#endif
