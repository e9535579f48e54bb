#!/bin/bash
# test_end_tls_killed.sh - a process killed (SIGKILL) while its TLS
# handshake hangs (the server accepts and never answers, holdserver.py)
# is reported with its connection: JSON a tls_error with error "killed",
# signal SIGKILL, phase "tls"; text "connect PEER -> killed (SIGKILL) in
# the TLS handshake".  Before, nothing at all was reported: the
# connection carried no request yet.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

start_holdserver
peer="127.0.0.1:$HOLD_PORT"

# run_killed FORMAT: trace curl to the server, SIGKILL it once the server
# has its ClientHello.
run_killed() {
	local n
	n=$(hold_got)
	"$HTTPTRACE" -f "$1" -o "$T/out.$1" -- \
		sh -c 'echo $$ >"$1"; exec curl -sk --max-time 120 "https://$2/x"' \
		sh "$T/curl.pid" "$peer" &
	local tracer=$!
	_PIDS+=("$tracer")
	for _ in $(seq 200); do
		[ "$(hold_got)" -gt "$n" ] && break
		sleep 0.05
	done
	[ "$(hold_got)" -gt "$n" ] ||
		fail "$1: curl never sent its ClientHello"
	kill -KILL "$(cat "$T/curl.pid")"
	local rc=0
	wait "$tracer" || rc=$?
	note "$1: httptrace exited $rc"
}

run_killed json
jcheck "$T/out.json" --event tls_error --count 1 \
	--each "peer == '$peer' and error == 'killed' and signal == 'SIGKILL'" \
	--each 'phase == "tls" and errno is None and connect_ms is not None'
jcheck "$T/out.json" --event summary --each 'connect_errors == 1 and requests == 0'

run_killed text
grep -q "^connect $peer -> killed (SIGKILL) in the TLS handshake" "$T/out.text" ||
	{ show "$T/out.text"; fail "text: the killed connection is not reported"; }
pass
