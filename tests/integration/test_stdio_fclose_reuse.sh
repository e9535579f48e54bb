#!/bin/bash
# test_stdio_fclose_reuse.sh - (review of 296b4eb, which failed it, as
# did b1c68e7; fclose is hooked since) a client reads its answer through a FILE and
# fclose()s it: libc closes the fd inside, unseen, so the connection stays
# tracked on that fd number.  The program then open()s a log file, which
# gets the same number, and write()s a request line into it.  The hooks
# take the file's bytes for a request on the old connection: a request
# "/logged" that never left the machine is reported ("not followed").
# 296b4eb says the end of a FILE's connection is found at "its fd found
# reused", but open() is not where that is found.  Expected: no /logged.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_reuse
port=$(free_port)
"$PY" "$TESTS_DIR/stdio_kaserver.py" "$port" >"$T/ka.out" 2>"$T/ka.err" &
pid=$!
_PIDS+=("$pid")
wait_port 127.0.0.1 "$port" "$pid"
"$HTTPTRACE" -f json -o "$T/r.json" -- "$T/stdio_reuse" "$port" "$T/log.txt" \
	>"$T/r.out" 2>"$T/r.err" || { show "$T/r.err"; fail "the client failed"; }
grep -Eq "^fd ([0-9]+) log \1$" "$T/r.out" || { show "$T/r.out"; skip "the log file did not get the connection's fd number"; }
show "$T/r.json"
jcheck "$T/r.json" --event request --each "not url.endswith('/logged')"
pass
