#!/bin/bash
# test_capture_damaged.sh - `httptrace read` of a capture cut short (at
# several offsets: inside a frame, at a frame boundary, just before the end
# mark) or with one flipped byte reports everything before the damage
# (its requests are a prefix of the whole capture's, the summary follows),
# says on standard error at which byte and frame it stopped and why, and
# exits 1.  A file that is not a capture, of another version, empty or cut
# inside its header gives a clear message and exit 2, with no report.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl
start_server
u=http://127.0.0.1:$SERVER_PORT

"$HTTPTRACE" -w "$T/cap" -- sh -c "
	curl -s -o /dev/null -o /dev/null -o /dev/null '$u/bytes/10' '$u/bytes/20' '$u/bytes/30'
	curl -s -o /dev/null -o /dev/null '$u/bytes/40' '$u/bytes/50'
	curl -s -o /dev/null '$u/bytes/60'" 2>"$T/run.err" ||
	{ show "$T/run.err"; fail "httptrace -w exited $?"; }
"$HTTPTRACE" read -f json "$T/cap" >"$T/full.json" || fail "read of the whole capture exited $?"
jcheck "$T/full.json" --count 6 --expect 'resp_bytes == [10, 20, 30, 40, 50, 60]'

# The frame boundaries, from the format (httptrace(1), CAPTURE AND READ): a
# 32-byte header, then frames of a 16-byte header and a payload whose
# length is the header's first u32.
"$PY" - "$T/cap" >"$T/bounds" <<'PYEOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = struct.unpack_from("<H", data, 10)[0]
while off < len(data):
    print(off)
    off += 16 + struct.unpack_from("<I", data, off)[0]
assert off == len(data), (off, len(data))
print(off)
PYEOF
size=$(stat -c %s "$T/cap")
[ "$(tail -n1 "$T/bounds")" = "$size" ] || fail "frame walk did not end at the file size"
nframes=$(($(wc -l <"$T/bounds") - 1))
note "capture: $size bytes, $nframes frames"

# check_prefix OUT: OUT's request lines are the first ones of the whole
# capture's, and its last line is a summary.
check_prefix() {
	"$PY" - "$1" "$T/full.json" <<'PYEOF' || fail "${1##*/}: not a prefix of the whole report"
import json, sys
part = [json.loads(l) for l in open(sys.argv[1])]
full = [json.loads(l) for l in open(sys.argv[2])]
assert part[-1]["event"] == "summary", part[-1]
body = part[:-1]
assert body == full[:len(body)], (body, full)
PYEOF
}

# expect_damage CUTFILE WHAT BYTE FRAME: read CUTFILE, expect exit 1 and
# "capture WHAT at byte BYTE (frame FRAME)" on standard error.
expect_damage() {
	local f=$1 what=$2 byte=$3 frame=$4 rc=0
	"$HTTPTRACE" read -f json "$f" >"$f.json" 2>"$f.err" || rc=$?
	[ "$rc" = 1 ] || { show "$f.err"; fail "${f##*/}: read exited $rc, not 1"; }
	grep -q "^httptrace: $f: capture $what at byte $byte (frame $frame): " "$f.err" ||
		{ show "$f.err"; fail "${f##*/}: expected 'capture $what at byte $byte (frame $frame)'"; }
	check_prefix "$f.json"
}

# Cuts: inside the first frames, in the middle, at a frame boundary, one
# byte short of the end.  The read stops at the last boundary before it.
last_start=$(sed -n "${nframes}p" "$T/bounds")
mid_start=$(sed -n "$((nframes / 2))p" "$T/bounds")
for cut in 40 $((mid_start + 5)) $((mid_start + 16 + 1)) $((size - 1)); do
	head -c "$cut" "$T/cap" >"$T/cut.$cut"
	# The frame holding the cut, and where it starts.
	frame=$(awk -v c="$cut" '$1 <= c { n = NR; s = $1 } END { print n, s }' "$T/bounds")
	expect_damage "$T/cut.$cut" "cut short" "${frame#* }" "${frame% *}"
	grep -q "file ends inside a frame" "$T/cut.$cut.err" || { show "$T/cut.$cut.err"; fail "cut $cut: no reason"; }
done
# Cut exactly before the end mark: the frames are whole, the end is missing.
head -c "$last_start" "$T/cap" >"$T/cut.noend"
expect_damage "$T/cut.noend" "cut short" "$last_start" "$nframes"
grep -q "no end mark" "$T/cut.noend.err" || { show "$T/cut.noend.err"; fail "no-end cut: no reason"; }
# Everything but the end mark reports every request.
[ "$(grep -c '"event":"request"' "$T/cut.noend.json")" = 6 ] || fail "no-end cut lost requests"

# One flipped byte inside the payload of a message frame from the middle
# on (open and close frames have no payload).
"$PY" - "$T/cap" "$T/flipped" "$nframes" >"$T/flip.at" <<'PYEOF'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off, n = 32, 0
while True:
    n += 1
    length = struct.unpack_from("<I", data, off)[0]
    if n >= int(sys.argv[3]) // 2 and length >= 8:
        break
    off += 16 + length
data[off + 16 + 3] ^= 0x40
open(sys.argv[2], "wb").write(data)
print(off, n)
PYEOF
read -r flip_at flip_frame <"$T/flip.at"
expect_damage "$T/flipped" damaged "$flip_at" "$flip_frame"
grep -q "checksum mismatch" "$T/flipped.err" || { show "$T/flipped.err"; fail "flip: no reason"; }

# Not a capture at all, another version, empty, header cut short: exit 2.
expect_error() {
	local f=$1 msg=$2 rc=0
	"$HTTPTRACE" read "$f" >"$f.out" 2>"$f.err" || rc=$?
	[ "$rc" = 2 ] || { show "$f.err"; fail "${f##*/}: read exited $rc, not 2"; }
	grep -q "$msg" "$f.err" || { show "$f.err"; fail "${f##*/}: expected '$msg'"; }
	[ -s "$f.out" ] && fail "${f##*/}: a report was written"
	return 0
}
cp "$T/full.json" "$T/notcap"
expect_error "$T/notcap" "not an httptrace capture"
"$PY" - "$T/cap" "$T/v9" <<'PYEOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[8] = 9
open(sys.argv[2], "wb").write(data)
PYEOF
expect_error "$T/v9" "capture format version 9; this httptrace reads versions 1 to 2"
: >"$T/empty"
expect_error "$T/empty" "empty file, not a capture"
head -c 20 "$T/cap" >"$T/shorthdr"
expect_error "$T/shorthdr" "cut short inside its header"
pass
