# forkclose.py PORT - a keep-alive client forks five times while it
# holds its connection (a request done on it; a second fd, a dup, names
# it too); no child moves a byte on it: the first closes both its fds
# (os.close() of the dup, socket.close()), the second exits with
# sys.exit() and leaves the close to the interpreter's finalization, the
# third closes the dup only and exits with os._exit(); the last two
# duplicate its fd once more first (os.dup(), as socket.dup() does), then
# close all three fds, or leave them to os._exit().  The parent then makes
# a second request on the connection and closes both fds.
import os, socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
def get(path):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(1)
    hdr = buf.decode()
    n = int([l for l in hdr.split("\r\n")
             if l.lower().startswith("content-length")][0].split(":")[1])
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return hdr.split("\r\n")[0]
print("parent", get("/A-parent"), flush=True)
d = os.dup(s.fileno())
for how in ("close", "exit", "dup", "dup-close", "dup-exit"):
    pid = os.fork()
    if pid == 0:
        if how.startswith("dup-"):
            d2 = os.dup(s.fileno())
            if how == "dup-exit":
                os._exit(0)
            os.close(d2)
        if how in ("close", "dup-close"):
            os.close(d)
            s.close()
            os._exit(0)
        if how == "dup":
            os.close(d)
            os._exit(0)
        sys.exit(0)   # the socket closes as the interpreter ends
    _, st = os.waitpid(pid, 0)
    print("child", how, "exited", os.waitstatus_to_exitcode(st), flush=True)
print("parent", get("/B-parent"), flush=True)
os.close(d)
s.close()
