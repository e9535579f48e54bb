#!/bin/bash
# The man page is the reference for every option: each option that a
# command's --help prints (httptrace, listen, env, read, check) has an
# entry of its own in man/httptrace.1's OPTIONS (the tag line after a
# .TP).  An option added to a command without the man page following
# fails here.
. "$(dirname "$0")/lib.sh"
require_built

man=$TOP/man/httptrace.1
[ -f "$man" ] || fail "no $man"
# The tag lines of OPTIONS, as text: "\-" is a dash; font changes go.
awk '/^\.SH/ { in_sec = ($2 == "OPTIONS"); next }
     in_sec && tag { print; tag = 0; next }
     in_sec && /^\.TP/ { tag = 1 }' "$man" |
	sed 's/\\-/-/g; s/\\f[BIRP]//g' >"$T/man.txt"
[ -s "$T/man.txt" ] || fail "no OPTIONS entries found in $man"

total=0
for cmd in "" listen env read check; do
	# shellcheck disable=SC2086 # an empty $cmd is no argument
	"$HTTPTRACE" $cmd --help >"$T/help" 2>&1 ||
		fail "httptrace $cmd --help exited $?"
	# Options: a dash or two and a letter, at the start of a word.
	{ grep -oE '(^|[][[:space:](,|])--?[A-Za-z][A-Za-z0-9-]*' "$T/help" || true; } |
		sed 's/^[^-]*//' | sort -u >"$T/opts"
	while read -r opt; do
		grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)" "$T/man.txt" ||
			fail "httptrace $cmd --help prints $opt, man/httptrace.1 has no OPTIONS entry for it"
		total=$((total + 1))
	done <"$T/opts"
	note "httptrace $cmd: $(tr '\n' ' ' <"$T/opts")"
done
# The extraction itself works: the run command's help has at least these.
[ "$total" -ge 20 ] || fail "only $total options found in the help texts"
note "$total options checked against the man page"
pass
