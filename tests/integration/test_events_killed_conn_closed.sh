#!/bin/bash
# test_events_killed_conn_closed.sh - in -f events, each connection a
# killed process had open gets its conn_closed: its end was the kill.  A
# client with one idle keep-alive connection (its request answered) and
# one waiting for its first byte is SIGKILLed: after the second request's
# response_done (error killed) come two conn_closed, one per connection,
# "process_ended": true, bytes not known (null), with the requests seen;
# the capture's replay says the same; json's summary counts 2
# connections.  A process that closes its connections itself and exits
# has its own conn_closed, without process_ended.  On main no conn_closed
# followed a kill.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
cat >"$T/client.py" <<'PYEOF'
import os, signal, socket, sys, time
port = int(sys.argv[1])
a = socket.create_connection(('127.0.0.1', port))
a.sendall(b'GET /fixed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
a.recv(1000)
b = socket.create_connection(('127.0.0.1', port))
b.sendall(b'GET /stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
time.sleep(0.3)
if sys.argv[2] == 'kill':
    os.kill(os.getpid(), signal.SIGKILL)
a.close()
b.close()
PYEOF
rc=0
"$HTTPTRACE" -f events -o "$T/ev.json" -w "$T/cap" -- "$PY" "$T/client.py" "$RAW_PORT" kill \
	2>"$T/err" || rc=$?
[ "$rc" = 137 ] || { show "$T/err"; fail "httptrace exited $rc, not the kill's 137"; }
check() {
	jcheck "$1" --event all \
		--expect '[(l["event"], l["conn"]) for l in lines if l["event"] in ("response_done", "conn_closed")] == [("response_done", 1), ("response_done", 2), ("conn_closed", 1), ("conn_closed", 2)]'
	jcheck "$1" --event response_done --expect 'error == [None, "killed"]'
	jcheck "$1" --event conn_closed --count 2 \
		--each 'process_ended is True and bytes_out is None and bytes_in is None' \
		--each 'requests == 1 and peer.startswith("127.0.0.1:")'
}
check "$T/ev.json"
"$HTTPTRACE" read -f events "$T/cap" >"$T/replay.json" || fail "read failed"
check "$T/replay.json"
"$HTTPTRACE" read -f json "$T/cap" >"$T/replay.jsonl" || fail "read -f json failed"
jcheck "$T/replay.jsonl" --event summary --each 'connections == 2 and requests == 2'

"$HTTPTRACE" -f events -o "$T/own.json" -- "$PY" "$T/client.py" "$RAW_PORT" close \
	2>"$T/own.err" || { show "$T/own.err"; fail "httptrace failed (no kill)"; }
jcheck "$T/own.json" --event conn_closed --count 2 \
	--each '"process_ended" not in rec and bytes_out > 0'
pass
