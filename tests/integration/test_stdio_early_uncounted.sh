#!/bin/bash
# test_stdio_early_uncounted.sh - (review of f2aa1b8)
# a TCP client opens its connection as a FILE right after connect (fdopen
# "r", for line reads), writes three requests with write() (seen) and reads
# each answer with fgets/fread (unseen).  After f2aa1b8: "requests 0" and
# one note: the connection, given up in DETECT mode, went CONN_MODE_OPAQUE,
# so the three requests written after it are neither reported nor counted
# (as they are when the fdopen comes after the first write: HTTP/1.x mode,
# c->unseen, each request "not followed").  Before: three false "exited".
# Expected: three records, not followed (no "exited").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$port" >"$T/ka.out" 2>"$T/ka.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
run_same early json "$T/stdio_ka_client" early "$port" 3
[ "$RUN_RC" = 0 ] || { show "$T/early.err"; fail "the client exited $RUN_RC"; }
[ "$(grep -c '^stdio HTTP/1.1 200' "$T/early.out")" = 3 ] || { show "$T/early.out"; fail "the client did not read its answers"; }
show "$T/early.json"
jcheck "$T/early.json" --count 3 \
	--each "error == 'bytes the tracer could not see; not followed'"
pass
