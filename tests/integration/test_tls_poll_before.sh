#!/bin/bash
# test_tls_poll_before.sh - an OpenSSL client (socket BIO, SSL_set_fd)
# whose BIO callback polls another of its connections with a non-blocking
# recv() (EAGAIN) before every socket read and write the library makes
# (progs/tls_end_poll.c "before"): the first socket call inside each TLS
# call is on the other connection, as a signal handler's is when it
# interrupts a TLS call before the library's own socket call.  That call
# must not tie the session to the other connection (ht_tls_own()): the
# three responses (whole, delimited by the end of the TLS stream) are
# reported 200, 3000 bytes, no error, and the polled connection is not
# marked TLS.  Before the fix the session was tied to the polled
# connection at its first call and its requests reported there.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
tls_end_poll_run before
jcheck "$T/out.json" --count 3 --each 'status == 200 and tls is True and resp_bytes == 3000 and error is None and conn != 1'
# the polled connection (the program's first, nothing moved on it): not
# marked TLS (a connection with nothing is not reported at all)
jcheck "$T/out.json" --event connection --expect 'not any(r["conn"] == 1 and r["tls"] for r in recs)'
pass
