/* headers.c - captured header blocks as name/value pairs; see headers.h. */
#include "headers.h"

#include <string.h>
#include <strings.h>

#include "json.h"

static bool is_ows(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The helpers below are inlined into headers_json(), which runs twice for
 * every record the json format writes. */
#define HOT static inline __attribute__((always_inline))

/* @s without the whitespace at either end. */
HOT ht_str trim(const char *p, size_t n)
{
	ht_str s;

	while (n > 0 && is_ows(p[0])) {
		p++;
		n--;
	}
	while (n > 0 && is_ows(p[n - 1]))
		n--;
	s.p = p;
	s.len = (uint16_t)n;
	return s;
}

HOT bool next_header(ht_str block, size_t *pos, ht_str *name, ht_str *value)
{
	while (*pos < block.len) {
		const char *line = block.p + *pos;
		size_t rest = block.len - *pos;
		const char *nl = memchr(line, '\n', rest);
		size_t len = nl != NULL ? (size_t)(nl - line) : rest;
		const char *colon;

		*pos += nl != NULL ? len + 1 : len;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		/* The first character may be a ':' (HTTP/2 pseudo-header). */
		colon = len > 1 ? memchr(line + 1, ':', len - 1) : NULL;
		if (colon == NULL) {
			*name = trim(line, len);
			value->p = line + len;
			value->len = 0;
		} else {
			*name = trim(line, (size_t)(colon - line));
			*value = trim(colon + 1, len - (size_t)(colon - line) - 1);
		}
		return true;
	}
	return false;
}

bool headers_next(ht_str block, size_t *pos, ht_str *name, ht_str *value)
{
	return next_header(block, pos, name, value);
}

bool headers_find(ht_str block, const char *name, ht_str *value)
{
	size_t want = strlen(name);
	size_t pos = 0;
	ht_str n, v;

	while (headers_next(block, &pos, &n, &v)) {
		if (n.len == want && strncasecmp(n.p, name, want) == 0) {
			*value = v;
			return true;
		}
	}
	return false;
}

/* Each header costs at most 23 bytes besides its escaped name and value
 * (,{"name":"","value":""}), and takes at least 2 of the block (a byte
 * and a newline), the last one 1: a block of n bytes holds at most
 * (n + 1) / 2 headers and writes at most 6 n + 23 (n + 1) / 2 + 2. */
size_t headers_json_room(ht_str block)
{
	return (size_t)block.len * 18 + 16;
}

char *headers_fmt_json(char *q, ht_str block)
{
	size_t pos = 0;
	ht_str n, v;

	*q++ = '[';
	if (next_header(block, &pos, &n, &v)) {
		for (;;) {
			memcpy(q, "{\"name\":", 8);
			q = json_fmt_str(q + 8, n.p, n.len);
			memcpy(q, ",\"value\":", 9);
			q = json_fmt_str(q + 9, v.p, v.len);
			*q++ = '}';
			if (!next_header(block, &pos, &n, &v))
				break;
			*q++ = ',';
		}
	}
	*q++ = ']';
	return q;
}

void headers_json(outbuf *w, ht_str block)
{
	size_t pos = 0;
	bool first = true;
	ht_str n, v;

	if (headers_json_room(block) <= OUTBUF_MAX_ROOM) {
		outbuf_commit(w, headers_fmt_json(
			outbuf_room(w, headers_json_room(block)), block));
		return;
	}

	json_lit(w, "[");
	while (next_header(block, &pos, &n, &v)) {
		if (first)
			json_lit(w, "{\"name\":");
		else
			json_lit(w, ",{\"name\":");
		json_str(w, n.p, n.len);
		json_lit(w, ",\"value\":");
		json_str(w, v.p, v.len);
		json_lit(w, "}");
		first = false;
	}
	json_lit(w, "]");
}
