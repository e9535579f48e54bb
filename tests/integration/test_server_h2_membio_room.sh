#!/bin/bash
# test_server_h2_membio_room.sh - a traced asyncio HTTP/2 server over TLS
# (asyncio's SSL is an SSLObject: memory BIOs, the program moves the
# ciphertext) answers each of 128 streams at once, whole in plaintext
# (10 MB on the first, 1 kB on the others), to a client that reads none
# of it: the socket takes a few MB of the first and no more, each stream
# waits for its ciphertext, the table of 128 streams full.  The client
# then opens one more stream, which makes room, and resets the
# connection.  No stream reached the socket whole: no record may say it
# was (cut, or not followed).  Before, the first stream, released to make
# room, was reported whole: 200, 10 MB, no error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd openssl
make_cert

cat >"$T/server.py" <<'PYEOF'
import asyncio, signal, ssl, struct, sys
def frame(t, f, s, p):
    return struct.pack(">I", len(p))[1:] + struct.pack(">BBI", t, f, s) + p
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class P(asyncio.Protocol):
    def connection_made(self, tr):
        self.tr, self.buf, self.pos = tr, b"", 24
        tr.write(frame(4, 0, 0, b""))
    def data_received(self, d):
        self.buf += d
        b = self.buf
        while len(b) >= self.pos + 9:
            n = int.from_bytes(b[self.pos:self.pos + 3], "big")
            t = b[self.pos + 3]
            sid = int.from_bytes(b[self.pos + 5:self.pos + 9], "big") & 0x7FFFFFFF
            if len(b) < self.pos + 9 + n:
                return
            self.pos += 9 + n
            if t == 1:   # HEADERS on /b/N: 200 and N bytes, whole
                path = b[self.pos - n:self.pos].split(b"/b/")[1]
                out = [frame(1, 4, sid, b"\x88")]
                left = int(path[:path.index(b"\x01")])
                while left:
                    k = min(left, 16384)
                    left -= k
                    out.append(frame(0, 0 if left else 1, sid, b"x" * k))
                self.tr.write(b"".join(out))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["h2"])
async def main():
    srv = await asyncio.get_running_loop().create_server(P, "127.0.0.1", port, ssl=ctx)
    await srv.serve_forever()
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
asyncio.run(main())
PYEOF

# The client: 128 GETs with the largest windows, reads nothing for a
# while, one more GET, then a reset.  A small receive buffer: the
# server's socket fills long before 10 MB.
cat >"$T/client.py" <<'PYEOF'
import socket, ssl, struct, sys, time
def frame(t, f, s, p):
    return struct.pack(">I", len(p))[1:] + struct.pack(">BBI", t, f, s) + p
def lit(i, v):
    v = v.encode()
    return bytes([i, len(v)]) + v
port = int(sys.argv[1])
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
raw.connect(("127.0.0.1", port))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["h2"])
s = ctx.wrap_socket(raw, server_hostname="x")
big = 2**31 - 1
def get(sid):
    n = 10000000 if sid == 1 else 1000
    return frame(1, 0x5, sid, b"\x82\x87" + lit(4, "/b/%d" % n)
                 + lit(1, "127.0.0.1:%d" % port))
out = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
       + frame(4, 0, 0, struct.pack(">HI", 4, big))
       + frame(8, 0, 0, struct.pack(">I", big - 65535)))
out += b"".join(get(1 + 2 * i) for i in range(128))
s.sendall(out)
time.sleep(1.5)            # the server answers all 128 in plaintext
s.sendall(frame(4, 1, 0, b"") + get(1 + 2 * 128))
time.sleep(0.5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
print("ok")
PYEOF

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/trace.json" -- "$PY" "$T/server.py" "$port" \
	"$T/cert.pem" "$T/key.pem" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "the traced server did not start"; }
"$PY" "$T/client.py" "$port" >"$T/client.out" 2>"$T/client.err" ||
	{ show "$T/client.err"; fail "the client failed"; }
for _ in $(seq 100); do
	[ "$(grep -c '"event":"request"' "$T/trace.json" 2>/dev/null)" -ge 129 ] && break
	sleep 0.05
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/trace.json" <<'PYEOF' || { show "$T/server.out"; fail "a stream the client never read is reported whole"; }
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
print("records:", len(reqs), collections.Counter(r["error"] for r in reqs), file=sys.stderr)
whole = [r for r in reqs if r["error"] is None]
assert not whole, [(r["url"], r["status"], r["resp_bytes"]) for r in whole]
assert len(reqs) == 129, len(reqs)
PYEOF
pass
