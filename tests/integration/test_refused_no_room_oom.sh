#!/bin/bash
# test_refused_no_room_oom.sh - (review of trustc: FAILS on 1e55715) a
# collector refusing a process for want of room while memory is short
# (refused_pids cannot grow: u64map_put() returns false) still counts the
# refusal: accept_all() counts only when the pid is stored as new, so
# out of memory, the very case it names, it says nothing (empty stderr, a
# summary of 0 processes, 0 requests, 0 dropped).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# The preload replaces calloc (a static buffer while dlsym starts): a
# sanitized CLI's allocator cannot take that (SANITIZE=1).
# (the symbols read whole first: grep -q would end nm early, a SIGPIPE
# that pipefail takes for a failure)
case "$(nm -D "$HTTPTRACE" 2>/dev/null)" in
*__asan_init*) skip "a sanitized CLI's allocator cannot be replaced by a preload" ;;
esac
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/oom.so" \
	"$TESTS_DIR/progs/epoll_full_oom_lib.c" -ldl || fail "cc epoll_full_oom_lib.c failed"
rc=0
LD_PRELOAD=$T/oom.so timeout 30 "$HTTPTRACE" -f summary -o "$T/out.sum" -- \
	curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$SERVER_PORT/bytes/10" \
	>"$T/curl.out" 2>"$T/run.err" || rc=$?
show "$T/run.err" "$T/out.sum"
[ "$rc" = 0 ] || fail "the run exited $rc"
[ "$(cat "$T/curl.out")" = 200 ] || fail "curl's output changed"
grep -q "refused [1-9][0-9]* process(es) for want of room" "$T/run.err" ||
	fail "a refusal for want of room, out of memory, is not counted: a clean report"
grep -q "^  refused by the collector: [1-9][0-9]* process" "$T/out.sum" ||
	fail "the summary does not say the refusal: it reads clean"
pass
