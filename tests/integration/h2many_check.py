#!/usr/bin/python3
"""h2many_check.py RECORDS SERVER_LOG N SIDE - the records of N HTTP/2
streams in flight at once on one connection (h2many.js, h2load) against the
server's own log ("METHOD PATH BODYBYTES" per request it read): every
request the server logged is in the records exactly once, as a full record
(its own status and body: the path's number + 1 bytes) or one with the
error "too many requests in flight; not tracked" (its method, no status);
128 are followed (the server holds every response until it read all N),
N - 128 not, and the summary's not_followed counts those."""
import json
import sys

OVERFLOW = "too many requests in flight; not tracked"
recs_f, log_f, n, side = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [json.loads(line) for line in open(recs_f)]
reqs = [r for r in lines if r["event"] == "request"]
summary = [r for r in lines if r["event"] == "summary"][-1]
logged = {}
for line in open(log_f):
    method, path, body = line.split()
    logged[path] = (method, int(body))
assert len(logged) == n, f"the server logged {len(logged)} requests, not {n}"

seen = {}
for r in reqs:
    assert r["side"] == side if "side" in r else side == "client", r
    path = "/" + r["url"].split("/", 3)[3]
    assert path not in seen, f"{path} recorded twice"
    seen[path] = r
missing = sorted(set(logged) - set(seen))
extra = sorted(set(seen) - set(logged))
assert not missing, f"{len(missing)} logged requests not in the records: {missing[:5]}"
assert not extra, f"records of requests the server never logged: {extra[:5]}"

followed = overflow = 0
for path, r in seen.items():
    method, body = logged[path]
    assert r["proto"] == "HTTP/2" and r["method"] == method, (r, method)
    if r["error"] == OVERFLOW:
        overflow += 1
        assert r["status"] is None and r["resp_bytes"] == 0, r
    else:
        followed += 1
        want = int(path.split("/")[-1]) + 1
        assert r["error"] is None and r["status"] == 200, r
        assert r["resp_bytes"] == want and r["req_bytes"] == body, (r, want, body)
assert (followed, overflow) == (128, n - 128), (followed, overflow)
assert summary.get("not_followed", 0) == overflow, (summary, overflow)
assert summary["server_requests" if side == "server" else "requests"] == n, summary
print(f"{followed} followed, {overflow} not tracked, not_followed "
      f"{summary.get('not_followed', 0)}")
