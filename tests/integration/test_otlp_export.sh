#!/bin/bash
# test_otlp_export.sh - `httptrace listen --otlp default` sends every request
# as OTLP/JSON spans to the endpoint of OTEL_EXPORTER_OTLP_ENDPOINT, with
# the headers of OTEL_EXPORTER_OTLP_HEADERS, in batches; the receiver checks
# every field's JSON type and encoding, and the spans carry what the json
# format says about the same requests.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
sock=$T/ht.sock

start_otlp_receiver --header "x-api-key=abc def" --header "X-Tenant=t1"
rport=$RECV_PORT

# Batches of 2 (4 requests: at least two POSTs), sent within 200 ms.
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$rport/ \
OTEL_EXPORTER_OTLP_HEADERS="x-api-key=abc%20def, X-Tenant = t1" \
OTEL_SERVICE_NAME=svc-test OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2 \
OTEL_BSP_SCHEDULE_DELAY=200 \
	start_listen_env -f json -o "$T/out.json" --otlp default
lpid=$LPID

(. "$T/env.sh"; curl -s -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/10" "$u/status/404" "$u/bytes/5") || fail "curl failed"
(. "$T/env.sh"; "$PY" -c "
import http.client
c = http.client.HTTPConnection('127.0.0.1', $SERVER_PORT)
c.request('POST', '/echo', body=b'x' * 7); c.getresponse().read()
") || fail "python failed"

kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
show "$T/listen.err"
grep -q "otlp: 4 requests sent" "$T/listen.err" || fail "listen did not report 4 requests sent"
grep -q " 0 dropped" "$T/listen.err" || fail "listen reports drops"
grep -q '^#error' "$T/recv.log" && { show "$T/recv.log"; fail "the receiver found invalid requests"; }

"$PY" - "$T/recv.log" "$T/out.json" <<'PYEOF' || { show "$T/recv.log"; fail "spans do not match the records"; }
import json, socket, sys
posts = [json.loads(l) for l in open(sys.argv[1]) if not l.startswith("#")]
recs = [json.loads(l) for l in open(sys.argv[2])]
recs = [r for r in recs if r["event"] == "request"]
assert len(posts) >= 2, f"{len(posts)} POSTs: not batched by count"
spans = []
for p in posts:
    for rs in p["resourceSpans"]:
        res = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
        for ss in rs["scopeSpans"]:
            assert ss["scope"]["name"] == "httptrace"
            for s in ss["spans"]:
                spans.append((res, s))
def attrs(s):
    return {a["key"]: list(a["value"].values())[0] for a in s.get("attributes", [])}
reqs = [(res, s) for res, s in spans if s["kind"] == 3]
assert len(reqs) == 4, len(reqs)
assert len({s["traceId"] for _, s in reqs}) == 4, "one trace per request"
by_key = {}
for res, s in reqs:
    a = attrs(s)
    by_key[a["httptrace.connection.id"] + "/" + a["httptrace.request.sequence"]] = (res, s, a)
for r in recs:
    res, s, a = by_key[f'{r["pid"]}:{r["conn"]}/{r["req"]}']
    assert res["service.name"] == {"stringValue": "svc-test"}, res
    assert res["process.pid"] == {"intValue": str(r["pid"])}, res
    assert res["host.name"] == {"stringValue": socket.gethostname()}, res
    exe = res["process.executable.name"]["stringValue"]
    assert exe == "curl" or exe.startswith("python3"), exe
    assert s["name"] == r["method"], (s["name"], r)
    assert a["http.request.method"] == r["method"]
    assert a["url.full"] == r["url"], (a, r)
    assert a["server.address"] == r["host"] == "127.0.0.1"
    assert a["server.port"] == str(r["url"].split(":")[2].split("/")[0])
    assert a["http.response.status_code"] == str(r["status"])
    assert a["network.protocol.version"] == r["proto"].split("/")[1]
    assert a["httptrace.connection.reused"] is r["reused"]
    assert a["http.response.body.size"] == str(r["resp_bytes"])
    start, end = int(s["startTimeUnixNano"]), int(s["endTimeUnixNano"])
    # json "start" is microseconds, truncated
    assert abs(start // 1000 - round(r["start"] * 1e6)) <= 1, (start, r["start"])
    assert abs((end - start) / 1e6 - r["total_ms"]) <= 0.002, (end - start, r["total_ms"])
    if r["status"] == 404:
        assert a["error.type"] == "404" and s["status"]["code"] == 2, s
    else:
        assert "error.type" not in a and "status" not in s, s
    kids = {k["name"]: k for _, k in spans if k.get("parentSpanId") == s["spanId"]}
    want = {"send", "wait", "receive"} | ({"connect"} if not r["reused"] else set())
    assert want <= set(kids), (sorted(kids), r)
    for k in kids.values():
        assert k["kind"] == 1 and k["traceId"] == s["traceId"]
        assert start <= int(k["startTimeUnixNano"]) <= int(k["endTimeUnixNano"]) <= end, (k, s)
    w = kids["wait"]
    assert abs((int(w["endTimeUnixNano"]) - int(w["startTimeUnixNano"])) / 1e6 - r["wait_ms"]) <= 0.002
PYEOF
pass
