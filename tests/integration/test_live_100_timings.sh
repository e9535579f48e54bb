#!/bin/bash
# test_live_100_timings.sh - (from the review of 10b18bf, failed on
# 97712e5) a client killed while writing its body after a 100 Continue
# is reported in phase "send": its timings must agree (send_ms runs to the
# cut, no receive_ms), as report_timing_cut() does for a request cut
# while sending without a 100 Continue.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
# shellcheck source=live100.sh
. "$TESTS_DIR/live100.sh"

# (1) no early answer: after the 100 Continue the body is being written
# when the client dies; phase send, as 10b18bf says, and then its timings
# must say so too: the send phase runs to the cut, no receive phase (the
# 100 Continue is no response body).  On 97712e5 the record says phase
# "send" with send_ms null and receive_ms ~500 (text: "sending the
# request" over a waterfall whose Content Transfer is the whole time).
live100_run 2 0 -w "$T/cap2"
jcheck "$T/out2.json" --count 1 \
	--each 'interim == 1 and error == "ended" and phase == "send"' \
	--each 'send_ms is not None and receive_ms is None'
# the other formats, from the same records, say so too
"$HTTPTRACE" read -f har -o "$T/out2.har" "$T/cap2" || fail "read -f har failed"
"$PY" - "$T/out2.har" <<'PYEOF' || { show "$T/out2.har"; fail "har: the cut is not in send"; }
import json, sys
e = json.load(open(sys.argv[1]))["log"]["entries"]
assert len(e) == 1, e
t = e[0]["timings"]
assert t["send"] > 300 and t["wait"] == 0 and t["receive"] == 0, t
PYEOF
"$HTTPTRACE" read -f otlp -o "$T/out2.otlp" "$T/cap2" || fail "read -f otlp failed"
"$PY" - "$T/out2.otlp" <<'PYEOF' || { show "$T/out2.otlp"; fail "otlp: the cut is not in send"; }
import json, sys
spans = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                spans += ss["spans"]
d = {s["name"]: int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])
     for s in spans}
assert "send" in d and d["send"] > 300e6, d
assert "receive" not in d, d
PYEOF
"$HTTPTRACE" read -f html -o "$T/out2.html" "$T/cap2" || fail "read -f html failed"
"$PY" - "$T/out2.html" <<'PYEOF' || fail "html: the cut is not in send"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="ht-data">(.*?)</script>', page, re.S)
recs = [r for r in json.loads(m.group(1))["records"] if "ph" in r]
assert len(recs) == 1, recs
ph = {p[0]: p[2] for p in recs[0]["ph"]}
assert ph.get("send", 0) > 300 and "receive" not in ph, recs[0]
PYEOF
"$HTTPTRACE" read -f text "$T/cap2" >"$T/out2.txt" 2>&1 || fail "read -f text failed"
grep -q 'sending the request' "$T/out2.txt" ||
	{ show "$T/out2.txt"; fail "text: not cut while sending the request"; }
# its waterfall row: Request Sent measured, Content Transfer "-"
"$PY" - "$T/out2.txt" <<'PYEOF' || { show "$T/out2.txt"; fail "text: the waterfall is not cut in send"; }
import sys
rows = [l for l in open(sys.argv[1]) if l.strip().startswith("[")]
assert len(rows) == 1, rows
cols = [c.strip() for c in rows[0].split("]")[0].strip(" [").split("|")]
assert cols[3].endswith("ms") and cols[5] == "-", cols
PYEOF
pass
