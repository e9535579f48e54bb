#!/bin/bash
# test_seccomp_raw.sh - a seccomp filter installed with
# syscall(SYS_seccomp, ...) (libseccomp's way, not prctl) that kills the
# process on fstat, newfstatat and socket, between requests on one
# keep-alive connection (progs/seccomp_raw.c).  Traced as untraced: the
# same output (the syscall() calls before it return and set errno as
# libc's), exit status 0, the server had all three requests; the library's
# syscall() hook stopped tracing before the filter: the request made
# before it is reported (complete, or in flight when the filter came), and
# the summary says tracing stopped there, nothing dropped.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog seccomp_raw
start_server 127.0.0.1 --log "$T/served.log"

# The premise: the filter works here and allows what the program does.
"$T/seccomp_raw" "$SERVER_PORT" >"$T/premise.out" 2>&1 ||
	skip "seccomp filters are not available here"

run_same raw json "$T/seccomp_raw" "$SERVER_PORT"
grep -qx 'third: status 200, 7 bytes' "$T/raw.out" || { show "$T/raw.out"; fail "the third request failed"; }
for n in 5 6 7; do
	[ "$(grep -c " GET /bytes/$n 200 $n\$" "$T/served.log")" = 3 ] ||
		{ show "$T/served.log"; fail "the server did not have GET /bytes/$n three times (premise, untraced, traced)"; }
done
jcheck "$T/raw.json" --count 1 --each 'url.endswith("/bytes/5") and status == 200'
jcheck "$T/raw.json" --event summary \
	--each 'any("installed a seccomp filter" in n["text"] for n in not_traced)' \
	--each 'dropped == 0'
pass
