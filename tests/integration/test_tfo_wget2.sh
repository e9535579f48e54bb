#!/bin/bash
# test_tfo_wget2.sh - wget2 with its default options opens its connections
# with sendto(MSG_FASTOPEN) and never calls connect(): its request is
# recorded, as nginx logged it, with a connect phase; so is one over TLS
# (GnuTLS writes the ClientHello with MSG_FASTOPEN), its phases in order.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wget2
pick_named_host # make_cert covers HOST: wget2 verifies the certificate
start_nginx

for scheme in http https; do
	if [ $scheme = http ]; then
		port=$NGINX_PORT size=1000
	else
		port=$NGINX_TLS_PORT size=10000
	fi
	nginx_log_mark
	"$HTTPTRACE" -f json -o "$T/$scheme.json" -- \
		wget2 --no-config -q --ca-certificate="$T/cert.pem" -O "$T/$scheme.body" \
		"$scheme://$HOST:$port/f/$size" || fail "httptrace -- wget2 $scheme exited $?"
	log=$(nginx_log_since 1)
	[ "$(wc -c <"$T/$scheme.body")" = $size ] ||
		fail "wget2 $scheme got $(wc -c <"$T/$scheme.body") bytes, not $size"
	tls=False
	[ $scheme = https ] && tls=True
	jcheck "$T/$scheme.json" --count 1 \
		--expect "len($log) == 1 and $log[0][2:4] == [200, $size] and $log[0][6] == '/f/$size'" \
		--each "method == 'GET' and url.endswith('/f/$size') and url.startswith('$scheme://')" \
		--each "status == 200 and error is None and resp_bytes == $size and tls is $tls" \
		--each "peer.endswith(':$port') and reused is False" \
		--each 'connect_ms is not None and wait_ms is not None' \
		--each "(tls_ms is not None) == $tls" \
		--each 'sum(x or 0 for x in (dns_ms, connect_ms, tls_ms, send_ms, wait_ms, receive_ms)) <= total_ms + 0.012'
done
pass
