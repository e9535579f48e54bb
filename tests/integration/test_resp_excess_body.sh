#!/bin/bash
# test_resp_excess_body.sh - a server sends more body than its
# Content-Length says on a keep-alive connection (20 bytes for 5), and the
# client goes on with two more requests on it.  The server's own log is the
# oracle: every request it read has a record, in order, none vanishes.  The
# first keeps its record (200, 5 bytes: the response its length framed);
# the later two, whose responses cannot be told from the stray bytes, are
# reported with the error that says they were not followed (no status,
# never another's response); the summary counts all three, two with
# errors, in JSON and in text.  The client prints the same traced and not.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# The server: one line per request read (its path) in $T/server.log.
cat >"$T/srv.py" <<'PY'
import socket, sys
port = int(sys.argv[1]); log = open(sys.argv[2], 'a', buffering=1)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', port)); ls.listen(8)
while True:
    c, _ = ls.accept(); f = c.makefile('rb')
    while True:
        line = f.readline()
        if not line:
            break
        while f.readline() not in (b'\r\n', b'\n', b''):
            pass
        path = line.split()[1].decode(); log.write(path + '\n')
        if path.startswith('/clshort'):
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'
                      b'abcdefghijklmnopqrst')
        else:
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    c.close()
PY
# The client: the paths on one connection, each answer read whole (the
# 15 bytes past a /clshort answer's length too, as the client knows them).
cat >"$T/cli.py" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
f = s.makefile('rb')
for p in sys.argv[2:]:
    s.sendall(b'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' % p.encode())
    n = 0
    while True:
        line = f.readline()
        if line.lower().startswith(b'content-length:'):
            n = int(line.split(b':')[1])
        if line in (b'\r\n', b''):
            break
    body = f.read(n + (15 if p.startswith('/clshort') else 0))
    print(p, len(body), flush=True)
s.close()
PY

for _ in 1 2 3; do
	port=$(free_port 127.0.0.1)
	"$PY" "$T/srv.py" "$port" "$T/server.log" 2>>"$T/srv.err" &
	_PIDS+=("$!")
	wait_port 127.0.0.1 "$port" "$!" && break
	port=
done
[ -n "$port" ] || { show "$T/srv.err"; fail "the server did not start"; }

paths=(/clshort/a /ok/b /ok/c)
run_same ex json "$PY" "$T/cli.py" "$port" "${paths[@]}"
[ "$RUN_RC" = 0 ] || { show "$T/ex.err"; fail "the client exited $RUN_RC"; }
printf '/clshort/a 20\n/ok/b 2\n/ok/c 2\n' | cmp -s - "$T/ex.out" ||
	{ show "$T/ex.out"; fail "the client did not get its three answers"; }

# The traced run's requests are the server log's last three lines.
tail -n 3 "$T/server.log" >"$T/traced.log"
printf '%s\n' "${paths[@]}" | cmp -s - "$T/traced.log" ||
	{ show "$T/server.log"; fail "the server did not read the three requests"; }
desync='after a malformed response on the connection; not followed'
jcheck "$T/ex.json" --count 3 \
	--expect "url == ['http://x:$port$(sed -n 1p "$T/traced.log")', 'http://x:$port$(sed -n 2p "$T/traced.log")', 'http://x:$port$(sed -n 3p "$T/traced.log")']" \
	--expect "status == [200, None, None] and resp_bytes == [5, 0, 0]" \
	--expect "error == [None, '$desync', '$desync']" \
	--expect "req == [1, 2, 3] and len(set(conn)) == 1 and method == ['GET'] * 3"
jcheck "$T/ex.json" --event summary --count 1 \
	--each 'requests == 3 and errors == 2 and dropped == 0'

# The text format says the same.
"$HTTPTRACE" -f text -o "$T/ex.txt" -- "$PY" "$T/cli.py" "$port" "${paths[@]}" \
	>/dev/null 2>"$T/ex.txt.err" || { show "$T/ex.txt.err"; fail "the text run failed"; }
[ "$(grep -c "error: $desync" "$T/ex.txt")" = 2 ] ||
	{ show "$T/ex.txt"; fail "the text output lacks the two requests not followed"; }
grep -q "^GET http://x:$port/ok/c -> no response" "$T/ex.txt" ||
	{ show "$T/ex.txt"; fail "the text output lacks /ok/c"; }
grep -Eq 'requests: 3 .*errors: 2' "$T/ex.txt" ||
	{ show "$T/ex.txt"; fail "the text summary does not count three requests, two errors"; }
pass
