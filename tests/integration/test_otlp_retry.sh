#!/bin/bash
# test_otlp_retry.sh - a receiver that answers the first POST 503 and the
# next 200: the batch is sent again, delivered once, and the retry counted.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock

start_otlp_receiver --mode 503-once
rport=$RECV_PORT

start_listen_env -f summary -o "$T/summary.txt" --otlp "http://127.0.0.1:$rport"
lpid=$LPID
(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null "$u/bytes/1" "$u/bytes/2") ||
	fail "curl failed"

kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
show "$T/listen.err" "$T/recv.log"
grep -q "otlp: 2 requests sent .*, 1 retries, 0 dropped" "$T/listen.err" ||
	fail "listen did not report 2 sent after 1 retry"
[ "$(grep -c '^#status 503' "$T/recv.log")" = 1 ] || fail "no 503 answered"
[ "$(grep -c '^#status 200' "$T/recv.log")" = 1 ] || fail "not exactly one accepted POST"
"$PY" - "$T/recv.log" <<'PYEOF' || fail "the accepted POST does not hold both requests"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[0] == "#status 503", lines[:3]
body = json.loads(lines[1])
spans = [s for rs in body["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
reqs = [s for s in spans if s["kind"] == 3]
assert sorted(s["name"] for s in reqs) == ["GET", "GET"], reqs
PYEOF
pass
