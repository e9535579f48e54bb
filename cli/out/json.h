/*
 * json.h - a small streaming JSON writer into an outbuf.
 *
 * The collector writes a line per record at millions of records a second,
 * so these helpers never allocate and never go through stdio or printf:
 * numbers are formatted by hand (two digits per step), strings escaped
 * through a byte table, eight bytes at a time where nothing needs escaping,
 * and every fragment is written straight into the output block.  Errors
 * are kept in the outbuf (outbuf_flush() returns them).
 *
 * Strings are escaped so the output is always valid JSON whatever the input
 * bytes: '"', '\\' and the control characters below 0x20 are escaped (\n,
 * \r, \t by name, the others as \u00XX; DEL passes, as JSON allows), valid
 * UTF-8 passes through, and each byte that is not part of a valid UTF-8
 * sequence is written as \u00XX (its ISO-8859-1 reading, which is also what
 * the obsolete "obs-text" in HTTP headers historically meant), so no
 * information is lost.
 */
#ifndef HT_JSON_H
#define HT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "outbuf.h"

/* A value for json_ns_ms()/json_ns_secs() that writes null instead. */
#define JSON_NS_NULL INT64_MIN

/* Longest output of json_u64() (20 digits) and json_i64() (sign + 19). */
#define JSON_U64_MAX_LEN 20
/* Longest output of json_ns_ms() and json_ns_secs(): sign, 19 + 1 + 6. */
#define JSON_NS_MAX_LEN 27

/* json_raw() - write @n bytes of @s unchanged (already valid JSON). */
static inline void json_raw(outbuf *w, const char *s, size_t n)
{
	outbuf_put(w, s, n);
}

/* json_lit() - write the NUL-terminated literal @s unchanged (with a
 * string constant, the length is known at compile time). */
static inline void json_lit(outbuf *w, const char *s)
{
	outbuf_put(w, s, strlen(s));
}

/* json_str() - write @n bytes of @s as a quoted, escaped JSON string. */
void json_str(outbuf *w, const char *s, size_t n);

/* Room json_fmt_str() needs for @n input bytes: 6 per byte (\u00XX), and
 * the quotes. */
#define JSON_STR_ROOM(n) ((size_t)(n) * 6 + 2)

/*
 * json_fmt_str() - json_str() at @q (room for JSON_STR_ROOM(@n) bytes);
 * returns the end.
 */
char *json_fmt_str(char *q, const char *s, size_t n);

/* json_strz() - json_str() of a NUL-terminated string; null for NULL. */
void json_strz(outbuf *w, const char *s);

/* json_str_or_null() - json_str(), or null when @n is 0. */
void json_str_or_null(outbuf *w, const char *s, size_t n);

/*
 * json_fmt_u64() / json_fmt_i64() - write @v in decimal at @q (room for
 * JSON_U64_MAX_LEN bytes); return the end.  No NUL.
 */
char *json_fmt_u64(char *q, uint64_t v);
char *json_fmt_i64(char *q, int64_t v);

/*
 * json_fmt_ns_ms() - a duration of @ns nanoseconds as milliseconds with
 * exactly three decimals, rounded to the nearest microsecond (half up,
 * away from zero), e.g. 1.250, -0.002; "null" for JSON_NS_NULL.  At @q
 * (room for JSON_NS_MAX_LEN bytes); returns the end.
 */
char *json_fmt_ns_ms(char *q, int64_t ns);

/*
 * json_fmt_ns_secs() - a Unix time of @ns nanoseconds as seconds with six
 * decimals (microseconds, truncated toward zero), e.g. 1700000000.123456;
 * "null" for JSON_NS_NULL.  At @q (room for JSON_NS_MAX_LEN); returns the end.
 */
char *json_fmt_ns_secs(char *q, int64_t ns);

/* json_u64() / json_i64() - write an integer in decimal. */
static inline void json_u64(outbuf *w, uint64_t v)
{
	outbuf_commit(w, json_fmt_u64(outbuf_room(w, JSON_U64_MAX_LEN), v));
}

static inline void json_i64(outbuf *w, int64_t v)
{
	outbuf_commit(w, json_fmt_i64(outbuf_room(w, JSON_U64_MAX_LEN), v));
}

/* json_bool() - write true or false. */
static inline void json_bool(outbuf *w, bool v)
{
	if (v)
		outbuf_put(w, "true", 4);
	else
		outbuf_put(w, "false", 5);
}

/* json_ns_ms() - json_fmt_ns_ms() into @w. */
static inline void json_ns_ms(outbuf *w, int64_t ns)
{
	outbuf_commit(w, json_fmt_ns_ms(outbuf_room(w, JSON_NS_MAX_LEN), ns));
}

/* json_ns_secs() - json_fmt_ns_secs() into @w. */
static inline void json_ns_secs(outbuf *w, int64_t ns)
{
	outbuf_commit(w, json_fmt_ns_secs(outbuf_room(w, JSON_NS_MAX_LEN), ns));
}

#endif
