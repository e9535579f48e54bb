#!/bin/bash
# test_end_sigint_handled_exit.sh - (review of trusta, fails on main) a
# Python client waiting for its answer gets SIGINT (Ctrl-C): it catches
# KeyboardInterrupt, closes its socket and exits 130, as many CLIs do.  The
# request was interrupted by the user, not closed by anyone before an
# answer: it must not be reported "connection closed before any response"
# (the alarm heuristic, PEER_WENT_ON, takes any exit for "went on").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_holdserver
cat >"$T/client.py" <<'PYEOF'
import os, signal, socket, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job inherits SIGINT ignored
open(sys.argv[2], "w").write(str(os.getpid()))
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /ctrlc HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
try:
    s.recv(1)
except KeyboardInterrupt:
    print("interrupted by the user")
    s.close()
    sys.exit(130)
PYEOF
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" "$T/client.py" "$HOLD_PORT" "$T/pid" >"$T/log" 2>&1 &
hp=$!
for _ in $(seq 100); do [ -s "$T/pid" ] && break; sleep 0.05; done
sleep 0.5 # it waits for the answer
kill -INT "$(cat "$T/pid")"
rc=0; wait "$hp" || rc=$?
note "httptrace rc=$rc"
grep -q '^interrupted by the user$' "$T/log" || { show "$T/log"; fail "not interrupted"; }
show "$T/out.json"
jcheck "$T/out.json" --count 1 --each 'error == "interrupted" and signal == "SIGINT"'
pass
