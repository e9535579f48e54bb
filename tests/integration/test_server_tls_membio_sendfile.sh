#!/bin/bash
# test_server_tls_membio_sendfile.sh - a TLS server with memory BIOs
# (Python's ssl.SSLObject) that moves its ciphertext with sendfile or
# splice: its two responses on one connection are complete.  Those calls'
# bytes were taken for plaintext the tracer missed: both records were
# "bytes the tracer could not see; not followed" (a review found it; the
# wait for a memory-BIO response's ciphertext made the first one wrong
# too).  They are the TLS session's ciphertext, counted as such.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
make_cert

cat >"$T/srv.py" <<'PYEOF'
import os, socket, ssl, sys, tempfile
port, mode, cert, key, ready = sys.argv[1:6]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(port)))
ls.listen(8)
open(ready, "w").close()
c, _ = ls.accept()
inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inb, outb, server_side=True)
handshaken = False

def send(data):
    if not data:
        return
    if not handshaken:
        c.sendall(data)
    elif mode == "sendfile":
        with tempfile.TemporaryFile() as f:
            f.write(data)
            f.flush()
            off = 0
            while off < len(data):
                off += os.sendfile(c.fileno(), f.fileno(), off, len(data) - off)
    else:
        r, w = os.pipe()
        os.write(w, data)
        left = len(data)
        while left:
            left -= os.splice(r, c.fileno(), left)
        os.close(r)
        os.close(w)

while True:
    try:
        o.do_handshake()
        break
    except ssl.SSLWantReadError:
        send(outb.read())
        d = c.recv(65536)
        if not d:
            sys.exit(1)
        inb.write(d)
send(outb.read())
handshaken = True
buf = b""
while True:
    try:
        d = o.read(65536)
    except ssl.SSLWantReadError:
        send(outb.read())
        d = c.recv(65536)
        if not d:
            break
        inb.write(d)
        continue
    except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
        break
    if not d:
        break
    buf += d
    while b"\r\n\r\n" in buf:
        _, buf = buf.split(b"\r\n\r\n", 1)
        o.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        send(outb.read())
c.close()
PYEOF

for mode in sendfile splice; do
	port=$(free_port 127.0.0.1)
	rm -f "$T/ready"
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$PY" "$T/srv.py" "$port" "$mode" \
		"$T/cert.pem" "$T/key.pem" "$T/ready" 2>"$T/$mode.err" &
	tpid=$!
	_PIDS+=("$tpid")
	for _ in $(seq 200); do [ -e "$T/ready" ] && break; sleep 0.05; done
	[ -e "$T/ready" ] || { show "$T/$mode.err"; fail "$mode: the server did not start"; }
	curl -sk -m 20 -o "$T/$mode.a" -o "$T/$mode.b" \
		"https://127.0.0.1:$port/a" "https://127.0.0.1:$port/b" ||
		fail "$mode: curl failed"
	[ "$(cat "$T/$mode.a" "$T/$mode.b")" = hellohello ] || fail "$mode: curl got the wrong bodies"
	wait "$tpid" || { show "$T/$mode.err"; fail "$mode: the server failed"; }
	jcheck "$T/$mode.json" --event request --count 2 \
		--each 'side == "server" and status == 200 and error is None and resp_bytes == 5' \
		--expect 'sorted(u.rsplit("/", 1)[1] for u in url) == ["a", "b"]'
done
pass
