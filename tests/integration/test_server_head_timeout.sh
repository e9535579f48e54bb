#!/bin/bash
# test_server_head_timeout.sh - a client stalls inside its request head; a
# traced Node.js server answers it with its own 408 (headersTimeout, as
# apache does after its Timeout) and closes.  The record is what the
# server read and wrote: the method, the target, the headers read so far
# and their bytes, the 408 and its bytes as the client got them, and the
# error "request head cut short".  Before: method null, a URL without its
# target, no headers, 0 header bytes, no error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- node -e '
const http = require("http");
const srv = http.createServer({connectionsCheckingInterval: 100},
	(req, res) => res.end("ok"));
srv.headersTimeout = 500;
srv.requestTimeout = 1000;
srv.listen(+process.argv[1], "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
' "$port" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced node server did not start"

# the head stops inside a header line; the client reads to the close
"$PY" - "$port" >"$T/client.json" <<'PYEOF' || fail "client failed"
import json, socket, sys
part = b"GET /slow?partial-1 HTTP/1.1\r\nHost: stall.test\r\nX-A: b"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.sendall(part)
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
assert got.startswith(b"HTTP/1.1 408 "), got
print(json.dumps({"sent": len(part), "got": len(got)}))
PYEOF
kill -TERM "$tpid"
wait "$tpid" || true

"$PY" - "$T/out.json" "$T/client.json" <<'PYEOF' || { show "$T/out.json" "$T/client.json"; fail "the 408 to a stalled head is not reported with the head read"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
cli = json.load(open(sys.argv[2]))
srv = [r for r in recs if r["event"] == "request"]
assert len(srv) == 1, srv
r = srv[0]
assert r["side"] == "server" and r["method"] == "GET", r
assert r["url"] == "http://stall.test/slow?partial-1", r
assert r["status"] == 408 and r["error"] == "request head cut short", r
assert r["req_header_bytes"] == cli["sent"], (r, cli)
assert r["resp_header_bytes"] + r["resp_bytes"] == cli["got"], (r, cli)
names = [h["name"].lower() for h in r["request_headers"]]
assert "host" in names and "x-a" in names, r
summ = [x for x in recs if x["event"] == "summary"][0]
assert summ["server_errors"] == 1, summ
PYEOF
pass
