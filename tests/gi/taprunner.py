# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a unittest module and reports each test as a TAP line for meson."""

import sys
import unittest


class _TapResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = 0
        self.reported = set()

    def _line(self, ok, test, extra=""):
        # A test that fails and then errors in tearDown is reported twice
        # by unittest: keep one TAP line per test, as the plan counts.
        if test.id() in self.reported:
            print(f"# {test.id()}: also failed in tearDown", flush=True)
            return
        self.reported.add(test.id())
        self.number += 1
        print(f"{'ok' if ok else 'not ok'} {self.number} {test.id()}{extra}", flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(False, test)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(False, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, f" # SKIP {reason}")


def main(module_name="__main__"):
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module_name])
    print(f"1..{suite.countTestCases()}", flush=True)
    runner = unittest.TextTestRunner(stream=sys.stderr, resultclass=_TapResult, verbosity=0)
    result = runner.run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
