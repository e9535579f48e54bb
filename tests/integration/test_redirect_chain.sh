#!/bin/bash
# test_redirect_chain.sh - curl -L follows a chain of redirects across two
# servers (127.0.0.1, then 127.0.0.2, then a relative Location on the
# second server's kept-alive connection), as in the Go blog's google.com ->
# www.google.com example.  Each hop is recorded with its own connection
# (new, new, reused), linked to the hop before it, and all share one chain;
# the text report shows the chain together, JSON links each hop to the one
# before; Python's urllib is linked the same way; a redirect that is not
# followed (curl without -L) starts no chain of two.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server 127.0.0.2
p2=$SERVER_PORT
start_server 127.0.0.1
p1=$SERVER_PORT

# hop 3 is relative to hop 2's URL; hop 2 is absolute, percent-encoded
to2=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
	"http://127.0.0.2:$p2/redirect/302?to=../bytes/10")
url="http://127.0.0.1:$p1/redirect/301?to=$to2"

curl_same chain -L "$url"
[ "$CURL_RC" = 0 ] || fail "curl -L exited $CURL_RC"
[ "$(cat "$T/chain.out")" = "200 10" ] || fail "curl did not end at /bytes/10: $(cat "$T/chain.out")"

"$HTTPTRACE" -o "$T/text" -- curl -s -o /dev/null -L "$url" || fail "traced curl exited $?"
show_on_fail() { show "$T/text"; fail "$*"; }
grep -q "redirect hop 1 -> http://127.0.0.2:$p2/redirect/302?to=../bytes/10  chain [0-9]*/1/1" "$T/text" ||
	show_on_fail "hop 1 not shown with its target"
grep -q "redirect hop 2 from conn 1 req 1 -> http://127.0.0.2:$p2/bytes/10  chain [0-9]*/1/1" "$T/text" ||
	show_on_fail "hop 2 not linked to hop 1"
grep -q "redirect hop 3 from conn 2 req 1  chain [0-9]*/1/1" "$T/text" ||
	show_on_fail "hop 3 not linked to hop 2"
grep -q "redirect chains: 1 (2 requests followed a redirect)" "$T/text" ||
	show_on_fail "summary does not count the chain"
# The chain together, in order, with each hop's connection reuse.
awk '/^  chain [0-9]+\/1\/1: 3 hops/ { on = 1; next } on && /^    [0-9]/ { print } on && !/^    [0-9]/ { on = 0 }' \
	"$T/text" >"$T/hops"
sed -e 's/  [0-9.]*ms$//' "$T/hops" >"$T/hops.cut"
cat >"$T/hops.want" <<EOT
    1  GET http://127.0.0.1:$p1/redirect/301?to=$to2 -> 301  new conn 1
    2  GET http://127.0.0.2:$p2/redirect/302?to=../bytes/10 -> 302  new conn 2
    3  GET http://127.0.0.2:$p2/bytes/10 -> 200  reused conn 2
EOT
diff "$T/hops.want" "$T/hops.cut" >&2 || show_on_fail "the chain's hops differ"

# The same links in JSON.
"$HTTPTRACE" -f json -o "$T/chain.json" -- curl -s -o /dev/null -L "$url" || fail "traced curl exited $?"
jcheck "$T/chain.json" --count 3 \
	--expect 'status == [301, 302, 200]' \
	--expect 'conn == [1, 2, 2] and reused == [False, False, True]' \
	--expect 'len(set(chain)) == 1 and chain[0] == "%d/1/1" % pid[0]' \
	--expect 'redirect_from[0] is None' \
	--expect 'redirect_from[1] == {"pid": pid[0], "conn": 1, "req": 1}' \
	--expect 'redirect_from[2] == {"pid": pid[0], "conn": 2, "req": 1}' \
	--expect "redirect_to == ['http://127.0.0.2:$p2/redirect/302?to=../bytes/10', 'http://127.0.0.2:$p2/bytes/10', None]"

# Python's urllib follows redirects too (a new connection for each hop).
"$HTTPTRACE" -f json -o "$T/py.json" -- "$PY" -c \
	'import sys, urllib.request; print(len(urllib.request.urlopen(sys.argv[1]).read()))' "$url" \
	>"$T/py.out" || fail "traced python exited $?"
[ "$(cat "$T/py.out")" = 10 ] || fail "python read $(cat "$T/py.out") bytes"
jcheck "$T/py.json" --count 3 \
	--expect 'status == [301, 302, 200]' \
	--expect 'len(set(chain)) == 1 and None not in chain' \
	--expect 'redirect_from[0] is None and nonnull(redirect_from[1:])' \
	--expect '[(h["conn"], h["req"]) for h in redirect_from[1:]] == [(conn[0], req[0]), (conn[1], req[1])]'

# Without -L the 301 is the only request: no chain of two.
"$HTTPTRACE" -o "$T/nofollow" -- curl -s -o /dev/null "$url" || fail "curl exited $?"
grep -q "redirect hop 1 -> " "$T/nofollow" || { show "$T/nofollow"; fail "the 301's target not shown"; }
! grep -q "redirect chains:" "$T/nofollow" || { show "$T/nofollow"; fail "a chain without a second hop was listed"; }
pass
