#!/bin/bash
# test_rev_tunnel_killed_port.sh - review of audit4 (bdd0b63): a request
# inside a CONNECT tunnel whose Host names no port, cut by its process's
# kill, is reported from the live page; its URL must not carry the proxy's
# port (the page's slot has no HT_RF_TUNNEL: conn_live.c sets it from
# r->flags, and only conn_emit.c adds the flag, to the record).  A request
# answered in the same tunnel is the reference: its record is flagged.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
start_proxy
cat >"$T/client.py" <<'PYEOF'
import os, signal, socket, sys, time
proxy, port, kill = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "kill"
s = socket.create_connection(('127.0.0.1', proxy))
s.sendall(('CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n' % (port, port)).encode())
got = b''
while b'\r\n\r\n' not in got:
    got += s.recv(1)
path = '/stuck/wait' if kill else '/fixed'
s.sendall(('GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' % path).encode())
if kill:
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)
s.settimeout(3)
try:
    while s.recv(65536):
        pass
except Exception:
    pass
PYEOF
rc=0
"$HTTPTRACE" -f json -o "$T/kill.json" -- "$PY" "$T/client.py" "$PROXY_PORT" "$RAW_PORT" kill \
	2>"$T/kill.err" || rc=$?
[ "$rc" = 137 ] || { show "$T/kill.err"; fail "httptrace exited $rc, not the kill's 137"; }
show "$T/kill.json"
jcheck "$T/kill.json" --each 'method != "GET" or error == "killed"' \
	--expect "[u for u in url if ':$PROXY_PORT/' in u] == []"
pass
