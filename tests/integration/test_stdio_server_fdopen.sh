#!/bin/bash
# test_stdio_server_fdopen.sh - (review of f2aa1b8)
# an inetd-style C server that opens each accepted connection as a FILE
# right after accept (fdopen "r+", fgets/fputs/fclose) serves two requests
# that the tracer cannot see.  Its fdopen is hooked, but an accepted
# connection is still on probation then, which stdio_opened() leaves
# alone: the report is clean ("requests 0, errors 0", no server request,
# no note).  Expected: the requests, or a note that says they went unseen.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
build_prog stdio_server
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/srv.json" -- "$T/stdio_server" "$port" 2 \
	>"$T/srv.out" 2>"$T/srv.err" &
pid=$!
_PIDS+=("$pid")
for _ in $(seq 200); do grep -q ready "$T/srv.out" && break; sleep 0.05; done
grep -q ready "$T/srv.out" || fail "the server did not start"
for p in a b; do
	curl -s --noproxy '*' "http://127.0.0.1:$port/$p" >>"$T/curl.out" ||
		fail "curl /$p failed"
done
wait "$pid" || fail "the server exited $?"
[ "$(cat "$T/curl.out")" = hellohello ] || { show "$T/curl.out"; fail "the server did not answer"; }
show "$T/srv.json"
jcheck "$T/srv.json" --event summary --count 1 \
	--expect "recs[0].get('server_requests') == 2 or len(recs[0].get('not_traced') or []) > 0"
pass
