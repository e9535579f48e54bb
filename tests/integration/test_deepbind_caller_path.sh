#!/bin/bash
# test_deepbind_caller_path.sh - the library's dlopen hook leaves the
# loader's view of the caller alone: a bare name found along the calling
# program's RUNPATH, and a name with $ORIGIN (the program's directory),
# load under tracing as without it, with and without RTLD_DEEPBIND.  (A
# hook that called dlopen instead of jumping to it would make the loader
# search the library's own path: both would fail to load.)  Without
# RTLD_DEEPBIND the request is traced as usual.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
mkdir -p "$T/bin/sub"
# shellcheck disable=SC2016 # $ORIGIN is for the loader
build_prog deepbind -ldl -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/sub'
mv "$T/deepbind" "$T/bin/deepbind"
readelf -d "$T/bin/deepbind" | grep -q RUNPATH || fail "the program has no RUNPATH"
cc -O1 -Wall -shared -fPIC -o "$T/bin/sub/libdeepcaller.so" \
	"$TESTS_DIR/progs/deepbind_lib.c" || fail "cc deepbind_lib.c failed"
start_nginx

n=0
for name in libdeepcaller.so '$ORIGIN/sub/libdeepcaller.so'; do
	for mode in plain now; do
		n=$((n + 1))
		run_same "c$n" json "$T/bin/deepbind" "$name" "$mode" "$NGINX_PORT" /f/100
		grep -q '^HTTP/1.1 200 OK' "$T/c$n.out" ||
			{ show "$T/c$n.out" "$T/c$n.err"; fail "$name $mode: not loaded or no 200"; }
		note "$name $mode: $(tr '\n' ' ' <"$T/c$n.out")"
		if [ "$mode" = plain ]; then
			jcheck "$T/c$n.json" --count 1 --each "status == 200 and resp_bytes == 100"
		fi
	done
done
pass
