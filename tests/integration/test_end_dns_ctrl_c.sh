#!/bin/bash
# test_end_dns_ctrl_c.sh - a lookup that hangs inside getaddrinfo is shown
# in flight and reported when interrupted.  A program of our own resolves a
# name through a DNS server of the test's (udphold.py, 127.0.0.1: it never
# answers; the program sets the resolver's state, no system file changes).
# In a real terminal (tmux): with -f events, dns_start for the name is
# streamed while the lookup waits; Ctrl-C then: the program dies of SIGINT
# and JSON reports a connect_error "interrupted", signal SIGINT, phase dns,
# host the name.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
build_prog dns_hold
UDP_PORT=$(free_port 127.0.0.1)
"$PY" "$TESTS_DIR/udphold.py" "$UDP_PORT" "$T/udp.log" 2>>"$T/udphold.err" &
_PIDS+=("$!")
wait_file_line "$T/udp.log" '^ready$' || { show "$T/udphold.err"; fail "udphold.py did not start"; }
name=stuck.example.test
tm=(tmux -L "httptrace-test-$$" -f /dev/null)
_TMUX_UP=
cleanup_tmux() { [ -n "$_TMUX_UP" ] && "${tm[@]}" kill-server 2>/dev/null; }
trap 'cleanup_tmux' EXIT
queries() { cat "$T/udp.log" 2>/dev/null | grep -c '^query ' || true; }

# run_interrupted NAME FORMAT: run the program in a fresh terminal, Ctrl-C
# once the DNS server has its query, wait for the shell's marker.
run_interrupted() {
	local run=$1 format=$2 n
	n=$(queries)
	"${tm[@]}" new-session -d -s "$run" -x 200 -y 50 \
		"$HTTPTRACE -f $format -o $T/$run.out -- $T/dns_hold $UDP_PORT $name; echo \"rc=\$?\" >$T/$run.rc; sleep 60" ||
		fail "tmux did not start"
	_TMUX_UP=1
	for _ in $(seq 200); do
		[ "$(queries)" -gt "$n" ] && break
		sleep 0.05
	done
	[ "$(queries)" -gt "$n" ] ||
		{ show "$T/udphold.err"; fail "$run: the DNS server never had the query"; }
	if [ "$format" = events ]; then
		# streamed while the lookup waits, before the Ctrl-C
		wait_file_line "$T/$run.out" "\"dns_start\".*\"host\":\"$name\"" ||
			{ show "$T/$run.out"; fail "$run: no dns_start while the lookup hangs"; }
	fi
	"${tm[@]}" send-keys -t "$run" C-c
	for _ in $(seq 100); do [ -s "$T/$run.rc" ] && break; sleep 0.05; done
	[ -s "$T/$run.rc" ] || { "${tm[@]}" capture-pane -p -t "$run" >&2; fail "$run: httptrace did not end after Ctrl-C"; }
	grep -q '^rc=130$' "$T/$run.rc" || fail "$run: the program did not die of SIGINT: $(cat "$T/$run.rc")"
}

run_interrupted events events
jcheck "$T/events.out" --event connect_done --count 1 \
	--each 'error == "interrupted" and phase == "dns" and signal == "SIGINT"'

run_interrupted json json
jcheck "$T/json.out" --event connect_error --count 1 \
	--each "host == '$name' and error == 'interrupted'" \
	--each 'phase == "dns" and signal == "SIGINT"'
pass
