#!/bin/bash
# test_tls_map_nomem.sh - review of cost21: the TLS sessions' map is
# mapped at the first session stored (tls.c map_here()).  When that mmap
# fails (here: an inherited seccomp filter answers ENOMEM to an anonymous
# mmap of the map's size, as memory pressure or RLIMIT_AS would), the
# program's TLS calls must be unharmed and each request either reported or
# counted as not seen; and the library must not retry the mmap on every
# TLS call.  Before cost21 the map was in .bss: nothing to fail.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd strace
build_prog seccomp_nomap
# shellcheck disable=SC2119 # no server arguments
start_named_tls_server
SIZE=${SESSMAP_BYTES:-262144}

require_cmd setarch
# The library's text, ASLR off: only its own mmap calls of that size fail
# (Python's 256 KiB arenas are left alone).
range=$(lib_text_range)
rc=0
setarch -R "$HTTPTRACE" -f json -o "$T/out.json" -- strace -f -qq -e trace=mmap -o "$T/st" "$T/seccomp_nomap" "$SIZE:$range" "$PY" -c '
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
c = http.client.HTTPSConnection(sys.argv[2], int(sys.argv[3]), context=ctx, timeout=30)
for i in range(20):
    c.request("GET", "/bytes/%d" % (100 + i))
    r = c.getresponse()
    body = r.read()
    assert len(body) == 100 + i
c.close()
print("ok")
' "$T/cert.pem" "$HOST" "$SERVER_PORT" >"$T/py.out" 2>"$T/py.err" || rc=$?
[ "$rc" = 0 ] || { show "$T/py.err"; fail "python under the filter exited $rc"; }
[ "$(cat "$T/py.out")" = ok ] || fail "python did not finish its requests"
failed=$(grep -c "mmap(NULL, $SIZE, .*ENOMEM" "$T/st" || true)
note "mmap($SIZE) refused $failed times"
[ "$failed" -le 1 ] || fail "the map's mmap was retried $failed times (one system call more per TLS call)"
jcheck "$T/out.json" --count 20 --each 'status == 200 and tls is True and error is None'
pass
