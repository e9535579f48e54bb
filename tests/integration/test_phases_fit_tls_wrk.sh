#!/bin/bash
# test_phases_fit_tls_wrk.sh - wrk over TLS (8 connections, a non-blocking
# connect it never asks about, SSL_connect once the socket is writable):
# in every record the phases, one after the other, add up to no more than
# total_ms (each printed with 3 decimals: 0.002 ms of rounding per phase).
# The ClientHello written inside SSL_connect used to prove the connect
# after the handshake began: connect and TLS overlapped.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wrk
start_nginx
nginx_log_mark

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	wrk -t1 -c8 -d1s "https://127.0.0.1:$NGINX_TLS_PORT/f/100" >"$T/wrk.out" 2>&1 ||
	{ show "$T/wrk.out"; fail "httptrace -- wrk exited $?"; }
sleep 0.5 # nginx logs a request after its response
note "nginx logged $(($(wc -l <"$T/nginx/requests.log") - NGINX_LOG_MARK)) requests"

# The premise: wrk's requests were traced, the first of each connection
# with its TLS handshake (wrk may cut the last ones short when it stops).
jcheck "$T/out.json" \
	--expect 'sum(1 for x in tls_ms if x is not None) >= 8' \
	--expect 'sum(1 for x in status if x == 200) >= 8' \
	--each 'tls is True and (error is not None or status == 200)'
# Every record, in every state: the phases fit in the total.
"$PY" - "$T/out.json" <<'EOF' || fail "phases add up to more than total_ms"
import json, sys
names = ("dns_ms", "connect_ms", "tls_ms", "send_ms", "wait_ms", "receive_ms")
bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event"] != "request":
        continue
    ph = [r[k] for k in names if r[k] is not None]
    if r["total_ms"] is None or sum(ph) > r["total_ms"] + 0.002 * len(ph):
        bad += 1
        if bad <= 5:
            print("conn %d req %d:" % (r["conn"], r["req"]),
                  {k: r[k] for k in names + ("total_ms",)}, file=sys.stderr)
print("%d records whose phases exceed total_ms" % bad, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
pass
