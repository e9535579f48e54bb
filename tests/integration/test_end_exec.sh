#!/bin/bash
# test_end_exec.sh - an image that writes a request and then replaces
# itself by exec while it waits for the answer: the process runs on (same
# pid), so its socket's end alone does not say the image ended; the
# execve hook marks the page and the request is reported, "exited" in
# phase wait_first_byte, not silently dropped.  Python's os.execve calls
# execve itself (glibc's other exec functions: test_end_exec_family.sh).
# The new image (sleep 1) outlives the collector's 100 ms wait for an end.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_rawserver

cat >"$T/client.py" <<PYEOF
import os, socket, time
s = socket.create_connection(("127.0.0.1", $RAW_PORT))
s.sendall(b"GET /stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
for _ in range(200):
    if b"stuck /stuck" in open("$T/rawserver.log", "rb").read():
        break
    time.sleep(0.05)
os.execve("/bin/sleep", ["sleep", "1"], dict(os.environ))
PYEOF
"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" "$T/client.py" 2>"$T/err" ||
	{ show "$T/err"; fail "httptrace exited $?"; }
grep -q '^stuck /stuck' "$T/rawserver.log" || fail "the server never had the request"
jcheck "$T/out.json" --count 1 \
	--each 'method == "GET" and url.endswith("/stuck")' \
	--each 'error == "exited" and phase == "wait_first_byte" and status is None'
pass
