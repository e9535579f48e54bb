#!/bin/bash
# test_scm_rights_note.sh - a traced process connects to nginx, makes a
# request, passes the connection to a traced child over a Unix socket
# (SCM_RIGHTS) and closes its copy; the child makes two more requests on
# it.  The child did not connect it, and its requests are not followed:
# the summary says so (a note, "not traced: a TCP connection received
# from another process"), never the two requests lost with nothing said
# (on 3b2b3db: requests 1, errors 0, no note, nginx served 3).  A Unix
# socket passed the same way (a socketpair's end; the parent goes on with
# its connection) says nothing: only TCP connections are said.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

cat >"$T/pass.py" <<'PYEOF'
import array, os, socket, subprocess, sys
port = int(sys.argv[1])

def request(s, path):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % path.encode())
    f = s.makefile("rb")
    status, size = f.readline().split()[1].decode(), 0
    while True:
        h = f.readline()
        if h == b"\r\n":
            break
        if h.lower().startswith(b"content-length"):
            size = int(h.split(b":")[1])
    print(status, len(f.read(size)), flush=True)
    f.close()

def take(u):
    fds = array.array("i")
    _, anc, _, _ = u.recvmsg(1, socket.CMSG_LEN(4))
    fds.frombytes(anc[0][2][:4])
    return fds[0]

mode = sys.argv[2]
if mode != "child":
    a, b = socket.socketpair()
    c, d = socket.socketpair()
    s = socket.create_connection(("127.0.0.1", port))
    request(s, "/f/1000?1")
    child = subprocess.Popen([sys.executable, __file__, sys.argv[1], "child",
                              str(b.fileno()), mode], pass_fds=[b.fileno()])
    # a Unix socket (never said), then (tcp) the TCP connection
    a.sendmsg([b"u"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [d.fileno()]))])
    if mode == "tcp":
        a.sendmsg([b"t"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [s.fileno()]))])
        s.close()
    st = child.wait()
    if mode == "unix":
        request(s, "/f/100000?2")
        request(s, "/nonexistent?3")
    sys.exit(st)
else:
    u = socket.socket(fileno=int(sys.argv[3]))
    unix = socket.socket(fileno=take(u))
    if sys.argv[4] == "tcp":
        s = socket.socket(fileno=take(u))
        request(s, "/f/100000?2")
        request(s, "/nonexistent?3")
PYEOF

for mode in tcp unix; do
	nginx_log_mark
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$PY" "$T/pass.py" "$NGINX_PORT" "$mode" \
		>"$T/$mode.out" 2>"$T/$mode.err" || { show "$T/$mode.err"; fail "traced client failed ($mode)"; }
	[ "$(cut -d' ' -f1 "$T/$mode.out" | tr '\n' ' ')" = "200 200 404 " ] ||
		{ show "$T/$mode.out"; fail "the clients' answers are not 200, 200, 404 ($mode)"; }
	log=$(nginx_log_since 3)
	"$PY" -c '
import sys
log = eval(sys.argv[1])
assert [l[2] for l in log] == [200, 200, 404] and len({l[0] for l in log}) == 1, log
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not serve the three requests on one connection ($mode)"; }
done
jcheck "$T/tcp.json" --count 1 \
	--expect "url == ['http://a:$NGINX_PORT/f/1000?1']" \
	--each 'status == 200 and resp_bytes == 1000 and error is None'
jcheck "$T/tcp.json" --event summary --count 1 \
	--each 'requests == 1 and errors == 0' \
	--each 'len(not_traced) == 1 and "SCM_RIGHTS" in not_traced[0]["text"] and not_traced[0]["processes"] == 1'
# a Unix socket passed: nothing said, the parent's three requests recorded
jcheck "$T/unix.json" --count 3 --each 'error is None' \
	--expect 'status == [200, 200, 404] and resp_bytes == [1000, 100000, 153]'
jcheck "$T/unix.json" --event summary --count 1 \
	--expect 'not any(r.get("not_traced") for r in recs)'
pass
