#!/usr/bin/python3
"""unittest_verdicts.py - run named unittest cases, one verdict a line.

    unittest_verdicts.py OUT NAME...

Runs the tests NAME... (module, class or method names, as `python -m
unittest` takes them) and writes to OUT one line per test, "ID VERDICT",
sorted by ID: VERDICT is ok, FAIL, ERROR, skip, xfail (an expected failure)
or xpass (an unexpected success); a subtest that fails makes its test FAIL
or ERROR.  Tracebacks go to standard error.  The exit status is 0 once the
run ended, whatever the verdicts: the caller compares the files of two runs
(traced and untraced), not the exit status."""

import sys
import unittest


class Verdicts(unittest.TestResult):
    """Each test's worst outcome, by id."""

    RANK = {"ok": 0, "skip": 1, "xfail": 1, "xpass": 2, "FAIL": 3, "ERROR": 4}

    def __init__(self):
        super().__init__()
        self.verdicts = {}

    def _set(self, test, verdict):
        tid = test.id()
        old = self.verdicts.get(tid)
        if old is None or self.RANK[verdict] > self.RANK[old]:
            self.verdicts[tid] = verdict

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "FAIL")

    def addError(self, test, err):
        super().addError(test, err)
        self._set(test, "ERROR")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skip")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(test, "xfail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, "xpass")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            bad = issubclass(err[0], test.failureException)
            self._set(test, "FAIL" if bad else "ERROR")


def main():
    out, names = sys.argv[1], sys.argv[2:]
    suite = unittest.defaultTestLoader.loadTestsFromNames(names)
    result = Verdicts()
    suite.run(result)
    for test, text in result.errors + result.failures:
        print("%s\n%s" % (test.id(), text), file=sys.stderr)
    with open(out, "w", encoding="utf-8") as f:
        for tid in sorted(result.verdicts):
            f.write("%s %s\n" % (tid, result.verdicts[tid]))


if __name__ == "__main__":
    main()
