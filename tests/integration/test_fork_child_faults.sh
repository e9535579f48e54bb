#!/bin/bash
# test_fork_child_faults.sh - the child of a traced process that never
# connected, forked to exec /bin/true (a shell's child), takes at most two
# page faults more with tracing on than with the library preloaded off:
# its fork handler stores only what it changes (HT_RESET, ht.h), its pid,
# on the start-up page the child writes anyway, plus the first atfork
# registration of the new image (libc's list).  Before, the handler
# stored a zero over every lock and counter of the emitter, the fd table,
# the buffer pool, DNS, TLS and deepbind, at rest in such a process: each
# store a copy on write of its page (on - off here: 7 faults before, 6
# with the start-up cut of the same stop alone, 2 after).
# progs/fork_child_faults.c, itself and its children without address
# randomisation, forks and reports the median of the children's minor
# faults.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
readelf -dW "$LIBHTTPTRACE" 2>/dev/null | grep -q 'NEEDED.*libasan' &&
	skip "a sanitized library brings its runtime's own faults"
build_prog fork_child_faults

off=$(env -u HTTPTRACE_SOCKET LD_PRELOAD="$LIBHTTPTRACE" "$T/fork_child_faults" 15 /bin/true) ||
	fail "fork_child_faults off failed"
on=$(LD_PRELOAD="$LIBHTTPTRACE" HTTPTRACE_SOCKET="$T/nobody.sock" "$T/fork_child_faults" 15 /bin/true) ||
	fail "fork_child_faults on failed"
echo "child's minor faults: off $off, on $on" >&2
# (at most 3: the two above, and one the library's code layout moves
# between the two modes: f1187aa read off 73, on 75; 67fa164 off 72, on
# 75, the child traced no dearer, the library off one page cheaper)
[ "$((on - off))" -le 3 ] ||
	fail "a forked child of a process that never connected takes $((on - off)) faults more traced than off (at most 3)"
pass
