/*
 * liveview.h - the requests in flight under the text report on a
 * terminal, redrawn a few times a second (method, URL, phase, elapsed),
 * as `docker pull` or `apt` show progress.
 *
 * The area owns the bottom lines of the terminal while anything is in
 * flight: a scroll region (DECSTBM) is set over the lines above it, so
 * the traced command's output and the report's own lines scroll there
 * and never reach the area, and the area is drawn in the lines below
 * with absolute moves between a cursor save and restore (ESC 7, ESC 8).
 * Each redraw, the region's (re)making included, is one write(2): the
 * kernel's tty write lock keeps a write of the command's wholly before
 * or after it, and the restored cursor and attributes put the
 * command's next byte where and how it would have gone without the
 * area.  When the area appears or grows, the lines it takes are first
 * scrolled up out of its way (IND at the cursor, which keeps the
 * column), so nothing on the screen is covered.  The region is set
 * again on every redraw (after a resize, or a command's own reset of
 * it, the next redraw mends it), and undone, the area's lines erased,
 * when nothing is in flight any more and at the end (liveview_end(),
 * on every exit path of run and listen).
 *
 * Limits: while the terminal is out of canonical mode (a program that
 * reads keys one by one: vim, less, top, ssh, a readline prompt) the
 * area is taken down and not drawn, the whole screen left to that
 * program; the taking down can erase the bottom lines such a program
 * drew in the first redraw period (it redraws them itself when asked).
 * A program that saves the cursor (ESC 7) has that place replaced by
 * the one of the redraw's time; one that splits an escape sequence or
 * a UTF-8 character across two writes can see a redraw fall between
 * them.  A resize drops the region (xterm and tmux do): until the next
 * redraw sets it again, the area assumed at the bottom of the new
 * screen (as xterm and tmux keep it), a line of the command's can land
 * on an area line and keep its tail.
 */
#ifndef HT_LIVEVIEW_H
#define HT_LIVEVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "collector.h"
#include "inflight.h"
#include "report.h"

/* How often the area is redrawn (the collector's wait times out then). */
#define LIVEVIEW_TICK_MS 250
/* Request lines at most (then "... and N more in flight"). */
#define LIVEVIEW_MAX_LINES 4

typedef struct liveview {
	/* PRIVATE */
	int fd;               /* the terminal the report goes to */
	const collector *col; /* whose requests are shown */
	bool color;
	size_t height;        /* lines the area takes now (0: none, no region) */
	size_t rows;          /* the terminal's lines at the last redraw */
	uint64_t last_draw;   /* CLOCK_MONOTONIC ns */
	inflight_list list;
	char buf[(LIVEVIEW_MAX_LINES + 1) * 1100 + 512];
} liveview;

/*
 * liveview_wanted() - whether the report in @format to @out gets a live
 * view: text, written to a terminal, TERM set and not "dumb".
 */
bool liveview_wanted(FILE *out, enum report_format format);

/* liveview_init() - show @c's requests in flight on the terminal @fd,
 * dimmed when @color.  Draws nothing yet; cannot fail. */
void liveview_init(liveview *v, int fd, const collector *c, bool color);

/* liveview_clear() - take the area down if it is drawn: the scroll
 * region undone and the area's lines erased, the cursor left where it
 * was.  The report's own output needs no clearing first (it scrolls
 * above the area). */
void liveview_clear(liveview *v);

/* liveview_tick() - redraw the area when LIVEVIEW_TICK_MS went by since
 * it was last drawn (take it down when nothing is in flight any more,
 * or the terminal is out of canonical mode).  Call when the report's
 * output has just been flushed. */
void liveview_tick(liveview *v);

/* liveview_end() - take the area down for good and free the list. */
void liveview_end(liveview *v);

#endif
