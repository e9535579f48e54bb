#!/bin/bash
# test_capture_stdin.sh - `httptrace -w CAP -- curl` alone writes no report
# (standard error holds only its one-line note, curl's output is its own),
# and `httptrace read` gives the same report from the file, from standard
# input as "-" and with no FILE, redirected or piped; a capture cut short
# on a pipe is named "standard input" and exits 1.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -w "$T/cap" -- curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' \
	"$u/bytes/10" "$u/bytes/20" >"$T/curl.out" 2>"$T/run.err" ||
	{ show "$T/run.err"; fail "httptrace -w exited $?"; }
[ "$(cat "$T/curl.out")" = "$(printf '200\n200')" ] || { show "$T/curl.out"; fail "curl's output changed"; }
grep -q "^httptrace: wrote [0-9]* records ([0-9]* bytes) to $T/cap\$" "$T/run.err" ||
	{ show "$T/run.err"; fail "no note of what was captured"; }
[ "$(wc -l <"$T/run.err")" = 1 ] || { show "$T/run.err"; fail "-w alone wrote more than its note"; }

for fmt in text json; do
	"$HTTPTRACE" read -f "$fmt" "$T/cap" >"$T/file.$fmt" || fail "read FILE exited $?"
	"$HTTPTRACE" read -f "$fmt" - <"$T/cap" >"$T/dash.$fmt" || fail "read - exited $?"
	"$HTTPTRACE" read -f "$fmt" <"$T/cap" >"$T/none.$fmt" || fail "read <FILE exited $?"
	# shellcheck disable=SC2002 # the point is a pipe
	cat "$T/cap" | "$HTTPTRACE" read -f "$fmt" >"$T/pipe.$fmt" || fail "cat | read exited $?"
	for how in dash none pipe; do
		cmp -s "$T/file.$fmt" "$T/$how.$fmt" || fail "$fmt: read from standard input ($how) differs"
	done
done
jcheck "$T/file.json" --count 2 --expect 'resp_bytes == [10, 20]' --each 'status == 200'
grep -q "^GET $u/bytes/20 -> 200" "$T/file.text" || { show "$T/file.text"; fail "text report lacks the request"; }

rc=0
head -c 100 "$T/cap" | "$HTTPTRACE" read -f json >"$T/cut.json" 2>"$T/cut.err" || rc=$?
[ "$rc" = 1 ] || { show "$T/cut.err"; fail "a cut capture on a pipe: exit $rc, not 1"; }
grep -q "^httptrace: standard input: capture cut short at byte [0-9]* (frame [0-9]*): " "$T/cut.err" ||
	{ show "$T/cut.err"; fail "no message naming standard input"; }
pass
