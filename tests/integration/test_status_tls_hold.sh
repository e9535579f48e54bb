#!/bin/bash
# test_status_tls_hold.sh - a program hung in a TLS handshake is seen in
# flight by a running `listen`: `httptrace status -s PATH` (text and -f
# json) and GET /inflight show its connection (kind connection, pid,
# conn, peer, phase tls) though it has no request yet.  curl talks TLS to
# a server that accepts and never answers (holdserver.py).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_holdserver
sock=$T/ht.sock
mport=$(free_port 127.0.0.1)
peer=127.0.0.1:$HOLD_PORT

start_status_listen "$sock" "$mport"
lpid=$LPID

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock curl -sk "https://$peer/held" >"$T/curl.out" &
cpid=$!
_PIDS+=("$cpid")
# the ClientHello reached the server: curl waits in its handshake
wait_file_line "$T/hold.log" '^got ' || { show "$T/holdserver.err"; fail "the server never had the ClientHello"; }

wait_status "$sock" "in the TLS handshake"
grep -qx "0 requests in flight, 1 connection opening" "$T/status.txt" || { show "$T/status.txt"; fail "no count"; }
grep -qE "^  pid $cpid conn 1  connect $peer  in the TLS handshake  [0-9.]+ m?s$" \
	"$T/status.txt" || { show "$T/status.txt"; fail "no connection line"; }

# shellcheck disable=SC2317 # called by check_inflight_json
check_json() { # FILE: the held handshake, in JSON
	"$PY" - "$1" "$peer" "$cpid" <<'PYEOF' || { show "$1"; fail "${1##*/}: wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_flight"] == 0 and d["requests"] == [], d
assert d["connecting"] == 1 and d["connections_listed"] == 1, d
r = d["connections"][0]
assert r["kind"] == "connection" and r["pid"] == int(sys.argv[3]) and r["conn"] == 1, r
assert r["peer"] == sys.argv[2] and r["tls"] is True and r["phase"] == "tls", r
assert r["elapsed_ms"] >= 0 and r["start"] > 0, r
assert "connect_done" in r["events"] and "tls_handshake_start" in r["events"], r
assert "tls_handshake_done" not in r["events"], r
PYEOF
}
check_inflight_json "$sock" "$mport" check_json

kill -TERM "$cpid"
wait "$cpid" 2>/dev/null || true
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
pass
