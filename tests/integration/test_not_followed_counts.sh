#!/bin/bash
# test_not_followed_counts.sh - requests past a connection's limit of
# requests in flight (HT_ERR_OVERFLOW: "too many requests in flight; not
# tracked") are counted as not followed, not as errors: a traced client
# pipelines 100 requests on one connection to a traced nginx, which
# answers every one 200 (its own log); the summary (text and JSON) and
# the Prometheus metrics count no errors, the JSON summary's
# not_followed counts the records with that error, and no such record
# is joined to the other end.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock
N=100
mport=$(free_port)

start_status_listen "$sock" "$mport"
"$HTTPTRACE" env -s "$sock" >"$T/env.sh"
NGINX_WRAP=(sh -c '. "$0"; exec "$@"' "$T/env.sh")
start_nginx
nginx_log_mark

cat >"$T/client.py" <<'PYEOF'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"".join(b"GET /index.html?i=%d HTTP/1.1\r\nHost: a\r\n\r\n" % i
                   for i in range(n)))
f = s.makefile("rb")
ok = 0
for i in range(n):
    status = f.readline().split()[1]
    length = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    f.read(length)
    ok += status == b"200"
print(ok)
PYEOF
ok=$( (. "$T/env.sh"; exec "$PY" "$T/client.py" "$NGINX_PORT" "$N") ) || fail "the client failed"
[ "$ok" = "$N" ] || fail "the client got $ok good answers of $N"
logged=$(nginx_log_since "$N")
# the metrics once every client record is in
for _ in $(seq 100); do
	curl -s "http://127.0.0.1:$mport/metrics" >"$T/metrics.txt" || fail "no metrics"
	grep -q "^httptrace_requests_total{.*} $N\$" "$T/metrics.txt" && break
	sleep 0.05
done
grep -q "^httptrace_requests_total{.*} $N\$" "$T/metrics.txt" ||
	{ show "$T/metrics.txt"; fail "the metrics never counted $N requests"; }

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
kill -TERM "$LPID"
wait "$LPID" || { show "$T/listen.err"; fail "listen exited $?"; }

"$PY" - "$T/out.json" "$logged" "$N" "$T/metrics.txt" <<'PYEOF' || { show "$T/metrics.txt"; fail "requests not followed counted wrong"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
logged = ast.literal_eval(sys.argv[2])
n = int(sys.argv[3])
assert len(logged) == n and all(l[2] == 200 for l in logged), logged
reqs = [r for r in recs if r["event"] == "request"]
over = [r for r in reqs if r["error"] == "too many requests in flight; not tracked"]
other = [r for r in reqs if r["error"] is not None and r not in over]
assert over, "no request past the limit: the test proves nothing"
assert not other, other
for r in over:
    assert r.get("peer_record") is None, r
    assert r.get("server_processing_ms") is None, r
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["errors"] == 0 and summ["server_errors"] == 0, summ
assert summ["not_followed"] == len(over), (summ, len(over))
assert all(h["errors"] == 0 for h in summ["hosts"]), summ
errs = [l for l in open(sys.argv[4]) if l.startswith("httptrace_request_errors_total{")]
assert errs and all(l.split()[-1] == "0" for l in errs), errs
PYEOF
pass
