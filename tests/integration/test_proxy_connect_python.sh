#!/bin/bash
# test_proxy_connect_python.sh - Python's http.client through an HTTP
# CONNECT proxy (set_tunnel) to nginx over HTTPS, two requests: the
# CONNECT, then both requests inside the tunnel decoded from the ssl
# module's OpenSSL (loaded RTLD_LOCAL), https:// URLs of the target, proxy
# and peer the proxy, the first new with its TLS handshake, the second
# reusing the tunnel.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT

cat >"$T/client.py" <<'PYEOF'
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx)
c.set_tunnel("localhost", int(sys.argv[2]))
for path in ("/index.html", "/f/100"):
    c.request("GET", path)
    r = c.getresponse()
    print(r.status, len(r.read()))
c.close()
PYEOF

run_same py json "$PY" "$T/client.py" "$PROXY_PORT" "$NGINX_TLS_PORT" "$T/cert.pem"
[ "$(tr '\n' ' ' <"$T/py.out")" = "200 17 200 100 " ] ||
	{ show "$T/py.out" "$T/py.err"; fail "the client did not get both files through the proxy"; }

jcheck "$T/py.json" --count 3 \
	--expect 'len(set(conn)) == 1 and req == [1, 2, 3]' \
	--expect 'method == ["CONNECT", "GET", "GET"] and status == [200, 200, 200]' \
	--expect "url == ['localhost:$NGINX_TLS_PORT', '$u/index.html', '$u/f/100']" \
	--expect 'reused == [False, False, True] and tls == [False, True, True]' \
	--expect "proxy == [None, '$pp', '$pp'] and host[1:] == ['localhost', 'localhost']" \
	--expect 'tls_ms[1] is not None and tls_ms[1] > 0 and tls_ms[2] is None' \
	--expect 'resp_bytes[1:] == [17, 100]' \
	--each "peer == '$pp' and error is None"
pass
