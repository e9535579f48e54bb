#!/bin/bash
# test_server_nginx.sh - nginx traced as a server (its worker forked from
# the traced master) with static files sent by sendfile: every request of
# an untraced curl, keep-alive, is one server record matching nginx's own
# log (its connection's n-th request, status, body bytes: the file's,
# moved by sendfile), the request's target as curl sent it; HEAD, 404 and
# a request on nginx's Unix socket included.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
NGINX_SENDFILE=on
NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/out.json" --)
start_nginx
u=http://127.0.0.1:$NGINX_PORT
nginx_log_mark

urls=()
for size in $NGINX_FILE_SIZES; do urls+=("$u/f/$size"); done
urls+=("$u/index.html" "$u/missing" "$u/f/1000000?x=1")
args=()
for x in "${urls[@]}"; do args+=(-o /dev/null "$x"); done
# twice: the second run's connection is a new one, reused as well
curl -s "${args[@]}" || fail "curl failed"
curl -s "${args[@]}" || fail "curl failed"
curl -s -I "$u/f/1000" -o /dev/null || fail "curl -I failed"
# and on nginx's Unix socket
curl -s --unix-socket "$NGINX_SOCK" -o /dev/null http://localhost/f/10000 ||
	fail "curl --unix-socket failed"
n=$(( ${#urls[@]} * 2 + 2 ))
logged=$(nginx_log_since "$n")

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
[ -s "$T/out.json" ] || fail "no output"

"$PY" - "$T/out.json" "$logged" <<'PYEOF' || { show "$T/out.json" "$T/nginx/since.log"; fail "server records do not match nginx's log"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
logged = ast.literal_eval(sys.argv[2])
assert all(r.get("side") == "server" for r in reqs), reqs
assert len(reqs) == len(logged), (len(reqs), len(logged))
# nginx numbers its connections; ours are per process: map them
conns = {}
for conn, creq, status, size, proto, method, target in logged:
    m = [r for r in reqs if r["method"] == method and
         r["url"].endswith(target) and r["req"] == creq and
         conns.get(conn, r["conn"]) == r["conn"]]
    assert len(m) >= 1, (conn, creq, method, target, m)
    r = m[0]
    reqs.remove(r)
    conns[conn] = r["conn"]
    assert r["status"] == status, (r, status)
    assert r["resp_bytes"] == size, (r, size)
    assert r["error"] is None, r
    assert r["reused"] == (creq > 1), r
    assert r["proto"] == proto, (r, proto)
    for k in ("read_ms", "processing_ms", "write_ms"):
        assert r[k] is not None and r[k] >= 0, (k, r)
assert not reqs, reqs
unix = [r for r in recs if r["event"] == "request" and r["peer"].startswith("unix:")]
assert len(unix) == 1 and unix[0]["peer"].endswith("/nginx.sock"), unix
big = [l for l in logged if l[6].startswith("/f/1000000")]
assert big and all(l[3] == 1000000 for l in big), big
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == len(logged), summ
PYEOF
pass
