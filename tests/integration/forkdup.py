# forkdup.py PORT - a keep-alive client forks twice while it holds its
# connection (a request done on it); neither child moves a byte on it,
# but each duplicates its fd first (os.dup(), as socket.dup() does): the
# first closes both fds, the second leaves them to os._exit().  The
# parent then makes a second request on the connection and closes it.
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
for how in ("close", "exit"):
    pid = os.fork()
    if pid == 0:
        d = os.dup(s.fileno())
        if how == "close":
            os.close(d)
            s.close()
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    print("child", how, "exited", os.waitstatus_to_exitcode(st), flush=True)
print("parent", get("/B-parent"), flush=True)
s.close()
