#!/bin/bash
# test_live_killed_known_bytes.sh - a request its process's kill cut short
# is reported with what is known of it, not null: a GET killed while it
# waits for the first byte has req_bytes 0 (written whole, no body) and
# wait_ms from its last byte written to the kill (its phase says it
# waited), in json and in text (Server Processing); a GET killed with its
# response head read in part (5 bytes of the status line, one per read)
# has resp_header_bytes 5, resp_bytes 0, phase receive.  A POST whose
# body was written whole has req_bytes its size.  On main each was null.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
cat >"$T/client.py" <<'PYEOF'
import os, signal, socket, sys, time
port, path, reads = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = sys.argv[4].encode() if len(sys.argv) > 4 else b""
s = socket.create_connection(('127.0.0.1', port))
head = ('POST' if body else 'GET') + ' ' + path + ' HTTP/1.1\r\nHost: 127.0.0.1\r\n'
if body:
    head += 'Content-Length: %d\r\n' % len(body)
s.sendall(head.encode() + b'\r\n' + body)
for _ in range(reads):
    s.recv(1)
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)
PYEOF
# run NAME PATH READS [BODY] [FORMAT]: traced, output in $T/NAME
run() {
	local rc=0
	"$HTTPTRACE" -f "${5:-json}" -o "$T/$1" -- "$PY" "$T/client.py" "$RAW_PORT" "$2" "$3" ${4:+"$4"} \
		2>"$T/$1.err" || rc=$?
	[ "$rc" = 137 ] || { show "$T/$1.err"; fail "$1: httptrace exited $rc, not the kill's 137"; }
}
run wait /stuck/wait 0
jcheck "$T/wait" --count 1 \
	--each 'error == "killed" and phase == "wait_first_byte"' \
	--each 'req_bytes == 0 and resp_bytes == 0 and resp_header_bytes == 0' \
	--each 'wait_ms is not None and wait_ms >= 400 and wait_ms <= total_ms'
run post /stuck/post 0 hello
jcheck "$T/post" --count 1 --each 'method == "POST" and req_bytes == 5 and wait_ms >= 400'
run text /stuck/text 0 '' text
grep -A2 "^GET http://127.0.0.1:$RAW_PORT/stuck/text -> killed (SIGKILL) waiting for the first byte" "$T/text" |
	grep -qE '\|[[:space:]]+[0-9.]+ms[[:space:]]+\|[[:space:]]+-[[:space:]]+\][[:space:]]+[0-9.]+ms$' ||
	{ show "$T/text"; fail "text: no Server Processing for the request killed waiting"; }
run head '/fixed?bytewise=20' 5
jcheck "$T/head" --count 1 \
	--each 'error == "killed" and phase == "receive" and status is None' \
	--each 'resp_header_bytes == 5 and resp_bytes == 0 and req_bytes == 0'
pass
