#!/bin/bash
# test_join_h2.sh - HTTP/2 streams joined by their stream id: nginx and
# the clients that call it traced by one collector (httptrace listen):
# curl's parallel streams over TLS (ALPN h2) and nghttp's with prior
# knowledge; every client record names the server record of the same
# stream (same path, status and body size as nginx logged), with the
# server's processing time equal to that record's.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl nghttp
curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
sock=$T/ht.sock

start_listen_env -f json -o "$T/out.json"
lpid=$LPID

NGINX_WRAP=(sh -c '. "$0"; exec "$@"' "$T/env.sh")
start_nginx
tls=https://127.0.0.1:$NGINX_TLS_PORT h2c=http://127.0.0.1:$NGINX_H2C_PORT
nginx_log_mark
# untraced first: nginx's addresses known to the collector from then on
curl -sk --http2 -o /dev/null "$tls/f/100" || fail "untraced curl failed"
nghttp -n "$h2c/f/100" || fail "untraced nghttp failed"
nginx_log_since 2 >/dev/null
nginx_log_mark

args=()
for p in /f/100 /f/10000 /f/100000 /missing; do args+=(-o /dev/null "$tls$p"); done
(. "$T/env.sh"; curl -sk --http2 --parallel "${args[@]}") || fail "curl --http2 failed"
(. "$T/env.sh"; nghttp -n "$h2c/f/100" "$h2c/f/10000" "$h2c/missing") ||
	fail "nghttp failed"
logged=$(nginx_log_since 7)

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }

"$PY" - "$T/out.json" "$logged" <<'PYEOF' || { show "$T/out.json" "$T/nginx/since.log"; fail "HTTP/2 streams not joined"; }
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
logged = ast.literal_eval(sys.argv[2])
assert len(logged) == 7, logged
client = [r for r in reqs if r.get("side") != "server"]
server = [r for r in reqs if r.get("side") == "server"]
assert len(client) == 7 and len(server) == 9, reqs
by_id = {(r["pid"], r["conn"], r["req"]): r for r in server}
for c in client:
    assert c["proto"] == "HTTP/2", c
    p = c.get("peer_record")
    assert p is not None, c
    s = by_id.pop((p["pid"], p["conn"], p["req"]))
    path = c["url"].split("/", 3)[3]
    assert s["url"].endswith("/" + path), (c, s)
    assert (s["status"], s["resp_bytes"]) == (c["status"], c["resp_bytes"]), (c, s)
    assert c["server_processing_ms"] == s["processing_ms"], (c, s)
    assert s["peer_record"] == {"pid": c["pid"], "conn": c["conn"],
                                "req": c["req"]}, (c, s)
    m = [l for l in logged if l[6] == "/" + path and l[2] == s["status"]]
    assert m, (path, logged)
# the two untraced clients' streams stay alone
assert len(by_id) == 2, by_id
assert all("peer_record" not in s for s in by_id.values()), by_id
PYEOF
pass
