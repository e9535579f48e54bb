#!/bin/bash
# test_server_node_https.sh - a traced Node.js HTTPS server (OpenSSL with
# memory BIOs: libuv reads the ClientHello, the session never touches the
# socket) records every request it answered: https.createServer loaded by
# an untraced curl on one keep-alive connection, then http2.createSecureServer
# (ALPN h2) with two streams on one connection.  Each record is matched to
# the server's own log of what it read and to curl's account (curl -w);
# the session is tied to its accepted socket by its ClientHello random.
# Then one node process is both: its https client sessions (tied by their
# ClientHello written) and its server sessions (by the ClientHello read)
# on one thread are never taken for one another: each of twelve requests
# on three keep-alive connections is a client record and a server record,
# joined, with the same target.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node curl openssl
make_cert

# $1: "https" or "h2"; the server logs "METHOD URL BODYBYTES RESPBYTES".
# shellcheck disable=SC2016 # JavaScript, not shell
serve() {
	"$HTTPTRACE" -f json -o "$T/$1.json" -- node -e '
const [mode, port, cert, key, logf] = process.argv.slice(1);
const fs = require("fs"), log = fs.openSync(logf, "w");
const opts = {cert: fs.readFileSync(cert), key: fs.readFileSync(key)};
const handle = (req, res) => {
	let n = 0;
	req.on("data", d => n += d.length);
	req.on("end", () => {
		const body = "y".repeat(n * 2 + 7);
		/* logged once the response is handed over whole */
		res.on("finish", () => fs.writeSync(log,
			`${req.method} ${req.url} ${n} ${body.length}\n`));
		/* (HTTP/2: no Content-Length, so that curl waits for the
		 * END_STREAM rather than reset a stream whose body it has) */
		if (mode !== "h2")
			res.setHeader("Content-Length", body.length);
		res.end(body);
	});
};
const srv = mode === "h2" ? require("http2").createSecureServer(opts, handle)
			  : require("https").createServer(opts, handle);
srv.listen(+port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
' "$1" "$2" "$T/cert.pem" "$T/key.pem" "$T/$1.log" >"$T/$1.out" 2>&1 &
	tpid=$!
	_PIDS+=("$tpid")
	wait_port 127.0.0.1 "$2" "$tpid" || { show "$T/$1.out"; fail "traced node $1 server did not start"; }
}

# $1: mode; the rest: curl's options.
check() {
	local mode=$1 port
	shift
	port=$(free_port)
	serve "$mode" "$port"
	local u=https://127.0.0.1:$port
	local w='%{http_code} %{size_download} %{num_connects} %{http_version}\n'
	# (--next keeps the connection)
	curl -sk -w "$w" "$@" -o /dev/null "$u/a" -o /dev/null "$u/b?c=d" \
		--next -sk -w "$w" "$@" -o /dev/null -d "$(printf '%0300d' 0)" \
		"$u/post" >"$T/$mode.curl" || fail "$mode: curl failed"
	wait_file_line "$T/$mode.log" "^POST /post " || true
	kill -TERM "$tpid"
	wait "$tpid" || true
	"$PY" - "$T/$mode.json" "$T/$mode.log" "$T/$mode.curl" "$mode" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
seen = [l.split() for l in open(sys.argv[2])]
got = [l.split() for l in open(sys.argv[3])]
h2 = sys.argv[4] == "h2"
assert len(seen) == len(got) == 3 and len(reqs) == 3, (seen, got, reqs)
assert [g[2] for g in got] == ["1", "0", "0"], got  # one connection
assert [g[3] for g in got] == ["2" if h2 else "1.1"] * 3, got
for r, (method, url, n, m), (code, size, _, _) in zip(reqs, seen, got):
    assert r["side"] == "server" and r["error"] is None, r
    assert r["tls"] is True and r["tls_version"].startswith("TLSv1."), r
    assert r["url"].startswith("https://") and r["url"].endswith(url), (r, url)
    assert r["method"] == method, (r, method)
    assert r["req_bytes"] == int(n) and r["resp_bytes"] == int(m) == int(size), (r, n, m, size)
    assert r["status"] == int(code) == 200, (r, code)
    assert r["proto"] == ("HTTP/2" if h2 else "HTTP/1.1"), r
    if h2:
        assert r["alpn"] == "h2", r
assert len({r["conn"] for r in reqs}) == 1, reqs
assert [r["req"] for r in reqs] == [1, 2, 3], reqs
assert [r["reused"] for r in reqs] == [False, True, True], reqs
assert reqs[0]["tls_ms"] is not None, reqs[0]
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 3, summ
PYEOF
		{ show "$T/$mode.json" "$T/$mode.log" "$T/$mode.curl" "$T/$mode.out"; fail "$mode: server records do not match the server's log and curl's"; }
}

check https --http1.1
# HTTP/2: the three as streams one after another on one connection
check h2 --http2

# shellcheck disable=SC2016 # JavaScript, not shell
"$HTTPTRACE" -f json -o "$T/self.json" -- node -e '
const fs = require("fs"), https = require("https");
const [cert, key] = process.argv.slice(1);
const srv = https.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key)},
	(req, res) => res.end("hi " + req.url));
srv.listen(0, "127.0.0.1", async () => {
	const agent = new https.Agent({keepAlive: true, maxSockets: 3});
	const get = path => new Promise((ok, ko) => https.get({host: "127.0.0.1",
		port: srv.address().port, path, agent, rejectUnauthorized: false},
		r => { let b = ""; r.on("data", d => b += d); r.on("end", () => ok(b)); })
		.on("error", ko));
	const got = await Promise.all(Array.from({length: 12}, (_, i) => get("/p" + i)));
	console.log(got.join(","));
	agent.destroy();
	srv.close();
});
' "$T/cert.pem" "$T/key.pem" >"$T/self.out" 2>&1 || { show "$T/self.out"; fail "self: node exited $?"; }
[ "$(cat "$T/self.out")" = "$(seq -s, -f 'hi /p%g' 0 11)" ] || { show "$T/self.out"; fail "self: node did not get its answers"; }
"$PY" - "$T/self.json" <<'PYEOF' || { show "$T/self.json"; fail "self: client and server records do not pair up"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
client = [r for r in reqs if r.get("side") != "server"]
server = [r for r in reqs if r.get("side") == "server"]
assert len(client) == len(server) == 12, reqs
assert sorted(r["url"].split("/")[3] for r in server) == sorted(f"p{i}" for i in range(12)), server
by_id = {(r["pid"], r["conn"], r["req"]): r for r in reqs}
for c in client:
    assert c["error"] is None and c["status"] == 200 and c["tls"] is True, c
    p = c["peer_record"]
    s = by_id[(p["pid"], p["conn"], p["req"])]
    assert s["side"] == "server" and s["error"] is None and s["tls"] is True, s
    assert s["url"] == c["url"] and s["req"] == c["req"], (c, s)
    assert s["resp_bytes"] == c["resp_bytes"], (c, s)
assert len({c["conn"] for c in client}) == len({s["conn"] for s in server}) == 3, reqs
PYEOF
pass
