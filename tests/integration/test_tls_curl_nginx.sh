#!/bin/bash
# test_tls_curl_nginx.sh - curl over HTTPS (HTTP/1.1) to nginx, three URLs on
# one connection: records decoded from the TLS plaintext (tls true, https://
# URLs, sizes as served, ALPN http/1.1), reused false/true/true, tls_ms on
# the first request only and close to curl's own TLS handshake time
# (time_appconnect - time_connect).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
pick_named_host # make_cert covers HOST: curl verifies the certificate
start_nginx
u=https://$HOST:$NGINX_TLS_PORT

w='%{http_code} %{num_connects} %{time_connect} %{time_appconnect}\n'
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl --http1.1 --cacert "$T/cert.pem" -s -w "$w" \
	-o "$T/b1" -o "$T/b2" -o "$T/b3" "$u/f/100" "$u/f/100000" "$u/f/1000" \
	>"$T/curl.out" || fail "httptrace -- curl exited $?"

# The premise: curl got the files over one connection.
[ "$(cut -d' ' -f1,2 "$T/curl.out" | tr '\n' ' ')" = "200 1 200 0 200 0 " ] ||
	{ show "$T/curl.out"; fail "curl did not get 3 files over one connection"; }
[ "$(cat "$T/b1" "$T/b2" "$T/b3" | wc -c)" = 101100 ] || fail "curl did not get 101100 bytes"

jcheck "$T/out.json" --count 3 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'reused == [False, True, True]' \
	--expect 'status == [200, 200, 200]' \
	--expect 'resp_bytes == [100, 100000, 1000] and req_bytes == [0, 0, 0]' \
	--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
	--expect 'connect_ms[0] is not None and nulls(connect_ms[1:])' \
	--each 'tls is True and alpn == "http/1.1" and tls_version.startswith("TLSv1")' \
	--each 'method == "GET" and error is None and proto == "HTTP/1.1"' \
	--each "url == '$u/f/%d' % resp_bytes and host == '$HOST'"

# tls_ms against curl: appconnect - connect is curl's TLS handshake, client
# setup included, as tls_ms counts it (TCP connect done to handshake done).
read -r _ _ connect appconnect <"$T/curl.out"
"$PY" - "$T/out.json" "$connect" "$appconnect" <<'PYEOF' || fail "tls_ms disagrees with curl"
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
curl_tls = (float(sys.argv[3]) - float(sys.argv[2])) * 1000
tol = max(5.0, 0.3 * curl_tls)
print("# tls_ms %.3f, curl appconnect - connect %.3f ms (tolerance %.1f)"
      % (rec["tls_ms"], curl_tls, tol), file=sys.stderr)
if curl_tls <= 0 or abs(rec["tls_ms"] - curl_tls) > tol:
    sys.exit("expected |tls_ms - %.3f| <= %.1f; got tls_ms %.3f"
             % (curl_tls, tol, rec["tls_ms"]))
PYEOF
pass
