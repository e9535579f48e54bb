#!/bin/bash
# test_html_chromium.sh - -f html, checked in real headless Chromium.
#
# curl makes three keep-alive requests on one connection (two reused), one
# to a hostile URL that tries to close the data <script> and inject markup,
# one answered 500, and a connect to a closed port (a failed connect), all
# under one httptrace -f html.  Chromium loads the page (file://, no
# network) and dumps the DOM its script built; the dump must show:
#   - one row per request and one for the failed connect, grouped by
#     connection (the keep-alive group holds three rows, two marked reused);
#   - the expected segments per row (connect+send+wait+receive on a new
#     plain connection, send+wait+receive on a reused one, connect alone
#     for the failed connect), each placed at exactly the position and
#     width the page's own JSON gives (left = (start + offset - t0) / span,
#     width = duration / span);
#   - a title (hover text) per row with method, URL, status, phases, bytes;
#   - the hostile URL as text only: no injected element or attribute, the
#     title unchanged, exactly the page's two script elements;
#   - "#sort=duration" orders the groups by their longest request.
# A screenshot is taken (saved to $HTML_SHOT when set).  Then the same
# format under `httptrace listen`: the page is written at SIGTERM.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium not installed (scripts/install-deps.sh installs it)"
start_server
u=http://127.0.0.1:$SERVER_PORT
bad=$(closed_port)
# A path that would run script if it reached the page as markup.
hostile="/x</script><script>document.title='PWNED'</script><img/src/onerror=document.documentElement.setAttribute('data-pwned','1')>"
printf '%s' "$hostile" >"$T/hostile"

cat >"$T/client.sh" <<EOF
curl -s -D "$T/headers" -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/10" "$u/delay/20" "$u/bytes/30000"
curl -s -g -o /dev/null "$u\$(cat "$T/hostile")"
curl -s -o /dev/null "$u/status/500"
curl -s -o /dev/null "http://127.0.0.1:$bad/" # refused: exit 7
exit 0
EOF

"$HTTPTRACE" -f html -o "$T/page.html" -- sh "$T/client.sh" ||
	fail "httptrace -f html exited $?"
[ "$(grep '^X-Conn-Req:' "$T/headers" | tr -d '\r' | cut -d' ' -f2 | tr -d '\n')" = 123 ] ||
	{ show "$T/headers"; fail "curl did not reuse its connection (server side)"; }

# The page is self-contained: nothing it would fetch.
if grep -Eiq '<(link|img|iframe|object|embed)[ >]|<script[^>]* src=|@import|url\((https?:|//)' "$T/page.html"; then
	fail "the page refers to an external resource"
fi

chromium_run() {
	# Every flag that keeps Chromium off the network and out of $HOME.
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-default-apps --user-data-dir="$T/profile" "$@" \
		2>>"$T/chromium.log"
}
chromium_run --dump-dom "file://$T/page.html" >"$T/dom.html" ||
	{ show "$T/chromium.log"; fail "chromium --dump-dom failed"; }
chromium_run --dump-dom "file://$T/page.html#sort=duration" >"$T/dom-duration.html" ||
	{ show "$T/chromium.log"; fail "chromium --dump-dom (sort=duration) failed"; }
chromium_run --screenshot="$T/shot.png" --window-size=1200,800 --hide-scrollbars \
	"file://$T/page.html" >/dev/null ||
	{ show "$T/chromium.log"; fail "chromium --screenshot failed"; }
[ -n "${HTML_SHOT:-}" ] && cp "$T/shot.png" "$HTML_SHOT"

PYTHONPATH=$TESTS_DIR "$PY" - "$T/dom.html" "$T/dom-duration.html" "$T/shot.png" "$u" "$hostile" "$bad" <<'PYEOF' ||
import json, re, struct, sys
from domtree import parse

dom_path, dur_path, shot, base, hostile, bad_port = sys.argv[1:]
problems = []

def check(cond, what):
    if not cond:
        problems.append(what)

root = parse(dom_path)
html = root.find(lambda n: n.tag == "html")[0]
body = root.find(lambda n: n.tag == "body")[0]
title = root.find(lambda n: n.tag == "title")[0].textall()

