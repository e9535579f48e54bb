#!/bin/bash
# test_static_exec.sh - a traced shell runs a statically linked program
# (LD_PRELOAD does not apply to it), by `sh -c 'PROG'` (dash: a vfork
# child execs it) and by `sh -c 'exec PROG'` (the traced process itself
# execs it): its request reaches the server, the report has none, and the
# summary has a "not traced" note for the process that ran it, in run
# mode's words (test_static_note.sh); a vfork child's note is no traced
# process (processes_traced).  Before, the library said nothing:
# processes 0, requests 0, as a clean run.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
cc -static -O1 -o "$T/fdfill" "$TESTS_DIR/progs/fdfill.c" 2>"$T/cc.err" ||
	skip "no static libc here (cc -static failed)"
start_server 127.0.0.1 --log "$T/served.log"

n=0
for how in "" "exec "; do
	n=$((n + 1))
	"$HTTPTRACE" -f json -o "$T/st$n.json" -- sh -c "$how'$T/fdfill' $SERVER_PORT" \
		>"$T/st$n.out" 2>"$T/st$n.err" || { show "$T/st$n.err"; fail "sh -c '${how}fdfill': httptrace exited $?"; }
	grep -q '^request on fd [0-9]*: status 200, 5 bytes$' "$T/st$n.out" ||
		{ show "$T/st$n.out"; fail "sh -c '${how}fdfill': the request failed"; }
	[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = "$n" ] ||
		{ show "$T/served.log"; fail "sh -c '${how}fdfill': the server did not have the request"; }
	jcheck "$T/st$n.json" --count 0
	jcheck "$T/st$n.json" --event summary \
		--each "any(n['text'] == '$T/fdfill: statically linked: LD_PRELOAD does not apply' and n['processes'] == 1 for n in not_traced)"
done

# Two vfork children of a shell that never connects each say "not
# traced" on a connection of their own: not traced processes
# (processes_traced 0; before, 2).
"$HTTPTRACE" -f json -o "$T/two.json" -- sh -c "'$T/fdfill' $SERVER_PORT; '$T/fdfill' $SERVER_PORT; true" \
	>"$T/two.out" 2>"$T/two.err" || { show "$T/two.err"; fail "two vfork children: httptrace exited $?"; }
[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = 4 ] ||
	{ show "$T/served.log"; fail "two vfork children: the server did not have both requests"; }
jcheck "$T/two.json" --count 0
jcheck "$T/two.json" --event summary \
	--each "processes_traced == 0 and any(n['text'] == '$T/fdfill: statically linked: LD_PRELOAD does not apply' and n['processes'] == 2 for n in not_traced)"
pass
