#!/bin/bash
# test_end_dns_ctrl_c.sh - a lookup that hangs inside getaddrinfo is shown
# in flight and reported when interrupted, as the name lookup it was.  A
# program of our own resolves a name twice through a DNS server of the
# test's (udphold.py, 127.0.0.1: it never answers; the program sets the
# resolver's state, no system file changes): the first lookup given up by
# the resolver's own timeout (1 s), the second held.  In a real terminal
# (tmux): with -f events, each lookup streams its own dns_start (lookup 1,
# then 2) while it waits, the first its dns_done when the resolver gives up
# (EAI_AGAIN); Ctrl-C then: the program dies of SIGINT, and the held
# lookup ends in a dns_done "interrupted", signal SIGINT, phase dns.
# JSON reports it as a dns_error (host the name, dns_ms its time so far),
# not a connect_error, the summary counts it as a lookup cut short, not a
# failed connection; text reads "dns NAME -> interrupted (SIGINT)
# resolving the name T".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
build_prog dns_hold
start_udphold
name=stuck.example.test
queries() { cat "$T/udp.log" 2>/dev/null | grep -c '^query ' || true; }

# run_interrupted NAME FORMAT: run the program in a fresh terminal, Ctrl-C
# once the DNS server has its query, wait for the shell's marker.
run_interrupted() {
	local run=$1 format=$2 n
	n=$(queries)
	ctrl_c_start "$run" "$HTTPTRACE -f $format -o $T/$run.out -- $T/dns_hold $UDP_PORT $name 1"
	# the first query, given up after 1 s, then the second (held)
	for _ in $(seq 200); do
		[ "$(queries)" -gt $((n + 1)) ] && break
		sleep 0.05
	done
	[ "$(queries)" -gt $((n + 1)) ] ||
		{ show "$T/udphold.err"; fail "$run: the DNS server never had both queries"; }
	if [ "$format" = events ]; then
		# streamed while the second lookup waits, before the Ctrl-C
		wait_file_line "$T/$run.out" "\"dns_start\".*\"host\":\"$name\".*\"lookup\":2" ||
			{ show "$T/$run.out"; fail "$run: no dns_start of the second lookup while it hangs"; }
	fi
	ctrl_c_end "$run"
	grep -q '^rc=130$' "$T/$run.rc" || fail "$run: the program did not die of SIGINT: $(cat "$T/$run.rc")"
}

run_interrupted events events
# each lookup its own dns_start, once; its end once: the first given up
# by the resolver, the held one cut short
jcheck "$T/events.out" --event dns_start --count 2 \
	--each "host == '$name' and conn == 0 and req is None" \
	--expect 'lookup == [1, 2]'
jcheck "$T/events.out" --event dns_done --count 2 \
	--expect 'lookup == [1, 2]' \
	--expect "code[0] == 'EAI_AGAIN' and addrs[0] == []" \
	--expect "error[1] == 'interrupted' and phase[1] == 'dns'" \
	--expect 'signal[1] == "SIGINT" and dns_ms[1] > 0'
jcheck "$T/events.out" --event connect_done --count 0

run_interrupted json json
jcheck "$T/json.out" --event dns_error --count 2 \
	--each "host == '$name'" --expect 'lookup == [1, 2]' \
	--expect "code[0] == 'EAI_AGAIN' and error[1] == 'interrupted'" \
	--expect 'phase[1] == "dns" and signal[1] == "SIGINT" and dns_ms[1] > 0'
jcheck "$T/json.out" --event connect_error --count 0
jcheck "$T/json.out" --event summary --count 1 \
	--each 'connect_errors == 0 and lookups_cut_short == 1 and lookups_failed == 1'

run_interrupted text text
grep -Eq "^dns $name -> interrupted \(SIGINT\) resolving the name [0-9.]+ m?s  pid [0-9]+  lookup 2\$" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: no line for the lookup cut short"; }
grep -Eq "^dns $name -> .* \(EAI_AGAIN\) [0-9.]+ m?s  pid [0-9]+  lookup 1\$" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: no line for the lookup the resolver gave up"; }
grep -q "failed)" "$T/text.out" &&
	{ show "$T/text.out"; fail "text: the lookup counted as a failed connection"; }
grep -q "lookups cut short: 1" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: the summary does not count the lookup cut short"; }
pass