# The hostile URL did nothing: same title, no attribute, no element, only
# the page's own two scripts.
check(title == "httptrace waterfall", "title changed to %r" % title)
check("data-pwned" not in html.attrs, "injected attribute on <html>")
check(not root.find(lambda n: n.tag in ("img", "iframe", "object")),
      "an injected element is in the DOM")
scripts = root.find(lambda n: n.tag == "script")
check(len(scripts) == 2, "%d script elements, not 2" % len(scripts))
check(body.attrs.get("data-rendered") == "6",
      "data-rendered %r, not 6 records" % body.attrs.get("data-rendered"))

data = json.loads(root.find(lambda n: n.attrs.get("id") == "ht-data")[0].textall())
recs = data["records"]
check(len(recs) == 6, "%d records in the page's JSON" % len(recs))

groups = root.find(lambda n: n.has("group"))
rows = root.find(lambda n: n.has("row"))
check(len(rows) == 6, "%d rows, not 6" % len(rows))
check(len(groups) == 4, "%d connection groups, not 4" % len(groups))

def row_url(r):
    return r.attrs.get("title", "").split("\n")[0]

# Every record's segments, where the page says they go.
t0 = min(r["start"] * 1000 - (r.get("idle") or 0) for r in recs)
t1 = max(r["start"] * 1000 + max([p[1] + p[2] for p in r["ph"]] + [r["total"] or 0])
         for r in recs)
span = t1 - t0

def pct(style, prop):
    m = re.search(r"(?:^|;)\s*%s:\s*([-0-9.e]+)%%" % prop, style)
    return float(m.group(1)) if m else None

by_line = {}
for r in recs:
    line = ("%s %s" % (r["method"], r["url"]) if r["k"] == "req" else
            "connection failed: %s (%s)" % (r["host"], r["peer"]))
    by_line[line] = r
for row in rows:
    line = row_url(row)
    rec = by_line.get(line)
    if rec is None:
        problems.append("row %r has no record" % line)
        continue
    segs = row.find(lambda n: n.has("seg"))
    phases = [s.attrs.get("data-phase") for s in segs]
    check(phases == [p[0] for p in rec["ph"]],
          "%s: segments %r, record %r" % (line, phases, rec["ph"]))
    for s, p in zip(segs, rec["ph"]):
        left, width = pct(s.attrs.get("style", ""), "left"), pct(s.attrs.get("style", ""), "width")
        want_l = (rec["start"] * 1000 + p[1] - t0) / span * 100
        want_w = p[2] / span * 100
        check(left is not None and abs(left - want_l) < 1e-6 * 100,
              "%s %s: left %r, want %r" % (line, p[0], left, want_l))
        check(width is not None and abs(width - want_w) < 1e-6 * 100,
              "%s %s: width %r, want %r" % (line, p[0], width, want_w))
        # (to 0.01%: starts are ms since 1970, whose doubles keep 0.24 us)
        check(-0.01 <= want_l and want_l + want_w <= 100.01,
              "%s %s: outside the axis" % (line, p[0]))
    title_attr = row.attrs.get("title", "")
    for p in rec["ph"]:
        check("%s: %.3f ms" % (p[0], p[2]) in title_attr,
              "%s: title lacks the %s time: %r" % (line, p[0], title_attr))

def row_for(path):
    m = [r for r in rows if row_url(r) == "GET " + base + path]
    check(len(m) == 1, "one row for %s, found %d" % (path, len(m)))
    return m[0] if m else None

ka = [row_for(p) for p in ("/bytes/10", "/delay/20", "/bytes/30000")]
hostile_row = row_for(hostile)
err_row = row_for("/status/500")
fail_rows = [r for r in rows if r.has("failed")]
check(len(fail_rows) == 1, "%d failed-connect rows, not 1" % len(fail_rows))

def phases(row):
    return [s.attrs.get("data-phase") for s in row.find(lambda n: n.has("seg"))]

