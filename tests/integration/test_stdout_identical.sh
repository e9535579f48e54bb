#!/bin/bash
# test_stdout_identical.sh - the traced program's stdout is byte for byte what
# it is untraced, and the tracer writes nothing to it (report to a file, or
# to stderr by default).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT
urls=("$u/bytes/100000" "$u/chunked/50000" "$u/status/404")

curl -s "${urls[@]}" >"$T/plain" || fail "untraced curl exited $?"
[ "$(wc -c <"$T/plain")" = 150011 ] || fail "untraced curl got $(wc -c <"$T/plain") bytes"

"$HTTPTRACE" -o "$T/report" -- curl -s "${urls[@]}" >"$T/traced" 2>"$T/traced.err" ||
	fail "httptrace -o -- curl exited $?"
cmp "$T/plain" "$T/traced" || fail "stdout differs with -o FILE"
[ ! -s "$T/traced.err" ] || { show "$T/traced.err"; fail "stderr not empty with -o FILE"; }
[ -s "$T/report" ] || fail "no report written to -o FILE"

# Report on stderr (the default): stdout still untouched.
"$HTTPTRACE" -- curl -s "${urls[@]}" >"$T/traced2" 2>"$T/traced2.err" ||
	fail "httptrace -- curl exited $?"
cmp "$T/plain" "$T/traced2" || fail "stdout differs with the report on stderr"
[ -s "$T/traced2.err" ] || fail "no report on stderr"

# Every format.
for f in text json events; do
	"$HTTPTRACE" -f "$f" -o "$T/report.$f" -- curl -s "${urls[@]}" >"$T/traced.$f" ||
		fail "httptrace -f $f -- curl exited $?"
	cmp "$T/plain" "$T/traced.$f" || fail "stdout differs with -f $f"
done

# A program that makes no request at all.
out=$("$HTTPTRACE" -o "$T/report.none" -- printf 'a\nb')
[ "$out" = "$(printf 'a\nb')" ] || fail "printf's stdout changed: '$out'"
pass
