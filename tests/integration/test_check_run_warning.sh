#!/bin/bash
# test_check_run_warning.sh - "httptrace COMMAND" checks COMMAND first: for
# a program LD_PRELOAD cannot reach (here statically linked) it prints one
# warning line on standard error and still runs it, leaving its output
# alone and exiting with its status; a script for such an interpreter warns
# about the interpreter; dynamically linked programs and ordinary shell
# scripts get no warning.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd readelf

static=/bin/busybox
if [ ! -x "$static" ] ||
	readelf -lW "$static" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	note "$static missing or not static: building a static program"
	cat >"$T/s.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc > 2) puts(argv[2]);
	return argc > 1 ? atoi(argv[1]) : 0;
}
EOF
	cc -static -o "$T/static" "$T/s.c" || fail "no busybox-static and cc -static fails"
	static=$T/static
	args=(3 hello)
else
	args=(sh -c 'echo hello; exit 3')
fi
warning="httptrace: warning: $static: statically linked: LD_PRELOAD does not apply; tracing will not see its traffic"

# The static program: warned about, run anyway, output and status intact.
rc=0
"$HTTPTRACE" -o "$T/report" -- "$static" "${args[@]}" >"$T/stdout" 2>"$T/stderr" || rc=$?
show "$T/stderr" "$T/stdout"
[ "$rc" = 3 ] || fail "expected the command's exit status 3, got $rc"
[ "$(cat "$T/stdout")" = hello ] || fail "the command's output changed"
grep -Fxq "$warning" "$T/stderr" || fail "no warning line: $warning"
[ "$(grep -c 'warning' "$T/stderr")" = 1 ] || fail "more than one warning"

# A script whose interpreter is the static program: the interpreter is named.
printf '#!%s\n' "$static" >"$T/script"
chmod 755 "$T/script"
"$HTTPTRACE" -o "$T/report2" -- "$T/script" >/dev/null 2>"$T/stderr2" || true
show "$T/stderr2"
grep -Fq "httptrace: warning: $T/script: interpreter $static: statically linked" "$T/stderr2" ||
	fail "no warning naming the script's interpreter"

# No warning for a dynamically linked program, nor for a shell script
# (the shell itself makes no connections, but that is not worth a warning).
printf '#!/bin/sh\nexit 0\n' >"$T/sh-script"
chmod 755 "$T/sh-script"
"$HTTPTRACE" -o "$T/report3" -- true 2>"$T/stderr3" || fail "true failed"
"$HTTPTRACE" -o "$T/report4" -- "$T/sh-script" 2>>"$T/stderr3" || fail "the script failed"
"$HTTPTRACE" -o "$T/report5" -- sh -c 'exit 0' 2>>"$T/stderr3" || fail "sh failed"
show "$T/stderr3"
if grep -q warning "$T/stderr3"; then
	fail "a warning for a dynamically linked program"
fi
pass
