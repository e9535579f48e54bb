#!/bin/bash
# test_end_ctrl_c.sh - in a real terminal (tmux), Ctrl-C on
# `httptrace -- curl URL` whose server accepted and never answers: curl
# dies of SIGINT, httptrace survives it, reaps curl and reports the request
# in flight: text "GET URL -> interrupted (SIGINT) waiting for the first
# byte", JSON error "interrupted", signal SIGINT, phase wait_first_byte.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
require_cmd curl
start_rawserver
url="http://127.0.0.1:$RAW_PORT/stuck"

# run_interrupted NAME FORMAT: run the command in a fresh terminal, Ctrl-C
# once the server has the request, wait for the shell prompt's marker.
run_interrupted() {
	local name=$1 format=$2 n
	n=$(grep -c '^stuck /stuck' "$T/rawserver.log" 2>/dev/null || true)
	ctrl_c_start "$name" "$HTTPTRACE -f $format -o $T/$name.out -- curl -s $url"
	for _ in $(seq 200); do
		[ "$(grep -c '^stuck /stuck' "$T/rawserver.log" 2>/dev/null || true)" -gt "$n" ] && break
		sleep 0.05
	done
	sleep 0.3 # curl now waits for the first byte
	ctrl_c_end "$name"
	note "$name: $(cat "$T/$name.rc")"
}

run_interrupted text text
grep -q "^GET $url -> interrupted (SIGINT) waiting for the first byte [0-9.]* [m]*s" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: the interrupted request is not reported"; }
grep -q '^   error: interrupted$' "$T/text.out" || { show "$T/text.out"; fail "text: no error line"; }

run_interrupted json json
jcheck "$T/json.out" --count 1 \
	--each "url == '$url' and method == 'GET'" \
	--each 'error == "interrupted" and signal == "SIGINT"' \
	--each 'phase == "wait_first_byte" and status is None'
grep -q '^rc=130$' "$T/json.rc" || fail "httptrace did not exit as curl did (130): $(cat "$T/json.rc")"
pass
