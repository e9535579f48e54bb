/*
 * format_html.c - the "html" format: one self-contained page with a
 * waterfall of every request, written at the end (like HAR).
 *
 * The page needs nothing from the network: CSS and JavaScript are inline,
 * fonts are the system's, and a Content-Security-Policy (default-src
 * 'none', scripts and styles only with this page's random nonce) forbids
 * any fetch and any script an injection might have slipped in.
 *
 * What is kept until the end: each request (and each failed connect) is
 * written as a compact JSON object into a memory stream as it arrives --
 * the record's strings are only valid during the call, and JSON is both
 * the copy and the final form.  At the end the page is written: a summary
 * in HTML (counts, p50/p95 per host), the controls and legend, the records
 * as <script type="application/json"> (see format_html.h for the escaping),
 * and the script that draws the bars from them when the page loads.
 *
 * A record's object:
 *   {"k":"req"|"fail", "pid", "conn", "req", "reused", "idle" (ms|null),
 *    "method", "url", "host", "peer", "proto", "tls", "tls_version",
 *    "alpn", "status" (|null), "status_text", "error" (|null),
 *    "req_bytes", "resp_bytes", "req_header_bytes", "resp_header_bytes",
 *    "content_type", "start" (Unix seconds|null), "total" (ms|null),
 *    "ph": [[phase, offset ms from start, duration ms], ...]}
 * where phase is dns, connect, tls, send, wait or receive, only those that
 * happened, each placed at its own time (end timestamp - duration), so the
 * bar shows gaps where the client did something else.
 */
#include "format_html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "utf8.h"
#include "report.h"

/* Write ,"key": -- @key is a literal without quotes. */
#define KEY(f, key) json_lit((f), ",\"" key "\":")

typedef struct html_state {
	FILE *mem;       /* the records' JSON objects, comma-separated */
	outbuf ob;       /* over mem: what the JSON writers write to */
	char *buf;       /* open_memstream()'s buffer */
	size_t len;
	uint64_t n;      /* objects written */
	uint64_t lost;   /* records left out: no memory stream */
} html_state;

/* ---- escaping ----------------------------------------------------------- */

void html_text(FILE *f, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;

		switch (c) {
		case '&': fputs_unlocked("&amp;", f); i++; continue;
		case '<': fputs_unlocked("&lt;", f); i++; continue;
		case '>': fputs_unlocked("&gt;", f); i++; continue;
		case '"': fputs_unlocked("&quot;", f); i++; continue;
		case '\'': fputs_unlocked("&#39;", f); i++; continue;
		default: break;
		}
		if (c >= 0x20 && c < 0x7F) {
			putc_unlocked(c, f);
			i++;
			continue;
		}
		len = c >= 0x80 ? utf8_len_no_c1(s + i, n - i) : 0;
		if (len > 0) {
			fwrite_unlocked(s + i, 1, len, f);
			i += len;
			continue;
		}
		{
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			fwrite_unlocked(e, 1, sizeof(e), f);
		}
		i++;
	}
}

void html_script_json(FILE *f, const char *s, size_t n)
{
	size_t run = 0; /* start of the bytes not yet written */

	for (size_t i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '<': esc = "\\u003c"; break;
		case '>': esc = "\\u003e"; break;
		case '&': esc = "\\u0026"; break;
		default: continue;
		}
		fwrite_unlocked(s + run, 1, i - run, f);
		fputs_unlocked(esc, f);
		run = i + 1;
	}
	fwrite_unlocked(s + run, 1, n - run, f);
}

/* ---- collecting records ------------------------------------------------- */

/* The format's state, created on first use; NULL when out of memory. */
static html_state *state(report *rp)
{
	html_state *st = rp->fmt_state;

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->mem = open_memstream(&st->buf, &st->len);
	if (st->mem != NULL)
		outbuf_init(&st->ob, st->mem);
	rp->fmt_state = st;
	return st;
}

/* The stream for the next record's object, after its separator; NULL when
 * there is none (the record is counted as lost). */
static outbuf *begin_record(report *rp)
{
	html_state *st = state(rp);

	if (st == NULL)
		return NULL;
	if (st->mem == NULL) {
		st->lost++;
		return NULL;
	}
	json_lit(&st->ob, st->n++ ? ",\n{" : "\n{");
	return &st->ob;
}

