#!/bin/bash
# test_fork_exec_inflight.sh - a process forks while a keep-alive request
# is in flight, and the child only execs a helper: the socket is shared,
# but the kernel's counts (TCP_INFO, SIOCINQ, SIOCOUTQ) prove that no
# other process read or wrote a byte of it, so the parent follows on:
# every request is reported with the status the server sent for it (the
# server's log, seqserver.py: 200+N for the Nth request on a connection),
# none counted not followed.  Before, each of these requests was counted
# not followed (the parent gave the connection up at the fork).
#  a) exec: GET, fork, the child execs /bin/true, the parent waits, reads
#  b) thread: one thread's keep-alive requests while another thread forks
#     and execs /bin/true every 20 ms
#  c) python: http.client's keep-alive requests on one thread while
#     another runs subprocess.run(["/bin/true"], preexec_fn=...) (a fork,
#     not a vfork, since preexec_fn is given)
#  d) server: a traced Python server whose handler runs
#     subprocess.run(["/bin/true"], preexec_fn=...) between reading a
#     request and answering it: each request reported answered 200
# The cases where the child does use the connection (it reads the
# parent's answer, or writes a request of its own) are
# test_fork_shared_inflight.sh and test_fork_shared_parent.sh: there the
# parent still counts the shared requests not followed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_exec_inflight
start_py seqserver.py "$T/seq.err" "$T/seq.log" 0.15
PORT=$PY_PORT

# check JSON N: N requests this run, each reported with the status the
# server sent for its target (the log), none with an error, none counted
# not followed.  Three requests per connection: the server's fourth
# answer would be a 204, which has no body.
check() {
	"$PY" - "$@" "$T/seq.log" <<'PYEOF' || { show "$1" "$T/seq.log"; fail "wrong records in ${1##*/}"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
sent = dict(line.split() for line in open(sys.argv[3]))
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
assert len(sent) == n, ("server answered", sent)
got = {"/" + r["url"].split("/", 3)[3]: r for r in reqs}
assert sorted(got) == sorted(sent), ("records", sorted(got), "server answered", sent)
for path, r in got.items():
    assert r["error"] is None, ("error", r)
    assert r["status"] == int(sent[path]), ("paired wrong", r, sent[path])
assert summ.get("not_followed", 0) == 0, summ
assert summ["errors"] == 0, summ
PYEOF
}

for mode in exec thread; do
	: >"$T/seq.log"
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$T/fork_exec_inflight" "$mode" "$PORT" 3 ||
		fail "fork_exec_inflight $mode failed"
	check "$T/$mode.json" 3
done

: >"$T/seq.log"
cat >"$T/sub.py" <<'PYEOF'
import http.client, subprocess, sys, threading
done = threading.Event()
def spawn():
    while not done.is_set():
        subprocess.run(["/bin/true"], preexec_fn=lambda: None, check=True)
        done.wait(0.02)
t = threading.Thread(target=spawn)
t.start()
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i in range(1, 4):
    c.request("GET", "/py-%d" % i)
    r = c.getresponse()
    r.read()
done.set()
t.join()
PYEOF
"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" "$T/sub.py" "$PORT" >"$T/py.out" 2>&1 ||
	{ show "$T/py.out"; fail "sub.py failed"; }
check "$T/py.json" 3

cat >"$T/srv.py" <<'PYEOF'
import http.server, subprocess, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served = 0
    def do_GET(self):
        H.served += 1
        subprocess.run(["/bin/true"], preexec_fn=lambda: None, check=True)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
while H.served < 3:   # (wait_port's probe is a connection too)
    s.handle_request()
PYEOF
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/srv.json" -- "$PY" "$T/srv.py" "$port" 2>"$T/srv.err" &
spid=$!
_PIDS+=("$spid")
wait_port 127.0.0.1 "$port" "$spid" || fail "srv.py did not listen"
for p in /s-1 /s-2 /s-3; do
	# (the answer read whole: a client that closes with its body unread
	# resets the connection, and a server's check in state CLOSE cannot
	# prove anything)
	"$PY" -c 'import sys, urllib.request; r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2])); r.read(); print(r.status)' \
		"$port" "$p" >>"$T/cli.out" || fail "GET $p failed"
done
wait "$spid" || { show "$T/srv.err"; fail "httptrace exited $?"; }
jcheck "$T/srv.json" --event request --count 3 \
	--each "status == 200 and error is None"
pass
