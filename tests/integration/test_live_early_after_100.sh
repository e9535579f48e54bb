#!/bin/bash
# test_live_early_after_100.sh - (from the review of 10b18bf, failed on
# 97712e5) a client sends a body after a 100 Continue; the server then
# answers early (413, its head whole and some body bytes sent) while the
# client still writes.  The client is killed: its request, read from the
# live page, is in phase "receive" (its final response has begun, as the
# same request without the 100 Continue is reported), not "send"; and so
# does `httptrace status` (json and text) while the client still writes.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# shellcheck source=live100.sh
. "$TESTS_DIR/live100.sh"

# the live listing, while the client still writes: as the record
live100_while_writing() {
	"$HTTPTRACE" status -s "$sock" -f json >"$T/status$1.json" || fail "status failed"
	"$HTTPTRACE" status -s "$sock" >"$T/status$1.txt" || fail "status failed"
}
# status_phase N: the one request the live listing of run N showed is in
# phase "receive" (json and text), as its record says.
status_phase() {
	"$PY" - "$T/status$1.json" <<'PYEOF' || { show "$T/status$1.json"; fail "status $1: phase not receive"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 1, d
assert d["requests"][0]["phase"] == "receive", d["requests"][0]
PYEOF
	grep -q "POST .* receiving the response" "$T/status$1.txt" ||
		{ show "$T/status$1.txt"; fail "status $1: text not receiving"; }
}
# (2) early 413 after the 100: the final response has begun, as without
# the 100 (3): phase receive.
live100_run 0 1
jcheck "$T/out0.json" --count 1 \
	--each 'status == 413 and error == "ended" and phase == "receive"'
status_phase 0
live100_run 1 1
jcheck "$T/out1.json" --count 1 \
	--each 'status == 413 and interim == 1 and error == "ended"' \
	--each 'phase == "receive"'
status_phase 1
pass
