#!/bin/bash
# test_server_h2_big_response_header.sh - nginx traced as an HTTP/2 server
# writes a response header block over 16 KiB (/big: fourteen 3000-byte
# headers, HEADERS + CONTINUATION) among nine other streams an untraced
# curl asks on one TLS connection, five at most in flight.  The tracer
# cannot keep that block: /big's server record must say its response
# headers were too large to decode, no status; a stream whose response
# headers were decoded before it is right (nginx's own status and bytes);
# one whose headers came after says they could not be decoded (the HPACK
# state is lost), no status; none says "malformed", and the summary
# counts them as not followed, not as server errors.  Before, the block
# gave the connection up: every stream in flight ended "malformed
# response" and every later one was reported at once with that error.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
hdrs=$("$PY" -c '
import random
r = random.Random(7)
cs = "!#%&*+-.^_|~ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
for i in range(14):
    print("add_header X-Big-%d \"%s\";" % (i, "".join(r.choice(cs) for _ in range(3000))))')
# /slow/ serves the same files at 4 MB/s: its 1 MB is still coming when
# /big's headers do
NGINX_SERVER_EXTRA="location = /big { $hdrs return 200 \"big\n\"; }
	location ^~ /slow/ { alias $T/nginx/root/f/; limit_rate 4m; }"
NGINX_WRAP=("$HTTPTRACE" -f json -o "$T/out.json" --)
start_nginx
u=https://127.0.0.1:$NGINX_TLS_PORT
paths=(/slow/1000000 "/f/1000000?i=1" "/f/1000000?i=2" /big "/f/100?i=3" /missing
	"/f/1000000?i=4" "/f/10000?i=5" "/f/100?i=6" "/f/1000?i=7")
args=()
for p in "${paths[@]}"; do args+=(-o /dev/null "$u$p"); done
nginx_log_mark
curl --http2 --parallel --parallel-max 5 -sk \
	-w '%{url_effective} %{http_code} %{size_download} %{num_connects} %{http_version}\n' \
	"${args[@]}" >"$T/curl.out" 2>"$T/curl.err" ||
	{ show "$T/curl.err" "$T/curl.out"; fail "curl exited non-zero"; }
logged=$(nginx_log_since "${#paths[@]}")
kill -TERM "$NGINX_PID"
wait "$NGINX_PID" || true
[ -s "$T/out.json" ] || fail "no output"

"$PY" - "$T/out.json" "$T/curl.out" "$logged" <<'PYEOF' || { show "$T/out.json" "$T/curl.out" "$T/nginx/since.log"; fail "server records do not match curl's and nginx's"; }
import ast, json, sys
BIG = "response headers too large to decode (over 16 KiB); not followed"
LOST = "header block not decodable after one too large (HPACK state lost); not followed"
recs = [json.loads(l) for l in open(sys.argv[1])]
reqs = [r for r in recs if r["event"] == "request"]
curl = {}
conns = 0
for line in open(sys.argv[2]):
    url, code, size, nconn, ver = line.split()
    curl[url.split("/", 3)[3]] = (int(code), int(size))
    conns += int(nconn)
    assert ver == "2", line
logged = ast.literal_eval(sys.argv[3])
# the premise: nine streams on one connection, /big answered 200
assert conns == 1 and len(curl) == 10, curl
assert len(logged) == 10 and len({l[0] for l in logged}) == 1, logged
assert curl["big"][0] == 200, curl
for conn, creq, status, size, proto, method, target in logged:
    assert curl[target[1:]] == (status, size), (target, status, size, curl)
assert len(reqs) == 10, reqs
assert all(r["side"] == "server" and r["proto"] == "HTTP/2" for r in reqs), reqs
assert len({(r["pid"], r["conn"]) for r in reqs}) == 1, reqs
assert sorted(r["url"].split("/", 3)[3] for r in reqs) == sorted(curl), reqs
lost = 0
for r in reqs:
    path = r["url"].split("/", 3)[3]
    if path == "big":
        assert r["error"] == BIG and r["status"] is None, r
    elif r["error"] is None:
        assert (r["status"], r["resp_bytes"]) == curl[path], (r, curl[path])
    else:
        assert r["error"] == LOST and r["status"] is None, r
        lost += 1
    assert "malformed" not in (r["error"] or ""), r
# /slow/1000000, its headers decoded before /big's, was in flight at them
# and is right
slow = [r for r in reqs if r["url"].endswith("/slow/1000000")][0]
big = [r for r in reqs if r["url"].endswith("/big")][0]
assert slow["error"] is None and slow["resp_bytes"] == 1000000, slow
assert slow["start"] + slow["total_ms"] / 1000 > big["start"] + big["total_ms"] / 1000, (slow, big)
summ = [r for r in recs if r["event"] == "summary"]
assert len(summ) == 1, summ
s = summ[0]
assert s["server_requests"] == 10 and s["server_errors"] == 0, s
assert s.get("not_followed", 0) == 1 + lost, (s, lost)
PYEOF
pass
