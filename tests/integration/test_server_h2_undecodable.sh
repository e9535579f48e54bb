#!/bin/bash
# test_server_h2_undecodable.sh - a traced node HTTP/2 server whose client
# (h2settings_client.py bad) sends, after one good request, a HEADERS on
# stream 3 whose block cannot be decoded: the good request is recorded as
# the server's log says, stream 3 is counted (a server record with the
# error "malformed request", no method or path), and the summary says the
# connection was not followed.  Before, the reader gave up silently:
# stream 3 and anything after it went uncounted, no note.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	node "$TESTS_DIR/h2settings_server.js" "$port" "$T/server.log" \
	>"$T/server.out" 2>&1 &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid" || fail "the server did not start"
"$PY" "$TESTS_DIR/h2settings_client.py" bad 127.0.0.1 "$port" >"$T/client.out" 2>&1 ||
	{ show "$T/client.out"; fail "the client failed"; }
kill -TERM "$pid"
wait "$pid" || true

"$PY" - "$T/out.json" "$T/server.log" <<'PYEOF' || { show "$T/out.json" "$T/server.log"; fail "the undecodable stream is not counted"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
log = [l.split() for l in open(sys.argv[2])]
assert len(log) == 1 and log[0][:2] == ["GET", "/b?n=1"], log
assert len(reqs) == 2, reqs
ok, bad = reqs
assert ok["side"] == "server" and ok["error"] is None, ok
assert ok["url"].endswith("/b?n=1") and ok["status"] == 200, ok
assert bad["side"] == "server" and bad["error"] == "malformed request", bad
assert bad["conn"] == ok["conn"] and bad["req"] == 2, bad
assert summ["server_requests"] == 2 and summ["server_errors"] == 1, summ
notes = [n["text"] for n in summ.get("not_traced", [])]
assert any("HTTP/2 request header block" in n for n in notes), summ
PYEOF
pass
