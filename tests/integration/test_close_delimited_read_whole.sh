#!/bin/bash
# test_close_delimited_read_whole.sh - a response whose body runs until the
# server closes, read whole by a client that closes before reading the EOF
# (logging's HTTPHandler reads the headers and closes), is complete: the
# kernel says at the close that the server's FIN came and nothing is left
# unread.  Control: a client that leaves bytes unread keeps its error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
CE=$TESTS_DIR/closeend.py

PORT=$(free_port)
"$PY" "$CE" server "$PORT" "$T/server.log" >"$T/server.out" 2>&1 &
_PIDS+=("$!")
wait_port 127.0.0.1 "$PORT" "$!" || fail "closeend.py server did not start"

# Three log records: three POSTs, each answered 200 with no body, no length.
"$HTTPTRACE" -f json -o "$T/log.json" -- "$PY" "$CE" log "$PORT" 3 ||
	fail "httptrace -- closeend.py log exited $?"
[ "$(grep -c '^/log ' "$T/server.log")" = 3 ] || fail "the server did not answer 3 POSTs"
hb=$(awk '$1 == "/log" { print $2; exit }' "$T/server.log")
jcheck "$T/log.json" --count 3 \
	--expect 'status == [200] * 3' \
	--expect 'resp_bytes == [0] * 3' \
	--each "error is None and method == 'POST' and resp_header_bytes == $hb"

# Every byte of a 30-byte body read, the EOF never: complete, 30 bytes.
"$HTTPTRACE" -f json -o "$T/read.json" -- "$PY" "$CE" read "$PORT" /body/30 0 \
	>"$T/read.out" || fail "httptrace -- closeend.py read exited $?"
grep -q '^/body/30 [0-9]* 30$' "$T/server.log" || fail "the server did not send 30 body bytes"
[ "$(cat "$T/read.out")" = $((hb + 30)) ] || fail "the client read $(cat "$T/read.out") bytes"
jcheck "$T/read.json" --count 1 \
	--each "error is None and status == 200 and resp_bytes == 30"

# Control: the server sent 3000 body bytes, the client read all but 100
# and closed: the response was cut, the error stays.
"$HTTPTRACE" -f json -o "$T/cut.json" -- "$PY" "$CE" read "$PORT" /body/3000 100 \
	>"$T/cut.out" || fail "httptrace -- closeend.py read (cut) exited $?"
[ "$(cat "$T/cut.out")" = $((hb + 2900)) ] || fail "the client read $(cat "$T/cut.out") bytes"
jcheck "$T/cut.json" --count 1 \
	--each "error == 'connection closed before the response completed' and status == 200 and resp_bytes == 2900"

# Control: the client read all but 100 bytes, and a forked child read the
# rest from the shared socket, to the EOF: the kernel says the FIN came
# and nothing is unread, but the parent did not read it all: its record
# is never reported whole.  The fork came with the response being read:
# the request is counted as not followed from the fork on (a connection
# shared with the child, test_fork_shared_inflight.sh).
"$HTTPTRACE" -f json -o "$T/fork.json" -- "$PY" "$CE" read "$PORT" /body/3000 100 fork \
	>"$T/fork.out" || fail "httptrace -- closeend.py read (fork) exited $?"
[ "$(cat "$T/fork.out")" = $((hb + 2900)) ] || fail "the client read $(cat "$T/fork.out") bytes"
jcheck "$T/fork.json" \
	--expect "[e for e, b in zip(error, resp_bytes) if b == 2900] == ['connection shared with a forked process; not followed']"
pass
