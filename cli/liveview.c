/* liveview.c - the requests in flight on the terminal; see liveview.h. */
#include "liveview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define ERASE_DOWN "\033[J"  /* from the cursor to the end of the screen */
#define SAVE_CURSOR "\0337"
#define RESTORE_CURSOR "\0338"
#define INDEX "\033D"        /* down a line, scrolling at the bottom */
#define DIM "\033[2m"
#define RESET "\033[0m"

bool liveview_wanted(FILE *out, enum report_format format)
{
	const char *term = getenv("TERM");

	return format == REPORT_TEXT && term != NULL && term[0] != '\0' &&
	       strcmp(term, "dumb") != 0 && isatty(fileno(out));
}

void liveview_init(liveview *v, int fd, const collector *c, bool color)
{
	memset(v, 0, sizeof(*v));
	v->fd = fd;
	v->col = c;
	v->color = color;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Write all of @p; a terminal that fails is given up on (the report's
 * own writes say so). */
static void put_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void liveview_clear(liveview *v)
{
	if (!v->drawn)
		return;
	put_all(v->fd, ERASE_DOWN, sizeof(ERASE_DOWN) - 1);
	v->drawn = false;
}

/* Append the NUL-terminated @s to the area being built at *@len. */
static void add(liveview *v, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(v->buf) - *len)
		n = sizeof(v->buf) - *len;
	memcpy(v->buf + *len, s, n);
	*len += n;
}

void liveview_tick(liveview *v)
{
	struct winsize ws = { 0 };
	uint64_t now = now_ns();
	size_t cols = 80, rows = 24, lines, len = 0, total, listed;
	size_t ri = 0, ci = 0;
	inflight_item it;
	char line[1024];

	if (v->drawn && now - v->last_draw < LIVEVIEW_TICK_MS * 900000ull)
		return;
	/* requests, and lookups and connections not yet carrying one: a
	 * program hung in getaddrinfo or connect shows too */
	total = inflight_take(&v->list, v->col, now);
	listed = v->list.n + v->list.n_conns;
	if (total == 0) {
		liveview_clear(v);
		return;
	}
	if (ioctl(v->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	lines = listed < LIVEVIEW_MAX_LINES ? listed : LIVEVIEW_MAX_LINES;
	/* The area, its blank first line and the "more" line fit. */
	while (lines > 0 && lines + 3 > rows)
		lines--;
	/* only requests no slot shows: the "more" line alone */
	if ((lines == 0 && listed != 0) || cols < 8) {
		liveview_clear(v);
		return;
	}
	bool more = lines < total;
	size_t height = lines + (more ? 1 : 0);

	/* Make room below the cursor, keeping its column (IND scrolls at
	 * the bottom), come back up, and remember the place. */
	for (size_t i = 0; i < height; i++)
		add(v, &len, INDEX);
	snprintf(line, sizeof(line), "\033[%zuA", height);
	add(v, &len, line);
	add(v, &len, SAVE_CURSOR ERASE_DOWN);
	if (v->color)
		add(v, &len, DIM);
	for (size_t i = 0; i < lines &&
			   inflight_item_next(&v->list, &ri, &ci, &it); i++) {
		/* one column short of the edge: no wrap */
		add(v, &len, "\n  > ");
		inflight_item_line(line, sizeof(line), &it, cols - 5);
		add(v, &len, line);
	}
	if (more && v->list.unlisted != 0) {
		/* some no slot shows: said apart, they have no line */
		snprintf(line, sizeof(line), "\n  ... and %zu more in flight "
			 "(%zu not listed)", total - lines, v->list.unlisted);
		if (strlen(line) > cols)
			line[cols] = '\0';
		add(v, &len, line);
	} else if (more) {
		snprintf(line, sizeof(line), "\n  ... and %zu more in flight",
			 total - lines);
		if (strlen(line) > cols)
			line[cols] = '\0';
		add(v, &len, line);
	}
	if (v->color)
		add(v, &len, RESET);
	add(v, &len, RESTORE_CURSOR);
	put_all(v->fd, v->buf, len);
	v->drawn = true;
	v->last_draw = now;
}

void liveview_end(liveview *v)
{
	liveview_clear(v);
	inflight_free(&v->list);
}
