#!/bin/bash
# test_fd_limit_note.sh - a command started under a soft fd limit below 64
# (`ulimit -S -n 20`) is not traced (the library takes no fd there: any it
# took could be one the program needed): its request reaches the server
# but is not in the report, and the summary says why in a "not traced"
# note, counting the command's process, instead of looking clean.  At 1024
# the same command is traced and there is no such note.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fdfill
start_server 127.0.0.1 --log "$T/served.log"

(ulimit -S -n 20 && exec "$HTTPTRACE" -f json -o "$T/l20.json" -- "$T/fdfill" "$SERVER_PORT") \
	>"$T/l20.out" 2>"$T/l20.err" || { show "$T/l20.err"; fail "httptrace under ulimit 20 exited $?"; }
grep -q '^request on fd 3: status 200, 5 bytes$' "$T/l20.out" || { show "$T/l20.out"; fail "the request failed"; }
grep -q ' GET /bytes/5 200 5$' "$T/served.log" || { show "$T/served.log"; fail "the server did not have the request"; }
jcheck "$T/l20.json" --count 0
jcheck "$T/l20.json" --event summary \
	--each 'requests == 0' \
	--each 'any("soft fd limit (20) is below 64" in n["text"] and n["processes"] == 1 for n in not_traced)'

(ulimit -S -n 1024 && exec "$HTTPTRACE" -f json -o "$T/l1024.json" -- "$T/fdfill" "$SERVER_PORT") \
	>"$T/l1024.out" 2>"$T/l1024.err" || { show "$T/l1024.err"; fail "httptrace under ulimit 1024 exited $?"; }
jcheck "$T/l1024.json" --count 1 --each 'status == 200 and resp_bytes == 5'
jcheck "$T/l1024.json" --event summary --expect '"not_traced" not in recs[0]'
pass
