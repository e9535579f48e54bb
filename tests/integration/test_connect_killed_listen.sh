#!/bin/bash
# test_connect_killed_listen.sh - a process SIGKILLed while blocked inside
# connect() is reported, and seen in flight before: a program of our own
# (connect_hold) makes a blocking connect to a listener whose accept queue
# is full (fullbacklog.py: the kernel drops its SYNs, the call waits).
# While it waits, `httptrace status` shows the connection opening, in
# phase connect, with no peer yet (the library reads the program's address
# only after the kernel did); once the program is killed, `listen`
# reports a connect_error "ended" in phase connect with its duration.
# The same for a blocking sendto with MSG_FASTOPEN (TCP Fast Open: the
# send makes the connect), held the same way.
# A Python client's create_connection("localhost", port) (getaddrinfo,
# then a blocking connect) shows, while it waits, the name of its
# thread's last lookup (localhost), its address not known yet, and is
# reported with it, as a guess (JSON "host_guess": "localhost", "host" and
# "peer" null).
# Then curl's Happy Eyeballs against localhost (both ::1 and 127.0.0.1
# full): its non-blocking attempts are two connections, each shown and
# reported once with its address, no slot left without one.
# Main claimed the connection's live slot only after connect returned:
# nothing in flight, nothing reported, for the blocking connect.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_hold
start_fullbacklog
sock=$T/ht.sock
start_status_listen "$sock"
lpid=$LPID

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_hold" block "$FULL_PORT" >"$T/prog.out" &
ppid=$!
_PIDS+=("$ppid")
wait_file_line "$T/prog.out" '^connecting$' || fail "the program did not start"
wait_status "$sock" "1 connection opening"
grep -qE "^  pid $ppid conn 1  connect \?  connecting  [0-9.]+ m?s$" "$T/status.txt" ||
	{ show "$T/status.txt"; fail "no line for the connection opening"; }
"$HTTPTRACE" status -s "$sock" -f json >"$T/status.json" || fail "status -f json failed"
"$PY" - "$T/status.json" "$ppid" <<'PYEOF' || { show "$T/status.json"; fail "status json: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 0 and d["connecting"] == 1, d
r = d["connections"][0]
assert r["pid"] == int(sys.argv[2]) and r["conn"] == 1 and r["phase"] == "connect", r
PYEOF
sleep 0.5
# still inside connect: nothing was asked of it
[ "$(cat "$T/prog.out")" = connecting ] || { show "$T/prog.out"; fail "the connect returned"; }
kill -KILL "$ppid"
wait "$ppid" 2>/dev/null || true
for _ in $(seq 100); do
	grep -q '"event":"connect_error"' "$T/out.json" 2>/dev/null && break
	sleep 0.05
done
wait_status "$sock" "^0 requests in flight$" "$T/after.txt"
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_hold" fastopen "$FULL_PORT" >"$T/tfo.out" &
tfopid=$!
_PIDS+=("$tfopid")
wait_file_line "$T/tfo.out" '^connecting$' || fail "the Fast Open program did not start"
wait_status "$sock" "1 connection opening" "$T/tfo.txt"
grep -qE "^  pid $tfopid conn 1  connect \?  connecting  " "$T/tfo.txt" ||
	{ show "$T/tfo.txt"; fail "Fast Open: no line for its connection"; }
kill -KILL "$tfopid"
wait "$tfopid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/tfo.after"

cat >"$T/client.py" <<'PYEOF'
import socket, sys
print("connecting", flush=True)
socket.create_connection(("localhost", int(sys.argv[1])))
PYEOF
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$PY" "$T/client.py" "$FULL_PORT" >"$T/py.out" &
pypid=$!
_PIDS+=("$pypid")
wait_file_line "$T/py.out" '^connecting$' || fail "the Python client did not start"
wait_status "$sock" "1 connection opening" "$T/py.txt"
grep -qE "^  pid $pypid conn 1  connect localhost \(\?\)  connecting  " "$T/py.txt" ||
	{ show "$T/py.txt"; fail "Python: no line for its connection, named"; }
kill -KILL "$pypid"
wait "$pypid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/py.after"

n_errors=3
if grep -q '^port [0-9]* v6$' "$T/full.log" && command -v curl >/dev/null; then
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock curl -s "http://localhost:$FULL_PORT/" &
	cpid=$!
	_PIDS+=("$cpid")
	wait_status "$sock" "2 connections opening" "$T/he.txt"
	grep -qE "^  pid $cpid conn [12]  connect 127\.0\.0\.1:$FULL_PORT  connecting  " "$T/he.txt" ||
		{ show "$T/he.txt"; fail "Happy Eyeballs: no IPv4 attempt"; }
	grep -qE "^  pid $cpid conn [12]  connect \[::1\]:$FULL_PORT  connecting  " "$T/he.txt" ||
		{ show "$T/he.txt"; fail "Happy Eyeballs: no IPv6 attempt"; }
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null || true
	wait_status "$sock" "^0 requests in flight$" "$T/he.after"
	n_errors=5
else
	note "no ::1 or no curl: Happy Eyeballs not tried"
fi
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
jcheck "$T/out.json" --event connect_error --count "$n_errors" \
	--expect "pid[:3] == [$ppid, $tfopid, $pypid] and conn[:3] == [1, 1, 1]" \
	--expect 'nulls(peer[:3]) and nulls(host[:3])' \
	--expect 'host_guess[:3] == [None, None, "localhost"]' \
	--expect 'connect_ms[0] >= 500' \
	--each 'error == "ended" and signal is None and phase == "connect"' \
	--each 'tls_ms is None'
[ "$n_errors" = 3 ] || jcheck "$T/out.json" --event connect_error \
	--expect "sorted(peer[3:]) == ['127.0.0.1:$FULL_PORT', '[::1]:$FULL_PORT']"
jcheck "$T/out.json" --event summary --count 1 --each "connect_errors == $n_errors"
pass
