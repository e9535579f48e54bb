#!/bin/bash
# test_join_fastopen_client_late_mark.sh - (review of collcost) rev-collcost: a
# traced client that opens its connection with sendto(MSG_FASTOPEN) sends
# its request in the same call that connects; the library marks its page
# (client_loopback) only after that call returns.  A client thread paused
# there (gdb stands in for a preemption: 0.3 s at the getsockname the
# connect's tracking makes) lets the traced server answer and its record
# reach the collector first, while no page says a loopback client: the
# server record goes out alone.  Before collcost it was remembered and the
# client's record, which comes after, still took its link (peer_record on
# the client's side); since ff8bd7e it is not remembered: no link at all.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
command -v gdb >/dev/null || skip "no gdb"
[ "$(cat /proc/sys/net/ipv4/tcp_fastopen 2>/dev/null || echo 0)" != 0 ] ||
	skip "TCP fast open disabled"
port=$(free_port)
cat >"$T/cli.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.sendto(b"GET /bytes/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
         socket.MSG_FASTOPEN, ("127.0.0.1", int(sys.argv[1])))
d = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    d += b
sys.exit(0 if d.startswith(b"HTTP/1.1 200") else 1)
PYEOF
cat >"$T/gdb.cmds" <<'EOF'
set pagination off
set breakpoint pending on
set startup-with-shell off
break getsockname
commands
silent
shell sleep 0.3
continue
end
run
EOF
cat >"$T/work.sh" <<EOF
#!/bin/bash
"$PY" "$SERVER_PY" $port 127.0.0.1 --log "$T/served.log" >"$T/server.out" 2>&1 &
s=\$!
# an untraced probe: no traced process may have made a loopback client
env -u LD_PRELOAD "$PY" -c '
import socket, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", $port)).close()
        break
    except OSError:
        time.sleep(0.05)
'
gdb -q -batch -x "$T/gdb.cmds" --args "$PY" "$T/cli.py" $port >"$T/gdb.out" 2>&1
sleep 0.3
kill \$s
wait \$s || true
EOF
chmod +x "$T/work.sh"
"$HTTPTRACE" -f json -o "$T/out.json" -- "$T/work.sh" >"$T/run.out" 2>&1 || { show "$T/run.out"; fail "httptrace failed"; }
grep -q "exited normally" "$T/gdb.out" || { show "$T/gdb.out"; fail "the client failed"; }
[ "$(wc -l <"$T/served.log")" = 1 ] || { show "$T/served.log"; fail "the server did not answer once"; }
"$PY" - "$T/out.json" <<'PYEOF' || { show "$T/out.json"; fail "the traced client's record is not joined to its traced server's"; }
import json, sys
reqs = [r for r in map(json.loads, open(sys.argv[1])) if r["event"] == "request"]
client = [r for r in reqs if r.get("side") != "server"]
server = [r for r in reqs if r.get("side") == "server"]
assert len(client) == 1 and len(server) == 1, reqs
# paused 0.3 s: within the joiner's skew (1 s), so the same request
p = client[0].get("peer_record")
assert p is not None, client[0]
assert (p["pid"], p["conn"], p["req"]) == (server[0]["pid"], server[0]["conn"], server[0]["req"]), (p, server[0])
PYEOF
pass
