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

# The client: 128 GETs with the largest windows, reads nothing for a
# while, one more GET, then a reset.  A small receive buffer: the
# server's socket fills long before 10 MB.
cat >"$T/client.py" <<'PYEOF'
import socket, struct, sys, time
from h2wire import PREFACE, frame, literal, tls_client
port = int(sys.argv[1])
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
raw.connect(("127.0.0.1", port))
s = tls_client(raw, "x")
big = 2**31 - 1
def get(sid):
    n = 10000000 if sid == 1 else 1000
    return frame(1, 0x5, sid, b"\x82\x87" + literal(4, "/b/%d" % n)
                 + literal(1, "127.0.0.1:%d" % port))
out = (PREFACE
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

start_traced_py trace h2membio_server.py room "$T/cert.pem" "$T/key.pem"
port=$TRACED_PORT tpid=$TRACED_PID
PYTHONPATH=$TESTS_DIR "$PY" "$T/client.py" "$port" >"$T/client.out" 2>"$T/client.err" ||
	{ show "$T/client.err"; fail "the client failed"; }
for _ in $(seq 100); do
	[ "$(grep -c '"event":"request"' "$T/trace.json" 2>/dev/null)" -ge 129 ] && break
	sleep 0.05
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/trace.json" <<'PYEOF' || { show "$T/trace.out"; fail "a stream the client never read is reported whole"; }
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
print("records:", len(reqs), collections.Counter(r["error"] for r in reqs), file=sys.stderr)
whole = [r for r in reqs if r["error"] is None]
assert not whole, [(r["url"], r["status"], r["resp_bytes"]) for r in whole]
assert len(reqs) == 129, len(reqs)
PYEOF
pass
