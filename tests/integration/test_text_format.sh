#!/bin/bash
# test_text_format.sh - the default text report names each request's method,
# URL and status, marks new and reused connections, and ends with a summary
# counting the requests; -o FILE puts it in FILE, otherwise on stderr.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -o "$T/report" -- \
	curl -s -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/100" "$u/status/404" "$u/bytes/2000" >"$T/stdout" 2>"$T/stderr" ||
	fail "httptrace -o -- curl exited $?"
[ ! -s "$T/stderr" ] || { show "$T/stderr"; fail "report (or more) on stderr despite -o"; }
[ ! -s "$T/stdout" ] || { show "$T/stdout"; fail "output on stdout"; }

r=$T/report
for s in GET "$u/bytes/100" "$u/status/404" "$u/bytes/2000" 200 404; do
	grep -qF -- "$s" "$r" || { show "$r"; fail "report lacks '$s'"; }
done
grep -qw new "$r" || { show "$r"; fail "report lacks a 'new' connection marker"; }
grep -qw reused "$r" || { show "$r"; fail "report lacks a 'reused' connection marker"; }
# The first request opened the connection, the second reused it: on the
# line naming its URL, or else in its block of lines up to the next URL.
block() { awk -v u="$1" 'index($0, u) { on = 1 } on && /http:\/\// && !index($0, u) { exit } on' "$r"; }
block "$u/bytes/100" | grep -qw new || { show "$r"; fail "first request not marked new"; }
block "$u/status/404" | grep -qw reused || { show "$r"; fail "second request not marked reused"; }
grep -qiE '(\b3 requests?\b|requests?[^0-9a-z]+3\b)' "$r" ||
	{ show "$r"; fail "no summary counting 3 requests"; }

# Without -o the same report goes to stderr.
"$HTTPTRACE" -- curl -s -o /dev/null "$u/bytes/100" 2>"$T/stderr2" ||
	fail "httptrace -- curl exited $?"
grep -qF "$u/bytes/100" "$T/stderr2" || { show "$T/stderr2"; fail "no report on stderr"; }
pass
