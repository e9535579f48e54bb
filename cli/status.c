/* status.c - the control socket of listen and its client; see status.h. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "inflight.h"
#include "options.h"
#include "outbuf.h"
#include "report.h"
#include "run.h"

#define ASK_TEXT "inflight text\n"
#define ASK_JSON "inflight json\n"

int status_ctl_path(char *buf, size_t cap, const char *sock)
{
	if ((size_t)snprintf(buf, cap, "%s" STATUS_CTL_SUFFIX, sock) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

/* Whether @path is a socket nobody accepts on (left by a collector that
 * died). */
static bool stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd;
	bool dead;

	if (lstat(sa->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	dead = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
	       errno == ECONNREFUSED;
	close(fd);
	return dead;
}

int status_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, err = fill_addr(&sa, path);

	if (err < 0)
		return err;
	if (stale(&sa))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		unlink(path);
		close(fd);
		return err;
	}
	return fd;
}

/* Whether the process at the other end of @fd runs as our user. */
static bool same_user(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == geteuid();
}

/* Read the question on @fd (one line) and answer it. */
static void answer(int fd, const collector *c, int64_t mono_to_unix)
{
	struct timeval tv = { .tv_sec = 1 };
	char ask[64];
	size_t len = 0;
	struct timespec ts;
	inflight_list l = { 0 };
	outbuf b;
	bool json;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(ask) - 1 && memchr(ask, '\n', len) == NULL) {
		ssize_t r = recv(fd, ask + len, sizeof(ask) - 1 - len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		len += (size_t)r;
	}
	ask[len] = '\0';
	if (strcmp(ask, ASK_JSON) == 0) {
		json = true;
	} else if (strcmp(ask, ASK_TEXT) == 0) {
		json = false;
	} else {
		static const char what[] = "error: ask \"" "inflight text\" or "
					   "\"inflight json\"\n";

		send_all(fd, what, sizeof(what) - 1);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	inflight_take(&l, c, (uint64_t)ts.tv_sec * 1000000000ull +
				     (uint64_t)ts.tv_nsec);
	outbuf_init_grow(&b);
	if (json)
		inflight_json(&b, &l, mono_to_unix);
	else
		inflight_text(&b, &l);
	if (outbuf_error(&b) == 0)
		send_all(fd, outbuf_str(&b), outbuf_len(&b));
	outbuf_free(&b);
	inflight_free(&l);
}

void status_serve(int fd, const collector *c, int64_t mono_to_unix)
{
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN: none left; EMFILE: next time */
		}
		if (same_user(cfd))
			answer(cfd, c, mono_to_unix);
		shutdown(cfd, SHUT_WR);
		close(cfd);
	}
}

static const cli_command status_cmd = {
	.prog = "httptrace status",
	.set = CLI_OPT_SOCKET | CLI_OPT_FORMAT,
	.in_order = true,
	.synopsis =
	"usage: httptrace status -s PATH [-f text|json]\n"
	"\n"
	"Show the requests in flight now in the programs a running\n"
	"'httptrace listen -s PATH' traces (method, URL, phase, elapsed time),\n"
	"asked through its control socket PATH.ctl.  Only text and json.\n",
	.trailer =
	"Exit status: 0, or 125 when no listen answers at PATH.\n",
};

int status_main(int argc, char **argv)
{
	cli_opts co;
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path) + 8];
	const char *ask;
	char buf[65536];
	size_t got = 0;
	int r = cli_parse(&status_cmd, argc, argv, &co), fd;

	if (r != CLI_PARSE_GO_ON)
		return r == CLI_PARSE_DONE ? 0 : RUN_EXIT_FAILURE;
	if (co.socket == NULL || optind != argc ||
	    (co.format != REPORT_TEXT && co.format != REPORT_JSON)) {
		fputs(co.socket == NULL ?
			      "httptrace: status: no socket given (-s PATH)\n" :
		      optind != argc ? "httptrace: status: takes no operands\n" :
			      "httptrace: status: -f text or -f json only\n",
		      stderr);
		cli_usage(&status_cmd, stderr);
		return RUN_EXIT_FAILURE;
	}
	if (status_ctl_path(path, sizeof(path), co.socket) < 0 ||
	    fill_addr(&sa, path) < 0) {
		fprintf(stderr, "httptrace: status: %s: path too long\n",
			co.socket);
		return RUN_EXIT_FAILURE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "httptrace: status: no listen answers at %s "
			"(%s: %s)\n", co.socket, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return RUN_EXIT_FAILURE;
	}
	ask = co.format == REPORT_JSON ? ASK_JSON : ASK_TEXT;
	send_all(fd, ask, strlen(ask));
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
		got += (size_t)n;
	}
	close(fd);
	if (got == 0) {
		fprintf(stderr, "httptrace: status: %s gave no answer\n", path);
		return RUN_EXIT_FAILURE;
	}
	return fflush(stdout) == 0 ? 0 : RUN_EXIT_FAILURE;
}
