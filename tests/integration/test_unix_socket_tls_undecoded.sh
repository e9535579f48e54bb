#!/bin/bash
# test_unix_socket_tls_undecoded.sh - HTTPS over an AF_UNIX socket that no
# hook of ours decodes (OpenSSL linked statically into a stripped binary):
# its first bytes are a ClientHello no hooked session claims, so it is
# followed as TLS over TCP would be, never dropped as "not HTTP": one
# "connection" event (peer unix:PATH, the SNI, requests null) and the
# summary counts it as TLS not decoded.  The server logs the two requests.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd openssl
[ -e "$(cc -print-file-name=libssl.a)" ] || skip "no libssl.a (libssl-dev)"
cc -O1 -Wall -o "$T/tls_static" "$TESTS_DIR/progs/tls_static.c" \
	-Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -ldl -lpthread ||
	fail "cc tls_static.c (OpenSSL static) failed"
strip "$T/tls_static"
make_cert

cat >"$T/userver.py" <<'PYEOF'
import http.server, socketserver, ssl, sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
log = open(sys.argv[5], "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"x" * 100
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        log.write("%s %s %d %d\n" % (self.command, self.path, 200, len(body)))
    def log_message(self, *a):
        pass

class TLSUnix(socketserver.UnixStreamServer):
    def get_request(self):
        s, a = self.socket.accept()
        return ctx.wrap_socket(s, server_side=True), a

s = TLSUnix(sys.argv[1], H)
open(sys.argv[2], "w").close()
s.serve_forever()
PYEOF

"$PY" "$T/userver.py" "$T/https.sock" "$T/ready" "$T/cert.pem" "$T/key.pem" \
	"$T/server.log" >"$T/userver.err" 2>&1 &
_PIDS+=("$!")
for _ in $(seq 1 100); do
	[ -e "$T/ready" ] && break
	sleep 0.1
done
[ -e "$T/ready" ] || { show "$T/userver.err"; fail "the Unix socket server did not start"; }

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/tls_static" example.test "$T/https.sock" /a /b \
	>"$T/client.out" || fail "httptrace -- tls_static exited $?"
[ "$(grep -c ' 200 ' "$T/client.out")" = 2 ] ||
	fail "the client did not get two 200s: $(cat "$T/client.out")"
[ "$(tr '\n' ' ' <"$T/server.log")" = "GET /a 200 100 GET /b 200 100 " ] ||
	{ show "$T/server.log" "$T/userver.err"; fail "the server did not log the two requests"; }

jcheck "$T/out.json" --event connection --count 1 \
	--each "peer == 'unix:$T/https.sock' and host == 'example.test'" \
	--each 'requests is None and tls_library == "unknown" and bytes_in > 200'
jcheck "$T/out.json" --event summary --count 1 \
	--each 'connections == 1 and requests == 0 and tls_undecoded == 1' \
	--each 'tls_undecoded_programs == ["tls_static"]'
pass