static void put_ht_str_or_null(outbuf *f, ht_str s)
{
	json_str_or_null(f, s.p, s.len);
}

/* Open "ph":[ ... : each phase written by put_phase(). */
typedef struct phases {
	outbuf *f;
	uint64_t start; /* monotonic ns the bar starts at */
	bool any;
} phases;

/* One [name, offset ms, duration ms] for a phase of @dur ns that ended at
 * monotonic @end; nothing when it did not happen (or the clock is bogus). */
static void put_phase(phases *p, const char *name, uint64_t end, int64_t dur)
{
	int64_t off;

	if (dur == REPORT_NONE || dur < 0 || end == 0 || p->start == 0)
		return;
	off = (int64_t)(end - p->start) - dur;
	if (off < 0)
		off = 0;
	json_lit(p->f, p->any ? ",[\"" : "[\"");
	json_lit(p->f, name);
	json_lit(p->f, "\",");
	json_ns_ms(p->f, off);
	json_lit(p->f, ",");
	json_ns_ms(p->f, dur);
	json_lit(p->f, "]");
	p->any = true;
}

/* The earliest non-zero timestamp of @r, or 0. */
static uint64_t earliest_ts(const ht_rec_request *r)
{
	uint64_t min = 0;

	for (int i = 0; i < HT_T__COUNT; i++)
		min = report_earliest(min, r->t[i]);
	return min;
}

static void html_request(report *rp, const report_req *q)
{
	const ht_rec_request *r = q->r;
	const report_timing *t = &q->t;
	const uint64_t *ts = r->t;
	/* servers' rows are not drawn yet */
	outbuf *f = r->side == HT_SIDE_SERVER ? NULL : begin_record(rp);
	uint64_t start = t->start != 0 ? t->start : earliest_ts(r);
	phases ph = { .start = start };

	if (f == NULL)
		return;
	json_lit(f, "\"k\":\"req\",\"pid\":");
	json_u64(f, r->pid);
	KEY(f, "conn");
	json_u64(f, r->conn_id);
	KEY(f, "req");
	json_u64(f, r->req_seq);
	KEY(f, "reused");
	json_bool(f, r->flags & HT_RF_REUSED);
	KEY(f, "idle");
	json_ns_ms(f, t->idle != REPORT_NONE && t->idle < 0 ? REPORT_NONE : t->idle);
	KEY(f, "method");
	put_ht_str_or_null(f, r->method);
	KEY(f, "url");
	json_str(f, q->url, q->url_len);
	KEY(f, "host");
	json_str(f, q->host, q->host_len);
	KEY(f, "peer");
	json_str(f, q->peer, q->peer_len);
	KEY(f, "proto");
	json_strz(f, q->proto);
	KEY(f, "tls");
	json_bool(f, r->flags & HT_RF_TLS);
	KEY(f, "tls_version");
	put_ht_str_or_null(f, r->tls_version);
	KEY(f, "alpn");
	put_ht_str_or_null(f, r->alpn);
	KEY(f, "status");
	if (r->status == 0)
		json_lit(f, "null");
	else
		json_u64(f, r->status);
	KEY(f, "status_text");
	put_ht_str_or_null(f, r->reason);
	KEY(f, "error");
	json_strz(f, q->error);
	KEY(f, "req_bytes");
	json_u64(f, r->req_body_bytes);
	KEY(f, "resp_bytes");
	json_u64(f, r->resp_body_bytes);
	KEY(f, "req_header_bytes");
	json_u64(f, r->req_header_bytes);
	KEY(f, "resp_header_bytes");
	json_u64(f, r->resp_header_bytes);
	KEY(f, "content_type");
	put_ht_str_or_null(f, r->content_type);
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, start));
	KEY(f, "total");
	json_ns_ms(f, t->total != REPORT_NONE && t->total < 0 ? REPORT_NONE : t->total);
	json_lit(f, ",\"ph\":[");
	ph.f = f;
	put_phase(&ph, "dns", ts[HT_T_DNS_DONE], t->dns);
	put_phase(&ph, "connect", ts[HT_T_CONNECT_DONE], t->connect);
	put_phase(&ph, "tls", ts[HT_T_TLS_DONE], t->tls);
	put_phase(&ph, "send", ts[HT_T_WROTE_REQUEST], t->send);
	put_phase(&ph, "wait", ts[HT_T_FIRST_BYTE], t->wait);
	put_phase(&ph, "receive", ts[HT_T_RESPONSE_DONE], t->receive);
	json_lit(f, "]}");
}

