#!/bin/bash
# test_tls_python.sh - python's ssl module (libssl loaded RTLD_LOCAL by the
# _ssl extension), with Debian's /usr/bin/python3 and with the python3 first
# on PATH when that is another interpreter: urllib.request.urlopen over
# HTTPS exits 0 and gives its record, and a keep-alive
# http.client.HTTPSConnection making three requests gives reused
# false/true/true with tls_ms on the first only.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# shellcheck disable=SC2119 # no server arguments
start_named_tls_server
u=https://$HOST:$SERVER_PORT

check() { # check PYTHON NAME
	local py=$1 name=$2 rc=0

	"$HTTPTRACE" -f json -o "$T/$name-urlopen.json" -- "$py" -c '
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
body = urllib.request.urlopen(sys.argv[2], context=ctx, timeout=30).read()
sys.stdout.write("%d\n" % len(body))
' "$T/cert.pem" "$u/bytes/1234" >"$T/$name-urlopen.out" 2>"$T/$name-urlopen.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name-urlopen.err"; fail "$name: urlopen under httptrace exited $rc"; }
	[ "$(cat "$T/$name-urlopen.out")" = 1234 ] || fail "$name: urlopen did not read 1234 bytes"
	jcheck "$T/$name-urlopen.json" --count 1 \
		--expect 'status == [200] and resp_bytes == [1234] and reused == [False]' \
		--expect 'nonnull(tls_ms) and tls_ms[0] > 0 and nonnull(tls_version)' \
		--each "tls is True and url == '$u/bytes/1234' and peer == '$HOST_PEER'" \
		--each 'method == "GET" and error is None'

	"$HTTPTRACE" -f json -o "$T/$name-conn.json" -- "$py" -c '
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
c = http.client.HTTPSConnection(sys.argv[2], int(sys.argv[3]), context=ctx, timeout=30)
for path in ("/bytes/10", "/chunked/2000", "/bytes/30000"):
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    print(r.getheader("X-Conn"), r.getheader("X-Conn-Req"), len(body))
c.close()
' "$T/cert.pem" "$HOST" "$SERVER_PORT" >"$T/$name-conn.out" 2>"$T/$name-conn.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name-conn.err"; fail "$name: HTTPSConnection under httptrace exited $rc"; }
	# The premise: the server saw one connection carrying three requests.
	[ "$(cut -d' ' -f2,3 "$T/$name-conn.out" | tr '\n' ' ')" = "1 10 2 2000 3 30000 " ] ||
		{ show "$T/$name-conn.out"; fail "$name: python did not reuse its connection (server side)"; }
	jcheck "$T/$name-conn.json" --count 3 \
		--expect 'len(set(pid)) == 1 and len(set(conn)) == 1 and req == [1, 2, 3]' \
		--expect 'reused == [False, True, True]' \
		--expect 'status == [200] * 3 and resp_bytes == [10, 2000, 30000]' \
		--expect 'tls_ms[0] is not None and tls_ms[0] > 0 and nulls(tls_ms[1:])' \
		--each "tls is True and url.startswith('$u/') and error is None"
}

check /usr/bin/python3 debian

other=$(command -v python3 || true)
if [ -n "$other" ]; then
	# pyenv's python3 is a shell-script shim: ask the interpreter itself.
	other=$("$other" -c 'import sys; print(sys.executable)' 2>/dev/null || true)
fi
if [ -z "$other" ] || [ "$(realpath "$other")" = "$(realpath /usr/bin/python3)" ]; then
	note "python3 on PATH is /usr/bin/python3: no second interpreter checked"
else
	note "second interpreter: $other ($("$other" -c 'import ssl; print(ssl.OPENSSL_VERSION)'))"
	check "$other" path
fi
pass
