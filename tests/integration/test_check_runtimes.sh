#!/bin/bash
# test_check_runtimes.sh - "httptrace check" on the language runtimes
# installed here (ruby, java, php, perl, python3, node): each is traceable
# (exit 0) and its runtime is named.  Java imports no socket call (libjli.so
# loads libjvm.so with dlopen, which loads the rest): the first line says it
# loads its socket code at run time, and a line says HTTPS through JSSE is
# not decoded.  A runtime that is not installed is skipped with a line;
# python3 is always there ($PY), so at least one runtime is checked.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

checked=0

# runtime CMD NAME PATH: "httptrace check PATH" (the program CMD runs)
# exits 0 and names runtime NAME; output in $T/out.
runtime() {
	local cmd=$1 name=$2 path=$3 rc=0

	"$HTTPTRACE" check "$path" >"$T/out" 2>&1 || rc=$?
	note "httptrace check $path ($cmd) -> $rc"
	sed 's/^/#   /' "$T/out" >&2
	[ "$rc" = 0 ] || fail "$cmd ($path): expected exit 0, got $rc"
	grep -q "^$path: traceable" "$T/out" || fail "$cmd ($path): not traceable"
	grep -Fq "  runtime: $name (" "$T/out" ||
		fail "$cmd ($path): runtime $name not named"
	checked=$((checked + 1))
}

for cmd in ruby java php perl node; do
	case $cmd in
	ruby) name=Ruby ;;
	java) name=Java ;;
	php) name=PHP ;;
	perl) name=Perl ;;
	node) name=Node.js ;;
	esac
	path=$(command -v "$cmd" 2>/dev/null) || path=""
	if [ -z "$path" ]; then
		echo "# $cmd: not installed, not checked"
		continue
	fi
	runtime "$cmd" "$name" "$path"
	if [ "$cmd" = java ]; then
		grep -q "^$path: traceable, loads its socket code at run time (Java)$" "$T/out" ||
			fail "java: not reported as loading its socket code at run time"
		grep -Fxq "  HTTPS through JSSE is not decoded (Java's own TLS); plain HTTP is traced" "$T/out" ||
			fail "java: no line about JSSE"
	fi
done

# Every JDK or JRE installed in the usual place, once each.
seen=""
for java in /usr/lib/jvm/*/bin/java; do
	[ -x "$java" ] || continue
	real=$(readlink -f "$java")
	case " $seen " in *" $real "*) continue ;; esac
	seen="$seen $real"
	runtime java Java "$real"
	grep -Fxq "  HTTPS through JSSE is not decoded (Java's own TLS); plain HTTP is traced" "$T/out" ||
		fail "$real: no line about JSSE"
done

# python3: Debian's, which links the interpreter in, and the one PATH runs
# (a pyenv shim is a script: the real program is sys.executable), which may
# need libpython3.X.so and import no socket call.
runtime python3 Python "$PY"
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || py=""
if [ -n "$py" ] && [ "$(readlink -f "$py")" != "$(readlink -f "$PY")" ]; then
	runtime python3 Python "$py"
fi

note "$checked runtime programs checked"
pass