static int64_t span(uint64_t start, uint64_t end)
{
	if (start == 0 || end == 0)
		return REPORT_NONE;
	return (int64_t)(end - start);
}

static void html_conn_fail(report *rp, const ht_rec_conn_fail *c)
{
	outbuf *f = begin_record(rp);
	bool tls = c->flags & HT_FF_TLS;
	uint64_t start = report_earliest(
		report_earliest(c->t_dns_start, c->t_connect_start),
		report_earliest(c->t_tls_start, c->t_fail));
	uint64_t connect_end = tls ? c->t_connect_done : c->t_fail;
	phases ph = { .start = start };
	char peer[192], ip[64];

	if (f == NULL)
		return;
	json_lit(f, "\"k\":\"fail\",\"pid\":");
	json_u64(f, c->pid);
	KEY(f, "conn");
	json_u64(f, c->conn_id);
	KEY(f, "host");
	if (c->dns_name.len > 0)
		json_str(f, c->dns_name.p, c->dns_name.len);
	else
		json_str(f, ip, report_ip(ip, sizeof(ip), &c->peer));
	KEY(f, "peer");
	json_str(f, peer, report_peer(peer, sizeof(peer), &c->peer));
	KEY(f, "tls");
	json_bool(f, tls);
	KEY(f, "error");
	json_strz(f, tls ? "TLS handshake failed" : strerror(c->err));
	KEY(f, "start");
	json_ns_secs(f, report_unix_ns(rp, start));
	KEY(f, "total");
	json_ns_ms(f, c->t_fail >= start ? span(start, c->t_fail) : REPORT_NONE);
	json_lit(f, ",\"ph\":[");
	ph.f = f;
	put_phase(&ph, "dns", c->t_dns_done, span(c->t_dns_start, c->t_dns_done));
	put_phase(&ph, "connect", connect_end,
		  span(c->t_connect_start, connect_end));
	if (tls)
		put_phase(&ph, "tls", c->t_fail,
			  span(report_earliest(c->t_connect_done, c->t_tls_start),
			       c->t_fail));
	json_lit(f, "]}");
}

static void html_conn_close(report *rp, const ht_rec_conn_close *c)
{
	/* Closes are not drawn: a connection's bars end with its last
	 * response. */
}

/* ---- the page ----------------------------------------------------------- */

static const char page_css[] =
	":root{--dns:#17becf;--connect:#ff7f0e;--tls:#9467bd;--send:#7f7f7f;"
	"--wait:#2ca02c;--receive:#1f77b4;--bad:#c0392b}\n"
	"body{font:13px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:16px;color:#222;background:#fff}\n"
	"h1{font-size:18px;margin:0 0 4px}\n"
	".meta{color:#444;margin:0 0 6px}\n"
	"table.hosts{border-collapse:collapse;margin:4px 0 10px}\n"
	"table.hosts th,table.hosts td{padding:1px 10px;text-align:right;"
	"font-variant-numeric:tabular-nums}\n"
	"table.hosts th:first-child,table.hosts td:first-child{text-align:left;"
	"padding-left:0}\n"
	"#controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap;"
	"margin:8px 0}\n"
	"button{font:inherit;padding:1px 10px;border:1px solid #999;"
	"background:#f4f4f4;border-radius:3px;cursor:pointer}\n"
	"button[aria-pressed=true]{background:#2e86de;color:#fff;"
	"border-color:#2e86de}\n"
	".legend{display:flex;gap:12px;flex-wrap:wrap;margin-left:18px}\n"
	".sw{display:inline-block;width:12px;height:10px;margin-right:4px;"
	"vertical-align:-1px}\n"
	".row,.axisrow{display:grid;grid-template-columns:minmax(240px,32%) 1fr 90px;"
	"align-items:center;min-height:20px}\n"
	".row:hover{background:#eef5ff}\n"
	".label{overflow:hidden;white-space:nowrap;text-overflow:ellipsis;"
	"padding-right:8px}\n"
	".method{font-weight:600;margin-right:5px}\n"
	".status{margin-left:6px;color:#1e8449}\n"
	".bad .status{color:var(--bad);font-weight:600}\n"
	".mark-reused{margin-left:6px;font-size:11px;color:#2e86de;"
	"border:1px solid #2e86de;border-radius:3px;padding:0 3px}\n"
	".track{position:relative;height:14px;background:linear-gradient(#f3f3f3,#f3f3f3)"
	" 0 50%/100% 1px no-repeat}\n"
	".seg,.idle{position:absolute;top:0;height:100%;min-width:1px}\n"
	".seg-dns,.sw-dns{background:var(--dns)}\n"
	".seg-connect,.sw-connect{background:var(--connect)}\n"
	".seg-tls,.sw-tls{background:var(--tls)}\n"
	".seg-send,.sw-send{background:var(--send)}\n"
	".seg-wait,.sw-wait{background:var(--wait)}\n"
	".seg-receive,.sw-receive{background:var(--receive)}\n"
	".idle,.sw-idle{background:repeating-linear-gradient(45deg,#bbb 0 2px,"
	"#fff 2px 5px)}\n"
	".idle{top:25%;height:50%}\n"
	".failed .seg{box-shadow:inset 0 0 0 1px var(--bad)}\n"
	".failed .label,.error .label{color:var(--bad)}\n"
	".dur{text-align:right;font-variant-numeric:tabular-nums;color:#444}\n"
	".group{border-top:1px solid #ddd;padding:1px 0 3px}\n"
	".ghead{font-size:12px;color:#555;padding:3px 0 1px}\n"
	".failed-group .ghead{color:var(--bad)}\n"
	".axis{position:relative;height:18px;border-bottom:1px solid #bbb}\n"
	".tick{position:absolute;top:0;bottom:0;border-left:1px solid #bbb;"
	"padding-left:3px;font-size:11px;color:#666;white-space:nowrap}\n"
	".note{color:#666;font-size:12px;margin-top:10px}\n";

