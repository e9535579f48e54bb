#!/bin/bash
# test_server_gnutls.sh - a traced HTTPS server on GnuTLS (progs/
# gnutls_server.c: gnutls_handshake, gnutls_record_recv/send on a server
# session): every request an untraced curl sent on two keep-alive
# connections is one server record, TLS, matched to the server's own log.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
pkg-config --exists gnutls 2>/dev/null || skip "no GnuTLS development files"
# shellcheck disable=SC2046
build_prog gnutls_server $(pkg-config --cflags --libs gnutls)
make_cert

port=$(free_port)
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/gnutls_server" "$port" "$T/cert.pem" "$T/key.pem" "$T/served.log" 2 \
	>"$T/server.out" 2>&1 &
tpid=$!
_PIDS+=("$tpid")
wait_port 127.0.0.1 "$port" "$tpid" || fail "traced GnuTLS server did not start"

u=https://127.0.0.1:$port
curl -sk -o /dev/null "$u/10" -o /dev/null "$u/5000" -o /dev/null "$u/0" ||
	fail "curl failed"
curl -sk -o /dev/null "$u/70000" || fail "curl failed"
wait "$tpid" || fail "the server failed"

"$PY" - "$T/out.json" "$T/served.log" <<'PYEOF' || { show "$T/out.json" "$T/served.log"; fail "server records do not match the server's log"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
served = [l.split() for l in open(sys.argv[2])]
assert len(served) == 4 and len(reqs) == 4, (served, reqs)
conns = {}
for r, (conn, n, path, size) in zip(reqs, served):
    assert r["side"] == "server" and r["tls"] and r["error"] is None, r
    assert r["url"] == "https://127.0.0.1:%s%s" % (r["url"].split(":")[2].split("/")[0], path), r
    assert r["req"] == int(n) and r["resp_bytes"] == int(size), (r, n, size)
    assert conns.setdefault(conn, r["conn"]) == r["conn"], conns
    assert r["tls_version"], r
assert len(set(conns.values())) == 2, conns
assert reqs[0]["tls_ms"] is not None and reqs[3]["tls_ms"] is not None, reqs
PYEOF
pass
