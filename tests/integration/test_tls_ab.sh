#!/bin/bash
# test_tls_ab.sh - ApacheBench over HTTPS against nginx: exactly N request
# records, all 200 over TLS; with -k at most C connections (ab reuses them),
# without -k one connection per request.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd ab
start_nginx
u=https://127.0.0.1:$NGINX_TLS_PORT
n=200 c=4

run_ab() { # run_ab NAME AB_ARGS...
	local name=$1 rc=0
	shift
	"$HTTPTRACE" -f json -o "$T/$name.json" -- ab "$@" -n "$n" -c "$c" "$u/f/100" \
		>"$T/$name.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { show "$T/$name.out"; fail "$name: httptrace -- ab exited $rc"; }
	# The premise: ab completed every request.
	if ! grep -Eq "^Complete requests: +$n\$" "$T/$name.out" ||
		! grep -Eq '^Failed requests: +0$' "$T/$name.out"; then
		show "$T/$name.out"
		fail "$name: ab did not complete $n requests"
	fi
}

run_ab keepalive -k
grep -Eq "^Keep-Alive requests: +$n\$" "$T/keepalive.out" ||
	{ show "$T/keepalive.out"; fail "ab -k did not keep its connections alive"; }
jcheck "$T/keepalive.json" --count "$n" \
	--expect "1 <= len(set(zip(pid, conn))) <= $c" \
	--expect 'reused.count(False) == len(set(zip(pid, conn)))' \
	--expect 'len([t for t in tls_ms if t is not None]) == reused.count(False)' \
	--each 'status == 200 and resp_bytes == 100 and error is None' \
	--each "tls is True and url == '$u/f/100'"

run_ab close
jcheck "$T/close.json" --count "$n" \
	--expect "len(set(zip(pid, conn))) == $n" \
	--expect 'reused == [False] * len(reused) and nonnull(tls_ms)' \
	--each 'status == 200 and resp_bytes == 100 and error is None' \
	--each "tls is True and url == '$u/f/100'"
pass
