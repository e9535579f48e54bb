#!/bin/bash
# test_wget_python.sh - clients other than curl: wget, python's http.client
# keep-alive, and a raw client using plain read(2)/write(2) on the socket.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wget
start_server
u=http://127.0.0.1:$SERVER_PORT

# wget: two URLs, one persistent connection.
"$HTTPTRACE" -f json -o "$T/wget.json" -- \
	wget --no-config -q -O "$T/wget.out" "$u/bytes/100" "$u/chunked/5000" ||
	fail "httptrace -- wget exited $?"
[ "$(wc -c <"$T/wget.out")" = 5100 ] || fail "wget got $(wc -c <"$T/wget.out") bytes"
jcheck "$T/wget.json" --count 2 \
	--expect 'resp_bytes == [100, 5000] and status == [200, 200]' \
	--expect 'len(set(conn)) == 1 and reused == [False, True]' \
	--each "error is None and method == 'GET' and url.startswith('$u/')"

# python http.client: two requests on one HTTPConnection.
"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" -c '
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for path in ("/bytes/300", "/bytes/4000"):
    c.request("GET", path)
    r = c.getresponse()
    r.read()
c.close()
' "$SERVER_PORT" || fail "httptrace -- python3 http.client exited $?"
jcheck "$T/py.json" --count 2 \
	--expect 'resp_bytes == [300, 4000] and status == [200, 200]' \
	--expect 'len(set(conn)) == 1 and reused == [False, True] and req == [1, 2]' \
	--each "error is None and url.startswith('$u/')"

# A raw client: os.write/os.read on the socket's fd, one request at a time.
"$HTTPTRACE" -f json -o "$T/raw.json" -- "$PY" -c '
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
fd = s.fileno()
head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:" + sys.argv[1] + "\r\n\r\n"
os.write(fd, (head % "/bytes/2500").encode())
got = b""
while b"\r\n\r\n" not in got or len(got.split(b"\r\n\r\n", 1)[1]) < 2500:
    b = os.read(fd, 7)
    if not b:
        sys.exit("early eof")
    got += b
os.write(fd, (head % "/connclose").encode())
while os.read(fd, 7):
    pass
s.close()
' "$SERVER_PORT" || fail "httptrace -- python3 raw read/write client exited $?"
jcheck "$T/raw.json" --count 2 \
	--expect 'resp_bytes == [2500, 8] and status == [200, 200]' \
	--expect 'len(set(conn)) == 1 and reused == [False, True]' \
	--each "error is None and url.startswith('$u/')"
pass
