#!/usr/bin/python3
"""jcheck.py - assertions over httptrace's JSON Lines output.

    jcheck.py FILE [--event NAME|all] [--count N] [--expect EXPR]... [--each EXPR]...

Every line of FILE must be a JSON object with an "event" member (blank lines
are an error too).  The records checked are those whose "event" is NAME
("request" by default; "all" selects every line), in file order.

  --count N      exactly N records are selected
  --expect EXPR  EXPR, a Python expression, is true; each field name is bound
                 to the list of that field's values over the records (None
                 where missing or null), e.g.
                     --expect 'reused == [False, True, True]'
                     --expect 'len(set(conn)) == 1'
                 also bound: recs (the records), lines (every line's object)
                 and the helpers below
  --each EXPR    EXPR is true for every record, with each field bound to
                 that record's value, e.g. --each 'status == 200'; at least
                 one record must be selected (an empty selection fails)

Helpers: nulls(xs) is every x None; nonnull(xs) is no x None;
near(a, b, tol) is |a - b| <= tol.

Exit status 0 when every check holds; 1 with an explanation on stderr
otherwise; 2 on usage errors.
"""

import argparse
import json
import keyword
import sys


def nulls(xs):
    return all(x is None for x in xs)


def nonnull(xs):
    return all(x is not None for x in xs)


def near(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


HELPERS = {"nulls": nulls, "nonnull": nonnull, "near": near}


def load(path):
    """Parse FILE; return (objects, errors)."""
    objs, errors = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            try:
                obj = json.loads(line)
            except ValueError as e:
                errors.append("line %d: not JSON (%s): %r" % (n, e, line[:200]))
                continue
            if not isinstance(obj, dict) or "event" not in obj:
                errors.append("line %d: not an object with \"event\": %r"
                              % (n, line[:200]))
                continue
            objs.append(obj)
    return objs, errors


def bindable(name):
    return name.isidentifier() and not keyword.iskeyword(name)


def column_env(recs, lines):
    names = {k for r in recs for k in r if bindable(k)}
    env = {k: [r.get(k) for r in recs] for k in names}
    env.update(HELPERS, recs=recs, lines=lines)
    return env


def record_env(rec):
    env = {k: v for k, v in rec.items() if bindable(k)}
    env.update(HELPERS, rec=rec)
    return env


def evaluate(expr, env):
    """Return (ok, error text)."""
    try:
        return bool(eval(expr, {"__builtins__": __builtins__}, env)), None
    except Exception as e:  # a missing field is a failed check, not a crash
        return False, "%s: %s" % (type(e).__name__, e)


def dump(recs):
    return "\n".join("  " + json.dumps(r, sort_keys=False) for r in recs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--event", default="request")
    ap.add_argument("--count", type=int)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--each", action="append", default=[])
    args = ap.parse_args()

    try:
        lines, errors = load(args.file)
    except OSError as e:
        print("jcheck: %s" % e, file=sys.stderr)
        return 1
    recs = [o for o in lines
            if args.event == "all" or o.get("event") == args.event]
    problems = list(errors)

    if args.count is not None and len(recs) != args.count:
        problems.append("expected %d %s records, got %d"
                        % (args.count, args.event, len(recs)))

    env = column_env(recs, lines)
    for expr in args.expect:
        ok, err = evaluate(expr, env)
        if not ok:
            used = sorted(k for k in env if k in expr and k not in HELPERS
                          and k not in ("recs", "lines"))
            got = ", ".join("%s=%r" % (k, env[k]) for k in used)
            problems.append("expected %s%s; got %s"
                            % (expr, " (%s)" % err if err else "", got or "-"))

    # An --each over nothing would hold whatever EXPR says: a test that
    # asserts a property of every record asserts there is one.
    if args.each and not recs:
        problems.append("--each %s: no %s record selected"
                        % (" --each ".join(args.each), args.event))
    for expr in args.each:
        for i, rec in enumerate(recs):
            ok, err = evaluate(expr, record_env(rec))
            if not ok:
                problems.append("record %d: expected %s%s" %
                                (i + 1, expr, " (%s)" % err if err else ""))

    if problems:
        for p in problems:
            print("jcheck: %s" % p, file=sys.stderr)
        print("jcheck: %s (%d lines):\n%s" % (args.file, len(lines), dump(lines)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
