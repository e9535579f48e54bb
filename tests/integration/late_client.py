# late_client.py PORT TAG DIR: a GET of /f/0?TAG=N on a fresh connection
# every 20 ms, a line in DIR/made after each (the connection closed); while
# DIR/hold exists it makes none and says so in DIR/held (after its last
# connection closed); it stops when DIR/stop exists.  For the tests of a
# collector that comes late or restarts (test_listen_late_*.sh).
import http.client, os, sys, time
port, tag, d = int(sys.argv[1]), sys.argv[2], sys.argv[3]
i = 0
with open(os.path.join(d, "made"), "w", buffering=1) as made:
    while not os.path.exists(os.path.join(d, "stop")):
        if os.path.exists(os.path.join(d, "hold")):
            with open(os.path.join(d, "held"), "w") as f:
                f.write("%d\n" % i)
            time.sleep(0.02)
            continue
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("GET", "/f/0?%s=%d" % (tag, i))
        c.getresponse().read()
        c.close()
        made.write("%d\n" % i)
        i += 1
        time.sleep(0.02)