/* The page's script: reads the records, draws a row per request grouped by
 * connection on one time axis, and redraws on a sort button.  Every value
 * from a record goes into the DOM through textContent or an attribute
 * value, never as markup. */
static const char page_js[] =
	"(function () {\n"
	"'use strict';\n"
	"var PHASES = ['dns', 'connect', 'tls', 'send', 'wait', 'receive'];\n"
	"var data = JSON.parse(document.getElementById('ht-data').textContent);\n"
	"var recs = Array.isArray(data.records) ? data.records : [];\n"
	"var chart = document.getElementById('chart');\n"
	"var axis = document.getElementById('axis');\n"
	"var t0 = Infinity, t1 = -Infinity;\n"
	"var groups = new Map();\n"
	"function el(tag, cls, text) {\n"
	"  var e = document.createElement(tag);\n"
	"  if (cls) e.className = cls;\n"
	"  if (text !== undefined) e.textContent = text;\n"
	"  return e;\n"
	"}\n"
	"function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }\n"
	"function ms(v) { return v.toFixed(3) + ' ms'; }\n"
	"function short(v) {\n"
	"  if (v >= 1000) return (v / 1000).toFixed(2) + ' s';\n"
	"  return v.toFixed(v < 10 ? 2 : 1) + ' ms';\n"
	"}\n"
	"function bytes(n) {\n"
	"  if (n < 1000) return n + ' B';\n"
	"  if (n < 1e6) return (n / 1e3).toFixed(1) + ' kB';\n"
	"  return (n / 1e6).toFixed(1) + ' MB';\n"
	"}\n"
	"function str(v) { return typeof v === 'string' ? v : ''; }\n"
	"recs.forEach(function (r, i) {\n"
	"  r.i = i;\n"
	"  r.fail = r.k === 'fail';\n"
	"  r.s = num(r.start) === null ? 0 : r.start * 1000;\n"
	"  r.ph = Array.isArray(r.ph) ? r.ph.filter(function (p) {\n"
	"    return Array.isArray(p) && PHASES.indexOf(p[0]) >= 0 &&\n"
	"      num(p[1]) !== null && num(p[2]) !== null;\n"
	"  }) : [];\n"
	"  var end = 0;\n"
	"  r.ph.forEach(function (p) { end = Math.max(end, p[1] + p[2]); });\n"
	"  if (num(r.total) !== null && r.total > end) end = r.total;\n"
	"  r.dur = end;\n"
	"  r.idleMs = num(r.idle) !== null && r.idle > 0 ? r.idle : 0;\n"
	"  t0 = Math.min(t0, r.s - r.idleMs);\n"
	"  t1 = Math.max(t1, r.s + end);\n"
	"  var key = (r.fail ? 'f' : 'c') + r.pid + ':' + r.conn;\n"
	"  var g = groups.get(key);\n"
	"  if (!g) {\n"
	"    g = { fail: r.fail, pid: r.pid, conn: r.conn, host: str(r.host),\n"
	"          peer: str(r.peer), first: r, rows: [] };\n"
	"    groups.set(key, g);\n"
	"  }\n"
	"  g.rows.push(r);\n"
	"});\n"
	"var glist = Array.from(groups.values());\n"
	"glist.forEach(function (g) {\n"
	"  /* A loop, not Math.min.apply: a connection may carry more requests\n"
	"   * than a call takes arguments. */\n"
	"  g.i = g.rows[0].i;\n"
	"  g.s = Infinity;\n"
	"  g.dur = 0;\n"
	"  g.rows.forEach(function (r) {\n"
	"    g.s = Math.min(g.s, r.s);\n"
	"    g.dur = Math.max(g.dur, r.dur);\n"
	"  });\n"
	"});\n"
	"var span = t1 > t0 ? t1 - t0 : 1;\n"
	"function pct(t) { return ((t - t0) / span * 100) + '%'; }\n"
	"function place(e, from, len) {\n"
	"  e.style.left = pct(from);\n"
	"  e.style.width = (len / span * 100) + '%';\n"
	"}\n"
	"function pathOf(url) {\n"
	"  var m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\\/\\/[^\\/]*/.exec(url);\n"
	"  var p = m ? url.slice(m[0].length) : url;\n"
	"  return p || url;\n"
	"}\n"
	"function details(r) {\n"
	"  var l = [];\n"
	"  if (r.fail) {\n"
	"    l.push('connection failed: ' + str(r.host) + ' (' + str(r.peer) + ')');\n"
	"    l.push('error: ' + str(r.error));\n"
	"  } else {\n"
	"    l.push(str(r.method) + ' ' + str(r.url));\n"
	"    var st = r.status === null ? 'no response' :\n"
	"      String(r.status) + (r.status_text ? ' ' + r.status_text : '');\n"
	"    var proto = str(r.proto);\n"
	"    if (r.tls) proto += ' ' + str(r.tls_version) +\n"
	"      (r.alpn ? ' alpn ' + r.alpn : '');\n"
	"    l.push(st + '  ' + proto);\n"
	"    l.push('pid ' + r.pid + '  conn ' + r.conn + '  request ' + r.req +\n"
	"      (r.reused ? '  reused' + (r.idleMs ? ', idle ' + ms(r.idleMs) : '')\n"
	"                : '  new connection'));\n"
	"  }\n"
	"  r.ph.forEach(function (p) { l.push(p[0] + ': ' + ms(p[2])); });\n"
	"  if (num(r.total) !== null) l.push('total: ' + ms(r.total));\n"
	"  if (!r.fail) {\n"
	"    l.push('sent ' + bytes(r.req_bytes) + ' (+' + r.req_header_bytes +\n"
	"      ' header)  received ' + bytes(r.resp_bytes) + ' (+' +\n"
	"      r.resp_header_bytes + ' header)' +\n"
	"      (r.content_type ? '  ' + r.content_type : ''));\n"
	"    if (r.error) l.push('error: ' + r.error);\n"
	"  }\n"
	"  return l.join('\\n');\n"
	"}\n"
	"function row(r) {\n"
	"  var bad = r.fail || !!r.error || (r.status !== null && r.status >= 400);\n"
	"  var e = el('div', 'row ' + (r.fail ? 'failed' : 'req'));\n"
	"  if (r.reused) e.classList.add('reused');\n"
	"  if (r.error) e.classList.add('error');\n"
	"  if (bad) e.classList.add('bad');\n"
	"  var label = el('div', 'label');\n"
	"  if (r.fail) {\n"
	"    label.appendChild(el('span', 'method', 'connect'));\n"
	"    label.appendChild(el('span', 'path', str(r.peer) || str(r.host)));\n"
	"    label.appendChild(el('span', 'status', 'failed: ' + str(r.error)));\n"
	"  } else {\n"
	"    label.appendChild(el('span', 'method', str(r.method)));\n"
	"    label.appendChild(el('span', 'path', pathOf(str(r.url))));\n"
	"    label.appendChild(el('span', 'status', r.status !== null ?\n"
	"      String(r.status) : str(r.error) || 'no response'));\n"
	"    if (r.reused) label.appendChild(el('span', 'mark-reused', '\\u21bb reused'));\n"
	"  }\n"
	"  var track = el('div', 'track');\n"
	"  if (r.idleMs) {\n"
	"    var idle = el('div', 'idle');\n"
	"    place(idle, r.s - r.idleMs, r.idleMs);\n"
	"    track.appendChild(idle);\n"
	"  }\n"
	"  r.ph.forEach(function (p) {\n"
	"    var s = el('div', 'seg seg-' + p[0]);\n"
	"    s.setAttribute('data-phase', p[0]);\n"
	"    place(s, r.s + p[1], p[2]);\n"
	"    track.appendChild(s);\n"
	"  });\n"
	"  e.appendChild(label);\n"
	"  e.appendChild(track);\n"
	"  e.appendChild(el('div', 'dur', short(num(r.total) !== null ? r.total : r.dur)));\n"
	"  e.title = details(r);\n"
	"  return e;\n"
	"}\n"
	"function ghead(g) {\n"
	"  var f = g.first, reused = g.rows.filter(function (r) { return r.reused; }).length;\n"
	"  if (g.fail)\n"
	"    return 'pid ' + g.pid + '  conn ' + g.conn + '  ' + g.host + ' (' + g.peer +\n"
	"      ')  connection failed';\n"
	"  var where = g.peer.indexOf(g.host + ':') === 0 || !g.host ? g.peer :\n"
	"    g.host + (g.peer ? ' (' + g.peer + ')' : '');\n"
	"  var t = 'pid ' + g.pid + '  conn ' + g.conn + '  ' + where + '  ' + str(f.proto);\n"
	"  if (f.tls) t += '  ' + (str(f.tls_version) || 'TLS');\n"
	"  t += '  ' + g.rows.length + (g.rows.length === 1 ? ' request' : ' requests');\n"
	"  if (reused) t += ', ' + reused + ' reused';\n"
	"  return t;\n"
	"}\n"
	"var ORDER = {\n"
	"  start: function (a, b) { return a.s - b.s || a.i - b.i; },\n"
	"  duration: function (a, b) { return b.dur - a.dur || a.s - b.s || a.i - b.i; },\n"
	"  host: function (a, b) {\n"
	"    var x = str(a.host), y = str(b.host);\n"
	"    return (x < y ? -1 : x > y ? 1 : 0) || a.s - b.s || a.i - b.i;\n"
	"  }\n"
	"};\n"
	"function drawAxis() {\n"
	"  axis.textContent = '';\n"
	"  var raw = span / 8, p = Math.pow(10, Math.floor(Math.log10(raw)));\n"
	"  var step = [1, 2, 5, 10].map(function (m) { return m * p; })\n"
	"    .filter(function (s) { return s >= raw; })[0];\n"
	"  for (var v = 0; v < span; v += step) {\n"
	"    var t = el('div', 'tick', v === 0 ? '0' : short(v));\n"
	"    t.style.left = (v / span * 100) + '%';\n"
	"    axis.appendChild(t);\n"
	"  }\n"
	"}\n"
	"function draw(key) {\n"
	"  var cmp = ORDER[key] || ORDER.start;\n"
	"  var within = key === 'duration' ? ORDER.duration : ORDER.start;\n"
	"  chart.textContent = '';\n"
	"  glist.slice().sort(cmp).forEach(function (g) {\n"
	"    var ge = el('div', 'group' + (g.fail ? ' failed-group' : ''));\n"
	"    ge.setAttribute('data-pid', String(g.pid));\n"
	"    ge.setAttribute('data-conn', String(g.conn));\n"
	"    ge.appendChild(el('div', 'ghead', ghead(g)));\n"
	"    g.rows.slice().sort(within).forEach(function (r) { ge.appendChild(row(r)); });\n"
	"    chart.appendChild(ge);\n"
	"  });\n"
	"  document.querySelectorAll('#controls button').forEach(function (b) {\n"
	"    b.setAttribute('aria-pressed', String(b.getAttribute('data-sort') === key));\n"
	"  });\n"
	"  document.body.setAttribute('data-sort', key);\n"
	"}\n"
	"document.querySelectorAll('#controls button').forEach(function (b) {\n"
	"  b.addEventListener('click', function () { draw(b.getAttribute('data-sort')); });\n"
	"});\n"
	"if (recs.length === 0) {\n"
	"  chart.appendChild(el('p', 'note', 'No requests were traced.'));\n"
	"} else {\n"
	"  drawAxis();\n"
	"  var m = /[#&]sort=(start|duration|host)/.exec(location.hash);\n"
	"  draw(m ? m[1] : 'start');\n"
	"  document.getElementById('origin').textContent = 'Time 0 is ' +\n"
	"    new Date(t0).toISOString() + '; bars are placed on one axis from each '\n"
	"    + 'request\\'s start.  Hover a row for its details.';\n"
	"}\n"
	"document.body.setAttribute('data-rendered', String(recs.length));\n"
	"})();\n";

