#!/bin/bash
# test_check.sh - "httptrace check FILE" says whether LD_PRELOAD tracing can
# see a program's traffic, and why: curl (traceable, OpenSSL), wget
# (traceable, GnuTLS), busybox-static (statically linked), a Go program
# (built here when go is installed), a setuid binary of another user; exit
# 0 traceable, 1 not, 2 for a missing file or one that is not ELF.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built

# check ARGS...: run "httptrace check ARGS", output (both streams) in
# $T/out, exit status in RC.
check() {
	RC=0
	"$HTTPTRACE" check "$@" >"$T/out" 2>&1 || RC=$?
	note "httptrace check $* -> $RC"
	sed 's/^/#   /' "$T/out" >&2
}

# expect RC REGEX: the last check exited RC and its output matches REGEX.
expect() {
	[ "$RC" = "$1" ] || fail "expected exit $1, got $RC"
	grep -Eq -- "$2" "$T/out" || fail "output does not match: $2"
}

# is_static FILE: no program interpreter (readelf, from binutils).
is_static() {
	! readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# curl: dynamically linked, OpenSSL through libcurl.
require_cmd curl wget readelf
check "$(command -v curl)"
expect 0 ': traceable$'
expect 0 '^  dynamically linked \(interpreter /'
expect 0 '^  TLS: libssl\.so[.0-9]* via libcurl[^ ]*: OpenSSL, decoded$'
expect 0 '^  imports [0-9]+ of [0-9]+ interposed functions:.* connect,'

# A bare command name is looked up in PATH.
check curl
expect 0 "^$(command -v curl): traceable$"

# wget: GnuTLS, needed directly.
check "$(command -v wget)"
expect 0 ': traceable$'
expect 0 '^  TLS: libgnutls\.so[.0-9]* .*GnuTLS, decoded$'
expect 0 'gnutls_record_send'

# A statically linked program: busybox-static, else one built here.
static=/bin/busybox
if [ ! -x "$static" ] || ! is_static "$static"; then
	note "$static missing or not static: building a static program"
	printf 'int main(void) { return 0; }\n' >"$T/s.c"
	cc -static -o "$T/static" "$T/s.c" || fail "no busybox-static and cc -static fails"
	static=$T/static
fi
check "$static"
expect 1 "^$static: not traceable: statically linked: LD_PRELOAD does not apply$"

# A Go program, when go is installed (it is not a dependency).
if command -v go >/dev/null 2>&1; then
	mkdir -p "$T/go"
	cat >"$T/go/main.go" <<'EOF'
package main

import "net/http"

func main() { _, _ = http.Get("http://127.0.0.1:1/") }
EOF
	printf 'module hello\n\ngo 1.13\n' >"$T/go/go.mod"
	# Everything Go writes stays in $T; nothing is downloaded.
	(cd "$T/go" && GOCACHE=$T/go/cache GOPATH=$T/go/path GOFLAGS='' \
		GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on \
		go build -o hello .) >"$T/go.log" 2>&1 ||
		{
			cat "$T/go.log" >&2
			fail "go build failed"
		}
	check "$T/go/hello"
	expect 1 ': not traceable: Go binary: Go makes its own system calls$'
	# Without cgo it is static as well; Go is still the reason given.
	(cd "$T/go" && GOCACHE=$T/go/cache GOPATH=$T/go/path GOFLAGS='' \
		GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on CGO_ENABLED=0 \
		go build -o hello-static .) >"$T/go.log" 2>&1 ||
		{
			cat "$T/go.log" >&2
			fail "go build (CGO_ENABLED=0) failed"
		}
	check "$T/go/hello-static"
	expect 1 ': not traceable: Go binary: Go makes its own system calls$'
	expect 1 '^  statically linked'
else
	note "go not installed: the Go case is not checked"
fi

# A setuid binary owned by someone else: secure-execution mode.
# Find a directory whose file system honours setuid bits.
suid_dir=""
for d in "$T" "$TOP/build"; do
	if "$PY" -c 'import os, sys; sys.exit(os.statvfs(sys.argv[1]).f_flag & os.ST_NOSUID)' "$d"; then
		suid_dir=$d
		break
	fi
done
suid=""
if [ "$(id -u)" -eq 0 ] && [ -n "$suid_dir" ] && id nobody >/dev/null 2>&1; then
	suid=$suid_dir/suid-true.$$
	cp /bin/true "$suid"
	chown nobody "$suid"
	chmod 4755 "$suid"
	trap 'rm -f "$suid"; _cleanup' EXIT
else
	# Not root: a setuid-root program of the system, if there is one.
	for f in /usr/bin/passwd /usr/bin/su /bin/su /usr/bin/mount /bin/mount; do
		if [ -u "$f" ] && [ "$(stat -c %u "$f")" != "$(id -u)" ]; then
			suid=$f
			break
		fi
	done
fi
if [ -n "$suid" ]; then
	check "$suid"
	expect 1 ": not traceable: setuid \(owner uid [0-9]+\): the loader ignores LD_PRELOAD for it$"
else
	note "no setuid binary of another user available: not checked"
fi

# Errors: a missing file, a text file, a directory, no FILE at all.
check "$T/no-such-file"
expect 2 "^httptrace: $T/no-such-file: No such file or directory$"
printf 'just text\n' >"$T/text"
check "$T/text"
expect 2 "^httptrace: $T/text: not an ELF file$"
check "$T"
expect 2 ': Is a directory$'
check
expect 2 'no FILE given'

# Several files: the worst status wins, every file is reported.
check "$(command -v curl)" "$static"
expect 1 ': traceable$'
expect 1 ': not traceable: statically linked'
check "$(command -v curl)" "$T/text"
expect 2 ': traceable$'
pass
