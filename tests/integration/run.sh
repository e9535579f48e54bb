#!/bin/bash
# run.sh - run the integration tests: every tests/integration/test_*.sh, or
# those named on the command line (test_foo.sh, test_foo or foo).
#
# Each test runs under a timeout (TEST_TIMEOUT, default 120 s); exit 0 is
# PASS, 77 SKIP, anything else FAIL.  A failing test's output is shown.
# The last line is "N passed, N failed" (", N skipped" when any).
#
# TEST_JOBS (default 1) tests run at once: each test has its own
# directory, its own ports (free_port) and its own processes, found by
# pid (a port free_port or closed_port names is not held: another test
# taking it is left to the kernel's choice among ~28,000); most of a
# test's time is spent waiting on its servers and clients, and the times
# a test bounds are far from what it measures.  Results are printed in
# the tests' order whatever order they end in.
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
timeout_s=${TEST_TIMEOUT:-120}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/httptrace-run.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

tests=()
if [ $# -eq 0 ]; then
	for t in "$dir"/test_*.sh; do
		[ -e "$t" ] && tests+=("$t")
	done
else
	for a in "$@"; do
		a=${a##*/}
		a=${a%.sh}
		a=${a#test_}
		[ -f "$dir/test_$a.sh" ] || {
			echo "run.sh: no test $dir/test_$a.sh" >&2
			exit 2
		}
		tests+=("$dir/test_$a.sh")
	done
fi

passed=0 failed=0 skipped=0
jobs=${TEST_JOBS:-1}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || jobs=1

# start_one I: runs test I in the background; its output, exit status
# and time go to $logdir/I.log, I.rc and I.secs (by index: a test named
# twice, to run it again, has files of each run's own)
start_one() {
	local t=${tests[$1]} f=$logdir/$1
	(
		start=$(date +%s.%N)
		timeout -k 10 "$timeout_s" bash "$t" </dev/null >"$f.log" 2>&1
		rc=$?
		awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' >"$f.secs"
		echo "$rc" >"$f.rc.tmp" && mv "$f.rc.tmp" "$f.rc"
	) &
}
# report I: test I's line (and its output when it failed), counted
report() {
	local name rc secs log=$logdir/$1.log why
	name=$(basename "${tests[$1]}" .sh)
	rc=$(<"$logdir/$1.rc")
	secs=$(<"$logdir/$1.secs")
	case $rc in
	0)
		printf 'PASS  %-28s %5ss\n' "$name" "$secs"
		passed=$((passed + 1))
		;;
	77)
		printf 'SKIP  %-28s %s\n' "$name" "$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP: [^:]*: //')"
		skipped=$((skipped + 1))
		;;
	*)
		why=""
		[ "$rc" -eq 124 ] && why=" (timed out after ${timeout_s}s)"
		printf 'FAIL  %-28s %5ss exit %d%s\n' "$name" "$secs" "$rc" "$why"
		sed 's/^/    | /' "$log"
		failed=$((failed + 1))
		;;
	esac
}
done_one() { [ -e "$logdir/$1.rc" ]; }

next=0    # the next test to report
started=0 # tests started
flush() { # reports the tests ended, in order, up to the first still running
	while [ "$next" -lt "$started" ] && done_one "$next"; do
		report "$next"
		next=$((next + 1))
	done
}
running() { # how many started tests have not ended
	local k n=0
	for ((k = next; k < started; k++)); do done_one "$k" || n=$((n + 1)); done
	echo "$n"
}
drain() { # waits until every started test has ended and is reported
	while [ "$next" -lt "$started" ]; do sleep 0.1; flush; done
}
# (polled: bash's wait -n may miss a job that ended just before it is
# called, and keep the slot idle until another ends)
for i in "${!tests[@]}"; do
	start_one "$i"
	started=$((started + 1))
	while [ "$(running)" -ge "$jobs" ]; do
		sleep 0.1
		flush
	done
	flush
done
drain
wait

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