/* Legend entries: class suffix and label. */
static const char *const legend[][2] = {
	{ "dns", "DNS lookup" },   { "connect", "TCP connect" },
	{ "tls", "TLS handshake" }, { "send", "request sent" },
	{ "wait", "server processing" }, { "receive", "content transfer" },
	{ "idle", "idle on a reused connection" },
};

/* A fresh nonce for the page's Content-Security-Policy: 32 hex digits. */
static void make_nonce(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* No entropy yet (early boot): unguessable enough for a
		 * local file, and a nonce is defence in depth here. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^
		    (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid();
		for (size_t i = 0; i < sizeof(r); i++) {
			x ^= x >> 29;
			x *= 0xBF58476D1CE4E5B9ULL;
			r[i] = (unsigned char)(x >> 56);
		}
	}
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[32] = '\0';
}

/* A count in decimal, to the page's FILE. */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[JSON_U64_MAX_LEN];

	fwrite_unlocked(buf, 1, (size_t)(json_fmt_u64(buf, v) - buf), f);
}

/* A duration as "1.250 ms", or "-" when absent. */
static void put_ms(FILE *f, int64_t ns)
{
	char buf[JSON_NS_MAX_LEN];

	if (ns == REPORT_NONE || ns < 0) {
		fputs_unlocked("-", f);
		return;
	}
	fwrite_unlocked(buf, 1, (size_t)(json_fmt_ns_ms(buf, ns) - buf), f);
	fputs_unlocked(" ms", f);
}

