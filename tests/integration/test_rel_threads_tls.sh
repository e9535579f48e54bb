#!/bin/bash
# test_rel_threads_tls.sh - 8 python threads, each with its own keep-alive
# HTTPS connection (http.client.HTTPSConnection), each making 15 requests
# with its own paths at once: every request is recorded, on its own
# thread's connection, numbered 1..15 there, reused false then true, with
# the right body size; the program's output is the same as untraced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_tls_server 127.0.0.1
threads=8 n=15

cat >"$T/client.py" <<'PYEOF'
import http.client, ssl, sys, threading
cafile, port, threads, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=cafile)
start = threading.Barrier(threads)
results = [None] * threads

def work(t):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    c.connect()
    start.wait()
    got = []
    for i in range(n):
        size = 1000 * t + 37 * i
        c.request("GET", "/bytes/%d?t=%d&i=%d" % (size, t, i))
        r = c.getresponse()
        got.append("%d %s %d" % (r.status, r.getheader("X-Conn-Req"), len(r.read())))
    c.close()
    results[t] = got

ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for th in ts:
    th.start()
for th in ts:
    th.join()
for t, got in enumerate(results):
    print(t, " ".join(got))
PYEOF

"$PY" "$T/client.py" "$T/cert.pem" "$SERVER_PORT" $threads $n >"$T/plain.out" ||
	fail "untraced client exited $?"
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$PY" "$T/client.py" "$T/cert.pem" "$SERVER_PORT" $threads $n >"$T/traced.out" ||
	fail "traced client exited $?"
cmp -s "$T/plain.out" "$T/traced.out" || { show "$T/plain.out" "$T/traced.out"; fail "output differs under tracing"; }

jcheck "$T/out.json" --count $((threads * n)) \
	--each 'status == 200 and error is None and tls is True and method == "GET"' \
	--each "int(url.split('?')[0].rsplit('/', 1)[1]) == resp_bytes" \
	--expect 'len(set(pid)) == 1' \
	--expect "len(set(zip(pid, conn))) == $threads"
# Per connection: one thread's paths only, in order, numbered 1..n.
"$PY" - "$T/out.json" $threads $n <<'PYEOF' || fail "requests attributed to the wrong connection"
import json, sys
threads, n = int(sys.argv[2]), int(sys.argv[3])
by = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event"] == "request":
        q = dict(kv.split("=") for kv in r["url"].split("?", 1)[1].split("&"))
        by.setdefault((r["pid"], r["conn"]), []).append((r["req"], int(q["t"]), int(q["i"]), r["reused"]))
seen = set()
for key, rs in sorted(by.items()):
    rs.sort()
    ts = {t for _, t, _, _ in rs}
    assert len(ts) == 1, "conn %s carries requests of threads %s" % (key, ts)
    seen |= ts
    assert [q for q, _, _, _ in rs] == list(range(1, n + 1)), (key, rs)
    assert [i for _, _, i, _ in rs] == list(range(n)), (key, rs)
    assert [u for _, _, _, u in rs] == [False] + [True] * (n - 1), (key, rs)
assert seen == set(range(threads)), seen
PYEOF
pass
