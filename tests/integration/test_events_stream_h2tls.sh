#!/bin/bash
# test_events_stream_h2tls.sh - -f events streams, for curl's HTTP/2 over
# TLS to nginx, what the records carry: while nginx holds the first answer
# (its /held is proxied to gateserver.py, which answers only once the test
# lets it), the streamed tls_handshake_done already has the session's
# version and alpn (from the live page), "req" null as in the replay
# (a connection's event, whether the collector read the page before the
# first request began or after), and wrote_headers has "headers"
# null (the page keeps no headers: not "none"); when the answer came, the
# request's response_done carries them as request_headers, equal to what
# the replayed capture's wrote_headers has; every other event streamed
# agrees with the replay's.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl

start_gateserver
NGINX_SERVER_EXTRA="location /held { proxy_pass http://127.0.0.1:$GATE_PORT; }"
start_nginx
base=https://localhost:$NGINX_TLS_PORT

"$HTTPTRACE" -f events -o "$T/events.json" -w "$T/cap" -- \
	curl -sk --http2 -o /dev/null -o /dev/null \
	"$base/held" "$base/index.html" &
tracer=$!
_PIDS+=("$tracer")
seen=
wait_event "$T/events.json" "$base/held" wrote_request && seen=1
grep -q '^answered' "$T/gate.log" 2>/dev/null && fail "the server answered before the gate"
cp "$T/events.json" "$T/before.json"
touch "$GATE_DIR/held"
wait "$tracer" || fail "httptrace -- curl exited $?"
[ -n "$seen" ] || { show "$T/before.json"; fail "no wrote_request for /held before the answer"; }
grep -q "^answered /held" "$T/gate.log" || { show "$T/gate.log"; fail "the server never answered"; }
# The premise: nginx spoke TLS to curl, in the version its log names.
ver=$(awk 'NF >= 2 { print $2; exit }' "$T/nginx/tls.log")
case $ver in TLSv1.[23]) ;; *) show "$T/nginx/tls.log"; fail "nginx logged no TLS version" ;; esac

# Streamed while the answer was held: the session, and no headers yet.
jcheck "$T/before.json" --event tls_handshake_done --count 1 \
	--each "version == '$ver' and alpn == 'h2' and req is None"
jcheck "$T/before.json" --event wrote_headers --count 1 \
	--each "url == '$base/held' and headers is None"
grep -q '"response_done"' "$T/before.json" && fail "response_done before the answer"

"$HTTPTRACE" read -f events "$T/cap" >"$T/replay.json" || fail "read failed"
"$PY" - "$T/events.json" "$T/replay.json" "$base" "$ver" <<'PYEOF' || { show "$T/events.json" "$T/replay.json"; fail "the stream and the replay disagree"; }
import json, sys
live = [json.loads(l) for l in open(sys.argv[1])]
replay = [json.loads(l) for l in open(sys.argv[2])]
base, ver = sys.argv[3], sys.argv[4]
def ev(lines, name, req):
    got = [l for l in lines if l["event"] == name and l["req"] == req]
    assert len(got) == 1, (name, req, got)
    return got[0]
# the replay has it all from the records
assert ev(replay, "tls_handshake_done", None)["version"] == ver
assert ev(replay, "tls_handshake_done", None)["alpn"] == "h2"
hdrs = ev(replay, "wrote_headers", 1)["headers"]
names = [h["name"] for h in hdrs]
assert "user-agent" in names, hdrs
assert "request_headers" not in ev(replay, "response_done", 1)
# the stream: the same session, the headers with response_done
t = ev(live, "tls_handshake_done", None)
assert (t["version"], t["alpn"]) == (ver, "h2"), t
assert ev(live, "wrote_headers", 1)["headers"] is None
assert ev(live, "response_done", 1)["request_headers"] == hdrs
# the second request went out after the first's answer: from its record
assert ev(live, "wrote_headers", 2)["url"] == base + "/index.html"
assert ev(live, "wrote_headers", 2)["headers"] == ev(replay, "wrote_headers", 2)["headers"]
# every event once, with the replay's data but for the headers' place
strip = lambda l: {k: v for k, v in l.items() if k not in ("headers", "request_headers")}
key = lambda l: (l["event"], l.get("conn"), l.get("req"))
assert sorted(map(key, live)) == sorted(map(key, replay)), (list(map(key, live)), list(map(key, replay)))
r = {key(l): strip(l) for l in replay}
for l in live:
    if l["event"] not in ("wrote_headers", "response_done", "summary"):
        assert strip(l) == r[key(l)], (l, r[key(l)])
PYEOF
pass
