#!/bin/bash
# test_live_textproto_killed.sh - (review of trusta, fails on
# main) a client speaking Redis's inline protocol writes "GET mykey" (its
# line not ended yet) and is killed: that was never an HTTP request (a
# whole "GET mykey\r\n" is not one, conn_looks_like_http()), so nothing may
# be reported as one; main shows it in the live page from its method alone
# (conn_live_head_part(), line 1 with a method HTTP has) and reports it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_holdserver
cat >"$T/client.py" <<'PYEOF'
import os, socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET mykey')
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(30)
PYEOF
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" "$T/client.py" "$HOLD_PORT" "$T/pid" >"$T/log" 2>&1 &
hp=$!
for _ in $(seq 100); do [ -s "$T/pid" ] && break; sleep 0.05; done
sleep 0.3
kill -KILL "$(cat "$T/pid")"
rc=0; wait "$hp" || rc=$?
note "httptrace rc=$rc"
show "$T/out.json"
jcheck "$T/out.json" --count 0
pass
