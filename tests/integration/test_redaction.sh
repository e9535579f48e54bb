#!/bin/bash
# test_redaction.sh - the values of Authorization, Proxy-Authorization,
# Cookie and Set-Cookie, and of any header named with --redact, never leave
# the traced process, in every format; --no-redact turns this off.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

client() {
	curl -s -o /dev/null -o /dev/null \
		-H 'Authorization: Bearer S3CRET-AUTH' \
		-H 'Proxy-Authorization: Basic S3CRET-PROXY' \
		-H 'Cookie: sid=S3CRET-COOKIE' \
		-H 'X-Api-Key: S3CRET-APIKEY' \
		"$u/setcookie" "$u/bytes/3"
}

for fmt in text json events har summary; do
	"$HTTPTRACE" -f "$fmt" -o "$T/out.$fmt" --redact X-Api-Key --redact x-secret-token -- \
		bash -c "$(declare -f client); u=$u; client" || fail "-f $fmt: exit $?"
	[ -s "$T/out.$fmt" ] || fail "-f $fmt: empty report"
	if grep -q S3CRET "$T/out.$fmt"; then
		grep S3CRET "$T/out.$fmt" | head -3 >&2
		fail "-f $fmt: a secret value left the process"
	fi
done

# Where headers are shown, each of them is there, redacted.
for fmt in json events har; do
	"$PY" - "$T/out.$fmt" "$fmt" <<'PYEOF' || fail "-f $fmt: redacted headers missing"
import json, sys
path, fmt = sys.argv[1], sys.argv[2]
pairs = []
def collect(hs):
    for h in hs or []:
        pairs.append((h["name"].lower(), h["value"]))
if fmt == "har":
    for e in json.load(open(path))["log"]["entries"]:
        collect(e["request"]["headers"]); collect(e["response"]["headers"])
else:
    for line in open(path):
        o = json.loads(line)
        collect(o.get("request_headers")); collect(o.get("response_headers"))
        collect(o.get("headers"))
want = {"authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-api-key", "x-secret-token"}
seen = {n for n, v in pairs if n in want}
assert seen == want, ("missing", want - seen)
bad = [(n, v) for n, v in pairs if n in want and v != "[redacted]"]
assert not bad, bad
PYEOF
done

# --no-redact: the values are there (the user asked for them).
"$HTTPTRACE" -f json -o "$T/plain.json" --no-redact -- \
	bash -c "$(declare -f client); u=$u; client" || fail "--no-redact: exit $?"
for s in S3CRET-AUTH S3CRET-PROXY S3CRET-COOKIE S3CRET-SETCOOKIE; do
	grep -q "$s" "$T/plain.json" || fail "--no-redact: $s missing"
done
pass
