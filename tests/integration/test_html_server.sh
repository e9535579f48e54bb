#!/bin/bash
# test_html_server.sh - -f html draws a traced server's rows, checked in
# real headless Chromium.
#
# server.py runs under httptrace -f html; an untraced curl makes three
# keep-alive requests on one connection (/bytes/10, /delay/20 and a 404)
# and one answered 500 on another.  The DOM Chromium's run of the page's
# script builds must show: one row per request, marked as served (class
# "server", a "served" mark), in two groups headed "served to" the client;
# each row's segments the record's own phases (accept, read, processing,
# write: data-phase) in the colours of the client's (seg-connect, seg-send,
# seg-wait, seg-receive); the /delay/20 row's processing at least the 20 ms
# the server slept; the 404 not marked bad (a client's fault), the 500
# marked; the hover text "served: GET URL" with the phases; the legend
# listing the server's phases.  Before the html format drew servers' rows,
# the page had none (data-rendered 0).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium not installed (scripts/install-deps.sh installs it)"

port=$(free_port)
"$HTTPTRACE" -f html -o "$T/page.html" -- \
	"$PY" "$SERVER_PY" "$port" 127.0.0.1 --log "$T/served.log" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced server did not start"
u=http://127.0.0.1:$port
curl -s -D "$T/headers" -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/10" "$u/delay/20" "$u/status/404" || fail "curl failed"
curl -s -o /dev/null "$u/status/500" || fail "curl (500) failed"
[ "$(grep '^X-Conn-Req:' "$T/headers" | tr -d '\r' | cut -d' ' -f2 | tr -d '\n')" = 123 ] ||
	{ show "$T/headers"; fail "curl did not reuse its connection (premise)"; }
kill -TERM "$tpid"
wait "$tpid" || true
[ -s "$T/page.html" ] || { show "$T/server.out"; fail "no page"; }

timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking --disable-component-update \
	--disable-sync --disable-default-apps --user-data-dir="$T/profile" \
	--dump-dom "file://$T/page.html" >"$T/dom.html" 2>>"$T/chromium.log" ||
	{ show "$T/chromium.log"; fail "chromium --dump-dom failed"; }

PYTHONPATH=$TESTS_DIR "$PY" - "$T/dom.html" "$u" <<'PYEOF' || { show "$T/dom.html"; fail "the page does not draw the server's rows"; }
import json, sys
from domtree import parse

dom_path, base = sys.argv[1:]
problems = []

def check(cond, what):
    if not cond:
        problems.append(what)

root = parse(dom_path)
body = root.find(lambda n: n.tag == "body")[0]
check(body.attrs.get("data-rendered") == "4",
      "data-rendered %r, not 4 records" % body.attrs.get("data-rendered"))
recs = json.loads(root.find(lambda n: n.attrs.get("id") == "ht-data")[0].textall())["records"]
check(len(recs) == 4 and all(r.get("side") == "server" for r in recs),
      "records %r" % [(r.get("url"), r.get("side")) for r in recs])

COLOUR = {"accept": "connect", "tls": "tls", "read": "send",
          "processing": "wait", "write": "receive"}
rows = root.find(lambda n: n.has("row"))
groups = root.find(lambda n: n.has("group"))
check(len(rows) == 4, "%d rows, not 4" % len(rows))
check(len(groups) == 2, "%d groups, not 2" % len(groups))
for g in groups:
    head = g.find(lambda n: n.has("ghead"))[0].textall()
    check("served to 127.0.0.1:" in head, "group head %r" % head)
check(sorted(len(g.find(lambda n: n.has("row"))) for g in groups) == [1, 3],
      "rows per group")
by_line = {"served: %s %s" % (r["method"], r["url"]): r for r in recs}
seen = set()
for row in rows:
    title = row.attrs.get("title", "")
    line = title.split("\n")[0]
    rec = by_line.get(line)
    if rec is None:
        problems.append("row %r has no record" % line)
        continue
    seen.add(line)
    check(row.has("server"), line + ": no class server")
    check(row.find(lambda n: n.has("mark-server")), line + ": no 'served' mark")
    segs = row.find(lambda n: n.has("seg"))
    names = [s.attrs.get("data-phase") for s in segs]
    check(names == [p[0] for p in rec["ph"]], "%s: segments %r, record %r" % (line, names, rec["ph"]))
    check(all(n in COLOUR for n in names) and "read" in names and "processing" in names
          and "write" in names, "%s: phases %r" % (line, names))
    for s, n in zip(segs, names):
        check(s.has("seg-" + COLOUR.get(n, "?")), "%s: %s drawn as %r" % (line, n, s.cls()))
    for p in rec["ph"]:
        check("%s: %.3f ms" % (p[0], p[2]) in title, "%s: title lacks %s" % (line, p[0]))
    bad = rec["status"] >= 500
    check(row.has("bad") == bad, "%s: bad %r, status %r" % (line, row.has("bad"), rec["status"]))
    if line.endswith("/delay/20"):
        proc = [p[2] for p in rec["ph"] if p[0] == "processing"]
        check(proc and proc[0] >= 20, "/delay/20: processing %r" % proc)
check(len(seen) == 4, "rows matched %r" % sorted(seen))
check(any(l.endswith(base + "/status/404") for l in seen), "premise: the 404")
legend = root.find(lambda n: n.attrs.get("id") == "legend")[0].textall()
for w in ("served:", "accept", "read", "processing", "write"):
    check(w in legend, "legend lacks %r: %r" % (w, legend))
if problems:
    for p in problems:
        print("html server: " + p, file=sys.stderr)
    sys.exit(1)
PYEOF
pass
