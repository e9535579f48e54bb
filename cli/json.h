/*
 * json.h - a small streaming JSON writer over stdio.
 *
 * The collector writes a line per record at up to a million records a
 * second, so these helpers never allocate and never go through printf: they
 * format integers by hand and push bytes with the *_unlocked stdio calls into
 * the caller's (large, fully buffered) FILE.  Errors are left in the FILE's
 * error indicator for the caller to check with ferror() once.
 *
 * Strings are escaped so the output is always valid JSON whatever the input
 * bytes: '"', '\\' and control characters are escaped, valid UTF-8 passes
 * through, and each byte that is not part of a valid UTF-8 sequence is
 * written as \u00XX (its ISO-8859-1 reading, which is also what the
 * obsolete "obs-text" in HTTP headers historically meant), so no information
 * is lost.
 */
#ifndef HT_JSON_H
#define HT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A value for json_ns_ms()/json_ns_secs() that writes null instead. */
#define JSON_NS_NULL INT64_MIN

/* json_raw() - write @n bytes of @s unchanged (already valid JSON). */
void json_raw(FILE *f, const char *s, size_t n);

/* json_lit() - write the NUL-terminated literal @s unchanged. */
void json_lit(FILE *f, const char *s);

/* json_str() - write @n bytes of @s as a quoted, escaped JSON string. */
void json_str(FILE *f, const char *s, size_t n);

/* json_strz() - json_str() of a NUL-terminated string; null for NULL. */
void json_strz(FILE *f, const char *s);

/* json_str_or_null() - json_str(), or null when @n is 0. */
void json_str_or_null(FILE *f, const char *s, size_t n);

/* json_u64() / json_i64() - write an integer in decimal. */
void json_u64(FILE *f, uint64_t v);
void json_i64(FILE *f, int64_t v);

/* json_bool() - write true or false. */
void json_bool(FILE *f, bool v);

/*
 * json_ns_ms() - write a duration of @ns nanoseconds as milliseconds with
 * exactly three decimals (rounded to the nearest microsecond), e.g. 1.250;
 * null when @ns is JSON_NS_NULL.
 */
void json_ns_ms(FILE *f, int64_t ns);

/*
 * json_ns_secs() - write a Unix time of @ns nanoseconds as seconds with six
 * decimals (microseconds, truncated), e.g. 1700000000.123456; null when @ns
 * is JSON_NS_NULL.
 */
void json_ns_secs(FILE *f, int64_t ns);

#endif
