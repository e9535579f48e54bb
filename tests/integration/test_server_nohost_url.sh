#!/bin/bash
# test_server_nohost_url.sh - HTTP/1.0 requests without a Host header to a
# traced Python server (server.py): the server's record names the server
# by its own address and port (the one it listened on), never the
# client's ("http://127.0.0.1:SERVERPORT/bytes/5", host 127.0.0.1), in JSON
# and in text ("served GET http://127.0.0.1:SERVERPORT/..."); matched to
# the server's log.  Before, the URL was made of the client's address and
# its ephemeral port.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

port=$(free_port)
"$HTTPTRACE" -w "$T/out.htcap" -- \
	"$PY" "$SERVER_PY" "$port" 127.0.0.1 --log "$T/served.log" \
	>"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced server did not start"
"$PY" - "$port" >"$T/client.log" <<'PYEOF' || fail "client failed"
import socket, sys
for path in ("/bytes/5", "/status/404"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET %s HTTP/1.0\r\n\r\n" % path.encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    print(s.getsockname()[1], path, data.split()[1].decode())
    s.close()
PYEOF
for _ in $(seq 50); do [ "$(wc -l <"$T/served.log")" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$tpid"
wait "$tpid" || true
"$HTTPTRACE" read -f json -o "$T/out.json" "$T/out.htcap" || fail "read json failed"
"$HTTPTRACE" read -f text -o "$T/out.txt" "$T/out.htcap" || fail "read text failed"

"$PY" - "$T/out.json" "$T/served.log" "$T/client.log" "$port" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request" and r.get("side") == "server"]
served = [l.split() for l in open(sys.argv[2])]
cli = [l.split() for l in open(sys.argv[3])]
port = sys.argv[4]
assert len(srv) == 2 and len(served) == 2 and len(cli) == 2, (srv, served, cli)
for r, s, (cport, path, status) in zip(srv, served, cli):
    assert s[2:5] == [r["method"], path, status], (s, r)
    assert r["url"] == "http://127.0.0.1:%s%s" % (port, path), r
    assert r["host"] == "127.0.0.1", r
    assert r["peer"] == "127.0.0.1:" + cport, r
    assert r["status"] == int(status) and r["error"] is None, r
PYEOF
	{ show "$T/out.json" "$T/served.log" "$T/client.log"; fail "a server record without Host is not named by the server's address"; }
grep -q "served GET http://127.0.0.1:$port/bytes/5 " "$T/out.txt" ||
	{ show "$T/out.txt"; fail "text: the server record is not named by the server's address"; }
pass
