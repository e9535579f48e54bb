#!/bin/bash
# test_tls_map_nomem_membio.sh - review of cost21: as
# test_tls_map_nomem, with a client whose TLS uses memory BIOs (Python
# asyncio): its session is tied to its socket only through the map.  When
# the map cannot be mapped, each request must be reported or counted as
# not seen, never lost under a clean summary: the connection is reported
# as TLS not decoded.  SESSMAP_BYTES=1: control (nothing refused, the 5
# requests reported).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog seccomp_nomap
# shellcheck disable=SC2119 # no server arguments
start_named_tls_server
SIZE=${SESSMAP_BYTES:-262144}
require_cmd setarch
# The library's text, ASLR off: only its own mmap calls of that size fail
# (Python's 256 KiB arenas are left alone).
range=$(lib_text_range)
note "refused: mmap($SIZE) from $range"
cat >"$T/client.py" <<'PYEOF'
import asyncio, ssl, sys
async def main():
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    r, w = await asyncio.open_connection(sys.argv[2], int(sys.argv[3]), ssl=ctx)
    for i in range(5):
        w.write(b"GET /bytes/%d HTTP/1.1\r\nHost: x\r\n\r\n" % (100 + i))
        await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
        await r.readexactly(n)
    w.close()
    print("ok")
asyncio.run(main())
PYEOF
rc=0
setarch -R "$HTTPTRACE" -f json -o "$T/out.json" -- strace -f -qq -e trace=mmap -e status=failed -o "$T/st" "$T/seccomp_nomap" "$SIZE:$range" "$PY" "$T/client.py" "$T/cert.pem" "$HOST" "$SERVER_PORT" >"$T/py.out" 2>"$T/py.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/py.err"; fail "python exited $rc"; }
[ "$(cat "$T/py.out")" = ok ] || fail "python did not finish"
note "failed mmaps: $(grep -c ENOMEM "$T/st" || true)"
"$PY" - "$T/out.json" >&2 <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    if l.strip():
        r = json.loads(l)
        print({k: r.get(k) for k in ("url", "status", "tls", "error")} if "url" in r else r)
PYEOF
# the same, text output, for the reader
setarch -R "$HTTPTRACE" -o "$T/out.txt" -- "$T/seccomp_nomap" "$SIZE:$range" "$PY" "$T/client.py" "$T/cert.pem" "$HOST" "$SERVER_PORT" >/dev/null 2>&1 || true
sed 's/^/text: /' "$T/out.txt" >&2
if [ -n "${SESSMAP_BYTES:-}" ]; then
	# control: nothing refused, the 5 requests are reported
	jcheck "$T/out.json" --count 5 --each 'status == 200 and tls is True and error is None'
	pass
fi
# The session has no socket a later call can find: its connection is
# reported as TLS not decoded (counted as such), never closed clean with
# no request under a summary of 0 requests, 0 dropped.
jcheck "$T/out.json" --count 0
jcheck "$T/out.json" --event connection --count 1 --each 'requests is None and tls_version is not None'
jcheck "$T/out.json" --event summary --count 1 --each 'tls_undecoded == 1 and connections == 1 and requests == 0'
grep -q "not decoded" "$T/out.txt" || fail "the text output does not say the TLS connection was not decoded"
! grep -q "no request" "$T/out.txt" || fail "the text output calls the TLS connection one with no request"
pass
