#!/bin/bash
# test_server_nginx_h2.sh - nginx traced as an HTTP/2 server: over TLS
# (ALPN h2, streams in parallel) and cleartext with prior knowledge, each
# stream an untraced curl sent on one connection is one server record (HTTP/2,
# its own status and body size) matching nginx's own log.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl nghttp
curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/out.json" --)
start_nginx
nginx_log_mark

# TLS: curl, the streams in parallel; cleartext with prior knowledge:
# nghttp (Debian's curl 7.88.1 fails a second prior-knowledge transfer on
# a connection by itself, see test_h2_prior_knowledge.sh)
tls=https://127.0.0.1:$NGINX_TLS_PORT h2c=http://127.0.0.1:$NGINX_H2C_PORT
args=()
for p in /f/100 /f/10000 /f/100000 /missing; do args+=(-o /dev/null "$tls$p"); done
curl -sk --http2 --parallel "${args[@]}" || fail "curl --http2 failed"
nghttp -n "$h2c/f/100" "$h2c/f/10000" "$h2c/f/100000" "$h2c/missing" ||
	fail "nghttp failed"
logged=$(nginx_log_since 8)

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
[ -s "$T/out.json" ] || fail "no output"

"$PY" - "$T/out.json" "$logged" <<'PYEOF' || { show "$T/out.json" "$T/nginx/since.log"; fail "server records do not match nginx's log"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
logged = ast.literal_eval(sys.argv[2])
assert len(logged) == 8, logged
assert len(reqs) == len(logged), (len(reqs), len(logged))
assert all(r["side"] == "server" and r["proto"] == "HTTP/2" for r in reqs), reqs
for conn, creq, status, size, proto, method, target in logged:
    m = [r for r in reqs if r["url"].endswith(target) and r["status"] == status
         and r["resp_bytes"] == size and r["error"] is None]
    assert len(m) >= 1, (target, status, size, reqs)
    reqs.remove(m[0])
# one connection for each scheme, its streams after the first reusing it
reqs = [r for r in recs if r["event"] == "request"]
assert len({r["conn"] for r in reqs}) == 2, reqs
assert sorted(r["req"] for r in reqs) == [1, 1, 2, 2, 3, 3, 4, 4], reqs
assert all(r["reused"] == (r["req"] > 1) for r in reqs), reqs
tls = [r for r in reqs if r["tls"]]
assert len(tls) == 4 and all(r["alpn"] == "h2" for r in tls), tls
PYEOF
pass
