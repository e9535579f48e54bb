#!/bin/bash
# test_scm_rights_quiet.sh - (review of 0e0d60a) what recvmsg does with the
# fds another process passed (ht_fds_received()) never reaches a program
# it could hurt, nor says what did not happen:
#  1. A program exec'd under a launcher's seccomp filter that kills
#     getsockopt receives a TCP connection: it runs as untraced (exit 0,
#     "recvmsg 1"); 0e0d60a asked the passed fd's SO_DOMAIN and was killed
#     by SIGSYS (exit 159).
#  2. A socket only created, not connected, passed: no note of "a TCP
#     connection received" (0e0d60a: SO_ACCEPTCONN 0 took it for one).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog scm_pass
rc=0
"$HTTPTRACE" -f json -o "$T/sc.json" -- "$T/scm_pass" seccomp >"$T/sc.out" 2>"$T/sc.err" || rc=$?
show "$T/sc.out"
[ "$rc" = 0 ] && grep -qx "recvmsg 1" "$T/sc.out" ||
	{ show "$T/sc.err"; fail "a program under a seccomp filter that kills getsockopt exited $rc traced (0 untraced)"; }
"$HTTPTRACE" -f json -o "$T/un.json" -- "$T/scm_pass" unconnected >"$T/un.out" 2>"$T/un.err" ||
	{ show "$T/un.err"; fail "scm_pass unconnected failed"; }
grep -qx "recvmsg 1" "$T/un.out" || fail "scm_pass unconnected: no fd passed"
show "$T/un.json"
if grep -q "received from another process" "$T/un.json"; then
	fail "an unconnected socket passed was said a TCP connection received"
fi
pass
