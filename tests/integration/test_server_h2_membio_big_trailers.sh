#!/bin/bash
# test_server_h2_membio_big_trailers.sh - (review of h2bigresp) a
# traced asyncio HTTP/2 server over TLS (memory BIOs) answers a 200 and 1000
# body bytes, then, 0.5 s later (its loop blocked meanwhile), the trailers
# that end the stream; the client (untraced) read the body and reset the
# connection before them.  The trailers' ciphertext never reached the
# client: the record must say the response was cut, as it does when the
# trailers are small (decoded).  With trailers over 16 KiB (framed, not
# decoded: response_lost()) the stream is reported whole, no error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
make_cert
cat >"$T/srv.py" <<'PYEOF'
import sys, time
sys.path.insert(0, sys.argv[4])
from h2wire import PREFACE, frame, serve_tls, split_frames
import asyncio

class C(asyncio.Protocol):
    def connection_made(self, tr):
        self.tr, self.buf, self.preface = tr, b"", True
        tr.write(frame(4, 0, 0, b""))
    def data_received(self, d):
        self.buf += d
        if self.preface:
            if len(self.buf) < len(PREFACE):
                return
            self.buf, self.preface = self.buf[len(PREFACE):], False
        frames, self.buf = split_frames(self.buf)
        for t, fl, sid, pl in frames:
            if t != 1:
                continue
            self.tr.write(frame(1, 4, sid, b"\x88") + frame(0, 0, sid, b"x" * 1000))
            time.sleep(0.5)   # the client resets meanwhile, unseen
            if b"/big" in pl:
                out = frame(1, 1, sid, b"x" * 10000) + frame(9, 4, sid, b"x" * 7000)
            else:
                out = frame(1, 5, sid, b"\x00\x03x-t\x011")
            self.tr.write(out)

serve_tls(C, int(sys.argv[1]), sys.argv[2], sys.argv[3])
PYEOF
cat >"$T/cli.py" <<'PYEOF'
import socket, struct, sys, time
sys.path.insert(0, sys.argv[3])
from h2wire import PREFACE, frame, get_block, split_frames, tls_client
host, port, path = "127.0.0.1", int(sys.argv[1]), sys.argv[2]
s = tls_client(socket.create_connection((host, port), timeout=60), host)
s.sendall(PREFACE + frame(4, 0, 0, b"") + frame(1, 0x5, 1, get_block(True, host, port, path)))
buf, total = b"", 0
while total < 1000:
    b = s.recv(65536)
    if not b:
        break
    frames, buf = split_frames(buf + b)
    for t, fl, sid, pl in frames:
        if t == 4 and not fl & 1:
            s.sendall(frame(4, 1, 0, b""))
        if t == 0 and sid == 1:
            total += len(pl)
time.sleep(0.1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYEOF
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/trace.json" -- "$PY" "$T/srv.py" "$port" \
	"$T/cert.pem" "$T/key.pem" "$TESTS_DIR" >"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "the traced server did not start"; }
for p in /small /big; do
	"$PY" "$T/cli.py" "$port" "$p" "$TESTS_DIR" || fail "client $p failed"
done
for _ in $(seq 100); do
	[ "$(grep -c '"event":"request"' "$T/trace.json" 2>/dev/null)" -ge 2 ] && break
	sleep 0.05
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/trace.json" <<'PYEOF' || { show "$T/trace.json" "$T/server.out"; fail "a response the client never got whole is reported whole"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = {r["url"].split("/")[-1]: r for r in recs if r["event"] == "request"}
assert sorted(reqs) == ["big", "small"], reqs
assert reqs["small"]["error"] == "connection reset", reqs["small"]
assert reqs["big"]["error"] is not None, reqs["big"]
PYEOF
pass
