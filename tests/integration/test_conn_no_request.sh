#!/bin/bash
# test_conn_no_request.sh - a client connection closed having carried no
# request is counted and shown, not as an error: curl (and node's https,
# when node is here) against a certificate with no subjectAltName finish
# the TLS handshake, then their own host-name check fails and they close
# without a request.  json: a "connection" record (requests 0, closed_by
# "program"), summary connections 1, connections_no_request 1, errors 0;
# text: the connection's line and "connections: 1 (1 closed with no
# request)".  A control where curl -k makes its request: connections 1, no
# connections_no_request.  Before, the summary said connections: 0.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
require_cmd openssl

# A certificate with no subjectAltName: the handshake succeeds, the
# client's host-name check after it does not.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/nosan.key" \
	-out "$T/nosan.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1 ||
	fail "openssl could not make the certificate"
start_server 127.0.0.1 --tls "$T/nosan.pem" "$T/nosan.key" --log "$T/srv.log"
peer="127.0.0.1:$SERVER_PORT"
url="https://$peer/bytes/10"

# The ground truth, untraced: curl fails its check (60) and the server
# answers nothing.
rc=0
curl -s -o /dev/null --cacert "$T/nosan.pem" "$url" || rc=$?
[ "$rc" = 60 ] || fail "untraced curl exited $rc, not 60"

# check_no_request NAME TEXT: $T/NAME.json and $T/NAME.text hold a run
# whose one connection carried no request, its text line ending in TEXT.
# (node's handshake end is not seen: no version, no "after the handshake".)
check_no_request() {
	jcheck "$T/$1.json" --event connection --count 1 \
		--each "peer == '$peer' and requests == 0 and closed_by == 'program'" \
		--each 'tls is True and bytes_out > 0 and bytes_in > 0'
	jcheck "$T/$1.json" --event request --count 0
	jcheck "$T/$1.json" --event summary --count 1 \
		--each 'connections == 1 and connections_no_request == 1' \
		--each 'errors == 0 and requests == 0 and connect_errors == 0'
	grep -q "^connection to $peer  TLS.*: closed by the program$2, no request  pid" \
		"$T/$1.text" || { show "$T/$1.text"; fail "$1: text: no line for the connection"; }
	grep -q "connections: 1 (1 closed with no request) .* errors: 0" "$T/$1.text" ||
		{ show "$T/$1.text"; fail "$1: text: the summary does not count it"; }
}

for fmt in json text; do
	rc=0
	"$HTTPTRACE" -f $fmt -o "$T/curl.$fmt" -- \
		curl -s -o /dev/null --cacert "$T/nosan.pem" "$url" || rc=$?
	[ "$rc" = 60 ] || fail "curl under httptrace -f $fmt exited $rc, not 60"
done
[ ! -s "$T/srv.log" ] || { show "$T/srv.log"; fail "the server answered a request"; }
check_no_request curl " after the handshake"
jcheck "$T/curl.json" --event connection --each 'tls_version is not None'

if command -v node >/dev/null 2>&1; then
	cat >"$T/get.js" <<'JS'
const https = require("https");
const fs = require("fs");
https.get(process.argv[2], { ca: fs.readFileSync(process.argv[3]) }, (res) => {
	res.resume();
	process.exit(0);
}).on("error", (e) => { console.error(e.code); process.exit(3); });
JS
	for fmt in json text; do
		rc=0
		"$HTTPTRACE" -f $fmt -o "$T/node.$fmt" -- \
			node "$T/get.js" "$url" "$T/nosan.pem" 2>"$T/node.err" || rc=$?
		[ "$rc" = 3 ] && grep -q ERR_TLS_CERT_ALTNAME_INVALID "$T/node.err" ||
			{ show "$T/node.err"; fail "node under -f $fmt exited $rc"; }
	done
	[ ! -s "$T/srv.log" ] || { show "$T/srv.log"; fail "the server answered node"; }
	check_no_request node ""
else
	note "node not installed: its case not run"
fi

# The control: curl -k makes its request on its one connection.
"$HTTPTRACE" -f json -o "$T/ok.json" -- curl -sk -o /dev/null "$url" ||
	fail "curl -k failed"
[ "$(wc -l <"$T/srv.log")" = 1 ] || { show "$T/srv.log"; fail "the server did not answer once"; }
jcheck "$T/ok.json" --event connection --count 0
jcheck "$T/ok.json" --event summary --count 1 \
	--each 'connections == 1 and requests == 1 and errors == 0' \
	--each "rec.get('connections_no_request', 0) == 0"
"$HTTPTRACE" -o "$T/ok.text" -- curl -sk -o /dev/null "$url" || fail "curl -k failed"
grep -q "connections: 1   reused" "$T/ok.text" ||
	{ show "$T/ok.text"; fail "text: the control's summary"; }
! grep -q "no request" "$T/ok.text" ||
	{ show "$T/ok.text"; fail "text: the control shows a connection with no request"; }
pass
