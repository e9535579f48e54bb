#!/bin/bash
# test_live_view.sh - with the text report on a terminal (tmux), the
# request in flight is shown under the report while the server holds the
# answer (method, URL, phase), and the area is gone once the run is over,
# the finished request in its place; with TERM=dumb nothing is shown.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux curl
start_gateserver
start_tmux
url=http://127.0.0.1:$GATE_PORT

tm send-keys "cd '$T' && '$HTTPTRACE' -- curl -s $url/held; echo run-done-\$?" Enter
wait_gate /held
wait_screen -F "GET $url/held  waiting for the first byte"
touch "$GATE_DIR/held"
wait_screen -F "run-done-0"
tm capture-pane -p >"$T/after"
grep -qF "GET $url/held -> 200 OK" "$T/after" || { show "$T/after"; fail "no finished request"; }
grep -qF "waiting for the first byte" "$T/after" && { show "$T/after"; fail "the live area was left on the screen"; }
grep -qx "ok" "$T/after" || { show "$T/after"; fail "curl's own output is not on a line of its own"; }

# TERM=dumb: no area while the request is held.
tm send-keys "clear; TERM=dumb '$HTTPTRACE' -- curl -s $url/dumb; echo dumb-done-\$?" Enter
wait_gate /dumb
# The area would show within a redraw (250 ms): wait for several.
sleep 1.5
tm capture-pane -p >"$T/dumb"
grep -qF "waiting for the first byte" "$T/dumb" && { show "$T/dumb"; fail "a live area with TERM=dumb"; }
touch "$GATE_DIR/dumb"
wait_screen -F "dumb-done-0"
pass
