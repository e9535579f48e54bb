#!/bin/bash
# test_rel_sigaltstack.sh - a signal handler running on an alternate signal
# stack makes an HTTP request with raw write()/read(): traced, it gets the
# same response, the request is recorded, and the library's hooks (the
# parser, the record, the send to the collector) add at most 2 KiB to the
# deepest point of that stack (measured by painting it; the program is
# linked -z now so that lazy symbol binding, which saves the whole register
# state on the stack, does not hide the hooks' own use).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog altstack -Wl,-z,now
start_server

run_same alt json "$T/altstack" "$SERVER_PORT"
[ "$RUN_RC" = 0 ] || { show "$T/alt.err"; fail "altstack exited $RUN_RC"; }
[ "$(cat "$T/alt.out")" = "200 100" ] || fail "unexpected output: $(cat "$T/alt.out")"
jcheck "$T/alt.json" --count 1 \
	--each 'status == 200 and resp_bytes == 100 and error is None'

plain=$(awk '/^altstack-peak/ { print $2 }' "$T/alt.plain.err")
traced=$(awk '/^altstack-peak/ { print $2 }' "$T/alt.err")
[ -n "$plain" ] && [ -n "$traced" ] || { show "$T/alt.plain.err" "$T/alt.err"; fail "no altstack-peak line"; }
note "signal stack peak: untraced $plain bytes, traced $traced bytes"
[ $((traced - plain)) -le 2048 ] ||
	fail "tracing grew the signal stack's use by $((traced - plain)) bytes (untraced $plain, traced $traced)"
pass
