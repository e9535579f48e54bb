#!/bin/bash
# test_gnutls_wget.sh - wget (GnuTLS) fetching two HTTPS URLs of one host in
# one run: records decoded from GnuTLS's plaintext (tls true, https:// URLs,
# a TLS version), on one connection (reused false/true, req 1/2), sizes
# exactly as served; dns_ms, connect_ms and tls_ms on the first only.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wget
case $(ldd "$(command -v wget)") in
*libgnutls.so*) ;;
*) skip "wget is not linked with GnuTLS" ;;
esac
pick_named_host # make_cert covers HOST: wget verifies the certificate
start_nginx
u=https://$HOST:$NGINX_TLS_PORT

nginx_log_mark
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	wget --no-config -q --ca-certificate="$T/cert.pem" -O "$T/body" \
	"$u/f/1000" "$u/f/100000" || fail "httptrace -- wget exited $?"
log=$(nginx_log_since 2)

# The premise: wget got both files, over one connection as nginx saw it.
[ "$(wc -c <"$T/body")" = 101000 ] || fail "wget got $(wc -c <"$T/body") bytes, not 101000"
"$PY" -c '
import sys
log = eval(sys.argv[1])
assert [l[1:4] for l in log] == [[1, 200, 1000], [2, 200, 100000]], "requests"
assert log[0][0] == log[1][0], "not one connection"
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not log 2 requests on one connection"; }

jcheck "$T/out.json" --count 2 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2]' \
	--expect 'reused == [False, True]' \
	--expect 'status == [200, 200] and resp_bytes == [1000, 100000] and req_bytes == [0, 0]' \
	--expect "url == ['$u/f/1000', '$u/f/100000']" \
	--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and tls_ms[1] is None' \
	--expect 'connect_ms[0] is not None and connect_ms[1] is None' \
	--each 'tls is True and tls_version is not None and alpn in (None, "http/1.1")' \
	--each "method == 'GET' and error is None and proto == 'HTTP/1.1' and host == '$HOST'"
if [ "$HAVE_DNS" = 1 ]; then
	jcheck "$T/out.json" --expect 'dns_ms[0] is not None and dns_ms[1] is None'
fi
pass
