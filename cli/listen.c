/* listen.c - the standing collector and its environment; see listen.h. */
#include "listen.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "collector.h"
#include "metrics.h"
#include "metrics_server.h"
#include "otlp_export.h"
#include "report.h"
#include "run.h"

/* A socket file left by a collector that died: nobody accepts on it. */
static bool stale_socket(const char *path)
{
	struct stat st;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool stale;
	int fd;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    strlen(path) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	stale = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		errno == ECONNREFUSED;
	close(fd);
	return stale;
}

/*
 * Whether a collector socket at @path is safe from other users: its
 * directory must not be writable by others unless the sticky bit keeps
 * them from replacing what is in it.  (The library also refuses a
 * collector of another user, but then the records are lost: better to say
 * so here.)  Returns NULL, or why not.
 */
static const char *unsafe_dir(const char *path, char *dir, size_t cap)
{
	struct stat st;
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(dir, cap, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= cap)
			n = cap - 1;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) < 0)
		return NULL; /* bind() says what is wrong */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return "other users can write there (and it is not sticky): "
		       "one could replace the socket; use a private directory";
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return "the directory belongs to another user";
	return NULL;
}

static void listen_usage(FILE *f)
{
	fputs("usage: httptrace listen -s PATH [-f text|json|events|har|summary|html|otlp]\n"
	      "                        [-o FILE] [-w FILE] [--otlp URL] [--metrics HOST:PORT]\n"
	      "\n"
	      "Collect the records of every program started with\n"
	      "  LD_PRELOAD=.../libhttptrace.so HTTPTRACE_SOCKET=PATH\n"
	      "(see 'httptrace env -s PATH') until SIGINT or SIGTERM.\n"
	      "-w FILE writes the raw records to a capture for 'httptrace read';\n"
	      "alone, without -f or -o, no report is written.\n"
	      "  --otlp URL          also send each request as spans to URL/v1/traces\n"
	      "                      (OTLP/HTTP JSON; \"default\": from OTEL_EXPORTER_OTLP_*)\n"
	      "  --metrics HOST:PORT serve Prometheus metrics on http://HOST:PORT/metrics\n"
	      "Exit status: 0, or 125 when the report or the capture could not be\n"
	      "written (the message says why) or the collector could not start.\n",
	      f);
}

