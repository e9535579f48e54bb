#!/bin/bash
# test_end_python_timeout.sh - a request cut by the program's own timeout
# keeps its timeout-shaped error: a Python client (urllib, timeout=1; it
# waits in poll(), then closes the socket) and curl --max-time 1 against a
# server that never answers report "connection closed before any
# response", not "interrupted".  Also when a signal whose handler returns
# (SIGUSR1) interrupted the wait first: poll() returned EINTR, Python
# polled again and then timed out (the interruption's mark is cleared by
# the poll that came after it).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_holdserver
url="http://127.0.0.1:$HOLD_PORT"
cat >"$T/client.py" <<'PYEOF'
import os, signal, sys, threading, urllib.request
if sys.argv[2] == "usr1":
    signal.signal(signal.SIGUSR1, lambda *a: None)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGUSR1)).start()
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except TimeoutError:
    print("timed out")
PYEOF

"$HTTPTRACE" -f json -o "$T/py.out" -- "$PY" "$T/client.py" "$url/plain" - >"$T/py.log" 2>&1 ||
	{ show "$T/py.log"; fail "python: httptrace failed"; }
grep -q '^timed out$' "$T/py.log" || { show "$T/py.log"; fail "python: the client did not time out"; }
jcheck "$T/py.out" --count 1 --each "url == '$url/plain'" \
	--each 'error == "connection closed before any response"'

"$HTTPTRACE" -f json -o "$T/usr1.out" -- "$PY" "$T/client.py" "$url/usr1" usr1 >"$T/usr1.log" 2>&1 ||
	{ show "$T/usr1.log"; fail "usr1: httptrace failed"; }
grep -q '^timed out$' "$T/usr1.log" || { show "$T/usr1.log"; fail "usr1: the client did not time out"; }
jcheck "$T/usr1.out" --count 1 --each "url == '$url/usr1'" \
	--each 'error == "connection closed before any response"'

rc=0
"$HTTPTRACE" -f json -o "$T/curl.out" -- curl -s --max-time 1 "$url/curl" >"$T/curl.log" 2>&1 || rc=$?
[ "$rc" = 28 ] || { show "$T/curl.log"; fail "curl: not its timeout's exit status (28): $rc"; }
jcheck "$T/curl.out" --count 1 --each "url == '$url/curl'" \
	--each 'error == "connection closed before any response"'
pass
