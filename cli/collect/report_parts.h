/*
 * report_parts.h - what report.c (the dispatch) calls in the files that
 * keep a report's state by job: report_stats.c (per-host tables, open
 * connections, programs, notes) and report_chains.c (redirect chains).
 * Not for the formats: they read the state through report.h.
 */
#ifndef HT_REPORT_PARTS_H
#define HT_REPORT_PARTS_H

#include "report.h"

/* report_stats_request() - count request @q in @st: its host's row (or
 * the shared one past REPORT_MAX_HOSTS), its connection and its process
 * (req_processes) when new. */
void report_stats_request(report_stats *st, const report_req *q);

/* report_stats_req_pid() - process @pid made (or answered) a request:
 * counted in req_processes when its current image had not. */
void report_stats_req_pid(report_stats *st, uint32_t pid);

/* report_stats_hello() - remember the program (base name) process @h
 * runs, for naming the ones whose TLS was not decoded. */
void report_stats_hello(report_stats *st, const ht_rec_hello *h);

/* report_stats_close() - connection @c closed: forget it; one whose TLS
 * no hook decoded counts as a connection of its program, a client's that
 * carried no request (report_close_no_request()) as a connection too. */
void report_stats_close(report_stats *st, const ht_rec_conn_close *c);

/* report_stats_note() - keep note @n for the summary (the first
 * REPORT_MAX_NOTES distinct ones). */
void report_stats_note(report_stats *st, const ht_rec_note *n);

/* report_stats_free() - release @st's memory; it is all zero again. */
void report_stats_free(report_stats *st);

/*
 * report_chains_request() - link @q to the redirect hop it follows, if
 * any (q->redirect), and keep the chain's hops for the summary.  Out of
 * memory, a hop is left out of the chains; @q's link is still set.
 */
void report_chains_request(report *rp, report_req *q);

/* report_chains_free() - release the chains and the redirect tracker. */
void report_chains_free(report *rp);

#endif
