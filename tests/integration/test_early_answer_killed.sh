#!/bin/bash
# test_early_answer_killed.sh - a client answered early (earlyserver.py's
# /drain: 200 and a 5-byte body after 1000 of 300000 body bytes) that
# neither writes the rest nor closes, then is killed (-9): its record, made
# from the live page, keeps the response's real end (before the client
# printed that it had the answer, not the kill's moment), says the 5 body
# bytes it received, and, its request not written whole (its body bytes not known), says
# req_bytes null (text: no sent size), never 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

start_py earlyserver.py "$T/srv.err" "$T/server.log"
port=$PY_PORT

cat >"$T/hold.py" <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
f = s.makefile('rb')
s.sendall(b'POST /drain/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n'
          b'X-Read-First: 1000\r\n\r\n' + b'b' * 1000)
st = f.readline()
while f.readline() not in (b'\r\n', b''):
    pass
body = f.read(5)
print('answered', st.split()[1].decode(), body.decode(), '%.6f' % time.time(),
      flush=True)
time.sleep(60)
PY

"$HTTPTRACE" -f json -o "$T/out.json" -w "$T/out.htcap" -- \
	"$PY" "$T/hold.py" "$port" >"$T/client.out" 2>"$T/client.err" &
hp=$!
_PIDS+=("$hp")
for _ in $(seq 100); do
	grep -q answered "$T/client.out" 2>/dev/null && break
	sleep 0.1
done
grep -q 'answered 200 early' "$T/client.out" ||
	{ show "$T/client.out" "$T/client.err"; fail "the client was not answered"; }
# a moment for the kill to come well after the answer
sleep 0.5
cpid=$(pgrep -P "$hp")
[ -n "$cpid" ] || fail "no client process under httptrace"
kill -9 "$cpid"
wait "$hp" || true
answered=$(awk '/answered/ {print $4}' "$T/client.out")

jcheck "$T/out.json" --count 1 \
	--expect "status == [200] and error == ['killed'] and signal == ['SIGKILL']" \
	--expect "resp_bytes == [5] and req_bytes == [None]" \
	--each "start + total_ms / 1000 <= $answered"

"$HTTPTRACE" read -f text "$T/out.htcap" >"$T/out.txt" 2>&1 || fail "read -f text failed"
grep -q 'sent (+' "$T/out.txt" && grep -q 'received 5 B' "$T/out.txt" ||
	{ show "$T/out.txt"; fail "the text does not leave out the unknown request body"; }
"$HTTPTRACE" read -f har "$T/out.htcap" >"$T/out.har" || fail "read -f har failed"
"$PY" - "$T/out.har" <<'PY' || { show "$T/out.har"; fail "the HAR's request bodySize is not -1"; }
import json, sys
es = json.load(open(sys.argv[1]))["log"]["entries"]
assert len(es) == 1 and es[0]["request"]["bodySize"] == -1, es
PY
pass
