#!/bin/bash
# test_nonhttp_fragment.sh - a traced process that talks to itself over
# loopback with bytes that never form an HTTP request line's method and
# its SP (repro_nonhttp.py: "foo" echoed back, 1 MiB of letters, one byte
# "M" then a close, "FOO\n" answered, a silent connection; shaped like
# CPython's test_socket and test_ssl) has no record, client or server, and
# errors 0.  And a traced http.server answering request lines of every
# token shape (custom, GETs, CUSTOM, XYZBOGUS, GET, m-search) has one
# server record for each line its own log has, as its client has.
# Before: "foo" was a client record "malformed response", "M" a client
# record "connection closed before the response completed" and a server
# record "connection closed before any response"; custom, GETs and
# m-search had no server record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
REPRO="$(dirname "$0")/repro_nonhttp.py"

for c in foo letters one FOO silent; do
	"$HTTPTRACE" -f json -o "$T/$c.json" -- "$PY" "$REPRO" "$c" \
		>"$T/$c.out" 2>&1 || { show "$T/$c.out"; fail "$c: the program failed"; }
	grep -qx "$c ok" "$T/$c.out" || { show "$T/$c.out"; fail "$c: no ok"; }
	jcheck "$T/$c.json" --event request --count 0 ||
		{ show "$T/$c.json"; fail "$c: bytes that were no request line reported as requests"; }
	jcheck "$T/$c.json" --event summary --count 1 \
		--each 'requests == 0 and errors == 0 and connections == 0' ||
		{ show "$T/$c.json"; fail "$c: the summary counts errors"; }
done

"$HTTPTRACE" -f json -o "$T/m.json" -- "$PY" "$REPRO" methods \
	>"$T/m.out" 2>"$T/m.log" || { show "$T/m.log"; fail "methods: the program failed"; }
"$PY" - "$T/m.json" "$T/m.log" <<'PYEOF' || { show "$T/m.log"; show "$T/m.json"; fail "methods: records are not the server's log"; }
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
logged = sorted(re.findall(r'"(\S+) (\S+) HTTP/1\.1" (\d+)', open(sys.argv[2]).read()))
assert len(logged) == 6, logged
def rows(side):
    return sorted((r["method"], "/" + r["url"].split("/", 3)[3], str(r["status"]))
                  for r in recs if r["event"] == "request" and r.get("side") == side)
assert rows("server") == logged, (rows("server"), logged)
assert rows(None) == logged, (rows(None), logged)
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["errors"] == 0 and summ.get("server_errors", 0) == 0, summ
assert not summ.get("not_traced"), summ
PYEOF
pass
