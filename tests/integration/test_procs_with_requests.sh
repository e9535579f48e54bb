#!/bin/bash
# test_procs_with_requests.sh - the summary counts the processes that made
# requests, and separately the processes traced (those that connected to
# the collector: the library connects at a process's first tracked
# connection, so a process that never makes one is not announced and
# cannot be counted).  A shell running /bin/true 30 times: 0 with
# requests, 0 traced.  The same shell plus a python that connects to the
# server and closes without a request, and a curl making one request:
# 1 with requests, 2 traced.  The server's own log says how many requests
# it served.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server 127.0.0.1 --log "$T/served.log"
loop='i=0; while [ $i -lt 30 ]; do /bin/true; i=$((i+1)); done'

# Only /bin/true: nothing connected, nothing to count.
"$HTTPTRACE" -f json -o "$T/true.json" -- sh -c "$loop" ||
	fail "httptrace -- sh (/bin/true loop) exited $?"
jcheck "$T/true.json" --event summary --count 1 \
	--each 'processes == 0 and processes_traced == 0 and requests == 0'
"$HTTPTRACE" -f summary -o "$T/true.sum" -- sh -c "$loop" ||
	fail "httptrace -f summary -- sh exited $?"
grep -q '^  processes: 0 with requests (0 traced)   requests: 0 ' "$T/true.sum" ||
	{ show "$T/true.sum"; fail "text summary: not 0 processes with requests, 0 traced"; }

# A connection without a request, then one request.
mixed="$loop
$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", $SERVER_PORT)).close()'
curl -s -o /dev/null http://127.0.0.1:$SERVER_PORT/bytes/7"
"$HTTPTRACE" -f json -o "$T/mixed.json" -- sh -c "$mixed" ||
	fail "httptrace -- sh (mixed) exited $?"
served=$(grep -c . "$T/served.log" || true)
[ "$served" = 1 ] || { show "$T/served.log"; fail "the server served $served requests, not 1"; }
jcheck "$T/mixed.json" --event summary --count 1 \
	--each 'processes == 1 and processes_traced == 2 and requests == 1'
"$HTTPTRACE" -f summary -o "$T/mixed.sum" -- sh -c "$mixed" ||
	fail "httptrace -f summary -- sh (mixed) exited $?"
grep -q '^  processes: 1 with requests (2 traced)   requests: 1 ' "$T/mixed.sum" ||
	{ show "$T/mixed.sum"; fail "text summary: not 1 process with requests, 2 traced"; }
pass
