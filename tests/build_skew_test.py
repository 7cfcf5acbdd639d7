#!/usr/bin/env python3
"""Builds under key skew and duplication stay within --memory.

Real releases hold keys shared by millions of entries (taxa, GO terms, protein families): a
key's postings used to be gathered in one pass in memory, 40-odd bytes each, whatever the
budget. Each build below runs under /usr/bin/time and its peak RSS must stay within
--memory + 10% (not checked with --sanitized: shadow memory); the index must verify and
map the shared key to exactly its accessions.
  - 600k accessions sharing one NCBI_TaxID (plus a distinct GeneID each), given twice
    (every line duplicated, far apart);
  - one line repeated 3M times, and two lines alternating 4.5M times each;
  - one accession with 2M keys (its forward record);
  - the same index bytes through sorted runs (IDMAP_BUILD_KEY_RUNS=1, IDMAP_BUILD_FWD_RUNS=1,
    also in the wide forward form) as in memory, and for --threads 1 and 2.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import os
import subprocess
import sys

from build_checks import Checks

A36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def accession(i):
    """The i-th of distinct accessions [A-N][0-9][A-Z][A-Z0-9]{2}[0-9]."""
    d1 = i % 10
    i //= 10
    c4 = A36[i % 36]
    i //= 36
    c3 = A36[i % 36]
    i //= 36
    c2 = chr(65 + i % 26)
    i //= 26
    d0 = i % 10
    i //= 10
    return f"{'ABCDEFGHIJKLMN'[i % 14]}{d0}{c2}{c3}{c4}{d1}"


def skewed(path, n):
    with open(path, "w") as f:
        f.writelines(f"{accession(i)}\tNCBI_TaxID\t9606\n{accession(i)}\tGeneID\t{i}\n"
                     for i in range(n))


def named(path, n):
    """skewed's lines with values naming accessions: entry names and singleton UniRef100
    clusters (stored as member values), and UniRef90 clusters of 20 named after a member (at
    any position of the posting list) or after an accession of no member (not)."""
    with open(path, "w") as f:
        for i in range(n):
            c = i // 20
            rep = accession(c * 20 + c % 23) if c % 23 < 20 else accession(n + c)
            f.write(f"{accession(i)}\tNCBI_TaxID\t9606\n{accession(i)}\tGeneID\t{i}\n"
                    f"{accession(i)}\tUniProtKB-ID\t{accession(i)}_HUMAN\n"
                    f"{accession(i)}\tUniRef100\tUniRef100_{accession(i)}\n"
                    f"{accession(i)}\tUniRef90\tUniRef90_{rep}\n")


def main():
    a = Checks()
    check = a.check

    def build(name, inputs, memory, *extra, env=None):
        """Builds name.idx; returns (index path, peak RSS in bytes, stderr)."""
        idx = os.path.join(a.workdir, name + ".idx")
        rss = os.path.join(a.workdir, name + ".rss")
        e = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", **(env or {}))
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, a.idmap, "build", "-q",
                            "-m", memory, *extra, "-o", idx, *inputs],
                           capture_output=True, text=True, env=e)
        check(r.returncode == 0, f"build {name}: rc {r.returncode} {r.stderr}")
        with open(rss) as f:
            peak = int(f.read().split()[-1]) * 1024
        return idx, peak, r.stderr

    def within(name, peak, memory_mib):
        if a.sanitized:
            return
        bound = memory_mib * 1.1 * 2**20
        check(peak <= bound, f"{name}: peak RSS {peak / 2**20:.1f} MiB above --memory "
                             f"{memory_mib}M + 10% ({bound / 2**20:.1f} MiB)")

    def verify(idx):
        r = subprocess.run([a.idmap, "verify", "-i", idx], capture_output=True, text=True)
        check(r.returncode == 0, f"verify {idx}: {r.stdout} {r.stderr}")

    def targets(idx, *args):
        r = subprocess.run([a.idmap, "map", "-i", idx, "--format", "list", *args],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"map {args}: rc {r.returncode} {r.stderr[:300]}")
        return r.stdout.split()

    # 600k accessions share one taxon (each with a GeneID of its own); the file given twice.
    n = 600_000
    dat = os.path.join(a.workdir, "skew.dat")
    skewed(dat, n)
    idx, peak, _ = build("skew", [dat, dat], "16M")
    within("600k accessions of one key, each line twice", peak, 16)
    verify(idx)
    got = targets(idx, "--from", "NCBI_TaxID", "--allow-one-to-many", "9606")
    want = sorted(accession(i) for i in range(n))
    check(len(got) == n and sorted(got) == want,
          f"the shared key maps to {len(got)} accessions, {len(set(got))} distinct; want {n}")
    # the distinct keys beside it, merged from many runs: every 300th of them
    sample = range(0, n, 300)
    r = subprocess.run([a.idmap, "map", "-i", idx, "--from", "GeneID"],
                       input="\n".join(str(i) for i in sample), capture_output=True, text=True)
    want = "From\tTo\n" + "".join(f"{i}\t{accession(i)}\n" for i in sample)
    check(r.returncode == 0 and r.stdout == want,
          f"GeneIDs beside the shared key: rc {r.returncode}, {r.stdout[:200]!r}")

    # One line repeated 3M times; two lines alternating 4.5M times each (every accession
    # and key repeated far apart: the accession phase too must drop them in bounded memory).
    for name, text, times in (("repeated", "P12345\tNCBI_TaxID\t9606\n", 3_000_000),
                              ("alternating", "P12345\tT\t1\nQ67890\tT\t1\n", 4_500_000)):
        path = os.path.join(a.workdir, name + ".dat")
        with open(path, "w") as f:
            f.write(text * times)
        idx, peak, _ = build(name, [path], "16M")
        within(f"{name}: {len(text.splitlines()) * times} lines", peak, 16)
        verify(idx)
        want = sorted({line.split("\t")[0] for line in text.splitlines()})
        got = targets(idx, "--from", "T" if name == "alternating" else "NCBI_TaxID",
                      "--allow-one-to-many", "1" if name == "alternating" else "9606")
        check(sorted(got) == want, f"{name}: the shared key maps to {got}, want {want}")

    # One accession with 2M keys: its forward record is as skewed as a key's reverse list.
    m = 2_000_000
    one = os.path.join(a.workdir, "one_accession.dat")
    with open(one, "w") as f:
        f.writelines(f"P12345\tGeneID\t{i}\n" for i in range(m))
    idx, peak, _ = build("one_accession", [one], "16M")
    within(f"one accession with {m} keys", peak, 16)
    verify(idx)
    got = targets(idx, "--to", "GeneID", "P12345")
    check(len(got) == m and set(got) == {str(i) for i in range(m)},
          f"P12345 maps to {len(got)} GeneIDs, want {m}")

    # The same bytes whichever way a partition goes, and for any --threads.
    small = os.path.join(a.workdir, "small.dat")
    named(small, 50_000)
    ref, _, _ = build("mem", [small, small], "256M", "--threads", "2")
    verify(ref)
    # the values naming the one accession of their key are stored as member values: a byte
    # (+ the mnemonic), not 5-8 (accessions of hex digits only, such as A0A005, keep the hex
    # form's 4); the clusters of 20 keep their accession (form 3)
    r = subprocess.run([a.idmap, "info", "--sizes", "-i", ref], capture_output=True, text=True)
    per = {f[0]: float(f[-1]) for f in (line.split() for line in r.stdout.splitlines())
           if len(f) == 5 and f[0] in ("UniRef100", "UniRef90", "UniProtKB-ID")}
    check(per.get("UniRef100", 99) < 2.0 and per.get("UniProtKB-ID", 99) < 7 and
          per.get("UniRef90", 0) > 4.0, f"coded bytes a value: {per}")
    for c in (0, 1, 22, 23, 24):  # clusters named after members 0, 1 and 19, none, member 1
        rep = accession(c * 20 + c % 23) if c % 23 < 20 else accession(50_000 + c)
        got = targets(ref, "--from", "UniRef90", "--allow-one-to-many", f"UniRef90_{rep}")
        check(sorted(got) == sorted(accession(i) for i in range(c * 20, c * 20 + 20)),
              f"UniRef90_{rep}: {got}")
        got = targets(ref, "--to", "UniRef90", accession(c * 20 + 7))
        check(got == [f"UniRef90_{rep}"], f"{accession(c * 20 + 7)} -> UniRef90: {got}")
    got = targets(ref, "--from", "UniProtKB-ID", f"{accession(5)}_HUMAN", f"{accession(66)}_HUMAN")
    check(got == [accession(5), accession(66)], f"entry names: {got}")
    both = {"IDMAP_BUILD_KEY_RUNS": "1", "IDMAP_BUILD_FWD_RUNS": "1"}
    for name, extra, env in (("runs", ("--threads", "2"), {"IDMAP_BUILD_KEY_RUNS": "1"}),
                             ("runs1", ("--threads", "1"), both),
                             ("wide", ("--threads", "2"), dict(both, IDMAP_BUILD_WIDE_SORT="1")),
                             ("mem1", ("--threads", "1"), None)):
        other, _, _ = build(name, [small, small], "256M", *extra, env=env)
        with open(ref, "rb") as x, open(other, "rb") as y:
            check(x.read() == y.read(), f"{name}: index bytes differ from the in-memory build")

    return a.done()


if __name__ == "__main__":
    sys.exit(main())
