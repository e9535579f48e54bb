#!/bin/bash
# test_dns_cut_formats.sh - a name lookup cut short by its process's end
# is drawn as the lookup it was in HTML and OTLP, not as a failed
# connection, and HAR (no entry for a lookup alone) leaves it out.  A
# program of our own (dns_hold) resolves a name through a DNS server of
# the test's that never answers (udphold.py, 127.0.0.1); once the server
# has the query, the program is killed (SIGKILL, by its pid).  The
# capture (-w) replayed: the HTML page's records hold one row of kind
# "dns" for the name, its error "killed (SIGKILL)", no row of a failed
# connection; OTLP one span "dns" with dns.question.name and error.type
# "killed", no span "connect"; HAR no entry.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog dns_hold
start_udphold
name=cut.example.test

"$HTTPTRACE" -w "$T/cap" -- "$T/dns_hold" "$UDP_PORT" "$name" >"$T/prog.out" 2>"$T/ht.err" &
ht=$!
_PIDS+=("$ht")
wait_file_line "$T/udp.log" '^query ' || fail "the DNS server never had the query"
prog=$(pgrep -P "$ht" -x dns_hold || true)
[ -n "$prog" ] || fail "no dns_hold child of httptrace"
kill -KILL "$prog"
wait "$ht" || true
[ -s "$T/cap" ] || { show "$T/ht.err"; fail "no capture"; }

"$HTTPTRACE" read -f html -o "$T/out.html" "$T/cap" || fail "read -f html failed"
"$PY" - "$T/out.html" "$name" <<'PYEOF' || fail "html: the lookup is not drawn as one"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="ht-data">(.*?)</script>', page, re.S)
recs = json.loads(m.group(1))["records"]
dns = [r for r in recs if r.get("k") == "dns"]
assert len(dns) == 1, recs
r = dns[0]
assert r["host"] == sys.argv[2] and r["lookup"] == 1, r
assert r["error"] == "killed (SIGKILL)", r
assert [p[0] for p in r["ph"]] == ["dns"] and r["total"] > 0, r
assert not [x for x in recs if x.get("k") == "fail"], recs
PYEOF

"$HTTPTRACE" read -f otlp -o "$T/out.otlp" "$T/cap" || fail "read -f otlp failed"
"$PY" - "$T/out.otlp" "$name" <<'PYEOF' || fail "otlp: the lookup is not a dns span"
import json, sys
spans = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                spans += ss["spans"]
names = [s["name"] for s in spans]
assert names == ["dns"], names
attrs = {a["key"]: list(a["value"].values())[0] for a in spans[0]["attributes"]}
assert attrs["dns.question.name"] == sys.argv[2], attrs
assert attrs["error.type"] == "killed", attrs
assert spans[0]["status"]["code"] == 2 and "SIGKILL" in spans[0]["status"]["message"], spans[0]
PYEOF

"$HTTPTRACE" read -f har -o "$T/out.har" "$T/cap" || fail "read -f har failed"
"$PY" -c 'import json, sys; e = json.load(open(sys.argv[1]))["log"]["entries"]; assert e == [], e' \
	"$T/out.har" || { show "$T/out.har"; fail "har: the lookup became an entry"; }
pass
