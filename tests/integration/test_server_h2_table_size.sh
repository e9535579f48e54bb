#!/bin/bash
# test_server_h2_table_size.sh - a traced node HTTP/2 server that announces
# a SETTINGS_HEADER_TABLE_SIZE other than 4096 records every request it
# answered, matched to its own log: its first SETTINGS saying 64, then 0
# (a traced node client, 40 requests on one connection, the HPACK table
# churning; the client's records matched to what it got), and a change in
# the middle of a connection (h2settings_client.py mid: a request encoded
# with the old table after the server sent the new size, before the client
# acknowledged it, then the size update).  The size binds the peer's
# encoder from the ACK on (RFC 9113 6.5.3); before, the decoder took it up
# at once and every request after was lost, nothing counted.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node

# run NAME INITTS CLIENT...: the server traced into $T/NAME.json, its log
# $T/NAME.log, CLIENT's output $T/NAME.out
run() {
	local name=$1 ts=$2 port pid
	shift 2
	port=$(free_port)
	INITTS=$ts "$HTTPTRACE" -f json -o "$T/$name.json" -- \
		node "$TESTS_DIR/h2settings_server.js" "$port" "$T/$name.log" \
		>"$T/$name.server" 2>&1 &
	pid=$!
	_PIDS+=("$pid")
	wait_port 127.0.0.1 "$port" "$pid" || fail "$name: the server did not start"
	"$@" "$port" >"$T/$name.out" 2>"$T/$name.err" ||
		{ show "$T/$name.err"; fail "$name: the client failed"; }
	kill -TERM "$pid"
	wait "$pid" || true
}

# check NAME COUNT: the server's records are its log's COUNT requests
check() {
	"$PY" - "$T/$1.json" "$T/$1.log" "$2" <<'PYEOF' || { show "$T/$1.json" "$T/$1.log"; fail "$1: the server's records do not match its log"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
log = [l.split() for l in open(sys.argv[2])]
assert len(log) == int(sys.argv[3]), log
assert len(reqs) == len(log), (len(reqs), len(log))
for r, (method, path, xn, status) in zip(reqs, log):
    assert r["side"] == "server" and r["error"] is None, r
    assert r["method"] == method and r["url"].endswith(path), (r, path)
    assert r["status"] == int(status) and r["proto"] == "HTTP/2", r
    hdrs = {h["name"]: h["value"] for h in r["request_headers"]}
    assert hdrs.get("x-n", "-") == xn, (hdrs, xn)
assert summ["server_requests"] == len(log) and summ["server_errors"] == 0, summ
assert "not_traced" not in summ, summ
PYEOF
}

for ts in 64 0; do
	run "ts$ts" "$ts" "$HTTPTRACE" -f json -o "$T/ts$ts.client.json" -- \
		node "$TESTS_DIR/h2settings_client.js" 40
	check "ts$ts" 40
	"$PY" - "$T/ts$ts.client.json" "$T/ts$ts.out" <<'PYEOF' || { show "$T/ts$ts.client.json"; fail "ts$ts: the client's records do not match what it got"; }
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in reqs if r["event"] == "request"]
got = [l.split() for l in open(sys.argv[2])]
assert len(got) == 40 and len(reqs) == 40, (len(got), len(reqs))
for r, (status, path, echo) in zip(reqs, got):
    assert r["error"] is None and r["url"].endswith(path), (r, path)
    assert r["status"] == int(status), r
    hdrs = {h["name"]: h["value"] for h in r["response_headers"]}
    assert hdrs["x-echo"] == echo, (hdrs, echo)
PYEOF
done
run mid "" "$PY" "$TESTS_DIR/h2settings_client.py" mid 127.0.0.1
grep -qx done "$T/mid.out" || fail "mid: the client did not finish"
check mid 3
pass
