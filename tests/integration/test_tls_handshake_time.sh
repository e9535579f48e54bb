#!/bin/bash
# test_tls_handshake_time.sh - a server that answers the TLS handshake 300 ms
# late: the delay is in tls_ms (and agrees with curl's time_appconnect -
# time_connect), not in connect_ms or wait_ms.
# (The server starts its 300 ms when it accepts; the client starts the
# handshake a little after its connect returns, a few ms later under a
# loaded or sanitized run: tls_ms is bounded below by 250, and compared with
# curl's own measure below.)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_tls_server 127.0.0.1 --handshake-delay 300
u=https://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl --http1.1 --cacert "$T/cert.pem" -s -o /dev/null -o /dev/null \
	-w '%{time_connect} %{time_appconnect}\n' "$u/bytes/10" "$u/bytes/20" \
	>"$T/curl.out" || fail "httptrace -- curl exited $?"

jcheck "$T/out.json" --count 2 \
	--expect 'len(set(conn)) == 1 and reused == [False, True]' \
	--expect 'status == [200, 200] and resp_bytes == [10, 20]' \
	--expect 'tls_ms[0] is not None and tls_ms[0] >= 250 and tls_ms[1] is None' \
	--expect 'connect_ms[0] is not None and connect_ms[0] < 100' \
	--each 'tls is True and wait_ms < 100' \
	--each 'total_ms >= (tls_ms or 0)'

read -r connect appconnect <"$T/curl.out"
"$PY" - "$T/out.json" "$connect" "$appconnect" <<'PYEOF' || fail "tls_ms disagrees with curl"
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
curl_tls = (float(sys.argv[3]) - float(sys.argv[2])) * 1000
tol = max(5.0, 0.3 * curl_tls)
print("# tls_ms %.3f, curl appconnect - connect %.3f ms (tolerance %.1f)"
      % (rec["tls_ms"], curl_tls, tol), file=sys.stderr)
if abs(rec["tls_ms"] - curl_tls) > tol:
    sys.exit("expected |tls_ms - %.3f| <= %.1f; got tls_ms %.3f"
             % (curl_tls, tol, rec["tls_ms"]))
PYEOF
pass
