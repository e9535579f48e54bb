#!/bin/bash
# test_proto_versions.sh - `proto` is the version the request was sent in,
# and the response's version is told apart (`response_proto`, HAR's
# response.httpVersion) only when the server answered in another one:
# curl --http1.0 to nginx (which answers HTTP/1.1) is HTTP/1.0, as nginx's
# own log says; curl's HTTP/1.1 to a server answering HTTP/1.0 is HTTP/1.1.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_nginx

# A server that answers every request in HTTP/1.0 (Python's default).
port=$(free_port 127.0.0.1)
"$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$T" \
	>"$T/py.log" 2>&1 &
_PIDS+=("$!")
wait_port 127.0.0.1 "$port" "$!" || fail "http.server did not start"
echo hi >"$T/x.txt"

nginx_log_mark
for fmt in json har text; do
	"$HTTPTRACE" -f "$fmt" -o "$T/out.$fmt" -- sh -c "
		curl -s --http1.0 -o /dev/null http://127.0.0.1:$NGINX_PORT/
		curl -s --http1.1 -o /dev/null http://127.0.0.1:$port/x.txt" ||
		fail "$fmt: httptrace exited $?"
done
log=$(nginx_log_since 3)
# nginx logged the version each request was sent in.
jcheck "$T/out.json" --count 2 \
	--expect "proto[0] == $log[0][4] == 'HTTP/1.0'" \
	--expect "response_proto[0] == 'HTTP/1.1'" \
	--expect "proto[1] == 'HTTP/1.1' and response_proto[1] == 'HTTP/1.0'" \
	--each 'status == 200'
# The server's own log: Python's http.server logged an HTTP/1.1 request.
grep -q '"GET /x.txt HTTP/1.1" 200' "$T/py.log" ||
	{ show "$T/py.log"; fail "http.server did not log an HTTP/1.1 request"; }
"$PY" - "$T/out.har" <<'PYEOF' || fail "HAR versions wrong"
import json, sys
e = json.load(open(sys.argv[1]))["log"]["entries"]
got = [(x["request"]["httpVersion"], x["response"]["httpVersion"]) for x in e]
assert got == [("HTTP/1.0", "HTTP/1.1"), ("HTTP/1.1", "HTTP/1.0")], got
PYEOF
grep -q 'HTTP/1.0 (answered in HTTP/1.1)' "$T/out.text" ||
	{ show "$T/out.text"; fail "text does not say the answer's version"; }
# A request answered in its own version says nothing more.
"$HTTPTRACE" -f json -o "$T/same.json" -- \
	curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" || fail "httptrace exited $?"
jcheck "$T/same.json" --count 1 --each 'proto == "HTTP/1.1"' \
	--expect "'response_proto' not in recs[0]"
pass
