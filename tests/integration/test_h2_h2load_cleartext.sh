#!/bin/bash
# test_h2_h2load_cleartext.sh - h2load over cleartext HTTP/2 (prior
# knowledge, h2c) against nginx: -n N requests from -c C clients with -m M
# streams in flight each give exactly N records, all HTTP/2 200 with the
# bytes served, tls false, on exactly C connections, each with req 1.. and
# one record not reused.  (test_h2_h2load.sh is the same over TLS.)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd h2load
start_nginx
u=http://127.0.0.1:$NGINX_H2C_PORT
n=200 c=2 m=10

nginx_log_mark
"$HTTPTRACE" -f json -o "$T/out.json" -- h2load -n "$n" -c "$c" -m "$m" "$u/f/100" \
	>"$T/h2load.out" 2>&1 || { show "$T/h2load.out"; fail "httptrace -- h2load exited non-zero"; }
log=$(nginx_log_since "$n")

# The premise: h2load spoke h2c and every request succeeded, on C
# connections as nginx saw them.
if ! grep -q '^Application protocol: h2c$' "$T/h2load.out" ||
	! grep -q "^requests: $n total, $n started, $n done, $n succeeded, 0 failed" "$T/h2load.out"; then
	show "$T/h2load.out"
	fail "h2load did not complete $n HTTP/2 requests"
fi
"$PY" -c '
import sys
log, n, c = eval(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert len(log) == n and len({l[0] for l in log}) == c
assert all(l[2] == 200 and l[3] == 100 and l[4] == "HTTP/2.0" for l in log)
' "$log" "$n" "$c" || { show "$T/nginx/since.log"; fail "nginx did not log $n HTTP/2 requests on $c connections"; }

jcheck "$T/out.json" --count "$n" \
	--expect "len(set(zip(pid, conn))) == $c" \
	--expect "reused.count(False) == $c and nulls(tls_ms)" \
	--expect '(lambda rs: all(sorted(r["req"] for r in rs if (r["pid"], r["conn"]) == k)
		== list(range(1, 1 + sum((r["pid"], r["conn"]) == k for r in rs)))
		for k in {(r["pid"], r["conn"]) for r in rs}))(recs)' \
	--each 'status == 200 and resp_bytes == 100 and error is None' \
	--each "proto == 'HTTP/2' and tls is False and alpn is None and url == '$u/f/100'"
pass
