#!/bin/bash
# test_no_collector.sh - the library preloaded without a collector (no
# HTTPTRACE_SOCKET, or one naming a path where nothing listens) changes
# nothing: same exit status, same stdout, nothing on stderr.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
urls=("$u/bytes/100000" "$u/chunked/5000" "$u/close/1000")

curl -s "${urls[@]}" >"$T/plain" 2>"$T/plain.err" || fail "untraced curl exited $?"
: >"$T/not-a-socket"

run() { # run NAME [ENV...]: curl with the library preloaded
	local name=$1 rc=0
	shift
	env "$@" LD_PRELOAD="$LIBHTTPTRACE" curl -s "${urls[@]}" \
		>"$T/$name.out" 2>"$T/$name.err" || rc=$?
	[ "$rc" = 0 ] || fail "$name: curl exited $rc"
	cmp "$T/plain" "$T/$name.out" || fail "$name: stdout differs"
	[ ! -s "$T/$name.err" ] || { show "$T/$name.err"; fail "$name: stderr not empty"; }
}
run unset -u HTTPTRACE_SOCKET
run missing HTTPTRACE_SOCKET="$T/no/such/socket"
run file HTTPTRACE_SOCKET="$T/not-a-socket"
run empty HTTPTRACE_SOCKET=

# A failing connect: the same status and still nothing printed.
port=$(closed_port)
rc=0
LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$T/no/such/socket" \
	curl -s "http://127.0.0.1:$port/" >"$T/closed.out" 2>"$T/closed.err" || rc=$?
[ "$rc" = 7 ] || fail "closed port: curl exited $rc, expected 7"
if [ -s "$T/closed.out" ] || [ -s "$T/closed.err" ]; then
	show "$T/closed.out" "$T/closed.err"
	fail "closed port: output printed"
fi
pass
