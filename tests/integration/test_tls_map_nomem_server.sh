#!/bin/bash
# test_tls_map_nomem_server.sh - review of trust: a traced server whose TLS
# uses memory BIOs (Python asyncio's SSLObject) has each session tied to
# its accepted connection by the ClientHello's random, and found by its
# later calls only through the TLS session map.  When the map cannot be
# mapped (an inherited seccomp filter refuses the map's mmap, as in
# test_tls_map_nomem_membio), the connection must be counted as TLS not
# decoded (its 3 requests then counted with it, not seen), as a client's
# is; before, it was let go as a connection no hooked session took: a
# summary of 0 connections, 0 requests, nothing dropped.
# SESSMAP_BYTES=1: control (nothing refused, the 3 requests reported).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd setarch
build_prog seccomp_nomap
make_cert
SIZE=${SESSMAP_BYTES:-262144}
# The library's text, ASLR off: only its own mmap calls of that size fail.
range=$(lib_text_range)

cat >"$T/server.py" <<'PYEOF'
import asyncio, signal, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
async def serve(r, w):
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            await w.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    w.close()
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = await asyncio.start_server(serve, "127.0.0.1", port, ssl=ctx)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with srv:
        await stop.wait()
asyncio.run(main())
PYEOF
port=$(free_port)
setarch -R "$HTTPTRACE" -f json -o "$T/out.json" -- "$T/seccomp_nomap" "$SIZE:$range" \
	"$PY" "$T/server.py" "$port" "$T/cert.pem" "$T/key.pem" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "the traced server did not start"; }
"$PY" - "$port" >"$T/client.out" 2>"$T/client.err" <<'PYEOF' || { show "$T/client.err"; fail "the client failed"; }
import http.client, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=30)
for i in range(3):
    c.request("GET", "/%d" % i)
    assert c.getresponse().read() == b"hello"
c.close()
print("ok")
PYEOF
grep -qx ok "$T/client.out" || fail "the client did not finish"
sleep 0.3
kill -TERM "$tpid"
wait "$tpid" || true
if [ -n "${SESSMAP_BYTES:-}" ]; then
	jcheck "$T/out.json" --count 3 --each 'status == 200 and tls is True and error is None'
	pass
fi
jcheck "$T/out.json" --count 0
jcheck "$T/out.json" --event connection --count 1 --each 'requests is None and tls_version is not None'
jcheck "$T/out.json" --event summary --count 1 --each 'tls_undecoded == 1 and requests == 0'
pass
