#!/bin/bash
# test_stdio_socket.sh - a client that reads and writes its connection
# through stdio (fdopen() of the socket: libc's internal reads and writes,
# which no hook sees) is never reported clean: the connection's end (here
# the program's exit: fclose's close is libc's own) says what may have
# gone by unseen (the summary's not_traced), and a request written with
# write() whose answer was read through stdio ends as not followed, never
# as a 200 nor as "exited".
# The client prints the same traced and untraced, and the server logged
# each request.  Before: "requests 0, errors 0" and nothing else for the
# first; for the second the request "exited" when the program ended.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog stdio_client
start_server 127.0.0.1 --log "$T/served.log"
stdio_note='a connection read or written through stdio (fdopen), whose calls the tracer cannot see: what went through it not followed'

run_same all json "$T/stdio_client" stdio "$SERVER_PORT" /bytes/3000
[ "$RUN_RC" = 0 ] || { show "$T/all.err"; fail "stdio_client stdio exited $RUN_RC"; }
grep -q '^body 3000$' "$T/all.out" || { show "$T/all.out"; fail "the client did not read its answer"; }
[ "$(grep -c '/bytes/3000' "$T/served.log")" = 2 ] || { show "$T/served.log"; fail "the server did not log both runs' requests"; }
show "$T/all.json"
jcheck "$T/all.json" --count 0
jcheck "$T/all.json" --event summary --count 1 \
	--each "requests == 0 and not_traced == [{'text': '$stdio_note', 'processes': 1}]"

run_same mixed json "$T/stdio_client" mixed "$SERVER_PORT" /bytes/2000
[ "$RUN_RC" = 0 ] || { show "$T/mixed.err"; fail "stdio_client mixed exited $RUN_RC"; }
grep -q '^body 2000$' "$T/mixed.out" || { show "$T/mixed.out"; fail "the client did not read its answer"; }
show "$T/mixed.json"
jcheck "$T/mixed.json" --count 1 \
	--each "url == 'http://x:$SERVER_PORT/bytes/2000' and status is None" \
	--each "error == 'bytes the tracer could not see; not followed'"
pass
