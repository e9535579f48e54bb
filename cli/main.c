/*
 * main.c - httptrace's command line: options and subcommands.
 *
 *   httptrace [-f FORMAT] [-o FILE] [-w FILE] [--] COMMAND [ARG...]
 *
 * Subcommands (listen, env, check, read) are recognized only as the first
 * argument, from the table below; anything else is a command to run, and
 * "--" runs a program whose name collides with a subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen.h"
#include "check_elf.h"
#include "read.h"
#include "report.h"
#include "run.h"

#ifndef HTTPTRACE_VERSION
#define HTTPTRACE_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fputs("usage: httptrace [-f text|json|events|har|summary|html|otlp]\n"
	      "                 [-o FILE] [-w FILE] [--otlp URL]"
	      " [--redact NAME]...\n"
	      "                 [--redact-query NAME]... [--no-redact] [--] COMMAND [ARG...]\n"
	      "       httptrace listen -s PATH [-f FORMAT] [-o FILE] [-w FILE] [--otlp URL]\n"
	      "                 [--metrics HOST:PORT]\n"
	      "       httptrace env -s PATH [--redact NAME]... [--redact-query NAME]...\n"
	      "                 [--no-redact]\n"
	      "       httptrace check FILE...\n"
	      "       httptrace read [-f FORMAT] [-o FILE] [FILE|-]\n"
	      "\n"
	      "Run COMMAND and trace the HTTP requests of it and every process it\n"
	      "starts: DNS, connect, TLS, send, wait, receive, connection reuse.\n"
	      "\n"
	      "  -f, --format FMT   text (default): a waterfall per request and a summary\n"
	      "                     json: one JSON object per request (JSON Lines)\n"
	      "                     events: one JSON object per lifecycle event\n"
	      "                     har: one HAR 1.2 file at the end (browser dev tools)\n"
	      "                     summary: only the summary at the end\n"
	      "                     html: one self-contained waterfall page at the end\n"
	      "                     otlp: OpenTelemetry spans, one OTLP/JSON request a line\n"
	      "  -o, --output FILE  write the report to FILE (default: standard error)\n"
	      "  -w, --write FILE   write the raw records to the capture FILE, for\n"
	      "                     'httptrace read FILE' to report later; alone, no\n"
	      "                     report is written (add -f or -o for one as well)\n"
	      "      --redact NAME  also hide the values of header NAME (the values of\n"
	      "                     Authorization, Proxy-Authorization, Cookie and\n"
	      "                     Set-Cookie are always hidden)\n"
	      "      --redact-query NAME  also hide the values of query parameter NAME\n"
	      "                     in URLs (any case; user:password@ in URLs and the\n"
	      "                     values of AWSAccessKeyId, Signature, sig,\n"
	      "                     X-Goog-Signature, access_token, token, api_key,\n"
	      "                     apikey, key, password and secret always are)\n"
	      "      --no-redact    hide nothing: no header values, no URL credentials\n"
	      "      --otlp URL     also send each request as OpenTelemetry spans to\n"
	      "                     URL/v1/traces (OTLP/HTTP JSON); \"default\": the\n"
	      "                     OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT variables\n"
	      "  -h, --help         show this help\n"
	      "      --version      show the version\n"
	      "\n"
	      "The exit status is COMMAND's (128+N if signal N killed it, 127 if it\n"
	      "could not be run, 125 if tracing could not be set up, or if COMMAND\n"
	      "exited 0 but the report or capture could not be written).  See\n"
	      "httptrace(1).\n",
	      f);
}

/* The run mode: options, then the command. */
static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "write", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "redact", required_argument, NULL, 'r' },
		{ "no-redact", no_argument, NULL, 'n' },
		{ "redact-query", required_argument, NULL, 'q' },
		{ "otlp", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	static char redact[1024], redact_query[1024];
	run_opts o = { .format = REPORT_TEXT, .redact = redact,
		       .redact_query = redact_query };
	bool format_given = false;
	int c;

	/* "+": stop at the first non-option, which starts the command. */
	while ((c = getopt_long(argc, argv, "+f:o:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (report_format_parse(optarg, &o.format) < 0) {
				fprintf(stderr, "httptrace: unknown format '%s' "
					"(text, json, events, har, summary, html, otlp)\n",
					optarg);
				return RUN_EXIT_FAILURE;
			}
			format_given = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'w':
			o.capture = optarg;
			break;
		case 'r':
			if (run_add_redact(redact, sizeof(redact), optarg) < 0) {
				fprintf(stderr, "httptrace: bad or too many "
					"--redact names: '%s'\n", optarg);
				return RUN_EXIT_FAILURE;
			}
			break;
		case 'q':
			if (run_add_redact(redact_query, sizeof(redact_query),
					   optarg) < 0) {
				fprintf(stderr, "httptrace: bad or too many "
					"--redact-query names: '%s'\n", optarg);
				return RUN_EXIT_FAILURE;
			}
			break;
		case 'n':
			o.no_redact = true;
			break;
		case 'O':
			o.otlp = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("httptrace %s\n", HTTPTRACE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return RUN_EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		fputs("httptrace: no command given\n", stderr);
		usage(stderr);
		return RUN_EXIT_FAILURE;
	}
	o.argv = argv + optind;
	/* -w alone captures without reporting, as tcpdump -w does. */
	o.no_report = o.capture != NULL && !format_given && o.output == NULL;
	return run_command(&o);
}

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
	return cmd_run(argc, argv);
}
