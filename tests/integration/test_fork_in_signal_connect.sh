#!/bin/bash
# test_fork_in_signal_connect.sh - review of forksig (87d16f4): a SIGALRM
# handler forks while the program connects to a refused loopback port; the
# child resumes the interrupted connect hook and _exit()s without a call of
# its own (its fd names /dev/null: its own connect would fail ENOTSOCK).
# Every "Connection refused" is the parent's: the summary's connect_errors
# (with the records counted dropped: the machine may be loaded) must equal
# the refusals the program saw (and at most as many more as connects it
# saw interrupted), none under a child's pid.
# Main 0fa002d: ~1/3 more connect errors than refusals, one per child whose
# fork landed after the real connect (track_connect() ran in the child);
# 4a50d34: a child whose fork landed in the hook after a connect
# interrupted by that signal (EINTR) tracked it, and its end said it
# "exited" in its connect phase (its page, its exit walk).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog fork_in_signal_connect
port=$(free_port 127.0.0.1)
timeout -k 5 120 "$HTTPTRACE" -f json -o "$T/out.json" -- \
	"$T/fork_in_signal_connect" "$port" 400 300 >"$T/prog.out" 2>"$T/prog.err" ||
	{ show "$T/prog.err"; fail "the program failed"; }
refused=$(sed -n 's/.*refused: \([0-9]*\).*/\1/p' "$T/prog.out")
eintr=$(sed -n 's/.*eintr: //p' "$T/prog.out")
"$PY" - "$T/out.json" "$refused" "$eintr" <<'PYEOF' || fail "connect errors reported by a child that made no connect"
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n, eintr = int(sys.argv[2]), int(sys.argv[3])
ce = [r for r in recs if r["event"] == "connect_error"]
summ = [r for r in recs if r["event"] == "summary"][0]
pids = collections.Counter(r["pid"] for r in ce)
print("refused", n, "eintr", eintr, "connect_error records", len(ce), "pids", len(pids),
      "summary", summ["connect_errors"], "dropped", summ["dropped"],
      "malformed", summ["malformed"], "parent", pids.most_common(1), file=sys.stderr)
# (an interrupted connect is told once: refused later, or "Operation
# canceled" when its fd closes still connecting; records dropped, of any
# kind, may hide some refusals but never add one)
assert len(pids) == 1 and n <= len(ce) + summ["dropped"] and len(ce) <= n + eintr, pids.most_common(3)
assert summ["connect_errors"] == len(ce), summ
PYEOF
pass
