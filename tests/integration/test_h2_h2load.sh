#!/bin/bash
# test_h2_h2load.sh - h2load (nghttp2's benchmark client, OpenSSL) against
# nginx, in two cases: over TLS with ALPN h2, and over cleartext HTTP/2 with
# prior knowledge (h2c).  In each, -n N requests from -c C clients with -m M
# streams in flight each give exactly N records, all HTTP/2 200 with the
# bytes served, on exactly C connections, each with req 1.. and one record
# not reused; tls, alpn and tls_ms as the case says.
# Over TLS nginx, once its connection is up, sends its SETTINGS before
# h2load writes its connection preface: the server speaks first, and its
# bytes are kept until the client's preface tells what the connection is.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd h2load
start_nginx
n=200 c=2 m=10

# h2load_case NAME URL ALPN: run h2load on URL under httptrace into
# $T/NAME.json and check h2load and nginx saw N requests on C connections
# spoken in ALPN (as h2load names it).
h2load_case() {
	local name=$1 u=$2 alpn=$3 log

	nginx_log_mark
	"$HTTPTRACE" -f json -o "$T/$name.json" -- h2load -n "$n" -c "$c" -m "$m" "$u/f/100" \
		>"$T/$name.out" 2>&1 || { show "$T/$name.out"; fail "$name: httptrace -- h2load exited non-zero"; }
	log=$(nginx_log_since "$n")

	# The premise: h2load spoke $alpn and every request succeeded, on C
	# connections as nginx saw them.
	if ! grep -q "^Application protocol: $alpn\$" "$T/$name.out" ||
		! grep -q "^requests: $n total, $n started, $n done, $n succeeded, 0 failed" "$T/$name.out"; then
		show "$T/$name.out"
		fail "$name: h2load did not complete $n HTTP/2 requests"
	fi
	"$PY" -c '
import sys
log, n, c = eval(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert len(log) == n and len({l[0] for l in log}) == c
assert all(l[2] == 200 and l[3] == 100 and l[4] == "HTTP/2.0" for l in log)
' "$log" "$n" "$c" || { show "$T/nginx/since.log"; fail "$name: nginx did not log $n HTTP/2 requests on $c connections"; }
}

# Every request of one connection numbered 1.. in the records.
req_numbered='(lambda rs: all(sorted(r["req"] for r in rs if (r["pid"], r["conn"]) == k)
	== list(range(1, 1 + sum((r["pid"], r["conn"]) == k for r in rs)))
	for k in {(r["pid"], r["conn"]) for r in rs}))(recs)'

# TLS, ALPN h2: one handshake time per new connection.
u=https://127.0.0.1:$NGINX_TLS_PORT
h2load_case tls "$u" h2
jcheck "$T/tls.json" --count "$n" \
	--expect "len(set(zip(pid, conn))) == $c" \
	--expect "reused.count(False) == $c" \
	--expect 'len([t for t in tls_ms if t is not None]) == reused.count(False)' \
	--expect "$req_numbered" \
	--each 'status == 200 and resp_bytes == 100 and error is None' \
	--each "proto == 'HTTP/2' and tls is True and alpn == 'h2' and url == '$u/f/100'"

# Cleartext, prior knowledge: no TLS, no ALPN.
u=http://127.0.0.1:$NGINX_H2C_PORT
h2load_case cleartext "$u" h2c
jcheck "$T/cleartext.json" --count "$n" \
	--expect "len(set(zip(pid, conn))) == $c" \
	--expect "reused.count(False) == $c and nulls(tls_ms)" \
	--expect "$req_numbered" \
	--each 'status == 200 and resp_bytes == 100 and error is None' \
	--each "proto == 'HTTP/2' and tls is False and alpn is None and url == '$u/f/100'"
pass
