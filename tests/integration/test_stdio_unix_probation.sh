#!/bin/bash
# test_stdio_unix_probation.sh - (review of f2aa1b8)
# a client of a Unix socket opens it as a FILE right after connect (fdopen
# "r", for its line reads), writes three requests with write() and reads
# each answer with fgets/fread.  The connection is on probation at the
# fdopen (a Unix socket not yet seen to carry HTTP), which stdio_opened()
# leaves alone; write() then shows HTTP and the connection is followed,
# its answers unseen: the three requests end as "exited" when the program
# ends, though it read every answer (the false error the commit fixed for
# TCP, test_stdio_socket's "mixed").  Expected: not followed, or a note.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_ka_client
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$T/u.sock" >"$T/ka.out" 2>"$T/ka.err" &
_PIDS+=("$!")
for _ in $(seq 200); do [ -S "$T/u.sock" ] && grep -q ready "$T/ka.out" && break; sleep 0.05; done
[ -S "$T/u.sock" ] || fail "the Unix server did not start"
run_same early json "$T/stdio_ka_client" early "$T/u.sock" 3
[ "$RUN_RC" = 0 ] || { show "$T/early.err"; fail "the client exited $RUN_RC"; }
[ "$(grep -c '^stdio HTTP/1.1 200' "$T/early.out")" = 3 ] || { show "$T/early.out"; fail "the client did not read its answers"; }
show "$T/early.json"
jcheck "$T/early.json" --event all --expect \
	"not any(l.get('error') == 'exited' for l in lines)"
pass
