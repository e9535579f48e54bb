#!/bin/bash
# test_startup_syscalls.sh - a process that never uses the network makes,
# with the library preloaded, the system calls it makes untraced plus
# only those of the loader for one more object (open, read the header,
# fstat, close; one mmap per PT_LOAD segment; one mprotect for RELRO), and
# with tracing on (HTTPTRACE_SOCKET set, nothing listening) two more, both
# needed at start (init.c, emit_connect.c): getpid (a vfork child must
# not be the first to read it) and prctl(PR_GET_SECCOMP) (a filter the
# process inherited, told from one it installs later).  strace counts them
# for one /bin/true.  Before, the library's .bss ended past the pages its
# file maps and the loader mapped the rest anonymously: an mmap more per
# process (preload/lib.lds).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd strace
require_cmd readelf
readelf -dW "$LIBHTTPTRACE" | grep -q 'NEEDED.*libasan' &&
	skip "a sanitized library brings its runtime's own start-up calls"

# counts FILE: "NAME COUNT" per system call of an strace -o FILE, sorted
# (the first line, the execve, left out)
counts() {
	sed -n '2,$s/(.*//p' "$1" | sort | uniq -c | awk '{ print $2, $1 }'
}
strace -qq -o "$T/untraced.st" /bin/true || fail "strace /bin/true exited $?"
LD_PRELOAD=$LIBHTTPTRACE strace -qq -o "$T/off.st" /bin/true ||
	fail "off: strace /bin/true exited $?"
LD_PRELOAD=$LIBHTTPTRACE HTTPTRACE_SOCKET=$T/nobody.sock strace -qq -o "$T/on.st" /bin/true ||
	fail "on: strace /bin/true exited $?"

# What the loader adds for one more object, from the library's headers.
loads=$(readelf -lW "$LIBHTTPTRACE" | awk '$1 == "LOAD"' | wc -l)
relro=$(readelf -lW "$LIBHTTPTRACE" | awk '$1 == "GNU_RELRO"' | wc -l)
# expected FILE EXTRA...: the untraced counts plus one of each EXTRA name
expected() {
	{ counts "$T/untraced.st"; shift; for c in "$@"; do echo "$c 1"; done
	  for _ in $(seq "$loads"); do echo "mmap 1"; done
	  for _ in $(seq "$relro"); do echo "mprotect 1"; done
	  printf '%s 1\n' openat read newfstatat close; } |
		awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' | sort
}
expected untraced >"$T/off.want"
counts "$T/off.st" | sort >"$T/off.got"
cmp -s "$T/off.want" "$T/off.got" ||
	{ diff "$T/off.want" "$T/off.got" >&2; fail "off: system calls other than the loader's for one object ($loads segments)"; }
expected untraced getpid prctl >"$T/on.want"
counts "$T/on.st" | sort >"$T/on.got"
cmp -s "$T/on.want" "$T/on.got" ||
	{ diff "$T/on.want" "$T/on.got" >&2; fail "on: system calls other than the loader's, getpid and prctl"; }
grep -q 'prctl(PR_GET_SECCOMP' "$T/on.st" || fail "on: the prctl is not PR_GET_SECCOMP"
pass
