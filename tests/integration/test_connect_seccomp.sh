#!/bin/bash
# test_connect_seccomp.sh (from the review of connkill, rev-connkill 9f6e039; failed on fba03e0) -
# a program started under a seccomp filter that kills on getsockopt (a
# sandbox's, inherited across exec: the library cannot stop before it is
# installed) makes connects that begin nothing (AF_UNSPEC on a TCP socket,
# a bad address pointer, a bad fd): main before the merge made no system
# call of its own for them, ht_connect_before() asks SO_PROTOCOL before
# every connect, and the kernel kills the program (SIGSYS).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_abandon
sock=$T/ht.sock
start_status_listen "$sock"
rc=0
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" seccomp "$T/connect_abandon" sfail >"$T/prog.out" 2>&1 || rc=$?
if [ "$rc" != 0 ] || ! grep -q '^survived$' "$T/prog.out"; then
	show "$T/prog.out"
	fail "the program was killed (exit $rc) where it was not untraced"
fi
for want in 'unspec: 0 ok' 'efault: -1 Bad address' 'ebadf: -1 Bad file descriptor'; do
	grep -qx "$want" "$T/prog.out" || { show "$T/prog.out"; fail "wrong result: no '$want'"; }
done
pass
