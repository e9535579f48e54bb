/* options.c - the commands' shared option table and parser; see options.h. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "run.h"

#ifndef HTTPTRACE_VERSION
#define HTTPTRACE_VERSION "0.1.0"
#endif

/* Keys of the options that have no short form (getopt returns them). */
enum {
	KEY_REDACT = 256,
	KEY_REDACT_QUERY,
	KEY_NO_REDACT,
	KEY_OTLP,
	KEY_METRICS,
	KEY_VERSION,
};

/* Every option of every command, in the order the help lists them. */
static const struct cli_option {
	unsigned set;     /* the CLI_OPT_* group; 0: every command */
	const char *name; /* long name */
	int has_arg;      /* no_argument or required_argument */
	int key;          /* its short letter, or a KEY_* */
	const char *help; /* its lines in the help, each ending in \n */
} options[] = {
	{ CLI_OPT_SOCKET, "socket", required_argument, 's',
	  "  -s, --socket PATH  the collector's socket: 'listen' makes it, 'env'\n"
	  "                     points the programs at it, 'status' asks it\n" },
	{ CLI_OPT_FORMAT, "format", required_argument, 'f',
	  "  -f, --format FMT   text (default): a waterfall per request and a summary\n"
	  "                     json: one JSON object per request (JSON Lines)\n"
	  "                     events: one JSON object per lifecycle event\n"
	  "                     har: one HAR 1.2 file at the end (browser dev tools)\n"
	  "                     summary: only the summary at the end\n"
	  "                     html: one self-contained waterfall page at the end\n"
	  "                     otlp: OpenTelemetry spans, one OTLP/JSON request a line\n" },
	{ CLI_OPT_OUTPUT, "output", required_argument, 'o',
	  "  -o, --output FILE  write the report to FILE (default: standard error;\n"
	  "                     for 'read', standard output)\n" },
	{ CLI_OPT_WRITE, "write", required_argument, 'w',
	  "  -w, --write FILE   write the raw records to the capture FILE, for\n"
	  "                     'httptrace read FILE' to report later; alone, no\n"
	  "                     report is written (add -f or -o for one as well)\n" },
	{ CLI_OPT_REDACT, "redact", required_argument, KEY_REDACT,
	  "      --redact NAME  also hide the values of header NAME (the values of\n"
	  "                     Authorization, Proxy-Authorization, Cookie and\n"
	  "                     Set-Cookie are always hidden)\n" },
	{ CLI_OPT_REDACT, "redact-query", required_argument, KEY_REDACT_QUERY,
	  "      --redact-query NAME  also hide the values of query parameter NAME\n"
	  "                     in URLs (any case; user:password@ in URLs and the\n"
	  "                     values of AWSAccessKeyId, Signature, sig,\n"
	  "                     X-Goog-Signature, access_token, token, api_key,\n"
	  "                     apikey, key, password and secret always are)\n" },
	{ CLI_OPT_REDACT, "no-redact", no_argument, KEY_NO_REDACT,
	  "      --no-redact    hide nothing: no header values, no URL credentials\n" },
	{ CLI_OPT_OTLP, "otlp", required_argument, KEY_OTLP,
	  "      --otlp URL     also send each request as OpenTelemetry spans to\n"
	  "                     URL/v1/traces (OTLP/HTTP JSON); \"default\": the\n"
	  "                     OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT variables\n" },
	{ CLI_OPT_METRICS, "metrics", required_argument, KEY_METRICS,
	  "      --metrics HOST:PORT  serve Prometheus metrics on\n"
	  "                     http://HOST:PORT/metrics\n" },
	{ 0, "help", no_argument, 'h',
	  "  -h, --help         show this help\n" },
	{ CLI_OPT_VERSION, "version", no_argument, KEY_VERSION,
	  "      --version      show the version\n" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static bool takes(const cli_command *cmd, const struct cli_option *opt)
{
	return opt->set == 0 || (cmd->set & opt->set) != 0;
}

void cli_usage(const cli_command *cmd, FILE *f)
{
	fputs(cmd->synopsis, f);
	fputs("\n", f);
	for (size_t i = 0; i < NOPTIONS; i++)
		if (takes(cmd, &options[i]))
			fputs(options[i].help, f);
	if (cmd->trailer != NULL) {
		fputs("\n", f);
		fputs(cmd->trailer, f);
	}
}

/* Append header or query parameter name @name to the comma-separated
 * list in @buf (capacity @cap) that becomes HTTPTRACE_REDACT or
 * HTTPTRACE_REDACT_QUERY.  Returns 0, or -ENOSPC when it does not fit,
 * -EINVAL for an empty name or one with a comma, space or control
 * character. */
static int append_name(char *buf, size_t cap, const char *name)
{
	size_t used = strlen(buf), len = strlen(name);

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == ',' || (unsigned char)name[i] <= ' ')
			return -EINVAL;
	if (used + (used ? 1 : 0) + len + 1 > cap)
		return -ENOSPC;
	if (used)
		buf[used++] = ',';
	memcpy(buf + used, name, len + 1);
	return 0;
}

/* Add @name to the comma-separated list @buf of --@opt names. */
static int add_name(char *buf, size_t cap, const char *opt, const char *name)
{
	if (append_name(buf, cap, name) == 0)
		return 0;
	fprintf(stderr, "httptrace: bad or too many --%s names: '%s'\n", opt,
		name);
	return -1;
}

/* Take option @key with argument @arg (NULL when it has none) into @o. */
static int take(int key, const char *arg, cli_opts *o)
{
	switch (key) {
	case 's':
		o->socket = arg;
		return 0;
	case 'f':
		if (report_format_parse(arg, &o->format) < 0) {
			fprintf(stderr, "httptrace: unknown format '%s' "
				"(text, json, events, har, summary, html, otlp)\n",
				arg);
			return -1;
		}
		o->format_given = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'w':
		o->capture = arg;
		return 0;
	case KEY_REDACT:
		return add_name(o->redact, sizeof(o->redact), "redact", arg);
	case KEY_REDACT_QUERY:
		return add_name(o->redact_query, sizeof(o->redact_query),
				"redact-query", arg);
	case KEY_NO_REDACT:
		o->no_redact = true;
		return 0;
	case KEY_OTLP:
		o->otlp = arg;
		return 0;
	case KEY_METRICS:
		o->metrics = arg;
		return 0;
	}
	return -1; /* '?': getopt said what was wrong */
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_opts *o)
{
	struct option longopts[NOPTIONS + 1];
	char shortopts[2 * NOPTIONS + 2];
	size_t nlong = 0, nshort = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->format = REPORT_TEXT;
	if (cmd->in_order)
		shortopts[nshort++] = '+';
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct cli_option *opt = &options[i];

		if (!takes(cmd, opt))
			continue;
		longopts[nlong++] = (struct option){ opt->name, opt->has_arg,
						     NULL, opt->key };
		if (opt->key < 256) {
			shortopts[nshort++] = (char)opt->key;
			if (opt->has_arg == required_argument)
				shortopts[nshort++] = ':';
		}
	}
	longopts[nlong] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[nshort] = '\0';

	argv[0] = (char *)cmd->prog;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(cmd, stdout);
			return CLI_PARSE_DONE;
		}
		if (c == KEY_VERSION) {
			printf("httptrace %s\n", HTTPTRACE_VERSION);
			return CLI_PARSE_DONE;
		}
		if (take(c, optarg, o) < 0) {
			if (c == '?')
				cli_usage(cmd, stderr);
			return CLI_PARSE_FAILED;
		}
	}
	return CLI_PARSE_GO_ON;
}
