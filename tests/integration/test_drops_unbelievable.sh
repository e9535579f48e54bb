#!/bin/bash
# test_drops_unbelievable.sh - a peer of the collector's own user that
# sends counts no process could have does not set the summary's `dropped`:
# a DROPS record of 2^64-1 records, a HELLO claiming 2^64-1 records lost
# while away, a count that goes down and more dropped than produced are
# each counted as malformed.  A believable DROPS on the same socket is
# counted (the records are well formed: the control).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# The wire format of core/wire.h: "HT", version 1, type, u32 length,
# then the body, little-endian.
cat >"$T/peer.py" <<'PYEOF'
import os, socket, struct
HELLO, DROPS = 1, 5
def rec(typ, body):
    return b"HT" + bytes([1, typ]) + struct.pack("<I", 8 + len(body)) + body
def hello(pid, away):
    exe = b"/peer"
    return rec(HELLO, struct.pack("<IIIH", pid, 1, 0, len(exe)) + exe
               + struct.pack("<QQ", 1, away))
def drops(pid, dropped, produced):
    return rec(DROPS, struct.pack("<IQQI", pid, dropped, produced, 0))
def peer(*msgs):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(os.environ["HTTPTRACE_SOCKET"])
    for m in msgs:
        s.send(m)
    s.close()
peer(drops(4000001, 2**64 - 1, 0))                        # malformed
peer(hello(4000002, 0),
     drops(4000002, 5, 10),                               # +5
     drops(4000002, 3, 10),                               # went down
     drops(4000002, 20, 10),                              # > produced
     drops(4000002, 2**64 - 1, 2**64 - 1))                # > 2^40
peer(hello(4000003, 2**64 - 1))                           # malformed away
PYEOF

"$HTTPTRACE" -f json -o "$T/out.json" -- "$PY" "$T/peer.py" 2>"$T/run.err" ||
	{ show "$T/run.err"; fail "httptrace exited $?"; }
jcheck "$T/out.json" --event summary --count 1 \
	--each 'dropped == 5' --each 'malformed == 5'
pass
