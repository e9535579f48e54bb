#!/bin/bash
# test_server_python.sh - a traced Python server (server.py: the standard
# library's ThreadingHTTPServer) records, for every request it answered,
# a server-side record matching what the untraced client says it sent and
# got: method, target, bodies both ways, status, the connection's n-th
# request (server.py's X-Conn-Req), keep-alive reuse; close-delimited,
# chunked, HEAD, 204, 100-continue and a POST body included; the server's
# processing covers its own sleep (/delay/MS); HAR leaves them out and
# says so.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$SERVER_PY" "$port" 127.0.0.1 --log "$T/served.log" \
	>"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced server did not start"

# The client, untraced, logs what it sent and what it got.
"$PY" - "$port" "$T/client.log" <<'PYEOF' || fail "client failed"
import http.client, json, sys
port, log = int(sys.argv[1]), open(sys.argv[2], "w")
def run(c, method, path, body=None, headers={}):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    log.write(json.dumps({"method": method, "path": path,
        "req_bytes": len(body or b""), "status": r.status,
        "resp_bytes": len(data), "conn": r.getheader("X-Conn"),
        "conn_req": int(r.getheader("X-Conn-Req"))}) + "\n")
c = http.client.HTTPConnection("127.0.0.1", port)
run(c, "GET", "/bytes/10")
run(c, "POST", "/echo", b"x" * 3000)
run(c, "GET", "/chunked/5000")
run(c, "HEAD", "/bytes/7")
run(c, "GET", "/status/204")
run(c, "PUT", "/echo", b"y" * 20, {"Expect": "100-continue"})
run(c, "GET", "/delay/60")
c.close()
c = http.client.HTTPConnection("127.0.0.1", port)
run(c, "GET", "/close/100")
c.close()
PYEOF

kill -TERM "$tpid"
wait "$tpid" || true
[ -s "$T/out.json" ] || { show "$T/server.out"; fail "no output"; }

"$PY" - "$T/out.json" "$T/client.log" <<'PYEOF' || { show "$T/out.json"; fail "server records do not match the client's log"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
sent = [json.loads(l) for l in open(sys.argv[2])]
assert all(r.get("side") == "server" for r in reqs), reqs
assert len(reqs) == len(sent), (len(reqs), len(sent))
# server.py numbers its connections; ours are per process: map them
conns = {}
for s in sent:
    m = [r for r in reqs if r["method"] == s["method"] and
         r["url"].endswith(s["path"]) and r["req"] == s["conn_req"]]
    assert len(m) == 1, (s, m)
    r = m[0]
    assert conns.setdefault(s["conn"], r["conn"]) == r["conn"], (s, r)
    assert r["status"] == s["status"], (s, r)
    assert r["error"] is None, r
    assert r["req_bytes"] == s["req_bytes"], (s, r)
    assert r["resp_bytes"] == s["resp_bytes"], (s, r)
    assert r["reused"] == (s["conn_req"] > 1), (s, r)
    assert r["peer"].startswith("127.0.0.1:"), r
    for k in ("read_ms", "processing_ms", "write_ms", "total_ms"):
        assert r[k] is not None and r[k] >= 0, (k, r)
    assert "dns_ms" not in r and "wait_ms" not in r, r
    if s["conn_req"] == 1:
        assert r["accept_ms"] is not None, r
    if s["path"] == "/delay/60":
        # the server slept 60 ms between the request and its answer
        assert r["processing_ms"] >= 60, r
    if s["path"] == "/echo" and s["method"] == "PUT":
        assert r["interim"] == 1, r
assert len(set(conns.values())) == 2, conns
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == len(sent) and summ["requests"] == 0, summ
# processes counts the ones with requests, made or (a server) answered;
# processes_traced the ones that connected
assert summ["processes_traced"] == 1 and summ["processes"] == 1, summ
PYEOF

# The same capture as HAR: no entries, and a comment that says why.
"$HTTPTRACE" -f har -o "$T/out.har" -- "$PY" -c "
import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b'GET /h HTTP/1.1\r\nHost: x\r\n\r\n'); a.recv(100)
a.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); c.recv(100)
" || fail "har run failed"
"$PY" - "$T/out.har" <<'PYEOF' || { show "$T/out.har"; fail "HAR does not leave the server's record out, saying so"; }
import json, sys
h = json.load(open(sys.argv[1]))["log"]
# the client's request is there once; the server's answer is not an entry
assert len(h["entries"]) == 1, h["entries"]
assert "1 request answered by traced servers left out" in h["comment"], h
PYEOF
pass
