#!/bin/bash
# fuzz.sh - run each libFuzzer target for a while (make fuzz calls it):
#
#     scripts/fuzz.sh DIR SECONDS TARGET...
#
# DIR holds the built targets DIR/fuzz_<t> (make fuzz-build).  Each target
# runs for SECONDS on a working copy of its seed corpus in DIR/corpus/<t>/
# (the committed seeds in tests/fuzz/corpus/<t>/ never grow); its output
# goes to DIR/<t>.log and a crashing input to DIR/crashes/<t>/.  Every
# target runs even when an earlier one crashed; the exit status is 1 when
# any crashed (each one's report and how to reproduce it are shown), else 0.
#
# FUZZ_JOBS targets (default: the number of CPUs) run at once, each a
# single process with files of its own (corpus, crashes, log): every
# target still gets SECONDS of a CPU, and the run takes SECONDS times
# the targets over FUZZ_JOBS instead of SECONDS times the targets.  The
# results are shown in the order the targets were named.
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: $0 DIR SECONDS TARGET..." >&2; exit 2; }
fb=$1 seconds=$2
shift 2
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

# fuzz_one T: run target T for SECONDS; its exit status is the fuzzer's.
fuzz_one() {
	local t=$1
	"$fb/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$fb/crashes/$t/" \
		"$fb/corpus/$t" >"$fb/$t.log" 2>&1
}

declare -A pid_of
running=0
for t in "$@"; do
	mkdir -p "$fb/corpus/$t" "$fb/crashes/$t" || exit 1
	cp tests/fuzz/corpus/"$t"/* "$fb/corpus/$t/" || exit 1
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "fuzz: $t for ${seconds}s"
	fuzz_one "$t" &
	pid_of[$t]=$!
	running=$((running + 1))
done

failed=()
for t in "$@"; do
	wait "${pid_of[$t]}" || failed+=("$t")
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' \
		"$fb/$t.log" | sed "s/^/  $t /"
done

[ ${#failed[@]} -eq 0 ] && exit 0
for t in "${failed[@]}"; do
	echo "fuzz: $t FAILED ($fb/$t.log):"
	grep -E -A30 '^==[0-9]+==|invariant broken|runtime error' "$fb/$t.log" | head -60
	ls "$fb/crashes/$t/"
	echo "fuzz: reproduce with $fb/fuzz_$t FILE; once fixed," \
		"keep FILE in tests/fuzz/regressions/$t/"
done
exit 1
