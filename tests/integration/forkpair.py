import os, socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
def get(path):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
def read_resp():
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(1)
    hdr = buf.decode()
    n = int([l for l in hdr.split("\r\n") if l.lower().startswith("content-length")][0].split(":")[1])
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return hdr.split("\r\n")[0]
get("/A-parent")
pid = os.fork()
if pid == 0:
    print("child read", read_resp(), flush=True)   # the child takes /A's answer
    os._exit(0)
os.waitpid(pid, 0)
get("/B-parent")
print("parent read", read_resp(), flush=True)
