#!/bin/bash
# test_listen_late_client.sh - a client started with HTTPTRACE_SOCKET
# before any `listen` runs at that path is traced once one comes: its
# later requests are reported, and the requests it made before are counted
# in the collector's summary as dropped (`dropped_requests`): records plus
# requests counted dropped are exactly the requests nginx logged.
#
# No timing threshold: each step waits (bounded polls) for what the next
# needs: requests made with no collector, the collector's first record.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_nginx
nginx_log_mark
sock=$T/ht.sock

made() { [ -s "$T/made" ] && wc -l <"$T/made" || echo 0; }
made_at_least() { [ "$(made)" -ge "$1" ]; }

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock \
	"$PY" "$TESTS_DIR/late_client.py" "$NGINX_PORT" late "$T" 2>"$T/client.err" &
cpid=$!
_PIDS+=("$cpid")
# Requests made while nothing listens at the path.
wait_for "requests with no collector" made_at_least 5
"$HTTPTRACE" listen -s "$sock" -f json -o "$T/out.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
wait_for "the collector's first record of the client" has_request "$T/out.json"
touch "$T/stop"
wait "$cpid" || { show "$T/client.err"; fail "the client failed"; }
kill -TERM "$lpid"
wait "$lpid" || { show "$T/listen.err"; fail "listen exited $?"; }
[ ! -s "$T/client.err" ] || { show "$T/client.err"; fail "the client printed on stderr"; }

logged=$(nginx_log_since "$(made)")
"$PY" - "$T/out.json" "$logged" "$cpid" <<'PYEOF' ||
import ast, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
log = [r[6] for r in ast.literal_eval(sys.argv[2]) if "?late=" in r[6]]
pid = int(sys.argv[3])
reqs = [r for r in recs if r["event"] == "request" and "?late=" in r["url"]]
summ = [r for r in recs if r["event"] == "summary"]
assert len(summ) == 1, summ
s = summ[0]
paths = [r["url"][r["url"].index("/f/0?"):] for r in reqs]
print("# nginx %d, records %d, summary: dropped %s, dropped_requests %s"
      % (len(log), len(reqs), s.get("dropped"), s.get("dropped_requests")), file=sys.stderr)
assert all(r["pid"] == pid for r in reqs), "records of another process"
assert len(set(paths)) == len(paths), "a request reported twice"
assert set(paths) <= set(log), "a record nginx did not log"
assert len(log) - len(paths) >= 5, "the requests made before the collector came were reported"
assert s["dropped_requests"] == len(log) - len(paths), \
    "requests made before the collector came not counted (or counted wrong)"
assert s["dropped"] >= s["dropped_requests"] and s["malformed"] == 0
PYEOF
	fail "the requests made before the collector came are not counted right"
pass
