"""Shared by the build_*_test.py scripts: their arguments and a tally of checks."""
import argparse
import os
import shutil


class Checks:
    """--idmap and a fresh --workdir; check() counts and prints failures."""

    def __init__(self):
        ap = argparse.ArgumentParser()
        ap.add_argument("--idmap", required=True)
        ap.add_argument("--workdir", required=True)
        ap.add_argument("--genrelease", help="idmap-genrelease, for tests that need a release")
        ap.add_argument("--sanitized", action="store_true",
                        help="idmap is an ASan build: its RSS is no measure of the program's")
        a = ap.parse_args()
        self.idmap, self.workdir, self.sanitized = a.idmap, a.workdir, a.sanitized
        self.genrelease = a.genrelease
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}")

    def done(self):
        """Prints the tally; the exit status."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
