#!/bin/bash
# test_static_exec_lowfd.sh - under a soft fd limit below the library's
# minimum (64), where it opens no fd at all, the exec hooks do not open the
# program about to be exec'd to look at it either (no openat of it, by
# the vfork child dash runs it in nor by the shell exec'ing it itself).
# With the usual limit the same run opens it (the check looks): the strace
# can see it.  Before, the check opened it at any limit.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd strace
printf 'int main(void) { return 0; }\n' >"$T/st.c"
cc -static -O1 -o "$T/st" "$T/st.c" 2>"$T/cc.err" ||
	skip "no static libc here (cc -static failed)"

for lim in usual 32; do
	set_lim=
	[ "$lim" = usual ] || set_lim="ulimit -n $lim; "
	# (strace inside: the collector is not ptraced, as LeakSanitizer
	# wants under SANITIZE=1)
	"$HTTPTRACE" -o "$T/$lim.txt" -- strace -f -e trace=openat -o "$T/$lim.strace" \
		sh -c "$set_lim'$T/st'; exec '$T/st'" \
		>"$T/$lim.out" 2>"$T/$lim.err" || { show "$T/$lim.err"; fail "limit $lim: httptrace exited $?"; }
	n=$(grep -c "openat(AT_FDCWD, \"$T/st\"" "$T/$lim.strace" || true)
	if [ "$lim" = 32 ]; then
		[ "$n" = 0 ] || { grep "$T/st\"" "$T/$lim.strace" >&2; fail "limit 32: the exec check opened the program $n times"; }
	else
		[ "$n" = 2 ] || { grep "$T/st\"" "$T/$lim.strace" >&2; fail "usual limit: the exec check opened the program $n times, not 2"; }
	fi
done
pass
