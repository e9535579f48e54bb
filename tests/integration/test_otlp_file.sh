#!/bin/bash
# test_otlp_file.sh - `-f otlp` writes one valid ExportTraceServiceRequest
# per line, one per request (and one for a refused connect), and the run
# mode's --otlp sends the same spans to a receiver.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
RECV=$TESTS_DIR/otlp_receiver.py

start_otlp_receiver
rport=$RECV_PORT

closed=$(closed_port)
"$HTTPTRACE" -f otlp -o "$T/out.otlp" --otlp "http://127.0.0.1:$rport/v1/traces" -- \
	sh -c 'curl -s -o /dev/null -o /dev/null -o /dev/null "$@"; curl -s "$0"; exit 0' \
	"http://127.0.0.1:$closed/" \
	"$u/bytes/3" "$u/status/500" "http://user:pw@127.0.0.1:$SERVER_PORT/bytes/4" \
	2>"$T/run.err" || { show "$T/run.err"; fail "httptrace exited $?"; }
show "$T/run.err"
[ "$(wc -l <"$T/out.otlp")" = 4 ] || { show "$T/out.otlp"; fail "not one line per request"; }
"$PY" "$RECV" check "$T/out.otlp" || fail "-f otlp wrote invalid OTLP/JSON"
grep -q '^#error' "$T/recv.log" && { show "$T/recv.log"; fail "the receiver found invalid requests"; }
grep -q "otlp: 4 requests sent" "$T/run.err" || fail "run mode did not send 3 requests and a connect"

"$PY" - "$T/out.otlp" "$T/recv.log" "$closed" <<'PYEOF' || { show "$T/out.otlp"; fail "the spans are wrong"; }
import json, sys
def reqspans(lines):
    out = []
    for l in lines:
        body = json.loads(l)
        for rs in body["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                out += [s for s in ss["spans"] if s["kind"] == 3]
    return out
def attrs(s):
    return {a["key"]: list(a["value"].values())[0] for a in s["attributes"]}
f = reqspans(open(sys.argv[1]))
r = reqspans(l for l in open(sys.argv[2]) if not l.startswith("#"))
# the refused connect: a "connect" span, error.type the errno's name
c = [s for s in f if s["name"] == "connect"]
assert len(c) == 1 and len([s for s in r if s["name"] == "connect"]) == 1, c
ca = attrs(c[0])
assert ca["error.type"] == "ECONNREFUSED" and c[0]["status"]["code"] == 2, c
assert ca["server.address"] == "127.0.0.1" and ca["server.port"] == sys.argv[3], ca
f = [s for s in f if s["name"] != "connect"]
r = [s for s in r if s["name"] != "connect"]
key = lambda s: attrs(s)["url.full"]
assert sorted(map(key, f)) == sorted(map(key, r)), (list(map(key, f)), list(map(key, r)))
a = [attrs(s) for s in f]
assert a[1]["http.response.status_code"] == "500" and a[1]["error.type"] == "500"
assert f[1]["status"]["code"] == 2
# credentials in the URL are redacted (curl sends them as a header, the
# URL it traces has none; the Host-less form still must not leak them)
assert all("pw" not in x["url.full"] for x in a), a
PYEOF
pass
