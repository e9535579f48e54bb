#!/bin/bash
# test_refused_no_room.sh - a collector with no room for one more process
# (epoll_ctl ENOSPC: the user's fs.epoll.max_user_watches reached, made so
# by progs/epoll_full_lib.c preloaded into httptrace) refuses each traced
# process's connection: the run still ends, the command's output and exit
# status are its own, and the refusal is counted, once per process (its
# library connects again at its next record and at its exit), in the
# "refused N process(es)" line, never a silent report of nothing.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# The CLI runs with the test's LD_PRELOAD; a sanitized CLI (SANITIZE=1)
# refuses a preload before its runtime unless told that it is expected.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/epoll_full.so" \
	"$TESTS_DIR/progs/epoll_full_lib.c" -ldl || fail "cc epoll_full_lib.c failed"
u=http://127.0.0.1:$SERVER_PORT
rc=0
LD_PRELOAD=$T/epoll_full.so timeout 30 "$HTTPTRACE" -f json -o "$T/out.json" -w "$T/run.htcap" -- \
	curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' "$u/bytes/10" "$u/bytes/20" \
	>"$T/curl.out" 2>"$T/run.err" || rc=$?
show "$T/run.err"
[ "$rc" = 0 ] || fail "the run exited $rc"
[ "$(cat "$T/curl.out")" = "$(printf '200\n200')" ] || { show "$T/curl.out"; fail "curl's output changed"; }
grep -qx "httptrace: refused 1 process(es) for want of room (memory, fds, or fs.epoll.max_user_watches): what they sent then is lost" "$T/run.err" ||
	fail "the refusal for want of room is not counted once"
# The report itself says it: a JSON summary of 0 processes, 0 requests, 0
# dropped and no "refused" reads clean for a run the tool never saw.
show "$T/out.json"
jcheck "$T/out.json" --event summary --count 1 --each 'refused == 1' \
	--each 'requests == 0'
# A capture of the run says it as the live report did.
"$HTTPTRACE" read -f json -o "$T/read.json" "$T/run.htcap" 2>"$T/read.err" ||
	{ show "$T/read.err"; fail "read of the capture failed"; }
cmp -s "$T/out.json" "$T/read.json" ||
	{ show "$T/read.json"; fail "the capture's report is not the live one"; }
# So does the text summary; the exit status stays the command's, as with
# records dropped (docs/usage.md).
rc=0
# shellcheck disable=SC2016 # $1 is the inner shell's
LD_PRELOAD=$T/epoll_full.so timeout 30 "$HTTPTRACE" -f summary -o "$T/out.sum" -- \
	sh -c 'curl -s -o /dev/null "$1"; exit 3' sh "$u/bytes/10" 2>"$T/run2.err" || rc=$?
show "$T/out.sum" "$T/run2.err"
[ "$rc" = 3 ] || fail "the run exited $rc, not the command's 3"
grep -q "^  refused by the collector: [1-9][0-9]* process" "$T/out.sum" ||
	fail "the text summary does not say the refusal"
# OTLP has no summary: its line on stderr says it.
LD_PRELOAD=$T/epoll_full.so timeout 30 "$HTTPTRACE" -f otlp -o "$T/out.otlp" -- \
	curl -s -o /dev/null "$u/bytes/10" 2>"$T/run3.err" || fail "the otlp run failed"
show "$T/run3.err"
grep -q "^httptrace: incomplete: .*, 1 process refused by the collector$" "$T/run3.err" ||
	fail "-f otlp does not say the refusal"
pass
