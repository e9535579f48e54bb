#!/bin/bash
# test_server_cut_body.sh - a client sends a POST with Content-Length 10000,
# 100 body bytes, and closes; the traced Python server (an asyncio streams
# server, then the standard library's ThreadingHTTPServer) reads the 100
# bytes, logs them, and closes without a response.  The server's record
# says req_bytes 100 (what it read, as its log says) and "connection closed
# before any response" (it wrote none).  Before: req_bytes 0, and "closed
# before the response completed".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# run MODE (asyncio or threading)
run() {
	local mode=$1 port tpid
	port=$(free_port)
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$PY" - "$mode" "$port" \
		"$T/$mode.log" >"$T/$mode.out" 2>&1 <<'PYEOF' &
import asyncio, http.server, sys
mode, port, logf = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def log(line):
    with open(logf, "a") as f:
        f.write(line + "\n")

async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    n = 0
    while True:
        d = await reader.read(65536)
        if not d:
            break
        n += len(d)
    method, path = head.split()[:2]
    log("%s %s %d" % (method.decode(), path.decode(), n))
    writer.close()

async def amain():
    srv = await asyncio.start_server(handle, "127.0.0.1", port)
    async with srv:
        await srv.serve_forever()

class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        log("%s %s %d" % (self.command, self.path, len(body)))
        self.close_connection = True   # no response

    def log_message(self, *a):
        pass

if mode == "asyncio":
    asyncio.run(amain())
else:
    http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PYEOF
	tpid=$!
	_PIDS+=("$tpid")
	wait_port 127.0.0.1 "$port" "$tpid" || fail "$mode: traced server did not start"
	"$PY" - "$port" <<'PYEOF' || fail "$mode: client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n"
          + b"z" * 100)
s.shutdown(socket.SHUT_WR)
assert s.recv(100) == b""   # the server closes, answering nothing
s.close()
PYEOF
	wait_file_line "$T/$mode.log" '^POST /cut' || fail "$mode: the server logged nothing"
	sleep 0.2 # the server closes after its log line
	kill -TERM "$tpid"
	wait "$tpid" || true
	"$PY" - "$T/$mode.json" "$T/$mode.log" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request" and r.get("side") == "server"]
method, path, n = open(sys.argv[2]).read().split()
assert len(srv) == 1, srv
r = srv[0]
assert r["method"] == method and r["url"].endswith(path), r
assert r["req_bytes"] == int(n) == 100, (r, n)
assert r["status"] is None and r["resp_bytes"] == 0, r
assert r["error"] == "connection closed before any response", r
PYEOF
		{ show "$T/$mode.json" "$T/$mode.log"; fail "$mode: the cut request is not reported as read"; }
}

run asyncio
run threading
pass
