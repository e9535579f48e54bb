#!/bin/bash
# test_server_h2_membio_cut.sh - a traced Node.js HTTP/2 server over TLS
# (http2.createSecureServer: its TLS writes the ciphertext into memory, node
# moves it to the socket later) answers each stream at once, whole, in
# plaintext; a client (h2cut.py, untraced, with the largest flow-control
# windows) that reads 200 kB of a 10 MB response and closes, or 50 kB and
# resets, cut it: the server's record says so (an error, fewer than the
# 10 MB), never 200/10 MB/no error.  Controls on the same server: one
# response of 2 MB read whole, and three streams open at once on one
# connection (1 MB, 1 kB, 300 kB) read whole: each record whole, its bytes
# the client's count.  Before, the cut streams were reported whole.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node openssl
node -e 'require("http2")' 2>/dev/null || skip "node without http2"
make_cert

# The server answers /b/N/NAME with N bytes (content-length N).
cat >"$T/server.js" <<'JSEOF'
const fs = require("fs");
const [port, cert, key] = process.argv.slice(2);
const srv = require("http2").createSecureServer(
	{cert: fs.readFileSync(cert), key: fs.readFileSync(key)}, (req, res) => {
		const n = parseInt(req.url.split("/")[2]);
		res.setHeader("content-length", n);
		res.end(Buffer.alloc(n, 120));
	});
srv.listen(+port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
JSEOF

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/trace.json" -- node "$T/server.js" "$port" \
	"$T/cert.pem" "$T/key.pem" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "the traced node server did not start"; }
client() {
	"$PY" "$TESTS_DIR/h2cut.py" 127.0.0.1 "$port" "$@" >>"$T/client" 2>>"$T/client.err" ||
		{ show "$T/client.err"; fail "client $* failed"; }
}
client whole 0 /b/2000000/one
client whole 0 /b/1000000/keep1 /b/1000/keep2 /b/300000/keep3
client close 200000 /b/10000000/cut-close
client rst 50000 /b/10000000/cut-rst
# The cut connections' records come when node's write fails (node may
# keep such a socket open): wait for all six records, then stop node.
for _ in $(seq 300); do
	[ "$(grep -c '"event":"request"' "$T/trace.json" 2>/dev/null)" -ge 6 ] && break
	sleep 0.05
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/trace.json" "$T/client" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = {r["url"].split("/")[-1]: r for r in recs if r["event"] == "request"}
read = {l.split()[0].split("/")[-1]: l.split()[1:] for l in open(sys.argv[2])}
names = ["cut-close", "cut-rst", "keep1", "keep2", "keep3", "one"]
assert sorted(reqs) == sorted(read) == names, (reqs, read)
for k in ("one", "keep1", "keep2", "keep3"):
    r = reqs[k]
    assert r["side"] == "server" and r["tls"] is True, r
    assert r["proto"] == "HTTP/2", r
    assert read[k][1] == "1", (k, read[k])
    assert r["error"] is None and r["status"] == 200, r
    assert r["resp_bytes"] == int(read[k][0]) == int(r["url"].split("/")[-2]), (r, read[k])
assert len({reqs[k]["conn"] for k in ("keep1", "keep2", "keep3")}) == 1, reqs
for k in ("cut-close", "cut-rst"):
    r = reqs[k]
    assert int(read[k][0]) < 10000000 and read[k][1] == "0", read
    assert r["side"] == "server" and r["tls"] is True and r["status"] == 200, r
    assert r["error"] in ("connection reset",
                          "connection closed before the response completed"), r
    assert r["resp_bytes"] < 10000000, r
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 6 and summ["server_errors"] == 2, summ
PYEOF
	{ show "$T/trace.json" "$T/client" "$T/server.out"; fail "server records do not match what the client read"; }
pass
