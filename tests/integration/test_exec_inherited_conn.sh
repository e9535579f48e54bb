#!/bin/bash
# test_exec_inherited_conn.sh - a traced client makes a request on a
# keep-alive connection to nginx, then execs itself keeping the socket
# (not close-on-exec); the new image makes two more requests on it.  The
# new image's library never saw that connection connected: on its first
# use there (its first bytes a request line, nothing unread) the new image
# follows it, as a connection reused, from that request on.  On 1f89c2b:
# requests 1, errors 0, no note, nginx served 3.
#   - posix_spawn with the socket dup2'ed onto the child's stdin (or a
#     vfork child's own dup2 before its exec), the child writing its
#     requests on fd 0: followed the same way;
#   - a connection picked up in the middle of a response (the old image
#     sent a request and exec'd before reading its answer): never paired
#     with a request of the new image's; a note says its requests are not
#     followed;
#   - a parent keeping the socket while forked children exec /bin/true five
#     times (never touching it): no note, no extra request, no process
#     with requests but the parent.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
build_prog exec_keep

cat >"$T/slowka.py" <<'PYEOF'
# a keep-alive server answering each request 20 ms after it came (the
# answer a clock tick after its request, for the kernel's times too); one
# line per request in its log: "CONNECTION TARGET"
import socket, sys, threading, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(8)
log = open(sys.argv[2], "a", buffering=1)
def serve(c, n):
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        target = head.split(b" ")[1].decode()
        log.write("%d %s\n" % (n, target))
        time.sleep(0.02)
        if target.startswith("/f/"):
            body = b"x" * int(target[3:].split("?")[0])
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        else:
            c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 153\r\n\r\n" + b"n" * 153)
n = 0
while True:
    c, _ = srv.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
PYEOF
SLOW_PORT=$(free_port)
"$PY" "$T/slowka.py" "$SLOW_PORT" "$T/slow.log" >"$T/slowka.err" 2>&1 &
_PIDS+=("$!")
wait_port 127.0.0.1 "$SLOW_PORT" "$!" || { show "$T/slowka.err"; fail "slowka.py did not listen"; }

# run_mode SERVER MODE N: exec_keep MODE against nginx or slowka; the
# server must have served N requests on one connection.
run_mode() {
	local server=$1 mode=$2 n=$3 port out=$T/$1-$2
	if [ "$server" = nginx ]; then
		port=$NGINX_PORT
		nginx_log_mark
	else
		port=$SLOW_PORT
		: >"$T/slow.log"
	fi
	"$HTTPTRACE" -f json -o "$out.json" -- "$T/exec_keep" "$port" "$mode" \
		>"$out.out" 2>"$out.err" || { show "$out.err"; fail "traced client failed ($server $mode)"; }
	[ "$(cut -d' ' -f1 "$out.out" | tr '\n' ' ')" = "200 200 404 " ] ||
		{ show "$out.out"; fail "the answers are not 200, 200, 404 ($server $mode)"; }
	if [ "$server" = nginx ]; then
		log=$(nginx_log_since "$n")
		"$PY" -c '
import sys
log, n = eval(sys.argv[1]), int(sys.argv[2])
assert len(log) == n and len({l[0] for l in log}) == 1, log
' "$log" "$n" || { show "$T/nginx/since.log"; fail "nginx did not serve $n requests on one connection ($mode)"; }
	else
		[ "$(cut -d' ' -f1 "$T/slow.log" | sort -u | wc -l) $(wc -l <"$T/slow.log")" = "1 $n" ] ||
			{ show "$T/slow.log"; fail "slowka did not serve $n requests on one connection ($mode)"; }
	fi
}

# followed SERVER MODE NPIDS: the three requests recorded, the two after
# the exec (or spawn) on the connection reused, and no note.
followed() {
	local out=$T/$1-$2
	jcheck "$out.json" --count 3 \
		--expect "[u.split('/', 3)[3] for u in url] == ['f/1000?1', 'f/100000?2', 'nonexistent?3']" \
		--expect "status == [200, 200, 404] and resp_bytes == [1000, 100000, 153]" \
		--expect "reused == [False, True, True] and len(set(pid)) == $3 and len(set(peer)) == 1" \
		--each "error is None" ||
		{ show "$out.json"; fail "the requests on a connection inherited across exec not followed ($1 $2)"; }
	jcheck "$out.json" --event summary --count 1 \
		--expect "requests == [3] and errors == [0] and 'not_traced' not in recs[0]"
}

