#!/bin/bash
# test_tls_undecoded_static.sh - TLS that no hook of ours reaches (OpenSSL
# linked statically into a stripped binary) is still a connection we can
# describe: one "connection" event with the server name the client sent,
# the version nginx negotiated, bytes both ways and requests null; the
# summary counts it (never "connections: 0") and names the program.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
[ -e "$(cc -print-file-name=libssl.a)" ] || skip "no libssl.a (libssl-dev)"
cc -O1 -Wall -o "$T/tls_static" "$TESTS_DIR/progs/tls_static.c" \
	-Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -ldl -lpthread ||
	fail "cc tls_static.c (OpenSSL static) failed"
strip "$T/tls_static"
start_nginx
nginx_log_mark
tls_mark=$(wc -l <"$T/nginx/tls.log")

"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/tls_static" example.test "$NGINX_TLS_PORT" /f/100 /index.html \
	>"$T/client.out" || fail "httptrace -- tls_static exited $?"
[ "$(grep -c ' 200 ' "$T/client.out")" = 2 ] ||
	fail "the client did not get two 200s: $(cat "$T/client.out")"
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
# nginx: two requests on one TLS connection, with this SNI
if len(reqs) != 2 or reqs[0][0] != reqs[1][0] or [r[2] for r in reqs] != [200, 200]:
    bad("nginx did not log two requests on one connection: %r" % reqs)
if len(tl) != 2 or tl[0][2] != "example.test":
    bad("nginx's TLS log: %r" % tl)
proto = tl[0][1]
conns = [e for e in ev if e["event"] == "connection"]
if len(conns) != 1:
    bad("want one connection event, got %d" % len(conns))
c = conns[0]
want = {"host": "example.test", "tls_library": "unknown", "tls_version": proto,
        "alpn_offered": ["http/1.1"], "requests": None,
        "peer": "127.0.0.1:" + port}
for k, v in want.items():
    if c.get(k) != v:
        bad("connection %s: %r, want %r" % (k, c.get(k), v))
# the responses' bodies (100 bytes and index.html) came in, encrypted
if not (c["bytes_out"] > 0 and c["bytes_in"] > 100):
    bad("bytes: %r out, %r in" % (c["bytes_out"], c["bytes_in"]))
for k in ("connect_ms", "tls_ms", "duration_ms"):
    if c[k] is None:
        bad("%s is null" % k)
s = [e for e in ev if e["event"] == "summary"][0]
if (s["connections"], s["requests"], s.get("tls_undecoded"),
        s.get("tls_undecoded_programs")) != (1, 0, 1, ["tls_static"]):
    bad("summary: %r" % s)
if [e for e in ev if e["event"] not in ("connection", "summary")]:
    bad("records other than the connection and the summary")
PYEOF
	fail "the json output does not describe the connection"

# text: a line for the connection, the summary counts it
"$HTTPTRACE" -o "$T/out.txt" -- \
	"$T/tls_static" example.test "$NGINX_TLS_PORT" /f/100 /index.html \
	>/dev/null || fail "httptrace -- tls_static (text) exited $?"
grep -q "^TLS connection to example.test (127.0.0.1:$NGINX_TLS_PORT) not decoded" "$T/out.txt" ||
	fail "no text line for the connection: $(cat "$T/out.txt")"
grep -q "connections: 1 " "$T/out.txt" ||
	fail "the text summary does not count the connection: $(cat "$T/out.txt")"
grep -q "1 TLS connection not decoded .*: tls_static" "$T/out.txt" ||
	fail "the text summary does not say what was not decoded: $(cat "$T/out.txt")"
pass
