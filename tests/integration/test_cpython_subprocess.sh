#!/bin/bash
# test_cpython_subprocess.sh - CPython's own subprocess tests that list a
# child's fds pass traced as untraced: test_pass_fds_redirected (the child
# must have exactly 0, 1, 2 and the fds passed) and
# test_close_fds_when_max_fd_is_lowered (no fd left open under a lowered
# limit).  Both once failed because the library kept a socket in every
# process, HTTP or not.  Run mode and env mode (a `listen` collector).
# Needs Debian's libpython3.11-testsuite (scripts/install-deps.sh).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
tests=(test.test_subprocess.POSIXProcessTestCase.test_pass_fds_redirected
	test.test_subprocess.POSIXProcessTestCase.test_close_fds_when_max_fd_is_lowered)
cpython_same subprocess "${tests[@]}"
[ "$(grep -c ' ok$' "$T/subprocess.plain.txt")" = 2 ] ||
	{ show "$T/subprocess.plain.txt"; fail "untraced: not 2 tests run and passed"; }
pass
