#!/bin/bash
# test_end_alarm_timeout.sh - a timeout the program makes itself with
# alarm() and handles by closing the connection is the program's own
# timeout, not an interruption: its request keeps the error the close
# gives ("connection closed before any response"), no signal, no phase,
# in json and in text.  A Python client (signal.alarm, a SIGALRM handler
# that raises, the socket closed, then a second request the same way) and
# a C client (a SIGALRM handler that returns, its read fails with EINTR,
# it closes and exits 0).  Before, each was reported "interrupted" with
# signal null though the process carried on.  (A process that dies of the
# signal is still "interrupted" with its signal: test_end_ctrl_c*.)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog alarm_timeout
start_holdserver
cat >"$T/client.py" <<'PYEOF'
import signal, socket, sys
class Timeout(Exception):
    pass
def on_alarm(*a):
    raise Timeout()
signal.signal(signal.SIGALRM, on_alarm)
for path in sys.argv[2:]:
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
    s.sendall(b'GET /' + path.encode() + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    signal.alarm(1)
    try:
        s.recv(1)
    except Timeout:
        print("timed out")
    s.close()
PYEOF
closed='error == "connection closed before any response" and rec.get("signal") is None and rec.get("phase") is None'

"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" "$T/client.py" "$HOLD_PORT" first second \
	>"$T/py.log" 2>&1 || { show "$T/py.log"; fail "python: httptrace failed"; }
[ "$(grep -c '^timed out$' "$T/py.log")" = 2 ] || { show "$T/py.log"; fail "python: did not time out twice"; }
jcheck "$T/py.json" --count 2 --each "$closed" \
	--expect '[r["url"].rsplit("/", 1)[1] for r in recs] == ["first", "second"]'

"$HTTPTRACE" -o "$T/py.txt" -- "$PY" "$T/client.py" "$HOLD_PORT" text >"$T/pyt.log" 2>&1 ||
	{ show "$T/pyt.log"; fail "python text: httptrace failed"; }
grep -q "^GET http://127.0.0.1:$HOLD_PORT/text -> no response " "$T/py.txt" &&
	grep -q "error: connection closed before any response" "$T/py.txt" ||
	{ show "$T/py.txt"; fail "text: not the close's error"; }
! grep -q interrupted "$T/py.txt" || { show "$T/py.txt"; fail "text: said interrupted"; }

"$HTTPTRACE" -f json -o "$T/c.json" -- "$T/alarm_timeout" "$HOLD_PORT" c >"$T/c.log" 2>&1 ||
	{ show "$T/c.log"; fail "c: httptrace failed"; }
grep -q '^timed out$' "$T/c.log" || { show "$T/c.log"; fail "c: the read was not interrupted"; }
jcheck "$T/c.json" --count 1 --each "url.endswith('/c') and $closed"
pass
