#!/bin/bash
# test_stdio_client_modes.sh - (review of f2aa1b8) a TCP keep-alive client
# (progs/stdio_ka_client.c, three requests to stdio_kaserver.py) that opens
# its connection as a stdio FILE (fdopen), whose reads and writes no hook
# sees; the client prints the same traced and untraced, the server logged
# every request.  Each mode's report is right or says what it did not see:
#  - unused: the FILE opened right after connect and never used, every
#    byte written and read with write()/read(): the hooks cannot know the
#    FILE moved nothing, so the connection is given up at its first call
#    after the first request's bytes: three records, not followed
#    (f2aa1b8: "requests 0" and a note);
#  - early: the FILE opened right after connect, the requests written with
#    write() (seen), the answers read through it: three records, not
#    followed (before: three false "exited"; f2aa1b8: "requests 0");
#  - keep: the first request by write()/read(), then two through the FILE:
#    the first a 200, and the note says what may have gone by unseen
#    (f2aa1b8: one 200, "errors 0", nothing about the other two).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$port" >"$T/ka.out" 2>"$T/ka.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
stdio_note='a connection read or written through stdio (fdopen), whose calls the tracer cannot see: what went through it not followed'

run_mode() { # MODE
	run_same "$1" json "$T/stdio_ka_client" "$1" "$port" 3
	[ "$RUN_RC" = 0 ] || { show "$T/$1.err"; fail "the client ($1) exited $RUN_RC"; }
	show "$T/$1.json"
}

run_mode unused
[ "$(grep -c '^raw HTTP/1.1 200' "$T/unused.out")" = 3 ] || { show "$T/unused.out"; fail "the client did not read its answers"; }
jcheck "$T/unused.json" --count 3 \
	--each "error == 'bytes the tracer could not see; not followed'"

run_mode early
[ "$(grep -c '^stdio HTTP/1.1 200' "$T/early.out")" = 3 ] || { show "$T/early.out"; fail "the client did not read its answers"; }
jcheck "$T/early.json" --count 3 \
	--each "error == 'bytes the tracer could not see; not followed'"

run_mode keep
[ "$(grep -c 'served /r3' "$T/ka.err")" = 6 ] || { show "$T/ka.err"; fail "the server did not log every run's third request"; }
jcheck "$T/keep.json" --count 1 --each "status == 200 and error is None"
jcheck "$T/keep.json" --event summary --count 1 \
	--each "requests == 1 and not_traced == [{'text': '$stdio_note', 'processes': 1}]"
pass
