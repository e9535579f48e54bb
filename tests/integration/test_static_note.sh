#!/bin/bash
# test_static_note.sh - `httptrace -- PROG` where PROG is statically
# linked (LD_PRELOAD does not apply): its request reaches the server, the
# report has none, and the summary says why in a "not traced" note for
# the command's process (before, only a warning on stderr: the JSON
# summary was all zeros, as a clean run's).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
cc -static -O1 -o "$T/fdfill" "$TESTS_DIR/progs/fdfill.c" 2>"$T/cc.err" ||
	skip "no static libc here (cc -static failed)"
start_server 127.0.0.1 --log "$T/served.log"

"$HTTPTRACE" -f json -o "$T/st.json" -- "$T/fdfill" "$SERVER_PORT" \
	>"$T/st.out" 2>"$T/st.err" || { show "$T/st.err"; fail "httptrace exited $?"; }
grep -q '^request on fd 3: status 200, 5 bytes$' "$T/st.out" || { show "$T/st.out"; fail "the request failed"; }
grep -q ' GET /bytes/5 200 5$' "$T/served.log" || { show "$T/served.log"; fail "the server did not have the request"; }
grep -q 'statically linked' "$T/st.err" || { show "$T/st.err"; fail "no warning on stderr"; }
jcheck "$T/st.json" --count 0
jcheck "$T/st.json" --event summary \
	--each 'any(n["text"].endswith("fdfill: statically linked: LD_PRELOAD does not apply") and n["processes"] == 1 for n in not_traced)'
pass
