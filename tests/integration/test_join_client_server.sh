#!/bin/bash
# test_join_client_server.sh - a client and the server it calls, both
# traced by one collector (httptrace listen), are joined: each client
# record carries the server's own processing time, equal to the server
# record's processing_ms, and a peer_record naming the server's record,
# which names the client's back (an untraced client's request stays
# alone); the OTLP spans sent to a receiver make
# one trace across the two processes, the SERVER span the child of the
# CLIENT span.  Two requests on one keep-alive connection (the n-th
# request pairs with the n-th), a second connection for a third.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

start_otlp_receiver
rport=$RECV_PORT

OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$rport/ OTEL_BSP_SCHEDULE_DELAY=100 \
	start_listen_env -f json -o "$T/out.json" --otlp default
lpid=$LPID

port=$(free_port)
start_env_server server "$port" "$PY" "$SERVER_PY" "$port" 127.0.0.1 --log "$T/served.log"
spid=$ENV_PID

u=http://127.0.0.1:$port
# An untraced client first: its server record stays alone; and the
# collector knows the server's address from then on, so a traced client's
# record that comes before its server's waits for it (join.h).
curl -s -o /dev/null "$u/bytes/1" || fail "untraced curl failed"
(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null "$u/delay/40" "$u/bytes/10" &&
	curl -s -o /dev/null "$u/delay/20") || fail "curl failed"
[ "$(wc -l <"$T/served.log")" = 4 ] || { show "$T/served.log"; fail "the server did not answer 4 requests"; }

kill -TERM "$spid"
wait "$spid" 2>/dev/null || true
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
grep -q '^#error' "$T/recv.log" && { show "$T/recv.log"; fail "the receiver found invalid requests"; }

"$PY" - "$T/out.json" "$T/recv.log" <<'PYEOF' || { show "$T/out.json"; show "$T/recv.log"; fail "the client's and the server's records are not joined"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
client = [r for r in reqs if r.get("side") != "server"]
server = [r for r in reqs if r.get("side") == "server"]
assert len(client) == 3 and len(server) == 4, reqs
# the untraced client's request: joined to nothing
alone = [s for s in server if s["url"].endswith("/bytes/1")]
assert len(alone) == 1 and "peer_record" not in alone[0], alone
server = [s for s in server if s is not alone[0]]
by_id = {(r["pid"], r["conn"], r["req"]): r for r in reqs}
for c in client:
    p = c.get("peer_record")
    assert p is not None, c
    s = by_id[(p["pid"], p["conn"], p["req"])]
    assert s.get("side") == "server", s
    # the same request: the same target, the same number on its connection
    assert s["url"].endswith(c["url"].split("/", 3)[3]), (c, s)
    assert s["req"] == c["req"], (c, s)
    # the server's own processing, as its record says it
    assert c["server_processing_ms"] == s["processing_ms"], (c, s)
    assert s["peer_record"] == {"pid": c["pid"], "conn": c["conn"],
                                "req": c["req"]}, (c, s)
    if c["url"].endswith("/delay/40"):
        assert s["processing_ms"] >= 40, s
# two connections on both sides
assert len({(c["pid"], c["conn"]) for c in client}) == 2, client
assert len({s["conn"] for s in server}) == 2, server

spans = []
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    for rs in json.loads(line)["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            spans += ss["spans"]
cs = [s for s in spans if s["kind"] == 3]
ss = [s for s in spans if s["kind"] == 2]
assert len(cs) == 3 and len(ss) == 4, spans
ss = [s for s in ss if "parentSpanId" in s]
assert len(ss) == 3, spans
for s in ss:
    parent = [c for c in cs if c["spanId"] == s.get("parentSpanId")]
    assert len(parent) == 1, (s, cs)
    assert parent[0]["traceId"] == s["traceId"], (parent[0], s)
    path = [a["value"]["stringValue"] for a in s["attributes"]
            if a["key"] == "url.path"][0]
    full = [a["value"]["stringValue"] for a in parent[0]["attributes"]
            if a["key"] == "url.full"][0]
    assert full.endswith(path), (full, path)
assert len({s["traceId"] for s in ss}) == 3, ss
PYEOF
pass
