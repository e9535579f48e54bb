#!/bin/bash
# test_stdio_keepalive.sh - (review of f2aa1b8) a TCP
# client writes and reads its first request with write()/read(), then opens
# the connection as a FILE (fdopen "r+") and sends two more requests on it
# through fprintf/fgets/fread.  The fdopen gives the connection up, but in
# HTTP/1.x mode conn_give_up() says nothing (no note) and nothing was in
# flight: the report is one 200, "errors 0", nothing about the two requests
# the server logged.  Expected: a note (or the two requests, not followed).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$port" >"$T/ka.out" 2>"$T/ka.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
run_same keep json "$T/stdio_ka_client" keep "$port" 3
[ "$RUN_RC" = 0 ] || { show "$T/keep.err"; fail "the client exited $RUN_RC"; }
[ "$(grep -c 'served /r3' "$T/ka.err")" = 2 ] || { show "$T/ka.err"; fail "the server did not log both runs' third request"; }
show "$T/keep.json"
jcheck "$T/keep.json" --event summary --count 1 \
	--expect "recs[0].get('requests') == 3 or len(recs[0].get('not_traced') or []) > 0"
pass
