#!/bin/bash
# test_live_head_part_killed.sh - a client killed while its request head is
# only partly written (the head split in two writes, SIGKILL between them)
# is not lost.  With the request line whole (and its Host line), the
# request is reported from the live page: method and URL, error "killed",
# signal SIGKILL, phase "send", req_header_bytes the head's bytes written
# so far, in json and in text.  With its target whole and shaped as HTTP's
# ("GET /half HT") it is reported with its URL.  Cut inside the method
# ("GE") or the target ("GET /ha": Redis's inline "GET mykey" looks the
# same), nothing of it is known but that a request may have begun: it is
# counted as a request not seen (dropped_requests 1), never a clean
# summary, never listed (the review of a7ba96d: a Redis client killed
# mid-command was a killed GET).  Another protocol's first bytes ("PING") are
# no request.  Before, the page took a request only once its head was
# whole: each of these left requests 0, dropped 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_holdserver
cat >"$T/client.py" <<'PYEOF'
import os, signal, socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin1'))
time.sleep(0.3)
os.kill(os.getpid(), signal.SIGKILL)
PYEOF
# run NAME HEAD [FORMAT]: the client writes HEAD, traced, output in $T/NAME.
run() {
	local rc=0
	"$HTTPTRACE" -f "${3:-json}" -o "$T/$1" -- "$PY" "$T/client.py" "$HOLD_PORT" "$2" \
		2>"$T/$1.err" || rc=$?
	[ "$rc" = 137 ] || { show "$T/$1.err"; fail "$1: httptrace exited $rc, not the kill's 137"; }
}
head='GET /half HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: 1'
run line "$head"
jcheck "$T/line" --count 1 \
	--each "method == 'GET' and url == 'http://127.0.0.1:$HOLD_PORT/half'" \
	--each 'error == "killed" and signal == "SIGKILL" and phase == "send"' \
	--each 'req_header_bytes == 46 and status is None and request_headers is None'
jcheck "$T/line" --event summary --each 'requests == 1 and errors == 1'
run text "$head" text
grep -q "^GET http://127.0.0.1:$HOLD_PORT/half -> killed (SIGKILL) sending the request " "$T/text" ||
	{ show "$T/text"; fail "text: no line for the request killed while sending"; }
run target 'GET /ha'
jcheck "$T/target" --count 0
jcheck "$T/target" --event summary --each 'requests == 0 and dropped_requests == 1'
# A target whole and shaped as HTTP's, the version not yet: listed.
run version 'GET /half HT'
jcheck "$T/version" --count 1 \
	--each "method == 'GET' and url == 'http://127.0.0.1:$HOLD_PORT/half'" \
	--each 'error == "killed" and phase == "send" and req_header_bytes == 12'
# Redis's inline command cut short ("GET mykey" of a text protocol):
# counted while its target is not whole, never listed as a request.
run redis 'GET mykey '
jcheck "$T/redis" --count 0
run method 'GE'
jcheck "$T/method" --count 0
jcheck "$T/method" --event summary --each 'requests == 0 and dropped_requests == 1'
run ping 'PING /x'
jcheck "$T/ping" --event summary --each 'requests == 0 and dropped_requests == 0'
pass
