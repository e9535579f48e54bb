# shellcheck shell=bash
# live100.sh - the run shared by test_live_100_timings.sh and
# test_live_early_after_100.sh, sourced after lib.sh: a traced
# continue_client.py killed while it writes its body to continue_server.py.
sock=$T/ht.sock

# live100_run WITH100 EARLY [LISTEN_ARG...] -> $T/out$WITH100.json: starts
# continue_server.py WITH100 EARLY and a collector (`listen -f json`, with
# the LISTEN_ARGs), runs the traced client, and kills it 0.5 s after the
# server has answered; then waits for its record and stops the collector.
# When the test defines live100_while_writing, it is called with WITH100
# just before the kill, while the client still writes.
live100_run() {
	local n=$1 early=$2
	shift 2
	rm -f "$sock" "$T/port$n" "$T/port$n.sent"
	"$PY" "$TESTS_DIR/continue_server.py" "$T/port$n" "$n" "$early" 2>"$T/srv$n.err" &
	_PIDS+=("$!")
	for _ in $(seq 100); do [ -s "$T/port$n" ] && break; sleep 0.05; done
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out$n.json" "$@" 2>"$T/listen$n.err" &
	local lpid=$!
	_PIDS+=("$lpid")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$TESTS_DIR/continue_client.py" "$(cat "$T/port$n")" "$early" 2>"$T/client$n.err" &
	local cpid=$!
	_PIDS+=("$cpid")
	for _ in $(seq 100); do [ -s "$T/port$n.sent" ] && break; sleep 0.05; done
	sleep 0.5
	if declare -F live100_while_writing >/dev/null; then
		live100_while_writing "$n"
	fi
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null || true
	for _ in $(seq 100); do
		grep -q '"event":"request"' "$T/out$n.json" 2>/dev/null && break
		sleep 0.05
	done
	kill -INT "$lpid"
	wait "$lpid" 2>/dev/null || true
}