/* The summary in HTML: counts, then p50/p95 per host. */
static void put_summary(report *rp, const html_state *st)
{
	FILE *f = rp->out;
	const report_stats *s = &rp->stats;
	report_host_stat **hosts;
	size_t n;

	fputs_unlocked("<p class=\"meta\" id=\"summary\">", f);
	put_u64(f, s->requests);
	fputs_unlocked(" requests, ", f);
	put_u64(f, report_connections(rp));
	fputs_unlocked(" connections, ", f);
	put_u64(f, s->reused);
	fputs_unlocked(" on a reused connection, ", f);
	put_u64(f, s->errors);
	fputs_unlocked(" errors, ", f);
	put_u64(f, s->conn_fails);
	fputs_unlocked(" failed connects, ", f);
	put_u64(f, s->processes);
	fputs_unlocked(" processes", f);
	if (s->tls_undecoded > 0) {
		fputs_unlocked("; ", f);
		put_u64(f, s->tls_undecoded);
		fputs_unlocked(" TLS connections not decoded (unknown TLS "
			       "library, counted in connections)", f);
	}
	if (report_dropped(rp) > 0 || s->malformed > 0 ||
	    (st != NULL && st->lost > 0)) {
		fputs_unlocked("; incomplete: ", f);
		put_u64(f, report_dropped(rp));
		fputs_unlocked(" dropped by the traced processes, ", f);
		put_u64(f, s->malformed);
		fputs_unlocked(" malformed, ", f);
		put_u64(f, st != NULL ? st->lost : 0);
		fputs_unlocked(" left out (out of memory)", f);
	}
	fputs_unlocked("</p>\n", f);

	hosts = report_hosts_sorted(rp, &n);
	if (n == 0) {
		free(hosts);
		return;
	}
	fputs_unlocked("<table class=\"hosts\"><thead><tr><th>host</th>"
		       "<th>requests</th><th>errors</th><th>p50</th><th>p95</th>"
		       "</tr></thead><tbody>\n", f);
	for (size_t i = 0; i <= n; i++) {
		const report_host_stat *h = i < n ? hosts[i] : &s->other_hosts;
		/* The hosts past REPORT_MAX_HOSTS: one row. */
		const char *name = i < n ? h->name : "(other hosts)";

		if (i == n && h->requests == 0)
			break;
		fputs_unlocked("<tr><td>", f);
		html_text(f, name, strlen(name));
		fputs_unlocked("</td><td>", f);
		put_u64(f, h->requests);
		fputs_unlocked("</td><td>", f);
		put_u64(f, h->errors);
		fputs_unlocked("</td><td>", f);
		put_ms(f, report_percentile(&h->totals, 50));
		fputs_unlocked("</td><td>", f);
		put_ms(f, report_percentile(&h->totals, 95));
		fputs_unlocked("</td></tr>\n", f);
	}
	fputs_unlocked("</tbody></table>\n", f);
	free(hosts);
}

