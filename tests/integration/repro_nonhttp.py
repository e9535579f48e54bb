#!/usr/bin/env python3
# repro_nonhttp.py CASE: a loopback echo/sink exchange shaped like test_socket's, no HTTP anywhere.
#  foo:     client sends b'foo' (no space, no newline), server echoes it (test_socket's
#           CreateServerFunctionalTest / ContextManagersTest)
#  letters: client sends 1 MiB of ASCII letters (no space/newline), server reads all, closes
#           (SendfileUsingSendTest's FILEDATA)
#  one:     client sends b'M' (one byte) and closes; server reads it (test_socket's
#           SendfileUsingSendTest.testCountSmall, FileObjectClassTestCase.testReadAfterTimeout)
#  FOO:     client sends b'FOO\n', server answers b'foo\n' (test_ssl's ThreadedEchoServer)
#  silent:  client connects and closes without writing; server closes too
#  methods: (added for test_nonhttp_fragment.sh) http.server in a thread answers
#           requests whose methods are RFC 9110 tokens of every shape; it logs
#           each request line to stderr
import socket, sys, threading, string, random
case = sys.argv[1]
if case == 'methods':
    import http.client, http.server
    srv = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    t = threading.Thread(target=srv.serve_forever); t.start()
    for m in ('custom', 'GETs', 'CUSTOM', 'XYZBOGUS', 'GET', 'm-search'):
        h = http.client.HTTPConnection(*srv.server_address)
        h.request(m, '/' + m)
        assert h.getresponse().read() is not None
        h.close()
    srv.shutdown(); t.join(); srv.server_close()
    print(case, 'ok'); sys.exit(0)
srv = socket.create_server(("127.0.0.1", 0))
def serve():
    c, _ = srv.accept()
    with c:
        if case == 'foo':
            c.sendall(c.recv(1024))
        elif case == 'FOO':
            c.sendall(c.recv(1024).lower())
        elif case == 'letters':
            while c.recv(65536): pass
        else:
            c.recv(10)
            if case == 'one': c.recv(10)
t = threading.Thread(target=serve); t.start()
s = socket.create_connection(srv.getsockname())
if case == 'foo':
    s.sendall(b'foo'); assert s.recv(1024) == b'foo'
elif case == 'letters':
    random.seed(1)
    s.sendall(''.join(random.choice(string.ascii_letters) for _ in range(1 << 20)).encode())
elif case == 'FOO':
    s.sendall(b'FOO\n'); assert s.recv(1024) == b'foo\n'
elif case == 'one':
    s.sendall(b'M')
s.close(); t.join(); srv.close()
print(case, 'ok')
