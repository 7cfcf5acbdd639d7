#!/usr/bin/env python3
"""idmapping_selected.tab read in step with idmapping.dat (builder/build_step.c).

A release of 1,500 entries is written in Python: idmapping.dat with isoform runs, entries
without a row and an entry in two runs; idmapping_selected.tab whose rows repeat some of
their entry's lines, add values of their own (GO, PubMed, PDB chains, values idmapping.dat
lacks) and repeat a value within a cell. It is built with the row file
  - in step (same order): every row is taken, and the build's log counts exactly the pairs
    a straightforward reading finds repeated;
  - with rows of accessions idmapping.dat lacks and a row given twice: still in step after
    each, and every row taken;
  - shuffled, and before idmapping.dat (not in step at all).
Every index must hold exactly the union of the two files' pairs (read back by the second
reader, tests/second_reader.py), and the step must not change them. A bad row is reported
at its line whether it is met in step, out of step or after idmapping.dat.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import filecmp
import os
import random
import re
import subprocess
import sys

from build_checks import Checks

HERE = os.path.dirname(os.path.abspath(__file__))
# Column i + 2 of idmapping_selected.tab (the accession is column 1).
COLUMNS = ["UniProtKB-ID", "GeneID", "RefSeq", "GI", "PDB", "GO", "UniRef100", "UniRef90",
           "UniRef50", "UniParc", "PIR", "NCBI_TaxID", "MIM", "UniGene", "PubMed", "EMBL",
           "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO", "Additional_PubMed"]


def value_of(rng, col, i):
    n = rng.randrange(1, 10**6)
    return {"UniProtKB-ID": f"E{i}_HUMAN", "GeneID": str(n), "RefSeq": f"NP_{n:06d}.{n % 3 + 1}",
            "GI": str(n * 7), "PDB": f"{n % 9 + 1}A{n % 100:02d}", "GO": f"GO:{n:07d}",
            "UniRef100": f"UniRef100_P{10000 + i}", "UniRef90": f"UniRef90_P{10000 + i // 3}",
            "UniRef50": f"UniRef50_P{10000 + i // 9}", "UniParc": f"UPI{n:010X}",
            "PIR": f"S{n:05d}", "NCBI_TaxID": str(9606 + n % 5), "MIM": str(100000 + n),
            "UniGene": f"Hs.{n}", "PubMed": str(n), "EMBL": f"AB{n:06d}",
            "EMBL-CDS": f"BAA{n:05d}.1", "Ensembl": f"ENSG{n:011d}.3",
            "Ensembl_TRS": f"ENST{n:011d}.2", "Ensembl_PRO": f"ENSP{n:011d}.2",
            "Additional_PubMed": str(n + 1)}[col]


def make_release(rng, n):
    """entries: [(accession, dat lines [(type, value)], row cells or None)]."""
    entries = []
    for i in range(n):
        acc = f"P{10000 + i}"
        dat = [("Gene_Name", f"G{i}")]
        cells = {}
        for col in COLUMNS:
            if rng.random() < 0.4 and col != "UniProtKB-ID":
                continue
            values = [value_of(rng, col, i) for _ in range(rng.choice((1, 1, 2, 3)))]
            for v in values:
                if col not in ("GO", "PubMed", "Additional_PubMed") and rng.random() < 0.7:
                    dat.append((col, v))  # a line the row repeats
            if rng.random() < 0.1:
                values.append(values[0])  # a value twice in its cell
            if col == "PDB":
                values = [f"{v}:{c}" for v in values for c in "AB"]
            cells[col] = values
        if rng.random() < 0.2:
            dat.append(("GI", str(rng.randrange(10**9))))  # a line no row has
        if i == 3:  # values alike but in the middle, beyond 16 bytes: one hash, not a repeat
            dat.append(("EMBL", "QQQQQQQQ1ZZZZZZZZ"))
            cells["EMBL"] = cells.get("EMBL", []) + ["QQQQQQQQ2ZZZZZZZZ"]
        rng.shuffle(dat)
        entries.append((acc, dat, cells if i == 3 or rng.random() < 0.9 else None))
    return entries


def row_pairs(acc, cells):
    """The pairs a row gives: PDB ids without chains, once per cell."""
    out = []
    for col, values in cells.items():
        seen = set()
        for v in values:
            if col == "PDB":
                v = v.split(":")[0]
                if v in seen:
                    continue
                seen.add(v)
            out.append((acc, col, v))
    return out


def row_text(acc, cells):
    return "\t".join([acc] + ["; ".join(cells.get(col, [])) for col in COLUMNS]) + "\n"


def write_dat(path, entries, rng):
    """Returns the pairs of each entry's first run of lines (what its row is checked against)."""
    first = {}
    with open(path, "w") as f:
        split = entries[7]  # an entry whose lines come in two runs
        for acc, dat, _ in entries:
            lines = dat
            if acc == split[0]:
                lines = dat[: len(dat) // 2]
            first[acc] = {(acc, t, v) for t, v in lines}
            for t, v in lines:
                f.write(f"{acc}\t{t}\t{v}\n")
            if rng.random() < 0.15:  # isoform runs, which have no rows
                f.write(f"{acc}-2\tUniParc\tUPI{rng.randrange(16**10):010X}\n")
                f.write(f"{acc}-2\tGI\t{rng.randrange(10**9)}\n")
        for t, v in split[1][len(split[1]) // 2:]:
            f.write(f"{split[0]}\t{t}\t{v}\n")
    return first


def union(entries, extra_rows=()):
    pairs = set()
    for acc, dat, cells in entries:
        pairs.update((acc, t, v) for t, v in dat)
        if cells:
            pairs.update(row_pairs(acc, cells))
    for acc, cells in extra_rows:
        pairs.update(row_pairs(acc, cells))
    return pairs


def index_pairs(idx, accessions):
    """Every (accession, type, value) of the index for these accessions, '#' types aside."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "second_reader.py"), idx, "fwd",
                          *sorted(accessions)], capture_output=True, text=True, check=True)
    pairs = set()
    for line in out.stdout.splitlines():
        acc, t, v = line.split("\t")
        if not t.startswith("#") and "-" not in acc:
            pairs.add((acc, t, v))
    return pairs


def main():
    a = Checks()
    check = a.check
    rng = random.Random(7)
    entries = make_release(rng, 1500)
    w = a.workdir
    dat = os.path.join(w, "idmapping.dat")
    first_run = write_dat(dat, entries, rng)
    rows = [(acc, cells) for acc, _, cells in entries if cells]

    def scenarios():
        def build(name, *inputs, memory="256M"):
            idx = os.path.join(w, f"{name}-t{threads}.idx")
            r = subprocess.run([a.idmap, "build", "--progress", "-m", memory, "--threads",
                                str(threads), "-o", idx, *inputs], capture_output=True, text=True,
                               env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
            return r, idx

        def step_log(r):
            m = re.search(r"in step with idmapping\.dat: (\d+) rows of (\d+), (\d+) of their "
                          r"(\d+) pairs were repeats", r.stderr)
            return tuple(map(int, m.groups())) if m else None

        def same_pairs(name, idx, want):
            got = index_pairs(idx, {acc for acc, _, _ in want})
            check(got == want, f"{name}, --threads {threads}: {len(got - want)} pairs too "
                               f"many, {len(want - got)} missing")

        # In step: every row taken; the repeats counted as a plain reading finds them.
        sel = os.path.join(w, "idmapping_selected.tab")
        with open(sel, "w") as f:
            f.writelines(row_text(acc, cells) for acc, cells in rows)
        repeats = total = 0
        for acc, cells in rows:
            mine = row_pairs(acc, cells)
            total += len(mine)
            repeats += len(mine) - len(set(mine) - first_run[acc])
        want = union(entries)
        r, idx_step = build("step", dat, sel)
        idx = idx_step
        check(r.returncode == 0, f"build in step: {r.stderr}")
        check(step_log(r) == (len(rows), len(rows), repeats, total),
              f"in step: log {step_log(r)}, want {(len(rows), len(rows), repeats, total)}")
        check(repeats > total // 3, f"the release repeats {repeats} of {total} pairs: too few")
        same_pairs("in step", idx, want)
        r, ref = build("after", sel, dat)
        check(r.returncode == 0 and step_log(r) is None, f"row file first: {r.stderr}")
        same_pairs("row file first", ref, want)
        r, small = build("small", dat, sel, memory="16M")
        check(r.returncode == 0 and step_log(r) is None, f"--memory 16M: {r.stderr}")
        same_pairs("--memory 16M (not in step)", small, want)

        # Rows of entries idmapping.dat lacks, and a row given twice: each is read out of step
        # and the next row is taken.
        odd = os.path.join(w, "odd", "idmapping_selected.tab")
        os.makedirs(os.path.dirname(odd), exist_ok=True)
        want_extra = [(f"Q{20000 + k}", {"GO": [f"GO:{k:07d}"], "GI": [str(k)]}) for k in range(5)]
        lines = []
        for k, (acc, cells) in enumerate(rows):
            lines.append(row_text(acc, cells))
            if k % 300 == 5:
                lines.append(row_text(*want_extra[k // 300]))
            if k % 300 == 150:
                lines.append(row_text(acc, cells))
        with open(odd, "w") as f:
            f.writelines(lines)
        r, idx = build("odd", dat, odd)
        log = step_log(r)
        check(r.returncode == 0 and log and log[0] == len(rows) and log[1] == len(lines),
              f"extra and repeated rows: log {log}, want {len(rows)} rows taken of {len(lines)}")
        same_pairs("extra and repeated rows", idx, union(entries, want_extra))

        # Shuffled rows: what is taken is up to the order, what is in the index is not.
        shuf = os.path.join(w, "shuf", "idmapping_selected.tab")
        os.makedirs(os.path.dirname(shuf), exist_ok=True)
        mixed = [row_text(acc, cells) for acc, cells in rows]
        rng.shuffle(mixed)
        with open(shuf, "w") as f:
            f.writelines(mixed)
        r, idx = build("shuffled", dat, shuf)
        log = step_log(r)
        check(r.returncode == 0 and log and log[0] < len(rows) // 2,
              f"shuffled rows: log {log} ({r.stderr[-300:]})")
        same_pairs("shuffled rows", idx, want)

        # A bad row: the same FILE:LINE whether met in step, out of step or after idmapping.dat.
        bad_dir = os.path.join(w, "bad")
        os.makedirs(bad_dir, exist_ok=True)
        for name, at, skip in (("taken", 40, False), ("out of step", 40, True),
                               ("last", len(rows) - 1, False)):
            bad = os.path.join(bad_dir, "idmapping_selected.tab")
            out = [row_text(acc, cells) for acc, cells in rows]
            acc, cells = rows[at]
            broken = row_text(acc, cells).replace("\t", "\t\t", 1)  # 23 columns
            if skip:  # a row idmapping.dat lacks, just before the next entry's row
                broken = broken.replace(acc, "Q99999", 1)
                out.insert(at, broken)
            else:
                out[at] = broken
            with open(bad, "w") as f:
                f.writelines(out)
            want_msg = f"{bad}:{at + 1}: wrong column count: found 23, expected 22"
            for order in ((dat, bad), (bad, dat)):
                r, idx = build("bad", *order)
                check(r.returncode == 1 and want_msg in r.stderr and not os.path.exists(idx),
                      f"bad row {name}, {'in step' if order[0] == dat else 'first'}: "
                      f"rc {r.returncode} {r.stderr[-300:]!r}")
        return idx_step

    first = None
    for threads in (1, 4):  # 4: the rows parsed ahead on a thread of their own
        idx = scenarios()
        if first is None:
            first = idx
        else:
            check(filecmp.cmp(first, idx, shallow=False),
                  f"in step: --threads {threads} wrote other bytes than --threads 1")
    return a.done()


if __name__ == "__main__":
    sys.exit(main())