# said SERVER MODE: the first request recorded, the others said not
# followed (a note), never lost with nothing said.
said() {
	local out=$T/$1-$2
	jcheck "$out.json" --count 1 --expect "status == [200] and resp_bytes == [1000]" \
		--each "error is None and url.endswith('/f/1000?1')"
	jcheck "$out.json" --event summary --count 1 \
		--expect "any('did not open' in n['text'] for n in recs[0].get('not_traced', []))" ||
		{ show "$out.json"; fail "requests on a connection inherited across exec lost with nothing said ($1 $2)"; }
}

# The answer a tick after its request: at the new image's first write the
# kernel's times say no older exchange is under way: followed.
run_mode slow keep 3
followed slow keep 1
run_mode slow spawn 3
followed slow spawn 2
run_mode slow vfork 3
followed slow vfork 2

# nginx answers within the request's clock tick: followed, or (unsure
# whether an answer is still under way) said; never lost with nothing said
for mode in keep spawn; do
	run_mode nginx "$mode" 3
	if "$PY" "$JCHECK" "$T/nginx-$mode.json" --count 3 >/dev/null 2>&1; then
		followed nginx "$mode" "$([ "$mode" = keep ] && echo 1 || echo 2)"
	else
		said nginx "$mode"
	fi
done

# pending: the old image's request ?2 is in flight at its exec (reported
# so, by the old image), the new image reads its answer first: not
# followed, said; ?3 never paired with ?2's answer
run_mode slow pending 3
jcheck "$T/slow-pending.json" \
	--expect "not any('nonexistent?3' in u for u in url)" \
	--expect "not any(s == 200 and b == 100000 and '?2' not in u for s, b, u in zip(status, resp_bytes, url))" ||
	{ show "$T/slow-pending.json"; fail "a connection picked up mid-response paired wrongly"; }
jcheck "$T/slow-pending.json" --event summary --count 1 \
	--expect "any('did not open' in n['text'] for n in recs[0].get('not_traced', []))" ||
	{ show "$T/slow-pending.json"; fail "a connection picked up mid-response not said"; }

run_mode nginx helpers 3
jcheck "$T/nginx-helpers.json" --count 3 \
	--expect "status == [200, 200, 404] and len(set(pid)) == 1" \
	--each "error is None"
jcheck "$T/nginx-helpers.json" --event summary --count 1 \
	--expect "requests == [3] and errors == [0] and 'not_traced' not in recs[0]" \
	--expect "processes == [1]" ||
	{ show "$T/nginx-helpers.json"; fail "a note (or a request) for helpers that never touched the socket"; }
# No note for what is no inherited TCP connection, though its bytes look
# like HTTP: a pipe on stdout, a UDP socket, Unix stream and datagram
# socketpairs, a listening socket (accepted from), all inherited across
# an exec; nor a socket the new image connects itself.
cat >"$T/quiet.py" <<'PYEOF'
import os, socket, sys
REQ = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
if len(sys.argv) == 2:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.connect(u.getsockname())          # to itself
    s1, s2 = socket.socketpair()
    d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(1)
    fds = [u.fileno(), s1.fileno(), s2.fileno(), d1.fileno(), d2.fileno(), l.fileno()]
    for fd in fds:
        os.set_inheritable(fd, True)
    os.execv(sys.executable, [sys.executable, __file__, sys.argv[1]] + [str(f) for f in fds])
u, s1, s2, d1, d2, l = [int(a) for a in sys.argv[2:]]
os.write(1, REQ + b"HTTP/1.1 200 OK\r\n\r\n")   # stdout: a pipe
os.write(u, REQ); os.read(u, 100)
os.write(s1, REQ); os.read(s2, 100)
os.write(s2, b"HTTP/1.1 200 OK\r\n\r\n"); os.read(s1, 100)
os.write(d1, REQ); os.read(d2, 100)
ls = socket.socket(fileno=l)
c = socket.create_connection(ls.getsockname())
a, _ = ls.accept()
c.close(); a.close()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /f/1000?q HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
while s.recv(65536):
    pass
PYEOF
"$HTTPTRACE" -f json -o "$T/quiet.json" -- sh -c '"$0" "$1" "$2" | cat >"$3"' \
	"$PY" "$T/quiet.py" "$NGINX_PORT" "$T/quiet.out" 2>"$T/quiet.err" ||
	{ show "$T/quiet.err"; fail "quiet.py failed"; }
grep -q "HTTP/1.1 200 OK" "$T/quiet.out" || { show "$T/quiet.out"; fail "quiet.py wrote nothing"; }
jcheck "$T/quiet.json" --count 1 --expect "status == [200] and resp_bytes == [1000]"
jcheck "$T/quiet.json" --event summary --count 1 \
	--expect "'not_traced' not in recs[0]" ||
	{ show "$T/quiet.json"; fail "a note for no inherited TCP connection"; }
pass
