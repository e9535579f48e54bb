#!/bin/bash
# test_live_view_noisy.sh - the live view never damages the command's own
# output: on a terminal (tmux, 120x40), a traced command prints 150
# numbered lines while three of its requests wait; every line is on the
# screen and in the scrollback intact and once, no status text in any of
# them, the area is shown while the requests wait, and once the run is
# over nothing of it is left (nor its scroll region: the terminal
# scrolls whole again).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd tmux curl
start_gateserver
start_tmux
url=http://127.0.0.1:$GATE_PORT

# The command: three requests held by the server, then (once the test
# saw the area) 150 lines, a few ms apart so that the area is redrawn
# between them.
cat >"$T/noisy.sh" <<NOISY
#!/bin/bash
for i in 1 2 3; do curl -s -o /dev/null $url/n\$i & done
while [ ! -e '$T/go' ]; do sleep 0.05; done
for i in \$(seq 150); do
	echo "LINE \$i of the command's own output .........."
	sleep 0.01
done
touch '$T/printed'
wait
echo NOISY-DONE
NOISY
chmod +x "$T/noisy.sh"

tm send-keys "cd '$T' && '$HTTPTRACE' -- ./noisy.sh; echo run-done-\$?" Enter
wait_gate /n1
wait_gate /n2
wait_gate /n3
wait_screen -F "GET $url/n"
touch "$T/go"
for _ in $(seq 400); do [ -e "$T/printed" ] && break; sleep 0.05; done
[ -e "$T/printed" ] || fail "the command never printed its lines"
# While the requests still wait: the area is there, under the lines.
wait_screen -F "LINE 150 of"
tm capture-pane -p >"$T/mid"
grep -qF "waiting for the first byte" "$T/mid" || { show "$T/mid"; fail "no live area while the requests wait"; }
touch "$GATE_DIR/n1" "$GATE_DIR/n2" "$GATE_DIR/n3"
wait_screen -F "run-done-0"
tm capture-pane -p -S - >"$T/after"

bad=$(grep -F "LINE " "$T/after" | grep -cvx "LINE [0-9]* of the command's own output \.*" || true)
[ "$bad" -eq 0 ] || { show "$T/after"; fail "$bad of the command's lines damaged"; }
for i in $(seq 150); do
	n=$(grep -cx "LINE $i of the command's own output \.*" "$T/after" || true)
	[ "$n" -eq 1 ] || { show "$T/after"; fail "LINE $i is there $n times, not once"; }
done
grep -qF "waiting for the first byte" "$T/after" && { show "$T/after"; fail "status text left on the screen or in the scrollback"; }
grep -F "in flight" "$T/after" && { show "$T/after"; fail "status text left on the screen or in the scrollback"; }
for i in 1 2 3; do
	grep -qF "GET $url/n$i -> 200 OK" "$T/after" || { show "$T/after"; fail "no finished request n$i"; }
done
grep -qx "NOISY-DONE" "$T/after" || { show "$T/after"; fail "the command's last line is not whole"; }
# The terminal scrolls whole again (no region left behind).
lower=$(tm display-message -p '#{scroll_region_lower}')
[ "$lower" = 39 ] || fail "a scroll region left behind: lower margin $lower, not 39"
pass
