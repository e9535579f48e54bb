#!/bin/bash
# test_h2_curl_parallel.sh - curl -Z (parallel) with 20 URLs multiplexed as
# HTTP/2 streams on one TLS connection: 20 records, all 200 with the bytes
# served, one (pid, conn), req 1..20 each once, exactly one record (req 1)
# not reused and only it with TLS and connect phases; streams in flight
# together (one starts before another ends).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
u=https://127.0.0.1:$NGINX_TLS_PORT
n=20

args=()
for i in $(seq 1 "$n"); do
	args+=(-o /dev/null "$u/f/1000000?i=$i")
done
nginx_log_mark
# Without --parallel-immediate curl waits for the first connection and
# multiplexes every transfer onto it.  The files are large (1 MB) so that
# transfers overlap even on a busy machine.
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -Z --cacert "$T/cert.pem" -s -w '%{http_code} %{num_connects} %{http_version}\n' \
	"${args[@]}" >"$T/curl.out" 2>"$T/curl.err" ||
	{ show "$T/curl.err"; fail "httptrace -- curl exited non-zero"; }
log=$(nginx_log_since "$n")

# The premise: one connection (curl's count and nginx's), n HTTP/2 streams.
[ "$(awk '{ c += $2 } $1 == 200 && $3 == 2 { ok++ } END { print c, ok }' "$T/curl.out")" = "1 $n" ] ||
	{ show "$T/curl.out"; fail "curl did not make $n HTTP/2 requests over one connection"; }
"$PY" -c '
import sys
log = eval(sys.argv[1])
n = int(sys.argv[2])
assert len(log) == n and len({l[0] for l in log}) == 1, "not one nginx connection"
assert sorted(l[1] for l in log) == list(range(1, n + 1))
assert all(l[2] == 200 and l[3] == 1000000 and l[4] == "HTTP/2.0" for l in log)
' "$log" "$n" || { show "$T/nginx/since.log"; fail "nginx did not log $n HTTP/2 streams on one connection"; }

jcheck "$T/out.json" --count "$n" \
	--expect 'len(set(zip(pid, conn))) == 1' \
	--expect "sorted(req) == list(range(1, $n + 1))" \
	--expect 'reused.count(False) == 1 and [r["req"] for r in recs if not r["reused"]] == [1]' \
	--expect 'nonnull(r["tls_ms"] for r in recs if not r["reused"])' \
	--expect 'nulls(r["tls_ms"] for r in recs if r["reused"])' \
	--expect 'nulls(r["connect_ms"] for r in recs if r["reused"])' \
	--expect '(lambda rs: any(a["start"] < b["start"] < a["start"] + a["total_ms"] / 1000
		for a in rs for b in rs))(recs)' \
	--expect "sorted(url) == sorted('$u/f/1000000?i=%d' % i for i in range(1, $n + 1))" \
	--each 'status == 200 and resp_bytes == 1000000 and error is None' \
	--each 'proto == "HTTP/2" and tls is True and alpn == "h2"'
pass
