#!/bin/bash
# test_rel_static_tls.sh - the library's thread-local storage stays small.
# glibc takes every thread's static TLS out of that thread's stack, so a
# large __thread footprint makes threads with small stacks fail to start
# (pthread_create: EINVAL).  Bound: 512 bytes for the PT_TLS segment.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd readelf
bound=512

# "  TLS  0xOFF 0xVADDR 0xPADDR 0xFILESZ 0xMEMSZ R 0xALIGN"
line=$(readelf -lW "$LIBHTTPTRACE" | awk '$1 == "TLS"')
if [ -z "$line" ]; then
	pass # no TLS segment at all
fi
memsz=$(echo "$line" | awk '{ print $6 }')
align=$(echo "$line" | awk '{ print $8 }')
size=$((memsz + align))
note "PT_TLS: memsz $((memsz)) bytes, align $((align))"
[ "$size" -le $bound ] ||
	fail "libhttptrace.so has $((memsz)) bytes of static TLS (align $((align))); keep it under $bound"
pass
