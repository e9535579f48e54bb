#!/bin/bash
# test_ws_old_capture.sh - (review of audit5) the capture
# tests/fixtures/ws_server_closes_cebd3f6.cap was written
# (httptrace -w) by cebd3f6 tracing a WebSocket server (websockets, Python)
# that pinged an untraced client 3 times, sent one message and closed
# first (1001 "bye") after the client's 2 messages.  cebd3f6's library
# wrote a server's session by the call's direction (dir[0] the client's
# frames, HT_WF_CLOSED_RECV: the server's close frame came first);
# c1305db swaps the library's record and has report.c read CLOSED_SENT of a
# server as the server's own close, with no version to tell the two apart:
# `httptrace read` of this version-2 capture now says the client closed it
# (cebd3f6 read it right: closed_by "server").
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
cap=$TOP/tests/fixtures/ws_server_closes_cebd3f6.cap
"$HTTPTRACE" read -f json -o "$T/out.json" "$cap" || fail "read exited $?"
jcheck "$T/out.json" --event websocket --count 1 \
	--each "websocket['closed_by'] == 'server'"
pass
