#!/bin/bash
# test_server_broken_line.sh - a traced Python server answers request
# lines with HTTP's method that break after the target: junk after the
# version, a bad version, a TAB before it, a lower-case "http/", HTTP/0.9's
# "GET /x".  Its log has each; each is a record, a malformed request, with
# its method, its target, the status on the wire (none for Python's
# HTTP/0.9 answers, which have no status line) and the bytes the server
# wrote.  Before: no record at all for any of them (the server's probe
# took the connections for another protocol's), nothing counted.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_traced_py py srvlog.py "$T/py.log"
port=$TRACED_PORT tpid=$TRACED_PID
# each line on a connection of its own, read to the server's close (or to
# the end of the one answer a keep-alive connection gets); what the client
# got, one JSON line per request
"$PY" - "$port" >"$T/client.json" <<'PYEOF' || fail "client failed"
import json, socket, sys
lines = {
    "/b-extra": b"GET /b-extra HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    "/b-ver": b"GET /b-ver HTTP/1.1x\r\nHost: x\r\n\r\n",
    "/b-tab": b"GET /b-tab\tHTTP/1.1\r\nHost: x\r\n\r\n",
    "/b-lower": b"GET /b-lower http/1.1\r\nHost: x\r\n\r\n",
    "/b-09": b"GET /b-09\r\n\r\n",
}
for target, q in lines.items():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(5)
    s.sendall(q)
    got = b""
    while not got.endswith(b"ok\n"):
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    print(json.dumps({"target": target, "bytes": len(got),
                      "head": got[:12].decode("latin1")}))
PYEOF
for _ in $(seq 1 50); do
	[ "$(wc -l <"$T/py.log")" -ge 5 ] && break
	sleep 0.1
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/py.json" "$T/py.log" "$T/client.json" <<'PYEOF' || { show "$T/py.json" "$T/py.log" "$T/client.json"; fail "the answered broken request lines are not reported as the server's log says"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = [r for r in recs if r["event"] == "request"]
log = [json.loads(l) for l in open(sys.argv[2])]
cli = [json.loads(l) for l in open(sys.argv[3])]
assert len(log) == len(cli) == 5, (log, cli)
assert len(srv) == 5, srv
for c in cli:
    got = [r for r in srv if r["url"].endswith(c["target"])]
    assert len(got) == 1, (c, srv)
    r = got[0]
    # the server's count of what it wrote, the client's of what it read
    lw = [l["written"] for l in log if l["written"] == c["bytes"]]
    assert lw, (c, log)
    assert r["side"] == "server" and r["method"] == "GET", r
    assert r["error"] == "malformed request", r
    assert r["resp_header_bytes"] + r["resp_bytes"] == c["bytes"] > 0, (r, c)
    if c["head"].startswith("HTTP/1."):
        assert r["status"] == int(c["head"][9:12]), (r, c)
    else:
        assert r["status"] is None and r["resp_header_bytes"] == 0, (r, c)
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_errors"] == 5, summ
PYEOF
pass
