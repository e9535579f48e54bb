#!/bin/bash
# test_connect_ctrl_c.sh - Ctrl-C in a real terminal (tmux) while the
# traced program is blocked inside connect() (connect_hold, a blocking
# connect to fullbacklog.py's full accept queue): the program dies of
# SIGINT, and its connection is reported as cut short while connecting,
# with how long it had waited: text "connect ? -> interrupted (SIGINT)
# connecting  pid P  conn 1", its TCP Connection time below (no peer: the call never returned, and the
# library reads the program's address only after it), JSON a
# connect_error "interrupted", signal SIGINT, phase connect, connect_ms;
# -f events streams its connect_start while it waits (peer null), and its
# connect_done "interrupted" after.  Main showed and reported nothing.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
build_prog connect_hold
start_fullbacklog

# run_interrupted NAME FORMAT: the program traced in a fresh terminal,
# Ctrl-C once it has waited in connect() a while.
run_interrupted() {
	local run=$1 format=$2
	ctrl_c_start "$run" "$HTTPTRACE -f $format -o $T/$run.out -- $T/connect_hold block $FULL_PORT >$T/$run.prog"
	wait_file_line "$T/$run.prog" '^connecting$' || fail "$run: the program did not start"
	if [ "$format" = events ]; then
		wait_file_line "$T/$run.out" '"connect_start"' ||
			{ show "$T/$run.out"; fail "$run: no connect_start while it waits"; }
	fi
	sleep 0.7
	[ "$(cat "$T/$run.prog")" = connecting ] || { show "$T/$run.prog"; fail "$run: the connect returned"; }
	ctrl_c_end "$run"
	grep -q '^rc=130$' "$T/$run.rc" || fail "$run: the program did not die of SIGINT: $(cat "$T/$run.rc")"
}

run_interrupted text text
grep -Eq "^connect \? -> interrupted \(SIGINT\) connecting  pid [0-9]+  conn 1\$" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: no line for the connect cut short"; }
grep -Eq "^   DNS Lookup -  TCP Connection [0-9.]+(ms| s)\$" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: no duration of the connect cut short"; }
grep -q "connections: 0 (+1 failed)" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: the summary does not count it"; }

run_interrupted json json
jcheck "$T/json.out" --event connect_error --count 1 \
	--each 'conn == 1 and peer is None and host is None' \
	--each 'error == "interrupted" and signal == "SIGINT" and phase == "connect"' \
	--each 'connect_ms >= 700 and errno is None'
jcheck "$T/json.out" --event summary --count 1 --each 'connect_errors == 1'

run_interrupted events events
jcheck "$T/events.out" --event connect_start --count 1 --each 'conn == 1'
jcheck "$T/events.out" --event connect_done --count 1 \
	--each 'conn == 1 and error == "interrupted" and signal == "SIGINT"'
pass
