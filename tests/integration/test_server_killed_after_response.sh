#!/bin/bash
# test_server_killed_after_response.sh - a traced server killed after the
# system call that wrote a whole response returned, before the library fed
# its bytes (the record not made yet, the request still in the live page):
# the client has the whole response, so the request is not reported cut
# (error killed or interrupted, from the page); it is counted as not seen.
# strace holds the server at the exit of its writev() (delay_exit: the
# call done, the program not back), the client reads the whole response,
# then the server is killed with SIGKILL (and strace after it): no timing
# decides the outcome.
# The control: the same server not held serves its request with a record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl strace
strace -f -o /dev/null -e trace=writev -e inject=writev:delay_exit=1ms /bin/true 2>/dev/null ||
	skip "strace cannot trace or inject here"

# One response per connection, written whole by one writev() (the only one
# the program makes: the library's own sends are send() and sendmsg()).
cat >"$T/srv.py" <<'PYEOF'
import os, socket, sys
port, pidfile = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
with open(pidfile + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), os.getppid()))
os.rename(pidfile + ".tmp", pidfile)
while True:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        b = c.recv(4096)
        if not b:
            break
        data += b
    if b"\r\n\r\n" in data:
        body = b"served whole\n"
        os.writev(c.fileno(), [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                               % len(body) + body])
        c.recv(4096)  # the client's close
    c.close()
PYEOF

# serve HELD OUT: the traced server (under strace; HELD: its writev held at
# its exit), one request of curl, then SIGKILL; the report in OUT.json.
serve() {
	local held=$1 out=$2 port tpid pid tracer _ inject=()
	[ "$held" = held ] && inject=(-e inject=writev:delay_exit=600s:when=1)
	port=$(free_port 127.0.0.1)
	rm -f "$T/pid"
	"$HTTPTRACE" -f json -o "$T/$out.json" -- \
		strace -f -qq -o "$T/$out.strace" -e trace=writev "${inject[@]}" \
		"$PY" "$T/srv.py" "$port" "$T/pid" >"$T/$out.err" 2>&1 &
	tpid=$!
	_PIDS+=("$tpid")
	for _ in $(seq 200); do
		[ -s "$T/pid" ] && break
		sleep 0.05
	done
	[ -s "$T/pid" ] || { show "$T/$out.err"; fail "$out: the server did not start"; }
	read -r pid tracer <"$T/pid"
	_PIDS+=("$pid" "$tracer")
	curl -s -m 20 -o "$T/$out.body" -w '%{http_code} %{size_download}\n' \
		"http://127.0.0.1:$port/whole" >"$T/$out.curl" || fail "$out: curl failed"
	[ "$(cat "$T/$out.curl")" = "200 13" ] || { show "$T/$out.curl"; fail "$out: curl did not get the whole response"; }
	# not held: the record is made once the call is back (the client's
	# close read next)
	[ "$held" = held ] || wait_file_line "$T/$out.json" '"event":"request"' ||
		fail "$out: no record while the server runs"
	kill -KILL "$pid"
	# strace 6.1 does not always end once a held tracee is killed
	# ("pid ... has delayed wait data set already"): it is ended too
	kill -KILL "$tracer" 2>/dev/null || true
	wait "$tpid" || true
}

serve free control
jcheck "$T/control.json" --event request --count 1 \
	--each 'status == 200 and error is None and side == "server"'

serve held held
grep -q 'writev(' "$T/held.strace" || { show "$T/held.strace"; fail "strace saw no writev"; }
# Not one request reported cut while the client has its whole response; it
# is counted as not seen (the summary's dropped) instead.
"$PY" - "$T/held.json" <<'PYEOF' || { show "$T/held.json"; fail "the request whose response was written is not reported right"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
summ = [r for r in recs if r["event"] == "summary"][0]
assert not reqs or all(r["error"] is None and r["status"] == 200 for r in reqs), reqs
assert len(reqs) + summ["dropped"] == 1, (reqs, summ)
PYEOF
pass
