#!/bin/bash
# test_fd_limits.sh - the traced command runs with the user's fd limit and
# gets the same fd numbers as untraced.  `httptrace -- sh -c 'ulimit -n'`
# under `ulimit -S -n 20` prints 20 (the collector raises only its own
# limit), the hard limit unchanged.  progs/fdfill.c makes a request and
# then opens fds until EMFILE: at soft limits 5, 6 and 20 (too low for the
# library to take an fd: it does not trace there) its output is the same
# traced as untraced, line for line; at 1024 the library keeps its socket
# at 768 or above, so the program's fds below 768 are the same and the
# request is traced.  Run mode and env mode (a `listen` collector).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fdfill
start_server
sock=$T/ht.sock
hard=$(ulimit -H -n)
[ "$hard" = unlimited ] || [ "$hard" -ge 1024 ] || skip "hard fd limit $hard is below 1024"

# The limit seen by the command.
(ulimit -S -n 20 && exec "$HTTPTRACE" -f json -o "$T/lim.json" -- sh -c 'ulimit -S -n; ulimit -H -n') \
	>"$T/lim.out" 2>"$T/lim.err" || { show "$T/lim.err"; fail "httptrace under ulimit 20 exited $?"; }
[ "$(cat "$T/lim.out")" = "$(printf '20\n%s' "$hard")" ] ||
	{ show "$T/lim.out"; fail "the command did not get the soft limit 20 and hard limit $hard"; }

"$HTTPTRACE" listen -s "$sock" -f json -o "$T/listen.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "listen did not create $sock"

# fill LIMIT NAME MODE: fdfill at soft limit LIMIT, untraced (plain), run
# mode (run) or env mode (env), output in $T/NAME.MODE.
fill() {
	local limit=$1 name=$2 mode=$3 rc=0
	case $mode in
	plain) (ulimit -S -n "$limit" && exec "$T/fdfill" "$SERVER_PORT") ;;
	run) (ulimit -S -n "$limit" && exec "$HTTPTRACE" -f json -o "$T/$name.json" -- "$T/fdfill" "$SERVER_PORT") ;;
	env) (ulimit -S -n "$limit" && LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock exec "$T/fdfill" "$SERVER_PORT") ;;
	esac >"$T/$name.$mode" 2>"$T/$name.$mode.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name.$mode.err"; fail "$name $mode: exit status $rc"; }
}

for limit in 5 6 20; do
	fill "$limit" "l$limit" plain
	grep -q '^request on fd 3: status 200, 5 bytes$' "$T/l$limit.plain" ||
		{ show "$T/l$limit.plain"; fail "limit $limit: the request failed untraced"; }
	for mode in run env; do
		fill "$limit" "l$limit" "$mode"
		cmp -s "$T/l$limit.plain" "$T/l$limit.$mode" ||
			{ diff "$T/l$limit.plain" "$T/l$limit.$mode" >&2 || true; fail "limit $limit, $mode mode: the program's fds differ"; }
	done
done

# A normal limit: the fds below 768 are the program's alone.
for mode in plain run env; do
	fill 1024 l1024 "$mode"
	awk '!/^fd / || $2 < 768' "$T/l1024.$mode" | grep -v '^after ' >"$T/l1024.$mode.low"
done
grep -qx 'fd 767' "$T/l1024.plain.low" || fail "limit 1024: the program did not reach fd 767 untraced"
for mode in run env; do
	cmp -s "$T/l1024.plain.low" "$T/l1024.$mode.low" ||
		{ diff "$T/l1024.plain.low" "$T/l1024.$mode.low" >&2 || true; fail "limit 1024, $mode mode: the program's fds below 768 differ"; }
done
jcheck "$T/l1024.json" --count 1 --each 'status == 200 and resp_bytes == 5'

kill -TERM "$lpid"
wait "$lpid" || fail "listen exited $?"
# Env mode traced the request at 1024 only.
jcheck "$T/listen.json" --count 1 --each 'status == 200 and resp_bytes == 5'
pass
