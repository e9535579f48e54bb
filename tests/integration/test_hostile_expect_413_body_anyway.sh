#!/bin/bash
# test_hostile_expect_413_body_anyway.sh - a client sends "Expect:
# 100-continue", gets 413 with Connection: close (no 100) before its body,
# and writes its body anyway, slowly, until EPIPE.  One request: the POST,
# 413, with the bytes it wrote.  d567faf ended the POST at its headers on
# any final answer before the body: the body written after became a second,
# "malformed request" record (summary requests 2, errors 1, for one
# request), though the 413 closed the connection and no next request could
# follow it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd python3
start_rawserver

cat >"$T/cli.py" <<'PYEOF'
import socket, select, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = 100000
s.sendall(b"POST /expect413close HTTP/1.1\r\nHost: h\r\nContent-Length: %d"
          b"\r\nExpect: 100-continue\r\n\r\n" % n)
select.select([s], [], [], 5.0)
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(4096)
print(head.decode().split("\r\n")[0])
sent = 0
try:
    while sent < n:
        sent += s.send(b"z" * 1000)
        time.sleep(0.02)
except OSError:
    pass
print("wrote", sent)
PYEOF

"$HTTPTRACE" -f json -o "$T/cli.json" -- python3 "$T/cli.py" "$RAW_PORT" \
	>"$T/cli.out" || { show "$T/cli.out"; fail "the client failed"; }
head -1 "$T/cli.out" | grep -q '^HTTP/1.1 413' ||
	{ show "$T/cli.out"; fail "the premise: a 413 first"; }
w=$(sed -n 's/^wrote //p' "$T/cli.out")
[ -n "$w" ] && [ "$w" -gt 0 ] && [ "$w" -lt 100000 ] ||
	{ show "$T/cli.out"; fail "the premise: part of the body written"; }
jcheck "$T/cli.json" --count 1 \
	--each "method == 'POST' and status == 413 and error is None" \
	--each "req_bytes == $w"
jcheck "$T/cli.json" --event summary --count 1 \
	--each 'requests == 1 and errors == 0'
pass
