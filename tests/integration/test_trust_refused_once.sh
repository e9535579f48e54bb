#!/bin/bash
# test_trust_refused_once.sh - run mode as root opens its socket to every
# user and refuses a process of another user outside the command's tree;
# the line on stderr counts such processes, each once: one process that
# makes three requests (its library connects again after the refusal, and
# once more at its exit) is "refused 1 process(es)".  On main it counted
# each connection: "refused 2 connection(s)".  Nothing of it is reported.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ "$(id -u)" = 0 ] || skip "needs root to act as another user (running as uid $(id -u))"
command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
start_rawserver
chmod 0755 "$T"

# The command writes its socket's path for the outsider, then waits until
# the outsider is done.
"$HTTPTRACE" -f json -o "$T/out.json" -- sh -c \
	"echo \"\$HTTPTRACE_SOCKET\" >$T/sock.tmp && mv $T/sock.tmp $T/sock; while [ ! -e $T/done ]; do sleep 0.05; done" \
	2>"$T/run.err" &
hpid=$!
_PIDS+=("$hpid")
wait_file_line "$T/sock" . || fail "the command never wrote its socket's path"
# nobody's ids (no account needed), outside the command's tree
setpriv --reuid=65534 --regid=65534 --clear-groups env \
	LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$(cat "$T/sock")" "$PY" -c '
import socket, sys
for i in range(3):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /fixed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    s.recv(100)
    s.close()
' "$RAW_PORT" >"$T/outsider.log" 2>&1 || { show "$T/outsider.log"; fail "the outsider failed"; }
touch "$T/done"
wait "$hpid" || { show "$T/run.err"; fail "httptrace failed"; }
grep -qx 'httptrace: refused 1 process(es) of other users outside the command' "$T/run.err" ||
	{ show "$T/run.err"; fail "the outsider was not counted once"; }
jcheck "$T/out.json" --count 0
pass
