#!/bin/bash
# test_capture_listen.sh - `httptrace listen -w CAP` captures what programs
# started separately send (garbage from a peer included), and on SIGTERM
# ends the capture: `httptrace read CAP` reports their four requests and
# the malformed messages, exactly as the same listener's live report
# (-f json -o OUT) did.  `listen -w CAP` alone writes no report.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock

# start_listener ARGS...: httptrace listen -s $sock ARGS... in the
# background; sets LPID once the socket exists.
start_listener() {
	"$HTTPTRACE" listen -s "$sock" "$@" 2>"$T/listen.err" &
	LPID=$!
	_PIDS+=("$LPID")
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { show "$T/listen.err"; fail "listen did not create $sock"; }
}

# programs: two traced programs (started by traced.sh with the lines
# `httptrace env` printed) and a peer sending garbage.
programs() {
	sh "$T/traced.sh" curl -s -o /dev/null -o /dev/null "$u/bytes/10" "$u/bytes/20" ||
		fail "curl under listen failed"
	"$PY" - "$sock" <<'PYEOF' || fail "could not write garbage to the socket"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"not a record at all")
s.send(b"HT\x01\x02\xff\x00\x00\x00")
s.close()
PYEOF
	sh "$T/traced.sh" "$PY" -c "
import http.client
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
for p in ('/bytes/30', '/bytes/40'):
    c.request('GET', p); c.getresponse().read()
" || fail "python under listen failed"
}

"$HTTPTRACE" env -s "$sock" >"$T/env.sh" || fail "httptrace env failed"
printf '. "%s"\nexec "$@"\n' "$T/env.sh" >"$T/traced.sh"

# A capture and a live report from the same listener.
start_listener -w "$T/both.cap" -f json -o "$T/live.json"
programs
kill -TERM "$LPID"
wait "$LPID" || fail "listen exited $? after SIGTERM"
"$HTTPTRACE" read -f json "$T/both.cap" >"$T/read.json" || fail "read exited $?"
cmp "$T/live.json" "$T/read.json" ||
	{ diff "$T/live.json" "$T/read.json" >&2 || true; fail "the replay differs from the live report"; }
jcheck "$T/read.json" --count 4 \
	--expect 'resp_bytes == [10, 20, 30, 40]' \
	--expect 'reused == [False, True, False, True]' \
	--expect 'len(set(pid)) == 2'
jcheck "$T/read.json" --event summary --each 'malformed == 2 and processes == 2'

# The capture alone: no report, one line saying what was written.
start_listener -w "$T/only.cap"
programs
kill -TERM "$LPID"
wait "$LPID" || fail "listen -w exited $? after SIGTERM"
[ -e "$sock" ] && fail "listen left its socket behind"
grep -q "^httptrace: wrote [0-9]* records ([0-9]* bytes) to $T/only.cap\$" "$T/listen.err" ||
	{ show "$T/listen.err"; fail "no note of what was captured"; }
[ "$(wc -l <"$T/listen.err")" = 1 ] || { show "$T/listen.err"; fail "listen -w alone wrote more than its note"; }
"$HTTPTRACE" read -f json "$T/only.cap" >"$T/only.json" || fail "read exited $?"
jcheck "$T/only.json" --count 4 --expect 'resp_bytes == [10, 20, 30, 40]'
jcheck "$T/only.json" --event summary --each 'malformed == 2'
pass
