#!/bin/bash
# test_hostile_expect_body_after_200.sh - a client sends "Expect:
# 100-continue", gets a final 200 (no 100) before its body, and sends the
# body anyway on the same connection (RFC 9110 10.1.1 allows both: the
# server answers first and keeps reading), then a GET there.  Two
# requests: the POST with its 100000 body bytes, the GET with its 200.
# d567faf ended the POST at its headers on any final answer before the
# body: its record said req_bytes 0, the body became a "malformed
# request" and the GET was lost (its 200 paired with the malformed one
# on the server side, checked by hand).  Client side.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd python3
start_rawserver

cat >"$T/cli.py" <<'PYEOF'
import socket, select, sys
from h1resp import read_response
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def resp():
    return "%s %d" % read_response(f)
n = 100000
s.sendall(b"POST /expectearly HTTP/1.1\r\nHost: h\r\nContent-Length: %d"
          b"\r\nExpect: 100-continue\r\n\r\n" % n)
select.select([s], [], [], 5.0)
print(resp())
s.sendall(b"z" * n)
s.sendall(b"GET /fixed HTTP/1.1\r\nHost: h\r\n\r\n")
print(resp())
PYEOF

PYTHONPATH=$TESTS_DIR "$HTTPTRACE" -f json -o "$T/cli.json" -- python3 "$T/cli.py" "$RAW_PORT" \
	>"$T/cli.out" || { show "$T/cli.out"; fail "the client failed"; }
printf '200 6\n200 5\n' | cmp -s - "$T/cli.out" ||
	{ show "$T/cli.out"; fail "the premise: 200 early, then the GET's 200"; }
jcheck "$T/cli.json" --count 2 \
	--expect "method == ['POST', 'GET'] and status == [200, 200]" \
	--expect "error == [None, None] and req_bytes == [100000, 0]" \
	--expect "resp_bytes == [6, 5] and req == [1, 2]"
jcheck "$T/cli.json" --event summary --count 1 \
	--each 'requests == 2 and errors == 0'
pass
