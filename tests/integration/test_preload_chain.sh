#!/bin/bash
# test_preload_chain.sh - a library preloaded after libhttptrace.so that
# wraps connect (LD_PRELOAD given to httptrace goes after its own library,
# as a proxychains or torsocks user has it) stays in the chain: the
# library's real connect is the wrapper, as dlsym(RTLD_NEXT) finds it.
# Three shapes of the wrapper: an ordinary function; a library with only
# the old DT_HASH table (the walk cannot search it: the loader is asked);
# an assembly label without a .type (STT_NOTYPE, which the loader binds
# as any function).  Each way the wrapper sees the connect traced as
# untraced, curl's output is the same, and the request is recorded.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
require_cmd cc
src=$TESTS_DIR/progs/chain_wrap.c
# The CLI runs with the user's LD_PRELOAD too; a sanitized CLI (SANITIZE=1)
# refuses a preload before its runtime unless told that it is expected.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
cc -O1 -Wall -shared -fPIC -o "$T/libchain_plain.so" "$src" -ldl ||
	fail "cc chain_wrap.c failed"
cc -O1 -Wall -shared -fPIC -Wl,--hash-style=sysv -o "$T/libchain_sysv.so" "$src" -ldl ||
	fail "cc chain_wrap.c --hash-style=sysv failed"
cc -O1 -Wall -shared -fPIC -DBARE_SYMBOL -o "$T/libchain_bare.so" "$src" -ldl ||
	fail "cc chain_wrap.c -DBARE_SYMBOL failed"
# The premise: the three shapes are what the test says they are.
readelf -W --dyn-syms "$T/libchain_bare.so" | grep -Eq 'NOTYPE +GLOBAL +DEFAULT +[0-9]+ connect$' ||
	fail "libchain_bare.so does not export connect as NOTYPE"
readelf -W -d "$T/libchain_sysv.so" | grep -q '(GNU_HASH)' &&
	fail "libchain_sysv.so has a GNU hash table"
start_server

for v in plain sysv bare; do
	log=$T/$v.chain
	LD_PRELOAD=$T/libchain_$v.so CHAIN_LOG=$log \
		curl_same "$v" "http://127.0.0.1:$SERVER_PORT/bytes/100"
	[ "$CURL_RC" = 0 ] || fail "$v: curl exited $CURL_RC"
	# One connect seen by the wrapper untraced, one traced.
	want="connect $SERVER_PORT"
	[ "$(cat "$log" 2>/dev/null)" = "$want"$'\n'"$want" ] ||
		{ show "$log"; fail "$v: the wrapper did not see both runs' connect"; }
	jcheck "$T/$v.json" --count 1 \
		--each "status == 200 and resp_bytes == 100 and error is None" \
		--each "url == 'http://127.0.0.1:$SERVER_PORT/bytes/100'"
done
pass
