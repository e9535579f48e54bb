/*
 * fuzz_wire.c - libFuzzer target for the record decoder (common/wire.c)
 * and everything the collector does with a decoded record (cli/report.c,
 * cli/format_*.c).
 *
 * Input: one message as the collector receives it, records back to back.
 *  1. Each record ht_wire_decode() accepts is encoded again with
 *     ht_wire_encode() and decoded again: the two decodes must agree field
 *     by field, and a second encode must give the same bytes.  The decoder
 *     must stay inside the input and inside the length it reports.
 *  2. The whole message goes through collector_feed() into a report of each
 *     format (text, json, events, har, summary) written to memory.  The
 *     json, events and har output must be valid JSON (strings valid UTF-8,
 *     no raw control bytes) whatever the records held; the text output,
 *     without colours, must hold no control byte but the newline (hostile
 *     strings must not reach the terminal raw).
 */
#include "collector.h"
#include "fuzz.h"
#include "report.h"
#include "wire.h"

/* ---- round trip ---------------------------------------------------------- */

/* Does @s point inside [@lo, @lo + @n)? */
static bool str_inside(ht_str s, const uint8_t *lo, size_t n)
{
	const char *b = (const char *)lo;

	return s.len == 0 || (s.p >= b && s.p + s.len <= b + n);
}

/* Every string of @rec lies inside its record of @n bytes at @buf. */
static void check_strings_inside(const ht_record *rec, const uint8_t *buf,
				 size_t n)
{
	const ht_rec_request *q = &rec->u.req;

	switch (rec->type) {
	case HT_REC_HELLO:
		FUZZ_ASSERT(str_inside(rec->u.hello.exe, buf, n));
		break;
	case HT_REC_REQUEST:
		FUZZ_ASSERT(str_inside(q->method, buf, n) &&
			    str_inside(q->target, buf, n) &&
			    str_inside(q->host, buf, n) &&
			    str_inside(q->dns_name, buf, n) &&
			    str_inside(q->reason, buf, n) &&
			    str_inside(q->content_type, buf, n) &&
			    str_inside(q->tls_version, buf, n) &&
			    str_inside(q->alpn, buf, n) &&
			    str_inside(q->req_headers, buf, n) &&
			    str_inside(q->resp_headers, buf, n) &&
			    str_inside(q->peer_path, buf, n) &&
			    str_inside(q->tunnel, buf, n));
		FUZZ_ASSERT(q->error < HT_ERR__COUNT);
		break;
	case HT_REC_CONN_CLOSE:
		FUZZ_ASSERT(str_inside(rec->u.close.peer_path, buf, n));
		break;
	case HT_REC_CONN_FAIL:
		FUZZ_ASSERT(str_inside(rec->u.fail.dns_name, buf, n));
		break;
	case HT_REC_NOTE:
		FUZZ_ASSERT(str_inside(rec->u.note.text, buf, n));
		break;
	case HT_REC_WS:
		FUZZ_ASSERT(str_inside(rec->u.ws.host, buf, n) &&
			    str_inside(rec->u.ws.target, buf, n) &&
			    str_inside(rec->u.ws.dns_name, buf, n) &&
			    str_inside(rec->u.ws.peer_path, buf, n) &&
			    str_inside(rec->u.ws.tunnel, buf, n) &&
			    str_inside(rec->u.ws.dir[0].close_reason, buf, n) &&
			    str_inside(rec->u.ws.dir[1].close_reason, buf, n));
		break;
	case HT_REC_DNS:
		FUZZ_ASSERT(str_inside(rec->u.dns.name, buf, n) &&
			    rec->u.dns.n_addrs <= HT_DNS_ADDRS);
		break;
	default:
		break;
	}
}

static uint8_t enc1[HT_WIRE_MAX_RECORD], enc2[HT_WIRE_MAX_RECORD];

static void round_trip(const uint8_t *data, size_t size)
{
	while (size > 0) {
		ht_record a, b;
		long n = ht_wire_decode(data, size, &a);

		FUZZ_ASSERT(n >= -1 && n <= (long)size);
		if (n <= 0)
			return;
		FUZZ_ASSERT(n >= HT_WIRE_HDR_LEN && n <= HT_WIRE_MAX_RECORD);
		check_strings_inside(&a, data, (size_t)n);

		/* A shorter prefix is never a whole record. */
		ht_record c;
		FUZZ_ASSERT(ht_wire_decode(data, (size_t)n - 1, &c) != n);

		size_t e1 = ht_wire_encode(enc1, sizeof(enc1), &a);
		/* Canonical form may outgrow a record that carried fewer
		 * timestamps; anything else must encode. */
		if (e1 > 0) {
			FUZZ_ASSERT(ht_wire_decode(enc1, e1, &b) == (long)e1);
			FUZZ_ASSERT(fuzz_rec_eq(&a, &b));
			size_t e2 = ht_wire_encode(enc2, sizeof(enc2), &b);
			FUZZ_ASSERT(e2 == e1 && memcmp(enc1, enc2, e1) == 0);
			/* Too small a buffer fails cleanly. */
			FUZZ_ASSERT(ht_wire_encode(enc2, e1 - 1, &b) == 0);
		} else {
			FUZZ_ASSERT(a.type == HT_REC_REQUEST);
		}
		data += n;
		size -= (size_t)n;
	}
}

