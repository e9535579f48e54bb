#!/bin/bash
# test_redaction_url.sh - credentials in URLs never leave the traced
# process: the user:password@ of an absolute-form request target (what a
# client sends a proxy), the values of credential query parameters (the
# defaults and one named with --redact-query), and both in a Location
# response header, in every format and in the capture file; --no-redact
# turns this off.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server
u=http://127.0.0.1:$SERVER_PORT
target="http://user:S3CRET-PW@127.0.0.1:$SERVER_PORT/secretredirect?access_token=S3CRET-AT&sig=S3CRET-SIG&monkey=KEPT-MONKEY&MyTok=S3CRET-MINE"
secrets="S3CRET-PW S3CRET-AT S3CRET-SIG S3CRET-MINE S3CRET-LOCPW S3CRET-LOCTOKEN"

client() {
	curl -s -o /dev/null -D "$T/client.hdrs" --request-target "$target" "$u/"
}

# The outcome: the server took the absolute-form target, and its Location
# carried credentials to the client.
client || fail "untraced curl: exit $?"
grep -q "^HTTP/1.1 302" "$T/client.hdrs" || { show "$T/client.hdrs"; fail "the server did not route the absolute-form target"; }
grep -q "Location: http://u:S3CRET-LOCPW@127.0.0.1/?token=S3CRET-LOCTOKEN" "$T/client.hdrs" ||
	{ show "$T/client.hdrs"; fail "the response did not carry the Location"; }

for fmt in text json events har html otlp summary; do
	"$HTTPTRACE" -f "$fmt" -o "$T/out.$fmt" -w "$T/cap.$fmt" --redact-query mytok -- \
		bash -c "$(declare -f client); T=$T; u=$u; target='$target'; client" ||
		fail "-f $fmt: exit $?"
	[ -s "$T/out.$fmt" ] || fail "-f $fmt: empty report"
	[ -s "$T/cap.$fmt" ] || fail "-f $fmt: empty capture"
	for s in $secrets; do
		if grep -a -q "$s" "$T/out.$fmt" "$T/cap.$fmt"; then
			grep -a -o ".\{0,60\}$s.\{0,20\}" "$T/out.$fmt" "$T/cap.$fmt" | head -3 >&2
			fail "-f $fmt: $s left the process"
		fi
	done
done

# What is kept: the URL, without its credentials; a parameter that only
# ends like a listed name (monkey: key); the Location, scrubbed.
"$PY" - "$T/out.json" <<'PYEOF' || { show "$T/out.json"; fail "the scrubbed URL or Location is wrong"; }
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [o for o in reqs if o.get("event") == "request"]
assert len(reqs) == 1, reqs
o = reqs[0]
assert o["url"].startswith("http://REDACTED:REDACTED@127.0.0.1:"), o["url"]
assert o["url"].endswith("/secretredirect?access_token=REDACTED&sig=REDACTED"
                         "&monkey=KEPT-MONKEY&MyTok=REDACTED"), o["url"]
assert o["status"] == 302, o["status"]
loc = [h["value"] for h in o["response_headers"] if h["name"] == "Location"]
assert loc == ["http://REDACTED:REDACTED@127.0.0.1/?token=REDACTED"], loc
PYEOF

# --no-redact: the credentials are there (the user asked for them), but
# for OTLP's url.full, which the semantic conventions forbid to carry
# them: there only the name the defaults do not hold (MyTok) shows.
for fmt in text json events har html otlp; do
	"$HTTPTRACE" -f "$fmt" -o "$T/plain.$fmt" -w "$T/plaincap.$fmt" --no-redact -- \
		bash -c "$(declare -f client); T=$T; u=$u; target='$target'; client" ||
		fail "--no-redact -f $fmt: exit $?"
	case $fmt in
	text | html) want="S3CRET-PW S3CRET-MINE" ;; # the URL, no headers
	otlp) want="S3CRET-MINE" ;;
	*) want=$secrets ;;
	esac
	for s in $want; do
		grep -a -q "$s" "$T/plain.$fmt" || { show "$T/plain.$fmt"; fail "--no-redact -f $fmt: $s missing"; }
	done
	for s in $secrets; do
		grep -a -q "$s" "$T/plaincap.$fmt" || fail "--no-redact capture: $s missing"
	done
done
if grep -a -q "S3CRET-PW" "$T/plain.otlp"; then
	fail "--no-redact -f otlp: url.full holds the password"
fi
pass
