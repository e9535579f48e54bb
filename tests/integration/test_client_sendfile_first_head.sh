#!/bin/bash
# test_client_sendfile_first_head.sh - (review of baf136e) a
# client whose FIRST request head goes by sendfile, then two GETs written
# on the same keep-alive connection: nginx serves three, the trace must
# record them or say they were not followed.  A regression of baf136e:
# on baf136e~1 the summary says "an HTTP/1.x response read on a connection
# where no request was seen written" and counts the two GETs as errors;
# on main (c1e117e) there is no record and no note (requests 0, errors 0):
# conn_on_write_unseen() makes the connection opaque on its first bytes.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
cat >"$T/client.py" <<'PYEOF'
import os, socket, sys
from h1resp import read_response
port, path = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def response():
    print(*read_response(f), flush=True)
with open(path, "rb") as fh:
    s.sendfile(fh)
response()
s.sendall(b"GET /f/1000?2 HTTP/1.1\r\nHost: a\r\n\r\n"); response()
s.sendall(b"GET /nonexistent?3 HTTP/1.1\r\nHost: a\r\n\r\n"); response()
PYEOF
printf 'GET /f/100000?1 HTTP/1.1\r\nHost: a\r\n\r\n' >"$T/head"
nginx_log_mark
PYTHONPATH=$TESTS_DIR "$HTTPTRACE" -f json -o "$T/o.json" -- "$PY" "$T/client.py" "$NGINX_PORT" "$T/head" \
	>"$T/o.out" 2>"$T/o.err" || { show "$T/o.err"; fail "traced client failed"; }
show "$T/o.out"
log=$(nginx_log_since 3)
echo "nginx: $log"
show "$T/o.json"
jcheck "$T/o.json" --event summary --count 1 \
	--expect 'any(r["requests"] > 0 or r["errors"] > 0 or r.get("not_traced") for r in recs)'
show "$T/o.json"; pass