static void html_summary(report *rp)
{
	FILE *f = rp->out;
	html_state *st = rp->fmt_state;
	char nonce[33];

	make_nonce(nonce);
	fputs_unlocked("<!DOCTYPE html>\n<html lang=\"en\"><head>"
		       "<meta charset=\"utf-8\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" "
		       "content=\"default-src 'none'; img-src data:; "
		       "style-src 'nonce-", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("'; script-src 'nonce-", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("'\">\n<meta name=\"viewport\" "
		       "content=\"width=device-width,initial-scale=1\">\n"
		       "<meta name=\"generator\" content=\"httptrace "
		       HTTPTRACE_VERSION "\">\n"
		       "<title>httptrace waterfall</title>\n<style nonce=\"", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("\">\n", f);
	fputs_unlocked(page_css, f);
	fputs_unlocked("</style>\n</head>\n<body>\n<header>\n"
		       "<h1>httptrace waterfall</h1>\n", f);
	put_summary(rp, st);
	fputs_unlocked("</header>\n<div id=\"controls\">sort by "
		       "<button type=\"button\" data-sort=\"start\" "
		       "aria-pressed=\"true\">start time</button>"
		       "<button type=\"button\" data-sort=\"duration\" "
		       "aria-pressed=\"false\">duration</button>"
		       "<button type=\"button\" data-sort=\"host\" "
		       "aria-pressed=\"false\">host</button>"
		       "<span class=\"legend\" id=\"legend\">", f);
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++) {
		fputs_unlocked("<span><span class=\"sw sw-", f);
		fputs_unlocked(legend[i][0], f);
		fputs_unlocked("\"></span>", f);
		fputs_unlocked(legend[i][1], f);
		fputs_unlocked("</span>", f);
	}
	fputs_unlocked("</span></div>\n"
		       "<div class=\"axisrow\"><div></div>"
		       "<div class=\"axis\" id=\"axis\"></div><div></div></div>\n"
		       "<div id=\"chart\"></div>\n"
		       "<p class=\"note\" id=\"origin\"></p>\n"
		       "<noscript><p>The waterfall is drawn by the page's script; "
		       "the records are in the script element "
		       "#ht-data as JSON.</p></noscript>\n"
		       "<script type=\"application/json\" id=\"ht-data\">"
		       "{\"version\":\"" HTTPTRACE_VERSION "\",\"records\":[", f);
	if (st != NULL && st->mem != NULL && outbuf_flush(&st->ob) == 0 &&
	    fflush(st->mem) == 0 &&
	    !ferror(st->mem))
		html_script_json(f, st->buf, st->len);
	fputs_unlocked("\n]}</script>\n<script nonce=\"", f);
	fputs_unlocked(nonce, f);
	fputs_unlocked("\">\n", f);
	fputs_unlocked(page_js, f);
	fputs_unlocked("</script>\n</body>\n</html>\n", f);
}

static void html_free(report *rp)
{
	html_state *st = rp->fmt_state;

	if (st == NULL)
		return;
	if (st->mem != NULL) {
		outbuf_free(&st->ob);
		fclose(st->mem);
	}
	free(st->buf);
	free(st);
	rp->fmt_state = NULL;
}

const report_format_ops report_html_ops = {
	.request = html_request,
	.conn_fail = html_conn_fail,
	.conn_close = html_conn_close,
	.summary = html_summary,
	.free = html_free,
};
