#!/usr/bin/python3
"""holdserver.py - a TCP server for the integration tests that accepts
every connection and never answers: a TLS client hangs in its handshake.

    /usr/bin/python3 holdserver.py PORT LOG

Standard library only; one thread per connection.  The first bytes a
client sends are logged ("got N bytes" in LOG: for a TLS client, its
ClientHello); the connection is then held, read and never written, until
the client closes it ("closed" in LOG).
"""

import sys

from threadserver import log, serve_forever


def hold(conn, logf):
    with conn:
        data = conn.recv(65536)
        if data:
            log(logf, "got %d bytes" % len(data))
        while data:
            data = conn.recv(65536)
        log(logf, "closed")


def main():
    port, logf = int(sys.argv[1]), sys.argv[2]
    serve_forever(port, 16, hold, logf)


if __name__ == "__main__":
    main()
