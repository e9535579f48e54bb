#!/bin/bash
# test_end_listen_killed.sh - a process traced by `listen` that is SIGKILLed
# while its request waits for the first byte is reported: the collector
# reads the request from the process's live page when its socket closes
# without a goodbye (no status is known in listen mode): error
# "ended" (how is not known: never "interrupted"), no signal, phase wait_first_byte.  The page keeps no
# headers: its request_headers are null (not known), not [] (none), though
# req_header_bytes counts them, in json and in the events of the capture's
# replay (wrote_headers' headers null); its response_headers are [] (no
# response began).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver
sock=$T/ht.sock

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" -w "$T/cap" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not start"

cat >"$T/client.py" <<PYEOF
import socket, time
s = socket.create_connection(('127.0.0.1', $RAW_PORT))
s.sendall(b'GET /stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
s.recv(1)
PYEOF
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$PY" "$T/client.py" &
cpid=$!
_PIDS+=("$cpid")
for _ in $(seq 100); do
	grep -q '^stuck /stuck' "$T/rawserver.log" && break
	sleep 0.05
done
grep -q '^stuck /stuck' "$T/rawserver.log" || fail "the server never had the request"
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
# The request record is written when the collector sees the socket close.
for _ in $(seq 100); do
	grep -q '"event":"request"' "$T/out.json" 2>/dev/null && break
	sleep 0.05
done
kill -INT "$lpid"
wait "$lpid" 2>/dev/null || true
jcheck "$T/out.json" --count 1 \
	--each 'method == "GET" and url.endswith("/stuck")' \
	--each 'error == "ended" and signal is None' \
	--each 'phase == "wait_first_byte"' \
	--each 'ended == "the process ended without a goodbye"' \
	--each 'req_header_bytes > 0 and request_headers is None and response_headers == []'
"$HTTPTRACE" read -f events "$T/cap" >"$T/events.json" || fail "read failed"
jcheck "$T/events.json" --event wrote_headers --count 1 \
	--each 'url.endswith("/stuck") and headers is None'
jcheck "$T/events.json" --event response_done --count 1 \
	--each 'error == "ended" and headers == []' \
	--expect '"request_headers" not in recs[0]'
pass
