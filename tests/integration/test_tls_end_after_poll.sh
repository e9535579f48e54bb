#!/bin/bash
# test_tls_end_after_poll.sh - REVIEW of cost22b (f95d34a): an OpenSSL
# client whose read BIO's callback polls another of its connections with a
# non-blocking recv() (EAGAIN) after each socket read, inside SSL_read
# (progs/tls_end_poll.c; a signal handler's recv() does the same at any
# moment).  It reads three responses delimited by the end of the TLS stream
# (closenotify_server.py: close_notify before the TCP close) to that end:
# each is whole (the program read its 3000 bytes and the close_notify), so
# each must be reported 200, 3000 bytes, no error.  Since
# f95d34a the hook takes the poll's EAGAIN for the library's own last read
# (ht_tls_call.blocked), does not ask SSL_get_error(), misses the end of
# the stream, and reports each response cut by the close.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
tls_end_poll_run
jcheck "$T/out.json" --count 3 --each 'status == 200 and tls is True and resp_bytes == 3000 and error is None'
pass
