#!/bin/bash
# test_rel_collector_gone_sigpipe.sh - a C program with SIGPIPE at its
# default keeps making requests (and new connections) after its collector
# was killed: the library's own sends to the dead collector never raise
# SIGPIPE, so it finishes normally with the same output as untraced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog errno_log
start_rawserver
sock=$T/ht.sock

touch "$T/go-plain"
"$T/errno_log" requests "$RAW_PORT" 30 "$T/go-plain" >"$T/plain.out" ||
	fail "untraced errno_log exited $?"

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "httptrace listen did not start"

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$T/errno_log" requests "$RAW_PORT" 30 "$T/go" >"$T/traced.out" 2>"$T/traced.err" &
cpid=$!
for _ in $(seq 100); do grep -q 'batch 1' "$T/traced.out" 2>/dev/null && break; sleep 0.1; done
kill -KILL "$lpid"
wait "$lpid" 2>/dev/null || true
touch "$T/go"
rc=0
wait "$cpid" || rc=$?
[ "$rc" = 141 ] && fail "the traced program was killed by SIGPIPE"
[ "$rc" = 0 ] || { show "$T/traced.err"; fail "the traced program exited $rc"; }
cmp -s "$T/plain.out" "$T/traced.out" || { show "$T/plain.out" "$T/traced.out"; fail "output differs"; }
[ -s "$T/traced.err" ] && { show "$T/traced.err"; fail "something was printed to stderr"; }
grep -qx 'batch 2: 30/30 ok' "$T/traced.out" || fail "the second batch did not complete"
pass
