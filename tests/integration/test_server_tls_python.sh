#!/bin/bash
# test_server_tls_python.sh - a traced Python HTTPS server (server.py
# --tls: the ssl module, OpenSSL's SSL_do_handshake/SSL_read_ex/
# SSL_write_ex on server sessions): every request an untraced curl sent on
# one keep-alive connection is one server record, TLS, with the server's
# handshake on the first, matching the client's own account (curl -w);
# a client that fails the handshake (plain HTTP to the TLS port) leaves no
# record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl openssl
make_cert

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$SERVER_PY" "$port" 127.0.0.1 --tls "$T/cert.pem" "$T/key.pem" \
	>"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced server did not start"

u=https://127.0.0.1:$port
# not TLS at all: the server's handshake fails
curl -s -m 5 -o /dev/null "http://127.0.0.1:$port/bytes/1" || true
curl -sk -w '%{http_code} %{size_download} %{num_connects} %{url_effective}\n' \
	-o /dev/null "$u/bytes/10" -o /dev/null "$u/chunked/3000" \
	-o /dev/null -d @- "$u/echo" -o /dev/null "$u/status/404" \
	>"$T/curl.log" <<<"$(head -c 5000 /dev/zero | tr '\0' a)" ||
	fail "curl failed"

# The last record is out before the server is stopped: a server killed
# between writing a response and feeding it has that request counted as
# not seen (test_server_killed_after_response.sh), not the subject here.
wait_file_line "$T/out.json" '"status":404' ||
	{ show "$T/out.json"; fail "no record of the last request while the server runs"; }
kill -TERM "$tpid"
wait "$tpid" || true
[ -s "$T/out.json" ] || { show "$T/server.out"; fail "no output"; }

"$PY" - "$T/out.json" "$T/curl.log" <<'PYEOF' || { show "$T/out.json" "$T/curl.log"; fail "server records do not match curl's account"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
sent = [l.split() for l in open(sys.argv[2])]
assert len(reqs) == len(sent) == 4, (reqs, sent)
assert len({r["conn"] for r in reqs}) == 1, reqs
for i, (r, (code, size, nconn, url)) in enumerate(zip(reqs, sent)):
    assert r["side"] == "server" and r["tls"] is True, r
    assert r["url"] == url, (r["url"], url)
    assert r["status"] == int(code) and r["resp_bytes"] == int(size), (r, code, size)
    assert r["req"] == i + 1 and r["reused"] == (i > 0), r
    assert r["error"] is None, r
    assert r["tls_version"] and r["tls_version"].startswith("TLS"), r
assert reqs[0]["tls_ms"] is not None and reqs[1]["tls_ms"] is None, reqs
assert reqs[2]["method"] == "POST" and reqs[2]["req_bytes"] == 5000, reqs[2]
summ = [r for r in recs if r["event"] == "summary"][0]
assert summ["server_requests"] == 4 and summ["connect_errors"] == 0, summ
PYEOF
pass