if None not in ka:
    # One group holds the keep-alive requests; the first is new, the
    # other two are marked reused.
    check(ka[0].parent is ka[1].parent is ka[2].parent,
          "keep-alive requests not in one group")
    head = ka[0].parent.find(lambda n: n.has("ghead"))[0].textall()
    check("3 requests, 2 reused" in head, "group head %r" % head)
    check(phases(ka[0]) == ["connect", "send", "wait", "receive"],
          "first request segments %r" % phases(ka[0]))
    for r in ka[1:]:
        check(phases(r) == ["send", "wait", "receive"],
              "reused request segments %r" % phases(r))
        check(r.has("reused") and r.find(lambda n: n.has("mark-reused")),
              "reused request without its marker")
        check("reused" in r.attrs["title"], "title does not say reused")
    check(not ka[0].has("reused") and not ka[0].find(lambda n: n.has("mark-reused")),
          "first request marked reused")
    t = ka[0].attrs["title"]
    for want in ("GET " + base + "/bytes/10", "200 OK", "received 10 B", "total: "):
        check(want in t, "title lacks %r: %r" % (want, t))
    reused_marks = root.find(lambda n: n.has("mark-reused"))
    check(len(reused_marks) == 2, "%d reused markers, not 2" % len(reused_marks))
if hostile_row is not None:
    label = hostile_row.find(lambda n: n.has("path"))[0].textall()
    check(label == hostile, "hostile path shown as %r" % label)
if err_row is not None:
    check(err_row.has("bad"), "the 500 is not marked bad")
    st = err_row.find(lambda n: n.has("status"))[0].textall()
    check(st == "500", "status shown %r" % st)
if fail_rows:
    f = fail_rows[0]
    check(phases(f) == ["connect"], "failed connect segments %r" % phases(f))
    check("127.0.0.1:" + bad_port in f.attrs.get("title", ""), "failed connect title")
    check("Connection refused" in f.textall(), "failed connect label %r" % f.textall())

# The legend names the six phases.
legend = root.find(lambda n: n.attrs.get("id") == "legend")[0]
for ph in ("dns", "connect", "tls", "send", "wait", "receive"):
    check(legend.find(lambda n, ph=ph: n.has("sw-" + ph)), "legend lacks " + ph)

# #sort=duration: groups ordered by their longest request, longest first.
droot = parse(dur_path)
dbody = droot.find(lambda n: n.tag == "body")[0]
check(dbody.attrs.get("data-sort") == "duration", "sort=duration not applied")
durs = []
for g in droot.find(lambda n: n.has("group")):
    ms = []
    for r in g.find(lambda n: n.has("row")):
        rec = by_line.get(row_url(r))
        if rec is not None:
            ms.append(max([p[1] + p[2] for p in rec["ph"]] + [rec["total"] or 0]))
    durs.append(max(ms))
check(durs == sorted(durs, reverse=True), "groups not by duration: %r" % durs)
pressed = droot.find(lambda n: n.tag == "button" and n.attrs.get("aria-pressed") == "true")
check([b.attrs.get("data-sort") for b in pressed] == ["duration"], "pressed button")

# The screenshot is a PNG of the window size.
png = open(shot, "rb").read()
check(png[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
if len(png) > 24:
    w, h = struct.unpack(">II", png[16:24])
    check((w, h) == (1200, 800), "screenshot %dx%d" % (w, h))

if problems:
    for p in problems:
        print("html: " + p, file=sys.stderr)
    sys.exit(1)
PYEOF
	{ show "$T/dom.html"; fail "the page's DOM is not as expected"; }

# listen -f html: the page is written when the collector gets SIGTERM.
"$HTTPTRACE" listen -s "$T/ht.sock" -f html -o "$T/listen.html" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 1 100); do [ -S "$T/ht.sock" ] && break; sleep 0.1; done
[ -S "$T/ht.sock" ] || fail "listen did not create its socket"
eval "$("$HTTPTRACE" env -s "$T/ht.sock")"
curl -s -o /dev/null -o /dev/null "$u/bytes/5" "$u/bytes/6" ||
	fail "curl under listen failed"
unset LD_PRELOAD HTTPTRACE_SOCKET
[ ! -s "$T/listen.html" ] || fail "listen wrote the page before SIGTERM"
kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $? at SIGTERM"
grep -q '</html>' "$T/listen.html" || fail "no page after SIGTERM"
n=$(grep -c '^{"k":"req"' "$T/listen.html" || true)
[ "$n" = 2 ] || { show "$T/listen.html"; fail "listen page has $n requests, not 2"; }
pass
