#!/bin/bash
# test_events_stream_tls_idle.sh - a TLS connection whose handshake is over
# but whose first request has not begun (a Python client that handshakes
# with nginx, ALPN http/1.1, then waits for the test) streams its
# tls_handshake_done as it happens, from the live page's connection slot,
# with the session's version and alpn ("req" null); once the request is
# made, its events follow and none of the connection's is written again.
# The stream and the replay of its capture agree on every event's "req":
# the connection's events null on both (before: the replay, from the
# request's record, said 1; this client always stops in that window).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
mkdir -p "$T/gate"

cat >"$T/client.py" <<PYEOF
import os, socket, ssl, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["http/1.1"])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", $NGINX_TLS_PORT)),
                    server_hostname="localhost")
open("$T/client.log", "w").write("%s %s\n" % (s.version(), s.selected_alpn_protocol()))
while not os.path.exists("$T/gate/go"):
    time.sleep(0.02)
s.sendall(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
while s.recv(65536):
    pass
PYEOF
"$HTTPTRACE" -f events -o "$T/events.json" -w "$T/cap" -- "$PY" "$T/client.py" &
tracer=$!
_PIDS+=("$tracer")
seen=
wait_file_line "$T/events.json" '"tls_handshake_done"' && seen=1
cp "$T/events.json" "$T/before.json"
touch "$T/gate/go"
wait "$tracer" || fail "httptrace -- python exited $?"
[ -n "$seen" ] || { show "$T/before.json"; fail "no tls_handshake_done before the request"; }
read -r ver alpn <"$T/client.log"
[ "$alpn" = http/1.1 ] && [ -n "$ver" ] || { show "$T/client.log"; fail "the client's handshake is not what the test expects"; }

# (Python's getaddrinfo of the address is a lookup of its own, conn 0.)
jcheck "$T/before.json" --event all \
	--expect '[e for e, c in zip(event, conn) if c == 1] == ["connect_start", "connect_done", "tls_handshake_start", "tls_handshake_done"]' \
	--each 'req is None'
jcheck "$T/before.json" --event tls_handshake_done --count 1 \
	--each "version == '$ver' and alpn == 'http/1.1'"
jcheck "$T/events.json" --event all \
	--expect '[e for e, c in zip(event, conn) if c == 1][:5] == ["connect_start", "connect_done", "tls_handshake_start", "tls_handshake_done", "got_conn"]' \
	--expect 'event.count("tls_handshake_done") == 1 and event.count("connect_start") == 1' \
	--expect '"wrote_headers" in event and "response_done" in event'
jcheck "$T/events.json" --event response_done --count 1 --each 'status == 200'
"$HTTPTRACE" read -f events "$T/cap" >"$T/replay.json" || fail "read failed"
"$PY" - "$T/events.json" "$T/replay.json" <<'PYEOF' || { show "$T/events.json" "$T/replay.json"; fail "the stream and the replay disagree"; }
import json, sys
key = lambda l: (l["event"], l.get("pid"), l.get("conn"), l.get("req"), l.get("ts"))
live, replay = ([key(json.loads(l)) for l in open(p)] for p in sys.argv[1:3])
assert sorted(live, key=repr) == sorted(replay, key=repr), (live, replay)
PYEOF
pass
