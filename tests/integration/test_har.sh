#!/bin/bash
# test_har.sh - -f har: curl makes a plain request, three keep-alive
# requests (with a query string, an Authorization: Bearer and a Cookie
# header) and an HTTPS request to nginx, all under one httptrace; the file
# is one HAR 1.2 document: log.version "1.2", a creator, five entries sorted
# by startedDateTime, every field HAR 1.2 requires present with its type,
# timings numbers with -1 only where HAR allows it (blocked, dns, connect,
# ssl; blocked on a reused connection only), connect including ssl, time
# the sum of the timings to the microsecond, one connection
# id shared by the keep-alive requests, serverIPAddress, queryString, and
# the secret neither in the redacted headers nor anywhere in the file.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
require_built
require_cmd curl openssl
start_named_server # python server.py, plain HTTP, HOST resolves via /etc/hosts
start_nginx        # its certificate (make_cert) covers HOST too
u=http://$HOST:$SERVER_PORT
s=https://$HOST:$NGINX_TLS_PORT

cat >"$T/client.sh" <<EOF
set -e
curl -s -o /dev/null "$u/bytes/10"
curl -s -D "$T/headers" -H 'Authorization: Bearer SECRET' \
	-H 'Cookie: session=SECRET' -o /dev/null -o /dev/null -o /dev/null \
	"$u/bytes/100?x=1&y=two" "$u/bytes/2000" "$u/bytes/30000"
curl -s --http1.1 --cacert "$T/cert.pem" -o /dev/null "$s/f/1000"
EOF

"$HTTPTRACE" -f har -o "$T/out.har" -- sh "$T/client.sh" ||
	fail "httptrace -- curl exited $?"

# The premise: the server saw the three requests on one connection.
[ "$(grep '^X-Conn-Req:' "$T/headers" | tr -d '\r' | cut -d' ' -f2 | tr -d '\n')" = 123 ] ||
	{ show "$T/headers"; fail "curl did not reuse its connection (server side)"; }

"$PY" - "$T/out.har" "$HOST" "$HOST_ADDR" "$SERVER_PORT" "$NGINX_TLS_PORT" <<'PYEOF' ||
import json, re, sys
from datetime import datetime

path, host, host_addr, port, tls_port = sys.argv[1:]
raw = open(path, "rb").read()
doc = json.loads(raw)
problems = []

def check(cond, what):
    if not cond:
        problems.append(what)

# HAR 1.2 required fields (name -> type) per object.
NUM = (int, float)
REQUIRED = {
    "log": {"version": str, "creator": dict, "entries": list},
    "creator": {"name": str, "version": str},
    "entry": {"startedDateTime": str, "time": NUM, "request": dict,
              "response": dict, "cache": dict, "timings": dict},
    "request": {"method": str, "url": str, "httpVersion": str,
                "cookies": list, "headers": list, "queryString": list,
                "headersSize": int, "bodySize": int},
    "response": {"status": int, "statusText": str, "httpVersion": str,
                 "cookies": list, "headers": list, "content": dict,
                 "redirectURL": str, "headersSize": int, "bodySize": int},
    "content": {"size": int, "mimeType": str},
    "timings": {"send": NUM, "wait": NUM, "receive": NUM},
    "header": {"name": str, "value": str},
    "query": {"name": str, "value": str},
}
# Optional fields httptrace writes (name -> type).
OPTIONAL = {
    "entry": {"serverIPAddress": str, "connection": str, "comment": str,
              "_error": str},
    "timings": {"blocked": NUM, "dns": NUM, "connect": NUM, "ssl": NUM},
}
# Timings that may be -1 ("does not apply"); the others are >= 0.
MAY_BE_ABSENT = {"blocked", "dns", "connect", "ssl"}

def fields(obj, kind, where):
    if not isinstance(obj, dict):
        problems.append("%s: %s is not an object" % (where, kind))
        return
    for name, typ in REQUIRED.get(kind, {}).items():
        if name not in obj:
            problems.append("%s: %s.%s missing" % (where, kind, name))
        elif isinstance(obj[name], bool) or not isinstance(obj[name], typ):
            problems.append("%s: %s.%s has type %s" % (where, kind, name,
                                                       type(obj[name]).__name__))
    for name, typ in OPTIONAL.get(kind, {}).items():
        if name in obj and (isinstance(obj[name], bool) or
                            not isinstance(obj[name], typ)):
            problems.append("%s: %s.%s has type %s" % (where, kind, name,
                                                       type(obj[name]).__name__))

fields(doc, "root", "/")
check(list(doc) == ["log"], "top level is {\"log\": ...}")
log = doc["log"]
fields(log, "log", "log")
check(log["version"] == "1.2", "log.version is 1.2")
fields(log["creator"], "creator", "log.creator")
check(log["creator"]["name"] == "httptrace", "creator.name is httptrace")
entries = log["entries"]
check(len(entries) == 5, "5 entries, got %d" % len(entries))

