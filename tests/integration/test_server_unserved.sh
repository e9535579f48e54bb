#!/bin/bash
# test_server_unserved.sh - bytes a traced server reads but serves no
# request from are not reported as served requests; a note in the summary
# counts them.  nginx answers "OPTIONS *" with a 400 and Connection:
# close, shuts its writing side and drains what the client sends next (its
# lingering close): the DELETE sent then is not in its access log.  A
# Python HTTP/1.0 server answers the first of three pipelined requests,
# without keep-alive, and closes: its log has one.  Each server's records
# are its log's requests.  Before: the DELETE and the two pipelined
# requests were "served", each "connection closed before any response".
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

NOTE="bytes a server read that it did not serve"

# check JSON LOG_REQUESTS: the records are the logged requests (a Python
# list of [method, target, status]), and the summary has the note
check() {
	"$PY" - "$1" "$2" "$NOTE" <<'PYEOF'
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = sorted([r["method"], "/" + r["url"].split("/", 3)[3] if r["url"].count("/") >= 3 else "*", r["status"]]
             for r in recs if r["event"] == "request")
logged = sorted(ast.literal_eval(sys.argv[2]))
assert srv == logged, (srv, logged)
summ = [r for r in recs if r["event"] == "summary"][0]
assert any(n["text"].startswith(sys.argv[3]) for n in summ.get("not_traced", [])), summ
assert summ["server_errors"] == 0, summ
PYEOF
}

NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/ngx.json" --)
start_nginx
nginx_log_mark
"$PY" - "$NGINX_PORT" <<'PYEOF' || fail "nginx client failed"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
while not got.endswith(b"hello from nginx\n"):
    got += s.recv(65536)
s.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
while b"</html>" not in got:
    got += s.recv(65536)
assert got.startswith(b"HTTP/1.1 400"), got
s.sendall(b"DELETE /del HTTP/1.1\r\nHost: x\r\n\r\n")   # drained
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.close()
PYEOF
logged=$(nginx_log_since 2)
kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
nlog=$("$PY" -c '
import ast, sys
print([[m, t, s] for _, _, s, _, _, m, t in ast.literal_eval(sys.argv[1])])' "$logged")
check "$T/ngx.json" "$nlog" ||
	{ show "$T/ngx.json" "$T/nginx/since.log"; fail "nginx: its records are not its log's requests"; }

start_traced_py py srvlog.py "$T/py.log" http10
port=$TRACED_PORT tpid=$TRACED_PID
"$PY" - "$port" <<'PYEOF' || fail "python client failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(b"".join(b"GET /p%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(3)))
while s.recv(65536):
    pass
s.close()
PYEOF
wait_file_line "$T/py.log" p0 || fail "the python server logged nothing"
sleep 0.2
kill -TERM "$tpid"
wait "$tpid" || true
plog=$("$PY" -c '
import json, sys
print([[l["method"], l["path"], l["status"]] for l in map(json.loads, open(sys.argv[1]))])' "$T/py.log")
check "$T/py.json" "$plog" ||
	{ show "$T/py.json" "$T/py.log"; fail "python: its records are not its log's requests"; }
pass
