#!/bin/bash
# test_live_view_dns.sh - with the text report on a terminal (tmux), a
# program hung in getaddrinfo shows its lookup in the live view (dns NAME,
# phase, elapsed) while it waits, though it has no request yet; Ctrl-C
# then: the area is gone, the lookup cut short reported in its place.  A
# program of our own (dns_hold) resolves a name through a DNS server of
# the test's that never answers (udphold.py, 127.0.0.1).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux
build_prog dns_hold
start_udphold
name=stuck.example.test
start_tmux

tm send-keys "cd '$T' && '$HTTPTRACE' -- '$T/dns_hold' $UDP_PORT $name; echo run-done-\$?" Enter
wait_file_line "$T/udp.log" '^query ' || { show "$T/udphold.err"; fail "the DNS server never had the query"; }
wait_screen "^  > dns $name  resolving the name  [0-9.]+ m?s"
tm send-keys C-c
# the echo's output, once httptrace has exited (its command line on the
# screen reads "run-done-$?": a match there would not wait at all)
wait_screen "^(\\^C)?run-done-[0-9]+$"
tm capture-pane -p >"$T/after"
grep -qE "^(\\^C)?run-done-130$" "$T/after" || { show "$T/after"; fail "httptrace did not exit as the program did (130)"; }
grep -qE "dns $name -> interrupted \(SIGINT\) resolving the name" "$T/after" ||
	{ show "$T/after"; fail "no lookup cut short"; }
grep -qF "  > dns" "$T/after" && { show "$T/after"; fail "the live area was left on the screen"; }
pass
