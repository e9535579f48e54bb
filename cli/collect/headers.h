/*
 * headers.h - reading the captured header blocks of a request record.
 *
 * The library captures each message's header section as "Name: value\r\n"
 * lines (HTTP/2 names lower-cased, pseudo-headers such as ":path" included;
 * redacted values already replaced by "[redacted]").  A block may end in a
 * line cut short (HT_RF_HDR_TRUNC).  These helpers split such a block into
 * name/value pairs and write it as JSON; they never allocate.
 */
#ifndef HT_HEADERS_H
#define HT_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

#include "outbuf.h"
#include "wire.h"

/*
 * headers_next() - the next header of @block at *@pos (start at 0).
 * Sets *@name and *@value (pointing into @block; the value without the
 * whitespace around it) and advances *@pos past the line.  Lines end at
 * "\r\n" or a bare "\n"; the name ends at the first ':' after its first
 * character (so ":path: /x" is name ":path", value "/x"); a line without a
 * colon is a name with an empty value; empty lines are skipped.
 * Returns true when a header was read, false at the end of @block.
 */
bool headers_next(ht_str block, size_t *pos, ht_str *name, ht_str *value);

/*
 * headers_find() - the value of the first header of @block named @name
 * (ASCII case-insensitive) into *@value.  Returns true when found.
 */
bool headers_find(ht_str block, const char *name, ht_str *value);

/*
 * headers_json() - write @block to @w as a JSON array of
 * {"name":...,"value":...} objects, in order ([] when empty), with the
 * escaping of json_str().
 */
void headers_json(outbuf *w, ht_str block);

/*
 * headers_fmt_json() - headers_json() at @q, which has room for
 * headers_json_room(@block) bytes; returns the end.
 */
size_t headers_json_room(ht_str block);
char *headers_fmt_json(char *q, ht_str block);

#endif
