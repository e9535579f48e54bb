#!/bin/bash
# test_dns_failed.sh - every name lookup ends in the output, one that fails
# and one whose addresses no connection uses.  A program of our own
# (dns_hold) resolves a name through a DNS server of the test's
# (udphold.py --nxdomain, 127.0.0.1: it answers NXDOMAIN at once; no
# system file changes) and prints getaddrinfo's own words for the error.
# -f events streams the lookup's dns_start and its dns_done with that
# error (code EAI_NONAME, no addresses), -f json a dns_error with it (the
# summary counts a lookup failed, no failed connection), text a line
# "dns NAME -> ERROR (EAI_NONAME) T".  A lookup that resolves (localhost,
# from /etc/hosts) with no connection after it streams its dns_done with
# its addresses.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog dns_hold
start_udphold --nxdomain
name=missing.example.test

# run FORMAT: the program under httptrace; its own words for the error
run() {
	local rc=0
	"$HTTPTRACE" -f "$1" -o "$T/$1.out" -- "$T/dns_hold" "$UDP_PORT" "$name" >"$T/$1.prog" || rc=$?
	[ "$rc" = 1 ] || { show "$T/$1.prog"; fail "$1: the lookup did not fail (exit $rc)"; }
	grep -q '^nxdomain$' "$T/udp.log" || fail "$1: the DNS server never answered"
	err=$(sed -n 's/^getaddrinfo: //p' "$T/$1.prog")
	[ -n "$err" ] || { show "$T/$1.prog"; fail "$1: the program printed no error"; }
}

run events
jcheck "$T/events.out" --event dns_start --count 1 \
	--each "host == '$name' and conn == 0 and req is None and lookup == 1"
jcheck "$T/events.out" --event dns_done --count 1 \
	--each "host == '$name' and lookup == 1 and addrs == [] and dns_ms >= 0" \
	--each "error == '$err' and code == 'EAI_NONAME'"

run json
jcheck "$T/json.out" --event dns_error --count 1 \
	--each "host == '$name' and lookup == 1 and error == '$err' and code == 'EAI_NONAME'"
jcheck "$T/json.out" --event summary --count 1 \
	--each 'connect_errors == 0 and lookups_failed == 1'

run text
grep -Eq "^dns $name -> $err \(EAI_NONAME\) [0-9.]+ m?s  pid [0-9]+  lookup 1\$" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: no line for the failed lookup"; }
grep -q "lookups failed: 1" "$T/text.out" ||
	{ show "$T/text.out"; fail "text: the summary does not count the failed lookup"; }

# resolved, and no connection uses it: its end still streams
"$HTTPTRACE" -f events -o "$T/ok.out" -- "$PY" -c \
	'import socket; print(sorted({a[4][0] for a in socket.getaddrinfo("localhost", 80, socket.AF_INET)}))' \
	>"$T/ok.prog" || fail "the resolving program failed"
grep -q "127.0.0.1" "$T/ok.prog" || { show "$T/ok.prog"; fail "localhost did not resolve to 127.0.0.1"; }
jcheck "$T/ok.out" --event dns_done --count 1 \
	--each "host == 'localhost' and error is None and '127.0.0.1' in addrs"
jcheck "$T/ok.out" --event dns_start --count 1 --each "host == 'localhost'"
pass
