#!/bin/bash
# The "Layout" block of docs/internals.md describes the tree as it is: every
# folder it names exists, and every folder that holds C sources (.c or .h,
# outside build/) is named there.  A folder added, moved or removed without
# the document following fails here.
. "$(dirname "$0")/lib.sh"

doc=$TOP/docs/internals.md
[ -f "$doc" ] || fail "no $doc"

# The folders named: the first word of each line of the first code block
# after "## Layout" that ends in a slash.
named=$T/named
awk '/^## Layout/ { in_sec = 1; next }
     in_sec && /^## / { exit }
     in_sec && /^```/ { if (in_code) exit; in_code = 1; next }
     in_code && $1 ~ /\/$/ { sub(/\/$/, "", $1); print $1 }' "$doc" |
	sort -u >"$named"
[ -s "$named" ] || fail "no Layout block with folders in $doc"

missing=""
while read -r d; do
	[ -d "$TOP/$d" ] || missing="$missing $d"
done <"$named"
[ -z "$missing" ] || fail "Layout names folders that do not exist:$missing"

# The files named on a line of their own (a path in the first word, not a
# folder): each exists.
files=$T/files
awk '/^## Layout/ { in_sec = 1; next }
     in_sec && /^## / { exit }
     in_sec && /^```/ { if (in_code) exit; in_code = 1; next }
     in_code && /^[^ \t]/ && $1 ~ /\/[^\/]+$/ { print $1 }' "$doc" >"$files"
while read -r f; do
	[ -f "$TOP/$f" ] || missing="$missing $f"
done <"$files"
[ -z "$missing" ] || fail "Layout names files that do not exist:$missing"

sources=$T/sources
(cd "$TOP" && find . \( -name build -o -name .git \) -prune -o \
	-type f \( -name '*.c' -o -name '*.h' \) -print) |
	sed 's|^\./||; s|/[^/]*$||' | sort -u >"$sources"
[ -s "$sources" ] || fail "found no C sources under $TOP"
unnamed=$(comm -23 "$sources" "$named" | tr '\n' ' ')
[ -z "$unnamed" ] || fail "folders with C sources that Layout does not name: $unnamed"

note "Layout names $(wc -l <"$named") folders, $(wc -l <"$files") files; $(wc -l <"$sources") hold C sources"
pass
