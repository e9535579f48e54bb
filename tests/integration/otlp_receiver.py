#!/usr/bin/python3
"""otlp_receiver.py - an OTLP/HTTP (JSON) trace receiver for the tests, and
a checker of OTLP/JSON files.

    otlp_receiver.py serve PORT OUT [--mode ok|503-once|hang] [--header NAME=VALUE]...
    otlp_receiver.py check FILE [--header ...]   (a file of -f otlp lines)

serve: listens on 127.0.0.1:PORT.  Each POST to /v1/traces must carry
Content-Type application/json (and each --header given, exactly); its body
is validated as an ExportTraceServiceRequest in the OTLP/JSON encoding (see
validate()).  Valid bodies are appended to OUT as one line each, followed
by a line "#status CODE"; any violation is appended as "#error ...".
Modes: ok answers 200 {} to each; 503-once answers the first POST 503
(Retry-After: 0 is not sent, so the client's own backoff applies) and then
200; hang accepts connections and never answers.

check: validates each line of FILE the same way; exit status 0 when every
line is valid, 1 otherwise (the violations on stderr).

Standard library only.
"""

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
DIGITS = re.compile(r"^(0|[1-9][0-9]*)$")
ZERO_TRACE = "0" * 32
ZERO_SPAN = "0" * 16


