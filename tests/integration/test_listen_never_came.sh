#!/bin/bash
# test_listen_never_came.sh - a client started with HTTPTRACE_SOCKET at a
# path where no collector ever comes tries for a bounded window after its
# first attempt (60 s; HTTPTRACE_DEBUG's ",wait=1" makes it 1 s for this
# test), says so once (HTTPTRACE_DEBUG=1) and then makes no more attempt:
# strace sees exactly two stat()s of the path (the first attempt, and the
# one a second later that ends the window), however long it runs on, and
# the client's requests all reach nginx untouched.
#
# No timing threshold: the test waits (bounded poll) for the line, then
# lets the client run on for more than two retry intervals.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd strace
strace -f -o /dev/null /bin/true 2>/dev/null || skip "strace not permitted here"
start_nginx
nginx_log_mark
sock=$T/none.sock

LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$sock HTTPTRACE_DEBUG=1,wait=1 \
	strace -f -o "$T/client.strace" -e trace=stat,lstat,newfstatat,statx,prctl \
	"$PY" "$TESTS_DIR/late_client.py" "$NGINX_PORT" never "$T" 2>"$T/client.err" &
cpid=$!
_PIDS+=("$cpid")
said() { grep -q 'no collector came at HTTPTRACE_SOCKET: not tracing' "$T/client.err"; }
for _ in $(seq 200); do
	said && break
	kill -0 "$cpid" 2>/dev/null || { show "$T/client.err"; fail "the client died"; }
	sleep 0.1
done
said || { show "$T/client.err"; fail "no 'not tracing' line within 20 s: still trying"; }
sleep 2.5 # more than two retry intervals: a retry would come in them
touch "$T/stop"
wait "$cpid" || { show "$T/client.err"; fail "the client failed"; }

n=$(grep -c "\"$sock\"" "$T/client.strace")
note "stat()s of the path: $n; client requests: $(wc -l <"$T/made")"
[ "$n" = 2 ] || { grep -F "$sock" "$T/client.strace" >&2; fail "$n stat()s of the path, want 2"; }
# PR_GET_SECCOMP: once at start, once per attempt.
n=$(grep -c 'prctl(PR_GET_SECCOMP' "$T/client.strace")
[ "$n" = 3 ] || { grep prctl "$T/client.strace" >&2; fail "$n prctl(PR_GET_SECCOMP), want 3"; }
n=$(grep -c 'httptrace:' "$T/client.err")
[ "$n" = 2 ] || { show "$T/client.err"; fail "$n lines from the library, want 2 (absent, then gave up)"; }
made=$(wc -l <"$T/made")
logged=$(nginx_log_since "$made")
"$PY" - "$logged" "$made" <<'PYEOF' || fail "nginx did not log every request the client made"
import ast, sys
log = [r for r in ast.literal_eval(sys.argv[1]) if "?never=" in r[6]]
assert len(log) == int(sys.argv[2]) and all(r[2] == 200 for r in log), log[-3:]
PYEOF
pass
