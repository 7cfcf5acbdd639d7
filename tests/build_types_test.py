#!/usr/bin/env python3
"""Many ID types: an index of 65,000 types maps at once, and more types
than the format allows are refused naming the file and line.

Each `map` resolves its names against every type of the index; a lookup linear in the
number of types made each map of this index take seconds (quadratic over the catalogue),
which the ctest TIMEOUT of this test catches over the dozen maps below.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import os
import re
import subprocess
import sys

from build_checks import Checks

MAX_TYPES = 65536


def types_input(path, n):
    """Line i: accession i, its own type T<i>, value v<i>."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(f"P{10000 + i % 90000}\tT{i}\tv{i}\n")


def run(idmap, *args):
    return subprocess.run([idmap, *args], capture_output=True, text=True)


def main():
    a = Checks()
    check = a.check

    n = 65000
    dat, idx = os.path.join(a.workdir, "types.dat"), os.path.join(a.workdir, "types.idx")
    types_input(dat, n)
    r = run(a.idmap, "build", "-q", "-o", idx, dat)
    check(r.returncode == 0, f"build of {n} types: {r.stderr}")
    for i in (0, 1, 4096, 32767, 50000, n - 2, n - 1):
        r = run(a.idmap, "map", "-i", idx, "--from", f"T{i}", f"v{i}")
        check(r.returncode == 0 and r.stdout == f"From\tTo\nv{i}\tP{10000 + i % 90000}\n",
              f"map --from T{i}: rc {r.returncode}, {r.stdout!r} {r.stderr!r}")
        # the name in another case resolves to the same type
        r = run(a.idmap, "map", "-i", idx, "--from", f"t{i}", f"v{i}")
        check(r.returncode == 0 and f"v{i}\tP{10000 + i % 90000}\n" in r.stdout,
              f"map --from t{i}: rc {r.returncode}, {r.stdout!r} {r.stderr!r}")
    r = run(a.idmap, "map", "-i", idx, "--from", f"T{n}", "v1")
    check(r.returncode == 2, f"map --from T{n} (no such type): rc {r.returncode}")

    # One type too many: refused at the line that brings it, index not written.
    over = os.path.join(a.workdir, "over.dat")
    types_input(over, MAX_TYPES + 10)
    out = os.path.join(a.workdir, "over.idx")
    r = run(a.idmap, "build", "-q", "-o", out, over)
    want = rf"^idmap: {re.escape(over)}:{MAX_TYPES + 1}: more than {MAX_TYPES} ID types"
    check(r.returncode == 1 and re.match(want, r.stderr) and r.stderr.count("\n") == 1,
          f"build of {MAX_TYPES + 10} types: rc {r.returncode}, {r.stderr!r}")
    check(not os.path.exists(out), "no index written for too many types")

    return a.done()


if __name__ == "__main__":
    sys.exit(main())
