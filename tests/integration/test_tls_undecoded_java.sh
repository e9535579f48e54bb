#!/bin/bash
# test_tls_undecoded_java.sh - Java's HttpClient (JSSE: TLS in Java, no
# library we hook) over HTTPS to nginx: the run reports one connection
# event per TLS connection with the server name sent and the version
# nginx negotiated, requests null; the summary counts them and names java.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
command -v java >/dev/null && command -v javac >/dev/null ||
	skip "no JDK (java and javac)"
build_java TlsGet "$T/j"
start_nginx
nginx_log_mark
tls_mark=$(wc -l <"$T/nginx/tls.log")

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	java "${JAVA_QUICK[@]}" -Djdk.internal.httpclient.disableHostnameVerification=true \
	-Djdk.httpclient.allowRestrictedHeaders=connection \
	-cp "$T/j" TlsGet example.test "$NGINX_TLS_PORT" /f/100 /index.html \
	>"$T/client.out" || fail "httptrace -- java exited $?"
[ "$(grep -c '^200 ' "$T/client.out")" = 2 ] ||
	fail "java did not get two 200s: $(cat "$T/client.out")"
nginx_log_since 2 >"$T/nginx.list"
tail -n +"$((tls_mark + 1))" "$T/nginx/tls.log" >"$T/tls.since"

"$PY" - "$T/out.json" "$T/nginx.list" "$T/tls.since" "$NGINX_TLS_PORT" <<'PYEOF' ||
import ast, json, sys
out, nlist, tls, port = sys.argv[1:]
ev = [json.loads(l) for l in open(out)]
reqs = ast.literal_eval(open(nlist).read())
tl = [l.split() for l in open(tls)]
def bad(msg):
    print(msg, file=sys.stderr)
    print(open(out).read(), file=sys.stderr)
    sys.exit(1)
if len(reqs) != 2 or [r[2] for r in reqs] != [200, 200] or reqs[0][4] != "HTTP/1.1":
    bad("nginx did not log two requests: %r" % reqs)
nconn = len(set(r[0] for r in reqs))
if len(tl) != 2 or set(l[2] for l in tl) != {"example.test"}:
    bad("nginx's TLS log: %r" % tl)
conns = [e for e in ev if e["event"] == "connection"]
# one event per TLS connection nginx saw (HttpClient reuses one)
if len(conns) != nconn:
    bad("want %d connection events, got %d" % (nconn, len(conns)))
for c in conns:
    if (c["host"], c["tls_library"], c["requests"], c["peer"]) != \
            ("example.test", "unknown", None, "127.0.0.1:" + port):
        bad("connection: %r" % c)
    if c["tls_version"] != tl[0][1]:
        bad("tls_version %r, nginx says %r" % (c["tls_version"], tl[0][1]))
    if c["bytes_in"] <= 100 or c["tls_ms"] is None:
        bad("connection: %r" % c)
s = [e for e in ev if e["event"] == "summary"][0]
if s["connections"] < nconn or s.get("tls_undecoded") != nconn or \
        "java" not in s.get("tls_undecoded_programs", []):
    bad("summary: %r" % s)
PYEOF
	fail "the json output does not describe java's connection"
pass
