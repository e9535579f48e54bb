#!/bin/bash
# core/ is the pure part of the project (docs/internals.md "Layout"): parsers, state
# machines and the wire format, with no system calls and no allocation of
# their own, so that the unit suites test them alone.  Held here: the only
# outside symbols core's archive may use are the C library's pure memory and
# string functions (and the sanitizers' and the stack protector's own).
# Anything else (malloc, read, clock_gettime, dlopen, pthread_*) fails.
. "$(dirname "$0")/lib.sh"

ar=$(dirname "$HTTPTRACE")/libhtcore.a
[ -f "$ar" ] || fail "no $ar (make builds it)"
command -v nm >/dev/null || skip "no nm"

defined=$T/defined
nm --defined-only -g "$ar" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$defined"
[ -s "$defined" ] || fail "nm found no symbols in $ar"

allowed='^(mem(chr|cmp|cpy|move|set|rchr)|str(chr|cmp|cspn|len|ncmp|nlen|rchr|spn|ncasecmp|casecmp)|snprintf|__stack_chk_fail|__popcountdi2|__(a|ub)san_.*|__sanitizer_.*|_GLOBAL_OFFSET_TABLE_)$'
bad=$(nm -u "$ar" | awk '$1 == "U" { print $2 }' | sort -u | comm -23 - "$defined" | grep -Ev "$allowed" || true)
[ -z "$bad" ] || fail "core/ calls outside the pure set: $(echo $bad)"
n=$(nm -u "$ar" | awk '$1 == "U"' | wc -l)
note "core: $(wc -l <"$defined") symbols defined, $n references, all pure"
pass
