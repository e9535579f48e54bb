#!/bin/bash
# test_server_h2_closed_at_length.sh - a traced Node.js HTTP/2 server (h2c,
# then TLS) writes each response's DATA (content-length 3) and its empty
# END_STREAM DATA in two writes; the client (h2closeat.py, untraced) closes
# as soon as it has the 3 bytes, as curl does, so the connection ends
# before the END_STREAM.  Each stream is still reported whole (status 200,
# 3 bytes, no error), matched by client port and path to the server's log,
# and its record comes when node closes the connection (libuv closes with
# syscall(SYS_close)), not when node is stopped.  Before, the records said
# "connection closed before the response completed", and the streams of
# the connections node closed last stayed open until its end ("killed").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node openssl
node -e 'require("http2")' 2>/dev/null || skip "node without http2"
make_cert

# run MODE (h2c or tls): six connections, one stream each
run() {
	local mode=$1 port tpid
	port=$(free_port)
	# shellcheck disable=SC2016 # JavaScript, not shell
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- node -e '
const [mode, port, cert, key, logf] = process.argv.slice(1);
const fs = require("fs"), http2 = require("http2");
const log = fs.openSync(logf, "w");
const handle = (req, res) => {
	const port = req.stream.session.socket.remotePort;
	res.on("finish", () => fs.writeSync(log, `${port} ${req.url} 200 3\n`));
	res.writeHead(200, {"content-type": "text/plain", "content-length": 3});
	res.end("xyz");
};
const srv = mode === "tls"
	? http2.createSecureServer({cert: fs.readFileSync(cert),
				    key: fs.readFileSync(key)}, handle)
	: http2.createServer({}, handle);
srv.listen(+port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
' "$mode" "$port" "$T/cert.pem" "$T/key.pem" "$T/$mode.log" \
		>"$T/$mode.out" 2>&1 &
	tpid=$!
	_PIDS+=("$tpid")
	wait_port 127.0.0.1 "$port" "$tpid" || fail "$mode: traced node server did not start"
	"$PY" "$TESTS_DIR/h2closeat.py" "$mode" 127.0.0.1 "$port" 3 \
		/a1 /a2 /a3 /a4 /a5 /a6 >"$T/$mode.client" 2>&1 ||
		{ show "$T/$mode.client"; fail "$mode: client failed"; }
	for _ in $(seq 100); do
		[ "$(wc -l <"$T/$mode.log")" -ge 6 ] && break
		sleep 0.1
	done
	sleep 0.3 # node closes the connections it saw end
	kill -TERM "$tpid"
	wait "$tpid" || true
	"$PY" - "$T/$mode.json" "$T/$mode.log" "$T/$mode.client" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = {r["peer"].rsplit(":", 1)[1]: r for r in recs
       if r["event"] == "request" and r.get("side") == "server"}
log = [l.split() for l in open(sys.argv[2])]
cli = [l.split() for l in open(sys.argv[3])]
assert len(cli) == 6 and all(c[2:] == ["1", "3"] for c in cli), cli
assert len(log) == 6 and len(srv) == 6, (log, srv)
for port, path, status, n in log:
    r = srv[port]
    assert r["url"].endswith(path) and r["proto"] == "HTTP/2", r
    assert r["error"] is None, r
    assert r["status"] == int(status) and r["resp_bytes"] == int(n), r
    assert r["write_ms"] is not None, r
PYEOF
		{ show "$T/$mode.json" "$T/$mode.log"; fail "$mode: streams closed at content-length not reported whole"; }
}

run h2c
run tls
pass
