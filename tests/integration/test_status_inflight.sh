#!/bin/bash
# test_status_inflight.sh - a running `listen` with a request held by the
# server answers `httptrace status -s PATH` (text and -f json) and GET
# /inflight on --metrics with that request in flight: method, URL, phase;
# once the answer came, none is in flight.  No signal goes to the program.
# Its host is the one the request's record then gives (the Host header's
# host, without its port).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_gateserver
sock=$T/ht.sock
mport=$(free_port 127.0.0.1)
url=http://127.0.0.1:$GATE_PORT

start_status_listen "$sock" "$mport"
lpid=$LPID

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock curl -s "$url/held" >"$T/curl.out" &
cpid=$!
_PIDS+=("$cpid")
wait_gate /held

"$HTTPTRACE" status -s "$sock" >"$T/status.txt" || fail "status failed"
grep -qx "1 request in flight" "$T/status.txt" || { show "$T/status.txt"; fail "no count"; }
grep -qE "^  pid $cpid conn 1  GET $url/held  waiting for the first byte  [0-9.]+ m?s$" \
	"$T/status.txt" || { show "$T/status.txt"; fail "no request line"; }

# shellcheck disable=SC2317 # called by check_inflight_json
check_json() { # FILE: the held request, in JSON
	"$PY" - "$1" "$url/held" "$cpid" <<'PYEOF' || { show "$1"; fail "${1##*/}: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 1 and d["listed"] == 1, d
r = d["requests"][0]
assert r["pid"] == int(sys.argv[3]) and r["conn"] == 1 and r["req"] == 1, r
assert r["method"] == "GET" and r["url"] == sys.argv[2], r
assert r["host"] == "127.0.0.1", r
assert r["phase"] == "wait_first_byte" and r["side"] == "client", r
assert r["proto"] == "HTTP/1.1" and r["elapsed_ms"] >= 0, r
assert "wrote_request" in r["events"] and "got_first_response_byte" not in r["events"], r
PYEOF
}
check_inflight_json "$sock" "$mport" check_json

touch "$GATE_DIR/held"
wait "$cpid" || fail "curl failed"
grep -qx ok "$T/curl.out" || fail "curl got no answer"
# The request record comes as the answer is read; the page is cleared then.
"$HTTPTRACE" status -s "$sock" >"$T/after.txt" || fail "status failed"
grep -qx "0 requests in flight" "$T/after.txt" || { show "$T/after.txt"; fail "still in flight"; }
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
[ -e "$sock.ctl" ] && fail "listen left $sock.ctl"
jcheck "$T/out.json" --count 1 --each "url == '$url/held' and host == '127.0.0.1'"
"$HTTPTRACE" status -s "$sock" 2>"$T/gone.err" && fail "status answered with no listen"
grep -q "no listen answers" "$T/gone.err" || { show "$T/gone.err"; fail "no message"; }
pass
