#!/bin/bash
# test_run_root_worker_user.sh - `httptrace --` started by root traces a
# server whose workers switch to another user (nginx's default: the
# master root, its worker nobody): the worker's requests are recorded
# (before, its library could not reach a collector of another user and
# the summary read "0 traced").  A process of another user outside the
# command's tree, pointed at the same socket, is refused: its request is
# not recorded (the server's record of it is).  Root only.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ "$(id -u)" -eq 0 ] || skip "needs root (a server switching users)"
[ -x "$NGINX" ] || skip "nginx not installed"
require_cmd setpriv
require_cmd curl
nobody=$(id -u nobody 2>/dev/null) || skip "no user nobody"
setpriv --reuid="$nobody" --regid="$nobody" --clear-groups test -r "$LIBHTTPTRACE" ||
	skip "the library is not readable by nobody"
setpriv --reuid="$nobody" --regid="$nobody" --clear-groups true ||
	skip "setpriv cannot switch to nobody here"
d=$T/nginx
mkdir -p "$d/tmp"
port=$(free_port 127.0.0.1)
# no user line: the worker runs as nobody; it reads no file
cat >"$d/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server { listen 127.0.0.1:$port; location / { return 200 "ok\n"; } }
}
NGX
# (the socket's path noted first: nginx overwrites its environment)
"$HTTPTRACE" -f json -o "$T/out.json" -- sh -c 'echo "$HTTPTRACE_SOCKET" >"$1"; exec "$2" -c "$3"' \
	sh "$T/sock.path" "$NGINX" "$d/nginx.conf" 2>"$T/run.err" &
rpid=$!
_PIDS+=("$rpid")
wait_port 127.0.0.1 "$port" "$rpid" || { show "$d/error.log"; fail "nginx did not start"; }
for _ in $(seq 50); do [ -s "$d/nginx.pid" ] && break; sleep 0.1; done
master=$(cat "$d/nginx.pid")
worker=$(pgrep -P "$master" | head -1)
[ -n "$worker" ] && [ "$(stat -c %u "/proc/$worker")" = "$nobody" ] ||
	fail "nginx's worker does not run as nobody"
curl -s "http://127.0.0.1:$port/inside" >"$T/c1.out" || fail "curl failed"
# outside the tree, as nobody, told the run's socket
sock=$(cat "$T/sock.path")
[ -S "$sock" ] || fail "no socket at '$sock'"
setpriv --reuid="$nobody" --regid="$nobody" --clear-groups \
	env LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$sock" \
	curl -s "http://127.0.0.1:$port/outsider" >"$T/c2.out" || fail "the outsider's curl failed"
grep -qx ok "$T/c1.out" && grep -qx ok "$T/c2.out" || fail "nginx did not answer"
kill -QUIT "$master"
wait "$rpid" || { show "$T/run.err"; fail "httptrace exited $?"; }
grep -qE "refused [1-9][0-9]* process" "$T/run.err" || { show "$T/run.err"; fail "the outsider was not refused"; }

"$PY" - "$T/out.json" "$worker" <<'PYEOF' || { show "$T/out.json"; fail "wrong records"; }
import json, sys
worker = int(sys.argv[2])
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
srv = sorted(r["url"].rsplit("/", 1)[1] for r in reqs if r.get("side") == "server")
assert srv == ["inside", "outsider"], reqs
assert all(r["pid"] == worker for r in reqs if r.get("side") == "server"), reqs
# the outsider's own (client) record was refused
assert not [r for r in reqs if r.get("side", "client") == "client"], reqs
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 2, summ
PYEOF
pass
