#!/bin/bash
# test_server_h2c_sendfile.sh - nginx traced as a cleartext HTTP/2 server
# (prior knowledge) serving files with sendfile: nginx writes each DATA
# frame's header and sendfiles that frame's body, bytes the hooks never see.
# Every stream untraced clients sent (curl one at a time, h2load many on a
# connection, one after the other and in parallel; files of 1 byte, 100
# bytes and 100000 bytes: many DATA frames, flow control) is one server
# record with nginx's own status and body size, none an error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl h2load
curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
NGINX_SENDFILE=on
NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/out.json" --)
start_nginx
nginx_log_mark

h2c=http://127.0.0.1:$NGINX_H2C_PORT
n=0
# curl: one stream a connection (Debian's curl 7.88.1 fails a second
# prior-knowledge transfer on a connection, see test_h2_prior_knowledge.sh)
for p in /f/1 /f/100 /f/100000 /missing; do
	curl -s --http2-prior-knowledge -o /dev/null "$h2c$p" ||
		fail "curl $p failed"
	n=$((n + 1))
done
# h2load: 30 streams one at a time on one connection, then 60 on two
# connections, 10 at a time on each (frames of streams interleaved)
h2load -n 30 -c 1 -m 1 "$h2c/f/100" "$h2c/f/1" "$h2c/f/100000" >"$T/h2load1.out" ||
	fail "h2load failed"
grep -q "30 succeeded" "$T/h2load1.out" || { show "$T/h2load1.out"; fail "h2load: not 30 succeeded"; }
h2load -n 60 -c 2 -m 10 "$h2c/f/100000" "$h2c/f/100" "$h2c/f/1" >"$T/h2load2.out" ||
	fail "h2load failed"
grep -q "60 succeeded" "$T/h2load2.out" || { show "$T/h2load2.out"; fail "h2load: not 60 succeeded"; }
n=$((n + 90))
logged=$(nginx_log_since "$n")

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
[ -s "$T/out.json" ] || fail "no output"

"$PY" - "$T/out.json" "$logged" "$n" <<'PYEOF' || { show "$T/out.json" "$T/nginx/since.log"; fail "server records do not match nginx's log"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
logged = ast.literal_eval(sys.argv[2])
n = int(sys.argv[3])
assert len(logged) == n, (len(logged), n)
assert all(p == "HTTP/2.0" for _, _, _, _, p, _, _ in logged), logged
assert len(reqs) == n, (len(reqs), n)
assert all(r["side"] == "server" and r["proto"] == "HTTP/2" for r in reqs), reqs
# each of nginx's answers is one record: status, body size, no error
for conn, creq, status, size, proto, method, target in logged:
    m = [r for r in reqs if r["url"].endswith(target) and r["status"] == status
         and r["resp_bytes"] == size and r["error"] is None]
    assert m, (target, status, size, [r for r in reqs if r["url"].endswith(target)])
    reqs.remove(m[0])
assert not reqs, reqs
summ = [r for r in recs if r["event"] == "summary"]
assert len(summ) == 1, summ
s = summ[0]
assert s["server_requests"] == n and s["server_errors"] == 0, s
PYEOF
pass
