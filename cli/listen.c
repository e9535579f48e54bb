/* listen.c - the standing collector; see listen.h. */
#include "listen.h"

#include <errno.h>
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
#include "liveview.h"
#include "metrics.h"
#include "metrics_server.h"
#include "options.h"
#include "otlp_export.h"
#include "report.h"
#include "run.h"
#include "status.h"

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

static const cli_command listen_cmd = {
	.prog = "httptrace listen",
	.set = CLI_OPT_SOCKET | CLI_OPT_FORMAT | CLI_OPT_OUTPUT |
	       CLI_OPT_WRITE | CLI_OPT_OTLP | CLI_OPT_METRICS,
	.in_order = true,
	.synopsis =
	"usage: httptrace listen -s PATH [-f text|json|events|har|summary|html|otlp]\n"
	"                        [-o FILE] [-w FILE] [--otlp URL] [--metrics HOST:PORT]\n"
	"\n"
	"Collect the records of every program started with\n"
	"  LD_PRELOAD=.../libhttptrace.so HTTPTRACE_SOCKET=PATH\n"
	"(see 'httptrace env -s PATH') until SIGINT or SIGTERM.\n",
	.trailer =
	"Exit status: 0, or 125 when the report or the capture could not be\n"
	"written (the message says why) or the collector could not start.\n",
};

int listen_main(int argc, char **argv)
{
	static report rp; /* large: not on the stack */
	static cap_writer cw;
	static metrics mt;
	static cli_opts co; /* its name lists are large too */
	const char *otlp_url, *metrics_addr;
	otlp_config ocfg;
	metrics_server *msrv = NULL;
	enum report_format format;
	const char *sock, *output, *capture;
	static liveview lv;
	run_out ro = { 0 };
	collector col;
	char ctl_path[PATH_MAX + sizeof(STATUS_CTL_SUFFIX)];
	int ctl_fd = -1;
	int64_t mono_to_unix = report_clock_offset();
	sigset_t set, old_mask;
	int err, sfd, ret = 0;
	FILE *out = NULL;

	err = cli_parse(&listen_cmd, argc, argv, &co);
	if (err != CLI_PARSE_GO_ON)
		return err == CLI_PARSE_DONE ? 0 : RUN_EXIT_FAILURE;
	sock = co.socket;
	format = co.format;
	output = co.output;
	capture = co.capture;
	otlp_url = co.otlp;
	metrics_addr = co.metrics;
	if (sock == NULL || optind != argc) {
		fputs(sock == NULL ? "httptrace: listen: no socket given (-s PATH)\n"
				   : "httptrace: listen: takes no operands\n",
		      stderr);
		cli_usage(&listen_cmd, stderr);
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
	if (capture == NULL || co.format_given || output != NULL) {
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
		if (liveview_wanted(out, format)) {
			liveview_init(&lv, fileno(out), &col, rp.color);
			ro.live = &lv;
		}
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
	run_out_attach(&ro, &col, otlp_url != NULL);
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
	/* `httptrace status -s PATH` asks PATH.ctl (status.h). */
	err = status_ctl_path(ctl_path, sizeof(ctl_path), sock);
	if (err == 0)
		err = ctl_fd = status_listen(ctl_path);
	if (err >= 0 && collector_watch(&col, ctl_fd) < 0)
		err = -errno;
	if (err < 0) {
		fprintf(stderr, "httptrace: cannot listen on %s%s: %s\n", sock,
			STATUS_CTL_SUFFIX, strerror(-err));
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
		/* /inflight is answered here, by the collector's thread */
		if (collector_watch(&col, metrics_server_inflight_fd(msrv)) < 0) {
			fprintf(stderr, "httptrace: epoll: %s\n", strerror(errno));
			ret = RUN_EXIT_FAILURE;
			goto out;
		}
		ro.metrics = &mt;
	}

	for (;;) {
		struct signalfd_siginfo si;
		int r = collector_wait(&col, ro.live != NULL ?
					 LIVEVIEW_TICK_MS : -1);

		if (r < 0) {
			fprintf(stderr, "httptrace: epoll: %s\n", strerror(-r));
			break;
		}
		if (r != 1)
			continue;
		if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			break; /* SIGINT, SIGTERM or SIGHUP: finish */
		/* a question on the control socket or at /inflight */
		status_serve(ctl_fd, &col, mono_to_unix);
		if (msrv != NULL)
			metrics_server_inflight(msrv, &col, mono_to_unix);
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
		fprintf(stderr, "httptrace: refused %llu process(es) of "
			"other users\n", (unsigned long long)col.refused);
	if (col.refused_no_room > 0)
		fprintf(stderr, "httptrace: refused %llu process(es) for want "
			"of room (memory, fds, or fs.epoll.max_user_watches): "
			"what they sent then is lost\n",
			(unsigned long long)col.refused_no_room);
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
	if (ctl_fd >= 0) {
		close(ctl_fd);
		unlink(ctl_path);
	}
	collector_close(&col);
	run_out_discard(&ro); /* set up failed: the joiner's memory */
	if (ro.live != NULL) /* set up failed: nothing drawn */
		liveview_end(ro.live);
	if (ro.cw != NULL) /* set up failed: end the capture empty */
		cap_writer_finish(ro.cw, 0, 0, 0);
	if (ro.rp != NULL) {
		report_free(&rp);
		fclose(out);
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return ret;
}
