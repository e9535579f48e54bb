#!/bin/bash
# test_server_fork_first_killed.sh - a forked server worker killed while it
# handles its first request is reported, though its parent had used the
# network before the fork.  A Python server resolves "localhost" (a lookup:
# the parent connects to the collector), then forks a worker that accepts,
# reads a request and hangs; the worker is killed with SIGKILL.  The child
# inherited the parent's wish for a collector but not its connection, and
# connected only at its first record: its request in flight was on no page
# and the summary read "processes": 0, no error (an audit found it with
# apache prefork and gunicorn -b localhost).  Now the worker connects at
# its own first tracked connection and its cut request is reported.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

cat >"$T/srv.py" <<'PYEOF'
import os, signal, socket, sys
port, pidfile, readfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socket.getaddrinfo("localhost", port)   # the parent's network use
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
pid = os.fork()
if pid == 0:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        b = c.recv(4096)
        if not b:
            os._exit(1)
        data += b
    open(readfile, "w").close()
    while True:
        signal.pause()
with open(pidfile + ".tmp", "w") as f:
    f.write("%d\n" % pid)
os.rename(pidfile + ".tmp", pidfile)
os.waitpid(pid, 0)
PYEOF

port=$(free_port 127.0.0.1)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$T/srv.py" "$port" "$T/pid" "$T/read" >"$T/srv.err" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
# (the pid file says it listens: a probe of the port would be the
# worker's one connection)
for _ in $(seq 200); do [ -s "$T/pid" ] && break; sleep 0.05; done
[ -s "$T/pid" ] || { show "$T/srv.err"; fail "no worker pid"; }
wpid=$(cat "$T/pid")
_PIDS+=("$wpid")
curl -s -m 30 -o /dev/null "http://127.0.0.1:$port/first" &
cpid=$!
_PIDS+=("$cpid")
for _ in $(seq 200); do [ -e "$T/read" ] && break; sleep 0.05; done
[ -e "$T/read" ] || { show "$T/srv.err"; fail "the worker read no request"; }
kill -KILL "$wpid"
wait "$cpid" || true
wait "$tpid" || true

"$PY" - "$T/out.json" "$wpid" <<'PYEOF' || { show "$T/out.json"; fail "the killed worker's request is not reported"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
assert len(reqs) == 1, (reqs, summ)
r = reqs[0]
assert r["side"] == "server" and r["pid"] == int(sys.argv[2]), r
assert r["url"].endswith("/first") and r["method"] == "GET", r
assert r["error"] is not None and r["status"] is None, r
assert summ["dropped"] == 0, summ
PYEOF
pass
