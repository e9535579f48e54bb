#!/bin/bash
# test_docs_links.sh - every relative link in README.md and docs/*.md, as
# [text](target) or ![alt](target), points to a file or folder that exists
# (resolved from the linking file's folder), and a #fragment into a
# Markdown file names one of its headings (GitHub's anchor: lower case,
# punctuation dropped, spaces as dashes).  A document or heading moved or
# renamed without its links following fails here.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

"$PY" - "$TOP" "$TOP/README.md" "$TOP"/docs/*.md >"$T/links" <<'PY' ||
import os, re, sys

top, docs = sys.argv[1], sys.argv[2:]
link = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
fence = re.compile(r'^\s*(```|~~~)')
bad, n = [], 0


def anchors(path):
    """The anchors GitHub makes for the headings of the Markdown file."""
    out, in_code = set(), False
    for line in open(path, encoding="utf-8"):
        if fence.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


for doc in docs:
    in_code = False
    for lineno, line in enumerate(open(doc, encoding="utf-8"), 1):
        if fence.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        # Inline code is no link.
        line = re.sub(r'`[^`]*`', '', line)
        for target in link.findall(line):
            if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', target) or target.startswith('#'):
                continue
            n += 1
            path = target.split('#', 1)[0]
            full = os.path.normpath(os.path.join(os.path.dirname(doc), path))
            frag = target.split('#', 1)[1] if '#' in target else None
            if not os.path.exists(full):
                bad.append("%s:%d: %s" % (os.path.relpath(doc, top), lineno, target))
            elif frag and full.endswith(".md") and frag not in anchors(full):
                bad.append("%s:%d: %s (no such heading)" %
                           (os.path.relpath(doc, top), lineno, target))
print(n)
if bad:
    sys.exit("links to nothing:\n  " + "\n  ".join(bad))
PY
	fail "a relative link points to no file"
n=$(cat "$T/links")
[ "$n" -ge 5 ] || fail "only $n relative links found: the extraction is broken"
note "$n relative links checked"
pass
