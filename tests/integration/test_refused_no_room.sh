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
require_cmd cc
start_server
cc -shared -fPIC -O1 -Wall -o "$T/epoll_full.so" \
	"$TESTS_DIR/progs/epoll_full_lib.c" -ldl || fail "cc epoll_full_lib.c failed"
u=http://127.0.0.1:$SERVER_PORT
rc=0
LD_PRELOAD=$T/epoll_full.so timeout 30 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' "$u/bytes/10" "$u/bytes/20" \
	>"$T/curl.out" 2>"$T/run.err" || rc=$?
show "$T/run.err"
[ "$rc" = 0 ] || fail "the run exited $rc"
[ "$(cat "$T/curl.out")" = "$(printf '200\n200')" ] || { show "$T/curl.out"; fail "curl's output changed"; }
grep -qx "httptrace: refused 1 process(es) for want of room (memory, or fs.epoll.max_user_watches): what they sent then is lost" "$T/run.err" ||
	fail "the refusal for want of room is not counted once"
pass
