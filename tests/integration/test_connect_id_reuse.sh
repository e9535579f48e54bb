#!/bin/bash
# test_connect_id_reuse.sh (from the review of connkill, rev-connkill 9f6e039; failed on fba03e0) -
# a blocking connect that lasts (300 ms) and then fails with an error
# ht_connect_began() does not count (EPIPE: another thread's
# connect(AF_UNSPEC) on the socket) has had its slot shown for 300 ms,
# and `-f events` streamed its connect_start (peer null) after 50 ms; the
# hook then gives its id back (ht_connect_pre_drop()), and the program's
# next connection takes the same id: its connect_done is paired with the
# dead attempt's connect_start (a connect "of" 300 ms to the HTTP server,
# which answered at once), and the attempt itself never ends in the
# stream.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog connect_abandon
start_fullbacklog
start_server
sock=$T/ht.sock
"$HTTPTRACE" listen -s "$sock" -f events -o "$T/ev.json" 2>"$T/listen.err" &
lpid=$!
_PIDS+=("$lpid")
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock "$T/connect_abandon" epipe "$FULL_PORT" "$SERVER_PORT" >"$T/prog.out" ||
	{ show "$T/prog.out"; fail "the program failed"; }
grep -q '^first: -1 ' "$T/prog.out" || { show "$T/prog.out"; fail "the first connect did not fail"; }
mark=$(awk '/^mark /{print $2}' "$T/prog.out")
sleep 0.3
kill -INT "$lpid"
wait "$lpid" || fail "listen failed"
"$PY" - "$T/ev.json" "$mark" "$SERVER_PORT" <<'PYEOF' || { show "$T/ev.json" "$T/prog.out"; fail "events: a connection paired with another's connect_start"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mark, port = float(sys.argv[2]), sys.argv[3]
ok = [e["conn"] for e in ev if e["event"] == "connect_done" and (e.get("peer") or "").endswith(":" + port)]
assert len(ok) == 1, ok
bad = [e for e in ev if e["event"] == "connect_start" and e["conn"] == ok[0] and e["ts"] < mark]
assert not bad, bad
PYEOF
pass
