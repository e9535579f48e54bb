#!/bin/bash
# test_live_100_timings.sh - (from the review of 10b18bf, failed on
# 97712e5) a client killed while writing its body after a 100 Continue
# is reported in phase "send": its timings must agree (send_ms runs to the
# cut, no receive_ms), as report_timing_cut() does for a request cut
# while sending without a 100 Continue.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
sock=$T/ht.sock

# srv.py PORTFILE WITH100: answers 100 Continue (when WITH100 is 1), then an
# early 413 head with 10 of its 100000 body bytes, and never reads again.
cat >"$T/srv.py" <<'PYEOF'
import socket, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind(('127.0.0.1', 0)); l.listen(5)
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write(str(l.getsockname()[1]))
import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])
keep = []
while True:
    c, _ = l.accept(); c.recv(1000)
    if sys.argv[2] != '0':
        c.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
    time.sleep(0.2)
    if sys.argv[3] == '1':
        c.sendall(b'HTTP/1.1 413 Too Large\r\nContent-Length: 100000\r\n\r\n' + b'x' * 10)
    keep.append(c)
    open(sys.argv[1] + '.sent', 'a').write('x\n')
PYEOF
# client.py PORT: a POST of 20 MB with Expect: 100-continue, written on
# whatever comes back (a client that does not stop at the early answer).
cat >"$T/client.py" <<'PYEOF'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
n = 20 * 1000 * 1000
s.sendall(b'POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n'
          b'Content-Length: %d\r\n\r\n' % n)
s.settimeout(5)
got = b''
while b'413' not in got and sys.argv[2] == '1':
    got += s.recv(4096)
while b'100' not in got:
    got += s.recv(4096)
s.settimeout(None)
s.sendall(b'\0' * n)  # blocks: the server reads no more
PYEOF

run_one() { # WITH100 EARLY -> $T/out$1.json
	rm -f "$sock" "$T/port$1" "$T/port$1.sent"
	"$PY" "$T/srv.py" "$T/port$1" "$1" "$2" 2>"$T/srv$1.err" &
	_PIDS+=("$!")
	for _ in $(seq 100); do [ -s "$T/port$1" ] && break; sleep 0.05; done
	"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out$1.json" -w "$T/cap$1" 2>"$T/listen$1.err" &
	local lpid=$!
	_PIDS+=("$lpid")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
		"$PY" "$T/client.py" "$(cat "$T/port$1")" "$2" 2>"$T/client$1.err" &
	local cpid=$!
	_PIDS+=("$cpid")
	for _ in $(seq 100); do [ -s "$T/port$1.sent" ] && break; sleep 0.05; done
	sleep 0.5
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null || true
	for _ in $(seq 100); do
		grep -q '"event":"request"' "$T/out$1.json" 2>/dev/null && break
		sleep 0.05
	done
	kill -INT "$lpid"
	wait "$lpid" 2>/dev/null || true
}
# (1) no early answer: after the 100 Continue the body is being written
# when the client dies; phase send, as 10b18bf says, and then its timings
# must say so too: the send phase runs to the cut, no receive phase (the
# 100 Continue is no response body).  On 97712e5 the record says phase
# "send" with send_ms null and receive_ms ~500 (text: "sending the
# request" over a waterfall whose Content Transfer is the whole time).
run_one 2 0
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
