#!/bin/bash
# test_server_epoll_idle_sends.sh - an epoll server's records wait in the
# pending message across its loop's iterations (hook_poll.c), but never
# past the moment the loop goes idle: a Python selectors server that has
# answered and waits in epoll_wait with no timeout (-1) still gets its
# records to the collector while it waits, and its wait never comes back
# empty (the library's own shortened wait is not seen: the program would
# log "timeout").  The client keeps its connection open meanwhile (a close
# would send the records with its own).  The same server waiting with a
# timeout of its own sees its waits end empty, as untraced, and its
# records arrive too.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

cat >"$T/loop.py" <<'PYEOF'
import selectors, socket, sys
port, log = int(sys.argv[1]), sys.argv[2]
timeout = None if sys.argv[3] == "none" else float(sys.argv[3])
sel = selectors.EpollSelector()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(8)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
bufs = {}
out = open(log, "a", buffering=1)
while True:
    ready = sel.select(timeout)
    if not ready:
        out.write("timeout\n")
        continue
    for key, _ in ready:
        if key.fileobj is ls:
            c, _ = ls.accept()
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ)
            bufs[c] = b""
            continue
        c = key.fileobj
        d = c.recv(65536)
        if not d:
            sel.unregister(c)
            c.close()
            continue
        bufs[c] += d
        while b"\r\n\r\n" in bufs[c]:
            head, bufs[c] = bufs[c].split(b"\r\n\r\n", 1)
            path = head.split(b" ")[1]
            body = b"ok " + path
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                      % len(body) + body)
            out.write("served %s\n" % path.decode())
PYEOF

# The client: URLs on one connection, each answer logged, then the
# connection held open until $T/release exists (at most 30 s).
cat >"$T/client.py" <<'PYEOF'
import os, socket, sys, time
port, log, release = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
out = open(log, "a", buffering=1)
for url in sys.argv[4:]:
    s.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
              % (url.encode(), port))
    got = b""
    while not got.endswith(b"ok " + url.encode()):
        d = s.recv(4096)
        if not d:
            sys.exit("closed")
        got += d
    out.write("answered %s\n" % url)
for _ in range(600):
    if os.path.exists(release):
        break
    time.sleep(0.05)
s.close()
PYEOF

start_listen_env -f json -o "$T/out.json"
lpid=$LPID

# run_loop NAME TIMEOUT URLS...: start the loop server (epoll timeout
# TIMEOUT seconds, or none), fetch URLS on one connection, wait for its
# records while it still runs; leaves its pid in SPID
run_loop() {
	local name=$1 timeout=$2 port url
	shift 2
	port=$(free_port)
	start_env_server "$name" "$port" "$PY" "$T/loop.py" "$port" "$T/$name.log" "$timeout"
	SPID=$ENV_PID
	rm -f "$T/release"
	"$PY" "$T/client.py" "$port" "$T/$name.client" "$T/release" "$@" &
	CPID=$!
	_PIDS+=("$CPID")
	for url in "$@"; do
		wait_file_line "$T/$name.client" "^answered $url\$" ||
			{ show "$T/$name.client"; fail "$name: no answer to $url"; }
		grep -q "^served $url\$" "$T/$name.log" || fail "$name: the server did not log $url"
	done
	# The loop answered the last one and waits again: its records come
	# while it waits (at most 10 s looked for), before anything else
	# happens to it.
	for url in "$@"; do
		wait_file_line "$T/out.json" "\"side\":\"server\".*\"url\":\"http://127.0.0.1:$port$url\"" ||
			{ show "$T/out.json"; fail "$name: the record of $url did not come while the server waited"; }
	done
	kill -0 "$SPID" 2>/dev/null || { show "$T/$name.out"; fail "$name: the server is gone"; }
	kill -0 "$CPID" 2>/dev/null || fail "$name: the client closed its connection too soon"
	touch "$T/release"
	wait "$CPID" || fail "$name: the client failed"
	SPORT=$port
}

run_loop forever none /a1 /a2 /a3
grep -q timeout "$T/forever.log" &&
	{ show "$T/forever.log"; fail "a wait without timeout came back empty to the program"; }
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true
fport=$SPORT

run_loop timed 0.3 /b1
# its own timeout ends its waits empty, as untraced (at most 10 s looked for)
wait_file_line "$T/timed.log" "^timeout$" ||
	{ show "$T/timed.log"; fail "the server's own timeout never ended a wait"; }
grep -v '^served \|^timeout$' "$T/timed.log" && fail "the timed server logged something else"
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true
tport=$SPORT

kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
"$PY" - "$T/out.json" "$fport" "$tport" <<'PYEOF' || { show "$T/out.json"; fail "the records do not match the requests"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
srv = sorted(r["url"] for r in recs if r["event"] == "request" and r.get("side") == "server")
want = sorted(["http://127.0.0.1:%s/a%d" % (sys.argv[2], i) for i in (1, 2, 3)] +
              ["http://127.0.0.1:%s/b1" % sys.argv[3]])
assert srv == want, (srv, want)
ok = [r for r in recs if r["event"] == "request" and r.get("side") == "server" and r["status"] == 200]
assert len(ok) == 4, ok
PYEOF
pass