/* ---- a JSON checker ------------------------------------------------------ */

typedef struct jp {
	const uint8_t *p, *end;
	int depth;
} jp;

static void j_ws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Length of a valid UTF-8 sequence at @s (max @n bytes), 0 if invalid. */
static size_t j_utf8(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool j_string(jp *j)
{
	j->p++; /* the opening quote */
	while (j->p < j->end) {
		uint8_t c = *j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			c = j->p[1];
			j->p += 2;
			if (c == 'u') {
				if (j->end - j->p < 4)
					return false;
				for (int i = 0; i < 4; i++) {
					uint8_t h = j->p[i];

					if (!((h >= '0' && h <= '9') ||
					      (h >= 'a' && h <= 'f') ||
					      (h >= 'A' && h <= 'F')))
						return false;
				}
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
				return false;
			}
			continue;
		}
		size_t n = j_utf8(j->p, (size_t)(j->end - j->p));
		if (n == 0)
			return false;
		j->p += n;
	}
	return false;
}

static bool j_digits(jp *j)
{
	const uint8_t *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool j_number(jp *j)
{
	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!j_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!j_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!j_digits(j))
			return false;
	}
	return true;
}

static bool j_lit(jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool j_value(jp *j);

/* An object or array: @close ends it; objects have "key": before values. */
static bool j_container(jp *j, uint8_t close, bool object)
{
	if (++j->depth > 64)
		return false;
	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			j_ws(j);
			if (j->p >= j->end || *j->p != '"' || !j_string(j))
				return false;
			j_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
		}
		if (!j_value(j))
			return false;
		j_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		if (*j->p != ',')
			return false;
		j->p++;
	}
}

static bool j_value(jp *j)
{
	j_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return j_container(j, '}', true);
	case '[':
		return j_container(j, ']', false);
	case '"':
		return j_string(j);
	case 't':
		return j_lit(j, "true");
	case 'f':
		return j_lit(j, "false");
	case 'n':
		return j_lit(j, "null");
	default:
		return j_number(j);
	}
}

/* Is [@s, @s + @n) exactly one JSON value, blanks around it allowed? */
static bool json_valid(const char *s, size_t n)
{
	jp j = {(const uint8_t *)s, (const uint8_t *)s + n, 0};

	if (!j_value(&j))
		return false;
	j_ws(&j);
	return j.p == j.end;
}

/* Every line of @s is one JSON value (JSON Lines). */
static void check_json_lines(const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) : n;

		FUZZ_ASSERT(nl != NULL); /* every line is finished */
		FUZZ_ASSERT(json_valid(s, len));
		s += len + 1;
		n -= len + 1;
	}
}

/* ---- the report ---------------------------------------------------------- */

/* Feed the message through @col into a report of @fmt written to memory,
 * and check the output. */
static void check_format(collector *col, enum report_format fmt, bool color,
			 const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	report *rp = calloc(1, sizeof(*rp));

	FUZZ_ASSERT(f != NULL && rp != NULL);
	report_init(rp, f, fmt, color);
	col->ctx = rp;
	col->malformed = 0;
	collector_feed(col, data, size);
	FUZZ_ASSERT(report_finish(rp, col->malformed, col->refused) == 0);
	report_free(rp);
	free(rp);
	FUZZ_ASSERT(fclose(f) == 0);

	switch (fmt) {
	case REPORT_JSON:
	case REPORT_EVENTS:
		check_json_lines(out, out_len);
		break;
	case REPORT_HAR:
		FUZZ_ASSERT(json_valid(out, out_len));
		break;
	default:
		if (!color) {
			for (size_t i = 0; i < out_len; i++) {
				unsigned char c = (unsigned char)out[i];

				FUZZ_ASSERT(c == '\n' || (c >= 0x20 && c != 0x7f));
			}
		}
		break;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	collector col;

	round_trip(data, size);
	/* A collector that never listens, one per input (it keeps per-pid
	 * state), shared by the formats: collector_init() is costly under
	 * ASan, and records fed without a peer come out the same each time. */
	FUZZ_ASSERT(collector_init(&col, report_record, NULL, NULL) == 0);
	/* Colours on for odd lengths: both paths get fuzzed. */
	check_format(&col, REPORT_TEXT, size & 1, data, size);
	check_format(&col, REPORT_JSON, false, data, size);
	check_format(&col, REPORT_EVENTS, false, data, size);
	check_format(&col, REPORT_HAR, false, data, size);
	check_format(&col, REPORT_SUMMARY, false, data, size);
	collector_close(&col);
	return 0;
}
