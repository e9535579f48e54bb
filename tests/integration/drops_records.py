"""drops_records.py - what the test_drops_*.sh checks read of their two
collectors' reports (they import it, PYTHONPATH=$TESTS_DIR)."""
import json
import sys


def load(path):
    """The records of the JSON Lines file @path."""
    return [json.loads(line) for line in open(path)]


def requests(recs):
    return [r for r in recs if r["event"] == "request"]


def summary(recs):
    """The one summary record of @recs."""
    s = [r for r in recs if r["event"] == "summary"]
    assert len(s) == 1, s
    return s[0]


def closes(events):
    """How many connections the events of a capture (read -f events)
    close."""
    return sum(1 for x in events if x["event"] == "conn_closed")


def restart_run(argv):
    """The run of drops_restart.sh from @argv (OUT1 OUT2 EV1 EV2 MADE PID):
    (requests 1, requests 2, events 1, events 2, summary 1, summary 2,
    MADE, PID); says its figures on stderr."""
    o1, o2, e1, e2 = (load(p) for p in argv[:4])
    made, pid = int(argv[4]), int(argv[5])
    r1, r2 = requests(o1), requests(o2)
    s1, s2 = summary(o1), summary(o2)
    print("# made %d; collector 1: %d requests, %d dropped; "
          "collector 2: %d requests, %d closes, %d dropped"
          % (made, len(r1), s1["dropped"], len(r2), closes(e2), s2["dropped"]),
          file=sys.stderr)
    return r1, r2, e1, e2, s1, s2, made, pid