starts = []
for i, e in enumerate(entries):
    w = "entry %d" % i
    fields(e, "entry", w)
    fields(e["request"], "request", w)
    fields(e["response"], "response", w)
    fields(e["response"]["content"], "content", w)
    fields(e["timings"], "timings", w)
    for h in e["request"]["headers"] + e["response"]["headers"]:
        fields(h, "header", w)
    for q in e["request"]["queryString"]:
        fields(q, "query", w)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                       e["startedDateTime"]), w + ": ISO 8601 date")
    starts.append(datetime.strptime(e["startedDateTime"],
                                    "%Y-%m-%dT%H:%M:%S.%fZ"))
    t = e["timings"]
    for k, v in t.items():
        check(v == -1 or v >= 0, "%s: timings.%s = %r" % (w, k, v))
        if k not in MAY_BE_ABSENT:
            check(v >= 0, "%s: timings.%s = %r may not be -1" % (w, k, v))
    # blocked: the client's own moments before its first write on a new
    # connection; nothing before it on a reused one
    if t["dns"] == -1 and t["connect"] == -1:
        check(t.get("blocked") == -1, w + ": reused: blocked -1")
    else:
        check(t.get("blocked", -1) >= 0, w + ": new connection: blocked >= 0")
    if t["ssl"] != -1:
        check(t["connect"] >= t["ssl"], w + ": connect includes ssl")
    parts = sum(t[k] for k in ("blocked", "dns", "connect", "send", "wait",
                               "receive") if t[k] >= 0)
    check(abs(e["time"] - parts) < 0.0005,
          "%s: time %r is the sum of the timings %r" % (w, e["time"], parts))
    check(e["response"]["status"] == 200, w + ": status 200")
    check(e["response"]["statusText"] == "OK", w + ": statusText OK")
    check(e["request"]["method"] == "GET", w + ": GET")
    check(e["request"]["httpVersion"] == "HTTP/1.1" and
          e["response"]["httpVersion"] == "HTTP/1.1", w + ": HTTP/1.1")
    check(e["request"]["bodySize"] == 0, w + ": request bodySize 0")
    check(e["request"]["headersSize"] > 0 and e["response"]["headersSize"] > 0,
          w + ": headersSize")
    check(e["response"]["bodySize"] == e["response"]["content"]["size"],
          w + ": bodySize == content.size")
    check(e["response"]["redirectURL"] == "", w + ": no redirect")
    check(e["request"]["cookies"] == [] and e["response"]["cookies"] == [],
          w + ": cookies []")
    check("_error" not in e, w + ": no _error")
    check(re.fullmatch(r"\d+:\d+", e.get("connection", "")),
          w + ": connection PID:CONN")
check(starts == sorted(starts), "entries sorted by startedDateTime")

by_url = {e["request"]["url"]: e for e in entries}
base = "http://%s:%s" % (host, port)
urls = [base + "/bytes/10", base + "/bytes/100?x=1&y=two",
        base + "/bytes/2000", base + "/bytes/30000",
        "https://%s:%s/f/1000" % (host, tls_port)]
check(sorted(by_url) == sorted(urls), "urls: %r" % sorted(by_url))
if not problems:
    plain, k1, k2, k3, tls = (by_url[u] for u in urls)
    # Reuse: the three keep-alive requests share a connection id that
    # neither the plain nor the HTTPS request has.
    conns = [e["connection"] for e in (plain, k1, k2, k3, tls)]
    check(conns[1] == conns[2] == conns[3], "keep-alive: one connection %r" % conns)
    check(len(set(conns)) == 3, "three connections %r" % conns)
    for e in (k2, k3):
        check(e["timings"]["dns"] == -1 and e["timings"]["connect"] == -1 and
              e["timings"]["ssl"] == -1, "reused: no dns/connect/ssl")
    for e in (plain, k1, tls):
        check(e["timings"]["connect"] >= 0, "new connection: connect >= 0")
    check(tls["timings"]["ssl"] > 0, "https: ssl > 0")
    check(tls["timings"]["connect"] > tls["timings"]["ssl"],
          "https: connect includes ssl")
    for e in (plain, k1, k2, k3):
        check(e["timings"]["ssl"] == -1, "plain: ssl -1")
        check(e.get("serverIPAddress") == host_addr,
              "serverIPAddress %r" % e.get("serverIPAddress"))
    check(tls.get("serverIPAddress") in ("127.0.0.1", "::1", host_addr),
          "https serverIPAddress %r" % tls.get("serverIPAddress"))
    for e, n in ((plain, 10), (k1, 100), (k2, 2000), (k3, 30000), (tls, 1000)):
        check(e["response"]["content"]["size"] == n, "content.size %d" % n)
        check(e["response"]["content"]["mimeType"], "mimeType set")
    check(k1["request"]["queryString"] ==
          [{"name": "x", "value": "1"}, {"name": "y", "value": "two"}],
          "queryString %r" % k1["request"]["queryString"])
    check(plain["request"]["queryString"] == [], "no queryString")
    # Headers, in order, with the secrets redacted.
    for e in (k1, k2, k3):
        hs = {h["name"].lower(): h["value"] for h in e["request"]["headers"]}
        check(hs.get("authorization") == "[redacted]",
              "Authorization redacted: %r" % hs.get("authorization"))
        check(hs.get("cookie") == "[redacted]",
              "Cookie redacted: %r" % hs.get("cookie"))
        check(e["request"]["headers"][0]["name"].lower() == "host",
              "request headers in order (Host first)")
    rh = {h["name"].lower(): h["value"] for h in k1["response"]["headers"]}
    check(rh.get("content-length") == "100", "response Content-Length")
    check(rh.get("x-conn-req") == "1", "response X-Conn-Req")
check(b"SECRET" not in raw, "SECRET appears in the file")

if problems:
    for p in problems:
        print("har: " + p, file=sys.stderr)
    sys.exit(1)
PYEOF
	{ show "$T/out.har"; fail "the HAR file is not as expected"; }
pass
