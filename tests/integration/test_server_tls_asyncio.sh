#!/bin/bash
# test_server_tls_asyncio.sh - a traced Python asyncio HTTPS server: its
# TLS is an ssl.SSLObject over memory BIOs (a shared libssl's server
# sessions that never touch the socket: asyncio reads the ClientHello
# itself), the exported hooks' case of what node's https server is for
# the inline ones.  Every request an untraced curl sent on one keep-alive
# connection is one server record, TLS, matching curl's account (curl -w).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl openssl
make_cert

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" -c '
import asyncio, ssl, sys
port, cert, key, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

async def handle(r, w):
    while line := await r.readline():
        n = 0
        while (h := await r.readline()) not in (b"\r\n", b""):
            if h.lower().startswith(b"content-length:"):
                n = int(h.split(b":")[1])
        await r.readexactly(n)
        body = b"z" * (n + 5)
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await w.drain()
        with open(log, "a") as f:  # once the response is written
            f.write(line.decode())
    w.close()

async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    s = await asyncio.start_server(handle, "127.0.0.1", port, ssl=ctx)
    await s.serve_forever()

asyncio.run(main())
' "$port" "$T/cert.pem" "$T/key.pem" "$T/server.log" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "traced server did not start"; }

u=https://127.0.0.1:$port
w='%{http_code} %{size_download} %{num_connects} %{url_effective}\n'
curl -sk -w "$w" -o /dev/null "$u/a" -o /dev/null "$u/b?c=d" \
	--next -sk -w "$w" -o /dev/null -d hello "$u/post" >"$T/curl.log" ||
	fail "curl failed"
wait_file_line "$T/server.log" "^POST /post " || { show "$T/server.out"; fail "the server did not log its last answer"; }
kill -TERM "$tpid"
wait "$tpid" || true

"$PY" - "$T/out.json" "$T/curl.log" <<'PYEOF' || { show "$T/out.json" "$T/curl.log" "$T/server.out"; fail "server records do not match curl's account"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
sent = [l.split() for l in open(sys.argv[2])]
assert len(reqs) == len(sent) == 3, (reqs, sent)
assert [s[2] for s in sent] == ["1", "0", "0"], sent
for i, (r, (code, size, _, url)) in enumerate(zip(reqs, sent)):
    assert r["side"] == "server" and r["tls"] is True and r["error"] is None, r
    assert r["url"] == url and r["status"] == int(code), (r, url, code)
    assert r["resp_bytes"] == int(size), (r, size)
    assert r["req"] == i + 1 and r["reused"] == (i > 0), r
    assert r["tls_version"].startswith("TLSv1."), r
assert len({r["conn"] for r in reqs}) == 1, reqs
assert reqs[0]["tls_ms"] is not None, reqs[0]
assert reqs[2]["method"] == "POST" and reqs[2]["req_bytes"] == 5, reqs[2]
PYEOF
pass
