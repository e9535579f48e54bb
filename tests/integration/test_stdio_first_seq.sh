#!/bin/bash
# test_stdio_first_seq.sh - (review of 67fa164, which failed it) a client
# (progs/stdio_ka_client.c, mode first-seq) opens a FILE right after
# connect, sends GET /missing through it (unseen), reads the 404 with
# read(), then GET /r3 with write(): /r3 is reported "after a
# malformed response ...; not followed" but the summary counts it in
# errors (errors 1), not in not_followed, although the cause is the stdio
# bytes.  Expected: no error counted for a request the tracer lost to stdio.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_status_server.py" "$port" >"$T/s.out" 2>"$T/s.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
run_same seq json "$T/stdio_ka_client" first-seq "$port"
show "$T/seq.json"
jcheck "$T/seq.json" --event summary --each "errors == 0"
pass
