#!/bin/bash
# test_dynamic_exec.sh - a traced shell runs a dynamically linked program
# (`sh -c 'PROG'` and `sh -c 'exec PROG'`): its request is reported and
# the summary has no "not traced" note (the exec hooks' check of the
# target, test_static_exec.sh, says nothing of a program the loader
# preloads into).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
cc -O1 -o "$T/fdfill" "$TESTS_DIR/progs/fdfill.c" 2>"$T/cc.err" || { show "$T/cc.err"; fail "cc failed"; }
start_server 127.0.0.1 --log "$T/served.log"

n=0
for how in "" "exec "; do
	n=$((n + 1))
	"$HTTPTRACE" -f json -o "$T/dy$n.json" -- sh -c "$how'$T/fdfill' $SERVER_PORT" \
		>"$T/dy$n.out" 2>"$T/dy$n.err" || { show "$T/dy$n.err"; fail "sh -c '${how}fdfill': httptrace exited $?"; }
	[ "$(grep -c ' GET /bytes/5 200 5$' "$T/served.log")" = "$n" ] ||
		{ show "$T/served.log"; fail "sh -c '${how}fdfill': the server did not have the request"; }
	jcheck "$T/dy$n.json" --count 1
	jcheck "$T/dy$n.json" --event summary --each '"not_traced" not in rec'
done
pass
