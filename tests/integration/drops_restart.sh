# shellcheck shell=bash
# drops_restart.sh - the run of test_drops_collector_restart.sh and
# test_drops_inflight_restart.sh, sourced after lib.sh and start_server.
sock=$T/ht.sock

requests_made() { grep -c '^done$' "$T/client.log" 2>/dev/null || true; }
made_since() { [ "$(requests_made)" -ge "$1" ]; }

# drops_restart_run [slow]: a traced restart_client.py GETs on while
# collector 1 at $sock (json report, capture $T/cap1) stops (SIGTERM),
# requests are made with none listening, and collector 2 starts (capture
# $T/cap2); each step waits (bounded polls) for the event the next one
# needs.  With "slow", once collector 1 has records the client GETs
# /delay/4000 and collector 1 stops while `httptrace status` shows it in
# flight.  Leaves $T/out{1,2}.json, the captures' events in $T/ev{1,2},
# and cpid (the client's pid).
# shellcheck disable=SC2120 # "slow" is optional
drops_restart_run() {
	local lpid1 lpid2 i
	start_collector 1 -w "$T/cap1"
	lpid1=$LPID
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$TESTS_DIR/restart_client.py" "$SERVER_PORT" "$T/client.log" \
		"$T/slow" "$T/stop" 2>"$T/client.err" &
	cpid=$!
	_PIDS+=("$cpid")
	wait_for "the first collector's records" has_request "$T/out1.json"
	if [ "${1:-}" = slow ]; then
		touch "$T/slow"
		wait_status "$sock" "delay/4000"
	fi
	kill -TERM "$lpid1"
	wait "$lpid1" || { show "$T/listen1.err"; fail "collector 1 exited $?"; }
	# Requests made while nobody listens (their records are dropped); the
	# slow request, if any, ends first.
	wait_for "requests with no collector" made_since $(($(requests_made) + 3))
	start_collector 2 -w "$T/cap2"
	lpid2=$LPID
	wait_for "the second collector's records" has_request "$T/out2.json"
	touch "$T/stop"
	wait "$cpid" || { show "$T/client.err"; fail "the client failed"; }
	kill -TERM "$lpid2"
	wait "$lpid2" || { show "$T/listen2.err"; fail "collector 2 exited $?"; }
	for i in 1 2; do
		"$HTTPTRACE" read -f events "$T/cap$i" >"$T/ev$i" || fail "read cap$i failed"
	done
}
