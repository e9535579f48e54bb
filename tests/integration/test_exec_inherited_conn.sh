#!/bin/bash
# test_exec_inherited_conn.sh - a traced Python client makes a request on a
# keep-alive connection to nginx, then execs itself keeping the socket
# (inheritable), and the new image makes two more requests on it.  The new
# image's library never saw that connection connected and does not follow
# it: the summary must say so (a note, "a connection left open across
# exec"), never the two requests lost with nothing said (on c1e117e:
# requests 1, errors 0, no note, nginx served 3).  A client whose socket
# is close-on-exec (Python's default) execing a program that makes its own
# requests gets no note.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

cat >"$T/execka.py" <<'PYEOF'
import os, socket, sys
port, mode = int(sys.argv[1]), sys.argv[2]

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

if len(sys.argv) > 3:  # the new image, with the connection's fd
    s = socket.socket(fileno=int(sys.argv[3]))
    request(s, "/f/100000?2")
    request(s, "/nonexistent?3")
    sys.exit(0)
if mode == "fresh":  # the new image connects itself
    if len(sys.argv) > 2 and os.environ.get("EXECKA_NEW"):
        s = socket.create_connection(("127.0.0.1", port))
        request(s, "/f/100000?2")
        request(s, "/nonexistent?3")
        sys.exit(0)
s = socket.create_connection(("127.0.0.1", port))
request(s, "/f/1000?1")
if mode == "keep":
    os.set_inheritable(s.fileno(), True)
    os.execv(sys.executable, [sys.executable, __file__, sys.argv[1], mode,
                              str(s.fileno())])
os.environ["EXECKA_NEW"] = "1"
os.execv(sys.executable, [sys.executable, __file__, sys.argv[1], mode])
PYEOF

for mode in keep fresh; do
	nginx_log_mark
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- "$PY" "$T/execka.py" "$NGINX_PORT" "$mode" \
		>"$T/$mode.out" 2>"$T/$mode.err" || { show "$T/$mode.err"; fail "traced client failed ($mode)"; }
	[ "$(cut -d' ' -f1 "$T/$mode.out" | tr '\n' ' ')" = "200 200 404 " ] ||
		{ show "$T/$mode.out"; fail "the clients' answers are not 200, 200, 404 ($mode)"; }
	log=$(nginx_log_since 3)
	# (keep: on one connection, the one the first image opened)
	"$PY" -c '
import sys
log, mode = eval(sys.argv[1]), sys.argv[2]
assert [l[2] for l in log] == [200, 200, 404], log
assert (len({l[0] for l in log}) == 1) == (mode == "keep"), log
' "$log" "$mode" || { show "$T/nginx/since.log"; fail "nginx did not serve the three requests as planned ($mode)"; }
done
# keep: the first request reported, the two after exec said not followed
jcheck "$T/keep.json" --count 1 \
	--expect "url == ['http://a:$NGINX_PORT/f/1000?1'] and status == [200]" \
	--each "error is None"
jcheck "$T/keep.json" --event summary --count 1 \
	--expect "requests == [1]" \
	--expect "any('left open across exec' in n['text'] for n in recs[0].get('not_traced', []))" ||
	{ show "$T/keep.json"; fail "requests on a connection inherited across exec lost with nothing said"; }
# fresh: the new image's own connection is followed, and no note
jcheck "$T/fresh.json" --count 3 \
	--expect "status == [200, 200, 404] and len(set(pid)) == 1" \
	--each "error is None"
jcheck "$T/fresh.json" --event summary --count 1 \
	--expect "requests == [3] and 'not_traced' not in recs[0]" ||
	{ show "$T/fresh.json"; fail "a note without a connection left open across exec"; }
pass
