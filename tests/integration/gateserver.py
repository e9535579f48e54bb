#!/usr/bin/python3
"""gateserver.py - an HTTP/1.1 server for the integration tests that holds
every answer until the test lets it go.

    /usr/bin/python3 gateserver.py PORT GATE_DIR LOG

Standard library only; binds 127.0.0.1; one thread per connection,
keep-alive.  Each request's head is read and logged ("got PATH" in LOG);
the answer to /NAME (200, body "ok\\n") is sent only once the file
GATE_DIR/NAME exists, logged ("answered PATH") just before it is sent.  So
a test knows what the client had done before the server answered, and can
look at a request in flight for as long as it needs, without any timing.
"""

import os
import sys
import time

from threadserver import log, request_paths, serve_forever


def serve(conn, gate, logf):
    with conn:
        for path in request_paths(conn):
            log(logf, "got " + path)
            name = os.path.basename(path.split("?", 1)[0]) or "index"
            while not os.path.exists(os.path.join(gate, name)):
                time.sleep(0.02)
            log(logf, "answered " + path)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")


def main():
    port, gate, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    serve_forever(port, 128, serve, gate, logf)


if __name__ == "__main__":
    main()
