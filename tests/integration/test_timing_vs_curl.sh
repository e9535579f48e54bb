#!/bin/bash
# test_timing_vs_curl.sh - the phases agree with curl's own timers: a server
# delay of 300 ms and 500 ms shows up in wait_ms.  Tolerances are wide (a
# shared, noisy machine): this checks the delay is seen where it belongs,
# not speed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_server
u=http://127.0.0.1:$SERVER_PORT

w='%{time_connect} %{time_pretransfer} %{time_starttransfer} %{time_total}\n'
"$HTTPTRACE" -f json -o "$T/out.json" -- \
	curl -s -o /dev/null -o /dev/null -w "$w" "$u/delay/300" "$u/delay/500" >"$T/curl.times" ||
	fail "httptrace -- curl exited $?"
[ "$(wc -l <"$T/curl.times")" = 2 ] || { show "$T/curl.times"; fail "no curl timings"; }

"$PY" - "$T/out.json" "$T/curl.times" <<'PYEOF' || fail "timings disagree"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs = [r for r in recs if r.get("event") == "request"]
curl = [[float(x) * 1000 for x in l.split()] for l in open(sys.argv[2])]
ok = len(recs) == 2
if not ok:
    print("expected 2 request records, got %d" % len(recs))
for r, (connect, pretransfer, starttransfer, total), delay in zip(recs, curl, (300, 500)):
    curl_wait = starttransfer - pretransfer
    checks = [
        ("wait_ms >= %d" % (delay - 10), r["wait_ms"] >= delay - 10),
        ("|wait_ms - curl wait %.1f| <= 100" % curl_wait, abs(r["wait_ms"] - curl_wait) <= 100),
        ("total_ms >= wait_ms", r["total_ms"] >= r["wait_ms"]),
        ("total_ms <= curl total %.1f + 100" % total, r["total_ms"] <= total + 100),
        ("send_ms, receive_ms >= 0", r["send_ms"] >= 0 and r["receive_ms"] >= 0),
        ("send+wait+receive <= total_ms + 1",
         r["send_ms"] + r["wait_ms"] + r["receive_ms"] <= r["total_ms"] + 1),
    ]
    if delay == 300:  # the first request opened the connection
        checks.append(("0 <= connect_ms <= curl connect %.1f + 50" % connect,
                       r["connect_ms"] is not None and 0 <= r["connect_ms"] <= connect + 50))
    else:
        checks.append(("connect_ms null on the reused connection", r["connect_ms"] is None))
    for what, good in checks:
        if not good:
            ok = False
            print("request %s: expected %s; got %s" % (r.get("url"), what, json.dumps(r)))
sys.exit(0 if ok else 1)
PYEOF
pass
