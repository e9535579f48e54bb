#!/bin/bash
# test_client_sendfile_splice.sh - a client that sends request bytes with
# sendfile (Python's socket.sendfile; nginx passing a buffered request
# body to its upstream does the same) on a keep-alive connection to
# nginx.  Uploads: a POST whose 1 MB body goes by sendfile, then two GETs
# on the same connection: three records, as nginx logged them (status,
# bytes), the POST's req_bytes the file's size (was: 37, the next
# request's head taken for body, and the two GETs lost with "errors: 0").
# Whole request: a GET written, a second GET sent by sendfile from a file
# (its head unseen), a third written: the first recorded, the rest said
# not followed in the summary (was: nothing said, one request lost).
# Splice: a client that moves response bodies from the socket into a pipe
# (os.splice) after reading their heads: each record has its status and
# body bytes (was: every request of the connection a false error, the
# first one's resp_bytes the bytes recv saw); a whole answer spliced is
# counted as not followed, with the ones after it, never an error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx

cat >"$T/client.py" <<'PYEOF'
import os, socket, sys
from h1resp import read_response
port, mode, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")

def response():
    print(*read_response(f), flush=True)

def sendfile():
    with open(path, "rb") as fh:
        assert s.sendfile(fh) == os.path.getsize(path)  # os.sendfile

if mode == "body":
    s.sendall(b"POST /index.html?1 HTTP/1.1\r\nHost: a\r\n"
              b"Content-Length: %d\r\n\r\n" % os.path.getsize(path))
    sendfile()
else:
    s.sendall(b"GET /f/1000?1 HTTP/1.1\r\nHost: a\r\n\r\n")
response()
if mode == "body":
    s.sendall(b"GET /f/100000?2 HTTP/1.1\r\nHost: a\r\n\r\n")
else:
    sendfile()
response()
s.sendall(b"GET /nonexistent?3 HTTP/1.1\r\nHost: a\r\n\r\n")
response()
PYEOF
"$PY" -c 'import sys; sys.stdout.buffer.write(b"z" * 1000000)' >"$T/body"
printf 'GET /f/100000?2 HTTP/1.1\r\nHost: a\r\n\r\n' >"$T/head"

# --- the body by sendfile ---------------------------------------------------
nginx_log_mark
PYTHONPATH=$TESTS_DIR "$HTTPTRACE" -f json -o "$T/body.json" -- "$PY" "$T/client.py" "$NGINX_PORT" body "$T/body" \
	>"$T/body.out" 2>"$T/body.err" || { show "$T/body.err"; fail "traced client failed"; }
log=$(nginx_log_since 3)
[ "$(cut -d' ' -f1 "$T/body.out" | tr '\n' ' ')" = "405 200 404 " ] ||
	{ show "$T/body.out"; fail "the client's answers are not 405, 200, 404"; }
"$PY" -c '
import sys
log = eval(sys.argv[1])
assert [l[2] for l in log] == [405, 200, 404], log
assert len({l[0] for l in log}) == 1 and [l[1] for l in log] == [1, 2, 3], log
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not serve the three requests on one connection"; }
read -r s1 s2 s3 <<<"$("$PY" -c '
import sys
print(*[l[3] for l in eval(sys.argv[1])])' "$log")"
jcheck "$T/body.json" --count 3 \
	--expect 'method == ["POST", "GET", "GET"]' \
	--expect "url == ['http://a:$NGINX_PORT/index.html?1', 'http://a:$NGINX_PORT/f/100000?2', 'http://a:$NGINX_PORT/nonexistent?3']" \
	--expect 'status == [405, 200, 404]' \
	--expect "resp_bytes == [$s1, $s2, $s3]" \
	--expect 'req_bytes == [1000000, 0, 0]' \
	--expect 'req == [1, 2, 3] and len(set(conn)) == 1' \
	--each 'error is None'
jcheck "$T/body.json" --event summary --count 1 \
	--each 'requests == 3 and errors == 0' --expect 'not any(r.get("not_traced") for r in recs)'

# --- a whole request by sendfile ---------------------------------------------
nginx_log_mark
PYTHONPATH=$TESTS_DIR "$HTTPTRACE" -f json -o "$T/head.json" -- "$PY" "$T/client.py" "$NGINX_PORT" head "$T/head" \
	>"$T/head.out" 2>"$T/head.err" || { show "$T/head.err"; fail "traced client failed"; }
log=$(nginx_log_since 3)
"$PY" -c '
import sys
log = eval(sys.argv[1])
assert [l[2] for l in log] == [200, 200, 404] and len({l[0] for l in log}) == 1, log
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not serve the three requests on one connection"; }
jcheck "$T/head.json" --count 1 \
	--expect "url == ['http://a:$NGINX_PORT/f/1000?1']" \
	--each 'status == 200 and resp_bytes == 1000 and error is None'
# the two requests after it are not silently lost: the summary says the
# connection was not followed
jcheck "$T/head.json" --event summary --count 1 \
	--each 'any("sendfile" in n["text"] for n in not_traced)'

# --- response bytes moved by splice ----------------------------------------
cat >"$T/splice.py" <<'PYEOF'
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
r, w = os.pipe()
def req(path, whole=False):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % path.encode())
    if whole:  # the whole answer (308 bytes) through the pipe
        os.read(r, os.splice(s.fileno(), w, 308))
        return
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    size = int([l.split(b":")[1] for l in head.split(b"\r\n")
                if l.lower().startswith(b"content-length")][0])
    while size:
        n = os.splice(s.fileno(), w, min(size, 65536))
        os.read(r, n)
        size -= n
req("/f/100000?1"); req("/nonexistent?2"); req("/f/1000?3")
req("/nonexistent?4", True); req("/nonexistent?5")
PYEOF
nginx_log_mark
"$HTTPTRACE" -f json -o "$T/splice.json" -- "$PY" "$T/splice.py" "$NGINX_PORT" \
	>"$T/splice.out" 2>"$T/splice.err" || { show "$T/splice.err"; fail "traced client failed"; }
log=$(nginx_log_since 5)
"$PY" -c '
import sys
log = eval(sys.argv[1])
assert [l[2] for l in log] == [200, 404, 200, 404, 404] and len({l[0] for l in log}) == 1, log
assert log[3][3] == 153 and [l[3] for l in log[:3]] == [100000, 153, 1000], log
' "$log" || { show "$T/nginx/since.log"; fail "nginx did not serve the five requests on one connection as expected"; }
jcheck "$T/splice.json" --count 5 \
	--expect 'req == [1, 2, 3, 4, 5] and len(set(conn)) == 1' \
	--expect 'status[:3] == [200, 404, 200] and resp_bytes[:3] == [100000, 153, 1000]' \
	--expect 'error[:3] == [None, None, None]' \
	--expect 'all(e is not None and "not followed" in e for e in error[3:])'
jcheck "$T/splice.json" --event summary --count 1 \
	--each 'requests == 5 and errors == 0 and not_followed == 2'
pass
