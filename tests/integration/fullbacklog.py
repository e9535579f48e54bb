#!/usr/bin/python3
"""fullbacklog.py - a listener whose accept queue is full, for the tests of
a client blocked inside connect(): listen(fd, 0) on a free port of
127.0.0.1 (and of ::1 where it can), each queue filled by one connection
of its own that is never accepted, so the kernel drops every further SYN
and a blocking connect() waits (SYN retransmits) until its own timeout.
SIGUSR1 accepts the fillers: the queues have room again, and a client's
next SYN retransmit completes its connect.

    /usr/bin/python3 fullbacklog.py LOG

Standard library only.  "port N" in LOG once ready (the same port on ::1
when "v6" follows), "accepted" after each SIGUSR1.
"""

import signal
import socket
import sys
import time


def full_listener(family, host, port):
    """A listener on @host:@port (0: any free one) of @family whose queue
    holds one connection never accepted: (listener, filler), or None
    when the address cannot be had."""
    try:
        lst = socket.socket(family, socket.SOCK_STREAM)
        lst.bind((host, port))
        lst.listen(0)
        fill = socket.create_connection((host, lst.getsockname()[1]), timeout=5)
    except OSError:
        return None
    return lst, fill


def main():
    logf = sys.argv[1]
    v4 = full_listener(socket.AF_INET, "127.0.0.1", 0)
    port = v4[0].getsockname()[1]
    v6 = full_listener(socket.AF_INET6, "::1", port)
    held = [v4] + ([v6] if v6 else [])

    def accept_all(_sig, _frame):
        for lst, _fill in held:
            lst.settimeout(1)
            try:
                lst.accept()
            except OSError:
                pass
        with open(logf, "a") as f:
            f.write("accepted\n")

    signal.signal(signal.SIGUSR1, accept_all)
    with open(logf, "a") as f:
        f.write("port %d%s\n" % (port, " v6" if v6 else ""))
    while True:
        time.sleep(3600)


main()
