#!/bin/bash
# test_h2_curl_tls.sh - curl's default HTTP/2 over TLS (ALPN h2) to nginx,
# four URLs on one connection (a 100000-byte file, a 404, an empty file):
# one record per stream with proto HTTP/2 and alpn h2, one conn, req 1..4,
# reused false then true, statuses and body sizes exactly as curl and
# nginx's log report them, tls_ms and connect_ms on the first only.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
pick_named_host # make_cert covers HOST: curl verifies the certificate
start_nginx
u=https://$HOST:$NGINX_TLS_PORT

nginx_log_mark
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl --cacert "$T/cert.pem" -s \
	-w '%{http_code} %{num_connects} %{size_download} %{http_version}\n' \
	-o /dev/null -o /dev/null -o /dev/null -o /dev/null \
	"$u/f/100" "$u/f/100000" "$u/nonexistent" "$u/f/0" \
	>"$T/curl.out" || fail "httptrace -- curl exited $?"
log=$(nginx_log_since 4)

# The premise: curl spoke HTTP/2 over one connection and got what nginx
# logged, in order, on one connection of its own.
[ "$(cut -d' ' -f1,2,4 "$T/curl.out" | tr '\n' ' ')" = "200 1 2 200 0 2 404 0 2 200 0 2 " ] ||
	{ show "$T/curl.out"; fail "curl did not make 4 HTTP/2 requests over one connection"; }
"$PY" -c '
import sys
log = eval(sys.argv[1])
curl = [l.split() for l in open(sys.argv[2])]
assert len(log) == 4 and len({l[0] for l in log}) == 1, "not one nginx connection"
assert [l[1] for l in log] == [1, 2, 3, 4] and {l[4] for l in log} == {"HTTP/2.0"}
assert [[l[2], l[3]] for l in log] == [[int(c[0]), int(c[2])] for c in curl], "curl and nginx disagree"
' "$log" "$T/curl.out" || { show "$T/nginx/since.log" "$T/curl.out"; fail "nginx did not log 4 HTTP/2 requests on one connection as curl saw them"; }
sizes=$(awk '{ printf "%s%s", (NR > 1 ? ", " : "["), $3 } END { print "]" }' "$T/curl.out")

jcheck "$T/out.json" --count 4 \
	--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2, 3, 4]' \
	--expect 'reused == [False, True, True, True]' \
	--expect 'status == [200, 200, 404, 200]' \
	--expect "resp_bytes == $sizes" \
	--expect 'resp_bytes[:2] == [100, 100000] and resp_bytes[2] > 0 and resp_bytes[3] == 0' \
	--expect "[[s, b] for s, b in zip(status, resp_bytes)] == [l[2:4] for l in $log]" \
	--expect "url == ['$u/f/100', '$u/f/100000', '$u/nonexistent', '$u/f/0']" \
	--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
	--expect 'connect_ms[0] is not None and nulls(connect_ms[1:])' \
	--each 'proto == "HTTP/2" and tls is True and alpn == "h2"' \
	--each 'method == "GET" and error is None and req_bytes == 0' \
	--each "host == '$HOST'"
pass
