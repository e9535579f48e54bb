#!/bin/bash
# test_capture_replay_held.sh - `httptrace read` writes the records in the
# order the live run did when the live run held some back for their other
# end (join.h): a curl's requests to a server on this host wait for the
# server's records, while a later curl's refused connect (another
# process) goes out at once.  The collector is stopped while both curls
# run, so that it reads both at one wake-up: the refused connect comes
# out first in the live report, and the replay must say the same (it
# wrote the records as they arrived, the requests first, before the
# capture kept the collector's clock and where held records went out).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server
closed=$(closed_port)

# $PPID of the traced sh is httptrace, the collector.
cat >"$T/client.sh" <<SHEOF
kill -STOP \$PPID
curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$SERVER_PORT/bytes/10" \
	"http://127.0.0.1:$SERVER_PORT/bytes/20"
curl -s -o /dev/null "http://127.0.0.1:$closed/" || true
kill -CONT \$PPID
SHEOF

for fmt in text json; do
	"$HTTPTRACE" -w "$T/$fmt.cap" -f "$fmt" -o "$T/live.$fmt" -- sh "$T/client.sh" \
		2>"$T/run.$fmt.err" || { show "$T/run.$fmt.err"; fail "$fmt: httptrace exited $?"; }
	"$HTTPTRACE" read -f "$fmt" -o "$T/read.$fmt" "$T/$fmt.cap" 2>"$T/read.$fmt.err" ||
		{ show "$T/read.$fmt.err"; fail "$fmt: read exited $?"; }
	cmp "$T/live.$fmt" "$T/read.$fmt" ||
		{ diff "$T/live.$fmt" "$T/read.$fmt" >&2 || true; fail "$fmt: the replay differs from the live report"; }
done

# The premise: both curls did what they should, and the live run held the
# requests back past the refused connect.
jcheck "$T/live.json" --count 2 --expect 'resp_bytes == [10, 20]' \
	--each 'status == 200 and error is None'
jcheck "$T/live.json" --event connect_error --count 1
"$PY" - "$T/live.json" <<'PYEOF' || { show "$T/live.json"; fail "the requests were not held past the refused connect"; }
import json, sys
ev = [json.loads(l)["event"] for l in open(sys.argv[1])]
assert ev.index("connect_error") < ev.index("request"), ev
PYEOF
pass
