#!/usr/bin/python3
"""restart_client.py - the traced client of test_drops_collector_restart.sh
and test_drops_inflight_restart.sh (drops_restart.sh runs it).

    restart_client.py PORT LOG SLOW STOP

A GET of /bytes/10 every 25 ms on one keep-alive connection to
127.0.0.1:PORT, a line "done" in LOG after each; once the file SLOW
exists, one GET of /delay/4000 (a line "slow" in LOG before it); until
the file STOP exists; then closes the connection.
"""
import http.client
import os
import sys
import time

port, log, slow, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
slow_done = False
with open(log, "w", buffering=1) as f:
    while not os.path.exists(stop):
        path = "/bytes/10"
        if not slow_done and os.path.exists(slow):
            path, slow_done = "/delay/4000", True
            f.write("slow\n")
        c.request("GET", path)
        c.getresponse().read()
        f.write("done\n")
        time.sleep(0.025)
c.close()
