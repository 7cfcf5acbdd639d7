#!/usr/bin/env python3
"""`idmap map --format list` in bounded memory: a job of over a million distinct targets.

An index of N accessions, each in one to three taxa, mapped from three taxa (one-to-many) to
UniProtKB: about 1.8 N rows, N distinct targets, many seen again under a later taxon. The
list must equal a plain Python reference (each To of the TSV rows once, in the order of its
first row; the set of targets also checked against the input file), and the peak RSS of
`map -F list` (VmHWM through /usr/bin/time) must stay within a few MB of the TSV render of
the same job: before the fix a table of every distinct target added ~48 MB at this size.
Prints one line per check and `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import os
import subprocess
import sys

from cli_hostile import Checks

N = 1_200_000
TAXA = ("7227", "9606", "10090")  # in the order given: 7227 first
SLACK_KB = 16 * 1024


def accession(i):
    """The i-th of distinct UniProt-shaped accessions ([A-NR-Z][0-9][A-Z][A-Z0-9]{2}[0-9])."""
    first, upper = "ABCDEFGHIJKLMNRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    alnum = upper + "0123456789"
    out = [first[i % 23]]
    i //= 23
    for alphabet in ("0123456789", upper, alnum, alnum, "0123456789"):
        out.append(alphabet[i % len(alphabet)])
        i //= len(alphabet)
    return "".join(out)


def taxa_of(i):
    """Taxa of entry i: 9606 for even i, 10090 for i % 3 == 0, 7227 for i % 5 == 0, else
    10090 (so every entry has one)."""
    t = [tx for tx, m in (("9606", 2), ("10090", 3), ("7227", 5)) if i % m == 0]
    return t or ["10090"]


def write_release(path):
    expected = set()
    with open(path, "w") as f:
        chunk = []
        for i in range(N):
            acc = accession(i)
            expected.add(acc)
            chunk.extend(f"{acc}\tNCBI_TaxID\t{t}\n" for t in taxa_of(i))
            if len(chunk) > 100_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    return expected


def peak_map(idmap, idx, fmt, out):
    """Runs `idmap map -F fmt` on the taxa; returns (exit status, VmHWM in KB, stderr)."""
    with open(out, "wb") as f:
        p = subprocess.run(["/usr/bin/time", "-f", "HWM %M", idmap, "map", "-i", idx,
                            "--from", "NCBI_TaxID", "--allow-one-to-many", "-F", fmt, *TAXA],
                           stdout=f, stderr=subprocess.PIPE, timeout=300)
    hwm = [int(line.split()[1]) for line in p.stderr.decode().splitlines()
           if line.startswith("HWM ")]
    return p.returncode, hwm[-1] if hwm else None, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    if not os.access("/usr/bin/time", os.X_OK):
        print("skip: /usr/bin/time is missing")
        return 77
    c = Checks()
    ok = c.ok
    dat = os.path.join(a.workdir, "taxa.dat")
    idx = os.path.join(a.workdir, "taxa.idx")
    expected = write_release(dat)
    p = subprocess.run([a.idmap, "build", "-q", "-m", "256M", "--release", "t", "-o", idx, dat],
                       capture_output=True, timeout=300)
    os.unlink(dat)
    if not ok("build", p.returncode == 0, p.stderr):
        return 1
    tsv_out, list_out = os.path.join(a.workdir, "out.tsv"), os.path.join(a.workdir, "out.list")
    rc_tsv, hwm_tsv, err = peak_map(a.idmap, idx, "tsv", tsv_out)
    ok("map -F tsv", rc_tsv == 0 and hwm_tsv, err)
    rc_list, hwm_list, err = peak_map(a.idmap, idx, "list", list_out)
    ok("map -F list", rc_list == 0 and hwm_list, err)

    reference, seen = [], set()
    with open(tsv_out) as f:
        next(f)  # From<TAB>To
        rows = 0
        for line in f:
            to = line.rstrip("\n").split("\t")[1]
            rows += 1
            if to not in seen:
                seen.add(to)
                reference.append(to)
    with open(list_out) as f:
        got = f.read().split("\n")
    ok(f"{rows} rows, {len(reference)} distinct targets, some repeated",
       rows > 1.25 * N and seen == expected, (rows, len(seen)))
    ok("list = the distinct To of the rows in first-row order",
       got[-1] == "" and got[:-1] == reference, (len(got), got[:3], reference[:3]))
    ok(f"peak RSS of list ({hwm_list} KB) within {SLACK_KB} KB of tsv ({hwm_tsv} KB)",
       hwm_list and hwm_tsv and hwm_list <= hwm_tsv + SLACK_KB, (hwm_list, hwm_tsv))
    for p in (tsv_out, list_out, idx):
        os.unlink(p)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
