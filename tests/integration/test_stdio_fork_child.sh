#!/bin/bash
# test_stdio_fork_child.sh - (review of 296b4eb, which failed it, as
# d8d4bec and b1c68e7) a server opens its accepted connection as a FILE and
# forks; the child reads the request with read() and answers 200 through
# the FILE it inherited.  conn_reset_after_fork() clears c->stdio at the
# child's first use ("the parent's FILE: its end is the parent's to say"),
# but the child has the FILE too: its request is reported "connection closed
# before any response" and counted in server_errors, a false error of a
# server that answered 200.  Expected: no server error (the request not
# followed, or 200).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
build_prog stdio_forksrv
port=$(free_port)
"$HTTPTRACE" -f json -o "$T/srv.json" -- "$T/stdio_forksrv" "$port" \
	>"$T/srv.out" 2>"$T/srv.err" &
pid=$!
_PIDS+=("$pid")
for _ in $(seq 200); do grep -q ready "$T/srv.out" && break; sleep 0.05; done
grep -q ready "$T/srv.out" || fail "the server did not start"
[ "$(curl -s --noproxy '*' "http://127.0.0.1:$port/x")" = ok ] || fail "the server did not answer ok"
wait "$pid" || fail "the server exited $?"
show "$T/srv.json"
jcheck "$T/srv.json" --event summary --count 1 \
	--expect "recs[0].get('server_errors', 0) == 0"
pass
