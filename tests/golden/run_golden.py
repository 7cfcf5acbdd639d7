#!/usr/bin/env python3
"""Golden tests of UniProt semantics through the `idmap` CLI.

cases.txt is the table: one case a line, `item | name | arguments | standard input`, where
arguments are split like a shell would and `IDX` stands for an index built from the sample
release (data/sample: real excerpts plus hand-written rows in the real formats). The expected
exit code, standard output and standard error of case NAME are in expected/NAME.out. Prints
`N passed, N failed` and exits 1 on any difference; --update rewrites the expected files (then
review them with `git diff`).
"""
import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(path):
    cases = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            if len(parts) not in (3, 4):
                raise SystemExit(f"{path}:{n}: expected 'item | name | arguments | stdin'")
            item, name, args = parts[:3]
            stdin = parts[3].replace("\\n", "\n") if len(parts) == 4 else None
            cases.append((item, name, args, stdin))
    return cases


def render(code, out, err):
    return f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    idx = os.path.join(a.workdir, "sample.idx")
    inputs = sorted(p for p in glob.glob(os.path.join(a.sample, "*"))
                    if os.path.isfile(p) and not p.endswith(".md"))
    b = subprocess.run([a.idmap, "build", "-o", idx] + inputs, capture_output=True)
    if b.returncode != 0:
        print(b.stderr.decode(errors="replace"))
        print("0 passed, 1 failed")
        return 1
    env = {k: v for k, v in os.environ.items() if k != "IDMAP_INDEX"}
    passed = failed = 0
    names = set()
    for item, name, args, stdin in load_cases(os.path.join(HERE, "cases.txt")):
        if name in names:
            raise SystemExit(f"duplicate case name {name}")
        names.add(name)
        argv = [idx if w == "IDX" else w for w in shlex.split(args)]
        p = subprocess.run([a.idmap] + argv, input=(stdin or "").encode(), capture_output=True,
                           env=env, timeout=60)
        got = render(p.returncode, p.stdout.decode(errors="replace"),
                     p.stderr.decode(errors="replace").replace(idx, "IDX"))
        path = os.path.join(HERE, "expected", name + ".out")
        if a.update:
            with open(path, "w") as f:
                f.write(got)
        try:
            with open(path) as f:
                want = f.read()
        except OSError:
            want = None
        if got == want:
            passed += 1
            continue
        failed += 1
        print(f"FAIL [item {item}] {name}: idmap {args}")
        if want is None:
            print(f"     no expected file {path}")
        else:
            import difflib
            for d in list(difflib.unified_diff(want.splitlines(), got.splitlines(), "expected",
                                               "got", lineterm="", n=1))[:30]:
                print("     " + d)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
