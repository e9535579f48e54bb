# close_range_unshare.py PORT: one keep-alive connection used by the main
# thread; between its requests another thread calls close_range(3, ~0,
# CLOSE_RANGE_UNSHARE), which closes the range in that thread's new
# (unshared) fd table only: the main thread's fd stays open and carries
# /bytes/2 and /bytes/3 on the same connection.
import ctypes, http.client, sys, threading

CLOSE_RANGE_UNSHARE = 2
libc = ctypes.CDLL(None, use_errno=True)
h = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
h.request("GET", "/bytes/1")
h.getresponse().read()
out = []


def unshare_close():
    out.append(libc.close_range(3, 0xFFFFFFFF, CLOSE_RANGE_UNSHARE))


th = threading.Thread(target=unshare_close)
th.start()
th.join()
print("close_range", out[0])
for n in (2, 3):
    h.request("GET", "/bytes/%d" % n)
    h.getresponse().read()
print("done")
