#!/bin/bash
# test_end_ctrl_c_python.sh - in a real terminal (tmux), Ctrl-C on a Python
# client (urllib, no timeout) whose server accepted and never answers.
# Python's recv() returns EINTR, KeyboardInterrupt unwinds and Python closes
# the socket itself before it dies of SIGINT: the request is still reported
# as interrupted (SIGINT) waiting for the first byte, in text and JSON (not
# as "connection closed before any response").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
start_holdserver
url="http://127.0.0.1:$HOLD_PORT/stuck"
client="import urllib.request; urllib.request.urlopen('$url')"

# run_interrupted NAME FORMAT: run the client in a fresh terminal, Ctrl-C
# once the server has its request, wait for the shell's marker.
run_interrupted() {
	local name=$1 format=$2 n
	n=$(hold_got)
	ctrl_c_start "$name" "$HTTPTRACE -f $format -o $T/$name.out -- $PY -c \"$client\" 2>$T/$name.err"
	for _ in $(seq 200); do
		[ "$(hold_got)" -gt "$n" ] && break
		sleep 0.05
	done
	sleep 0.3 # the client now waits for the first byte, in recv()
	ctrl_c_end "$name"
	# the program's own outcome: KeyboardInterrupt, death by SIGINT
	grep -q '^KeyboardInterrupt' "$T/$name.err" || { show "$T/$name.err"; fail "$name: the client was not interrupted"; }
	grep -q '^rc=130$' "$T/$name.rc" || fail "$name: the client did not die of SIGINT: $(cat "$T/$name.rc")"
}

run_interrupted text text
grep -q "^GET $url -> interrupted (SIGINT) waiting for the first byte [0-9.]* [m]*s" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: the interrupted request is not reported as such"; }
grep -q '^   error: interrupted$' "$T/text.out" || { show "$T/text.out"; fail "text: no error line"; }

run_interrupted json json
jcheck "$T/json.out" --count 1 \
	--each "url == '$url' and method == 'GET'" \
	--each 'error == "interrupted" and signal == "SIGINT"' \
	--each 'phase == "wait_first_byte" and status is None'
pass
