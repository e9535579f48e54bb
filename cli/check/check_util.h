/*
 * check_util.h - the small string and result helpers every part of the
 * ELF checker (cli/check/) shares: bounded formatting, path parts, and
 * the two ways a check_result is written to (a detail line, the verdict).
 * No system calls.
 */
#ifndef HT_CHECK_UTIL_H
#define HT_CHECK_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "check_elf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * check_format() - snprintf() into @dst (capacity @cap).  Returns false
 * when the result was truncated (it is still terminated).
 */
bool check_format(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* check_copy() - copy @src into @dst (capacity @cap), truncating; always
 * terminated. */
void check_copy(char *dst, size_t cap, const char *src);

/* check_base_name() - the part of @path after its last '/' (all of it when
 * there is none); points into @path. */
const char *check_base_name(const char *path);

/* check_dir_name() - the directory part of @path into @out (capacity
 * @cap): "." when @path holds no '/', "/" for "/NAME". */
void check_dir_name(const char *path, char *out, size_t cap);

/* check_note() - append a detail line to @r->notes; beyond
 * CHECK_MAX_NOTES lines it is dropped. */
void check_note(check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * check_set_verdict() - set @r->verdict to @v and @r->reason to the
 * formatted line, unless a verdict other than CHECK_TRACEABLE is set
 * already: the first (strongest, as callers order them) reason is kept.
 */
void check_set_verdict(check_result *r, enum check_verdict v,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
