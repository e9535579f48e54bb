#!/bin/bash
# test_server_early_answer.sh - a traced server (earlyserver.py) answers
# each request at its headers, then reads the body, or answers 413 and
# closes without reading it; the client (earlyclient.py, untraced) writes
# the rest of each body after the answer.  The server's records carry the
# body bytes it read (its own log is the oracle: 300000 three times, then
# 1000), read_ms and processing_ms non-null and non-negative, total_ms
# covering the read, no error; the text says the answer came before the
# body was read.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -w "$T/out.htcap" -- \
	"$PY" "$TESTS_DIR/earlyserver.py" "$port" "$T/server.log" \
	>"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || { show "$T/server.out"; fail "the traced server did not start"; }

"$PY" "$TESTS_DIR/earlyclient.py" "$port" >"$T/client.out" 2>"$T/client.err" ||
	{ show "$T/client.err"; fail "the client failed"; }
# the server logs a body once read, after the client may have gone on
for _ in $(seq 100); do
	[ "$(wc -l <"$T/server.log")" -ge 4 ] && break
	sleep 0.1
done
kill -TERM "$tpid"
wait "$tpid" || true
printf '%s\n' '/close/1 closed after 1000 of 100000' '/drain/1 body 300000 early 1000' \
	'/drain/2 body 300000 early 1000' '/drain/3 body 300000 early 1000' |
	cmp -s - <(sort "$T/server.log") ||
	{ show "$T/server.log"; fail "the server did not read what the test expects"; }

# (the two connections' last records may come in either order)
u=http://127.0.0.1
jcheck "$T/out.json" --count 4 \
	--expect "sorted(zip(url, status, req_bytes, resp_bytes)) == [('$u/close/1', 413, 1000, 0), ('$u/drain/1', 200, 300000, 5), ('$u/drain/2', 200, 300000, 5), ('$u/drain/3', 200, 300000, 5)]" \
	--expect "side == ['server'] * 4 and error == [None] * 4" \
	--each 'read_ms is not None and read_ms >= 0 and processing_ms is not None and processing_ms >= 0' \
	--each 'write_ms is not None and write_ms >= 0 and total_ms >= read_ms'

"$HTTPTRACE" read -f text "$T/out.htcap" >"$T/out.txt" || fail "read -f text failed"
[ "$(grep -c 'answered before the body was read' "$T/out.txt")" = 4 ] ||
	{ show "$T/out.txt"; fail "the text does not say the four answers came before the bodies were read"; }
pass
