#!/bin/bash
# test_server_node_http.sh - a traced Node.js http server (libuv's event
# loop: accept4, read, writev) records every request it answered, matched
# to the server's own log of what it read (method, URL, body bytes) and to
# what the untraced curl got back, its keep-alive connection reused.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node curl

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- node -e '
const http = require("http"), fs = require("fs");
const log = fs.openSync(process.argv[2], "w");
http.createServer((req, res) => {
	let n = 0;
	req.on("data", d => n += d.length);
	req.on("end", () => {
		const body = "x".repeat(n * 2 + 1);
		fs.writeSync(log, `${req.method} ${req.url} ${n} ${body.length}\n`);
		res.setHeader("Content-Length", body.length);
		res.end(body);
	});
}).listen(+process.argv[1], "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
' "$port" "$T/node.log" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced node server did not start"

u=http://127.0.0.1:$port
curl -s -o /dev/null "$u/a" -o /dev/null "$u/b?c=d" || fail "curl failed"
curl -s -o /dev/null -d "$(printf '%0300d' 0)" "$u/post" || fail "curl POST failed"
for _ in $(seq 50); do [ "$(wc -l <"$T/node.log")" -ge 3 ] && break; sleep 0.1; done
kill -TERM "$tpid"
wait "$tpid" || true

"$PY" - "$T/out.json" "$T/node.log" <<'PYEOF' || { show "$T/out.json" "$T/node.log"; fail "server records do not match the server's log"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
seen = [l.split() for l in open(sys.argv[2])]
assert len(seen) == 3 and len(reqs) == 3, (seen, reqs)
for r, (method, url, n, m) in zip(reqs, seen):
    assert r["side"] == "server" and r["error"] is None, r
    assert r["method"] == method and r["url"].endswith(url), (r, url)
    assert r["req_bytes"] == int(n) and r["resp_bytes"] == int(m), (r, n, m)
    assert r["status"] == 200, r
assert [r["req"] for r in reqs] == [1, 2, 1], reqs
assert reqs[0]["conn"] == reqs[1]["conn"] != reqs[2]["conn"], reqs
assert reqs[1]["reused"] and reqs[1]["idle_ms"] is not None, reqs[1]
PYEOF
pass
