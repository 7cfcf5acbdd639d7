#!/usr/bin/env python3
"""Parsing on several threads (builder/input_par.c) gives what one thread gives.

idmapping.dat files of a few thousand lines are built with --threads 1 and with 3, 4 and 5
parsing threads (from --threads 3; below, the calling thread parses) taking chunks of 200
bytes (IDMAP_BUILD_PARSE_CHUNK), so that nearly every line boundary is a chunk boundary
somewhere: repeated lines, isoforms and versioned values across chunk ends, types first seen
late, blank lines, lines longer than a chunk, no final newline, gzip, standard input through a
pipe. Each build must end as the --threads 1 one does: the same exit
status and message (the first fault in input order, with its line number, when there are
several) and, on success, the same index bytes.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import gzip
import os
import subprocess
import sys

from build_checks import Checks

THREADS = (3, 4, 5)


def acc(i):
    return f"P{i % 90000 + 10000:05d}"


def lines(n, late_type_at=None):
    """n data lines shaped like UniProt's: runs of one accession, isoforms, repeats."""
    out = []
    for i in range(n):
        a = acc(i // 6)
        if i % 11 == 3:
            a += "-2"
        k = i % 6
        if k == 0:
            out.append(f"{a}\tUniProtKB-ID\t{a}_HUMAN")
        elif k == 1:
            out.append(f"{a}\tRefSeq\tNP_{i:06d}.{i % 3 + 1}")
        elif k == 2:
            out.append(f"{a}\tGI\t{i * 7}")
            out.append(out[-1])  # a repeated line
        elif k == 3:
            out.append(f"{a}\tGeneID\t{i * 13}")
        elif k == 4:
            out.append(f"{a}\tEMBL-CDS\tCAA{i:05d}.1")
        else:
            out.append(f"{a}\tUniRef90\tUniRef90_{a}")
        if late_type_at and i >= late_type_at and i % 5 == 0:
            out.append(f"{a}\tLate_{i % 3}\tL{i}")
    return out


def main():
    a = Checks()
    check = a.check
    base = lines(3000, late_type_at=1800)
    cases = {
        "plain": "\n".join(base) + "\n",
        "no-final-newline": "\n".join(base),
        "blank-lines": "\n".join(x if i % 97 else "\n" + x for i, x in enumerate(base)) + "\n",
        "long-lines": "\n".join(x if i % 401 else f"{acc(i)}\tNote\t{'v' * 1000}"
                                for i, x in enumerate(base)) + "\n",
    }
    faults = {
        "bad-accession": (1500, "not_an_acc\tGI\t1"),
        "columns": (2222, "P12345\tGI"),
        "cr": (40, "P12345\tGI\t1\r"),
        "nul": (2999, "P12345\tGI\t1\0"),
        "empty-type": (777, "P12345\t\t1"),
        "value-too-long": (1234, "P12345\tGI\t" + "9" * 1100),
        "line-too-long": (2500, "P12345\tGI\t" + "9" * (1 << 20)),
    }
    for name, (at, bad) in faults.items():
        broken = list(base)
        broken[at] = bad
        broken[at + 300] = "second\tfault"  # later: never the one reported
        cases[name] = "\n".join(broken) + "\n"
    for name, text in cases.items():
        path = os.path.join(a.workdir, f"{name}.idmapping.dat")
        with open(path, "w", newline="") as f:
            f.write(text)
    gz = os.path.join(a.workdir, "gzip.idmapping.dat.gz")
    with open(gz, "wb") as f:
        f.write(gzip.compress(cases["plain"].encode(), 6))
    cut = os.path.join(a.workdir, "cut.idmapping.dat.gz")
    data = gzip.compress(cases["bad-accession"].encode(), 6)
    with open(cut, "wb") as f:
        f.write(data[: len(data) * 2 // 3])  # a fault before the cut, or the cut itself
    inputs = [(n, os.path.join(a.workdir, f"{n}.idmapping.dat")) for n in cases]
    inputs += [("gzip", gz), ("cut-gzip", cut), ("stdin", "-")]

    def build(name, path, threads):
        idx = os.path.join(a.workdir, f"{name}-t{threads}.idx")
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", IDMAP_BUILD_PARSE_CHUNK="200")
        piped = open(gz, "rb").read() if path == "-" else None  # through a pipe, as a FIFO
        r = subprocess.run([a.idmap, "build", "-q", "--threads", str(threads), "-o", idx, path],
                           input=piped, capture_output=True, env=env)
        data = open(idx, "rb").read() if os.path.exists(idx) else None
        return r.returncode, r.stderr.decode(errors="replace"), data

    for name, path in inputs:
        rc, err, ref = build(name, path, 1)
        want_fault = name in faults or name == "cut-gzip"
        check((rc == 1) == want_fault and (rc == 0 or err.startswith("idmap: ")),
              f"{name}: --threads 1 gave rc {rc}: {err[:300]}")
        if name in faults:
            check(f":{faults[name][0] + 1}: " in err, f"{name}: not the first fault: {err[:300]}")
        for t in THREADS:
            rc2, err2, idx = build(name, path, t)
            check(rc2 == rc and err2 == err,
                  f"{name}: --threads {t}: rc {rc2} {err2[:300]!r}, "
                  f"--threads 1: rc {rc} {err[:300]!r}")
            check(idx == ref, f"{name}: --threads {t}: other index bytes than --threads 1")
    return a.done()


if __name__ == "__main__":
    sys.exit(main())
