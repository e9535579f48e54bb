#!/bin/bash
# test_h2_prior_knowledge.sh - curl --http2-prior-knowledge to nginx's
# cleartext HTTP/2 listener (no TLS, no Upgrade): the record has proto
# HTTP/2, tls false and no TLS fields, the status and exact body size curl
# got (a 100000-byte file; a 404 page), and connect_ms.  One URL per curl:
# Debian's curl 7.88.1 fails a second prior-knowledge transfer by itself.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
u=http://127.0.0.1:$NGINX_H2C_PORT

check() { # check NAME PATH STATUS
	local name=$1 path=$2 want=$3 code size version
	"$HTTPTRACE" -f json -o "$T/$name.json" -- \
		curl --http2-prior-knowledge -s -o "$T/$name.body" \
		-w '%{http_code} %{size_download} %{http_version}\n' "$u$path" \
		>"$T/$name.out" || fail "$name: httptrace -- curl exited $?"
	read -r code size version <"$T/$name.out"
	# The premise: curl got the file over HTTP/2.
	if [ "$code $version" != "$want 2" ] || [ "$(wc -c <"$T/$name.body")" != "$size" ]; then
		show "$T/$name.out"
		fail "$name: curl did not get $path over HTTP/2"
	fi
	jcheck "$T/$name.json" --count 1 \
		--expect "status == [$want] and resp_bytes == [$size] and req_bytes == [0]" \
		--expect 'reused == [False] and req == [1] and nonnull(connect_ms)' \
		--each "proto == 'HTTP/2' and tls is False and url == '$u$path'" \
		--each 'alpn is None and tls_ms is None and tls_version is None' \
		--each "method == 'GET' and error is None and peer == '127.0.0.1:$NGINX_H2C_PORT'"
}

check big /f/100000 200
[ "$(wc -c <"$T/big.body")" = 100000 ] || fail "curl did not get 100000 bytes"
check missing /nonexistent 404
pass
