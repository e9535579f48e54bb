#!/bin/bash
# test_events_tunnel_tls_fail.sh - -f events for curl through an HTTP
# CONNECT proxy (200 to CONNECT) to an HTTPS origin whose handshake fails:
# nginx with a certificate curl rejects (no --cacert), and closehello.py,
# which closes after the ClientHello.  The proxy connection is told once
# (one connect_start / connect_done pair, req null, as the CONNECT's record
# tells them), and the tunnel's failed handshake once, tied to the tunnel
# (tls_handshake_start / _done with "tunnel": the target's host; not a
# second connect_start / connect_done of the same connection); the summary
# counts one connect error; the stream says what the replay says.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
start_py closehello.py "$T/closehello.log" 127.0.0.1
CLOSE_PORT=$PY_PORT
pp=127.0.0.1:$PROXY_PORT

# check NAME URL HOST: curl -x through the proxy to URL fails; the events
# of $T/NAME.jsonl (and of its capture's replay) are as above, the tunnel
# named HOST.
check() {
	local name=$1 url=$2 host=$3
	if "$HTTPTRACE" -w "$T/$name.cap" -f events -o "$T/$name.jsonl" -- curl -s \
		--noproxy "" -x "http://$pp" -o /dev/null "$url" \
		>"$T/$name.out" 2>"$T/$name.err"; then
		fail "$name: curl's handshake did not fail"
	fi
	show "$T/$name.jsonl"
	"$HTTPTRACE" read -f events "$T/$name.cap" >"$T/$name.read" 2>"$T/$name.rerr" ||
		{ show "$T/$name.rerr"; fail "$name: read exited $?"; }
	"$PY" - "$T/$name.jsonl" "$T/$name.read" "$host" <<'PY' || fail "$name: the tunnel's failure is told wrong"
import json, sys
def load(p):
    return [json.loads(l) for l in open(p)]
live, read = load(sys.argv[1]), load(sys.argv[2])
key = lambda e: (e["event"], e.get("conn"), e.get("req"), e.get("ts"))
if [key(e) for e in live] != [key(e) for e in read]:
    print("the stream and the replay differ"); sys.exit(1)
def of(name):
    return [e for e in live if e["event"] == name]
cs, cd = of("connect_start"), of("connect_done")
ts, td = of("tls_handshake_start"), of("tls_handshake_done")
print("connect:", cs, cd, "\ntls:", ts, td)
ok = (len(cs) == 1 and len(cd) == 1 and cd[0]["error"] is None and
      cs[0]["req"] is None and cd[0]["req"] is None and
      len(ts) == 1 and len(td) == 1 and td[0]["error"] and
      td[0].get("tunnel") == sys.argv[3] and ts[0].get("tunnel") == sys.argv[3] and
      of("summary")[0]["connect_errors"] == 1)
sys.exit(0 if ok else 1)
PY
}

check cert "https://localhost:$NGINX_TLS_PORT/index.html" localhost
check closed "https://127.0.0.1:$CLOSE_PORT/" 127.0.0.1
if ! grep -q "^CONNECT localhost:$NGINX_TLS_PORT" "$T/proxy.log" ||
	! grep -q "^CONNECT 127.0.0.1:$CLOSE_PORT" "$T/proxy.log"; then
	show "$T/proxy.log"
	fail "the proxy did not see both tunnels"
fi
grep -q "^hello " "$T/closehello.log" ||
	{ show "$T/closehello.log"; fail "closehello.py saw no ClientHello"; }
pass
