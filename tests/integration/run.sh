#!/bin/bash
# run.sh - run the integration tests: every tests/integration/test_*.sh, or
# those named on the command line (test_foo.sh, test_foo or foo).
#
# Each test runs alone under a timeout (TEST_TIMEOUT, default 120 s); exit 0
# is PASS, 77 SKIP, anything else FAIL.  A failing test's output is shown.
# The last line is "N passed, N failed" (", N skipped" when any).
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
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$logdir/$name.log
	start=$(date +%s.%N)
	timeout -k 10 "$timeout_s" bash "$t" </dev/null >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
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
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
