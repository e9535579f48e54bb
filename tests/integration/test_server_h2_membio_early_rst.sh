#!/bin/bash
# test_server_h2_membio_early_rst.sh - a traced asyncio HTTP/2 server over
# TLS (asyncio's SSL is an SSLObject: memory BIOs, the program moves the
# ciphertext) answers a POST at once, whole, without reading its body, and
# in the same write asks the client to stop sending it without error:
# RST_STREAM(NO_ERROR) (RFC 9113 8.1).  The client (untraced) reads the
# whole response.  The record must say 200, every byte, no error (an early
# answer); a648acc had the RST_STREAM, read in plaintext before the socket
# carried the ciphertext, cut the stream: "stream reset", resp_bytes 0,
# server_errors 1.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd openssl
make_cert

cat >"$T/client.py" <<'PYEOF'
import socket, sys, time
from h2wire import PREFACE, frame, literal, split_frames, tls_client
host, port = sys.argv[1], int(sys.argv[2])
s = tls_client(socket.create_connection((host, port), timeout=30), host)
# a POST on stream 1 whose body is to come (no END_STREAM), 100 bytes of it
s.sendall(PREFACE + frame(4, 0, 0, b"")
          + frame(1, 4, 1, b"\x83\x87" + literal(4, "/early")
                  + literal(1, "%s:%d" % (host, port)))
          + frame(0, 0, 1, b"a" * 100))
buf, n, ended, rst = b"", 0, 0, None
while rst is None:
    b = s.recv(65536)
    if not b:
        break
    frames, buf = split_frames(buf + b)
    for t, f, _, pay in frames:
        if t == 0:
            n += len(pay)
        if t in (0, 1) and f & 1:
            ended = 1
        if t == 3:
            rst = int.from_bytes(pay, "big")
time.sleep(0.2)
s.close()
print(n, ended, rst)
PYEOF

start_traced_py trace h2membio_server.py early "$T/cert.pem" "$T/key.pem" 12000
port=$TRACED_PORT tpid=$TRACED_PID
PYTHONPATH=$TESTS_DIR "$PY" "$T/client.py" 127.0.0.1 "$port" >"$T/client" 2>"$T/client.err" ||
	{ show "$T/client.err"; fail "client failed"; }
for _ in $(seq 100); do
	grep -q '"event":"request"' "$T/trace.json" 2>/dev/null && break
	sleep 0.05
done
kill -TERM "$tpid"
wait "$tpid" || true
"$PY" - "$T/trace.json" "$T/client" <<'PYEOF' ||
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = open(sys.argv[2]).read().split()
assert got == ["12000", "1", "0"], got   # read whole, then RST_STREAM(NO_ERROR)
reqs = [r for r in recs if r["event"] == "request"]
assert len(reqs) == 1, reqs
r = reqs[0]
assert r["side"] == "server" and r["tls"] is True and r["proto"] == "HTTP/2", r
assert r["status"] == 200 and r["error"] is None and r["resp_bytes"] == 12000, r
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 1 and summ["server_errors"] == 0, summ
PYEOF
	{ show "$T/trace.json" "$T/client" "$T/trace.out"; fail "the early answer's record does not match what the client read"; }
pass
