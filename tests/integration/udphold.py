#!/usr/bin/python3
"""udphold.py - a UDP server for the integration tests that never answers:
a DNS resolver pointed at it waits for its answer until its own timeout.
With --nxdomain it answers each query at once: the name does not exist
(NXDOMAIN), so the lookup fails without any network.

    /usr/bin/python3 udphold.py PORT LOG [--nxdomain]

Standard library only.  "ready" in LOG once bound; each datagram received is logged ("query N bytes"
in LOG), none is answered (with --nxdomain: each answered, "nxdomain" logged).
"""

import socket
import sys


def nxdomain(query):
    """The answer to DNS @query: its id and question, rcode 3 (NXDOMAIN),
    no records; None when it is too short to be a query."""
    if len(query) < 12:
        return None
    # flags: QR (answer), RD copied, RA, rcode 3; one question, no records
    flags = 0x8083 | (query[2] & 0x01) << 8
    return query[:2] + flags.to_bytes(2, "big") + query[4:6] + bytes(6) + query[12:]


def main():
    port, logf = int(sys.argv[1]), sys.argv[2]
    answer = len(sys.argv) > 3 and sys.argv[3] == "--nxdomain"
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", port))
    with open(logf, "a", encoding="utf-8") as f:
        f.write("ready\n")
    while True:
        data, peer = srv.recvfrom(65536)
        with open(logf, "a", encoding="utf-8") as f:
            f.write("query %d bytes\n" % len(data))
        reply = nxdomain(data) if answer else None
        if reply is not None:
            srv.sendto(reply, peer)
            with open(logf, "a", encoding="utf-8") as f:
                f.write("nxdomain\n")


if __name__ == "__main__":
    main()
