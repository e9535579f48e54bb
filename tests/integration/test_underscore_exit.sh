#!/bin/bash
# test_underscore_exit.sh - a traced process that ends with _exit (Python's
# os._exit, what multiprocessing's children and many forked workers call)
# skips the destructors, so before the _exit hook:
# a `listen` collector
#  - did not get a request an event loop had answered just before
#    os._exit: its record waited in the pending message (sent 5 ms after
#    its first record, at a later call): "requests 0, dropped 1";
#  - reported a request in flight in another thread at os._exit "ended"
#    (no goodbye: not known how the process ended) instead of "exited",
#    the way exit() reports it.
# The server's log is the oracle for the status; the client waits for the
# server's log line (bounded poll), never for a time.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.1 --log "$T/srv.log"
sock=$T/ht.sock

# client.py PORT MODE: MODE "done": GET /bytes/10 in an epoll loop, read
# it, os._exit(0).
# MODE "inflight": a thread GETs /delay/5000; the main thread waits until
# the server logged nothing yet but the request was written (the thread's
# send returned: a flag), then os._exit(3).
cat >"$T/client.py" <<'PYEOF'
import http.client, os, sys, threading, time
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "done":
    # an event loop's way: non-blocking, each read after epoll says so
    import selectors, socket
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sel = selectors.EpollSelector()
    sel.register(s, selectors.EVENT_READ)
    s.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = b""
    while not (b"\r\n\r\n" in got and len(got.split(b"\r\n\r\n", 1)[1]) >= 10):
        sel.select(10)
        got += s.recv(65536)
    os._exit(0)
sent = threading.Event()
def worker():
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/delay/5000")
    sent.set()
    c.getresponse().read()
threading.Thread(target=worker, daemon=True).start()
sent.wait(30)
time.sleep(0.2)  # the request written and the wait begun (no assertion on it)
os._exit(3)
PYEOF

# A `listen` collector (run mode reads a process's last records back
# itself; a standing collector has only what the process sends).
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { show "$T/listen.err"; fail "listen did not create $sock"; }

# 1. the answered request is reported, nothing dropped.
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$T/client.py" "$SERVER_PORT" done 2>"$T/done.err" ||
	{ show "$T/done.err"; fail "the traced client failed"; }
grep -q ' /bytes/10 200 ' "$T/srv.log" || { show "$T/srv.log"; fail "the server never answered /bytes/10"; }

# 2. the request in flight at os._exit.
rc=0
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$T/client.py" "$SERVER_PORT" inflight 2>"$T/client.err" || rc=$?
[ "$rc" = 3 ] || { show "$T/client.err"; fail "the client exited $rc, not 3 (os._exit)"; }
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
"$PY" - "$T/listen.json" <<'PYEOF' || { show "$T/listen.json"; fail "a request answered before os._exit, or in flight at it, is not reported right"; }
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
s = [r for r in o if r["event"] == "summary"][0]
got = [r for r in o if r["event"] == "request" and r["url"].endswith("/bytes/10")]
print("# answered: %d records for /bytes/10, summary requests %d dropped %d"
      % (len(got), s["requests"], s["dropped"]), file=sys.stderr)
assert len(got) == 1 and got[0]["status"] == 200 and not got[0].get("error"), got
assert s["dropped"] == 0, s
got = [r for r in o if r["event"] == "request" and r["url"].endswith("/delay/5000")]
print("# in flight: %s" % [(r.get("error"), r.get("phase")) for r in got], file=sys.stderr)
assert len(got) == 1, got
assert got[0].get("error") == "exited", got[0]
PYEOF
pass
