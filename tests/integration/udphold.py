#!/usr/bin/python3
"""udphold.py - a UDP server for the integration tests that never answers:
a DNS resolver pointed at it waits for its answer until its own timeout.

    /usr/bin/python3 udphold.py PORT LOG

Standard library only.  "ready" in LOG once bound; each datagram received is logged ("query N bytes"
in LOG), none is answered.
"""

import socket
import sys


def main():
    port, logf = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", port))
    with open(logf, "a", encoding="utf-8") as f:
        f.write("ready\n")
    while True:
        data, _ = srv.recvfrom(65536)
        with open(logf, "a", encoding="utf-8") as f:
            f.write("query %d bytes\n" % len(data))


if __name__ == "__main__":
    main()