int listen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "write", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "otlp", required_argument, NULL, 'O' },
		{ "metrics", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	static report rp; /* large: not on the stack */
	static cap_writer cw;
	static metrics mt;
	const char *otlp_url = NULL, *metrics_addr = NULL;
	otlp_config ocfg;
	metrics_server *msrv = NULL;
	enum report_format format = REPORT_TEXT;
	const char *sock = NULL, *output = NULL, *capture = NULL;
	bool format_given = false;
	run_out ro = { 0 };
	collector col;
	sigset_t set, old_mask;
	int c, err, sfd, ret = 0;
	FILE *out = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:f:o:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'f':
			if (report_format_parse(optarg, &format) < 0) {
				fprintf(stderr, "httptrace: unknown format '%s'\n",
					optarg);
				return RUN_EXIT_FAILURE;
			}
			format_given = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'w':
			capture = optarg;
			break;
		case 'O':
			otlp_url = optarg;
			break;
		case 'M':
			metrics_addr = optarg;
			break;
		case 'h':
			listen_usage(stdout);
			return 0;
		default:
			listen_usage(stderr);
			return RUN_EXIT_FAILURE;
		}
	}
	if (sock == NULL || optind != argc) {
		listen_usage(stderr);
		return RUN_EXIT_FAILURE;
	}
	{
		char dir[PATH_MAX];
		const char *why = unsafe_dir(sock, dir, sizeof(dir));

		if (why != NULL) {
			fprintf(stderr, "httptrace: will not listen on %s: %s "
				"(%s)\n", sock, why, dir);
			return RUN_EXIT_FAILURE;
		}
	}
	if (otlp_url != NULL && otlp_config_init(&ocfg, otlp_url, stderr) < 0)
		return RUN_EXIT_FAILURE;

	ro.capture = capture;
	ro.output = output;
	/* -w alone captures without reporting, as tcpdump -w does. */
	if (capture == NULL || format_given || output != NULL) {
		out = run_open_output(output, STDERR_FILENO);
		if (out == NULL) {
			fprintf(stderr, "httptrace: %s: %s\n",
				output ? output : "standard error",
				strerror(errno));
			if (otlp_url != NULL)
				otlp_config_free(&ocfg);
			return RUN_EXIT_FAILURE;
		}
		report_init(&rp, out, format,
			    format == REPORT_TEXT && getenv("NO_COLOR") == NULL &&
				    isatty(fileno(out)));
		if (output != NULL)
			report_own_output(&rp);
		ro.rp = &rp;
	}
	if (capture != NULL) {
		err = cap_writer_open(&cw, capture, ro.rp ? rp.mono_to_unix :
						  report_clock_offset());
		if (err < 0) {
			fprintf(stderr, "httptrace: %s: %s\n", capture,
				strerror(-err));
			if (ro.rp != NULL) {
				report_free(&rp);
				fclose(out);
			}
			if (otlp_url != NULL)
				otlp_config_free(&ocfg);
			return RUN_EXIT_FAILURE;
		}
		ro.cw = &cw;
	}

	/* Signals arrive on a signalfd the loop watches. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	signal(SIGPIPE, SIG_IGN);
	run_ignore_sigxfsz(NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	err = collector_init(&col, run_out_record, run_out_idle, &ro);
	run_out_attach(&ro, &col);
	if (err == 0 && stale_socket(sock))
		unlink(sock);
	if (err == 0)
		err = collector_listen(&col, sock);
	if (err == 0 && (sfd < 0 || collector_watch(&col, sfd) < 0))
		err = -errno;
	if (err < 0) {
		fprintf(stderr, "httptrace: cannot listen on %s: %s\n", sock,
			strerror(-err));
		ret = RUN_EXIT_FAILURE;
		goto out;
	}
	/* The exporters' threads start once the signals are blocked (the
	 * exporter takes the configuration over, even when it fails). */
	if (otlp_url != NULL) {
		otlp_url = NULL;
		ro.otlp = otlp_exporter_start(&ocfg);
		if (ro.otlp == NULL) {
			ret = RUN_EXIT_FAILURE;
			goto out;
		}
	}
	if (metrics_addr != NULL) {
		metrics_init(&mt);
		msrv = metrics_server_start(&mt, metrics_addr, stderr);
		if (msrv == NULL) {
			metrics_free(&mt);
			ret = RUN_EXIT_FAILURE;
			goto out;
		}
		ro.metrics = &mt;
	}

	for (;;) {
		struct signalfd_siginfo si;
		int r = collector_wait(&col, -1);

		if (r < 0) {
			fprintf(stderr, "httptrace: epoll: %s\n", strerror(-r));
			break;
		}
		if (r == 1 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			break; /* SIGINT, SIGTERM or SIGHUP: finish */
	}
	/* What has been sent is delivered; then the socket goes away. */
	collector_drain(&col);
	/* Processes still running lose what they send from now on: their
	 * pages are read before the summary counts what went unseen. */
	collector_end_peers(&col);
	/* The span queue is sent (within a bounded wait) once the intake is
	 * over. */
	if (ro.otlp != NULL) {
		otlp_stats st;

		otlp_exporter_stop(ro.otlp, &st);
		ro.otlp = NULL;
		otlp_stats_print(stderr, &st);
	}
	if (col.refused > 0)
		fprintf(stderr, "httptrace: refused %llu connection(s) from "
			"other users\n", (unsigned long long)col.refused);
	/* Output that could not be written is a failure, though the
	 * programs traced went on undisturbed. */
	if (run_out_finish(&ro, &col) < 0)
		ret = RUN_EXIT_FAILURE;
out:
	if (otlp_url != NULL)
		otlp_config_free(&ocfg); /* never started */
	if (ro.otlp != NULL) {
		otlp_stats st;

		otlp_exporter_stop(ro.otlp, &st);
	}
	if (msrv != NULL) {
		metrics_server_stop(msrv);
		metrics_free(&mt);
	}
	collector_close(&col);
	if (ro.cw != NULL) /* set up failed: end the capture empty */
		cap_writer_finish(ro.cw, 0, 0);
	if (ro.rp != NULL) {
		report_free(&rp);
		fclose(out);
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return ret;
}

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

#define ENV_USAGE                                                         \
	"usage: httptrace env -s PATH [--redact NAME]... "                \
	"[--redact-query NAME]... [--no-redact]\n"

int env_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "redact", required_argument, NULL, 'r' },
		{ "no-redact", no_argument, NULL, 'n' },
		{ "redact-query", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char lib[PATH_MAX], sock[PATH_MAX];
	char redact[1024] = "", redact_query[1024] = "";
	bool no_redact = false;
	const char *path = NULL;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'r':
			if (run_add_redact(redact, sizeof(redact), optarg) < 0) {
				fputs("httptrace: too many --redact names\n", stderr);
				return RUN_EXIT_FAILURE;
			}
			break;
		case 'q':
			if (run_add_redact(redact_query, sizeof(redact_query),
					   optarg) < 0) {
				fputs("httptrace: bad or too many --redact-query "
				      "names\n", stderr);
				return RUN_EXIT_FAILURE;
			}
			break;
		case 'n':
			no_redact = true;
			break;
		case 'h':
			fputs(ENV_USAGE, stdout);
			return 0;
		default:
			fputs(ENV_USAGE, stderr);
			return RUN_EXIT_FAILURE;
		}
	}
	if (path == NULL || optind != argc) {
		fputs(ENV_USAGE, stderr);
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
	if (no_redact) {
		fputs("export HTTPTRACE_NO_REDACT=1\n", stdout);
	} else {
		if (redact[0] != '\0') {
			fputs("export HTTPTRACE_REDACT=", stdout);
			put_quoted(redact);
			putchar('\n');
		}
		if (redact_query[0] != '\0') {
			fputs("export HTTPTRACE_REDACT_QUERY=", stdout);
			put_quoted(redact_query);
			putchar('\n');
		}
	}
	return fflush(stdout) == 0 ? 0 : RUN_EXIT_FAILURE;
}
