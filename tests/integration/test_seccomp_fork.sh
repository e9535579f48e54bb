#!/bin/bash
# test_seccomp_fork.sh - a program that forbids itself socket() with a
# seccomp filter (killed on the call), then forks: its child is not killed
# traced, as untraced (same output, same exit status), in run mode and in
# env mode with a `listen` collector.  Without a request the library never
# calls socket(); with one made before the filter (the library connected),
# the child's request on the inherited tracked connection makes the
# library want a socket of its own, which it must not open after the
# filter (its prctl hook saw it: the library says so to the collector
# before the filter, then follows nothing more).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog seccomp_fork
start_server
sock=$T/ht.sock

# The premise: the filter works here and socket() kills.
"$PY" - "$T/seccomp_fork" <<'PYEOF' >/dev/null 2>&1 || skip "seccomp filters are not available here"
import subprocess, sys
sys.exit(subprocess.run([sys.argv[1]]).returncode)
PYEOF

# Run mode: without, then with a request before the filter.
run_same plain json "$T/seccomp_fork"
grep -qx 'child exited 0' "$T/plain.out" || { show "$T/plain.out"; fail "plain: the child failed"; }
run_same request json "$T/seccomp_fork" "$SERVER_PORT"
grep -qx 'child exited 0' "$T/request.out" || { show "$T/request.out"; fail "request: the child failed"; }
grep -qx 'child: status 200, 22 bytes' "$T/request.out" || { show "$T/request.out"; fail "request: the child's request failed"; }
# The parent's request was traced (the library was connected before), and
# the summary says that tracing stopped at the filter (the library makes no
# system call once the program's filter is in place).
jcheck "$T/request.json" --expect '11 in resp_bytes'
jcheck "$T/request.json" --event summary \
	--each 'any("installed a seccomp filter" in n["text"] for n in not_traced)'

# Env mode.
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"
for args in "" "$SERVER_PORT"; do
	rc=0
	# shellcheck disable=SC2086 # no argument, or the port
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/seccomp_fork" $args \
		>"$T/env$args.out" 2>"$T/env$args.err" || rc=$?
	want=$T/plain.plain.out
	[ -n "$args" ] && want=$T/request.plain.out
	cmp -s "$want" "$T/env$args.out" ||
		{ show "$want" "$T/env$args.out" "$T/env$args.err"; fail "env mode ${args:+(request)}: output differs from untraced"; }
	[ "$rc" = 0 ] || fail "env mode ${args:+(request)}: exit status $rc"
done
kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $?"
pass
