#!/bin/bash
# test_drops_collector_stopped.sh - a `listen` collector stopped (SIGSTOP)
# for the whole life of a client: the library's socket buffer fills, the
# records that do not fit are lost, and the collector, once it runs again,
# counts them exactly: the request and connection-close records it got
# plus the summary's `dropped` are every record the client produced.
# Three clients (python http.client, one keep-alive connection, requests
# padded so that a few thousand overflow the buffer, which SO_SNDBUF
# clamps to net.core.wmem_max):
#   exit: N requests, closes its connection, exits (N + 1 records);
#   kill: N requests, then SIGKILLed holding its connection (N records:
#         the collector reads the image's counter page after its death);
#   exec: N requests, closes, os.execv()s python making N more and
#         closing (2N + 2 records over two images of one pid: summed);
#   alive: N requests, then still running (holding its connection) when
#         the collector ends: the collector reads its counter page before
#         writing the summary (N records).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
N=4000

# client.py PORT N MODE READY: N padded GETs on one connection; MODE exit
# closes and exits, kill touches READY and waits to be killed, exec closes
# and runs itself again in mode exit (same pid, a new image).
cat >"$T/client.py" <<'PYEOF'
import http.client, os, sys, time
port, n, mode, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"X-Pad": "p" * 3000}
for _ in range(n):
    c.request("GET", "/bytes/10", headers=h)
    c.getresponse().read()
if mode == "kill":
    open(ready, "w").close()
    time.sleep(120)
c.close()
if mode == "exec":
    os.execv(sys.executable, [sys.executable, sys.argv[0], str(port), str(n), "exit", ready])
PYEOF

# stopped_collector NAME: `listen` at $T/NAME.sock (json report and a
# capture), stopped once its socket exists.  Sets LPID.
stopped_collector() {
	local name=$1 _
	"$HTTPTRACE" listen -s "$T/$name.sock" -f json -o "$T/$name.json" \
		-w "$T/$name.cap" 2>"$T/$name.err" &
	LPID=$!
	_PIDS+=("$LPID")
	# listening, not only bound: the socket file exists from bind(), and a
	# collector stopped before its listen() refuses every client (flags
	# 00010000 in /proc/net/unix: accepting connections)
	for _ in $(seq 100); do
		awk -v p="$T/$name.sock" '$4 == "00010000" && $8 == p { f = 1 } END { exit !f }' \
			/proc/net/unix && break
		sleep 0.1
	done
	[ -S "$T/$name.sock" ] || { show "$T/$name.err"; fail "$name: listen did not create its socket"; }
	kill -STOP "$LPID"
}

# finish NAME: let the collector run again and stop it (it reads all its
# peers to their end before it exits).
finish() {
	kill -CONT "$LPID"
	kill -TERM "$LPID"
	wait "$LPID" || { show "$T/$1.err"; fail "$1: listen exited $?"; }
}

# books NAME PRODUCED: received records (requests in the report,
# conn_closed in the capture's events) + dropped == PRODUCED, dropped > 0.
books() {
	"$HTTPTRACE" read -f events "$T/$1.cap" >"$T/$1.events" ||
		fail "$1: read of the capture failed"
	"$PY" - "$T/$1.json" "$T/$1.events" "$2" "$1" <<'PYEOF' || fail "$1: records lost without a count"
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1])]
evs = [json.loads(l) for l in open(sys.argv[2])]
produced, name = int(sys.argv[3]), sys.argv[4]
reqs = sum(1 for r in rep if r["event"] == "request")
closes = sum(1 for e in evs if e["event"] == "conn_closed")
summ = [r for r in rep if r["event"] == "summary"]
assert len(summ) == 1, summ
dropped = summ[0]["dropped"]
print("# %s: %d requests + %d closes received, %d dropped, %d produced"
      % (name, reqs, closes, dropped, produced), file=sys.stderr)
assert dropped > 0, "dropped is 0: lost records not counted (or the buffer never overflowed)"
assert reqs + closes + dropped == produced, "books do not balance"
assert summ[0]["malformed"] == 0, summ
PYEOF
}

# traced ARGS...: run ARGS with the library, sending to $SOCK.
traced() {
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$SOCK "$@"
}

# exit: the client ends normally while the collector is stopped.
stopped_collector exit
SOCK=$T/exit.sock traced "$PY" "$T/client.py" "$SERVER_PORT" "$N" exit "$T/none" ||
	fail "exit: the client failed"
finish exit
books exit $((N + 1))

# waiting_client NAME: the client in mode kill (N requests, then it
# waits) in the background, once its requests are done.  Sets CPID.
waiting_client() {
	# (a simple command, so that $! is python itself, not a subshell)
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$T/$1.sock \
		"$PY" "$T/client.py" "$SERVER_PORT" "$N" kill "$T/$1.ready" &
	CPID=$!
	_PIDS+=("$CPID")
	for _ in $(seq 600); do
		[ -e "$T/$1.ready" ] && return 0
		kill -0 "$CPID" 2>/dev/null || fail "$1: the client died early"
		sleep 0.1
	done
	fail "$1: the client did not finish its requests"
}

# kill: the client dies by SIGKILL while the collector is stopped.
stopped_collector kill
waiting_client kill
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null || true
finish kill
books kill "$N"

# alive: the collector ends while the client still runs.
stopped_collector alive
waiting_client alive
finish alive
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null || true
books alive "$N"

# exec: two images of one pid, both while the collector is stopped.
stopped_collector exec
SOCK=$T/exec.sock traced "$PY" "$T/client.py" "$SERVER_PORT" "$N" exec "$T/none" ||
	fail "exec: the client failed"
finish exec
books exec $((2 * N + 2))
jcheck "$T/exec.json" --expect 'len(set(pid)) == 1'
pass
