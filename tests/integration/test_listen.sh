#!/bin/bash
# test_listen.sh - `httptrace listen` collects from two programs started
# separately with the lines `httptrace env` prints, survives garbage written
# to its socket in between, and on SIGTERM flushes, removes the socket and
# exits 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode is $(stat -c %a "$sock"), not 600"

"$HTTPTRACE" env -s "$sock" >"$T/env.sh" || fail "httptrace env failed"
grep -q "^export LD_PRELOAD=.*libhttptrace.so" "$T/env.sh" || { show "$T/env.sh"; fail "env: no LD_PRELOAD line"; }
grep -q "^export HTTPTRACE_SOCKET='$sock'" "$T/env.sh" || { show "$T/env.sh"; fail "env: no HTTPTRACE_SOCKET line"; }

# Program 1: curl, two requests on one connection.
(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null "$u/bytes/10" "$u/bytes/20") ||
	fail "curl under listen failed"

# Garbage from a peer: bad magic, a truncated record, random bytes.
"$PY" - "$sock" <<'PYEOF' || fail "could not write garbage to the socket"
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"not a record at all")
s.send(b"HT\x01\x02\xff\x00\x00\x00")   # length beyond the message
s.send(os.urandom(3000))
s.close()
PYEOF

# Program 2: python http.client, started separately.
(. "$T/env.sh"; "$PY" -c "
import http.client
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
for p in ('/bytes/30', '/bytes/40'):
    c.request('GET', p); c.getresponse().read()
") || fail "python under listen failed"

kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $? after SIGTERM"
[ -e "$sock" ] && fail "listen left its socket behind"

jcheck "$T/out.json" --count 4 \
	--expect 'resp_bytes == [10, 20, 30, 40]' \
	--expect 'reused == [False, True, False, True]' \
	--expect 'len(set(pid)) == 2' \
	--each 'status == 200 and error is None'
"$PY" - "$T/out.json" <<'PYEOF' || fail "summary does not count the garbage"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][0]
assert s["malformed"] >= 3, s
PYEOF
pass
