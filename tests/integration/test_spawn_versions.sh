#!/bin/bash
# test_spawn_versions.sh - posix_spawn and posix_spawnp are hooked in each
# version glibc has (x86_64: GLIBC_2.2.5 and the default GLIBC_2.15), and
# a call reaches the same version of the real function: a program bound to
# the old one (progs/spawn_ver.c built with -DSPAWN_COMPAT, as if linked
# before glibc 2.15) still has a script without "#!" run through /bin/sh
# traced, as untraced; one bound to the default gets ENOEXEC both ways.
# posix_spawnp's PATH search, file actions (an open, a close) and errors
# (returned, not set in errno) are the same traced and untraced, in both
# versions.  A static program spawned by either version gets the exec
# hooks' "not traced" note (the hook is on the call's path).
#
# Before: without the hooks, no note (the summary read clean); with an
# unversioned hook (e398fd2), the old version's script failed with
# ENOEXEC traced and ran untraced.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
build_prog spawn_ver
vers=(spawn_ver)
if [ "$(uname -m)" = x86_64 ]; then
	cc -O1 -Wall -DSPAWN_COMPAT -o "$T/spawn_ver_compat" "$TESTS_DIR/progs/spawn_ver.c" ||
		fail "cc progs/spawn_ver.c -DSPAWN_COMPAT failed"
	nm -D "$T/spawn_ver_compat" | grep -q ' posix_spawn@GLIBC_2\.2\.5$' ||
		fail "spawn_ver_compat is not bound to posix_spawn@GLIBC_2.2.5"
	nm -D "$T/spawn_ver" | grep -q ' posix_spawn@GLIBC_2\.15$' ||
		fail "spawn_ver is not bound to posix_spawn@GLIBC_2.15"
	vers+=(spawn_ver_compat)
else
	note "$(uname -m): glibc has one version of posix_spawn, no compat case"
fi

mkdir "$T/bin" "$T/cwd"
printf 'echo ran-by-sh "$@"\n' >"$T/bin/nosheb"
printf '#!/bin/sh\necho hello "$@"\n' >"$T/bin/hello"
printf '#!/bin/sh\necho not-runnable\n' >"$T/bin/noexec"
chmod +x "$T/bin/nosheb" "$T/bin/hello"
export PATH="$T/bin:$PATH"
cd "$T/cwd" || fail "cd"

# spawn NAME VER ARGS...: run_same of $T/VER ARGS..., its output checked
# against the pattern $want.
spawn() {
	local name=$1 ver=$2
	shift 2
	run_same "$name" json "$T/$ver" "$@"
	grep -Eq "$want" "$T/$name.out" ||
		{ show "$T/$name.out"; fail "$name: the output is not /$want/"; }
	jcheck "$T/$name.json" --event summary --each '"not_traced" not in rec'
}

# A script without "#!": the old version runs it through /bin/sh, the
# default one fails with ENOEXEC; the same traced.
if [ -e "$T/spawn_ver_compat" ]; then
	want='^ran-by-sh a b$' spawn compat_sh spawn_ver_compat "$T/bin/nosheb" a b
	grep -Eqx "spawn $T/bin/nosheb: return 0 \(ok\), errno [0-9]+, exit 0" "$T/compat_sh.out" ||
		{ show "$T/compat_sh.out"; fail "compat_sh: the old posix_spawn did not run the script"; }
	want='^spawn nosheb: return ' spawn compat_shp spawn_ver_compat -p nosheb a b
	note "posix_spawnp@GLIBC_2.2.5 of a script without #! in PATH: $(tail -n 1 "$T/compat_shp.out")"
fi
want="^spawn $T/bin/nosheb: return 8 " spawn new_sh spawn_ver "$T/bin/nosheb" a b

for v in "${vers[@]}"; do
	# posix_spawnp's PATH search.
	want='^hello x$' spawn "$v.path" "$v" -p hello x
	# File actions: the child's stdout opened on a file; stdout closed.
	want=' return 0 ' spawn "$v.open" "$v" -o "$T/$v.open.txt" "$T/bin/hello" y
	mv "$T/$v.open.txt" "$T/$v.open.plain.txt"
	"$HTTPTRACE" -o /dev/null -- "$T/$v" -o "$T/$v.open.txt" "$T/bin/hello" y >/dev/null 2>&1
	cmp -s "$T/$v.open.plain.txt" "$T/$v.open.txt" && grep -qx 'hello y' "$T/$v.open.txt" ||
		{ show "$T/$v.open.plain.txt" "$T/$v.open.txt"; fail "$v: the file action's file differs traced"; }
	want=' return 0 ' spawn "$v.close" "$v" -c 1 "$T/bin/hello" z
	# Errors, returned (errno as the call left it): no such file, no
	# such name in PATH, no execute permission, a directory.
	want=' return 2 ' spawn "$v.enoent" "$v" "$T/nonexistent/prog"
	want=' return 2 ' spawn "$v.enoentp" "$v" -p no-such-program-here
	want=' return 13 ' spawn "$v.eacces" "$v" "$T/bin/noexec"
	want=' return 13 ' spawn "$v.dir" "$v" "$T/bin"
done

# A static program by either version: the note, for the child.
if cc -static -O1 -o "$T/bin/static_true" -x c - <<<'int main(void) { return 0; }' 2>"$T/cc.err"; then
	note_ok="'$T/bin/static_true: statically linked: LD_PRELOAD does not apply'"
	for v in "${vers[@]}"; do
		run_same "$v.static" json "$T/$v" "$T/bin/static_true"
		grep -Eq ' return 0 \(ok\), errno [0-9]+, exit 0$' "$T/$v.static.out" ||
			{ show "$T/$v.static.out"; fail "$v.static: the spawn failed"; }
		jcheck "$T/$v.static.json" --event summary \
			--each "any(n['text'] == $note_ok and n['processes'] == 1 for n in not_traced)"
		run_same "$v.staticp" json "$T/$v" -p static_true
		jcheck "$T/$v.staticp.json" --event summary \
			--each "any(n['text'] == $note_ok and n['processes'] == 1 for n in not_traced)"
	done
else
	note "no static libc here (cc -static failed): no static case"
fi
pass
