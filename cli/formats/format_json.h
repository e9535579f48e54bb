/*
 * format_json.h - what the two JSON Lines formats share: format_json.c
 * ("json") and format_events.c ("events"): writers of ,"key":value pairs
 * and the summary line both streams end with.
 */
#ifndef HT_FORMAT_JSON_H
#define HT_FORMAT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "report.h"

/* Write ,"key": -- @key is a literal without quotes. */
#define KEY(f, key) json_lit((f), ",\"" key "\":")

/* ,"key":VALUE with one request for room (a line has some 40 of them). */
#define KEY_U64(f, key, v) \
	key_u64((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (v))
#define KEY_MS(f, key, ns) \
	key_ms((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (ns))
#define KEY_BOOL(f, key, b) \
	key_bool((f), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (b))

static inline void key_u64(outbuf *f, const char *key, size_t n, uint64_t v)
{
	char *q = outbuf_room(f, n + JSON_U64_MAX_LEN);

	memcpy(q, key, n);
	outbuf_commit(f, json_fmt_u64(q + n, v));
}

static inline void key_ms(outbuf *f, const char *key, size_t n, int64_t ns)
{
	char *q = outbuf_room(f, n + JSON_NS_MAX_LEN);

	memcpy(q, key, n);
	outbuf_commit(f, json_fmt_ns_ms(q + n, ns));
}

static inline void key_bool(outbuf *f, const char *key, size_t n, bool b)
{
	char *q = outbuf_room(f, n + 5);

	memcpy(q, key, n);
	if (b) {
		memcpy(q + n, "true", 4);
		q += n + 4;
	} else {
		memcpy(q + n, "false", 5);
		q += n + 5;
	}
	outbuf_commit(f, q);
}

static inline void put_ht_str(outbuf *f, ht_str s)
{
	json_str(f, s.p, s.len);
}

static inline void put_ht_str_or_null(outbuf *f, ht_str s)
{
	json_str_or_null(f, s.p, s.len);
}

/* A status, null when there was no response. */
static inline void put_status(outbuf *f, uint16_t status)
{
	if (status == 0)
		json_lit(f, "null");
	else
		json_u64(f, status);
}

/* put_ws_session() - the fields of WebSocket session @s after a line's head
 * (url, peer, tls, start, duration_ms, the "websocket" object), and the
 * line's end; -f json's "websocket" line and -f events' websocket_done. */
void put_ws_session(report *rp, const report_ws *s);

/*
 * json_summary() - the final line of -f json and -f events: the counts of
 * the run (requests, connections, hosts, what was dropped or malformed,
 * the redirect chains, the notes), one object.
 */
void json_summary(report *rp);

#endif
