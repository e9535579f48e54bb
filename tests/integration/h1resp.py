"""h1resp.py - for test clients that speak HTTP/1.x on a socket themselves
(PYTHONPATH=$TESTS_DIR): read_response(f) reads one response from the
socket's file object f and returns its status (a string) and the length
of its body, delimited by Content-Length (none without)."""


def read_response(f):
    line, size = f.readline(), 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        k, _, v = h.decode().partition(":")
        if k.strip().lower() == "content-length":
            size = int(v)
    return line.split()[1].decode(), len(f.read(size))
