#!/bin/bash
# test_cpython_http.sh - CPython's own HTTP tests pass traced as untraced,
# and the collector follows them whole: http.client against raw servers
# that cut bodies and give huge Content-Lengths, http.client over TLS, the
# http.server handlers (keep-alive, HEAD, send_error, bad request lines,
# static files) and urllib's auth and proxy-auth handlers.  Run mode and
# env mode (a `listen` collector); each must record requests of both
# sides, with nothing malformed on the wire and nothing dropped.  Needs
# Debian's libpython3.11-testsuite (scripts/install-deps.sh); ~10 s.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
tests=(test.test_httplib.BasicTest.test_response_fileno
	test.test_httplib.BasicTest.test_large_content_length_truncated
	test.test_httplib.HTTPSTest
	test.test_httplib.TunnelTests
	test.test_httpservers.BaseHTTPServerTestCase
	test.test_httpservers.SimpleHTTPServerTestCase
	test.test_urllib2_localnet.BasicAuthTests
	test.test_urllib2_localnet.ProxyAuthTests
	test.test_urllib2_localnet.TestUrlopen)
cpython_same http "${tests[@]}"
# The cases that matter ran and passed untraced (a skip would hide them).
[ "$(grep -c ' ok$' "$T/http.plain.txt")" -ge 60 ] ||
	{ show "$T/http.plain.txt"; fail "untraced: fewer than 60 tests passed"; }
for mode in run env; do
	jcheck "$T/http.$mode.json" --event summary \
		--each 'malformed == 0 and dropped == 0 and dropped_requests == 0' \
		--each 'requests >= 100 and server_requests >= 100'
	# Both halves of a request in one process: each client record names its
	# server's and the other way round, with the same method and URL.
	"$PY" - "$T/http.$mode.json" <<-'PYEOF' || fail "$mode mode: client and server records do not pair (above)"
	import json, sys
	recs = [json.loads(line) for line in open(sys.argv[1])]
	reqs = {(r["pid"], r["conn"], r["req"], r.get("side")): r
	    for r in recs if r["event"] == "request"}
	bad = 0
	for (pid, conn, req, side), r in reqs.items():
	    p = r.get("peer_record")
	    if side != "server" or not p:
	        continue
	    q = reqs.get((p["pid"], p["conn"], p["req"], None))
	    # A request line that is not HTTP/1.x (http.server's tests send
	    # "GET /" alone, HTTP/0.9) is each side's own reading: the
	    # client's says malformed with no method, the server's "GET".
	    # The two records must still name each other.
	    same = (q is not None and "malformed request" in (q["error"], r["error"])
	            or q is not None and q["method"] == r["method"] and q["url"] == r["url"])
	    if (not same
	            or q.get("peer_record") != {"pid": pid, "conn": conn, "req": req}):
	        print("unpaired:", json.dumps(r)[:300], file=sys.stderr)
	        bad += 1
	sys.exit(bad > 0)
	PYEOF
done
pass
