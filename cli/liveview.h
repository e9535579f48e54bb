/*
 * liveview.h - the requests in flight under the text report on a
 * terminal, redrawn a few times a second (method, URL, phase, elapsed),
 * as `docker pull` or `apt` show progress.
 *
 * The area sits below the cursor: before drawing, the cursor's place is
 * saved (ESC 7), the rest of its line and everything below are erased,
 * the lines are drawn below it, and the cursor goes back (ESC 8).  So the
 * next byte anyone writes lands where it would have without the area:
 * the report's own output (the area is erased first, see
 * liveview_clear()), and the traced command's, which shares the terminal
 * and cannot be held back: a line it writes while the area is shown lands
 * on the erased rest of the cursor's line, a second one over the area's
 * first line (its rest stays until the next redraw or clear erases from
 * the cursor down).  To keep that small the area has at most
 * LIVEVIEW_MAX_LINES lines, each cut to the terminal's width, written
 * in one write(2), and erased again before any report output and at the
 * end.
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
	bool drawn;           /* the area is on the screen */
	uint64_t last_draw;   /* CLOCK_MONOTONIC ns */
	inflight_list list;
	char buf[LIVEVIEW_MAX_LINES * 1024 + 512];
} liveview;

/*
 * liveview_wanted() - whether the report in @format to @out gets a live
 * view: text, written to a terminal, TERM set and not "dumb".
 */
bool liveview_wanted(FILE *out, enum report_format format);

/* liveview_init() - show @c's requests in flight on the terminal @fd,
 * dimmed when @color.  Draws nothing yet; cannot fail. */
void liveview_init(liveview *v, int fd, const collector *c, bool color);

/* liveview_clear() - erase the area if it is drawn (before any other
 * output to the terminal). */
void liveview_clear(liveview *v);

/* liveview_tick() - redraw the area when LIVEVIEW_TICK_MS went by since
 * it was last drawn (erase it when nothing is in flight any more).  Call
 * when the report's output has just been flushed. */
void liveview_tick(liveview *v);

/* liveview_end() - erase the area for good and free the list. */
void liveview_end(liveview *v);

#endif
