#!/bin/bash
# test_events_tunnel_once.sh - (review of trustb, 439cfb3) -f events
# for curl through an HTTP CONNECT proxy to an HTTPS server, two URLs on
# one tunnel.  The connection has the CONNECT (req 1) and the first inner
# request (req 2, not reused: connect_ms up to the tunnel, tls_ms of the
# inner handshake).  Each connection event (connect_start ...) must be
# told once per connection or stay tied to the request whose record carries
# it: never two identical (event, pid, conn, req) lines; the stream says
# what the replay of its capture says.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
start_proxy
u=https://localhost:$NGINX_TLS_PORT
pp=127.0.0.1:$PROXY_PORT
"$HTTPTRACE" -w "$T/ev.cap" -f events -o "$T/ev.jsonl" -- curl -s --cacert "$T/cert.pem" \
	--noproxy "" -x "http://$pp" -o /dev/null -o /dev/null \
	"$u/index.html" "$u/f/1000" >"$T/curl.out" 2>"$T/curl.err" ||
	{ show "$T/curl.err"; fail "curl failed"; }
show "$T/ev.jsonl"
"$HTTPTRACE" read -f events "$T/ev.cap" >"$T/read.jsonl" 2>"$T/read.err" ||
	{ show "$T/read.err"; fail "read exited $?"; }
"$PY" - "$T/ev.jsonl" <<'PY' || fail "a connection event told twice with the same req"
import json, sys, collections
ev = [json.loads(l) for l in open(sys.argv[1])]
n = collections.Counter((e["event"], e["pid"], e["conn"], e["req"]) for e in ev
                        if e["event"] in ("dns_start", "dns_done", "connect_start",
                                          "connect_done", "tls_handshake_start",
                                          "tls_handshake_done"))
dup = {k: v for k, v in n.items() if v > 1}
print("dups:", dup)
sys.exit(1 if dup else 0)
PY
# The tunnel's handshake is told once, by the request whose record carries
# it, and the stream says what the replay of the capture says.
"$PY" - "$T/ev.jsonl" "$T/read.jsonl" <<'PY' || fail "the stream and the replay differ"
import json, sys
conn = ("dns_start", "dns_done", "connect_start", "connect_done",
        "tls_handshake_start", "tls_handshake_done")
def load(p):
    return [(e["event"], e["conn"], e["req"], e["ts"]) for e in map(json.loads, open(p))
            if e["event"] in conn]
live, read = load(sys.argv[1]), load(sys.argv[2])
print("live:", live, "\nread:", read)
tls = [e for e in live if e[0] == "tls_handshake_done"]
sys.exit(0 if live == read and len(tls) == 1 and tls[0][2] == 2 else 1)
PY
pass
