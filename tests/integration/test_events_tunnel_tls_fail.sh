#!/bin/bash
# test_events_tunnel_tls_fail.sh - -f events for curl through an HTTP
# CONNECT proxy (200 to CONNECT) to an HTTPS origin whose certificate curl
# rejects (no --cacert): the proxy connection is told once (one
# connect_start / connect_done pair, with the CONNECT's req), and the
# tunnel's failed handshake once, tied to the tunnel (not a second
# connection with req null); the stream says what the replay says.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT
if "$HTTPTRACE" -w "$T/ev.cap" -f events -o "$T/ev.jsonl" -- curl -s \
	--noproxy "" -x "http://$pp" -o /dev/null "$u/index.html" \
	>"$T/curl.out" 2>"$T/curl.err"; then
	fail "curl accepted a certificate it does not trust"
fi
show "$T/ev.jsonl"
grep -q "^CONNECT localhost:$NGINX_TLS_PORT" "$T/proxy.log" ||
	{ show "$T/proxy.log"; fail "the proxy saw no tunnel"; }
"$HTTPTRACE" read -f events "$T/ev.cap" >"$T/read.jsonl" 2>"$T/read.err" ||
	{ show "$T/read.err"; fail "read exited $?"; }
"$PY" - "$T/ev.jsonl" "$T/read.jsonl" "localhost" <<'PY' || fail "the tunnel's failure is told wrong"
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
      len(ts) == 1 and len(td) == 1 and td[0]["error"] and
      td[0].get("tunnel") == sys.argv[3] and ts[0].get("tunnel") == sys.argv[3] and
      of("summary")[0]["connect_errors"] == 1)
sys.exit(0 if ok else 1)
PY
pass
