"""The tally of the Python tests that print one line a check: `ok - NAME` or
`not ok - NAME: detail` (TAP-like), and `N passed, N failed` at the end."""


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"not ok - {name}" + (f": {detail!r}"[:600] if detail else ""))
        return cond
