#!/bin/bash
# test_events.sh - -f events gives one JSON line per lifecycle event, in
# order, for a request on a new connection; "Expect: 100-continue" adds
# got_1xx_response.  The stream ends with the run's summary line (what was
# dropped or malformed is said in every format).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
start_named_server
u=http://$HOST:$SERVER_PORT

"$HTTPTRACE" -f events -o "$T/events.json" -- curl -s -o /dev/null "$u/bytes/100" ||
	fail "httptrace -f events -- curl exited $?"

expected='["connect_start", "connect_done", "got_conn", "wrote_headers",
	"wrote_request", "got_first_response_byte", "response_done",
	"put_idle_conn", "conn_closed"]'
if [ "$HAVE_DNS" = 1 ]; then
	expected='["dns_start", "dns_done", '${expected#[}
fi
jcheck "$T/events.json" --event all \
	--expect "event[:-1] == $expected and event[-1] == 'summary'" \
	--expect 'recs[-1]["dropped"] == 0 and recs[-1]["requests"] == 1' \
	--expect 'len(set(pid[:-1])) == 1 and ts[:-1] == sorted(ts[:-1])' \
	--expect 'len(set(c for c, e in zip(conn[:-1], event[:-1]) if not e.startswith("dns"))) == 1'

head -c 3000 /dev/urandom >"$T/body"
"$HTTPTRACE" -f events -o "$T/events2.json" -- \
	curl -s -o /dev/null -H 'Expect: 100-continue' --data-binary @"$T/body" "$u/echo" ||
	fail "httptrace -f events -- curl POST exited $?"
jcheck "$T/events2.json" --event all \
	--expect 'event.count("got_1xx_response") == 1' \
	--expect 'event.index("wrote_headers") < event.index("got_1xx_response") < event.index("response_done")' \
	--expect 'event.index("wrote_request") < event.index("response_done")'
pass
