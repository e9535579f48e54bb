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
#define SAVE_CURSOR "\0337"  /* DECSC: place, attributes */
#define RESTORE_CURSOR "\0338"
#define INDEX "\033D"        /* down a line, scrolling at the bottom margin */
#define FULL_REGION "\033[r" /* DECSTBM: no margins (homes the cursor) */
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

/* Append the NUL-terminated @s to the area being built at *@len. */
static void add(liveview *v, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(v->buf) - *len)
		n = sizeof(v->buf) - *len;
	memcpy(v->buf + *len, s, n);
	*len += n;
}

/* Append the cursor's move to line @row (from 1), column 1. */
static void add_goto(liveview *v, size_t *len, size_t row)
{
	char seq[32];

	snprintf(seq, sizeof(seq), "\033[%zu;1H", row);
	add(v, len, seq);
}

/* The terminal's size into *@rows, *@cols: the one of the last redraw
 * (or 24x80) when it cannot be read. */
static void term_size(const liveview *v, size_t *rows, size_t *cols)
{
	struct winsize ws = { 0 };

	*rows = v->rows ? v->rows : 24;
	*cols = 80;
	if (ioctl(v->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Whether the terminal reads lines (canonical mode): else a program
 * reading keys one by one drives the whole screen (vim, less, top). */
static bool term_canonical(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) != 0 || (t.c_lflag & ICANON) != 0;
}

void liveview_clear(liveview *v)
{
	size_t rows, cols, len = 0;

	if (v->height == 0)
		return;
	term_size(v, &rows, &cols);
	/* No margins any more; the area's lines (at the bottom, also after
	 * a resize) erased in the default colours; the cursor back. */
	add(v, &len, SAVE_CURSOR FULL_REGION RESET);
	add_goto(v, &len, v->height < rows ? rows - v->height + 1 : 1);
	add(v, &len, ERASE_DOWN RESTORE_CURSOR);
	put_all(v->fd, v->buf, len);
	v->height = 0;
}

void liveview_tick(liveview *v)
{
	uint64_t now = now_ns();
	size_t cols, rows, lines, len = 0, total, listed, height, old, room;
	size_t ri = 0, ci = 0;
	inflight_item it;
	char line[1024];

	if (now - v->last_draw < LIVEVIEW_TICK_MS * 900000ull)
		return;
	v->last_draw = now;
	/* requests, and lookups and connections not yet carrying one: a
	 * program hung in getaddrinfo or connect shows too */
	total = inflight_take(&v->list, v->col, now);
	listed = v->list.n + v->list.n_conns;
	if (total == 0 || !term_canonical(v->fd)) {
		liveview_clear(v);
		return;
	}
	term_size(v, &rows, &cols);
	lines = listed < LIVEVIEW_MAX_LINES ? listed : LIVEVIEW_MAX_LINES;
	/* At least 3 lines keep scrolling above the area, "more" line
	 * included. */
	room = rows > 3 ? rows - 3 : 0;
	if (lines + (lines < total ? 1 : 0) > room)
		lines = room > 0 ? room - 1 : 0;
	/* only requests no slot shows: the "more" line alone */
	if ((lines == 0 && listed != 0) || room == 0 || cols < 8) {
		liveview_clear(v);
		return;
	}
	bool more = lines < total;

	height = lines + (more ? 1 : 0);
	/* the area there is (after a resize: at the new bottom) */
	old = v->height < rows - 3 ? v->height : rows - 3;
	/* A taller area first scrolls what is above it out of the way:
	 * with the margins there are now, down the lines it gains (IND
	 * scrolls at the bottom margin and keeps the column) and back up. */
	for (size_t i = old; i < height; i++)
		add(v, &len, INDEX);
	if (height > old) {
		snprintf(line, sizeof(line), "\033[%zuA", height - old);
		add(v, &len, line);
	}
	/* The margins above the area (again each time: a resize or the
	 * command may have reset them), then the area from its top, the
	 * lines a shorter area gave back erased too. */
	add(v, &len, SAVE_CURSOR);
	snprintf(line, sizeof(line), "\033[1;%zur", rows - height);
	add(v, &len, line);
	add(v, &len, RESET);
	add_goto(v, &len, rows - (height > old ? height : old) + 1);
	add(v, &len, ERASE_DOWN);
	if (v->color)
		add(v, &len, DIM);
	for (size_t i = 0; i < lines &&
			   inflight_item_next(&v->list, &ri, &ci, &it); i++) {
		add_goto(v, &len, rows - height + 1 + i);
		/* one column short of the edge: no wrap */
		add(v, &len, "  > ");
		inflight_item_line(line, sizeof(line), &it, cols - 5);
		add(v, &len, line);
	}
	if (more) {
		add_goto(v, &len, rows);
		if (v->list.unlisted != 0)
			/* some no slot shows: said apart, they have no line */
			snprintf(line, sizeof(line), "  ... and %zu more in "
				 "flight (%zu not listed)", total - lines,
				 v->list.unlisted);
		else
			snprintf(line, sizeof(line),
				 "  ... and %zu more in flight",
				 total - lines);
		if (strlen(line) > cols - 1)
			line[cols - 1] = '\0';
		add(v, &len, line);
	}
	add(v, &len, RESET RESTORE_CURSOR);
	put_all(v->fd, v->buf, len);
	v->height = height;
	v->rows = rows;
}

void liveview_end(liveview *v)
{
	liveview_clear(v);
	inflight_free(&v->list);
}
