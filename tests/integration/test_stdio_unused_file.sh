#!/bin/bash
# test_stdio_unused_file.sh - (review of
# f2aa1b8): a TCP client opens its connection as a FILE right after connect
# (fdopen "r") and never uses it: its three requests are written with
# write() and their answers read with read(), every byte seen by the hooks.
# Before f2aa1b8: three 200s.  After: "requests 0" and the stdio note: the
# connection was given up at the fdopen (DETECT mode: CONN_MODE_OPAQUE),
# the requests written after it not even counted.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$port" >"$T/ka.out" 2>"$T/ka.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
run_same unused json "$T/stdio_ka_client" unused "$port" 3
[ "$RUN_RC" = 0 ] || { show "$T/unused.err"; fail "the client exited $RUN_RC"; }
[ "$(grep -c '^raw HTTP/1.1 200' "$T/unused.out")" = 3 ] || { show "$T/unused.out"; fail "the client did not read its answers"; }
show "$T/unused.json"
jcheck "$T/unused.json" --count 3 --each "status == 200 and error is None"
pass
