#!/bin/bash
# test_formats_golden.sh - every format's output for one fixed capture
# (tests/fixtures/golden/session.cap: 7 processes, 8 requests, an exec,
# keep-alive, a refused connect, a 404 with a credential in its URL,
# HTTPS with HTTP/2 and with HTTP/1.1 POST) is exactly the committed
# session.FORMAT.  It holds the formats' bytes still while their code is
# moved or shared; a deliberate change of a format regenerates the file
# (the command is in tests/fixtures/golden/README).  What is random by
# design (HTML nonce, OTLP ids) is named stably first (normalize.py).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
g=$TOP/tests/fixtures/golden
for fmt in text json events har summary html otlp; do
	"$HTTPTRACE" read -f "$fmt" "$g/session.cap" >"$T/out.$fmt" 2>"$T/err.$fmt" ||
		{ show "$T/err.$fmt"; fail "$fmt: read exited $?"; }
	[ -s "$T/err.$fmt" ] && { show "$T/err.$fmt"; fail "$fmt: read complained"; }
	"$PY" "$g/normalize.py" <"$T/out.$fmt" >"$T/norm.$fmt"
	cmp -s "$T/norm.$fmt" "$g/session.$fmt" ||
		{ diff "$g/session.$fmt" "$T/norm.$fmt" | head -20 >&2; fail "$fmt: differs from tests/fixtures/golden/session.$fmt"; }
done
pass
