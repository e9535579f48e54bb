#!/bin/bash
# test_url_host_no_port.sh - a client whose Host (or :authority) names no
# port, though it connected to another than the scheme's: wget2 sends
# "localhost" for https://localhost:PORT/, over HTTP/2 and HTTP/1.1.  The
# record's URL is the one wget2 was given (the peer's port added), not
# https://localhost/... (port 443); wget2's own debug log shows the
# port-less authority it sent (the premise).  Before, the URL said no
# port (https://localhost/f/1000) though the request went to another.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd wget2
pick_named_host # make_cert covers HOST: wget2 verifies the certificate
NGINX_FILE_SIZES="1000"
start_nginx
u=https://$HOST:$NGINX_TLS_PORT/f/1000

for mode in h2 h1; do
	opt=--http2
	[ $mode = h1 ] && opt=--no-http2
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- \
		wget2 --no-config $opt -d --ca-certificate="$T/cert.pem" -O "$T/$mode.body" "$u" \
		>"$T/$mode.log" 2>&1 || { show "$T/$mode.log"; fail "httptrace -- wget2 $mode exited"; }
	# the premise: wget2 named no port in what it sent
	grep -qiE "(:authority: |^Host: )$HOST\s*\$" "$T/$mode.log" ||
		{ show "$T/$mode.log"; skip "wget2 $mode sent a port in its Host: nothing to check"; }
	[ "$(wc -c <"$T/$mode.body")" = 1000 ] || fail "wget2 $mode did not get 1000 bytes"
	proto="HTTP/2"
	[ $mode = h1 ] && proto="HTTP/1.1"
	jcheck "$T/$mode.json" --count 1 \
		--each "url == '$u' and host == '$HOST' and proto == '$proto'" \
		--each "status == 200 and resp_bytes == 1000 and error is None"
done
pass
