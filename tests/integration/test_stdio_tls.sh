#!/bin/bash
# test_stdio_tls.sh - (review of f2aa1b8) a Python TLS
# client (OpenSSL, its plaintext seen by the TLS hooks) makes a request,
# then opens a FILE on the socket's fd (libc's fdopen through ctypes: the
# preloaded hook), never uses it, and makes a second request.  stdio on a
# hooked TLS session's fd could only move ciphertext, and none moved: both
# requests are seen whole.  After f2aa1b8 the second is reported "not
# followed" and counted as an error (the fdopen gave up a c->tls
# connection).  Before: two 200s.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_tls_server
cat >"$T/tlsc.py" <<'PYEOF'
import ctypes, socket, ssl, sys
libc = ctypes.CDLL(None)
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="localhost")
def get():
    s.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: localhost\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf or len(buf.partition(b"\r\n\r\n")[2]) < 10:
        buf += s.recv(4096)
    print(buf.split(b"\r\n")[0].decode())
get()
print("FILE", libc.fdopen(s.fileno(), b"r") is not None)
get()
PYEOF
run_same tls json "$PY" "$T/tlsc.py" "$SERVER_PORT" "$T/cert.pem"
[ "$RUN_RC" = 0 ] || { show "$T/tls.err"; fail "the client exited $RUN_RC"; }
[ "$(grep -c '^HTTP/1.1 200' "$T/tls.out")" = 2 ] || { show "$T/tls.out"; fail "the client did not read its answers"; }
show "$T/tls.json"
jcheck "$T/tls.json" --count 2 --each "tls and status == 200 and error is None"
pass
