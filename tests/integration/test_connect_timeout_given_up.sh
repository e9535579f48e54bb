#!/bin/bash
# test_connect_timeout_given_up.sh - a connect the program gives up on is
# reported, never a clean summary: curl --connect-timeout 1 and Python's
# create_connection(timeout=0.5), each to a listener whose accept queue is
# full (fullbacklog.py: the kernel drops the SYNs), both non-blocking
# connects (EINPROGRESS) the program closes when its own timeout fires.
# Each is a connect_error "Operation canceled" (ECANCELED: the program
# closed it while connecting) with its peer and a connect time of about
# its timeout, counted in connect_errors.  Main said nothing: no record,
# connect_errors 0, errors 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_fullbacklog

rc=0
"$HTTPTRACE" -f json -o "$T/curl.json" -- curl -s --connect-timeout 1 \
	"http://127.0.0.1:$FULL_PORT/x" >/dev/null 2>&1 || rc=$?
[ "$rc" = 28 ] || fail "curl exited $rc, not 28 (its connect timeout)"
rc=0
"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" -c '
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5)
except OSError as e:
    print(type(e).__name__)
    sys.exit(3)
' "$FULL_PORT" >"$T/py.out" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -qx "TimeoutError" "$T/py.out" ||
	{ show "$T/py.out"; fail "python did not time out (exit $rc)"; }

for who in curl:1000 py:500; do
	f=$T/${who%%:*}.json
	"$PY" - "$f" "$FULL_PORT" "${who##*:}" <<'PYEOF' || { show "$f"; fail "${who%%:*}: the given-up connect is not reported right"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
port, ms = sys.argv[2], float(sys.argv[3])
fails = [r for r in recs if r["event"] == "connect_error"]
summ = [r for r in recs if r["event"] == "summary"][0]
assert len(fails) == 1, fails
f = fails[0]
assert f["error"] == "Operation canceled", f
assert f["peer"] == "127.0.0.1:" + port, f
assert ms * 0.9 <= f["connect_ms"] < ms * 10, f
assert summ["connect_errors"] == 1 and summ["requests"] == 0, summ
PYEOF
done
pass
