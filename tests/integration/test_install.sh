#!/bin/bash
# test_install.sh - make install PREFIX=/usr/local DESTDIR=DIR puts the CLI,
# the library and the man page under DIR/usr/local; the installed CLI, with
# HTTPTRACE_LIB unset, preloads the installed library (found relative to its
# own location) and traces a request; the man page renders.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_cmd make
dest=$T/dest
make -C "$TOP" install PREFIX=/usr/local DESTDIR="$dest" >"$T/make.log" 2>&1 ||
	{ show "$T/make.log"; fail "make install exited non-zero"; }

bin=$dest/usr/local/bin/httptrace
lib=$dest/usr/local/lib/httptrace/libhttptrace.so
man=$dest/usr/local/share/man/man1/httptrace.1
[ -x "$bin" ] || fail "no executable $bin"
[ -f "$lib" ] || fail "no $lib"
[ -f "$man" ] || fail "no $man"

# The installed CLI preloads the installed library, not the build tree's.
# shellcheck disable=SC2016 # expanded by the traced sh
"$bin" -o "$T/env.report" -- sh -c 'printf "%s\n" "$LD_PRELOAD"' >"$T/preload" ||
	fail "installed httptrace -- sh exited $?"
got=$(cut -d' ' -f1 "$T/preload")
if [ -z "$got" ] || [ "$(realpath "$got")" != "$(realpath "$lib")" ]; then
	fail "installed CLI preloads '$got', expected $lib"
fi

start_server
u=http://127.0.0.1:$SERVER_PORT
"$bin" -f json -o "$T/out.json" -- curl -s -o "$T/body" "$u/bytes/321" ||
	fail "installed httptrace -- curl exited $?"
[ "$(wc -c <"$T/body")" = 321 ] || fail "curl did not get 321 bytes"
jcheck "$T/out.json" --count 1 \
	--each "status == 200 and resp_bytes == 321 and url == '$u/bytes/321'"

# The man page renders without warnings.
rc=0
if command -v man >/dev/null 2>&1; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$man" >"$T/man.txt" 2>"$T/man.err" </dev/null || rc=$?
	[ "$rc" = 0 ] || { show "$T/man.err"; fail "man -l exited $rc"; }
elif command -v groff >/dev/null 2>&1; then
	LC_ALL=C.UTF-8 groff -man -Tutf8 "$man" >"$T/man.txt" 2>"$T/man.err" || rc=$?
	[ "$rc" = 0 ] || { show "$T/man.err"; fail "groff exited $rc"; }
else
	note "neither man nor groff installed: man page not rendered"
	pass
fi
[ ! -s "$T/man.err" ] || { show "$T/man.err"; fail "warnings rendering the man page"; }
if ! grep -q 'httptrace' "$T/man.txt" || ! grep -q 'SYNOPSIS' "$T/man.txt"; then
	show "$T/man.txt"
	fail "rendered man page lacks its name or SYNOPSIS"
fi
pass
