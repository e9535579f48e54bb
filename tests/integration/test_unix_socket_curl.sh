#!/bin/bash
# test_unix_socket_curl.sh - curl --unix-socket to nginx listening on a Unix
# socket, two URLs on one keep-alive connection: two records, one conn,
# reused false then true, peer "unix:PATH", url and host from the Host
# header curl sends (the URL's host), statuses and sizes as curl saw them.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

curl_same unix --unix-socket "$NGINX_SOCK" -o /dev/null \
	http://x/index.html http://x/f/100
[ "$(cat "$T/unix.out")" = "200 17200 100" ] ||
	{ show "$T/unix.out"; fail "curl did not get both files over the Unix socket"; }

jcheck "$T/unix.json" --count 2 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2]' \
	--expect 'reused == [False, True]' \
	--expect "url == ['http://x/index.html', 'http://x/f/100']" \
	--expect 'resp_bytes == [17, 100]' \
	--expect 'connect_ms[0] is not None and nulls(connect_ms[1:])' \
	--each "peer == 'unix:$NGINX_SOCK' and proxy is None and host == 'x'" \
	--each 'method == "GET" and status == 200 and error is None' \
	--each 'proto == "HTTP/1.1" and tls is False and dns_ms is None'
pass
