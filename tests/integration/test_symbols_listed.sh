#!/bin/bash
# test_symbols_listed.sh - the one list of interposed functions
# (preload/symbols.h) is what the library exports, and what the
# documentation's table of hooked calls names: exactly, no more, no less.
# The list's VERS functions are exported in each version libc has them in,
# the others unversioned.
# (The checker's table is held to the list by tests/unit/check_symbols.c.)
#
# The documentation's table is read from docs/internals.md, else README.md:
# the first of the two holding the line <!-- interposed-symbols:begin -->;
# it ends at <!-- interposed-symbols:end -->.  Between the two, every line
# that starts with "| `NAME`" (a table row) or "- `NAME`" (a list item)
# names one function, NAME; other lines (a header row) name none.
. "$(dirname "$0")/lib.sh"

command -v nm >/dev/null || skip "no nm"
CPP=${CC:-cc}

# The list, one name a line, by the C preprocessor over symbols.h.
printf '#include "symbols.h"\n#define N(lib, kind, how, ret, name, params) name;\nHT_SYMBOLS(N)\n' |
	$CPP -E -P -undef -x c -I"$TOP/preload" - 2>"$T/cpp.err" |
	tr ';' '\n' | tr -d ' \t' | grep -v '^$' | sort >"$T/list" ||
	{ show "$T/cpp.err"; fail "the preprocessor could not read preload/symbols.h"; }
n=$(wc -l <"$T/list")
[ "$n" -ge 40 ] || fail "only $n names read from preload/symbols.h"

# What the library exports: its functions (not the version definitions,
# "A"), each name once (a VERS one is there in each of its versions).
nm -D --defined-only "$LIBHTTPTRACE" | awk '$2 != "A" { print $NF }' >"$T/exported.raw"
sed 's/@.*//' "$T/exported.raw" | sort -u >"$T/exported"
diff "$T/list" "$T/exported" >"$T/exp.diff" ||
	{ show "$T/exp.diff"; fail "$LIBHTTPTRACE exports other functions than the list (< list, > exported)"; }

# The list's VERS functions are exported in exactly the versions the libc
# the library runs with has (name@@DEFAULT, name@OLD), and no other name
# has a version (a versioned definition would not take a program's calls
# bound to libc's version).
printf '#include "symbols.h"\n#define N(lib, kind, how, ret, name, params) how name;\nHT_SYMBOLS(N)\n' |
	$CPP -E -P -undef -x c -I"$TOP/preload" - | tr ';' '\n' |
	awk '$1 == "VERS" { print $2 }' >"$T/vers"
[ -s "$T/vers" ] || fail "no VERS function read from preload/symbols.h"
libc=$(ldd "$LIBHTTPTRACE" | awk '$1 == "libc.so.6" { print $3 }')
[ -r "$libc" ] || fail "the library's libc.so.6 not found by ldd"
nm -D --defined-only "$libc" | awk '{ print $NF }' |
	grep -E "^($(paste -sd'|' "$T/vers"))@" | sort >"$T/vers.libc"
grep @ "$T/exported.raw" | sort >"$T/vers.exported"
diff "$T/vers.libc" "$T/vers.exported" >"$T/vers.diff" ||
	{ show "$T/vers.diff"; fail "the versioned exports are not libc's versions of the VERS functions (< $libc, > exported)"; }

doc=
for f in docs/internals.md README.md; do
	if grep -q '^<!-- interposed-symbols:begin -->' "$TOP/$f" 2>/dev/null; then
		doc=$f
		break
	fi
done
[ -n "$doc" ] || fail "neither docs/internals.md nor README.md has the table of interposed functions (<!-- interposed-symbols:begin -->)"
grep -q '^<!-- interposed-symbols:end -->' "$TOP/$doc" || fail "$doc: the table has no end marker"
sed -n '/^<!-- interposed-symbols:begin -->/,/^<!-- interposed-symbols:end -->/p' "$TOP/$doc" |
	sed -n 's/^[|-] *`\([A-Za-z0-9_]*\)`.*/\1/p' | sort >"$T/doc"
diff "$T/list" "$T/doc" >"$T/doc.diff" ||
	{ show "$T/doc.diff"; fail "$doc's table names other functions than preload/symbols.h (< list, > $doc)"; }
note "$n functions: exported and in $doc's table; versioned: $(paste -sd' ' "$T/vers.exported")"
pass
