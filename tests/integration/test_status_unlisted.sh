#!/bin/bash
# test_status_unlisted.sh - one curl with 80 requests in flight at once,
# more than the live page's 64 request slots: `httptrace status` (text and
# -f json) and GET /inflight say 80 in flight, 64 listed and 16 more not
# listed (the page's `unlisted` count), not 64 as if that were all; once
# the answers came, none is in flight (the count went down as they ended)
# and every request has its record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_gateserver
sock=$T/ht.sock
mport=$(free_port 127.0.0.1)
url=http://127.0.0.1:$GATE_PORT
n=80

start_status_listen "$sock" "$mport"
lpid=$LPID

start_held_curls "$sock" "$n"
cpid=$CURL_PID

"$HTTPTRACE" status -s "$sock" >"$T/status.txt" || fail "status failed"
head -1 "$T/status.txt" | grep -qx "80 requests in flight (64 listed, 16 more in flight not listed)" ||
	{ show "$T/status.txt"; fail "status text: not 80 in flight, 16 not listed"; }
[ "$(grep -c "^  pid $cpid conn [0-9]*  GET $url/held?i=" "$T/status.txt")" = 64 ] ||
	{ show "$T/status.txt"; fail "not 64 request lines"; }

# shellcheck disable=SC2317 # called by check_inflight_json
check_json() { # FILE: 80 in flight, 64 listed
	"$PY" - "$1" <<'PYEOF' || { show "$1"; fail "${1##*/}: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 80 and d["listed"] == 64 and d["unlisted"] == 16, d
assert len(d["requests"]) == 64, len(d["requests"])
PYEOF
}
check_inflight_json "$sock" "$mport" check_json

touch "$GATE_DIR/held"
wait "$cpid" || fail "curl failed"
[ "$(grep -c '^answered /held' "$T/gate.log")" = "$n" ] || fail "the server did not answer $n"
"$HTTPTRACE" status -s "$sock" >"$T/after.txt" || fail "status failed"
grep -qx "0 requests in flight" "$T/after.txt" || { show "$T/after.txt"; fail "still in flight"; }
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
jcheck "$T/out.json" --count "$n" --each "status == 200 and error is None"
pass
