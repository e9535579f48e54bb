#!/bin/bash
# test_tls_cut_not_failure.sh - two TLS handshakes the program did not see fail, each
# hanging on holdserver.py, must not be reported "TLS handshake failed":
# (1) Python Ctrl-C'd in wrap_socket (its read returned EINTR, the
# KeyboardInterrupt unwinding closes the socket, it dies of SIGINT): cut
# by the signal, as a request would be ("interrupted"), as Node's SIGINT
# or a SIGTERM are ("interrupted/killed in the TLS handshake");
# (2) a daemon thread's handshake still under way when the process exits
# 0: the exit ended it (close_at_exit()), the program never closed it.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_holdserver

"$HTTPTRACE" -f json -o "$T/int.json" -- "$PY" -c '
import os, signal, socket, ssl, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write(str(os.getpid()))
with s:
    ctx.wrap_socket(s)' "$HOLD_PORT" "$T/py.pid" 2>/dev/null &
tracer=$!
_PIDS+=("$tracer")
wait_file_line "$T/py.pid" . || fail "the client never connected"
sleep 0.5 # in its handshake (holdserver never answers)
kill -INT "$(cat "$T/py.pid")"
wait "$tracer" || true
jcheck "$T/int.json" --event all \
	--expect "not any(l.get('error') == 'TLS handshake failed: connection closed during the TLS handshake' for l in lines)" ||
	fail "Ctrl-C in the handshake reported as a failed handshake"

"$HTTPTRACE" -f json -o "$T/exit.json" -- "$PY" -c '
import socket, ssl, sys, threading, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def bg():
    ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
threading.Thread(target=bg, daemon=True).start()
time.sleep(0.5)' "$HOLD_PORT" || fail "the exit case failed"
jcheck "$T/exit.json" --event all \
	--expect "not any(l.get('error') == 'TLS handshake failed: connection closed during the TLS handshake' for l in lines)" ||
	fail "a handshake the exit ended reported as closed by the program and failed"
pass
