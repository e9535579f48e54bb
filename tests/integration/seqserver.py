#!/usr/bin/python3
"""seqserver.py - an HTTP/1.1 server whose answers say their order.

    /usr/bin/python3 seqserver.py PORT LOG DELAY

Standard library only; binds 127.0.0.1; one thread per connection,
keep-alive.  The Nth request read on a connection is answered with status
200+N (body "answer-N"), DELAY seconds after its head was read; each answer
is logged ("PATH STATUS" in LOG) just before it is sent.  The log is the
oracle of which status the server sent for which target.
"""

import sys
import time

from threadserver import log, request_paths, serve_forever


def serve(conn, logf, delay):
    n = 0
    with conn:
        for path in request_paths(conn):
            n += 1
            time.sleep(delay)
            log(logf, "%s %d" % (path, 200 + n))
            body = b"answer-%d" % n
            try:
                conn.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n"
                             % (200 + n, len(body)) + body)
            except OSError:
                return


def main():
    port, logf, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    serve_forever(port, 16, serve, logf, delay)


if __name__ == "__main__":
    main()
