#!/bin/bash
# test_server_tls_membio_cut.sh - a traced server whose TLS writes its
# ciphertext into memory (Python asyncio's ssl.SSLObject over memory BIOs,
# node's https with its own BIOs, reached by the inline hooks): its
# library takes the whole response in plaintext at once, the program
# moves the ciphertext later.  A client that reads 200 kB of a 10 MB
# response and closes, or resets after 50 kB, cut it: the server's record
# says so (an error, fewer than the 10 MB), as it does over plain TCP,
# never 200/10 MB/no error.  Controls on the same server: two responses
# read whole on one keep-alive connection the client then closes, and one
# "Connection: close" response read whole: each record whole, its bytes
# the client's count.  The clients are untraced Python; what each read is
# its own account.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd node openssl
make_cert

# The client: $1 port, $2 what it does; prints "PATH BYTES" per response.
cat >"$T/client.py" <<'PYEOF'
import socket, ssl, struct, sys
port, mode = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))

def get(path, limit=None, close=False):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" %
              (path.encode(), b"Connection: close\r\n" if close else b""))
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
    head, body = got.split(b"\r\n\r\n", 1)
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
         if l.lower().startswith(b"content-length:")][0]
    want = n if limit is None else min(n, limit)
    while len(body) < want:
        d = s.recv(65536)
        if not d:
            break
        body += d
    print(path, len(body), flush=True)

if mode == "whole":
    get("/b/1000000/keep1")
    get("/b/1000/keep2")
elif mode == "closing":
    get("/b/300000/closing", close=True)
elif mode == "close":
    get("/b/10000000/cut-close", 200000)
elif mode == "rst":
    get("/b/10000000/cut-rst", 50000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYEOF

# The servers answer /b/N with N bytes and log "end" as each connection
# ends (asyncio: "cut PATH" too when its write fails).
cat >"$T/server.py" <<'PYEOF'
import asyncio, ssl, sys
port, cert, key, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def note(s):
    with open(log, "a") as f:
        f.write(s + "\n")

async def handle(r, w):
    try:
        while line := await r.readline():
            while (await r.readline()) not in (b"\r\n", b""):
                pass
            path = line.split()[1].decode()
            n = int(path.split("/")[2])
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n +
                    b"x" * n)
            await w.drain()
    except Exception as e:
        note("cut %s" % type(e).__name__)
    finally:
        w.close()
        note("end")

async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    s = await asyncio.start_server(handle, "127.0.0.1", port, ssl=ctx)
    await s.serve_forever()

asyncio.run(main())
PYEOF
cat >"$T/server.js" <<'JSEOF'
const fs = require("fs");
const [port, cert, key, logf] = process.argv.slice(2);
const note = s => fs.appendFileSync(logf, s + "\n");
const srv = require("https").createServer(
	{cert: fs.readFileSync(cert), key: fs.readFileSync(key)}, (req, res) => {
		const n = parseInt(req.url.split("/")[2]);
		res.setHeader("Content-Length", n);
		res.end(Buffer.alloc(n, 120));
	});
srv.on("connection", s => s.on("close", () => note("end")));
srv.listen(+port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
JSEOF

# $1: name ("asyncio" or "node"); the rest: the server's command.
check() {
	local name=$1 port tpid m _
	shift
	port=$(free_port)
	"$HTTPTRACE" -f json -o "$T/$name.json" -- "$@" "$port" "$T/cert.pem" \
		"$T/key.pem" "$T/$name.log" >"$T/$name.out" 2>&1 &
	tpid=$!
	_PIDS+=("$tpid")
	wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/$name.out"; fail "$name: the traced server did not start"; }
	# (wait_port's probe connection ends too: one "end" more)
	for m in whole closing close rst; do
		"$PY" "$T/client.py" "$port" "$m" >>"$T/$name.client" 2>>"$T/$name.out" ||
			{ show "$T/$name.out"; fail "$name: client $m failed"; }
	done
	for _ in $(seq 200); do
		[ "$(grep -c '^end' "$T/$name.log" 2>/dev/null)" -ge 5 ] && break
		sleep 0.05
	done
	kill -TERM "$tpid"
	wait "$tpid" || true
	"$PY" - "$T/$name.json" "$T/$name.client" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = {r["url"].split("/")[-1]: r for r in recs if r["event"] == "request"}
read = {l.split()[0].split("/")[-1]: int(l.split()[1]) for l in open(sys.argv[2])}
assert sorted(reqs) == sorted(read) == ["closing", "cut-close", "cut-rst", "keep1", "keep2"], (reqs, read)
for k in ("keep1", "keep2", "closing"):
    r = reqs[k]
    assert r["side"] == "server" and r["tls"] is True, r
    assert r["error"] is None and r["status"] == 200, r
    assert r["resp_bytes"] == read[k] == int(r["url"].split("/")[-2]), (r, read[k])
assert reqs["keep2"]["conn"] == reqs["keep1"]["conn"] and reqs["keep2"]["reused"], reqs
for k in ("cut-close", "cut-rst"):
    r = reqs[k]
    assert read[k] < 10000000, read
    assert r["side"] == "server" and r["tls"] is True and r["status"] == 200, r
    assert r["error"] in ("connection reset",
                          "connection closed before the response completed"), r
    assert r["resp_bytes"] < 10000000, r
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 5 and summ["server_errors"] == 2, summ
PYEOF
		{ show "$T/$name.json" "$T/$name.client" "$T/$name.log" "$T/$name.out"; fail "$name: server records do not match what the clients read"; }
}

check asyncio "$PY" "$T/server.py"
check node node "$T/server.js"
pass
