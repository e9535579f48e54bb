#!/bin/bash
# test_short_send_no_signal.sh - a blocking client's
# send(2) comes back short with no signal at all (SO_SNDTIMEO, or
# MSG_DONTWAIT on a blocking socket), the client gives up and closes.
# Its request must be reported at once (the close), "connection closed
# before the response completed", never held back until the process
# ends, and never "interrupted (SIGINT)" because the process later
# exits with status 130 for reasons of its own.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog short_send
port=$(free_port 127.0.0.1)
"$PY" - "$port" "$T/srv.log" <<'EOF_PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(4096)
        if not d:
            break
        buf += d
    held.append(c)
    with open(sys.argv[2], "a") as f:
        f.write("got head\n")
EOF_PY
_PIDS+=($!)
wait_port 127.0.0.1 "$port" $! || fail "server did not start"

for mode in sndtimeo dontwait; do
	"$HTTPTRACE" -f json -o "$T/$mode.json" -- \
		"$T/short_send" "$port" "$mode" 4 130 >"$T/$mode.out" &
	tracer=$!
	_PIDS+=("$tracer")
	wait_file_line "$T/$mode.out" '^closed' || fail "$mode: the client never closed"
	sleep 1.5 # the process runs on for 2.5 s more
	cp "$T/$mode.json" "$T/$mode.mid" 2>/dev/null || :
	held=
	grep -q '"event": *"request"' "$T/$mode.mid" 2>/dev/null || held=1
	wait "$tracer" || true
	jcheck "$T/$mode.json" --count 1 \
		--each "method == 'POST' and error == 'connection closed before the response completed'" ||
		fail "$mode: a short write with no signal reported as interrupted"
	[ -z "$held" ] ||
		fail "$mode: the request closed 1.5 s before was held back while the process ran on"
done
pass
