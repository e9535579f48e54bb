#!/bin/bash
# test_nonhttp_client.sh - a traced client that speaks another protocol over
# TCP (Redis's inline PING and its array form, memcached's "get key", SMTP's
# EHLO: first lines with no HTTP method and no HTTP version) to a local echo
# server is not making HTTP requests: no record, no error, no connection
# counted.  An HTTP request the same process makes is still recorded, and a
# first line with an HTTP method that is broken is still a malformed request
# (which a real HTTP client never sends: said in the same run, so a change
# that hid every malformed request would be caught).  On main before this
# rule, each non-HTTP connection was a "malformed request" and the summary
# counted their errors.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.1 --log "$T/http.log"
hport=$SERVER_PORT

# The echo server, untraced; its own log is what it was sent.
eport=$(free_port)
"$PY" - "$eport" "$T/echo.log" >"$T/echo.out" 2>&1 <<'PYEOF' &
import socket, sys, threading
port, log = int(sys.argv[1]), open(sys.argv[2], "ab", buffering=0)
lock = threading.Lock()
def serve(c):
    got = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        got += d
        c.sendall(d)
    c.close()
    with lock:
        log.write(repr(got).encode() + b"\n")
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port)); l.listen(8)
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
epid=$!
_PIDS+=("$epid")
wait_port 127.0.0.1 "$eport" "$epid" || fail "echo server did not start"

"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" - "$eport" "$hport" \
	>"$T/client.out" 2>&1 <<'PYEOF' || { show "$T/client.out"; fail "the client failed"; }
import socket, sys, urllib.request
eport, hport = int(sys.argv[1]), int(sys.argv[2])
def talk(msgs):
    s = socket.create_connection(("127.0.0.1", eport))
    for m in msgs:
        s.sendall(m)
        got = b""
        while len(got) < len(m):
            got += s.recv(4096)
        assert got == m, (got, m)
    s.close()
talk([b"PING\r\n", b"PING\r\n"])
talk([b"*1\r\n$4\r\nPING\r\n"])
talk([b"get key\r\n", b"set key 0 0 1\r\nx\r\n"])
talk([b"EHLO client.test\r\n", b"QUIT\r\n"])
# a broken request line with an HTTP method: a malformed request
talk([b"GET /a b HTTP/1.1\r\n"])
assert len(urllib.request.urlopen("http://127.0.0.1:%d/bytes/5" % hport).read()) == 5
PYEOF

# the echo server saw every message (the client checked each echo)
# (wait_port's own connection sent nothing)
[ "$(grep -vc "^b''$" "$T/echo.log")" = 5 ] ||
	{ show "$T/echo.log"; fail "echo server did not see 5 connections"; }
grep -q "/bytes/5 200" "$T/http.log" || { show "$T/http.log"; fail "the HTTP server did not answer"; }

jcheck "$T/out.json" --count 2 \
	--expect "url == ['http://127.0.0.1:$eport', 'http://127.0.0.1:$hport/bytes/5']" \
	--expect "error == ['malformed request', None]" \
	--expect "status == [None, 200]" ||
	{ show "$T/out.json"; fail "non-HTTP connections were reported as requests"; }
jcheck "$T/out.json" --event summary --count 1 \
	--each 'requests == 2 and connections == 2 and errors == 1' ||
	{ show "$T/out.json"; fail "the summary counted the non-HTTP connections"; }

# Without the broken GET: nothing but the HTTP request, and errors: 0.
"$HTTPTRACE" -o "$T/out.txt" -- "$PY" - "$eport" "$hport" \
	>"$T/client2.out" 2>&1 <<'PYEOF' || { show "$T/client2.out"; fail "the client failed"; }
import socket, sys, urllib.request
eport, hport = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", eport))
s.sendall(b"PING\r\n")
assert s.recv(100) == b"PING\r\n"
s.close()
urllib.request.urlopen("http://127.0.0.1:%d/bytes/5" % hport).read()
PYEOF
grep -q "requests: 1 .*connections: 1 .*errors: 0" "$T/out.txt" ||
	{ show "$T/out.txt"; fail "the text summary counts the non-HTTP connection"; }
pass
