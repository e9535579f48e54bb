#!/bin/bash
# test_status_dns.sh - a program hung in getaddrinfo is seen in flight by a
# running `listen`: `httptrace status -s PATH` (text and -f json) and GET
# /inflight on --metrics show the lookup (kind dns, its pid and number,
# the name, phase dns) while it waits, though it has no request yet.  A
# program of our own (dns_hold) resolves a name through a DNS server of
# the test's that never answers (udphold.py, 127.0.0.1); once the program
# is gone, nothing is in flight.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
build_prog dns_hold
start_udphold
name=stuck.example.test
sock=$T/ht.sock
mport=$(free_port 127.0.0.1)

start_status_listen "$sock" "$mport"
lpid=$LPID

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/dns_hold" "$UDP_PORT" "$name" >"$T/prog.out" &
ppid=$!
_PIDS+=("$ppid")
# the lookup waits once the DNS server has its query
wait_file_line "$T/udp.log" '^query ' || { show "$T/udphold.err"; fail "the DNS server never had the query"; }

# poll (bounded) until the live page shows the lookup: the library may
# still be saying hello to listen when the query leaves
wait_status "$sock" "lookup"
grep -qx "0 requests in flight, 1 name lookup" "$T/status.txt" || { show "$T/status.txt"; fail "no count"; }
grep -qE "^  pid $ppid lookup 1  dns $name  resolving the name  [0-9.]+ m?s$" \
	"$T/status.txt" || { show "$T/status.txt"; fail "no lookup line"; }

# shellcheck disable=SC2317 # called by check_inflight_json
check_json() { # FILE: the held lookup, in JSON
	"$PY" - "$1" "$name" "$ppid" <<'PYEOF' || { show "$1"; fail "${1##*/}: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 0 and d["requests"] == [], d
assert d["connecting"] == 1 and d["connections_listed"] == 1, d
r = d["connections"][0]
assert r["kind"] == "dns" and r["pid"] == int(sys.argv[3]) and r["lookup"] == 1, r
assert r["host"] == sys.argv[2] and r["phase"] == "dns", r
assert r["elapsed_ms"] >= 0 and r["start"] > 0, r
assert list(r["events"]) == ["dns_start"], r
PYEOF
}
check_inflight_json "$sock" "$mport" check_json
# the program still waits: nothing was asked of it
kill -0 "$ppid" || fail "the program ended"
[ -s "$T/prog.out" ] && { show "$T/prog.out"; fail "the lookup ended"; }

kill -TERM "$ppid"
wait "$ppid" 2>/dev/null || true
wait_status "$sock" "^0 requests in flight$" "$T/after.txt"
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
pass