class Invalid(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Invalid(what)


def check_keys(obj, allowed, where):
    need(isinstance(obj, dict), f"{where}: not an object: {obj!r}")
    for k in obj:
        need(k in allowed, f"{where}: unknown field {k!r} (lowerCamelCase expected)")


def check_anyvalue(v, where):
    """An AnyValue: exactly one of the scalar fields, with its JSON type."""
    check_keys(v, {"stringValue", "intValue", "boolValue", "doubleValue"}, where)
    need(len(v) == 1, f"{where}: not exactly one value: {v!r}")
    (k, x), = v.items()
    if k == "stringValue":
        need(isinstance(x, str), f"{where}: stringValue {x!r} not a string")
    elif k == "intValue":
        # int64 in the protobuf JSON mapping: a decimal string
        need(isinstance(x, str) and re.match(r"^-?(0|[1-9][0-9]*)$", x),
             f"{where}: intValue {x!r} not a decimal string")
    elif k == "boolValue":
        need(isinstance(x, bool), f"{where}: boolValue {x!r} not a boolean")
    else:
        need(isinstance(x, (int, float)) and not isinstance(x, bool),
             f"{where}: doubleValue {x!r} not a number")


def check_attributes(attrs, where):
    need(isinstance(attrs, list), f"{where}: attributes not a list")
    seen = set()
    for i, a in enumerate(attrs):
        check_keys(a, {"key", "value"}, f"{where}[{i}]")
        need(isinstance(a.get("key"), str) and a["key"], f"{where}[{i}]: bad key")
        need(a["key"] not in seen, f"{where}: duplicate key {a['key']}")
        seen.add(a["key"])
        check_anyvalue(a.get("value"), f"{where}[{a['key']}]")


def attrs_dict(attrs):
    """{key: python value} with ints decoded."""
    out = {}
    for a in attrs:
        (k, x), = a["value"].items()
        out[a["key"]] = int(x) if k == "intValue" else x
    return out


def check_span(s, where):
    check_keys(s, {"traceId", "spanId", "parentSpanId", "name", "kind",
                   "startTimeUnixNano", "endTimeUnixNano", "attributes",
                   "events", "links", "status", "traceState", "flags",
                   "droppedAttributesCount"}, where)
    need(isinstance(s.get("traceId"), str) and HEX32.match(s["traceId"])
         and s["traceId"] != ZERO_TRACE, f"{where}: traceId {s.get('traceId')!r} not 32 lower-case hex digits")
    need(isinstance(s.get("spanId"), str) and HEX16.match(s["spanId"])
         and s["spanId"] != ZERO_SPAN, f"{where}: spanId {s.get('spanId')!r} not 16 hex digits")
    if "parentSpanId" in s:
        need(isinstance(s["parentSpanId"], str) and HEX16.match(s["parentSpanId"]),
             f"{where}: parentSpanId {s['parentSpanId']!r}")
    need(isinstance(s.get("name"), str) and s["name"], f"{where}: name")
    # enums are numbers in OTLP/JSON
    need(isinstance(s.get("kind"), int) and not isinstance(s["kind"], bool)
         and 0 <= s["kind"] <= 5, f"{where}: kind {s.get('kind')!r} not an enum number")
    for k in ("startTimeUnixNano", "endTimeUnixNano"):
        need(isinstance(s.get(k), str) and DIGITS.match(s[k]),
             f"{where}: {k} {s.get(k)!r} not a decimal string")
    need(int(s["startTimeUnixNano"]) <= int(s["endTimeUnixNano"]), f"{where}: ends before it starts")
    need(int(s["startTimeUnixNano"]) > 1_500_000_000 * 10**9, f"{where}: start not a Unix time in ns")
    check_attributes(s.get("attributes", []), f"{where}.attributes")
    if "status" in s:
        check_keys(s["status"], {"code", "message"}, f"{where}.status")
        need(isinstance(s["status"].get("code"), int) and s["status"]["code"] in (0, 1, 2),
             f"{where}: status.code not an enum number")
        if "message" in s["status"]:
            need(isinstance(s["status"]["message"], str), f"{where}: status.message")


def validate(req):
    """Validate one ExportTraceServiceRequest; returns its spans as
    [(resource attrs dict, span)]."""
    out = []
    check_keys(req, {"resourceSpans"}, "request")
    need(isinstance(req["resourceSpans"], list) and req["resourceSpans"], "resourceSpans empty")
    for i, rs in enumerate(req["resourceSpans"]):
        w = f"resourceSpans[{i}]"
        check_keys(rs, {"resource", "scopeSpans", "schemaUrl"}, w)
        check_keys(rs["resource"], {"attributes", "droppedAttributesCount"}, w + ".resource")
        check_attributes(rs["resource"].get("attributes", []), w + ".resource.attributes")
        res = attrs_dict(rs["resource"]["attributes"])
        for key in ("service.name", "process.pid", "host.name"):
            need(key in res, f"{w}: resource lacks {key}")
        need(isinstance(rs.get("scopeSpans"), list), f"{w}: scopeSpans")
        for j, ss in enumerate(rs["scopeSpans"]):
            w2 = f"{w}.scopeSpans[{j}]"
            check_keys(ss, {"scope", "spans", "schemaUrl"}, w2)
            check_keys(ss.get("scope", {}), {"name", "version", "attributes"}, w2 + ".scope")
            for k, s in enumerate(ss["spans"]):
                check_span(s, f"{w2}.spans[{k}]")
                out.append((res, s))
    # Every child's parent is in the same request and trace; but a SERVER
    # span joined to its client's (kind 2 with a parent) may come in
    # another request than its parent, and start a little before it (the
    # two processes' clocks are read as their calls return); and so may a
    # CLIENT span made inside a server request (its parent a SERVER span).
    by_id = {s["spanId"]: s for _, s in out}
    for _, s in out:
        if "parentSpanId" in s and s.get("kind") == 3:
            p = by_id.get(s["parentSpanId"])
            need(p is None or p["traceId"] == s["traceId"],
                 f"span {s['spanId']}: other trace than its server's")
            need(p is None or p.get("kind") == 2,
                 f"span {s['spanId']}: a client span's parent is not a server span")
        elif "parentSpanId" in s and s.get("kind") == 2:
            p = by_id.get(s["parentSpanId"])
            need(p is None or p["traceId"] == s["traceId"],
                 f"span {s['spanId']}: other trace than its client's")
            need(p is None or p.get("kind") == 3,
                 f"span {s['spanId']}: a server span's parent is not a client span")
        elif "parentSpanId" in s:
            p = by_id.get(s["parentSpanId"])
            need(p is not None, f"span {s['spanId']}: parent not in the request")
            need(p["traceId"] == s["traceId"], f"span {s['spanId']}: other trace than its parent")
            need(p["startTimeUnixNano"] <= s["startTimeUnixNano"] or
                 int(p["startTimeUnixNano"]) <= int(s["startTimeUnixNano"]),
                 f"span {s['spanId']}: starts before its parent")
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def record(self, line):
        with self.server.lock:
            with open(self.server.out, "a") as f:
                f.write(line + "\n")

    def do_POST(self):
        srv = self.server
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if srv.mode == "hang":
            time.sleep(3600)
            return
        with srv.lock:
            srv.posts += 1
            first = srv.posts == 1
        try:
            need(self.path == "/v1/traces", f"path {self.path}")
            need(self.headers.get("Content-Type") == "application/json",
                 f"Content-Type {self.headers.get('Content-Type')!r}")
            for name, value in srv.want_headers:
                need(self.headers.get(name) == value,
                     f"header {name}: {self.headers.get(name)!r}, want {value!r}")
            req = json.loads(body)
            validate(req)
        except (Invalid, ValueError) as e:
            self.record(f"#error {e}")
            self.answer(400, b'{}')
            return
        if srv.mode == "503-once" and first:
            self.record("#status 503")
            self.answer(503, b'{}')
            return
        self.record(json.dumps(req, separators=(",", ":")))
        self.record("#status 200")
        self.answer(200, b'{}')

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def parse_headers(args):
    out = []
    while "--header" in args:
        i = args.index("--header")
        name, _, value = args[i + 1].partition("=")
        out.append((name, value))
        del args[i:i + 2]
    return out


def main():
    args = sys.argv[1:]
    want = parse_headers(args)
    if args[0] == "check":
        bad = 0
        for n, line in enumerate(open(args[1]), 1):
            try:
                validate(json.loads(line))
            except (Invalid, ValueError) as e:
                print(f"line {n}: {e}", file=sys.stderr)
                bad += 1
        sys.exit(1 if bad else 0)
    port, out = int(args[1]), args[2]
    mode = "ok"
    if "--mode" in args:
        mode = args[args.index("--mode") + 1]
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.out, srv.mode, srv.want_headers = out, mode, want
    srv.lock, srv.posts = threading.Lock(), 0
    open(out, "a").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
