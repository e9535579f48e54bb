/*
 * format_text.h - what the two formats for people share: format_text.c
 * (the waterfall per request, "text") and format_summary.c (the summary at
 * the end, which "text" ends with and "summary" is alone).
 */
#ifndef HT_FORMAT_TEXT_H
#define HT_FORMAT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

/* text_color() - start the ANSI color @c when rp->color is on. */
void text_color(report *rp, const char *c);

/*
 * text_put_safe() - write @n bytes of @s to @f, with control bytes (and
 * C1 controls, and bytes that are not well-formed UTF-8) shown as \xHH so
 * a hostile URL cannot drive the terminal.
 */
void text_put_safe(FILE *f, const char *s, size_t n);

/* text_fmt_dur() - a duration as "0.51ms", "12.3s", or "-" when absent
 * (REPORT_NONE), into @buf. */
void text_fmt_dur(char *buf, size_t cap, int64_t ns);

/*
 * text_summary() - the summary of the run: requests, connections, per-host
 * percentiles, redirect chains, what was dropped, malformed or not
 * decoded, and the notes.
 */
void text_summary(report *rp);

#endif
